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

from ..._util import ParamError, check_choice, check_number
from ..measurement import over_seeds


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
def _unit_and_row(w, n_in, fully):
    """Hidden unit of weight w and the input row it multiplies (tree: row w; fully connected: w mod n_in)."""
    k = w // n_in
    return k, (w - k * n_in) if fully else w


@njit(cache=True)
def _committee_fields(xiT, J, K, n_in, fully):
    """Hidden fields h[k, mu] = J_k . xi_mu / sqrt(n_in) and vote sums (int) of a committee with weights J (flat)."""
    P = xiT.shape[1]
    h = np.zeros((K, P))
    for w in range(J.shape[0]):
        k, i = _unit_and_row(w, n_in, fully)
        for mu in range(P):
            h[k, mu] += J[w] * xiT[i, mu]
    sq = math.sqrt(n_in)
    votes = np.zeros(P, dtype=np.int64)
    for k in range(K):
        for mu in range(P):
            h[k, mu] /= sq
            votes[mu] += 1 if h[k, mu] > 0.0 else -1
    return h, votes


@njit(cache=True)
def _committee_errors(sigma, votes):
    E = 0
    for mu in range(sigma.shape[0]):
        if sigma[mu] * votes[mu] < 0:
            E += 1
    return E


@njit(cache=True)
def _metropolis_sweep(xiT, sigma, J, h, votes, E, n_in, fully, beta, ising, rho=0.0):
    """One sweep (len(J) single-weight Metropolis moves) at inverse temperature beta; h, votes, J in place.

    A move on weight w of unit k changes only unit k's P fields and the P vote sums: O(P).
    Ising: flip; spherical: an independent N(0, 1) proposal. Returns (E, accepted moves).
    """
    P = xiT.shape[1]
    sq = math.sqrt(n_in)
    NW = J.shape[0]
    acc = 0
    for _ in range(NW):
        w = np.random.randint(NW)
        k, i = _unit_and_row(w, n_in, fully)
        if ising:
            jn = -J[w]
        else:
            jn = rho * J[w] + math.sqrt(1.0 - rho * rho) * np.random.standard_normal()
        d = (jn - J[w]) / sq
        dE = 0
        for mu in range(P):
            old = 1 if h[k, mu] > 0.0 else -1
            new = 1 if h[k, mu] + d * xiT[i, mu] > 0.0 else -1
            if new != old:
                v = votes[mu] - old + new
                dE += (sigma[mu] * v < 0) - (sigma[mu] * votes[mu] < 0)
        if dE <= 0 or np.random.random() < math.exp(-beta * dE):
            for mu in range(P):
                old = 1 if h[k, mu] > 0.0 else -1
                h[k, mu] += d * xiT[i, mu]
                new = 1 if h[k, mu] > 0.0 else -1
                votes[mu] += new - old
            J[w] = jn
            E += dE
            acc += 1
    return E, acc


@njit(cache=True)
def tree_metropolis(xiT, sigma, B, J, K, beta, ising, n_sweeps, n_burn, seed, rho=0.0, n_anneal=0):
    """Metropolis sampling of the tree committee's Gibbs measure exp(-beta E); J updated in place.

    Returns (mean branch-averaged R, mean committee eps_g from the per-branch overlaps,
    mean training error per example, acceptance rate), averaged over the measured sweeps.
    """
    np.random.seed(seed)
    N, P = xiT.shape
    n = N // K
    h, votes = _committee_fields(xiT, J, K, n, False)
    E = _committee_errors(sigma, votes)
    R_sum = 0.0
    g_sum = 0.0
    e_sum = 0.0
    n_meas = 0
    acc = 0
    eps_k = np.empty(K)
    b0 = min(1.0, beta)
    for sweep in range(n_anneal + n_burn + n_sweeps):
        b = b0 + (beta - b0) * (sweep + 1) / n_anneal if sweep < n_anneal else beta
        E, a = _metropolis_sweep(xiT, sigma, J, h, votes, E, n, False, b, ising, rho)
        acc += a
        if sweep >= n_anneal + n_burn:
            R = _branch_overlaps(J, B, K)
            for kk in range(K):
                eps_k[kk] = math.acos(max(-1.0, min(1.0, R[kk]))) / math.pi
            R_sum += R.mean()
            g_sum += _majority_error(eps_k)
            e_sum += E / P
            n_meas += 1
    m = max(n_meas, 1)
    return R_sum / m, g_sum / m, e_sum / m, acc / max(N * (n_anneal + n_burn + n_sweeps), 1)


