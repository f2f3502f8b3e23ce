r"""Finite-n counterpart of the linear multi-layer GLM: exact Bayes inference with sampled weight matrices.

``x_0 ~ N(0, I_{n_0})``, ``y = M x_0 + sqrt(Delta) xi``, ``M = W_L ... W_1 / sqrt(n_0 ... n_{L-1})``
with i.i.d. N(0, 1) entries, ``n_l = round(n_{l-1} alpha_l)``. The posterior of x_0 is
Gaussian with covariance ``(I + M^T M / Delta)^{-1}``, so one draw of the matrices gives the
exact finite-n Bayes MMSE and mutual information from the eigenvalues of ``M^T M``:
``mse_0 = (1/n_0) sum 1/(1 + lambda/Delta)``, ``mi_0 = (1/2n_0) sum log(1 + lambda/Delta)``,
and ``mse_emp`` the squared error of the posterior mean on one drawn signal.

Nonlinear chains: multi-layer AMP (ML-AMP; Manoel, Krzakala, Mezard & Zdeborova 2017, recalled; the
iteration below is written here from the GAMP form of each layer). ``F_l = W_l/sqrt(n_{l-1})``;
per iteration t, with the estimates ``hhat_l, v_l`` (mean, variance) of every h_l (h_0 = x_0):

    V_l = mean(v_{l-1}),  omega_l = F_l hhat_{l-1} - V_l g_l^{t-1}                  (forward, all l)
    g_L, dg_L, rhat_L  <- output denoiser at (y; omega_L, V_L)
    for l = L-1 .. 1 (backward sweep):
        A_l = alpha_{l+1} mean(-dg_{l+1}),  B_l = F_{l+1}^T g_{l+1} + A_l hhat_l
        g_l, dg_l, hhat_l, v_l <- two-sided denoiser of layer l at (omega_l, V_l; B_l, A_l)
    A_0, B_0 likewise;  hhat_0, v_0 <- prior denoiser at (B_0, A_0)

``g = d_omega ln Z = (E[z|.] - omega)/V``, ``dg = (Var[z|.] - V)/V^2``, with the posterior of
``z ~ N(omega, V) exp(B' phi(z) - A' phi(z)^2/2)`` (``B' = B/(1 + A Delta)``, ``A' = A/(1 + A Delta)``,
Gaussian noise on h integrated out) a mixture of truncated Gaussians for sign and relu. This is the
parallel schedule whose state evolution is ``replicon.theory.deep.glm.state_evolution``. Reported per
iteration: ``mse_l`` = mean (hhat_l - h_l)^2 (l < L) and ``mse_L`` of the denoised output phi(z_L).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy.special import expit, log_ndtr

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


LOG_SQRT2PI = 0.5 * np.log(2.0 * np.pi)


@njit(cache=True)
def matvec(F, v):
    """``F @ v`` in one thread (the AMP products are small: multi-threaded BLAS only contends)."""
    n, m = F.shape
    out = np.zeros(n)
    for i in range(n):
        acc = 0.0
        for j in range(m):
            acc += F[i, j] * v[j]
        out[i] = acc
    return out


@njit(cache=True)
def rmatvec(F, u):
    """``F.T @ u`` in one thread, row by row (contiguous access)."""
    n, m = F.shape
    out = np.zeros(m)
    for i in range(n):
        ui = u[i]
        for j in range(m):
            out[j] += F[i, j] * ui
    return out


ACTIVATIONS = ("linear", "sign", "relu")
PRIORS = ("gaussian", "binary", "sparse")


def _phi(x):
    return {"linear": lambda z: z, "sign": np.sign, "relu": lambda z: np.maximum(z, 0.0)}[x]


def _truncated(m, s, above):
    """Mean and variance of N(m, s^2) restricted to z > 0 (``above``) or z < 0."""
    a = -m / s if above else m / s                      # standardised distance to the cut, inward
    lam = np.exp(-0.5 * a * a - LOG_SQRT2PI - log_ndtr(-a))   # phi(a)/H(a)
    mean = m + s * lam if above else m - s * lam
    var = s * s * np.maximum(1.0 + a * lam - lam * lam, 0.0)
    return mean, var


def _mix(pa, ma, va, mb, vb):
    """Mean, variance of a two-component mixture (weights pa, 1 - pa)."""
    mean = pa * ma + (1 - pa) * mb
    return mean, pa * (va + ma * ma) + (1 - pa) * (vb + mb * mb) - mean * mean


def posterior_z_r(act, omega, V, Bp, Ap):
    """Posterior mean/variance of z and of r = phi(z) under ``N(z; omega, V) exp(B' r - A' r^2/2)``.

    ``Ap = inf`` (noiseless sign output): ``Bp`` is the observed sign and z is truncated to its side.
    """
    sv = np.sqrt(V)
    if act == "linear":
        d = 1.0 + Ap * V
        mz, vz = (omega + V * Bp) / d, np.full_like(omega, V / d)
        return mz, vz, mz, vz
    x = omega / sv
    if act == "sign":
        mp, vp = _truncated(omega, sv, True)
        mm, vm = _truncated(omega, sv, False)
        if not np.isfinite(Ap):
            p_plus = (Bp > 0).astype(float)
        else:
            p_plus = expit(2 * Bp + log_ndtr(x) - log_ndtr(-x))
        mz, vz = _mix(p_plus, mp, vp, mm, vm)
        r = 2 * p_plus - 1
        return mz, vz, r, 1.0 - r * r
    if act == "relu":
        d = 1.0 + Ap * V
        mu, Vp = (omega + V * Bp) / d, V / d
        E = (Bp * omega - 0.5 * Ap * omega ** 2 + 0.5 * V * Bp ** 2) / d
        lt2 = -0.5 * np.log(d) + E + log_ndtr(mu / np.sqrt(Vp))
        p_pos = expit(lt2 - log_ndtr(-x))
        m2, v2 = _truncated(mu, np.sqrt(Vp), True)
        m1, v1 = _truncated(omega, sv, False)
        mz, vz = _mix(p_pos, m2, v2, m1, v1)
        r = p_pos * m2
        return mz, vz, r, np.maximum(p_pos * (v2 + m2 * m2) - r * r, 0.0)
    raise ValueError(act)


def prior_denoiser(prior, B, A, rho=1.0):
    """Posterior mean and variance of x under ``P0(x) exp(B x - A x^2/2)``."""
    if prior == "gaussian":
        return B / (1 + A), np.full_like(B, 1.0 / (1 + A))
    if prior == "binary":
        m = np.tanh(B)
        return m, 1.0 - m * m
    if prior == "sparse":
        log_slab = np.log(rho) - 0.5 * np.log1p(A) + B * B / (2 * (1 + A))
        pi = expit(log_slab - (np.log1p(-rho) if rho < 1 else -np.inf))
        m1, v1 = B / (1 + A), 1.0 / (1 + A)
        mean = pi * m1
        return mean, pi * (v1 + m1 * m1) - mean * mean
    raise ValueError(prior)


def chain_instance(n0, alphas, acts, prior, rho, noise, rng):
    """Weights ``F_l = W_l/sqrt(n_{l-1})``, the signal's layers h_0..h_{L-1}, the noiseless output r_L and y."""
    dims = chain_widths(n0, alphas)
    if prior == "gaussian":
        h = rng.standard_normal(dims[0])
    elif prior == "binary":
        h = rng.choice([-1.0, 1.0], dims[0])
    else:
        h = rng.standard_normal(dims[0]) * (rng.random(dims[0]) < rho)
    Fs, hs = [], [h]
    r = None
    for l in range(len(alphas)):
        F = rng.standard_normal((dims[l + 1], dims[l])) / np.sqrt(dims[l])
        Fs.append(F)
        r = _phi(acts[l])(matvec(F, hs[-1]))
        hl = r + np.sqrt(noise[l]) * rng.standard_normal(dims[l + 1]) if noise[l] > 0 else r
        if l < len(alphas) - 1:
            hs.append(hl)
    return Fs, hs, r, hl


