"""Saad & Solla (PRE 52, 4225 (1995)), Fig. 2-type: eps_g(alpha) of a K = M = 3 erf committee
with its symmetric plateau, ODE theory (from each seed's own initial state) against online SGD.

Compared numbers: the plateau height against the symmetric fixed point (and its eta -> 0 value
(K/pi)(pi/6 - K arcsin(1/(2K))) = 0.0203 for K = 3), and theory vs simulation along the trajectory.

SGD runs past the escape from the plateau (alpha ~ 250). Up to the escape each seed follows
the ODE started from its own overlaps; the escape itself comes earlier or later than that ODE
predicts (the printed max relative deviation, ~5, is there): the symmetry is broken by the
O(1/sqrt(N)) fluctuations of SGD, which the N -> infinity ODE does not have. This is finite
size, not a wrong curve: the escape time grows like log N.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.simulate.online import committee_online_sgd  # noqa: E402
from replicon.theory.online import committee_online, symmetric_plateau_eps  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402


def main(quick: bool = False, outdir: str = ".") -> dict:
    K = M = 3
    eta = 0.5
    # SGD runs past the escape from the plateau (alpha ~ 245 at N = 500-1000), in quick mode too
    N, seeds, alpha_max = (500, 3, 450.0) if quick else (1000, 5, 600.0)
    params = dict(K=K, M=M, eta=eta, Q0=0.2, R0=0.0, R0_diag=0.0, alpha_max=alpha_max, n_points=60,
                  spacing="linear")
    meas = committee_online_sgd(N=N, seeds=seeds, seed=1, **params)
    sols = [committee_online(K=K, M=M, eta=eta, Q0=q, R0=r, R0_diag=0.0, alpha_grid=meas.coords["alpha"])
            for q, r in zip(meas.extra["Q0_measured"], meas.extra["R0_measured"])]
    theory = np.array([s.observables["eps_g"] for s in sols])
    ref = committee_online(K=K, M=M, eta=eta, Q0=0.2, R0=0.0, R0_diag=1e-3, alpha_max=1000.0)
    a = meas.coords["alpha"]
    from replicon.compare.style import colour_for

    fig, ax = plt.subplots(figsize=(4.6, 3.2))
    ax.plot(ref.observables["alpha"], ref.observables["eps_g"], "k-", lw=1,
            label=r"ODE, $R_{ii}(0) = 10^{-3}$")
    for i, th in enumerate(theory):
        ax.plot(a, th, "-", color=colour_for(i), lw=0.8, label="ODE from the seed's start" if i == 0 else None)
        ax.plot(a, meas.samples["eps_g"][i], "o", color=colour_for(i), ms=2,
                label=f"SGD, $N={N}$, one dot colour per seed ({seeds} seeds)" if i == 0 else None)
    ax.axhline(ref.observables["plateau_height"], ls=":", color="gray", label="symmetric fixed point")
    ax.set(xlabel=r"$\alpha$", ylabel=r"$\epsilon_g$", yscale="log", xlim=(0, 1000), ylim=(1e-4, 1),
           title=f"$K = M = 3$, $\\eta = {eta}$")
    ax.set_xlim(0, alpha_max + 50)
    fig.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, frameon=False)
    path = save_figure(fig, outdir, "saad_solla_plateau")
    dev = np.abs(meas.samples["eps_g"] - theory)[:, 1:]
    out = {
        "plateau_height_eta": ref.observables["plateau_height"],
        "plateau_eta0": ref.observables["eps_sym_eta0"],
        "plateau_eta0_formula": symmetric_plateau_eps(K),
        "plateau_start": ref.observables["plateau_start"],
        "plateau_end": ref.observables["plateau_end"],
        "max_rel_dev_sim_vs_theory": float(np.max(dev / theory[:, 1:])),
        "png": path,
    }
    for k, v in out.items():
        print(f"{k}: {v}")
    return out


if __name__ == "__main__":
    main()
