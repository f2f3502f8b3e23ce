"""Gibbs learning of the two-unit ReLU tree (teacher-student): replica-symmetric theory at T >= 0.

Architecture (the ReLU tree of :mod:`.deep_storage`, Baldassi, Malatesta & Zecchina, PRL 123,
170602 (2019); Zavatone-Veth & Pehlevan, PRE 103, L020301 (2021)): the N inputs split into two
receptive fields of N/2; unit k has field ``h_k = J_k . xi_k / sqrt(N/2)`` with ``|J_k|^2 = N/2``
(spherical) or ``J_k in {-1, 1}^(N/2)`` (Ising), activation ``relu``; the output is the sign of
``Delta = relu(h_1) - relu(h_2)`` (fixed second-layer weights +1, -1), with ``Delta = 0`` (both units
silent) read as -1: ``sigma = +1`` iff ``h_1 > max(0, h_2)``. This is the storage code's convention
(an output field 0 is never a +1) made a deterministic rule, so that the teacher is a network of the
same class and at T = 0 the Gibbs measure on the version space is the Bayes posterior (Nishimori
line). Teacher and student share the architecture; only first-layer weights are learned;
``alpha = P/N``. The energy is the number of training errors, temperature T.

**The two units are not equivalent.** A tie goes to -1, so unit 1 (weight +1) and unit 2 (weight -1)
play different roles (``P(sigma = +1) = 3/8``): the RS ansatz carries one overlap pair per unit,
``(q_1, R_1, q_2, R_2)``, and the Nishimori line ``R_k = q_k`` at T = 0.

**Energetic term.** With the shared cavity fields ``t_k`` (iid N(0, 1)), the student's unit-k scale
``b_k = sqrt(q_k/(1 - q_k))`` and the teacher's ``A_k = R_k/sqrt(q_k - R_k^2)``,

    G_E = E_t sum_sigma P_sigma(A t) ln[eps + (1 - eps) P_sigma(b t)],    eps = e^{-1/T},

with ``P_+(x) = P(x_1 + z_1 > max(0, x_2 + z_2)) = int_0^inf phi(v - x_1) Phi(v - x_2) dv`` and
``P_- = 1 - P_+ = Phi(-x_1) + int_0^inf phi(v - x_1) Phi(x_2 - v) dv``, both in log space
(log-concave integrands, :func:`relu2_log_probs`). Gradients in closed form (derived here):
``d_1 P_+ = phi(x_1) Phi(-x_2) + I``, ``d_2 P_+ = -I``, ``I = phi(d/sqrt 2) Phi(s/sqrt 2)/sqrt 2``
(``d = x_1 - x_2``, ``s = x_1 + x_2``), so that one pass gives ``G_E`` and

    dG/dA_k = E_t t_k d_k P_+(A t) [ln Z_+ - ln Z_-],
    dG/db_k = (1 - eps) E_t t_k d_k P_+(b t) [P_+(A t)/Z_+ - P_-(A t)/Z_-],

then ``dA/dR = q/s^3``, ``dA/dq = -R/(2 s^3)``, ``db/dq = 1/(2 b (1 - q)^2)`` (``s^2 = q - R^2``).
Each unit holds N/2 weights, so its conjugates are the perceptron's with ``2 alpha``:
``q_hat_k = -4 alpha dG_E/dq_k``, ``R_hat_k = 2 alpha dG_E/dR_k`` (T = 0: ``q_hat_k = R_hat_k``),
``f = (G_S(unit 1) + G_S(unit 2))/2 + alpha G_E``.

**Quadrature.** Both edges of the region ``P_+ -> 1`` (``x_1 = 0`` and ``x_1 = x_2``) are lines
through the origin; the rule is a sinh rule in ``t_1`` around 0 and one in ``u = t_2 - (b_1/b_2) t_1``
around 0, of widths ``min(1, 1/b_k)`` (the student's edges exactly, the teacher's too on the
Nishimori line), ``n x n`` nodes (default 81; the test doubles it).

**Replicon (AT) eigenvalue.** Generalising the tree's uniform mode (:mod:`.tree`) to two inequivalent
units: ``lambda = 1 - 2 alpha mu_max``, ``mu_max`` the largest eigenvalue of
``diag(sqrt gamma_S) C diag(sqrt gamma_S)`` with ``C_kl = E[(d_{x_k} d_{x_l} ln Z)^2]`` (teacher-weighted
over the output, second derivatives in closed form) and ``gamma_S,k`` the unit's entropic factor (1
spherical, ``<(1 - tanh^2)^2>`` Ising). For two equal units it is the tree's ``1 - alpha gamma_S
sum_kl C_kl``. Derived here.

**Errors.** ``eps_g``: student and teacher fields of unit k correlate as ``R_k``, so with
``a_k = sqrt(R_k/(1 - R_k))`` the outputs are independent given shared fields and
``eps_g = 2 E_t[P_+(a t) P_-(a t)]`` (``R_k >= 0``). ``eps_hidden`` (per unit) is the probability that
the unit's activity (``h > 0``) differs from the teacher's, ``arccos(R_k)/pi``. ``eps_t = -dG_E/dbeta
= E_t sum_sigma P_sigma(A t) eps P_{-sigma}(b t)/Z_sigma``.

Checks (tests/theory/committee/test_relu_tree.py): ``P_+ + P_- = 1`` and ``P_+`` against the storage
code's independent routine; ``G_E`` at q = R = 0 equals ``(3/8) ln(3/8) + (5/8) ln(5/8)`` (T = 0); the
gradients against finite differences of ``G_E``; the rule's convergence in n; alpha = 0 and large
alpha limits; Metropolis Monte Carlo of Ising weights (:mod:`replicon.simulate.committee.relu_tree`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..._util import ParamError, check_choice, check_number
from .. import engine
from ..channels import beta_eps, log_phi
from ..priors import ising_entropy, ising_gamma, ising_prior, spherical_entropy, spherical_prior
from ..solution import Solution, select_thermodynamic
from .deep_storage import nb_log_ndtr, nb_log_phi

from scipy.special import log_ndtr

WEIGHTS = ("spherical", "ising")
N_NODES = 61
_SQ2 = math.sqrt(2.0)
Q_MAX = 1.0 - 1e-10


# ----------------------------------------------------------------------------
# Output probabilities
# ----------------------------------------------------------------------------

_TRAP_H = 0.35
_TRAP_X = np.arange(-9.5, 9.5 + 1e-9, _TRAP_H)
_GL_X, _GL_W = np.polynomial.legendre.leggauss(10)


@njit(cache=True)
def _log_integral(a, b, rho, sgn, trap):
    """log int_0^inf phi(y - a) Phi(sgn rho (y - b)) dy, 0 < rho <= 1: a log-concave integrand (curvature
    in [1, 1 + rho^2]); its mode by 16 bisections, then the trapezoid rule (spacing 0.35, spectrally
    accurate) on mode +- 9.5 if that window lies in y > 0, 10-point GL panels of 1.5 on
    [max(mode - 9, 0), mode + 9.5] if the mode is >= -1, else geometric panels from 0 (below)."""
    if sgn > 0:
        z = rho * (a - b)
        lo, hi = a, a + rho * math.exp(nb_log_phi(z) - nb_log_ndtr(z))
    else:
        z = rho * (b - a)
        lo, hi = a - rho * math.exp(nb_log_phi(z) - nb_log_ndtr(z)), a
    for _ in range(16):
        mid = 0.5 * (lo + hi)
        z = sgn * rho * (mid - b)
        if -(mid - a) + sgn * rho * math.exp(nb_log_phi(z) - nb_log_ndtr(z)) > 0:
            lo = mid
        else:
            hi = mid
    mode = 0.5 * (lo + hi)
    m = -np.inf
    if mode - 9.5 > 0.0:
        n = trap.size
        g = np.empty(n)
        for j in range(n):
            v = mode + trap[j]
            g[j] = nb_log_phi(v - a) + nb_log_ndtr(sgn * rho * (v - b))
            m = max(m, g[j])
        acc = 0.0
        for j in range(n):
            acc += math.exp(g[j] - m)
        return m + math.log(acc * _TRAP_H)
    start = max(mode - 9.0, 0.0)
    if mode >= -1.0:                  # smooth from 0 on (no steep start): 10-point GL panels of width <= 1.5
        stop = mode + 9.5
        npan = int(math.ceil((stop - start) / 1.5))
        width = (stop - start) / npan
        g = np.empty(npan * 10)
        for p in range(npan):
            c = start + (p + 0.5) * width
            for j in range(10):
                v = c + 0.5 * width * _GL_X[j]
                g[p * 10 + j] = nb_log_phi(v - a) + nb_log_ndtr(sgn * rho * (v - b)) + math.log(0.5 * width * _GL_W[j])
                m = max(m, g[p * 10 + j])
        acc = 0.0
        for j in range(g.size):
            acc += math.exp(g[j] - m)
        return m + math.log(acc)
    # mode < -1: the integrand falls from y = 0 at the rate s = -g'(0) >= 1; geometric 10-point GL panels
    # of widths 0.25/s, 0.25/s, 0.5/s, 1/s, ... up to L = min(40/s, 9.5) (where it has fallen by e^-40)
    z = sgn * rho * (0.0 - b)
    s = max(-(a + sgn * rho * math.exp(nb_log_phi(z) - nb_log_ndtr(z))), 1.0)
    L = min(40.0 / s, 9.5)
    w0 = 0.25 / s
    g = np.empty(160)
    k = 0
    lo_e, hi_e = 0.0, w0
    while lo_e < L and k + 10 <= 160:
        hi_e = min(hi_e, L)
        width = hi_e - lo_e
        for j in range(10):
            v = lo_e + 0.5 * width * (_GL_X[j] + 1.0)
            g[k] = nb_log_phi(v - a) + nb_log_ndtr(sgn * rho * (v - b)) + math.log(0.5 * width * _GL_W[j])
            m = max(m, g[k])
            k += 1
        lo_e, hi_e = hi_e, 2.0 * hi_e
    acc = 0.0
    for j in range(k):
        acc += math.exp(g[j] - m)
    return m + math.log(acc)


@njit(cache=True)
def _log_add(x, y):
    top = max(x, y)
    if top == -np.inf:
        return top
    return top + math.log(math.exp(x - top) + math.exp(y - top))


@njit(cache=True)
def _relu2_pair_nb(m1, m2, s1, s2, trap):
    """(log P_+, log P_-) per element for h_k = m_k + s_k z_k: P_+ = P(h_1 > max(0, h_2)).

    s1 <= s2 (integrate over h_1): P_+ = int_0^inf phi(y - a1) Phi(rho (y - c)) dy,
    P_- = Phi(-a1) + int_0^inf phi(y - a1) Phi(-rho (y - c)) dy, a1 = m1/s1, rho = s1/s2, c = m2/s1;
    s1 > s2 (over h_2): P_+ = Phi(a1) Phi(-a2) + int_0^inf phi(y - a2) Phi(-rho (y - c)) dy,
    P_- = Phi(-a1) Phi(-a2) + int_0^inf phi(y - a2) Phi(rho (y - c)) dy, a2 = m2/s2, rho = s2/s1, c = m1/s2.
    The smaller of the two is computed, the other as its complement (relative accuracy for both)."""
    n = m1.size
    lp = np.empty(n)
    lm = np.empty(n)
    for i in range(n):
        a1 = m1[i] / s1[i]
        a2 = m2[i] / s2[i]
        if s1[i] <= s2[i]:
            rho, c = s1[i] / s2[i], m2[i] / s1[i]
            lp[i] = _log_integral(a1, c, rho, 1.0, trap)
            if lp[i] < -0.6931471805599453:
                lm[i] = math.log1p(-math.exp(lp[i]))
            else:
                lm[i] = _log_add(nb_log_ndtr(-a1), _log_integral(a1, c, rho, -1.0, trap))
                lp[i] = math.log1p(-math.exp(lm[i])) if lm[i] < -0.6931471805599453 else lp[i]
        else:
            rho, c = s2[i] / s1[i], m1[i] / s2[i]
            lp[i] = _log_add(nb_log_ndtr(a1) + nb_log_ndtr(-a2), _log_integral(a2, c, rho, -1.0, trap))
            if lp[i] < -0.6931471805599453:
                lm[i] = math.log1p(-math.exp(lp[i]))
            else:
                lm[i] = _log_add(nb_log_ndtr(-a1) + nb_log_ndtr(-a2), _log_integral(a2, c, rho, 1.0, trap))
                lp[i] = math.log1p(-math.exp(lm[i])) if lm[i] < -0.6931471805599453 else lp[i]
    return lp, lm


def relu2_log_probs(m1, m2, s1=1.0, s2=1.0):
    """``(log P_+, log P_-)`` of the two-unit ReLU tree's output for fields ``h_k = m_k + s_k z_k``;
    ``P_+ = P(h_1 > max(0, h_2))``, ``P_- = 1 - P_+``, each to relative accuracy (module docstring)."""
    arrs = np.broadcast_arrays(*(np.asarray(v, float) for v in (m1, m2, s1, s2)))
    shape = arrs[0].shape
    flat = [np.ascontiguousarray(v).ravel() for v in arrs]
    lp, lm = _relu2_pair_nb(*flat, _TRAP_X)
    return lp.reshape(shape), lm.reshape(shape)


def relu2_prob_derivatives(m1, m2, s1, s2):
    """Logs and signs of the derivatives of ``P_+`` in the means, for ``h_k = m_k + s_k z_k``:

    ``d1 P = phi(a1) Phi(-a2)/s1 + I``, ``d2 P = -I``, ``I = phi(d/S) Phi(mu/tau)/S``,
    ``d11 P = -(m1/s1^2) phi(a1) Phi(-a2)/s1 - (d/S^2) I + s2^2 J``,
    ``d12 P = (d/S^2) I - s2^2 J`` ... returned as plain arrays (callers divide by P in log space):
    ``(lA, lI, lJ, d, S2)`` with ``A = phi(a1) Phi(-a2)/s1``, ``J = phi(d/S) phi(mu/tau)/(S^3 tau)``,
    ``d = m1 - m2``, ``S^2 = s1^2 + s2^2``, ``mu = (m1 s2^2 + m2 s1^2)/S^2``, ``tau = s1 s2/S``.
    """
    S2 = s1 * s1 + s2 * s2
    S = np.sqrt(S2)
    d = m1 - m2
    mu = (m1 * s2 * s2 + m2 * s1 * s1) / S2
    tau = s1 * s2 / S
    lA = log_phi(m1 / s1) + log_ndtr(-m2 / s2) - np.log(s1)
    lI = log_phi(d / S) + log_ndtr(mu / tau) - np.log(S)
    lJ = log_phi(d / S) + log_phi(mu / tau) - np.log(S2 * S * tau)
    return lA, lI, lJ, d, S2


def relu2_grad_hess(m1, m2, s1, s2, lP):
    """``grad P_+`` and ``hess P_+`` in the means divided by ``exp(lP)`` (pass log P_- for the ratios of
    P_-, whose derivatives are minus these): ``(g1, g2, h11, h12, h22)``."""
    lA, lI, lJ, d, S2 = relu2_prob_derivatives(m1, m2, s1, s2)
    A = np.exp(lA - lP)
    I = np.exp(lI - lP)
    J = np.exp(lJ - lP)
    g1, g2 = A + I, -I
    d1I = -(d / S2) * I + s2 * s2 * J
    d2I = (d / S2) * I + s1 * s1 * J
    h11 = -(m1 / (s1 * s1)) * A + d1I
    h12 = -d1I
    h22 = -d2I
    return g1, g2, h11, h12, h22


# ----------------------------------------------------------------------------
# Quadrature and the energetic term
# ----------------------------------------------------------------------------

_GL6 = np.polynomial.legendre.leggauss(6)
R_EDGES = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0, 8.0, 9.5, 11.0])


def _radial_rule():
    """6-point GL nodes on r in [0, 11] (panels of 0.5 up to 4, then 1 to 1.5) with the weight r e^{-r^2/2}/(2 pi)."""
    a, b = R_EDGES[:-1], R_EDGES[1:]
    x, w = _GL6
    r = (0.5 * (a + b)[:, None] + 0.5 * (b - a)[:, None] * x).ravel()
    wr = (0.5 * (b - a)[:, None] * w).ravel() * r * np.exp(-0.5 * r * r) / (2.0 * np.pi)
    return r, wr


_R, _WR = _radial_rule()


def edge_angles(s1, s2):
    """Angles in [0, 2 pi) of the two lines through 0 where the output of fields (s1 t1, s2 t2) switches:
    t1 = 0 and s1 t1 = s2 t2."""
    th = [0.5 * np.pi, 1.5 * np.pi, math.atan2(s1, s2) % (2 * np.pi), (math.atan2(s1, s2) + np.pi) % (2 * np.pi)]
    return th


def relu2_rule(b1, b2, n=N_NODES, extra=(), rays=None):
    """``(t1, t2, W)``: the Gaussian measure on (t1, t2) in polar coordinates. Every boundary of the output
    (t1 = 0 and m_1 = m_2, the means ``m_k = c_k t_k`` of each pair ``(c_1, c_2)`` of ``rays``; default the
    sharpness pairs ``(b1, b2)`` and ``extra``) is a ray from 0; the sharpness ``max b`` (mean over noise)
    sets the clustering; the angle is split at
    the rays and at the midpoints between them, each piece on a sinh rule clustered at its ray (scale
    ``min(0.2, 1/(8 max b))``, ``n // 4`` nodes), the radius on 6-point GL panels up to 11."""
    scales = [(b1, b2)] + list(extra)
    ray_pairs = scales if rays is None else rays
    rays = sorted(set(round(a, 14) for s in ray_pairs for a in edge_angles(*s)))
    bmax = max(max(s) for s in scales)
    c = min(0.2, 1.0 / (8.0 * max(bmax, 1e-12)))
    m = max(n // 4, 4)
    th, wt = [], []
    R = list(rays) + [rays[0] + 2 * np.pi]
    for lo, hi in zip(R[:-1], R[1:]):
        half = 0.5 * (hi - lo)
        if half <= 0:
            continue
        U = math.asinh(half / c)
        x, wx = np.polynomial.legendre.leggauss(m)
        um = 0.5 * U * (x + 1.0)          # GL in u on [0, U], from each ray towards the midpoint
        d = c * np.sinh(um)
        w = 0.5 * U * wx * c * np.cosh(um)
        th += [lo + d, hi - d]
        wt += [w, w]
    th = np.concatenate(th)
    wt = np.concatenate(wt)
    t1 = (_R[:, None] * np.cos(th)[None, :]).ravel()
    t2 = (_R[:, None] * np.sin(th)[None, :]).ravel()
    W = (_WR[:, None] * wt[None, :]).ravel()
    return t1, t2, W


def relu2_energetic(qs, Rs, T=0.0, gamma=False, n=N_NODES):
    """``G_E`` of the two-unit ReLU tree and its gradients in ``(q_k, R_k)`` (module docstring).

    ``qs = (q_1, q_2)``, ``Rs = (R_1, R_2)``. Returns ``G``, ``dq`` and ``dR`` (length-2 arrays),
    ``eps_t`` and, if ``gamma``, the 2 x 2 matrix ``C`` of the replicon factor.
    """
    q = np.clip(np.asarray(qs, float), 1e-12, Q_MAX)
    R = np.asarray(Rs, float).copy()
    R = np.clip(R, -np.sqrt(q) * (1 - 1e-12), np.sqrt(q) * (1 - 1e-12))
    nish = np.array_equal(np.asarray(Rs, float), np.asarray(qs, float))
    sq = np.sqrt(q)
    s = np.sqrt(1.0 - q)                         # student noise
    mu_c = R / sq                                # teacher mean per unit of t
    sig = np.sqrt(np.maximum(1.0 - R * R / q, 1e-300))   # teacher noise
    if nish:
        R, mu_c, sig = q.copy(), sq.copy(), s.copy()
    extra = () if nish else ((mu_c[0] / sig[0], mu_c[1] / sig[1]),)
    t1, t2, W = relu2_rule(sq[0] / s[0], sq[1] / s[1], n, extra=extra, rays=((sq[0], sq[1]), (mu_c[0], mu_c[1])))
    le, l1e = beta_eps(T)
    m1, m2 = sq[0] * t1, sq[1] * t2
    lSp, lSm = relu2_log_probs(m1, m2, s[0], s[1])
    if nish:
        n1, n2 = m1, m2
        lTp, lTm = lSp, lSm
    else:
        n1, n2 = mu_c[0] * t1, mu_c[1] * t2
        lTp, lTm = relu2_log_probs(n1, n2, sig[0], sig[1])
    if T > 0:
        lZp, lZm = np.logaddexp(le, l1e + lSp), np.logaddexp(le, l1e + lSm)
    else:
        lZp, lZm = lSp, lSm
    pTp, pTm = np.exp(lTp), np.exp(lTm)
    G = float(np.dot(W, pTp * lZp + pTm * lZm))
    tk = (t1, t2)
    # teacher: dP_T+/dR_k = d_k P t_k/sqrt(q_k) - (R_k/q_k) d_kk P;
    #          dP_T+/dq_k = -d_k P R_k t_k/(2 q_k^1.5) + d_kk P R_k^2/(2 q_k^2)   (d_kk P = dP/d(sigma_k^2) * 2)
    gT = relu2_grad_hess(n1, n2, sig[0], sig[1], 0.0)      # absolute derivatives of P_T+ (divided by 1)
    dlz = lZp - lZm
    dR, dq = np.empty(2), np.empty(2)
    for k in range(2):
        gk, hkk = gT[k], gT[2 + 2 * k]
        dR[k] = np.dot(W, (gk * tk[k] / sq[k] - (R[k] / q[k]) * hkk) * dlz)
        dq[k] = np.dot(W, (-gk * R[k] * tk[k] / (2.0 * q[k] ** 1.5) + hkk * R[k] ** 2 / (2.0 * q[k] ** 2)) * dlz)
    # student: dP_S+/dq_k = (d_k P t_k/sqrt(q_k) - d_kk P)/2, times (1 - eps)(P_T+/Z+ - P_T-/Z-)
    # absolute derivatives (never a ratio to a P that underflows: no inf * 0 in the tails)
    gS = relu2_grad_hess(m1, m2, s[0], s[1], 0.0)
    ratio = np.exp(l1e + lTp - lZp) - np.exp(l1e + lTm - lZm)      # (1 - eps)(P_T+/Z+ - P_T-/Z-)
    for k in range(2):
        dq[k] += np.dot(W, 0.5 * (gS[k] * tk[k] / sq[k] - gS[2 + 2 * k]) * ratio)
    out = {"G": G, "dq": dq, "dR": dR, "eps_t": 0.0}
    if T > 0:
        eps = math.exp(le)
        out["eps_t"] = float(np.dot(W, pTp * eps * np.exp(lSm - lZp) + pTm * eps * np.exp(lSp - lZm)))
    if gamma:
        C = np.zeros((2, 2))
        for lT, lS, lZ, sign in ((lTp, lSp, lZp, 1.0), (lTm, lSm, lZm, -1.0)):
            g1, g2, h11, h12, h22 = relu2_grad_hess(m1, m2, s[0], s[1], lS)
            rho = np.exp(l1e + lS - lZ)            # (1 - eps) P_sigma / Z_sigma
            G1, G2 = sign * rho * g1 * s[0], sign * rho * g2 * s[1]        # in x_k = m_k/s_k units
            H11 = sign * rho * h11 * s[0] ** 2 - G1 * G1
            H12 = sign * rho * h12 * s[0] * s[1] - G1 * G2
            H22 = sign * rho * h22 * s[1] ** 2 - G2 * G2
            pT = np.exp(lT)
            C[0, 0] += np.dot(W, pT * H11 ** 2)
            C[0, 1] += np.dot(W, pT * H12 ** 2)
            C[1, 1] += np.dot(W, pT * H22 ** 2)
        C[1, 0] = C[0, 1]
        out["C"] = C
    return out


def relu2_generalisation(Rs, n=N_NODES):
    """``eps_g = 2 E_t[P_+ P_-]`` with means ``sqrt(R_k) t_k`` and noises ``sqrt(1 - R_k)`` (module docstring)."""
    R = np.clip(np.asarray(Rs, float), 1e-12, Q_MAX)
    sr, s = np.sqrt(R), np.sqrt(1.0 - R)
    t1, t2, W = relu2_rule(sr[0] / s[0], sr[1] / s[1], n, rays=((sr[0], sr[1]),))
    lp, lm = relu2_log_probs(sr[0] * t1, sr[1] * t2, s[0], s[1])
    return float(2.0 * np.dot(W, np.exp(lp + lm)))


# ----------------------------------------------------------------------------
# RS equations
# ----------------------------------------------------------------------------

class ReluTree:
    """RS equations at one point: x = (q_1, q_2) on the Nishimori line (T = 0), (q_1, R_1, q_2, R_2) at T > 0."""

    def __init__(self, alpha, T, weights, n=N_NODES):
        self.alpha, self.T, self.weights, self.n = float(alpha), float(T), weights, n

    @property
    def nishimori(self):
        return self.T == 0

    def _unpack(self, x):
        x = np.asarray(x, float)
        if self.nishimori:
            qs = np.clip(x, 1e-12, Q_MAX)
            return qs, qs.copy()
        qs = np.clip(x[[0, 2]], 1e-12, Q_MAX)
        Rs = x[[1, 3]].copy()
        for k in range(2):
            lim = math.sqrt(qs[k]) * (1 - 1e-12)
            Rs[k] = min(max(Rs[k], -lim), lim)
        return qs, Rs

    def conjugates(self, qs, Rs, gamma=False):
        e = relu2_energetic(qs, Rs, self.T, gamma=gamma, n=self.n)
        R_hat = 2.0 * self.alpha * e["dR"]
        q_hat = R_hat.copy() if self.nishimori else -4.0 * self.alpha * e["dq"]
        return q_hat, R_hat, e

    def update(self, x):
        qs, Rs = self._unpack(x)
        q_hat, R_hat, _ = self.conjugates(qs, Rs)
        prior = spherical_prior if self.weights == "spherical" else ising_prior
        new = [prior(max(q_hat[k], 0.0), R_hat[k]) for k in range(2)]
        if self.nishimori:
            return np.array([new[0][1], new[1][1]])
        return np.array([new[0][0], new[0][1], new[1][0], new[1][1]])

    def problem(self):
        if self.nishimori:
            return engine.FixedPointProblem(("q_1", "q_2"), self.update, np.zeros(2), np.ones(2),
                                            transforms=("logit", "logit"))
        return engine.FixedPointProblem(("q_1", "R_1", "q_2", "R_2"), self.update,
                                        np.array([0.0, -1.0, 0.0, -1.0]), np.ones(4),
                                        transforms=("logit",) * 4)

    def inits(self):
        qs = (0.5, 0.05, 0.95) if self.weights == "spherical" else (0.3, 0.05, 0.7, 0.95)
        if self.nishimori:
            return [np.array([v, v]) for v in qs]
        return [np.array([v, v, v, v]) for v in qs]

    def evaluate(self, x, replicon=True):
        qs, Rs = self._unpack(x)
        q_hat, R_hat, e = self.conjugates(qs, Rs, gamma=replicon)
        if self.weights == "spherical":
            gs = [spherical_entropy(qs[k], Rs[k]) for k in range(2)]
            gam = np.ones(2)
        else:
            gs = [ising_entropy(qs[k], Rs[k], q_hat[k], R_hat[k]) for k in range(2)]
            gam = np.array([ising_gamma(q_hat[k], R_hat[k]) for k in range(2)])
        f = 0.5 * (gs[0] + gs[1]) + self.alpha * e["G"]
        lam = None
        if replicon:
            sg = np.sqrt(gam)
            mu = float(np.linalg.eigvalsh(sg[:, None] * e["C"] * sg[None, :]).max())
            lam = 1.0 - 2.0 * self.alpha * mu
        order = {"q_1": float(qs[0]), "R_1": float(Rs[0]), "q_2": float(qs[1]), "R_2": float(Rs[1]),
                 "q_hat_1": float(q_hat[0]), "R_hat_1": float(R_hat[0]),
                 "q_hat_2": float(q_hat[1]), "R_hat_2": float(R_hat[1])}
        return order, f, e["eps_t"], lam


def check_relu_tree(branching, output, alpha, T, weights):
    """Validated (alpha, T, weights) of the ReLU teacher-student tree; one-line ParamError otherwise."""
    parts = str(branching).replace(" ", "").split(",") if not isinstance(branching, (tuple, list)) else branching
    try:
        ok = len(parts) == 1 and float(parts[0]) == 2.0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ParamError(f"branching={branching!r} is not implemented under activation=relu (teacher-student); "
                         "allowed: branching=2 (one hidden layer of two ReLU units)")
    if output != "majority":
        raise ParamError("output=parity does not apply under activation=relu (the output is the sign of "
                         "relu(h_1) - relu(h_2)); allowed: output=majority")
    alpha = check_number("alpha", alpha, lo=0.0)
    T = check_number("T", T, lo=0.0)
    if not (math.isfinite(alpha) and math.isfinite(T)):
        raise ParamError("alpha and T must be finite")
    weights = check_choice("weights", weights, WEIGHTS)
    return alpha, T, weights


def _observables(order, f, eps_t, T, alpha):
    R1, R2 = order["R_1"], order["R_2"]
    obs = {"R": 0.5 * (R1 + R2), "q": 0.5 * (order["q_1"] + order["q_2"]), "R_1": R1, "R_2": R2,
           "q_1": order["q_1"], "q_2": order["q_2"], "eps_g": relu2_generalisation((R1, R2)),
           "eps_hidden": 0.5 * (math.acos(min(1.0, max(-1.0, R1))) + math.acos(min(1.0, max(-1.0, R2)))) / math.pi,
           "eps_t": eps_t, "free_entropy": f}
    if T > 0:
        obs["entropy"] = f + alpha * eps_t / T
        return obs, -T * f
    obs["entropy"] = f
    return obs, -f


def relu_tree(alpha=1.0, T=0.0, weights="spherical", branching="2", output="majority", strict=False,
              replicon=True, inits=None, n=N_NODES):
    """Gibbs learning of the two-unit ReLU tree (teacher-student, module docstring): RS branches.

    Returns the thermodynamic branch with every branch found in ``.branches`` (``rs`` spherical /
    ``poor`` Ising attracting fixed points, ``unstable`` repelling ones; Ising's exact ``perfect``
    state R = q = 1 and the half-perfect states ``perfect_1`` / ``perfect_2``, one unit exactly the
    teacher's and the other at its RS fixed point, :class:`HalfPerfect`; at T = 0 the +1 unit's
    ``perfect_1`` takes over from ``poor`` between alpha = 1 and 1.5). Observables: ``R``, ``q`` (unit means), ``R_1``, ``R_2``, ``q_1``, ``q_2``,
    ``eps_g`` (output), ``eps_hidden`` (unit mean of arccos(R_k)/pi), ``eps_t``, ``entropy``,
    ``free_entropy``; each branch carries ``replicon_eigenvalue`` and ``stable``.
    """
    alpha, T, weights = check_relu_tree(branching, output, alpha, T, weights)
    params = {"branching": "2", "output": "majority", "activation": "relu", "alpha": alpha, "T": T,
              "weights": weights}
    name = "committee.deep"
    sols = []
    if alpha == 0:
        order = {"q_1": 0.0, "R_1": 0.0, "q_2": 0.0, "R_2": 0.0}
        f = 0.0 if weights == "spherical" else math.log(2.0)
        eps_t = relu2_energetic((1e-12, 1e-12), (0.0, 0.0), T)["eps_t"] if T > 0 else 0.0
        obs, F = _observables(order, f, eps_t, T, alpha)
        sols.append(Solution(model=name, params=params, order=order, observables=obs, free_energy=F,
                             converged=True, residual=0.0, iterations=0, branch="rs" if weights == "spherical"
                             else "poor", stable=True, replicon_eigenvalue=1.0))
    else:
        model = ReluTree(alpha, T, weights, n)
        problem = model.problem()
        found, _ = engine.find_fixed_points(problem, inits or model.inits(), tol=1e-10, max_iter=400)
        for r in found:
            att, _rad = engine.attracting(problem, r.x)
            order, f, eps_t, lam = model.evaluate(r.x, replicon=replicon)
            obs, F = _observables(order, f, eps_t, T, alpha)
            label = ("poor" if weights == "ising" else "rs") if att else "unstable"
            sols.append(Solution(model=name, params=params, order=order, observables=obs, free_energy=F,
                                 converged=True, residual=r.residual, iterations=r.iterations, branch=label,
                                 status=None if att else "unstable",
                                 stable=None if lam is None else bool(lam > 0), replicon_eigenvalue=lam))
        if weights == "ising":
            sols += _half_perfect_branches(name, params, alpha, T)
            order = {"q_1": 1.0, "R_1": 1.0, "q_2": 1.0, "R_2": 1.0}
            obs = {"R": 1.0, "q": 1.0, "R_1": 1.0, "R_2": 1.0, "q_1": 1.0, "q_2": 1.0, "eps_g": 0.0,
                   "eps_hidden": 0.0, "eps_t": 0.0, "free_entropy": 0.0, "entropy": 0.0}
            sols.append(Solution(model=name, params=params, order=order, observables=obs, free_energy=0.0,
                                 converged=True, residual=0.0, iterations=0, branch="perfect", stable=True,
                                 replicon_eigenvalue=1.0, message="exact state (infinite conjugates)"))
    return select_thermodynamic(name, params, sols, strict)


def _half_perfect_branches(name, params, alpha, T):
    """Ising weights: the states with unit 1 (``perfect_1``) or unit 2 (``perfect_2``) exactly the teacher's
    and the other unit's RS fixed points (:class:`HalfPerfect`); replicon eigenvalue not computed."""
    out = []
    for which in (1, 2):
        m = HalfPerfect(which, alpha, T)
        p = m.problem()
        found, _ = engine.find_fixed_points(p, m.inits(), tol=1e-10, max_iter=400)
        for r in found:
            att, _rad = engine.attracting(p, r.x)
            q, R, q_hat, R_hat, f, eps_t = m.evaluate(r.x)
            k = "2" if which == 1 else "1"
            j = "1" if which == 1 else "2"
            exact, other = {f"q_{j}": 1.0, f"R_{j}": 1.0}, {f"q_{k}": q, f"R_{k}": R}
            order = {key: (exact | other)[key] for key in ("q_1", "R_1", "q_2", "R_2")}
            order |= {f"q_hat_{k}": q_hat, f"R_hat_{k}": R_hat}
            obs, F = _observables(order, f, eps_t, T, alpha)
            out.append(Solution(model=name, params=params, order=order, observables=obs, free_energy=F,
                                converged=True, residual=r.residual, iterations=r.iterations,
                                branch=f"perfect_{which}" if att else f"perfect_{which}_unstable",
                                status=None if att else "unstable", stable=None, replicon_eigenvalue=None,
                                message=f"unit {which} exactly the teacher's (infinite conjugates), unit {k} RS"))
    return out


# ----------------------------------------------------------------------------
# Ising weights: states with one unit exactly equal to the teacher's
# ----------------------------------------------------------------------------

def half_perfect_energetic(which, q, R, T=0.0, n=N_NODES):
    """``G_E`` with unit ``which`` (1 or 2) exactly the teacher's (q = R = 1: its field is t_which for
    teacher and student alike) and the other unit at ``(q, R)``.

    Unit 1 exact: ``P_+ = 1[t_1 > 0] Phi((t_1 - m_2)/s_2)`` (teacher: mean ``R t_2/sqrt q``, noise
    ``sqrt(1 - R^2/q)``; student: ``sqrt(q) t_2``, ``sqrt(1 - q)``); for t_1 <= 0 the output is -1 for
    both and contributes ln 1 = 0. Unit 2 exact: ``P_+ = Phi((m_1 - max(0, t_2))/s_1)``. Both are the
    q_k -> 1 limits of :func:`relu2_energetic` (tested); the rule is the polar one with the rays
    t_which = 0 and the other unit's edge.
    """
    q = min(max(float(q), 1e-12), Q_MAX)
    R = min(max(float(R), -math.sqrt(q) * (1 - 1e-12)), math.sqrt(q) * (1 - 1e-12))
    sq, s = math.sqrt(q), math.sqrt(1.0 - q)
    mu, sig = R / sq, math.sqrt(max(1.0 - R * R / q, 1e-300))
    b = max(sq / s, mu / sig)
    if which == 1:
        t1, t2, W = relu2_rule(b, b, n, rays=((1.0, sq), (1.0, mu)))
        on = t1 > 0
        lTp = np.where(on, log_ndtr((t1 - mu * t2) / sig), -np.inf)
        lTm = np.where(on, log_ndtr(-(t1 - mu * t2) / sig), 0.0)
        lSp = np.where(on, log_ndtr((t1 - sq * t2) / s), -np.inf)
        lSm = np.where(on, log_ndtr(-(t1 - sq * t2) / s), 0.0)
    else:
        t1, t2, W = relu2_rule(b, b, n, rays=((sq, 1.0), (mu, 1.0)))
        c = np.maximum(t2, 0.0)
        lTp, lTm = log_ndtr((mu * t1 - c) / sig), log_ndtr(-(mu * t1 - c) / sig)
        lSp, lSm = log_ndtr((sq * t1 - c) / s), log_ndtr(-(sq * t1 - c) / s)
    le, l1e = beta_eps(T)
    if T > 0:
        lZp, lZm = np.logaddexp(le, l1e + lSp), np.logaddexp(le, l1e + lSm)
    else:
        lZp, lZm = lSp, lSm
    with np.errstate(invalid="ignore"):
        terms = np.where(np.isfinite(lTp), np.exp(lTp) * lZp, 0.0) + np.where(np.isfinite(lTm), np.exp(lTm) * lZm, 0.0)
    out = {"G": float(np.dot(W, terms)), "eps_t": 0.0}
    if T > 0:
        eps = math.exp(le)
        et = np.where(np.isfinite(lTp), np.exp(lTp + lSm - lZp), 0.0) + np.where(np.isfinite(lTm), np.exp(lTm + lSp - lZm), 0.0)
        out["eps_t"] = float(eps * np.dot(W, et))
    return out


class HalfPerfect:
    """RS equations of the other unit when unit ``which`` is exact (Ising weights): x = (q,) at T = 0
    (Nishimori), (q, R) at T > 0; conjugates by central differences of :func:`half_perfect_energetic`
    (it is cheap: no inner integral). ``f = G_S(other)/2 + alpha G_E`` (the exact unit has no entropy)."""

    def __init__(self, which, alpha, T):
        self.which, self.alpha, self.T = int(which), float(alpha), float(T)

    def _qR(self, x):
        q = min(max(float(x[0]), 1e-12), Q_MAX)
        R = q if self.T == 0 else min(max(float(x[1]), -math.sqrt(q) * (1 - 1e-12)), math.sqrt(q) * (1 - 1e-12))
        return q, R

    def conjugates(self, q, R):
        G = lambda qq, RR: half_perfect_energetic(self.which, qq, RR, self.T)["G"]
        h = 1e-5 * min(q, 1.0 - q, max(q - R * R, 1e-12) / max(abs(R), 1e-3))
        dR = (G(q, R + h) - G(q, R - h)) / (2 * h)
        R_hat = 2.0 * self.alpha * dR
        if self.T == 0:
            return R_hat, R_hat
        dq = (G(q + h, R) - G(q - h, R)) / (2 * h)
        return -4.0 * self.alpha * dq, R_hat

    def update(self, x):
        q, R = self._qR(x)
        q_hat, R_hat = self.conjugates(q, R)
        qn, Rn = ising_prior(max(q_hat, 0.0), R_hat)
        return np.array([Rn]) if self.T == 0 else np.array([qn, Rn])

    def problem(self):
        if self.T == 0:
            return engine.FixedPointProblem(("q",), self.update, np.zeros(1), np.ones(1), transforms=("logit",))
        return engine.FixedPointProblem(("q", "R"), self.update, np.array([0.0, -1.0]), np.ones(2),
                                        transforms=("logit", "logit"))

    def inits(self):
        return [np.array([v]) if self.T == 0 else np.array([v, v]) for v in (0.05, 0.3, 0.7)]

    def evaluate(self, x):
        q, R = self._qR(x)
        q_hat, R_hat = self.conjugates(q, R)
        e = half_perfect_energetic(self.which, q, R, self.T)
        f = 0.5 * ising_entropy(q, R, q_hat, R_hat) + self.alpha * e["G"]
        return q, R, q_hat, R_hat, f, e["eps_t"]
