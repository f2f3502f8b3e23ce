r"""Batched RS saddle points of spherical Gibbs learning at T = 0: a whole alpha grid in one solve.

On the Nishimori line (T = 0, spherical teacher and student: R = q, R_hat = q_hat; see
:class:`replicon.theory.perceptron.TeacherStudent`) the fixed point of the RS map is one equation
per alpha. With ``b = sqrt(q/(1-q))``, ``Phi`` the standard normal CDF and
``g(s) = phi(s)^2 / Phi(s)``, the conjugate is ``q_hat = alpha dG_E/dR = (2 alpha/(1-q)) J(b)``,
``J(b) = int Dt g(b t)`` (``TeacherStudent.conjugates``: ``dR = 2 (b/s) int Dt phi(A t) r(b t)`` with
``A = b``, ``s = sqrt(q(1-q))``, ``r = phi/Phi``), and the spherical prior ``q = q_hat/(1 + q_hat)``
turns the fixed point into

    F(q) = q - 2 alpha J(b(q)) = 0        (Engel & Van den Broeck eq. (2.42) in another form).

Quadrature with no sharp feature at any q. For ``b <= 1`` the integrands ``g(b t)``,
``Phi(b t) ln Phi(b t)`` and ``Phi(b t) r_1(b t)^2`` vary on the scale 1/b >= 1 and a 96-point
Gauss-Hermite rule in t is exact to rounding. For ``b > 1`` substitute ``s = b t``:
``int Dt f(b t) = int ds phi(s/b)/b f(s)`` where every ``f`` above is smooth and decays on both
sides (``|f(s)| < 1e-19`` outside [-12, 9], relative to integrals of order 0.1), so one fixed
Gauss-Legendre panel rule in s (21 unit panels of 10 nodes), with ``f`` tabulated once, serves
every b: only the weight ``phi(s/b)/b`` depends on the point. Newton's method runs on all alphas at once in ``u = logit(q)`` with
``dF/du`` analytic (``dJ/db`` differentiates the same weights); a point that does not converge
in 60 steps is reported as such and the caller solves it point by point.

Observables as the point path: ``eps_g = arccos(q)/pi`` (Gibbs), ``arccos(sqrt q)/pi`` (Bayes),
free entropy ``1/2 ln(1-q) + q/2 + alpha G_E`` with ``G_E = 2 int Dt Phi(bt) ln Phi(bt)``, replicon
eigenvalue ``1 - alpha gamma_E``, ``gamma_E = 2 int Dt Phi(bt) r_1(bt)^2``, ``r_1 = -x r - r^2``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import log_ndtr

from .gauss import hermite, legendre

_S_LO, _S_HI = -12.0, 9.0
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _s_rule():
    x, w = legendre(10)
    edges = np.arange(_S_LO, _S_HI + 0.5, 1.0)
    a, b = edges[:-1], edges[1:]
    s = (0.5 * (a + b)[:, None] + 0.5 * (b - a)[:, None] * x[None, :]).ravel()
    ws = (0.5 * (b - a)[:, None] * w[None, :]).ravel()
    return s, ws


def _integrands(x):
    """``g = phi^2/Phi``, ``h = Phi ln Phi``, ``k = Phi r_1^2`` and ``g' = dg/dx`` at x (arrays)."""
    lphi = -0.5 * x * x - _LOG_SQRT_2PI
    lPhi = log_ndtr(x)
    r = np.exp(lphi - lPhi)
    g = np.exp(2.0 * lphi - lPhi)
    dg = g * (-2.0 * x - r)
    Phi = np.exp(lPhi)
    r1 = -x * r - r * r
    return g, Phi * lPhi, Phi * r1 * r1, dg


_S, _WS = _s_rule()
_G_S, _H_S, _K_S = (f * _WS / math.sqrt(2.0 * math.pi) for f in _integrands(_S)[:3])
_T, _WT = hermite(96)


