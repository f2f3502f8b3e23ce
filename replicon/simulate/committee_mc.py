"""Metropolis Monte Carlo of Gibbs learning in the tree committee machine (odd K, sign units).

N inputs split into K disjoint receptive fields of n = N/K inputs; branch k's hidden
field is ``h_k = J_k . xi_k / sqrt(n)`` and the output is ``sign(sum_k sign(h_k))``.
Teacher and student have the same architecture. The energy is the number of training
errors; moves are single-weight Metropolis updates at temperature T > 0:

* Ising weights: spin flips ``J_i -> -J_i``;
* spherical weights: independent N(0, 1) proposals per coordinate (as in
  :func:`replicon.simulate.perceptron.spherical_metropolis`): the Gaussian radial
  factor leaves each branch's direction distributed as ``exp(-E/T)`` on its sphere.

Fields are updated incrementally: a move on a weight of branch k changes only branch
k's P fields and the P vote counts, O(P) per move. Two replicas sample the same data.
Observables (branch-averaged, normalised overlaps): ``R = mean_k J_k.B_k/(|J_k||B_k|)``,
``q`` between the replicas' final configurations, ``eps_g`` the exact committee
generalisation error of the sampled student given its K per-branch overlaps
(averaged over measured sweeps), ``eps_t`` the training error per example.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .._util import ParamError, check_choice, check_number
from .measurement import over_seeds


def tree_data(N: int, K: int, P: int, weights: str, rng: np.random.Generator):
    """Gaussian inputs ``xiT`` (N x P), teacher ``B`` (N,) of K branches, and its majority-vote labels."""
    n = N // K
    xiT = rng.standard_normal((N, P))
    B = rng.choice(np.array([-1.0, 1.0]), size=N) if weights == "ising" else rng.standard_normal(N)
    votes = np.zeros(P)
    for k in range(K):
        h = B[k * n:(k + 1) * n] @ xiT[k * n:(k + 1) * n] / math.sqrt(n)
        votes += np.where(h > 0, 1.0, -1.0)
    return xiT, B, np.where(votes > 0, 1.0, -1.0)


@njit(cache=True)
def _majority_error(e):
    """P(majority vote flips) when branch k flips independently w.p. e[k] (teacher votes i.i.d. +-1)."""
    K = e.shape[0]
    total = 0.0
    for s in range(1 << K):          # teacher signs
        S = 0
        for k in range(K):
            S += 1 if (s >> k) & 1 else -1
        for f in range(1 << K):      # flipped branches
            p = 1.0
            S2 = 0
            for k in range(K):
                sk = 1 if (s >> k) & 1 else -1
                if (f >> k) & 1:
                    p *= e[k]
                    sk = -sk
                else:
                    p *= 1.0 - e[k]
                S2 += sk
            if (S > 0) != (S2 > 0):
                total += p
    return total / (1 << K)


@njit(cache=True)
def _branch_overlaps(J, B, K):
    n = J.shape[0] // K
    R = np.empty(K)
    for k in range(K):
        a = 0.0
        jj = 0.0
        bb = 0.0
        for i in range(k * n, (k + 1) * n):
            a += J[i] * B[i]
            jj += J[i] * J[i]
            bb += B[i] * B[i]
        R[k] = a / math.sqrt(jj * bb)
    return R


@njit(cache=True)
def tree_metropolis(xiT, sigma, B, J, K, beta, ising, n_sweeps, n_burn, seed):
    """Metropolis sampling of the tree committee's Gibbs measure exp(-beta E); J updated in place.

    Returns (mean branch-averaged R, mean committee eps_g from the per-branch overlaps,
    mean training error per example, acceptance rate), averaged over the measured sweeps.
    """
    np.random.seed(seed)
    N, P = xiT.shape
    n = N // K
    sq = math.sqrt(n)
    h = np.zeros((K, P))
    for k in range(K):
        for i in range(k * n, (k + 1) * n):
            for mu in range(P):
                h[k, mu] += J[i] * xiT[i, mu]
    votes = np.zeros(P, dtype=np.int64)
    for k in range(K):
        for mu in range(P):
            h[k, mu] /= sq
            votes[mu] += 1 if h[k, mu] > 0.0 else -1
    E = 0
    for mu in range(P):
        if sigma[mu] * votes[mu] < 0:
            E += 1
    R_sum = 0.0
    g_sum = 0.0
    e_sum = 0.0
    n_meas = 0
    acc = 0
    tries = 0
    eps_k = np.empty(K)
    for sweep in range(n_burn + n_sweeps):
        for _ in range(N):
            i = np.random.randint(N)
            k = i // n
            if ising:
                jn = -J[i]
            else:
                jn = np.random.standard_normal()
            d = (jn - J[i]) / sq
            dE = 0
            for mu in range(P):
                old = 1 if h[k, mu] > 0.0 else -1
                new = 1 if h[k, mu] + d * xiT[i, mu] > 0.0 else -1
                if new != old:
                    v = votes[mu] - old + new
                    dE += (sigma[mu] * v < 0) - (sigma[mu] * votes[mu] < 0)
            tries += 1
            if dE <= 0 or np.random.random() < math.exp(-beta * dE):
                for mu in range(P):
                    old = 1 if h[k, mu] > 0.0 else -1
                    h[k, mu] += d * xiT[i, mu]
                    new = 1 if h[k, mu] > 0.0 else -1
                    votes[mu] += new - old
                J[i] = jn
                E += dE
                acc += 1
        if sweep >= n_burn:
            R = _branch_overlaps(J, B, K)
            for kk in range(K):
                eps_k[kk] = math.acos(max(-1.0, min(1.0, R[kk]))) / math.pi
            R_sum += R.mean()
            g_sum += _majority_error(eps_k)
            e_sum += E / P
            n_meas += 1
    m = max(n_meas, 1)
    return R_sum / m, g_sum / m, e_sum / m, acc / max(tries, 1)


def tree_run(N, K, alpha, T, weights, seed, sweeps=None, burn=None):
    """One realisation (data + two replicas): R, q, eps_g, eps_t of Gibbs learning at temperature T > 0."""
    P = max(1, int(round(alpha * N)))
    ss = np.random.SeedSequence(seed)
    data_ss, r1_ss, r2_ss = ss.spawn(3)
    xiT, B, sigma = tree_data(N, K, P, weights, np.random.default_rng(data_ss))
    Rs, gs, es, Js = [], [], [], []
    for rs in (r1_ss, r2_ss):
        r_rng = np.random.default_rng(rs)
        kseed = int(rs.generate_state(1)[0] % (2**31 - 1))
        J = r_rng.choice(np.array([-1.0, 1.0]), size=N) if weights == "ising" else r_rng.standard_normal(N)
        R, g, e, _ = tree_metropolis(xiT, sigma, B, J, K, 1.0 / T, weights == "ising",
                                     sweeps if sweeps is not None else 300, burn if burn is not None else 300,
                                     kseed)
        Rs.append(R)
        gs.append(g)
        es.append(e)
        Js.append(J)
    qk = _branch_overlaps(Js[0], Js[1], K)
    return {"R": float(np.mean(Rs)), "q": float(np.mean(qk)), "eps_g": float(np.mean(gs)),
            "eps_t": float(np.mean(es))}


def simulate_tree(K=3, alpha=1.0, T=1.0, weights="spherical", arch="tree", N=120, seeds=8, seed=0,
                  sweeps=None, burn=None, progress=False):
    """Metropolis Monte Carlo of the tree committee over independent seeds (a Measurement).

    Temperature T > 0 only (no T = 0 sampler for committees); N must be a multiple of K.
    """
    K = int(check_number("K", K, lo=1, hi=7, integer=True))
    if K % 2 == 0:
        raise ParamError(f"K={K} is not allowed; use an odd K")
    alpha = check_number("alpha", alpha, lo=0.0, lo_open=True)
    T = check_number("T", T, lo=0.0, lo_open=True)
    weights = check_choice("weights", weights, ("spherical", "ising"))
    check_choice("arch", arch, ("tree",))
    N = int(check_number("N", N, lo=K, integer=True))
    if N % K:
        raise ParamError(f"N={N} must be a multiple of K={K}")
    params = {"K": K, "alpha": alpha, "T": T, "weights": weights, "arch": arch}
    return over_seeds(lambda s: tree_run(N, K, alpha, T, weights, s, sweeps, burn), model="committee.gibbs",
                      params=params, N=N, seeds=seeds, seed=seed, progress=progress)
