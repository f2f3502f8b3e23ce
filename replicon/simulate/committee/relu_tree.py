"""Metropolis Monte Carlo of Gibbs learning in the two-unit ReLU tree (teacher-student, Ising weights).

N inputs split into two receptive fields of n = N/2; unit k has field ``h_k = J_k . xi_k / sqrt(n)``;
the output is +1 iff ``relu(h_1) - relu(h_2) > 0`` (both units silent: -1), for teacher and student
alike (the convention of :mod:`replicon.theory.committee.relu_tree`). Energy = number of training
errors, single-spin-flip Metropolis at temperature T. Ising weights keep every unit's norm fixed, which
the ReLU output needs (its sign depends on the units' relative scale); spherical weights would need
norm-preserving moves and are not implemented.

**Incremental fields.** A flip of weight j of unit k changes the P fields of unit k by
``-2 J_j xi_j^mu / sqrt(n)`` and each output in O(1): a move costs O(P).

Observables (two replicas on the same data, each from its own random start): ``R_1``, ``R_2`` (each
unit's normalised overlap with the teacher's unit, at the end of the run), ``R`` their mean, ``q_1``,
``q_2``, ``q`` between the replicas, ``eps_t`` (training errors per example, averaged over the measured
sweeps), ``eps_g`` (the output error on ``n_test`` fresh inputs, at the end of the run: independent of
the theory's formula).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..._util import ParamError, check_choice, check_number
from ..measurement import over_seeds


@njit(cache=True)
def relu2_outputs(h1, h2):
    """+1 where relu(h1) > relu(h2) (i.e. h1 > max(0, h2)), else -1."""
    out = np.empty(h1.size)
    for mu in range(h1.size):
        out[mu] = 1.0 if (h1[mu] > 0.0 and h1[mu] > h2[mu]) else -1.0
    return out


@njit(cache=True)
def _fields(xiT, J, n):
    P = xiT.shape[1]
    h = np.zeros((2, P))
    for k in range(2):
        for j in range(k * n, (k + 1) * n):
            for mu in range(P):
                h[k, mu] += J[j] * xiT[j, mu]
    return h / np.sqrt(n)


@njit(cache=True)
def relu2_metropolis(xiT, sigma, J, beta, n_burn, n_sweeps, seed):
    """Single-flip Metropolis (Ising weights) at inverse temperature beta; J modified in place. Returns the
    mean training error per example over the measured sweeps and the largest drift of the incremental
    fields from a recomputation (a consistency check, ~1e-13)."""
    np.random.seed(seed)
    N, P = xiT.shape
    n = N // 2
    scale = 1.0 / np.sqrt(n)
    h = _fields(xiT, J, n)
    E = 0
    for mu in range(P):
        o = 1.0 if (h[0, mu] > 0.0 and h[0, mu] > h[1, mu]) else -1.0
        if o != sigma[mu]:
            E += 1
    hn = np.empty(P)
    e_sum = 0.0
    for sweep in range(n_burn + n_sweeps):
        for _ in range(N):
            j = np.random.randint(N)
            k = j // n
            dJ = -2.0 * J[j] * scale
            dE = 0
            for mu in range(P):
                hn[mu] = h[k, mu] + dJ * xiT[j, mu]
                h1o, h2o = h[0, mu], h[1, mu]
                if k == 0:
                    h1n, h2n = hn[mu], h2o
                else:
                    h1n, h2n = h1o, hn[mu]
                old = 1.0 if (h1o > 0.0 and h1o > h2o) else -1.0
                new = 1.0 if (h1n > 0.0 and h1n > h2n) else -1.0
                if old != new:
                    dE += (1 if new != sigma[mu] else 0) - (1 if old != sigma[mu] else 0)
            if dE <= 0 or np.random.random() < np.exp(-beta * dE):
                for mu in range(P):
                    h[k, mu] = hn[mu]
                J[j] = -J[j]
                E += dE
        if sweep >= n_burn:
            e_sum += E / P
    h_check = _fields(xiT, J, n)
    drift = 0.0
    for k in range(2):
        for mu in range(P):
            drift = max(drift, abs(h_check[k, mu] - h[k, mu]))
    return e_sum / max(n_sweeps, 1), drift


def relu2_run(N, alpha, T, seed, sweeps=300, burn=300, n_test=20000):
    """One realisation (data + two replicas): per-unit overlaps, eps_t, test error and the field drift."""
    n = N // 2
    P = max(1, int(round(alpha * N)))
    ss = np.random.SeedSequence(seed)
    data_ss, test_ss, r1, r2 = ss.spawn(4)
    rng = np.random.default_rng(data_ss)
    xiT = rng.standard_normal((N, P))
    B = rng.choice(np.array([-1.0, 1.0]), size=N)
    hB = _fields(xiT, B, n)
    sigma = relu2_outputs(hB[0], hB[1])
    test = np.random.default_rng(test_ss).standard_normal((N, n_test))
    hT = _fields(test, B, n)
    yT = relu2_outputs(hT[0], hT[1])
    Js, es, gs, drift = [], [], [], 0.0
    for rs in (r1, r2):
        J = np.random.default_rng(rs).choice(np.array([-1.0, 1.0]), size=N)
        e, d = relu2_metropolis(xiT, sigma, J, 1.0 / T, int(burn), int(sweeps), int(rs.generate_state(1)[0] % (2**31 - 1)))
        hS = _fields(test, J, n)
        gs.append(float(np.mean(relu2_outputs(hS[0], hS[1]) != yT)))
        Js.append(J)
        es.append(e)
        drift = max(drift, d)
    R = [[float(J[k * n:(k + 1) * n] @ B[k * n:(k + 1) * n]) / n for k in range(2)] for J in Js]
    q = [float(Js[0][k * n:(k + 1) * n] @ Js[1][k * n:(k + 1) * n]) / n for k in range(2)]
    R1 = 0.5 * (R[0][0] + R[1][0])
    R2 = 0.5 * (R[0][1] + R[1][1])
    return {"R": 0.5 * (R1 + R2), "R_1": R1, "R_2": R2, "q": 0.5 * (q[0] + q[1]), "q_1": q[0], "q_2": q[1],
            "eps_t": float(np.mean(es)), "eps_g": float(np.mean(gs)), "field_drift": drift}


def simulate_relu_tree(alpha=1.0, T=1.0, weights="ising", N=400, seeds=8, seed=0, sweeps=None, burn=None,
                       progress=False, branching="2", output="majority"):
    """Metropolis Monte Carlo of the two-unit ReLU tree (Ising weights, T > 0) over seeds (a Measurement)."""
    try:
        ok = float(str(branching).replace(" ", "")) == 2.0
    except ValueError:
        ok = False
    if not ok:
        raise ParamError(f"branching={branching!r} is not implemented for the relu sampler; allowed: branching=2")
    if output != "majority":
        raise ParamError("output=parity does not apply under activation=relu; allowed: output=majority")
    weights = check_choice("weights", weights, ("spherical", "ising"))
    if weights != "ising":
        raise ParamError("weights=spherical is not implemented for the relu sampler (the output depends on the "
                         "units' norms, which single-coordinate moves do not keep); allowed: weights=ising")
    alpha = check_number("alpha", alpha, lo=0.0, lo_open=True)
    T = check_number("T", T, lo=0.0, lo_open=True)
    N = int(check_number("N", N, lo=2, integer=True))
    if N % 2:
        raise ParamError(f"N={N} must be even (two receptive fields of N/2)")
    sweeps = 300 if sweeps is None else int(sweeps)
    burn = 300 if burn is None else int(burn)
    params = {"branching": "2", "output": "majority", "activation": "relu", "alpha": alpha, "T": T,
              "weights": weights}
    return over_seeds(lambda s: relu2_run(N, alpha, T, s, sweeps, burn), model="committee.deep", params=params,
                      N=N, seeds=seeds, seed=seed, progress=progress)
