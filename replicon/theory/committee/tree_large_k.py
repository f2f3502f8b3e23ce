"""Gibbs learning of the tree committee machine with K -> infinity hidden units: RS theory at T >= 0.

Architecture as :mod:`replicon.theory.committee.tree` (Schwarze & Hertz, Europhys. Lett.
20, 375 (1992) and J. Phys. A 26 (1993); Engel & Van den Broeck (2001) ch. 12): ``N``
inputs split into ``K`` disjoint receptive fields of ``N/K`` inputs, sign hidden units,
majority-vote output, teacher and student of the same architecture, spherical or Ising
weights, Gibbs measure ``exp(-E/T)`` over the number ``E`` of training errors.

**Scaling of alpha.** ``alpha = P/N`` with ``N`` the *total* number of weights (examples
per weight, as in ``committee.gibbs`` and Schwarze & Hertz); the limit K -> infinity is
taken at fixed ``alpha = P/N``, i.e. ``P/(N/K) = K alpha`` examples per hidden unit's input.

**Derivation (permutation-symmetric ansatz).** With one student-teacher overlap ``R`` and
one student-student overlap ``q`` per branch, the fields of branch k in the student
replicas and the teacher are Gaussian with those covariances, independently across
branches. The output of replica ``a`` is ``sign(s^a)`` with ``s^a = K^{-1/2} sum_k
sign(h^a_k)``, a sum of K i.i.d. terms; by the (multivariate) central limit theorem the
``s^a`` and the teacher's ``s^0`` become jointly Gaussian with unit variance and
covariances ``E[sign(h^a) sign(h^b)] = (2/pi) arcsin(q)`` and ``E[sign(h^a) sign(h^0)] =
(2/pi) arcsin(R)`` (the arcsine kernel). The majority vote of K -> infinity branches is
then a perceptron output on an effective field, and the energetic term is the
perceptron's at effective overlaps

    G_E^inf(q, R) = G_E^perc(q_eff, R_eff),   q_eff = (2/pi) arcsin q,   R_eff = (2/pi) arcsin R,

with ``G_E^perc`` of :func:`replicon.theory.perceptron.teacher_energetic` (temperature
included); the entropic term is unchanged (per weight, the perceptron's ``G_S``, since
each branch contributes ``N/K`` weights). So

    f = extr [ G_S(q, R; q_hat, R_hat) + alpha G_E^perc((2/pi) arcsin q, (2/pi) arcsin R) ].

``eps_g = arccos(R_eff)/pi`` (the committee outputs are signs of the correlated Gaussian
vote sums); it is the K -> infinity limit of
:func:`replicon.theory.committee.tree.committee_error`.
At ``T = 0`` the Nishimori line ``R = q`` holds (``q_eff = R_eff``). Ising weights have
the exact perfect state ``R = q = 1`` (``q_eff = R_eff = 1``, free entropy 0) and a
first-order transition to it (:func:`gibbs_large_k_transition`).

**Large alpha (spherical, T = 0)**, derived here: ``1 - q_eff ~ (2/pi) sqrt(2(1-q))`` and
the perceptron's ``G_E^perc ~ -C sqrt(1 - q_eff)``, so the free entropy is
``1/2 ln(1-q) - alpha C' (1-q)^{1/4}``; its extremum gives ``1 - q ~ alpha^-4`` and
``eps_g ~ 2 sqrt(2)/(pi C alpha)``, exactly twice the perceptron's ``0.625/alpha``:
``eps_g ~ 1.25/alpha``.

**Replicon (AT) eigenvalue.** For the branch-uniform replicon mode (the most dangerous
one, see :mod:`replicon.theory.committee.tree`) the n-replica energetic term is the
perceptron's composed with the element-wise map ``phi(Q^{ab}) = (2/pi) arcsin Q^{ab}``;
its replicon eigenvalue is ``phi'(q)^2`` times the perceptron's plus ``phi''(q)`` times
the first derivative (a diagonal term), so

    gamma_E = (1-q)^2 [ phi'(q)^2 gamma_perc / (1 - q_eff)^2 + phi''(q) (-2 dG_E^perc/dq_eff) ],
    phi'(q) = (2/pi) / sqrt(1 - q^2),   phi''(q) = (2/pi) q / (1 - q^2)^{3/2},

and ``lambda = 1 - alpha gamma_S gamma_E`` as for the perceptron. Derived here; it is the
K -> infinity limit of the finite-K ``gamma`` of ``tree.tree_energetic``
(tested), not a value taken from the papers.
"""

