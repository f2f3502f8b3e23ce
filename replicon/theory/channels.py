"""Energetic terms (output channels) shared by the RS models.

- the sign teacher channel at training temperature T (:func:`teacher_energetic`,
  Engel & Van den Broeck eqs. (2.32), (4.?)) with its scales (:func:`teacher_scales`);
- the storage channel with margin kappa (:func:`storage_energetic`, Gardner 1988 eq. (21));
- the majority vote of K = 1 or 3 correlated Gaussian fields (:func:`majority_prob`).

Majority vote: ``P(sum_k sign z_k > 0)`` and its mean-gradient.

For ``z ~ N(mean, cov)`` with ``K = 3`` (odd, so there are no ties)

    P_plus = P(at least two z_k > 0) = P12 + P13 + P23 - 2 P123,

where ``Pij = P(z_i > 0, z_j > 0)`` are bivariate orthant probabilities, in closed
form through Owen's T function (Owen 1956; :func:`bvn_cdf`), and ``P123`` is the
trivariate orthant probability. ``P123`` is a one-dimensional integral by
Plackett's identity ``dPhi_3/d rho_ij = phi_2(b_i, b_j; rho_ij) Phi(conditional)``
(Plackett 1954; Genz, Stat. Comput. 14, 251 (2004), sec. 2.2): keep the
correlation of largest modulus, scale the other two by ``t`` and integrate
``t`` from 0 (where ``Phi_3`` factorises into ``Phi * Phi_2``) to 1 with a
Gauss-Legendre rule. The integrand only contains ``exp`` and ``ndtr``; it is
smooth while the covariance stays away from singular (checked against scipy to
1e-10 for correlations in [-0.49, 0.95], see tests/theory/test_channels.py).

The gradient is a closed form. Moving ``mean_k`` changes the vote only when
``z_k`` crosses 0 while the other two fields disagree:

    dP_plus/d mean_k = p_{z_k}(0) * P(z_i, z_j of opposite signs | z_k = 0),

a conditional bivariate orthant probability (Owen's T again).

The interface is general (any means, any positive-definite K x K covariance,
one shared by all rows or one per row): it serves the Bayes-optimal committee
(``committee.bayes.energetic``, ``V = I - q`` with negative off-diagonal correlations
down to -1/2) and Gibbs committees at T > 0 (teacher and student fields with
different means and covariances).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr, owens_t

from .._util import ParamError
from .gauss import LOG_SQRT2PI, panel_rule

Q_MAX = 1.0 - 1e-13   # overlaps are clipped below this in the channels (1 - q enters as a width)

_TWO_PI = 2.0 * math.pi
_SQRT2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


@lru_cache(maxsize=8)
def _legendre01(n):
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1.0), 0.5 * w


def _npdf(x):
    return np.exp(-0.5 * x * x) / math.sqrt(_TWO_PI)


def bvn_cdf(a, b, c):
    """``P(X < a, Y < b)`` for standard bivariate normals of correlation ``c`` (arrays broadcast).

    Owen's T form: ``Phi_2 = Phi(a)/2 + Phi(b)/2 - T(a, (b - c a)/(a s)) - T(b, (a - c b)/(b s)) - beta``,
    ``s = sqrt(1 - c^2)``, ``beta = 1/2`` when a and b have opposite signs (Owen, Ann. Math. Stat.
    27, 1075 (1956), eq. (3.1)). ``|c| = 1`` is the degenerate limit.
    """
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    a = np.where(a == 0.0, 1e-300, a)
    b = np.where(b == 0.0, 1e-300, b)
    if np.ndim(c) == 0 and abs(float(c)) < 1.0:
        c = float(c)
        s = math.sqrt(1.0 - c * c)
        ta = (b - c * a) / (a * s)
        tb = (a - c * b) / (b * s)
    else:
        a, b, c = np.broadcast_arrays(a, b, np.asarray(c, float))
        s = np.sqrt(np.maximum(1.0 - c * c, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            ta = np.where(s > 0, (b - c * a) / (a * s), np.sign(b - c * a) * np.sign(a) * np.inf)
            tb = np.where(s > 0, (a - c * b) / (b * s), np.sign(a - c * b) * np.sign(b) * np.inf)
        ta = np.nan_to_num(ta, nan=0.0)
        tb = np.nan_to_num(tb, nan=0.0)
    p = 0.5 * (ndtr(a) + ndtr(b)) - owens_t(a, ta) - owens_t(b, tb) - np.where(a * b < 0, 0.5, 0.0)
    return np.clip(p, 0.0, 1.0)


def _bvn_pdf(a, b, c):
    d = 1.0 - c * c
    return np.exp(-0.5 * (a * a - 2.0 * c * a * b + b * b) / d) / (_TWO_PI * np.sqrt(d))


def _plackett_nodes(det):
    """Gauss-Legendre order for Plackett's t-integral: more nodes as the correlation matrix nears singular."""
    return 12 if det > 0.2 else (20 if det > 0.03 else 32)


