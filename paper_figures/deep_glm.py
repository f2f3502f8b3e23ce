"""Multi-layer GLM (Manoel et al. 2017; Gabrie et al. 2018): per-layer MMSE of a two-layer chain against the output ratio.

Chain: binary input x_0 (n_0), a noiseless sign layer h_1 = sign(W_1 x_0/sqrt n_0) of width 1.3 n_0 (between the binary
perceptron's alpha_IT = 1.245 and alpha_alg = 1.493: even a perfectly known h_1 leaves AMP stuck),
and a linear output y = W_2 h_1/sqrt n_1 + sqrt(0.3) noise of width alpha_2 n_1. Theory: every RS branch
of ``deep.glm`` (the state-evolution fixed points from an uninformative and an informative start; solid
thermodynamic, dashed metastable, dotted the unstable saddle between them), the Bayes MSE of the input (mse_0) and of the hidden layer (mse_1),
and the first-order transition where the branches' free entropies cross. Markers: ML-AMP
(replicon/simulate/deep/glm.py) from the uninformative start, the MSE after its last iteration, mean and
standard error over independent draws: AMP follows the uninformative branch, also where that branch is
only metastable (the hard phase), until it ends.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.optimize import brentq  # noqa: E402

from replicon.compare.figures import save_figure  # noqa: E402
from replicon.compare.style import branch_linestyle, colour_for, sim_label  # noqa: E402
from replicon.simulate.deep.glm import simulate_deep_glm  # noqa: E402
from replicon.theory.deep.glm import deep_glm, state_evolution  # noqa: E402

CHAIN = dict(activations="sign,linear", prior="binary", noise=0.3)
ALPHA_1 = 1.3


def _solve(a2):
    return deep_glm(alphas=[ALPHA_1, a2], **CHAIN)


def _gap(a2):
    s = _solve(a2)
    u, i = s.branch_named("uninformative"), s.branch_named("informative")
    if u is None or i is None:
        return np.nan
    return u["free_entropy"] - i["free_entropy"]


def main(quick: bool = False, outdir: str = ".") -> dict:
    grid = np.linspace(0.2, 2.6, 9 if quick else 31)
    branches = {}
    gaps = []
    for a2 in grid:
        sol = _solve(a2)
        for b in sol.branches:
            label = b.branch
            if label == "rs":                   # a single fixed point: name it by what it is
                label = "informative" if b["mse_0"] < 1e-3 else "uninformative"
            branches.setdefault(label, []).append((a2, b["mse_0"], b["mse_1"], b.status))
        u, i = sol.branch_named("uninformative"), sol.branch_named("informative")
        gaps.append(u["free_entropy"] - i["free_entropy"] if u is not None and i is not None else np.nan)
    gaps = np.array(gaps)
    k = [j for j in range(len(grid) - 1) if np.isfinite(gaps[j]) and np.isfinite(gaps[j + 1])
         and np.sign(gaps[j]) != np.sign(gaps[j + 1])]
    a_tr = np.nan
    if k:
        lo, hi = grid[k[0]], grid[k[0] + 1]
        a_tr = float(lo - gaps[k[0]] * (hi - lo) / (gaps[k[0] + 1] - gaps[k[0]])) if quick else \
            brentq(_gap, lo, hi, xtol=1e-4)
    N, seeds, n_iter = (500, 2, 40) if quick else (2000, 4, 60)
    sim_grid = [0.4, 1.0, 1.6, 2.4] if quick else [0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.1, 2.4]
    amp = []
    for j, a2 in enumerate(sim_grid):
        m = simulate_deep_glm(N=N, seeds=seeds, seed=50 + j, alphas=[ALPHA_1, a2], n_iter=n_iter, **CHAIN)
        amp.append({"alpha_2": a2, "mse_0": float(m.mean["mse_0"]), "se_0": float(m.sem["mse_0"]),
                    "mse_1": float(m.mean["mse_1"]), "se_1": float(m.sem["mse_1"])})
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
    for ax, key, name in ((axes[0], "mse_0", r"$\mathrm{mse}_0$ (input $x_0$)"),
                          (axes[1], "mse_1", r"$\mathrm{mse}_1$ (hidden layer $h_1$)")):
        col = 1 if key == "mse_0" else 2
        for i, (label, pts) in enumerate(sorted(branches.items())):
            # one line per run of equal status
            run = [pts[0]]
            for p in pts[1:] + [None]:
                if p is None or p[3] != run[-1][3]:
                    ax.plot([r[0] for r in run], [r[col] for r in run], branch_linestyle(run[-1][3]),
                            color=colour_for(i), lw=1.6)
                    if p is not None:
                        run = [run[-1][:3] + (p[3],), p]
                else:
                    run.append(p)
        ax.errorbar([r["alpha_2"] for r in amp], [r[key] for r in amp],
                    yerr=[r["se_" + key[-1]] for r in amp], fmt="s", color="k", mfc="none", ms=5, capsize=2)
        if np.isfinite(a_tr):
            ax.axvline(a_tr, color="0.4", lw=0.8)
        ax.set_xlabel(r"output ratio $\alpha_2 = n_2/n_1$")
        ax.set_ylabel(name)
    axes[0].set_title(rf"binary $x_0$ $\to$ sign ($\alpha_1 = {ALPHA_1}$) $\to$ linear, $\Delta = {CHAIN['noise']}$")
    axes[1].set_title("transition: free entropies cross (grey line)")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=colour_for(i), lw=1.6, ls=":" if label == "unstable" else "-",
                      label=f"{label} branch")
               for i, label in enumerate(sorted(branches))]
    handles += [Line2D([], [], color="k", ls="-", label="thermodynamic"),
                Line2D([], [], color="k", ls="--", label="metastable"),
                Line2D([], [], color="k", marker="s", mfc="none", ls="none",
                       label=sim_label(N, seeds, f"ML-AMP ({n_iter} iterations)").replace("$N=", "$n_0="))]
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.legend(handles=handles, loc="lower center", ncol=5, frameon=False, fontsize=8)
    path = save_figure(fig, outdir, "deep_glm", layout=False)
    print(f"first-order transition at alpha_2 = {a_tr:.4f}")
    for r in amp:
        se = state_evolution(alphas=[ALPHA_1, r["alpha_2"]], n_iter=n_iter, **CHAIN)
        r["se_mse_0"], r["se_mse_1"] = float(se["mse_0"][-1]), float(se["mse_1"][-1])
        print(f"alpha_2={r['alpha_2']:.2f}: ML-AMP mse_0 {r['mse_0']:.4f}+-{r['se_0']:.4f}, mse_1 {r['mse_1']:.4f}"
              f"+-{r['se_1']:.4f}; state evolution after {n_iter} iterations: {r['se_mse_0']:.4f}, "
              f"{r['se_mse_1']:.4f}")
    print(f"wrote {path}")
    return {"alpha_transition": a_tr, "branches": branches, "amp": amp, "figure": path}


if __name__ == "__main__":
    import sys

    main(quick="--quick" in sys.argv)
