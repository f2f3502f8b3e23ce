"""Franz-Parisi potential of the binary (Ising) perceptron storing random patterns with margin kappa (RS).

A reference solution ``w~`` is drawn from the equilibrium (uniform) measure over the
solutions; ``S(d)`` is the quenched log-number of solutions ``w`` at normalised Hamming
distance ``d`` from it, per weight (Franz & Parisi, J. Phys. I 5, 1401 (1995); for this
model Huang & Kabashima, PRE 90, 052813 (2014)). Overlap ``R = w.w~/N = 1 - 2 d``.

Replicas: ``n -> 0`` references, each with ``s -> 0`` constrained replicas; ``S(d)`` is the
coefficient of ``n s``. References are Gardner's RS solutions (overlap ``q~``, conjugate
``q~_hat``, from ``perceptron.storage``). The ansatz is RS: two constrained replicas of one
reference overlap ``q1``, a constrained replica and another reference overlap ``P`` (conjugate
``P_hat``); the overlap of constrained replicas of different references enters only at order
``s^2`` and drops out. Solved for ``q~ <= R``, i.e. ``d <= d_typ = (1 - q~)/2``, the typical
distance between two solutions, where ``S`` reaches the Gardner entropy. This derivation is
replicon's own (written out below), with the structure of Huang & Kabashima's eqs.
(their paper was found but only its abstract could be read here).

Entropic term (the reference spin in the field ``h0 = sqrt(q~_hat) z0``, drawn with weight
``e^{h0 w~}/2cosh h0``; the constrained spins in the field
``a = (P_hat/sqrt(q~_hat)) z0 + (R_hat - P_hat) w~ + sqrt(q1_hat - P_hat^2/q~_hat) z1``; the
gauge ``w~ = +1`` weights the integrand by ``1 + tanh h0``):

    G_S = -R_hat R + P_hat P - q1_hat (1 - q1)/2 + E_{z0,z1} (1 + tanh h0) ln 2cosh a.

Energetic term (reference field ``u~ = g0 + x~``, ``g0 = sqrt(q~) z0``, ``var x~ = 1 - q~``;
constrained field ``u = c z0 + x + y``, ``c = P/sqrt(q~)``, ``var x = q1 - P^2/q~``,
``cov(x~, x) = R - P``, ``var y = 1 - q1``):

    G_E = E_{z0} [ int Dxi H((kappa - g0 - rho x)/s) ln H((kappa - c z0 - x)/sqrt(1 - q1)) ]
                 / H((kappa - g0)/sqrt(1 - q~)),
    x = sqrt(q1 - P^2/q~) xi,  rho = (R - P)/(q1 - P^2/q~),  s^2 = 1 - q~ - (R - P)^2/(q1 - P^2/q~).

``S(d) = extr [G_S + alpha G_E]`` over ``q1, P`` and their conjugates, ``R_hat``. Stationarity:
``q1_hat = -2 alpha dG_E/dq1``, ``P_hat = -alpha dG_E/dP`` (finite differences),
``R = E (1 + tanh h0) tanh a`` (solved for ``R_hat``), ``q1 = E (1 + tanh h0) tanh^2 a``,
``P = R - E sech^2(h0) tanh a`` (Stein's lemma in z0). The engine iterates on ``(q1, P)``.

Checks (tests/theory/landscape): at ``R = q~`` the constrained replicas are typical
(``q1 = q~``, ``R_hat = q~_hat``) and ``S`` equals the Gardner entropy of
``perceptron.storage`` (independent code), which is the maximum of ``S(d)``; ``S -> 0`` as
``d -> 0``; ``S(d) <= H2(d)`` (binary entropy); ``S(d) < 0`` at small d for
``alpha > 0``: typical solutions are isolated (Huang & Kabashima 2014).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import log_ndtr, ndtr

from .. import engine
from ..gauss import hermite, panel_rule, panels, gaussian
from ..solution import Solution

LN2 = math.log(2.0)


def binary_entropy(d):
    """H2(d) = -d ln d - (1-d) ln(1-d), the log-number of Ising configurations per weight at distance d."""
    d = float(d)
    if d <= 0.0 or d >= 1.0:
        return 0.0
    return -d * math.log(d) - (1.0 - d) * math.log1p(-d)


def log2cosh(x):
    a = np.abs(x)
    return a + np.log1p(np.exp(-2.0 * a))


class IsingConstrainedEntropic:
    """Entropic averages of the constrained Ising replicas: E (1 + tanh h0) f(h0 + r_hat + sigma z1).

    ``h0 = sqrt(qt_hat) z0``. For ``sigma < 0.5`` a Gauss-Hermite rule in ``z1``; otherwise the
    variable ``a = h0 + r_hat + sigma z1`` on Legendre panels (the kink of ln 2cosh at a = 0
    resolved on a scale 1/4), with the Gaussian density in ``a`` evaluated explicitly.
    """

    def __init__(self, qt_hat):
        self.qt_hat = float(qt_hat)
        self.z0, self.w0 = panel_rule(((0.0, 1.0),), reach=11.0, order=8)
        self.h0 = math.sqrt(max(self.qt_hat, 0.0)) * self.z0
        self.weight0 = self.w0 * (1.0 + np.tanh(self.h0))
        self.wsech = self.w0 / np.cosh(self.h0) ** 2
        self.sq = math.sqrt(max(self.qt_hat, 0.0))
        self._local = panels(np.concatenate([np.arange(-20.0, 20.01, 0.5), [0.0]]), 8)

    def moments(self, r_hat, sigma, chat=None, with_p=False):
        """(E lncosh term, R = E (1+tanh h0) tanh, q1 = E (1+tanh h0) tanh^2[, E sech^2(h0) tanh]).

        The constrained field is ``chat z0 + r_hat + sigma z1`` (``chat = sqrt(q~_hat)`` by default).
        """
        chat = self.sq if chat is None else chat
        mu = chat * self.z0 + r_hat
        if sigma < 0.5:
            z, w = hermite(40)
            a = mu[:, None] + sigma * z[None, :]
            W = self.weight0[:, None] * w[None, :]
            th = np.tanh(a)
            out = (float(np.sum(W * log2cosh(a))), float(np.sum(W * th)), float(np.sum(W * th * th)))
            if with_p:
                out += (float(np.sum((self.wsech[:, None] * w[None, :]) * th)),)
            return out
        # a = mu + sigma z: ln 2cosh a = |a| + ln(1 + e^{-2|a|}), tanh a = sign a (1 - 2/(1 + e^{2|a|})),
        # tanh^2 = 1 - sech^2; E|a| and E sign a in closed form, the rest is localised at |a| < 20
        t = mu / sigma
        Hm = ndtr(-t)
        abs_mean = mu * (1.0 - 2.0 * Hm) + 2.0 * sigma * gaussian(t)
        sign_mean = 1.0 - 2.0 * Hm
        a, wa = self._local
        dens = gaussian((a[None, :] - mu[:, None]) / sigma) * (wa / sigma)[None, :]
        e = np.exp(-2.0 * np.abs(a))
        lc = abs_mean + dens @ np.log1p(e)
        th = sign_mean - dens @ (np.sign(a) * 2.0 * e / (1.0 + e))
        th2 = 1.0 - dens @ (4.0 * e / (1.0 + e) ** 2)
        w0 = self.weight0
        out = (float(w0 @ lc), float(w0 @ th), float(w0 @ th2))
        if with_p:
            out += (float(self.wsech @ th),)
        return out

    def solve_r_hat(self, R, sigma, guess=0.0, chat=None):
        """The r_hat at which E (1 + tanh h0) tanh(.) = R: bracket, then Newton kept inside it
        (dR/dr_hat = 1 - q1 > 0)."""
        def f(r):
            _, Rm, q1m = self.moments(r, sigma, chat)
            return Rm - R, 1.0 - q1m

        r = float(guess) if np.isfinite(guess) else 0.0
        fr, dr = f(r)
        lo = hi = r
        flo = fhi = fr
        step = 1.0
        while flo > 0 and step < 1e12:
            lo -= step
            flo, _ = f(lo)
            step *= 4.0
        step = 1.0
        while fhi < 0 and step < 1e12:
            hi += step
            fhi, _ = f(hi)
            step *= 4.0
        if flo > 0 or fhi < 0:
            raise FloatingPointError(f"no r_hat gives R={R}")
        for _ in range(100):
            if abs(fr) < 1e-15 or hi - lo < 1e-14 * max(1.0, abs(r)):
                return r
            rn = r - fr / max(dr, 1e-300)
            if not (lo < rn < hi):
                rn = 0.5 * (lo + hi)
            r = rn
            fr, dr = f(r)
            if fr > 0:
                hi = r
            else:
                lo = r
        return r


def _edges_around(centre, widths, lo, hi):
    out = [np.array([centre])]
    for wdt in widths:
        k = wdt * 2.0 ** np.arange(0, 60)
        k = k[k < hi - lo]
        out += [centre + k, centre - k]
    return out


def constrained_energetic(qt, R, q1, P, kappa):
    """G_E of the constrained replicas around an equilibrium reference (module docstring).

    Reference field ``u~ = sqrt(q~) z0 + x~``; constrained ``u = c z0 + x' + y`` with ``c = P/sqrt(q~)``,
    ``var x' = q1 - P^2/q~``, ``cov(x~, x') = R - P``, ``var y = 1 - q1``. Per node z0 the xi-integral
    (``x' = sqrt(var x') xi``) is split into panels refined at the reference's step and at the
    constrained field's threshold.
    """
    vt = 1.0 - qt
    sq = math.sqrt(max(qt, 1e-300))
    c = P / sq
    dx = q1 - P * P / max(qt, 1e-300)
    if dx <= 0 or q1 >= 1.0:
        raise FloatingPointError("covariance not positive")
    sx = math.sqrt(dx)
    rho = (R - P) / dx
    s2 = vt - (R - P) ** 2 / dx
    if s2 <= 0:
        raise FloatingPointError("covariance not positive")
    s = math.sqrt(s2)
    v1 = math.sqrt(1.0 - q1)
    z0, w0 = panel_rule(((kappa / sq, math.sqrt(vt) / sq), (0.0, 1.0)), reach=9.0, order=6)
    total = 0.0
    base = np.arange(-12.0, 12.01, 1.0)
    for z, w in zip(z0, w0):
        g0 = sq * z
        logA = float(log_ndtr((g0 - kappa) / math.sqrt(vt)))
        e = [base]
        if abs(rho) > 1e-300:
            e += _edges_around((kappa - g0) / (rho * sx), (s / abs(rho * sx),), -12.0, 12.0)
        e += _edges_around((kappa - c * z) / sx, (v1 / sx,), -12.0, 12.0)
        edges = np.clip(np.concatenate(e), -12.0, 12.0)
        xi, wx = panels(edges, 6)
        x = sx * xi
        logHr = log_ndtr((g0 + rho * x - kappa) / s)
        logHc = log_ndtr((c * z + x - kappa) / v1)
        total += w * float(np.dot(wx * gaussian(xi), np.exp(logHr - logA) * logHc))
    return total


class FranzParisi:
    """The constrained problem at (alpha, kappa, d) around a Gardner reference (qt, qt_hat); x = (q1, P)."""

    def __init__(self, alpha, kappa, d, qt, qt_hat):
        self.alpha, self.kappa, self.d = float(alpha), float(kappa), float(d)
        self.R = 1.0 - 2.0 * self.d
        self.qt, self.qt_hat = float(qt), float(qt_hat)
        self.ent = IsingConstrainedEntropic(qt_hat)
        self._r_guess = 0.0

    def energetic(self, q1, P):
        return constrained_energetic(self.qt, self.R, q1, P, self.kappa)

    def conjugates(self, q1, P):
        h1 = 1e-5 * min(1.0 - q1, q1 - P * P / self.qt)
        hp = h1
        gq = (self.energetic(q1 + h1, P) - self.energetic(q1 - h1, P)) / (2 * h1)
        gp = (self.energetic(q1, P + hp) - self.energetic(q1, P - hp)) / (2 * hp)
        q1h = -2.0 * self.alpha * gq
        Ph = -self.alpha * gp
        chat = Ph / math.sqrt(self.qt_hat)
        var = q1h - Ph * Ph / self.qt_hat
        if var < 0:
            raise FloatingPointError("conjugate covariance not positive")
        sigma = math.sqrt(var)
        r = self.ent.solve_r_hat(self.R, sigma, self._r_guess, chat)
        self._r_guess = r
        return q1h, Ph, chat, sigma, r

    def update(self, x):
        q1, P = float(x[0]), float(x[1])
        try:
            q1h, Ph, chat, sigma, r = self.conjugates(q1, P)
        except FloatingPointError:
            return np.array([np.nan, np.nan])
        _, Rm, q1m, ps = self.ent.moments(r, sigma, chat, with_p=True)
        return np.array([q1m, self.R - ps])

    def problem(self):
        return engine.FixedPointProblem(("q1", "P"), self.update, np.array([0.0, -1.0]), np.array([1.0, 1.0]),
                                        transforms=("logit", "none"))

    def evaluate(self, x):
        q1, P = float(x[0]), float(x[1])
        q1h, Ph, chat, sigma, r = self.conjugates(q1, P)
        lc, _, _ = self.ent.moments(r, sigma, chat)
        R_hat = r + Ph
        GS = -R_hat * self.R + Ph * P - 0.5 * q1h * (1.0 - q1) + lc
        GE = self.energetic(q1, P)
        return {"q1": q1, "P": P, "q1_hat": q1h, "P_hat": Ph, "R_hat": R_hat, "G_S": GS, "G_E": GE,
                "entropy": GS + self.alpha * GE}


def typical_reference(alpha, kappa):
    """Gardner's RS reference (q~, q~_hat, entropy) of Ising storage, through perceptron.storage."""
    from ..perceptron import storage

    sol = storage(alpha=alpha, kappa=kappa, weights="ising")
    if not sol.converged:
        return None, sol.message
    return sol, ""


