"""Gibbs learning of the fully connected committee machine at temperature T >= 0 (K = 1, 3; spherical).

Architecture: K hidden sign units, each seeing all N inputs, ``lambda_k = J_k . xi / sqrt N``
with ``|J_k|^2 = N``; output ``sign(sum_k sign(lambda_k))``; a teacher of the same architecture
with orthonormal-on-average units (``B_k . B_l / N = delta_kl``). Gibbs learning samples the
student from ``exp(-E/T)`` with E the number of training errors on ``P = alpha N`` examples.
**Scaling: alpha = P/N with N the input dimension** (the student has K N weights, so there are
alpha/K examples per weight; Schwarze & Hertz's large-K papers use P/(K N)).

Replica-symmetric order parameters (Schwarze & Hertz, Europhys. Lett. 21, 785 (1993);
Engel & Van den Broeck 2001, ch. 12; the derivation below is written out here):
``Q_kl = J_k.J_l/N`` (one student; Q_kk = 1), ``q_kl = J^a_k.J^b_l/N`` (two students),
``R_kn = J_k.B_n/N``. The free entropy per input dimension is

    f = extr [ G_S(Q, q, R) + alpha G_E(Q, q, R) ],
    G_S = 1/2 ln det(Q - q) + 1/2 Tr[(Q - q)^-1 (q - R R^T)]                   (spherical units)
    G_E = E_{omega ~ N(0, q)} sum_y M_y(A omega; I - A R) ln Zhat_y(omega),     A = R^T q^-1
    Zhat_y(omega) = e^-beta + (1 - e^-beta) M_y(omega; Q - q),

with ``M_y(m; S) = P(sign sum_k sign z_k = y)``, ``z ~ N(m, S)``: omega is the part of the student
fields shared by two replicas, ``A omega`` the mean of the teacher fields given it. G_S is
``(1/2n) ln det`` of the replicated Gram matrix conditioned on the teacher, normalised so that
f = 0 at alpha = 0 (the volume of K independent spheres); K = 1 is Engel & Van den Broeck's
eq. (2.31) and G_E their eq. (2.41)/(6.13) for the perceptron.

Derivatives of G_E (Price's theorem on the joint Gaussian of teacher fields and omega, and
``d/dS E f = 1/2 E f''``; only gradients of M appear except for Q):

    dG_E/dR_kn = (1 - e^-b) E sum_y  dM^T_y/dm_n  d ln Zhat_y/d omega_k ... = (1-e^-b) E G^S_k G^T_n (1/Z+ + 1/Z-)
    dG_E/dq    = -1/2 E sum_y M^T_y  grad ln Zhat_y  grad ln Zhat_y^T
    dG_E/dQ    =  1/2 E sum_y M^T_y  Hess Zhat_y / Zhat_y

Committee-symmetric ansatz: every matrix is ``a I + (b/K) 1 1^T``, i.e. has one eigenvalue on
the 1 direction ("par", multiplicity 1) and one on its complement ("perp", K - 1). G_S splits
into K perceptron-like terms, one per eigen-channel: ``s(Q, q, R) = 1/2 ln(Q - q) + (q - R^2)/(2(Q - q))``.
Stationarity per channel (hats: ``qh = -2 alpha dG_E/dq``, ``Rh = alpha dG_E/dR`` projected on
the channel) gives, with ``D = Q - q``,

    R = D Rh,   q = D^2 (qh + Rh^2),   1/D = qh + 2 mu - 2 alpha (dG_E/dQ)_channel,

and the Lagrange multiplier mu of the spherical constraints ``Q_kk = 1`` (``Tr Q = K``) is fixed
by a 1-D root. That map (order parameters -> conjugates -> order parameters) is what the
engine iterates. Reported: ``q_d, q_a`` and ``R_d, R_a`` in Aubin et al.'s parametrisation
(``q = q_d I + (q_a/K) 1 1^T``), the per-unit overlaps ``R`` (= R_kk) and ``R_off`` (k != l),
``q``/``q_off`` likewise, ``C`` = Q_kl (k != l), ``eps_g`` (0-1 error of the student committee),
``eps_t`` (training error per example), free entropy and entropy per input dimension.

Branches: the permutation-symmetric one (``symmetric``: every student unit has the same overlap
with every teacher unit, q_d = R_d = 0, an invariant subspace of the map, solved on it) and the
``specialised`` ones (R_d > 0). The thermodynamic branch has the largest free entropy.

At T = 0 the Gibbs posterior of spherical weights is the Bayes posterior of the Gaussian prior
(on the Nishimori line R = q, Q = I), so this module then reproduces ``committee.bayes``
(tests). Quadrature: product Gauss-Hermite rules in the whitened shared field, reduced by the
permutation symmetry of the integrand (sorted index triples with multiplicities). Plain
Gauss-Hermite does not resolve the kinks of the output channel when ``Q - q`` becomes small
(large alpha at low T); results there are flagged by a refinement check (``quadrature_error``).
Ising weights (``J_k in {-1, 1}^N``): the entropic term is that of K coupled spins per input,
``1/2 Tr(qh q) - Tr(Rh^T R) - sum_{k<l} Qh Q_kl + E_{B, z} ln sum_J exp(J.(qh^1/2 z + Rh B) +
1/2 J^T (Qh - qh) J)`` (:func:`ising_prior`; K = 1 is Engel & Van den Broeck eq. (7.6)), with the
conjugates ``qh = -2 alpha dG_E/dq``, ``Rh = alpha dG_E/dR``, ``Qh = 2 alpha dG_E/dQ_kl`` from the same
energetic term; the exact perfect state R = q = Q = I (free entropy 0) is added as a branch. At
T = 0 the uniform measure on the version space is the Bayes posterior of the binary prior, and the
branches are taken from ``committee.bayes(prior="binary")`` (entropy = Bayes free entropy + K ln 2).
Not implemented: K >= 5; for Ising weights at T > 0 the repelling branch between the poor and the
perfect state (``perceptron.teacher`` reports it for K = 1).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr, roots_legendre

from ..._util import ParamError, check_choice, check_number
from .. import engine
from ..channels import majority_prob
from ..gauss import hermite, panel_rule
from ..perceptron import U_MIN, polish_relative
from ..priors import ising_units_prior
from ..solution import Solution, select_thermodynamic

_FLOOR = 1e-14
# ----------------------------------------------------------------------------
# Majority of K = 1 or 3 correlated Gaussian fields: probability, gradient, Hessian in the means
# ----------------------------------------------------------------------------

def majority3(m, S, hessian=True):
    """``M = P(sum_k sign z_k > 0)``, ``z ~ N(m, S)``, its gradient and Hessian in m (K = 1 or 3).

    M and its gradient come from :func:`replicon.theory.channels.majority_prob`. The Hessian
    (needed for the self-overlap Q) is a closed form: for k != l, with j the third unit,
    ``d2M/dm_k dm_l = p_kl(0, 0) (1 - 2 P(z_j > 0 | z_k = z_l = 0))`` (M changes when z_k and z_l
    both cross 0, with z_j deciding the vote); on the diagonal, differentiating
    ``dM/dm_k = p_k(0) P(others disagree | z_k = 0)`` through p_k(0) and through the conditional
    means ``m_i - (S_ik/S_kk) m_k`` gives ``-(m_k/S_kk) dM/dm_k - sum_{i != k} (S_ik/S_kk) d2M/dm_k dm_i``.
    """
    m = np.atleast_2d(np.asarray(m, float))
    S = np.atleast_2d(np.asarray(S, float))
    n, K = m.shape
    if K not in (1, 3):
        raise ParamError("fully connected committee: K must be 1 or 3")
    M, G = majority_prob(m, S, grad=True)
    if not hessian:
        return M, G, None
    if K == 1:
        return M, G, (-(m[:, 0] / S[0, 0]) * G[:, 0])[:, None, None]
    H = np.zeros((n, 3, 3))
    for k, l in ((0, 1), (0, 2), (1, 2)):
        j = 3 - k - l
        B = S[np.ix_([k, l], [k, l])]
        Bi = np.linalg.inv(B)
        mk = m[:, [k, l]]
        quad = np.einsum("ni,ij,nj->n", mk, Bi, mk)
        dens = np.exp(-0.5 * quad) / (2.0 * math.pi * math.sqrt(np.linalg.det(B)))
        s_j = S[j, [k, l]]
        mu = m[:, j] - mk @ (Bi @ s_j)
        v = S[j, j] - s_j @ Bi @ s_j
        H[:, k, l] = H[:, l, k] = dens * (1.0 - 2.0 * ndtr(mu / math.sqrt(max(v, 1e-300))))
    for k in range(3):
        H[:, k, k] = -(m[:, k] / S[k, k]) * G[:, k] - sum(S[i, k] / S[k, k] * H[:, k, i]
                                                          for i in range(3) if i != k)
    return M, G, H


# ----------------------------------------------------------------------------
# Quadrature over the shared field omega ~ N(0, q)
# ----------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _sorted_triples(n):
    """Index triples i <= j <= k of a symmetric n-point rule with their multiplicities.

    A sorted triple stands for its 3!/symmetry permutations and, when it differs from its
    mirror image (i, j, k) -> (n-1-k, n-1-j, n-1-i) (nodes x -> -x), for the mirror too.
    """
    idx = np.array(list(itertools.combinations_with_replacement(range(n), 3)))
    mirror = (n - 1 - idx)[:, ::-1]
    key = idx @ (n ** np.arange(2, -1, -1))
    mkey = mirror @ (n ** np.arange(2, -1, -1))
    keep = key <= mkey
    perm = np.array([6 // math.prod(math.factorial(c) for c in np.unique(r, return_counts=True)[1])
                     for r in idx], float)
    mult = perm * np.where(key == mkey, 1.0, 2.0)
    return idx[keep], mult[keep]


def omega_nodes(q, restricted, n_gh, width=1.0):
    """Nodes omega (n, K) and weights (sum 1) for E over N(0, q); q = q_p P_perp + q_1 P_par.

    restricted (q_p = 0) or K = 1: omega = sqrt(q_1/K) t 1, every unit's kink at t = 0 with scale
    ``width`` (in t): a Gauss-Legendre panel rule refined there (:func:`gauss.panel_rule`).
    Otherwise omega = q^(1/2) u with an n_gh-point Gauss-Hermite product rule in u; q^(1/2)
    commutes with permutations, so only sorted index triples are used (with multiplicities):
    every quantity integrated is permutation-invariant (traces and 1^T g 1 of the matrix-valued
    integrands) and even under omega -> -omega (odd K: M_y(-m) = M_-y(m), the gradients of M
    are even, its Hessian odd), so mirror images are merged too.
    """
    K = q.shape[0]
    if restricted or K == 1:
        q1 = float(np.ones(K) @ q @ np.ones(K)) / K
        t, w = panel_rule(((0.0, width),))
        return np.outer(math.sqrt(max(q1, 0.0) / K) * t, np.ones(K)), w
    x, w = hermite(n_gh)
    lam, U = np.linalg.eigh(q)
    root = (U * np.sqrt(np.maximum(lam, 0.0))) @ U.T
    idx, mult = _sorted_triples(n_gh)
    u = x[idx]
    return u @ root.T, np.prod(w[idx], axis=1) * mult


def _half_panels(L, width, order, step):
    """Gauss-Legendre panels on [0, L] with edges at the multiples of ``step`` and at width * 2^j."""
    e = [np.arange(0.0, L, step), [L]]
    if width < L:
        e.append(width * 2.0 ** np.arange(0, int(math.ceil(math.log2(L / width)))))
    e = np.unique(np.clip(np.concatenate(e), 0.0, L))
    e = e[np.concatenate([[True], np.diff(e) > 1e-12 * L])]
    t, wt = roots_legendre(order)
    a, b = e[:-1], e[1:]
    x = (0.5 * (b - a)[:, None] * (t[None, :] + 1.0) + a[:, None]).ravel()
    return x, (0.5 * (b - a)[:, None] * wt[None, :]).ravel()


def panel_nodes(q, width, order=4, reach=6.5, prune=1e-13):
    """Nodes and weights for E over N(0, q) in omega itself, for integrands with kinks of scale
    ``width`` across the planes omega_k = 0 (narrow when 1 - q is small, where a Gauss-Hermite rule
    in the whitened variable converges only algebraically).

    A product of one symmetric 1-D panel rule (edges at multiples of the largest standard deviation
    and refined geometrically towards 0 down to ``width``), weighted by the N(0, q) density; sorted
    triples with multiplicities as in :func:`omega_nodes`, nodes of negligible weight dropped.
    """
    sig = math.sqrt(float(np.linalg.eigvalsh(q).max()))
    xp, wp = _half_panels(reach * sig, width, order, sig)
    x = np.concatenate([-xp[::-1], xp])
    wx = np.concatenate([wp[::-1], wp])
    idx, mult = _sorted_triples(x.size)
    om = x[idx]
    qi = np.linalg.inv(q)
    dens = np.exp(-0.5 * np.einsum("ni,ij,nj->n", om, qi, om)) / ((2.0 * math.pi) ** 1.5 * math.sqrt(np.linalg.det(q)))
    W = np.prod(wx[idx], axis=1) * mult * dens
    keep = W > prune * W.max()
    return om[keep], W[keep]


def _pinv_sym(q, tol=1e-13):
    lam, U = np.linalg.eigh(q)
    inv = np.where(lam > tol * max(lam.max(), 1e-300), 1.0 / np.where(lam > 0, lam, 1.0), 0.0)
    return (U * inv) @ U.T


def energetic(Q, q, R, T, restricted=False, n_gh=20, grads=True, refine=False):
    """``G_E``, ``eps_t``, ``eps_g`` and the gradients ``g_q, g_R, g_Q`` as permutation invariants.

    Returns a dict; the matrix gradients are returned as their two eigenvalues (perp, par) in
    ``gq``, ``gR``, ``gQ`` (each a length-2 array; perp is 0 for K = 1). K = 3 off the symmetric
    subspace: Gauss-Hermite in the whitened field while the kinks of the channel are wide compared
    with the spread of omega across them, else :func:`panel_nodes`; ``refine`` uses the next finer
    rule of the same kind (for the reported ``quadrature_error``).
    """
    K = q.shape[0]
    eb = math.exp(-1.0 / T) if T > 0 else 0.0
    one = -math.expm1(-1.0 / T) if T > 0 else 1.0      # 1 - e^-beta without cancellation at high T
    A = R.T @ _pinv_sym(q)
    ST = np.eye(K) - A @ R
    SS = Q - q
    width = 1.0
    if restricted or K == 1:
        s1 = math.sqrt(max(float(np.ones(K) @ q @ np.ones(K)) / K / K, 1e-300))   # sd of omega_k
        a1 = abs(float(np.ones(K) @ A @ np.ones(K))) / K                          # teacher mean slope
        width = min(math.sqrt(np.min(np.diag(SS))), math.sqrt(np.min(np.diag(ST))) / max(a1, 1e-300)) / s1
    if restricted or K == 1:
        om, w = omega_nodes(q, restricted, n_gh, width)
    else:
        kink = min(math.sqrt(np.min(np.diag(SS))),
                   float(np.min(np.sqrt(np.diag(ST)) / np.maximum(np.linalg.norm(A, axis=1), 1e-300))))
        spread = math.sqrt(max(float(np.linalg.eigvalsh(q).min()), 1e-300))
        if kink / spread < 0.5:
            om, w = panel_nodes(q, kink, order=5 if refine else 4)
        else:
            om, w = omega_nodes(q, restricted, n_gh + (12 if refine else 0), width)
    out_rule = "panels" if not (restricted or K == 1) and kink / spread < 0.5 else "hermite"
    MT, GT, _ = majority3(om @ A.T, ST, hessian=False)
    MS, GS, HS = majority3(om, SS, hessian=grads)
    Zp = np.maximum(eb + one * MS, _FLOOR)
    Zm = np.maximum(eb + one * (1.0 - MS), _FLOOR)
    out = {
        "G": float(w @ (MT * np.log(Zp) + (1.0 - MT) * np.log(Zm))),
        "eps_t": float(w @ (eb * (MT * (1.0 - MS) / Zp + (1.0 - MT) * MS / Zm))),
        "eps_g": float(w @ (MT * (1.0 - MS) + (1.0 - MT) * MS)),
        "rule": out_rule,
    }
    if not grads:
        return out

    def eig2(trace, total):
        """(perp, par) eigenvalues of a symmetric committee matrix from Tr g and 1^T g 1."""
        par = total / K
        perp = (trace - par) / (K - 1) if K > 1 else 0.0
        return np.array([perp, par])

    cR = one * (1.0 / Zp + 1.0 / Zm)
    gR_tr = w @ (cR * np.einsum("nk,nk->n", GS, GT))
    gR_tot = w @ (cR * GS.sum(1) * GT.sum(1))
    cq = -0.5 * one * one * (MT / Zp ** 2 + (1.0 - MT) / Zm ** 2)
    gq_tr = w @ (cq * np.einsum("nk,nk->n", GS, GS))
    gq_tot = w @ (cq * GS.sum(1) ** 2)
    cQ = 0.5 * one * (MT / Zp - (1.0 - MT) / Zm)
    gQ_tr = w @ (cQ * np.einsum("nkk->n", HS))
    gQ_tot = w @ (cQ * HS.sum(axis=(1, 2)))
    out.update(gq=eig2(gq_tr, gq_tot), gR=eig2(gR_tr, gR_tot), gQ=eig2(gQ_tr, gQ_tot))
    return out


# ----------------------------------------------------------------------------
# Fixed-point problem in the eigen-channels
# ----------------------------------------------------------------------------


def _channel_entropy(Q, q, R):
    D = Q - q
    return 0.5 * math.log(D) + (q - R * R) / (2.0 * D)


@dataclass
class _Fully:
    """RS equations at one (alpha, T). Coordinates: specialised ``(q_p, q_1, rho_p, rho_1, Q_p)``,
    restricted/symmetric ``(q_1, rho_1, Q_p)`` (q_p = R_p = 0), K = 1 ``(q, rho)``; p = perp, 1 = par
    eigenvalue, ``rho = R/sqrt(q)``, ``Q_1 = K - (K - 1) Q_p`` (Q_kk = 1).

    ``nishimori`` (used at T = 0): the equations restricted to R = q, Q = I, coordinates the q's
    alone; the map returns the R-update (on that line the Gibbs posterior is the Bayes posterior and
    this is the state-evolution map, as for ``perceptron.teacher`` at T = 0). Fixed points of the
    unrestricted T = 0 equations off the line exist and are not states of the system.
    """

    alpha: float
    T: float
    K: int
    restricted: bool = False
    n_gh: int = 20
    nishimori: bool = False
    weights: str = "spherical"

    def full(self, x):
        """Nishimori coordinates -> the unrestricted ones (R = q, i.e. rho = sqrt(q); Q = I)."""
        x = np.asarray(x, float)
        if not self.nishimori:
            return x
        r = np.sqrt(np.maximum(x, 0.0))
        if self.K == 1:
            return np.array([x[0], r[0]])
        if self.restricted:
            return np.array([x[0], r[0], 1.0])
        return np.array([x[0], x[1], r[0], r[1], 1.0])

    def update(self, x):
        if not self.nishimori:
            return self._update(x)
        y = self._update(self.full(x))
        if self.K == 1 or self.restricted:
            return np.array([y[1] * math.sqrt(max(y[0], 0.0))])
        return np.array([y[2] * math.sqrt(max(y[0], 0.0)), y[3] * math.sqrt(max(y[1], 0.0))])

    def channels(self, x):
        """(q, R, Q) per channel (perp, par) from the coordinates; R = rho sqrt(q)."""
        K = self.K
        x = self.full(x)
        if K == 1:
            q1, r1 = x
            return np.array([0.0, q1]), np.array([0.0, r1 * math.sqrt(max(q1, 0.0))]), np.array([0.0, 1.0])
        if self.restricted:
            q1, r1, Qp = x
            return (np.array([0.0, q1]), np.array([0.0, r1 * math.sqrt(max(q1, 0.0))]),
                    np.array([Qp, K - (K - 1) * Qp]))
        qp, q1, rp, r1, Qp = x
        qc = np.array([qp, q1])
        return qc, np.array([rp, r1]) * np.sqrt(np.maximum(qc, 0.0)), np.array([Qp, K - (K - 1) * Qp])

    def matrices(self, x):
        return self.matrices_from(*self.channels(x))

    def matrices_from(self, qc, Rc, Qc):
        K = self.K
        Ppar = np.ones((K, K)) / K
        Pperp = np.eye(K) - Ppar
        mk = lambda c: c[0] * Pperp + c[1] * Ppar       # noqa: E731
        return mk(Qc), mk(qc), mk(Rc)

    def energetic(self, x, grads=True, n_gh=None, refine=False):
        Q, q, R = self.matrices(x)
        return energetic(Q, q, R, self.T, self.restricted, n_gh or self.n_gh, grads, refine)

    def _update(self, x):
        K, a = self.K, self.alpha
        nishimori, self.nishimori = self.nishimori, False
        try:
            qc, Rc, Qc = self.channels(x)
        finally:
            self.nishimori = nishimori
        live = slice(1, 2) if K == 1 else slice(0, 2)
        nan = np.full(len(x), np.nan)     # outside the domain: the engine backs off and damps
        if np.any((Qc - qc)[live] <= 1e-12):
            return nan
        Q, q, R = self.matrices_from(qc, Rc, Qc)
        e = energetic(Q, q, R, self.T, self.restricted, self.n_gh, True)
        qh = np.maximum(-2.0 * a * e["gq"], 0.0)
        Rh = a * e["gR"]
        gQ = a * e["gQ"]
        if self.restricted or K == 1:
            qh[0] = Rh[0] = 0.0
        if self.weights == "ising":
            qn, Rn, Qn, _ = ising_units_prior(K, qh, Rh, 2.0 * (gQ[1] - gQ[0]) / K if K > 1 else 0.0)
            if self.restricted:
                qn[0] = Rn[0] = 0.0
            with np.errstate(invalid="ignore", divide="ignore"):
                rn = np.where(qn > 0, Rn / np.sqrt(qn), 0.0)
            if K == 1:
                return np.array([qn[1], rn[1]])
            if self.restricted:
                return np.array([qn[1], rn[1], Qn[0]])
            return np.array([qn[0], qn[1], rn[0], rn[1], Qn[0]])
        mult = np.array([K - 1.0, 1.0])
        active = mult > 0

        def Qof(mu):
            D = 1.0 / (qh + 2.0 * mu - 2.0 * gQ)
            return D, D * D * (qh + Rh * Rh) + D

        lo = float(np.max((2.0 * gQ - qh)[active] / 2.0))
        f = lambda s: float(mult @ np.where(active, Qof(lo + math.exp(s))[1], 0.0)) - K   # noqa: E731
        s_lo, s_hi = -30.0, 30.0
        if not (f(s_lo) > 0 > f(s_hi)):
            return nan
        mu = lo + math.exp(brentq(f, s_lo, s_hi, xtol=1e-15, rtol=1e-15))
        D, Qn = Qof(mu)
        qn = D * D * (qh + Rh * Rh)
        with np.errstate(invalid="ignore", divide="ignore"):
            rn = np.where(qn > 0, D * Rh / np.sqrt(qn), 0.0)       # rho = R / sqrt(q)
        if K == 1:
            return np.array([qn[1], rn[1]])
        if self.restricted:
            return np.array([qn[1], rn[1], Qn[0]])
        return np.array([qn[0], qn[1], rn[0], rn[1], Qn[0]])

    def evaluate(self, x):
        qc, Rc, Qc = self.channels(x)
        mult = np.array([self.K - 1.0, 1.0])
        if self.weights == "ising":
            K, a = self.K, self.alpha
            e = self.energetic(x, grads=True)
            qh = np.maximum(-2.0 * a * e["gq"], 0.0)
            Rh = a * e["gR"]
            Qoff = 2.0 * a * (e["gQ"][1] - e["gQ"][0]) / K if K > 1 else 0.0
            if self.restricted or K == 1:
                qh[0] = Rh[0] = 0.0
            lnZ = ising_units_prior(K, qh, Rh, Qoff)[3]
            C = (Qc[1] - Qc[0]) / K
            gs = (0.5 * float(mult @ (qh * qc)) - float(mult @ (Rh * Rc))
                  - 0.5 * K * (K - 1) * Qoff * C + lnZ)          # K = 1: mult[0] = 0 drops the perp terms
            return gs + a * e["G"], e
        e = self.energetic(x, grads=False)
        gs = sum(mult[c] * _channel_entropy(Qc[c], qc[c], Rc[c]) for c in range(2) if mult[c] > 0)
        return gs + self.alpha * e["G"], e

    def problem(self):
        K = self.K
        if self.nishimori:
            names = ("q",) if K == 1 else (("q_1",) if self.restricted else ("q_p", "q_1"))
            n = len(names)
            return engine.FixedPointProblem(names, self.update, np.zeros(n), np.ones(n),
                                            transforms=("logit",) * n if n == 1 else None)
        # q (q_1) in logit coordinates with the deep floor: at high T the (symmetric) poor branch has
        # q ~ 1/T^2 (1e-17 at T = 1e8), below the plain box's margin 1e-13 (issue 10 item 1)
        if K == 1:
            return engine.FixedPointProblem(("q", "rho"), self.update, np.array([0.0, -1.0]), np.ones(2),
                                            transforms=("logit", "none"), u_min=U_MIN)
        if self.restricted:
            return engine.FixedPointProblem(("q_1", "rho_1", "Q_p"), self.update,
                                            np.array([0.0, -1.0, 0.0]),
                                            np.array([float(K), 1.0, K / (K - 1.0)]),
                                            transforms=("logit", "none", "none"), u_min=U_MIN)
        return engine.FixedPointProblem(("q_p", "q_1", "rho_p", "rho_1", "Q_p"), self.update,
                                        np.array([0.0, 0.0, -1.0, -1.0, 0.0]),
                                        np.array([K / (K - 1.0), float(K), 1.0, 1.0, K / (K - 1.0)]))

    def inits(self):
        if self.nishimori:
            if self.K == 1 or self.restricted:
                return [np.array([v]) for v in (0.5, 0.05, 0.9)]
            return [np.array(v) for v in ((0.5, 0.8), (0.85, 0.95))]
        if self.K == 1:
            return [np.array([v, math.sqrt(v)]) for v in (0.5, 0.05, 0.9)]
        if self.restricted:
            return [np.array([v, math.sqrt(v / (1.0 + v)), 1.0]) for v in (0.5, 0.05, 1.2)]
        return [np.array([p, p + d, math.sqrt(p), math.sqrt(p + d), 1.0])
                for p, d in ((0.5, 0.3), (0.85, 0.1))]

    def transverse_radius(self, x_sym, h=1e-6):
        """Spectral radius of the linearised map in the specialisation directions (q_p, R_p) at a
        symmetric point: the symmetric branch attracts specialisation iff < 1."""
        full = _Fully(self.alpha, self.T, self.K, False, self.n_gh, self.nishimori, self.weights)
        if self.nishimori:
            return float(abs(full.update(np.array([h, x_sym[0]]))[0]) / h)
        q1, r1, Qp = x_sym
        J = np.empty((2, 2))
        for col, (dq, dR) in enumerate(((h, 0.0), (h, h))):
            y = full.update(np.array([dq, q1, dR / math.sqrt(dq), r1, Qp]))
            J[:, col] = np.array([y[0], y[2] * math.sqrt(max(y[0], 0.0))]) / h
        J = J @ np.linalg.inv(np.array([[1.0, 1.0], [0.0, 1.0]]))     # to the basis (dq_p, dR_p)
        return float(np.max(np.abs(np.linalg.eigvals(J))))


# ----------------------------------------------------------------------------
# Public solver
# ----------------------------------------------------------------------------

def _check(K, alpha, T, weights):
    K = check_number("K", K, lo=1, integer=True)
    if K not in (1, 3):
        raise ParamError("fully connected committee: K must be 1 or 3 (odd K; K >= 5 not implemented)")
    alpha = check_number("alpha", alpha, lo=0.0)
    T = check_number("T", T, lo=0.0)
    if not (math.isfinite(alpha) and math.isfinite(T)):
        raise ParamError("alpha and T must be finite")
    weights = check_choice("weights", weights, ("spherical", "ising"))
    return K, alpha, T, weights


def _solution(name, params, model, root, branch, status):
    x = root.x
    f, e = model.evaluate(x)
    qc, Rc, Qc = model.channels(x)
    K = model.K
    # refinement check of the quadrature
    e2 = model.energetic(x, grads=False, refine=True)
    qerr = abs(e2["G"] - e["G"]) * model.alpha
    qd, qa = qc[0], qc[1] - qc[0]
    Rd, Ra = Rc[0], Rc[1] - Rc[0]
    obs = {"q_d": qd if K > 1 else 0.0, "q_a": qa if K > 1 else qc[1],
           "R_d": Rd if K > 1 else 0.0, "R_a": Ra if K > 1 else Rc[1],
           "R": Rd + Ra / K, "R_off": Ra / K, "q": qd + qa / K, "q_off": qa / K,
           "R_mean": Rc[1] / K, "q_mean": qc[1] / K,
           "C": (Qc[1] - Qc[0]) / K, "eps_g": e["eps_g"], "eps_t": e["eps_t"], "free_entropy": f,
           "quadrature_error": qerr}
    if K == 1:
        obs.update(R=Rc[1], q=qc[1], R_off=0.0, q_off=0.0, C=0.0)
    if model.restricted or K == 1:
        del obs["quadrature_error"]       # 1-D panel rule, accurate to ~1e-12
    T = model.T
    obs["entropy"] = f + model.alpha * e["eps_t"] / T if T > 0 else f
    order = {k: obs[k] for k in ("q_d", "q_a", "R_d", "R_a", "C")}
    return Solution(model=name, params=params, order=order, observables=obs,
                    free_energy=-T * f if T > 0 else -f, converged=True, residual=root.residual,
                    iterations=root.iterations, branch=branch, status=status)


def _approach(model, x0, n_iter=15, collapse=1e-6, damping=0.8):
    """Damped plain iteration from a specialised start: the point reached, or None if the iterate
    collapses onto the symmetric subspace (q_p, R_p -> 0; the symmetric branch is solved on its
    own). Near that subspace the accelerated solver would crawl along the boundary q_p = 0."""
    x = np.asarray(x0, float)
    for _ in range(n_iter):
        y = model.update(x)
        if not np.all(np.isfinite(y)):
            return x
        if y[0] < collapse and abs(model.channels(y)[1][0]) < collapse:
            return None
        if np.max(np.abs(y - x)) < 1e-6:
            return y
        x = (1.0 - damping) * x + damping * y
    return x


def fully_branches(K, alpha, T, n_gh=20, tol=1e-10, weights="spherical"):
    """All RS fixed points found: ``[(label, model, Root, attracting)]``.

    The symmetric branch is solved on its invariant subspace (with its stability against
    specialisation); specialised ones by damped iteration from strongly specialised starts
    (attracting points) and by Newton from weakly specialised starts next to the symmetric point
    (also repelling ones). A search, not a proof that no other root exists."""
    out = []
    nish = T == 0
    if K == 1:
        m = _Fully(alpha, T, 1, n_gh=n_gh, nishimori=nish, weights=weights)
        found, _ = engine.find_fixed_points(m.problem(), m.inits(), tol=tol)
        for r in found:
            if not nish:
                polish_relative(m, r, force=True, scale=np.abs)
            att, _ = engine.attracting(m.problem(), r.x)
            out.append(("poor" if weights == "ising" else "rs", m, r, att))
        return out
    sym = _Fully(alpha, T, K, restricted=True, n_gh=n_gh, nishimori=nish, weights=weights)
    found, _ = engine.find_fixed_points(sym.problem(), sym.inits(), tol=tol)
    for r in found:
        if not nish:            # q_1 -> 0 (high T, small alpha): to relative precision
            polish_relative(sym, r, force=True, scale=np.abs)
        att, _ = engine.attracting(sym.problem(), r.x)
        out.append(("symmetric", sym, r, bool(att and sym.transverse_radius(r.x) < 1.0)))
    spec = _Fully(alpha, T, K, n_gh=n_gh, nishimori=nish, weights=weights)
    found = []
    for x0 in spec.inits():
        x = _approach(spec, x0)
        if x is None:
            continue            # collapsed onto the symmetric subspace
        if any(np.max(np.abs(r.x - x)) < 1e-3 for r in found):
            continue            # heading for a root already found
        r = engine.iterate(spec.problem(), x, tol=tol, max_iter=300)
        if r.converged:
            found.append(r)
    # specialised points that repel the iteration: the unstable partner of an attracting specialised
    # branch in a coexistence region (born with it in a saddle-node), or specialised points near a
    # symmetric point that has lost stability. Newton from weakly specialised starts next to it.
    search = bool(found) or not all(att for _, _, _, att in out)
    for r_sym in ([r for _, _, r, _ in out] if search else []):
        for qp in (0.02, 0.08, 0.2):
            if nish:
                x0 = np.array([qp, min(r_sym.x[0] + qp, 1.0 - 1e-6)])
            else:
                q1, r1, Qp = r_sym.x
                x0 = np.array([qp, q1 + qp, r1, r1, Qp])
            r = engine.newton(spec.problem(), x0, tol=tol)
            if r.converged:
                found.append(r)
    for r in engine.distinct(found):
        if r.x[0] < 1e-8 or abs(spec.channels(r.x)[1][0]) < 1e-6:
            continue            # the symmetric point again (q_p = R_p = 0)
        if any(lbl == "specialised" and np.max(np.abs(s.x - r.x)) < 1e-6 for lbl, _, s, _ in out):
            continue
        att, _ = engine.attracting(spec.problem(), r.x)
        out.append(("specialised", spec, r, att))
    return out


def gibbs_fully(K=3, alpha=1.0, T=1.0, weights="spherical", strict=False, n_gh=20):
    """Gibbs learning of the fully connected sign committee (K = 1, 3), RS.

    Spherical and Ising weights at T >= 0 (Ising at T = 0 through ``committee.bayes``, prior binary:
    the version-space measure is the Bayes posterior; Ising branches include the exact perfect state).

    ``alpha = P/N`` with N the input dimension (K N weights). Returns the thermodynamic branch
    with all branches in ``.branches`` (``symmetric``: permutation-symmetric, R_d = q_d = 0;
    ``specialised``; K = 1: ``rs``); points that repel the iteration or (symmetric branch) the
    specialisation direction are ``status="unstable"``. See the module docstring for the equations
    (Schwarze & Hertz 1993; Engel & Van den Broeck ch. 12) and the T = 0 identity with
    ``committee.bayes`` (Gaussian prior).
    """
    K, alpha, T, weights = _check(K, alpha, T, weights)
    params = {"K": K, "alpha": alpha, "T": T, "weights": weights, "arch": "fully"}
    name = "committee.gibbs"
    if weights == "ising" and T == 0:
        return _ising_T0(name, params, strict)
    if alpha == 0:
        m = _Fully(0.0, T, K, restricted=(K > 1), n_gh=n_gh, nishimori=(T == 0), weights=weights)
        x = np.zeros(1) if T == 0 else (np.array([0.0, 0.0]) if K == 1 else np.array([0.0, 0.0, 1.0]))
        sol = _solution(name, params, m, engine.Root(x, True, 0.0, 0), "rs" if K == 1 else "symmetric", None)
        return select_thermodynamic(name, params, [sol], strict)
    sols = [_solution(name, params, m, r, lbl, None if att else "unstable")
            for lbl, m, r, att in fully_branches(K, alpha, T, n_gh, weights=weights)]
    if weights == "ising":
        sols.append(_perfect(name, params, K))
    return select_thermodynamic(name, params, sols, strict)


def _perfect(name, params, K):
    """The exact perfect-generalisation state of Ising weights (student = teacher up to a permutation of
    the hidden units): R = q = Q = I, no errors, zero entropy and free entropy (infinite conjugates;
    the limit the iteration only approaches). As for the Ising perceptron (Gyorgyi 1990)."""
    obs = {"q_d": 1.0, "q_a": 0.0, "R_d": 1.0, "R_a": 0.0, "R": 1.0, "q": 1.0, "R_off": 0.0, "q_off": 0.0,
           "R_mean": 1.0 / K, "q_mean": 1.0 / K, "C": 0.0, "eps_g": 0.0, "eps_t": 0.0,
           "free_entropy": 0.0, "entropy": 0.0}
    order = {k: obs[k] for k in ("q_d", "q_a", "R_d", "R_a", "C")}
    return Solution(model=name, params=params, order=order, observables=obs, free_energy=0.0,
                    converged=True, residual=0.0, iterations=0, branch="perfect",
                    message="exact state (R = q = I, infinite conjugates)")


_LABELS = {"nonspecialised": "symmetric", "rs": "rs", "poor": "poor", "specialised": "specialised",
           "perfect": "perfect"}


def _ising_T0(name, params, strict):
    """Ising weights at T = 0: uniform measure on the version space = Bayes posterior of the binary
    prior (Nishimori line R = q, C = 0), so every branch is ``committee.bayes(prior="binary")``'s.
    The version-space entropy per input dimension is the Bayes free entropy + K ln 2 (the prior
    weight of one configuration is 2^-KN)."""
    from .bayes import bayes

    K = params["K"]
    b = bayes(K=K, alpha=params["alpha"], prior="binary")
    sols = []
    for br in b.branches:
        qd, qa = br["q_d"], br["q_a"]
        if K == 1:
            qd, qa = 0.0, br["q"]
        S = br["free_entropy"] + K * math.log(2.0)
        obs = {"q_d": qd, "q_a": qa, "R_d": qd, "R_a": qa, "R": qd + qa / K, "q": qd + qa / K,
               "R_off": qa / K if K > 1 else 0.0, "q_off": qa / K if K > 1 else 0.0,
               "R_mean": (qd + qa) / K, "q_mean": (qd + qa) / K, "C": 0.0, "eps_g": br["eps_g"],
               "eps_t": 0.0, "free_entropy": S, "entropy": S}
        order = {k: obs[k] for k in ("q_d", "q_a", "R_d", "R_a", "C")}
        sols.append(Solution(model=name, params=params, order=order, observables=obs, free_energy=-S,
                             converged=True, residual=br.residual, iterations=br.iterations,
                             branch=("unstable" if K == 1 and br.status == "unstable"
                                     else _LABELS.get(br.branch, br.branch)), status=br.status,
                             message="T = 0 Ising: the Bayes-optimal binary committee (committee.bayes)"))
    return select_thermodynamic(name, params, sols, strict)


def gibbs(K=3, alpha=1.0, T=0.0, weights="spherical", arch="tree", strict=False):
    """``committee.gibbs``: Gibbs learning of the tree (``arch="tree"``, :mod:`.tree`) or
    fully connected (``arch="fully"``, :func:`gibbs_fully`) sign committee. ``alpha = P/N`` with N
    the input dimension in both (the tree has N weights, the fully connected committee K N)."""
    arch = check_choice("arch", arch, ("tree", "fully"))
    if arch == "fully":
        return gibbs_fully(K=K, alpha=alpha, T=T, weights=weights, strict=strict)
    from .tree import gibbs as tree_gibbs
    return tree_gibbs(K=K, alpha=alpha, T=T, weights=weights, arch="tree", strict=strict)