def _tvn(b1, b2, b3, r12, r13, r23, n_nodes):
    """Phi_3 with r23 kept and r12, r13 scaled by t in [0, 1] (Plackett); scalars or (n,) correlations."""
    base = ndtr(b1) * bvn_cdf(b2, b3, r23)
    t, w = _legendre01(n_nodes)
    t = t[:, None]
    p12, p13 = t * r12, t * r13
    det = np.maximum(1.0 - p12 * p12 - p13 * p13 - r23 * r23 + 2.0 * p12 * p13 * r23, 1e-300)
    d12, d13 = 1.0 - p12 * p12, 1.0 - p13 * p13
    mu3 = ((p13 - p12 * r23) / d12) * b1 + ((r23 - p12 * p13) / d12) * b2
    mu2 = ((p12 - p13 * r23) / d13) * b1 + ((r23 - p12 * p13) / d13) * b3
    f = (r12 * _bvn_pdf(b1, b2, p12) * ndtr((b3 - mu3) * np.sqrt(d12 / det))
         + r13 * _bvn_pdf(b1, b3, p13) * ndtr((b2 - mu2) * np.sqrt(d13 / det)))
    return np.clip(base + w @ f, 0.0, 1.0)


_ORDER = ((0, 1, 2), (1, 0, 2), (2, 0, 1))     # (k, i, j): the pair (i, j) opposite to k is kept


def tvn_cdf(b, R):
    """``P(X_1 < b_1, X_2 < b_2, X_3 < b_3)`` for standard trivariate normals of correlation matrix ``R``.

    ``b``: (n, 3); ``R``: (3, 3) or (n, 3, 3). Plackett's identity integrated in one
    dimension (module docstring); the correlation of largest modulus is the one kept.
    """
    b = np.asarray(b, float)
    R = np.asarray(R, float)
    if R.ndim == 2:
        k = int(np.argmax(np.abs([R[1, 2], R[0, 2], R[0, 1]])))
        k, i, j = _ORDER[k]
        return _tvn(b[:, k], b[:, i], b[:, j], R[k, i], R[k, j], R[i, j],
                    _plackett_nodes(float(np.linalg.det(R))))
    pairs = np.array([R[:, 1, 2], R[:, 0, 2], R[:, 0, 1]])
    perm = np.array(_ORDER)[np.argmax(np.abs(pairs), axis=0)]
    n = np.arange(b.shape[0])
    b1, b2, b3 = (b[n, perm[:, m]] for m in range(3))
    r12 = R[n, perm[:, 0], perm[:, 1]]
    r13 = R[n, perm[:, 0], perm[:, 2]]
    r23 = R[n, perm[:, 1], perm[:, 2]]
    return _tvn(b1, b2, b3, r12, r13, r23, _plackett_nodes(float(np.min(np.linalg.det(R)))))


def _check(mean, cov):
    mean = np.asarray(mean, float)
    if mean.ndim != 2 or mean.shape[1] not in (1, 3):
        raise ParamError(f"mean must have shape (n, K) with K = 1 or 3, got {mean.shape}")
    K = mean.shape[1]
    cov = np.asarray(cov, float)
    if cov.shape not in ((K, K), (mean.shape[0], K, K)):
        raise ParamError(f"cov must have shape ({K}, {K}) or (n, {K}, {K}), got {cov.shape}")
    d = np.diagonal(cov, axis1=-2, axis2=-1)
    if np.any(~np.isfinite(cov)) or np.any(d <= 0):
        raise ParamError("cov must be finite with positive variances")
    return mean, cov, K