from __future__ import annotations

import math

import numpy as np

from ..._util import ParamError, check_choice, check_number
from .. import engine
from ..channels import teacher_energetic
from ..perceptron import C0_NISHIMORI, NishimoriComplement, TeacherStudent, complement_branches
from ..solution import ConvergenceError, Solution, select_thermodynamic
from .tree import model_branches

WEIGHTS = ("spherical", "ising")
TWO_OVER_PI = 2.0 / math.pi
NAME = "committee.gibbs_largek"


def arcsine_overlap(x):
    """Effective overlap of K -> infinity majority votes, ``(2/pi) arcsin(x)`` (the arcsine kernel)."""
    x = max(-1.0, min(1.0, float(x)))
    if x > 0.5:  # 1 - (2/pi) arccos(x): keeps 1 - x_eff accurate near x = 1
        return 1.0 - TWO_OVER_PI * math.acos(x)
    return TWO_OVER_PI * math.asin(x)


def _dphi(x):
    """phi'(x) and phi''(x) for phi = (2/pi) arcsin, with 1 - x^2 = (1 - x)(1 + x)."""
    s2 = (1.0 - x) * (1.0 + x)
    s = math.sqrt(s2)
    return TWO_OVER_PI / s, TWO_OVER_PI * x / (s2 * s)


def largek_energetic(q, R, T=0.0):
    """Energetic term of the K -> infinity tree committee, ``G_E^perc(q_eff, R_eff)``, and its derivatives.

    Returns ``G``, ``dq``, ``dR`` (chain rule through the arcsine kernel), ``eps_t``
    (training error per example) and the replicon factor ``gamma`` (module docstring),
    plus ``q_eff`` and ``R_eff``.
    """
    q = min(max(q, 1e-300), 1.0 - 1e-13)
    qe, Re = arcsine_overlap(q), arcsine_overlap(R)
    e = teacher_energetic(qe, Re, T)
    d1q, d2q = _dphi(q)
    d1R, _ = _dphi(R)
    gamma = (1.0 - q) ** 2 * (d1q * d1q * e["gamma"] / (1.0 - qe) ** 2 + d2q * (-2.0 * e["dq"]))
    return {"G": float(e["G"]), "dq": float(e["dq"] * d1q), "dR": float(e["dR"] * d1R),
            "eps_t": float(e["eps_t"]), "gamma": float(gamma), "q_eff": qe, "R_eff": Re}


class _LargeK(TeacherStudent):
    """RS equations of the K -> infinity tree committee: the perceptron's (``perceptron.TeacherStudent``: same
    coordinates, entropic term, Nishimori line at T = 0) with the arcsine-kernel energetic term."""

    def energetic(self, q, R):
        return largek_energetic(q, R, self.T)

    def linear_gain(self):
        """``kappa = 2/pi``: the arcsine kernel is ``(2/pi) x`` at small overlaps."""
        return TWO_OVER_PI


A_COMPLEMENT = 300.0    # T = 0, spherical: from here on the Nishimori map is solved in 1 - q


