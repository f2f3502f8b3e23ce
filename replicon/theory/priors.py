"""Entropic terms (priors over the weights) shared by the RS models.

One unit with overlaps (q, R): spherical weights |J|^2 = N (Engel & Van den Broeck eq.
(2.31)) and Ising weights J_i = +-1 (eq. (7.6)): each with its stationarity map from the
conjugates, its free entropy and (Ising) its replicon factor. K coupled units with an
overlap matrix: the Gaussian and binary Bayes priors of the committee machine (Aubin et
al. 2018) and K coupled Ising spins per input of the fully connected committee.
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache

import numpy as np

from .gauss import hermite, panel_rule, panels, gaussian

LN2 = math.log(2.0)


def spherical_prior(q_hat, R_hat):
    """(q, R) from the stationarity of ``G_S^sph``: R = R_hat(1-q), q = (q_hat + R_hat^2)(1-q)^2."""
    a = max(q_hat + R_hat * R_hat, 0.0)
    if not a > 0.0:
        return 0.0, R_hat
    root = math.sqrt(1.0 + 4.0 * a)
    x = 2.0 / (1.0 + root)             # x = 1 - q, root of a x^2 + x - 1
    # q = 1 - x = 4 a/(1 + root)^2 without the cancellation of 1 - x at small a (high T, small alpha)
    q = 4.0 * a / ((1.0 + root) * (1.0 + root)) if a < 1.0 else 1.0 - x
    return q, R_hat * x


def spherical_entropy(q, R):
    """G_S^sph(q, R) = 1/2 ln(1-q) + (q - R^2)/(2(1-q)) (Engel & Van den Broeck eq. (2.31))."""
    return 0.5 * math.log1p(-q) + (q - R * R) / (2.0 * (1.0 - q))


_WEAK = 1e-3    # sqrt(q_hat) below this: weak fields, a symmetric rule and the even parts of the integrands


@lru_cache(maxsize=4096)
def _ising_nodes(q_hat, R_hat):
    sq = math.sqrt(max(q_hat, 0.0))
    feats = ((0.0, 1.0),) if sq < _WEAK else ((-R_hat / sq, 1.0 / sq), (0.0, 1.0))
    return panel_rule(feats)


def ising_prior(q_hat, R_hat):
    """(q, R) = (<tanh^2>, <tanh>) of the field sqrt(q_hat) z + R_hat (Engel & Van den Broeck eq. (7.6)).

    Weak fields (``sqrt(q_hat) < 1e-3``: high T, small alpha) use the even parts in z,
    ``<tanh(a + b z)> = tanh(a) <(1 - tanh^2 bz)/(1 - tanh^2 a tanh^2 bz)>``, so that R keeps its
    relative accuracy when ``R_hat << sqrt(q_hat)`` (no odd part b z to cancel on the nodes).
    """
    z, w = _ising_nodes(q_hat, R_hat)
    sq = math.sqrt(max(q_hat, 0.0))
    if sq < _WEAK:
        ta, tb = math.tanh(R_hat), np.tanh(sq * z)
        tb2 = tb * tb
        R = ta * float(np.dot(w, (1.0 - tb2) / (1.0 - ta * ta * tb2)))
        tp, tm = (ta + tb) / (1.0 + ta * tb), (ta - tb) / (1.0 - ta * tb)
        return float(np.dot(w, 0.5 * (tp * tp + tm * tm))), R
    th = np.tanh(sq * z + R_hat)
    return float(np.dot(w, th * th)), float(np.dot(w, th))


def ising_entropy(q, R, q_hat, R_hat):
    """G_S^ising = -R R_hat - q_hat (1-q)/2 + int Dz ln 2cosh(sqrt(q_hat) z + R_hat)."""
    z, w = _ising_nodes(q_hat, R_hat)
    h = np.abs(math.sqrt(max(q_hat, 0.0)) * z + R_hat)
    lc = h + np.log1p(np.exp(-2.0 * h))
    return -R * R_hat - 0.5 * q_hat * (1.0 - q) + float(np.dot(w, lc))


def ising_gamma(q_hat, R_hat):
    """Entropic replicon factor for Ising weights, <(1 - tanh^2)^2>."""
    z, w = _ising_nodes(q_hat, R_hat)
    th = np.tanh(math.sqrt(max(q_hat, 0.0)) * z + R_hat)
    return float(np.dot(w, (1.0 - th * th) ** 2))


def gaussian_prior(r):
    """Gaussian prior N(0, I): ``q = I - (I + r)^{-1}`` and ``psi_P0 = Tr r/2 - ln det(I + r)/2``."""
    r = np.atleast_2d(r)
    K = r.shape[0]
    A = np.eye(K) + r
    q = r @ np.linalg.inv(A)          # = I - (I + r)^-1, without its cancellation at small r
    lam = np.linalg.eigvalsh(0.5 * (r + r.T))
    # psi = sum (lam - ln(1 + lam))/2 with the difference summed as a series at small lam (|psi| ~ lam^2)
    small = np.abs(lam) < 1e-3
    ls = lam[small]
    d = np.where(small, 0.0, lam - np.log1p(np.where(small, 0.0, lam)))
    d[small] = ls * ls * (0.5 - ls * (1.0 / 3.0 - ls * (0.25 - ls * 0.2)))
    return 0.5 * (q + q.T), 0.5 * float(np.sum(d))


@lru_cache(maxsize=8)
def spin_states(K):
    """The 2^K states of K spins, rows in lexicographic order from (+1, ..., +1) (read-only)."""
    s = np.array(list(itertools.product((1.0, -1.0), repeat=K)))   # (2^K, K)
    s.setflags(write=False)
    return s


def binary_prior(r, order=None, reach=None):
    """Binary prior uniform on {-1,1}^K: ``q = E <w><w>^T`` and ``psi_P0`` (exact sum over 2^K states).

    The field ``h = r w0 + r^{1/2} xi`` is integrated by a tensor Gauss-Legendre
    panel rule in the eigenbasis of r, with panels no wider than the O(1) scale on
    which the spins' posterior changes in h. ``w0`` runs over the 2^(K-1) classes
    modulo the global flip (which leaves both q and psi invariant).
    """
    r = np.atleast_2d(np.asarray(r, float))
    r = 0.5 * (r + r.T)
    K = r.shape[0]
    if order is None:      # K = 3: a 3-D tensor rule; lower order and reach keep it at ~10^5 nodes
        order = 8 if K <= 2 else 6
    if reach is None:
        reach = 9.0 if K <= 2 else 7.5
    lam, U = np.linalg.eigh(r)
    lam = np.maximum(lam, 0.0)
    live = lam > 1e-14 * max(float(lam.max()), 1e-300)
    if not np.any(live):
        live[-1] = True
    lam, U = lam[live], U[:, live]        # the noise r^{1/2} xi has no component along null directions
    grids = []
    for l in lam:
        # panels resolve the O(1) scale in h up to lambda ~ 300; beyond, the spins are frozen
        # except on ever thinner shells and the rule degrades gracefully (r -> inf is the exact
        # perfect state, treated separately)
        width = max(min(1.0, 1.5 / math.sqrt(l)), 0.09) if l > 0 else 2.0
        edges = np.arange(-reach, reach + 1e-9, width)
        edges = np.concatenate([edges, [-reach, reach]])
        t, w = panels(edges, order)
        grids.append((t, w * gaussian(t)))
    D = len(lam)
    T = np.array(np.meshgrid(*[g[0] for g in grids], indexing="ij")).reshape(D, -1).T
    W = np.prod(np.array(np.meshgrid(*[g[1] for g in grids], indexing="ij")).reshape(D, -1), axis=0)
    keep = W > (1e-22 if K <= 2 else 1e-16 * W.max())
    T, W = T[keep], W[keep]
    W = W / W.sum()
    noise = T @ (U * np.sqrt(lam)).T                         # r^{1/2} xi in the original basis
    S = spin_states(K)                                      # states w
    quad = 0.5 * np.einsum("sk,kl,sl->s", S, r, S)            # w^T r w / 2
    w0s = S[S[:, 0] > 0]                                     # classes modulo global flip
    q = np.zeros((K, K))
    psi = 0.0
    for w0 in w0s:
        h = noise + r @ w0                                   # (n, K)
        E = h @ S.T - quad                                   # (n, 2^K)
        m = E.max(axis=1, keepdims=True)
        p = np.exp(E - m)
        Zs = p.sum(axis=1)
        p /= Zs[:, None]
        lnZ = m[:, 0] + np.log(Zs) - K * LN2
        mean = p @ S                                         # <w>, (n, K)
        q += np.einsum("n,nk,nl->kl", W, mean, mean)
        psi += float(W @ lnZ)
    q /= len(w0s)
    psi /= len(w0s)
    return 0.5 * (q + q.T), psi


def prior_update(r, prior):
    return gaussian_prior(r) if prior == "gaussian" else binary_prior(r)




def ising_units_prior(K, qh, Rh, Qoff, n=None):
    """Entropic step for Ising weights: the K spins ``J`` of one input in the fields
    ``h = qh^(1/2) z + Rh B`` (teacher spins B uniform on {-1, 1}^K, z ~ N(0, I_K)) with the
    couplings ``(1/2) J^T (Qhat - qh) J`` (off-diagonal: ``Qoff - qh_kl``; the diagonal only adds
    ``-Tr qh / 2``). Returns the channels (perp, par) of ``q = E <J><J>^T``, ``R = E <J> B^T``,
    ``Q = E <J J^T>`` and ``E ln Z`` (= K ln 2 at zero conjugates). ``qh``, ``Rh`` are channel pairs.
    The replicated Ising entropy is ``1/2 Tr(qh q) - Tr(Rh^T R) - sum_{k<l} Qoff Q_kl + E ln Z``
    (Engel & Van den Broeck eq. (7.6) for K = 1); its stationarity in the conjugates gives these moments.
    """
    J = spin_states(K)
    Ppar = np.ones((K, K)) / K
    Pperp = np.eye(K) - Ppar
    qhat = qh[0] * Pperp + qh[1] * Ppar
    Rhat = Rh[0] * Pperp + Rh[1] * Ppar
    lam, U = np.linalg.eigh(qhat)
    root = (U * np.sqrt(np.maximum(lam, 0.0))) @ U.T
    n = n or (60 if K == 1 else 24)
    x, w = hermite(n)
    z = np.stack(np.meshgrid(*([x] * K), indexing="ij"), -1).reshape(-1, K)
    wz = np.prod(np.stack(np.meshgrid(*([w] * K), indexing="ij"), -1).reshape(-1, K), axis=1)
    coup = np.where(np.eye(K) > 0, 0.0, Qoff - qhat)
    energy_J = 0.5 * np.einsum("sk,kl,sl->s", J, coup, J) - 0.5 * np.trace(qhat)
    B = spin_states(K)
    h = (z @ root.T)[None, :, :] + (B @ Rhat.T)[:, None, :]            # (nB, nz, K)
    E = h @ J.T + energy_J                                                 # (nB, nz, S)
    JJ = np.einsum("sk,sl->skl", J, J)
    E0 = E.mean(axis=2, keepdims=True)
    if float(np.max(np.abs(E - E0))) < 1.0:
        # weak fields (high T, small alpha): the moments are small differences of nearly equal
        # Boltzmann weights; sum f(J) (e^(E-E0) - 1) with expm1 instead (sum_J J = sum_J J_k J_l = 0
        # for k != l, sum_J J_k^2 = 2^K exactly), which keeps their relative accuracy
        d = np.expm1(E - E0)
        ns = J.shape[0]
        Z = ns + d.sum(axis=2, keepdims=True)
        lnZ = (E0 + math.log(ns) + np.log1p(d.sum(axis=2, keepdims=True) / ns))[..., 0]
        m = (d @ J) / Z
        c = (np.einsum("bzs,skl->bzkl", d, JJ) + np.eye(K) * ns) / Z[..., None]
    else:
        Emax = E.max(axis=2, keepdims=True)
        p = np.exp(E - Emax)
        Z = p.sum(axis=2, keepdims=True)
        lnZ = (np.log(Z) + Emax)[..., 0]
        p /= Z
        m = p @ J                                                             # <J>
        c = np.einsum("bzs,skl->bzkl", p, JJ)                                  # <J J^T>
    wb = np.full(len(B), 1.0 / len(B))
    q = np.einsum("b,z,bzk,bzl->kl", wb, wz, m, m)
    R = np.einsum("b,z,bzk,bl->kl", wb, wz, m, B)
    Qm = np.einsum("b,z,bzkl->kl", wb, wz, c)
    elnZ = float(np.einsum("b,z,bz->", wb, wz, lnZ))

    def chan(M):
        par = float(np.ones(K) @ M @ np.ones(K)) / K
        perp = (float(np.trace(M)) - par) / (K - 1) if K > 1 else 0.0
        return np.array([perp, par])

    return chan(q), chan(R), chan(Qm), elnZ