def _majority_compiled(a, corr, sd, grad):
    """:func:`majority_prob` for a shared covariance through :mod:`.orthant` (numba), or ``(None, None)``
    where a correlation is beyond the compiled rule's range (then the Owen-T path is used)."""
    from . import orthant

    pairs = ((1, 2), (0, 2), (0, 1))
    cond = [(corr[i, j] - corr[i, k] * corr[j, k]) / math.sqrt((1 - corr[i, k] ** 2) * (1 - corr[j, k] ** 2))
            for k, (i, j) in enumerate(pairs)]
    if not orthant.supported(np.array([corr[0, 1], corr[0, 2], corr[1, 2]]), np.array(cond)):
        return None, None
    kk = int(np.argmax(np.abs([corr[1, 2], corr[0, 2], corr[0, 1]])))
    t, w = _legendre01(_plackett_nodes(float(np.linalg.det(corr))))
    n = a.shape[0]
    P = np.empty(n)
    dP = np.empty((n, 3)) if grad else np.empty((0, 3))
    orthant.majority_rows(np.ascontiguousarray(a), np.ascontiguousarray(corr), np.ascontiguousarray(sd, float),
                          t, w, np.array(_ORDER[kk], dtype=np.int64), bool(grad), P, dP)
    return P, (dP if grad else None)


def majority_prob(mean, cov, grad=True, compiled=True):
    """Probability that the majority of ``sign(z_k)`` is +1, ``z ~ N(mean, cov)``, and its gradient in ``mean``.

    Parameters
    ----------
    mean : array (n, K), K = 1 or 3
        Means of the K fields, one row per case.
    cov : array (K, K) or (n, K, K)
        Covariance of the fields (shared by all rows, or one per row); positive
        variances, correlations in (-1, 1) and a nonsingular matrix (the trivariate
        part is accurate to ~1e-10 while ``det(corr) > 1e-3``).
    grad : bool
        Also return ``dP_plus / d mean`` (n, K).
    compiled : bool
        For a shared covariance with every correlation (and the gradient's conditional ones) within
        0.925 in modulus, evaluate row by row in numba (:mod:`.orthant`, equal to the Owen-T path to
        ~1e-14, several times faster); False forces the array path below.

    Returns
    -------
    P_plus : (n,)
        ``P(sum_k sign z_k > 0)``; ``P(-1) = 1 - P_plus`` (no ties for odd K), and
        ``P_plus(-mean) = 1 - P_plus(mean)``.
    dP : (n, K) or None
        ``dP_plus/d mean_k = p_{z_k}(0) P(z_i z_j < 0 | z_k = 0)``; ``dP(-1) = -dP``.

    Examples
    --------
    >>> P, dP = majority_prob(np.zeros((1, 3)), np.eye(3))    # P = 1/2, dP_k = phi(0)/2
    """
    mean, cov, K = _check(mean, cov)
    n = mean.shape[0]
    sd = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    sd = np.broadcast_to(sd, (n, K))
    a = mean / sd                                      # P(z_k > 0) = Phi(a_k)
    if K == 1:
        P = ndtr(a[:, 0])
        return P, (_npdf(a) / sd if grad else None)
    if cov.ndim == 3:
        corr = cov / (sd[:, :, None] * sd[:, None, :])
        c = {(i, j): corr[:, i, j] for i in range(3) for j in range(3)}
    else:
        corr = cov / np.outer(sd[0], sd[0])
        c = {(i, j): float(corr[i, j]) for i in range(3) for j in range(3)}
    if cov.ndim == 2 and compiled:
        P, dP = _majority_compiled(a, corr, sd[0], grad)
        if P is not None:
            return P, dP
    c12, c13, c23 = c[0, 1], c[0, 2], c[1, 2]
    P12 = bvn_cdf(a[:, 0], a[:, 1], c12)
    P13 = bvn_cdf(a[:, 0], a[:, 2], c13)
    P23 = bvn_cdf(a[:, 1], a[:, 2], c23)
    P123 = tvn_cdf(a, corr)
    P = np.clip(P12 + P13 + P23 - 2.0 * P123, 0.0, 1.0)
    if not grad:
        return P, None
    dP = np.empty((n, 3))
    for k, (i, j) in enumerate(((1, 2), (0, 2), (0, 1))):
        cik, cjk, cij = c[i, k], c[j, k], c[i, j]
        sik, sjk = np.sqrt(1.0 - cik * cik), np.sqrt(1.0 - cjk * cjk)
        ai = (a[:, i] - cik * a[:, k]) / sik             # P(z_i > 0 | z_k = 0) = Phi(ai)
        aj = (a[:, j] - cjk * a[:, k]) / sjk
        cij_k = np.clip((cij - cik * cjk) / (sik * sjk), -1.0, 1.0)
        disagree = ndtr(ai) + ndtr(aj) - 2.0 * bvn_cdf(ai, aj, cij_k)
        dP[:, k] = _npdf(a[:, k]) / sd[:, k] * np.maximum(disagree, 0.0)
    return P, dP


