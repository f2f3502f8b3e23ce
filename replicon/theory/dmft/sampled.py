"""Two-time DMFT by sampling the effective example (numba forward sweep): smooth losses, and the hinge.

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
Mixture data (``mixture``): h = y m + sqrt(Delta) omega - eta Delta sum R g with omega independent of
y (no z-row), drive alpha E[y g] (see :mod:`.gaussian`). Spherical constraint: each new row is
rescaled so that C(k+1, k+1) = 1.

Hinge loss (``KINK_BRANCHES``). loss'' = 0 almost everywhere: the pathwise estimator sees none of
Gamma, which is all in the kink's delta. Given the past, h(j) = c_j + sigma_j xi_j with a fresh
innovation xi_j (sigma_j = sqrt(Delta) L_jj from the Cholesky row), and the later dynamics depend on
h(j) only through g(j) = -s y 1[y h(j) < 1]. Shifting h(j) by epsilon therefore changes E[g(k)] only
through the boundary xi_j* = (y - c_j)/sigma_j (derived here; smoothed perturbation analysis):

    d E[g(k)] / d h(j) = E[ p_j y (g_in(k) - g_act(k)) ],   p_j = phi(xi_j*) / sigma_j,

where g_in and g_act are the sample's two continuations from h(j) exactly at the kink (xi_j set to
xi_j* in every later field), with g(j) = 0 and g(j) = -y, the same selection and later noise.
Gamma(k, j) = alpha Delta_c E[p_j y (g_in(k) - g_act(k))] (Delta_c = 1 for the teacher data, Delta
for the mixture); at k = j it is alpha Delta_c E[s p_j], the density of h(j) at the kink. Every
sample carries its pairs of branches (int8 histories, 2 M K^2 bytes), advanced with the main sweep;
cost O(M K^3/3). A Stein estimator over the whole trajectory (E[grad g] = C^{-1} E[omega g]) was
tried and fails: C is ill-conditioned at small steps and the back-substitution amplifies the
sampling noise geometrically.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

LOSS_CODE = {"square": 0, "logistic": 1, "hinge": 2}
PATHWISE, KINK_BRANCHES = 0, 2     # estimators of the memory kernel Gamma (see the module docstring)
INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)


@njit(cache=True)
def _dloss(code, y, h):
    if code == 0:
        return h - y
    if code == 2:
        return -y if y * h < 1.0 else 0.0
    u = y * h
    if u > 0:
        e = math.exp(-u)
        return -y * e / (1.0 + e)
    return -y / (1.0 + math.exp(u))


@njit(cache=True)
def _d2loss(code, y, h):
    if code == 0:
        return 1.0
    if code == 2:
        return 0.0                      # the kink's delta is not seen pathwise: use STEIN_KINK
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
    if code == 2:
        return max(0.0, 1.0 - y * h)
    u = -y * h
    if u > 0:
        return u + math.log1p(math.exp(-u))
    return math.log1p(math.exp(u))


@njit(cache=True)
def sampled_sweep(alpha, lam, eta, K, code, sign_teacher, Delta, m0, b0, T, b, p10, p01, M, seed, mixture, estimator,
                  spherical):
    """One forward sweep with M effective examples. Returns (m, C, R, M_C, train_loss, train_error, norm).

    ``spherical``: w(k+1) is rescaled to |w|^2 = N after every step, w(k+1) = norm(k) u(k+1) (see
    :mod:`.gaussian`); ``norm`` holds the factors (ones otherwise).

    ``mixture``: the two-cluster data (y = +1 for every sample by the y -> -y symmetry; ``Delta`` is
    the clusters' variance; ``m0`` the initial overlap with the cluster mean). ``estimator`` of
    Gamma: PATHWISE (backward sensitivities, smooth losses) or KINK_BRANCHES (hinge: the boundary
    term, each sample's two branches at the kink; see the module docstring)."""
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
    # hinge branches: for sample i started at step j, its two continuations from h(j) at the kink
    nb = n if estimator == 2 else 1
    g_in = np.zeros((M, nb, nb), dtype=np.int8)     # g(j) = 0 (inactive at the kink), then free
    g_act = np.zeros((M, nb, nb), dtype=np.int8)    # g(j) = -y (active at the kink), then free
    shift = np.zeros((M, nb))                       # xi_j* - xi_j: the innovation that puts h(j) at the kink
    weight = np.zeros((M, nb))                      # conditional density of h(j) at the kink (0: no branch)
    kink = np.zeros(n)
    norm = np.ones(n)
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
            centre = hi - scale * L[r, r] * xi[r, i]     # h(k) given the past, less its innovation
            if k > 0:
                if s[i] == 1.0:
                    if np.random.random() < p10:
                        s[i] = 0.0
                elif np.random.random() < p01:
                    s[i] = 1.0
            g[k, i] = s[i] * _dloss(code, y[i], hi)
            d[k, i] = s[i] * _d2loss(code, y[i], hi)
            if estimator == 2:
                # advance the branches started at j < k by one step (same selection, same later noise)
                for j in range(k):
                    wgt = weight[i, j]
                    if wgt == 0.0:
                        continue
                    base = hi + scale * L[r, j + 1] * shift[i, j]
                    acc_in = 0.0
                    acc_act = 0.0
                    for t in range(j, k):
                        acc_in += R[k, t] * (g_in[i, j, t] - g[t, i])
                        acc_act += R[k, t] * (g_act[i, j, t] - g[t, i])
                    h_in = base - eta * coupling * acc_in
                    h_act = base - eta * coupling * acc_act
                    gi = s[i] * _dloss(code, y[i], h_in)
                    ga = s[i] * _dloss(code, y[i], h_act)
                    g_in[i, j, k] = np.int8(gi)
                    g_act[i, j, k] = np.int8(ga)
                    kink[j] += wgt * y[i] * (gi - ga)
                # start the pair at step k: h(k) = c + sig xi_k given the past, kink at h = y
                sig = scale * L[r, r]
                if s[i] == 1.0 and sig > 1e-12:
                    e = (y[i] - centre) / sig
                    if e * e < 60.0:
                        wgt = INV_SQRT2PI * math.exp(-0.5 * e * e) / sig
                        weight[i, k] = wgt
                        shift[i, k] = e - xi[r, i]
                        g_in[i, k, k] = 0
                        g_act[i, k, k] = np.int8(-y[i])
                        kink[k] += wgt          # y (g_in - g_act) = y^2 = 1
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
        for j in range(k + 1):
            Gam[j] = 0.0
        zg = 0.0
        if estimator == 0:
            # memory kernel Gamma(k, .) by backward sensitivities, teacher drive by Stein
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
        else:
            # hinge: Gamma(k, j) = alpha Delta E[p_j y (g_in(k) - g_act(k))] (boundary term), drive as above
            for j in range(k + 1):
                Gam[j] = alpha * coupling * kink[j] / M
                kink[j] = 0.0
            for i in range(M):
                zg += (y[i] if mixture else xi[0, i]) * g[k, i]
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
        mr = np.zeros(k + 1)
        for j in range(k + 1):
            acc = 0.0
            for l in range(k + 1):
                acc += MC[j, l] * R[k + 1, l]
            mr[j] = acc
        for kp in range(k + 2):
            acc = 0.0
            acc2 = 0.0
            for j in range(k + 1):
                acc += R[kp, j] * mr[j]
                acc2 += R[kp, j] * R[k + 1, j]
            val = a[k + 1] * a[kp] + bb[k + 1] * bb[kp] + eta * eta * alpha * coupling * acc + 2.0 * T * eta * acc2
            C[k + 1, kp] = val
            C[kp, k + 1] = val
        if spherical:
            c = 1.0 / math.sqrt(C[k + 1, k + 1])
            norm[k] = c
            a[k + 1] *= c
            bb[k + 1] *= c
            for j in range(k + 1):
                R[k + 1, j] *= c
                C[k + 1, j] *= c
                C[j, k + 1] = C[k + 1, j]
            C[k + 1, k + 1] = 1.0
    return a, C, R, MC, train_loss, train_error, norm


__all__ = ["sampled_sweep", "LOSS_CODE", "PATHWISE", "KINK_BRANCHES"]
