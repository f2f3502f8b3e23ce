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
    base = np.linspace(0.2, 3.0, 8 if quick else 36)
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 4.0), sharey=True)
    out = {}
    for ax, prior in zip(axes, ("gaussian", "binary")):
        tr = bayes_transitions(K=2, prior=prior)
        thr = {k: v for k, v in tr.observables.items() if k in ("alpha_spec", "alpha_IT") and np.isfinite(v)}
        # extra points on both sides of each transition, so that every branch reaches it
        near = [v + d for v in thr.values() for d in np.linspace(-0.12, 0.12, 3 if quick else 13)]
        alphas = np.unique(np.round(np.concatenate([base, near]), 6))
        pts = {}
        for a in alphas:
            sol = bayes(K=2, alpha=float(a), prior=prior)
            for b in sol.branches if sol.converged else []:
                pts.setdefault(b.branch, []).append((a, b["eps_g"], b.status))
        curves = {}
        for label, p in pts.items():
            xs_all = [round(x, 9) for x, _, _ in p]
            if len(set(xs_all)) < len(xs_all):   # two solutions of one label at one alpha: split by stability
                for x, y, s in p:
                    curves.setdefault((label, s == "unstable"), []).append((x, y, s))
            else:
                curves[(label, None)] = p
        seen = set()
        for (label, _), p in curves.items():
            p = sorted(p)
            # runs of one status, each drawn up to the next run's first point, so that a branch is one
            # unbroken curve whose line style changes where its status does (no gap at a transition)
            runs = []
            for x, y, s in p:
                if runs and runs[-1][0] == s:
                    runs[-1][1].append((x, y))
                else:
                    if runs:
                        runs[-1][1].append((x, y))
                    runs.append((s, [(x, y)]))
            for status, xy in runs:
                ax.plot(*zip(*xy), STYLE[status], color=COLOUR.get(label, "k"),
                        label=None if (label, status) in seen else f"{label} ({status})")
                seen.add((label, status))
        for k, v in thr.items():
            ax.axvline(v, color="k", lw=0.8, ls="-" if k == "alpha_IT" else "-.")
            # alpha_IT and alpha_spec of the binary prior are 0.04 apart: horizontal labels at the
            # top, alpha_IT left of its line and alpha_spec right of its line (above every curve)
            left = k == "alpha_IT"
            ax.text(v + (-0.03 if left else 0.03), 0.97, f"${NAME[k]} = {v:.3f}$", fontsize=7,
                    ha="right" if left else "left", va="top", transform=ax.get_xaxis_transform())
            print(f"{prior}: {k} = {v:.4f}")
        out[prior] = thr
        ax.set_title(f"$K = 2$ committee, {prior} prior")
        ax.set_xlabel(r"$\alpha = P/N$")
        # below the panel: in the binary panel every corner above the perfect state holds a branch
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=6.5, frameon=False)
    axes[0].set_ylabel(r"$\epsilon_g$ (Gibbs)")
    axes[0].set_ylim(-0.03, 0.68)
    path = save_figure(fig, outdir, "aubin_committee")
    out["figure"] = path
    return out


if __name__ == "__main__":
    main()