def tree_run(N, K, alpha, T, weights, seed, sweeps=None, burn=None, anneal=None):
    """One realisation (data + two replicas): R, q, eps_g, eps_t of Gibbs learning at temperature T > 0.

    Schedule: :func:`gibbs_schedule` (at T < 1 an anneal in beta from T = 1) unless given.
    """
    P = max(1, int(round(alpha * N)))
    ss = np.random.SeedSequence(seed)
    data_ss, r1_ss, r2_ss = ss.spawn(3)
    xiT, B, sigma = tree_data(N, K, P, weights, np.random.default_rng(data_ss))
    n_anneal, n_burn, n_sweeps = gibbs_schedule(T, weights, sweeps, burn, anneal, N)
    Rs, gs, es, Js = [], [], [], []
    for rs in (r1_ss, r2_ss):
        r_rng = np.random.default_rng(rs)
        kseed = int(rs.generate_state(1)[0] % (2**31 - 1))
        J = r_rng.choice(np.array([-1.0, 1.0]), size=N) if weights == "ising" else r_rng.standard_normal(N)
        R, g, e, _ = tree_metropolis(xiT, sigma, B, J, K, 1.0 / T, weights == "ising", n_sweeps, n_burn, kseed,
                                     0.0, n_anneal)
        Rs.append(R)
        gs.append(g)
        es.append(e)
        Js.append(J)
    qk = _branch_overlaps(Js[0], Js[1], K)
    return {"R": float(np.mean(Rs)), "q": float(np.mean(qk)), "eps_g": float(np.mean(gs)),
            "eps_t": float(np.mean(es))}


def _check_committee(K, alpha, T, weights):
    """The parameters both committee samplers share: odd K <= 7, alpha > 0, T > 0, the weight kind."""
    K = int(check_number("K", K, lo=1, hi=7, integer=True))
    if K % 2 == 0:
        raise ParamError(f"K={K} is not allowed; use an odd K")
    alpha = check_number("alpha", alpha, lo=0.0, lo_open=True)
    T = check_number("T", T, lo=0.0, lo_open=True)
    weights = check_choice("weights", weights, ("spherical", "ising"))
    return K, alpha, T, weights


def simulate_tree(K=3, alpha=1.0, T=1.0, weights="spherical", arch="tree", N=120, seeds=8, seed=0,
                  sweeps=None, burn=None, anneal=None, progress=False):
    """Metropolis Monte Carlo of the tree committee over independent seeds (a Measurement).

    Temperature T > 0 only (no T = 0 sampler for committees); N must be a multiple of K.
    """
    K, alpha, T, weights = _check_committee(K, alpha, T, weights)
    check_choice("arch", arch, ("tree",))
    N = int(check_number("N", N, lo=K, integer=True))
    if N % K:
        raise ParamError(f"N={N} must be a multiple of K={K}")
    params = {"K": K, "alpha": alpha, "T": T, "weights": weights, "arch": arch}
    return over_seeds(lambda s: tree_run(N, K, alpha, T, weights, s, sweeps, burn, anneal), model="committee.gibbs",
                      params=params, N=N, seeds=seeds, seed=seed, progress=progress)


# ----------------------------------------------------------------------------
# The fully connected committee machine
# ----------------------------------------------------------------------------

def fully_data(N: int, K: int, P: int, weights: str, rng: np.random.Generator):
    """Gaussian inputs ``xiT`` (N x P), a fully connected teacher ``B`` (K units of N weights, flat, unit k
    at ``B[k N:(k+1) N]``) and its labels ``sign(sum_k sign(B_k . xi / sqrt N))``."""
    xiT = rng.standard_normal((N, P))
    B = rng.choice(np.array([-1.0, 1.0]), size=K * N) if weights == "ising" else rng.standard_normal(K * N)
    h = B.reshape(K, N) @ xiT
    votes = np.where(h > 0, 1.0, -1.0).sum(axis=0)
    return xiT, B, np.where(votes > 0, 1.0, -1.0)


