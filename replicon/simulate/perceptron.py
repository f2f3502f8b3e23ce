"""Finite-N simulations of the perceptron: teacher-student data, Gibbs sampling, learning rules.

Kernels are pure numba functions over arrays (``@njit(cache=True)``); inputs
are stored transposed, ``xiT[i, mu]``, so that the O(P) update after changing
weight ``i`` reads one contiguous row. Local fields ``h_mu = J.xi_mu/sqrt N``
are kept up to date incrementally: a Monte Carlo move costs O(P), not O(NP).

Samplers
--------
* Ising weights, temperature T: Metropolis single-spin flips over the number of
  training errors, with an optional linear anneal in beta from T = 1 (for
  low T), two independent replicas (same data) so that q is measured.
* Spherical weights, T = 0: exact Gibbs sampling of an isotropic Gaussian
  restricted to the version cone (each coordinate redrawn from its truncated
  normal conditional: coordinate hit-and-run). The direction of a Gaussian
  vector restricted to a cone is uniform on the cone's part of the sphere,
  which is Gibbs learning's T = 0 measure.
* Spherical weights, T > 0: Metropolis with independent N(0,1) proposals per
  coordinate; the Gaussian radial factor leaves the direction distributed as
  ``exp(-E/T)`` on the sphere.
Observables use normalised overlaps ``R = J.B/(|J||B|)``, ``q = J1.J2/(|J1||J2|)``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .._util import ParamError, check_choice, check_number
from .measurement import over_seeds

# ----------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------


def teacher_student_data(N: int, P: int, weights: str, rng: np.random.Generator):
    """Gaussian inputs ``xiT`` (N x P), teacher ``B`` (|B|^2 = N or +-1) and labels ``sign(B.xi)``."""
    xiT = rng.standard_normal((N, P))
    if weights == "ising":
        B = rng.choice(np.array([-1.0, 1.0]), size=N)
    else:
        B = rng.standard_normal(N)
        B *= math.sqrt(N) / np.linalg.norm(B)
    u = B @ xiT / math.sqrt(N)
    sigma = np.where(u >= 0, 1.0, -1.0)
    return xiT, B, sigma


# ----------------------------------------------------------------------------
# numba kernels
# ----------------------------------------------------------------------------


@njit(cache=True)
def _seed(s):
    np.random.seed(s)


@njit(cache=True)
def _fields(J, xiT):
    N, P = xiT.shape
    h = np.zeros(P)
    for i in range(N):
        ji = J[i]
        for mu in range(P):
            h[mu] += ji * xiT[i, mu]
    return h / math.sqrt(N)


@njit(cache=True)
def _errors(h, sigma):
    e = 0
    for mu in range(h.shape[0]):
        if sigma[mu] * h[mu] <= 0.0:
            e += 1
    return e


@njit(cache=True)
def ising_metropolis(xiT, sigma, B, J, beta, n_anneal, n_sweeps, n_measure_every, seed):
    """Metropolis on Ising weights with energy = number of training errors.

    ``J`` (float array of +-1) is updated in place. Beta rises linearly from
    min(1, beta) over ``n_anneal`` sweeps, then ``n_sweeps`` sweeps at ``beta``
    (``beta = inf`` only accepts moves that do not add errors). Returns the
    sample averages over measured sweeps of ``R`` and ``eps_t``, the flip
    acceptance rate, and the final J is left in ``J``.
    """
    np.random.seed(seed)
    N, P = xiT.shape
    sq = math.sqrt(N)
    h = _fields(J, xiT)
    E = _errors(h, sigma)
    R_sum = 0.0
    e_sum = 0.0
    n_meas = 0
    acc = 0
    tries = 0
    total = n_anneal + n_sweeps
    b0 = min(1.0, beta)
    for sweep in range(total):
        if sweep < n_anneal:
            b = b0 + (beta - b0) * (sweep + 1) / n_anneal if math.isfinite(beta) else b0 * 10.0 ** (4.0 * (sweep + 1) / n_anneal)
        else:
            b = beta
        for _ in range(N):
            i = np.random.randint(N)
            d = -2.0 * J[i] / sq
            dE = 0
            for mu in range(P):
                hn = h[mu] + d * xiT[i, mu]
                dE += (sigma[mu] * hn <= 0.0) - (sigma[mu] * h[mu] <= 0.0)
            tries += 1
            if dE <= 0 or (math.isfinite(b) and np.random.random() < math.exp(-b * dE)):
                for mu in range(P):
                    h[mu] += d * xiT[i, mu]
                J[i] = -J[i]
                E += dE
                acc += 1
        if sweep >= n_anneal and (sweep - n_anneal) % n_measure_every == 0:
            R_sum += np.dot(J, B) / N
            e_sum += E / P
            n_meas += 1
    return R_sum / max(n_meas, 1), e_sum / max(n_meas, 1), acc / max(tries, 1)


@njit(cache=True)
def _truncnorm(lo, hi):
    """A standard normal variate conditioned on lo < x < hi (Robert 1995 rejection samplers)."""
    if lo >= hi:
        return 0.5 * (lo + hi)
    flip = False
    if hi <= 0.0:  # mirror to the positive side
        lo, hi = -hi, -lo
        flip = True
    if lo <= 0.0 <= hi:
        # interval contains 0: plain rejection from N(0,1) if wide, uniform otherwise
        if hi - lo > 2.0:
            while True:
                x = np.random.standard_normal()
                if lo < x < hi:
                    break
        else:
            while True:
                x = lo + (hi - lo) * np.random.random()
                if np.random.random() < math.exp(-0.5 * x * x):
                    break
    else:
        # 0 < lo < hi
        a = lo
        lam = 0.5 * (a + math.sqrt(a * a + 4.0))
        if hi - a < 1.0 / lam:  # narrow window: uniform proposal
            while True:
                x = a + (hi - a) * np.random.random()
                if np.random.random() < math.exp(0.5 * (a * a - x * x)):
                    break
        else:  # exponential proposal (rejects beyond hi)
            while True:
                x = a - math.log(1.0 - np.random.random()) / lam
                if x < hi and np.random.random() < math.exp(-0.5 * (x - lam) ** 2):
                    break
    return -x if flip else x


@njit(cache=True)
def spherical_version_space(xiT, sigma, B, J, n_sweeps, n_burn, seed):
    """Exact Gibbs sampling of N(0, I) restricted to the version cone {J: sigma_mu J.xi_mu > 0}.

    ``J`` must start inside the cone; it is updated in place. Returns the
    average normalised overlap with the teacher over the measured sweeps.
    """
    np.random.seed(seed)
    N, P = xiT.shape
    sq = math.sqrt(N)
    h = _fields(J, xiT)
    nB = math.sqrt(np.dot(B, B))
    R_sum = 0.0
    n_meas = 0
    for sweep in range(n_burn + n_sweeps):
        for _ in range(N):
            i = np.random.randint(N)
            lo = -np.inf
            hi = np.inf
            ji = J[i]
            for mu in range(P):
                a = sigma[mu] * xiT[i, mu] / sq
                b = sigma[mu] * (h[mu] - ji * xiT[i, mu] / sq)
                if a > 0.0:
                    t = -b / a
                    if t > lo:
                        lo = t
                elif a < 0.0:
                    t = -b / a
                    if t < hi:
                        hi = t
            jn = _truncnorm(lo, hi)
            d = (jn - ji) / sq
            for mu in range(P):
                h[mu] += d * xiT[i, mu]
            J[i] = jn
        if sweep >= n_burn:
            R_sum += np.dot(J, B) / (math.sqrt(np.dot(J, J)) * nB)
            n_meas += 1
    return R_sum / max(n_meas, 1)


@njit(cache=True)
def spherical_metropolis(xiT, sigma, B, J, beta, n_sweeps, n_burn, seed):
    """Metropolis at temperature 1/beta for spherical weights (independent Gaussian proposals).

    Returns (average R, average training error per example, acceptance rate).
    """
    np.random.seed(seed)
    N, P = xiT.shape
    sq = math.sqrt(N)
    h = _fields(J, xiT)
    E = _errors(h, sigma)
    nB = math.sqrt(np.dot(B, B))
    R_sum = 0.0
    e_sum = 0.0
    n_meas = 0
    acc = 0
    tries = 0
    for sweep in range(n_burn + n_sweeps):
        for _ in range(N):
            i = np.random.randint(N)
            jn = np.random.standard_normal()
            d = (jn - J[i]) / sq
            dE = 0
            for mu in range(P):
                hn = h[mu] + d * xiT[i, mu]
                dE += (sigma[mu] * hn <= 0.0) - (sigma[mu] * h[mu] <= 0.0)
            tries += 1
            if dE <= 0 or np.random.random() < math.exp(-beta * dE):
                for mu in range(P):
                    h[mu] += d * xiT[i, mu]
                J[i] = jn
                E += dE
                acc += 1
        if sweep >= n_burn:
            R_sum += np.dot(J, B) / (math.sqrt(np.dot(J, J)) * nB)
            e_sum += E / P
            n_meas += 1
    return R_sum / max(n_meas, 1), e_sum / max(n_meas, 1), acc / max(tries, 1)


@njit(cache=True)
def perceptron_rule(xiT, sigma, J, max_epochs):
    """Rosenblatt's perceptron rule, cyclic, until no training errors (or max_epochs). Returns epochs used."""
    N, P = xiT.shape
    for epoch in range(max_epochs):
        errors = 0
        for mu in range(P):
            h = 0.0
            for i in range(N):
                h += J[i] * xiT[i, mu]
            if sigma[mu] * h <= 0.0:
                errors += 1
                for i in range(N):
                    J[i] += sigma[mu] * xiT[i, mu] / math.sqrt(N)
        if errors == 0:
            return epoch + 1
    return max_epochs


