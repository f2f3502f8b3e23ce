"""Replica-symmetric theory of the perceptron: storage (Gardner volume) and teacher-student learning.

Conventions (DESIGN.md): inputs of unit variance, pre-activations ``J.xi/sqrt N``,
``|J|^2 = N`` (spherical) or ``J_i = +-1`` (Ising), ``alpha = P/N``, training
temperature ``T`` (``T = 0`` is Gibbs learning in the version space).

The RS free entropy per weight is split, as everywhere in replicon, into an
entropic (prior) term and an energetic (output channel) term

    f = extr_{q, R, q_hat, R_hat} [ G_S(q, R; q_hat, R_hat) + alpha G_E(q, R) ],

(Engel & Van den Broeck 2001, eqs. (2.31)-(2.35), (6.13), (7.6); Gardner 1988;
Györgyi 1990; Sompolinsky, Tishby & Seung 1990). With ``eps = exp(-1/T)``:

    G_E(q, R) = 2 int Dt H(-R t / sqrt(q - R^2)) ln[eps + (1 - eps) H(-sqrt(q/(1-q)) t)]   (teacher)
    G_E(q)    =   int Dt ln H((kappa - sqrt(q) t) / sqrt(1 - q))                           (storage, T = 0)

    G_S^sph(q, R)   = 1/2 ln(1 - q) + (q - R^2) / (2 (1 - q))        (conjugates eliminated)
    G_S^ising(...)  = -R R_hat - q_hat (1 - q)/2 + int Dz ln 2 cosh(sqrt(q_hat) z + R_hat)

The fixed-point map used by the engine: ``(q, R) -> (q_hat, R_hat) = (-2 alpha dG_E/dq,
alpha dG_E/dR) -> (q, R)`` through the prior; for spherical weights the prior
step is ``R = R_hat (1-q)``, ``q = (q_hat + R_hat^2)(1-q)^2`` (the stationarity of
``G_S^sph``), for Ising weights ``R = <tanh>``, ``q = <tanh^2>``.

Replicon (AT) stability: ``lambda = 1 - alpha gamma_S gamma_E > 0`` with
``gamma_E = <(d^2 ln Z_out / d omega^2)^2 (1-q)^2>`` over the cavity field and
``gamma_S = 1`` (spherical) or ``<(1 - tanh^2)^2>`` (Ising), de Almeida & Thouless
1978; Gardner & Derrida 1988, sec. 4; Engel & Van den Broeck appendix A6.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

from .._util import ParamError, check_choice, check_number
from . import engine
from .channels import log_phi, nishimori_energetic, storage_energetic, teacher_energetic
from .gauss import panel_rule
from .priors import ising_entropy, ising_gamma, ising_prior, spherical_entropy, spherical_prior
from .solution import ConvergenceError, Solution, select_thermodynamic

WEIGHTS = ("spherical", "ising")
STUDENTS = ("gibbs", "bayes")


# ----------------------------------------------------------------------------
# Energetic terms (output channel)
# ----------------------------------------------------------------------------


# ----------------------------------------------------------------------------
# Entropic terms (prior over weights)
# ----------------------------------------------------------------------------


# ----------------------------------------------------------------------------
# Problems for the engine
# ----------------------------------------------------------------------------

Q_LINEAR = 1e-20   # below this overlap the linear-response state is exact to double precision
U_MIN = -700.0     # logit floor for q (q ~ 1e-304): the poor branch at high T / small alpha lies that deep


@dataclass
class TeacherStudent:
    """Teacher-student RS equations at one point.

    At ``T = 0`` the Gibbs measure on the version space is the Bayes posterior
    (the teacher is drawn from the student's prior), so the Nishimori identity
    ``R = q`` (and ``R_hat = q_hat``) holds exactly in the true state; the
    equations are then solved on that line, in the single variable q. Fixed
    points of the full (q, R) equations off the line are not states of this
    system. At ``T > 0`` both q and R are free.
    """

    alpha: float
    T: float
    weights: str

    @property
    def nishimori(self):
        return self.T == 0

    def energetic(self, q, R):
        """The output channel's term (subclasses: other architectures, e.g. the tree committee)."""
        return teacher_energetic(q, R, self.T)

    # --- small overlaps: high T, small alpha ------------------------------------------------
    def linear_gain(self):
        """``kappa``: the output-sign correlation per unit of small overlap, relative to the perceptron's.

        At small overlaps the sign outputs of teacher and students are correlated by ``kappa (2/pi) R``
        and ``kappa (2/pi) q``; ``kappa = 1`` for the perceptron. A subclass whose channel is accurate at
        q, R -> 0 and whose ``kappa`` is derived returns it (it then also gets the deep logit floor
        ``U_MIN`` for q and the closed form below ``Q_LINEAR``); ``None``: neither.
        """
        return 1.0 if type(self) is TeacherStudent else None

    def linear_response(self):
        """The state at leading order in the conjugates, or None (no ``linear_gain``).

        With ``c = 1 - e^{-1/T}`` and ``rho = c/(2 - c)`` (1 at T = 0, ~ 1/(2T) at high T), expanding
        ``ln Z = ln(1 - c P(student wrong))`` in the sign correlations (only pairs contribute at first
        order) gives ``dG_E/dR = kappa (2/pi) rho`` and ``dG_E/dq = -kappa rho^2/pi`` at q = R = 0, so

            R_hat = kappa (2 alpha/pi) rho,   q_hat = kappa (2 alpha/pi) rho^2,
            R = R_hat,   q = q_hat + R_hat^2     (T = 0: q = R = q_hat = R_hat, the Nishimori line),

        for spherical and Ising weights alike (both priors are (q_hat + R_hat^2, R_hat) at small
        conjugates), with relative corrections O(q). Returns ``(q, R, q_hat, R_hat, rho)``.
        """
        kappa = self.linear_gain()
        if kappa is None:
            return None
        eps = math.exp(-1.0 / self.T) if self.T > 0 else 0.0
        rho = -math.expm1(-1.0 / self.T) / (1.0 + eps) if self.T > 0 else 1.0
        g = kappa * (2.0 / math.pi) * self.alpha
        R_hat, q_hat = g * rho, g * rho * rho
        q = R_hat if self.nishimori else q_hat + R_hat * R_hat
        return q, R_hat, q_hat, R_hat, rho

    def linear_root(self):
        """The poor branch in closed form where it is exact to double precision (q < ``Q_LINEAR``), else None."""
        lin = self.linear_response()
        if lin is None or self.alpha == 0 or not lin[0] < Q_LINEAR:
            return None
        q, R = lin[0], lin[1]
        x = np.array([q] if self.nishimori else [q, R])
        return engine.Root(x, True, 0.0, 0, message="closed form (linear response, q < 1e-20)",
                           extra={"attracting": True, "spectral_radius": 0.0, "linear": True})

    def _evaluate_linear(self, x):
        """``evaluate`` at the closed-form state (``linear_root``), or None if x is not that state.

        ``f = f_0 + alpha ln(1 - c/2) + R_hat^2/2`` (f_0 = 0 spherical, ln 2 Ising; the neglected terms are
        O(q^2)); ``eps_t = eps/(1+eps) - kappa (2/pi) (2 eps/(1+eps)^2) R`` (first order in R); the replicon
        eigenvalue is 1 up to O(q_hat^2/alpha) < 1e-20.
        """
        lin = self.linear_response()
        if lin is None or self.alpha == 0 or not lin[0] < Q_LINEAR:
            return None
        q, R, q_hat, R_hat, rho = lin
        if abs(float(x[0]) - q) > 1e-6 * q:
            return None
        eps = math.exp(-1.0 / self.T) if self.T > 0 else 0.0
        f0 = 0.0 if self.weights == "spherical" else math.log(2.0)
        c = -math.expm1(-1.0 / self.T) if self.T > 0 else 1.0
        f = f0 + self.alpha * math.log1p(-0.5 * c) + 0.5 * R_hat * R_hat
        kappa = self.linear_gain()
        eps_t = (eps / (1.0 + eps) - kappa * (2.0 / math.pi) * 2.0 * eps / (1.0 + eps) ** 2 * R) if self.T > 0 else 0.0
        order = {"q": q, "R": R, "q_hat": q_hat, "R_hat": R_hat}
        if q == 0.0 < R:                # underflow: R/sqrt(q) = R_hat/sqrt(q_hat + R_hat^2) = sqrt(g/(1+g))
            g = kappa * (2.0 / math.pi) * self.alpha
            order["_R_over_sqrt_q"] = 1.0 if self.nishimori else math.sqrt(g / (1.0 + g))
        return order, f, eps_t, 1.0

    def conjugates(self, q, R):
        e = self.energetic(q, R)
        if self.nishimori:
            return self.alpha * e["dR"], self.alpha * e["dR"], e
        return -2.0 * self.alpha * e["dq"], self.alpha * e["dR"], e

    def _qR(self, x):
        q = float(x[0])
        R = q if self.nishimori else float(x[1])
        if R * R >= q:  # an accelerated step may leave q >= R^2: project back
            R = math.copysign(math.sqrt(q) * (1 - 1e-12), R)
        return q, R

    def update(self, x):
        q, R = self._qR(x)
        q_hat, R_hat, _ = self.conjugates(q, R)
        prior = spherical_prior if self.weights == "spherical" else ising_prior
        qn, Rn = prior(max(q_hat, 0.0), R_hat)
        return np.array([Rn]) if self.nishimori else np.array([qn, Rn])

    def evaluate(self, x):
        """Free entropy and observables at a fixed point x = (q, R) (or (q,) on the Nishimori line)."""
        closed = self._evaluate_linear(x)
        if closed is not None:
            return closed
        q, R = self._qR(x)
        if self.nishimori:
            R = q
        q_hat, R_hat, e = self.conjugates(q, R)
        if self.weights == "spherical":
            gs, gamma_s = spherical_entropy(q, R), 1.0
        else:
            gs, gamma_s = ising_entropy(q, R, q_hat, R_hat), ising_gamma(q_hat, R_hat)
        f = gs + self.alpha * e["G"]
        lam = 1.0 - self.alpha * gamma_s * e["gamma"] if "gamma" in e else None
        return {"q": q, "R": R, "q_hat": q_hat, "R_hat": R_hat}, f, e["eps_t"], lam

    def problem(self):
        u_min = U_MIN if self.linear_gain() is not None else None
        if self.nishimori:
            return engine.FixedPointProblem(("q",), self.update, np.array([0.0]), np.array([1.0]),
                                            transforms=("logit",), u_min=u_min)
        return engine.FixedPointProblem(("q", "R"), self.update, np.array([0.0, -1.0]),
                                        np.array([1.0, 1.0]), transforms=("logit", "logit"), u_min=u_min)

    def inits(self):
        qs = (0.5, 0.05, 0.95) if self.weights == "spherical" else (0.3, 0.02, 0.7, 0.95, 0.995)
        out = [np.array([v]) if self.nishimori else np.array([v, v]) for v in qs]
        lin = self.linear_response()
        if lin is not None and lin[0] < 1e-3:      # the poor branch at high T / small alpha
            out.append(np.array([lin[0]] if self.nishimori else [lin[0], lin[1]]))
        return out


def _check_common(alpha, T, weights):
    alpha = check_number("alpha", alpha, lo=0.0)
    T = check_number("T", T, lo=0.0)
    if not math.isfinite(T):
        raise ParamError("T must be finite and >= 0")
    weights = check_choice("weights", weights, WEIGHTS)
    return alpha, T, weights


def _teacher_observables(order, f, eps_t, T, alpha, student):
    q, R = order["q"], order["R"]
    ratio = order.pop("_R_over_sqrt_q", None)       # the closed form's, where q underflows (T > 1e150)
    if ratio is None:
        ratio = R / math.sqrt(q) if q > 0 else 0.0
    eps_gibbs = math.acos(max(-1.0, min(1.0, R))) / math.pi
    eps_bayes = math.acos(max(-1.0, min(1.0, ratio))) / math.pi
    eps_gibbs = order.pop("_eps_gibbs", eps_gibbs)     # from 1 - q (large alpha, NishimoriComplement)
    eps_bayes = order.pop("_eps_bayes", eps_bayes)
    obs = {
        "eps_g": eps_gibbs if student == "gibbs" else eps_bayes,
        "eps_g_gibbs": eps_gibbs,
        "eps_g_bayes": eps_bayes,
        "eps_t": eps_t,
        "R": R,
        "q": q,
        "free_entropy": f,
    }
    if "one_minus_q" in order:
        obs["one_minus_q"] = order["one_minus_q"]
    if T > 0:
        obs["entropy"] = f + alpha * eps_t / T
        free_energy = -T * f
    else:
        obs["entropy"] = f
        free_energy = -f
    return obs, free_energy


def _perfect_solution(model, params):
    """The perfect-generalisation state of Ising weights: R = q = 1 exactly, zero entropy.

    It solves the RS equations at every alpha and T with infinite conjugates
    (q_hat = R_hat = inf); its free entropy is exactly 0 (one configuration,
    no training errors). Györgyi 1990; Engel & Van den Broeck sec. 7.2.
    """
    order = {"q": 1.0, "R": 1.0, "q_hat": math.inf, "R_hat": math.inf}
    obs = {"eps_g": 0.0, "eps_g_gibbs": 0.0, "eps_g_bayes": 0.0, "eps_t": 0.0, "R": 1.0, "q": 1.0,
           "free_entropy": 0.0, "entropy": 0.0}
    return Solution(model=model, params=dict(params), order=order, observables=obs, free_energy=0.0,
                    converged=True, residual=0.0, iterations=0, branch="perfect", stable=True,
                    replicon_eigenvalue=1.0, message="exact state (infinite conjugates)")


A_COMPLEMENT = 1e3   # T = 0, spherical: from here on the Nishimori map is solved in delta = 1 - q


class NishimoriComplement:
    """T = 0, spherical weights, large alpha: the Nishimori map (R = q) in ``delta = 1 - q``.

    ``1 - q ~ (alpha C0)^-2`` (perceptron; C0 = 0.72065) is 2e-12 at alpha = 7e5 and below the double
    precision of q beyond; here every quantity is computed from delta: the output channel's effective
    ``1 - Q`` and ``dQ/dq`` (:meth:`effective`; the perceptron: delta and 1), the channel from ``1 - Q``
    (``channels.nishimori_energetic``, exact as Q -> 1), the prior step ``1 - q = 2/(1 + sqrt(1 + 4 a))``
    with ``a = q_hat + R_hat^2``, ``q_hat = R_hat = alpha dG_E/dR``, the free entropy
    ``1/2 ln delta + q/2 + alpha G_E`` (spherical G_S on R = q) and the errors from delta. The coordinate
    is logit(delta) with the floor U_MIN. ``evaluate`` returns what ``TeacherStudent.evaluate`` does
    (q = 1 - delta rounded; ``one_minus_q`` = delta, and the errors exactly, in hidden keys).
    """

    nishimori = True
    weights = "spherical"
    T = 0.0

    def __init__(self, alpha):
        self.alpha = float(alpha)

    def effective(self, delta):
        """``(1 - Q, dQ/dq)`` of the output channel's overlap Q(q)."""
        return delta, 1.0

    def guess(self):
        """1 - q of the large-alpha asymptote, ``(alpha C0)^-2``."""
        aC = self.alpha * C0_NISHIMORI
        return 1.0 / aC / aC

    def linear_gain(self):
        return None

    def channel(self, one_minus_Q):
        if one_minus_Q < 1e-4:
            return nishimori_energetic(one_minus_Q)
        Q = 1.0 - one_minus_Q
        return teacher_energetic(Q, Q, 0.0)

    def conjugate(self, delta):
        dQ, chain = self.effective(delta)
        e = self.channel(dQ)
        return self.alpha * e["dR"] * chain, dQ, e

    def update(self, x):
        delta = float(x[0])
        if not 0.0 < delta < 1.0:
            return np.array(x, float)
        return np.array([complement_prior(self.conjugate(delta)[0])])

    def problem(self):
        return engine.FixedPointProblem(("one_minus_q",), self.update, np.array([0.0]), np.array([1.0]),
                                        transforms=("logit",), u_min=U_MIN)

    def inits(self):
        d = self.guess()
        return [np.array([min(v, 0.5)]) for v in (d, 10.0 * d, 0.1 * d)]

    def replicon(self, delta, dQ, e):
        """The replicon eigenvalue ``1 - alpha gamma_E`` (gamma_S = 1, spherical)."""
        return 1.0 - self.alpha * e["gamma"]

    def asymptotic(self):
        """``evaluate``'s tuple from the large-alpha asymptote where 1 - q underflows (alpha > 1e140):
        ``sqrt(delta) = 1/(alpha C0)``, ``alpha G_E = -1``, errors ``sqrt(2)/(pi C0 alpha)`` (Gibbs) and
        ``1/(pi C0 alpha)`` (Bayes), exact there (relative corrections ~0.1/alpha^2); lambda -> 1/2."""
        aC = self.alpha * C0_NISHIMORI
        f = -math.log(aC) + 0.5 - 1.0
        order = {"q": 1.0, "R": 1.0, "q_hat": math.inf, "R_hat": math.inf, "one_minus_q": 0.0,
                 "_eps_gibbs": math.sqrt(2.0) / (math.pi * aC), "_eps_bayes": 1.0 / (math.pi * aC)}
        return order, f, 0.0, 0.5

    def evaluate(self, x):
        delta = float(x[0])
        if delta == 0.0:
            return self.asymptotic()
        r_hat, dQ, e = self.conjugate(delta)
        q = 1.0 - delta
        f = 0.5 * math.log(delta) + 0.5 * q + self.alpha * float(e["G"])
        order = {"q": q, "R": q, "q_hat": r_hat, "R_hat": r_hat, "one_minus_q": delta,
                 "_eps_gibbs": 2.0 * math.asin(math.sqrt(0.5 * dQ)) / math.pi,     # arccos(1 - dQ)/pi
                 "_eps_bayes": math.asin(math.sqrt(dQ)) / math.pi}                 # arccos(sqrt(1 - dQ))/pi
        return order, f, 0.0, self.replicon(delta, dQ, e)


def complement_prior(r_hat):
    """``1 - q = 2/(1 + sqrt(1 + 4 a))`` of the spherical prior on the Nishimori line, ``a = r_hat (1 + r_hat)``,
    without overflow of ``a`` (r_hat up to 1e308)."""
    r_hat = max(float(r_hat), 0.0)
    if r_hat < 1e100:
        return 2.0 / (1.0 + math.sqrt(1.0 + 4.0 * r_hat * (1.0 + r_hat)))
    return 1.0 / (math.sqrt(r_hat) * math.sqrt(1.0 + r_hat) + 0.5)


def complement_branches(model, tol=1e-10):
    """``(model, roots)`` of a :class:`NishimoriComplement` model (one RS root: spherical weights).

    Where the asymptotic 1 - q underflows (below 1e-280) the root is ``x = (0,)``, evaluated by
    ``model.asymptotic()`` (exact there)."""
    if model.guess() < 1e-280:
        return model, [engine.Root(np.array([0.0]), True, 0.0, 0, message="large-alpha asymptote (1 - q < 1e-280)",
                                   extra={"attracting": True, "spectral_radius": 0.0})]
    problem = model.problem()
    found, _ = engine.find_fixed_points(problem, model.inits(), tol=tol, max_iter=400)
    for r in found:
        polish_relative(model, r, force=True)
        r.extra["attracting"], r.extra["spectral_radius"] = engine.attracting(problem, r.x)
    return model, found


# 1 - q = (alpha C0)^-2 at large alpha: G_E ~ -C0 sqrt(1 - q) on the Nishimori line,
# C0 = -sqrt(2/pi) int dy Phi(y) ln Phi(y) (channels.nishimori_energetic: G_E sqrt(q)/... as 1 - q -> 0)
C0_NISHIMORI = 0.7206471695142628


Q_POLISH = 1e-4   # roots with smaller q are polished to relative precision (polish_relative)


def polish_relative(model, root, rtol=1e-13, max_iter=100, force=False, near_one=True, scale=None):
    """Polish a root to precision *relative to its distance from the boundary* by plain iteration.

    The engine's tolerances are absolute (1e-10 on x, 1e-6 on logit q): that leaves R ~ 1e-12 (high T,
    small alpha) with no correct digit, and 1 - q at large alpha (or the complement coordinate
    ``1 - q`` itself) with ~1e-6 relative error. Where a component is small (``q < Q_POLISH``) the map
    is a strong contraction and plain iteration reaches machine precision in a few steps; near q = 1
    (``near_one``) it contracts by ~1/2 per step in ln(1 - q). The scale of each component is
    ``min(|x|, 1 - |x|)`` (all overlaps live in [-1, 1]; ``scale(x)`` replaces it for other coordinates,
    and the polish then runs when the first component is small); the iteration stops when every change is below
    ``rtol`` times its scale (or at the rounding of x). The polished point replaces the root only if it
    got there; otherwise the root is returned unchanged. Models without a ``linear_gain`` (channels not
    checked at small overlaps) are left alone unless ``force``.
    """
    known = force or getattr(model, "linear_gain", lambda: None)() is not None
    if not root.converged or not known:
        return root
    x = np.array(root.x, float)
    scale_of = scale or (lambda y: np.minimum(np.abs(y), 1.0 - np.abs(y)))
    small = x[0] > 0 and (x[0] < Q_POLISH or (near_one and scale is None and np.min(scale_of(x)) < Q_POLISH))
    if not small:
        return root
    done = False
    for _ in range(max_iter):
        with np.errstate(all="ignore"):
            fx = np.asarray(model.update(x), float)
        if not np.all(np.isfinite(fx)) or not fx[0] > 0:
            return root
        sc = np.maximum(scale_of(fx), 1e-300)
        step = np.abs(fx - x)
        x = fx
        if np.all(step <= rtol * sc + 4.0 * np.finfo(float).eps * np.abs(fx)):
            done = True
            break
    if done:
        root.x = x
        root.residual = float(np.max(np.abs(np.asarray(model.update(x), float) - x)))
    return root


def teacher_branches(alpha, T, weights, inits=None, tol=1e-10):
    """All RS fixed points (q, R) of teacher-student learning found from ``inits``: a list of Roots.

    The exact perfect state of Ising weights is not among them (see :func:`_perfect_solution`).
    """
    if T == 0 and weights == "spherical" and alpha >= A_COMPLEMENT and inits is None:
        return complement_branches(NishimoriComplement(alpha), tol)
    model = TeacherStudent(alpha, T, weights)
    if alpha == 0:
        r = engine.Root(np.array([0.0] if model.nishimori else [0.0, 0.0]), True, 0.0, 0)
        return model, [r]
    closed = model.linear_root()
    if closed is not None:
        return model, [closed]
    problem = model.problem()
    # a branch that exists is reached in tens of accelerated steps (Newton finishes near a fold);
    # the cap only bounds the time spent creeping past a spinodal's ghost
    found, _ = engine.find_fixed_points(problem, inits or model.inits(), tol=tol, max_iter=400)
    for r in found:
        polish_relative(model, r)
        r.extra["attracting"], r.extra["spectral_radius"] = engine.attracting(problem, r.x)
    return model, found


def teacher(alpha=1.0, T=0.0, weights="spherical", student="gibbs", strict=False, inits=None):
    """Teacher-student learning of a perceptron: RS order parameters, errors, free energy, branches.

    A student perceptron learns ``P = alpha N`` examples labelled by a teacher
    perceptron of the same weight type, with Gibbs weight ``exp(-E/T)`` over its
    number of training errors ``E`` (``T = 0``: uniform on the version space).

    Parameters
    ----------
    alpha : float >= 0, examples per weight.
    T : float >= 0, training temperature.
    weights : ``"spherical"`` or ``"ising"``.
    student : ``"gibbs"`` (a sample of the Gibbs measure; ``eps_g = arccos(R)/pi``)
        or ``"bayes"`` (its centre of mass, the Bayes-optimal predictor at ``T = 0``;
        ``eps_g = arccos(R/sqrt q)/pi``). Both are reported as ``eps_g_gibbs``,
        ``eps_g_bayes``.

    Returns
    -------
    Solution
        The thermodynamic branch; every branch found in ``.branches``
        (Ising: ``"poor"`` and the exact ``"perfect"`` state, R = q = 1).

    Notes
    -----
    Engel & Van den Broeck (2001) eqs. (2.41)-(2.42) (spherical, T = 0),
    (4.?) for T > 0 and ch. 7 for Ising weights; Györgyi, PRA 41, 7097 (1990);
    Sompolinsky, Tishby & Seung, PRL 65, 1683 (1990). Asymptotics:
    ``eps_g ~ 0.625/alpha`` (Gibbs) and ``0.442/alpha`` (Bayes) for spherical weights.

    Examples
    --------
    >>> sol = teacher(alpha=2.0, weights="ising")
    >>> [b.branch for b in sol.branches]
    ['poor', 'perfect']
    """
    alpha, T, weights = _check_common(alpha, T, weights)
    student = check_choice("student", student, STUDENTS)
    params = {"alpha": alpha, "T": T, "weights": weights, "student": student}
    name = "perceptron.teacher"
    model, roots = teacher_branches(alpha, T, weights, inits)
    sols = []
    for r in roots:
        order, f, eps_t, lam = model.evaluate(r.x) if alpha > 0 else (
            {"q": 0.0, "R": 0.0, "q_hat": 0.0, "R_hat": 0.0},
            0.0 if weights == "spherical" else math.log(2.0), 0.5 * (1 - math.exp(-1 / T)) if T > 0 else 0.0, 1.0)
        if alpha == 0 and T > 0:
            # no data: uniform weights, training error 1/2 is irrelevant (no examples)
            eps_t = 0.5
        obs, F = _teacher_observables(order, f, eps_t, T, alpha, student)
        attracting = r.extra.get("attracting", True)
        label = ("poor" if weights == "ising" else "rs") if attracting else "unstable"
        sols.append(Solution(model=name, params=params, order=order, observables=obs, free_energy=F,
                             converged=True, residual=r.residual, iterations=r.iterations,
                             branch=label, status=None if attracting else "unstable",
                             stable=bool(lam > 0), replicon_eigenvalue=lam))
    if weights == "ising" and alpha > 0:
        sols.append(_perfect_solution(name, params))
    if not sols and weights == "spherical" and alpha > 1e3 and T > 0:
        # spherical weights have exactly one RS state; at T > 0 and large alpha 1 - R ~ eps_g^2 falls below
        # what the (q, R) coordinates resolve (2e-12; T = 0 is solved in 1 - q)
        msg = (f"no RS solution resolved at alpha={alpha:g}, T={T:g}: 1 - R ~ (c(T)/alpha)^2 is below the "
               "resolution of the (q, R) coordinates (2e-12); eps_g ~ c(T)/alpha there")
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(name, params, msg)
    _label_multiple(sols)
    return select_thermodynamic(name, params, sols, strict)


def _label_multiple(sols):
    """Give distinct labels when a model finds two non-exact branches of the same kind."""
    seen = {}
    for s in sorted(sols, key=lambda s: s.order.get("R", s.order.get("q", 0.0))):
        k = s.branch
        seen[k] = seen.get(k, 0) + 1
        if seen[k] > 1:
            s.branch = f"{k}{seen[k]}"


# ----------------------------------------------------------------------------
# Storage: the Gardner volume
# ----------------------------------------------------------------------------

@dataclass
class _Storage:
    alpha: float
    kappa: float
    weights: str

    def update(self, x):
        q = float(x[0])
        e = storage_energetic(q, self.kappa)
        q_hat = max(-2.0 * self.alpha * e["dq"], 0.0)
        qn = spherical_prior(q_hat, 0.0)[0] if self.weights == "spherical" else ising_prior(q_hat, 0.0)[0]
        return np.array([qn])

    def evaluate(self, x):
        q = float(x[0])
        e = storage_energetic(q, self.kappa)
        q_hat = -2.0 * self.alpha * e["dq"]
        if self.weights == "spherical":
            gs, gamma_s = spherical_entropy(q, 0.0), 1.0
        else:
            gs, gamma_s = ising_entropy(q, 0.0, q_hat, 0.0), ising_gamma(q_hat, 0.0)
        return q, q_hat, gs + self.alpha * e["G"], 1.0 - self.alpha * gamma_s * e["gamma"]

    def problem(self):
        # q ~ alpha (phi(kappa)/H(-kappa))^2 at strongly negative kappa (1e-44 at kappa = -10): the
        # logit floor U_MIN lets the iteration reach it; storage_energetic is accurate there
        return engine.FixedPointProblem(("q",), self.update, np.array([0.0]), np.array([1.0]),
                                        transforms=("logit",), u_min=U_MIN)


def gardner_integral(kappa):
    """I(kappa) = int_{-kappa}^inf Dt (t + kappa)^2 = (1 + kappa^2) H(-kappa) + kappa phi(kappa).

    For kappa < -1 the two terms cancel to ``2 phi(kappa)/|kappa|^3`` (relative loss kappa^4); there
    ``I = phi(kappa) int_0^inf s^2 exp(-s |kappa| - s^2/2) ds`` (t = |kappa| + s) is summed directly.
    """
    if kappa >= -1.0:
        return (1.0 + kappa * kappa) * ndtr(kappa) + kappa * math.exp(log_phi(kappa))
    y = -kappa
    s, w = panel_rule(((0.0, 1.0 / y),), reach=40.0 / y + 1.0)       # Gaussian weight: phi(s)
    m = s > 0
    # int_0^inf s^2 e^{-sy - s^2/2} ds = sqrt(2 pi) int_0^inf Ds s^2 e^{-sy}
    return math.exp(log_phi(kappa)) * math.sqrt(2.0 * math.pi) * float(np.dot(w[m], s[m] ** 2 * np.exp(-y * s[m])))


def capacity(kappa=0.0, weights="spherical", zero_entropy=True):
    """RS storage capacity of the perceptron with margin kappa.

    Spherical weights: ``alpha_c = 1 / I(kappa)``, ``I = int_{-kappa}^inf Dt (t+kappa)^2``
    (Gardner 1988, eq. (28); alpha_c(0) = 2). Ising weights: the RS solution
    reaches q = 1 at ``alpha = 2 / (pi I(kappa))`` (Gardner & Derrida 1988; 4/pi at
    kappa = 0), and the RS entropy vanishes earlier, at ``alpha_zero_entropy``
    (Krauth & Mézard 1989: 0.833 at kappa = 0), which is the capacity the
    one-step RSB theory confirms.
    """
    kappa = check_number("kappa", kappa, lo=-10.0, hi=10.0)
    weights = check_choice("weights", weights, WEIGHTS)
    I = gardner_integral(kappa)
    params = {"kappa": kappa, "weights": weights}
    if weights == "spherical":
        obs = {"alpha_c": 1.0 / I}
        return Solution(model="perceptron.capacity", params=params, observables=obs, branch="rs",
                        status="thermodynamic", message="closed form")
    obs = {"alpha_c": 2.0 / (math.pi * I)}
    res, its = 0.0, 0
    if zero_entropy:
        try:
            a0, root = ising_zero_entropy(kappa)
        except (ConvergenceError, ValueError) as err:
            return Solution.failed("perceptron.capacity", params, f"Ising zero-entropy point not found: {err}")
        obs["alpha_zero_entropy"] = a0
        obs["q_at_zero_entropy"] = float(root.x[0])
        res, its = root.residual, root.iterations
    return Solution(model="perceptron.capacity", params=params, observables=obs, residual=res,
                    iterations=its, branch="rs", status="thermodynamic")


def ising_zero_entropy(kappa=0.0, tol=1e-12):
    """The alpha where the RS entropy of the Ising storage problem vanishes (Krauth & Mézard 1989)."""
    cache = {}

    def entropy_at(a):
        st = _Storage(a, kappa, "ising")
        r = engine.iterate(st.problem(), np.array([0.05]))
        if not r.converged and "x" in cache:
            r = engine.iterate(st.problem(), cache["x"])
        if not r.converged:
            raise ConvergenceError(f"Ising storage RS equations did not converge at alpha={a}: {r.message}")
        cache["x"], cache["root"] = r.x, r
        return st.evaluate(r.x)[2]

    # bracket: the RS entropy vanishes below the RS capacity (q -> 1) and below the annealed zero
    # ln 2 + alpha ln H(kappa) = 0 (quenched <= annealed entropy); at strongly negative kappa the
    # solutions are nearly uncorrelated (q ~ alpha phi(kappa)^2) and the two coincide
    hi = 2.0 / (math.pi * gardner_integral(kappa))
    annealed = math.log(2.0) / -float(log_ndtr(-kappa))
    top = min(0.999 * hi, annealed * (1.0 + 1e-6))
    a0 = engine.transition(entropy_at, 0.05 * top, top, xtol=tol * top)
    entropy_at(a0)
    polish_relative(_Storage(a0, kappa, "ising"), cache["root"], force=True)
    return a0, cache["root"]


def storage(alpha=1.0, kappa=0.0, weights="spherical", strict=False):
    """Gardner volume of the perceptron storing random patterns with margin kappa (RS).

    Returns the overlap ``q`` between two solutions, the entropy (log of the
    fractional volume of couplings, per weight; for Ising weights, log of the
    number of solutions per weight) and the replicon stability ``stable``.
    Gardner, J. Phys. A 21, 257 (1988); Gardner & Derrida, J. Phys. A 21, 271 (1988);
    Engel & Van den Broeck ch. 6-7.
    """
    alpha = check_number("alpha", alpha, lo=0.0)
    kappa = check_number("kappa", kappa, lo=-10.0, hi=10.0)
    weights = check_choice("weights", weights, WEIGHTS)
    params = {"alpha": alpha, "kappa": kappa, "weights": weights}
    name = "perceptron.storage"
    I = gardner_integral(kappa)
    a_c = 1.0 / I if weights == "spherical" else 2.0 / (math.pi * I)
    if alpha >= a_c:
        msg = (f"alpha={alpha:g} >= the RS capacity {a_c:.6g} at kappa={kappa:g}: "
               "no RS solution with q < 1 (the volume is empty)")
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(name, params, msg)
    if alpha == 0:
        order = {"q": 0.0, "q_hat": 0.0}
        ent = 0.0 if weights == "spherical" else math.log(2.0)
        obs = {"q": 0.0, "entropy": ent}
        return select_thermodynamic(name, params, [Solution(model=name, params=params, order=order, observables=obs,
                                               free_energy=-ent, branch="rs", stable=True,
                                               replicon_eigenvalue=1.0)], strict)
    r_k = math.sqrt(2.0 / math.pi) / float(erfcx(kappa / math.sqrt(2.0)))      # phi(kappa)/H(kappa)
    if alpha * r_k * r_k < 1e-250:
        # q = alpha r(kappa)^2 (1 + O(q kappa^2)) underflows the logit coordinate: the closed form, exact
        # there; entropy f_0 + alpha ln H(kappa) - q^2/4, replicon 1 - alpha (kappa r - r^2)^2 at q -> 0
        q = alpha * r_k * r_k
        f = (0.0 if weights == "spherical" else math.log(2.0)) + alpha * float(log_ndtr(-kappa)) - 0.25 * q * q
        lam = 1.0 - alpha * (kappa * r_k - r_k * r_k) ** 2
        sol = Solution(model=name, params=params, order={"q": q, "q_hat": q}, observables={"q": q, "entropy": f},
                       free_energy=-f, branch="rs", stable=bool(lam > 0), replicon_eigenvalue=lam,
                       message="closed form (q < 1e-250)")
        return select_thermodynamic(name, params, [sol], strict)
    st = _Storage(alpha, kappa, weights)
    found, failed = engine.find_fixed_points(st.problem(), [np.array([0.3]), np.array([0.05]), np.array([0.9])])
    sols = []
    for r in found:
        polish_relative(st, r, force=True)
        q, q_hat, f, lam = st.evaluate(r.x)
        sols.append(Solution(model=name, params=params, order={"q": q, "q_hat": q_hat},
                             observables={"q": q, "entropy": f}, free_energy=-f, converged=True,
                             residual=r.residual, iterations=r.iterations, branch="rs",
                             stable=bool(lam > 0), replicon_eigenvalue=lam))
    _label_multiple(sols)
    return select_thermodynamic(name, params, sols, strict)


# ----------------------------------------------------------------------------
# The first-order transition of Ising teacher-student learning
# ----------------------------------------------------------------------------


def teacher_transition(T=0.0, weights="ising", alpha_start=0.5, alpha_end=20.0, tol=1e-9):
    """First-order transition to perfect generalisation and the spinodal of the poor branch.

    The poor-generalisation branch (R < 1) is followed in alpha from
    ``alpha_start`` until it ends (saddle-node: the spinodal ``alpha_spinodal``);
    the transition ``alpha_transition`` is where its free entropy crosses that of
    the exact perfect state (zero). Györgyi, PRA 41, 7097 (1990): at T = 0,
    alpha_transition = 1.245 and alpha_spinodal = 1.493; Sompolinsky, Tishby &
    Seung, PRL 65, 1683 (1990) for T > 0.
    """
    alpha_start, T, weights = _check_common(alpha_start, T, weights)
    if weights != "ising":
        raise ParamError("weights=spherical has no first-order transition; allowed: weights=ising")
    params = {"T": T, "weights": weights}
    name = "perceptron.transition"
    _, roots = teacher_branches(alpha_start, T, weights)
    found = engine.poor_to_perfect_transition(lambda a: TeacherStudent(a, T, weights), roots, alpha_start, alpha_end, tol)
    if isinstance(found, str):
        return Solution.failed(name, params, found)
    a_tr, a_sp, order_tr, x_sp = found
    obs = {
        "alpha_transition": a_tr,
        "alpha_spinodal": a_sp,
        "R_poor_at_transition": order_tr["R"],
        "eps_g_poor_at_transition": math.acos(order_tr["R"]) / math.pi,
        "R_poor_at_spinodal": float(x_sp[-1]),
    }
    return Solution(model=name, params=params, observables=obs, branch="poor", status="thermodynamic",
                    message="engine: spinodal by branch following, transition by free-entropy crossing")


def hebb(alpha=1.0):
    """Hebb rule on teacher-student data: ``R = sqrt(2 alpha/pi) / sqrt(1 + 2 alpha/pi)`` (closed form).

    ``J = sum_mu sigma_mu xi_mu / sqrt N``: ``J.B/N = alpha sqrt(2/pi)`` and
    ``|J|^2/N = alpha + 2 alpha^2/pi`` at large N (Vallet 1989; Engel & Van den
    Broeck sec. 3.1). ``eps_g = arccos(R)/pi ~ 1/sqrt(2 pi alpha)`` for large alpha.
    """
    alpha = check_number("alpha", alpha, lo=0.0)
    x = 2.0 * alpha / math.pi
    R = math.sqrt(x / (1.0 + x))
    return Solution(model="perceptron.rule", params={"alpha": alpha, "rule": "hebb"}, order={"R": R},
                    observables={"R": R, "eps_g": math.acos(R) / math.pi}, branch="closed form",
                    status="thermodynamic", message="closed form")


def teacher_curve(alphas, T=0.0, weights="spherical", student="gibbs"):
    """Teacher-student learning along a sorted alpha grid by continuation of one branch.

    Starts from the thermodynamic branch at ``alphas[0]`` and follows it with
    Newton continuation (engine.follow): per point a few evaluations of the
    RS map, no restarts. Returns a list of Solutions (one per alpha reached;
    the list is shorter if the branch ends, e.g. at the Ising spinodal).
    For all branches at each point use :func:`teacher`.
    """
    alphas = [check_number("alpha", a, lo=0.0, lo_open=True) for a in np.atleast_1d(alphas)]
    _, T, weights = _check_common(alphas[0], T, weights)
    student = check_choice("student", student, STUDENTS)
    if T == 0 and weights == "spherical":
        # one RS state at every alpha: all points at once (perceptron_batch), the rest point by point
        sols = teacher_batch([{"alpha": a, "T": 0.0, "weights": "spherical", "student": student} for a in alphas])
        return [s if s is not None else teacher(a, T, weights, student) for a, s in zip(alphas, sols)]
    first = teacher(alphas[0], T, weights, student)
    if first.branch == "perfect" or (T == 0 and weights == "spherical" and alphas[-1] >= A_COMPLEMENT):
        return [teacher(a, T, weights, student) for a in alphas]
    _, roots = teacher_branches(alphas[0], T, weights)
    x0 = min(roots, key=lambda r: abs(r.x[0] - first["q"])).x
    path = engine.follow(lambda a: TeacherStudent(a, T, weights).problem(), alphas, x0)
    out = []
    for a, r in path:
        model = TeacherStudent(a, T, weights)
        order, f, eps_t, lam = model.evaluate(r.x)
        obs, F = _teacher_observables(order, f, eps_t, T, a, student)
        out.append(Solution(model="perceptron.teacher", params={"alpha": a, "T": T, "weights": weights,
                                                                "student": student},
                            order=order, observables=obs, free_energy=F, residual=r.residual,
                            iterations=r.iterations, branch=first.branch, stable=bool(lam > 0),
                            replicon_eigenvalue=lam, message="continuation (one branch)"))
    return out


def teacher_batch(points: list[dict]) -> list:
    """Solutions of :func:`teacher` for a list of parameter dicts, batched where the equations allow.

    Points with ``T = 0``, spherical weights and ``0 < alpha < A_COMPLEMENT`` (one RS state, the
    Nishimori line) are solved together by :func:`replicon.theory.perceptron_batch.nishimori_batch`
    (equal to the point path to its tolerance, tested); the entry of every other point, and of a
    batched point that did not converge, is None (the caller solves it with :func:`teacher`).
    """
    from .perceptron_batch import nishimori_batch

    out: list = [None] * len(points)
    idx = [i for i, p in enumerate(points)
           if float(p.get("T", 0.0)) == 0.0 and p.get("weights", "spherical") == "spherical"
           and 0.0 < float(p.get("alpha", 1.0)) < A_COMPLEMENT and not p.get("strict", False)
           and p.get("inits") is None]
    if not idx:
        return out
    res = nishimori_batch([float(points[i]["alpha"]) for i in idx])
    for j, i in enumerate(idx):
        if not res["converged"][j]:
            continue
        p = points[i]
        student = p.get("student", "gibbs")
        q, qh, lam = float(res["q"][j]), float(res["q_hat"][j]), float(res["replicon"][j])
        f = float(res["free_entropy"][j])
        order = {"q": q, "R": q, "q_hat": qh, "R_hat": qh}
        obs, F = _teacher_observables(dict(order), f, 0.0, 0.0, float(p["alpha"]), student)
        params = {"alpha": float(p["alpha"]), "T": 0.0, "weights": "spherical", "student": student}
        sol = Solution(model="perceptron.teacher", params=params, order=order, observables=obs, free_energy=F,
                       residual=float(res["residual"][j]), iterations=int(res["iterations"][j]), branch="rs",
                       stable=bool(lam > 0), replicon_eigenvalue=lam, message="batched Newton (Nishimori line)")
        out[i] = select_thermodynamic("perceptron.teacher", params, [sol], False)
    return out


def teacher_near(params: dict, previous: Solution | None) -> Solution:
    """Scan hook: solve at ``params`` starting also from every branch of a neighbouring point."""
    inits = None
    if previous is not None and previous.converged:
        m = TeacherStudent(params.get("alpha", 1.0), params.get("T", 0.0), params.get("weights", "spherical"))
        inits = m.inits()
        for b in previous.branches or [previous]:
            if b.branch != "perfect" and "q" in b.order:
                x = [b.order["q"]] if m.nishimori else [b.order["q"], b.order["R"]]
                inits.insert(0, np.array(x))
    return teacher(**params, inits=inits)


# ----------------------------------------------------------------------------
# Maximal stability (the AdaTron / optimal-margin perceptron)
# ----------------------------------------------------------------------------

def _maxstab_terms(eps, kappa):
    """F = 2 int_{t<kappa} Dt H(-A t)(kappa - t)^2 and dF/dR, with R = cos(pi eps), A = R/sqrt(1-R^2)."""
    R, s = math.cos(math.pi * eps), math.sin(math.pi * eps)
    A = R / s
    t, w = panel_rule(((kappa, max(abs(kappa), 1e-3) * 1e-2 + 1e-6), (0.0, 1.0 / max(abs(A), 1e-6))))
    m = t < kappa
    tm, wm = t[m], w[m]
    gap2 = (kappa - tm) ** 2
    F = 2.0 * np.dot(wm, ndtr(A * tm) * gap2)
    dF = 2.0 * np.dot(wm, np.exp(log_phi(A * tm)) * tm * gap2) / s ** 3
    return R, F, dF


def max_stability(alpha=1.0, tol=1e-11):
    """Teacher-student learning curve of the maximal-stability perceptron (Gardner volume at q -> 1).

    The couplings of largest minimal stability kappa on ``P = alpha N`` teacher
    examples: in the limit q -> 1 of the teacher-student Gardner volume the
    coefficient of ``1/(1-q)`` must vanish at its extremum in R,

        1 - R^2 = alpha F(R, kappa),    alpha dF/dR = -2 R,
        F = 2 int_{-inf}^{kappa} Dt H(-R t / sqrt(1 - R^2)) (kappa - t)^2,

    (Gardner 1988 with a teacher; Opper, Kinzel, Kleinz & Nehl, J. Phys. A 23,
    L581 (1990); Engel & Van den Broeck sec. 3.5). ``eps_g = arccos(R)/pi`` decays as
    ``0.5005/alpha``. This is what the AdaTron converges to.
    """
    from scipy import optimize

    alpha = check_number("alpha", alpha, lo=0.0, lo_open=True)
    params = {"alpha": alpha}

    def eqs(x):
        eps, kappa = math.exp(x[0]), x[1]
        if eps >= 0.5:
            return [1e3, 1e3]
        R, F, dF = _maxstab_terms(eps, kappa)
        s2 = 1.0 - R * R
        return [1.0 - alpha * F / s2, (alpha * dF + 2.0 * R) * s2 / max(R, 1e-300)]

    # initial guess from the small- and large-alpha behaviour
    eps0 = min(0.45, 0.5 / (alpha + 1.0))
    kappa0 = 1.0 / math.sqrt(alpha) if alpha < 1 else 0.8 / alpha
    best = None
    for x0 in ([math.log(eps0), kappa0], [math.log(eps0 * 0.7), 1.5 * kappa0], [math.log(0.3), 1.0]):
        sol = optimize.root(eqs, x0, method="hybr", options={"xtol": 1e-14})
        res = float(np.max(np.abs(eqs(sol.x))))
        if best is None or res < best[1]:
            best = (sol.x, res)
        if res < tol:
            break
    x, res = best
    if not res < tol:
        return Solution.failed("perceptron.rule", params, f"maximal-stability equations did not converge "
                                                          f"(residual {res:.1e})", residual=res)
    eps, kappa = math.exp(x[0]), float(x[1])
    R = math.cos(math.pi * eps)
    return Solution(model="perceptron.rule", params=params, order={"R": R, "kappa": kappa},
                    observables={"R": R, "eps_g": eps, "kappa": kappa}, residual=res, branch="maxstab",
                    status="thermodynamic")
