"""The saddle-point engine: fixed points, branches, continuation, spinodals, transitions.

A model states its RS equations as a fixed-point map ``x -> F(x)`` on its
order parameters (typically: order parameters -> conjugates through the
energetic term -> order parameters through the entropic term) plus a free
entropy ``phi(x)``. The engine does the rest:

* :func:`iterate` - damped fixed-point iteration with Anderson acceleration,
  then a Newton polish on ``G(x) = F(x) - x``. Convergence is always judged on
  the **undamped** residual ``max|F(x) - x|``; a point that does not reach
  ``tol`` comes back with ``converged=False`` and a message.
* :func:`find_fixed_points` - several initialisations, converged roots only,
  duplicates merged: all branches at one control point.
* :func:`follow` - natural-parameter continuation of one branch along a control
  parameter, with step halving; it stops where the branch ends.
* :func:`spinodal` - where a branch ends (saddle-node), by bisection on its
  existence while following it.
* :func:`transition` - where two branches' free energies cross (``brentq``).

Damping convention (used everywhere): ``x <- (1 - d) x + d F(x)`` with
``d = damping`` in (0, 1]; ``d = 1`` is plain iteration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import expit

from .solution import ConvergenceError

U_MAX = 27.0  # |u| beyond this in logit coordinates (1 - q < 2e-12): the iterate sits on the boundary


@dataclass
class FixedPointProblem:
    """RS equations at one control point.

    ``update(x) -> F(x)`` the fixed-point map; ``lower``/``upper`` the open box
    the order parameters live in (iterates are kept strictly inside it);
    ``free_entropy(x)`` the RS free entropy at a fixed point (larger is more
    stable); ``names`` label the components.

    ``transforms`` (one per component, default all ``"none"``): ``"logit"``
    makes the engine iterate on ``u = log((x - lo)/(hi - x))``, which pushes the
    boundary to infinity. Use it where a boundary value is a spurious or
    singular limit (q -> 1 of a spherical perceptron: the map is only weakly
    repelling there and an accelerated iteration can stick to it); a run of
    ``u`` off to infinity is then reported as ``at_bound``. Keep ``"none"`` for
    components whose fixed point may lie exactly on the boundary (q = 0).

    ``u_min`` (default None, i.e. ``-U_MAX``): the most negative logit coordinate that still counts as
    inside the domain. A model whose genuine fixed points come arbitrarily close to the
    lower bound (q ~ alpha^2 at small alpha, q ~ 1/T^2 at high T) sets it lower, e.g. -700
    (q down to ~1e-304); the upper side always stops at ``U_MAX``.
    """

    names: tuple[str, ...]
    update: Callable[[np.ndarray], np.ndarray]
    lower: np.ndarray
    upper: np.ndarray
    free_entropy: Callable[[np.ndarray], float] | None = None
    transforms: tuple[str, ...] | None = None
    margin: float = 1e-13
    u_min: float | None = None

    def __post_init__(self):
        self.lower = np.asarray(self.lower, float)
        self.upper = np.asarray(self.upper, float)
        t = self.transforms or ("none",) * self.lower.size
        self._logit = np.array([k == "logit" for k in t])
        if np.any(self._logit & ~np.isfinite(self.upper - self.lower)):
            raise ValueError("logit transform needs finite bounds")

    def clip(self, x):
        lo, hi = self.lower, self.upper
        span = np.where(np.isfinite(hi - lo), hi - lo, 1.0)
        m = self.margin * np.maximum(span, 1.0)
        low = lo + m
        if self.u_min is not None and self.u_min < -U_MAX:   # logit components may come closer to lo
            deep = np.maximum(lo + span * math.exp(self.u_min), np.nextafter(lo, np.inf))
            low = np.where(self._logit, deep, low)
        return np.minimum(np.maximum(x, low), hi - m)

    # internal coordinates ------------------------------------------------
    def to_internal(self, x):
        x = self.clip(np.asarray(x, float))
        if not self._logit.any():
            return x
        u = x.copy()
        lo, hi = self.lower[self._logit], self.upper[self._logit]
        xl = x[self._logit]
        u[self._logit] = np.log(xl - lo) - np.log(hi - xl)
        return u

    def from_internal(self, u):
        u = np.asarray(u, float)
        if not self._logit.any():
            return self.clip(u)
        x = u.copy()
        lo, hi = self.lower[self._logit], self.upper[self._logit]
        x[self._logit] = lo + (hi - lo) * expit(u[self._logit])
        return self.clip(x)

    def residual(self, x):
        fx = np.asarray(self.update(x), float)
        return fx, float(np.max(np.abs(fx - x)))


@dataclass
class Root:
    """Outcome of one fixed-point search."""

    x: np.ndarray
    converged: bool
    residual: float
    iterations: int
    message: str = ""
    at_bound: bool = False
    extra: dict = field(default_factory=dict)


def _anderson_step(xs, gs, beta):
    """Anderson (type II) mixing from histories of iterates and their steps g = F(x) - x."""
    x, g = xs[-1], gs[-1]
    if len(xs) < 2:
        return x + beta * g
    dX = np.diff(np.array(xs), axis=0).T
    dG = np.diff(np.array(gs), axis=0).T
    try:
        gamma, *_ = np.linalg.lstsq(dG, g, rcond=1e-12)
    except np.linalg.LinAlgError:
        return x + beta * g
    return x + beta * g - (dX + beta * dG) @ gamma


def _near_bound(problem, x, u, tol, u_max=U_MAX):
    lo, hi = problem.lower, problem.upper
    plain = ~problem._logit
    hit = np.any((np.abs(x - lo) < tol)[plain]) or np.any((np.abs(hi - x) < tol)[plain])
    return bool(hit or _logit_at_bound(problem, u, u_max))


def _logit_at_bound(problem, u, u_max=U_MAX):
    ul = np.asarray(u)[problem._logit]
    u_low = -u_max if problem.u_min is None else min(-u_max, problem.u_min)
    return bool(np.any(ul > u_max) or np.any(ul < u_low))


U_STEP_TOL = 1e-6  # a converged point must also be (nearly) fixed in logit coordinates


def _accept(problem, root: Root) -> Root:
    """Reject limit states: a converged root must be a fixed point in the internal coordinates too.

    Near a boundary the x-space residual is tiny even while the iteration runs
    off to the boundary (q = 1 - 3e-11 maps to q = 1 - 1e-11: residual 2e-11).
    In logit coordinates that run is a step of O(1), so a root is accepted only
    if its logit components move by less than ``U_STEP_TOL`` under the map.
    Such boundary states (the perfect state of Ising learning) must be
    represented exactly by the model.
    """
    if not root.converged or not problem._logit.any():
        return root
    u = _raw_internal(problem, root.x)
    with np.errstate(all="ignore"):
        fu = _raw_internal(problem, np.asarray(problem.update(root.x), float))
    step = np.abs(fu - u)[problem._logit]
    if _logit_at_bound(problem, u) or not np.all(step < 10 * U_STEP_TOL):
        root.converged = False
        root.at_bound = True
        root.message = ("converges onto the boundary of the domain (a limit state the model must "
                        "represent exactly)")
    return root


def _done(problem, res, g, tol):
    """Converged: undamped x-space residual below tol and logit components fixed to U_STEP_TOL."""
    if not res < tol:
        return False
    return not problem._logit.any() or bool(np.all(np.abs(g[problem._logit]) < U_STEP_TOL))


def _raw_internal(problem, x):
    """Logit coordinates of x without clipping (so that x on the boundary gives |u| = inf)."""
    x = np.asarray(x, float)
    u = x.copy()
    m = problem._logit
    with np.errstate(divide="ignore"):
        u[m] = np.log(x[m] - problem.lower[m]) - np.log(problem.upper[m] - x[m])
    return u


class _Internal:
    """The map in the engine's internal coordinates u, with x-space residuals."""

    def __init__(self, problem: FixedPointProblem):
        self.p = problem

    def __call__(self, u):
        """Return (x, F(x), u-space step F_u(u) - u, undamped x-space residual)."""
        x = self.p.from_internal(u)
        fx = np.asarray(self.p.update(x), float)
        res = float(np.max(np.abs(fx - x)))
        with np.errstate(all="ignore"):
            g = self.p.to_internal(fx) - u
        return x, fx, g, res


