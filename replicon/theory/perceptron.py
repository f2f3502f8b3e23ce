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
from scipy.special import ndtr

from .._util import ParamError, check_choice, check_number
from . import engine
from .channels import log_phi, storage_energetic, teacher_energetic
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
        if self.nishimori:
            return engine.FixedPointProblem(("q",), self.update, np.array([0.0]), np.array([1.0]),
                                            transforms=("logit",))
        return engine.FixedPointProblem(("q", "R"), self.update, np.array([0.0, -1.0]),
                                        np.array([1.0, 1.0]), transforms=("logit", "logit"))

    def inits(self):
        qs = (0.5, 0.05, 0.95) if self.weights == "spherical" else (0.3, 0.02, 0.7, 0.95, 0.995)
        return [np.array([v]) if self.nishimori else np.array([v, v]) for v in qs]


def _check_common(alpha, T, weights):
    alpha = check_number("alpha", alpha, lo=0.0)
    T = check_number("T", T, lo=0.0)
    if not math.isfinite(T):
        raise ParamError("T must be finite and >= 0")
    weights = check_choice("weights", weights, WEIGHTS)
    return alpha, T, weights


def _teacher_observables(order, f, eps_t, T, alpha, student):
    q, R = order["q"], order["R"]
    eps_gibbs = math.acos(max(-1.0, min(1.0, R))) / math.pi
    eps_bayes = math.acos(max(-1.0, min(1.0, R / math.sqrt(q)))) / math.pi if q > 0 else 0.5
    obs = {
        "eps_g": eps_gibbs if student == "gibbs" else eps_bayes,
        "eps_g_gibbs": eps_gibbs,
        "eps_g_bayes": eps_bayes,
        "eps_t": eps_t,
        "R": R,
        "q": q,
        "free_entropy": f,
    }
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


def teacher_branches(alpha, T, weights, inits=None, tol=1e-10):
    """All RS fixed points (q, R) of teacher-student learning found from ``inits``: a list of Roots.

    The exact perfect state of Ising weights is not among them (see :func:`_perfect_solution`).
    """
    model = TeacherStudent(alpha, T, weights)
    if alpha == 0:
        r = engine.Root(np.array([0.0] if model.nishimori else [0.0, 0.0]), True, 0.0, 0)
        return model, [r]
    problem = model.problem()
    # a branch that exists is reached in tens of accelerated steps (Newton finishes near a fold);
    # the cap only bounds the time spent creeping past a spinodal's ghost
    found, _ = engine.find_fixed_points(problem, inits or model.inits(), tol=tol, max_iter=400)
    for r in found:
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
        return engine.FixedPointProblem(("q",), self.update, np.array([0.0]), np.array([1.0]),
                                        transforms=("logit",))


def gardner_integral(kappa):
    """I(kappa) = int_{-kappa}^inf Dt (t + kappa)^2 = (1 + kappa^2) H(-kappa) + kappa phi(kappa)."""
    return (1.0 + kappa * kappa) * ndtr(kappa) + kappa * math.exp(log_phi(kappa))


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
        a0, root = ising_zero_entropy(kappa)
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

    hi = 2.0 / (math.pi * gardner_integral(kappa))
    a0 = engine.transition(entropy_at, 0.05 * hi, 0.999 * hi, xtol=tol)
    entropy_at(a0)
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
    st = _Storage(alpha, kappa, weights)
    found, failed = engine.find_fixed_points(st.problem(), [np.array([0.3]), np.array([0.05]), np.array([0.9])])
    sols = []
    for r in found:
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
    first = teacher(alphas[0], T, weights, student)
    if first.branch == "perfect":
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
