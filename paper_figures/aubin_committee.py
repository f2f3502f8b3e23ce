"""Aubin et al. (NeurIPS 2018, arXiv:1806.05451), K = 2 sign committee: generalisation error vs alpha.

Theory (committee.bayes, RS, committee-symmetric ansatz, ties = zero): eps_g (posterior-sample
error) of every branch found at each alpha, for the Gaussian and the binary prior: the
non-specialised branch (q_d = 0), the specialised branch and, for binary weights, the exact perfect
state; thermodynamic solid, metastable dashed, unstable dotted. Thresholds from
``bayes_transitions`` as vertical lines: alpha_spec (Gaussian, continuous specialisation),
alpha_IT and alpha_spec (binary). AMP points are not drawn (see committee.bayes's simulate).

Compared numbers (printed): the thresholds, against the values the committee.bayes tests carry
(Gaussian alpha_spec ~ 2.05; binary alpha_IT ~ 1.55, alpha_spec ~ 1.59; recalled from Aubin et al.,
see tests/theory/test_committee_bayes.py for their status).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.theory.committee.bayes import bayes, bayes_transitions  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402
from replicon.compare.overlay import STYLE  # noqa: E402

COLOUR = {"nonspecialised": "#0072B2", "specialised": "#D55E00", "perfect": "#009E73"}
NAME = {"alpha_spec": r"\alpha_{\rm spec}", "alpha_IT": r"\alpha_{\rm IT}"}


def main(quick: bool = False, outdir: str = ".") -> dict:
    base = np.linspace(0.2, 3.0, 12 if quick else 36)
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.2), sharey=True)
    out = {}
    for ax, prior in zip(axes, ("gaussian", "binary")):
        tr = bayes_transitions(K=2, prior=prior)
        thr = {k: v for k, v in tr.observables.items() if k in ("alpha_spec", "alpha_IT") and np.isfinite(v)}
        # extra points on both sides of each transition, so that every branch reaches it
        near = [v + d for v in thr.values() for d in np.linspace(-0.12, 0.12, 5 if quick else 13)]
        alphas = np.unique(np.round(np.concatenate([base, near]), 6))
        pts = {}
        for a in alphas:
            sol = bayes(K=2, alpha=float(a), prior=prior)
            for b in sol.branches if sol.converged else []:
                pts.setdefault(b.branch, []).append((a, b["eps_g"], b.status))
        for label, p in pts.items():
            for status in ("thermodynamic", "metastable", "unstable"):
                xs = [x for x, y, s in p if s == status]
                ys = [y for x, y, s in p if s == status]
                if xs:
                    ax.plot(xs, ys, STYLE[status], color=COLOUR.get(label, "k"),
                            label=f"{label} ({status})")
        for k, v in thr.items():
            ax.axvline(v, color="k", lw=0.8, ls="-" if k == "alpha_IT" else "-.")
            # alpha_IT and alpha_spec of the binary prior are 0.04 apart: labels on either side
            left = k == "alpha_IT"
            ax.text(v, 0.03, f"${NAME[k]} = {v:.3f}$" + ("  " if left else ""), rotation=90, fontsize=7,
                    ha="right" if left else "left", va="bottom")
            print(f"{prior}: {k} = {v:.4f}")
        out[prior] = thr
        ax.set_title(f"$K = 2$ committee, {prior} prior")
        ax.set_xlabel(r"$\alpha = P/N$")
        ax.legend(loc="upper right", fontsize=6.5)
    axes[0].set_ylabel(r"$\epsilon_g$ (Gibbs)")
    path = save_figure(fig, outdir, "aubin_committee")
    out["figure"] = path
    return out


if __name__ == "__main__":
    main()
