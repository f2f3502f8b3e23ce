"""Engel & Van den Broeck (2001) ch. 9: eps_g(alpha) of online Hebb, perceptron, AdaTron and
optimal (Kinouchi & Caticha 1992) rules, ODE theory against simulation.

Compared numbers: alpha * eps_g of the optimal rule at large alpha (0.883, Kinouchi & Caticha),
the perceptron rule's exponent -1/3 (E&VdB sec. 9.2), simulation vs ODE at the last alpha.
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
    N, seeds, alpha_sim = (1000, 4, 10.0) if quick else (2000, 8, 30.0)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    out = {}
    for i, (rule, (eta, R0)) in enumerate(RULES.items()):
        th = perceptron_online(rule=rule, eta=eta, Q0=1.0, R0=R0, alpha_max=1e4, n_points=200)
        ax.plot(th.observables["alpha"][1:], th.observables["eps_g"][1:], color=f"C{i}", label=rule)
        m = perceptron_online_sgd(N=N, seeds=seeds, seed=i, rule=rule, eta=eta, Q0=1.0, R0=R0,
                                  alpha_max=alpha_sim, n_points=16, spacing="linear")
        ax.errorbar(m.coords["alpha"][1:], m.mean["eps_g"][1:], m.sem["eps_g"][1:], fmt="o", ms=2, color=f"C{i}")
        th_sim = perceptron_online(rule=rule, eta=eta, Q0=1.0, R0=R0, alpha_grid=m.coords["alpha"])
        out[f"{rule}_sim_minus_theory_over_sem_max"] = float(np.max(
            np.abs(m.mean["eps_g"] - th_sim.observables["eps_g"])[1:] / m.sem["eps_g"][1:]))
        out[f"{rule}_alpha_eps_at_1e4"] = th.observables["alpha_eps_final"]
    a = th.observables["alpha"]
    pr = perceptron_online(rule="perceptron", alpha_max=1e6, n_points=100).observables
    sel = pr["alpha"] > 1e5
    out["perceptron_exponent"] = float(np.polyfit(np.log(pr["alpha"][sel]), np.log(pr["eps_g"][sel]), 1)[0])
    out["paper_optimal_constant"] = 0.883
    out["paper_perceptron_exponent"] = -1 / 3
    ax.plot(a[a > 10], 0.883 / a[a > 10], "k:", lw=0.8, label="0.883/alpha")
    ax.set(xscale="log", yscale="log", xlabel="alpha", ylabel="eps_g", title=f"online rules: ODE vs N={N}")
    ax.legend(fontsize=7)
    path = save_figure(fig, outdir, "online_perceptron_rules")
    out["png"] = path
    for k, v in out.items():
        print(f"{k}: {v}")
    return out


if __name__ == "__main__":
    main()
