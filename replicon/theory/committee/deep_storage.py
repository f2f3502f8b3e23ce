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

**Margin kappa >= 0.** A pattern is stored when the output is right *and every first-layer field
is firm*, ``|h_i| >= kappa`` (the internal representation is stable with margin kappa; for parity,
where every unit is pivotal, this is also "no move of the fields by less than kappa changes the
output"). With ``x = b t`` the cavity field of a unit and ``k = kappa/sqrt(1-q)``, the unit is firm
+1 with probability ``p_+ = Phi(x - k)`` and firm -1 with ``p_- = Phi(-x - k)``, so

    P_S(sigma | t) = prod_i f_i  x  rule_sigma(p~_1, ..., p~_M),   f = p_+ + p_-,  p~ = p_+/f,

and ``G_E = M E_t[ln f] + G_E^0`` with ``G_E^0`` the kappa = 0 composition fed with the leaves'
votes given firmness, ``y = Phi^{-1}(p~)`` (:func:`.deep.firm_leaf`). In the replicon factor the
firmness adds ``c_i = (ln f)''`` to the diagonal of the Hessian of ``ln z``: ``|H + C|^2 = |H|^2 +
2 sum_i c_i H_ii + sum_i c_i^2``, the middle term carried up the tree by two more marks
(:func:`.deep._combine_marks`). Branching 1 is Gardner's perceptron at margin kappa. Capacity: each
unit carries the pair of least costs (firm +1, firm -1): a leaf ``((kappa - t)_+^2, (kappa + t)_+^2)``;
a majority parent the sum of its children's cheaper costs plus the ``(K+1)/2`` smallest extra costs
of the sign it needs; a parity parent the cheaper costs plus, if their product has the wrong sign,
the smallest ``|c_+ - c_-|``; ``alpha_c = 1/E[c_sigma]`` over random labels. ``kappa < 0`` (a free
vote where ``|h| < |kappa|``) would need a three-state unit and is not implemented.

**ReLU tree (one hidden layer).** K (even) ReLU units; the first K/2 enter the output with weight +1,
the others with -1, output ``sigma = sign(S_+ - S_-)``; an output field of exactly 0 (every unit
silent) is an error (the convention of the Monte Carlo code of Baldassi, Malatesta & Zecchina,
RRRMC.jl ``CommReLU``: ``Delta <= 0`` counts as an error). Only the first-layer weights are learned.
By the symmetry of the two groups ``G_E = E_t ln P(S_+ > S_- | t)``. K = 2: ``P = P(h_1 > max(0, h_2))
= int_0^inf phi(v - x_1) Phi(v - x_2) dv`` (log-concave, summed in log space), its Hessian in closed
form (``d_1 P = phi(x_1) Phi(-x_2) + I``, ``d_2 P = -I``, ``I = phi(d/sqrt 2) Phi(s/sqrt 2)/sqrt 2`` with
``d = x_1 - x_2``, ``s = x_1 + x_2``); ``G_E(0) = ln(3/8)``. Capacity (any even K): the least squared
move of the fields that makes ``S_+ > S_-`` (closure): raise the + units, lower the active - units by
a common Lagrange level, bring the silent + units in by depth (exact over the number brought in,
:func:`_relu_cost_one`); K = 2 gives ``E[d] = 3/4`` exactly, ``alpha_c = 4/3``. K -> infinity: the
output field is Gaussian (central limit) with replica overlap ``Q(q) = (k(q) - k(0))/(k(1) - k(0))``,
``k`` the ReLU arc-cosine kernel, so the Gardner volume is the perceptron's at overlap Q and
``alpha_c = 2 k'(1)/(k(1) - k(0)) = 2 pi/(pi - 1) = 2.9339``; finite K approaches it from below as
``1/sqrt K`` (least-cost Monte Carlo at K = 16..128 fitted by ``a + b/sqrt K``: ``a = 2.926 +- 0.005``).
Published values (Baldassi, Malatesta & Zecchina, PRL 123, 170602 (2019); Zavatone-Veth & Pehlevan, PRE
103, L020301 (2021)): only their abstracts, and BMZ's model sentence (a tree of N weights in K groups of
N/K: ``alpha = P/N`` as here), could be read through the search tool; the conventions (+1 for the first K/2
units, -1 for the rest; output field <= 0 an error) were read in BMZ's code (RRRMC.jl, CommReLU). Their RS
K -> infinity value for real weights, ``2 pi/(pi - 1) ~ 2.93`` (ZVP's ``2 E[g'^2]/Var g`` for g = relu), is
recalled, not read, and agrees with the value derived here; no finite-K published value could be read.
Ties (probability ``2^-K`` at q = 0) do not enter the K -> infinity value, but do at small K: counting a tie
as -1 instead of an error gives K = 2 ``alpha_c = 2/(9/8 - sqrt 2/(4 pi)) = 1.975`` instead of 4/3 (the
label -1 then costs ``min(t_1^2, (t_1 - t_2)^2/2)`` on the sector ``t_1 > max(0, t_2)``; an angular integral,
not part of the model; a one-off Monte Carlo of 4e6 samples gave 1.977).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy.optimize import brentq
from scipy.special import log_ndtr, ndtr

