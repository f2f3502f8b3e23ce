"""Deep tree committees (issue 15): eps_g against alpha for depth 1, 2, 3 majority trees with Monte Carlo, the
same-M comparison in the high-temperature limit, and the parity machine's first-order jump.

(a) Gibbs learning at T = 1, spherical weights, majority trees of branching 3 per layer: depth 1 (3), depth 2
(3,3), depth 3 (3,3,3), all with the same number N of weights (alpha = P/N): RS theory (``committee.deep``,
continuation along alpha) and Metropolis Monte Carlo extrapolated linearly in 1/N from two sizes (N and seeds
in the legend; multiples of 27). (b) The high-temperature limit (T -> infinity at alpha/T fixed, exact: the
free entropy is ``ln(1 - R^2)/2 - (alpha/T) eps(R)`` with ``eps(R)`` the output error composed through the
tree) for trees of the same number of first-layer units, M = 27: 27 (depth 1), 9,3 and 3,9 (depth 2), 3,3,3
(depth 3), and M = 9: 9 and 3,3. The RS theory at finite T cannot take them all (branching above 7 is out of the
multiset quadrature's reach, 27 at depth 1 is C(n + 26, 27) rows): the high-T limit can. (c) The parity
machine at T = 0: the symmetric branch (R = 0, eps_g = 1/2, memorisation without generalisation) is
thermodynamic up to the first-order transition, where eps_g jumps onto the generalising branch (dashed: its
metastable part down to the spinodal; the symmetric branch stays a metastable fixed point beyond the
transition); parity of M = 3 (branching 3) and M = 4 (2,2, the same function as
parity 4, solved as the one-layer parity of 4: :func:`replicon.theory.committee.deep.solve_branching`).
(Parity of M = 2 has no jump: its transition at alpha = 1.2528 is continuous, the energetic gain
being of order q^2 there as the entropic cost is, against q^M for M >= 3.)

Compared numbers (printed): Monte Carlo (N -> inf) against the RS theory in standard errors; alpha_tr and
alpha_sp of the parity trees (no published value asserted: the parity papers could not be read here).
``--quick``: depth 1 and 2 in panel (a) with a coarser compression (10 Gauss nodes), fewer points and seeds,
panel (c) for M = 3 only.
"""

from __future__ import annotations

import math
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.optimize import minimize_scalar  # noqa: E402

from replicon.compare.experiment import extrapolate  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402
from replicon.compare.style import colour_for  # noqa: E402
from replicon.simulate.committee.deep import simulate_deep  # noqa: E402
from replicon.theory import engine  # noqa: E402
from replicon.theory.committee import deep as D  # noqa: E402


class _Coarse(D.DeepTree):
    """The deep-tree RS problem with an m-node compression (quick mode: m = 10)."""

    m = D.N_GAUSS

    def energetic(self, q, R):
        return D.deep_energetic(q, R, self.T, self.branching, self.output, gamma=False,
                                need_dq=not self.nishimori, m=self.m)


def theory_curve(alphas, branching, T, m=D.N_GAUSS):
    """(alpha, eps_g, R) along the thermodynamic branch by continuation (majority: one branch at T = 1)."""
    Ks = tuple(int(k) for k in branching.split(","))
    cls = type("C", (_Coarse,), {"m": m})
    x0 = np.array([0.02, 0.1]) if T > 0 else np.array([0.05])
    out = []
    # tol 1e-7: the compressed G_E has a noise floor near 1e-8 in the fixed-point residual (two compressions for
    # 3,3,3), where Newton to the engine's default 1e-10 fails and the continuation ends at its first point
    for a, r in engine.follow(lambda a: cls(Ks, "majority", a, T, "spherical").problem(), list(alphas), x0,
                              tol=1e-7):
        order = cls(Ks, "majority", a, T, "spherical").evaluate(r.x, replicon=False)[0]
        out.append((a, D.layer_errors(order["R"], Ks, "majority")[-1], order["R"]))
    return out


def tree_error(R, Ks, output="majority"):
    """Output error of the tree at per-unit overlap R (array): arccos(R)/pi composed up the layers."""
    e = np.arccos(np.clip(R, -1.0, 1.0)) / np.pi
    for K in Ks:
        e = D.layer_error(e, K, output)
    return e