@njit(cache=True)
def _unit_overlaps(A, C, K):
    """Normalised overlaps ``A_k . C_l / (|A_k| |C_l|)`` of the K units of two flat weight vectors (K x K)."""
    N = A.shape[0] // K
    out = np.empty((K, K))
    na = np.empty(K)
    nc = np.empty(K)
    for k in range(K):
        sa = 0.0
        sc = 0.0
        for i in range(k * N, (k + 1) * N):
            sa += A[i] * A[i]
            sc += C[i] * C[i]
        na[k] = math.sqrt(sa)
        nc[k] = math.sqrt(sc)
    for k in range(K):
        for l in range(K):
            s = 0.0
            for i in range(N):
                s += A[k * N + i] * C[l * N + i]
            out[k, l] = s / (na[k] * nc[l])
    return out


@njit(cache=True)
def _cholesky_psd(C):
    """Lower Cholesky factor of a positive semi-definite matrix (non-positive pivots set to 0)."""
    n = C.shape[0]
    L = np.zeros((n, n))
    for j in range(n):
        s = C[j, j]
        for m in range(j):
            s -= L[j, m] * L[j, m]
        if s <= 1e-14:
            continue
        L[j, j] = math.sqrt(s)
        for i in range(j + 1, n):
            t = C[i, j]
            for m in range(j):
                t -= L[i, m] * L[j, m]
            L[i, j] = t / L[j, j]
    return L


@njit(cache=True)
def _committee_gen_error(S, R, Tt, Z):
    """Generalisation error of a committee given its unit overlaps, on the Gaussian test fields ``Z``.

    For Gaussian inputs the 2K hidden fields of student and teacher are jointly Gaussian with the
    normalised overlaps as covariance (student-student ``S``, student-teacher ``R``, teacher-teacher
    ``Tt``), so ``y = L z``, ``L L^T = cov``, over the rows z of ``Z`` is a fresh test set; returns the
    fraction of rows where the majority votes differ. K = 1: exactly ``arccos(R)/pi`` instead.
    """
    K = S.shape[0]
    if K == 1:
        return math.acos(max(-1.0, min(1.0, R[0, 0]))) / math.pi
    C = np.empty((2 * K, 2 * K))
    for k in range(K):
        for l in range(K):
            C[k, l] = S[k, l]
            C[K + k, K + l] = Tt[k, l]
            C[k, K + l] = R[k, l]
            C[K + l, k] = R[k, l]
    L = _cholesky_psd(C)
    wrong = 0
    for r in range(Z.shape[0]):
        vs = 0
        vt = 0
        for a in range(2 * K):
            y = 0.0
            for b in range(a + 1):
                y += L[a, b] * Z[r, b]
            if a < K:
                vs += 1 if y > 0.0 else -1
            else:
                vt += 1 if y > 0.0 else -1
        if (vs > 0) != (vt > 0):
            wrong += 1
    return wrong / Z.shape[0]