from ..._util import ParamError, check_choice, check_number
from .. import engine
from ..channels import log_phi, storage_energetic
from ..priors import ising_entropy, ising_gamma, ising_prior, spherical_entropy, spherical_prior
from ..solution import ConvergenceError, Solution, select_thermodynamic
from .deep import deep_energetic_value, parse_branching, solve_branching

WEIGHTS = ("spherical", "ising")


def deep_storage_energetic(q, branching, output="majority", gamma=False, kappa=0.0):
    """``G_E(q)``, ``dG_E/dq`` (central difference, step 1e-5 min(q, 1-q)) and, if ``gamma``, the replicon factor."""
    q = min(max(q, 1e-12), 1.0 - 1e-12)
    e = deep_energetic_value(q, 0.0, 0.0, branching, output, gamma, kappa=kappa)
    h = 1e-5 * min(q, 1.0 - q)
    up = deep_energetic_value(q + h, 0.0, 0.0, branching, output, kappa=kappa)["G"]
    down = deep_energetic_value(q - h, 0.0, 0.0, branching, output, kappa=kappa)["G"]
    e["dq"] = (up - down) / (2.0 * h)
    return e


def flip_costs(branching, output, n_samples=2_000_000, seed=0, chunk=200_000, kappa=0.0):
    """Samples of the output's least flip cost ``d_out`` (module docstring) for iid N(0,1) first-layer fields.

    ``kappa > 0``: the least cost of making the output's label the sampled ``sigma = +-1`` with every
    first-layer field firm (``|h| >= kappa``), from the per-unit pair of costs (module docstring).
    """
    Ks = tuple(branching)
    M = int(np.prod(Ks))
    rng = np.random.default_rng(seed)
    out = []
    left = int(n_samples)
    while left > 0:
        n = min(chunk, left)
        left -= n
        t = rng.standard_normal((n, M))
        if kappa > 0:
            out.append(_firm_costs(t, Ks, output, kappa, rng.random(n) < 0.5))
            continue
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


def _firm_costs(t, Ks, output, kappa, plus):
    """Least cost of output = +1 (rows where ``plus``) or -1 with all first-layer fields firm (module docstring)."""
    n = t.shape[0]
    cp = np.maximum(kappa - t, 0.0) ** 2           # make the unit firm +1
    cm = np.maximum(kappa + t, 0.0) ** 2           # firm -1
    for K in Ks:
        cp = cp.reshape(n, -1, K)
        cm = cm.reshape(n, -1, K)
        base = np.minimum(cp, cm).sum(axis=2)
        if output == "parity":
            # each child its cheaper sign; if their product is wrong, the child with the smallest
            # |cp - cm| takes its dearer sign
            odd = (cm < cp).sum(axis=2) % 2
            gap = np.abs(cp - cm).min(axis=2)
            new_p = base + np.where(odd == 0, 0.0, gap)
            new_m = base + np.where(odd == 1, 0.0, gap)
        else:
            need = (K + 1) // 2
            new_p = base + np.sort(np.maximum(cp - cm, 0.0), axis=2)[:, :, :need].sum(axis=2)
            new_m = base + np.sort(np.maximum(cm - cp, 0.0), axis=2)[:, :, :need].sum(axis=2)
        cp, cm = new_p, new_m
    return np.where(plus, cp[:, 0], cm[:, 0])


def deep_storage_capacity(branching="3,3", output="majority", n_samples=2_000_000, seed=0, kappa=0.0):
    """RS storage capacity ``alpha_c`` of the spherical deep tree and its standard error.

    Module docstring: ``alpha_c = 2 / E[d_out]`` at kappa = 0, ``1 / E[C_sigma]`` at kappa > 0.
    L = 1 majority: :func:`.storage.tree_storage_capacity` (4.025 for K = 3); branching 1:
    Gardner's ``1 / int_{-kappa} Dt (t + kappa)^2`` (2 at kappa = 0). Returns ``(alpha_c, sem)``.
    """
    Ks, output = parse_branching(branching, output)
    d = flip_costs(Ks, output, n_samples, seed, kappa=kappa)
    m, s = float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size))
    if kappa > 0:
        return 1.0 / m, s / m ** 2
    return 2.0 / m, 2.0 * s / m ** 2