def newton(problem: FixedPointProblem, x0, tol=1e-10, max_iter=40, fd_step=1e-7) -> Root:
    """Newton's method on the internal-coordinate residual ``g(u) = T(F(x(u))) - u``.

    Finite-difference Jacobian (the problems are small), backtracking on the
    undamped x-space residual.
    """
    F = _Internal(problem)
    u = problem.to_internal(x0)
    n = u.size
    x, fx, g, res = F(u)
    it = 0
    for it in range(1, max_iter + 1):
        if not np.isfinite(res) or not np.all(np.isfinite(g)):
            break
        if _done(problem, res, g, tol):
            return Root(x, True, res, it - 1)
        J = np.empty((n, n))
        for j in range(n):
            h = fd_step * max(1.0, abs(u[j]))
            up = u.copy()
            up[j] += h
            xp = problem.from_internal(up)
            if problem.to_internal(xp)[j] == u[j]:   # clipped: probe the other side
                h = -h
                up[j] = u[j] + h
            J[:, j] = (F(up)[2] - g) / h
        try:
            du = np.linalg.solve(J, -g)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(du)):
            break
        lam, accepted = 1.0, False
        for _ in range(30):
            un = u + lam * du
            xn, fn, gn, rn = F(un)
            if np.isfinite(rn) and (rn < res * (1 - 1e-4 * lam) + 1e-300
                                    or (rn < tol and np.max(np.abs(gn)) < np.max(np.abs(g)))):
                accepted = True
                break
            lam *= 0.5
        if not accepted:
            break
        u, x, fx, g, res = un, xn, fn, gn, rn
    ok = _done(problem, res, g, tol)
    return Root(x, ok, res, it, "" if ok else f"Newton stalled at residual {res:.2e}")


