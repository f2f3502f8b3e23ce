"""Bayes-optimal learning of a committee machine: replica-symmetric theory with K x K overlaps.

A teacher committee ``Y = phi_out(W*^T X / sqrt N)`` with ``K = 1, 2, 3`` hidden units,
``phi_out(z) = sign(sum_k sign(z_k))``, Gaussian inputs, ``P = alpha N`` examples
(``alpha = P/N`` throughout this module, N the input dimension), weights
``W*`` with i.i.d. rows drawn from the prior (``gaussian``: N(0, I_K);
``binary``: uniform on {-1, +1}^K), so that ``rho = E w w^T = I_K``.

The RS free entropy per input (Aubin, Maillard, Barbier, Krzakala, Macris &
Zdeborova, NeurIPS 2018, arXiv:1806.05451, Theorem 3.1 / eq. (10)) is

    Phi = extr_{q, r} [ -1/2 Tr(r q) + psi_P0(r) + alpha Psi_out(q) ],

    psi_P0(r)   = E_{w0, xi} ln E_{w ~ P0} exp( h.w - w^T r w / 2 ),   h = r w0 + r^{1/2} xi,
    Psi_out(q)  = E_{omega ~ N(0, q)} sum_y Z_out(y; omega, rho - q) ln Z_out(y; omega, rho - q),
    Z_out(y; omega, V) = P( phi_out(z) = y ),   z ~ N(omega, V),

with the Nishimori fixed-point equations (state evolution of committee AMP)

    r = alpha E_omega sum_y grad Z_out grad Z_out^T / Z_out       (= 2 alpha dPsi_out/dq),
    q = E_{w0, xi} <w> <w>^T                                      (= 2 dpsi_P0/dr).

Gaussian prior: ``psi_P0 = Tr(r)/2 - ln det(I + r)/2`` and ``q = I - (I + r)^{-1}``.
Binary prior: the K spins of one row form a small Ising system with field h and
couplings ``-r``; its 2^K states are summed exactly, the Gaussian field integrated
by a tensor panel rule in the eigenbasis of r.

Output channel for sign activations. K = 1: ``Z_out(+-1) = H(-+omega/sqrt V)``.
K = 3: the majority vote (no ties), ``Z_out(+1) = P(at least two z_k > 0)`` from
:mod:`replicon.theory.channels` (bivariate orthants by Owen's T, the trivariate one by
Plackett's 1-D integral, gradients in closed form); ``Z_out(-1; omega) = Z_out(+1; -omega)``.
K = 2: the four sign patterns of z are bivariate-normal orthant probabilities,
evaluated in closed form with Owen's T function (no nested quadrature); their
gradients are closed forms too. **Tie convention for even K** (K = 2): the
output is ``sign(sign z_1 + sign z_2)`` with ``sign(0) = 0``, i.e. three labels,
``+1`` (both hidden units positive), ``-1`` (both negative) and ``0`` (they
disagree) — Aubin et al.'s ``phi_out = sign(sum_l sign(z_l))`` evaluated with
``sign(0) = 0``; the authors' public code (github.com/benjaminaubin-zz/TheCommitteeMachine,
StateEvolution_class.py: ``y_values = [-1, 0, 1]`` for even K, AMP_class.py ``Phi_1``) uses the
same three labels. ``ties="plus"`` (sign(0) = +1: the output is -1 only when both
units are negative) is available as an alternative.

The outer integral over ``omega ~ N(0, q)`` in two dimensions uses polar
coordinates in the whitened variable xi (``omega = L xi``, ``L L^T = q``): the
integrand is sharp only across the lines ``omega_k = 0`` (width sqrt(V_kk)),
which are rays through the origin, so Gauss-Legendre panels are refined
geometrically around those angles and towards r = 0. The symmetry
``Z(y; -omega) = Z(-y; omega)`` halves the angular range.

K = 3 thresholds (this module, sign activations; no published K = 3 values were found to compare
with): Gaussian weights, a first-order specialisation at alpha_F = 11.33 (specialised free entropy
crosses the non-specialised one; q_d jumps to ~0.9) and loss of stability of the non-specialised
point at alpha_spec = 19.232 (AMP's threshold from an uninformed start); binary weights,
alpha_IT = 3.7662 and alpha_spec = 13.18, no spinodal of the non-specialised branch below 16.

K = 3 outer integral (committee-symmetric q only, :func:`energetic_majority`):
``omega_k = sqrt(q_a/3) t + sqrt(q_d) u_k``; Gauss-Hermite (or panels, when the common mode is
sharp) in t, and for each t one 1-D rule in u shared by the three u_k, refined at the kink
``u_k = -sqrt(q_a/3) t / sqrt(q_d)``, summed over sorted triples (permutation symmetry).

Committee-symmetric ansatz (Aubin et al. sec. 3): ``q = q_d I + (q_a/K) 1 1^T``
(K = 2, 3; the ``general`` ansatz, the full K x K matrix, is available for K <= 2). The
non-specialised fixed point has ``q_d = 0`` exactly (an invariant
subspace of the equations); specialised fixed points have ``q_d > 0``. Errors:
``eps_g`` is the Gibbs (posterior-sample) 0-1 test error
``1 - E sum_y Z_out(y)^2`` (K = 1: arccos(q)/pi), ``eps_bayes`` the 0-1 error
of the Bayes-optimal label ``argmax_y Z_out(y)`` (K = 1: arccos(sqrt q)/pi).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import ndtr

from ..._util import ParamError, check_choice, check_number
from .. import engine
from ..channels import bvn_cdf, majority_prob
from ..gauss import LOG_SQRT2PI, hermite, panel_rule, panels
from ..perceptron import U_MIN, NishimoriComplement, complement_branches, polish_relative
from ..priors import prior_update
from ..solution import ConvergenceError, Solution, select_thermodynamic

PRIORS = ("gaussian", "binary")
ACTIVATIONS = ("sign",)
TIES = ("zero", "plus")
ANSATZE = ("symmetric", "general")
_Z_FLOOR = 1e-14          # output probabilities below this are treated as this (their terms are < 1e-13)
_LN2 = math.log(2.0)
A_SPECIALISED = 40.0      # Gaussian prior, K = 2, 3: beyond this the specialised branch is thermodynamic


def _phi(x):
    return np.exp(-0.5 * x * x - LOG_SQRT2PI)


# ----------------------------------------------------------------------------
# Quadrature over omega ~ N(0, q)
# ----------------------------------------------------------------------------

def _geometric(centre, smallest, largest):
    k = max(1, int(math.ceil(math.log2(max(largest / max(smallest, 1e-300), 2.0)))))
    s = smallest * 2.0 ** np.arange(k + 1)
    s = s[s < largest]
    return np.concatenate([[centre], centre + s, centre - s])


def omega_rule(q, V, order=8, reach=9.0, half=True):
    """Nodes ``omega`` (n, K) and weights ``w`` (n,) with ``sum w f(omega) ~ E_{omega ~ N(0,q)} f``.

    Returns ``(omega, w, mult)``: the weighted sum times ``mult`` is the integral. With
    ``half=True`` (K = 2) only the half space is covered (for integrands even under
    ``omega -> -omega`` after summing over labels, true for ``ties="zero"``) and mult = 2.
    """
    q = np.atleast_2d(np.asarray(q, float))
    K = q.shape[0]
    sig = np.sqrt(np.maximum(np.diag(V), 0.0))
    if K == 1:
        sq = math.sqrt(max(q[0, 0], 0.0))
        if sq == 0:
            return np.zeros((1, 1)), np.array([1.0]), 1.0
        width = sig[0] / sq if sig[0] > 0 else 1e-12
        t, w = panel_rule(((0.0, width),))
        return (sq * t)[:, None], w, 1.0
    # K = 2: eigen-factor q = L L^T
    lam, U = np.linalg.eigh(q)
    lam = np.maximum(lam, 0.0)
    L = U * np.sqrt(lam)
    norms = np.linalg.norm(L, axis=1)
    if np.all(norms == 0):
        return np.zeros((1, 2)), np.array([1.0]), 1.0
    if lam[0] <= 1e-14 * max(lam[1], 1e-300):
        # rank one: omega = L[:, 1] t, a 1-D rule with the kink at t = 0
        ell = L[:, 1]
        widths = [sig[k] / abs(ell[k]) for k in range(2) if abs(ell[k]) > 0]
        width = max(min(widths), 1e-12) if widths else 1.0
        t, w = panel_rule(((0.0, width),))
        if not half:
            return np.outer(t, ell), w, 1.0
        keep = t >= 0          # even integrand: keep t >= 0, weights sum to 1/2
        return np.outer(t[keep], ell), w[keep], 2.0
    # widths below 1e-5 (1 - q < 1e-10: the boundary q = I) are not resolved further
    widths = np.array([max(sig[k] / norms[k], 1e-5) if norms[k] > 0 else np.inf for k in range(2)])
    wmin = float(np.min(widths))
    # radial rule on [0, reach] for the density r exp(-r^2/2)
    r_edges = np.concatenate([np.arange(0.0, reach + 0.5, 1.0), _geometric(0.0, 0.5 * wmin, reach)])
    r_edges = r_edges[(r_edges >= 0) & (r_edges <= reach)]
    r, wr = panels(r_edges, order)
    wr = wr * r * np.exp(-0.5 * r * r)
    # angular rule on [0, pi) (or [0, 2 pi)): kinks where L_k . (cos, sin) = 0
    top = math.pi if half else 2.0 * math.pi
    th_edges = [np.linspace(0.0, top, 9 if half else 17)]
    for k in range(2):
        if not np.isfinite(widths[k]):
            continue
        tk = math.atan2(L[k, 0], -L[k, 1]) % math.pi
        g = _geometric(tk, max(widths[k] / reach, 1e-10), 0.5 * math.pi)
        th_edges += [g, g - math.pi, g + math.pi, g + 2.0 * math.pi]
    e = np.concatenate(th_edges)
    e = np.concatenate([e[(e >= 0) & (e <= top)], [0.0, top]])
    th, wt = panels(e, order)
    wt = wt / (2.0 * math.pi)
    xi = np.stack([np.outer(r, np.cos(th)).ravel(), np.outer(r, np.sin(th)).ravel()], axis=1)
    w = np.outer(wr, wt).ravel()
    keep = w > 1e-22
    return xi[keep] @ L.T, w[keep], (2.0 if half else 1.0)


# ----------------------------------------------------------------------------
# Output channel: sign committee, K = 1 and K = 2
# ----------------------------------------------------------------------------

def channel(omega, V, ties="zero", grad=True):
    """Output probabilities ``Z[y, n]`` and their omega-gradients ``G[y, n, k]`` for the sign committee.

    K = 1 and K = 3 (majority vote, :mod:`replicon.theory.channels`): labels (+1, -1). K = 2:
    labels (+1, -1, 0) for ``ties="zero"``, (+1, -1) for ``ties="plus"``. ``V`` is the K x K
    covariance of z given omega.
    """
    K = omega.shape[1]
    sig = np.sqrt(np.maximum(np.diag(V), 1e-300))
    if K == 3:
        Zp, Gp = majority_prob(omega, V, grad=grad)
        Zm, _ = majority_prob(-omega, V, grad=False)       # 1 - Zp, accurate where Zp ~ 1
        Z = np.stack([Zp, Zm])
        return Z, (np.stack([Gp, -Gp]) if grad else None)
    if K == 1:
        a = omega[:, 0] / sig[0]
        Zp, Zm = ndtr(a), ndtr(-a)
        Z = np.stack([Zp, Zm])
        if not grad:
            return Z, None
        d = _phi(a) / sig[0]
        return Z, np.stack([d, -d])[:, :, None]
    a, b = omega[:, 0] / sig[0], omega[:, 1] / sig[1]
    c = float(np.clip(V[0, 1] / (sig[0] * sig[1]), -1.0, 1.0))
    Ppp = bvn_cdf(a, b, c)
    Pmm = bvn_cdf(-a, -b, c)
    Ppm = np.maximum(ndtr(a) - Ppp, 0.0)
    Pmp = np.maximum(ndtr(-a) - Pmm, 0.0)
    if ties == "zero":
        Z = np.stack([Ppp, Pmm, Ppm + Pmp])
    else:
        Z = np.stack([Ppp + Ppm + Pmp, Pmm])
    if not grad:
        return Z, None
    s = math.sqrt(max(1.0 - c * c, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        ca = ndtr((b - c * a) / s) if s > 0 else (b - c * a > 0).astype(float)
        cb = ndtr((a - c * b) / s) if s > 0 else (a - c * b > 0).astype(float)
    fa, fb = _phi(a) / sig[0], _phi(b) / sig[1]
    gpp = np.stack([fa * ca, fb * cb], axis=-1)                   # d P(++)
    gmm = np.stack([-fa * (1.0 - ca), -fb * (1.0 - cb)], axis=-1)  # d P(--)
    gpm = np.stack([fa * (1.0 - ca), -fb * cb], axis=-1)           # d P(+-)
    gmp = np.stack([-fa * ca, fb * (1.0 - cb)], axis=-1)           # d P(-+)
    if ties == "zero":
        G = np.stack([gpp, gmm, gpm + gmp])
    else:
        G = np.stack([gpp + gpm + gmp, gmm])
    return Z, G


# ----------------------------------------------------------------------------
# K = 3: committee-symmetric q, majority vote
# ----------------------------------------------------------------------------

def symmetric_parts(q):
    """``(q_d, q_a)`` of ``q = q_d I + (q_a/K) 1 1^T``.

    ``q_d`` = mean diagonal - mean off-diagonal, ``q_a`` = K * mean off-diagonal.
    """
    q = np.atleast_2d(np.asarray(q, float))
    K = q.shape[0]
    if K == 1:
        return float(q[0, 0]), 0.0
    off = (float(q.sum()) - float(np.trace(q))) / (K * (K - 1))
    return float(np.trace(q)) / K - off, K * off


def _symmetric_matrix(q_d, q_a, K):
    return q_d * np.eye(K) + (q_a / K) * np.ones((K, K))


_GH_T = 24        # Gauss-Hermite nodes in the common mode t (12 on t >= 0)
_GH_U = 24        # Gauss-Hermite nodes per specialisation coordinate u_k where the kinks are wide
_PANEL_ORDER = 7  # Gauss-Legendre order of the panels in t and u where the kinks are narrow


@lru_cache(maxsize=8)
def _sorted_triples(n):
    """Index triples i <= j <= k of an n-point rule and their orbit sizes under permutations (6, 3 or 1)."""
    i, j, k = np.array(list(itertools.combinations_with_replacement(range(n), 3))).T
    mult = np.where((i == j) & (j == k), 1.0, np.where((i == j) | (j == k), 3.0, 6.0))
    return i, j, k, mult


def _u_rule(kappa, width, n_gh):
    """1-D rule for E_u f(u), u ~ N(0, 1), f sharp at ``kappa`` on the scale ``width``.

    Width >= 1: Gauss-Hermite (the kink is no sharper than the Gaussian). Narrower: Gauss-Legendre
    panels (order ``_PANEL_ORDER``) with edges at kappa, kappa +- width * (1/2, 3/2, 4, 10) and every
    17/6 on [-8.5, 8.5].
    """
    if width >= 1.0:
        return hermite(n_gh)
    reach = 8.5
    marks = kappa + width * np.array([0.0, 0.5, 1.5, 4.0, 10.0, -0.5, -1.5, -4.0, -10.0])
    edges = np.concatenate([np.linspace(-reach, reach, 7), marks[np.abs(marks) < reach]])
    u, w = panels(edges, _PANEL_ORDER)
    return u, w * _phi(u)


def _t_rule(width, n_gh):
    """Rule on t >= 0 for 2 E_t f(t) (f even after the u-integral), f sharp at t = 0 on the scale ``width``.

    ``width = sqrt((1 - q_a)/q_a)``: the majority is decided mostly by the common mode of the
    hidden fields, whose noise given t has variance 3 (1 - q_d - q_a) + 3 q_d (u-smoothing).
    """
    if width >= 1.0:
        # smooth on a scale width >= 1: fewer nodes suffice when it is much wider than the Gaussian
        n = n_gh if width < 2.0 else max(8, 2 * int(math.ceil(n_gh / width)))
        t, w = hermite(n)
        return t[t > 0], 2.0 * w[t > 0]
    reach = 7.0
    edges = np.concatenate([np.linspace(0.0, reach, 5), width * np.array([1.0, 3.0])])
    t, w = panels(edges[edges <= reach], _PANEL_ORDER)
    return t, 2.0 * w * _phi(t)


def energetic_majority(q_d, q_a, need=("r", "psi", "eps"), n_t=None, n_u=None):
    """Output term of the K = 3 sign (majority) committee for ``q = q_d I + (q_a/3) 1 1^T``, ``rho = I``.

    ``omega ~ N(0, q)`` is written ``omega_k = sqrt(q_a/3) t + sqrt(q_d) u_k`` with t, u_k i.i.d.
    N(0, 1). In t (after the u-integral) the integrand is sharp at t = 0 on the scale
    sqrt((1 - q_a)/q_a) (:func:`_t_rule`): Gauss-Hermite, or panels when that is < 1. For each t,
    the three u_k share one 1-D rule (:func:`_u_rule`) resolving the kink at u_k = -sqrt(q_a/3) t/sqrt(q_d)
    (width sqrt(V_kk/q_d)); the tensor product is summed over sorted triples only (permutation
    symmetry), and over t >= 0 only (the label-summed integrands are even in omega). On the
    non-specialised line q_d = 0 the u-integral is absent: a 1-D rule in t.

    ``n_t``, ``n_u`` (default ``_GH_T``, ``_GH_U``) are the Gauss-Hermite orders; ``_PANEL_ORDER`` the
    order of the panels used instead where the kinks are narrower than the Gaussian.

    Returns ``psi``, ``r_over_alpha`` (3 x 3, committee-symmetric), ``eps_gibbs``, ``eps_bayes`` as
    :func:`energetic`, from ``Z = Z_out(+1)`` (the majority probability) and ``Z_out(-1) = 1 - Z``.
    """
    K = 3
    n_t = _GH_T if n_t is None else n_t
    n_u = _GH_U if n_u is None else n_u
    q_d, q_a = max(float(q_d), 0.0), max(float(q_a), 0.0)
    var = 1.0 - q_d - q_a / K
    V = _symmetric_matrix(1.0 - q_d, -q_a, K)
    c, s = math.sqrt(q_a / K), math.sqrt(q_d)
    t, wt = _t_rule(math.sqrt(max(1.0 - q_a, 0.0) / q_a) if q_a > 0 else np.inf, n_t)
    if q_d < 1e-12:       # the line q_d = 0 (round-off off it changes the integrals by O(q_d))
        omega = np.repeat((c * t)[:, None], K, axis=1)
        w = wt
    else:
        width = math.sqrt(var) / s
        pts, wts = [], []
        for tt, wtt in zip(t, wt):
            u, wu = _u_rule(-c * tt / s, width, n_u)
            i, j, k, mult = _sorted_triples(len(u))
            ww = wtt * mult * wu[i] * wu[j] * wu[k]
            keep = ww > 1e-17 * wtt
            pts.append(c * tt + s * np.stack([u[i[keep]], u[j[keep]], u[k[keep]]], axis=1))
            wts.append(ww[keep])
        omega, w = np.concatenate(pts), np.concatenate(wts)
    Z, G = majority_prob(omega, V, grad="r" in need)
    Zp = np.clip(Z, _Z_FLOOR, 1.0)
    Zm = np.clip(1.0 - Z, _Z_FLOOR, 1.0)
    out = {}
    if "psi" in need:
        out["psi"] = float(w @ (Z * np.log(Zp) + (1.0 - Z) * np.log(Zm)))
    if "r" in need:
        f = 1.0 / Zp + 1.0 / Zm
        sq = np.sum(G * G, axis=1)
        diag = float(w @ (f * sq)) / K
        off = float(w @ (f * (np.sum(G, axis=1) ** 2 - sq))) / (K * (K - 1))
        out["r_over_alpha"] = _symmetric_matrix(diag - off, K * off, K)
    if "eps" in need:
        out["eps_gibbs"] = 1.0 - float(w @ (Z * Z + (1.0 - Z) ** 2))
        out["eps_bayes"] = 1.0 - float(w @ np.maximum(Z, 1.0 - Z))
    return out


def _check_symmetric(q):
    q_d, q_a = symmetric_parts(q)
    if np.max(np.abs(q - _symmetric_matrix(q_d, q_a, q.shape[0]))) > 1e-9:
        raise ParamError("K = 3 supports only committee-symmetric q = q_d I + (q_a/K) 1 1^T")
    return q_d, q_a


def energetic(q, ties="zero", need=("r", "psi", "eps")):
    """Output-channel term: ``Psi_out(q)``, ``r/alpha = E sum_y grad Z grad Z^T / Z`` and the errors.

    ``q`` is K x K (K = 1, 2; K = 3 committee-symmetric, :func:`energetic_majority`) with
    ``rho = I``. Returns a dict with ``psi``, ``r_over_alpha``
    (K x K), ``eps_gibbs`` and ``eps_bayes``.
    """
    q = np.atleast_2d(np.asarray(q, float))
    K = q.shape[0]
    if K == 3:
        return energetic_majority(*_check_symmetric(q), need=need)
    V = np.eye(K) - q
    omega, w, mult = omega_rule(q, V, half=(ties == "zero"))
    Z, G = channel(omega, V, ties, grad="r" in need)
    Zc = np.maximum(Z, _Z_FLOOR)
    out = {}
    if "psi" in need:
        out["psi"] = mult * float(np.sum(w * np.sum(Z * np.log(Zc), axis=0)))
    if "r" in need:
        M = np.einsum("ynk,ynl->nkl", G / Zc[:, :, None], G)
        out["r_over_alpha"] = mult * np.einsum("n,nkl->kl", w, M)
        out["r_over_alpha"] = 0.5 * (out["r_over_alpha"] + out["r_over_alpha"].T)
    if "eps" in need:
        out["eps_gibbs"] = 1.0 - mult * float(np.sum(w * np.sum(Z * Z, axis=0)))
        out["eps_bayes"] = 1.0 - mult * float(np.sum(w * np.max(Z, axis=0)))
    return out


# ----------------------------------------------------------------------------
# Prior (entropic) terms
# ----------------------------------------------------------------------------


# ----------------------------------------------------------------------------
# The fixed-point problem
# ----------------------------------------------------------------------------

def _project(q):
    """Symmetrise and clip the spectrum of q into [0, 1] (the Bayes-optimal domain 0 <= q <= rho = I)."""
    q = 0.5 * (q + q.T)
    lam, U = np.linalg.eigh(q)
    lam = np.clip(lam, 0.0, 1.0 - 1e-13)
    return (U * lam) @ U.T


@dataclass
class _Bayes:
    """RS (state-evolution) equations of the Bayes-optimal committee at one alpha.

    Coordinates ``x``: K = 1: (q,); K = 2 symmetric: (q_d, q_d + q_a) (the two
    eigenvalues of q); K = 2 general: (q11, q22, q12); ``nonspecialised``: (q_a,)
    on the invariant line q_d = 0.
    """

    alpha: float
    K: int
    prior: str
    ties: str
    ansatz: str = "symmetric"
    restricted: bool = False

    def to_matrix(self, x):
        x = np.asarray(x, float)
        K = self.K
        if K == 1:
            return np.array([[x[0]]])
        if self.restricted:
            return _project(x[0] / K * np.ones((K, K)))
        if self.ansatz == "symmetric":
            qd, qp = x
            return _project(_symmetric_matrix(qd, qp - qd, K))
        return _project(np.array([[x[0], x[2]], [x[2], x[1]]]))

    def from_matrix(self, q):
        if self.K == 1:
            return np.array([q[0, 0]])
        qd, qa = symmetric_parts(q)
        if self.restricted:
            return np.array([qa])
        if self.ansatz == "symmetric":
            return np.array([qd, qd + qa])
        return np.array([q[0, 0], q[1, 1], q[0, 1]])

    def conjugate(self, q):
        return self.alpha * energetic(q, self.ties, need=("r",))["r_over_alpha"]

    def update(self, x):
        q = self.to_matrix(x)
        if np.linalg.eigvalsh(q)[-1] > 1.0 - 1e-10:
            # at the boundary q = I (infinite conjugates): hold the iterate there, so that the
            # engine stops at once; such limits are rejected by the callers (the perfect state of
            # binary weights is represented exactly by :func:`_perfect`)
            return np.asarray(x, float).copy()
        r = self.conjugate(q)
        qn, _ = prior_update(r, self.prior)
        return self.from_matrix(qn)

    def evaluate(self, x):
        q = self.to_matrix(x)
        e = energetic(q, self.ties)
        r = self.alpha * e["r_over_alpha"]
        _, psi_prior = prior_update(r, self.prior)
        phi = -0.5 * float(np.trace(r @ q)) + psi_prior + self.alpha * e["psi"]
        return q, r, phi, e

    def problem(self):
        if self.K == 1 or self.restricted:
            # logit floor U_MIN: at small alpha q (q_a) ~ (2/pi) alpha lies below the default 2e-12
            return engine.FixedPointProblem(("q",) if self.K == 1 else ("q_a",), self.update,
                                            np.array([0.0]), np.array([1.0]), transforms=("logit",),
                                            u_min=U_MIN)
        if self.ansatz == "symmetric":
            return engine.FixedPointProblem(("q_d", "q_d+q_a"), self.update, np.zeros(2), np.ones(2))
        return engine.FixedPointProblem(("q11", "q22", "q12"), self.update, np.array([0.0, 0.0, -1.0]),
                                        np.ones(3))

    def inits(self):
        if self.K == 1 or self.restricted:
            vals = (0.3, 0.02, 0.7, 0.95, 0.995) if self.prior == "binary" else (0.5, 0.05, 0.95)
            return [np.array([v]) for v in vals]
        if self.ansatz == "symmetric":
            out = [np.array(v) for v in ((0.6, 0.7), (0.3, 0.5), (0.85, 0.9))]
            if self.prior == "gaussian" and self.alpha >= 30.0:
                # the specialised branch at large alpha: 1 - q ~ c_K/alpha^2 (c_2 ~ 2, c_3 ~ 8), out of
                # reach of the starts above within the iteration budget
                d = (2.0 if self.K == 2 else 8.0) / self.alpha ** 2
                out.append(np.array([1.0 - d, 1.0 - d]))
            return out
        return [np.array(v) for v in ((0.7, 0.6, 0.05), (0.9, 0.85, 0.02), (0.4, 0.3, 0.1))]

    def transverse_slope(self, qa, h=1e-6):
        """d F_{q_d} / d q_d at (q_d = 0, q_a): the non-specialised point attracts specialisation iff < 1."""
        m = _Bayes(self.alpha, self.K, self.prior, self.ties, "symmetric")
        return float(m.update(np.array([h, qa]))[0] / h)


# ----------------------------------------------------------------------------
# Solutions
# ----------------------------------------------------------------------------

def _check(K, alpha, prior, activation, ties, ansatz):
    K = check_number("K", K, lo=1, hi=3, integer=True)
    alpha = check_number("alpha", alpha, lo=0.0)
    if not math.isfinite(alpha):
        raise ParamError("alpha must be finite")
    prior = check_choice("prior", prior, PRIORS)
    activation = check_choice("activation", activation, ACTIVATIONS)
    ties = check_choice("ties", ties, TIES)
    ansatz = check_choice("ansatz", ansatz, ANSATZE)
    if K == 3 and ansatz == "general":
        raise ParamError("ansatz=general is available for K <= 2; K = 3 allows ansatz=symmetric")
    return K, alpha, prior, activation, ties, ansatz


def _make_solution(name, params, model, x, root, branch, status=None):
    q, r, phi, e = model.evaluate(x)
    K = model.K
    qd, qa = symmetric_parts(q)
    order = {"q_d": qd, "q_a": qa, "q": q.tolist(), "r": r.tolist()}
    obs = {"q_d": qd, "q_a": qa, "eps_g": e["eps_gibbs"], "eps_bayes": e["eps_bayes"], "free_entropy": phi}
    if K == 1:
        order["q_scalar"] = obs["q"] = float(q[0, 0])
    return Solution(model=name, params=params, order=order, observables=obs, free_energy=-phi,
                    converged=True, residual=root.residual, iterations=root.iterations, branch=branch,
                    status=status)


def _perfect(name, params, K):
    """The exact perfect state of binary weights: q = I, infinite conjugates, Phi = -K ln 2."""
    order = {"q_d": 1.0, "q_a": 0.0, "q": np.eye(K).tolist(), "r": "inf"}
    obs = {"q_d": 1.0, "q_a": 0.0, "eps_g": 0.0, "eps_bayes": 0.0, "free_entropy": -K * _LN2}
    if K == 1:
        obs["q"] = 1.0
    return Solution(model=name, params=params, order=order, observables=obs, free_energy=K * _LN2,
                    converged=True, residual=0.0, iterations=0, branch="perfect",
                    message="exact state (q = I, infinite conjugates)")


A_COMPLEMENT_K1 = 1e3   # K = 1, Gaussian prior: from here on solved in 1 - q (perceptron.NishimoriComplement)


def _k1_large_alpha(name, params, alpha):
    """K = 1, Gaussian prior, large alpha: the Bayes-optimal perceptron is Gibbs learning of the spherical
    perceptron at T = 0 (same RS equations; Bayes free entropy = -r q/2 + r/2 - ln(1 + r)/2 + alpha Psi =
    the spherical version-space entropy), solved in ``1 - q`` (1 - q ~ 1.9/alpha^2 is below what q resolves
    from alpha ~ 1e5 on; the map here holds its iterate beyond q = 1 - 1e-10)."""
    m = NishimoriComplement(alpha)
    _, roots = complement_branches(m)
    if not roots:
        return Solution.failed(name, params, f"K = 1: no RS solution found in 1 - q at alpha={alpha:g}")
    r = roots[0]
    order, f, _, _ = m.evaluate(r.x)
    q, d = order["q"], order["one_minus_q"]
    obs = {"q_d": q, "q_a": 0.0, "eps_g": order["_eps_gibbs"], "eps_bayes": order["_eps_bayes"],
           "free_entropy": f, "q": q, "one_minus_q": d}
    return Solution(model=name, params=params, order={"q_d": q, "q_a": 0.0, "q": [[q]], "r": [[order["R_hat"]]],
                                                      "q_scalar": q, "one_minus_q": d},
                    observables=obs, free_energy=-f, converged=True, residual=r.residual,
                    iterations=r.iterations, branch="rs", message="solved in 1 - q (large alpha)")


def bayes_branches(alpha, K=2, prior="gaussian", ties="zero", ansatz="symmetric", tol=1e-10):
    """All RS fixed points at one alpha: a list of ``(label, model, Root, attracting)``.

    K = 2, 3: the non-specialised point is solved on its invariant line q_d = 0 (so it
    is found even where it repels the specialisation direction), the specialised
    ones from several initialisations with q_d > 0. The exact perfect state of
    binary weights is not among them.
    """
    out = []
    if K == 1:
        m = _Bayes(alpha, 1, prior, ties)
        found, _ = engine.find_fixed_points(m.problem(), m.inits(), tol=tol)
        for r in found:
            if r.x[0] > 1.0 - 1e-10:
                continue            # the map holds its iterate there (q = 1 is a limit): not a fixed point
            polish_relative(m, r, force=True)
            att, _ = engine.attracting(m.problem(), r.x)
            out.append(("poor" if prior == "binary" else "rs", m, r, att))
        return out
    ns = _Bayes(alpha, K, prior, ties, ansatz, restricted=True)
    found, _ = engine.find_fixed_points(ns.problem(), ns.inits(), tol=tol)
    for r in found:
        polish_relative(ns, r, force=True, near_one=False)
        att_line, _ = engine.attracting(ns.problem(), r.x)
        slope = ns.transverse_slope(float(r.x[0]))
        out.append(("nonspecialised", ns, r, bool(att_line and slope < 1.0)))
    full = _Bayes(alpha, K, prior, ties, ansatz)
    found, _ = engine.find_fixed_points(full.problem(), full.inits(), tol=tol, max_iter=150)
    for r in found:
        q = full.to_matrix(r.x)
        qd, _ = symmetric_parts(q)
        if qd < 1e-6 or np.linalg.eigvalsh(q)[-1] > 1.0 - 1e-8:
            continue          # the non-specialised point again, or the boundary q = I
        if any(lbl == "specialised" and np.max(np.abs(full.to_matrix(s.x) - q)) < 1e-6 for lbl, _, s, _ in out):
            continue
        att, _ = engine.attracting(full.problem(), r.x)
        out.append(("specialised", full, r, att))
    return out


def bayes(K=2, alpha=1.0, prior="gaussian", activation="sign", ties="zero", ansatz="symmetric",
          strict=False):
    """Bayes-optimal committee machine: RS overlaps q (q_d, q_a), eps_g, eps_bayes, free entropy, branches.

    Aubin et al., NeurIPS 2018 (arXiv:1806.05451), eq. (10) and sec. 3 (committee-symmetric
    ansatz ``q = q_d I + (q_a/K) 1 1^T``). ``alpha = P/N`` (N the input dimension, not
    the number of weights K N). K = 1 is the Bayes-optimal perceptron (Gaussian prior:
    the same RS equations as Gibbs learning of the spherical perceptron at T = 0;
    binary prior: the Ising perceptron, Gyorgyi 1990).

    Parameters
    ----------
    K : 1, 2 or 3 hidden units (K = 3: majority vote, symmetric ansatz). alpha : P/N.
    prior : ``gaussian`` or ``binary``.
    activation : ``sign``. ties : K = 2 output for a tie, ``zero`` (Aubin et al.: the
        label is sign(sign z1 + sign z2) with sign(0) = 0, three labels) or ``plus``.
    ansatz : ``symmetric`` (q_d, q_a) or ``general`` (the full 2 x 2 matrix; K <= 2 only).

    Returns
    -------
    Solution
        The thermodynamic branch (largest free entropy); all branches in
        ``.branches`` labelled ``nonspecialised`` (q_d = 0), ``specialised``
        (q_d > 0) and, for binary weights, the exact ``perfect`` state (q = I);
        K = 1: ``rs``/``poor``/``perfect``. Non-specialised points that repel the
        specialisation direction, and fixed points that repel the iteration,
        are marked ``status="unstable"`` and never chosen.
    """
    K, alpha, prior, activation, ties, ansatz = _check(K, alpha, prior, activation, ties, ansatz)
    params = {"K": K, "alpha": alpha, "prior": prior, "activation": activation, "ties": ties,
              "ansatz": ansatz}
    name = "committee.bayes"
    if alpha == 0:
        m = _Bayes(0.0, K, prior, ties, ansatz, restricted=(K >= 2))
        x = np.zeros(1)
        sol = _make_solution(name, params, m, x, engine.Root(x, True, 0.0, 0),
                             "rs" if K == 1 else "nonspecialised")
        return select_thermodynamic(name, params, [sol], strict)
    if K == 1 and prior == "gaussian" and alpha >= A_COMPLEMENT_K1:
        return select_thermodynamic(name, params, [_k1_large_alpha(name, params, alpha)], strict)
    sols = []
    for label, m, r, att in bayes_branches(alpha, K, prior, ties, ansatz):
        sols.append(_make_solution(name, params, m, r.x, r, label, None if att else "unstable"))
    if prior == "binary":
        sols.append(_perfect(name, params, K))
    if (K >= 2 and prior == "gaussian" and alpha > A_SPECIALISED
            and not any(s.branch == "specialised" and s.status != "unstable" for s in sols)):
        # beyond the specialisation transition (~2 for K = 2, 11.33 for K = 3) the specialised branch is the
        # thermodynamic one; at large alpha its 1 - q ~ c_K/alpha^2 falls below what the symmetric
        # coordinates resolve (1e-8): say so rather than report the non-specialised branch (issue 10)
        msg = (f"the specialised branch (thermodynamic beyond alpha ~ 2 for K = 2, 11.3 for K = 3) was not resolved at "
               f"alpha={alpha:g}: 1 - q ~ {(2.0 if K == 2 else 8.0) / alpha ** 2:.1e} is below the resolution "
               "of the committee-symmetric equations; eps_g ~ c/alpha there")
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(name, params, msg)
    return select_thermodynamic(name, params, sols, strict)


# ----------------------------------------------------------------------------
# Thresholds: specialisation, spinodal, information-theoretic transition
# ----------------------------------------------------------------------------

def _ns_point(alpha, K, prior, ties, x0):
    m = _Bayes(alpha, K, prior, ties, restricted=(K >= 2))
    r = engine.iterate(m.problem(), x0, tol=1e-11)
    if not r.converged:
        raise ConvergenceError(f"non-specialised branch lost at alpha={alpha}: {r.message}")
    return m, r


def bayes_transitions(K=2, prior="gaussian", ties="zero", alpha_lo=0.5, alpha_hi=4.0, tol=1e-7,
                      only=None):
    """Thresholds of the Bayes-optimal committee (K = 1, 2, 3) from its branches (engine spinodal/transition).

    * ``alpha_spec``: where the non-specialised fixed point (q_d = 0) stops attracting
      the specialisation direction (transverse slope of the map = 1): the
      algorithmic threshold of AMP from an uninformed start when no spinodal comes first;
    * ``alpha_spinodal``: where the non-specialised branch ends (saddle-node), if it does
      before ``alpha_hi`` (K = 1 binary: Gyorgyi's 1.493);
    * ``alpha_IT`` (binary prior): where its free entropy crosses that of the perfect
      state, ``-K ln 2`` (K = 1 binary: 1.245).

    * ``alpha_F`` (only when ``"F"`` is asked for; K >= 2): the first-order specialisation
      transition, where the free entropy of the specialised branch (followed down from
      ``alpha_hi``) crosses the non-specialised one, located to 1e-3 (each specialised K = 3
      point costs seconds); nan if no crossing in [alpha_lo, alpha_hi].

    K = 1 has no specialisation; ``alpha_spec`` is then absent. ``only``: a subset of
    ``("spinodal", "spec", "IT", "F")`` to compute (default the first three; the others are then absent).
    """
    todo = {"spinodal", "spec", "IT"} if only is None else set(only)
    if not todo <= {"spinodal", "spec", "IT", "F"}:
        raise ParamError("only must be a subset of ('spinodal', 'spec', 'IT', 'F')")
    params = {"K": K, "prior": prior, "ties": ties}
    name = "committee.transitions"
    restricted = K >= 2
    make = lambda a: _Bayes(a, K, prior, ties, restricted=restricted).problem()   # noqa: E731
    m0 = _Bayes(alpha_lo, K, prior, ties, restricted=restricted)
    found, _ = engine.find_fixed_points(m0.problem(), m0.inits())
    if not found:
        return Solution.failed(name, params, f"no non-specialised fixed point at alpha={alpha_lo}")
    x0 = min(found, key=lambda r: r.x[0]).x
    obs = {}
    a_end = alpha_hi
    if "spinodal" in todo:
        try:
            a_sp, x_sp = engine.spinodal(make, alpha_lo, x0, alpha_hi, tol_p=tol)
            obs["alpha_spinodal"] = a_sp
            a_end = a_sp
        except ValueError:
            obs["alpha_spinodal"] = math.nan
    path = {alpha_lo: x0}

    def point(a):
        near = min(path, key=lambda p: abs(p - a))
        m, r = _ns_point(a, K, prior, ties, path[near])
        path[a] = r.x
        return m, r

    if K >= 2 and "spec" in todo:
        def excess(a):
            m, r = point(a)
            return m.transverse_slope(float(r.x[0])) - 1.0
        lo, hi = alpha_lo, a_end * (1 - 1e-9)
        if excess(lo) < 0 < excess(hi):
            obs["alpha_spec"] = engine.transition(excess, lo, hi, xtol=tol)
        else:
            obs["alpha_spec"] = math.nan
    if prior == "binary" and "IT" in todo:
        def dphi(a):
            m, r = point(a)
            return m.evaluate(r.x)[2] + K * _LN2
        hi = a_end * (1 - 1e-9)
        if dphi(alpha_lo) > 0 > dphi(hi):
            obs["alpha_IT"] = engine.transition(dphi, alpha_lo, hi, xtol=tol)
        else:
            obs["alpha_IT"] = math.nan
    if K >= 2 and "F" in todo:
        obs.update(_first_order_specialisation(K, prior, ties, alpha_lo, alpha_hi, point, tol))
    return Solution(model=name, params=params, observables=obs, branch="nonspecialised",
                    status="thermodynamic", message="engine: spinodal by continuation, thresholds by brentq")


def _first_order_specialisation(K, prior, ties, alpha_lo, alpha_hi, ns_point, tol, n_steps=8):
    """alpha_F of :func:`bayes_transitions`: the specialised branch followed down from alpha_hi.

    Steps of (alpha_hi - alpha_lo)/n_steps down until its free entropy falls below the
    non-specialised one (then brentq on the bracket) or the branch is lost (then
    ``alpha_spinodal_spec_above`` is the last alpha where it was found: its spinodal lies
    below, within one step).
    """
    make = lambda a: _Bayes(a, K, prior, ties).problem()          # noqa: E731
    top = _Bayes(alpha_hi, K, prior, ties)
    found, _ = engine.find_fixed_points(top.problem(), top.inits(), max_iter=150)
    spec = [r for r in found if symmetric_parts(top.to_matrix(r.x))[0] > 1e-6
            and np.linalg.eigvalsh(top.to_matrix(r.x))[-1] < 1.0 - 1e-8]
    if not spec:
        return {"alpha_F": math.nan}
    path = {alpha_hi: max(spec, key=lambda r: top.evaluate(r.x)[2]).x}

    def dphi(a):
        near = min(path, key=lambda p: abs(p - a))
        r = engine.step_to(make(a), path[near], tol=1e-10)
        if not r.converged or symmetric_parts(top.to_matrix(r.x))[0] < 1e-6:
            raise ConvergenceError(f"specialised branch lost at alpha={a}")
        path[a] = r.x
        m, rn = ns_point(a)
        return _Bayes(a, K, prior, ties).evaluate(r.x)[2] - m.evaluate(rn.x)[2]

    hi = alpha_hi
    if dphi(hi) <= 0:
        return {"alpha_F": math.nan}
    step = (alpha_hi - alpha_lo) / n_steps
    while hi - step >= alpha_lo - 1e-12:
        lo = hi - step
        try:
            d = dphi(lo)
        except ConvergenceError:
            return {"alpha_F": math.nan, "alpha_spinodal_spec_above": hi}
        if d < 0:
            return {"alpha_F": engine.transition(dphi, lo, hi, xtol=max(tol, 1e-3))}
        hi = lo
    return {"alpha_F": math.nan}


# ----------------------------------------------------------------------------
# State evolution of committee AMP
# ----------------------------------------------------------------------------

def state_evolution(alpha, K=2, prior="gaussian", ties="zero", q0=None, n_iter=20):
    """State evolution of committee AMP: the RS fixed-point map iterated from ``q0`` (default 0).

    ``q^{t+1} = 2 dpsi_P0/dr at r^t = alpha E[g g^T](q^t)`` (Aubin et al. 2018, eqs. (11)-(12) and
    sec. 4): the full K x K matrices, one per iteration (shape (n_iter+1, K, K)). K = 3: ``q0`` must be
    committee-symmetric, and so stay the iterates.
    """
    q = np.zeros((K, K)) if q0 is None else np.array(q0, float)
    if K == 3:
        q = _symmetric_matrix(*_check_symmetric(q), K)
    out = [q]
    for _ in range(n_iter):
        r = alpha * energetic(q, ties, need=("r",))["r_over_alpha"]
        q, _ = prior_update(r, prior)
        if K == 3:
            q = _symmetric_matrix(*symmetric_parts(q), K)       # remove quadrature noise off the ansatz
        out.append(q)
    return np.array(out)