def deep_storage_at_line(branching="3,3", output="majority", kappa=0.0, activation="sign"):
    """``(alpha_AT, q_AT)``: where the spherical RS Gardner volume turns replicon-unstable, or (None, None)."""
    Ks, output, activation, _, kappa, _ = check_storage(branching, output, activation, 0.0, kappa, "spherical")
    st = DeepStorage(Ks, output, 1.0, "spherical", kappa, activation)

    def lam(q):
        return 1.0 - st.alpha_of_q(q) * st.energetic(q, gamma=True)["gamma"]

    qs = [1e-3, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97, 0.99]
    prev = qs[0]
    if lam(prev) <= 0:
        raise ConvergenceError(f"branching={Ks}: the RS Gardner volume is already unstable at q={prev}")
    for qv in qs[1:]:
        if lam(qv) <= 0:
            q_at = brentq(lam, prev, qv, xtol=1e-9)
            return st.alpha_of_q(q_at), q_at
        prev = qv
    return None, None


# ----------------------------------------------------------------------------
# ReLU first layer (one hidden layer): sign(sum_{k <= K/2} relu(h_k) - sum_{k > K/2} relu(h_k))
# ----------------------------------------------------------------------------

RELU_K_MAX = 512           # capacity (flip-cost Monte Carlo); the Gardner volume itself: K = 2


def relu_kernel(q):
    """``k(q) = E[relu(h) relu(h')]`` for unit Gaussians of correlation q (arc-cosine kernel of order 1)."""
    q = min(max(q, -1.0), 1.0)
    return (math.sqrt(max(1.0 - q * q, 0.0)) + (math.pi - math.acos(q)) * q) / (2.0 * math.pi)


def relu_capacity_large_k():
    """RS capacity of the spherical ReLU tree at K -> infinity: ``2 E[g'^2] / Var g = 2 pi / (pi - 1)``.

    Derived here (module docstring, ReLU section): the output field is Gaussian by the central limit
    theorem, with replica overlap ``Q(q) = (k(q) - k(0)) / (k(1) - k(0))``, so the Gardner volume is
    the perceptron's at overlap Q; as q -> 1, ``1 - Q = (1 - q) k'(1)/(k(1) - k(0))`` and Gardner's
    ``alpha_c = 2`` in Q becomes ``2 k'(1) / (k(1) - k(0))`` with ``k'(1) = E[g'^2] = 1/2``,
    ``k(1) = 1/2``, ``k(0) = E[g]^2 = 1/(2 pi)``.
    """
    return 2.0 * math.pi / (math.pi - 1.0)


def relu_large_k_energetic(q):
    """``G_E(q)`` and ``dG_E/dq`` of the K -> infinity ReLU tree: the Gardner perceptron's at ``Q(q)``."""
    k0, k1 = relu_kernel(0.0), relu_kernel(1.0)
    Q = (relu_kernel(q) - k0) / (k1 - k0)
    dQ = ((math.pi - math.acos(min(max(q, -1.0), 1.0))) / (2.0 * math.pi)) / (k1 - k0)
    e = storage_energetic(Q, 0.0)
    return {"G": float(e["G"]), "dq": float(e["dq"]) * dQ, "Q": Q}


def relu_large_k_alpha_of_q(q):
    """Spherical stationarity of the K -> infinity ReLU Gardner volume solved for alpha (its q -> 1 limit
    is :func:`relu_capacity_large_k`, a check of the two routes)."""
    return q / ((1.0 - q) ** 2 * (-2.0 * relu_large_k_energetic(q)["dq"]))


