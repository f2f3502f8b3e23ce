"""Speed of online-learning theory and simulation, as ratios against baselines timed in the same run.

1. committee.online (erf, eta = 0.5) to alpha = 1e4, K = M = 3 and K = M = 10: the compiled
   right-hand side and Dormand-Prince integrator (rtol 1e-10) with the complex-step linearisation,
   against the previous path timed here: the vectorised numpy right-hand side under scipy's LSODA
   (rtol 1e-8) and the sympy linearisation (its cache cleared first, as in a fresh process).
   Accuracy: max |eps_g| difference of the two trajectories (the LSODA one carries ~1e-8).
2. Online SGD steps per second at N = 1000, K = M = 3: inputs drawn in the kernel (ziggurat)
   against numpy's generator feeding the same update in blocks, and a plain numpy loop.

Run: ``python benchmarks/bench_online.py`` (or ``benchmarks/run_all.py``). Prints; asserts nothing.
"""

from __future__ import annotations

import math
import time

import numpy as np

from replicon.simulate.online import committee_sgd_kernel, committee_sgd_numpy, teacher_weights
from replicon.theory.online import committee as olc


def _timed(f):
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def ode_row(K, alpha_max=1e4):
    olc.committee_online(K=K, M=K, eta=0.5, alpha_max=10.0)          # compile / load the numba cache
    olc._symmetric_jacobian_numeric.cache_clear()
    t_new, new = _timed(lambda: olc.committee_online(K=K, M=K, eta=0.5, alpha_max=alpha_max))
    olc._symbolic_linearisation.cache_clear()

    def old():
        A, B = olc._symbolic_linearisation(K, "erf")                  # what linearisation() cost before
        return olc.committee_online(K=K, M=K, eta=0.5, alpha_max=alpha_max, integrator="lsoda", rtol=1e-8)

    t_old, ref = _timed(old)
    acc = float(np.max(np.abs(new["eps_g"] - ref["eps_g"])))
    return {"work": f"committee.online K=M={K} to alpha=1e4", "baseline": "numpy RHS + LSODA + sympy",
            "t_baseline": t_old, "t_replicon": t_new, "accuracy": f"max|d eps_g| = {acc:.1e}"}


def sgd_rows(N=1000, K=3, M=3, steps=200_000, steps_numpy=20_000):
    rng = np.random.default_rng(0)
    B = teacher_weights(np.eye(M), N, rng)
    J = rng.standard_normal((K, N)) * math.sqrt(0.5)
    ones_k, ones_m = np.ones(K), np.ones(M)

    def run(gen, n):
        return committee_sgd_kernel(J, B, ones_k, ones_m, 0.5, 0.5, False, 0.0, 0.0, 0, np.array([0, n]), 1,
                                    generator=gen)

    for g in ("ziggurat", "numpy"):
        run(g, 10)                                                    # compile
    t_zig, _ = _timed(lambda: run("ziggurat", steps))
    t_blk, _ = _timed(lambda: run("numpy", steps))
    t_np, _ = _timed(lambda: committee_sgd_numpy(J, B, ones_k, ones_m, 0.5, steps_numpy, rng))
    rate = steps / t_zig
    return [{"work": f"online SGD N={N} K=M={K}, {steps} steps ({rate:,.0f} steps/s)",
             "baseline": "same kernel, numpy-drawn inputs", "t_baseline": t_blk, "t_replicon": t_zig,
             "accuracy": "same law (tests/simulate/test_gaussian_rng.py)"},
            {"work": f"online SGD N={N} K=M={K}, {steps} steps", "baseline": "plain numpy loop",
             "t_baseline": t_np * steps / steps_numpy, "t_replicon": t_zig, "accuracy": "same update"}]


def rows(quick=False):
    out = [ode_row(3)]
    if not quick:
        out.append(ode_row(10))
    out += sgd_rows(steps=50_000 if quick else 200_000)
    return out


if __name__ == "__main__":
    from run_all import print_table

    print_table(rows())