class _LargeKComplement(NishimoriComplement):
    """T = 0, spherical, large alpha: the K -> infinity tree committee's Nishimori map in ``delta = 1 - q``.

    The output channel is the perceptron's at ``Q = (2/pi) arcsin q``: ``1 - Q = (2/pi) arccos(1 - delta)``
    and ``dQ/dq = (2/pi)/sqrt(delta (2 - delta))``; ``1 - q ~ (2.92/alpha)^4`` (2e-12 at alpha = 2000),
    out of reach of q itself. Everything else is :class:`perceptron.NishimoriComplement`'s.
    """

    def effective(self, delta):
        return TWO_OVER_PI * 2.0 * math.asin(math.sqrt(0.5 * delta)), TWO_OVER_PI / math.sqrt(delta * (2.0 - delta))

    def _quarter(self):
        """delta^(1/4) of the asymptote: ``2 / (alpha C0 sqrt(2/pi) 2^(1/4))``."""
        return 2.0 / (self.alpha * C0_NISHIMORI * math.sqrt(TWO_OVER_PI) * 2.0 ** 0.25)

    def guess(self):
        return self._quarter() ** 4

    def replicon(self, delta, dQ, e):
        """``1 - alpha gamma_E``, module docstring, with ``dG/dq_eff = -dG/dR_eff / 2`` on the Nishimori line."""
        # (1-q)^2 phi'^2 and (1-q)^2 phi'' in forms without underflow at tiny delta
        a1 = TWO_OVER_PI ** 2 * delta / (2.0 - delta)
        a2 = TWO_OVER_PI * (1.0 - delta) * math.sqrt(delta) / (2.0 - delta) ** 1.5
        gamma = a1 * (e["gamma"] / dQ) / dQ + a2 * e["dR"]
        return 1.0 - self.alpha * gamma

    def asymptotic(self):
        """Where 1 - q underflows (alpha > 1e70): ``alpha G_E = -2``, ``eps_g = 2 sqrt(2)/(pi C0 alpha)``."""
        d4 = self._quarter()
        f = 2.0 * math.log(d4) + 0.5 - 2.0
        order = {"q": 1.0, "R": 1.0, "q_hat": math.inf, "R_hat": math.inf, "one_minus_q": 0.0,
                 "_eps_g": 2.0 * math.sqrt(2.0) / (math.pi * C0_NISHIMORI * self.alpha),
                 "_eps_hidden": math.sqrt(2.0) * d4 * d4 / math.pi}
        return order, f, 0.0, self.replicon_limit

    replicon_limit = 0.25     # lambda at large alpha (numerically, alpha = 1e3 .. 1e70)

    def evaluate(self, x):
        delta = float(x[0])
        if delta == 0.0:
            return self.asymptotic()
        order, f, eps_t, lam = super().evaluate(x)
        dQ = self.effective(delta)[0]
        order.pop("_eps_gibbs")
        order.pop("_eps_bayes")
        order["_eps_g"] = 2.0 * math.asin(math.sqrt(0.5 * dQ)) / math.pi          # arccos(R_eff)/pi
        order["_eps_hidden"] = 2.0 * math.asin(math.sqrt(0.5 * delta)) / math.pi  # arccos(R)/pi
        order["_one_minus_eff"] = dQ
        return order, f, eps_t, lam


def _check(alpha, T, weights):
    alpha = check_number("alpha", alpha, lo=0.0)
    T = check_number("T", T, lo=0.0)
    if not (math.isfinite(alpha) and math.isfinite(T)):
        raise ParamError("alpha and T must be finite")
    weights = check_choice("weights", weights, WEIGHTS)
    return alpha, T, weights


def _observables(order, f, eps_t, T, alpha):
    R, q = order["R"], order["q"]
    R_eff = arcsine_overlap(R)
    eps_g, eps_hidden = order.pop("_eps_g", None), order.pop("_eps_hidden", None)    # large alpha: from 1 - q
    d_eff = order.pop("_one_minus_eff", None)
    obs = {"R": R, "q": q, "R_eff": R_eff if d_eff is None else 1.0 - d_eff,
           "q_eff": arcsine_overlap(q) if d_eff is None else 1.0 - d_eff,
           "eps_g": math.acos(max(-1.0, min(1.0, R_eff))) / math.pi if eps_g is None else eps_g,
           "eps_hidden": math.acos(max(-1.0, min(1.0, R))) / math.pi if eps_hidden is None else eps_hidden,
           "eps_t": eps_t, "free_entropy": f}
    if "one_minus_q" in order:
        obs["one_minus_q"] = order["one_minus_q"]
    if T > 0:
        obs["entropy"] = f + alpha * eps_t / T
        return obs, -T * f
    obs["entropy"] = f
    return obs, -f