@njit(cache=True)
def _relu_cost_one(tp, tm):
    """Least squared move of the K fields making sum relu(tp) > sum relu(tm) (closure; module docstring)."""
    act = 0.0
    n_act = 0
    depths = np.empty(tp.size)
    n_in = 0
    for v in tp:
        if v >= 0:
            act += v
            n_act += 1
        else:
            depths[n_in] = -v
            n_in += 1
    d = np.sort(depths[:n_in])
    top = 0.0
    neg = 0.0
    for v in tm:
        if v > 0:
            neg += v
            top = max(top, v)
    if n_act > 0 and act >= neg:
        return 0.0
    best = np.inf
    for j in range(n_in + 1):
        if n_act + j == 0:
            continue
        # F(mu) = n_act mu + act + sum_{i<j} relu(mu - d_i) - sum_tm relu(t - mu): increasing in mu
        lo, hi = 0.0, top
        f0 = act - neg
        if f0 < 0:
            for _ in range(100):
                mu = 0.5 * (lo + hi)
                F = act + n_act * mu - 0.0
                for i in range(j):
                    if mu > d[i]:
                        F += mu - d[i]
                for v in tm:
                    if v > mu:
                        F -= v - mu
                if F >= 0:
                    hi = mu
                else:
                    lo = mu
                if hi - lo < 1e-15 * (1.0 + top):
                    break
            mu = hi
        else:
            mu = 0.0
        cost = n_act * mu * mu
        for i in range(j):
            cost += max(d[i], mu) ** 2
        for v in tm:
            if v > 0:
                cost += min(v, mu) ** 2
        best = min(best, cost)
        if j < n_in and d[j] >= mu and n_act + j > 0:
            break                      # a deeper unit would contribute only above the present level
    return best


@njit(cache=True)
def _relu_costs(t, half):
    out = np.empty(t.shape[0])
    for i in range(t.shape[0]):
        out[i] = _relu_cost_one(t[i, :half], t[i, half:])
    return out


def relu_flip_costs(K, n_samples=1_000_000, seed=0, chunk=100_000):
    """Samples of the least squared move of K iid N(0,1) fields making the ReLU tree's output right."""
    rng = np.random.default_rng(seed)
    out, left = [], int(n_samples)
    while left > 0:
        n = min(chunk, left)
        left -= n
        out.append(_relu_costs(rng.standard_normal((n, K)), K // 2))
    return np.concatenate(out)


def relu_storage_capacity(K=2, n_samples=1_000_000, seed=0):
    """RS capacity ``alpha_c = 1 / E[d]`` of the spherical ReLU tree with K (even) units and its standard error.

    ``d`` is the least squared move of the first-layer fields that makes ``sigma (S_+ - S_-) > 0``
    (module docstring, ReLU section); Monte Carlo over the fields (fixed seed). K -> infinity:
    :func:`relu_capacity_large_k`.
    """
    K = check_relu_branching(K)
    d = relu_flip_costs(K, n_samples, seed)
    m, s = float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size))
    return 1.0 / m, s / m ** 2


def check_relu_branching(branching):
    """One even K in 2..64 (a single hidden layer of ReLU units; half enter with weight +1, half -1)."""
    if isinstance(branching, str):
        parts = [p for p in branching.replace(" ", "").split(",") if p != ""]
    else:
        parts = list(np.atleast_1d(branching))
    if len(parts) != 1:
        raise ParamError(f"branching={branching!r} is not allowed under activation=relu; allowed: one even K "
                         f"(a single hidden layer), 2..{RELU_K_MAX}")
    K = int(check_number("branching", parts[0], lo=2, hi=RELU_K_MAX, integer=True))
    if K % 2:
        raise ParamError(f"branching={K} is not allowed under activation=relu; allowed: even K (half the units "
                         f"enter with weight +1, half with -1)")
    return K


# ---- K = 2: the Gardner volume ------------------------------------------------------------------

_GL8 = np.polynomial.legendre.leggauss(8)


def _inner_rule():
    """Panels on tau in [0, 18]: geometric near 0 (steep boundary modes), then unit width; 8-point GL each."""
    edges = np.concatenate([[0.0], 1e-4 * 2.0 ** np.arange(14), np.arange(1.0, 18.5, 1.0)])
    edges = np.unique(edges)
    a, b = edges[:-1], edges[1:]
    x, w = _GL8
    t = (0.5 * (a + b)[:, None] + 0.5 * (b - a)[:, None] * x).ravel()
    ww = (0.5 * (b - a)[:, None] * w).ravel()
    return t, np.log(ww)


_TAU, _LOG_W_TAU = _inner_rule()


@njit(cache=True)
def _nb_log_ndtr(z):
    """log Phi(z) (numba): erfc down to z = -37 (relative accuracy ~1e-15), the asymptotic series below."""
    if z > -37.0:
        return math.log(0.5 * math.erfc(-z * 0.7071067811865476))
    w = 1.0 / (z * z)
    s, term = 1.0, 1.0
    for k in range(1, 12):
        term *= -(2 * k - 1) * w
        s += term
    return -0.5 * z * z - math.log(-z) - 0.9189385332046728 + math.log(s)


