"""The two-unit ReLU tree in teacher-student learning (issue 15): each unit's overlap and eps_g against alpha.

Output +1 iff relu(h_1) > relu(h_2) (a tie, both units silent, is -1), for teacher and student alike
(``committee.deep activation=relu branching=2``; module docstring of
:mod:`replicon.theory.committee.relu_tree`). The tie breaks the symmetry between the two units: the
+1 unit (unit 1) alone can make a +1 output and learns faster; the RS theory carries one overlap per
unit.

(a) T = 0, spherical weights (Bayes-optimal, Nishimori line R_k = q_k): R_1, R_2 and eps_g of the RS
theory, with the perceptron's Gibbs eps_g (``perceptron.teacher``) for scale. (b) T = 1, Ising
weights: RS theory against Metropolis Monte Carlo at one size (N and seeds in the legend; one size, so
the deviations printed include the finite-size bias: at alpha = 1, N = 200 R_1 is 5.7 s.e. high, at
N = 400 within 1 s.e., see tests/simulate/committee/test_relu_tree.py).

No published teacher-student values exist for this network as far as we know (the ReLU papers treat
storage); the printed comparison is Monte Carlo against RS in standard errors.
``--quick``: 4 and 3 theory points, N = 400, 4 seeds, two alphas (about a minute; each RS solve takes
seconds).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.compare.figures import save_figure  # noqa: E402
from replicon.simulate.committee.relu_tree import simulate_relu_tree  # noqa: E402
from replicon.theory.committee.relu_tree import relu_tree  # noqa: E402
from replicon.theory.perceptron import teacher  # noqa: E402

C = {"R_1": "#0072B2", "R_2": "#D55E00", "eps_g": "k"}
LABEL = {"R_1": r"$R_1$ (+1 unit)", "R_2": r"$R_2$ ($-1$ unit)", "eps_g": r"$\epsilon_g$"}


def _curve(alphas, T, weights):
    rows = []
    x = None
    for a in alphas:
        s = relu_tree(alpha=float(a), T=T, weights=weights, inits=None if x is None else [x] + _inits(T))
        if not s.converged:
            rows.append((a, np.nan, np.nan, np.nan))
            continue
        o = s.observables
        rows.append((a, o["R_1"], o["R_2"], o["eps_g"]))
        x = np.array([o["q_1"], o["q_2"]] if T == 0 else [o["q_1"], o["R_1"], o["q_2"], o["R_2"]])
    return np.array(rows, float)


def _inits(T):
    v = (0.5, 0.05, 0.95)
    return [np.array([u, u]) if T == 0 else np.array([u, u, u, u]) for u in v]


def main(quick: bool = False, outdir: str = ".") -> dict:
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.8))
    out = {}
    # (a) T = 0, spherical
    al = np.array([0.25, 1.0, 2.0, 4.0] if quick else [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8])
    c = _curve(al, 0.0, "spherical")
    ax = axes[0]
    for j, k in enumerate(("R_1", "R_2", "eps_g"), start=1):
        ax.plot(c[:, 0], c[:, j], "-", color=C[k], label=LABEL[k])
    pe = [teacher(alpha=float(a), T=0.0, weights="spherical")["eps_g"] for a in al]
    ax.plot(al, pe, ":", color="0.4", label=r"$\epsilon_g$ perceptron (Gibbs)")
    ax.set_xlabel(r"$\alpha = P/N$")
    ax.set_title(r"ReLU tree, $K = 2$, spherical, $T = 0$ (RS)", fontsize=10)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="center right")
    out["T=0"] = {f"alpha={a:g}": {"R_1": r[1], "R_2": r[2], "eps_g": r[3]} for a, r in zip(al, c)}
    # (b) T = 1, Ising: theory and Monte Carlo
    al1 = np.array([0.5, 1.0, 2.0] if quick else [0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5])
    c1 = _curve(al1, 1.0, "ising")
    ax = axes[1]
    for j, k in enumerate(("R_1", "R_2", "eps_g"), start=1):
        ax.plot(c1[:, 0], c1[:, j], "-", color=C[k], label=f"{LABEL[k]} RS")
    N, seeds = (400, 4) if quick else (400, 8)
    sim_al = (0.5, 1.0) if quick else (0.5, 1.0, 1.5, 2.0)
    print(f"Monte Carlo (Ising, T = 1, N = {N}, {seeds} seeds) against RS, in standard errors:")
    for a in sim_al:
        m = simulate_relu_tree(alpha=a, T=1.0, N=N, seeds=seeds)
        row = c1[np.flatnonzero(np.isclose(c1[:, 0], a))[0]]        # the theory curve's point at this alpha
        th = {"R_1": row[1], "R_2": row[2], "eps_g": row[3]}
        line = []
        for k in ("R_1", "R_2", "eps_g"):
            x = np.asarray(m.samples[k], float)
            se = x.std(ddof=1) / np.sqrt(x.size)
            ax.errorbar([a], [x.mean()], yerr=[se], fmt="o", ms=4, color=C[k], capsize=2,
                        label=f"{LABEL[k]} MC, $N = {N}$, {seeds} seeds" if a == sim_al[0] else None)
            line.append(f"{k} {x.mean():.4f} +- {se:.4f} (RS {th[k]:.4f}, z = {(x.mean() - th[k]) / se:+.2f})")
        print(f"  alpha = {a:g}: " + "; ".join(line))
    ax.set_xlabel(r"$\alpha = P/N$")
    ax.set_title(r"ReLU tree, $K = 2$, Ising, $T = 1$", fontsize=10)
    ax.set_ylim(-0.05, 1)
    ax.legend(fontsize=6.5, loc="upper left", ncol=2)
    out["figure"] = save_figure(fig, outdir, "relu_tree")
    return out


if __name__ == "__main__":
    import sys

    main(quick="--quick" in sys.argv)
