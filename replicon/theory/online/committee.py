"""Online learning: order-parameter ODEs of soft committee machines and perceptrons.

Soft committee machine (Biehl & Schwarze 1995; Saad & Solla 1995; Goldt et al. 2019)
-----------------------------------------------------------------------------------
Student ``sigma(xi) = sum_i v_i g(x_i)``, ``x_i = J_i . xi / sqrt(N)``, ``i = 1..K``;
teacher ``tau(xi) = sum_n v*_n g(y_n) + s zeta``, ``y_n = B_n . xi / sqrt(N)``,
``n = 1..M``, inputs ``xi ~ N(0, 1_N)``, label noise ``zeta ~ N(0, 1)`` of
strength ``s`` (``sigma`` below). One SGD step on ``(tau - sigma)^2 / 2``::

    J_i <- (1 - eta * gamma / N) J_i + (eta / sqrt N) v_i g'(x_i) (tau - sigma) xi
    v_i <- v_i + (eta_v / N) g(x_i) (tau - sigma)            (only if learned)

Order parameters ``Q_ik = J_i.J_k / N`` (so ``|J_i|^2 = N Q_ii``),
``R_in = J_i.B_n / N``, ``T_nm = B_n.B_m / N``; ``alpha = steps / N``.

Convention mapping. Saad & Solla (PRE 52, 4225) write ``x_i = J_i . xi`` with
``J`` of norm O(1) and the update ``J_i += (eta/N) delta_i xi``: their ``J`` is
ours divided by ``sqrt(N)``, so their Q, R, T, eta and alpha are exactly ours.
Goldt et al. (NeurIPS 2019, arXiv:1906.08632, eqs. 2-3) use ``w_k x / sqrt N``
and ``w_k += (eta/sqrt N) v_k g' Delta x``, ``v_k += (eta_v/N) g Delta``: identical
to ours (their ``rho`` is our ``y``, their ``Delta`` our ``tau - sigma``).
``eps_g = <(sigma - tau_0)^2>/2`` against the noiseless teacher ``tau_0``.

With ``Omega = [[Q, R], [R^T, T]]`` the covariance of ``z = (x, y)`` and
``c = (v, -v*)`` so that ``sigma - tau_0 = sum_a c_a g(z_a)``, the ODEs are
(Saad & Solla eqs. 9-10; Goldt et al. eqs. 7-8)::

    dR_in/dalpha = -eta v_i sum_a c_a I3(i, n, a)                      - eta gamma R_in
    dQ_ik/dalpha = -eta v_i sum_a c_a I3(i, k, a) + (i <-> k)
                   + eta^2 v_i v_k [sum_ab c_a c_b I4(i, k, a, b) + s^2 J2(i, k)]
                                                                        - 2 eta gamma Q_ik
    dv_i/dalpha  = -eta_v sum_a c_a I2(i, a)
    eps_g        = (1/2) sum_ab c_a c_b I2(a, b)

with ``I2 = <g(u) g(v)>``, ``I3 = <g'(u) v g(w)>``, ``I4 = <g'(u) g'(v) g(w) g(z)>``,
``J2 = <g'(u) g'(v)>`` over the centred Gaussian of the indicated entries of
Omega. For ``g(x) = erf(x / sqrt 2)`` these are closed forms (Saad & Solla
appendix; Biehl & Schwarze 1995); for ``g(x) = x`` they are the covariances.
For ``g(x) = relu(x) = max(0, x)`` (``g' = Theta``, with ``Theta(0) = 0``), I2 is
the degree-1 arc-cosine kernel (Cho & Saul 2009), J2 a quadrant probability
(Sheppard's formula), I3 a closed form from Stein's lemma, and I4 (no elementary
closed form: it contains a 4-d orthant probability) a one-dimensional
Gauss-Legendre integral along Plackett's (1954) path in the correlation matrix;
see :func:`relu_quad_average`.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, root

from ..._util import ParamError, alpha_grid, as_matrix, check_choice, check_number
from ..solution import Solution
from . import fast
from .integrals import (COMMITTEE_ACTIVATIONS, derivative_pair_average, pair_average, quad_average, relu_quad_average,
                        triple_average)

SPACINGS = ("log", "linear")


# ---------------------------------------------------------------------------
# Committee machine: state, right-hand side, generalisation error
# ---------------------------------------------------------------------------

def _covariance(Q, R, T):
    return np.block([[Q, R], [R.T, T]])


def committee_eps_g(Q, R, T, v=None, v_teacher=None, activation="erf"):
    """Generalisation error ``eps_g = <(sigma - tau_0)^2>/2`` of a committee from its order parameters.

    Saad & Solla (1995) eq. 5 (unit second layers); Goldt et al. (2019) eq. 6
    (general ``v``, ``v*``). Accepts stacked trajectories ``Q`` of shape (n, K, K).
    """
    Q, R, T = np.asarray(Q, float), np.asarray(R, float), np.asarray(T, float)
    K, M = R.shape[-2], R.shape[-1]
    v = np.ones(K) if v is None else np.asarray(v, float)
    vt = np.ones(M) if v_teacher is None else np.asarray(v_teacher, float)
    if Q.ndim == 3:
        vs = np.broadcast_to(v, (Q.shape[0], K)) if v.ndim == 1 else v
        return np.array([committee_eps_g(Q[t], R[t], T, vs[t], vt, activation) for t in range(Q.shape[0])])
    om = _covariance(Q, R, T)
    d = np.diag(om)
    c = np.concatenate([v, -vt])
    i2 = pair_average(activation, d[:, None], om, d[None, :])
    return 0.5 * float(c @ i2 @ c)


class CommitteeODE:
    """Right-hand side of the soft-committee ODEs (Saad & Solla 1995 eqs. 9-10; Goldt et al. 2019 eqs. 7-8).

    The state vector is ``(Q[triu], R.ravel(), v)`` (``v`` only when the second
    layer is learned). Convention as in the module docstring: ``|J_i|^2 = N Q_ii``,
    the first-layer step is ``eta/sqrt(N)``, the second-layer step ``eta_v/N``.
    """

    def __init__(self, K, M, eta, activation="erf", T=None, v=None, v_teacher=None,
                 sigma=0.0, weight_decay=0.0, learn_v=False, eta_v=None):
        self.K, self.M = int(K), int(M)
        self.eta = float(eta)
        self.activation = activation
        self.T = np.eye(self.M) if T is None else np.asarray(T, float)
        self.v0 = np.ones(self.K) if v is None else np.broadcast_to(np.asarray(v, float), (self.K,)).copy()
        self.v_teacher = (np.ones(self.M) if v_teacher is None
                          else np.broadcast_to(np.asarray(v_teacher, float), (self.M,)).copy())
        self.sigma = float(sigma)
        self.weight_decay = float(weight_decay)
        self.learn_v = bool(learn_v)
        self.eta_v = self.eta if eta_v is None else float(eta_v)
        self.iu = np.triu_indices(self.K)
        self.nq = len(self.iu[0])
        self.nr = self.K * self.M
        L = self.K + self.M
        self._i4_index = np.array([(i, k, a, b) for i in range(self.K) for k in range(i, self.K)
                                   for a in range(L) for b in range(a, L)]).T

    # -- packing ---------------------------------------------------------
    def pack(self, Q, R, v=None):
        parts = [np.asarray(Q, float)[self.iu], np.asarray(R, float).ravel()]
        if self.learn_v:
            parts.append(self.v0 if v is None else np.asarray(v, float))
        return np.concatenate(parts)

    def unpack(self, y):
        K, M = self.K, self.M
        Q = np.empty((K, K))
        Q[self.iu] = y[:self.nq]
        Q.T[self.iu] = y[:self.nq]
        R = y[self.nq:self.nq + self.nr].reshape(K, M)
        v = y[self.nq + self.nr:] if self.learn_v else self.v0
        return Q, R, v

    # -- the ODE ------------------------------------------------------------
    def derivatives(self, Q, R, v, eta=None):
        """``(dQ, dR, dv)`` at one point, vectorised over all index combinations."""
        eta = self.eta if eta is None else eta
        first_q, first_r, second, dv = self.flow_parts(Q, R, v)
        dR = eta * first_r
        dQ = eta * first_q + eta ** 2 * second
        return dQ, dR, dv

    def flow_parts(self, Q, R, v):
        """The flow split by powers of eta: ``(A_Q, A_R, B_Q, dv)`` with ``dQ = eta A_Q + eta^2 B_Q``,
        ``dR = eta A_R`` (weight decay included in the O(eta) parts) and ``dv`` the second-layer flow."""
        K, act = self.K, self.activation
        om = _covariance(Q, R, self.T)
        d = np.diag(om)
        c = np.concatenate([v, -self.v_teacher])
        # I3[i, b, a] = <g'(z_i) z_b g(z_a)>
        i3 = triple_average(act, d[:K, None, None], om[:K, :, None], om[:K, None, :],
                            om[None, :, :], d[None, None, :])
        drive = -v[:, None] * (i3 @ c)                      # <delta_i z_b>, shape (K, L)
        first_r = drive[:, K:] - self.weight_decay * R
        first_q = drive[:, :K] + drive[:, :K].T - 2.0 * self.weight_decay * Q
        # I4[i, k, a, b] = <g'(z_i) g'(z_k) g(z_a) g(z_b)>
        ok = om[:K, :K]
        if act == "relu":
            i4 = self._relu_i4(om, d)
        else:
            i4 = quad_average(act,
                              d[:K, None, None, None], ok[:, :, None, None], d[None, :K, None, None],
                              om[:K, None, :, None], om[:K, None, None, :],
                              om[None, :K, :, None], om[None, :K, None, :],
                              d[None, None, :, None], om[None, None, :, :], d[None, None, None, :])
        second = np.einsum("ikab,a,b->ik", i4, c, c)
        if self.sigma > 0:
            second = second + self.sigma ** 2 * derivative_pair_average(act, d[:K, None], ok, d[None, :K])
        second = np.outer(v, v) * second
        if self.learn_v:
            i2 = pair_average(act, d[:K, None], om[:K, :], d[None, :])
            dv = -self.eta_v * (i2 @ c)
        else:
            dv = np.zeros(0)
        return first_q, first_r, second, dv

    def _relu_i4(self, om, d):
        """relu I4[i, k, a, b] from its distinct entries only (``i <= k``, ``a <= b``; it is symmetric in both)."""
        K, L = self.K, len(d)
        i, k, a, b = self._i4_index
        vals = relu_quad_average(d[i], om[i, k], d[k], om[i, a], om[i, b], om[k, a], om[k, b],
                                 d[a], om[a, b], d[b])
        i4 = np.empty((K, K, L, L))
        for (x, y), (u, w) in (((i, k), (a, b)), ((k, i), (a, b)), ((i, k), (b, a)), ((k, i), (b, a))):
            i4[x, y, u, w] = vals
        return i4

    def __call__(self, alpha, y):
        Q, R, v = self.unpack(y)
        dQ, dR, dv = self.derivatives(Q, R, v)
        return np.concatenate([dQ[self.iu], dR.ravel(), dv])

    def eps_g(self, Q, R, v):
        return committee_eps_g(Q, R, self.T, v, self.v_teacher, self.activation)


def committee_rhs_looped(Q, R, T, eta, activation="erf", sigma=0.0, xp=math):
    """Scalar, loop-by-loop version of the unit-second-layer ODE right-hand side (no weight decay).

    Same equations as :class:`CommitteeODE` (Saad & Solla 1995 eqs. 9-10) written
    with explicit sums, one Gaussian average at a time. ``xp`` supplies ``sqrt``
    and ``asin``: ``math`` for floats, ``sympy`` for symbolic entries (the
    linearisation below differentiates this). Returns ``(dQ, dR)`` as nested lists.
    """
    if activation not in ("erf", "linear"):
        raise ParamError(f"committee_rhs_looped supports activation erf or linear, not {activation!r} "
                         "(relu's I4 has no closed form; use CommitteeODE)")
    K, M = len(R), len(R[0])
    L = K + M
    om = [[None] * L for _ in range(L)]
    for a in range(L):
        for b in range(L):
            if a < K and b < K:
                om[a][b] = Q[a][b]
            elif a < K:
                om[a][b] = R[a][b - K]
            elif b < K:
                om[a][b] = R[b][a - K]
            else:
                om[a][b] = T[a - K][b - K]
    c = [1] * K + [-1] * M
    pi = xp.pi

    def i3(i, b, a):
        c11, c12, c13, c23, c33 = om[i][i], om[i][b], om[i][a], om[b][a], om[a][a]
        if activation == "linear":
            return c23
        lam3 = (1 + c11) * (1 + c33) - c13 * c13
        return 2 / pi * (c23 * (1 + c11) - c12 * c13) / ((1 + c11) * xp.sqrt(lam3))

    def i4(i, k, a, b):
        c11, c22, c12 = om[i][i], om[k][k], om[i][k]
        c33, c44, c34 = om[a][a], om[b][b], om[a][b]
        c13, c14, c23, c24 = om[i][a], om[i][b], om[k][a], om[k][b]
        if activation == "linear":
            return c34
        lam4 = (1 + c11) * (1 + c22) - c12 * c12
        lam0 = lam4 * c34 - c23 * c24 * (1 + c11) - c13 * c14 * (1 + c22) + c12 * c13 * c24 + c12 * c14 * c23
        lam1 = lam4 * (1 + c33) - c23 * c23 * (1 + c11) - c13 * c13 * (1 + c22) + 2 * c12 * c13 * c23
        lam2 = lam4 * (1 + c44) - c24 * c24 * (1 + c11) - c14 * c14 * (1 + c22) + 2 * c12 * c14 * c24
        return 4 / pi ** 2 * xp.asin(lam0 / xp.sqrt(lam1 * lam2)) / xp.sqrt(lam4)

    def drive(i, b):
        return -sum(c[a] * i3(i, b, a) for a in range(L))

    dR = [[eta * drive(i, K + n) for n in range(M)] for i in range(K)]
    dQ = [[None] * K for _ in range(K)]
    for i in range(K):
        for k in range(i, K):
            s2 = sum(c[a] * c[b] * i4(i, k, a, b) for a in range(L) for b in range(L))
            if sigma:
                if activation == "linear":
                    s2 = s2 + sigma ** 2
                else:
                    s2 = s2 + sigma ** 2 * 2 / pi / xp.sqrt((1 + om[i][i]) * (1 + om[k][k]) - om[i][k] ** 2)
            dQ[i][k] = eta * (drive(i, k) + drive(k, i)) + eta ** 2 * s2
            dQ[k][i] = dQ[i][k]
    return dQ, dR


# ---------------------------------------------------------------------------
# Grids, initial conditions, validation
# ---------------------------------------------------------------------------

def output_grid(alpha_max, n_points=200, spacing="log"):
    """Output points in alpha: ``n_points`` values from 0 to exactly ``alpha_max`` (see ``_util.alpha_grid``).

    An ``alpha_max`` so small that ``n_points`` distinct doubles do not fit below it (denormal
    numbers) is refused with a ParamError naming both."""
    try:
        g = alpha_grid(alpha_max, n_points, spacing)
    except ValueError:   # geomspace of an underflowing range
        g = np.zeros(2)
    if np.any(np.diff(g) <= 0):
        raise ParamError(f"alpha_max={alpha_max:g} is too small for n_points={n_points} distinct output points; "
                         "allowed: alpha_max >= 1e-300 (or fewer points)")
    return g


def explicit_grid(alpha_grid):
    g = np.asarray(alpha_grid, dtype=float).ravel()
    if g.size < 2 or g[0] != 0 or np.any(np.diff(g) <= 0):
        raise ParamError("alpha_grid must be increasing, start at 0 and have at least 2 points")
    return g


def committee_initial_state(K, M, Q0=0.5, R0=0.0, R0_diag=0.0, T=None):
    """Initial ``(Q, R, T)`` from scalars or matrices, checked to be realisable.

    Scalars: ``Q = Q0 * 1_K`` (off-diagonal 0), ``R_in = R0 + R0_diag * delta_in``
    (``R0_diag`` breaks the permutation symmetry between hidden units; with 0
    and ``Q`` diagonal the ODE stays on the symmetric subspace for ever).
    ``T`` scalar means ``T * 1_M``; default identity. The joint covariance
    ``[[Q, R], [R^T, T]]`` must be positive semi-definite (it is a Gram matrix).
    """
    Q = as_matrix(Q0, (K, K), "Q0", diag_scalar=True)
    R = as_matrix(R0, (K, M), "R0", diag_scalar=False)
    if R0_diag:
        for i in range(min(K, M)):
            R[i, i] += R0_diag
    Tm = np.eye(M) if T is None else as_matrix(T, (M, M), "T", diag_scalar=True)
    if not np.allclose(Q, Q.T) or not np.allclose(Tm, Tm.T):
        raise ParamError("Q0 and T must be symmetric matrices")
    if np.any(np.diag(Tm) <= 0):
        raise ParamError("T must have a positive diagonal (teacher norms |B_n|^2 = N T_nn)")
    om = _covariance(Q, R, Tm)
    lam = np.linalg.eigvalsh(om)
    if lam[0] < -1e-10 * max(1.0, lam[-1]):
        raise ParamError(f"Q0={Q0}, R0={R0} (R0_diag={R0_diag}) is not realisable: "
                         "[[Q, R], [R^T, T]] must be positive semi-definite (e.g. R0^2 * M <= Q0 for T = 1)")
    return Q, R, Tm


def _check_committee(K, M, eta, activation, sigma, weight_decay, eta_v):
    K = check_number("K", K, lo=1, integer=True)
    M = check_number("M", M, lo=1, integer=True)
    eta = check_number("eta", eta, lo=0, lo_open=True)
    activation = check_choice("activation", activation, COMMITTEE_ACTIVATIONS)
    sigma = check_number("sigma", sigma, lo=0)
    weight_decay = check_number("weight_decay", weight_decay, lo=0)
    if eta_v is not None:
        eta_v = check_number("eta_v", eta_v, lo=0, lo_open=True)
    return K, M, eta, activation, sigma, weight_decay, eta_v


# ---------------------------------------------------------------------------
# Integration
# ---------------------------------------------------------------------------

def integrate(rhs, y0, alpha_grid, rtol=1e-8, atol=1e-13, blow_up=1e6, method="LSODA", dense=False):
    """Integrate ``dy/dalpha = rhs(alpha, y)`` and return ``(ys on alpha_grid, ok, message, nfev)``.

    Failure (solver error, non-finite values, ``|y| > blow_up``) gives ``ok=False``.
    With ``dense=True`` a fifth element is returned: the solver's continuous
    interpolant ``y(alpha)`` over the whole grid (None on failure).
    """
    def escape(alpha, y):
        return blow_up - np.max(np.abs(y)) if np.all(np.isfinite(y)) else -1.0
    escape.terminal = True

    def done(ys, ok, msg, nfev, interp=None):
        return (ys, ok, msg, nfev, interp) if dense else (ys, ok, msg, nfev)

    # below alpha ~ 1e-150 LSODA stalls (its step sizes underflow): integrate in s = alpha/scale on [0, 1]
    scale = float(alpha_grid[-1]) if alpha_grid[-1] < 1.0 else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        sol = solve_ivp(lambda s, y: scale * np.asarray(rhs(s * scale, y)),
                        (alpha_grid[0] / scale, alpha_grid[-1] / scale), y0, method=method,
                        t_eval=np.asarray(alpha_grid) / scale, rtol=rtol, atol=atol, events=escape,
                        dense_output=dense)
    if sol.status == 1:
        return done(None, False, f"the ODE blew up (|order parameter| > {blow_up:g}) at alpha = "
                    f"{sol.t[-1] * scale:.6g}", sol.nfev)
    if sol.status != 0 or sol.y.shape[1] != len(alpha_grid):
        return done(None, False, f"ODE integration failed: {sol.message}", sol.nfev)
    ys = sol.y.T
    if not np.all(np.isfinite(ys)):
        return done(None, False, "ODE integration produced non-finite order parameters", sol.nfev)
    def interp(alpha, _sol=sol.sol):
        return _sol(np.asarray(alpha) / scale)
    return done(ys, True, "", sol.nfev, interp if dense else None)


def _integrate_compiled(ode, y0, grid, rtol, atol, blow_up=1e6, max_steps=10 ** 7):
    """:func:`integrate`'s contract (with ``dense=True``) on the compiled integrator of :mod:`.fast`."""
    ys, status, nev, a_fail, ts, yk, fk = fast.integrate_dopri(
        np.ascontiguousarray(y0, float), np.ascontiguousarray(grid, float), ode.K, ode.M,
        np.ascontiguousarray(ode.T, float), ode.v0.astype(float), ode.v_teacher.astype(float), ode.eta,
        ode.eta_v, ode.sigma, ode.weight_decay, ode.learn_v, ode.activation == "linear", float(rtol),
        float(atol), float(blow_up), int(max_steps))
    if status == 2:
        return None, False, (f"the ODE blew up (|order parameter| > {blow_up:g} or not finite) at alpha = "
                             f"{a_fail:.6g}"), nev, None
    if status == 3:
        return None, False, "ODE integration failed: the step size underflowed", nev, None
    if status == 4:
        return None, False, f"ODE integration failed: more than {max_steps} steps", nev, None
    if not np.all(np.isfinite(ys)):
        return None, False, "ODE integration produced non-finite order parameters", nev, None

    def interp(alpha):
        return fast.hermite(ts, yk, fk, alpha).T

    return ys, True, "", nev, interp