def ml_amp(Fs, y, acts, prior, rho, noise, n_iter=20, truth=None, r_out=None):
    """Run ML-AMP for ``n_iter`` iterations; returns the final estimates and, with ``truth``, MSE per iteration.

    ``truth``: the list h_0..h_{L-1} of the drawn signal, ``r_out`` the noiseless output phi(z_L);
    ``mse[l][t]`` is the error of the estimates at iteration t (t = 0: the start, hhat = 0).
    """
    L = len(Fs)
    dims = [Fs[0].shape[1]] + [F.shape[0] for F in Fs]
    alphas = [dims[l + 1] / dims[l] for l in range(L)]
    rho0 = rho if prior == "sparse" else 1.0
    rho_in = [rho0]
    for l in range(L - 1):
        rr = {"linear": rho_in[-1], "sign": 1.0, "relu": 0.5 * rho_in[-1]}[acts[l]]
        rho_in.append(rr + noise[l])
    hhat = [np.zeros(dims[l]) for l in range(L)]
    v = [np.full(dims[l], rho_in[l]) for l in range(L)]
    g = [np.zeros(dims[l + 1]) for l in range(L)]            # g[l-1] belongs to layer l's pre-activation
    mse = [[] for _ in range(L + 1)]
    D = noise[-1]
    for t in range(int(n_iter) + 1):
        Vs = [float(np.mean(v[l])) for l in range(L)]
        omegas = [matvec(Fs[l], hhat[l]) - Vs[l] * g[l] for l in range(L)]
        # output layer
        if D > 0:
            Ap, Bp = 1.0 / D, y / D
        else:
            Ap, Bp = np.inf, np.sign(y)
        mz, vz, r_hat, _ = posterior_z_r(acts[-1], omegas[-1], Vs[-1], Bp, Ap)
        new_g = [None] * L
        dg = [None] * L
        new_g[-1] = (mz - omegas[-1]) / Vs[-1]
        dg[-1] = (vz - Vs[-1]) / Vs[-1] ** 2
        if truth is not None:
            for l in range(L):
                mse[l].append(float(np.mean((hhat[l] - truth[l]) ** 2)))
            mse[L].append(float(np.mean((r_hat - r_out) ** 2)))
        if t == n_iter:
            break
        new_hhat, new_v = [None] * L, [None] * L
        for l in range(L - 1, -1, -1):                    # conjugates of h_l from layer l + 1
            A = alphas[l] * float(np.mean(-dg[l]))
            B = rmatvec(Fs[l], new_g[l]) + A * hhat[l]
            if l == 0:
                new_hhat[0], new_v[0] = prior_denoiser(prior, B, A, rho)
                break
            Dl = noise[l - 1]
            d = 1.0 + A * Dl
            mz, vz, rh, vr = posterior_z_r(acts[l - 1], omegas[l - 1], Vs[l - 1], B / d, A / d)
            new_g[l - 1] = (mz - omegas[l - 1]) / Vs[l - 1]
            dg[l - 1] = (vz - Vs[l - 1]) / Vs[l - 1] ** 2
            new_hhat[l] = Dl * B / d + rh / d
            new_v[l] = Dl / d + vr / d ** 2
        hhat, v, g = new_hhat, new_v, new_g
    return hhat, mse


