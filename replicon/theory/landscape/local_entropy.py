"""Local entropy of the binary (Ising) perceptron storing random patterns with margin kappa (RS, y -> infinity).

The local entropy of Baldassi, Ingrosso, Lucibello, Saglietti & Zecchina (PRL 115, 128101
(2015); PNAS 113, E7655 (2016)): the log-number of solutions ``W`` at normalised Hamming
distance ``d`` from a reference ``W~``, per weight, for the reference that *maximises* it,

    S(d) = max_{W~} (1/N) ln N(W~, d),   N(W~, d) = sum_W X(W) delta(W.W~, N (1 - 2d)),

with ``X(W) = 1`` if ``W`` stores every pattern with margin kappa. It is obtained as the
``y -> infinity`` limit of the large-deviation measure ``P(W~) ~ N(W~, d)^y``. The reference is
**not** required to be a solution ("free" reference, the centre of the robust ensemble of the
PNAS paper): the maximiser is then the centre of the densest region. The papers themselves could
not be read here (only their abstracts were reachable); the formulation was chosen because its
``y -> infinity`` limit closes on two order parameters and a Lagrange multiplier, and because
it bounds every other formulation from above (a solution as reference, Franz-Parisi's typical
solution as reference). The derivation below is replicon's own.

Replicas: ``n -> 0`` references ``W~^a``, each with ``y`` replicas ``W^{ac}`` at overlap
``R = 1 - 2d`` with it. RS ansatz: two replicas of one reference overlap ``q1``, of two
references ``q0``; a replica and another reference ``p``; two references ``q~``. As
``y -> infinity`` the references collapse like the states of a system at inverse temperature
``y`` at T = 0: ``q~ -> 1``, ``p -> R``, ``q0 -> q1`` with ``chi0 = y (q1 - q0)`` finite, the
conjugates scaling as ``q0_hat = Q0``, ``y (q1_hat - q0_hat) = v``, ``R_hat - p_hat = Delta``.
The energetic term does not involve a free reference, which makes its conjugates (of ``q~`` and
``p``) vanish. Per weight, ``S(d) = lim phi/y`` with

    S = extr [ -Delta R - Q0 chi0/2 - v q1/2 - Q0 (1 - q1)/2
               + E_z Phi(sqrt(Q0) |z| + Delta) + alpha G_E(q1, chi0) ],

    Phi(u)  = max_a [ ln 2cosh a - (a - u)^2/(2 v) ]     (a = u + v tanh a; the reference is
                                                          W~ = sign of the cluster field, |z| is
                                                          the reference's choice),
    G_E     = E_z max_x [ -(x - g)^2/(2 chi0) + ln H((kappa - x)/sqrt(1 - q1)) ],  g = sqrt(q1) z.

Stationarity (``m = tanh a*``, ``r`` the inverse Mills ratio at ``t* = (kappa - x*)/sqrt(1-q1)``,
``r' = r (r - t*)``, ``c = chi0/(1 - q1)``):

    R = E m,   q1 = E m^2,   chi0 = E[|z| m]/sqrt(Q0) - (1 - q1),
    Q0 = alpha E r^2/(1 - q1),   v = alpha c/(1 - q1) E[r'^2/(1 + c r')].

The engine iterates on ``(q1, ln chi0)``; ``Delta`` is the root of ``R(Delta) = 1 - 2d``.
By the envelope theorem ``dS/dd = 2 Delta``.

States at one distance d (all reported as branches, the largest entropy thermodynamic):

* ``dense``: ``Delta > 0`` (more than one where the curve folds).
* ``plateau``: ``d >= d* = (1 - E|m_G|)/2``, the distance from the centre ``sign(m_G)`` of the
  Gardner state to its typical solutions: there ``S = S_Gardner`` exactly
  (``perceptron.storage``, independent code); ``Delta = 0``, ``chi0 = v = 0``.
* ``cluster``: for ``alpha`` above the breakdown ``alpha_U`` a second ``Delta = 0`` state, an
  isolated dense ball (``q1`` close to 1, ``chi0 > 0``) of radius ``d_c``: for ``d >= d_c``
  the reference can sit at distance d from it, so ``S >= S_c``.
* ``centred``: ``Delta < 0``, the dense branch continued past ``Delta = 0`` with the reference
  pinned to the centre of the ball (not re-optimised): ``S`` decreases with d. Never
  thermodynamic (a plateau lies above it); it is the curve that is *non-monotone*.

Breakdown (:func:`breakdown`): below ``alpha_U`` the dense branch rises monotonically from
``S(0) = 0`` to the Gardner plateau at d*; at ``alpha_U`` its slope ``2 Delta`` first touches
zero at an interior distance, where the ``Delta = 0`` cluster state is born (a saddle-node in
alpha); above it the branch around the ball's centre is non-monotone (the ``centred``
continuation), the dense region is a ball of radius ``d_c`` disconnected from the bulk.
At kappa = 0 this gives ``alpha_U = 0.7552`` (``d_c = 0.020``); the papers put it near 0.77
(recalled, not read here), see :func:`breakdown`.

Checks (tests/theory/landscape/test_local_entropy.py): alpha = 0 gives ``S = H2(d)``;
``S(d) <= H2(d)``; ``S -> 0`` as ``d -> 0`` with ``S/H2 -> 1`` (complete balls of solutions);
the plateau equals the Gardner entropy; ``S >= `` the Franz-Parisi entropy at every d; the
stationarity conditions against finite differences of the free entropy.

Teacher-student (``problem="teacher"``, kappa = 0): the labels are ``sign(B.xi)`` of an Ising teacher
``B``; one more order parameter, the overlap ``t = W.B/N`` of the solutions around the reference with
the teacher (conjugate ``t_hat``). The energetic term becomes ``E_z W(z) M(sqrt(q1) z)`` with
``W(z) = 2 H(-t z/sqrt(q1 - t^2))``; in the entropic term the field is ``u = sqrt(Q0) z + t_hat``,
the reference ``sign(u)``, ``t = E sign(u) m``, ``chi0 = E[z sign(u) m]/sqrt(Q0) - (1 - q1)``, and
``S`` gains ``-t_hat t``. The plateau is the T = 0 Gibbs state of ``perceptron.teacher`` (its
poor-generalisation branch, alpha <= 1.2, below the transition to perfect learning at 1.245).
Dense regions lie closer to the teacher than typical solutions (``eps_g`` below the Gibbs value).

Spherical weights (``weights="spherical"``, storage, any margin; :class:`SphericalLocalEntropy`): the
equations close on ``chi0`` alone, ``q1 = R^2`` exactly (the free reference is the direction of the
cluster's centre), ``S = 1/2 ln(1 - R^2) + extr_chi0 [R^2/(2(chi0 + 1 - R^2)) + alpha G_E(R^2, chi0)]``,
bounded by the sphere fraction ``1/2 ln(1 - R^2)`` and reaching Gardner's RS entropy at
``d* = (1 - sqrt q)/2``. For negative margin Gardner's RS state is itself unstable beyond the AT line
(``stable`` of the plateau, from perceptron.storage); no cluster states or breakdown are computed.

Limits: RS in the references (the external entropy is not computed, its sign is not checked); the
teacher problem at kappa = 0 and Ising weights only; spherical weights for storage only. Stability: the spectral radius of the map (``engine.attracting``) is reported as
``map_radius``; the replicon (AT) eigenvalue of this large-deviation ensemble is not computed.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq
from scipy.special import log_ndtr, ndtr

from ..._util import ParamError
from .. import engine
from ..gauss import panel_rule
from ..solution import ConvergenceError, Solution
from .franz_parisi import binary_entropy, log2cosh

NAME = "landscape.local_entropy"
LOG_CHI_BOUNDS = (-60.0, 60.0)


def mills(t):
    """phi(t)/H(t), stable for all finite t (wild iterates of a failing start may overflow: NaN, caught
    by the engine)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(-0.5 * t * t - 0.5 * math.log(2.0 * math.pi) - log_ndtr(-t))


