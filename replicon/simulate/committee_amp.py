"""Approximate message passing (AMP) for the Bayes-optimal committee machine, K = 1, 2, sign.

Aubin et al., NeurIPS 2018 (arXiv:1806.05451), Algorithm 1: generalised AMP with K-dimensional
variables. With ``Xs = X/sqrt N`` (X i.i.d. N(0, 1), P x N), at each iteration t

    V      = mean_i C_i                                    (K x K)
    omega  = Xs W_hat - g_old V                            (Onsager term)
    g      = grad_omega ln Z_out(y; omega, V)              (P x K)
    A      = g^T g / N                                     (Nishimori form of -sum_mu Xs^2 dg)
    B      = Xs^T g + W_hat A
    W_hat, C = mean and covariance of P0(w) exp(B.w - w^T A w / 2)

Gaussian prior: ``C = (I + A)^-1``, ``W_hat = B C``; binary prior: exact sums over the 2^K
states. The output channel is the sign committee with the tie convention of
``replicon.theory.committee`` (K = 2, ties="zero": label sign(sign z1 + sign z2), sign(0) = 0).
Damping (DESIGN.md convention): ``W_hat <- (1 - d) W_hat_old + d W_hat_new`` (same for C).
Per iteration it records ``q = W_hat^T W_hat / N`` and ``m = W_hat^T W* / N``, which state
evolution predicts to be equal (Nishimori) and given by the RS fixed-point iteration.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr, owens_t

from .._util import ParamError, child_seeds
from .measurement import Measurement

_FLOOR = 1e-300


def _phi(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _orthant(a, b, c):
    """P(X < a, Y < b), standard bivariate normal of correlation c (Owen's T)."""
    s = math.sqrt(max(1.0 - c * c, 1e-300))
    a = np.where(a == 0.0, 1e-300, a)
    b = np.where(b == 0.0, 1e-300, b)
    p = 0.5 * ndtr(a) + 0.5 * ndtr(b) - owens_t(a, (b - c * a) / (a * s)) - owens_t(b, (a - c * b) / (b * s))
    return np.clip(p - np.where(a * b < 0, 0.5, 0.0), 0.0, 1.0)


def output_gradient(y, omega, V, ties="zero"):
    """g = grad_omega ln P(label y | z ~ N(omega, V)) for the sign committee, one row per example."""
    K = omega.shape[1]
    sig = np.sqrt(np.maximum(np.diag(V), 1e-300))
    if K == 1:
        a = y * omega[:, 0] / sig[0]
        return (y * _phi(a) / (sig[0] * np.maximum(ndtr(a), _FLOOR)))[:, None]
    a, b = omega[:, 0] / sig[0], omega[:, 1] / sig[1]
    c = float(np.clip(V[0, 1] / (sig[0] * sig[1]), -1.0, 1.0))
    s = math.sqrt(max(1.0 - c * c, 1e-300))
    ca, cb = ndtr((b - c * a) / s), ndtr((a - c * b) / s)
    fa, fb = _phi(a) / sig[0], _phi(b) / sig[1]
    Ppp, Pmm = _orthant(a, b, c), _orthant(-a, -b, c)
    Ppm, Pmp = np.maximum(ndtr(a) - Ppp, 0.0), np.maximum(ndtr(-a) - Pmm, 0.0)
    gpp = np.stack([fa * ca, fb * cb], 1)
    gmm = np.stack([-fa * (1 - ca), -fb * (1 - cb)], 1)
    gmix = np.stack([fa * (1 - ca) - fa * ca, -fb * cb + fb * (1 - cb)], 1)
    if ties == "zero":
        Z = np.where(y > 0, Ppp, np.where(y < 0, Pmm, Ppm + Pmp))
        G = np.where((y > 0)[:, None], gpp, np.where((y < 0)[:, None], gmm, gmix))
    else:
        Z = np.where(y > 0, 1.0 - Pmm, Pmm)
        G = np.where((y > 0)[:, None], -gmm, gmm)
    return G / np.maximum(Z, _FLOOR)[:, None]


def _states(K):
    return np.array(np.meshgrid(*([[1.0, -1.0]] * K), indexing="ij")).reshape(K, -1).T


def prior_denoiser(A, B, prior):
    """Posterior mean (N x K) and covariances (N x K x K) of P0(w) exp(B.w - w^T A w/2)."""
    N, K = B.shape
    if prior == "gaussian":
        C = np.linalg.inv(np.eye(K) + A)
        return B @ C, np.broadcast_to(C, (N, K, K)).copy()
    S = _states(K)
    E = B @ S.T - 0.5 * np.einsum("sk,kl,sl->s", S, A, S)
    E -= E.max(axis=1, keepdims=True)
    p = np.exp(E)
    p /= p.sum(axis=1, keepdims=True)
    mean = p @ S
    second = np.einsum("ns,sk,sl->nkl", p, S, S)
    return mean, second - np.einsum("nk,nl->nkl", mean, mean)


def teacher_data(N, alpha, K, prior, ties, rng):
    """Inputs X (P x N, N(0,1)), teacher W* (N x K) from the prior, labels y of the sign committee."""
    P = int(round(alpha * N))
    X = rng.standard_normal((P, N))
    W = rng.standard_normal((N, K)) if prior == "gaussian" else rng.choice([-1.0, 1.0], size=(N, K))
    z = X @ W / math.sqrt(N)
    h = np.sign(z).sum(axis=1)
    if K == 2 and ties == "plus":
        y = np.where(h >= 0, 1.0, -1.0)
    else:
        y = np.sign(h)
    return X, W, y


def run_amp(X, y, K, prior, ties="zero", n_iter=20, damping=1.0, W_true=None, W0=None):
    """Committee AMP; returns dict of per-iteration overlaps ``q`` (T+1, K, K) and ``m`` (if W_true)."""
    P, N = X.shape
    Xs = X / math.sqrt(N)
    W_hat = np.zeros((N, K)) if W0 is None else np.array(W0, float)
    C = np.broadcast_to(np.eye(K), (N, K, K)).copy()
    g = np.zeros((P, K))
    qs, ms = [W_hat.T @ W_hat / N], [W_hat.T @ W_true / N if W_true is not None else np.zeros((K, K))]
    for _ in range(n_iter):
        V = C.mean(axis=0)
        omega = Xs @ W_hat - g @ V
        g = output_gradient(y, omega, V, ties)
        A = g.T @ g / N
        B = Xs.T @ g + W_hat @ A
        W_new, C_new = prior_denoiser(A, B, prior)
        W_hat = (1 - damping) * W_hat + damping * W_new
        C = (1 - damping) * C + damping * C_new
        qs.append(W_hat.T @ W_hat / N)
        if W_true is not None:
            ms.append(W_hat.T @ W_true / N)
    return {"q": np.array(qs), "m": np.array(ms)}


def committee_amp(N=2000, alpha=1.5, K=2, prior="gaussian", ties="zero", n_iter=15, damping=1.0,
                  seeds=4, seed=0):
    """AMP on independent teacher instances: per-iteration q_d, q_a (from q = W^T W/N) and teacher overlap.

    ``q_d = q11/2 + q22/2 - q12``, ``q_a = 2 q12`` (K = 2), as in ``committee.bayes``.
    """
    if K not in (1, 2):
        raise ParamError("K must be 1 or 2")
    if prior not in ("gaussian", "binary"):
        raise ParamError("prior must be gaussian or binary")
    rows = []
    kids = child_seeds(seed, int(seeds))
    for s in kids:
        rng = np.random.default_rng(s)
        X, W, y = teacher_data(N, alpha, K, prior, ties, rng)
        out = run_amp(X, y, K, prior, ties, n_iter, damping, W_true=W)
        q, m = out["q"], out["m"]
        if K == 1:
            rows.append({"q": q[:, 0, 0], "m": m[:, 0, 0]})
        else:
            rows.append({"q_d": 0.5 * (q[:, 0, 0] + q[:, 1, 1]) - q[:, 0, 1], "q_a": 2 * q[:, 0, 1],
                         "m_diag": 0.5 * (m[:, 0, 0] + m[:, 1, 1]), "m_off": 0.5 * (m[:, 0, 1] + m[:, 1, 0])})
    samples = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    it = np.arange(n_iter + 1, dtype=float)
    return Measurement(model="committee.amp", params={"alpha": alpha, "K": K, "prior": prior, "ties": ties,
                                                      "damping": damping},
                       N=N, seeds=kids, samples=samples, coords={"iteration": it},
                       axes={k: "iteration" for k in samples})