# ---------------------------------------------------------------------------
# The unspecialised fixed point (plateau) and linearisation at the perfect solution
# ---------------------------------------------------------------------------

def _symmetric_sector(K, M, activation="erf", sigma=0.0):
    """The ODE restricted to the hidden-unit-symmetric subspace, in the time ``tau = eta * alpha``.

    With ``T = 1`` and unit second layers the flow is equivariant under permutations
    of the student units and (separately) of the teacher units, so the subspace they
    leave fixed, ``R_in = r``, ``Q_ii = q``, ``Q_ik = c`` (``i != k``), is invariant.
    Returns ``(flow, unpack)``: ``flow(p, eta)`` is ``d p / d tau`` for ``p = (r, q, c)``
    (``(r, q)`` for K = 1) from the full right-hand side (:class:`CommitteeODE`)
    evaluated on the subspace; ``dQ / eta = A + eta B`` is split into its O(eta)
    and O(eta^2) parts, so ``eta = 0`` gives the eta -> 0 flow exactly.
    """
    ode = CommitteeODE(K, M, 1.0, activation, sigma=sigma)
    off = ~np.eye(K, dtype=bool)

    def unpack(p):
        r, q = p[0], p[1]
        c = p[2] if K > 1 else 0.0
        Q = np.full((K, K), c)
        np.fill_diagonal(Q, q)
        return Q, np.full((K, M), r)

    compiled = activation in fast.ACTIVATIONS
    L = K + M
    scratch = (np.empty((L, L)), np.empty((K, L)), np.empty(ode.nq + ode.nr))

    def parts(Q, R):
        if not compiled:
            A, dR, B, _ = ode.flow_parts(Q, R, ode.v0)
            return A, dR, B
        # the compiled flow is eta A + eta^2 B (dQ) and eta A_R (dR): read A and B off eta = 1 and 2
        y = ode.pack(Q, R)
        f = []
        for e in (1.0, 2.0):
            fast.flow(y, K, M, ode.T, ode.v0, ode.v_teacher, e, e, sigma, 0.0, False, activation == "linear",
                      scratch[0], scratch[1], scratch[2])
            f.append(scratch[2].copy())
        B = 0.5 * (f[1] - 2.0 * f[0])
        A = f[0] - B
        Qa, Ra, _ = ode.unpack(A)
        Qb, _, _ = ode.unpack(B)
        return Qa, Ra, Qb

    def flow(p, eta):
        Q, R = unpack(p)
        A, dR, B = parts(Q, R)
        dQ = A + eta * B                                          # dQ / eta
        out = [dR.mean(), np.diag(dQ).mean()]
        if K > 1:
            out.append(dQ[off].mean())
        return np.array(out)

    return flow, unpack


