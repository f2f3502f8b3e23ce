"""Györgyi (1990), Sompolinsky, Tishby & Seung (1990): the first-order transition of Ising teacher-student learning.

Theory: R(alpha) of all RS branches at T = 0 (poor generalisation, the unstable middle branch, and the
exact perfect state R = 1), the transition (free entropies cross) and the spinodal (the poor branch
ends), and the same at a finite training temperature T, with Metropolis Monte Carlo at that T
(N = 50, 100, 200, extrapolated to N -> infinity) on the poor branch below its transition.

Compared numbers: alpha_tr = 1.245 and alpha_sp = 1.493 at T = 0 (Györgyi 1990;
Engel & Van den Broeck sec. 7.2); simulation against theory in standard errors.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.compare.experiment import extrapolate  # noqa: E402
from replicon.simulate.perceptron import simulate_teacher  # noqa: E402
from replicon.theory.perceptron import teacher, teacher_transition  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402
from replicon.compare.overlay import STYLE  # noqa: E402



def _branches(alphas, T):
    lines = {}
    for a in alphas:
        sol = teacher(alpha=a, T=T, weights="ising")
        for b in sol.branches:
            lines.setdefault(b.branch, []).append((a, b["R"], b.status))
    return lines


def main(quick: bool = False, outdir: str = ".") -> dict:
    T_sim = 0.5
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    out = {}
    for ax, T in zip(axes, (0.0, T_sim)):
        tr = teacher_transition(T=T)
        out[f"T={T}"] = {"alpha_transition": tr["alpha_transition"], "alpha_spinodal": tr["alpha_spinodal"]}
        alphas = np.linspace(0.2, tr["alpha_spinodal"] + 0.6, 40 if quick else 90)
        for label, pts in _branches(alphas, T).items():
            colour = {"poor": "#0072B2", "perfect": "#D55E00", "unstable": "0.45"}.get(label, "k")
            first = True
            for run in _runs(pts):
                xs = [p[0] for p in run]
                ys = [p[1] for p in run]
                ax.plot(xs, ys, STYLE.get(run[0][2], "-"), color=colour, lw=1.5,
                        label=f"{label} branch" if first else None)
                first = False
        ax.axvline(tr["alpha_transition"], color="k", lw=0.8)
        ax.axvline(tr["alpha_spinodal"], color="k", lw=0.8, ls="-.")
        ax.text(tr["alpha_transition"], 0.05, " transition", rotation=90, fontsize=7)
        ax.text(tr["alpha_spinodal"], 0.05, " spinodal", rotation=90, fontsize=7)
        ax.set_title(f"Ising perceptron, $T = {T:g}$")
        ax.set_xlabel(r"$\alpha$")
    axes[0].set_ylabel("$R$")
    # Monte Carlo at finite T on the poor branch
    sim_alphas = [0.5, 1.0, 1.4] if quick else [0.4, 0.8, 1.2, 1.5]
    Ns = [50, 100] if quick else [50, 100, 200]
    seeds = 6 if quick else 12
    out["mc"] = []
    for a in sim_alphas:
        ms = [simulate_teacher(alpha=a, T=T_sim, weights="ising", N=N, seeds=seeds, seed=11 + k)
              for k, N in enumerate(Ns)]
        m, se = extrapolate(Ns, [x.mean["R"] for x in ms], [x.sem["R"] for x in ms])
        th = teacher(alpha=a, T=T_sim, weights="ising").branch_named("poor")["R"]
        out["mc"].append({"alpha": a, "R_sim": m, "se": se, "R_poor_theory": th, "z": (m - th) / se})
        axes[1].errorbar(a, m, yerr=se, fmt="o", color="k", mfc="none", capsize=2,
                         label=(f"Monte Carlo, $N = {', '.join(map(str, Ns))} \\to \\infty$, {seeds} seeds"
                                if a == sim_alphas[0] else None))
    from matplotlib.lines import Line2D

    handles, labels = axes[1].get_legend_handles_labels()
    handles += [Line2D([], [], color="k", ls=ls, label=st) for st, ls in STYLE.items()]
    # one legend below both panels: it covers neither the branches nor the spinodal
    fig.tight_layout()
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4, frameon=False)
    path = save_figure(fig, outdir, "ising_transition", layout=False)
    out["figure"] = path
    t0 = out["T=0.0"]
    print(f"T=0: alpha_transition {t0['alpha_transition']:.4f} (Györgyi 1990: 1.245), "
          f"alpha_spinodal {t0['alpha_spinodal']:.4f} (1.493)")
    t1 = out[f"T={T_sim}"]
    print(f"T={T_sim}: alpha_transition {t1['alpha_transition']:.4f}, alpha_spinodal {t1['alpha_spinodal']:.4f}")
    for r in out["mc"]:
        print(f"MC T={T_sim} alpha={r['alpha']}: R {r['R_sim']:.4f}+-{r['se']:.4f}, poor branch "
              f"{r['R_poor_theory']:.4f} (z={r['z']:+.1f})")
    print(f"wrote {path}")
    return out


def _runs(pts):
    """Split (alpha, R, status) points into runs of equal status, adjacent runs sharing an end."""
    runs, cur = [], [pts[0]]
    for p in pts[1:]:
        if p[2] != cur[-1][2]:
            runs.append(cur)
            cur = [cur[-1][:2] + (p[2],)]
        cur.append(p)
    runs.append(cur)
    return runs


if __name__ == "__main__":
    main()