@njit(cache=True)
def adatron(xiT, sigma, max_epochs, tol):
    """AdaTron (Anlauf & Biehl 1989): the maximal-stability perceptron via the dual embedding strengths.

    Returns the weights J = sum_mu x_mu sigma_mu xi_mu / sqrt N with x_mu >= 0
    maximising the minimal stability. Stops when the largest change of an
    embedding strength in an epoch is below ``tol``.
    """
    N, P = xiT.shape
    sq = math.sqrt(N)
    x = np.zeros(P)
    J = np.zeros(N)
    # C_mu,nu = sigma_mu sigma_nu xi_mu.xi_nu / N, used through the fields
    norms = np.zeros(P)
    for mu in range(P):
        s = 0.0
        for i in range(N):
            s += xiT[i, mu] * xiT[i, mu]
        norms[mu] = s / N
    for epoch in range(max_epochs):
        dmax = 0.0
        for mu in range(P):
            h = 0.0
            for i in range(N):
                h += J[i] * xiT[i, mu]
            E = sigma[mu] * h / sq
            dx = (1.0 - E) / norms[mu]
            xn = x[mu] + dx
            if xn < 0.0:
                xn = 0.0
            d = xn - x[mu]
            if d != 0.0:
                for i in range(N):
                    J[i] += d * sigma[mu] * xiT[i, mu] / sq
                x[mu] = xn
                if abs(d) > dmax:
                    dmax = abs(d)
        if dmax < tol:
            break
    return J


