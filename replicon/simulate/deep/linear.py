r"""Exact posterior sampling of a finite Bayesian deep linear network: a blocked Gibbs sampler.

Network ``f(x) = a . W_L ... W_1 x / sqrt(N_0 ... N_L)``, Gaussian priors ``sigma_l^2`` per
layer (``sigma_{L+1}^2`` on ``a``), Gibbs posterior ``exp(-sum_mu (f(x_mu) - y_mu)^2/(2T))``
times the prior. Given all other layers, ``f`` on the training set is linear in ``W_l``:
``f = |A| B v / sqrt(N_{l-1})`` with ``B`` the ``P x N_{l-1}`` activations below layer l,
``A`` the ``N_l``-vector of the layers above (``A = W_{l+1}^T ... a / sqrt(N_l ... N_L)``),
``e = A/|A|`` and ``v = W_l^T e``. So the conditional of ``W_l`` is exactly: ``v`` Gaussian
with precision ``I/sigma_l^2 + M^T M / T`` (``M = |A| B / sqrt(N_{l-1})``) and mean
``Sigma M^T y / T``, and the part of ``W_l`` orthogonal to ``e`` (in the output index) drawn
afresh from the prior. One sweep draws every layer once from its exact conditional
(Cholesky of an ``N_{l-1} x N_{l-1}`` matrix), so the chain has the posterior as its
stationary law with no step-size error.

Measured per sweep: ``eps_g = |beta - w*|^2/N_0`` of the end-to-end vector
``beta = W_1^T ... W_L^T a / sqrt(N_1 ... N_L)``, the training error, and the
renormalisation scalars ``u_l = (|v_l|^2/N_l) / (sigma_{l+1}^2 |v_{l+1}|^2/N_{l+1})`` with
``v_L = a``, ``v_{l-1} = W_l^T v_l / sqrt(N_l)`` (their prior law is Gamma(N_l/2, N_l/2));
``bias = |mean beta - w*|^2/N_0`` with ``mean beta`` the chain average, corrected for the
chain's own sampling error by the batch-means estimate of ``Var(mean beta)``, and
``variance = eps_g - bias``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..._util import ParamError
from ..measurement import over_seeds

MODEL = "deep.linear"


@njit(cache=True)
def conditional_draw(B, A, y, sigma2, T, W, z_v, G):
    """Draw layer weights ``W`` (N_l x N_{l-1}) from their Gaussian conditional; returns the new W.

    ``B``: P x N_{l-1} activations below; ``A``: length-N_l back vector; ``z_v`` (N_{l-1}) and
    ``G`` (N_l x N_{l-1}) standard normals.
    """
    n_out, n_in = W.shape
    normA = np.sqrt(np.sum(A * A))
    e = A / normA
    M = B * (normA / np.sqrt(n_in))
    prec = M.T @ M / T
    for i in range(n_in):
        prec[i, i] += 1.0 / sigma2
    R = np.linalg.cholesky(prec)                      # prec = R R^T
    rhs = M.T @ y / T
    tmp = np.linalg.solve(R, rhs)
    mean = np.linalg.solve(R.T, tmp)
    v = mean + np.linalg.solve(R.T, z_v)               # covariance R^{-T} R^{-1} = prec^{-1}
    sig = np.sqrt(sigma2)
    Wn = sig * G
    proj = e @ Wn                                     # e^T G sigma
    for i in range(n_out):
        for j in range(n_in):
            Wn[i, j] += e[i] * (v[j] - proj[j])
    return Wn


def _forward(X, Ws):
    """Activations H_0 = X, H_l = H_{l-1} W_l^T / sqrt(N_{l-1}) (the last W is the readout)."""
    H = [X]
    for W in Ws[:-1]:
        H.append(H[-1] @ W.T / np.sqrt(W.shape[1]))
    return H


def _backward(Ws):
    """v_L = a, v_{l-1} = W_l^T v_l / sqrt(N_l): the back-propagated vectors, v_0 = beta."""
    v = [Ws[-1][0]]
    for W in Ws[-2::-1]:
        v.append(W.T @ v[-1] / np.sqrt(W.shape[0]))
    return v[::-1]          # v[0] = beta, ..., v[L] = a


def gibbs_deep_linear(X, y, w_star, widths, sigma2, T, sweeps, burn, rng, batches=10, return_errors=False):
    """Run the blocked Gibbs sampler on one data set; returns chain averages of the observables."""
    P, N0 = X.shape
    L = len(widths)
    dims = [N0] + list(widths)
    Ws = [rng.standard_normal((dims[l + 1], dims[l])) * np.sqrt(sigma2[l]) for l in range(L)]
    Ws.append(rng.standard_normal((1, dims[L])) * np.sqrt(sigma2[L]))
    rec = {"eps_g": [], "train_error": []}
    for l in range(L):
        rec[f"u_{l + 1}"] = []
    betas = []
    for sweep in range(burn + sweeps):
        for l in range(L + 1):
            H = _forward(X, Ws)
            A = np.ones(1)
            for W in Ws[:l:-1]:
                A = W.T @ A / np.sqrt(W.shape[1])
            # A = W_{l+1}^T ... W_L^T a / sqrt(N_l ... N_L); layer l's own 1/sqrt(N_{l-1}) is in the kernel
            Ws[l] = conditional_draw(H[l], A, y, float(sigma2[l]), float(T), Ws[l],
                                     rng.standard_normal(dims[l]), rng.standard_normal(Ws[l].shape))
        if sweep < burn:
            continue
        v = _backward(Ws)
        beta = v[0]
        betas.append(beta)
        rec["eps_g"].append(np.sum((beta - w_star) ** 2) / N0)
        r = y - X @ beta / np.sqrt(N0)
        rec["train_error"].append(np.sum(r * r) / P)
        norms = [np.sum(vl * vl) / vl.size for vl in v] + [1.0]
        for l in range(1, L + 1):
            rec[f"u_{l}"].append(norms[l] / (sigma2[l] * norms[l + 1]))
    betas = np.array(betas)
    mean_beta = betas.mean(axis=0)
    # batch means: the chain's own error on mean_beta (its squared norm biases |mean - w*|^2 up)
    nb = max(2, min(batches, len(betas) // 2))
    chunks = np.array_split(betas, nb)
    bm = np.array([c.mean(axis=0) for c in chunks])
    var_mean = np.sum(np.var(bm, axis=0, ddof=1)) / nb / N0
    out = {k: float(np.mean(v)) for k, v in rec.items()}
    out["bias"] = float(np.sum((mean_beta - w_star) ** 2) / N0 - var_mean)
    out["variance"] = out["eps_g"] - out["bias"]
    if return_errors:   # batch-means standard errors of the chain averages (autocorrelation included)
        err = {k: float(np.std([np.mean(c) for c in np.array_split(np.asarray(v), nb)], ddof=1) / np.sqrt(nb))
               for k, v in rec.items()}
        return out, err
    return out


def teacher_data(N0, alpha, Delta, rng):
    """P = round(alpha N0) Gaussian inputs, a teacher with |w*|^2 = N0 and labels with noise Delta."""
    P = max(1, int(round(alpha * N0)))
    X = rng.standard_normal((P, N0))
    w = rng.standard_normal(N0)
    w *= np.sqrt(N0) / np.linalg.norm(w)
    y = X @ w / np.sqrt(N0) + np.sqrt(Delta) * rng.standard_normal(P)
    return X, y, w


def widths_of(N, gamma, L):
    """Hidden widths N_l = round(N / gamma_l) (at least 1)."""
    g = np.broadcast_to(np.atleast_1d(np.asarray(gamma, float)), (L,)) if L else np.zeros(0)
    return [max(1, int(round(N / gl))) for gl in g]


def simulate_deep_linear(N=100, seeds=4, seed=0, L=1, alpha=2.0, gamma=1.0, sigma2=1.0, T=0.1, Delta=0.0,
                         sweeps=400, burn=100, progress=False):
    """Blocked Gibbs sampling of the deep linear network posterior over ``seeds`` data sets at N_0 = N."""
    L = int(L)
    if L < 0:
        raise ParamError(f"L must be an integer >= 0, got {L}")
    if not T > 0:
        raise ParamError("the posterior sampler needs T > 0 (T = 0 is a constrained measure); allowed: T > 0")
    g = np.atleast_1d(np.asarray(gamma, float))
    if L and (g.size not in (1, L) or np.any(g <= 0)):
        raise ParamError(f"gamma must be one number > 0 or a list of {L} numbers > 0")
    s2 = np.atleast_1d(np.asarray(sigma2, float))
    if s2.size == 1:
        s2 = np.full(L + 1, float(s2[0]))
    if s2.size != L + 1 or np.any(s2 <= 0):
        raise ParamError(f"sigma2 must be one number > 0 or a list of {L + 1} numbers > 0")
    widths = widths_of(N, g, L)
    params = {"L": L, "alpha": float(alpha), "gamma": g.tolist(), "sigma2": s2.tolist(), "T": float(T),
              "Delta": float(Delta), "sweeps": int(sweeps), "burn": int(burn)}

    def run_one(child):
        rng = np.random.default_rng(child)
        X, y, w = teacher_data(int(N), alpha, Delta, rng)
        return gibbs_deep_linear(X, y, w, widths, s2, T, int(sweeps), int(burn), rng)

    m = over_seeds(run_one, model=MODEL, params=params, N=int(N), seeds=seeds, seed=seed, progress=progress)
    m.extra["widths"] = widths
    return m
