"""Speed of the replicated Monte Carlo of landscape.protocols: incremental fields against a recompute.

One sweep (N flip attempts for each of y replicas) of the replicated Monte Carlo on the binary
perceptron (+-1 patterns, hinge energy, traced centre): the kernel that keeps every replica's P
stabilities up to date (O(P) per attempt, O(y N P) per sweep) against the straightforward kernel
that recomputes the flipped replica's fields before and after each attempt (O(N P) per attempt,
O(y N^2 P) per sweep). Both run the same Markov chain from the same streams, so the accuracy column
checks that they end in the same replicas (tests/simulate/landscape: bit for bit).

Run: ``python benchmarks/bench_protocols.py`` (or ``benchmarks/run_all.py``). Prints; asserts nothing.
"""

from __future__ import annotations

import time

import numpy as np

from replicon.simulate.landscape import binary as B


def _timed(f):
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def sweep_row(N=401, alpha=0.6, y=5, sweeps=20, naive_sweeps=1):
    data = B.binary_storage(N, alpha, seed=1)
    W0 = np.random.default_rng(2).choice(np.array([-1.0, 1.0]), size=(y, N))
    states = B.rng_states(3, y)

    def incremental(n):
        W = W0.copy()
        H = np.stack([B.fields(W[a], data.X) for a in range(y)])
        E = np.zeros(y)
        nerr = np.zeros(y, dtype=np.int64)
        for a in range(y):
            E[a], nerr[a] = B.energy_of_fields(H[a], data.thr, 1)
        C = np.where(W.sum(0) >= 0, 1.0, -1.0)
        HC = B.fields(C, data.X)
        B.replicated_mc(data.X, data.thr, W, H, E, nerr, C, HC, states.copy(), np.ones(n), np.full(n, 0.5), 1, 0,
                        True, False, np.zeros((y, n)))
        return W

    def naive(n):
        W = W0.copy()
        B.replicated_mc_naive(data.X, data.thr, W, states.copy(), np.ones(n), np.full(n, 0.5), 1, 0, False,
                              np.zeros((y, n)))
        return W

    incremental(1), naive(1)                                   # compile / load the cache
    t_inc, W_inc = _timed(lambda: incremental(sweeps))
    t_nv, W_nv = _timed(lambda: naive(naive_sweeps))
    same = np.array_equal(incremental(naive_sweeps), W_nv)
    per_flip = t_inc / (sweeps * y * N)
    return {"work": f"replicated MC sweep N={N} P={data.P} y={y} ({per_flip * 1e9:.0f} ns per flip attempt)",
            "baseline": "recompute fields per attempt", "t_baseline": t_nv / naive_sweeps,
            "t_replicon": t_inc / sweeps, "accuracy": "same replicas" if same else "DIFFERENT replicas"}


def rows(quick=False):
    out = [sweep_row(N=201 if quick else 401)]
    if not quick:
        out.append(sweep_row(N=801, naive_sweeps=1, sweeps=10))
    return out


if __name__ == "__main__":
    from run_all import print_table

    print_table(rows())