@njit(cache=True)
def fully_metropolis(xiT, sigma, B, J1, J2, K, beta, ising, n_anneal, n_burn, n_sweeps, every, Z, seed):
    """Two replicas of the fully connected committee sampled from exp(-beta E) on the same data.

    ``J1``, ``J2`` (flat, K units of N weights) are updated in place; each sweep is K N single-weight
    moves of replica 1 then of replica 2 (O(P) each). Beta rises linearly from min(1, beta) to beta
    over ``n_anneal`` sweeps, then ``n_burn`` sweeps at beta are discarded and ``n_sweeps`` measured.
    Returns the averages over measured sweeps of the raw K x K overlap matrices (replica 1 with the
    teacher, replica 2 with the teacher, replica 1 with replica 2), the committee generalisation error
    (both replicas, every ``every`` sweeps, :func:`_committee_gen_error`), the training error per
    example (both replicas) and the acceptance rate.
    """
    np.random.seed(seed)
    N, P = xiT.shape
    h1, v1 = _committee_fields(xiT, J1, K, N, True)
    h2, v2 = _committee_fields(xiT, J2, K, N, True)
    E1 = _committee_errors(sigma, v1)
    E2 = _committee_errors(sigma, v2)
    Tt = _unit_overlaps(B, B, K)
    R1 = np.zeros((K, K))
    R2 = np.zeros((K, K))
    Q12 = np.zeros((K, K))
    g_sum = 0.0
    n_g = 0
    e_sum = 0.0
    n_meas = 0
    acc = 0
    b0 = min(1.0, beta)
    for sweep in range(n_anneal + n_burn + n_sweeps):
        b = b0 + (beta - b0) * (sweep + 1) / n_anneal if sweep < n_anneal else beta
        E1, a1 = _metropolis_sweep(xiT, sigma, J1, h1, v1, E1, N, True, b, ising)
        E2, a2 = _metropolis_sweep(xiT, sigma, J2, h2, v2, E2, N, True, b, ising)
        acc += a1 + a2
        m = sweep - n_anneal - n_burn
        if m >= 0:
            r1 = _unit_overlaps(J1, B, K)
            r2 = _unit_overlaps(J2, B, K)
            R1 += r1
            R2 += r2
            Q12 += _unit_overlaps(J1, J2, K)
            e_sum += 0.5 * (E1 + E2) / P
            n_meas += 1
            if m % every == 0:
                g_sum += 0.5 * (_committee_gen_error(_unit_overlaps(J1, J1, K), r1, Tt, Z)
                                + _committee_gen_error(_unit_overlaps(J2, J2, K), r2, Tt, Z))
                n_g += 1
    nm = max(n_meas, 1)
    return (R1 / nm, R2 / nm, Q12 / nm, g_sum / max(n_g, 1), e_sum / nm,
            acc / max(2 * J1.shape[0] * (n_anneal + n_burn + n_sweeps), 1))


def matched_diagonal(M):
    """Mean diagonal and mean off-diagonal of ``M[:, perm]`` for the column permutation maximising the trace.

    Hidden units of a committee are interchangeable, so a student's unit k is matched to the teacher
    unit (or the other replica's unit) it overlaps most with, jointly over all units (K! permutations).
    K = 1: (M[0, 0], None).
    """
    K = M.shape[0]
    if K == 1:
        return float(M[0, 0]), None
    from itertools import permutations

    best = max(permutations(range(K)), key=lambda p: sum(M[k, p[k]] for k in range(K)))
    Mp = M[:, list(best)]
    diag = float(np.trace(Mp)) / K
    return diag, float((Mp.sum() - np.trace(Mp)) / (K * (K - 1)))


def gibbs_schedule(T, weights, sweeps=None, burn=None, anneal=None, n_weights=60):
    """Default Monte Carlo schedule (anneal, burn, measured sweeps) at temperature T for ``n_weights`` weights.

    T >= 1: no anneal, 300 burn-in and 300 measured sweeps (as the perceptron sampler). T < 1:
    a linear anneal in beta from T = 1 of :func:`replicon.simulate.perceptron.ising_anneal_sweeps`
    (300/T^1.5 sweeps) times ``max(1, n_weights/60)``, at most 20000, then 300 burn-in and 1000
    measured sweeps. The factor in n_weights is measured, not derived: for the spherical tree
    committee (K = 3, alpha = 3, T = 0.5, 12 seeds) the relaxation time of R grows about linearly
    with N; after an 848-sweep anneal + 300 burn-in R was 0.733 +- 0.008 at N = 120 but 0.719 +- 0.007
    at N = 240, where 3000 + 1000 gave 0.733 +- 0.007 and 8000 + 2000 gave 0.748 +- 0.006 (RS theory,
    N = infinity: 0.736). Without an anneal, 1148 sweeps at T = 0.5 left R at 0.42 at N = 480.
    """
    from ..perceptron import ising_anneal_sweeps

    low = T < 1
    if anneal is None:
        anneal = min(20000, int(ising_anneal_sweeps(T) * max(1.0, n_weights / 60.0))) if low else 0
    if burn is None:
        burn = 300
    if sweeps is None:
        sweeps = 1000 if low else 300
    return int(anneal), int(burn), int(sweeps)


