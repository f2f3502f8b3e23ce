"""Gaussian averages of the online ODEs: I2, I3, I4 and J2 for erf, linear and relu units.

``I2 = <g(u) g(v)>``, ``I3 = <g'(u) v g(w)>``, ``I4 = <g'(u) g'(v) g(w) g(z)>``,
``J2 = <g'(u) g'(v)>`` over centred Gaussians with the given covariance entries
(Saad & Solla 1995, appendix; Biehl & Schwarze 1995; Cho & Saul 2009 for relu;
Plackett 1954 for the relu four-point orthant). See :mod:`.committee`.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..._util import ParamError

COMMITTEE_ACTIVATIONS = ("erf", "linear", "relu")
_TWO_OVER_PI = 2.0 / math.pi
_FOUR_OVER_PI2 = 4.0 / math.pi ** 2


# ---------------------------------------------------------------------------
# Gaussian averages I2, I3, I4, J2 (closed forms, broadcasting over arrays)
# ---------------------------------------------------------------------------

def pair_average(activation, c11, c12, c22):
    """I2 = <g(u) g(v)> for centred Gaussian (u, v) with covariances c11, c12, c22.

    Saad & Solla (1995) appendix, for ``g(x) = erf(x/sqrt 2)``:
    ``I2 = (2/pi) arcsin(c12 / sqrt((1 + c11)(1 + c22)))``. For ``g(x) = x``: ``c12``.
    For relu, the degree-1 arc-cosine kernel (Cho & Saul, NIPS 2009, eq. 6 with
    ``J_1``): ``I2 = sqrt(c11 c22) (sin t + (pi - t) cos t) / (2 pi)``,
    ``cos t = c12/sqrt(c11 c22)``, i.e. ``[sqrt(c11 c22 - c12^2) + c12 (pi/2 + arcsin rho)] / (2 pi)``.
    """
    c11, c12, c22 = (np.asarray(c, dtype=float) for c in (c11, c12, c22))
    if activation == "erf":
        return _TWO_OVER_PI * np.arcsin(c12 / np.sqrt((1.0 + c11) * (1.0 + c22)))
    if activation == "linear":
        return c12 + 0.0 * (c11 + c22)
    if activation == "relu":
        return _relu_kernel(c11, c12, c22)
    raise ParamError(f"activation={activation!r} is not allowed; choose one of: {', '.join(COMMITTEE_ACTIVATIONS)}")


def derivative_pair_average(activation, c11, c12, c22):
    """J2 = <g'(u) g'(v)> (the label-noise term of dQ/dalpha).

    Goldt et al. (2019), erf: ``J2 = (2/pi) / sqrt((1 + c11)(1 + c22) - c12^2)``.
    relu: the quadrant probability ``P(u > 0, v > 0) = 1/4 + arcsin(rho)/(2 pi)``
    (Sheppard 1899), ``rho = c12/sqrt(c11 c22)``; 0 if ``c11`` or ``c22`` is 0 (``Theta(0) = 0``).
    """
    c11, c12, c22 = (np.asarray(c, dtype=float) for c in (c11, c12, c22))
    if activation == "erf":
        return _TWO_OVER_PI / np.sqrt((1.0 + c11) * (1.0 + c22) - c12 * c12)
    if activation == "linear":
        return np.ones(np.broadcast(c11, c12, c22).shape)
    if activation == "relu":
        live = (c11 > 0) & (c22 > 0)
        return np.where(live, _orthant2(np.where(live, c11, 1.0), c12, np.where(live, c22, 1.0)), 0.0)
    raise ParamError(f"activation={activation!r} is not allowed; choose one of: {', '.join(COMMITTEE_ACTIVATIONS)}")


def triple_average(activation, c11, c12, c13, c23, c33):
    """I3 = <g'(u) v g(w)> for centred Gaussian (u, v, w); only these entries enter.

    Saad & Solla (1995) appendix, for ``g = erf(./sqrt 2)``:
    ``I3 = (2/pi) [c23 (1 + c11) - c12 c13] / [(1 + c11) sqrt(L3)]``,
    ``L3 = (1 + c11)(1 + c33) - c13^2``. For ``g(x) = x``: ``c23``.

    For relu (``g' = Theta``), Stein's lemma on ``v`` gives
    ``I3 = c12 <delta(u) relu(w)> + c23 <Theta(u) Theta(w)>``, and both are
    elementary (derived here; checked against Monte Carlo in the tests)::

        I3 = c12 sqrt(c11 c33 - c13^2) / (2 pi c11) + c23 (1/4 + arcsin(c13/sqrt(c11 c33)) / (2 pi))

    (0 if ``c11 = 0``: ``Theta(0) = 0``; the second term is 0 if ``c33 = 0``).
    """
    c11, c12, c13, c23, c33 = (np.asarray(c, dtype=float) for c in (c11, c12, c13, c23, c33))
    if activation == "erf":
        lam3 = (1.0 + c11) * (1.0 + c33) - c13 * c13
        return _TWO_OVER_PI * (c23 * (1.0 + c11) - c12 * c13) / ((1.0 + c11) * np.sqrt(lam3))
    if activation == "linear":
        return c23 + 0.0 * (c11 + c12 + c13 + c33)
    if activation == "relu":
        live = c11 > 0
        a = np.where(live, c11, 1.0)
        b = np.where(c33 > 0, c33, 1.0)
        first = c12 * np.sqrt(np.maximum(a * c33 - c13 * c13, 0.0)) / (2.0 * math.pi * a)
        second = np.where(c33 > 0, c23 * _orthant2(a, c13, b), 0.0)
        return np.where(live, first + second, 0.0)
    raise ParamError(f"activation={activation!r} is not allowed; choose one of: {', '.join(COMMITTEE_ACTIVATIONS)}")


def quad_average(activation, c11, c12, c22, c13, c14, c23, c24, c33, c34, c44):
    """I4 = <g'(u1) g'(u2) g(u3) g(u4)> for a centred 4-d Gaussian with covariances c_ab.

    Saad & Solla (1995) appendix, for ``g = erf(./sqrt 2)``:
    ``I4 = (4/pi^2) arcsin(L0 / sqrt(L1 L2)) / sqrt(L4)`` with
    ``L4 = (1+c11)(1+c22) - c12^2``,
    ``L0 = L4 c34 - c23 c24 (1+c11) - c13 c14 (1+c22) + c12 c13 c24 + c12 c14 c23``,
    ``L1 = L4 (1+c33) - c23^2 (1+c11) - c13^2 (1+c22) + 2 c12 c13 c23``,
    ``L2 = L4 (1+c44) - c24^2 (1+c11) - c14^2 (1+c22) + 2 c12 c14 c24``.
    For ``g(x) = x``: ``c34``. For relu: :func:`relu_quad_average` (quadrature).
    """
    if activation == "relu":
        return relu_quad_average(c11, c12, c22, c13, c14, c23, c24, c33, c34, c44)
    if activation == "erf":
        a1, a2 = 1.0 + c11, 1.0 + c22
        lam4 = a1 * a2 - c12 * c12
        lam0 = lam4 * c34 - c23 * c24 * a1 - c13 * c14 * a2 + c12 * c13 * c24 + c12 * c14 * c23
        lam1 = lam4 * (1.0 + c33) - c23 * c23 * a1 - c13 * c13 * a2 + 2.0 * c12 * c13 * c23
        lam2 = lam4 * (1.0 + c44) - c24 * c24 * a1 - c14 * c14 * a2 + 2.0 * c12 * c14 * c24
        return _FOUR_OVER_PI2 * np.arcsin(lam0 / np.sqrt(lam1 * lam2)) / np.sqrt(lam4)
    if activation == "linear":
        return np.asarray(c34, dtype=float) + 0.0 * np.asarray(c11 + c22 + c33 + c44, dtype=float)
    raise ParamError(f"activation={activation!r} is not allowed; choose one of: {', '.join(COMMITTEE_ACTIVATIONS)}")


# ---------------------------------------------------------------------------
# relu: elementary pieces and the quadrature for I4
# ---------------------------------------------------------------------------

RELU_QUAD_NODES = 48


def _orthant2(s11, s12, s22):
    """Quadrant probability ``P(a > 0, b > 0) = 1/4 + arcsin(rho)/(2 pi)`` (Sheppard 1899), ``s11, s22 > 0``."""
    rho = np.clip(s12 / np.sqrt(np.maximum(s11 * s22, 1e-300)), -1.0, 1.0)
    return 0.25 + np.arcsin(rho) / (2.0 * math.pi)


def _relu_kernel(s11, s12, s22):
    """``<relu(a) relu(b)>`` for centred Gaussian (a, b): degree-1 arc-cosine kernel (Cho & Saul 2009).

    ``sqrt(s11 s22) (sin t + (pi - t) cos t)/(2 pi)`` with ``cos t = rho``, written as
    ``[sqrt(s11 s22 - s12^2) + s12 (pi/2 + arcsin rho)]/(2 pi)``; 0 when a variance is 0.
    """
    s11, s12, s22 = (np.asarray(c, dtype=float) for c in (s11, s12, s22))
    prod = s11 * s22
    live = prod > 0
    p = np.where(live, prod, 1.0)
    rho = np.clip(s12 / np.sqrt(p), -1.0, 1.0)
    val = (np.sqrt(np.maximum(prod - s12 * s12, 0.0)) + s12 * (0.5 * math.pi + np.arcsin(rho))) / (2.0 * math.pi)
    return np.where(live, val, 0.0)


def _cond1(P, x, rest):
    """Covariance of the entries ``rest`` given entry ``x`` = 0 (last two axes of ``P``)."""
    rest = list(rest)
    sub = P[..., rest, :][..., :, rest]
    b = P[..., rest, x]
    return sub - b[..., :, None] * b[..., None, :] / P[..., x, x][..., None, None]


def _cond2(P, x, y, rest):
    """Covariance of the entries ``rest`` given entries ``x`` = ``y`` = 0, and ``det`` of the (x, y) block."""
    rest = list(rest)
    sxx, syy, sxy = P[..., x, x], P[..., y, y], P[..., x, y]
    det = sxx * syy - sxy * sxy
    bx, by = P[..., rest, x], P[..., rest, y]
    # B S^{-1} B^T with S = [[sxx, sxy], [sxy, syy]]
    corr = (syy[..., None, None] * bx[..., :, None] * bx[..., None, :]
            + sxx[..., None, None] * by[..., :, None] * by[..., None, :]
            - sxy[..., None, None] * (bx[..., :, None] * by[..., None, :] + by[..., :, None] * bx[..., None, :]))
    sub = P[..., rest, :][..., :, rest]
    return sub - corr / det[..., None, None], det


def _floor_diag(C, lo):
    """Raise the diagonal of the covariances ``C`` (..., n, n) to at least ``lo`` (in place).

    Along Plackett's path every eigenvalue of ``P(t)``, hence every conditional
    variance, is at least ``1 - t`` when ``rho`` is positive semi-definite; the floor
    only acts on the round-off (or solver-trial) indefiniteness of a nearly singular ``rho``.
    """
    n = C.shape[-1]
    idx = np.arange(n)
    C[..., idx, idx] = np.maximum(C[..., idx, idx], np.asarray(lo)[..., None])
    return C


def _theta_theta_relu(S, lo=0.0):
    """``<Theta(a) Theta(b) relu(c)>`` for a centred 3-d Gaussian with covariance ``S`` (order a, b, c).

    Stein's lemma on the factor ``c`` of ``relu(c) = c Theta(c)``:
    ``sum_x S_cx <delta(x) prod_{y != x} Theta(y)>`` over ``x in (a, b, c)``, each term
    the density of ``x`` at 0 times a conditional quadrant probability (Sheppard).
    """
    out = 0.0
    for x in range(3):
        rest = [y for y in range(3) if y != x]
        C = _floor_diag(_cond1(S, x, rest), lo)
        dens = 1.0 / np.sqrt(2.0 * math.pi * S[..., x, x])
        out = out + S[..., 2, x] * dens * _orthant2(C[..., 0, 0], C[..., 0, 1], C[..., 1, 1])
    return out


@lru_cache(maxsize=8)
def _plackett_nodes(n):
    """Nodes ``t = 1 - s^2`` and weights for ``int_0^1 dt`` (Gauss-Legendre in ``s``, ``dt = 2 s ds``).

    The substitution absorbs the ``(1 - t)^(-1/2)`` endpoint singularity of the
    bivariate density at 0 when a correlation of the end point is +-1.
    """
    x, w = np.polynomial.legendre.leggauss(int(n))
    s = 0.5 * (x + 1.0)
    t = 1.0 - s * s
    wt = w * s                       # 0.5 * w * 2 s
    t.setflags(write=False)
    wt.setflags(write=False)
    return t, wt


_PAIRS = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))


def _plackett_integrand(rho, t):
    """Integrand in ``t`` of :func:`_relu_quad_correlation` and of the orthant probability.

    ``rho``: (..., 4, 4) correlation matrices; ``t``: nodes (broadcast on a new
    axis). Returns ``(dm, dp)``: ``d m(P(t))/dt`` minus the orthant part and ``dP_4/dt``.
    """
    eye = np.eye(4)
    P = (1.0 - t)[:, None, None] * eye + t[:, None, None] * rho[..., None, :, :]   # (..., nt, 4, 4)
    r = rho[..., None, :, :]
    lo = 1.0 - t                         # smallest eigenvalue of P(t) for a valid rho
    # d P_4 / dt = sum_{k<l} rho_kl phi_2(0, 0; P_kl) P(rest > 0 | z_k = z_l = 0)  (Plackett 1954)
    dp = 0.0
    for k, l in _PAIRS:
        rest = [j for j in range(4) if j not in (k, l)]
        C, det = _cond2(P, k, l, rest)
        C = _floor_diag(C, lo)
        dens = 1.0 / (2.0 * math.pi * np.sqrt(np.maximum(det, lo * lo)))
        dp = dp + r[..., k, l] * dens * _orthant2(C[..., 0, 0], C[..., 0, 1], C[..., 1, 1])
    # f = Theta(z1) Theta(z2) relu(z3) relu(z4); Price: d<f>/dP_kl = <d_k d_l f>
    C, det = _cond2(P, 0, 1, [2, 3])
    C = _floor_diag(C, lo)
    g12 = (_relu_kernel(C[..., 0, 0], C[..., 0, 1], C[..., 1, 1])
           / (2.0 * math.pi * np.sqrt(np.maximum(det, lo * lo))))
    dm = r[..., 0, 1] * g12
    for k, kk in ((0, 1), (1, 0)):            # Theta variable hit by d_k, the other Theta variable kk
        for l, ll in ((2, 3), (3, 2)):        # relu variable hit by d_l (-> Theta), the other relu ll
            S = _floor_diag(_cond1(P, k, [kk, l, ll]), lo)     # order (Theta, Theta, relu)
            dm = dm + r[..., k, l] * _theta_theta_relu(S, lo) / math.sqrt(2.0 * math.pi)
    return dm, dp


def orthant_probability4(rho, n_nodes=RELU_QUAD_NODES):
    """``P(z_1 > 0, ..., z_4 > 0)`` for a centred Gaussian with correlation matrices ``rho`` (..., 4, 4).

    Plackett (Biometrika 41, 246 (1954)): along ``P(t) = (1 - t) 1 + t rho``,
    ``dP_4/dt = sum_{k<l} rho_kl phi_2(0, 0; P_kl(t)) P(rest > 0 | z_k = z_l = 0)``,
    the last factor a quadrant probability (Sheppard); ``P_4(1) = 1/16``.
    Gauss-Legendre in ``s = sqrt(1 - t)``. Singular ``rho`` are allowed.
    """
    rho = np.asarray(rho, dtype=float)
    t, w = _plackett_nodes(n_nodes)
    _, dp = _plackett_integrand(rho, t)
    return 1.0 / 16.0 + dp @ w


def _relu_quad_correlation(rho, n_nodes=RELU_QUAD_NODES):
    """``m(rho) = <Theta(z1) Theta(z2) relu(z3) relu(z4)>`` for unit-variance Gaussians with correlation ``rho``."""
    t, w = _plackett_nodes(n_nodes)
    dm, dp = _plackett_integrand(rho, t)
    # int_0^1 rho_34 P_4(t) dt = rho_34 [1/16 + int_0^1 (1 - t) dP_4/dt dt]
    return (1.0 / (8.0 * math.pi) + rho[..., 2, 3] / 16.0
            + dm @ w + rho[..., 2, 3] * ((dp * (1.0 - t)) @ w))


def relu_quad_average(c11, c12, c22, c13, c14, c23, c24, c33, c34, c44, n_nodes=RELU_QUAD_NODES):
    """I4 = <Theta(u1) Theta(u2) relu(u3) relu(u4)> (``g = relu``) by one-dimensional quadrature.

    Homogeneity: ``I4 = sqrt(c33 c44) m(rho)`` with ``rho`` the correlation matrix
    (0 if any variance is 0, by ``Theta(0) = 0``). ``m`` contains the orthant
    probability ``P(z > 0)`` of four correlated Gaussians, which is not
    elementary. It is computed along Plackett's path ``P(t) = (1 - t) 1 + t rho``
    from independent variables (``m = 1/(8 pi)``), using Price's theorem
    ``dm/dP_kl = <d_k d_l f>`` (Price, IRE Trans. IT-4, 69 (1958); Plackett 1954):

    * ``(1, 2)``: ``phi_2(0, 0) <relu relu | z1 = z2 = 0>`` (arc-cosine kernel, Cho & Saul 2009);
    * ``(k, l)`` with ``k in {1, 2}``, ``l in {3, 4}``: ``phi(0) <Theta Theta relu | z_k = 0>``
      (closed form by Stein's lemma, :func:`_theta_theta_relu`);
    * ``(3, 4)``: ``P_4(P(t))``, itself Plackett's integral; swapping the order of
      the two t-integrals leaves one integral with weight ``(1 - t)``.

    Every integrand is elementary, evaluated at a non-singular ``P(t)`` (t < 1),
    so singular covariances (coinciding units, as on the ODE's diagonal) need no
    special care; ``t = 1 - s^2`` with Gauss-Legendre in ``s`` (``n_nodes``, default
    48) removes the endpoint's square-root singularity. Vectorised over broadcast
    arguments; the accuracy (< 1e-12 against the closed forms at special
    covariances) is checked in the tests.
    """
    args = np.broadcast_arrays(*(np.asarray(c, dtype=float) for c in
                                 (c11, c12, c22, c13, c14, c23, c24, c33, c34, c44)))
    shape = args[0].shape
    c11, c12, c22, c13, c14, c23, c24, c33, c34, c44 = (a.ravel() for a in args)
    C = np.empty((c11.size, 4, 4))
    for (a, b), val in zip(((0, 0), (0, 1), (1, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 2), (2, 3), (3, 3)),
                           (c11, c12, c22, c13, c14, c23, c24, c33, c34, c44)):
        C[:, a, b] = val
        C[:, b, a] = val
    d = np.stack([c11, c22, c33, c44], axis=1)
    live = np.all(d > 0, axis=1)
    ds = np.sqrt(np.where(live[:, None], d, 1.0))
    rho = np.clip(C / (ds[:, :, None] * ds[:, None, :]), -1.0, 1.0)
    rho[:, np.arange(4), np.arange(4)] = 1.0
    out = np.zeros(c11.size)
    if np.any(live):
        out[live] = ds[live, 2] * ds[live, 3] * _relu_quad_correlation(rho[live], n_nodes)
    return out.reshape(shape)