def high_t_curve(alpha_over_T, branching, output="majority"):
    """eps_g in the high-temperature limit: R maximises ln(1 - R^2)/2 - (alpha/T) eps(R) (global maximum on a
    grid, then refined; a first-order jump where two maxima exchange)."""
    Ks = tuple(int(k) for k in branching.split(","))
    grid = np.linspace(0.0, 0.99999, 4001)
    eps = tree_error(grid, Ks, output)
    out = []
    for at in alpha_over_T:
        i = int(np.argmax(0.5 * np.log1p(-grid ** 2) - at * eps))
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
        r = minimize_scalar(lambda R: -(0.5 * math.log1p(-R * R) - at * float(tree_error(R, Ks, output))),
                            bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
        out.append(float(tree_error(r.x, Ks, output)))
    return np.array(out)


def parity_branches(branching, alpha_hi, n=25):
    """The parity tree at T = 0: transition, spinodal and the generalising branch (alpha, eps_g) from alpha_hi
    down to the spinodal, continued both ways from the transition point (on the Nishimori line q = R)."""
    tr = D.deep_transition(branching, "parity", 0.0, "spherical", alpha_lo=0.3, alpha_hi=alpha_hi)
    a_tr, a_sp = tr["alpha_transition"], tr["alpha_spinodal"]
    x0 = np.array([tr["R_at_transition"]])
    up = D.deep_curve(np.linspace(a_tr, alpha_hi, n), branching, "parity", 0.0, "spherical", x0=x0)
    down = D.deep_curve(np.linspace(a_tr, a_sp * (1 + 1e-6), max(n // 3, 4)), branching, "parity", 0.0,
                        "spherical", x0=x0)
    return tr, sorted((a, e) for a, R, q, e, f in up + down)


def main(quick: bool = False, outdir: str = ".") -> dict:
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.3))
    out = {}

    # (a) T = 1: theory and Monte Carlo for depth 1, 2, 3
    t0 = time.process_time()
    ax = axes[0]
    T = 1.0
    trees = ("3", "3,3") if quick else ("3", "3,3", "3,3,3")
    # steps of 0.25: the continuation's secant predictor fails over larger ones (3,3,3 from 0.25 to 1), and a
    # fresh start costs far more (engine.iterate at alpha = 1 for 3,3,3: 48 iterations, minutes)
    alphas = np.array([0.5, 1.0, 2.0]) if quick else np.linspace(0.25, 4.0, 16)
    sim_alphas = (1.0, 2.0) if quick else (1.0, 2.0, 3.0)
    Ns = (54, 108) if quick else (54, 108, 216)
    seeds = 4 if quick else 12
    sweeps = 300 if quick else 1000
    m = 10 if quick else D.N_GAUSS
    out["mc"] = []
    grid = np.unique(np.concatenate([alphas, sim_alphas]))
    for i, br in enumerate(trees):
        c = colour_for(i)
        cur = theory_curve(grid, br, T, m)
        depth = len(br.split(","))
        ax.plot([p[0] for p in cur], [p[1] for p in cur], "-", color=c, label=f"depth {depth} ({br}), RS theory")
        th_at = {round(p[0], 12): p[1] for p in cur}
        pts = []
        for a in sim_alphas:
            runs = [simulate_deep(br, alpha=a, T=T, N=N, seeds=seeds, sweeps=sweeps, burn=sweeps, seed=7 + N)
                    for N in Ns]
            mu, se = extrapolate(Ns, [r.mean["eps_g"] for r in runs], [r.sem["eps_g"] for r in runs])
            th = th_at.get(round(float(a), 12), float("nan"))     # nan where the continuation stopped
            pts.append((a, mu, se))
            out["mc"].append({"branching": br, "alpha": a, "eps_g_mc": mu, "se": se, "eps_g_theory": th})
            print(f"T=1 branching {br} alpha={a:g}: MC (N->inf from N={list(Ns)}, {seeds} seeds) eps_g = "
                  f"{mu:.4f} +- {se:.4f}; RS theory {th:.4f}; z = {(mu - th) / se:+.2f}")
        ax.errorbar([p[0] for p in pts], [p[1] for p in pts], yerr=[p[2] for p in pts], fmt="o", color=c, ms=4,
                    capsize=2, label=f"MC depth {depth}, $N\\to\\infty$ from $N={','.join(map(str, Ns))}$, "
                                     f"{seeds} seeds")
    ax.set_xlabel(r"$\alpha = P/N$")
    ax.set_ylabel(r"$\epsilon_g$")
    ax.set_title("(a) majority trees, spherical, $T = 1$")
    ax.legend(fontsize=7, loc="lower left")

    print(f"[panel (a): {time.process_time() - t0:.1f} s of CPU]")
    t0 = time.process_time()
    # (b) high-temperature limit, the same number of first-layer units
    ax = axes[1]
    at = np.geomspace(0.05, 30.0, 120 if quick else 300)
    for i, br in enumerate(("27", "9,3", "3,9", "3,3,3", "9", "3,3")):
        e = high_t_curve(at, br)
        M = int(np.prod([int(k) for k in br.split(",")]))
        ax.plot(at, e, "-" if M == 27 else "--", color=colour_for(i), label=f"{br} (M = {M})")
        out[f"highT {br}"] = {"alpha/T": float(at[-1]), "eps_g": float(e[-1])}
    ax.set_xscale("log")
    ax.set_xlabel(r"$\alpha / T$")
    ax.set_ylabel(r"$\epsilon_g$")
    ax.set_title(r"(b) majority, $T \to \infty$ at $\alpha/T$ fixed")
    ax.legend(fontsize=7, loc="lower left")

    print(f"[panel (b): {time.process_time() - t0:.1f} s of CPU]")
    t0 = time.process_time()
    # (c) the parity machine's jump at T = 0
    ax = axes[2]
    for i, (br, a_hi) in enumerate((("3", 6.0),) if quick else (("3", 6.0), ("2,2", 8.0))):
        tr, gen = parity_branches(br, a_hi, 10 if quick else 25)
        a_tr, a_sp = tr["alpha_transition"], tr["alpha_spinodal"]
        c = colour_for(i)
        M = int(np.prod([int(k) for k in br.split(",")]))
        sym = [a for a in np.linspace(0.0, a_tr, 20)]
        ax.plot(sym, [0.5] * len(sym), "-", color=c, label=f"parity {br} (M = {M}), thermodynamic")
        ax.plot(np.linspace(a_tr, a_hi, 5), [0.5] * 5, "--", color=c)       # symmetric branch, metastable
        stable = [(a, e) for a, e in gen if a >= a_tr]
        meta = [(a, e) for a, e in gen if a <= a_tr]
        ax.plot([p[0] for p in stable], [p[1] for p in stable], "-", color=c)
        ax.plot([p[0] for p in meta], [p[1] for p in meta], "--", color=c,
                label="metastable (dotted line: spinodal)" if i == 0 else None)
        e_tr = tr["eps_g_at_transition"]
        ax.plot([a_tr, a_tr], [e_tr, 0.5], "-", color=c, lw=0.8)
        ax.axvline(a_sp, color=c, lw=0.5, ls=":")
        out[f"parity {br}"] = {"alpha_transition": a_tr, "alpha_spinodal": a_sp, "eps_g_after_jump": e_tr}
        print(f"parity {br} (T=0, spherical): alpha_tr = {a_tr:.4f}, alpha_sp = {a_sp:.4f}, "
              f"eps_g jumps 0.5 -> {e_tr:.4f}")
    ax.set_xlabel(r"$\alpha = P/N$")
    ax.set_ylabel(r"$\epsilon_g$")
    ax.set_ylim(0.0, 0.55)
    ax.set_title("(c) parity trees, spherical, $T = 0$")
    ax.legend(fontsize=7, loc="lower left")
    print(f"[panel (c): {time.process_time() - t0:.1f} s of CPU]")
    for k, v in out.items():
        if k.startswith("highT"):
            print(f"{k}: eps_g(alpha/T = {v['alpha/T']:.3g}) = {v['eps_g']:.4f}")
    out["figure"] = save_figure(fig, outdir, "deep_committee")
    return out


if __name__ == "__main__":
    import sys

    main(quick="--quick" in sys.argv)