def _perfect(params):
    """The exact perfect state of Ising weights: R = q = 1 (R_eff = q_eff = 1), free entropy 0."""
    order = {"q": 1.0, "R": 1.0, "q_hat": math.inf, "R_hat": math.inf}
    obs = {"R": 1.0, "q": 1.0, "R_eff": 1.0, "q_eff": 1.0, "eps_g": 0.0, "eps_hidden": 0.0, "eps_t": 0.0,
           "free_entropy": 0.0, "entropy": 0.0}
    return Solution(model=NAME, params=dict(params), order=order, observables=obs, free_energy=0.0,
                    converged=True, residual=0.0, iterations=0, branch="perfect", stable=True,
                    replicon_eigenvalue=1.0, message="exact state (infinite conjugates; gamma_S = 0, so lambda = 1)")


def gibbs_large_k_branches(alpha, T, weights, inits=None, tol=1e-10):
    """All RS fixed points of the K -> infinity tree committee found from ``inits`` (Roots), perfect state excluded."""
    return model_branches(_LargeK(alpha, T, weights), alpha, inits, tol)


def _solution(model, r, params, label, status=None):
    order, f, eps_t, lam = model.evaluate(r.x)
    obs, F = _observables(order, f, eps_t, model.T, model.alpha)
    return Solution(model=NAME, params=params, order=order, observables=obs, free_energy=F, converged=True,
                    residual=r.residual, iterations=r.iterations, branch=label, status=status,
                    stable=None if lam is None else bool(lam > 0), replicon_eigenvalue=lam)


def gibbs_large_k(alpha=1.0, T=0.0, weights="spherical", strict=False, inits=None):
    """Gibbs learning of the tree committee machine with K -> infinity sign hidden units: RS R, q, eps_g, free energy.

    Schwarze & Hertz, Europhys. Lett. 20, 375 (1992); J. Phys. A 26 (1993); Engel & Van den
    Broeck (2001) ch. 12. Energetic term: the perceptron's at the arcsine-kernel effective
    overlaps ``(2/pi) arcsin R`` and ``(2/pi) arcsin q`` (derivation in the module docstring).
    ``alpha = P/N`` with N the total number of weights, limit K -> infinity at fixed alpha.

    Returns the thermodynamic branch with every branch found in ``.branches``: spherical
    weights ``rs``; Ising weights ``poor`` (R < 1) and the exact ``perfect`` state (R = q = 1);
    fixed points repelling the iteration are ``unstable``. Observables: ``R``, ``q`` (per
    branch), ``R_eff``, ``q_eff`` (of the output's effective field), ``eps_g``
    (= arccos(R_eff)/pi), ``eps_hidden`` (= arccos(R)/pi), ``eps_t``, ``entropy``,
    ``free_entropy``; ``replicon_eigenvalue`` and ``stable`` (branch-uniform replicon mode).
    """
    alpha, T, weights = _check(alpha, T, weights)
    params = {"alpha": alpha, "T": T, "weights": weights}
    if T == 0 and weights == "spherical" and alpha >= A_COMPLEMENT and inits is None:
        model, roots = complement_branches(_LargeKComplement(alpha))
    else:
        model, roots = gibbs_large_k_branches(alpha, T, weights, inits)
    sols = []
    for r in roots:
        if alpha == 0:
            order = {"q": 0.0, "R": 0.0, "q_hat": 0.0, "R_hat": 0.0}
            f = 0.0 if weights == "spherical" else math.log(2.0)
            obs, F = _observables(order, f, 0.5 if T > 0 else 0.0, T, alpha)
            sols.append(Solution(model=NAME, params=params, order=order, observables=obs, free_energy=F,
                                 branch="rs" if weights == "spherical" else "poor", stable=True,
                                 replicon_eigenvalue=1.0))
            continue
        att = r.extra.get("attracting", True)
        label = ("poor" if weights == "ising" else "rs") if att else "unstable"
        sols.append(_solution(model, r, params, label, None if att else "unstable"))
    if weights == "ising" and alpha > 0:
        sols.append(_perfect(params))
    if not sols and weights == "spherical" and alpha > 1e2 and T > 0:
        msg = (f"no RS solution resolved at alpha={alpha:g}, T={T:g}: 1 - q ~ alpha^-4 is below the resolution "
               "of the (q, R) coordinates (2e-12); T = 0 is solved in 1 - q (eps_g ~ 1.2493/alpha)")
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(NAME, params, msg)
    return select_thermodynamic(NAME, params, sols, strict)