def _moments(b, full=True):
    """``J(b), dJ/db`` and (``full``) ``G_E(b), gamma_E(b)`` for an array of slopes b > 0."""
    b = np.asarray(b, float)
    J, dJ, G, gam = (np.empty_like(b) for _ in range(4))
    lo = b <= 1.0
    if np.any(lo):
        x = b[lo, None] * _T[None, :]
        g, h, k, dg = _integrands(x)
        J[lo] = g @ _WT
        dJ[lo] = (dg * _T[None, :]) @ _WT
        G[lo] = 2.0 * (h @ _WT)
        gam[lo] = 2.0 * (k @ _WT)
    hi = ~lo
    if np.any(hi):
        inv = 1.0 / b[hi, None]
        z2 = (_S[None, :] * inv) ** 2
        wgt = np.exp(-0.5 * z2) * inv                 # phi(s/b)/b without 1/sqrt(2 pi) (in the tables)
        J[hi] = wgt @ _G_S
        dJ[hi] = inv[:, 0] * ((wgt * z2) @ _G_S - J[hi])
        if full:
            G[hi] = 2.0 * (wgt @ _H_S)
            gam[hi] = 2.0 * (wgt @ _K_S)
    return J, dJ, G, gam


def nishimori_batch(alphas, tol=1e-13, max_iter=60):
    """Solve the T = 0 spherical fixed point at every alpha of ``alphas`` at once.

    Returns a dict of arrays: ``q`` (= R), ``q_hat``, ``eps_g_gibbs``, ``eps_g_bayes``,
    ``free_entropy``, ``replicon``, ``residual`` (``|F(q)|``), ``iterations`` and ``converged``
    (``|F|`` below the rounding floor ``tol + 1e-15 alpha^2`` (``dF/dq ~ alpha^2``: F's rounding error at
    the double-precision q) or the last Newton step below 1e-11 in logit(q), then ``|F|`` within ten
    times that floor and q strictly inside (0, 1)).
    """
    a = np.asarray(alphas, float).ravel()
    # start: the small-alpha response q = 2 alpha/pi blended into the large-alpha 1 - q ~ (0.72 alpha)^-2
    q = np.clip(np.where(a < 1.0, 2.0 * a / math.pi / (1.0 + 2.0 * a / math.pi),
                         1.0 - 1.0 / (1.0 + (0.72 * a) ** 2)), 1e-12, 1.0 - 1e-12)
    u = np.log(q) - np.log1p(-q)
    done = np.zeros(a.size, bool)
    its = np.zeros(a.size, int)
    F = np.full(a.size, np.inf)
    last_step = np.full(a.size, np.inf)
    for it in range(max_iter):
        act = ~done
        if not np.any(act):
            break
        qa = 1.0 / (1.0 + np.exp(-u[act]))
        b = np.sqrt(qa / (1.0 - qa))
        J, dJ, _, _ = _moments(b, full=False)
        Fa = qa - 2.0 * a[act] * J
        # dF/du = q(1-q) [1 - 2 alpha dJ/db db/dq], db/dq = 1/(2 b (1-q)^2)
        dF = qa * (1.0 - qa) * (1.0 - 2.0 * a[act] * dJ / (2.0 * b * (1.0 - qa) ** 2))
        step = np.where(dF != 0, Fa / dF, 0.0)
        step = np.clip(step, -2.0, 2.0)
        idx = np.nonzero(act)[0]
        u[idx] -= step
        F[idx] = np.abs(Fa)
        its[idx] += 1
        last_step[idx] = np.abs(step)
        # converged: F below tol, or logit(q) fixed to 1e-11 (at large alpha F is so steep in q,
        # dF/dq ~ alpha^2, that its residual at the double-precision q is ~1e-16 alpha^2)
        floor = tol + 1e-15 * a[act] ** 2
        done[idx] = (np.abs(Fa) <= floor) | (np.abs(step) < 1e-11)
    q = 1.0 / (1.0 + np.exp(-u))
    b = np.sqrt(q / (1.0 - q))
    J, _, G, gam = _moments(b)
    res = np.abs(q - 2.0 * a * J)
    q_hat = 2.0 * a * J / (1.0 - q)
    f = 0.5 * np.log1p(-q) + 0.5 * q + a * G
    ok = done & (q > 0) & (q < 1) & np.isfinite(f) & (res <= 10.0 * (tol + 1e-15 * a * a))
    return {"q": q, "q_hat": q_hat, "eps_g_gibbs": np.arccos(np.clip(q, -1, 1)) / math.pi,
            "eps_g_bayes": np.arccos(np.sqrt(np.clip(q, 0, 1))) / math.pi, "free_entropy": f,
            "replicon": 1.0 - a * gam, "residual": res, "iterations": its, "converged": ok}


__all__ = ["nishimori_batch"]