def _fd_jacobian(f, p, h=1e-7):
    p = np.asarray(p, float)
    J = np.empty((len(p), len(p)))
    for j in range(len(p)):
        e = np.zeros(len(p))
        e[j] = h
        J[:, j] = (f(p + e) - f(p - e)) / (2 * h)
    return J


def symmetric_fixed_point(K, M, eta, activation="erf", sigma=0.0, guess=None, start=None,
                          tau_max=5000.0, tol=1e-11):
    """The unspecialised fixed point the dynamics visits: the plateau (T = 1, unit second layers).

    Saad & Solla (1995) sec. IV; Biehl, Riegler & Woehler (1996). On the
    hidden-unit-symmetric subspace ``R_in = r, Q_ii = q, Q_ik = c`` (invariant, see
    :func:`_symmetric_sector`) the plateau is the fixed point that *attracts* the
    restricted flow; in the full space it is a saddle whose unstable directions break
    the symmetry (the escape). A trajectory started near the subspace follows the
    restricted flow onto it, so that flow is integrated from ``start`` (default the
    projection of ``Q = 0.5 * 1``, ``R = 0``), in the time ``tau = eta alpha``; after 1 %,
    10 % and all of ``tau_max`` its end point is polished by Newton (hybr), and the first
    polished root that passes the checks below is the plateau.

    The subspace also holds a second root with ``q = c`` (all student vectors equal,
    an invariant set of its own) that repels the restricted flow in the ``q - c``
    direction for ``eta > 0``: trajectories never visit it, and it is rejected by the
    stability check below.

    ``eta = 0`` is the eta -> 0 limit (the O(eta) flow). There the ``q - c`` direction
    is marginal and the plateau has ``q = c`` (the finite-eta plateau has
    ``q - c = O(eta)``), so the root is solved on ``q = c`` with ``(r, q)`` only; for
    ``K = M``, ``q = c = 1/(2K-1)``, ``r = 1/sqrt(K(2K-1))`` and
    ``eps* = (K/pi)(pi/6 - K arcsin(1/(2K)))`` (:func:`symmetric_plateau_eps`).

    ``guess``: a starting point ``(r, q, c)`` for Newton directly (no flow).

    Returns a dict ``r, q, c, eps_g, converged, residual, eigenvalues, message``:
    ``converged`` means the undamped residual ``max |dp/dtau|`` is below ``tol``, the
    covariance ``[[Q, R], [R^T, 1]]`` is positive semi-definite and every eigenvalue of
    the restricted flow's Jacobian (``eigenvalues``) has a negative real part. An
    unconverged result keeps its numbers for diagnosis only: callers report NaN-free
    output by leaving them out (see :func:`committee_online`).
    """
    flow, unpack = _symmetric_sector(K, M, activation, sigma)
    if eta == 0 and K > 1:
        def f(p):
            return flow([p[0], p[1], p[1]], 0.0)[:2]
        n = 2
    else:
        def f(p):
            return flow(p, eta)
        n = 2 if K == 1 else 3
    if start is None:
        start = (0.0, 0.5, 0.0)
    start = np.asarray(start, float)[:3]
    x0 = np.array(guess if guess is not None else start, float)[:n]  # eta = 0: onto q = c

    def blown(tau, y):  # erf units saturate long before: a norm this large only grows on
        return 1e4 - np.max(np.abs(y)) if np.all(np.isfinite(y)) else -1.0
    blown.terminal = True

    def polish(x):
        with np.errstate(invalid="ignore", divide="ignore"):
            return root(f, x, method="hybr", tol=1e-14).x

    def check(x):
        with np.errstate(invalid="ignore", divide="ignore"):
            res = float(np.max(np.abs(f(x))))
            lam = np.linalg.eigvals(_fd_jacobian(f, x)) if np.isfinite(res) else np.full(n, np.nan)
        Q, R = unpack((x[0], x[1], x[1]) if (n == 2 and K > 1) else tuple(x))
        psd = bool(np.all(np.isfinite(Q)) and np.all(np.isfinite(R))
                   and np.linalg.eigvalsh(_covariance(Q, R, np.eye(M)))[0] > -1e-9)
        stable = bool(np.all(np.isfinite(lam)) and np.max(lam.real) < 0)
        return res, lam, bool(res < tol and psd and stable)

    message = ""
    x, res, ok, lam = None, math.inf, False, np.full(n, np.nan)
    if guess is not None:
        x = polish(x0)
        res, lam, ok = check(x)
    else:
        # follow the restricted flow, polishing as it goes: Newton from a point still far from the
        # attractor may land on the repelling q = c root, which the stability check rejects
        y, t0 = x0, 0.0
        for horizon in (0.01 * tau_max, 0.1 * tau_max, tau_max):
            with np.errstate(invalid="ignore", divide="ignore"):
                sol = solve_ivp(lambda t, y: f(y), (t0, horizon), y, method="LSODA", rtol=1e-7, atol=1e-10,
                                events=blown)
            if sol.status == -1 or not np.all(np.isfinite(sol.y[:, -1])):
                message = "the symmetric-subspace flow failed"
                break
            if sol.t_events[0].size:
                message = ("the student norms grow without bound on the symmetric subspace "
                           f"(Q_ii > 1e4 by alpha = {sol.t[-1] / max(eta, 1e-300):.3g}): no plateau at this eta")
                break
            y, t0 = sol.y[:, -1], sol.t[-1]
            x = polish(y)
            res, lam, ok = check(x)
            if ok:
                break
        if not ok and not message and np.all(np.isfinite(y)) and np.max(np.abs(f(y))) > 1e-6:
            message = (f"the symmetric-subspace flow has not settled by alpha = {t0 / max(eta, 1e-300):.3g} "
                       "(the student norms keep drifting): no plateau at this eta")
    if not ok and not message:
        message = (f"no attracting symmetric fixed point found (residual {res:.2g}, "
                   f"largest eigenvalue {np.nanmax(lam.real) if np.any(np.isfinite(lam)) else math.nan:.2g})")
    if x is None:
        r = q = c = eps = math.nan
    else:
        r, q = float(x[0]), float(x[1])
        c = float(x[1]) if (n == 2 and K > 1) else (float(x[2]) if K > 1 else 0.0)
        Q, R = unpack((r, q, c))
        with np.errstate(invalid="ignore"):
            eps = float(committee_eps_g(Q, R, np.eye(M), activation=activation))
    return {"r": r, "q": q, "c": c, "eps_g": eps, "converged": ok, "residual": float(res),
            "eigenvalues": lam, "message": message}


