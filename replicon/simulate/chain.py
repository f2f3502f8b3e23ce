"""Random finite-width deep chains: forward passes of two inputs through one or two weight copies.

Layers ``h^{l+1} = W^{l+1} phi(h^l) + b^{l+1}`` with ``W_ij ~ N(0, sigma_w2/N)``,
``b_i ~ N(0, sigma_b2)``, fresh at every layer. Two inputs of layer-0 length
``q0`` and overlap ``c0`` are propagated; network ``b`` uses weights and biases
of entry-wise correlation ``rho`` with network ``a`` (``rho = 1``: the same
network sees both inputs). Measured per layer l = 0..depth:

* ``q``: (|h_a|^2 + |h_b|^2) / (2N);
* ``c``: h_a . h_b / (|h_a| |h_b|);
* ``chi1_layer``: the mean squared singular value of the Jacobian
  dh^{l+1}/dh^l = W^{l+1} diag(phi'(h^l)), i.e. (1/N) tr J J^T (not for sign);
* ``disagreement``: the fraction of units with sign(h_a,i) != sign(h_b,i).

Two exact samplers of the same random process:

``method="dense"``
    draws every N x N weight matrix and multiplies (BLAS); ``chi1_layer`` is
    (1/N) sum_ij W_ij^2 phi'(h_j)^2 of the drawn matrix (averaged over the two copies).
``method="projected"`` (default)
    uses that the rows of a fresh Gaussian W are independent of h^l: given the
    activations v_a, v_b, the pairs ((W_a v_a)_i, (W_b v_b)_i) are i.i.d. centred
    Gaussian with covariance (sigma_w2/N) [[|v_a|^2, rho v_a.v_b], [rho v_a.v_b, |v_b|^2]].
    Sampling them directly gives the same joint law of (h^0, ..., h^depth) in O(N)
    per layer instead of O(N^2). ``chi1_layer`` is then its conditional mean over
    the next layer's weights, sigma_w2 (1/N) sum_j phi'(h_j)^2 (same expectation,
    smaller variance: Rao-Blackwellised). The numba kernel is a pure function of
    pre-drawn normals.

Nothing here imports replicon.theory.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from numba import njit

from .._util import ParamError, check_choice, check_number
from .measurement import Measurement, over_seeds

ACTIVATION_CODES = {"tanh": 0, "erf": 1, "relu": 2, "sign": 3, "linear": 4}
METHODS = ("projected", "dense")
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


@njit(cache=True)
def _phi(code, x):
    if code == 0:
        return math.tanh(x)
    if code == 1:
        return math.erf(x / math.sqrt(2.0))
    if code == 2:
        return x if x > 0.0 else 0.0
    if code == 3:
        return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)
    return x


@njit(cache=True)
def _dphi(code, x):
    if code == 0:
        t = math.tanh(x)
        return 1.0 - t * t
    if code == 1:
        return math.sqrt(2.0 / math.pi) * math.exp(-0.5 * x * x)
    if code == 2:
        return 1.0 if x > 0.0 else 0.0
    if code == 3:
        return 0.0
    return 1.0


@njit(cache=True)
def _layer_stats(h_a, h_b):
    n = h_a.size
    saa = 0.0
    sbb = 0.0
    sab = 0.0
    dis = 0
    for i in range(n):
        saa += h_a[i] * h_a[i]
        sbb += h_b[i] * h_b[i]
        sab += h_a[i] * h_b[i]
        if (h_a[i] > 0.0) != (h_b[i] > 0.0):
            dis += 1
    q = 0.5 * (saa + sbb) / n
    c = sab / math.sqrt(saa * sbb) if saa > 0.0 and sbb > 0.0 else 1.0
    return q, c, dis / n


@njit(cache=True)
def projected_chain(h_a0, h_b0, code, sigma_w2, sigma_b2, rho, gauss_w, gauss_b):
    """Exact-in-law forward pass of two inputs through two rho-correlated chains, O(N) per layer.

    ``gauss_w`` and ``gauss_b`` are standard normals of shape (depth, N, 2).
    Returns arrays q, c, chi1_layer, disagreement of length depth + 1 (see module docstring).
    """
    depth = gauss_w.shape[0]
    n = h_a0.size
    q = np.empty(depth + 1)
    c = np.empty(depth + 1)
    chi = np.empty(depth + 1)
    dis = np.empty(depth + 1)
    h_a = h_a0.copy()
    h_b = h_b0.copy()
    v_a = np.empty(n)
    v_b = np.empty(n)
    s_w = math.sqrt(sigma_w2 / n)
    s_b = math.sqrt(sigma_b2)
    rho_perp = math.sqrt(max(0.0, 1.0 - rho * rho))
    for layer in range(depth + 1):
        q[layer], c[layer], dis[layer] = _layer_stats(h_a, h_b)
        aa = 0.0
        bb = 0.0
        ab = 0.0
        d2 = 0.0
        for j in range(n):
            v_a[j] = _phi(code, h_a[j])
            v_b[j] = _phi(code, h_b[j])
            aa += v_a[j] * v_a[j]
            bb += v_b[j] * v_b[j]
            ab += v_a[j] * v_b[j]
            da = _dphi(code, h_a[j])
            db = _dphi(code, h_b[j])
            d2 += 0.5 * (da * da + db * db)
        chi[layer] = sigma_w2 * d2 / n
        if layer == depth:
            break
        # Cholesky factor of [[aa, rho ab], [rho ab, bb]]
        l11 = math.sqrt(aa)
        l21 = rho * ab / l11 if l11 > 0.0 else 0.0
        l22 = math.sqrt(max(0.0, bb - l21 * l21))
        for i in range(n):
            g1 = gauss_w[layer, i, 0]
            g2 = gauss_w[layer, i, 1]
            e1 = gauss_b[layer, i, 0]
            e2 = gauss_b[layer, i, 1]
            h_a[i] = s_w * l11 * g1 + s_b * e1
            h_b[i] = s_w * (l21 * g1 + l22 * g2) + s_b * (rho * e1 + rho_perp * e2)
    return q, c, chi, dis


def initial_pair(n: int, q0: float, c0: float, rng: np.random.Generator):
    """Two layer-0 vectors of squared length n*q0 each and overlap exactly c0, in a random plane."""
    g = rng.standard_normal((2, n))
    e1 = g[0] / np.linalg.norm(g[0])
    g2 = g[1] - (g[1] @ e1) * e1
    e2 = g2 / np.linalg.norm(g2)
    r = math.sqrt(n * q0)
    return r * e1, r * (c0 * e1 + math.sqrt(max(0.0, 1.0 - c0 * c0)) * e2)


def _numpy_activation(activation):
    table = {
        "tanh": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
        "erf": (lambda x: _erf(x / math.sqrt(2.0)), lambda x: _SQRT_2_OVER_PI * np.exp(-0.5 * x * x)),
        "relu": (lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(float)),
        "sign": (np.sign, None),
        "linear": (lambda x: x, lambda x: np.ones_like(x)),
    }
    if callable(activation):
        return activation, None
    return table[activation]


def _erf(x):
    from scipy.special import erf
    return erf(x)


def dense_chain(h_a0, h_b0, activation, sigma_w2, sigma_b2, rho, depth, rng, derivative=None):
    """Forward pass with explicit N x N Gaussian weight matrices (BLAS); see the module docstring."""
    phi, dphi = _numpy_activation(activation)
    if derivative is not None:
        dphi = derivative
    n = h_a0.size
    s_w = math.sqrt(sigma_w2 / n)
    s_b = math.sqrt(sigma_b2)
    rho_perp = math.sqrt(max(0.0, 1.0 - rho * rho))
    q, c, chi, dis = (np.empty(depth + 1) for _ in range(4))
    h_a, h_b = h_a0.copy(), h_b0.copy()
    for layer in range(depth + 1):
        q[layer], c[layer], dis[layer] = _layer_stats(h_a, h_b)
        w_a = s_w * rng.standard_normal((n, n))
        w_b = w_a if rho == 1.0 else rho * w_a + rho_perp * s_w * rng.standard_normal((n, n))
        if dphi is not None:  # (1/N) tr J J^T with J = W diag(phi'(h)), averaged over the two copies
            d_a, d_b = dphi(h_a) ** 2, dphi(h_b) ** 2
            chi[layer] = 0.5 * (np.sum(w_a * w_a, axis=0) @ d_a + np.sum(w_b * w_b, axis=0) @ d_b) / n
        else:
            chi[layer] = np.nan
        if layer == depth:
            break
        e = rng.standard_normal((2, n))
        h_a = w_a @ phi(h_a) + s_b * e[0]
        h_b = w_b @ phi(h_b) + s_b * (rho * e[0] + rho_perp * e[1])
    return q, c, chi, dis


def projected_chain_python(h_a0, h_b0, activation, sigma_w2, sigma_b2, rho, depth, rng, derivative=None):
    """The projected sampler for a user-supplied (vectorised) activation, in numpy."""
    phi = activation
    n = h_a0.size
    q, c, chi, dis = (np.empty(depth + 1) for _ in range(4))
    h_a, h_b = h_a0.copy(), h_b0.copy()
    rho_perp = math.sqrt(max(0.0, 1.0 - rho * rho))
    for layer in range(depth + 1):
        q[layer], c[layer], dis[layer] = _layer_stats(h_a, h_b)
        chi[layer] = (sigma_w2 * 0.5 * np.mean(derivative(h_a) ** 2 + derivative(h_b) ** 2)
                      if derivative is not None else np.nan)
        if layer == depth:
            break
        v_a, v_b = phi(h_a), phi(h_b)
        aa, bb, ab = v_a @ v_a, v_b @ v_b, v_a @ v_b
        l11 = math.sqrt(aa)
        l21 = rho * ab / l11 if l11 > 0 else 0.0
        l22 = math.sqrt(max(0.0, bb - l21 * l21))
        g = rng.standard_normal((2, n)) * math.sqrt(sigma_w2 / n)
        e = rng.standard_normal((2, n)) * math.sqrt(sigma_b2)
        h_a = l11 * g[0] + e[0]
        h_b = l21 * g[0] + l22 * g[1] + rho * e[0] + rho_perp * e[1]
    return q, c, chi, dis


def run_chain(N=1000, depth=30, sigma_w2=1.5, sigma_b2=0.05, activation="tanh", q0=1.0, c0=0.5,
              rho=1.0, seed=0, method="projected", derivative: Callable | None = None):
    """One random chain of width N: per-layer q, c, chi1_layer, disagreement (dict of arrays).

    See the module docstring for the two samplers. ``activation`` is a name in
    ``ACTIVATION_CODES`` or a vectorised Python function (then ``derivative``
    optionally gives phi' for chi1_layer).
    """
    N = check_number("N", N, lo=2, integer=True)
    depth = check_number("depth", depth, lo=1, hi=100000, integer=True)
    sigma_w2 = check_number("sigma_w2", sigma_w2, lo=0.0, lo_open=True)
    sigma_b2 = check_number("sigma_b2", sigma_b2, lo=0.0)
    q0 = check_number("q0", q0, lo=0.0, lo_open=True)
    c0 = check_number("c0", c0, lo=-1.0, hi=1.0)
    rho = check_number("rho", rho, lo=-1.0, hi=1.0)
    method = check_choice("method", method, METHODS)
    if not callable(activation):
        activation = check_choice("activation", activation, tuple(ACTIVATION_CODES))
    rng = np.random.default_rng(seed)
    h_a, h_b = initial_pair(N, q0, c0, rng)
    if method == "dense":
        q, c, chi, dis = dense_chain(h_a, h_b, activation, sigma_w2, sigma_b2, rho, depth, rng, derivative)
    elif callable(activation):
        q, c, chi, dis = projected_chain_python(h_a, h_b, activation, sigma_w2, sigma_b2, rho, depth, rng,
                                                derivative)
    else:
        gauss_w = rng.standard_normal((depth, N, 2))
        gauss_b = rng.standard_normal((depth, N, 2))
        q, c, chi, dis = projected_chain(h_a, h_b, ACTIVATION_CODES[activation], sigma_w2, sigma_b2, rho,
                                         gauss_w, gauss_b)
    out = {"q": q, "c": c, "disagreement": dis}
    if activation != "sign" and np.all(np.isfinite(chi)):
        out["chi1_layer"] = chi
    return out


def measure(model, N, seeds, seed, depth, rho=1.0, method="projected", progress=False, **params):
    """``run_chain`` over independent seeds (SeedSequence children) as a Measurement."""
    seeds = check_number("seeds", seeds, lo=1, integer=True)
    if method not in METHODS:
        raise ParamError(f"method={method!r} is not allowed; choose one of: {', '.join(METHODS)}")

    def run_one(child_seed):
        out = run_chain(N=N, depth=depth, rho=rho, seed=child_seed, method=method, **params)
        if model == "chain.sensitivity":
            out["output_disagreement"] = float(out["disagreement"][-1])
        return out

    layer = np.arange(int(depth) + 1)
    p = dict(params, depth=depth, method=method)
    if model == "chain.sensitivity":
        p["rho"] = rho
    m = over_seeds(run_one, model=model, params=p, N=N, seeds=seeds, seed=seed,
                   coords={"layer": layer}, progress=progress)
    m.axes = {k: "layer" for k, v in m.samples.items() if v.ndim == 2}
    return m


def measure_signal(N=1000, seeds=8, seed=0, sigma_w2=1.5, sigma_b2=0.05, activation="tanh", q0=1.0,
                   c0=0.5, depth=30, method="projected") -> Measurement:
    """Measurement of q_l, c_l, chi1_layer, disagreement for two inputs through one random chain."""
    return measure("chain.signal", N, seeds, seed, depth, rho=1.0, method=method, sigma_w2=sigma_w2,
                   sigma_b2=sigma_b2, activation=activation, q0=q0, c0=c0)


def measure_sensitivity(N=1000, seeds=8, seed=0, sigma_w2=1.5, sigma_b2=0.0, activation="sign", q0=1.0,
                        c0=1.0, rho=0.99, depth=10, method="projected") -> Measurement:
    """Measurement for two rho-correlated copies of a random chain fed inputs of overlap c0."""
    return measure("chain.sensitivity", N, seeds, seed, depth, rho=rho, method=method, sigma_w2=sigma_w2,
                   sigma_b2=sigma_b2, activation=activation, q0=q0, c0=c0)
