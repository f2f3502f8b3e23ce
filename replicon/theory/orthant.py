r"""Compiled orthant probabilities of correlated Gaussians: the K = 3 majority vote row by row.

The same quantities as :func:`replicon.theory.channels.majority_prob` for a covariance shared
by all rows (the Bayes-optimal committee's ``V = I - q``, the Gibbs committees' student
covariance), evaluated in one numba loop instead of whole-array passes through scipy's Owen T.

Bivariate: ``Phi_2(h, k; r) = Phi(h) Phi(k) + (1/2 pi) int_0^{asin r} exp(-(h^2 + k^2 - 2 h k sin u)
/ (2 cos^2 u)) du`` (differentiate in r: the integrand is the bivariate density with
``r = sin u``, ``dr = cos u du``; Genz, Stat. Comput. 14, 251 (2004), sec. 2.1). For
``|r| <= 0.925`` the integrand is analytic on the interval and a 20-point Gauss-Legendre rule is
exact to ~1e-15 (tested against Owen's T; 6 nodes suffice for |r| < 0.3 and 12 for |r| < 0.75, Genz's orders); beyond, the integrand concentrates at the end and
the caller keeps the Owen-T path (:func:`supported`).

Trivariate: Plackett's identity in one dimension exactly as ``channels._tvn`` (the correlation of
largest modulus kept, the other two scaled by t in [0, 1], Gauss-Legendre in t), with the
bivariate factor above. Gradient: ``dP/dmean_k = p_k(0) P(z_i z_j < 0 | z_k = 0)``, the
conditional correlation ``(c_ij - c_ik c_jk)/(s_ik s_jk)``.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

R_MAX = 0.925
# Gauss-Legendre rules on [0, 1] of 6, 12 and 20 nodes, used for |r| < 0.3, < 0.75 and <= R_MAX
# (Genz 2004's choice of orders for this integrand; each exact to ~1e-15 on its range, tested)
_GL = [np.polynomial.legendre.leggauss(n) for n in (6, 12, 20)]
_GL_X = np.zeros((3, 20))
_GL_W = np.zeros((3, 20))
for _m, (_x, _w) in enumerate(_GL):
    _GL_X[_m, :_x.size] = 0.5 * (_x + 1.0)
    _GL_W[_m, :_x.size] = 0.5 * _w
_GL_N = np.array([6, 12, 20])
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_2PI = 1.0 / (2.0 * math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def supported(corr, cond):
    """Whether every correlation (pairwise ``corr`` and the gradient's conditional ``cond``) is within
    ``R_MAX`` in modulus, where the compiled rule is exact."""
    return bool(np.all(np.abs(corr) <= R_MAX) and np.all(np.abs(cond) <= R_MAX))


@nb.njit(cache=True, inline="always")
def _ndtr(x):
    return 0.5 * math.erfc(-x * _INV_SQRT2)


@nb.njit(cache=True)
def bvn_rule(r):
    """Nodes ``(sin u_i, 1/(2 cos^2 u_i), w_i/(2 pi))`` of the Gauss-Legendre rule on [0, asin r]."""
    th = math.asin(r)
    order = 0 if abs(r) < 0.3 else (1 if abs(r) < 0.75 else 2)
    n = _GL_N[order]
    s = np.zeros(20)
    g = np.zeros(20)
    w = np.zeros(20)                     # unused nodes carry weight 0
    for i in range(n):
        u = _GL_X[order, i] * th
        s[i] = math.sin(u)
        c = math.cos(u)
        g[i] = 0.5 / (c * c)
        w[i] = _GL_W[order, i] * th * _INV_2PI
    return s, g, w


@nb.njit(cache=True, inline="always")
def _bvn(h, k, s, g, w):
    """``P(X < h, Y < k)`` at the correlation of the rule ``(s, g, w)`` (:func:`bvn_rule`)."""
    acc = 0.0
    hk = h * k
    q = h * h + k * k
    for i in range(s.size):
        if w[i] == 0.0:
            break
        acc += w[i] * math.exp(-(q - 2.0 * hk * s[i]) * g[i])
    p = _ndtr(h) * _ndtr(k) + acc
    return min(1.0, max(0.0, p))


@nb.njit(cache=True)
def majority_rows(a, corr, sd, t_nodes, t_weights, keep, grad, P, dP):
    """``P[n] = P(majority of sign z = +1)`` and ``dP[n, k]`` for rows ``z ~ N(sd * a[n], cov)``.

    ``a`` (n, 3): means over standard deviations; ``corr`` (3, 3) the shared correlation matrix;
    ``sd`` (3,); Plackett nodes ``t_nodes, t_weights`` on [0, 1]; ``keep = (k, i, j)`` the kept pair
    (i, j). Every correlation must satisfy :func:`supported`.
    """
    n = a.shape[0]
    s12, g12, w12 = bvn_rule(corr[0, 1])
    s13, g13, w13 = bvn_rule(corr[0, 2])
    s23, g23, w23 = bvn_rule(corr[1, 2])
    k0, i0, j0 = keep[0], keep[1], keep[2]
    rki, rkj, rij = corr[k0, i0], corr[k0, j0], corr[i0, j0]
    sij, gij, wij = bvn_rule(rij)
    # Plackett's integrand at each t: correlations t r_ki, t r_kj (kept r_ij)
    m = t_nodes.size
    p12 = np.empty(m)
    p13 = np.empty(m)
    a1 = np.empty(m)
    a2 = np.empty(m)
    b3 = np.empty(m)
    b2 = np.empty(m)
    c1 = np.empty(m)
    c2 = np.empty(m)
    for l in range(m):
        t = t_nodes[l]
        x12, x13 = t * rki, t * rkj
        det = max(1.0 - x12 * x12 - x13 * x13 - rij * rij + 2.0 * x12 * x13 * rij, 1e-300)
        d12, d13 = 1.0 - x12 * x12, 1.0 - x13 * x13
        p12[l], p13[l] = x12, x13
        a1[l] = (x13 - x12 * rij) / d12          # mu3 = a1 b1 + a2 b2 (conditional mean of the third)
        a2[l] = (rij - x12 * x13) / d12
        b3[l] = (x12 - x13 * rij) / d13          # mu2 = b3 b1 + b2 b3_
        b2[l] = (rij - x12 * x13) / d13
        c1[l] = math.sqrt(d12 / det)
        c2[l] = math.sqrt(d13 / det)
    cond_s = np.empty((3, 20))
    cond_g = np.empty((3, 20))
    cond_w = np.empty((3, 20))
    pairs = ((1, 2), (0, 2), (0, 1))
    sik = np.empty(3)
    sjk = np.empty(3)
    for kk in range(3):
        ii, jj = pairs[kk]
        cik, cjk, cij = corr[ii, kk], corr[jj, kk], corr[ii, jj]
        sik[kk] = math.sqrt(1.0 - cik * cik)
        sjk[kk] = math.sqrt(1.0 - cjk * cjk)
        r = min(1.0, max(-1.0, (cij - cik * cjk) / (sik[kk] * sjk[kk])))
        cs, cg, cw = bvn_rule(r)
        cond_s[kk], cond_g[kk], cond_w[kk] = cs, cg, cw
    for row in range(n):
        x0, x1, x2 = a[row, 0], a[row, 1], a[row, 2]
        P12 = _bvn(x0, x1, s12, g12, w12)
        P13 = _bvn(x0, x2, s13, g13, w13)
        P23 = _bvn(x1, x2, s23, g23, w23)
        v1, v2, v3 = a[row, k0], a[row, i0], a[row, j0]
        base = _ndtr(v1) * _bvn(v2, v3, sij, gij, wij)
        acc = 0.0
        for l in range(m):
            x12, x13 = p12[l], p13[l]
            e12 = 1.0 - x12 * x12
            e13 = 1.0 - x13 * x13
            f12 = math.exp(-0.5 * (v1 * v1 - 2.0 * x12 * v1 * v2 + v2 * v2) / e12) * _INV_2PI / math.sqrt(e12)
            f13 = math.exp(-0.5 * (v1 * v1 - 2.0 * x13 * v1 * v3 + v3 * v3) / e13) * _INV_2PI / math.sqrt(e13)
            mu3 = a1[l] * v1 + a2[l] * v2
            mu2 = b3[l] * v1 + b2[l] * v3
            acc += t_weights[l] * (rki * f12 * _ndtr((v3 - mu3) * c1[l]) + rkj * f13 * _ndtr((v2 - mu2) * c2[l]))
        P123 = min(1.0, max(0.0, base + acc))
        P[row] = min(1.0, max(0.0, P12 + P13 + P23 - 2.0 * P123))
        if grad:
            for kk in range(3):
                ii, jj = pairs[kk]
                ak = a[row, kk]
                ai = (a[row, ii] - corr[ii, kk] * ak) / sik[kk]
                aj = (a[row, jj] - corr[jj, kk] * ak) / sjk[kk]
                dis = _ndtr(ai) + _ndtr(aj) - 2.0 * _bvn(ai, aj, cond_s[kk], cond_g[kk], cond_w[kk])
                dP[row, kk] = math.exp(-0.5 * ak * ak) * _INV_SQRT_2PI / sd[kk] * max(dis, 0.0)
