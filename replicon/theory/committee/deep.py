"""Gibbs learning of deep tree committee machines: replica-symmetric theory at temperature T >= 0.

Architecture (Barkai, Hansel & Kanter, PRL 65, 2312 (1990); Hansel, Mato & Meunier,
EPL 20, 471 (1992); Engel & Van den Broeck (2001) ch. 12): ``L`` hidden layers of
branching ``K_1, ..., K_L``. The first hidden layer has ``M = K_1 ... K_L`` sign units on
disjoint receptive fields of ``N/M`` inputs each; every unit of layer ``l + 1`` (and the
output, above layer L) combines ``K_l`` units of layer ``l`` by a fixed Boolean rule,
``majority`` (odd K) or ``parity`` (product of the signs). Only the first-layer weights
are learned (spherical, ``|J_i|^2 = N/M``, or Ising). Teacher and student share the
architecture; ``alpha = P/N`` with N the number of first-layer weights. L = 1 is the
tree committee of :mod:`.tree` (majority) or the tree parity machine.

**Why the theory is a composition.** With branch-symmetric overlaps (one ``R``, one
``q`` per first-layer unit) the entropic term is the perceptron's and the energetic term is
an integral over M independent Gaussian fields ``t_i``, exactly as for the one-layer tree,

    G_E = int prod_i Dt_i sum_{sigma = +-1} P_T(sigma | t) ln[e^{-beta} + (1 - e^{-beta}) P_S(sigma | t)],

with the teacher's and student's first-layer vote probabilities ``tau_i = H(-A t_i)``,
``p_i = H(-b t_i)`` (:func:`replicon.theory.channels.teacher_scales`) and ``P_T``, ``P_S``
the output probabilities of independent votes pushed through the tree. The subtrees of the
output are independent, and every rule probability is multilinear in its inputs'
probabilities, so a unit's law enters its parent only through two one-dimensional measures:
``mu_+(dy)`` and ``mu_-(dy)``, the joint law of the student's *effective field*
``y = Phi^{-1}(P_S(+))`` of that unit with the teacher unit being +1 or -1. A parent's
``mu_+-`` are the pushes of products of its children's measures (the ``rule(s) = +-`` terms
of the rule polynomial) under ``y_parent = Phi^{-1}(rule(Phi(y_1), ..., Phi(y_K)))``.

**Quadrature.** First-layer units: the one-layer tree's node rule (:func:`.tree.node_rule`,
``y = b t``, weights ``w(t) tau(t)`` and ``w(t)(1 - tau(t))``) on permutation-symmetric
multisets (:func:`.tree.multisets`). Each intermediate unit's ``mu_+`` and ``mu_-`` are then
compressed to ``m``-point Gauss rules built from the discrete measure by Lanczos (Stieltjes)
with full reorthogonalisation (exact for polynomials in ``y`` of degree ``2m - 1``), a
smooth function of ``(q, R)``. The next layer integrates over multisets of the ``2m``
nodes. For L = 1 nothing is compressed and the sum is the one-layer tree's, node for node.
All rule probabilities are evaluated in log space (vote-count recursions), so rows whose
output is exponentially unlikely keep their exact weight.

**Conjugates.** ``dG_E/dq`` and ``dG_E/dR`` are central differences of ``G_E`` (step
``1e-5`` of the distance to the boundary of ``R^2 < q < 1``; the quadrature is smooth in
(q, R), truncation ~1e-10 relative).

**Replicon (AT) eigenvalue.** As for the one-layer tree (:mod:`.tree`, module docstring) the
dangerous mode is uniform over all M first-layer units and ``lambda = 1 - alpha gamma_S
gamma_E`` with ``gamma_E = E[sum_{i,j} (d_{x_i} d_{x_j} ln z)^2]`` over all pairs of first-layer
student fields ``x_i = b t_i``. Through the tree, with ``g`` the gradient and ``h`` the Hessian of
a unit's ``y`` in its own leaves, a parent with ``a_k = dy/dy_k``, ``B_kl = d^2 y/dy_k dy_l``
has ``|g|^2 = sum a_k^2 |g_k|^2``, ``|g|^4``, ``g^T h g`` and ``|h|_F^2`` in closed form in the
children's four such *marks* (their supports are disjoint):

    |h|^2 = sum_{k != l} B_kl^2 G_k G_l + sum_k (B_kk^2 G2_k + 2 B_kk a_k ghg_k + a_k^2 h2_k),
    ghg   = sum_{k != l} B_kl a_k a_l G_k G_l + sum_k (B_kk a_k^2 G2_k + a_k^3 ghg_k),

(``G = |g|^2``, ``G2 = |g|^4``; leaves: ``G = G2 = 1``, ``ghg = h2 = 0``). Marks are carried
through a compression as their conditional means given ``y`` projected on the ``m``
orthonormal polynomials of the Lanczos basis. ``gamma_E`` is ``|h|^2`` of ``ln z`` at the
output. Derived here; for L = 1 it is the tree's ``gamma`` exactly. (Storage with a margin adds fixed
leaf weights to the Hessian's diagonal and two more marks, ``E = sum_i c_i g_i^2`` and ``D = sum_i c_i
h_ii``: :mod:`.deep_storage`, module docstring.)

**Generalisation error.** Each first-layer unit disagrees with the teacher's with
probability ``eps_1 = arccos(R)/pi`` independently; a unit of layer l disagrees with
probability ``eps_l`` from its children's by the exact finite sum of
:func:`.tree.committee_error` (majority) or ``(1 - (1 - 2 eps)^K)/2`` (parity: an odd number of
children flipped). ``eps_g`` is the output's; ``eps_layers`` lists ``eps_1 .. eps_L``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numba import njit
from scipy.linalg import eigh_tridiagonal
from scipy.special import log_ndtr, ndtr, ndtri_exp

from ..._util import ParamError, check_choice, check_number
from .. import engine
from ..channels import beta_eps, log_phi, teacher_scales
from ..gauss import panel_rule
from ..perceptron import TeacherStudent
from ..solution import Solution, select_thermodynamic
from .tree import model_branches, multisets, node_rule
from .storage import log_add_exp, log_counts_without

OUTPUTS = ("majority", "parity")
ACTIVATIONS = ("sign",)
WEIGHTS = ("spherical", "ising")
K_MAX = 7
M_MAX = 81          # most first-layer units
N_GAUSS = 20        # Gauss nodes per measure (mu_+ and mu_-) of a compressed unit
LEAF_NODES = {1: 401, 2: 61, 3: 31, 4: 21, 5: 17, 6: 15, 7: 13}
LEAF_NODES_KAPPA = {1: 401, 2: 121, 3: 61, 4: 31, 5: 21, 6: 17, 7: 15}   # margin kappa > 0 (storage)
_RULE = {"majority": 0, "parity": 1}


# ----------------------------------------------------------------------------
# Input checks
# ----------------------------------------------------------------------------

def parse_branching(branching, output="majority"):
    """``branching`` (comma list or sequence K_1, ..., K_L, first hidden layer up) as a tuple of ints.

    Each K_l in 1..7, at most 81 first-layer units; majority needs every K_l odd (a tie has no
    output without a convention); parity takes any K_l.
    """
    output = check_choice("output", output, OUTPUTS)
    if isinstance(branching, str):
        parts = [p for p in branching.replace(" ", "").split(",")]
    else:
        parts = list(np.atleast_1d(branching))
    if not parts or any(p == "" for p in parts):
        raise ParamError(f"branching={branching!r} is not allowed; allowed: a comma list of integers "
                         f"K_1,...,K_L in 1..{K_MAX}, e.g. 3,3")
    Ks = tuple(int(check_number("branching", p, lo=1, hi=K_MAX, integer=True)) for p in parts)
    if output == "majority" and any(k % 2 == 0 for k in Ks):
        raise ParamError(f"branching={','.join(map(str, Ks))} is not allowed under output=majority "
                         f"(ties undefined); allowed: odd K_l (1, 3, 5, 7), or output=parity")
    if int(np.prod(Ks)) > M_MAX:
        raise ParamError(f"branching={','.join(map(str, Ks))} has {int(np.prod(Ks))} first-layer units; "
                         f"allowed: at most {M_MAX}")
    return Ks, output


def check_activation(activation):
    """``sign`` or ``relu`` (relu: the two-unit tree of :mod:`.relu_tree`, dispatched by :func:`deep`)."""
    return check_choice("activation", activation, ("sign", "relu"))


# ----------------------------------------------------------------------------
# Rule probabilities in log space (numba)
# ----------------------------------------------------------------------------

@njit(cache=True)
def _log_rule(d, m, f_plus, f_minus, K, rule, sign):
    """log P(rule output = sign | m random inputs with counts d, f_plus / f_minus fixed inputs +1 / -1)."""
    s = -np.inf
    h = (K - 1) // 2
    for j in range(m + 1):
        if rule == 0:
            plus = j + f_plus > h
        else:
            plus = ((m - j) + f_minus) % 2 == 0
        if plus == (sign > 0):
            s = log_add_exp(s, d[j])
    return s


@njit(cache=True)
def _log_diff(a, b):
    """(log|e^a - e^b|, sign)."""
    if a == b:
        return -np.inf, 0.0
    if a > b:
        return a + math.log1p(-math.exp(b - a)), 1.0
    return b + math.log1p(-math.exp(a - b)), -1.0


@njit(cache=True)
def rule_rows(idx, lp, lm, ltp, ltm, rule, derivs):
    """For each row of child indices: log P_S(+), log P_S(-) (student), P_T(+) (teacher), and if ``derivs``
    the signed logs of D_k = dP_S(+)/dp_k and D_kl = d^2 P_S(+)/dp_k dp_l (k != l).

    ``lp, lm``: log of the student's child probabilities of +1 / -1; ``ltp, ltm``: the teacher's.
    Returns lP, lM, tau, lD (n, K), sD (n, K), lDD (n, K, K), sDD (n, K, K).
    """
    n, K = idx.shape
    lP = np.empty(n)
    lM = np.empty(n)
    tau = np.empty(n)
    nd = K if derivs else 0
    lD = np.full((n, nd), -np.inf)
    sD = np.zeros((n, nd))
    lDD = np.full((n, nd, nd), -np.inf)
    sDD = np.zeros((n, nd, nd))
    d = np.empty(K + 1)
    for i in range(n):
        row = idx[i]
        m = log_counts_without(lp, lm, row, -1, -1, d)
        lP[i] = _log_rule(d, m, 0, 0, K, rule, 1)
        lM[i] = _log_rule(d, m, 0, 0, K, rule, -1)
        m = log_counts_without(ltp, ltm, row, -1, -1, d)
        tau[i] = math.exp(_log_rule(d, m, 0, 0, K, rule, 1))
        if not derivs:
            continue
        for k in range(K):
            m = log_counts_without(lp, lm, row, k, -1, d)
            a = _log_rule(d, m, 1, 0, K, rule, 1)
            b = _log_rule(d, m, 0, 1, K, rule, 1)
            lD[i, k], sD[i, k] = _log_diff(a, b)
        for k in range(K):
            for l in range(k + 1, K):
                m = log_counts_without(lp, lm, row, k, l, d)
                pp = _log_rule(d, m, 2, 0, K, rule, 1)
                mm = _log_rule(d, m, 0, 2, K, rule, 1)
                pm = _log_rule(d, m, 1, 1, K, rule, 1)
                v, s = _log_diff(log_add_exp(pp, mm), pm + math.log(2.0))
                lDD[i, k, l] = lDD[i, l, k] = v
                sDD[i, k, l] = sDD[i, l, k] = s
    return lP, lM, tau, lD, sD, lDD, sDD


# ----------------------------------------------------------------------------
# Measures of a unit: nodes y, total weight W, teacher probability tau, marks
# ----------------------------------------------------------------------------

def _effective_field(lP, lM):
    """y = Phi^{-1}(P) from log P and log(1 - P), from the smaller of the two (accurate in both tails)."""
    return np.where(lP < lM, ndtri_exp(np.minimum(lP, 0.0)), -ndtri_exp(np.minimum(lM, 0.0)))


def _first_derivatives(lD, sD, lphi_child, lscale):
    """a_k = sD exp(lD + log phi(y_k) + lscale) (row-wise lscale)."""
    return sD * np.exp(np.minimum(lD + lphi_child + lscale[:, None], 700.0))


def _second_derivatives(lDD, sDD, y_child, lphi_child, a, lscale, curv):
    """B_kl: the k != l part sDD exp(lDD + lphi_k + lphi_l + lscale) + curv a_k a_l; diagonal -y_k a_k + curv a_k^2."""
    B = sDD * np.exp(np.minimum(lDD + lphi_child[:, :, None] + lphi_child[:, None, :] + lscale[:, None, None],
                                700.0))
    B = B + curv[:, None, None] * a[:, :, None] * a[:, None, :]
    K = a.shape[1]
    diag = -y_child * a + curv[:, None] * a * a
    B[:, np.arange(K), np.arange(K)] = diag
    return B


def _combine_marks(a, B, G, G2, ghg, h2, E=None, D=None):
    """The marks of a parent (module docstring) from its children's (arrays rows x K) and a, B.

    Four marks; with ``E``, ``D`` (margin kappa > 0, :func:`_leaf_level`) also the parent's
    ``E = sum_i c_i g_i^2`` and ``D = sum_i c_i h_ii`` for fixed leaf weights ``c_i``.
    """
    aG = a * a * G
    sG = aG.sum(axis=1)
    Gp = sG
    G2p = np.sum(a ** 4 * G2, axis=1) + sG ** 2 - np.sum(aG ** 2, axis=1)
    K = a.shape[1]
    off = ~np.eye(K, dtype=bool)
    GG = G[:, :, None] * G[:, None, :]
    Bd = B[:, np.arange(K), np.arange(K)]
    h2p = (np.sum(np.where(off, B * B * GG, 0.0), axis=(1, 2))
           + np.sum(Bd * Bd * G2 + 2.0 * Bd * a * ghg + a * a * h2, axis=1))
    aa = a[:, :, None] * a[:, None, :]
    ghgp = (np.sum(np.where(off, B * aa * GG, 0.0), axis=(1, 2))
            + np.sum(Bd * a * a * G2 + a ** 3 * ghg, axis=1))
    if E is None:
        return Gp, G2p, ghgp, h2p
    return Gp, G2p, ghgp, h2p, np.sum(a * a * E, axis=1), np.sum(Bd * E + a * D, axis=1)


@njit(cache=True)
def _lanczos(y, sw, m, tol):
    """Lanczos on diag(y) from the unit vector sw, full reorthogonalisation: (alphas, betas, V) (numba)."""
    N = y.size
    V = np.zeros((m, N))
    al = np.zeros(m)
    be = np.zeros(m)
    u = np.empty(N)
    for i in range(N):
        V[0, i] = sw[i]
    n = m
    for j in range(m):
        a = 0.0
        for i in range(N):
            u[i] = y[i] * V[j, i]
            a += V[j, i] * u[i]
        al[j] = a
        for i in range(N):
            u[i] -= a * V[j, i]
            if j > 0:
                u[i] -= be[j - 1] * V[j - 1, i]
        for _ in range(1):                                   # full reorthogonalisation
            for k in range(j + 1):
                c = 0.0
                for i in range(N):
                    c += V[k, i] * u[i]
                for i in range(N):
                    u[i] -= c * V[k, i]
        b = 0.0
        for i in range(N):
            b += u[i] * u[i]
        b = math.sqrt(b)
        if j == m - 1 or b < tol:
            n = j + 1
            break
        be[j] = b
        for i in range(N):
            V[j + 1, i] = u[i] / b
    return al[:n], be[:n - 1], V[:n]


def _lanczos_rule(y, w, marks, m):
    """m-point Gauss rule of the discrete measure sum_i w_i delta(y - y_i) and the marks' projected means.

    Lanczos on diag(y) from sqrt(w) with full reorthogonalisation; stops early when the measure has
    fewer than m points of support. Returns nodes, weights and the node values of each mark (the
    conditional mean given y projected on the orthonormal polynomials of degree < m).
    """
    mu0 = float(w.sum())
    if not mu0 > 0:
        return np.zeros(0), np.zeros(0), [np.zeros(0) for _ in marks]
    sw = np.sqrt(w / mu0)
    scale = max(float(np.max(np.abs(y[w > 0]))), 1.0)
    al, be, V = _lanczos(np.ascontiguousarray(y, dtype=np.float64), sw, int(m), 1e-12 * scale)
    theta, U = eigh_tridiagonal(al, be)
    weights = mu0 * U[0] ** 2
    out = []
    for a_i in marks:
        c = V @ (sw * a_i)                                   # <pi_k a> over the normalised measure
        with np.errstate(divide="ignore", invalid="ignore"):
            vals = (c @ U) / U[0]
        out.append(np.where(np.isfinite(vals), vals, 0.0))
    return theta, weights, out


class _Level:
    """The nodes of one kind of unit: effective fields y, weights W, teacher +1 probability tau, marks."""

    def __init__(self, y, W, tau, marks=None):
        self.y, self.W, self.tau, self.marks = y, W, tau, marks


def _leaf_level(A, b, K_first, n=None, kappa=0.0, s=1.0):
    """First-layer units: node rule of the one-layer tree, y = b t, teacher probability H(-A t).

    ``kappa > 0`` (storage only, A = 0): the unit's conditional vote given that it is firm
    (``|h| >= kappa``), ``y = Phi^{-1}(p_+/(p_+ + p_-))`` with ``p_+- = Phi(+-x - kappa/s)``,
    ``x = b t`` (:mod:`.deep_storage`, module docstring); the marks then include the leaf weights
    ``c = (ln f)''`` of the firmness ``f = p_+ + p_-`` (``E = c y'^2``, ``D = c y''``).
    """
    widths = [1.0 / abs(A) if A != 0 else 0.0, 1.0 / b if b > 0 else 0.0]
    nodes = LEAF_NODES
    if kappa > 0 and b > 0:
        widths.append(s * s / (kappa * math.sqrt(max(1.0 - s * s, 1e-300))))
        nodes = LEAF_NODES_KAPPA
    t, w = node_rule(widths, K_first, n or nodes.get(K_first, 15))
    one = np.ones_like(t)
    if not kappa > 0:
        return _Level(b * t, w, ndtr(A * t), [one, one, 0.0 * t, 0.0 * t])
    y, lP, lM, d1, d2, c, _ = firm_leaf(b * t, kappa / s)
    return _Level(y, w, ndtr(A * t), [d1 * d1, d1 ** 4, d1 * d1 * d2, d2 * d2, c * d1 * d1, c * d2])


def firm_leaf(x, k):
    """A first-layer unit under margin ``k = kappa/s`` at cavity field ``x`` (arrays): effective field
    ``y = Phi^{-1}(P)`` of its vote given firmness, ``log P``, ``log(1 - P)``, ``y'``, ``y''``, the
    leaf weight ``c = (ln f)''`` and ``ln f`` (``f = Phi(x - k) + Phi(-x - k)``; derivatives in x)."""
    x = np.asarray(x, float)
    lpp, lpm = log_ndtr(x - k), log_ndtr(-x - k)
    lf = np.logaddexp(lpp, lpm)
    lP, lM = lpp - lf, lpm - lf
    y = _effective_field(lP, lM)

    def r(z):                                   # phi/Phi and its derivative
        v = np.exp(log_phi(z) - log_ndtr(z))
        return v, -v * (z + v)

    ra, dra = r(x - k)
    rb, drb = r(-x - k)
    u1, u2 = ra + rb, dra - drb                 # log-odds derivatives
    P = np.exp(lP)
    scale = np.exp(lP + lM - log_phi(y))        # P (1 - P) / phi(y)
    d1 = scale * u1
    d2 = scale * ((1.0 - 2.0 * P) * u1 * u1 + u2) + y * d1 * d1
    e1, e2 = np.exp(log_phi(x - k) - lf), np.exp(log_phi(x + k) - lf)
    c = -(x - k) * e1 + (x + k) * e2 - (e1 - e2) ** 2
    return y, lP, lM, d1, d2, c, lf


def _rows(level, K, rule, marks):
    """Multisets of K children from level's nodes: parent weights, teacher prob, student logs, derivatives."""
    idx, mult = multisets(level.y.size, K)
    W = mult * np.prod(level.W[idx], axis=1)
    y = level.y
    tau = np.clip(level.tau, 0.0, 1.0)
    with np.errstate(divide="ignore"):
        ltp, ltm = np.log(tau), np.log1p(-tau)
    lP, lM, tp, lD, sD, lDD, sDD = rule_rows(idx, log_ndtr(y), log_ndtr(-y), ltp, ltm, rule, bool(marks))
    return idx, W, tp, lP, lM, lD, sD, lDD, sDD


def _compress(level, K, rule, marks, m):
    """The parent unit's level: its mu_+ and mu_- as m-point Gauss rules (module docstring)."""
    idx, W, tp, lP, lM, lD, sD, lDD, sDD = _rows(level, K, rule, marks)
    yp = _effective_field(lP, lM)
    mk = []
    if marks:
        yc = level.y[idx]
        lphic = log_phi(yc)
        lscale = -log_phi(yp)
        a = _first_derivatives(lD, sD, lphic, lscale)
        B = _second_derivatives(lDD, sDD, yc, lphic, a, lscale, yp)
        mk = list(_combine_marks(a, B, *(mk_[idx] for mk_ in level.marks)))
    ys, Ws, taus, marks_out = [], [], [], [[] for _ in mk]
    for wt, t_val in ((W * tp, 1.0), (W * (1.0 - tp), 0.0)):
        th, om, vals = _lanczos_rule(yp, wt, mk, m)
        ys.append(th)
        Ws.append(om)
        taus.append(np.full(th.size, t_val))
        for j, v in enumerate(vals):
            marks_out[j].append(v)
    return _Level(np.concatenate(ys), np.concatenate(Ws), np.concatenate(taus),
                  [np.concatenate(v) for v in marks_out] if marks else None)


def _nested(level, K, rule):
    """The parent unit's level without compression: every multiset row of its children a node of mu_+ (weight
    W tau) and of mu_- (weight W (1 - tau)) -- the nested quadrature the compression replaces."""
    idx, W, tp, lP, lM, *_ = _rows(level, K, rule, False)
    y = _effective_field(lP, lM)
    return _Level(np.concatenate([y, y]), np.concatenate([W * tp, W * (1.0 - tp)]),
                  np.concatenate([np.ones_like(y), np.zeros_like(y)]))


def firm_moments(q, kappa):
    """``E_t[ln f]`` and ``E_t[c^2]`` of one first-layer unit under margin kappa (:func:`firm_leaf`):
    the firmness factor's share of ``G_E`` and of the replicon factor, per unit (panel rule)."""
    q = min(max(q, 1e-300), 1.0 - 1e-16)
    sq, s = math.sqrt(q), math.sqrt(1.0 - q)
    b = sq / s
    edge, width = kappa / sq, s / sq
    t, w = panel_rule(((edge, width), (-edge, width), (0.0, s * width / kappa), (0.0, 1.0)))
    _, _, _, _, _, c, lf = firm_leaf(b * t, kappa / s)
    return float(np.dot(w, lf)), float(np.dot(w, c * c))


def deep_energetic_value(q, R, T, branching, output="majority", gamma=False, m=N_GAUSS, n=None, kappa=0.0):
    """``G_E``, ``eps_t`` and (``gamma``) the replicon factor of the deep tree at (q, R), no conjugates.

    Module docstring for the integral and its quadrature. ``R = 0`` is the storage channel
    (random labels: the teacher's probabilities are 1/2). ``kappa > 0`` (storage, T = 0, R = 0 only):
    every first-layer field must have ``|h| >= kappa`` (:mod:`.deep_storage`, module docstring).
    ``m=None``: no compression between layers, each intermediate unit's full discrete measure (nested
    quadrature, ``2 C(n + K - 1, K)`` nodes per layer; the benchmark's baseline; no replicon factor).
    """
    Ks = tuple(branching)
    rule = _RULE[output]
    q, s2, s, A, b = teacher_scales(q, R)
    if R == 0:
        A = 0.0
    if kappa > 0 and (R != 0 or T != 0):
        raise ParamError("kappa > 0 is implemented for storage (R = 0, T = 0) only")
    level = _leaf_level(A, b, Ks[0], n, kappa, math.sqrt(1.0 - q))
    if m is None and gamma:
        raise ParamError("m=None (no compression) computes G_E and eps_t only, not the replicon factor")
    for K in Ks[:-1]:
        level = _compress(level, K, rule, gamma, m) if m is not None else _nested(level, K, rule)
    K = Ks[-1]
    idx, W, tp, lP, lM, lD, sD, lDD, sDD = _rows(level, K, rule, gamma)
    log_eps, log_1me = beta_eps(T)
    lzP = np.logaddexp(log_eps, log_1me + lP)
    lzM = np.logaddexp(log_eps, log_1me + lM)
    G = float(np.dot(W, tp * lzP + (1.0 - tp) * lzM))
    M = int(np.prod(Ks))
    if kappa > 0:
        lnf, c2 = firm_moments(q, kappa)
        G += M * lnf
    out = {"G": G, "eps_t": 0.0}
    if T > 0:
        out["eps_t"] = float(np.dot(W, tp * np.exp(log_eps + lM - lzP) + (1.0 - tp) * np.exp(log_eps + lP - lzM)))
    if gamma:
        yc = level.y[idx]
        lphic = log_phi(yc)
        marks = [mk_[idx] for mk_ in level.marks]
        total = 0.0
        for weight, lz, sign in ((tp, lzP, 1.0), (1.0 - tp, lzM, -1.0)):
            lscale = log_1me - lz
            a = sign * _first_derivatives(lD, sD, lphic, lscale)
            Bm = _second_derivatives(lDD, sign * sDD, yc, lphic, a, lscale, -np.ones_like(lz))
            out_marks = _combine_marks(a, Bm, *marks)
            h2F = out_marks[3]
            if kappa > 0:          # |H + diag(c)|^2 = |H|^2 + 2 sum_i c_i H_ii + sum_i c_i^2
                h2F = h2F + 2.0 * out_marks[5]
            total += float(np.dot(W, weight * h2F))
        if kappa > 0:
            total += M * c2
        out["gamma"] = total
    return out


def deep_energetic(q, R, T=0.0, branching=(3, 3), output="majority", gamma=False, need_dq=True, m=N_GAUSS, n=None):
    """Energetic term of the deep tree and its (q, R) derivatives (central differences; module docstring).

    Returns ``G``, ``dq``, ``dR``, ``eps_t`` and, if ``gamma``, the replicon factor ``gamma``.
    """
    q = min(max(q, 1e-300), 1.0 - 1e-13)
    R = max(min(R, math.sqrt(q) * (1 - 1e-12)), -math.sqrt(q) * (1 - 1e-12))
    h = 1e-5 * min(q - R * R, 1.0 - q, q, 1.0)

    def G(qq, RR):
        return deep_energetic_value(qq, RR, T, branching, output, False, m, n)["G"]

    if gamma or T > 0:
        e = deep_energetic_value(q, R, T, branching, output, gamma, m, n)
    else:   # the mean of the two R-steps: O(h^2) ~ 1e-10 from G, one evaluation saved per update
        e = {"eps_t": 0.0}
    up, down = G(q, R + h), G(q, R - h)
    e.setdefault("G", 0.5 * (up + down))
    e["dR"] = (up - down) / (2.0 * h)
    e["dq"] = (G(q + h, R) - G(q - h, R)) / (2.0 * h) if need_dq else float("nan")
    return e


# ----------------------------------------------------------------------------
# Generalisation errors through the tree
# ----------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _flip_table(K):
    """F[m] = P(a majority of K flips | m of its children flipped), teacher votes iid +-1 (the exact sum of
    :func:`.tree.committee_error`, which does not depend on the flip probability)."""
    F = np.zeros(K + 1)
    for m in range(K + 1):
        flips = 0
        for i in range(m + 1):
            for j in range(K - m + 1):
                s_f, s_u = 2 * i - m, 2 * j - (K - m)
                if (s_f + s_u > 0) != (s_u - s_f > 0):
                    flips += math.comb(m, i) * math.comb(K - m, j)
        F[m] = flips / 2.0 ** K
    F.setflags(write=False)
    return F


def layer_error(eps, K, output):
    """P(a unit flips) when each of its K children flips independently w.p. ``eps`` (teacher votes +-1 iid);
    ``eps`` may be an array."""
    if output == "parity":
        return 0.5 * (1.0 - (1.0 - 2.0 * eps) ** K)
    F = _flip_table(int(K))
    e = np.asarray(eps, float)
    ms = np.arange(K + 1)
    pm = np.array([math.comb(K, m) for m in ms], float) * e[..., None] ** ms * (1.0 - e[..., None]) ** (K - ms)
    out = pm @ F
    return float(out) if out.ndim == 0 else out


def layer_errors(R, branching, output):
    """[eps_1, ..., eps_L, eps_output]: first-layer units' error arccos(R)/pi, then each layer up."""
    e = math.acos(max(-1.0, min(1.0, R))) / math.pi
    out = [e]
    for K in branching:
        e = layer_error(e, K, output)
        out.append(e)
    return out


# ----------------------------------------------------------------------------
# The RS problem for the engine
# ----------------------------------------------------------------------------

def solve_branching(Ks, output):
    """The branching the RS equations are solved with: a parity tree computes the parity of all its M
    first-layer units, so with M <= 7 it is solved as the one-layer parity of M (exact multiset sum, no
    compression between layers; the compression loses accuracy as q -> 1, e.g. 2,2 at q ~ 0.98); the
    per-layer errors are still those of the tree as given."""
    M = int(np.prod(Ks))
    if output == "parity" and len(Ks) > 1 and M <= K_MAX:
        return (M,)
    return tuple(Ks)


class DeepTree(TeacherStudent):
    """RS equations of the deep tree at one point: the perceptron's entropic term and coordinates
    (``perceptron.TeacherStudent``, Nishimori line at T = 0) with the deep-tree energetic term."""

    def __init__(self, branching, output, alpha, T, weights):
        super().__init__(alpha, T, weights)
        self.branching, self.output = tuple(branching), output

    _replicon = False

    def energetic(self, q, R):
        return deep_energetic(q, R, self.T, self.branching, self.output, gamma=self._replicon,
                              need_dq=not self.nishimori)

    def evaluate(self, x, replicon=True):
        """Order parameters, free entropy, training error and replicon eigenvalue at a fixed point."""
        self._replicon = bool(replicon)
        try:
            return super().evaluate(x)
        finally:
            self._replicon = False

    def inits(self):
        qs = (0.5, 0.05, 0.95) if self.weights == "spherical" else (0.3, 0.02, 0.7, 0.95)
        return [np.array([v]) if self.nishimori else np.array([v, v]) for v in qs]


def check_deep(branching, output, activation, alpha, T, weights):
    """Validated (branching, output, activation, alpha, T, weights); one-line ParamError otherwise."""
    activation = check_activation(activation)
    if activation == "relu":          # the two-unit ReLU tree has its own checks (branching=2)
        from .relu_tree import check_relu_tree
        check_relu_tree(branching, output, alpha, T, weights)
    Ks, output = parse_branching(branching, output)
    alpha = check_number("alpha", alpha, lo=0.0)
    T = check_number("T", T, lo=0.0)
    if not (math.isfinite(alpha) and math.isfinite(T)):
        raise ParamError("alpha and T must be finite")
    weights = check_choice("weights", weights, WEIGHTS)
    return Ks, output, activation, alpha, T, weights


def _observables(order, f, eps_t, T, alpha, Ks, output):
    R, q = order["R"], order["q"]
    errs = layer_errors(R, Ks, output)
    obs = {"R": R, "q": q, "eps_g": errs[-1], "eps_hidden": errs[0], "eps_layers": errs[:-1], "eps_t": eps_t,
           "free_entropy": f}
    if T > 0:
        obs["entropy"] = f + alpha * eps_t / T
        return obs, -T * f
    obs["entropy"] = f
    return obs, -f


def _perfect(name, params, L):
    order = {"q": 1.0, "R": 1.0, "q_hat": math.inf, "R_hat": math.inf}
    obs = {"R": 1.0, "q": 1.0, "eps_g": 0.0, "eps_hidden": 0.0, "eps_layers": [0.0] * L, "eps_t": 0.0,
           "free_entropy": 0.0, "entropy": 0.0}
    return Solution(model=name, params=dict(params), order=order, observables=obs, free_energy=0.0,
                    converged=True, residual=0.0, iterations=0, branch="perfect", stable=True,
                    replicon_eigenvalue=1.0, message="exact state (infinite conjugates; gamma_S = 0, so lambda = 1)")


def deep_inits(model):
    """Starts for the fixed-point search; parity trees also start on the symmetric line R = 0 (T > 0)."""
    inits = model.inits()
    if model.output == "parity" and not model.nishimori:
        inits = inits + [np.array([0.3, 0.0]), np.array([0.9, 0.0])]
    if model.output == "parity" and model.nishimori:
        inits = inits + [np.array([1e-6])]
    return inits


def deep(branching="3,3", output="majority", activation="sign", alpha=1.0, T=0.0, weights="spherical",
         strict=False, inits=None, replicon=True):
    """Gibbs learning of a deep tree committee (sign units; majority or parity rule): RS R, q, eps_g, branches.

    Module docstring for the equations. ``alpha = P/N`` per first-layer weight. Returns the
    thermodynamic branch with every branch found in ``.branches``: ``rs`` (spherical) or
    ``poor`` (Ising) attracting fixed points, ``unstable`` repelling ones, Ising's exact
    ``perfect`` state; parity trees (M >= 2) carry the exact ``symmetric`` state R = q = 0 at every
    alpha and T (memorisation without generalisation; added in closed form, the iteration does not
    reliably reach it).
    Observables: ``R``, ``q`` (per first-layer unit), ``eps_g`` (output), ``eps_hidden``
    (first layer), ``eps_layers`` (layers 1..L), ``eps_t``, ``entropy``, ``free_entropy``; each
    branch carries ``replicon_eigenvalue`` and ``stable`` (``replicon=False`` skips them).
    L = 1 with majority is ``committee.gibbs``; branching 1 is ``perceptron.teacher``. A parity tree of
    M <= 7 first-layer units is solved as the one-layer parity of M (:func:`solve_branching`).
    ``activation=relu`` (``branching=2`` only): the two-unit ReLU tree, :func:`.relu_tree.relu_tree`.
    """
    if str(activation).strip().lower() == "relu":
        from .relu_tree import relu_tree
        return relu_tree(alpha=alpha, T=T, weights=weights, branching=branching, output=output, strict=strict,
                         replicon=replicon, inits=inits)
    Ks, output, activation, alpha, T, weights = check_deep(branching, output, activation, alpha, T, weights)
    params = {"branching": ",".join(map(str, Ks)), "output": output, "activation": activation, "alpha": alpha,
              "T": T, "weights": weights}
    name = "committee.deep"
    model = DeepTree(solve_branching(Ks, output), output, alpha, T, weights)
    model, roots = model_branches(model, alpha, inits or deep_inits(model))
    sols = []
    for r in roots:
        if alpha == 0:
            order = {"q": 0.0, "R": 0.0, "q_hat": 0.0, "R_hat": 0.0}
            f = 0.0 if weights == "spherical" else math.log(2.0)
            eps_t, lam = (0.5 if T > 0 else 0.0), 1.0
        else:
            order, f, eps_t, lam = model.evaluate(r.x, replicon=replicon)
        obs, F = _observables(order, f, eps_t, T, alpha, Ks, output)
        att = r.extra.get("attracting", True)
        label = ("poor" if weights == "ising" else "rs") if att else "unstable"
        sols.append(Solution(model=name, params=params, order=order, observables=obs, free_energy=F,
                             converged=True, residual=r.residual, iterations=r.iterations, branch=label,
                             status=None if att else "unstable", stable=None if lam is None else bool(lam > 0),
                             replicon_eigenvalue=lam))
    if output == "parity" and int(np.prod(Ks)) >= 2 and alpha > 0:
        sols = [s for s in sols if not (abs(s.order.get("R", 1.0)) < 1e-6 and s.order.get("q", 1.0) < 1e-6)]
        sols.append(_symmetric(name, params, Ks, output, alpha, T, weights))
    _distinct_labels(sols)
    if weights == "ising" and alpha > 0:
        sols.append(_perfect(name, params, len(Ks)))
    return select_thermodynamic(name, params, sols, strict)


def _symmetric(name, params, Ks, output, alpha, T, weights):
    """The exact symmetric state q = R = 0 of a parity tree (M >= 2): no single first-layer field moves the
    output to first order, so dG_E/dq = dG_E/dR = 0 there and it solves the RS equations at every alpha
    (memorisation without generalisation). The student's output is +-1 with probability 1/2 whatever the
    label: ``G_E = ln((1 + e^-beta)/2)``, ``eps_t = e^-beta/(1 + e^-beta)`` (0 at T = 0), and the replicon
    factor vanishes (lambda = 1)."""
    if T > 0:
        G0 = math.log(0.5 * (1.0 + math.exp(-1.0 / T)))
        eps_t = 1.0 / (1.0 + math.exp(1.0 / T))
    else:
        G0, eps_t = math.log(0.5), 0.0
    f = (0.0 if weights == "spherical" else math.log(2.0)) + alpha * G0
    order = {"q": 0.0, "R": 0.0, "q_hat": 0.0, "R_hat": 0.0}
    obs, F = _observables(order, f, eps_t, T, alpha, Ks, output)
    return Solution(model=name, params=params, order=order, observables=obs, free_energy=F, converged=True,
                    residual=0.0, iterations=0, branch="symmetric", stable=True, replicon_eigenvalue=1.0,
                    message="exact symmetric state (parity: dG_E/dq = dG_E/dR = 0 at q = R = 0)")


def _distinct_labels(sols):
    seen = {}
    for s in sorted(sols, key=lambda s: s.order.get("R", 0.0)):
        seen[s.branch] = seen.get(s.branch, 0) + 1
        if seen[s.branch] > 1:
            s.branch = f"{s.branch}{seen[s.branch]}"


def deep_curve(alphas, branching="3,3", output="majority", T=0.0, weights="spherical", x0=None):
    """One branch along a sorted alpha grid by continuation (engine.follow) from ``x0`` or the
    thermodynamic state at the first alpha; list of (alpha, R, q, eps_g, free entropy)."""
    Ks, output, _, _, T, weights = check_deep(branching, output, "sign", 0.0, T, weights)
    alphas = [float(a) for a in alphas]
    if x0 is None:
        first = deep(Ks, output, "sign", alphas[0], T, weights, replicon=False)
        if first.branch == "perfect":
            return []
        x0 = np.array([first["q"]] if T == 0 else [first["q"], first["R"]])
    out = []
    Ss = solve_branching(Ks, output)
    for a, r in engine.follow(lambda a: DeepTree(Ss, output, a, T, weights).problem(), alphas, x0):
        order, f, eps_t, _ = DeepTree(Ss, output, a, T, weights).evaluate(r.x, replicon=False)
        out.append((a, order["R"], order["q"], layer_errors(order["R"], Ks, output)[-1], f))
    return out


def deep_transition(branching="3,3", output="parity", T=0.0, weights="spherical", alpha_lo=0.5, alpha_hi=8.0,
                    tol=1e-7):
    """First-order transition of a deep tree: where the generalising branch's free entropy crosses the
    other branch's (parity, spherical: the symmetric R = 0 branch; Ising: the perfect state), and
    the generalising (resp. poor) branch's spinodal. Engine: spinodal by branch following,
    transition by free-entropy crossing (``engine.spinodal``, ``engine.transition``,
    ``engine.poor_to_perfect_transition``)."""
    Ks, output, _, _, T, weights = check_deep(branching, output, "sign", alpha_lo, T, weights)
    params = {"branching": ",".join(map(str, Ks)), "output": output, "T": T, "weights": weights}
    name = "committee.deep_transition"

    def model_at(a):
        return DeepTree(solve_branching(Ks, output), output, a, T, weights)

    def ev(mdl, x):
        return mdl.evaluate(x, replicon=False)

    if weights == "ising":
        _, roots = model_branches(model_at(alpha_lo), alpha_lo, deep_inits(model_at(alpha_lo)))
        found = engine.poor_to_perfect_transition(model_at, roots, alpha_lo, alpha_hi, tol, evaluate=ev)
        if isinstance(found, str):
            return Solution.failed(name, params, found)
        a_tr, a_sp, order_tr, _ = found
        obs = {"alpha_transition": a_tr, "alpha_spinodal": a_sp, "R_at_transition": order_tr["R"],
               "eps_g_at_transition": layer_errors(order_tr["R"], Ks, output)[-1]}
        return Solution(model=name, params=params, observables=obs, branch="poor", status="thermodynamic",
                        message="engine: poor-to-perfect transition")
    if T != 0:
        raise ParamError("the spherical transition finder works at T=0 only; allowed: T=0 or weights=ising")
    # spherical, T = 0: generalising branch (q = R > 0) against the symmetric one (q = 0, f = 0 exactly
    # for spherical weights with no information: ln of the volume fraction where all labels are right is
    # alpha G_E(0) = -alpha ln 2 plus the prior's 0)
    start = deep(Ks, output, "sign", alpha_hi, T, weights, replicon=False)
    gen = [b for b in start.branches if b["q"] > 1e-3 and b.status != "unstable"]
    if not gen:
        return Solution.failed(name, params, f"no generalising branch at alpha={alpha_hi}")
    x0 = np.array([max(gen, key=lambda b: b["q"])["q"]])

    def make(a):
        return model_at(a).problem()

    try:
        a_sp, x_sp = engine.spinodal(make, alpha_hi, x0, alpha_lo, tol_p=tol)
    except ValueError:
        return Solution.failed(name, params, f"the generalising branch does not end above alpha={alpha_lo}")
    path = {alpha_hi: x0, a_sp: x_sp}

    def delta(a):
        p0 = min(path, key=lambda p: abs(p - a))
        r = engine.step_to(make(a), path[p0])
        if not r.converged:          # too far from every solved point: continue the branch there in steps
            steps = engine.follow(make, list(np.linspace(p0, a, 9)[1:]), path[p0])
            if len(steps) < 8:
                raise engine.ConvergenceError(f"generalising branch lost at alpha={a}")
            for pa, rr in steps:
                path[pa] = rr.x
            r = steps[-1][1]
        path[a] = r.x
        return ev(model_at(a), r.x)[1] - (-a * math.log(2.0))

    if delta(a_sp) > 0:
        a_tr = a_sp
    else:
        a_tr = engine.transition(delta, a_sp, alpha_hi, xtol=tol)
    order_tr = ev(model_at(a_tr), path[min(path, key=lambda p: abs(p - a_tr))])[0]
    obs = {"alpha_transition": a_tr, "alpha_spinodal": a_sp, "R_at_transition": order_tr["R"],
           "eps_g_at_transition": layer_errors(order_tr["R"], Ks, output)[-1]}
    return Solution(model=name, params=params, observables=obs, branch="rs", status="thermodynamic",
                    message="engine: spinodal by branch following, transition by free-entropy crossing")
