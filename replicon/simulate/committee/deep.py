"""Metropolis Monte Carlo of Gibbs learning in deep tree committee machines (sign units).

N inputs split into M = K_1 ... K_L disjoint receptive fields of n = N/M inputs; first-layer
unit i has field ``h_i = J_i . xi_i / sqrt(n)`` and sign ``s_i``; every unit above combines
K_l units of the layer below by majority (odd K) or parity (product). Teacher and student
share the tree. Energy = number of training errors; single-weight Metropolis moves at T > 0
(Ising: flips; spherical: an independent N(0, 1) proposal for one coordinate, whose Gaussian
radial factor leaves each unit's direction distributed as exp(-E/T) on its sphere, as in
:mod:`.monte_carlo`).

**Incremental fields.** A move on a weight of unit i changes the P fields of unit i (O(P));
only the patterns whose sign of unit i flips are pushed up the tree (O(depth K) each), so a
move costs O(P). All node values are kept, one row per node and pattern.

Observables (two replicas on the same data): ``R`` the mean normalised overlap of a
first-layer unit with the teacher's, ``q`` between the replicas' final units, ``eps_g`` the
exact output error of the sampled student given its M per-unit overlaps (per-unit errors
arccos(R_i)/pi composed up the tree; averaged over measured sweeps), ``eps_t`` the training
error per example.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..._util import ParamError, check_choice, check_number
from ..measurement import over_seeds

_RULE = {"majority": 0, "parity": 1}


def parse_tree(branching, output):
    """(K tuple, output) with the same rules as the theory: K_l in 1..7, odd under majority, M <= 81."""
    output = check_choice("output", output, ("majority", "parity"))
    parts = branching.replace(" ", "").split(",") if isinstance(branching, str) else list(np.atleast_1d(branching))
    Ks = tuple(int(check_number("branching", p, lo=1, hi=7, integer=True)) for p in parts)
    if output == "majority" and any(k % 2 == 0 for k in Ks):
        raise ParamError(f"branching={','.join(map(str, Ks))} is not allowed under output=majority; "
                         "allowed: odd K_l, or output=parity")
    if int(np.prod(Ks)) > 81:
        raise ParamError("branching has more than 81 first-layer units; allowed: at most 81")
    return Ks, output


def tree_layout(Ks):
    """Node offsets per level (leaves first, the output last) as an int array."""
    sizes = [int(np.prod(Ks))]
    for K in Ks:
        sizes.append(sizes[-1] // K)
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


@njit(cache=True)
def _node_value(vals, first, K, mu, rule):
    if rule == 1:
        v = 1.0
        for c in range(K):
            v *= vals[first + c, mu]
        return v
    s = 0.0
    for c in range(K):
        s += vals[first + c, mu]
    return 1.0 if s > 0 else -1.0


@njit(cache=True)
def tree_forward(leaf_signs, Ks, offs, rule):
    """All node values (n_nodes x P) from the leaves' signs (M x P)."""
    M, P = leaf_signs.shape
    vals = np.empty((offs[-1], P))
    vals[:M] = leaf_signs
    for l in range(Ks.size):
        K = Ks[l]
        for j in range(offs[l + 2] - offs[l + 1]):
            for mu in range(P):
                vals[offs[l + 1] + j, mu] = _node_value(vals, offs[l] + j * K, K, mu, rule)
    return vals


@njit(cache=True)
def _output_if_flipped(vals, Ks, offs, rule, i, mu):
    """Output at pattern mu if leaf i's sign were flipped (vals unchanged)."""
    v = -vals[i, mu]
    idx = i
    for l in range(Ks.size):
        K = Ks[l]
        parent = idx // K
        first = offs[l] + parent * K
        if rule == 1:
            w = 1.0
            for c in range(K):
                w *= v if first + c == offs[l] + idx else vals[first + c, mu]
        else:
            s = 0.0
            for c in range(K):
                s += v if first + c == offs[l] + idx else vals[first + c, mu]
            w = 1.0 if s > 0 else -1.0
        v = w
        idx = parent
    return v


