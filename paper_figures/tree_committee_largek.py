"""Tree committee machine, Gibbs learning: eps_g(alpha) for K = 1, 3, 5, 7 and the K -> infinity limit.

Theory only (RS, spherical weights, T = 0, alpha = P/N with N the total number of weights):
committee.gibbs for finite odd K (K = 1 is the perceptron) and committee.gibbs_largek for K -> infinity
(Schwarze & Hertz 1992, 1993: the majority of infinitely many branches is a perceptron at the arcsine
overlaps (2/pi) arcsin R, (2/pi) arcsin q). Printed: eps_g at a few alpha for every K (the finite-K
values approach K = infinity monotonically) and alpha * eps_g at the largest alpha (K = infinity:
-> 1.249, twice the perceptron's 0.625; derived in replicon/theory/committee/tree_large_k.py, no
published value is asserted here). K = 5, 7 are on a coarse grid (each point costs seconds).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.theory.committee.tree import gibbs, gibbs_curve  # noqa: E402
from replicon.theory.committee.tree_large_k import gibbs_large_k, gibbs_large_k_curve  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402


def main(quick: bool = False, outdir: str = ".") -> dict:
    dense = np.geomspace(0.2, 40.0, 25 if quick else 60)
    # K = 5, 7 cost 5 and 12 s of CPU per point (measured): quick mode draws 3 points each as markers
    # only (no line through 3 points), the full run 14 points joined by a line
    coarse = np.geomspace(0.5, 8.0, 3 if quick else 14)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    out = {}
    curves = {}
    for K in (1, 3):
        c = gibbs_curve(dense, K=K)
        curves[K] = ([s["alpha"] for s in c], [s["eps_g"] for s in c])
    c = gibbs_large_k_curve(dense)
    curves["inf"] = ([s["alpha"] for s in c], [s["eps_g"] for s in c])
    for K in (5, 7):   # one solve per point, started from the K = infinity solution (nearby in q)
        pts = [(a, gibbs(K=K, alpha=a, inits=[np.array([gibbs_large_k(a)["q"]])])) for a in coarse]
        curves[K] = ([a for a, s in pts if s.converged], [s["eps_g"] for a, s in pts if s.converged])
    from replicon.compare.style import colour_for

    sparse = "o" if quick else "o-"
    style = {1: (colour_for(0), "-"), 3: (colour_for(1), "-"), 5: (colour_for(2), sparse), 7: (colour_for(3), sparse),
             "inf": ("k", "--")}
    for ax in axes:
        for K, (xs, ys) in curves.items():
            colour, fmt = style[K]
            label = "$K = 1$ (perceptron)" if K == 1 else (r"$K \to\infty$" if K == "inf" else f"$K = {K}$")
            if K in (5, 7) and quick:
                label += f" ({len(xs)} points, quick)"
            ax.plot(xs, ys, fmt, color=colour, ms=3, label=label)
        ax.set_xlabel(r"$\alpha = P/N$")
        ax.set_ylabel(r"$\epsilon_g$")
    axes[0].set_xlim(0, 10)
    axes[0].set_title("tree committee, spherical weights, $T = 0$")
    axes[1].set_xscale("log")
    axes[1].set_yscale("log")
    xs = np.array(curves["inf"][0])
    guide = xs >= 2.5   # the asymptotes only where they are below eps_g = 0.5
    axes[1].plot(xs[guide], 1.25 / xs[guide], ":", color="grey", label=r"$1.25/\alpha$")
    axes[1].plot(xs[guide], 0.625 / xs[guide], ":", color=colour_for(0), label=r"$0.625/\alpha$")
    axes[1].set_ylim(top=0.6)
    axes[0].legend(loc="upper right")
    axes[1].legend(loc="lower left")
    for a in coarse:
        row = {}
        for K, (ax_, ys) in curves.items():
            if K in (5, 7):
                if a in ax_:
                    row[str(K)] = ys[ax_.index(a)]
            else:   # the dense curves are solved exactly at the coarse points too
                row[str(K)] = (gibbs_curve([a], K=K)[0] if K != "inf" else gibbs_large_k(a))["eps_g"]
        out[f"alpha={a:.3g}"] = row
        print(f"alpha = {a:6.3f}: " + "  ".join(f"K={k}: {v:.4f}" for k, v in row.items()))
    xi, yi = curves["inf"][0][-1], curves["inf"][1][-1]
    out["alpha*eps_g at alpha_max (K=inf)"] = xi * yi
    out["alpha*eps_g at alpha_max (K=1)"] = curves[1][0][-1] * curves[1][1][-1]
    print(f"alpha * eps_g at alpha = {xi:g}: K = inf {xi * yi:.4f}, K = 1 {out['alpha*eps_g at alpha_max (K=1)']:.4f}")
    path = save_figure(fig, outdir, "tree_committee_largek")
    out["png"] = path
    return out


if __name__ == "__main__":
    main()
