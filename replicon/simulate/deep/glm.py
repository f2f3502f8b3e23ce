r"""Finite-n counterpart of the linear multi-layer GLM: exact Bayes inference with sampled weight matrices.

``x_0 ~ N(0, I_{n_0})``, ``y = M x_0 + sqrt(Delta) xi``, ``M = W_L ... W_1 / sqrt(n_0 ... n_{L-1})``
with i.i.d. N(0, 1) entries, ``n_l = round(n_{l-1} alpha_l)``. The posterior of x_0 is
Gaussian with covariance ``(I + M^T M / Delta)^{-1}``, so one draw of the matrices gives the
exact finite-n Bayes MMSE and mutual information from the eigenvalues of ``M^T M``:
``mse_0 = (1/n_0) sum 1/(1 + lambda/Delta)``, ``mi_0 = (1/2n_0) sum log(1 + lambda/Delta)``,
and ``mse_emp`` the squared error of the posterior mean on one drawn signal. (Multi-layer
AMP for nonlinear chains is not implemented.)
"""

from __future__ import annotations

import numpy as np

from ..._util import ParamError
from ..measurement import over_seeds

MODEL = "deep.glm"


def chain_widths(n0, alphas):
    dims = [int(n0)]
    for a in alphas:
        dims.append(max(1, int(round(dims[-1] * float(a)))))
    return dims


def linear_chain_instance(n0, alphas, Delta, rng):
    """One draw of matrices, signal and observation: exact Bayes observables of x_0."""
    dims = chain_widths(n0, alphas)
    M = np.eye(dims[0])
    for l in range(len(alphas)):
        M = rng.standard_normal((dims[l + 1], dims[l])) @ M / np.sqrt(dims[l])
    x = rng.standard_normal(dims[0])
    y = M @ x + np.sqrt(Delta) * rng.standard_normal(dims[-1])
    lam = np.clip(np.linalg.eigvalsh(M.T @ M), 0.0, None)
    x_hat = np.linalg.solve(M.T @ M + Delta * np.eye(dims[0]), M.T @ y)
    return {"mse_0": float(np.mean(1.0 / (1.0 + lam / Delta))),
            "mi_0": float(0.5 * np.mean(np.log1p(lam / Delta))),
            "mse_emp": float(np.mean((x_hat - x) ** 2))}


def simulate_deep_glm(N=400, seeds=4, seed=0, alphas=(1.0,), activations="linear", prior="gaussian", rho=1.0,
                      noise=0.1):
    """Exact finite-n Bayes inference of the linear chain over ``seeds`` draws at n_0 = N."""
    alphas = [float(a) for a in np.atleast_1d(alphas)]
    acts = activations.split(",") if isinstance(activations, str) else list(activations)
    if any(a.strip() != "linear" for a in acts) or prior != "gaussian":
        raise ParamError("the finite-n deep.glm simulation covers the linear chain with Gaussian input only; "
                         "allowed: activations=linear, prior=gaussian")
    nz = np.atleast_1d(np.asarray(noise, float))
    Delta = float(nz[-1])
    if np.any(nz[:-1] != 0) or not Delta > 0:
        raise ParamError("noise: only the output noise (> 0) is implemented; allowed: one value > 0")
    params = {"alphas": alphas, "activations": "linear", "prior": prior, "noise": Delta}
    m = over_seeds(lambda s: linear_chain_instance(int(N), alphas, Delta, np.random.default_rng(s)),
                   model=MODEL, params=params, N=int(N), seeds=seeds, seed=seed)
    m.extra["widths"] = chain_widths(N, alphas)
    return m
