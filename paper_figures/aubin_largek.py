"""Aubin et al. (NeurIPS 2018, arXiv:1806.05451), K -> infinity sign committee: eps_g vs alpha_tilde = alpha/K.

Theory (committee.bayes_largek, leading order in K, derived in replicon/theory/committee/bayes_large_k.py):
eps_g (posterior-sample error, arccos(Q)/pi) of every branch at each alpha_tilde, for the Gaussian
and the binary prior: non-specialised (q_d = 0, eps_g = arccos(2/pi)/pi), specialised (attracting
and unstable) and, for binary weights, the exact perfect state; thermodynamic solid, metastable
dashed, unstable dotted. Thresholds from ``large_k_transitions`` as vertical lines: Gaussian
alpha_spinodal (specialised branch appears) and alpha_spec (first-order transition); binary
alpha_IT. The algorithmic threshold (spinodal of the non-specialised branch) is infinite in these
units and is printed, not drawn. No AMP or paper data points are drawn.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.theory.committee.bayes_large_k import bayes_large_k, large_k_transitions  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402
from replicon.compare.overlay import STYLE  # noqa: E402

COLOUR = {"nonspecialised": "C0", "specialised": "C3", "perfect": "C2"}


def main(quick: bool = False, outdir: str = ".") -> dict:
    grid = np.linspace(0.05, 14.0, 40 if quick else 140)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    out = {}
    for ax, prior in zip(axes, ("gaussian", "binary")):
        tr = large_k_transitions(prior)
        thr = {k: v for k, v in tr.observables.items()
               if k in ("alpha_spinodal", "alpha_spec", "alpha_IT") and np.isfinite(v)}
        extra = [v + d for v in thr.values() for d in (-1e-3, 1e-3)]
        alphas = np.unique(np.concatenate([grid, extra]))
        pts = {}
        for a in alphas:
            sol = bayes_large_k(float(a), prior)
            for b in sol.branches if sol.converged else []:
                key = (b.branch, "unstable" if b.status == "unstable" else "stable")
                pts.setdefault(key, []).append((a, b["eps_g"], b.status))
        for (label, kind), p in pts.items():
            for status in ("thermodynamic", "metastable", "unstable"):
                xs = np.array([x if s == status else np.nan for x, y, s in p])
                ys = np.array([y if s == status else np.nan for x, y, s in p])
                if np.any(np.isfinite(xs)):
                    ax.plot(xs, ys, STYLE[status], color=COLOUR.get(label, "k"), lw=1.5,
                            label=f"{label} ({status})")
        for k, v in thr.items():
            ax.axvline(v, color="k", lw=0.8, ls="-" if k in ("alpha_spec", "alpha_IT") else "-.")
            sym = {"alpha_spinodal": r"\tilde\alpha_{\rm sp}", "alpha_spec": r"\tilde\alpha_{\rm spec}",
                   "alpha_IT": r"\tilde\alpha_{\rm IT}"}[k]
            # the spinodal sits just left of alpha_spec (0.5 apart): its label left of its line, the others right
            ax.text(v, 0.01, f" ${sym} = {v:.3f}$", rotation=90, fontsize=7,
                    ha="right" if k == "alpha_spinodal" else "left")
            print(f"{prior}: {k} = {v:.5f}")
        print(f"{prior}: alpha_alg = {tr['alpha_alg']} (non-specialised branch followed to "
              f"alpha_tilde = {tr['alg_checked_up_to']})")
        out[prior] = dict(thr, alpha_alg=tr["alpha_alg"])
        ax.set_title(rf"$K \to \infty$ committee, {prior} prior")
        ax.set_xlabel(r"$\tilde\alpha = \alpha/K = P/(KN)$")
        ax.set_ylim(-0.008, 0.3)
        ax.legend(fontsize=6, loc="center right")
    axes[0].set_ylabel(r"$\epsilon_g$ (Gibbs)")
    path = save_figure(fig, outdir, "aubin_largek")
    out["figure"] = path
    return out


if __name__ == "__main__":
    main()
