"""Approximate message passing (AMP) for the Bayes-optimal committee machine, K = 1, 2, 3, sign.

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
``replicon.theory.committee`` (K = 2, ties="zero": label sign(sign z1 + sign z2), sign(0) = 0);
K = 3 is the majority vote (no ties). Its probability is computed here independently of
``replicon.theory.channels`` (which this package may not import): the trivariate orthant by
conditioning on the first field and Gauss-Legendre over it, the gradient in closed form.
Damping (DESIGN.md convention): ``W_hat <- (1 - d) W_hat_old + d W_hat_new`` (same for C).
Per iteration it records ``q = W_hat^T W_hat / N`` and ``m = W_hat^T W* / N``, which state
evolution predicts to be equal (Nishimori) and given by the RS fixed-point iteration.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr, owens_t

from ..._util import ParamError, child_seeds
from ..measurement import Measurement

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


_GL = np.polynomial.legendre.leggauss(40)


def _majority3(omega, V):
    """P(majority of sign z = +1), z ~ N(omega, V) (K = 3), and its gradient in omega.

    P = P12 + P13 + P23 - 2 P123 with bivariate orthants in closed form and
    P123 = int_{-a_1}^inf phi(x) Phi_2((a_2 + c12 x)/s12, (a_3 + c13 x)/s13; c23.1) dx (40-point
    Gauss-Legendre on [-a_1, 9]); dP/domega_k = p_{z_k}(0) P(the other two disagree | z_k = 0).
    """
    sig = np.sqrt(np.maximum(np.diag(V), 1e-300))
    R = V / np.outer(sig, sig)
    a = omega / sig
    P = 0.0
    for i, j in ((0, 1), (0, 2), (1, 2)):
        P = P + _orthant(a[:, i], a[:, j], R[i, j])
    s12, s13 = math.sqrt(1 - R[0, 1] ** 2), math.sqrt(1 - R[0, 2] ** 2)
    c231 = (R[1, 2] - R[0, 1] * R[0, 2]) / (s12 * s13)
    lo = np.minimum(-a[:, 0], 9.0)
    half = 0.5 * (9.0 - lo)
    x = lo[:, None] + half[:, None] * (_GL[0] + 1.0)
    f = _orthant(((a[:, 1:2] + R[0, 1] * x) / s12).ravel(), ((a[:, 2:3] + R[0, 2] * x) / s13).ravel(), c231)
    P123 = half * ((f.reshape(x.shape) * _phi(x)) @ _GL[1])
    P = np.clip(P - 2.0 * P123, 0.0, 1.0)
    G = np.empty_like(a)
    for k, i, j in ((0, 1, 2), (1, 0, 2), (2, 0, 1)):
        sik, sjk = math.sqrt(1 - R[i, k] ** 2), math.sqrt(1 - R[j, k] ** 2)
        ai, aj = (a[:, i] - R[i, k] * a[:, k]) / sik, (a[:, j] - R[j, k] * a[:, k]) / sjk
        cij = (R[i, j] - R[i, k] * R[j, k]) / (sik * sjk)
        G[:, k] = _phi(a[:, k]) / sig[k] * np.maximum(ndtr(ai) + ndtr(aj) - 2.0 * _orthant(ai, aj, cij), 0.0)
    return P, G


def output_gradient(y, omega, V, ties="zero"):
    """g = grad_omega ln P(label y | z ~ N(omega, V)) for the sign committee, one row per example."""
    K = omega.shape[1]
    sig = np.sqrt(np.maximum(np.diag(V), 1e-300))
    if K == 3:
        # P(y | omega) = P_+(y omega) and grad P_+ is even in omega
        P, G = _majority3(y[:, None] * omega, V)
        return y[:, None] * G / np.maximum(P, _FLOOR)[:, None]
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

    ``q_d`` = mean diagonal - mean off-diagonal of q, ``q_a`` = K mean off-diagonal (K = 2:
    ``q11/2 + q22/2 - q12``, ``2 q12``), as in ``committee.bayes``; ``m_diag``, ``m_off`` the mean
    diagonal and off-diagonal teacher overlaps.
    """
    if K not in (1, 2, 3):
        raise ParamError("K must be 1, 2 or 3")
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
            qd, qa = _symmetric_parts(q)
            tr = np.trace(m, axis1=1, axis2=2)
            md, moff = tr / K, (m.sum(axis=(1, 2)) - tr) / (K * (K - 1))
            rows.append({"q_d": qd, "q_a": qa, "m_diag": md, "m_off": moff})
    samples = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    it = np.arange(n_iter + 1, dtype=float)
    return Measurement(model="committee.amp", params={"alpha": alpha, "K": K, "prior": prior, "ties": ties,
                                                      "damping": damping},
                       N=N, seeds=kids, samples=samples, coords={"iteration": it},
                       axes={k: "iteration" for k in samples})