def symmetric_plateau_eps(K):
    """eps_g at the eta -> 0 symmetric plateau of a K = M erf committee (T = 1).

    Saad & Solla (1995) eq. 17 / Biehl, Riegler & Woehler (1996):
    ``eps* = (K/pi)(pi/6 - K arcsin(1/(2K)))``; 0.0116108 for K = 2.
    """
    return (K / math.pi) * (math.pi / 6.0 - K * math.asin(1.0 / (2.0 * K)))


def _symmetric_basis(K):
    """Orthonormal basis (columns) of the permutation-symmetric subspace of (Q[triu], R) for K = M.

    Basis vectors: R_ii (all equal), R_in (i != n, all equal), Q_ii, Q_ik (i < k).
    """
    iu = np.triu_indices(K)
    nq = len(iu[0])
    cols = []
    for kind in ("R_diag", "R_off", "Q_diag", "Q_off"):
        y = np.zeros(nq + K * K)
        if kind == "R_diag":
            y[nq:][np.eye(K, dtype=bool).ravel()] = 1
        elif kind == "R_off":
            y[nq:][~np.eye(K, dtype=bool).ravel()] = 1
        elif kind == "Q_diag":
            y[:nq][iu[0] == iu[1]] = 1
        else:
            y[:nq][iu[0] != iu[1]] = 1
        if np.any(y):
            cols.append(y / np.linalg.norm(y))
    return np.array(cols).T