@njit(cache=True)
def _nb_log_phi(z):
    return -0.5 * z * z - 0.9189385332046728


nb_log_ndtr = _nb_log_ndtr      # public names for the other kernels of the family (relu_tree.py)
nb_log_phi = _nb_log_phi


@njit(cache=True)
def _relu2_log_prob_nb(x1, x2, tau, log_w):
    out = np.empty(x1.size)
    g = np.empty(tau.size)
    for i in range(x1.size):
        a, b = x1[i], x2[i]
        lo = a
        z = a - b
        hi = a + math.exp(_nb_log_phi(z) - _nb_log_ndtr(z))
        for _ in range(60):                    # g'(v) = -(v - x1) + r(v - x2) is decreasing
            mid = 0.5 * (lo + hi)
            z = mid - b
            if -(mid - a) + math.exp(_nb_log_phi(z) - _nb_log_ndtr(z)) > 0:
                lo = mid
            else:
                hi = mid
        start = max(0.5 * (lo + hi) - 9.0, 0.0)
        m = -np.inf
        for j in range(tau.size):
            v = start + tau[j]
            g[j] = _nb_log_phi(v - a) + _nb_log_ndtr(v - b) + log_w[j]
            m = max(m, g[j])
        acc = 0.0
        for j in range(tau.size):
            acc += math.exp(g[j] - m)
        out[i] = m + math.log(acc)
    return out


def relu2_log_prob(x1, x2):
    """``log P(h_1 > max(0, h_2))`` for ``h_i = x_i + z_i`` (iid unit noise): the K = 2 ReLU tree's output is
    +1. ``P = int_0^inf phi(v - x1) Phi(v - x2) dv``, a log-concave integrand (curvature in [1, 2]) summed in
    log space on a window of +-9 around its mode on v >= 0 (found by bisection); numba."""
    x1 = np.asarray(x1, float)
    x2 = np.asarray(x2, float)
    shape = np.broadcast(x1, x2).shape
    a, b = (np.ascontiguousarray(np.broadcast_to(v, shape)).ravel() for v in (x1, x2))
    return _relu2_log_prob_nb(a, b, _TAU, _LOG_W_TAU).reshape(shape)


def relu2_hessian(x1, x2, lP):
    """Hessian entries of ``ln P(x1, x2)`` (:func:`relu2_log_prob`) in closed form (module docstring)."""
    d, S = x1 - x2, x1 + x2
    A = np.exp(log_phi(x1) + log_ndtr(-x2) - lP)
    Ir = np.exp(log_phi(d / _SQ2) + log_ndtr(S / _SQ2) - lP) / _SQ2
    Jr = 0.5 * np.exp(log_phi(d / _SQ2) + log_phi(S / _SQ2) - lP)
    p1, p2 = A + Ir, -Ir
    I1, I2 = -0.5 * d * Ir + Jr, 0.5 * d * Ir + Jr
    H11 = -x1 * A + I1 - p1 * p1
    H12 = -I1 - p1 * p2
    H22 = -I2 - p2 * p2
    return H11, H12, H22


_SQ2 = math.sqrt(2.0)
RELU2_NODES = 81


def _relu2_rule(b, n=RELU2_NODES):
    """Rows (t1, t2, weight): t1 on the sinh rule around 0, t2 on one around t1 (the two edges of the
    region where the output is +1: h1 = 0 and h1 = h2), both of width min(1, 1/b)."""
    c = max(min(1.0, 1.0 / b if b > 0 else 1.0), 1e-9)
    U = math.asinh(12.0 / c)
    u = np.linspace(-U, U, n)
    h = u[1] - u[0]
    t1 = c * np.sinh(u)
    w1 = h * c * np.cosh(u) * np.exp(log_phi(t1))
    t2 = t1[:, None] + t1[None, :]
    w2 = (h * c * np.cosh(u))[None, :] * np.exp(log_phi(t2))
    W = w1[:, None] * w2
    return np.broadcast_to(t1[:, None], t2.shape).ravel(), t2.ravel(), W.ravel()


def relu2_energetic_value(q, gamma=False, n=RELU2_NODES):
    """``G_E(q) = E_t ln P(+ | t)`` of the K = 2 ReLU tree storing random labels (both labels give the same
    mean by the symmetry of the two units) and, if ``gamma``, the replicon factor
    ``E[sum_{ij} (d_i d_j ln P)^2]`` in the cavity fields ``x_i = b t_i``."""
    q = min(max(q, 1e-300), 1.0 - 1e-13)
    b = math.sqrt(q / (1.0 - q))
    t1, t2, W = _relu2_rule(b, n)
    x1, x2 = b * t1, b * t2
    lP = relu2_log_prob(x1, x2)
    out = {"G": float(np.dot(W, lP)), "eps_t": 0.0}
    if gamma:
        H11, H12, H22 = relu2_hessian(x1, x2, lP)
        out["gamma"] = float(np.dot(W, H11 ** 2 + 2.0 * H12 ** 2 + H22 ** 2))
    return out


