r"""What is measured around a weight vector found by a protocol: flatness and local entropy.

Flatness (binary weights). For each distance ``d`` of a grid, ``n_pert`` perturbations each flip
``D = round(d N)`` weights chosen uniformly (a uniform point of the Hamming sphere of radius ``D``
around ``W``); ``flatness(d)`` is their mean training-error fraction (errors at margin kappa / P)
and ``solution_fraction(d)`` the fraction of them that are still solutions, an unbiased estimate of
``N_sol(D) / C(N, D)`` with the binomial error ``sqrt(f (1 - f) / n_pert)``. At ``d = 0`` the
flatness of a solution is exactly 0. One perturbation costs O(D P) from the stored fields.

Local entropy (binary weights). The log-number per weight of (near-)solutions at Hamming distance
exactly ``D = round(d N)`` from ``W``,

    S(d) = (1/N) ln sum_{W' : |W' - W|_H = D} exp(-beta_max E(W')),   E = training errors at kappa,

estimated by population annealing at fixed distance (Hukushima & Iba 2003; Machta, PRE 82, 026704
(2010)): ``population`` configurations start from exact uniform draws on the Hamming sphere (beta =
0, where the sum is ``C(N, D)``); beta rises to ``beta_max`` in ``steps`` steps (``beta_k = beta_max
(k/K)^2``); at each step the population is reweighted by ``exp(-(beta_k - beta_{k-1}) E)``
(``ln Z`` gains ``ln`` of the mean weight), resampled, and moved by ``sweeps`` sweeps of ``N``
Metropolis pair moves that flip one of the ``D`` flipped weights back and another one away (the
distance stays ``D``; O(P) a move). ``runs`` independent populations give the mean and its standard
error (statistical only: a too fast annealing biases ``S`` low, docs/landscape.md measures this by
doubling the effort). Single-flip Monte Carlo started at the solution with a coupling to it (the
Legendre route) does not work at these sizes: with +-1 patterns every flip of a solution breaks
several patterns, and the chain never leaves it.

What it estimates: for ``beta_max -> infinity`` the local entropy (log-number of solutions at
distance ``d``) of Baldassi et al. (PRL 115, 128101 (2015)); at finite ``beta_max`` (default 10) an
upper bound on it that exceeds it by ``(1/N) ln(1 + sum_{E >= 1} N_E e^{-beta_max E} / N_sol)``:
O(1/N) where solutions at distance ``d`` are not exponentially rarer than configurations with a
few errors (a dense region); where they are (isolated solutions) ``S(d)`` is the local free
entropy at ``beta_max``. ``local_errors(d)`` (the final population's mean errors) and
``local_solved(d)`` (its fraction at zero errors) say which case it is. The constant
``ln C(N, D)/N`` (about ``H2(d)``) is the value if every configuration at distance ``d`` were a
solution. Continuous weights: flatness only (perturbations of norm ``d |w|``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy.special import gammaln

from .binary import fields, randint, rng_states, seed_sequence, uniform


@njit(cache=True)
def _count(h, thr):
    n = 0
    for mu in range(h.shape[0]):
        if h[mu] <= thr:
            n += 1
    return n


@njit(cache=True)
def flatness_kernel(X, thr, W, Ds, n_pert, state):
    """Mean error count and number of zero-error perturbations for each ``D`` in ``Ds`` (random
    flips of ``D`` distinct weights of ``W``; stream 0 of ``state``)."""
    N, P = X.shape
    h = fields(W, X)
    perm = np.arange(N)
    hp = np.empty(P)
    err = np.zeros(Ds.shape[0])
    sol = np.zeros(Ds.shape[0])
    for k in range(Ds.shape[0]):
        D = Ds[k]
        for _ in range(n_pert):
            for mu in range(P):
                hp[mu] = h[mu]
            for r in range(D):                      # partial Fisher-Yates: a uniform D-subset
                j = r + randint(state, 0, N - r)
                perm[r], perm[j] = perm[j], perm[r]
                i = perm[r]
                s = -2.0 * W[i]
                for mu in range(P):
                    hp[mu] += s * X[i, mu]
            n = _count(hp, thr)
            err[k] += n
            if n == 0:
                sol[k] += 1.0
        err[k] /= n_pert
        sol[k] /= n_pert
    return err, sol


def flatness(data, W, d_grid, n_pert: int = 100, seed=0):
    """``(flatness, solution_fraction)`` on ``d_grid`` around the binary weights ``W`` (module
    docstring)."""
    Ds = np.array([int(round(d * data.N)) for d in np.atleast_1d(d_grid)], dtype=np.int64)
    err, sol = flatness_kernel(data.X, data.thr, np.asarray(W, dtype=float), Ds, int(n_pert),
                               rng_states(seed, 1))
    return err / data.P, sol


@njit(cache=True)
def population_kernel(X, thr, Wref, D, betas, sweeps, R, state):
    """Population annealing (Hukushima & Iba 2003; Machta, PRE 82, 026704 (2010)) at Hamming distance
    ``D`` from ``Wref``, errors energy: ``R`` configurations start uniform on the Hamming sphere
    (beta = 0); at each ``beta_k`` they are reweighted by ``exp(-(beta_k - beta_{k-1}) E)``, resampled
    (systematic resampling, population size kept at ``R``) and moved by ``sweeps`` sweeps of ``N``
    Metropolis pair moves at ``beta_k``. Returns ``sum_k ln mean_r w_r`` (the estimate of
    ``ln Z(beta_K)/Z(0)``), the final mean error count and the final fraction at zero errors."""
    N, P = X.shape
    href = fields(Wref, X)
    W = np.empty((R, N))
    H = np.empty((R, P))
    order = np.empty((R, N), dtype=np.int64)
    E = np.zeros(R)
    for r in range(R):
        for i in range(N):
            W[r, i] = Wref[i]
            order[r, i] = i
        for mu in range(P):
            H[r, mu] = href[mu]
        for k in range(D):
            j = k + randint(state, 0, N - k)
            order[r, k], order[r, j] = order[r, j], order[r, k]
            i = order[r, k]
            s = -2.0 * W[r, i]
            for mu in range(P):
                H[r, mu] += s * X[i, mu]
            W[r, i] = -W[r, i]
        E[r] = _count(H[r], thr)
    logZ = 0.0
    b_prev = 0.0
    w = np.empty(R)
    W2 = np.empty((R, N))
    H2 = np.empty((R, P))
    O2 = np.empty((R, N), dtype=np.int64)
    E2 = np.empty(R)
    hn = np.empty(P)
    for k in range(betas.shape[0]):
        b = betas[k]
        db = b - b_prev
        b_prev = b
        emin = E.min()
        tot = 0.0
        for r in range(R):
            w[r] = math.exp(-db * (E[r] - emin))
            tot += w[r]
        logZ += -db * emin + math.log(tot / R)
        # systematic resampling
        u = uniform(state, 0) / R
        c = w[0] / tot
        j = 0
        for r in range(R):
            target = u + r / R
            while c < target and j < R - 1:
                j += 1
                c += w[j] / tot
            W2[r] = W[j]
            H2[r] = H[j]
            O2[r] = order[j]
            E2[r] = E[j]
        W, W2 = W2, W
        H, H2 = H2, H
        order, O2 = O2, order
        E, E2 = E2, E
        if D == 0 or D == N:
            continue
        for r in range(R):
            Hr = H[r]
            for _ in range(sweeps * N):
                p = randint(state, 0, D)
                q = D + randint(state, 0, N - D)
                i = order[r, p]
                j = order[r, q]
                si = -2.0 * W[r, i]
                sj = -2.0 * W[r, j]
                En = 0
                for mu in range(P):
                    v = Hr[mu] + si * X[i, mu] + sj * X[j, mu]
                    hn[mu] = v
                    if v <= thr:
                        En += 1
                dE = En - E[r]
                if dE <= 0 or uniform(state, 0) < math.exp(-b * dE):
                    for mu in range(P):
                        Hr[mu] = hn[mu]
                    W[r, i] = -W[r, i]
                    W[r, j] = -W[r, j]
                    order[r, p], order[r, q] = j, i
                    E[r] = En
    nz = 0.0
    for r in range(R):
        if E[r] == 0:
            nz += 1.0
    return logZ, E.mean(), nz / R


def log_binomial(N: int, D: int) -> float:
    return float(gammaln(N + 1) - gammaln(D + 1) - gammaln(N - D + 1))


def local_entropy(data, W, d_grid, population: int = 32, steps: int = 60, sweeps: int = 2,
                  beta_max: float = 10.0, runs: int = 2, seed=0):
    """Population-annealing estimate of the local entropy around the binary weights ``W`` on
    ``d_grid`` (module docstring). Returns a dict of arrays on ``d_grid``: ``entropy`` (the mean of
    ``runs`` independent populations), ``error`` (their standard error), ``errors`` (the final mean
    error count), ``solved`` (the final fraction of the population at zero errors) and
    ``binary_entropy`` (``ln C(N, D) / N``, the value if every configuration were a solution)."""
    N = data.N
    K = int(steps)
    betas = float(beta_max) * (np.arange(1, K + 1) / K) ** 2
    d_grid = np.atleast_1d(np.asarray(d_grid, dtype=float))
    out = {k: np.zeros(d_grid.size) for k in ("entropy", "error", "errors", "solved", "binary_entropy")}
    kids = seed_sequence(seed).spawn(d_grid.size)
    W = np.asarray(W, dtype=float)
    for n, d in enumerate(d_grid):
        D = int(round(d * N))
        lb = log_binomial(N, D)
        res = [population_kernel(data.X, data.thr, W, D, betas, int(sweeps), int(population), rng_states(k, 1))
               for k in kids[n].spawn(int(runs))]
        S = np.array([(lb + r[0]) / N for r in res])
        out["entropy"][n] = float(S.mean())
        out["error"][n] = float(S.std(ddof=1) / math.sqrt(len(S))) if len(S) > 1 else math.inf
        out["errors"][n] = float(np.mean([r[1] for r in res]))
        out["solved"][n] = float(np.mean([r[2] for r in res]))
        out["binary_entropy"][n] = lb / N
    return out


def flatness_continuous(X, kappa, w, d_grid, n_pert: int = 100, seed=0):
    """Continuous weights: mean training-error fraction and the fraction of perturbations still at
    zero errors, for perturbations ``w' = w + d |w| z/|z|`` (z standard Gaussian) on ``d_grid``; a
    pattern is an error when its stability ``w'.X_mu / |w'| <= kappa``."""
    rng = np.random.default_rng(seed)
    N, P = X.shape
    w = np.asarray(w, dtype=float)
    nw = float(np.linalg.norm(w))
    d_grid = np.atleast_1d(np.asarray(d_grid, dtype=float))
    err = np.zeros(d_grid.size)
    sol = np.zeros(d_grid.size)
    for k, d in enumerate(d_grid):
        z = rng.standard_normal((int(n_pert), N))
        z *= (d * nw / np.linalg.norm(z, axis=1))[:, None]
        wp = w[None, :] + z
        n = np.sum(wp @ X <= kappa * np.linalg.norm(wp, axis=1)[:, None], axis=1)
        err[k] = float(np.mean(n)) / P
        sol[k] = float(np.mean(n == 0))
    return err, sol