@lru_cache(maxsize=16)
def _symbolic_linearisation(K, activation):
    """Jacobian of the symmetric-sector flow at the perfect solution, ``J(eta) = eta A + eta^2 B`` (sympy).

    The unit-second-layer RHS (:func:`committee_rhs_looped`, Saad & Solla eqs.
    9-10) is written with symbolic ``R_ii = R, R_in = S, Q_ii = Q, Q_ik = C`` and
    ``T = 1`` (the reduction Saad & Solla use for the asymptotic regime, sec. V),
    differentiated with sympy and evaluated at ``R = Q = 1, S = C = 0``.
    The flow of the four variables is read off ``dR_11, dR_12, dQ_11, dQ_12``.
    Returns exact sympy matrices ``(A, B)`` (4x4, or 2x2 for K = 1) in the
    order ``(R, S, Q, C)``.
    """
    import sympy as sp

    Rs, Ss, Qs, Cs, eta = sp.symbols("R S Q C eta")
    Q = [[Qs if i == k else Cs for k in range(K)] for i in range(K)]
    R = [[Rs if i == n else Ss for n in range(K)] for i in range(K)]
    T = [[sp.Integer(1) if n == m else sp.Integer(0) for m in range(K)] for n in range(K)]
    dQ, dR = committee_rhs_looped(Q, R, T, eta, activation=activation, xp=sp)
    if K == 1:
        flows, variables = [dR[0][0], dQ[0][0]], [Rs, Qs]
    else:
        flows, variables = [dR[0][0], dR[0][1], dQ[0][0], dQ[0][1]], [Rs, Ss, Qs, Cs]
    point = {Rs: 1, Ss: 0, Qs: 1, Cs: 0}
    jac = sp.Matrix([[sp.simplify(sp.diff(f, x).subs(point)) for x in variables] for f in flows])
    jac = jac.applyfunc(sp.expand)
    A = jac.applyfunc(lambda e: e.coeff(eta, 1))
    B = jac.applyfunc(lambda e: e.coeff(eta, 2))
    return A, B