# ----------------------------------------------------------------------------------------------
# energetic term: E_z max_x [ -(x - g)^2/(2 chi0) + ln H((kappa - x)/sqrt(1 - q1)) ]
# ----------------------------------------------------------------------------------------------


def energetic(q1, chi0, kappa):
    """(G_E, dG_E/dchi0, dG_E/dq1) of the y -> infinity storage channel (module docstring)."""
    if not (0.0 < q1 < 1.0) or not chi0 > 0.0:
        raise FloatingPointError("energetic term outside 0 < q1 < 1, chi0 > 0")
    sq, s1 = math.sqrt(q1), math.sqrt(1.0 - q1)
    z, w = panel_rule(((kappa / sq, s1 / sq), (kappa / sq, math.sqrt(chi0) / sq)), reach=10.0, order=8)
    u0 = (kappa - sq * z) / s1
    c = chi0 / (1.0 - q1)
    t = u0.copy()
    for _ in range(200):                      # t + c r(t) = u0: increasing and convex, Newton from the right
        r = mills(t)
        with np.errstate(invalid="ignore", over="ignore"):
            step = (t + c * r - u0) / (1.0 + c * r * (r - t))
        t = t - step
        if np.max(np.abs(step)) < 1e-13 * (1.0 + np.max(np.abs(t))):
            break
    r = mills(t)
    rp = np.clip(r * (r - t), 0.0, 1.0)
    M = -0.5 * (u0 - t) ** 2 / c + log_ndtr(-t)
    G = float(w @ M)
    d_chi = float(w @ (r * r)) / (2.0 * (1.0 - q1))
    d_q1 = float(w @ (-r * t - rp / (1.0 + c * rp))) / (2.0 * (1.0 - q1))
    return G, d_chi, d_q1


def energetic_teacher(q1, chi0, t, kappa):
    """(G_E, dG_E/dchi0, dG_E/dq1, dG_E/dt) for labels of an Ising teacher B: the pattern's teacher field
    u0 has covariance t = W.B/N with the replicas' field g = sqrt(q1) z, so that
    G_E = E_z W(z) M(sqrt(q1) z), W(z) = 2 H(-t z/sqrt(q1 - t^2)) (the label agrees with the sign of the
    field the replicas see), M the storage envelope of :func:`energetic`."""
    if not (0.0 < q1 < 1.0) or not chi0 > 0.0 or not t * t < q1:
        raise FloatingPointError("energetic term outside 0 < q1 < 1, chi0 > 0, t^2 < q1")
    sq, s1 = math.sqrt(q1), math.sqrt(1.0 - q1)
    st = math.sqrt(q1 - t * t)
    z, w = panel_rule(((kappa / sq, s1 / sq), (kappa / sq, math.sqrt(chi0) / sq), (0.0, st / max(abs(t), 1e-300))),
                      reach=10.0, order=8)
    u0 = (kappa - sq * z) / s1
    c = chi0 / (1.0 - q1)
    tt = u0.copy()
    for _ in range(200):
        r = mills(tt)
        step = (tt + c * r - u0) / (1.0 + c * r * (r - tt))
        tt = tt - step
        if np.max(np.abs(step)) < 1e-13 * (1.0 + np.max(np.abs(tt))):
            break
    r = mills(tt)
    M = -0.5 * (u0 - tt) ** 2 / c + log_ndtr(-tt)
    arg = t * z / st
    Wt = 2.0 * ndtr(arg)
    ph = np.exp(-0.5 * arg * arg) / math.sqrt(2.0 * math.pi)
    G = float(w @ (Wt * M))
    d_chi = float(w @ (Wt * r * r)) / (2.0 * (1.0 - q1))
    dM_q1 = -r * tt / (2.0 * (1.0 - q1)) + (r / s1) * z / (2.0 * sq)
    d_q1 = float(w @ (Wt * dM_q1 - ph * z * t / st ** 3 * M))
    d_t = float(w @ (2.0 * ph * z * q1 / st ** 3 * M))
    return G, d_chi, d_q1, d_t


def conjugates(alpha, q1, chi0, kappa, t=None):
    """(Q0, v, G_E, t_hat): Q0 = 2 alpha dG_E/dchi0, v = Q0 + 2 alpha dG_E/dq1, t_hat = alpha dG_E/dt
    (t_hat = 0 and t = None for storage)."""
    if t is None:
        G, d_chi, d_q1 = energetic(q1, chi0, kappa)
        d_t = 0.0
    else:
        G, d_chi, d_q1, d_t = energetic_teacher(q1, chi0, t, kappa)
    Q0 = 2.0 * alpha * d_chi
    return Q0, Q0 + 2.0 * alpha * d_q1, G, alpha * d_t


# ----------------------------------------------------------------------------------------------
# entropic term: E_z Phi(sqrt(Q0)|z| + Delta), Phi(u) = max_a [ln 2cosh a - (a - u)^2/(2v)]
# ----------------------------------------------------------------------------------------------