def relu2_storage_energetic(q, gamma=False):
    """:func:`relu2_energetic_value` with ``dG_E/dq`` by central differences (step 1e-5 min(q, 1-q))."""
    q = min(max(q, 1e-12), 1.0 - 1e-12)
    e = relu2_energetic_value(q, gamma)
    h = 1e-5 * min(q, 1.0 - q)
    e["dq"] = (relu2_energetic_value(q + h)["G"] - relu2_energetic_value(q - h)["G"]) / (2.0 * h)
    return e


# ----------------------------------------------------------------------------
# The Gardner volume: one fixed-point problem for every architecture
# ----------------------------------------------------------------------------

class DeepStorage:
    """Gardner volume of the deep tree: the fixed-point map q -> q_hat -> q (spherical or Ising prior).

    ``activation="relu"``: the K = 2 ReLU tree (its own energetic term, :func:`relu2_storage_energetic`).
    """

    def __init__(self, branching, output, alpha, weights, kappa=0.0, activation="sign"):
        Ks = solve_branching(tuple(branching), output) if activation == "sign" else tuple(branching)
        self.branching, self.output, self.alpha, self.weights = Ks, output, float(alpha), weights
        self.kappa, self.activation = float(kappa), activation

    def energetic(self, q, gamma=False):
        if self.activation == "relu":
            return relu2_storage_energetic(q, gamma)
        return deep_storage_energetic(q, self.branching, self.output, gamma, self.kappa)

    def alpha_of_q(self, q):
        """Spherical stationarity q_hat = q/(1-q)^2 = -2 alpha dG_E/dq solved for alpha."""
        dq = self.energetic(q)["dq"]
        return q / ((1.0 - q) ** 2 * (-2.0 * dq)) if dq < 0 else math.inf

    def update(self, x):
        e = self.energetic(float(x[0]))
        q_hat = max(-2.0 * self.alpha * e["dq"], 0.0)
        prior = spherical_prior if self.weights == "spherical" else ising_prior
        return np.array([prior(q_hat, 0.0)[0]])

    def evaluate(self, x):
        """q, q_hat, entropy per weight and replicon eigenvalue at a fixed point."""
        q = float(x[0])
        e = self.energetic(q, gamma=True)
        q_hat = -2.0 * self.alpha * e["dq"]
        if self.weights == "spherical":
            gs, g_s = spherical_entropy(q, 0.0), 1.0
        else:
            gs, g_s = ising_entropy(q, 0.0, q_hat, 0.0), ising_gamma(q_hat, 0.0)
        return q, q_hat, gs + self.alpha * e["G"], 1.0 - self.alpha * g_s * e["gamma"]

    def problem(self):
        return engine.FixedPointProblem(("q",), self.update, np.array([0.0]), np.array([1.0]),
                                        transforms=("logit",))


def exact_zero_fixed_point(Ks, output, activation):
    """q = 0 solves the RS equations at every alpha where no single first-layer field moves the output at
    q = 0 to first order (dG_E/dq(0) = 0): the parity of M >= 2 sign units."""
    return activation == "sign" and output == "parity" and int(np.prod(Ks)) >= 2


def check_storage(branching, output, activation, alpha, kappa, weights):
    """Validated (branching tuple, output, activation, alpha, kappa, weights); one-line ParamError otherwise."""
    activation = check_choice("activation", activation, ("sign", "relu"))
    if activation == "relu":
        K = check_relu_branching(branching)
        output = check_choice("output", output, ("majority", "parity"))
        if output != "majority":
            raise ParamError("output=parity does not apply under activation=relu (the output is the sign of the "
                             "+-1-weighted sum of the ReLU units); allowed: the default output=majority")
        Ks = (K,)
    else:
        Ks, output = parse_branching(branching, output)
    alpha = check_number("alpha", alpha, lo=0.0)
    kappa = check_number("kappa", kappa, lo=0.0)
    if not (math.isfinite(alpha) and math.isfinite(kappa)):
        raise ParamError("alpha and kappa must be finite")
    if activation == "relu" and kappa != 0:
        raise ParamError(f"kappa={kappa:g} is not implemented under activation=relu; allowed: 0")
    weights = check_choice("weights", weights, WEIGHTS)
    return Ks, output, activation, alpha, kappa, weights