def _symmetric_sector_parts(K, x, activation):
    """Flows of ``(R_11, R_12, Q_11, Q_12)`` split by powers of eta, ``(first, second)`` with
    ``flow = eta first + eta^2 second``, at the symmetric state ``x = (R, S, Q, C)`` (T = 1, unit second
    layers, no noise): Saad & Solla eqs. 9-10 written for these four entries only, with ``cmath``, so that
    complex ``x`` gives the complex-step derivative. For K = 1 only ``(R, Q)``."""
    import cmath

    Rv, Sv, Qv, Cv = x if K > 1 else (x[0], 0.0, x[1], 0.0)
    L = 2 * K

    def om(a, b):
        sa, sb = a < K, b < K
        if sa and sb:
            return Qv if a == b else Cv
        if not sa and not sb:
            return 1.0 if a == b else 0.0
        i, n = (a, b - K) if sa else (b, a - K)
        return Rv if i == n else Sv

    c = [1.0] * K + [-1.0] * K

    def i3(i, b, a):
        c11, c12, c13, c23, c33 = om(i, i), om(i, b), om(i, a), om(b, a), om(a, a)
        if activation == "linear":
            return c23
        lam3 = (1 + c11) * (1 + c33) - c13 * c13
        return 2 / math.pi * (c23 * (1 + c11) - c12 * c13) / ((1 + c11) * cmath.sqrt(lam3))

    def i4(i, k, a, b):
        if activation == "linear":
            return om(a, b)
        c11, c22, c12 = om(i, i), om(k, k), om(i, k)
        c33, c44, c34 = om(a, a), om(b, b), om(a, b)
        c13, c14, c23, c24 = om(i, a), om(i, b), om(k, a), om(k, b)
        lam4 = (1 + c11) * (1 + c22) - c12 * c12
        lam0 = lam4 * c34 - c23 * c24 * (1 + c11) - c13 * c14 * (1 + c22) + c12 * c13 * c24 + c12 * c14 * c23
        lam1 = lam4 * (1 + c33) - c23 * c23 * (1 + c11) - c13 * c13 * (1 + c22) + 2 * c12 * c13 * c23
        lam2 = lam4 * (1 + c44) - c24 * c24 * (1 + c11) - c14 * c14 * (1 + c22) + 2 * c12 * c14 * c24
        return 4 / math.pi ** 2 * cmath.asin(lam0 / cmath.sqrt(lam1 * lam2)) / cmath.sqrt(lam4)

    def drive(i, b):
        return -sum(c[a] * i3(i, b, a) for a in range(L))

    def second(i, k):
        return sum(c[a] * c[b] * i4(i, k, a, b) for a in range(L) for b in range(L))

    if K == 1:
        return [drive(0, 1), 2 * drive(0, 0)], [0.0, second(0, 0)]
    first = [drive(0, K), drive(0, K + 1), 2 * drive(0, 0), drive(0, 1) + drive(1, 0)]
    return first, [0.0, 0.0, second(0, 0), second(0, 1)]


@lru_cache(maxsize=64)
def _symmetric_jacobian_numeric(K, activation):
    """``(A, B)`` of the symmetric-sector Jacobian ``eta A + eta^2 B`` at the perfect solution
    ``R = Q = 1, S = C = 0`` by complex-step differentiation of :func:`_symmetric_sector_parts`
    (``df/dx = Im f(x + i h)/h``, h = 1e-30: exact to rounding, no cancellation; the erf and linear
    right-hand sides are analytic there: every arcsine argument is below 1 thanks to the ``1 +`` of the
    erf kernels). Equal to the exact sympy matrices of :func:`_symbolic_linearisation` (test), which
    cost seconds to minutes for K >= 3."""
    x0 = [1.0, 0.0, 1.0, 0.0] if K > 1 else [1.0, 1.0]
    n = len(x0)
    A, B = np.empty((n, n)), np.empty((n, n))
    h = 1e-30
    for j in range(n):
        x = [complex(v) for v in x0]
        x[j] += 1j * h
        first, second = _symmetric_sector_parts(K, x, activation)
        A[:, j] = [complex(f).imag / h for f in first]
        B[:, j] = [complex(f).imag / h for f in second]
    return A, B


