"""Goldt et al. (NeurIPS 2019, arXiv:1906.08632), Fig. 2-type: final generalisation error of an
erf soft committee machine (first layer trained, second fixed at 1) against student width K,
teacher M = 2 with label noise sigma: over-parametrised students generalise worse.

Compared numbers: the ODE's eps_g at long times for K = M..M+3 (the paper's claim: it increases
with K when only the first layer is trained), and SGD at N = 500 for the smallest and largest K.
The exact slope of the paper's small-(eta sigma^2) formula is not checked here.

The figure shows both: the ODE's asymptotic eps_g against K (left axis values, circles and
line) and, at the finite alpha of the simulation, SGD (error bars over seeds) beside the
ODE started from each seed's own initial overlaps (crosses). K is an integer axis.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.simulate.online import committee_online_sgd  # noqa: E402
from replicon.theory.online import committee_online  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402


def main(quick: bool = False, outdir: str = ".") -> dict:
    M, eta, sigma = 2, 0.2, 0.1
    Ks = [2, 3] if quick else [2, 3, 4, 5]
    alpha_max = 1e5
    final = []
    for K in Ks:
        s = committee_online(K=K, M=M, eta=eta, sigma=sigma, Q0=0.2, R0=0.0, R0_diag=0.05,
                             alpha_max=alpha_max, n_points=50)
        final.append(s.observables["eps_g_final"] if s.converged else np.nan)
    N, seeds, alpha_sim = (300, 2, 100.0) if quick else (500, 3, 400.0)
    sim = {}
    for K in (Ks[0], Ks[-1]):
        m = committee_online_sgd(N=N, seeds=seeds, seed=K, K=K, M=M, eta=eta, sigma=sigma, Q0=0.2, R0=0.0,
                                 R0_diag=0.05, alpha_max=alpha_sim, n_points=20, spacing="linear")
        th = [committee_online(K=K, M=M, eta=eta, sigma=sigma, Q0=q, R0=r, R0_diag=0.0,
                               alpha_grid=m.coords["alpha"]).observables["eps_g"][-1]
              for q, r in zip(m.extra["Q0_measured"], m.extra["R0_measured"])]
        sim[K] = (float(m.mean["eps_g"][-1]), float(m.sem["eps_g"][-1]), float(np.mean(th)))
    from matplotlib.ticker import MaxNLocator, NullLocator

    from replicon.compare.style import colour_for, sim_label

    fig, ax = plt.subplots(figsize=(3.8, 3.0))
    ax.plot(Ks, final, "o-", color="k", label=rf"ODE, $\alpha = {alpha_max:.0e}$ (asymptotic)".replace("e+0", r"\times 10^"))
    ks = sorted(sim)
    ax.errorbar(ks, [sim[k][0] for k in ks], yerr=[sim[k][1] for k in ks], fmt="s", color=colour_for(1),
                label=sim_label(N, seeds, f"SGD at $\\alpha = {alpha_sim:g}$"))
    ax.plot(ks, [sim[k][2] for k in ks], "x", ms=7, color=colour_for(0),
            label=f"ODE from each seed's start, $\\alpha = {alpha_sim:g}$")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set(xlabel="student width $K$", ylabel=r"$\epsilon_g$",
           title=f"teacher $M={M}$, $\\eta={eta}$, $\\sigma={sigma}$")
    ax.set_xlim(Ks[0] - 0.4, Ks[-1] + 0.4)
    ax.set_ylim(top=ax.get_ylim()[1] * 8)
    ax.legend(loc="upper center", fontsize=6.5)
    path = save_figure(fig, outdir, "goldt_overparam")
    out = {"K": Ks, "eps_g_final": [float(x) for x in final],
           "increment_per_extra_unit": [float(x) for x in np.diff(final)],
           "increases_with_K": bool(np.all(np.diff(final) > 0)),
           "sim_at_alpha_sim": {int(k): {"sim": v[0], "sem": v[1], "ode_from_seeds": v[2]} for k, v in sim.items()},
           "png": path}
    for k, v in out.items():
        print(f"{k}: {v}")
    return out


if __name__ == "__main__":
    main()