def _symmetric_parts(q):
    """q_d, q_a of a stack of K x K matrices (..., K, K): mean diagonal - mean off-diagonal, K mean off-diagonal."""
    K = q.shape[-1]
    tr = np.trace(q, axis1=-2, axis2=-1)
    off = (q.sum(axis=(-2, -1)) - tr) / (K * (K - 1))
    return tr / K - off, K * off


def label_probabilities(omega, V, ties="zero"):
    """P(label | z ~ N(omega, V)) for the sign committee: rows (+1, -1) for K = 1, 3, (+1, -1, 0) for K = 2
    with ``ties="zero"``, (+1, -1) with ``ties="plus"``; columns are examples."""
    K = omega.shape[1]
    sig = np.sqrt(np.maximum(np.diag(V), 1e-300))
    if K == 3:
        return np.stack([_majority3(omega, V)[0], _majority3(-omega, V)[0]])
    if K == 1:
        a = omega[:, 0] / sig[0]
        return np.stack([ndtr(a), ndtr(-a)])
    a, b = omega[:, 0] / sig[0], omega[:, 1] / sig[1]
    c = float(np.clip(V[0, 1] / (sig[0] * sig[1]), -1.0, 1.0))
    Ppp, Pmm = _orthant(a, b, c), _orthant(-a, -b, c)
    if ties == "zero":
        return np.stack([Ppp, Pmm, np.maximum(1.0 - Ppp - Pmm, 0.0)])
    return np.stack([1.0 - Pmm, Pmm])


def _committee_labels(X, W, K, ties):
    h = np.sign(X @ W).sum(axis=1)
    if K == 2 and ties == "plus":
        return np.where(h >= 0, 1.0, -1.0)
    return np.sign(h)