def iterate(problem: FixedPointProblem, x0, **kw) -> Root:
    """Solve ``x = F(x)`` from ``x0``: damped Anderson iteration, then Newton polish.

    Returns a :class:`Root`; ``converged`` is True only if the undamped residual
    ``max|F(x) - x|`` is below ``tol``. Iterates that run into the boundary of
    the domain (e.g. q -> 1 in logit coordinates) are reported with
    ``at_bound=True`` and ``converged=False``: such limit states must be
    represented exactly by the model, not approached numerically.

    Keywords: ``damping`` (0.6), ``anderson`` (history length, 5; 0 = plain
    damped iteration), ``tol`` (1e-10), ``max_iter`` (2000), ``newton_polish`` (True).
    """
    return _accept(problem, _iterate(problem, x0, **kw))


def _iterate(problem: FixedPointProblem, x0, *, damping=0.6, anderson=5, tol=1e-10,
             max_iter=2000, newton_polish=True, bound_tol=1e-9) -> Root:
    """The iteration behind :func:`iterate` (no boundary check)."""
    F = _Internal(problem)
    u = problem.to_internal(x0)
    us, gs = [], []
    best = (np.inf, u.copy())
    stalls = 0
    it = 0
    small_problem = problem.lower.size <= 12
    for it in range(1, max_iter + 1):
        x, fx, g, res = F(u)
        if not np.isfinite(res) or not np.all(np.isfinite(g)):
            if np.isfinite(best[0]):
                us, gs = [], []
                u = best[1].copy()
                damping *= 0.5
                if damping < 1e-3:
                    break
                x, fx, g, res = F(u)
                u = u + damping * g
                continue
            return Root(x, False, float("nan"), it, "map returned non-finite values")
        if _done(problem, res, g, tol):
            return Root(x, True, res, it)
        if res < best[0] * (1 - 1e-3):
            best = (res, u.copy())
            stalls = 0
        else:
            stalls += 1
        if newton_polish and small_problem and (res < 1e-5 or (res < tol and stalls > 3)):
            r = newton(problem, x, tol=tol)
            if r.converged:
                r.iterations += it
                return r
        if _near_bound(problem, x, u, bound_tol) and stalls > 20:
            break
        if stalls > 60:  # acceleration lost its way: restart from the best iterate, more damped
            us, gs = [], []
            u = best[1].copy()
            stalls = 0
            damping *= 0.7
            x, fx, g, res = F(u)
        us.append(u.copy())
        gs.append(g)
        if len(us) > anderson + 1:
            us.pop(0)
            gs.pop(0)
        un = _anderson_step(us, gs, damping) if anderson > 0 else u + damping * g
        if not np.all(np.isfinite(un)):
            us, gs = [], []
            un = u + damping * g
        u = un
    x, fx, g, res = F(best[1])
    if newton_polish and small_problem and np.isfinite(res):
        r = newton(problem, x, tol=tol)
        if r.converged:
            r.iterations += it
            return r
    at_bound = _near_bound(problem, x, best[1], bound_tol)
    msg = (f"iterates run into the boundary of the domain (residual {res:.2e})" if at_bound
           else f"no convergence after {it} iterations (residual {res:.2e} > tol {tol:.0e})")
    return Root(x, False, res, it, msg, at_bound=at_bound)