def storage_capacity(Ks, output, activation, kappa):
    """Spherical RS capacity observables: ``alpha_c``, ``alpha_c_sem`` (and ReLU: ``alpha_c_large_k``)."""
    if activation == "relu":
        # K = 2: E[d] = 3/4 in closed form (three sectors of the plane, 1/4 each), no sampling needed
        a_c, a_sem = (4.0 / 3.0, 0.0) if Ks[0] == 2 else relu_storage_capacity(Ks[0])
        return {"alpha_c": a_c, "alpha_c_sem": a_sem, "alpha_c_large_k": relu_capacity_large_k()}
    a_c, a_sem = deep_storage_capacity(Ks, output, kappa=kappa)
    return {"alpha_c": a_c, "alpha_c_sem": a_sem}


def deep_storage(branching="3,3", output="majority", activation="sign", alpha=1.0, kappa=0.0, weights="spherical",
                 strict=False, capacity=True):
    """Gardner volume of the deep tree storing random labels (RS): q, entropy, alpha_c, replicon eigenvalue.

    Spherical weights: q from the closed-form ``alpha(q)`` (bracketed root in logit q); Ising: the
    engine's fixed-point search. ``alpha_c`` (spherical) is :func:`deep_storage_capacity` (with
    ``alpha_c_sem``); beyond it there is no RS solution. ``kappa >= 0``: every first-layer field
    must have ``|h| >= kappa`` (module docstring). ``activation="relu"``: one hidden layer of K
    (even) ReLU units; the Gardner volume for K = 2, the capacity for any even K <= 64 (module
    docstring, ReLU section; :func:`deep_capacity`).
    """
    Ks, output, activation, alpha, kappa, weights = check_storage(branching, output, activation, alpha, kappa,
                                                                 weights)
    if activation == "relu" and Ks[0] != 2:
        raise ParamError(f"branching={Ks[0]} under activation=relu: the Gardner volume is implemented for branching=2; "
                         f"the RS capacity of even K <= {RELU_K_MAX} is committee.deep_capacity")
    params = {"branching": ",".join(map(str, Ks)), "output": output, "activation": activation, "alpha": alpha,
              "kappa": kappa, "weights": weights}
    name = "committee.deep_storage"
    obs0 = {}
    if capacity and weights == "spherical":
        obs0 = storage_capacity(Ks, output, activation, kappa)
        a_c = obs0["alpha_c"]
        if alpha >= a_c:
            return Solution.failed(name, params, f"alpha={alpha:g} >= the RS capacity {a_c:.4g}: no RS solution")
    if alpha == 0:
        sol = Solution(model=name, params=params, order={"q": 0.0, "q_hat": 0.0},
                       observables={"q": 0.0, "entropy": 0.0 if weights == "spherical" else math.log(2), **obs0},
                       free_energy=0.0, branch="rs", stable=True, replicon_eigenvalue=1.0)
        return select_thermodynamic(name, params, [sol], strict)
    st = DeepStorage(Ks, output, alpha, weights, kappa, activation)
    roots = []
    if weights == "spherical":
        def F(u):
            return st.alpha_of_q(1.0 / (1.0 + math.exp(-u))) - alpha
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
        if exact_zero_fixed_point(Ks, output, activation) and q < 1e-6:
            continue                                  # the exact q = 0 state below stands for it
        sols.append(Solution(model=name, params=params, order={"q": q, "q_hat": q_hat},
                             observables={"q": q, "entropy": f, **obs0}, free_energy=-f, residual=r.residual,
                             iterations=r.iterations, branch="rs", stable=bool(lam > 0), replicon_eigenvalue=lam))
    if exact_zero_fixed_point(Ks, output, activation):
        # parity: dG_E/dq(0) = 0, so q = 0 is a fixed point at every alpha (uncorrelated solutions; the
        # entropy is the annealed one, the prior's plus alpha G_E(0))
        # at q = 0 each field is pure noise: firm with probability 2 Phi(-kappa), the parity of the votes
        # +-1 with probability 1/2; the replicon factor vanishes (no first-order sensitivity)
        G0 = math.log(0.5) + int(np.prod(Ks)) * float(np.log(2.0 * ndtr(-kappa)))
        f0 = (0.0 if weights == "spherical" else math.log(2.0)) + alpha * G0
        lam0 = 1.0
        sols.append(Solution(model=name, params=params, order={"q": 0.0, "q_hat": 0.0},
                             observables={"q": 0.0, "entropy": f0, **obs0}, free_energy=-f0, branch="symmetric",
                             stable=bool(lam0 > 0), replicon_eigenvalue=lam0,
                             message="exact q = 0 fixed point (parity)"))
    if not sols:
        return Solution.failed(name, params, "no RS fixed point found")
    return select_thermodynamic(name, params, sols, strict)


