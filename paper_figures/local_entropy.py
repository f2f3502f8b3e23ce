"""Local entropy of the binary perceptron (Baldassi, Ingrosso, Lucibello, Saglietti & Zecchina, PRL 115,
128101 (2015), Fig. 1 type): dense regions of solutions around a maximising reference, against the
Franz-Parisi entropy around a typical solution, and where the dense region breaks up.

Theory only (replicon.theory.landscape): (a) S(d) for several alpha at kappa = 0 (RS, y -> infinity,
free reference; thermodynamic solid, the dense branch continued around the centre of an isolated
ball dashed: it is non-monotone above alpha_U), with the bound H2(d); (b) at alpha = 0.5 the local
entropy against Franz-Parisi (typical reference): FP is negative at small d (typical solutions are
isolated, Huang & Kabashima 2014) while the local entropy stays close to H2(d); (c) the smallest slope
dS/dd = 2 Delta of the dense branch against alpha: it reaches zero at the breakdown alpha_U
(landscape.local_entropy_breakdown), the papers' value near 0.77 (recalled) marked.

The curve functions are importable for overlays (e.g. measured local entropy of found solutions):
``from replicon.theory.landscape import local_entropy_curve``; ``local_entropy_curve(alpha, kappa,
d_grid)`` returns numpy arrays (``d``, ``entropy``, ``branch``, ``Delta``, ``binary_entropy``, ...).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.compare.figures import save_figure  # noqa: E402
from replicon.compare.style import colour_for  # noqa: E402
from replicon.theory.landscape import franz_parisi, local_entropy_breakdown, local_entropy_curve  # noqa: E402

PUBLISHED_ALPHA_U = 0.77   # Baldassi et al. 2015 (recalled, "near 0.77")


def interior_min_slope(curve):
    """The interior minimum of dS/dd = 2 Delta along the dense branch (a grid point lower than both
    neighbours, below d*): it exists from alpha ~ 0.7 and reaches 0 at alpha_U; NaN where Delta only
    decreases (to 0 at d*)."""
    D = curve["Delta"]
    i = [k for k in range(1, D.size - 1) if np.isfinite(D[k - 1:k + 2]).all() and D[k] < D[k - 1]
         and D[k] < D[k + 1] and curve["d"][k] < curve["d_star"]]
    return float(2 * D[i[0]]) if i else float("nan")


def main(quick: bool = False, outdir: str = ".") -> dict:
    alphas = [0.4, 0.75, 0.8] if quick else [0.4, 0.5, 0.6, 0.7, 0.75, 0.8]
    grid = np.linspace(0.004, 0.45, 25 if quick else 70)
    curves = {a: local_entropy_curve(a, 0.0, grid) for a in alphas}
    b = local_entropy_breakdown(kappa=0.0)
    a_u = float(b["alpha_breakdown"])

    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    ax = axes[0]
    ax.plot(grid, curves[alphas[0]]["binary_entropy"], color="grey", ls=":", label=r"$H_2(d)$")
    for i, a in enumerate(alphas):
        c = curves[a]
        col = colour_for(i)
        ax.plot(grid, c["entropy"], "-", color=col, label=rf"$\alpha={a:g}$")
        centred = np.where(np.isfinite(c["Delta"]) & (c["Delta"] < 0), c["branch"], np.nan)
        if np.isfinite(centred).any():
            ax.plot(grid, centred, "--", color=col)
    ax.set_xlabel(r"$d$")
    ax.set_ylabel(r"local entropy $S(d)$")
    ax.set_ylim(0, 0.45)
    ax.set_title(r"(a) $\kappa=0$; dashed: around the ball's centre", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")

    ax = axes[1]
    a0 = 0.5
    log_grid = np.geomspace(0.004, 0.45, 20 if quick else 60)        # panel (b) has a log axis
    c = local_entropy_curve(a0, 0.0, log_grid)
    d_fp = [0.001, 0.05] if quick else [0.001, 0.005, 0.02, 0.05, 0.1, 0.2, 0.3]    # ~20 s a point
    s_fp = []
    for d in d_fp:
        s = franz_parisi(alpha=a0, d=d)
        s_fp.append(s["entropy"] if s.converged else np.nan)
    ax.plot(log_grid, c["binary_entropy"], color="grey", ls=":", label=r"$H_2(d)$")
    ax.plot(log_grid, c["entropy"], "k-", label="local entropy (max. reference; $S \\to H_2$, unresolved below)")
    ax.plot(d_fp, s_fp, "o", color=colour_for(1), ms=5, label="Franz-Parisi (typical reference)")
    ax.axhline(0, color="grey", lw=0.6)
    ax.axvline(c["d_star"], color="grey", lw=0.6, ls="--")
    ax.set_xscale("log")
    ax.set_xlabel(r"$d$")
    ax.set_ylabel(r"$S(d)$")
    ax.set_title(rf"(b) $\alpha={a0:g}$, $\kappa=0$", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")

    ax = axes[2]
    scan = [0.74] if quick else [0.70, 0.71, 0.72, 0.73, 0.74, 0.745, 0.75, 0.7525]
    fine = np.geomspace(0.004, 0.15, 30 if quick else 90)
    slopes = [interior_min_slope(local_entropy_curve(a, 0.0, fine)) for a in scan]
    ax.plot(scan + [a_u], slopes + [0.0], "ko-", ms=4, label=r"interior $\min_d\, dS/dd$ (dense branch)")
    ax.axhline(0, color="grey", lw=0.6)
    ax.axvline(a_u, color=colour_for(0), lw=1.0, label=rf"$\alpha_U={a_u:.4f}$ (saddle-node)")
    ax.axvline(PUBLISHED_ALPHA_U, color=colour_for(1), lw=1.0, ls="--", label=r"published $\approx 0.77$")
    ax.set_xlabel(r"$\alpha$")
    ax.set_ylabel(r"$2\,\Delta_{\min}$")
    ax.set_title("(c) breakdown of the dense region", fontsize=9)
    ax.legend(fontsize=7)
    path = save_figure(fig, outdir, "local_entropy")

    out = {"alpha_U": a_u, "interior_min_slopes": dict(zip(scan, slopes)), "d_cluster": float(b["d_cluster"]), "fp_small_d": float(s_fp[0]),
           "le_small_d": float(np.interp(0.005, log_grid, c["entropy"])), "figure": path}
    print(f"alpha_U = {a_u:.4f} (published: near {PUBLISHED_ALPHA_U}), ball radius d_c = {out['d_cluster']:.4f}")
    print("interior minimum of dS/dd on the dense branch: " + ", ".join(f"{a:g}: {v:.3f}" for a, v in zip(scan, slopes)))
    print(f"alpha = {a0}: Franz-Parisi S(0.001) = {out['fp_small_d']:.5f} (< 0: isolated), "
          f"local entropy S(0.005) = {out['le_small_d']:.5f}")
    print(f"wrote {path}")
    return out


if __name__ == "__main__":
    import sys

    main(quick="--quick" in sys.argv)