def jacobian(problem: FixedPointProblem, x, fd_step=1e-7) -> np.ndarray:
    """Jacobian dF/dx of the fixed-point map at x (central finite differences)."""
    x = np.asarray(x, float)
    n = x.size
    J = np.empty((n, n))
    for j in range(n):
        h = fd_step * max(1.0, abs(x[j]))
        h = min(h, 0.5 * (x[j] - problem.lower[j]) if np.isfinite(problem.lower[j]) else h,
                0.5 * (problem.upper[j] - x[j]) if np.isfinite(problem.upper[j]) else h)
        if h <= 0:
            h = fd_step
        xp, xm = x.copy(), x.copy()
        xp[j] += h
        xm[j] -= h
        J[:, j] = (np.asarray(problem.update(xp), float) - np.asarray(problem.update(xm), float)) / (2 * h)
    return J


def attracting(problem: FixedPointProblem, x) -> tuple[bool, float]:
    """Whether the fixed point x attracts the plain iteration: spectral radius of dF/dx < 1.

    For Bayes-optimal (Nishimori) problems this is the state-evolution
    stability: a repelling fixed point is a local minimum of the free entropy
    along the map's unstable direction, an unstable branch.
    """
    rho = float(np.max(np.abs(np.linalg.eigvals(jacobian(problem, x)))))
    return bool(rho < 1.0), rho


def distinct(roots: Sequence[Root], tol=1e-6) -> list[Root]:
    """Converged roots with duplicates (max-norm distance < tol) merged."""
    out: list[Root] = []
    for r in roots:
        if not r.converged:
            continue
        if all(np.max(np.abs(r.x - s.x)) > tol for s in out):
            out.append(r)
    return out


def find_fixed_points(problem: FixedPointProblem, inits: Sequence, tol=1e-10, **kw) -> tuple[list[Root], list[Root]]:
    """All distinct converged fixed points reached from ``inits``.

    Returns ``(found, failed)``: the distinct converged roots, and the
    unconverged attempts (kept for diagnostics, never as results).
    """
    tried = [iterate(problem, x0, tol=tol, **kw) for x0 in inits]
    return distinct(tried), [r for r in tried if not r.converged]


def roots_1d(problem: FixedPointProblem, grid: Sequence[float], tol=1e-11) -> list[Root]:
    """All roots of a one-component fixed-point problem bracketed on ``grid`` (internal coordinates).

    ``G(u) = T(F(x(u))) - u`` is evaluated on the grid; every sign change, and every interior
    extremum whose refined value (bounded Brent) crosses zero (two roots closer than the grid, near
    a saddle-node), gives a bracket, and a grid node where G vanishes is a root itself; each root
    (brentq in its bracket) is confirmed by Newton
    (:func:`step_to`). Unconverged roots and duplicates are dropped. Sorted by x.
    """
    x = problem.from_internal

    def G(u):
        with np.errstate(all="ignore"):
            return float(problem.to_internal(problem.update(x(np.array([u]))))[0] - u)

    U = np.asarray(grid, float)
    g = np.array([G(u) for u in U])
    brackets = [(U[i], U[i + 1]) for i in np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0)]
    for i in range(1, len(U) - 1):
        if (g[i] - g[i - 1]) * (g[i + 1] - g[i]) < 0 and np.sign(g[i - 1]) == np.sign(g[i]) == np.sign(g[i + 1]):
            s = np.sign(g[i])
            ext = minimize_scalar(lambda u: s * G(u), bounds=(U[i - 1], U[i + 1]), method="bounded",
                                  options={"xatol": 1e-12})
            if ext.fun < 0:                      # G changes sign twice inside: two close roots
                brackets += [(U[i - 1], ext.x), (ext.x, U[i + 1])]
    starts = [brentq(G, a, b, xtol=1e-13) for a, b in brackets] + list(U[g == 0.0])   # roots on nodes too
    out: list[Root] = []
    for u0 in starts:
        r = step_to(problem, x(np.array([u0])), tol=tol)
        if r.converged and all(abs(r.x[0] - s.x[0]) > 1e-10 for s in out):
            out.append(r)
    return sorted(out, key=lambda r: r.x[0])


