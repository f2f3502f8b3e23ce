"""Two-time DMFT of any smooth loss by sampling the effective example (numba forward sweep).

The equations are those of :mod:`replicon.theory.dmft.gaussian` with the selection variable
s(k) of (persistent) SGD in the effective example, g(k) = s(k) loss'(y, h(k)):

- the fields (z, omega(0..k)) are drawn from their joint Gaussian law, row by row (a
  Cholesky factor extended by one row per step: C(k, .) and m(k) are known at step k);
- the memory kernel Gamma(k, s) = alpha E[s(k) loss''(h(k)) dh(k)/domega(s)], where the
  sensitivity dh(k)/domega(s) of each sample is propagated backwards through
  h(i) = omega(i) - eta sum_{j<i} R(i, j) g(j);
- the teacher drive from Stein's lemma on the z-row of the joint Gaussian,
  mu(k) = alpha E[z g(k)] - sum_s m(s) Gamma(k, s) (no derivative of the label, so the sign
  teacher is exact);
- M_C(k, k') = E[g(k) g(k')], and the weight side (linear) as in the Gaussian closure.

Causality makes one forward sweep a solution (no iteration); the only error is sampling, O(M^-1/2)
on every kernel, estimated by independent sweeps (``groups``). Cost: O(M K^3 / 6) flops for the
responses plus O(M K^2) for the fields, O(M K + K^2) memory (M = 4000, K = 100: about a second).
Smooth losses only: the hinge loss has loss'' = 0 almost everywhere and its kink enters Gamma as
a boundary term this estimator does not see.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

LOSS_CODE = {"square": 0, "logistic": 1}


@njit(cache=True)
def _dloss(code, y, h):
    if code == 0:
        return h - y
    u = y * h
    if u > 0:
        e = math.exp(-u)
        return -y * e / (1.0 + e)
    return -y / (1.0 + math.exp(u))


@njit(cache=True)
def _d2loss(code, y, h):
    if code == 0:
        return 1.0
    u = y * h
    if u > 0:
        e = math.exp(-u)
        return e / ((1.0 + e) * (1.0 + e))
    e = math.exp(u)
    return e / ((1.0 + e) * (1.0 + e))


@njit(cache=True)
def _loss(code, y, h):
    if code == 0:
        return 0.5 * (y - h) ** 2
    u = -y * h
    if u > 0:
        return u + math.log1p(math.exp(-u))
    return math.log1p(math.exp(u))


@njit(cache=True)
def sampled_sweep(alpha, lam, eta, K, code, sign_teacher, Delta, m0, b0, T, b, p10, p01, M, seed, mixture=False):
    """One forward sweep with M effective examples. Returns (m, C, R, M_C, train_loss, train_error).

    ``mixture``: the two-cluster data (y = +1 for every sample by the y -> -y symmetry; ``Delta`` is
    the clusters' variance; ``m0`` the initial overlap with the cluster mean)."""
    np.random.seed(seed)
    # teacher: h = omega - eta sum R g; mixture: h = y m + sqrt(Delta) omega - eta Delta sum R g
    scale = math.sqrt(Delta) if mixture else 1.0
    coupling = Delta if mixture else 1.0
    n = K + 1
    L = np.zeros((n + 1, n + 1))      # Cholesky factor of (z, omega_0..omega_K)
    L[0, 0] = 1.0
    xi = np.zeros((n + 1, M))
    R = np.zeros((n, n))
    MC = np.zeros((n, n))
    C = np.zeros((n, n))
    a = np.zeros(n)
    bb = np.zeros(n)
    a[0] = m0
    bb[0] = b0
    C[0, 0] = m0 * m0 + b0 * b0
    y = np.empty(M)
    s = np.empty(M)
    for i in range(M):
        xi[0, i] = np.random.standard_normal()
        t = xi[0, i] + math.sqrt(Delta) * np.random.standard_normal()
        if mixture:
            y[i] = 1.0
        elif sign_teacher:
            y[i] = 1.0 if t >= 0 else -1.0
        else:
            y[i] = t
        s[i] = 1.0 if np.random.random() < b else 0.0
    g = np.zeros((n, M))
    d = np.zeros((n, M))
    h = np.zeros(M)
    lamb = np.zeros(n)
    train_loss = np.zeros(n)
    train_error = np.zeros(n)
    Gam = np.zeros(n)
    for k in range(n):
        r = k + 1
        # Cholesky row of omega_k
        L[r, 0] = 0.0 if mixture else a[k]     # the mixture's omega is independent of the label
        for j in range(1, r):
            acc = C[k, j - 1]
            for i in range(j):
                acc -= L[r, i] * L[j, i]
            L[r, j] = acc / L[j, j] if L[j, j] > 1e-10 else 0.0
        acc = C[k, k]
        for i in range(r):
            acc -= L[r, i] * L[r, i]
        L[r, r] = math.sqrt(acc) if acc > 0 else 0.0
        for i in range(M):
            xi[r, i] = np.random.standard_normal()
        # the effective examples at step k
        tl = 0.0
        te = 0.0
        for i in range(M):
            om = 0.0
            for j in range(r + 1):
                om += L[r, j] * xi[j, i]
            mem = 0.0
            for j in range(k):
                mem += R[k, j] * g[j, i]
            hi = scale * om - eta * coupling * mem
            if mixture:
                hi += y[i] * a[k]
            h[i] = hi
            if k > 0:
                if s[i] == 1.0:
                    if np.random.random() < p10:
                        s[i] = 0.0
                elif np.random.random() < p01:
                    s[i] = 1.0
            g[k, i] = s[i] * _dloss(code, y[i], hi)
            d[k, i] = s[i] * _d2loss(code, y[i], hi)
            tl += _loss(code, y[i], hi)
            if sign_teacher or mixture:
                te += 1.0 if y[i] * hi <= 0 else 0.0
            else:
                te += (y[i] - hi) ** 2
        train_loss[k] = tl / M
        train_error[k] = te / M
        for j in range(k + 1):
            acc = 0.0
            for i in range(M):
                acc += g[k, i] * g[j, i]
            MC[k, j] = acc / M
            MC[j, k] = MC[k, j]
        if k == K:
            break
        # memory kernel Gamma(k, .) by backward sensitivities, teacher drive by Stein
        for j in range(k + 1):
            Gam[j] = 0.0
        zg = 0.0
        for i in range(M):
            zg += (y[i] if mixture else xi[0, i]) * g[k, i]
            lamb[k] = 1.0
            for j in range(k - 1, -1, -1):
                acc = 0.0
                for l in range(j + 1, k + 1):
                    acc += lamb[l] * R[l, j]
                lamb[j] = -eta * coupling * d[j, i] * acc
            for j in range(k + 1):
                Gam[j] += d[k, i] * lamb[j]
        for j in range(k + 1):
            Gam[j] *= alpha * coupling / M
        mu = alpha * zg / M
        if not mixture:
            for j in range(k + 1):
                mu -= a[j] * Gam[j]
        # weight side (linear)
        ga = 0.0
        gb = 0.0
        for j in range(k + 1):
            ga += Gam[j] * a[j]
            gb += Gam[j] * bb[j]
        a[k + 1] = (1 - eta * lam) * a[k] - eta * ga - eta * mu
        bb[k + 1] = (1 - eta * lam) * bb[k] - eta * gb
        for j in range(k):
            acc = 0.0
            for l in range(j + 1, k + 1):
                acc += Gam[l] * R[l, j]
            R[k + 1, j] = (1 - eta * lam) * R[k, j] - eta * acc
        R[k + 1, k] = 1.0
        u = np.zeros(k + 1)
        for j in range(k + 1):
            acc = 0.0
            for l in range(k + 1):
                acc += MC[j, l] * R[k + 1, l]
            u[j] = acc
        for kp in range(k + 2):
            acc = 0.0
            acc2 = 0.0
            for j in range(k + 1):
                acc += R[kp, j] * u[j]
                acc2 += R[kp, j] * R[k + 1, j]
            val = a[k + 1] * a[kp] + bb[k + 1] * bb[kp] + eta * eta * alpha * coupling * acc + 2.0 * T * eta * acc2
            C[k + 1, kp] = val
            C[kp, k + 1] = val
    return a, C, R, MC, train_loss, train_error


__all__ = ["sampled_sweep", "LOSS_CODE"]