def log_phi(x):
    return -0.5 * x * x - LOG_SQRT2PI


def beta_eps(T):
    """(log eps, log(1-eps)) with eps = exp(-1/T); T = 0 gives (-inf, 0)."""
    if T == 0:
        return -np.inf, 0.0
    le = -1.0 / T
    return le, math.log(-math.expm1(le))


def student_channel(x, log_eps, log_1me):
    """ln Z(x), Z = eps + (1-eps) H(-x), and r = (1-eps) phi(x) / Z (= d ln Z/dx)."""
    lz = np.logaddexp(log_eps, log_1me + log_ndtr(x))
    r = np.exp(log_1me + log_phi(x) - lz)
    return lz, r


def teacher_scales(q, R):
    """The scales of the teacher-student channel in the shared field t: ``q`` clipped into (0, 1),
    ``s2 = q - R^2`` (floored), ``s = sqrt(s2)``, the teacher slope ``A = R/s`` and the student
    slope ``b = sqrt(q/(1-q))`` (teacher +1 with probability H(-A t), student with H(-b t))."""
    q = min(max(q, 1e-300), Q_MAX)
    s2 = max(q - R * R, 1e-300)
    s = math.sqrt(s2)
    return q, s2, s, R / s, math.sqrt(q / (1.0 - q))


def teacher_energetic(q, R, T=0.0):
    """Energetic term of teacher-student learning and its derivatives.

    Returns dict with ``G`` (G_E), ``dq``, ``dR`` (partial derivatives),
    ``eps_t`` (training error per example, ``-dG_E/dbeta``) and ``gamma``
    (the energetic factor of the replicon eigenvalue). Engel & Van den Broeck
    eqs. (2.32) and (4.?) for T > 0.

    The derivatives are taken under the integral. For ``b = sqrt(q/(1-q)) <= 1`` they are
    then integrated by parts in the shared field t (Stein's lemma, ``int Dt t f(t) =
    int Dt f'(t)``), with ``x = b t``, ``r = d ln Z/dx``, ``r' = -x r - r^2``:

        dG_E/dR = 2 (b/s) int Dt phi(A t) r(b t),
        dG_E/dq = (A b/(1-q)) int Dt phi(A t) r(b t) + (1-q)^-2 int Dt H(-A t) r'(b t).

    The plain chain rule through A = R/s and b carries factors 1/s^3 and 1/b that
    cancel to O(1) between its two terms, catastrophically as q, R -> 0 (high T, small
    alpha: relative error ~1e-16/q); the integrated form has no such factor, so the
    conjugates keep their relative accuracy down to q ~ 1e-300. For b > 1 (q -> 1) the
    chain rule is kept: there ``r'`` cancels to O(1) between terms O(x^2) at large |x|.
    """
    q, s2, s, A, b = teacher_scales(q, R)
    feats = []
    if A != 0:
        feats.append((0.0, 1.0 / abs(A)))
    if b > 0:
        feats.append((0.0, 1.0 / b))
    t, w = panel_rule(tuple(feats) or ((0.0, 1.0),))
    log_eps, log_1me = beta_eps(T)
    tf = ndtr(A * t)                       # H(-A t): P(teacher output +1 | t)
    phiA = np.exp(log_phi(A * t))
    x = b * t
    lz, r = student_channel(x, log_eps, log_1me)
    r1 = -x * r - r * r                    # d r / dx
    G = 2.0 * np.dot(w, tf * lz)
    one_q = 1.0 - q
    if b <= 1.0:
        pr = np.dot(w, phiA * r)
        dR = 2.0 * (b / s) * pr
        dq = (A * b / one_q) * pr + np.dot(w, tf * r1) / (one_q * one_q)
    else:
        s3 = max(s2 * s, 1e-308)            # s2 s underflows at the floor s2 = 1e-300
        dR = 2.0 * (q / s3) * np.dot(w, t * phiA * lz)
        dq = 2.0 * np.dot(w, -phiA * t * R / (2 * s3) * lz + tf * r * t / (2.0 * b * one_q ** 2))
    if T > 0:
        eps_t = 2.0 * np.dot(w, tf * np.exp(log_eps + log_ndtr(-x) - lz))
    else:
        eps_t = 0.0
    gamma = 2.0 * np.dot(w, tf * r1 * r1)
    return {"G": G, "dq": dq, "dR": dR, "eps_t": eps_t, "gamma": gamma}


