"""Speed of online-learning theory and simulation, as ratios against baselines timed in the same run.

1. The committee ODE (K = M = 3, erf, eta = 0.5) to alpha = 1e4 with replicon's vectorised
   right-hand side and LSODA, against a naive per-step Python integrator (explicit Euler,
   d alpha = 0.01, right-hand side from explicit Python loops): the naive run is timed over
   a short stretch and extrapolated to alpha = 1e4.
2. SGD steps per second of the numba kernel at N = 1000, K = M = 3 against a straightforward
   numpy loop and, where torch is installed, a PyTorch CPU loop.

Run: ``python benchmarks/bench_online.py``. Prints times and ratios; asserts nothing.
"""

from __future__ import annotations

import math
import time

import numpy as np

from replicon.simulate.online import committee_sgd_kernel, committee_sgd_numpy, teacher_weights
from replicon.theory.online import committee_online, committee_rhs_looped


def bench_ode(alpha_max=1e4):
    committee_online(K=3, M=3, eta=0.5, alpha_max=10.0)          # warm caches (sympy linearisation)
    t0 = time.perf_counter()
    sol = committee_online(K=3, M=3, eta=0.5, alpha_max=alpha_max, n_points=400)
    t_fast = time.perf_counter() - t0
    # naive: Euler with explicit loops
    K = M = 3
    Q = (0.5 * np.eye(K)).tolist()
    R = np.zeros((K, M))
    R[np.diag_indices(K)] += 1e-3
    R = R.tolist()
    T = np.eye(M).tolist()
    d_alpha, n_naive = 0.01, 300
    t0 = time.perf_counter()
    for _ in range(n_naive):
        dQ, dR = committee_rhs_looped(Q, R, T, 0.5, "erf")
        Q = [[Q[i][k] + d_alpha * dQ[i][k] for k in range(K)] for i in range(K)]
        R = [[R[i][n] + d_alpha * dR[i][n] for n in range(M)] for i in range(K)]
    t_naive = (time.perf_counter() - t0) / n_naive * (alpha_max / d_alpha)
    print(f"ODE K=M=3 to alpha={alpha_max:g}: replicon {t_fast:.2f} s ({sol.iterations} RHS evaluations, "
          f"converged={sol.converged}, eps_g_final={sol.observables['eps_g_final']:.3g})")
    print(f"  naive Euler (d alpha={d_alpha}, Python loops), extrapolated: {t_naive:.1f} s"
          f"  -> speed-up x{t_naive / t_fast:.0f}")
    return t_fast, t_naive


def bench_sgd(N=1000, K=3, M=3, steps_numba=200_000, steps_numpy=20_000, steps_torch=20_000):
    rng = np.random.default_rng(0)
    B = teacher_weights(np.eye(M), N, rng)
    J = rng.standard_normal((K, N)) * math.sqrt(0.5)
    ones_k, ones_m = np.ones(K), np.ones(M)
    committee_sgd_kernel(J, B, ones_k, ones_m, 0.5, 0.5, False, 0.0, 0.0, 0, np.array([0, 10]), 1)  # compile
    t0 = time.perf_counter()
    committee_sgd_kernel(J, B, ones_k, ones_m, 0.5, 0.5, False, 0.0, 0.0, 0, np.array([0, steps_numba]), 1)
    rate_numba = steps_numba / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    committee_sgd_numpy(J, B, ones_k, ones_m, 0.5, steps_numpy, rng)
    rate_numpy = steps_numpy / (time.perf_counter() - t0)
    print(f"SGD N={N}, K=M={K}: numba {rate_numba:,.0f} steps/s, numpy {rate_numpy:,.0f} steps/s"
          f"  -> ratio x{rate_numba / rate_numpy:.1f}")
    rate_torch = None
    try:
        import torch
    except ImportError:
        print("  torch not installed: PyTorch baseline skipped")
    else:
        torch.set_num_threads(1)
        Jt = torch.tensor(J)
        Bt = torch.tensor(B)
        gen = torch.Generator().manual_seed(0)
        sq = math.sqrt(N)
        t0 = time.perf_counter()
        with torch.no_grad():
            for _ in range(steps_torch):
                xi = torch.randn(N, generator=gen, dtype=torch.float64)
                x = Jt @ xi / sq
                err = torch.erf(Bt @ xi / sq / math.sqrt(2)).sum() - torch.erf(x / math.sqrt(2)).sum()
                d = math.sqrt(2 / math.pi) * torch.exp(-0.5 * x * x)
                Jt += torch.outer(0.5 / sq * d * err, xi)
        rate_torch = steps_torch / (time.perf_counter() - t0)
        print(f"  torch CPU (1 thread) {rate_torch:,.0f} steps/s  -> numba/torch x{rate_numba / rate_torch:.1f}")
    return rate_numba, rate_numpy, rate_torch


if __name__ == "__main__":
    bench_ode()
    bench_sgd()