def fully_run_on(xiT, sigma, B, K, T, weights, seed, sweeps=None, burn=None, anneal=None, n_test=4000, every=10):
    """Two replicas of Gibbs learning on a given data set (fully connected committee): raw and summarised overlaps.

    Returns ``R`` (K x K, student unit k with teacher unit l, both replicas averaged), ``q``
    (replica 1 unit k with replica 2 unit l) and the summaries of :func:`fully_run`.
    """
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    r_rng = np.random.default_rng(ss)
    N = xiT.shape[0]
    ising = weights == "ising"
    J1, J2 = ((r_rng.choice(np.array([-1.0, 1.0]), size=K * N) if ising else r_rng.standard_normal(K * N))
              for _ in range(2))
    Z = r_rng.standard_normal((n_test, 2 * K))
    kseed = int(ss.generate_state(1)[0] % (2**31 - 1))
    n_anneal, n_burn, n_sweeps = gibbs_schedule(T, weights, sweeps, burn, anneal, K * N)
    R1, R2, Q, g, e, acc = fully_metropolis(xiT, sigma, B, J1, J2, K, 1.0 / T, ising, n_anneal, n_burn, n_sweeps,
                                            every, Z, kseed)
    out = {"R": 0.5 * (R1 + R2), "q": Q, "eps_g": float(g), "eps_t": float(e), "acceptance": float(acc)}
    d1, a1 = matched_diagonal(R1)
    d2, a2 = matched_diagonal(R2)
    qd, qa = matched_diagonal(Q)
    out["R_d"], out["q_d"] = 0.5 * (d1 + d2), qd
    if K > 1:
        out["R_a"], out["q_a"] = 0.5 * (a1 + a2), qa
    return out


def fully_run(N, K, alpha, T, weights, seed, sweeps=None, burn=None, anneal=None):
    """One realisation (data + two replicas) of Gibbs learning in the fully connected committee.

    Observables: ``R_d``, ``R_a`` (mean diagonal / off-diagonal of the student-teacher overlap matrix
    after the best permutation of student units, per replica, then averaged over the two replicas),
    ``q_d``, ``q_a`` (the same for the replica-replica matrix), ``eps_g`` (committee generalisation
    error on fresh Gaussian inputs, through the overlaps), ``eps_t`` (training error per example).
    K = 1 reports no ``R_a``, ``q_a``. In the unspecialised (permutation-symmetric) phase the best
    permutation picks the largest of K! noisy traces, so at finite N ``R_d - R_a`` (and
    ``q_d - q_a``) is biased upwards by O(1/sqrt N); ``(R_d + (K-1) R_a)/K``, the mean of all entries,
    is permutation-invariant and unbiased.
    """
    P = max(1, int(round(alpha * N)))
    data_ss, run_ss = np.random.SeedSequence(seed).spawn(2)
    xiT, B, sigma = fully_data(N, K, P, weights, np.random.default_rng(data_ss))
    r = fully_run_on(xiT, sigma, B, K, T, weights, run_ss, sweeps, burn, anneal)
    return {k: v for k, v in r.items() if k not in ("R", "q", "acceptance")}


def simulate_fully(K=3, alpha=1.0, T=1.0, weights="spherical", N=60, seeds=8, seed=0, sweeps=None, burn=None,
                   anneal=None, progress=False):
    """Metropolis Monte Carlo of Gibbs learning in the fully connected committee machine (a Measurement).

    K (odd) sign hidden units each see all N inputs, ``h_k = J_k . xi / sqrt N``, output
    ``sign(sum_k sign(h_k))``; teacher of the same architecture; energy = number of training errors,
    Gibbs measure ``exp(-E/T)``, T > 0; Ising (``J = +-1``) or spherical weights (Gaussian
    proposals, as for the tree). **alpha = P/N with N the input dimension** (the student has K N
    weights, so examples per weight are alpha/K). Two replicas on the same data. Observables:
    see :func:`fully_run`. Schedule: :func:`gibbs_schedule` unless sweeps/burn/anneal are given.
    """
    K, alpha, T, weights = _check_committee(K, alpha, T, weights)
    N = int(check_number("N", N, lo=2, integer=True))
    params = {"K": K, "alpha": alpha, "T": T, "weights": weights, "arch": "fully"}
    return over_seeds(lambda s: fully_run(N, K, alpha, T, weights, s, sweeps, burn, anneal), model="committee.gibbs",
                      params=params, N=N, seeds=seeds, seed=seed, progress=progress)