def follow(make_problem: Callable[[float], FixedPointProblem], values: Sequence[float], x0,
           *, tol=1e-10, max_halvings=12) -> list[tuple[float, Root]]:
    """Continue one branch along ``values`` of a control parameter, from the root near ``x0``.

    Predictor: secant extrapolation from the last two solutions; corrector:
    Newton (:func:`step_to`; the accelerated iteration only for the first point). A
    failed step is halved (at most ``max_halvings`` times); the branch is then
    taken to have ended and the points solved so far are returned. Returns
    ``[(value, Root), ...]`` for the values reached, in order.
    """
    out: list[tuple[float, Root]] = []
    hist: list[tuple[float, np.ndarray]] = []
    x = np.asarray(x0, float)
    for target in values:
        target = float(target)
        p_from = hist[-1][0] if hist else None
        p_try, halvings = target, 0
        while True:
            guess = _predict(hist, p_try, x)
            prob = make_problem(p_try)
            r = step_to(prob, prob.clip(guess), tol=tol)
            if not r.converged and not hist:
                r = iterate(prob, prob.clip(guess), tol=tol)
            if r.converged and (not hist or _same_branch(r.x, x, guess)):
                hist.append((p_try, r.x))
                hist = hist[-2:]
                x = r.x
                if p_try == target:
                    out.append((target, r))
                    break
                p_try = target  # intermediate point reached: aim at the target again
                halvings = 0
                continue
            if p_from is None or halvings >= max_halvings:
                return out
            p_cur = hist[-1][0]
            p_try = p_cur + 0.5 * (p_try - p_cur)
            halvings += 1
    return out


def trace_branches(make_problem: Callable[[float], FixedPointProblem], values: Sequence[float], inits,
                   *, tol=1e-10, same=1e-6) -> list[list[tuple[float, Root]]]:
    """All branches along a control parameter, by continuation from both ends.

    At the first and at the last value every fixed point reachable from
    ``inits`` is found and followed across the grid (forwards from the first
    value, backwards from the last) until it ends. Tracks that coincide at a
    common value are one branch and are merged. Returns the branches, each a
    list of ``(value, Root)`` sorted by value; a branch that ends inside the
    grid marks a spinodal there (refine it with :func:`spinodal`).
    """
    values = [float(v) for v in values]
    tracks: list[list[tuple[float, Root]]] = []
    for seq in (values, values[::-1]):
        found, _ = find_fixed_points(make_problem(seq[0]), inits, tol=tol)
        for r in found:
            path = [(seq[0], r)] + follow(make_problem, seq[1:], r.x, tol=tol)
            path.sort(key=lambda t: t[0])
            if not any(_overlap(path, other, same) for other in tracks):
                tracks.append(path)
    return tracks


def _overlap(a, b, same):
    xb = {p: r.x for p, r in b}
    return any(p in xb and np.max(np.abs(r.x - xb[p])) < same for p, r in a)


MAX_JUMP = 0.2  # a continuation step that moves an order parameter further than this switched branch


def _same_branch(x_new, x_old, guess):
    """Whether a corrected point continues the branch of ``x_old`` (no jump onto another branch).

    The move must be comparable to the predictor's (a factor 3, at least 0.02) and
    never larger than ``MAX_JUMP``: order parameters are O(1), and a genuine branch
    can always be followed with smaller steps.
    """
    move = np.max(np.abs(x_new - x_old))
    return move <= min(MAX_JUMP, max(0.02, 3.0 * np.max(np.abs(guess - x_old))))


def _predict(hist, p, x):
    if len(hist) < 2 or hist[-1][0] == hist[-2][0]:
        return x
    (p1, x1), (p2, x2) = hist[-2], hist[-1]
    return x2 + (x2 - x1) * (p - p2) / (p2 - p1)


def step_to(problem: FixedPointProblem, guess, tol=1e-10) -> Root:
    """One continuation step: Newton from an extrapolated guess (fast to fail past a fold)."""
    return _accept(problem, newton(problem, guess, tol=tol))