def committee_amp_point(K=2, alpha=1.0, prior="gaussian", activation="sign", ties="zero", ansatz="symmetric",
                        N=1000, seeds=4, seed=0, n_iter=100, damping=1.0, n_test=20000):
    """AMP at convergence on independent teacher instances, reported with committee.bayes's observable names.

    Per seed: AMP (Aubin et al. 2018, Algorithm 1) for ``n_iter`` iterations from W_hat = 0;
    ``q_d``, ``q_a`` from ``q = W_hat^T W_hat / N`` (K = 1: ``q``); on ``n_test`` fresh inputs,
    ``eps_g`` is the 0-1 error of a sample from AMP's marginals (each row of W drawn from its
    posterior marginal: Gaussian prior N(W_hat_i, C_i); binary prior the exact 2^K-state law of the
    row given AMP's last fields A, B) against the teacher's
    label, and ``eps_bayes`` the error of the label maximising P(y | omega = X W_hat/sqrt N, V = mean C).
    ``activation`` and ``ansatz`` are accepted for registry symmetry (sign only; AMP is not restricted
    to an ansatz). ``ties`` as in ``replicon.theory.committee``.
    """
    if K not in (1, 2, 3):
        raise ParamError("K must be 1, 2 or 3")
    if prior not in ("gaussian", "binary"):
        raise ParamError("prior must be gaussian or binary")
    if activation != "sign":
        raise ParamError("activation must be sign")
    N = int(N)
    rows = []
    kids = child_seeds(seed, int(seeds))
    for s in kids:
        rng = np.random.default_rng(s)
        X, W, y = teacher_data(N, alpha, K, prior, ties, rng)
        W_hat, C, A, B = _amp_final(X, y, K, prior, ties, n_iter, damping, rng)
        q = W_hat.T @ W_hat / N
        if prior == "binary" and np.trace(C.mean(axis=0)) < 1e-10:
            W_s = np.where(W_hat >= 0, 1.0, -1.0)   # collapsed posterior: the estimate is a spin configuration
        else:
            W_s = _sample_marginals(W_hat, C, B, A, prior, rng)
        Xt = rng.standard_normal((int(n_test), N)) / math.sqrt(N)
        y_t = _committee_labels(Xt, W, K, ties)
        eps_g = float(np.mean(_committee_labels(Xt, W_s, K, ties) != y_t))
        Z = label_probabilities(Xt @ W_hat, C.mean(axis=0), ties)
        labels = np.array([1.0, -1.0, 0.0])[: Z.shape[0]]
        eps_b = float(np.mean(labels[np.argmax(Z, axis=0)] != y_t))
        if K == 1:
            rows.append({"q": float(q[0, 0]), "q_d": float(q[0, 0]), "q_a": 0.0, "eps_g": eps_g,
                         "eps_bayes": eps_b})
        else:
            qd, qa = _symmetric_parts(q)
            rows.append({"q_d": float(qd), "q_a": float(qa), "eps_g": eps_g, "eps_bayes": eps_b})
    samples = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    return Measurement(model="committee.bayes", params={"K": K, "alpha": alpha, "prior": prior,
                                                        "activation": activation, "ties": ties,
                                                        "ansatz": ansatz},
                       N=N, seeds=kids, samples=samples)


def _amp_final(X, y, K, prior, ties, n_iter, damping, rng, init_scale=1e-2):
    """Run committee AMP (as :func:`run_amp`) from a small random W_hat; return W_hat, C and the last fields A, B.

    The random start (entries N(0, init_scale^2)) breaks the exact hidden-unit symmetry of
    W_hat = 0 (from zero the K columns stay identical and q_d = 0 forever). AMP stops when
    the posterior variance has collapsed (mean trace of C < 1e-10: the teacher is recovered)
    or an iterate is not finite (the last finite one is kept).
    """
    P, N = X.shape
    Xs = X / math.sqrt(N)
    W_hat = init_scale * rng.standard_normal((N, K))
    C = np.broadcast_to(np.eye(K), (N, K, K)).copy()
    g = np.zeros((P, K))
    A, B = np.zeros((K, K)), np.zeros((N, K))
    for _ in range(n_iter):
        V = C.mean(axis=0)
        if np.trace(V) < 1e-10:
            break
        with np.errstate(all="ignore"):
            omega = Xs @ W_hat - g @ V
            g_new = output_gradient(y, omega, V, ties)
            A_new = g_new.T @ g_new / N
            B_new = Xs.T @ g_new + W_hat @ A_new
            W_new, C_new = prior_denoiser(A_new, B_new, prior)
        if not (np.all(np.isfinite(W_new)) and np.all(np.isfinite(C_new))):
            break
        g, A, B = g_new, A_new, B_new
        W_hat = (1 - damping) * W_hat + damping * W_new
        C = (1 - damping) * C + damping * C_new
    return W_hat, C, A, B


def _sample_marginals(W_hat, C, B_field, A, prior, rng):
    """One student drawn from AMP's row marginals (Gaussian N(W_hat_i, C_i); binary: exact 2^K-state law)."""
    N, K = W_hat.shape
    if prior == "gaussian":
        L = np.linalg.cholesky(C + 1e-15 * np.eye(K))
        return W_hat + np.einsum("nkl,nl->nk", L, rng.standard_normal((N, K)))
    S = _states(K)
    E = B_field @ S.T - 0.5 * np.einsum("sk,kl,sl->s", S, A, S)
    E -= E.max(axis=1, keepdims=True)
    p = np.exp(E)
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    pick = np.minimum((cum < rng.random((N, 1))).sum(axis=1), len(S) - 1)
    return S[pick]