def linearisation(K, eta, activation="erf"):
    """Asymptotic decay of a K = M committee at the perfect solution (T = 1, no noise).

    Saad & Solla (1995) sec. V: linearise the ODEs at ``R = Q = 1, S = C = 0``
    in the symmetric sector (variables ``R, S, Q, C``); the Jacobian is
    ``eta A + eta^2 B`` with ``A``, ``B`` by complex-step differentiation
    (:func:`_symmetric_jacobian_numeric`; equal to the exact sympy matrices of
    :func:`_symbolic_linearisation`). ``eta_max`` is the largest learning rate at
    which every eigenvalue is negative. Near the perfect solution the order
    parameters of real weights obey ``Q - R - R^T = O(delta^2)`` (a Gram matrix),
    and ``eps_g`` has no linear term along that invariant subspace (``dQ = 2 dR``,
    ``dC = 2 dS``): so ``eps_g ~ exp(-rate alpha)`` with
    ``rate = min(2 |lambda_in|, |lambda_out|)``, ``lambda_in`` the eigenvalues on the
    subspace and ``lambda_out`` those of the quotient (checked against the ODE's
    own late-time slope in the tests).

    Returns ``{"eigenvalues", "decay_rate", "slowest_rate", "eta_max", "eta_opt", "A", "B"}``;
    ``eta_opt`` maximises ``decay_rate`` on a grid of step 0.01.
    """
    A, B = _symmetric_jacobian_numeric(K, activation)
    n = A.shape[0]
    P = np.zeros((n, n // 2))
    for j in range(n // 2):
        P[j, j] = 1.0
        P[j + n // 2, j] = 2.0
    Pinv = np.linalg.pinv(P)

    def rates(e):
        J = e * A + e * e * B
        lam = np.linalg.eigvals(J)
        lam_in = np.linalg.eigvals(Pinv @ J @ P)
        lam_out = list(lam)
        for x in lam_in:                      # remove the subspace eigenvalues from the spectrum
            lam_out.pop(int(np.argmin(np.abs(np.array(lam_out) - x))))
        slowest_in = -np.max(lam_in.real)
        slowest_out = -np.max(np.real(lam_out))
        return lam, min(2.0 * slowest_in, slowest_out), -np.max(lam.real)

    def top(e):
        return float(np.max(np.linalg.eigvals(A + e * B).real))

    coarse = np.arange(0.05, 50.0, 0.05)
    vals = np.linalg.eigvals(A[None] + coarse[:, None, None] * B[None]).real.max(axis=-1)
    pos = np.nonzero(vals >= 0)[0]
    if len(pos) and pos[0] > 0:
        eta_max = float(brentq(top, coarse[pos[0] - 1], coarse[pos[0]], xtol=1e-13))
    else:
        eta_max = math.inf
    fine = np.arange(0.01, min(eta_max, 50.0), 0.01)
    eta_opt = float(fine[int(np.argmax([rates(e)[1] for e in fine]))]) if len(fine) else math.nan
    lam, rate, slowest = rates(eta)
    return {"eigenvalues": lam, "decay_rate": float(rate), "slowest_rate": float(slowest),
            "eta_max": eta_max, "eta_opt": eta_opt, "A": A, "B": B}


def finite_difference_jacobian(ode, Q, R, h=1e-6):
    """Central finite-difference Jacobian of the full committee ODE at ``(Q, R)`` (state order of ``ode.pack``)."""
    y0 = ode.pack(Q, R)
    n = len(y0)
    J = np.empty((n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        J[:, j] = (ode(0.0, y0 + e) - ode(0.0, y0 - e)) / (2 * h)
    return J


# ---------------------------------------------------------------------------
# Plateau detection along a trajectory
# ---------------------------------------------------------------------------

def find_plateau(alpha, eps, height, tol=0.05):
    """Start and end of the plateau where ``|eps_g - height| <= tol * height``.

    ``start``: first alpha inside the band; ``end``: first later alpha where
    ``eps_g`` drops below ``(1 - tol) * height`` (nan if it never does before
    ``alpha_max``, or if the trajectory never enters the band). Linear
    interpolation between grid points.
    """
    alpha, eps = np.asarray(alpha), np.asarray(eps)
    inside = np.abs(eps - height) <= tol * height
    if not np.any(inside) or not np.isfinite(height):
        return math.nan, math.nan
    i0 = int(np.argmax(inside))
    start = float(alpha[i0])
    if i0 > 0:
        e0, e1 = eps[i0 - 1], eps[i0]
        target = height * (1 + tol) if e0 > e1 else height * (1 - tol)
        if e1 != e0:
            start = float(alpha[i0 - 1] + (target - e0) / (e1 - e0) * (alpha[i0] - alpha[i0 - 1]))
    below = np.nonzero(eps[i0:] < (1 - tol) * height)[0]
    if len(below) == 0:
        return start, math.nan
    j = i0 + int(below[0])
    e0, e1 = eps[j - 1], eps[j]
    target = (1 - tol) * height
    end = float(alpha[j - 1] + (target - e0) / (e1 - e0) * (alpha[j] - alpha[j - 1]))
    return start, end


def _stacked_eps_g(ode, ys):
    """eps_g along stacked states ``ys`` (n, state) for fixed second layers, vectorised over n."""
    K, M = ode.K, ode.M
    n = ys.shape[0]
    Q = np.empty((n, K, K))
    Q[:, ode.iu[0], ode.iu[1]] = ys[:, :ode.nq]
    Q[:, ode.iu[1], ode.iu[0]] = ys[:, :ode.nq]
    R = ys[:, ode.nq:ode.nq + ode.nr].reshape(n, K, M)
    om = np.empty((n, K + M, K + M))
    om[:, :K, :K], om[:, :K, K:], om[:, K:, :K], om[:, K:, K:] = Q, R, R.transpose(0, 2, 1), ode.T
    d = np.diagonal(om, axis1=1, axis2=2)
    c = np.concatenate([ode.v0, -ode.v_teacher])
    i2 = pair_average(ode.activation, d[:, :, None], om, d[:, None, :])
    return 0.5 * np.einsum("a,nab,b->n", c, i2, c)


def _plateau_window(ode, interp, alpha_lo, alpha_hi, height, tol, n_fine=4001):
    """``(start, end, note)`` of the plateau band ``|eps_g - height| <= tol * height`` along the trajectory.

    The same definition as :func:`find_plateau`, applied to the solver's continuous
    interpolant on a fine grid (linear and logarithmic, ``n_fine`` points each) and
    the crossings polished by Brent's method, so that neither depends on the output
    grid. ``start``/``end`` are nan where the trajectory never enters the band or is
    still on it at ``alpha_hi``; ``note`` then says which.
    """
    lin = np.linspace(alpha_lo, alpha_hi, n_fine)
    lo = alpha_lo if alpha_lo > 0 else alpha_hi * 1e-6
    fine = np.unique(np.concatenate([lin, np.geomspace(lo, alpha_hi, n_fine)]))

    def eps_at(a):
        return float(_stacked_eps_g(ode, np.asarray(interp(a), float).reshape(1, -1))[0])

    eps = _stacked_eps_g(ode, interp(fine).T)
    start, end = find_plateau(fine, eps, height, tol)

    def polish(x, target):
        j = int(np.searchsorted(fine, x))
        a0, a1 = fine[max(j - 1, 0)], fine[min(j, len(fine) - 1)]
        g0, g1 = eps_at(a0) - target, eps_at(a1) - target
        if a0 < a1 and g0 * g1 < 0:
            return float(brentq(lambda a: eps_at(a) - target, a0, a1, xtol=1e-12 * max(1.0, a1), rtol=1e-13))
        return x

    if not np.isfinite(start):
        return (math.nan, math.nan,
                f"eps_g does not come within {tol:.0%} of the plateau height {height:.6g} by alpha = {alpha_hi:g} "
                "(plateau_start, plateau_end omitted)")
    i0 = int(np.argmax(np.abs(eps - height) <= tol * height))
    if i0 > 0:
        start = polish(start, height * (1 + tol) if eps[i0 - 1] > eps[i0] else height * (1 - tol))
    if not np.isfinite(end):
        return start, math.nan, f"eps_g is still on the plateau at alpha = {alpha_hi:g} (plateau_end omitted)"
    return start, polish(end, (1 - tol) * height), ""


# ---------------------------------------------------------------------------
# committee.online
# ---------------------------------------------------------------------------

def committee_online(K=3, M=3, eta=0.5, activation="erf", Q0=0.5, R0=0.0, R0_diag=1e-3, T=None,
                     sigma=0.0, weight_decay=0.0, learn_v=False, eta_v=None, v0=1.0, v_teacher=1.0,
                     alpha_max=1000.0, n_points=200, spacing="log", plateau_tol=0.05,
                     rtol=None, atol=1e-13, alpha_grid=None, integrator="auto"):
    """Generalisation error and order parameters of online SGD in a soft committee machine.

    Integrates the ODEs of Saad & Solla (PRE 52, 4225 (1995), eqs. 9-10) and
    Biehl & Schwarze (J. Phys. A 28, 643 (1995)), with label noise, weight decay
    and a learned second layer as in Goldt et al. (NeurIPS 2019, eqs. 7-8).
    Convention: ``|J_i|^2 = N Q_ii``, first-layer step ``eta/sqrt(N)``, second-layer
    step ``eta_v/N``; Q, R, eta and alpha equal Saad & Solla's and Goldt et al.'s.

    Parameters
    ----------
    K, M : student and teacher hidden units.
    eta : learning rate (> 0). ``eta_v`` : second-layer rate (default ``eta``).
    activation : ``"erf"`` (``g(x) = erf(x/sqrt 2)``), ``"linear"`` or ``"relu"`` (``max(0, x)``;
        I4 by quadrature, :func:`relu_quad_average`; no plateau/linearisation outputs).
    Q0, R0, R0_diag, T : initial conditions (see :func:`committee_initial_state`);
        scalars or full matrices.
    sigma : teacher label-noise standard deviation. weight_decay : gamma.
    learn_v, v0, v_teacher : second layers (student initial value, teacher).
    alpha_max, n_points, spacing : output grid (ends exactly at ``alpha_max``).
    plateau_tol : relative band around the symmetric fixed point defining the plateau.
    alpha_grid : optional explicit output grid (Python only; e.g. a simulation's
        measurement points); must start at 0 and overrides alpha_max/n_points/spacing.
    integrator : ``"auto"`` (default): erf and linear units are integrated by the compiled
        Dormand-Prince 5(4) integrator of :mod:`.fast` (every output point a step end, local
        error per step <= rtol * |y| + atol in the RMS norm; default ``rtol = 1e-10``, which puts
        eps_g within ~1e-10 of the converged trajectory, measured against rtol = 1e-13 at
        K = M = 3, 10 to alpha = 1e4), relu units by scipy's LSODA (default ``rtol = 1e-8``);
        ``"lsoda"`` forces LSODA on the numpy right-hand side (the reference path).

    Returns
    -------
    Solution
        ``observables``: ``alpha``, ``eps_g``, ``Q`` (n, K, K), ``R`` (n, K, M),
        per-entry trajectories ``Q_i_k``, ``R_i_n`` (1-based), ``v`` if learned;
        scalars ``eps_g_final`` and, for erf units with T = 1, unit second layers and no
        weight decay (K >= 2): ``plateau_height`` (eps_g at the unspecialised fixed point
        the dynamics visits, :func:`symmetric_fixed_point`, started from the projection of
        this initial state), ``plateau_start``, ``plateau_end`` (where eps_g enters and
        leaves the band ``plateau_tol`` around it, from the solver's continuous
        trajectory), ``eps_sym_eta0`` (the eta -> 0 plateau); for K = M without noise
        ``decay_rate``, ``eta_max``, ``eta_opt`` from the linearisation.
        An output that is not defined at this point (no attracting plateau at this eta,
        a band never entered or not yet left by ``alpha_max``, K = 1) is left out and the
        message says why: no NaN is ever reported. ``converged=False`` with a message if
        the integration fails or blows up.
    """
    K, M, eta, activation, sigma, weight_decay, eta_v = _check_committee(
        K, M, eta, activation, sigma, weight_decay, eta_v)
    alpha_max = check_number("alpha_max", alpha_max, lo=0, lo_open=True)
    n_points = check_number("n_points", n_points, lo=2, integer=True)
    spacing = check_choice("spacing", spacing, SPACINGS)
    plateau_tol = check_number("plateau_tol", plateau_tol, lo=0, hi=1, lo_open=True, hi_open=True)
    Q, R, Tm = committee_initial_state(K, M, Q0, R0, R0_diag, T)
    params = dict(K=K, M=M, eta=eta, activation=activation, Q0=Q0, R0=R0, R0_diag=R0_diag, T=T,
                  sigma=sigma, weight_decay=weight_decay, learn_v=bool(learn_v), eta_v=eta_v,
                  v0=v0, v_teacher=v_teacher, alpha_max=alpha_max, n_points=n_points, spacing=spacing)
    ode = CommitteeODE(K, M, eta, activation, Tm, v=v0, v_teacher=v_teacher, sigma=sigma,
                       weight_decay=weight_decay, learn_v=learn_v, eta_v=eta_v)
    grid = explicit_grid(alpha_grid) if alpha_grid is not None else output_grid(alpha_max, n_points, spacing)
    standard = (np.allclose(Tm, np.eye(M)) and np.allclose(ode.v0, 1) and np.allclose(ode.v_teacher, 1)
                and not learn_v and weight_decay == 0 and activation == "erf")
    integrator = check_choice("integrator", integrator, ("auto", "lsoda"))
    if integrator == "auto" and activation in fast.ACTIVATIONS:
        rtol = 1e-10 if rtol is None else check_number("rtol", rtol, lo=0, lo_open=True)
        ys, ok, msg, nfev, interp = _integrate_compiled(ode, ode.pack(Q, R), grid, rtol, atol)
    else:
        rtol = 1e-8 if rtol is None else check_number("rtol", rtol, lo=0, lo_open=True)
        ys, ok, msg, nfev, interp = integrate(ode, ode.pack(Q, R), grid, rtol=rtol, atol=atol, dense=True)
    if not ok:
        return Solution.failed("committee.online", params, msg, iterations=nfev)
    Qs = np.empty((len(grid), K, K))
    Rs = np.empty((len(grid), K, M))
    vs = np.empty((len(grid), K))
    for t, y in enumerate(ys):
        Qs[t], Rs[t], vs[t] = ode.unpack(y)
    eps = np.array([ode.eps_g(Qs[t], Rs[t], vs[t]) for t in range(len(grid))])
    obs = {"alpha": grid, "eps_g": eps, "Q": Qs, "R": Rs}
    for i in range(K):
        for k in range(i, K):
            obs[f"Q_{i + 1}_{k + 1}"] = Qs[:, i, k].copy()
        for n in range(M):
            obs[f"R_{i + 1}_{n + 1}"] = Rs[:, i, n].copy()
    if learn_v:
        obs["v"] = vs
        for i in range(K):
            obs[f"v_{i + 1}"] = vs[:, i].copy()
    obs["eps_g_final"] = float(eps[-1])
    notes = []
    if standard and K == 1:
        notes.append("K = 1: no hidden-unit symmetry to break, so no plateau (plateau outputs omitted)")
    elif standard:
        start_point = (float(R.mean()), float(np.diag(Q).mean()), float(Q[~np.eye(K, dtype=bool)].mean()))
        fp = symmetric_fixed_point(K, M, eta, activation, sigma, start=start_point)
        if fp["converged"]:
            height = fp["eps_g"]
            obs["plateau_height"] = height
            start, end, why = _plateau_window(ode, interp, grid[0], grid[-1], height, plateau_tol)
            if np.isfinite(start):
                obs["plateau_start"] = start
            if np.isfinite(end):
                obs["plateau_end"] = end
            if why:
                notes.append(why)
        else:
            notes.append(f"plateau outputs omitted: {fp['message']}")
        fp0 = symmetric_fixed_point(K, M, 0.0, activation, start=start_point)
        if fp0["converged"]:
            obs["eps_sym_eta0"] = fp0["eps_g"]
        else:
            notes.append(f"eps_sym_eta0 omitted: {fp0['message']}")
    if standard and K == M and sigma == 0:
        lin = linearisation(K, eta, activation)
        for key in ("decay_rate", "eta_max", "eta_opt"):
            if np.isfinite(lin[key]):
                obs[key] = lin[key]
            else:
                notes.append(f"{key} omitted: not defined by the linearisation at this K")
    message = "; ".join(notes)
    order = {"Q": Qs[-1], "R": Rs[-1], "T": Tm}
    if learn_v:
        order["v"] = vs[-1]
    return Solution(model="committee.online", params=params, order=order, observables=obs,
                    converged=True, residual=0.0, iterations=int(nfev), message=message)