# ----------------------------------------------------------------------------
# drivers
# ----------------------------------------------------------------------------


def _overlap(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def _initial_solution(xiT, sigma, rng):
    """A random point strictly inside the version space (perceptron rule from a random start)."""
    N = xiT.shape[0]
    J = rng.standard_normal(N)
    epochs = perceptron_rule(xiT, sigma, J, 100000)
    if epochs >= 100000:
        raise RuntimeError("perceptron rule did not separate the training set")
    J *= math.sqrt(N) / np.linalg.norm(J)
    return J


def ising_anneal_sweeps(T):
    """Default annealing length (sweeps from T = 1 down to T) for Ising weights.

    Relaxation slows down as T falls (the Ising version space is glassy): 300
    sweeps suffice at T >= 1, ~3400 are needed at T = 0.2 (measured: with 300
    the training error stayed 4x above equilibrium). ``300 / T^1.5``, at most 20000.
    """
    if T >= 1:
        return 300
    return int(min(20000, 300.0 / max(T, 1e-9) ** 1.5))


def _prior_draw(N, weights, rng):
    """A weight vector from the prior: uniform on the sphere |J|^2 = N, or uniform Ising spins."""
    if weights == "ising":
        return rng.choice(np.array([-1.0, 1.0]), size=N)
    J = rng.standard_normal(N)
    return J * math.sqrt(N) / np.linalg.norm(J)


def teacher_student_run(N, alpha, T, weights, seed, sweeps=None, burn=None):
    """One realisation of Gibbs learning: returns R, q, eps_g (Gibbs and Bayes), eps_t.

    Two replicas sample the same data; ``R`` is the average of both replicas'
    overlaps with the teacher and ``q`` their mutual overlap at the end of the run
    (after equilibration; the final configurations are independent samples).
    """
    N = int(N)
    P = 0 if alpha == 0 else max(1, int(round(alpha * N)))
    ss = np.random.SeedSequence(seed)
    data_ss, r1_ss, r2_ss = ss.spawn(3)
    rng = np.random.default_rng(data_ss)
    xiT, B, sigma = teacher_student_data(N, P, weights, rng)
    if P == 0:   # no data: the Gibbs measure is the prior; two independent draws from it
        Js = [_prior_draw(N, weights, np.random.default_rng(rs)) for rs in (r1_ss, r2_ss)]
        R = float(np.mean([_overlap(J, B) for J in Js]))
        q = _overlap(Js[0], Js[1])
        eps_g = math.acos(max(-1.0, min(1.0, R))) / math.pi
        # the centre of mass of the prior is J = 0: the Bayes student guesses, eps = 1/2
        return {"R": R, "q": q, "eps_g_gibbs": eps_g, "eps_g_bayes": 0.5, "eps_t": 0.0}
    beta = math.inf if T == 0 else 1.0 / T
    out_J, R_avg, e_avg = [], [], []
    for rs in (r1_ss, r2_ss):
        r_rng = np.random.default_rng(rs)
        kseed = int(rs.generate_state(1)[0] % (2**31 - 1))
        if weights == "ising":
            J = r_rng.choice(np.array([-1.0, 1.0]), size=N)
            n_burn = burn if burn is not None else ising_anneal_sweeps(T)
            n_sw = sweeps if sweeps is not None else (300 if T >= 1 else 1000)
            R, e, _ = ising_metropolis(xiT, sigma, B, J, beta, n_burn, n_sw, 1, kseed)
        elif T == 0:
            J = _initial_solution(xiT, sigma, r_rng)
            n_burn = burn if burn is not None else 200
            n_sw = sweeps if sweeps is not None else 200
            R = spherical_version_space(xiT, sigma, B, J, n_sw, n_burn, kseed)
            e = 0.0
        else:
            J = r_rng.standard_normal(N)
            n_burn = burn if burn is not None else 300
            n_sw = sweeps if sweeps is not None else 300
            R, e, _ = spherical_metropolis(xiT, sigma, B, J, beta, n_sw, n_burn, kseed)
        out_J.append(J)
        R_avg.append(R)
        e_avg.append(e)
    R = float(np.mean(R_avg))
    q = _overlap(out_J[0], out_J[1])
    eps_g = math.acos(max(-1.0, min(1.0, R))) / math.pi
    rb = R / math.sqrt(q) if q > 0 else 0.0
    eps_b = math.acos(max(-1.0, min(1.0, rb))) / math.pi
    return {"R": R, "q": q, "eps_g_gibbs": eps_g, "eps_g_bayes": eps_b, "eps_t": float(np.mean(e_avg))}


def simulate_teacher(alpha=1.0, T=0.0, weights="spherical", student="gibbs", N=100, seeds=8, seed=0,
                     sweeps=None, burn=None, progress=False):
    """Monte Carlo of teacher-student Gibbs learning over independent seeds (a Measurement).

    Observables: ``R``, ``q``, ``eps_g`` (of the chosen student), ``eps_g_gibbs``,
    ``eps_g_bayes`` (``arccos(R/sqrt q)/pi``, the centre of mass), ``eps_t``.
    """
    alpha = check_number("alpha", alpha, lo=0.0)
    T = check_number("T", T, lo=0.0)
    weights = check_choice("weights", weights, ("spherical", "ising"))
    student = check_choice("student", student, ("gibbs", "bayes"))
    N = int(check_number("N", N, lo=2, integer=True))

    def one(s):
        r = teacher_student_run(N, alpha, T, weights, s, sweeps, burn)
        r["eps_g"] = r["eps_g_gibbs"] if student == "gibbs" else r["eps_g_bayes"]
        return r

    params = {"alpha": alpha, "T": T, "weights": weights, "student": student}
    return over_seeds(one, model="perceptron.teacher", params=params, N=N, seeds=seeds, seed=seed,
                      progress=progress)


def learning_rule_run(N, alpha, rule, seed):
    """One realisation of a learning rule on teacher-student data: returns R and eps_g.

    Without data (alpha = 0) every rule leaves J = 0: R = 0, eps_g = 1/2."""
    P = 0 if alpha == 0 else max(1, int(round(alpha * N)))
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    xiT, B, sigma = teacher_student_data(int(N), P, "spherical", rng)
    if P == 0:
        return {"R": 0.0, "eps_g": 0.5}
    if rule == "hebb":
        J = xiT @ sigma / math.sqrt(N)
    elif rule == "perceptron":
        J = np.zeros(int(N))
        perceptron_rule(xiT, sigma, J, 100000)
    elif rule == "adatron":
        J = adatron(xiT, sigma, 100000, 1e-8)
    else:
        raise ParamError(f"rule={rule!r} is not allowed; choose one of: hebb, perceptron, adatron")
    R = _overlap(J, B)
    return {"R": R, "eps_g": math.acos(max(-1.0, min(1.0, R))) / math.pi}


def simulate_rule(alpha=1.0, rule="hebb", N=200, seeds=8, seed=0, progress=False):
    """Batch learning rules (Hebb, perceptron rule, AdaTron/maximal stability) over seeds."""
    alpha = check_number("alpha", alpha, lo=0.0)
    rule = check_choice("rule", rule, ("hebb", "perceptron", "adatron"))
    return over_seeds(lambda s: learning_rule_run(int(N), alpha, rule, s), model="perceptron.rule",
                      params={"alpha": alpha, "rule": rule}, N=int(N), seeds=seeds, seed=seed,
                      progress=progress)
