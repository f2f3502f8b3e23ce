"""Speed of committee.deep (two hidden layers, 3,3 majority) against a nested-quadrature baseline.

The baseline evaluates the same energetic term by the same tree composition *without* the Gauss
compression between layers: the second-layer unit's law is kept as the full discrete measure of its
children's multisets (every row of the leaf multisets a node, ``2 C(n + 2, 3)`` of them), and the output
sums over all multisets of three such nodes. That is the exact nested quadrature of the 9-dimensional
integral with the tree's symmetry used (``deep_energetic_value(..., m=None)``); its cost grows like
``n^9 / 36^2``, so it runs with ``n = 7`` and ``n = 9`` leaf nodes (8e5 and 6e6 output rows) against our
``n = 31`` and 20-node compression, and the rows it would need at ``n = 31`` (1.6e11) are printed. Its
error against a reference (ours at ``n = 61, m = 40``) is printed beside ours: at these n the baseline
is also by far the less accurate of the two (1e-2 against 3e-10).

Three measurements, each a ratio of two timings taken in the same run:

* one energetic evaluation ``G_E(q, R)`` (ours vs nested);
* one solve: the T = 0 fixed point (Nishimori line) at alpha = 2 by the same engine from the same start,
  once with our energetic term, once with the nested one;
* a curve: ours is the 100-point continuation along alpha in [0.5, 3] (``engine.follow``, T = 0); the nested
  baseline (n = 7) runs the same continuation on its first ``--baseline-points`` points (default 2) and its
  per-point time is compared with ours on the same points.

Run: ``python benchmarks/bench_deep_committee.py [--quick]`` (``--quick``: the single evaluation and the
solve, about a minute). Prints timings and ratios (no assertions).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from replicon.theory import engine
from replicon.theory.committee import deep as D

BRANCHING = (3, 3)


def nested_energetic_value(q, R, T, branching=BRANCHING, output="majority", n=7):
    """``G_E`` of the deep tree by nested quadrature: the composition of :mod:`replicon.theory.committee.deep`
    with every intermediate unit's measure kept whole (``m=None``: no Lanczos compression)."""
    return D.deep_energetic_value(q, R, T, branching, output, m=None, n=n)["G"]


class NestedTree(D.DeepTree):
    """The deep-tree RS problem with the nested-quadrature energetic term (n = 7; central differences as ours)."""

    def energetic(self, q, R):
        q = min(max(q, 1e-300), 1.0 - 1e-13)
        R = max(min(R, np.sqrt(q) * (1 - 1e-12)), -np.sqrt(q) * (1 - 1e-12))
        h = 1e-5 * min(q - R * R, 1.0 - q, q, 1.0)

        def G(qq, RR):
            return nested_energetic_value(qq, RR, self.T, self.branching, self.output)

        up, down = G(q, R + h), G(q, R - h)
        e = {"G": 0.5 * (up + down), "dR": (up - down) / (2 * h), "eps_t": 0.0}
        e["dq"] = (G(q + h, R) - G(q - h, R)) / (2 * h) if not self.nishimori else float("nan")
        return e


def _time(fn, repeat=1):
    t = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    return (time.perf_counter() - t) / repeat, out


def main(quick=False, baseline_points=2):
    q, R = 0.6, 0.6
    D.deep_energetic_value(q, R, 0.0, BRANCHING)                 # compile
    ref = D.deep_energetic_value(q, R, 0.0, BRANCHING, m=40, n=61)["G"]
    t_ours, g_ours = _time(lambda: D.deep_energetic_value(q, R, 0.0, BRANCHING)["G"], 5)
    print(f"one G_E(q={q}, R={R}) of the 3,3 tree: ours (n=31, m=20) {t_ours * 1e3:.1f} ms, error {g_ours - ref:+.1e}")
    ratios = {}
    for n in (7, 9):
        t_nest, g_nest = _time(lambda: nested_energetic_value(q, R, 0.0, n=n))
        rows = math.comb(2 * math.comb(n + 2, 3) + 2, 3)
        ratios[n] = t_nest / t_ours
        print(f"  nested quadrature n={n} ({rows:.1e} output rows): {t_nest:.2f} s, error {g_nest - ref:+.1e}; "
              f"ratio {t_nest / t_ours:.0f}x")
    rows31 = math.comb(2 * math.comb(33, 3) + 2, 3)
    print(f"  nested at our n=31 would sum {rows31:.1e} rows, {rows31 / math.comb(2 * math.comb(11, 3) + 2, 3):.0f} "
          f"times the n=9 count")

    alpha = 2.0
    x0 = np.array([0.3])
    t_s, r_s = _time(lambda: engine.iterate(D.DeepTree(BRANCHING, "majority", alpha, 0.0, "spherical").problem(), x0))
    t_n, r_n = _time(lambda: engine.iterate(NestedTree(BRANCHING, "majority", alpha, 0.0, "spherical").problem(), x0))
    print(f"one solve (T=0, alpha={alpha}, engine.iterate from q=0.3): ours {t_s:.2f} s (q={r_s.x[0]:.6f}, "
          f"{r_s.iterations} it.), nested n=7 {t_n:.1f} s (q={r_n.x[0]:.6f}, {r_n.iterations} it.); "
          f"ratio {t_n / t_s:.0f}x")
    if quick:
        return {"evaluation_ratio_n9": ratios[9], "solve_ratio": t_n / t_s}

    alphas = np.linspace(0.5, 3.0, 100)
    first = D.deep(BRANCHING, "majority", "sign", alphas[0], 0.0, "spherical", replicon=False)
    x = np.array([first["q"]])

    def ours(a):
        return D.DeepTree(BRANCHING, "majority", a, 0.0, "spherical").problem()

    def nested(a):
        return NestedTree(BRANCHING, "majority", a, 0.0, "spherical").problem()

    t_curve, curve = _time(lambda: engine.follow(ours, alphas, x))
    k = baseline_points
    t_ours_k, head = _time(lambda: engine.follow(ours, alphas[:k], x))
    t_nest_k, nest = _time(lambda: engine.follow(nested, alphas[:k], x))
    dq = max(abs(r.x[0] - c.x[0]) for (_, r), (_, c) in zip(nest, head))
    print(f"100-point curve alpha in [0.5, 3] (T=0, continuation): ours {t_curve:.1f} s for {len(curve)} points "
          f"({t_curve / max(len(curve), 1):.2f} s per point); on the first {k} points ours {t_ours_k:.1f} s, nested "
          f"n=7 {t_nest_k:.1f} s (largest |q difference| {dq:.1e}, the baseline's quadrature error); per-point ratio "
          f"{t_nest_k / t_ours_k:.1f}x")
    return {"evaluation_ratio_n9": ratios[9], "solve_ratio": t_n / t_s, "curve_ratio": t_nest_k / t_ours_k}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--baseline-points", type=int, default=2)
    args = ap.parse_args()
    main(args.quick, args.baseline_points)
