"""Storage in deep tree committee machines: the Gardner volume of random labels (RS).

The deep tree of :mod:`.deep` (branching K_1..K_L, majority or parity rule, sign units)
storing ``P = alpha N`` random +-1 labels. Random labels make the energetic term the teacher
problem's at ``R = 0`` (the label is independent of the weights: teacher probabilities 1/2),

    G_E(q) = E_t[ (1/2) ln P_S(+ | t) + (1/2) ln P_S(- | t) ],

computed by :func:`.deep.deep_energetic_value` (composition of the one-layer rule
probabilities, Gauss-compressed between layers), with the perceptron's entropic term
(spherical: ``1/2 ln(1-q) + q/(2(1-q))``; Ising: :func:`replicon.theory.priors.ising_entropy`).
Replicon (AT) eigenvalue ``lambda = 1 - alpha gamma_S gamma_E`` of the mode uniform over all
first-layer units (:mod:`.deep`, module docstring); AT line: the root in q of ``lambda`` along
the saddle point, parametrised by q as in :mod:`.storage`.

**RS capacity (spherical).** At ``q -> 1`` the free entropy is ``[1 - alpha C]/(2(1-q))`` with
``C`` the mean least cost of making the output right by moving first-layer fields ``t_i`` to
zero (cost ``t_i^2`` each; :func:`.storage.tree_storage_capacity` for L = 1). Through the tree a
unit's state is its sign and its flip cost ``d``: a first-layer unit has ``d = t^2``; a parity
unit flips with its cheapest child (``d = min_k d_k``); a majority unit with ``n`` children
agreeing with it flips with the ``n - (K-1)/2`` cheapest of those. By the symmetry of the
rule, the output's sign is independent of ``d`` and ``C = E[d_out]/2``, ``alpha_c = 1/C``.
``E[d_out]`` is a Monte Carlo average over the M Gaussian fields (fixed seed, 2e6 samples by
default, its standard error reported): the only place in the model with a sampling error.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from ..._util import ParamError, check_choice, check_number
from .. import engine
from ..priors import ising_entropy, ising_gamma, ising_prior, spherical_entropy, spherical_prior
from ..solution import ConvergenceError, Solution, select_thermodynamic
from .deep import check_activation, deep_energetic_value, parse_branching

WEIGHTS = ("spherical", "ising")


def deep_storage_energetic(q, branching, output="majority", gamma=False):
    """``G_E(q)``, ``dG_E/dq`` (central difference, step 1e-5 min(q, 1-q)) and, if ``gamma``, the replicon factor."""
    q = min(max(q, 1e-12), 1.0 - 1e-12)
    e = deep_energetic_value(q, 0.0, 0.0, branching, output, gamma)
    h = 1e-5 * min(q, 1.0 - q)
    up = deep_energetic_value(q + h, 0.0, 0.0, branching, output)["G"]
    down = deep_energetic_value(q - h, 0.0, 0.0, branching, output)["G"]
    e["dq"] = (up - down) / (2.0 * h)
    return e


def flip_costs(branching, output, n_samples=2_000_000, seed=0, chunk=200_000):
    """Samples of the output's least flip cost ``d_out`` (module docstring) for iid N(0,1) first-layer fields."""
    Ks = tuple(branching)
    M = int(np.prod(Ks))
    rng = np.random.default_rng(seed)
    out = []
    left = int(n_samples)
    while left > 0:
        n = min(chunk, left)
        left -= n
        t = rng.standard_normal((n, M))
        sign, d = np.sign(t), t * t
        for K in Ks:
            sign = sign.reshape(n, -1, K)
            d = d.reshape(n, -1, K)
            if output == "parity":
                s_new = np.prod(sign, axis=2)
                d_new = d.min(axis=2)
            else:
                h = (K - 1) // 2
                s_new = np.sign(sign.sum(axis=2))
                agree = sign == s_new[:, :, None]
                ds = np.sort(np.where(agree, d, np.inf), axis=2)
                ds = np.where(np.isfinite(ds), ds, 0.0)
                csum = np.cumsum(ds, axis=2)
                need = agree.sum(axis=2) - h                      # >= 1
                d_new = np.take_along_axis(csum, (need - 1)[:, :, None], axis=2)[:, :, 0]
            sign, d = s_new, d_new
        out.append(d[:, 0])
    return np.concatenate(out)


def deep_storage_capacity(branching="3,3", output="majority", n_samples=2_000_000, seed=0):
    """RS storage capacity ``alpha_c = 2 / E[d_out]`` of the spherical deep tree and its standard error.

    Module docstring. L = 1 majority: :func:`.storage.tree_storage_capacity` (4.025 for K = 3);
    branching 1: Gardner's 2. Returns ``(alpha_c, sem)``.
    """
    Ks, output = parse_branching(branching, output)
    d = flip_costs(Ks, output, n_samples, seed)
    m, s = float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size))
    return 2.0 / m, 2.0 * s / m ** 2


def _alpha_of_q(q, Ks, output):
    """Spherical stationarity q_hat = q/(1-q)^2 = -2 alpha dG_E/dq solved for alpha."""
    return q / ((1.0 - q) ** 2 * (-2.0 * deep_storage_energetic(q, Ks, output)["dq"]))


