"""Large-K limit of the Bayes-optimal sign committee machine: RS free entropy, branches, thresholds.

Model and conventions as in :mod:`replicon.theory.committee` (Aubin, Maillard, Barbier,
Krzakala, Macris & Zdeborova, NeurIPS 2018, arXiv:1806.05451): teacher
``Y = sign(sum_k sign(z_k))``, ``z = W*^T X / sqrt N``, rows of ``W*`` i.i.d. from the prior
(``gaussian`` N(0, I_K) or ``binary`` uniform on {-1, +1}^K), committee-symmetric overlaps
``q = q_d I + (q_a/K) 1 1^T`` and conjugates ``r = r_d I + (r_a/K) 1 1^T``.

Scaling (the one that puts the specialisation transition at finite control parameter)::

    alpha_tilde = alpha / K = P / (K N)  (examples per first-layer weight),
    q_d, q_a = O(1),   r_d = O(1),   r_a = K rho with rho = O(1).

``alpha = P/N`` is the finite-K control parameter of ``committee.bayes``; the large-K point
``alpha_tilde`` corresponds to ``alpha = K alpha_tilde``. Why this scaling: the prior terms of
the free entropy are O(K) (K weight vectors), the output term ``alpha Psi_out`` is O(alpha),
so q_d (the K specialised directions) can only move when alpha = O(K). At alpha = O(1) only
the single "average teacher" direction ``sum_k w_k / sqrt K`` is learnt (see
:func:`bayes_large_k_layer`).

Output channel (derived here; a consistency check by Monte Carlo at K = 25, 51 is in the
tests). Given ``omega ~ N(0, q)``, ``S = K^{-1/2} sum_k sign(z_k)`` with ``z ~ N(omega, I - q)``
is Gaussian by the central limit theorem with conditional mean
``mu(omega) = K^{-1/2} sum_k erf(omega_k / sqrt(2 (1 - q_kk)))`` of variance
``Q = (2/pi) K^{-1} sum_{kl} arcsin(q_kl)`` (the arcsine kernel of the hidden overlaps) and
deterministic conditional variance ``1 - Q``. With the scaling above::

    Q(q_d, q_a) = (2/pi) arcsin(q_d) + (2/pi) q_a       (+ O(1/K)),

two effective overlaps, the specialised ``Q_spec = (2/pi) arcsin q_d`` and the average-teacher
``Q_avg = (2/pi) q_a``, add up. The channel is that of a sign perceptron with overlap Q:
``Psi_out -> Psi_1(Q) = E_{mu ~ N(0,Q)} sum_y H(-y mu/sqrt(1-Q)) ln H(-y mu/sqrt(1-Q))``.

Free entropy per input dimension and hidden unit (Phi/K of Aubin et al.'s eq. (10)), at
leading order in K::

    phi = extr [ -r_d q_d/2 - rho (q_d + q_a)/2 + psi_1(r_d) + rho/2 + alpha_tilde Psi_1(Q) ],

``psi_1`` the K = 1 prior term (Gaussian: r/2 - ln(1+r)/2; binary: E ln cosh(r + sqrt(r) xi) - r/2).
(The uniform direction contributes ``rho/2 - ln(1 + r_d + K rho)/(2K)``; the log is O(ln K / K).)
Extremising over rho gives ``q_a = 1 - q_d`` exactly at leading order (the average teacher is
learnt perfectly as soon as alpha_tilde > 0; Gaussian prior: ``1 - q_d - q_a = 1/(1 + r_d + K rho)``),
and the saddle point reduces to ONE order parameter::

    Q(q_d)  = (2/pi) (arcsin q_d + 1 - q_d),
    r_d     = alpha_tilde g(Q) (2/pi) (1/sqrt(1 - q_d^2) - 1),   g(Q) = 2 Psi_1'(Q),
    rho     = alpha_tilde g(Q) (2/pi),
    q_d     = E <w>^2 at field r_d  (Gaussian: r_d/(1 + r_d); binary: E tanh^2(r_d + sqrt(r_d) xi)),
    phi     = -r_d q_d/2 + psi_1(r_d) + alpha_tilde Psi_1(Q).

Consequences (all derived here, none taken from the paper):

* ``q_d = 0`` (non-specialised) is a fixed point for every alpha_tilde, with ``Q = 2/pi``,
  ``eps_g = arccos(2/pi)/pi = 0.2803`` and ``phi = alpha_tilde Psi_1(2/pi)``. Since
  ``1/sqrt(1-q^2) - 1 = q^2/2 + ...``, the map is ``q_d -> O(q_d^2)`` near 0: the
  non-specialised point attracts for all alpha_tilde, there is no spinodal of that branch and
  the algorithmic (AMP from an uninformed start) threshold is infinite in these units.
* Gaussian prior: the specialised branch is born at a saddle-node (``alpha_spinodal`` ~ 7.1)
  together with an unstable partner, and becomes thermodynamic at a first-order transition
  (``alpha_spec`` ~ 7.6); see :func:`large_k_transitions`.
* Gaussian prior, alpha_tilde -> infinity: near q_d = 1 the equations reduce to those of the
  K = 1 Bayes perceptron at alpha = alpha_tilde/2 (``1 - Q = 2/(alpha_tilde g(Q))``), so
  eps_g ~ 1.25/alpha_tilde.
* Binary prior: besides q_d = 0 the only fixed points are an unstable one (the separatrix) and
  the exact perfect state ``q_d = 1`` (``phi = -ln 2``); the first-order (information-theoretic)
  transition is at ``alpha_IT = ln 2 / (-Psi_1(2/pi))`` ~ 1.62.
* ``alpha_tilde -> 0+`` does not commute with ``alpha_tilde = 0``: at 0+ the average teacher is
  already known (q_a = 1, eps_g = 0.2803), at 0 nothing is (eps_g = 1/2). The crossover lives at
  alpha = O(1), i.e. alpha_tilde = O(1/K) (:func:`bayes_large_k_layer`).

``eps_g`` is the Gibbs (posterior-sample) 0-1 error ``arccos(Q)/pi``, ``eps_bayes`` the error of
the Bayes-optimal label ``arccos(sqrt Q)/pi`` (the K = 1 formulas at overlap Q). Ties of an even
committee occur with probability O(K^{-1/2}) and do not enter the limit.

Not checked against the paper: its large-K equations could not be retrieved in the session that
wrote this module; everything above is derived from the finite-K formula of
:mod:`replicon.theory.committee` and checked by the consistency tests in
tests/theory/committee/test_bayes_large_k.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..._util import ParamError, check_choice, check_number
from .. import engine
from ..priors import binary_prior, gaussian_prior
from .bayes import energetic
from ..solution import ConvergenceError, Solution, select_thermodynamic

PRIORS = ("gaussian", "binary")
_LN2 = math.log(2.0)
_TWO_PI = 2.0 / math.pi
Q_NONSPEC = _TWO_PI                       # Q at q_d = 0, q_a = 1
A_COMPLEMENT = 300.0                      # gaussian prior: from here on the roots are found in 1 - q_d
U_SCAN = np.linspace(-11.0, 25.0, 289)    # logit(q_d) grid (q_d in [1.7e-5, 1 - 1.4e-11]) bracketing the roots


def effective_overlap(q_d, q_a):
    """Overlap Q of the teacher's and a posterior sample's committee fields, ``(2/pi)(arcsin q_d + q_a)``."""
    return _TWO_PI * (math.asin(q_d) + q_a)


def perceptron_channel(Q):
    """Sign-perceptron channel at overlap Q: ``Psi_1(Q)``, ``g = 2 Psi_1'(Q)``, eps_g, eps_bayes.

    The K = 1 output term of :func:`replicon.theory.committee.energetic` (panel quadrature,
    Nishimori conjugate identity checked in the committee tests).
    """
    e = energetic(np.array([[Q]]))
    return e["psi"], float(e["r_over_alpha"][0, 0]), e["eps_gibbs"], e["eps_bayes"]


def _prior1(r, prior):
    """K = 1 prior term: ``(q, psi_1)`` at conjugate r (binary: includes the -ln 2 of the uniform measure)."""
    q, psi = (gaussian_prior if prior == "gaussian" else binary_prior)(np.array([[r]]))
    return float(q[0, 0]), psi


@dataclass
class _LargeK:
    """The reduced large-K fixed-point map on q_d at one alpha_tilde (q_a = 1 - q_d eliminated)."""

    alpha_tilde: float
    prior: str

    def conjugates(self, qd):
        Q = effective_overlap(qd, 1.0 - qd)
        psi_out, g, eps_g, eps_b = perceptron_channel(Q)
        r_d = self.alpha_tilde * g * _TWO_PI * (1.0 / math.sqrt(1.0 - qd * qd) - 1.0)
        rho = self.alpha_tilde * g * _TWO_PI
        return Q, r_d, rho, psi_out, eps_g, eps_b

    def update(self, x):
        qd = float(x[0])
        if qd >= 1.0 - 1e-12:
            return np.array([qd])          # the boundary q_d = 1: hold (the perfect state is exact)
        _, r_d, *_ = self.conjugates(qd)
        return np.array([_prior1(r_d, self.prior)[0]])

    def free_entropy(self, x):
        qd = float(x[0])
        _, r_d, _, psi_out, *_ = self.conjugates(qd)
        return -0.5 * r_d * qd + _prior1(r_d, self.prior)[1] + self.alpha_tilde * psi_out

    def problem(self, logit=True):
        return engine.FixedPointProblem(("q_d",), self.update, np.array([0.0]), np.array([1.0]),
                                        free_entropy=self.free_entropy,
                                        transforms=("logit",) if logit else ("none",))


def _check(alpha_tilde, prior):
    alpha_tilde = check_number("alpha_tilde", alpha_tilde, lo=0.0)
    if not math.isfinite(alpha_tilde):
        raise ParamError("alpha_tilde must be finite")
    return alpha_tilde, check_choice("prior", prior, PRIORS)


def _solution(name, params, model, qd, root, branch, status):
    Q, r_d, rho, psi_out, eps_g, eps_b = model.conjugates(qd)
    phi = model.free_entropy(np.array([qd]))
    qa = 1.0 - qd
    order = {"q_d": qd, "q_a": qa, "Q": Q, "Q_spec": _TWO_PI * math.asin(qd), "Q_avg": _TWO_PI * qa,
             "r_d": r_d, "rho": rho}
    obs = {"q_d": qd, "q_a": qa, "Q": Q, "eps_g": eps_g, "eps_bayes": eps_b, "free_entropy": phi}
    return Solution(model=name, params=params, order=order, observables=obs, free_energy=-phi,
                    converged=True, residual=root.residual, iterations=root.iterations, branch=branch,
                    status=status)


def _nonspecialised(name, params, alpha_tilde, prior):
    """The exact non-specialised point q_d = 0 (q_a = 1, Q = 2/pi, r_d = 0, phi = alpha_tilde Psi_1(2/pi))."""
    m = _LargeK(alpha_tilde, prior)
    res = float(m.update(np.array([0.0]))[0])       # F(0) = 0 exactly (r_d = 0)
    return _solution(name, params, m, 0.0, engine.Root(np.zeros(1), True, abs(res), 0), "nonspecialised",
                     None)


def _perfect(name, params):
    """Exact perfect state of binary weights: q_d = 1, q_a = 0, Q = 1, phi = -ln 2 per hidden unit."""
    order = {"q_d": 1.0, "q_a": 0.0, "Q": 1.0, "Q_spec": 1.0, "Q_avg": 0.0, "r_d": "inf", "rho": "inf"}
    obs = {"q_d": 1.0, "q_a": 0.0, "Q": 1.0, "eps_g": 0.0, "eps_bayes": 0.0, "free_entropy": -_LN2}
    return Solution(model=name, params=params, order=order, observables=obs, free_energy=_LN2,
                    converged=True, residual=0.0, iterations=0, branch="perfect",
                    message="exact state (q_d = 1, infinite conjugates)")


def _complement_solutions(name, params, alpha_tilde):
    """Gaussian prior, ``alpha_tilde >= fully_large_k.A_COMPLEMENT``: the specialised roots in ``1 - q_d``.

    The Gaussian K = 1 prior step ``q = r/(1 + r)`` is the spherical one on the Nishimori line
    (``1 - q = 1/(1 + r)``), ``2 Psi_1'(Q)`` is the spherical perceptron's ``dG_E/dR`` at R = q = Q and
    ``Psi_1(Q) = G_E(Q, Q; 0)``: the map is :class:`fully_large_k.FullyComplement`'s (the module docstring
    there, "T = 0"), whose coordinate ``1 - q_d`` reaches the specialised root ``1 - q_d ~ (2.92/
    alpha_tilde)^4`` (below the q_d coordinate's 1e-11 from alpha_tilde ~ 2000 on). Observables from
    ``1 - Q``; ``eps_g alpha_tilde -> 1.2493``.
    """
    from .fully_large_k import FullyComplement, specialised_roots as fully_roots

    m = FullyComplement(alpha_tilde)
    out = []
    for r, att in fully_roots(alpha_tilde, 0.0, complement=True):
        d = float(r.x[0])
        if d == 0.0:                                   # 1 - q_d underflows: the asymptote (exact there)
            o, phi, _ = m.asymptotic()
            eps = o["_eps_g"]
            obs = {"q_d": 1.0, "q_a": 0.0, "Q": 1.0, "eps_g": eps, "eps_bayes": eps / math.sqrt(2.0),
                   "free_entropy": phi, "one_minus_q_d": 0.0}
            order = {"q_d": 1.0, "q_a": 0.0, "Q": 1.0, "Q_spec": 1.0, "Q_avg": 0.0, "r_d": "inf", "rho": "inf",
                     "one_minus_q_d": 0.0}
            out.append(Solution(model=name, params=params, order=order, observables=obs, free_energy=-phi,
                                converged=True, branch="specialised", message="large-alpha_tilde asymptote"))
            continue
        r_d, dQ, e = m.conjugates_c(d)
        qd = 1.0 - d
        # -r q/2 + psi_prior(r) with psi_prior = r/2 - ln(1 + r)/2, written as r (1 - q)/2 - ln(1 + r)/2
        phi = 0.5 * r_d * d - 0.5 * math.log1p(r_d) + alpha_tilde * float(e["G"])
        order = {"q_d": qd, "q_a": d, "Q": 1.0 - dQ, "Q_spec": 1.0 - _TWO_PI * 2.0 * math.asin(math.sqrt(0.5 * d)),
                 "Q_avg": _TWO_PI * d, "r_d": r_d, "rho": alpha_tilde * e["dR"] * _TWO_PI, "one_minus_q_d": d}
        obs = {"q_d": qd, "q_a": d, "Q": 1.0 - dQ, "eps_g": 2.0 * math.asin(math.sqrt(0.5 * dQ)) / math.pi,
               "eps_bayes": math.asin(math.sqrt(dQ)) / math.pi, "free_entropy": phi, "one_minus_q_d": d}
        out.append(Solution(model=name, params=params, order=order, observables=obs, free_energy=-phi,
                            converged=True, residual=r.residual, iterations=r.iterations, branch="specialised",
                            status=None if att else "unstable"))
    return out


def specialised_roots(alpha_tilde, prior="gaussian", tol=1e-11):
    """All fixed points with 0 < q_d < 1 at one alpha_tilde: a list of ``(engine.Root, attracting)``.

    The map ``G(u) = logit F(q_d) - u`` is bracketed on a grid of ``u = logit q_d`` in
    [-11, 25] (q_d from 1.7e-5 to 1 - 1.4e-11): every sign change, and every interior extremum of G
    whose refined value (bounded Brent) crosses zero (two roots closer than the grid, near a
    saddle-node), gives a bracket; each bracket's root (brentq) is then confirmed by the engine
    (Newton in logit coordinates, ``engine.step_to``). Roots that do not converge are dropped
    (never returned), as are duplicates.
    """
    prob = _LargeK(alpha_tilde, prior).problem()
    return [(r, engine.attracting(prob, r.x)[0]) for r in engine.roots_1d(prob, U_SCAN, tol)]


def bayes_large_k(alpha_tilde=8.0, prior="gaussian", strict=False):
    """Large-K Bayes-optimal sign committee: q_d, q_a, Q, eps_g, eps_bayes, free entropy of all branches.

    Leading order in K of Aubin et al. (NeurIPS 2018, arXiv:1806.05451) eq. (10) in the
    committee-symmetric ansatz, derived in this module's docstring: ``alpha_tilde = alpha/K =
    P/(K N)``; ``q = q_d I + (q_a/K) 1 1^T`` with ``q_a = 1 - q_d``; effective overlap
    ``Q = (2/pi)(arcsin q_d + q_a)``. ``free_entropy`` is Phi/K (per input dimension and hidden unit).

    Branches: ``nonspecialised`` (q_d = 0, exact, exists and attracts for all alpha_tilde),
    ``specialised`` (0 < q_d < 1; those that repel the iteration are ``status="unstable"`` and
    never thermodynamic) and, for binary weights, the exact ``perfect`` state (q_d = 1). The
    thermodynamic one has the largest free entropy. ``alpha_tilde = 0`` is the no-data point
    (q_d = q_a = 0, eps_g = 1/2), not the limit 0+ (q_a = 1).
    """
    alpha_tilde, prior = _check(alpha_tilde, prior)
    params = {"alpha_tilde": alpha_tilde, "prior": prior}
    name = "committee.bayes_largek"
    if alpha_tilde == 0:
        order = {"q_d": 0.0, "q_a": 0.0, "Q": 0.0, "Q_spec": 0.0, "Q_avg": 0.0, "r_d": 0.0, "rho": 0.0}
        obs = {"q_d": 0.0, "q_a": 0.0, "Q": 0.0, "eps_g": 0.5, "eps_bayes": 0.5, "free_entropy": 0.0}
        sol = Solution(model=name, params=params, order=order, observables=obs, free_energy=0.0,
                       branch="nonspecialised",
                       message="no data; the limit alpha_tilde -> 0+ has q_a = 1 (see bayes_large_k_layer)")
        return select_thermodynamic(name, params, [sol], strict)
    sols = [_nonspecialised(name, params, alpha_tilde, prior)]
    m = _LargeK(alpha_tilde, prior)
    if prior == "gaussian" and alpha_tilde >= A_COMPLEMENT:
        sols += _complement_solutions(name, params, alpha_tilde)
    else:
        for r, att in specialised_roots(alpha_tilde, prior):
            sols.append(_solution(name, params, m, float(r.x[0]), r, "specialised", None if att else "unstable"))
    if prior == "binary":
        sols.append(_perfect(name, params))
    return select_thermodynamic(name, params, sols, strict)


def _stable_root(alpha_tilde, prior):
    roots = [r for r, att in specialised_roots(alpha_tilde, prior) if att]
    return max(roots, key=lambda r: r.x[0]) if roots else None


def large_k_transitions(prior="gaussian", tol=1e-9, alpha_hi=12.0):
    """Thresholds of the large-K committee in alpha_tilde = alpha/K units, located by the engine.

    * ``alpha_alg``: spinodal of the non-specialised branch (where AMP from an uninformed start
      would leave it). ``engine.spinodal`` follows q_d = 0 from alpha_tilde = 0.5 to ``alpha_hi``;
      the branch never ends (its map is O(q_d^2)), so this is ``inf`` (``alg_checked_up_to``
      says how far the engine followed it).
    * Gaussian prior: ``alpha_spinodal``, where the specialised (attracting) branch ends when
      followed down from ``alpha_hi`` (``engine.spinodal``, saddle-node), and ``alpha_spec``, the
      first-order transition where its free entropy crosses ``alpha_tilde Psi_1(2/pi)`` of the
      non-specialised branch (``engine.transition``); ``q_d_at_spec`` the jump of q_d there.
    * Binary prior: ``alpha_IT``, where the non-specialised free entropy crosses the perfect
      state's ``-ln 2`` (``engine.transition``; closed form ``ln 2 / (-Psi_1(2/pi))``).
    """
    prior = check_choice("prior", prior, PRIORS)
    params = {"prior": prior}
    name = "committee.largek_transitions"
    obs = {}
    # non-specialised branch: plain coordinates, start exactly at q_d = 0
    make_ns = lambda a: _LargeK(a, prior).problem(logit=False)   # noqa: E731
    try:
        engine.spinodal(make_ns, 0.5, np.zeros(1), alpha_hi, tol_p=1e-3, tol=1e-10)
        return Solution.failed(name, params, "the non-specialised branch ended (not expected)")
    except ValueError:
        obs["alpha_alg"] = math.inf
        obs["alg_checked_up_to"] = alpha_hi
    psi_ns = perceptron_channel(Q_NONSPEC)[0]
    if prior == "binary":
        obs["alpha_IT"] = engine.transition(lambda a: a * psi_ns + _LN2, 0.1, alpha_hi, xtol=tol)
        obs["alpha_IT_closed_form"] = _LN2 / -psi_ns
        return Solution(model=name, params=params, observables=obs, status="thermodynamic",
                        message="no partially specialised attracting branch; perfect state exact")
    r0 = _stable_root(alpha_hi, prior)
    if r0 is None:
        return Solution.failed(name, params, f"no specialised branch at alpha_tilde={alpha_hi}")
    make = lambda a: _LargeK(a, prior).problem()                 # noqa: E731
    a_sp, x_sp = engine.spinodal(make, alpha_hi, r0.x, 1.0, tol_p=tol, tol=1e-12)
    obs["alpha_spinodal"] = a_sp
    obs["q_d_at_spinodal"] = float(x_sp[0])
    path = {alpha_hi: r0.x, a_sp: x_sp}

    def delta(a):
        near = min(path, key=lambda p: abs(p - a))
        pts = engine.follow(make, [a], path[near], tol=1e-12) if near != a else [(a, engine.Root(path[a], True, 0, 0))]
        if not pts:
            raise ConvergenceError(f"specialised branch lost at alpha_tilde={a}")
        x = pts[-1][1].x
        path[a] = x
        return _LargeK(a, prior).free_entropy(x) - a * psi_ns

    lo = a_sp + 1e-6 * (alpha_hi - a_sp)
    if not delta(lo) < 0 < delta(alpha_hi):
        return Solution.failed(name, params, "free entropies do not cross between the spinodal and alpha_hi")
    a_spec = engine.transition(delta, lo, alpha_hi, xtol=tol)
    obs["alpha_spec"] = a_spec
    obs["q_d_at_spec"] = float(path[min(path, key=lambda p: abs(p - a_spec))][0])
    obs["order"] = "first"
    return Solution(model=name, params=params, observables=obs, status="thermodynamic",
                    message="engine: spinodal by continuation, transition by brentq on the free entropies")


def bayes_large_k_layer(alpha=1.0):
    """The alpha = P/N = O(1) layer of the large-K committee: q_a learnt, q_d = 0 (alpha_tilde = 0 in scaled units).

    Derived (same CLT channel as :func:`bayes_large_k`; not from the paper): at alpha = O(1) the
    specialised conjugate is r_d = O(1/K), so q_d = 0, and the average-teacher direction solves a
    perceptron-like equation with effective overlap ``Q = (2/pi) q_a``::

        q_a / (1 - q_a) = (2/pi) alpha g((2/pi) q_a),     g = 2 Psi_1'.

    This is the Gaussian-prior form; for binary weights the average-teacher components
    ``sum_k w_k / sqrt K`` are Gaussian by the CLT, so the same equation holds at leading order
    (an argument, not checked here). ``alpha -> inf`` matches ``alpha_tilde -> 0+``: q_a -> 1,
    eps_g -> arccos(2/pi)/pi. ``free_entropy`` is Phi (per input dimension, not per K).
    """
    alpha = check_number("alpha", alpha, lo=0.0)
    params = {"alpha": alpha}
    name = "committee.bayes_largek_layer"

    def upd(x):
        qa = float(x[0])
        if qa >= 1.0 - 1e-12:
            return np.array([qa])
        g = perceptron_channel(_TWO_PI * qa)[1]
        ra = _TWO_PI * alpha * g
        return np.array([ra / (1.0 + ra)])

    prob = engine.FixedPointProblem(("q_a",), upd, np.array([0.0]), np.array([1.0]), transforms=("logit",))
    if alpha == 0:
        root = engine.Root(np.zeros(1), True, 0.0, 0)
    else:
        root = engine.iterate(prob, np.array([0.5]), tol=1e-11)
        if not root.converged:
            return Solution.failed(name, params, root.message, root.residual, root.iterations)
    qa = float(root.x[0])
    Q = _TWO_PI * qa
    psi_out, g, eps_g, eps_b = perceptron_channel(Q)
    ra = _TWO_PI * alpha * g
    phi = -0.5 * ra * qa + 0.5 * ra - 0.5 * math.log1p(ra) + alpha * psi_out
    return Solution(model=name, params=params, order={"q_d": 0.0, "q_a": qa, "Q": Q, "r_a": ra},
                    observables={"q_a": qa, "Q": Q, "eps_g": eps_g, "eps_bayes": eps_b, "free_entropy": phi},
                    free_energy=-phi, converged=True, residual=root.residual, iterations=root.iterations,
                    branch="nonspecialised", status="thermodynamic")
