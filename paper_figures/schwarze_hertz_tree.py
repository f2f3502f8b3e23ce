"""Schwarze & Hertz (1992): generalisation curve of the tree committee machine (K = 3) vs the perceptron.

Theory (committee.gibbs, RS): eps_g(alpha) of Gibbs learning for the tree committee with K = 3
sign hidden units and disjoint receptive fields, and for the perceptron (K = 1), spherical weights,
at T = 0 (version space) and at T = 1; alpha = P/N with N the total number of weights. At T = 1
Metropolis Monte Carlo of the K = 3 tree committee at N = 60, 120, 240, extrapolated in 1/N.

Compared numbers: Monte Carlo against the RS theory in standard errors (printed). The large-alpha
1/alpha decay reported by Schwarze & Hertz is shown by the T = 0 curves on log axes; no published
value is asserted here.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.compare.experiment import extrapolate  # noqa: E402
from replicon.simulate.committee.monte_carlo import simulate_tree  # noqa: E402
from replicon.theory.committee.tree import gibbs_curve  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402


def main(quick: bool = False, outdir: str = ".") -> dict:
    alphas = np.geomspace(0.2, 20.0 if quick else 40.0, 20 if quick else 50)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    out = {}
    for ax, T in zip(axes, (0.0, 1.0)):
        for K, colour in ((1, "C0"), (3, "C3")):
            curve = gibbs_curve(alphas, K=K, T=T)
            xs = [s["alpha"] for s in curve]
            ys = [s["eps_g"] for s in curve]
            ax.plot(xs, ys, "-", color=colour, label=f"$K = {K}$" + (" (perceptron)" if K == 1 else " tree"))
            out[f"T={T}, K={K}"] = {"alpha": xs[-1], "eps_g": ys[-1], "alpha*eps_g": xs[-1] * ys[-1]}
        ax.set_title(f"spherical weights, $T = {T:g}$")
        ax.set_xlabel(r"$\alpha = P/N$")
        ax.set_ylabel(r"$\epsilon_g$")
    axes[0].set_xscale("log")
    axes[0].set_yscale("log")
    Ns = (60, 120) if quick else (60, 120, 240)
    sim_alphas = (1.0, 3.0) if quick else (0.5, 1.0, 2.0, 3.0, 5.0)
    pts = []
    for a in sim_alphas:
        runs = [simulate_tree(K=3, alpha=a, T=1.0, N=N, seeds=6 if quick else 12, seed=11) for N in Ns]
        m, se = extrapolate(Ns, [r.mean["eps_g"] for r in runs], [r.sem["eps_g"] for r in runs])
        th = gibbs_curve([a], K=3, T=1.0)[0]["eps_g"]
        pts.append((a, m, se, th))
        print(f"K=3 T=1 alpha={a:g}: MC (N->inf) eps_g = {m:.4f} +- {se:.4f}; RS theory {th:.4f}; "
              f"z = {(m - th) / se:+.2f}")
    axes[1].errorbar([p[0] for p in pts], [p[1] for p in pts], yerr=[p[2] for p in pts], fmt="o",
                     color="C3", ms=4, label=rf"MC $K = 3$, $N = {Ns[0]}..{Ns[-1]} \to \infty$ ({6 if quick else 12} seeds)")
    for ax in axes:
        ax.legend(fontsize=8)
    out["mc"] = [{"alpha": a, "eps_g_mc": m, "se": se, "eps_g_theory": th} for a, m, se, th in pts]
    for k, v in out.items():
        if k != "mc":
            print(f"{k}: eps_g({v['alpha']:.3g}) = {v['eps_g']:.4f}, alpha*eps_g = {v['alpha*eps_g']:.3f}")
    path = save_figure(fig, outdir, "schwarze_hertz_tree")
    out["figure"] = path
    return out


if __name__ == "__main__":
    main()