def amp_instance(n0, alphas, acts, prior, rho, noise, n_iter, rng):
    Fs, hs, r_out, y = chain_instance(n0, alphas, acts, prior, rho, noise, rng)
    _, mse = ml_amp(Fs, y, acts, prior, rho, noise, n_iter=n_iter, truth=hs, r_out=r_out)
    out = {f"mse_{l}": float(m[-1]) for l, m in enumerate(mse)}          # after the last iteration
    out.update({f"mse_{l}_iter": np.array(m) for l, m in enumerate(mse)})
    return out


def override_alphas(alphas, alpha_1=None, alpha_2=None, alpha_3=None):
    """``alphas`` with the entries given as scalars ``alpha_l`` replaced (scannable on the command line)."""
    alphas = [float(a) for a in np.atleast_1d(alphas)]
    for l, a in enumerate((alpha_1, alpha_2, alpha_3), start=1):
        if a is None:
            continue
        if l > len(alphas):
            raise ParamError(f"alpha_{l} is given but alphas has only {len(alphas)} layers; allowed: alpha_1.."
                             f"alpha_{len(alphas)}")
        alphas[l - 1] = float(a)
    return alphas


def simulate_deep_glm(N=400, seeds=4, seed=0, alphas=(1.0,), activations="linear", prior="gaussian", rho=1.0,
                      noise=0.1, hidden_noise=None, method="amp", n_iter=20, layer_mi=False, alpha_1=None,
                      alpha_2=None, alpha_3=None):
    """Finite-n deep.glm at n_0 = N over ``seeds`` draws of weights and signal.

    ``method="amp"`` (default): ML-AMP; ``mse_l`` the per-layer MSE after ``n_iter`` iterations and
    ``mse_l_iter`` its trajectory over ``iteration`` (index 0: the start). ``method="exact"``: the linear chain's exact Bayes
    MMSE and mutual information from the eigenvalues of the sampled product (Gaussian input, linear
    activations, output noise only). ``alpha_1..alpha_3`` replace entries of ``alphas``; ``layer_mi``
    is a theory-only option (ignored here).
    """
    alphas = override_alphas(alphas, alpha_1, alpha_2, alpha_3)
    L = len(alphas)
    acts = [a.strip() for a in activations.split(",")] if isinstance(activations, str) else list(activations)
    if len(acts) == 1:
        acts = acts * L
    if len(acts) != L or any(a not in ACTIVATIONS for a in acts):
        raise ParamError(f"activations must be one name or {L} names among {', '.join(ACTIVATIONS)}")
    if prior not in PRIORS:
        raise ParamError(f"prior={prior!r} is not allowed; allowed: {', '.join(PRIORS)}")
    nz = [float(d) for d in np.atleast_1d(np.asarray(noise, float))]
    if hidden_noise is not None:
        hid = [float(d) for d in np.atleast_1d(np.asarray(hidden_noise, float))]
        nz = (hid * (L - 1) if len(hid) == 1 else hid) + nz
    if len(nz) == 1:
        nz = [0.0] * (L - 1) + nz
    if len(nz) != L or any(not d >= 0 for d in nz):
        raise ParamError(f"noise must be one value >= 0 or {L} values (hidden_noise: one or {L - 1})")
    if method == "exact":
        if any(a != "linear" for a in acts) or prior != "gaussian" or any(d != 0 for d in nz[:-1]) or not nz[-1] > 0:
            raise ParamError("method=exact covers the linear chain with Gaussian input and output noise > 0 only; "
                             "allowed: activations=linear, prior=gaussian, hidden_noise=0")
        Delta = nz[-1]
        params = {"alphas": alphas, "activations": "linear", "prior": prior, "noise": Delta, "method": method}
        m = over_seeds(lambda s: linear_chain_instance(int(N), alphas, Delta, np.random.default_rng(s)),
                       model=MODEL, params=params, N=int(N), seeds=seeds, seed=seed)
        m.extra["widths"] = chain_widths(N, alphas)
        return m
    if method != "amp":
        raise ParamError(f"method={method!r} is not allowed; allowed: amp, exact")
    if not nz[-1] > 0 and acts[-1] != "sign":
        raise ParamError(f"noise=0 at the output needs activations=sign there; a {acts[-1]} output needs noise > 0")
    params = {"alphas": alphas, "activations": acts, "prior": prior, "rho": rho, "noise": nz, "method": method,
              "n_iter": int(n_iter)}
    names = [f"mse_{l}_iter" for l in range(L + 1)]
    m = over_seeds(lambda s: amp_instance(int(N), alphas, acts, prior, float(rho), nz, int(n_iter),
                                          np.random.default_rng(s)),
                   model=MODEL, params=params, N=int(N), seeds=seeds, seed=seed,
                   coords={"iteration": np.arange(int(n_iter) + 1)}, axes={k: "iteration" for k in names})
    m.extra["widths"] = chain_widths(N, alphas)
    return m
