"""Engel & Van den Broeck (2001) ch. 9: eps_g(alpha) of online Hebb, perceptron, AdaTron and
optimal (Kinouchi & Caticha 1992) rules, ODE theory against simulation.

Compared numbers: alpha * eps_g of the optimal rule at large alpha (0.883, Kinouchi & Caticha),
the perceptron rule's exponent -1/3 (E&VdB sec. 9.2), simulation vs ODE along the trajectory.

The deviations of 5-7 standard errors printed before (perceptron rule 5.2, AdaTron 6.7 at
N = 1000) came from too few seeds: with 4 seeds the standard error is itself estimated from
4 samples, so (sim - ODE)/se is Student-t with 3 degrees of freedom, and the largest of 15
such values exceeds 5 for one rule in four. With 6 seeds the same runs give a largest |z| of
1.4-2.3 at each of N = 500 and 1000 (printed as ``*_N=..._max_abs_z``), so neither a finite
size bias nor a wrong curve is visible at this precision. The simulation is now run at two
(three) sizes and the deviation at each alpha fitted by d_inf + b/N; the right panel shows
d_inf with its standard error and ``*_sim_minus_theory_over_sem_max`` is that of d_inf.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.simulate.online import perceptron_online_sgd  # noqa: E402
from replicon.theory.online import perceptron_online  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402

RULES = {"hebb": (1.0, 0.0), "perceptron": (1.0, 0.0), "adatron": (1.5, 0.0), "optimal": (1.0, 0.01)}


def main(quick: bool = False, outdir: str = ".") -> dict:
    from replicon.compare.experiment import extrapolate
    from replicon.compare.style import colour_for

    Ns, seeds, alpha_sim = ((500, 1000), 6, 10.0) if quick else ((1000, 2000, 4000), 8, 30.0)
    fig, (ax, axr) = plt.subplots(1, 2, figsize=(7.6, 3.2))
    out = {}
    for i, (rule, (eta, R0)) in enumerate(RULES.items()):
        col = colour_for(i)
        th = perceptron_online(rule=rule, eta=eta, Q0=1.0, R0=R0, alpha_max=1e4, n_points=200)
        ax.plot(th.observables["alpha"][1:], th.observables["eps_g"][1:], color=col, label=f"{rule} (ODE)")
        devs, sems = [], []
        for k, N in enumerate(Ns):
            m = perceptron_online_sgd(N=N, seeds=seeds, seed=10 * i + k, rule=rule, eta=eta, Q0=1.0, R0=R0,
                                      alpha_max=alpha_sim, n_points=16, spacing="linear")
            th_sim = perceptron_online(rule=rule, eta=eta, Q0=1.0, R0=R0, alpha_grid=m.coords["alpha"])
            devs.append((m.mean["eps_g"] - th_sim.observables["eps_g"])[1:])
            sems.append(m.sem["eps_g"][1:])
            out[f"{rule}_N={N}_max_abs_z"] = float(np.max(np.abs(devs[-1]) / sems[-1]))
        a_sim = m.coords["alpha"][1:]
        ext = np.array([extrapolate(Ns, [d[t] for d in devs], [s_[t] for s_ in sems]) for t in range(a_sim.size)])
        out[f"{rule}_sim_minus_theory_over_sem_max"] = float(np.max(np.abs(ext[:, 0]) / ext[:, 1]))
        ax.errorbar(a_sim, m.mean["eps_g"][1:], m.sem["eps_g"][1:], fmt="o", ms=2.5, capsize=1.5, color=col)
        axr.errorbar(a_sim * (1 + 0.012 * (i - 1.5)), ext[:, 0], ext[:, 1], fmt="o", ms=3, capsize=1.5,
                     color=col, label=rule)
        out[f"{rule}_alpha_eps_at_1e4"] = th.observables["alpha_eps_final"]
    axr.axhline(0, color="k", lw=0.8)
    axr.set(xlabel=r"$\alpha$", ylabel=r"$\epsilon_g^{\rm SGD} - \epsilon_g^{\rm ODE}$",
            title=rf"$N = {', '.join(map(str, Ns))} \to \infty$ ($1/N$ fit), {seeds} seeds")
    axr.legend(loc="lower right", ncol=2)
    a = th.observables["alpha"]
    pr = perceptron_online(rule="perceptron", alpha_max=1e6, n_points=100).observables
    sel = pr["alpha"] > 1e5
    out["perceptron_exponent"] = float(np.polyfit(np.log(pr["alpha"][sel]), np.log(pr["eps_g"][sel]), 1)[0])
    out["paper_optimal_constant"] = 0.883
    out["paper_perceptron_exponent"] = -1 / 3
    ax.plot(a[a > 10], 0.883 / a[a > 10], "k:", lw=0.8, label=r"$0.883/\alpha$")
    ax.plot([], [], "o", color="0.4", ms=2.5, label=f"SGD, $N = {Ns[-1]}$, {seeds} seeds")
    ax.set(xscale="log", yscale="log", xlabel=r"$\alpha$", ylabel=r"$\epsilon_g$", title="online rules: ODE and SGD")
    ax.legend(loc="lower left", fontsize=6.5)
    path = save_figure(fig, outdir, "online_perceptron_rules")
    out["png"] = path
    for k, v in out.items():
        print(f"{k}: {v}")
    return out


if __name__ == "__main__":
    main()
