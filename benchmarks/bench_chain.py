"""Speed of the deep-chain code as ratios against baselines measured in the same run.

1. The full tanh phase diagram (q*, c*, chi1, xi_c) on a 200 x 200 (sigma_w2, sigma_b2)
   grid, vectorised (``replicon.theory.chain.phase_diagram``), against a
   straightforward per-point loop: q* by iterating the length map with 101-node
   Gauss-Hermite, c* by Brent on the correlation map with a 61x61 tensor rule.
   The baseline is timed on a random subset of points and extrapolated per point.
2. The finite-width simulation (N=1000, depth 50, two inputs) with the projected
   numba sampler against plain numpy: N x N Gaussian matrices and matrix products.

Run: ``python benchmarks/bench_chain.py [--quick]``. Prints ratios; asserts nothing.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from scipy.optimize import brentq

from replicon.simulate import chain as sc
from replicon.theory import chain as tc
from replicon.theory.gauss import hermite, hermite_2d


def baseline_point(sw, sb):
    """Per-point research-code style: fixed-point iteration + Brent, Gauss-Hermite quadrature."""
    z, w = hermite(101)
    q = 1.0
    for _ in range(5000):
        q_new = sw * np.dot(w, np.tanh(np.sqrt(q) * z) ** 2) + sb
        if abs(q_new - q) < 1e-12:
            q = q_new
            break
        q = q_new
    chi1 = sw * np.dot(w, (1 - np.tanh(np.sqrt(q) * z) ** 2) ** 2)

    def cmap(c):
        z1, z2, ww = hermite_2d(c, 61)
        return (sw * np.dot(ww, np.tanh(np.sqrt(q) * z1) * np.tanh(np.sqrt(q) * z2)) + sb) / q

    if chi1 <= 1:
        return q, 1.0, chi1, -1 / np.log(chi1)
    c_star = brentq(lambda c: cmap(c) - c, -0.999, 1 - 1e-6) if cmap(1 - 1e-6) < 1 - 1e-6 else 1.0
    z1, z2, ww = hermite_2d(c_star, 61)
    chi_c = sw * np.dot(ww, (1 - np.tanh(np.sqrt(q) * z1) ** 2) * (1 - np.tanh(np.sqrt(q) * z2) ** 2))
    return q, c_star, chi1, -1 / np.log(chi_c)


def bench_phase_diagram(n=200, n_baseline=100):
    w = np.linspace(1.0, 4.0, n)
    b = np.linspace(0.005, 0.3, n)
    tc.phase_diagram(w[:2, None], b[None, :2], "tanh")  # warm the cached quadrature basis
    t0 = time.perf_counter()
    pd = tc.phase_diagram(w[:, None], b[None, :], "tanh")
    t_vec = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    pts = rng.integers(0, n, size=(n_baseline, 2))
    t0 = time.perf_counter()
    base = [baseline_point(w[i], b[j]) for i, j in pts]
    t_base = (time.perf_counter() - t0) / n_baseline * n * n
    d_chi = max(abs(base[k][2] - pd["chi1"][i, j]) for k, (i, j) in enumerate(pts))
    print(f"phase diagram {n}x{n} (tanh): vectorised {t_vec:.2f} s; per-point baseline "
          f"{t_base:.1f} s (extrapolated from {n_baseline} points); speed-up x{t_base / t_vec:.1f}")
    print(f"  all converged: {bool(pd['converged'].all())}; max |chi1 - baseline| on the subset: {d_chi:.1e} "
          f"(baseline's 101-node Gauss-Hermite error)")
    return t_base / t_vec


def numpy_dense_chain(N, depth, sw, sb, rng):
    x = rng.standard_normal((N, 2))
    for _ in range(depth):
        W = rng.standard_normal((N, N)) * np.sqrt(sw / N)
        x = W @ np.tanh(x) + np.sqrt(sb) * rng.standard_normal((N, 1))
    return x


def bench_simulation(N=1000, depth=50, reps=3):
    kw = dict(N=N, depth=depth, sigma_w2=1.76, sigma_b2=0.05, activation="tanh", q0=1.0, c0=0.5)
    sc.run_chain(seed=0, **kw)  # numba compile / cache load
    t0 = time.perf_counter()
    for r in range(reps):
        sc.run_chain(seed=r, **kw)
    t_proj = (time.perf_counter() - t0) / reps
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for _ in range(reps):
        numpy_dense_chain(N, depth, 1.76, 0.05, rng)
    t_np = (time.perf_counter() - t0) / reps
    t0 = time.perf_counter()
    sc.run_chain(seed=0, method="dense", **kw)
    t_dense = time.perf_counter() - t0
    print(f"simulation N={N}, depth={depth}: projected numba {t_proj * 1e3:.1f} ms; plain numpy matrices "
          f"{t_np * 1e3:.0f} ms; speed-up x{t_np / t_proj:.0f} "
          f"(replicon dense mode incl. Jacobian: {t_dense * 1e3:.0f} ms, x{t_dense / t_np:.2f} of numpy)")
    return t_np / t_proj


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    bench_phase_diagram(n=60 if quick else 200, n_baseline=30 if quick else 100)
    bench_simulation(N=500 if quick else 1000, depth=20 if quick else 50)