def franz_parisi_entropy(alpha, kappa, d, reference=None, inits=None, tol=1e-10):
    """All converged RS branches of the Franz-Parisi entropy at distance d (list of dicts) and a message."""
    ref = reference
    if ref is None:
        ref, msg = typical_reference(alpha, kappa)
        if ref is None:
            return [], msg, None
    qt, qt_hat = float(ref.order["q"]), float(ref.order["q_hat"])
    d_typ = 0.5 * (1.0 - qt)
    if d > d_typ * (1 + 1e-12):
        return [], (f"d={d:g} > the typical distance (1 - q~)/2 = {d_typ:.6g} between two solutions: "
                    "the ultrametric RS ansatz applies for d <= that (S is maximal there, equal to the "
                    "Gardner entropy)"), ref
    fp = FranzParisi(alpha, kappa, d, qt, qt_hat)
    if fp.R - qt < 1e-7:
        # the constrained replica is typical: q1 = P = q~, R_hat = P_hat = q~_hat, S = Gardner entropy
        return [{"q1": qt, "P": qt, "q1_hat": qt_hat, "P_hat": qt_hat, "R_hat": qt_hat,
                 "entropy": float(ref["entropy"]), "residual": 0.0, "iterations": 0}], \
            "typical distance: S equals the Gardner entropy", ref
    q_low = qt + (fp.R - qt) ** 2 / (1.0 - qt)
    starts = inits or [np.array([q_low + f * (1.0 - q_low), qt]) for f in (0.3, 0.05, 0.8)]
    found, failed = engine.find_fixed_points(fp.problem(), starts, tol=tol)
    out = []
    for r in found:
        ev = fp.evaluate(r.x)
        ev["residual"], ev["iterations"] = r.residual, r.iterations
        out.append(ev)
    msg = "" if out else (failed[0].message if failed else "no fixed point")
    return out, msg, ref