def deep_storage_at_line(branching="3,3", output="majority"):
    """``(alpha_AT, q_AT)``: where the spherical RS Gardner volume turns replicon-unstable, or (None, None)."""
    Ks, output = parse_branching(branching, output)

    def lam(q):
        return 1.0 - _alpha_of_q(q, Ks, output) * deep_storage_energetic(q, Ks, output, gamma=True)["gamma"]

    qs = [1e-3, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97, 0.99]
    prev = qs[0]
    if lam(prev) <= 0:
        raise ConvergenceError(f"branching={Ks}: the RS Gardner volume is already unstable at q={prev}")
    for qv in qs[1:]:
        if lam(qv) <= 0:
            q_at = brentq(lam, prev, qv, xtol=1e-9)
            return _alpha_of_q(q_at, Ks, output), q_at
        prev = qv
    return None, None


class DeepStorage:
    """Gardner volume of the deep tree: the fixed-point map q -> q_hat -> q (spherical or Ising prior)."""

    def __init__(self, branching, output, alpha, weights):
        self.branching, self.output, self.alpha, self.weights = tuple(branching), output, float(alpha), weights

    def update(self, x):
        e = deep_storage_energetic(float(x[0]), self.branching, self.output)
        q_hat = max(-2.0 * self.alpha * e["dq"], 0.0)
        prior = spherical_prior if self.weights == "spherical" else ising_prior
        return np.array([prior(q_hat, 0.0)[0]])

    def evaluate(self, x):
        """q, q_hat, entropy per weight and replicon eigenvalue at a fixed point."""
        q = float(x[0])
        e = deep_storage_energetic(q, self.branching, self.output, gamma=True)
        q_hat = -2.0 * self.alpha * e["dq"]
        if self.weights == "spherical":
            gs, g_s = spherical_entropy(q, 0.0), 1.0
        else:
            gs, g_s = ising_entropy(q, 0.0, q_hat, 0.0), ising_gamma(q_hat, 0.0)
        return q, q_hat, gs + self.alpha * e["G"], 1.0 - self.alpha * g_s * e["gamma"]

    def problem(self):
        return engine.FixedPointProblem(("q",), self.update, np.array([0.0]), np.array([1.0]),
                                        transforms=("logit",))


def deep_storage(branching="3,3", output="majority", activation="sign", alpha=1.0, kappa=0.0, weights="spherical",
                 strict=False, capacity=True):
    """Gardner volume of the deep tree storing random labels (RS): q, entropy, alpha_c, replicon eigenvalue.

    Spherical weights: q from the closed-form ``alpha(q)`` (bracketed root in logit q); Ising: the
    engine's fixed-point search. ``alpha_c`` (spherical) is :func:`deep_storage_capacity` (with
    ``alpha_c_sem``); beyond it there is no RS solution. Only ``kappa = 0`` is implemented.
    """
    Ks, output = parse_branching(branching, output)
    activation = check_activation(activation)
    alpha = check_number("alpha", alpha, lo=0.0)
    kappa = check_number("kappa", kappa)
    if kappa != 0:
        raise ParamError(f"kappa={kappa} is not implemented for committee.deep_storage; allowed: 0")
    weights = check_choice("weights", weights, WEIGHTS)
    params = {"branching": ",".join(map(str, Ks)), "output": output, "activation": activation, "alpha": alpha,
              "kappa": kappa, "weights": weights}
    name = "committee.deep_storage"
    obs0 = {}
    if capacity and weights == "spherical":
        a_c, a_sem = deep_storage_capacity(Ks, output)
        obs0 = {"alpha_c": a_c, "alpha_c_sem": a_sem}
        if alpha >= a_c:
            return Solution.failed(name, params, f"alpha={alpha:g} >= the RS capacity {a_c:.4g}: no RS solution")
    if alpha == 0:
        sol = Solution(model=name, params=params, order={"q": 0.0, "q_hat": 0.0},
                       observables={"q": 0.0, "entropy": 0.0 if weights == "spherical" else math.log(2), **obs0},
                       free_energy=0.0, branch="rs", stable=True, replicon_eigenvalue=1.0)
        return select_thermodynamic(name, params, [sol], strict)
    st = DeepStorage(Ks, output, alpha, weights)
    roots = []
    if weights == "spherical":
        def F(u):
            return _alpha_of_q(1.0 / (1.0 + math.exp(-u)), Ks, output) - alpha
        lo, hi = -12.0, 5.0
        if F(lo) < 0 < F(hi):
            u = brentq(F, lo, hi, xtol=1e-12)
            q = 1.0 / (1.0 + math.exp(-u))
            roots = [engine.Root(np.array([q]), True, float(abs(st.update(np.array([q]))[0] - q)), 0)]
    if not roots:
        roots, _ = engine.find_fixed_points(st.problem(), [np.array([0.3]), np.array([0.05]), np.array([0.9])])
    sols = []
    for r in roots:
        q, q_hat, f, lam = st.evaluate(r.x)
        sols.append(Solution(model=name, params=params, order={"q": q, "q_hat": q_hat},
                             observables={"q": q, "entropy": f, **obs0}, free_energy=-f, residual=r.residual,
                             iterations=r.iterations, branch="rs", stable=bool(lam > 0), replicon_eigenvalue=lam))
    if not sols:
        return Solution.failed(name, params, "no RS fixed point found")
    return select_thermodynamic(name, params, sols, strict)