def nishimori_energetic(one_minus_q):
    """``G_E`` and ``dG_E/dR`` of teacher-student learning at T = 0 on the Nishimori line R = q, from ``1 - q``.

    For q -> 1 (large alpha) the overlaps are not representable as ``q`` (1 - q ~ alpha^-2 for the
    perceptron, alpha^-4 for the large-K fully connected committee); in terms of ``delta = 1 - q`` and
    ``b = sqrt(q/delta)``, with ``y = b t``, ``A = b`` and ``s^2 = q delta``,

        G_E     = 2 int dy phi(y/b)/b  Phi(y) ln Phi(y),
        dG_E/dR = 2 q^(-3/2) delta^(-1/2) int dy phi(y/b) y phi(y) ln Phi(y),

    integrals localised on |y| < 40 whatever b (composite Gauss-Legendre, unit panels). Exact for any
    ``delta`` down to 1e-300; ``teacher_energetic`` is the general form (q, R, T).
    """
    d = max(float(one_minus_q), 1e-300)
    q = 1.0 - d
    b = math.sqrt(q / d)
    y, w = _unit_panels(40.0)
    wy = w * np.exp(log_phi(y / b))
    ly = log_ndtr(y)
    Py = ndtr(y)
    G = 2.0 * np.dot(wy, Py * ly) / b
    dR = 2.0 * np.dot(wy, y * np.exp(log_phi(y)) * ly) / (q * math.sqrt(q) * math.sqrt(d))
    with np.errstate(over="ignore"):
        r = _SQRT_2_OVER_PI / erfcx(-y / _SQRT2)                  # phi(y)/Phi(y)
    r1 = -y * r - r * r
    gamma = 2.0 * np.dot(wy, Py * r1 * r1) / b                    # 2 int Dt H(-A t) r'(b t)^2, A = b
    return {"G": float(G), "dR": float(dR), "eps_t": 0.0, "gamma": float(gamma)}


@lru_cache(maxsize=4)
def _unit_panels(reach, order=16):
    x, w = np.polynomial.legendre.leggauss(order)
    edges = np.arange(-reach, reach + 0.5, 1.0)
    a, b = edges[:-1], edges[1:]
    t = (0.5 * (a + b)[:, None] + 0.5 * (b - a)[:, None] * x).ravel()
    ww = (0.5 * (b - a)[:, None] * w).ravel()
    t.setflags(write=False)
    ww.setflags(write=False)
    return t, ww


def storage_energetic(q, kappa):
    """Energetic term of the Gardner volume, ``G_E(q) = int Dt ln H((kappa - sqrt(q) t)/sqrt(1-q))``.

    Gardner 1988, eq. (21); Engel & Van den Broeck eq. (6.13). Returns ``G``,
    ``dq`` and the replicon factor ``gamma``. The derivative is integrated by parts in t
    (Stein's lemma), ``dG_E/dq = -1/(2(1-q)) int Dt r(u)^2`` with ``r = phi(u)/H(u)``: no
    factor 1/sqrt(q) (whose odd part cancels as q -> 0, e.g. at strongly negative kappa where
    q ~ alpha phi(kappa)^2), and ``r`` from ``erfcx`` (no cancellation of ``u^2/2`` at large u).
    """
    q = min(max(q, 1e-300), Q_MAX)
    sq, v = math.sqrt(q), math.sqrt(1.0 - q)
    centre = kappa / sq if sq > 0 else 0.0
    t, w = panel_rule(((centre, v / max(sq, 1e-300)), (0.0, 1.0)))
    u = (kappa - sq * t) / v
    lH = log_ndtr(-u)
    with np.errstate(over="ignore"):
        r = _SQRT_2_OVER_PI / erfcx(u / _SQRT2)     # phi(u)/H(u); erfcx -> inf (r -> 0) at u << 0
    G = np.dot(w, lH)
    dq = -np.dot(w, r * r) / (2.0 * (1.0 - q))
    # d^2 ln Z / d omega^2 (1-q) = x r - r^2 with x = u, r = phi(u)/H(u)
    gamma = np.dot(w, (u * r - r * r) ** 2)
    return {"G": G, "dq": dq, "eps_t": 0.0, "gamma": gamma}