class TeacherAtOverlap:
    """Version-space entropy of the Ising teacher-student perceptron (T = 0, kappa = 0) at fixed overlap
    R = 1 - 2d with the teacher: the map q -> q_hat = -2 alpha dG_E/dq (teacher channel) -> R_hat from
    <tanh(sqrt(q_hat) z + R_hat)> = R -> q = <tanh^2>, on q in (R^2, 1)."""

    def __init__(self, alpha, d):
        self.alpha, self.R = float(alpha), 1.0 - 2.0 * float(d)
        self._rh = 0.0

    def conj(self, q):
        from ..channels import teacher_energetic
        from ..priors import ising_prior

        e = teacher_energetic(q, self.R)
        qh = -2.0 * self.alpha * e["dq"]
        if not qh > 0:
            raise FloatingPointError("q_hat <= 0")
        f = lambda rh: ising_prior(qh, rh)[1] - self.R          # noqa: E731 (increasing in R_hat)
        lo, hi = self._rh - 1.0, self._rh + 1.0
        while f(lo) > 0:
            lo -= 2.0 * (hi - lo)
        while f(hi) < 0:
            hi += 2.0 * (hi - lo)
        rh = brentq(f, lo, hi, xtol=1e-14)
        self._rh = rh
        return qh, rh, e["G"]

    def update(self, x):
        from ..priors import ising_prior

        try:
            qh, rh, _ = self.conj(float(x[0]))
        except (FloatingPointError, ValueError):
            return np.array([np.nan])
        return np.array([ising_prior(qh, rh)[0]])

    def problem(self):
        return engine.FixedPointProblem(("q",), self.update, np.array([self.R * self.R]), np.array([1.0]),
                                        transforms=("logit",), u_min=-600.0)

    def evaluate(self, x):
        from ..priors import ising_entropy

        q = float(x[0])
        qh, rh, G = self.conj(q)
        return {"q1": q, "q1_hat": qh, "R_hat": rh, "entropy": ising_entropy(q, self.R, qh, rh) + self.alpha * G}