def ising_zero_entropy(branching="3", output="majority", activation="sign", kappa=0.0, tol=1e-6):
    """``(alpha_0, q_0)``: where the RS entropy of the Ising deep tree's Gardner volume vanishes (the
    zero-entropy capacity; for the perceptron 0.833, Krauth & Mezard 1989). Bracketed below the annealed
    zero ``ln 2 + alpha G_E(0) = 0`` (the quenched entropy is below the annealed one)."""
    Ks, output, activation, _, kappa, _ = check_storage(branching, output, activation, 0.0, kappa, "ising")
    probe = DeepStorage(Ks, output, 1.0, "ising", kappa, activation)
    annealed = math.log(2.0) / -probe.energetic(1e-9)["G"]
    exact_zero = exact_zero_fixed_point(Ks, output, activation)
    cache = {}

    def entropy_at(a):
        """RS entropy of the thermodynamic branch (largest entropy of the fixed points found; q = 0 where the
        iteration runs onto that boundary: an exact fixed point when dG_E/dq(0) = 0, e.g. parity)."""
        st = DeepStorage(Ks, output, a, "ising", kappa, activation)
        starts = [cache["x"], np.array([0.05])] if "x" in cache else [np.array([v]) for v in (0.05, 0.5, 0.9)]
        best = None
        for x0 in starts:
            r = engine.iterate(st.problem(), x0)
            if r.converged:
                x = r.x
            elif "boundary" in r.message and float(r.x[0]) < 1e-3 and exact_zero:
                x = np.array([0.0])
            else:
                continue
            f = st.evaluate(x)[2] if x[0] > 0 else math.log(2.0) + a * st.energetic(1e-12)["G"]
            if best is None or f > best[0]:
                best = (f, x)
        if best is None:
            raise ConvergenceError(f"Ising storage RS equations did not converge at alpha={a}")
        cache["x"] = best[1] if best[1][0] > 0 else np.array([0.05])
        cache["q"] = float(best[1][0])
        return best[0]

    top = annealed * (1.0 - 1e-9)
    if entropy_at(top) >= -1e-9:
        # the RS entropy reaches zero only at the annealed point: the q = 0 branch (exact where
        # dG_E/dq(0) = 0, e.g. parity) is thermodynamic up to alpha = ln 2 / -G_E(0)
        return annealed, cache["q"]
    a0 = engine.transition(entropy_at, 0.05 * annealed, top, xtol=tol)
    entropy_at(a0)
    return a0, cache["q"]


def deep_capacity(branching="3,3", output="majority", activation="sign", kappa=0.0, weights="spherical"):
    """RS capacity of a deep tree (or the ReLU tree): spherical ``alpha_c`` (q -> 1 least-cost formula,
    Monte Carlo average, with its standard error; ReLU also the K -> infinity value ``2 pi/(pi - 1)``);
    Ising the zero-entropy point ``alpha_zero_entropy`` of the RS Gardner volume."""
    Ks, output, activation, _, kappa, weights = check_storage(branching, output, activation, 0.0, kappa, weights)
    params = {"branching": ",".join(map(str, Ks)), "output": output, "activation": activation, "kappa": kappa,
              "weights": weights}
    name = "committee.deep_capacity"
    if weights == "spherical":
        obs = storage_capacity(Ks, output, activation, kappa)
        return Solution(model=name, params=params, observables=obs, branch="rs", status="thermodynamic",
                        message="q -> 1 least-cost formula, Monte Carlo average over the first-layer fields")
    if activation == "relu" and Ks[0] != 2:
        raise ParamError(f"branching={Ks[0]} under activation=relu, weights=ising: the Gardner volume is "
                         "implemented for branching=2 only")
    try:
        a0, q0 = ising_zero_entropy(Ks, output, activation, kappa)
    except (ConvergenceError, ValueError) as err:
        return Solution.failed(name, params, f"Ising zero-entropy point not found: {err}")
    return Solution(model=name, params=params, observables={"alpha_zero_entropy": a0, "q_at_zero_entropy": q0},
                    branch="rs", status="thermodynamic", message="RS entropy of the Ising Gardner volume vanishes")
