"""Gibbs learning of the tree committee machine: replica-symmetric theory at temperature T >= 0.

Architecture (Schwarze & Hertz, Europhys. Lett. 20, 375 (1992) and J. Phys. A 26 (1993);
Engel & Van den Broeck, *Statistical Mechanics of Learning* (2001), ch. 12): ``N`` inputs
split into ``K`` disjoint receptive fields of ``N/K`` inputs (K odd); hidden unit ``k``
sees only field ``k``, ``tau_k = sign(J_k . xi_k / sqrt(N/K))``, and the output is the
majority vote ``sign(sum_k tau_k)``. Teacher and student have the same architecture;
weights are spherical (``|J_k|^2 = N/K``) or Ising (``J_i = +-1``). The student is drawn
from the Gibbs measure ``exp(-E/T)`` over its number of training errors ``E``
(``T = 0``: uniform on the version space).

**Scaling of alpha.** ``alpha = P/N`` with ``N`` the *total* number of weights (= number
of inputs, as the fields are disjoint), i.e. examples per weight; this is the convention
of Schwarze & Hertz (1992) ("alpha, the number of training examples per weight") and
of Engel & Van den Broeck ch. 12. Papers that count examples per hidden-unit input
(``P/(N/K)``) use ``K alpha``; the fully connected committee has K N weights and there
``alpha = P/(K N)`` is the per-weight count.

**RS free entropy.** With branch-symmetric order parameters (one student-teacher overlap
``R`` and one student-student overlap ``q`` per branch), each branch contributes the
perceptron's entropic term for ``N/K`` weights, so per weight

    f = extr [ G_S(q, R; q_hat, R_hat) + alpha G_E^K(q, R) ],

with ``G_S`` exactly the perceptron's (:mod:`replicon.theory.perceptron`) and the
energetic term an integral over K independent Gaussian fields ``t_k``:

    G_E^K = 2 int prod_k Dt_k  M(tau(t)) ln[ e^{-beta} + (1 - e^{-beta}) M(p(t)) ],
    tau_k = H(-R t_k / sqrt(q - R^2)),   p_k = H(-sqrt(q/(1-q)) t_k),

where ``M(x) = P(majority of independent Bernoulli(x_k) is +1)`` (the teacher's and the
student's output probabilities given the fields); the factor 2 is the symmetry
``t -> -t``. ``dM/dx_k`` is the probability that the other K - 1 votes tie, so the
derivatives (conjugates) are closed forms under the same integral. For K = 1,
``M(x) = x`` and ``G_E^1`` is the perceptron's ``G_E``: the theory reduces to
``perceptron.teacher`` exactly.

**Quadrature.** The K-dimensional integral uses one 1-D rule per field on the
permutation-symmetric multisets of nodes (``n^K/K!`` points). The 1-D rule is a
trapezoid rule in ``u`` with ``t = c sinh(u)``, ``c`` the smaller of the two widths
``sqrt(q - R^2)/R`` and ``sqrt((1-q)/q)``: constant relative resolution at every scale,
exponential convergence for the analytic integrand (no nested ``quad``).

**Generalisation error.** Branches see disjoint inputs, so teacher hidden signs are
i.i.d. +-1 and each branch's student disagrees independently with probability
``eps_1 = arccos(R)/pi``; ``eps_g = P(majority flips)`` is a finite sum over the numbers
of flipped branches (:func:`committee_error`). K = 3: ``eps_g = 3/2 eps_1 (1 - eps_1)
+ eps_1^3`` (one or two flipped branches change the vote with probability 1/2, three
always).

At ``T = 0`` the Nishimori line ``R = q`` holds (Gibbs = posterior sample), as for the
perceptron. Ising weights have the exact perfect state ``R = q = 1`` (free entropy 0)
at every alpha and a first-order transition to it (:func:`gibbs_transition`).

**Replicon (AT) eigenvalue.** Expanding the n-replica free entropy around the
permutation-symmetric RS point with a replicon fluctuation ``delta_k^{ab}`` in each
branch k, the entropic term is diagonal in k with weight ``1/K`` (each branch holds
``N/K`` weights) and the energetic term couples branches through
``e_kl = E[(d^2 ln z / d omega_k d omega_l)^2]`` (``z`` the one-replica output channel
partition function ``e^{-beta} + (1 - e^{-beta}) M(p)``, ``omega_k`` branch k's cavity mean;
the replicon combination P - 2Q + R of the four-replica terms is the square of the
connected second derivative, exactly as for the perceptron). The most dangerous mode
is branch-uniform (``e_kl >= 0``), with eigenvalue ``sum_kl e_kl``, so

    lambda = 1 - alpha gamma_S gamma_E,   gamma_E = (1 - q)^2 E[ sum_{k,l} (d_k d_l ln z)^2 ],

``gamma_S`` as for the perceptron (1 spherical, ``<(1 - tanh^2)^2>`` Ising). The
off-diagonal (k != l) terms and the sum over k are essential: the diagonal term of one
branch alone is O(1/K) and would miss the instability at large K. K = 1 is the
perceptron's ``gamma``. Derived here (de Almeida & Thouless 1978; Engel & Van den Broeck
appendix A6 for the perceptron), not taken from Schwarze & Hertz.
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import combinations_with_replacement

import numpy as np
from numba import njit
from scipy.special import comb, ndtr

from ..._util import ParamError, check_choice, check_number
from .. import engine
from ..channels import beta_eps, log_phi, teacher_scales
from ..perceptron import TeacherStudent, polish_relative
from ..solution import ConvergenceError, Solution, select_thermodynamic

WEIGHTS = ("spherical", "ising")
ARCHS = ("tree",)
K_MAX = 7
_S_FLOOR = 1e-300
_Z_MIN = 1e-200


# ----------------------------------------------------------------------------
# Generalisation error of the majority vote
# ----------------------------------------------------------------------------

def committee_error(eps_1, K):
    """Probability that the majority of K independent branches flips when each flips w.p. ``eps_1``.

    Teacher hidden signs i.i.d. +-1 (disjoint receptive fields); a branch's student
    sign differs with probability ``eps_1`` independently of the teacher sign. Exact
    finite sum over the number ``m`` of flipped branches and the teacher's votes among
    flipped (``i``) and unflipped (``j``) branches. K = 1: ``eps_1``; K = 3:
    ``3/2 eps_1 (1 - eps_1) + eps_1^3``.
    """
    K = int(K)
    e = float(eps_1)
    total = 0.0
    for m in range(K + 1):
        pm = comb(K, m, exact=True) * e ** m * (1.0 - e) ** (K - m)
        if pm == 0.0:
            continue
        flips = 0
        for i in range(m + 1):
            for j in range(K - m + 1):
                s_f, s_u = 2 * i - m, 2 * j - (K - m)
                if (s_f + s_u > 0) != (s_u - s_f > 0):
                    flips += comb(m, i, exact=True) * comb(K - m, j, exact=True)
        total += pm * flips / 2.0 ** K
    return total


# ----------------------------------------------------------------------------
# Energetic term
# ----------------------------------------------------------------------------

def _vote_counts(x):
    """Distribution of the number of +1 votes of independent Bernoulli(x[:, k]): shape (n, K+1)."""
    n, K = x.shape
    d = np.zeros((n, K + 1))
    d[:, 0] = 1.0
    for k in range(K):
        xk = x[:, k:k + 1]
        d[:, 1:] = d[:, 1:] * (1.0 - xk) + d[:, :-1] * xk
        d[:, 0] *= 1.0 - x[:, k]
    return d


@njit(cache=True)
def _counts_without(x, i, skip1, skip2, d):
    """Fill d[0..] with the distribution of the number of +1 votes of row i of x, skipping two columns."""
    K = x.shape[1]
    d[:] = 0.0
    d[0] = 1.0
    m = 0
    for k in range(K):
        if k == skip1 or k == skip2:
            continue
        xk = x[i, k]
        for j in range(m + 1, 0, -1):
            d[j] = d[j] * (1.0 - xk) + d[j - 1] * xk
        d[0] *= 1.0 - xk
        m += 1


@njit(cache=True)
def _majority_kernel(x, grad):
    """M(x) and the tie probabilities dM/dx_k, row by row (O(K^3) per row, no temporaries)."""
    n, K = x.shape
    h = (K - 1) // 2
    M = np.empty(n)
    D = np.empty((n, K))
    d = np.empty(K + 1)
    for i in range(n):
        _counts_without(x, i, -1, -1, d)
        s = 0.0
        for j in range(h + 1, K + 1):
            s += d[j]
        M[i] = s
        if grad:
            for k in range(K):
                _counts_without(x, i, k, -1, d)
                D[i, k] = d[h]
    return M, D


@njit(cache=True)
def _hessian_square_kernel(p, g, gp, c, z):
    """Per row: sum_{k,l} (d_k d_l ln z)^2 for z = eps + c M(p(x)), with dp_k/dx_k = g_k, d2p_k/dx_k^2 = gp_k.

    M is multilinear: d_k d_k M = 0, d_k d_l M = P(others of k, l: (K-1)/2 - 1 votes +1)
    - P(... (K-1)/2 votes +1). Rows with z = 0 (underflow, zero weight) give 0.
    """
    n, K = p.shape
    h = (K - 1) // 2
    out = np.zeros(n)
    d = np.empty(K + 1)
    zk = np.empty(K)
    for i in range(n):
        zi = z[i]
        if not zi > 0.0:                                          # marked as zero weight
            continue
        for k in range(K):
            _counts_without(p, i, k, -1, d)
            zk[k] = c * d[h] * g[i, k] / zi                       # d_k ln z
            hkk = c * d[h] * gp[i, k] / zi - zk[k] * zk[k]
            out[i] += hkk * hkk
        for k in range(K):
            for l in range(k + 1, K):
                _counts_without(p, i, k, l, d)
                dkl = (d[h - 1] if h >= 1 else 0.0) - d[h]
                hkl = c * dkl * g[i, k] * g[i, l] / zi - zk[k] * zk[l]
                out[i] += 2.0 * hkl * hkl
    return out


def majority(x, grad=True):
    """``M(x)`` = P(majority of independent Bernoulli(x_k) votes is +1) and ``dM/dx_k`` (tie of the others)."""
    n, K = x.shape
    if K == 1:
        return x[:, 0].copy(), np.ones_like(x)
    if K == 3:
        a, b, c = x[:, 0], x[:, 1], x[:, 2]
        M = a * b + a * c + b * c - 2.0 * a * b * c
        if not grad:
            return M, None
        D = np.stack([b + c - 2.0 * b * c, a + c - 2.0 * a * c, a + b - 2.0 * a * b], axis=1)
        return M, D
    M, D = _majority_kernel(np.ascontiguousarray(x, dtype=np.float64), bool(grad))
    return M, (D if grad else None)


@lru_cache(maxsize=64)
def multisets(n, K):
    """Index multisets of K nodes out of n (sorted tuples) and their multiplicities K!/prod(c!)."""
    if K == 1:
        return np.arange(n)[:, None], np.ones(n)
    idx = np.array(list(combinations_with_replacement(range(n), K)), dtype=np.int64)
    # K! / prod_runs L!, with prod_runs L! = prod_k (number of earlier equal indices + 1)
    denom = np.ones(len(idx))
    for k in range(1, K):
        denom *= 1.0 + np.sum(idx[:, :k] == idx[:, k:k + 1], axis=1)
    mult = math.factorial(K) / denom
    idx.setflags(write=False)
    mult.setflags(write=False)
    return idx, mult


N_NODES = {1: 401, 3: 81, 5: 33, 7: 19}


def node_rule(widths, K, n=None):
    """1-D rule ``sum w f(t) ~ int Dt f(t)``: trapezoid in u with t = c sinh(u), c = smallest width."""
    c = min([w for w in widths if w > 0] + [1.0])
    c = max(c, 1e-9)
    n = n or N_NODES.get(K, 15)
    U = math.asinh(9.0 / c)
    u = np.linspace(-U, U, n)
    h = u[1] - u[0]
    t = c * np.sinh(u)
    w = h * c * np.cosh(u) * np.exp(log_phi(t))
    return t, w


def tree_energetic(q, R, T=0.0, K=3, n=None, gamma=True):
    """Energetic term ``G_E^K(q, R)`` of the tree committee and its derivatives.

    Returns ``G``, ``dq``, ``dR`` (partial derivatives at fixed T), ``eps_t``
    (training error per example, ``-dG_E/dbeta``) and, if ``gamma``, the energetic
    replicon factor ``gamma = (1-q)^2 E[sum_{k,l} (d^2 ln z/d omega_k d omega_l)^2]`` (module
    docstring) with its diagonal part ``gamma_diag`` (k = l terms only). See the module
    docstring for the integral; derivatives are taken under it (``dM/dx_k`` = tie
    probability of the others).
    """
    q, s2, s, A, b = teacher_scales(q, R)
    widths = [1.0 / abs(A) if A != 0 else 0.0, 1.0 / b if b > 0 else 0.0]
    t1, w1 = node_rule(widths, K, n)
    idx, mult = multisets(t1.size, K)
    W = mult * np.prod(w1[idx], axis=1)
    log_eps, log_1me = beta_eps(T)
    # per-node functions of one field, gathered onto the multisets
    tau, dtau_dA = ndtr(A * t1)[idx], (np.exp(log_phi(A * t1)) * t1)[idx]   # teacher hidden +1 prob
    p, dp_db = ndtr(b * t1)[idx], (np.exp(log_phi(b * t1)) * t1)[idx]      # student hidden +1 prob
    Mt, Dt = majority(tau)
    Ms, Ds = majority(p)
    Ms_minus, _ = majority(ndtr(-b * t1)[idx], grad=False)                  # 1 - Ms, accurately
    log_S = np.log(np.maximum(Ms, _S_FLOOR))
    lz = np.logaddexp(log_eps, log_1me + log_S)
    G = 2.0 * np.dot(W, Mt * lz)
    dMt_dA = np.sum(Dt * dtau_dA, axis=1)
    s3 = max(s2 * s, 1e-308)        # s2 s underflows at the floor s2 = 1e-300
    dA_dR = q / s3
    dA_dq = -R / (2.0 * s3)
    db_dq = 1.0 / (2.0 * b * (1.0 - q) ** 2) if b > 0 else 0.0
    if b <= 1.0:
        # integrated by parts in each t_k (Stein; perceptron.teacher_energetic): no 1/s^3, 1/b factors
        # that cancel between the teacher and student terms as q, R -> 0 (high T, small alpha)
        x = b * t1
        g1 = np.exp(log_phi(x))[idx]
        zinv = np.exp(log_1me - lz)[:, None]
        d1 = zinv * Ds * g1                                            # d ln z / d x_k
        d2 = zinv * Ds * (-x[idx] * g1) - d1 * d1                      # d^2 ln z / d x_k^2 (M multilinear)
        tp = np.sum(Dt * np.exp(log_phi(A * t1))[idx] * d1, axis=1)
        one_q = 1.0 - q
        dR = 2.0 * (b / s) * np.dot(W, tp)
        dq = (A * b / one_q) * np.dot(W, tp) + np.dot(W, Mt * np.sum(d2, axis=1)) / (one_q * one_q)
    else:
        dlz_db = np.exp(log_1me - lz) * np.sum(Ds * dp_db, axis=1)
        dR = 2.0 * dA_dR * np.dot(W, dMt_dA * lz)
        dq = 2.0 * np.dot(W, dA_dq * dMt_dA * lz + Mt * dlz_db * db_dq)
    if T > 0:
        eps_t = 2.0 * np.dot(W, Mt * np.exp(log_eps + np.log(np.maximum(Ms_minus, _S_FLOOR)) - lz))
    else:
        eps_t = 0.0
    out = {"G": float(G), "dq": float(dq), "dR": float(dR), "eps_t": float(eps_t)}
    if gamma:
        # derivatives in x_k = omega_k / sqrt(1-q) = b t_k, so (1-q)^2 (d_omega^2 ln z)^2 = (d_x^2 ln z)^2
        x = b * t1
        g1 = np.exp(log_phi(x))
        p_full = ndtr(x)[idx]
        c = math.exp(log_1me)
        z = math.exp(log_eps) + c * Ms
        z = np.where(z > _Z_MIN, z, 0.0)      # underflowed rows carry zero teacher weight (T = 0: tau = p)
        frob = _hessian_square_kernel(np.ascontiguousarray(p_full), np.ascontiguousarray(g1[idx]),
                                      np.ascontiguousarray((-x * g1)[idx]), c, z)
        out["gamma"] = float(2.0 * np.dot(W, Mt * frob))
        # the k = l part alone: (d_k^2 ln z)^2 with d_k^2 z = c D_k (-x_k phi(x_k))
        zs = np.where(z > 0, z, 1.0)[:, None]
        zk = c * Ds * g1[idx] / zs
        hkk = c * Ds * (-x * g1)[idx] / zs - zk * zk
        diag = np.where(z > 0, (hkk * hkk).sum(axis=1), 0.0)
        out["gamma_diag"] = float(2.0 * np.dot(W, Mt * diag))
    return out


# ----------------------------------------------------------------------------
# The RS problem for the engine
# ----------------------------------------------------------------------------

class _Tree(TeacherStudent):
    """RS equations of the tree committee at one point: the perceptron's (``perceptron.TeacherStudent``:
    same coordinates, entropic term, Nishimori line at T = 0) with the majority-vote energetic term."""

    def __init__(self, K, alpha, T, weights):
        super().__init__(alpha, T, weights)
        self.K = int(K)

    _replicon = False

    def energetic(self, q, R):
        return tree_energetic(q, R, self.T, self.K, gamma=self._replicon)

    def linear_gain(self):
        """``kappa = K f^2``, ``f = C(K-1, (K-1)/2)/2^(K-1)`` the majority's linear coefficient in one
        branch's sign (the tie probability of the others): the output-sign correlation at small
        overlaps is ``K f^2 (2/pi) R`` (3/4 for K = 3; 2/pi as K -> infinity)."""
        f = comb(self.K - 1, (self.K - 1) // 2, exact=True) / 2.0 ** (self.K - 1)
        return self.K * f * f

    def evaluate(self, x, replicon=True):
        """Order parameters, free entropy per weight, training error and replicon eigenvalue at a fixed point.

        ``lambda = 1 - alpha gamma_S gamma_E`` (module docstring); ``replicon=False`` skips it (None).
        """
        self._replicon = bool(replicon)
        try:
            return super().evaluate(x)
        finally:
            self._replicon = False


def _check(K, alpha, T, weights, arch):
    K = check_number("K", K, lo=1, hi=K_MAX, integer=True)
    if K % 2 == 0:
        raise ParamError(f"K={K} is not allowed; the majority vote needs odd K (1, 3, 5, 7)")
    alpha = check_number("alpha", alpha, lo=0.0)
    T = check_number("T", T, lo=0.0)
    if not (math.isfinite(alpha) and math.isfinite(T)):
        raise ParamError("alpha and T must be finite")
    weights = check_choice("weights", weights, WEIGHTS)
    arch = check_choice("arch", arch, ARCHS + ("fully",))
    if arch == "fully":
        raise ParamError("arch=fully (fully connected committee) is not implemented; allowed: tree")
    return K, alpha, T, weights, arch


def _observables(order, f, eps_t, T, alpha, K):
    R, q = order["R"], order["q"]
    eps_1 = math.acos(max(-1.0, min(1.0, R))) / math.pi
    obs = {"R": R, "q": q, "eps_g": committee_error(eps_1, K), "eps_hidden": eps_1, "eps_t": eps_t,
           "free_entropy": f}
    if T > 0:
        obs["entropy"] = f + alpha * eps_t / T
        return obs, -T * f
    obs["entropy"] = f
    return obs, -f


def _perfect(name, params):
    """The exact perfect state of Ising weights: R = q = 1, infinite conjugates, free entropy 0."""
    order = {"q": 1.0, "R": 1.0, "q_hat": math.inf, "R_hat": math.inf}
    obs = {"R": 1.0, "q": 1.0, "eps_g": 0.0, "eps_hidden": 0.0, "eps_t": 0.0, "free_entropy": 0.0,
           "entropy": 0.0}
    return Solution(model=name, params=dict(params), order=order, observables=obs, free_energy=0.0,
                    converged=True, residual=0.0, iterations=0, branch="perfect", stable=True,
                    replicon_eigenvalue=1.0,
                    message="exact state (infinite conjugates; gamma_S = 0, so lambda = 1)")


def gibbs_branches(K, alpha, T, weights, inits=None, tol=1e-10):
    """All RS fixed points of the tree committee found from ``inits`` (Roots), excluding the perfect state."""
    return model_branches(_Tree(K, alpha, T, weights), alpha, inits, tol)


def model_branches(model, alpha, inits=None, tol=1e-10):
    """``(model, roots)``: the fixed points of a (q, R) teacher model reached from ``inits`` (default
    ``model.inits()``), each with ``extra["attracting"]`` and ``extra["spectral_radius"]``; at
    alpha = 0 the single point q = R = 0. Shared by the finite-K and K -> infinity tree committees."""
    if alpha == 0:
        return model, [engine.Root(np.array([0.0] if model.nishimori else [0.0, 0.0]), True, 0.0, 0)]
    closed = model.linear_root()
    if closed is not None:                # high T / small alpha: the poor branch in closed form
        return model, [closed]
    problem = model.problem()
    found, _ = engine.find_fixed_points(problem, inits or model.inits(), tol=tol, max_iter=400)
    for r in found:
        polish_relative(model, r, near_one=not isinstance(model, _Tree))   # near q = 1: ~50 maps, costly at K >= 3
        r.extra["attracting"], r.extra["spectral_radius"] = engine.attracting(problem, r.x)
    return model, found


def gibbs(K=3, alpha=1.0, T=0.0, weights="spherical", arch="tree", strict=False, inits=None):
    """Gibbs learning of the tree committee machine (odd K, sign units): RS R, q, eps_g, eps_t, free energy.

    Schwarze & Hertz, Europhys. Lett. 20, 375 (1992); J. Phys. A 26 (1993); Engel & Van den
    Broeck (2001) ch. 12. ``alpha = P/N`` with N the total number of weights (see the module
    docstring for the scaling and the equations). K = 1 is ``perceptron.teacher``.

    Returns the thermodynamic branch with every branch found in ``.branches``: spherical
    weights ``rs``; Ising weights ``poor`` (R < 1) and the exact ``perfect`` state (R = q = 1);
    fixed points repelling the iteration are ``unstable``. Observables: ``R``, ``q`` (per
    branch), ``eps_g`` (committee output), ``eps_hidden`` (= arccos(R)/pi, per hidden unit),
    ``eps_t``, ``entropy``, ``free_entropy``; each branch carries ``replicon_eigenvalue``
    ``1 - alpha gamma_S gamma_E`` (branch-uniform replicon mode, module docstring) and ``stable``.
    The K -> infinity limit is :func:`replicon.theory.committee.tree_large_k.gibbs_large_k`.
    """
    K, alpha, T, weights, arch = _check(K, alpha, T, weights, arch)
    params = {"K": K, "alpha": alpha, "T": T, "weights": weights, "arch": arch}
    name = "committee.gibbs"
    model, roots = gibbs_branches(K, alpha, T, weights, inits)
    sols = []
    for r in roots:
        if alpha == 0:
            order = {"q": 0.0, "R": 0.0, "q_hat": 0.0, "R_hat": 0.0}
            f = 0.0 if weights == "spherical" else math.log(2.0)
            eps_t = 0.5 if T > 0 else 0.0
            lam = 1.0
        else:
            order, f, eps_t, lam = model.evaluate(r.x)
        obs, F = _observables(order, f, eps_t, T, alpha, K)
        att = r.extra.get("attracting", True)
        label = ("poor" if weights == "ising" else "rs") if att else "unstable"
        sols.append(Solution(model=name, params=params, order=order, observables=obs, free_energy=F,
                             converged=True, residual=r.residual, iterations=r.iterations, branch=label,
                             status=None if att else "unstable", stable=None if lam is None else bool(lam > 0),
                             replicon_eigenvalue=lam))
    if weights == "ising" and alpha > 0:
        sols.append(_perfect(name, params))
    if not sols and weights == "spherical" and alpha > 1e3:
        msg = (f"no RS solution resolved at alpha={alpha:g}, T={T:g}: 1 - q, 1 - R ~ alpha^-2 are below the "
               "resolution of the (q, R) coordinates (2e-12); eps_g ~ 0.6247/alpha at T = 0 (any odd K)")
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(name, params, msg)
    return select_thermodynamic(name, params, sols, strict)


def gibbs_transition(K=3, T=0.0, weights="ising", alpha_start=0.5, alpha_end=20.0, tol=1e-8):
    """First-order transition of the Ising tree committee to perfect generalisation, and the spinodal.

    As :func:`replicon.theory.perceptron.teacher_transition`: the poor branch is
    followed in alpha until it ends (``alpha_spinodal``); ``alpha_transition`` is where
    its free entropy crosses that of the perfect state (0). Schwarze & Hertz (1992)
    report this discontinuous transition for the tree committee with binary weights.
    """
    K, alpha_start, T, weights, _ = _check(K, alpha_start, T, weights, "tree")
    if weights != "ising":
        raise ParamError("weights=spherical has no first-order transition; allowed: weights=ising")
    params = {"K": K, "T": T, "weights": weights}
    name = "committee.gibbs_transition"
    _, roots = gibbs_branches(K, alpha_start, T, weights)
    found = engine.poor_to_perfect_transition(lambda a: _Tree(K, a, T, weights), roots, alpha_start, alpha_end, tol,
                                       evaluate=lambda m, x: m.evaluate(x, replicon=False))
    if isinstance(found, str):
        return Solution.failed(name, params, found)
    a_tr, a_sp, order_tr, x_sp = found
    R_tr = order_tr["R"]
    obs = {"alpha_transition": a_tr, "alpha_spinodal": a_sp, "R_poor_at_transition": R_tr,
           "eps_g_poor_at_transition": committee_error(math.acos(R_tr) / math.pi, K),
           "R_poor_at_spinodal": float(x_sp[-1])}
    return Solution(model=name, params=params, observables=obs, branch="poor", status="thermodynamic",
                    message="engine: spinodal by branch following, transition by free-entropy crossing")


def gibbs_curve(alphas, K=3, T=0.0, weights="spherical"):
    """The thermodynamic branch along a sorted alpha grid by continuation (engine.follow); list of Solutions."""
    alphas = [check_number("alpha", a, lo=0.0, lo_open=True) for a in np.atleast_1d(alphas)]
    K, _, T, weights, _ = _check(K, alphas[0], T, weights, "tree")
    first = gibbs(K, alphas[0], T, weights)
    if not first.converged:
        return []
    if first.branch == "perfect":
        return [gibbs(K, a, T, weights) for a in alphas]
    x0 = np.array([first["q"]] if T == 0 else [first["q"], first["R"]])
    out = []
    for a, r in engine.follow(lambda a: _Tree(K, a, T, weights).problem(), alphas, x0):
        model = _Tree(K, a, T, weights)
        order, f, eps_t, lam = model.evaluate(r.x)
        obs, F = _observables(order, f, eps_t, T, a, K)
        out.append(Solution(model="committee.gibbs", params={"K": K, "alpha": a, "T": T, "weights": weights,
                                                             "arch": "tree"},
                            order=order, observables=obs, free_energy=F, residual=r.residual,
                            iterations=r.iterations, branch=first.branch, stable=bool(lam > 0),
                            replicon_eigenvalue=lam, message="continuation (one branch)"))
    return out