def franz_parisi_teacher(alpha, d, strict=False):
    """Franz-Parisi entropy of the Ising teacher-student perceptron around a T = 0 Gibbs solution.

    At T = 0 Gibbs learning is Bayes-optimal (the teacher is drawn from the student's prior), so a
    reference drawn from the posterior and the teacher are exchangeable given the data (Nishimori
    symmetry): the log-number of solutions at distance d from a Gibbs reference is that at distance d
    from the teacher, the version-space entropy at overlap R = 1 - 2d with it (RS; Gyorgyi 1990's
    equations with R held fixed, R_hat its multiplier). At R = R_Gibbs it is the Gibbs entropy
    (perceptron.teacher; test); at small d it is negative (Huang, Wong & Kabashima 2013).
    """
    name = "landscape.franz_parisi"
    params = {"alpha": alpha, "kappa": 0.0, "d": d, "problem": "teacher", "weights": "ising"}
    from ..perceptron import teacher

    gibbs = teacher(alpha=alpha, T=0.0, weights="ising")
    poor = gibbs.branch_named("poor") if gibbs.converged else None
    model = TeacherAtOverlap(alpha, d)
    R = model.R
    starts = [np.array([R * R + f * (1.0 - R * R)]) for f in (0.5, 0.1, 0.9)]
    try:
        found, failed = engine.find_fixed_points(model.problem(), starts, max_iter=500)
    except (FloatingPointError, ValueError, ZeroDivisionError) as exc:
        found, failed = [], []
        msg = f"RS equations failed: {exc}"
    else:
        msg = failed[0].message if failed and not found else ""
    sols = []
    for r in found:
        ev = model.evaluate(r.x)
        obs = {"entropy": ev["entropy"], "q1": ev["q1"], "R": R, "q1_hat": ev["q1_hat"], "R_hat": ev["R_hat"],
               "binary_entropy": binary_entropy(d)}
        if poor is not None:
            obs.update(q_ref=float(poor["q"]), reference_entropy=float(poor["entropy"]))
        sols.append(Solution(model=name, params=params, order={"q1": ev["q1"], "q1_hat": ev["q1_hat"],
                                                               "R_hat": ev["R_hat"]},
                             observables=obs, free_energy=-ev["entropy"], residual=r.residual,
                             iterations=r.iterations, branch="rs", message="Nishimori: reference = teacher"))
    if not sols:
        from ..solution import ConvergenceError
        if strict:
            raise ConvergenceError(msg or "no fixed point")
        return Solution.failed(name, params, msg or "no fixed point")
    sols.sort(key=lambda s: -s["entropy"])
    for i, s_ in enumerate(sols):
        s_.status = "thermodynamic" if i == 0 else "metastable"
        if i:
            s_.branch = f"rs{i + 1}"
    sols[0].branches = sols
    return sols[0]