def gibbs_large_k_curve(alphas, T=0.0, weights="spherical"):
    """The thermodynamic branch of the K -> infinity tree committee along a sorted alpha grid (engine.follow).

    Returns one Solution per alpha reached (fewer if the followed branch ends, e.g. at the
    Ising spinodal); for every branch at a point use :func:`gibbs_large_k`.
    """
    alphas = [check_number("alpha", a, lo=0.0, lo_open=True) for a in np.atleast_1d(alphas)]
    _, T, weights = _check(alphas[0], T, weights)
    first = gibbs_large_k(alphas[0], T, weights)
    if not first.converged:
        return []
    if first.branch == "perfect" or (T == 0 and weights == "spherical" and alphas[-1] >= A_COMPLEMENT):
        return [gibbs_large_k(a, T, weights) for a in alphas]
    x0 = np.array([first["q"]] if T == 0 else [first["q"], first["R"]])
    out = []
    for a, r in engine.follow(lambda a: _LargeK(a, T, weights).problem(), alphas, x0):
        s = _solution(_LargeK(a, T, weights), r, {"alpha": a, "T": T, "weights": weights}, first.branch)
        s.message = "continuation (one branch)"
        out.append(s)
    return out


def gibbs_large_k_transition(T=0.0, weights="ising", alpha_start=0.5, alpha_end=20.0, tol=1e-9):
    """First-order transition of the Ising K -> infinity tree committee to perfect generalisation, and the spinodal.

    As :func:`replicon.theory.committee.tree.gibbs_transition`: the poor branch is followed
    in alpha until it ends (``alpha_spinodal``); ``alpha_transition`` is where its free
    entropy crosses that of the perfect state (0). ``alpha = P/N`` (all weights).
    """
    alpha_start, T, weights = _check(alpha_start, T, weights)
    if weights != "ising":
        raise ParamError("weights=spherical has no first-order transition; allowed: weights=ising")
    params = {"T": T, "weights": weights}
    name = "committee.gibbs_largek_transition"
    _, roots = gibbs_large_k_branches(alpha_start, T, weights)
    found = engine.poor_to_perfect_transition(lambda a: _LargeK(a, T, weights), roots, alpha_start, alpha_end, tol)
    if isinstance(found, str):
        return Solution.failed(name, params, found)
    a_tr, a_sp, order_tr, x_sp = found
    R_tr = order_tr["R"]
    obs = {"alpha_transition": a_tr, "alpha_spinodal": a_sp, "R_poor_at_transition": R_tr,
           "eps_g_poor_at_transition": math.acos(arcsine_overlap(R_tr)) / math.pi,
           "R_poor_at_spinodal": float(x_sp[-1])}
    return Solution(model=name, params=params, observables=obs, branch="poor", status="thermodynamic",
                    message="engine: spinodal by branch following, transition by free-entropy crossing")