def spinodal(make_problem: Callable[[float], FixedPointProblem], p_start: float, x_start, p_end: float,
             *, tol_p=1e-7, tol=1e-10) -> tuple[float, np.ndarray]:
    """Where the branch through ``(p_start, x_start)`` ends when followed towards ``p_end``.

    Follows the branch by Newton continuation (secant predictor) with step
    halving until the step is below ``tol_p``; returns the last control value
    where the branch exists and its order parameters (a saddle-node: the
    spinodal). Raises ValueError if the branch survives all the way to ``p_end``.
    """
    p, x = float(p_start), np.asarray(x_start, float)
    step = (p_end - p_start) / 32
    prev = None
    while abs(step) > tol_p:
        p_try = p + step
        if (p_try - p_end) * np.sign(step) > 0:
            p_try = p_end
        guess = x if prev is None else x + (x - prev[1]) * (p_try - p) / (p - prev[0])
        r = step_to(make_problem(p_try), guess, tol=tol)
        ok = r.converged and _same_branch(r.x, x, guess)
        if ok:
            prev = (p, x)
            p, x = p_try, r.x
            if p == p_end:
                raise ValueError(f"branch does not end before {p_end}")
            step *= 1.5
        else:
            step /= 3
    return p, x


def transition(delta: Callable[[float], float], lo: float, hi: float, xtol=1e-10) -> float:
    """Root of ``delta(p) = phi_a(p) - phi_b(p)`` (difference of free entropies) in [lo, hi]."""
    return float(brentq(delta, lo, hi, xtol=xtol))


def poor_to_perfect_transition(model_at, roots, alpha_start, alpha_end, tol, evaluate=None):
    """Spinodal of the poor branch and its free-entropy crossing with an exact perfect state (f = 0).

    Shared by every model with a poor-generalisation branch and a perfect state of
    zero free entropy (Ising perceptron, tree committee, its K -> infinity limit).
    ``model_at(alpha)`` gives an object with ``problem()`` and ``evaluate(x)``
    (returning ``(order, free_entropy, ...)``); ``roots`` are the fixed points at
    ``alpha_start``, the attracting one of smallest q being the poor branch. The
    branch is followed until it ends (``spinodal``); the transition is where
    its free entropy crosses zero (``transition``), or the spinodal itself
    if the poor branch stays thermodynamic up to its end.

    Returns ``(alpha_transition, alpha_spinodal, order_at_transition, x_spinodal)``,
    or a message saying why there is no such transition.
    """
    evaluate = evaluate or (lambda m, x: m.evaluate(x))
    poor = [r for r in roots if r.extra.get("attracting")]
    if not poor:
        return f"no poor-generalisation branch at alpha={alpha_start}"
    x0 = min(poor, key=lambda r: r.x[0]).x

    def make(a):
        return model_at(a).problem()

    try:
        a_sp, x_sp = spinodal(make, alpha_start, x0, alpha_end, tol_p=tol)
    except ValueError:
        return f"the poor branch does not end before alpha={alpha_end}"
    if not a_sp > alpha_start:        # not a single continuation step succeeded: no spinodal was found
        return f"the poor branch could not be followed from alpha_start={alpha_start} (no continuation step converged)"
    path = {alpha_start: x0, a_sp: x_sp}

    def nearest(a):
        return path[min(path, key=lambda p: abs(p - a))]

    def free_entropy(a):
        if a not in path:
            r = step_to(make(a), nearest(a))
            if not r.converged:
                raise ConvergenceError(f"poor branch lost at alpha={a}: {r.message}")
            path[a] = r.x
        return evaluate(model_at(a), path[a])[1]

    try:
        if free_entropy(alpha_start) < 0:
            return f"the perfect state is already thermodynamic at alpha_start={alpha_start}"
        if free_entropy(a_sp) > 0:  # poor branch thermodynamic up to its end: the jump is at the spinodal
            a_tr = a_sp
        else:
            a_tr = transition(free_entropy, alpha_start, a_sp, xtol=tol)
    except ConvergenceError as err:
        return str(err)
    order_tr = evaluate(model_at(a_tr), nearest(a_tr))[0]
    return a_tr, a_sp, order_tr, x_sp