def franz_parisi(alpha=0.5, kappa=0.0, d=0.1, problem="storage", weights="ising", strict=False):
    """Franz-Parisi entropy S(d) of the perceptron around an equilibrium solution (RS, ultrametric).

    Implemented: ``weights="ising"``; ``problem="storage"`` (module docstring) and ``problem="teacher"``
    at kappa = 0 (:func:`franz_parisi_teacher`, through the Nishimori symmetry). Returns the
    constrained entropy per weight ``entropy``, the overlaps ``q1`` (two solutions at distance
    d from the same reference), ``q_ref`` (Gardner's overlap of two references), ``R = 1 - 2d``,
    the conjugates ``q1_hat``, ``R_hat``, and ``binary_entropy`` H2(d) (an upper bound).
    """
    from .common import check_landscape

    alpha, kappa, d, problem, weights = check_landscape(alpha, kappa, d, problem, weights)
    params = {"alpha": alpha, "kappa": kappa, "d": d, "problem": problem, "weights": weights}
    name = "landscape.franz_parisi"
    if weights != "ising":
        from ..._util import ParamError
        raise ParamError(f"weights={weights} is not implemented for {name}; allowed: weights=ising")
    if problem == "teacher":
        if kappa != 0.0 or alpha > 1.2:
            from ..._util import ParamError
            raise ParamError(f"problem=teacher with alpha={alpha:g}, kappa={kappa:g} is not implemented; "
                             "allowed: kappa=0 and 0 <= alpha <= 1.2 (below the transition to perfect learning)")
        if alpha > 0.0:
            return franz_parisi_teacher(alpha, d, strict)
    if alpha == 0.0:
        H = binary_entropy(d)
        obs = {"entropy": H, "q1": (1 - 2 * d) ** 2, "P": 0.0, "q_ref": 0.0, "R": 1 - 2 * d,
               "binary_entropy": H, "q1_hat": 0.0, "R_hat": math.atanh(1 - 2 * d), "P_hat": 0.0}
        return Solution(model=name, params=params, order={"q1": obs["q1"], "P": 0.0, "q1_hat": 0.0,
                                                          "R_hat": obs["R_hat"], "P_hat": 0.0},
                        observables=obs, free_energy=-H, branch="rs", status="thermodynamic",
                        message="alpha = 0: every configuration is a solution, S = H2(d)")
    try:
        found, msg, ref = franz_parisi_entropy(alpha, kappa, d)
    except (FloatingPointError, ValueError, ZeroDivisionError) as exc:
        found, msg = [], f"RS equations failed: {exc}"
    if not found:
        from ..solution import ConvergenceError
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(name, params, msg)
    sols = []
    for i, ev in enumerate(sorted(found, key=lambda e: -e["entropy"])):
        obs = {"entropy": ev["entropy"], "q1": ev["q1"], "P": ev["P"], "q_ref": float(ref.order["q"]),
               "R": 1 - 2 * d, "binary_entropy": binary_entropy(d), "q1_hat": ev["q1_hat"],
               "R_hat": ev["R_hat"], "P_hat": ev["P_hat"],
               "reference_entropy": float(ref["entropy"])}
        if not all(math.isfinite(v) for v in obs.values()):
            continue
        sols.append(Solution(model=name, params=params,
                             order={"q1": ev["q1"], "P": ev["P"], "q1_hat": ev["q1_hat"],
                                    "R_hat": ev["R_hat"], "P_hat": ev["P_hat"]},
                             observables=obs, free_energy=-ev["entropy"], residual=ev["residual"],
                             iterations=ev["iterations"], branch="rs" if i == 0 else f"rs{i + 1}",
                             status="thermodynamic" if i == 0 else "metastable", message=msg))
    if not sols:
        return Solution.failed(name, params, "non-finite observables at the fixed point")
    # the constrained entropy is an extremum over q1: with several roots the largest entropy is reported
    # (saddle over the constrained replicas' overlap); all are kept in branches
    best = sols[0]
    best.branches = sols
    return best
