r"""Multi-layer generalised linear models: the linear chain in closed form (free probability).

Model (issue 16, ``deep.glm``). ``x_0 ~ N(0, I_{n_0})``, ``h_l = W_l h_{l-1} / sqrt(n_{l-1})``
(``l = 1..L``, ``W_l`` of shape ``n_l x n_{l-1}`` with i.i.d. N(0, 1) entries, known),
``y = h_L + sqrt(Delta) xi``; width ratios ``alpha_l = n_l / n_{l-1}``. Every variable is
Gaussian, so Bayes-optimal inference is exact linear algebra:

    I(X; Y)/n_0 = (1/2n_0) sum_i log(1 + lambda_i / Delta),
    mse_0 = (1/n_0) tr (I + A/Delta)^{-1} = Delta m_A(-Delta),

with ``lambda_i`` the eigenvalues of ``A = M^T M``, ``M = W_L ... W_1 / sqrt(n_0 ... n_{L-1})``
and ``m_A(z) = (1/n_0) tr (A - z)^{-1}`` (the Gaussian channel's mutual information over
the spectrum of the product: Gabrie et al., NeurIPS 2018, recalled; Tulino & Verdu,
*Random Matrix Theory and Wireless Communications*, recalled).

The spectrum of the product (free multiplicative convolution of Marchenko-Pastur laws)
through the Stieltjes transforms ``m_l(w) = (1/n_l) tr (B_l + w)^{-1}`` of
``B_l = M_l M_l^T`` (``n_l x n_l``, ``B_0 = I``): ``B_l = W_l B_{l-1} W_l^T / n_{l-1}`` is a
sum of ``n_{l-1}`` rank-one terms, and Silverstein's equation gives, with ``t = alpha_l m_l``,

    1/m_l = w + (1/t) [1 - m_{l-1}(1/t) / t],

an implicit equation for ``m_l(w) in (0, 1/w)`` that calls ``m_{l-1}`` at the negative
real point ``-1/t`` (derived here). ``A`` and ``B_L`` share their nonzero eigenvalues:
``m_A(w) = r m_L(w) + (1 - r)/w`` with ``r = n_L/n_0 = prod alpha_l``. The mutual
information follows from the I-MMSE relation ``dI/ds = (1 - mse(s))/(2 s)`` at
``s = 1/Delta``, integrated by Gauss-Legendre quadrature in ``log s``.

Only this linear chain (all activations linear, Gaussian input, noise at the output) is
implemented; the general multi-layer RS free entropy with sign/relu/erf activations and
binary/sparse inputs (Manoel et al. 2017; Gabrie et al. 2018) and ML-AMP are not yet.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from ..._util import ParamError
from ..solution import Solution, select_thermodynamic

MODEL = "deep.glm"
ACTIVATIONS = ("linear",)
PRIORS = ("gaussian",)


def _chain_residual(log_m, w, alphas):
    """Residuals of Silverstein's equations for levels L, L-1, ..., 1 (unknowns log m_l at their points)."""
    m = np.exp(log_m)                    # m[0] = m_L(w), m[1] = m_{L-1}(w_{L-1}), ...
    res = np.empty_like(m)
    wl = w
    L = len(alphas)
    for k in range(L):
        level = L - k
        t = alphas[level - 1] * m[k]
        below = 1.0 / (1.0 + 1.0 / t) if level == 1 else m[k + 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            res[k] = np.log(1.0 / m[k]) - np.log(wl + (1.0 - below / t) / t)
        wl = 1.0 / t
    return res


def product_stieltjes(w, alphas, guess=None, tol=1e-13):
    """``m_L(w) = (1/n_L) tr (B_L + w)^{-1}`` for ``B_L = M M^T`` of the product of Gaussian matrices, w > 0.

    The L coupled equations (one per level, each at its own point w_l) are solved together by
    Newton's method in log m (:func:`scipy.optimize.root`); ``guess`` (all levels) continues
    a previous solution. Returns ``(m_L, all_levels)``.
    """
    from scipy.optimize import root

    alphas = [float(a) for a in alphas]
    L = len(alphas)
    if guess is None:
        guess = np.full(L, -np.log1p(w))
        # crude start: each level as if B were the identity
    sol = root(_chain_residual, guess, args=(float(w), alphas), method="hybr", tol=tol)
    if not sol.success or not np.max(np.abs(_chain_residual(sol.x, float(w), alphas))) < 1e-9:
        # fall back: bracket the top level, solving the lower ones by nested 1-D roots
        x = _nested(float(w), alphas)
        return float(np.exp(x[0])), x
    return float(np.exp(sol.x[0])), sol.x


def _nested(w, alphas):
    L = len(alphas)

    def m(level, wl):
        if level == 0:
            return [1.0 / (1.0 + wl)]
        a = alphas[level - 1]

        def G(lm):
            t = a * np.exp(lm)
            low = m(level - 1, 1.0 / t)[0]
            return -lm - np.log(wl + (1.0 - low / t) / t)

        hi = -np.log(wl) - 1e-14                  # m < 1/w
        if G(hi) >= 0:
            lm = hi
        else:
            lo = hi - 5.0
            while G(lo) <= 0:
                lo -= 10.0
            lm = brentq(G, lo, hi, xtol=1e-14)
        t = a * np.exp(lm)
        return [np.exp(lm)] + (m(level - 1, 1.0 / t) if level > 1 else [])

    vals = m(L, w)
    return np.log(np.array(vals[:L]))


def input_stieltjes(w, alphas):
    """``m_A(w) = (1/n_0) tr (M^T M + w)^{-1}`` (the input-side matrix; zero modes included)."""
    r = float(np.prod(alphas))
    return r * product_stieltjes(w, alphas)[0] + (1.0 - r) / w


def linear_chain_mmse(Delta, alphas):
    """Bayes MMSE per input coordinate of x_0 from y = M x_0 + sqrt(Delta) xi: ``Delta m_A(Delta)``."""
    return float(Delta * input_stieltjes(Delta, alphas))


def linear_chain_mutual_information(Delta, alphas, n_nodes=24, panels=6):
    """``I(X_0; Y)/n_0 = (1/2) <log(1 + lambda/Delta)>`` over the spectrum of M^T M (I-MMSE integral)."""
    s_max = 1.0 / float(Delta)
    r = float(np.prod(alphas))
    # I(s) = int_0^s (1 - mse(s'))/(2 s') ds', mse(s) = m_A(1/s)/s; (1 - mse)/s -> <lambda> = r as
    # s -> 0, so int_0^{s0} is r s0/2 up to O(s0^2); the rest by Gauss-Legendre panels in log s
    s0 = 1e-10 * s_max
    x, wq = np.polynomial.legendre.leggauss(n_nodes)
    edges = np.linspace(np.log(s0), np.log(s_max), panels + 1)
    total = 0.5 * r * s0
    guess = None
    for a, b in zip(edges[:-1], edges[1:]):
        t = 0.5 * (b - a) * x + 0.5 * (b + a)
        f = np.empty(n_nodes)
        for i, ti in enumerate(t):
            s = np.exp(ti)
            mL, guess = product_stieltjes(1.0 / s, alphas, guess)
            mA = r * mL + (1.0 - r) * s
            f[i] = 1.0 - mA / s
        total += 0.5 * np.sum(wq * f) * 0.5 * (b - a)
    return float(total)


def parse_list(name, value, kind=float):
    """A comma list or sequence as a list (one value becomes a one-element list)."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
    else:
        parts = list(np.atleast_1d(value))
    try:
        return [kind(p) for p in parts]
    except (TypeError, ValueError):
        raise ParamError(f"{name} must be a comma list, got {value!r}") from None


def check_glm(alphas, activations, prior, rho, noise):
    alphas = parse_list("alphas", alphas)
    if not alphas or any(not (a > 0 and np.isfinite(a)) for a in alphas):
        raise ParamError(f"alphas (width ratios n_l/n_(l-1)) must all be > 0, got {alphas}")
    L = len(alphas)
    acts = parse_list("activations", activations, str)
    if len(acts) == 1:
        acts = acts * L
    if len(acts) != L:
        raise ParamError(f"activations must be one name or a list of {L} (one per layer), got {len(acts)}")
    for a in acts:
        if a not in ACTIVATIONS:
            raise ParamError(f"activation {a!r} is not allowed; implemented: {', '.join(ACTIVATIONS)}")
    if prior not in PRIORS:
        raise ParamError(f"prior={prior!r} is not allowed; implemented: {', '.join(PRIORS)}")
    noise = parse_list("noise", noise)
    if len(noise) == 1:
        noise = [0.0] * (L - 1) + noise
    if len(noise) != L or any(not (d >= 0) for d in noise):
        raise ParamError(f"noise must be one value (output) or a list of {L} values >= 0")
    if any(d > 0 for d in noise[:-1]):
        raise ParamError("noise on hidden layers is not implemented for the linear chain; allowed: 0 "
                         "except the last (output) entry")
    if not noise[-1] > 0:
        raise ParamError("the output noise must be > 0")
    return alphas, acts, prior, float(rho), noise


def deep_glm(alphas=(1.0,), activations="linear", prior="gaussian", rho=1.0, noise=0.1, strict=False):
    """Bayes-optimal inference in a multi-layer GLM: mse_0, mi_0 and free entropy (linear chain only)."""
    alphas, acts, prior, rho, noise = check_glm(alphas, activations, prior, rho, noise)
    L = len(alphas)
    Delta = noise[-1]
    params = {"alphas": alphas, "activations": acts, "prior": prior, "rho": rho, "noise": noise}
    mse0 = linear_chain_mmse(Delta, alphas)
    mi = linear_chain_mutual_information(Delta, alphas)
    r = float(np.prod(alphas))
    # E log p(y) / n_0 = -h(Y)/n_0 = -(r/2) log(2 pi e Delta) - I(X; Y)/n_0
    phi = -0.5 * r * np.log(2 * np.pi * np.e * Delta) - mi
    obs = {"mse_0": mse0, "overlap_0": 1.0 - mse0, "mi_0": mi, "free_entropy": float(phi), "L": L}
    sol = Solution(model=MODEL, params=params, order={"q_0": 1.0 - mse0}, observables=obs,
                   free_energy=-float(phi), converged=True, residual=0.0, branch="linear",
                   message="linear chain: closed form through free probability (single branch)")
    return select_thermodynamic(MODEL, params, [sol], strict=strict)