def a_star(u, v):
    """The maximiser a* of ln 2cosh a - (a - u)^2/(2v): a = u + v tanh a, the root of the sign of u
    (the global maximum; for v > 1 and u -> 0 it jumps). v < 0: the unique stationary point."""
    u = np.asarray(u, float)
    s = np.where(u < 0, -1.0, 1.0)
    au = np.abs(u)
    if v >= 0:
        lo, hi = au.copy(), au + v                     # g(lo) <= 0 < g(hi), g convex on a > 0
    else:
        lo, hi = np.zeros_like(au), au.copy()
    a = np.clip(au + v * np.tanh(au + max(v, 0.0)), lo, hi)
    for _ in range(100):
        th = np.tanh(a)
        g = a - au - v * th
        if np.max(np.abs(g)) < 1e-14 * (1.0 + np.max(au)):
            break
        dg = 1.0 - v * (1.0 - th * th)
        lo = np.where(g < 0, a, lo)
        hi = np.where(g > 0, a, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            an = a - g / dg
        bad = ~np.isfinite(an) | (an < lo) | (an > hi)
        a = np.where(bad, 0.5 * (lo + hi), an)
    return s * a


class Entropic:
    """Averages over z of the magnetisation around the reference, m = tanh a*(|u| + Delta), u = sqrt(Q0) z
    + t_hat (t_hat: the teacher's field, 0 for storage); the reference is W~ = sign(u)."""

    def __init__(self, Q0, v, that=0.0):
        self.Q0, self.v, self.that = float(Q0), float(v), float(that)
        self.sq = math.sqrt(max(self.Q0, 0.0))

    def nodes(self, delta):
        if self.sq == 0:
            return panel_rule(((0.0, 1.0),), reach=11.0, order=8)
        z0 = -self.that / self.sq
        wd = min(1.0, 1.0 / self.sq)
        feats = [(0.0, 1.0)] + ([(z0, wd)] if self.that != 0.0 else [])
        if delta < 0:
            zc = -delta / self.sq
            feats += [(z0 + zc, wd), (z0 - zc, wd)]
        return panel_rule(tuple(feats), reach=11.0, order=8)

    def _m(self, z, delta):
        u = self.sq * z + self.that
        a = a_star(np.abs(u) + delta, self.v)
        return u, a, np.tanh(a)

    def moments(self, delta):
        """dict: R = E m, q1 = E m^2, t = E sign(u) m (overlap with the teacher), E z sign(u) m, E Phi."""
        z, w = self.nodes(delta)
        u, a, m = self._m(z, delta)
        su = np.where(u < 0, -1.0, 1.0)
        phi = log2cosh(a) - 0.5 * self.v * m * m
        return {"R": float(w @ m), "q1": float(w @ (m * m)), "t": float(w @ (su * m)),
                "zm": float(w @ (z * su * m)), "Phi": float(w @ phi)}

    def R(self, delta):
        z, w = self.nodes(delta)
        return float(w @ self._m(z, delta)[2])

    def solve_delta(self, R, guess=0.0):
        """The Delta at which E m = R (E m increases with Delta from -1 to 1)."""
        f = lambda D: self.R(D) - R
        lo = hi = float(guess) if np.isfinite(guess) else 0.0
        flo = fhi = f(lo)
        step = 0.25
        while flo > 0 and step < 1e6:
            lo -= step
            flo = f(lo)
            step *= 2.0
        step = 0.25
        while fhi < 0 and step < 1e6:
            hi += step
            fhi = f(hi)
            step *= 2.0
        if flo > 0 or fhi < 0:
            raise FloatingPointError(f"no Delta gives R={R}")
        if flo == 0:
            return lo
        if fhi == 0:
            return hi
        return brentq(f, lo, hi, xtol=1e-14, rtol=1e-14)


# ----------------------------------------------------------------------------------------------
# the fixed-point problem
# ----------------------------------------------------------------------------------------------


class LocalEntropy:
    """RS y -> infinity equations at (alpha, kappa) with either R = 1 - 2d fixed (``d``) or the
    Lagrange multiplier fixed (``delta``; ``delta=0`` gives the unconstrained cluster states).
    Engine coordinates x = (q1, ln chi0) for storage, (q1, ln chi0, t) for ``problem="teacher"``
    (t = W.B/N the overlap of the solutions with the teacher)."""

    def __init__(self, alpha, kappa, d=None, delta=None, problem="storage"):
        self.alpha, self.kappa = float(alpha), float(kappa)
        if (d is None) == (delta is None):
            raise ValueError("give exactly one of d, delta")
        self.d = None if d is None else float(d)
        self.R = None if d is None else 1.0 - 2.0 * self.d
        self.delta = None if delta is None else float(delta)
        self.teacher = problem == "teacher"
        self.n = 3 if self.teacher else 2
        self._guess = 0.5

    def step(self, x):
        """One application of the map, with every intermediate quantity (dict)."""
        q1, chi0 = float(x[0]), math.exp(float(x[1]))
        t = float(x[2]) if self.teacher else None
        Q0, v, G, that = conjugates(self.alpha, q1, chi0, self.kappa, t)
        ent = Entropic(Q0, v, that)
        if self.R is not None:
            D = ent.solve_delta(self.R, self._guess)
            self._guess = D
        else:
            D = self.delta
        mom = ent.moments(D)
        chi_new = mom["zm"] / ent.sq - (1.0 - mom["q1"]) if ent.sq > 0 else float("inf")
        return {"q1": q1, "chi0": chi0, "t": t, "Q0": Q0, "v": v, "t_hat": that, "Delta": D, "G_E": G,
                "mom": mom, "q1_new": mom["q1"], "chi0_new": chi_new, "t_new": mom["t"]}

    def update(self, x):
        bad = np.full(self.n, np.nan)
        try:
            s = self.step(x)
        except (FloatingPointError, ValueError, ZeroDivisionError, OverflowError):
            return bad
        if not (s["chi0_new"] > 0 and math.isfinite(s["chi0_new"])):
            return bad
        out = [s["q1_new"], math.log(s["chi0_new"])]
        return np.array(out + [s["t_new"]] if self.teacher else out)

    def lower_q1(self):
        return 0.0 if self.R is None else max(self.R, 0.0) ** 2

    def problem(self):
        lo, hi = [self.lower_q1(), LOG_CHI_BOUNDS[0]], [1.0, LOG_CHI_BOUNDS[1]]
        names, tr = ("q1", "log_chi0"), ("logit", "none")
        if self.teacher:
            lo, hi, names, tr = lo + [-1.0], hi + [1.0], names + ("t",), tr + ("none",)
        return engine.FixedPointProblem(names, self.update, np.array(lo), np.array(hi), transforms=tr,
                                        u_min=-600.0)

    def free_entropy(self, s):
        """S at the point of ``step`` (the general expression, not the fixed-point identities)."""
        R = s["mom"]["R"] if self.R is None else self.R
        tt = -s["t_hat"] * s["t"] if self.teacher else 0.0
        return (-s["Delta"] * R + tt - 0.5 * s["Q0"] * s["chi0"] - 0.5 * s["v"] * s["q1"]
                - 0.5 * s["Q0"] * (1.0 - s["q1"]) + s["mom"]["Phi"] + self.alpha * s["G_E"])

    def phi(self, q1, chi0, Q0, v, delta, t=None, that=0.0):
        """The free entropy as a function of all its variables independently (R fixed): its gradient
        vanishes at a fixed point (tests check the saddle-point equations against it)."""
        R = self.R
        if self.teacher:
            G = energetic_teacher(q1, chi0, t, self.kappa)[0]
        else:
            G = energetic(q1, chi0, self.kappa)[0]
        mom = Entropic(Q0, v, that).moments(delta)
        tt = -that * t if self.teacher else 0.0
        return (-delta * R + tt - 0.5 * Q0 * chi0 - 0.5 * v * q1 - 0.5 * Q0 * (1.0 - q1) + mom["Phi"]
                + self.alpha * G)

    def evaluate(self, x):
        s = self.step(x)
        R = s["mom"]["R"] if self.R is None else self.R
        out = {"entropy": self.free_entropy(s), "q1": s["q1"], "chi0": s["chi0"], "Q0": s["Q0"],
               "v": s["v"], "Delta": s["Delta"], "R": R, "d": 0.5 * (1.0 - R), "G_E": s["G_E"]}
        if self.teacher:
            out.update(t=s["t"], t_hat=s["t_hat"], eps_g=math.acos(max(-1.0, min(1.0, s["t"]))) / math.pi)
        return out


def _inits(R, problem="storage"):
    lo = R * R
    out = []
    for f in (0.3, 0.05, 0.8):
        for lc in (0.0, 2.5):
            x = [lo + f * (1.0 - lo), lc]
            out.append(np.array(x + [0.6 * math.sqrt(x[0])] if problem == "teacher" else x))
    return out


MAX_ITER = 300    # a start that has not converged by then is abandoned (a converging one takes ~10-50)


def _roots(model, inits, tol, max_iter=MAX_ITER):
    found, failed = engine.find_fixed_points(model.problem(), inits, tol=tol, max_iter=max_iter)
    if not found and model.R is not None and failed and all(
            r.at_bound and r.x[0] - model.lower_q1() < 1e-9 for r in failed):
        return [], (f"d={model.d:g}: the iteration runs to q1 = R^2, a complete ball of solutions around the "
                    "reference (S = H2(d) up to corrections below double precision); not resolved at this d")
    out = []
    for r in found:
        try:
            ev = model.evaluate(r.x)
        except (FloatingPointError, ValueError):
            continue
        if not all(math.isfinite(float(v)) for v in ev.values()):
            continue
        ev["residual"], ev["iterations"] = r.residual, r.iterations
        ev["map_radius"] = engine.attracting(model.problem(), r.x)[1]
        ev["x"] = r.x
        out.append(ev)
    msg = "" if out else (failed[0].message if failed else "no fixed point")
    if not out and model.R is not None and model.d < 0.01:
        msg += ("; at small d the equations approach the complete ball (q1 -> R^2, S -> H2(d)), "
                "not resolved here")
    return out, msg


# ----------------------------------------------------------------------------------------------
# reference states: the Gardner plateau and the isolated cluster
# ----------------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def gardner_plateau(alpha, kappa, problem="storage"):
    """(entropy, q, q_hat, d*, R_teacher) of the equilibrium state (storage: perceptron.storage; teacher:
    the T = 0 Gibbs state of perceptron.teacher, its poor-generalisation branch, on the Nishimori line
    R_hat = q_hat) and the distance d* = (1 - E|tanh(sqrt(q_hat) z + R_hat)|)/2 from its centre to its
    typical solutions; None where there is no such state."""
    from ..perceptron import storage, teacher

    if problem == "teacher":
        sol = teacher(alpha=alpha, T=0.0, weights="ising")
        sol = sol.branch_named("poor") if sol.converged else None
        if sol is None or not sol["entropy"] > 0:
            return None
        qh, rh, rt = float(sol.order["q_hat"]), float(sol.order["R_hat"]), float(sol["R"])
    else:
        sol = storage(alpha=alpha, kappa=kappa, weights="ising")
        if not sol.converged:
            return None
        qh, rh, rt = float(sol.order["q_hat"]), 0.0, float("nan")
    z, w = panel_rule(((0.0, 1.0), (-rh / math.sqrt(max(qh, 1e-300)), 1.0)), reach=11.0, order=10)
    Em = float(w @ np.abs(np.tanh(math.sqrt(max(qh, 0.0)) * z + rh)))
    return float(sol["entropy"]), float(sol.order["q"]), qh, 0.5 * (1.0 - Em), rt


CLUSTER_STARTS = ((0.97, 0.7), (0.99, 2.0), (0.93, 0.0))


@lru_cache(maxsize=256)
def cluster_state(alpha, kappa, problem="storage", tol=1e-11):
    """The isolated dense ball: the Delta = 0 fixed point with chi0 > 0 (None where there is none).
    Returns the evaluate() dict (entropy S_c, radius d_c = (1 - E m)/2, q1, chi0, ...)."""
    model = LocalEntropy(alpha, kappa, delta=0.0, problem=problem)
    starts = [np.array([q, lc] + ([0.6 * math.sqrt(q)] if problem == "teacher" else [])) for q, lc in CLUSTER_STARTS]
    found, _ = _roots(model, starts, tol, max_iter=150)
    found = [f for f in found if f["chi0"] > 1e-6 and f["q1"] > 0.5]
    if not found:
        return None
    return max(found, key=lambda f: f["entropy"])


# ----------------------------------------------------------------------------------------------
# spherical weights
# ----------------------------------------------------------------------------------------------


class SphericalLocalEntropy:
    """Spherical weights (|W|^2 = |W~|^2 = N), storage with margin kappa (negative allowed): the y -> infinity
    equations close on chi0 alone. The replicas' prior is Gaussian with a norm multiplier; the Laplace
    integrals are quadratic, and the free reference is the direction of the cluster's centre m, so
    R = |m|, q1 = |m|^2 = R^2 exactly, and

        S(d) = 1/2 ln(1 - R^2) + extr_chi0 [ R^2/(2 (chi0 + 1 - R^2)) + alpha G_E(R^2, chi0) ]

    (G_E as for Ising weights). At alpha = 0 it is 1/2 ln(1 - R^2), the log-fraction of the sphere at
    overlap R (the bound that replaces H2); at chi0 -> 0 it is Gardner's RS entropy at q = R^2, the
    plateau for d >= d* = (1 - sqrt(q_Gardner))/2. Stationarity: chi0 = R/sqrt(Q0) - (1 - R^2),
    Q0 = 2 alpha dG_E/dchi0. Engine coordinate: ln chi0."""

    def __init__(self, alpha, kappa, d):
        self.alpha, self.kappa, self.d = float(alpha), float(kappa), float(d)
        self.R = 1.0 - 2.0 * self.d
        self.q1 = self.R * self.R

    def update(self, x):
        try:
            chi0 = math.exp(float(x[0]))
            _, d_chi, _ = energetic(self.q1, chi0, self.kappa)
        except (FloatingPointError, ValueError, OverflowError):
            return np.array([np.nan])
        Q0 = 2.0 * self.alpha * d_chi
        new = self.R / math.sqrt(Q0) - (1.0 - self.q1) if Q0 > 0 else float("inf")
        return np.array([math.log(new)]) if 0 < new < float("inf") else np.array([np.nan])

    def problem(self):
        return engine.FixedPointProblem(("log_chi0",), self.update, np.array([LOG_CHI_BOUNDS[0]]),
                                        np.array([LOG_CHI_BOUNDS[1]]))

    def evaluate(self, x):
        chi0 = math.exp(float(x[0]))
        G, d_chi, _ = energetic(self.q1, chi0, self.kappa)
        S = 0.5 * math.log1p(-self.q1) + self.q1 / (2.0 * (chi0 + 1.0 - self.q1)) + self.alpha * G
        return {"entropy": S, "q1": self.q1, "chi0": chi0, "Q0": 2.0 * self.alpha * d_chi, "v": float("nan"),
                "Delta": float("nan"), "R": self.R, "d": self.d, "G_E": G}


def sphere_fraction(d):
    """1/2 ln(1 - R^2), R = 1 - 2d: the log-fraction of the sphere at overlap R (the bound for spherical
    weights, as H2(d) is for Ising ones)."""
    R = 1.0 - 2.0 * d
    return 0.5 * math.log1p(-R * R)


@lru_cache(maxsize=256)
def spherical_plateau(alpha, kappa):
    """(entropy, q, stable, d*) of Gardner's RS state (perceptron.storage, spherical); None past capacity."""
    from ..perceptron import storage

    sol = storage(alpha=alpha, kappa=kappa, weights="spherical")
    if not sol.converged:
        return None
    q = float(sol.order["q"])
    return float(sol["entropy"]), q, sol.stable, 0.5 * (1.0 - math.sqrt(q))


def spherical_states(alpha, kappa, d, tol=1e-10, inits=None):
    """States of the spherical local entropy at distance d (``inits`` unused: the scan in ln chi0 finds
    every stationary point) and a message."""
    pl = spherical_plateau(alpha, kappa)
    if pl is None:
        return [], f"alpha={alpha:g} is past the spherical RS capacity at kappa={kappa:g} (perceptron.storage)"
    S_G, q_G, stable, d_star = pl
    states = []
    msg = ""
    if d < d_star:
        # every stationary point in chi0 (a scan of ln chi0 and Newton); a point above the sphere fraction
        # (f = S - 1/2 ln(1 - R^2) > 0, a maximum of f) is not a state; where no point has f <= 0 the
        # minimum is at chi0 -> infinity: the complete ball, S = 1/2 ln(1 - R^2) (the version space has
        # an interior: a whole ring at overlap R around the reference is made of solutions)
        model = SphericalLocalEntropy(alpha, kappa, d)
        bound = sphere_fraction(d)
        found = engine.roots_1d(model.problem(), np.linspace(LOG_CHI_BOUNDS[0] / 2, LOG_CHI_BOUNDS[1] / 2, 121))
        rejected = 0
        for r in found:
            ev = model.evaluate(r.x)
            if ev["entropy"] > bound:
                rejected += 1
                continue
            ev.update(branch="dense", residual=r.residual, iterations=r.iterations, x=r.x,
                      map_radius=engine.attracting(model.problem(), r.x)[1])
            states.append(ev)
        if not states:
            states.append({"branch": "ball", "entropy": bound, "q1": model.q1, "chi0": float("inf"), "Q0": 0.0,
                           "v": float("nan"), "Delta": float("nan"), "R": model.R, "d": d, "residual": 0.0,
                           "iterations": 0})
            msg = ("complete ball (chi0 = inf): no stationary point below the sphere fraction"
                   + (f" ({rejected} above it, not states)" if rejected else "") + "; S = 1/2 ln(1 - R^2)")
    else:
        states.append({"branch": "plateau", "entropy": S_G, "q1": q_G, "chi0": 0.0, "Q0": float("nan"),
                       "v": float("nan"), "Delta": float("nan"), "R": 1.0 - 2.0 * d, "d": d, "residual": 0.0,
                       "iterations": 0})
    return states, msg


def _spherical_solution(alpha, kappa, d, params, states, msg, strict):
    if not states:
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(NAME, params, msg or "no RS solution found")
    pl = spherical_plateau(alpha, kappa)
    states = sorted(states, key=lambda s: -s["entropy"])
    sols = []
    for i, s in enumerate(states):
        obs = {"entropy": s["entropy"], "q": s["q1"], "q1": s["q1"], "chi0": s["chi0"], "Q0": s["Q0"],
               "R": 1.0 - 2.0 * d, "sphere_fraction": sphere_fraction(d), "gardner_entropy": pl[0],
               "d_star": pl[3]}
        if "map_radius" in s:
            obs["map_radius"] = s["map_radius"]
        sols.append(Solution(model=NAME, params=params, order={"q1": s["q1"], "chi0": s["chi0"], "Q0": s["Q0"]},
                             observables=obs, free_energy=-s["entropy"], residual=s["residual"],
                             iterations=s["iterations"], branch=s["branch"] if i == 0 else f"{s['branch']}{i + 1}",
                             status="thermodynamic" if i == 0 else "metastable",
                             stable=pl[2] if s["branch"] == "plateau" else None, message=msg,
                             extra={"x": [float(t) for t in s["x"]]} if "x" in s else {}))
    sols[0].branches = sols
    return sols[0]


# ----------------------------------------------------------------------------------------------
# public solve
# ----------------------------------------------------------------------------------------------


def _check(alpha, kappa, d, problem, weights):
    from .common import check_landscape

    alpha, kappa, d, problem, weights = check_landscape(alpha, kappa, d, problem, weights)
    if weights == "spherical" and problem != "storage":
        raise ParamError(f"weights=spherical with problem={problem} is not implemented for {NAME}; "
                         "allowed: weights=spherical with problem=storage, or weights=ising")
    if problem == "teacher" and (kappa != 0.0 or alpha > TEACHER_ALPHA_MAX):
        raise ParamError(f"problem=teacher with alpha={alpha:g}, kappa={kappa:g} is not implemented; allowed: "
                         f"kappa=0 and 0 <= alpha <= {TEACHER_ALPHA_MAX} (below the first-order transition "
                         "1.245 to perfect learning)")
    return alpha, kappa, d, problem, weights


TEACHER_ALPHA_MAX = 1.2


def local_entropy_states(alpha, kappa, d, inits=None, tol=1e-10, problem="storage"):
    """Every state at distance d (list of dicts with a ``branch`` label) and a message."""
    states = []
    pl = gardner_plateau(alpha, kappa, problem)
    if pl is None:
        return [], (f"alpha={alpha:g}: no equilibrium state of positive entropy at kappa={kappa:g} "
                    f"(problem={problem}; past the Ising RS capacity or the teacher transition)")
    S_G, q_G, qh_G, d_star, R_G = pl
    model = LocalEntropy(alpha, kappa, d=d, problem=problem)
    if inits is None:
        # past d* the Gardner plateau is exact; its centred continuation would need chi0 < 0 (q0 > q1)
        inits = _inits(1.0 - 2.0 * d, problem) if d < d_star else []
    roots, msg = _roots(model, inits, tol) if inits else ([], "")
    for r in roots:
        r["branch"] = "dense" if r["Delta"] > 0 else "centred"
        states.append(r)
    if d >= d_star:
        st = {"branch": "plateau", "entropy": S_G, "q1": q_G, "chi0": 0.0, "Q0": qh_G, "v": 0.0,
              "Delta": 0.0, "R": 1.0 - 2.0 * d, "d": d, "residual": 0.0, "iterations": 0}
        if problem == "teacher":
            st.update(t=R_G, t_hat=qh_G, eps_g=math.acos(R_G) / math.pi)
        states.append(st)
    cl = cluster_state(alpha, kappa, problem)
    if cl is not None and d >= cl["d"]:
        c = {k: v for k, v in cl.items() if k != "x"}
        c.update(branch="cluster", R=1.0 - 2.0 * d, d=d)
        states.append(c)
    return states, msg


def _solution(alpha, kappa, d, params, states, msg, strict):
    if not states:
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(NAME, params, msg or "no RS solution found")
    states = sorted(states, key=lambda s: -s["entropy"])
    pl = gardner_plateau(alpha, kappa, params.get("problem", "storage"))
    counts: dict = {}
    sols = []
    for i, s in enumerate(states):
        lab = s["branch"]
        counts[lab] = counts.get(lab, 0) + 1
        label = lab if counts[lab] == 1 else f"{lab}{counts[lab]}"
        obs = {"entropy": s["entropy"], "q": s["q1"], "q1": s["q1"], "chi0": s["chi0"], "Q0": s["Q0"],
               "v": s["v"], "Delta": s["Delta"], "R": 1.0 - 2.0 * d, "R_hat": s["Delta"],
               "slope": 2.0 * s["Delta"], "binary_entropy": binary_entropy(d),
               "gardner_entropy": pl[0], "d_star": pl[3]}
        if "map_radius" in s:
            obs["map_radius"] = s["map_radius"]
        if "t" in s:
            obs.update(t=s["t"], t_hat=s["t_hat"], eps_g=s["eps_g"], gibbs_t=pl[4])
        status = "thermodynamic" if i == 0 else "metastable"
        sols.append(Solution(model=NAME, params=params,
                             order={"q1": s["q1"], "chi0": s["chi0"], "Q0": s["Q0"], "v": s["v"],
                                    "Delta": s["Delta"]},
                             observables=obs, free_energy=-s["entropy"], residual=s["residual"],
                             iterations=s["iterations"], branch=label, status=status, message=msg,
                             extra={"x": [float(t) for t in s["x"]]} if "x" in s else {}))
    best = sols[0]
    best.branches = sols
    return best


def local_entropy(alpha=0.6, kappa=0.0, d=0.05, problem="storage", weights="ising", strict=False):
    """Local entropy S(d) of the perceptron: the log-number of solutions at distance d from the reference
    that maximises it (RS, y -> infinity; module docstring). Ising weights with ``problem="storage"``
    (margin kappa) or ``"teacher"`` (kappa = 0, alpha <= 1.2; adds ``t``, ``t_hat``, ``eps_g``,
    ``gibbs_t``); spherical weights with ``problem="storage"`` (any kappa; the bound is
    ``sphere_fraction`` = 1/2 ln(1 - R^2) instead of H2).

    Observables: ``entropy`` S(d) (thermodynamic: the largest over the states found), ``q``/``q1``
    the overlap of two solutions around the reference, ``chi0`` = y (q1 - q0), the conjugates
    ``Q0``, ``v`` and ``Delta`` (= R_hat - p_hat, the multiplier of R; ``slope`` = dS/dd = 2 Delta),
    ``binary_entropy`` H2(d) (upper bound), ``gardner_entropy`` and ``d_star`` (plateau onset),
    ``map_radius`` (spectral radius of the map at the fixed point). Every state is in ``branches``.
    """
    alpha, kappa, d, problem, weights = _check(alpha, kappa, d, problem, weights)
    params = {"alpha": alpha, "kappa": kappa, "d": d, "problem": problem, "weights": weights}
    if weights == "spherical":
        if alpha == 0.0:
            S = sphere_fraction(d)
            obs = {"entropy": S, "q": (1 - 2 * d) ** 2, "q1": (1 - 2 * d) ** 2, "chi0": float("inf"), "Q0": 0.0,
                   "R": 1 - 2 * d, "sphere_fraction": S, "gardner_entropy": 0.0, "d_star": 0.5}
            return Solution(model=NAME, params=params, order={"q1": obs["q1"], "Q0": 0.0}, observables=obs,
                            free_energy=-S, branch="dense", status="thermodynamic",
                            message="alpha = 0: S = 1/2 ln(1 - R^2), the whole ring is made of solutions "
                                    "(chi0 = inf: the complete ball)")
        try:
            states, msg = spherical_states(alpha, kappa, d)
        except (FloatingPointError, ValueError, ZeroDivisionError) as exc:
            states, msg = [], f"RS equations failed: {exc}"
        return _spherical_solution(alpha, kappa, d, params, states, msg, strict)
    if alpha == 0.0:
        H = binary_entropy(d)
        R = 1 - 2 * d
        obs = {"entropy": H, "q": R * R, "q1": R * R, "chi0": float("inf"), "Q0": 0.0, "v": 0.0,
               "Delta": math.atanh(R), "R": R, "R_hat": math.atanh(R), "slope": 2 * math.atanh(R),
               "binary_entropy": H, "gardner_entropy": math.log(2.0), "d_star": 0.5}
        return Solution(model=NAME, params=params, order={k: obs[k] for k in ("q1", "chi0", "Q0", "v", "Delta")},
                        observables=obs, free_energy=-H, branch="dense", status="thermodynamic",
                        message="alpha = 0: every configuration is a solution, S = H2(d) (chi0 = inf: "
                                "the complete ball, Q0 = 0)")
    try:
        states, msg = local_entropy_states(alpha, kappa, d, problem=problem)
    except (FloatingPointError, ValueError, ZeroDivisionError) as exc:
        states, msg = [], f"RS equations failed: {exc}"
    return _solution(alpha, kappa, d, params, states, msg, strict)


def local_entropy_near(params, previous):
    """Continuation hook for scans: solve at ``params`` starting from the dense/centred branch of
    ``previous`` (a neighbouring d on the same line), plus the default starts."""
    alpha, kappa, d, problem, weights = _check(params["alpha"], params["kappa"], params["d"],
                                               params.get("problem", "storage"), params.get("weights", "ising"))
    if alpha == 0.0:
        return local_entropy(alpha, kappa, d, problem, weights)
    if weights == "spherical":
        starts = [np.array(b.extra["x"]) for b in (previous.branches or [previous]) if "x" in b.extra]
        try:
            states, msg = spherical_states(alpha, kappa, d, inits=starts + [np.array([lc]) for lc in (0.0, 3.0, -3.0)])
        except (FloatingPointError, ValueError, ZeroDivisionError) as exc:
            states, msg = [], f"RS equations failed: {exc}"
        return _spherical_solution(alpha, kappa, d, dict(params), states, msg, False)
    starts = [np.array(b.extra["x"]) for b in (previous.branches or [previous]) if "x" in b.extra
              and b.params.get("alpha") == alpha and b.params.get("kappa") == kappa]
    R = 1 - 2 * d
    starts = [np.array([max(s[0], R * R + 1e-9 * (1 - R * R))] + list(s[1:])) for s in starts]
    pl = gardner_plateau(alpha, kappa, problem)
    try:
        if pl is not None and d >= pl[3]:
            states, msg = local_entropy_states(alpha, kappa, d, problem=problem)
        else:
            states, msg = local_entropy_states(alpha, kappa, d, inits=starts + _inits(R, problem), problem=problem)
    except (FloatingPointError, ValueError, ZeroDivisionError) as exc:
        states, msg = [], f"RS equations failed: {exc}"
    return _solution(alpha, kappa, d, dict(params), states, msg, False)


# ----------------------------------------------------------------------------------------------
# curves (importable: figures, and the simulation side's overlays)
# ----------------------------------------------------------------------------------------------


def _follow_d(alpha, kappa, d, i0, x0, direction, out, key, tol, overwrite=True, problem="storage"):
    """Continue one branch along the grid d from index i0 (x0 solved there) in ``direction``: each point by
    the accelerated iteration from the secant prediction (the engine's ``follow`` refuses the large moves of
    ln chi0 at small d). Fills out[key][i] (and Delta, q1 where ``overwrite``); stops where it is lost."""
    hist = []
    i = i0
    x = np.asarray(x0, float)
    while 0 <= i < d.size:
        model = LocalEntropy(alpha, kappa, d=float(d[i]), problem=problem)
        prob = model.problem()
        guess = x if len(hist) < 2 else hist[-1] + (hist[-1] - hist[-2])
        r = engine.iterate(prob, prob.clip(guess), tol=tol, max_iter=MAX_ITER)
        if not r.converged and len(hist) >= 2:
            r = engine.iterate(prob, prob.clip(x), tol=tol, max_iter=MAX_ITER)
        if not r.converged or (hist and abs(r.x[0] - x[0]) > 0.2):
            break
        ev = model.evaluate(r.x)
        out[key][i] = ev["entropy"]
        if overwrite:
            out["Delta"][i], out["q1"][i] = ev["Delta"], ev["q1"]
        x = r.x
        hist = (hist + [r.x])[-2:]
        i += direction


def spherical_curve(alpha, kappa, d):
    """local_entropy_curve for spherical weights: each d solved on its own (~0.3 s a point)."""
    out = {k: np.full(d.size, np.nan) for k in ("entropy", "branch", "Delta", "q1", "branch_upper")}
    out["d"] = d
    out["binary_entropy"] = np.array([sphere_fraction(t) for t in d])
    pl = spherical_plateau(alpha, kappa)
    if pl is None:
        raise ParamError(f"alpha={alpha:g} is past the spherical RS capacity at kappa={kappa:g}")
    for i, t in enumerate(d):
        states, _ = spherical_states(alpha, kappa, float(t))
        if states:
            best = max(states, key=lambda s: s["entropy"])
            out["entropy"][i], out["q1"][i] = best["entropy"], best["q1"]
            if best["branch"] != "plateau":
                out["branch"][i] = best["entropy"]
    out.update(gardner_entropy=pl[0], d_star=pl[3], d_cluster=np.nan, cluster_entropy=np.nan)
    return out


def local_entropy_curve(alpha, kappa=0.0, d_grid=None, tol=1e-10, problem="storage", weights="ising"):
    """S(d) on a grid of distances, by continuation (fast; for figures and overlays).

    Returns a dict of numpy arrays over ``d`` (sorted): ``entropy`` (thermodynamic: the largest of
    the branch, the Gardner plateau for d >= d* and the cluster plateau for d >= d_c), ``branch``
    (the dense branch followed from the smallest d, continued into its ``centred`` part where
    Delta < 0; NaN where it is lost), ``Delta``, ``q1``, ``binary_entropy``; and the scalars
    ``gardner_entropy``, ``d_star``, ``d_cluster`` and ``cluster_entropy`` (NaN below alpha_U).
    Usage: ``local_entropy_curve(0.6, 0.0, np.linspace(0.005, 0.3, 40))``; ``problem="teacher"`` (Ising
    teacher, kappa = 0) and ``weights="spherical"`` (storage; there ``binary_entropy`` holds the sphere
    fraction 1/2 ln(1 - R^2)) as in :func:`local_entropy`.
    """
    d = np.sort(np.asarray(d_grid if d_grid is not None else np.linspace(0.005, 0.5, 60), float))
    if np.any(d <= 0) or np.any(d > 0.5):
        raise ParamError("d outside (0, 1/2]; allowed: 0 < d <= 1/2")
    alpha, kappa = float(alpha), float(kappa)
    if weights == "spherical":
        return spherical_curve(alpha, kappa, d)
    n = d.size
    out = {k: np.full(n, np.nan) for k in ("entropy", "branch", "Delta", "q1")}
    out["d"] = d
    out["binary_entropy"] = np.array([binary_entropy(t) for t in d])
    if alpha == 0.0:
        R = 1 - 2 * d
        out.update(entropy=out["binary_entropy"].copy(), branch=out["binary_entropy"].copy(),
                   Delta=np.arctanh(R), q1=R * R, gardner_entropy=math.log(2.0), d_star=0.5,
                   d_cluster=np.nan, cluster_entropy=np.nan)
        return out
    pl = gardner_plateau(alpha, kappa, problem)
    if pl is None:
        raise ParamError(f"alpha={alpha:g}: no equilibrium state at kappa={kappa:g} (problem={problem})")
    S_G, q_G, _, d_star, R_G = pl
    cl = cluster_state(alpha, kappa, problem)
    # the dense branch from the smallest distance, followed up in d; the branch that leaves the Gardner
    # plateau at d*, followed down in d (below alpha_U they are one branch)
    first, _ = local_entropy_states(alpha, kappa, float(d[0]), tol=tol, problem=problem)
    first = [s for s in first if "x" in s]
    if first:
        x0 = max(first, key=lambda s: s["entropy"])["x"]
        _follow_d(alpha, kappa, d, 0, x0, +1, out, "branch", tol, problem=problem)
    below = np.flatnonzero(d < d_star)
    out["upper"] = np.full(n, np.nan)
    if below.size:
        i0 = int(below[-1])
        x0 = [max(q_G, (1 - 2 * d[i0]) ** 2 + 1e-6), -4.0] + ([R_G] if problem == "teacher" else [])
        r = engine.iterate(LocalEntropy(alpha, kappa, d=float(d[i0]), problem=problem).problem(), np.array(x0),
                           tol=tol, max_iter=MAX_ITER)
        if r.converged:
            _follow_d(alpha, kappa, d, i0, r.x, -1, out, "upper", tol, overwrite=False, problem=problem)
    out["branch_upper"] = out.pop("upper")
    out["branch_upper"] = np.where(np.isclose(out["branch_upper"], out["branch"], rtol=0, atol=1e-9),
                                   np.nan, out["branch_upper"])
    S = np.fmax(out["branch"], out["branch_upper"])
    S = np.where(d >= d_star, np.fmax(S, S_G), S)
    if cl is not None:
        S = np.where(d >= cl["d"], np.fmax(S, cl["entropy"]), S)
    out["entropy"] = S
    out.update(gardner_entropy=S_G, d_star=d_star,
               d_cluster=cl["d"] if cl else np.nan, cluster_entropy=cl["entropy"] if cl else np.nan)
    return out


# ----------------------------------------------------------------------------------------------
# breakdown of the dense region
# ----------------------------------------------------------------------------------------------


def cluster_onset(kappa=0.0, tol=1e-8):
    """alpha_U(kappa): where the Delta = 0 cluster state is born (saddle-node in alpha, followed down
    from a point where it exists by engine.spinodal). Returns (alpha_U, state at alpha_U, message)."""
    from ..perceptron import capacity

    a_zero = float(capacity(kappa=kappa, weights="ising", zero_entropy=True)["alpha_c"])
    start = None
    for f in (0.96, 0.99, 0.9, 0.85, 0.8):
        a = f * a_zero
        cl = cluster_state(a, kappa)
        if cl is not None:
            start = (a, cl)
            break
    if start is None:
        return None, None, (f"no isolated dense cluster (Delta = 0 state) found below the zero-entropy "
                            f"alpha = {a_zero:.4g} at kappa={kappa:g}")
    a0, cl = start

    def make(a):
        return LocalEntropy(a, kappa, delta=0.0).problem()

    try:
        a_u, x_u = engine.spinodal(make, a0, cl["x"], 0.3 * a0, tol_p=tol, tol=1e-11)
    except ValueError:
        return None, None, f"the cluster state does not end above alpha={0.3 * a0:.4g}"
    ev = LocalEntropy(a_u, kappa, delta=0.0).evaluate(x_u)
    return a_u, ev, ""


def breakdown(kappa=0.0, strict=False):
    """``landscape.local_entropy_breakdown``: the alpha above which the local-entropy curve S(d) is
    non-monotone (the dense region breaks up into an isolated ball).

    Criterion (module docstring): the slope dS/dd = 2 Delta of the dense branch first vanishes at
    an interior distance d_c, where the unconstrained (Delta = 0) cluster state is born; found as
    the saddle-node of that state in alpha (engine.spinodal). At kappa = 0: alpha_U = 0.7552,
    d_c = 0.020, S_c = 0.0395. Published: "near 0.77" (Baldassi et al. 2015, 2016; recalled, the
    papers could not be read here; a 2025 preprint by Stojnic quotes replica results in
    (0.77, 0.78)). The 0.015 difference is not resolved here. A reference required to be a solution
    (not implemented) does not explain it at first order: at the breakdown the free centre violates
    ~1e-8 of the patterns and the constraint lowers alpha_U by < 1e-5 (docs/landscape.md, "Which
    reference?"); RSB among the references or a different ensemble remain candidates.

    Observables: ``alpha_breakdown``, ``d_cluster`` (the ball's radius at onset),
    ``cluster_entropy`` (its local entropy), ``q1``, ``chi0``, ``gardner_entropy`` at alpha_U.
    """
    from ..._util import check_number

    kappa = check_number("kappa", kappa, lo=-2.0, hi=2.0)
    params = {"kappa": kappa}
    name = "landscape.local_entropy_breakdown"
    try:
        a_u, ev, msg = cluster_onset(kappa)
    except (FloatingPointError, ValueError, ZeroDivisionError) as exc:
        a_u, ev, msg = None, None, f"RS equations failed: {exc}"
    if a_u is None:
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(name, params, msg)
    pl = gardner_plateau(a_u, kappa)
    obs = {"alpha_breakdown": a_u, "d_cluster": ev["d"], "cluster_entropy": ev["entropy"], "q1": ev["q1"],
           "chi0": ev["chi0"], "gardner_entropy": pl[0] if pl else float("nan")}
    return Solution(model=name, params=params, order={"q1": ev["q1"], "chi0": ev["chi0"]}, observables=obs,
                    branch="onset", status="thermodynamic",
                    message="saddle-node of the Delta = 0 cluster state (alpha_U)")