@njit(cache=True)
def _apply_flip(vals, Ks, offs, rule, i, mu):
    vals[i, mu] = -vals[i, mu]
    idx = i
    for l in range(Ks.size):
        K = Ks[l]
        parent = idx // K
        vals[offs[l + 1] + parent, mu] = _node_value(vals, offs[l] + parent * K, K, mu, rule)
        idx = parent


@njit(cache=True)
def _unit_error(e, rule):
    """P(a unit flips) when its K children flip independently w.p. e[k] (teacher children iid +-1)."""
    K = e.shape[0]
    if rule == 1:
        p = 1.0
        for k in range(K):
            p *= 1.0 - 2.0 * e[k]
        return 0.5 * (1.0 - p)
    total = 0.0
    for s in range(1 << K):
        S = 0
        for k in range(K):
            S += 1 if (s >> k) & 1 else -1
        for f in range(1 << K):
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
def tree_error(R, Ks, rule):
    """Output error from the M first-layer overlaps R (per-unit error arccos(R_i)/pi, composed up)."""
    e = np.empty(R.size)
    for i in range(R.size):
        e[i] = math.acos(min(1.0, max(-1.0, R[i]))) / math.pi
    for l in range(Ks.size):
        K = Ks[l]
        ne = np.empty(e.size // K)
        for j in range(ne.size):
            ne[j] = _unit_error(e[j * K:(j + 1) * K], rule)
        e = ne
    return e[0]


@njit(cache=True)
def unit_overlaps(J, B, M):
    n = J.shape[0] // M
    R = np.empty(M)
    for k in range(M):
        a = 0.0
        jj = 0.0
        bb = 0.0
        for i in range(k * n, (k + 1) * n):
            a += J[i] * B[i]
            jj += J[i] * J[i]
            bb += B[i] * B[i]
        R[k] = a / math.sqrt(jj * bb) if jj > 0 and bb > 0 else 0.0
    return R


@njit(cache=True)
def leaf_fields(xiT, J, M):
    N, P = xiT.shape
    n = N // M
    h = np.zeros((M, P))
    for k in range(M):
        for i in range(k * n, (k + 1) * n):
            for mu in range(P):
                h[k, mu] += J[i] * xiT[i, mu]
    return h


@njit(cache=True)
def deep_metropolis(xiT, sigma, B, J, Ks, rule, beta, ising, n_burn, n_sweeps, seed):
    """Metropolis at inverse temperature beta: returns mean eps_g, mean eps_t over measured sweeps, the final
    J (modified in place), and the largest discrepancy of the incremental fields from a recomputation."""
    np.random.seed(seed)
    N, P = xiT.shape
    offs = np.zeros(Ks.size + 2, dtype=np.int64)
    M = 1
    for K in Ks:
        M *= K
    size = M
    offs[1] = M
    for l in range(Ks.size):
        size //= Ks[l]
        offs[l + 2] = offs[l + 1] + size
    n = N // M
    h = leaf_fields(xiT, J, M)
    signs = np.where(h > 0, 1.0, -1.0)
    vals = tree_forward(signs, Ks, offs, rule)
    root = offs[-1] - 1
    E = 0
    for mu in range(P):
        if vals[root, mu] != sigma[mu]:
            E += 1
    hn = np.empty(P)
    g_sum = 0.0
    e_sum = 0.0
    for sweep in range(n_burn + n_sweeps):
        for _ in range(N):
            j = np.random.randint(N)
            i = j // n
            dJ = -2.0 * J[j] if ising else np.random.standard_normal() - J[j]
            dE = 0
            for mu in range(P):
                hn[mu] = h[i, mu] + dJ * xiT[j, mu]
                if (hn[mu] > 0) != (h[i, mu] > 0):
                    out = _output_if_flipped(vals, Ks, offs, rule, i, mu)
                    dE += (1 if out != sigma[mu] else 0) - (1 if vals[root, mu] != sigma[mu] else 0)
            if dE <= 0 or np.random.random() < math.exp(-beta * dE):
                for mu in range(P):
                    if (hn[mu] > 0) != (h[i, mu] > 0):
                        _apply_flip(vals, Ks, offs, rule, i, mu)
                    h[i, mu] = hn[mu]
                J[j] += dJ
                E += dE
        if sweep >= n_burn:
            g_sum += tree_error(unit_overlaps(J, B, M), Ks, rule)
            e_sum += E / P
    h_check = leaf_fields(xiT, J, M)
    drift = 0.0
    for k in range(M):
        for mu in range(P):
            drift = max(drift, abs(h_check[k, mu] - h[k, mu]))
    return g_sum / n_sweeps, e_sum / n_sweeps, drift


def deep_data(N, Ks, output, P, weights, rng):
    """Gaussian inputs xiT (N x P), teacher B and its tree labels."""
    M = int(np.prod(Ks))
    xiT = rng.standard_normal((N, P))
    B = rng.choice(np.array([-1.0, 1.0]), size=N) if weights == "ising" else rng.standard_normal(N)
    h = leaf_fields(xiT, B, M)
    vals = tree_forward(np.where(h > 0, 1.0, -1.0), np.array(Ks, dtype=np.int64), tree_layout(Ks), _RULE[output])
    return xiT, B, vals[-1].copy()


def deep_run(N, Ks, output, alpha, T, weights, seed, sweeps=300, burn=300):
    """One realisation (data + two replicas): R, q, eps_g, eps_t and the field drift (should be ~1e-12)."""
    M = int(np.prod(Ks))
    P = max(1, int(round(alpha * N)))
    ss = np.random.SeedSequence(seed)
    data_ss, r1, r2 = ss.spawn(3)
    xiT, B, sigma = deep_data(N, Ks, output, P, weights, np.random.default_rng(data_ss))
    Ka = np.array(Ks, dtype=np.int64)
    Rs, gs, es, Js, drift = [], [], [], [], 0.0
    for rs in (r1, r2):
        rng = np.random.default_rng(rs)
        J = rng.choice(np.array([-1.0, 1.0]), size=N) if weights == "ising" else rng.standard_normal(N)
        g, e, d = deep_metropolis(xiT, sigma, B, J, Ka, _RULE[output], 1.0 / T, weights == "ising", int(burn),
                                  int(sweeps), int(rs.generate_state(1)[0] % (2**31 - 1)))
        Rs.append(float(np.mean(unit_overlaps(J, B, M))))
        gs.append(g)
        es.append(e)
        Js.append(J)
        drift = max(drift, d)
    return {"R": float(np.mean(Rs)), "q": float(np.mean(unit_overlaps(Js[0], Js[1], M))),
            "eps_g": float(np.mean(gs)), "eps_t": float(np.mean(es)), "field_drift": drift}


def simulate_deep(branching="3,3", output="majority", activation="sign", alpha=1.0, T=1.0, weights="spherical",
                  N=180, seeds=8, seed=0, sweeps=None, burn=None, progress=False):
    """Metropolis Monte Carlo of committee.deep over independent seeds (a Measurement); T > 0, N a multiple of M."""
    activation = check_choice("activation", activation, ("sign", "relu"))
    if activation == "relu":        # the two-unit ReLU tree (Ising weights): relu_tree.py
        from .relu_tree import simulate_relu_tree
        return simulate_relu_tree(alpha=alpha, T=T, weights=weights, N=N, seeds=seeds, seed=seed, sweeps=sweeps,
                                  burn=burn, progress=progress, branching=branching, output=output)
    Ks, output = parse_tree(branching, output)
    alpha = check_number("alpha", alpha, lo=0.0, lo_open=True)
    T = check_number("T", T, lo=0.0, lo_open=True)
    weights = check_choice("weights", weights, ("spherical", "ising"))
    M = int(np.prod(Ks))
    N = int(check_number("N", N, lo=M, integer=True))
    if N % M:
        raise ParamError(f"N={N} must be a multiple of the number of first-layer units M={M}")
    sweeps = 300 if sweeps is None else int(sweeps)
    burn = 300 if burn is None else int(burn)
    params = {"branching": ",".join(map(str, Ks)), "output": output, "activation": activation, "alpha": alpha,
              "T": T, "weights": weights}
    return over_seeds(lambda s: deep_run(N, Ks, output, alpha, T, weights, s, sweeps, burn), model="committee.deep",
                      params=params, N=N, seeds=seeds, seed=seed, progress=progress)
