r"""Compiled online-committee ODEs: the right-hand side and an adaptive Dormand–Prince integrator in numba.

The equations are those of :class:`replicon.theory.online.committee.CommitteeODE`
(Saad & Solla, PRE 52, 4225 (1995), eqs. 9-10; Goldt et al., NeurIPS 2019, eqs. 7-8),
with the same state vector ``(Q[triu], R.ravel(), v)``, for ``g(x) = erf(x/sqrt 2)``
(closed-form I2, I3, I4, J2 of the Saad & Solla appendix) and ``g(x) = x``. relu's I4
has no closed form (a Plackett quadrature) and stays on the numpy path.

Why compiled. The numpy right-hand side costs ~0.3 ms a call at K = M = 3 (array
creation and broadcasting dominate the ~100 arcsines it needs) and scipy's LSODA calls
it ~7 times a step through Python. Here one call is a few microseconds and the whole
integration runs without returning to Python.

Integrator. Dormand & Prince's 5(4) pair (Dormand & Prince, J. Comput. Appl. Math. 6,
19 (1980); Hairer, Norsett & Wanner, *Solving ODEs I*, table II.5.2), first-same-as-last,
local extrapolation, the error of the 4th-order embedded solution measured in the
RMS norm with scale ``atol + rtol max(|y_n|, |y_{n+1}|)`` (Hairer et al. II.4, eq. 4.11)
and a step accepted when that norm is <= 1; the step-size controller is Hairer's
(factor ``0.9 err^(-1/5)`` clipped to [0.2, 5]) with the starting step of Hairer et al.
II.4 (the algorithm there). Every output point is a step end (steps are shortened to land
on it), so the reported trajectory carries only the integrator's local errors.
The accepted steps ``(alpha_n, y_n, f_n)`` are returned as well: between them a cubic
Hermite interpolant (error O(h^4)) is the continuous trajectory used to locate the
plateau. The ODEs are not stiff for the learning rates where online SGD converges (the
fastest rate is O(eta) while the step is O(1)), so an explicit method is the right tool;
a blow-up ``max |y| > blow_up`` or a non-finite value stops the integration with status 2,
a step size that underflows with status 3.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

ACTIVATIONS = ("erf", "linear")
_TWO_OVER_PI = 2.0 / math.pi
_FOUR_OVER_PI2 = 4.0 / math.pi ** 2

# Dormand-Prince 5(4) tableau (Hairer, Norsett & Wanner, table II.5.2)
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
_A = np.zeros((7, 7))
_A[1, :1] = [1 / 5]
_A[2, :2] = [3 / 40, 9 / 40]
_A[3, :3] = [44 / 45, -56 / 15, 32 / 9]
_A[4, :4] = [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729]
_A[5, :5] = [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656]
_A[6, :6] = [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]
_B = _A[6].copy()
# b - b_hat (5th minus embedded 4th order weights)
_E = np.array([71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40])


@nb.njit(cache=True)
def _omega(y, K, M, T, out):
    """Covariance ``[[Q, R], [R^T, T]]`` of the fields from the packed state."""
    p = 0
    for i in range(K):
        for k in range(i, K):
            out[i, k] = y[p]
            out[k, i] = y[p]
            p += 1
    for i in range(K):
        for n in range(M):
            out[i, K + n] = y[p]
            out[K + n, i] = y[p]
            p += 1
    for n in range(M):
        for m in range(M):
            out[K + n, K + m] = T[n, m]


@nb.njit(cache=True)
def flow(y, K, M, T, v_fixed, v_teacher, eta, eta_v, sigma, weight_decay, learn_v, linear, om, i3c, dy):
    """``dy/dalpha`` of the packed state ``y`` into ``dy`` (scratch: ``om`` (L, L), ``i3c`` (K, L)).

    Same terms as ``CommitteeODE.flow_parts``: ``dR = eta (drive_R - gamma R)``,
    ``dQ = eta (drive + drive^T - 2 gamma Q) + eta^2 v_i v_k [sum_ab c_a c_b I4 + s^2 J2]``,
    ``dv = -eta_v I2 c``, with ``c = (v, -v*)``.
    """
    L = K + M
    nq = K * (K + 1) // 2
    nr = K * M
    _omega(y, K, M, T, om)
    c = np.empty(L)
    inv = np.empty(L)
    for i in range(K):
        c[i] = y[nq + nr + i] if learn_v else v_fixed[i]
    for n in range(M):
        c[K + n] = -v_teacher[n]
    # drive[i, b] = -v_i sum_a c_a I3(i, b, a),  I3 = <g'(z_i) z_b g(z_a)>
    for i in range(K):
        c11 = om[i, i]
        for b in range(L):
            s = 0.0
            for a in range(L):
                if linear:
                    s += c[a] * om[b, a]
                else:
                    c12, c13, c23, c33 = om[i, b], om[i, a], om[b, a], om[a, a]
                    lam3 = (1.0 + c11) * (1.0 + c33) - c13 * c13
                    s += c[a] * _TWO_OVER_PI * (c23 * (1.0 + c11) - c12 * c13) / ((1.0 + c11) * math.sqrt(lam3))
            i3c[i, b] = -c[i] * s
    p = 0
    for i in range(K):
        for k in range(i, K):
            # second-order term sum_ab c_a c_b I4(i, k, a, b) (symmetric in a, b)
            s2 = 0.0
            if linear:
                for a in range(L):
                    for b in range(L):
                        s2 += c[a] * c[b] * om[a, b]
                if sigma > 0:
                    s2 += sigma * sigma
            else:
                c11, c22, c12 = om[i, i], om[k, k], om[i, k]
                a1, a2 = 1.0 + c11, 1.0 + c22
                lam4 = a1 * a2 - c12 * c12
                # lam1(a) = lam4 (1 + c_aa) - c_ka^2 a1 - c_ia^2 a2 + 2 c12 c_ia c_ka depends on one index:
                # its inverse square root is computed once per (i, k) and lam2 is lam1 at b
                for a in range(L):
                    c13, c23 = om[i, a], om[k, a]
                    inv[a] = 1.0 / math.sqrt(lam4 * (1.0 + om[a, a]) - c23 * c23 * a1 - c13 * c13 * a2
                                             + 2.0 * c12 * c13 * c23)
                for a in range(L):
                    c13, c23 = om[i, a], om[k, a]
                    u = -c23 * a1 + c12 * c13       # lam0 = lam4 c34 + u c24 + w c14
                    w = -c13 * a2 + c12 * c23
                    sa = 0.0
                    for b in range(a + 1, L):
                        x = (lam4 * om[a, b] + u * om[k, b] + w * om[i, b]) * inv[a] * inv[b]
                        x = min(1.0, max(-1.0, x))
                        sa += c[b] * math.asin(x)
                    x = (lam4 * om[a, a] + u * om[k, a] + w * om[i, a]) * inv[a] * inv[a]
                    x = min(1.0, max(-1.0, x))
                    s2 += c[a] * (2.0 * sa + c[a] * math.asin(x))
                s2 *= _FOUR_OVER_PI2 / math.sqrt(lam4)
                if sigma > 0:
                    s2 += sigma * sigma * _TWO_OVER_PI / math.sqrt(lam4)
            dy[p] = eta * (i3c[i, k] + i3c[k, i] - 2.0 * weight_decay * om[i, k]) + eta * eta * c[i] * c[k] * s2
            p += 1
    for i in range(K):
        for n in range(M):
            dy[p] = eta * (i3c[i, K + n] - weight_decay * om[i, K + n])
            p += 1
    if learn_v:
        for i in range(K):
            s = 0.0
            for a in range(L):
                if linear:
                    s += om[i, a] * c[a]
                else:
                    s += c[a] * _TWO_OVER_PI * math.asin(om[i, a] / math.sqrt((1.0 + om[i, i]) * (1.0 + om[a, a])))
            dy[p] = -eta_v * s
            p += 1


@nb.njit(cache=True)
def _err_norm(y0, y1, err, rtol, atol):
    s = 0.0
    for j in range(y0.size):
        sc = atol + rtol * max(abs(y0[j]), abs(y1[j]))
        s += (err[j] / sc) ** 2
    return math.sqrt(s / y0.size)


@nb.njit(cache=True)
def integrate_dopri(y0, grid, K, M, T, v_fixed, v_teacher, eta, eta_v, sigma, weight_decay, learn_v, linear,
                    rtol, atol, blow_up, max_steps):
    """Integrate from ``grid[0]`` to ``grid[-1]``; returns ``(ys, status, n_eval, alpha_fail, ts, yk, fk)``.

    ``ys[j]`` is the state at ``grid[j]`` (a step end); ``status`` 0 done, 2 blow-up or non-finite
    (at ``alpha_fail``), 3 step underflow, 4 ``max_steps`` exceeded. ``ts, yk, fk`` are the accepted
    step ends with states and derivatives (for the Hermite interpolant)."""
    n = y0.size
    L = K + M
    om = np.empty((L, L))
    i3c = np.empty((K, L))
    ys = np.full((grid.size, n), np.nan)
    cap = 1024
    ts = np.empty(cap)
    yk = np.empty((cap, n))
    fk = np.empty((cap, n))
    kst = np.empty((7, n))
    y = y0.copy()
    ytmp = np.empty(n)
    ynew = np.empty(n)
    err = np.empty(n)
    t = grid[0]
    t_end = grid[-1]
    flow(y, K, M, T, v_fixed, v_teacher, eta, eta_v, sigma, weight_decay, learn_v, linear, om, i3c, kst[0])
    nev = 1
    ys[0] = y
    ts[0] = t
    yk[0] = y
    fk[0] = kst[0]
    ns = 1
    # starting step (Hairer, Norsett & Wanner II.4)
    d0 = 0.0
    d1 = 0.0
    for j in range(n):
        sc = atol + rtol * abs(y[j])
        d0 += (y[j] / sc) ** 2
        d1 += (kst[0, j] / sc) ** 2
    d0 = math.sqrt(d0 / n)
    d1 = math.sqrt(d1 / n)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h0 = min(h0, t_end - t)
    for j in range(n):
        ytmp[j] = y[j] + h0 * kst[0, j]
    flow(ytmp, K, M, T, v_fixed, v_teacher, eta, eta_v, sigma, weight_decay, learn_v, linear, om, i3c, kst[1])
    nev += 1
    d2 = 0.0
    for j in range(n):
        sc = atol + rtol * abs(y[j])
        d2 += ((kst[1, j] - kst[0, j]) / sc) ** 2
    d2 = math.sqrt(d2 / n) / h0
    if max(d1, d2) <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** 0.2
    h = min(100.0 * h0, h1)
    jout = 1
    steps = 0
    status = 0
    alpha_fail = math.nan
    while jout < grid.size:
        target = grid[jout]
        if steps >= max_steps:
            status = 4
            break
        hit = False
        if t + h >= target * (1.0 - 1e-14) or t + 1.01 * h > target:
            h_try = target - t
            hit = True
        else:
            h_try = h
        if h_try <= 1e-14 * max(1.0, abs(t)):
            status = 3
            break
        for s in range(1, 7):
            for j in range(n):
                acc = y[j]
                for r in range(s):
                    acc += h_try * _A[s, r] * kst[r, j]
                ytmp[j] = acc
            flow(ytmp, K, M, T, v_fixed, v_teacher, eta, eta_v, sigma, weight_decay, learn_v, linear, om, i3c,
                 kst[s])
        nev += 6
        # ytmp now holds the 5th-order solution (stage 7 = b weights); kst[6] = f(t + h, y_new)
        finite = True
        for j in range(n):
            ynew[j] = ytmp[j]
            e = 0.0
            for r in range(7):
                e += _E[r] * kst[r, j]
            err[j] = h_try * e
            if not math.isfinite(ynew[j]) or not math.isfinite(err[j]):
                finite = False
        steps += 1
        if not finite:
            # a non-finite trial step: shrink (a genuine divergence shows up as a blow-up of accepted steps)
            h = 0.25 * h_try
            continue
        en = _err_norm(y, ynew, err, rtol, atol)
        if en <= 1.0:
            t = target if hit else t + h_try
            big = 0.0
            for j in range(n):
                y[j] = ynew[j]
                kst[0, j] = kst[6, j]
                big = max(big, abs(y[j]))
            if ns == cap:
                cap *= 2
                ts2 = np.empty(cap)
                yk2 = np.empty((cap, n))
                fk2 = np.empty((cap, n))
                ts2[:ns] = ts[:ns]
                yk2[:ns] = yk[:ns]
                fk2[:ns] = fk[:ns]
                ts, yk, fk = ts2, yk2, fk2
            ts[ns] = t
            yk[ns] = y
            fk[ns] = kst[0]
            ns += 1
            if big > blow_up:
                status = 2
                alpha_fail = t
                break
            if hit:
                ys[jout] = y
                jout += 1
            fac = 5.0 if en == 0.0 else min(5.0, max(0.2, 0.9 * en ** -0.2))
            if hit:
                h = max(h, h_try * fac) if h_try < h else h_try * fac
            else:
                h = h_try * fac
        else:
            h = h_try * max(0.2, 0.9 * en ** -0.2)
    return ys, status, nev, alpha_fail, ts[:ns].copy(), yk[:ns].copy(), fk[:ns].copy()


def hermite(ts, yk, fk, alpha):
    """Cubic Hermite interpolant of the accepted steps at ``alpha`` (array); shape (len(alpha), state)."""
    a = np.atleast_1d(np.asarray(alpha, float))
    j = np.clip(np.searchsorted(ts, a, side="right") - 1, 0, len(ts) - 2)
    h = ts[j + 1] - ts[j]
    s = ((a - ts[j]) / h)[:, None]
    h = h[:, None]
    h00 = 2 * s ** 3 - 3 * s ** 2 + 1
    h10 = s ** 3 - 2 * s ** 2 + s
    h01 = -2 * s ** 3 + 3 * s ** 2
    h11 = s ** 3 - s ** 2
    return h00 * yk[j] + h10 * h * fk[j] + h01 * yk[j + 1] + h11 * h * fk[j + 1]
