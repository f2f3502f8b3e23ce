"""Storage in the tree committee machine: the Gardner volume of random labels (RS).

The tree committee of K sign units on disjoint receptive fields storing random
+-1 labels: RS free entropy with the vote-count kernel of :mod:`.tree`, its
capacity from order statistics, the replicon (AT) eigenvalue and the AT line
(Barkai, Hansel & Kanter 1990; Engel, Köhler, Tschepke, Vollmayr & Zippelius 1992;
Engel & Van den Broeck ch. 12).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy.optimize import brentq
from scipy.special import comb, log_ndtr, ndtr

from ..._util import ParamError, check_number
from .. import engine
from ..channels import Q_MAX, log_phi
from ..gauss import panel_rule
from ..priors import spherical_entropy, spherical_prior
from ..solution import ConvergenceError, Solution, select_thermodynamic
from .tree import K_MAX, multisets, node_rule


def _order_statistic_square_sum(n: int, m: int) -> float:
    """E[sum of the m smallest of n iid X_j^2], X_j half-normal (|z|), by 1-d quadrature.

    The density of the j-th smallest of n iid variables with cdf F is
    n!/((j-1)!(n-j)!) F^(j-1) (1-F)^(n-j) f; here F(x) = 1 - 2H(x), f = 2 phi(x).
    """
    if m <= 0 or n <= 0:
        return 0.0

    t, w = panel_rule(((0.0, 1.0),))
    keep = t > 0
    x, wx = t[keep], w[keep]                     # int_0^inf dx phi(x) g(x) = sum wx g
    S = 2.0 * ndtr(-x)                           # survival of a half-normal
    F = 1.0 - S
    total = 0.0
    for j in range(1, m + 1):
        c = comb(n, j, exact=True) * j           # n!/((j-1)!(n-j)!)
        total += c * np.dot(wx, 2.0 * x * x * F ** (j - 1) * S ** (n - j))
    return float(total)


def tree_storage_capacity(K: int) -> float:
    """RS storage capacity of the tree committee with K (odd) sign hidden units, spherical weights.

    At the RS capacity q -> 1 and the Gardner volume's free entropy is
    ``[1 - alpha C_K] / (2 (1 - q))`` with ``C_K`` the mean cost of making the
    majority right: with ``n_+`` of the K independent Gaussian fields positive,
    the ``max(0, (K+1)/2 - n_+)`` negative fields of smallest modulus must be
    moved to zero, at cost ``t^2`` each. So ``alpha_c = 1 / C_K`` with

        C_K = sum_{n_+} binom(K, n_+) 2^-K E[sum of the m smallest of K - n_+ half-normal squares],

    alpha = P/N examples per weight (N = all K branches' weights). K = 1 gives
    Gardner's 2. The RS result is known to be unstable (replica symmetry
    breaking) for K >= 3 (Barkai, Hansel & Kanter, PRL 65, 2312 (1990); Engel,
    Köhler, Tschepke, Vollmayr & Zippelius, PRA 45, 7590 (1992)), and grows
    like sqrt(K) at large K; this function gives the RS number, not the true capacity.
    """
    K = check_number("K", K, lo=1, hi=999, integer=True)
    if K % 2 == 0:
        raise ParamError(f"K={K} is not allowed; the majority vote needs odd K")
    need = (K + 1) // 2
    C = 0.0
    for n_pos in range(K + 1):
        m = need - n_pos
        if m > 0:
            C += comb(K, n_pos, exact=True) / 2.0 ** K * _order_statistic_square_sum(K - n_pos, m)
    return 1.0 / C


@njit(cache=True)
def log_add_exp(a, b):
    """log(e^a + e^b), exact at -inf (numba)."""
    if a == -np.inf:
        return b
    if b == -np.inf:
        return a
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


@njit(cache=True)
def log_counts_without(lp, lq, row, skip1, skip2, d):
    """d[j] = log P(j of the votes of row's nodes are +1), skipping columns skip1, skip2 (log space);
    returns the number of votes counted. Shared with the deep tree (:mod:`.deep`)."""
    K = row.shape[0]
    for j in range(K + 1):
        d[j] = -np.inf
    d[0] = 0.0
    m = 0
    for k in range(K):
        if k == skip1 or k == skip2:
            continue
        a, b = lp[row[k]], lq[row[k]]
        d[m + 1] = d[m] + a
        for j in range(m, 0, -1):
            d[j] = log_add_exp(d[j] + b, d[j - 1] + a)
        d[0] += b
        m += 1
    return m


@njit(cache=True)
def _storage_rows(idx, x, lp, lq, lphi, hessian):
    """Per multiset row of nodes: ln M(p), sum_k t-weighted gradient pieces and sum_{k,l} (d_k d_l ln M)^2.

    Everything in log space (``lp = ln p = ln H(-x)``, ``lq = ln(1-p)``, ``lphi = ln phi(x)``), so
    that rows whose votes are exponentially unlikely (x ~ -300 near q -> 1) keep their exact
    weight. Returns ``lnM``, ``zk`` (rows x K, ``d ln M/d x_k``), ``frob`` (k, l sum of squared
    Hessian entries of ln M in x) and ``diag`` (its k = l part); the last two only if ``hessian``.
    """
    n, K = idx.shape
    h = (K - 1) // 2
    lnM = np.empty(n)
    zk = np.empty((n, K))
    frob = np.zeros(n)
    diag = np.zeros(n)
    d = np.empty(K + 1)
    for i in range(n):
        row = idx[i]
        log_counts_without(lp, lq, row, -1, -1, d)
        s = -np.inf
        for j in range(h + 1, K + 1):
            s = log_add_exp(s, d[j])
        lnM[i] = s
        for k in range(K):
            log_counts_without(lp, lq, row, k, -1, d)
            zk[i, k] = math.exp(d[h] + lphi[row[k]] - s)             # tie of the others: dM/dp_k
        if not hessian:
            continue
        for k in range(K):
            hkk = -x[row[k]] * zk[i, k] - zk[i, k] * zk[i, k]        # phi'(x) = -x phi(x); d_k^2 M = 0
            diag[i] += hkk * hkk
        for k in range(K):
            for l in range(k + 1, K):
                log_counts_without(lp, lq, row, k, l, d)
                c = lphi[row[k]] + lphi[row[l]] - s
                a = math.exp(d[h - 1] + c) if h >= 1 else 0.0
                hkl = a - math.exp(d[h] + c) - zk[i, k] * zk[i, l]
                frob[i] += 2.0 * hkl * hkl
        frob[i] += diag[i]
    return lnM, zk, frob, diag


def tree_storage_energetic(q, K=3, n=None, gamma=False):
    """Energetic term of the tree committee's Gardner volume and its replicon factor (random labels, T = 0).

    ``G_E = int prod_k Dt_k ln M(p(t))``, ``p_k = H(-x_k)``, ``x_k = sqrt(q/(1-q)) t_k`` (the teacher
    term at R = 0: labels independent of the weights, by the label symmetry only sigma = +1 is
    needed). Returns ``G``, ``dq`` and, if ``gamma``, ``gamma = (1-q)^2 E[sum_{k,l} (d^2 ln M/d omega_k
    d omega_l)^2] = E[sum_{k,l} (d_{x_k} d_{x_l} ln M)^2]`` with ``gamma_diag`` its k = l part. Same
    quadrature as :func:`tree_energetic`; the integrand is evaluated in log space, which the
    teacher term (whose weight vanishes where the student's vote probability underflows) does
    not need but storage, with label weight 1/2 everywhere, does.
    """
    q = min(max(q, 1e-300), Q_MAX)
    b = math.sqrt(q / (1.0 - q))
    t1, w1 = node_rule([1.0 / b if b > 0 else 0.0], K, n)
    idx, mult = multisets(t1.size, K)
    W = mult * np.prod(w1[idx], axis=1)
    x = b * t1
    lnM, zk, frob, diag = _storage_rows(idx, x, log_ndtr(x), log_ndtr(-x), log_phi(x), bool(gamma))
    if b <= 1.0:
        # integrated by parts in each t_k (Stein; tree.tree_energetic at R = 0, label weight 1):
        # dG/dq = (1-q)^-2/2 E sum_k d^2 ln M/dx_k^2, no 1/b factor whose odd part cancels as q -> 0
        xk = x[idx]
        dq = float(np.dot(W, np.sum(-xk * zk - zk * zk, axis=1))) / (2.0 * (1.0 - q) ** 2)
    else:
        db_dq = 1.0 / (2.0 * b * (1.0 - q) ** 2)
        dq = float(db_dq * np.dot(W, np.sum(zk * t1[idx], axis=1)))
    out = {"G": float(np.dot(W, lnM)), "dq": dq, "eps_t": 0.0}
    if gamma:
        out["gamma"] = float(np.dot(W, frob))
        out["gamma_diag"] = float(np.dot(W, diag))
    return out


def _storage_alpha(q, K, n=None):
    """The alpha at which q solves the spherical storage saddle point: q_hat = q/(1-q)^2 = -2 alpha dG_E/dq."""
    return q / ((1.0 - q) ** 2 * (-2.0 * tree_storage_energetic(q, K, n)["dq"]))


def storage_replicon_eigenvalue(q, K, alpha, n=None):
    """``1 - alpha gamma_E`` of the Gardner volume at overlap q (spherical weights: gamma_S = 1)."""
    return 1.0 - alpha * tree_storage_energetic(q, K, n, gamma=True)["gamma"]


def tree_storage_at_line(K=3, n=None, xtol=1e-10):
    """The alpha where the tree committee's RS Gardner volume becomes replicon (AT) unstable.

    The storage saddle point is parametrised by q (``alpha(q)`` in closed form from the spherical
    stationarity ``q_hat = q/(1-q)^2``); the AT point is the root in q of ``1 - alpha(q) gamma_E(q)``.
    Returns ``(alpha_AT, q_AT)``, or ``(None, None)`` when ``lambda > 0`` up to ``q = 1 - 1e-6``
    (K = 1, Gardner's perceptron at kappa = 0: stable up to, and marginal at, alpha_c = 2).
    """
    K = check_number("K", K, lo=1, hi=K_MAX, integer=True)
    if K % 2 == 0:
        raise ParamError(f"K={K} is not allowed; the majority vote needs odd K (1, 3, 5, 7)")

    def lam(q):
        return storage_replicon_eigenvalue(q, K, _storage_alpha(q, K, n), n)

    qs = [1e-3, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 0.9999, 1 - 1e-6]
    prev = qs[0]
    if lam(prev) <= 0:
        raise ConvergenceError(f"K={K}: the RS Gardner volume is already unstable at q={prev}")
    for qv in qs[1:]:
        if lam(qv) <= 0:
            q_at = brentq(lam, prev, qv, xtol=xtol)
            return _storage_alpha(q_at, K, n), q_at
        prev = qv
    return None, None


class _TreeStorage:
    """Gardner volume of the tree committee (spherical weights): the fixed-point map q -> q_hat -> q."""

    def __init__(self, K, alpha):
        self.K, self.alpha = int(K), float(alpha)

    def update(self, x):
        e = tree_storage_energetic(float(x[0]), self.K)
        return np.array([spherical_prior(max(-2.0 * self.alpha * e["dq"], 0.0), 0.0)[0]])

    def evaluate(self, x):
        """q, q_hat, entropy per weight and the replicon eigenvalue ``1 - alpha gamma_E`` at a fixed point."""
        q = float(x[0])
        e = tree_storage_energetic(q, self.K, gamma=True)
        return (q, -2.0 * self.alpha * e["dq"], spherical_entropy(q, 0.0) + self.alpha * e["G"],
                1.0 - self.alpha * e["gamma"])

    def problem(self):
        return engine.FixedPointProblem(("q",), self.update, np.array([0.0]), np.array([1.0]),
                                        transforms=("logit",))


def _solve_storage(st):
    """The RS overlap q at ``st.alpha``: root in ``u = logit(q)`` of ``alpha(q) = alpha`` (closed-form alpha(q),
    :func:`_storage_alpha`, increasing from 0 to alpha_c), bracketed; the engine's fixed-point search
    from three starts if no bracket is found. Returns a list of engine Roots with the undamped residual."""
    K, alpha = st.K, st.alpha
    calls = [0]

    def F(u):
        calls[0] += 1
        return _storage_alpha(1.0 / (1.0 + math.exp(-u)), K) - alpha

    lo, hi = -25.0, 25.0
    if not F(lo) < 0:                      # small alpha: q ~ kappa_K (2/pi) alpha, down to 1e-300
        lo = max(math.log(max(alpha, 1e-300)) - 5.0, -700.0)
    if F(lo) < 0 < F(hi):
        u = brentq(F, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps)
        q = 1.0 / (1.0 + math.exp(-u))
        res = float(abs(st.update(np.array([q]))[0] - q))
        return [engine.Root(np.array([q]), True, res, calls[0])]
    found, _ = engine.find_fixed_points(st.problem(), [np.array([0.3]), np.array([0.05]), np.array([0.9])])
    return found


def storage(K=3, alpha=1.0, strict=False):
    """Gardner volume of the tree committee (K odd, spherical weights) storing random labels (RS).

    Random labels make the energetic term the teacher problem's at R = 0
    (``G_E = int prod_k Dt_k ln M(H(-sqrt(q/(1-q)) t_k))``, M the majority-vote
    polynomial; :func:`tree_storage_energetic`), with the spherical entropic term of the
    perceptron. Reports the overlap q of two solutions, the entropy, the RS capacity
    :func:`tree_storage_capacity` (beyond it there is no RS solution) and the replicon
    (AT) eigenvalue ``lambda = 1 - alpha gamma_E`` of the branch-uniform mode (module
    docstring; ``gamma_S = 1`` for spherical weights) with ``stable = lambda > 0``.
    K = 1 is Gardner's perceptron (stable up to, and marginal at, alpha_c = 2). For K >= 3
    the RS Gardner volume turns unstable well before its RS capacity
    (:func:`tree_storage_at_line`: alpha_AT = 1.730 for K = 3 against alpha_c^RS = 4.025, 2.082
    against 5.769 for K = 5), so the
    RS capacity is not the true one (cf. Engel et al., PRA 45, 7590 (1992): one-step RSB
    lowers it).
    """
    K = check_number("K", K, lo=1, hi=K_MAX, integer=True)
    if K % 2 == 0:
        raise ParamError(f"K={K} is not allowed; the majority vote needs odd K (1, 3, 5, 7)")
    alpha = check_number("alpha", alpha, lo=0.0)
    params = {"K": K, "alpha": alpha}
    name = "committee.storage"
    a_c = tree_storage_capacity(K)
    if alpha >= a_c:
        msg = f"alpha={alpha:g} >= the RS capacity {a_c:.6g} of the K={K} tree committee: no RS solution with q < 1"
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(name, params, msg)
    if alpha == 0:
        sol = Solution(model=name, params=params, order={"q": 0.0, "q_hat": 0.0},
                       observables={"q": 0.0, "entropy": 0.0, "alpha_c": a_c}, free_energy=0.0, branch="rs",
                       stable=True, replicon_eigenvalue=1.0)
        return select_thermodynamic(name, params, [sol], strict)
    st = _TreeStorage(K, alpha)
    found = _solve_storage(st)
    sols = []
    for r in found:
        q, q_hat, f, lam = st.evaluate(r.x)
        sols.append(Solution(model=name, params=params, order={"q": q, "q_hat": q_hat},
                             observables={"q": q, "entropy": f, "alpha_c": a_c}, free_energy=-f,
                             residual=r.residual, iterations=r.iterations, branch="rs",
                             stable=bool(lam > 0), replicon_eigenvalue=lam))
    return select_thermodynamic(name, params, sols, strict)
