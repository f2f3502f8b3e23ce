"""Activations of deep random chains and the Gaussian integrals every chain quantity is built from.

Closed forms for linear, relu, erf and sign units; tanh as an exact Gaussian scale mixture of
erf units (:class:`_Tanh`); any other smooth activation (a user's callable) by a Hermite-series
representation (:class:`SeriesActivation`). See
:mod:`.maps` for the layer-wise maps built on them (Poole et al. 2016; Schoenholz et al. 2017).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable

import numpy as np
from scipy.special import roots_hermitenorm

from ..._util import ParamError, check_choice

ACTIVATIONS = ("tanh", "erf", "relu", "sign", "linear")
TINY_Q = 1e-300   # q below this is treated as this (an all-zero layer)
_TWO_PI = 2.0 / math.pi


# ---------------------------------------------------------------------------
# Activations: the three Gaussian integrals every chain quantity is built from
# ---------------------------------------------------------------------------

class Activation:
    """Gaussian integrals of one activation function phi.

    Subclasses implement, vectorised over broadcastable arrays ``q`` and ``c``:

    * ``second_moment(q)``  = E phi(sqrt(q) z)^2           (the length map's integral)
    * ``second_moment_slope(q)`` = d/dq E phi(sqrt(q) z)^2  (= E[phi'^2 + phi phi''] / 2 ... see below)
    * ``kernel(q)`` -> a frozen kernel ``k`` at variance q with
      ``k.value(c)`` = E phi(u1) phi(u2) and ``k.slope(c)`` = E phi'(u1) phi'(u2).

    By Gaussian integration by parts, d/dq E phi(sqrt(q) z)^2 = E[phi'^2 + phi phi''],
    so ``sigma_w2 * second_moment_slope(q*)`` is Schoenholz's chi_q (their eq. (6)).
    """

    name: str = "?"
    sup_square: float = np.inf  # sup phi^2 (finite for bounded activations)
    homogeneous: bool = False  # phi(a x) = a phi(x) for a > 0 (relu, linear)

    def second_moment(self, q):
        raise NotImplementedError

    def second_moment_slope(self, q):
        raise NotImplementedError

    def kernel(self, q):
        raise NotImplementedError

    def second_moment_and_slope(self, q):
        """``(second_moment(q), second_moment_slope(q))`` in one pass."""
        return self.second_moment(q), self.second_moment_slope(q)

    def layer_moments(self, q: float, c: float):
        """``(E phi^2, E phi(u1) phi(u2), E phi'^2)`` at one variance q and correlation c, as floats:
        everything one layer of the maps needs (subclasses with closed forms answer faster)."""
        ker = self.kernel(q)
        return float(self.second_moment(q)), float(ker.value(c)), float(ker.slope(1.0))

    def chi1_per_weight(self, q):
        """E phi'(sqrt(q) z)^2: the Jacobian's mean squared singular value per unit sigma_w2."""
        q = np.asarray(q, dtype=float)
        return self.kernel(q).slope(np.ones_like(q))

    def __repr__(self):
        return f"Activation({self.name})"


class _Frozen:
    """A kernel at fixed variance q: ``value(c)``, ``slope(c)`` and ``subset(index)`` (the same at q[index])."""

    def __init__(self, value: Callable, slope: Callable, subset: Callable | None = None):
        self.value = value
        self.slope = slope
        self._subset = subset

    def subset(self, index) -> "_Frozen":
        return self._subset(index)


def _clip_c(c):
    return np.clip(np.asarray(c, dtype=float), -1.0, 1.0)


class _Linear(Activation):
    name = "linear"
    homogeneous = True

    @staticmethod
    def unit_value(c: float) -> float:
        """E phi(u1) phi(u2) at q = 1 (a float)."""
        return min(max(c, -1.0), 1.0)

    def second_moment(self, q):
        return np.asarray(q, dtype=float) * 1.0

    def second_moment_slope(self, q):
        return np.ones_like(np.asarray(q, dtype=float))

    def kernel(self, q):
        q = np.asarray(q, dtype=float)
        return _Frozen(lambda c: q * _clip_c(c), lambda c: np.ones(np.broadcast(q, c).shape),
                       lambda i: self.kernel(q[i]))


class _ReLU(Activation):
    """relu: E relu(u1) relu(u2) = q (sqrt(1-c^2) + (pi - arccos c) c) / (2 pi) (Cho & Saul 2009, eq. (6), n=1)."""

    name = "relu"
    homogeneous = True

    @staticmethod
    def unit_value(c: float) -> float:
        """E phi(u1) phi(u2) at q = 1 (a float)."""
        c = min(max(c, -1.0), 1.0)
        return (math.sqrt(1.0 - c * c) + (math.pi - math.acos(c)) * c) / (2.0 * math.pi)

    def second_moment(self, q):
        return 0.5 * np.asarray(q, dtype=float)

    def second_moment_slope(self, q):
        return np.full(np.shape(q), 0.5)

    def kernel(self, q):
        q = np.asarray(q, dtype=float)

        def value(c):
            c = _clip_c(c)
            return q * (np.sqrt(1.0 - c * c) + (np.pi - np.arccos(c)) * c) / (2.0 * np.pi)

        def slope(c):  # arc-cosine kernel of degree 0 (Cho & Saul eq. (6), n = 0)
            c = _clip_c(c)
            return (np.pi - np.arccos(c)) / (2.0 * np.pi) + 0.0 * q

        return _Frozen(value, slope, lambda i: self.kernel(q[i]))


class _Erf(Activation):
    """erf(x/sqrt 2): E phi(u1) phi(u2) = (2/pi) arcsin(q c / (1 + q)) (arcsine kernel, Williams 1998)."""

    name = "erf"
    sup_square = 1.0

    # arcsin(q c/(1 + q)) = atan2(q c, sqrt(1 + 2 q + q^2 (1 - c^2))): no cancellation near 1 at large q,
    # scaled by s = max(q, 1) against overflow

    def layer_moments(self, q, c):
        c = min(max(c, -1.0), 1.0)
        sc = max(q, 1.0)
        t = q / sc
        lead = (1.0 / sc) ** 2 + 2.0 * (t / sc)
        return (_TWO_PI * math.atan2(t, math.sqrt(lead)),
                _TWO_PI * math.atan2(t * c, math.sqrt(lead + t * t * (1.0 - c) * (1.0 + c))),
                _TWO_PI / (math.sqrt(2.0) * math.sqrt(0.5 + q)))

    def second_moment(self, q):
        q = np.asarray(q, dtype=float)
        sc = np.maximum(q, 1.0)
        t = q / sc
        return (2.0 / np.pi) * np.arctan2(t, np.sqrt((1.0 / sc) ** 2 + 2.0 * (t / sc)))

    def second_moment_slope(self, q):
        q = np.asarray(q, dtype=float)
        return (2.0 / np.pi) / (1.0 + q) / (np.sqrt(2.0) * np.sqrt(0.5 + q))

    def kernel(self, q):
        q = np.asarray(q, dtype=float)

        def value(c):
            c = _clip_c(c)
            sc = np.maximum(q, 1.0)
            t = q / sc
            return (2.0 / np.pi) * np.arctan2(t * c, np.sqrt((1.0 / sc) ** 2 + 2.0 * (t / sc)
                                                            + t * t * (1.0 - c) * (1.0 + c)))

        def slope(c):  # phi'(x) = sqrt(2/pi) exp(-x^2/2): E phi'phi' = (2/pi) / sqrt(det(1 + Sigma))
            c = _clip_c(c)  # det = 1 + 2 q + q^2 (1 - c^2), scaled by s = max(q, 1) against overflow
            sc = np.maximum(q, 1.0)
            t = q / sc
            return (2.0 / np.pi) / (sc * np.sqrt((1.0 / sc) ** 2 + 2.0 * (t / sc) + t * t * (1.0 - c) * (1.0 + c)))

        return _Frozen(value, slope, lambda i: self.kernel(q[i]))


class SignActivation(Activation):
    """sign: E sign(u1) sign(u2) = (2/pi) arcsin c (Sheppard); E phi'phi' = 2 / (pi q sqrt(1 - c^2))."""

    name = "sign"
    sup_square = 1.0

    def layer_moments(self, q, c):
        return 1.0, _TWO_PI * math.asin(min(max(c, -1.0), 1.0)), math.inf

    def second_moment(self, q):
        return np.ones_like(np.asarray(q, dtype=float))

    def second_moment_slope(self, q):
        return np.zeros_like(np.asarray(q, dtype=float))

    def kernel(self, q):
        q = np.asarray(q, dtype=float)

        def value(c):
            return (2.0 / np.pi) * np.arcsin(_clip_c(c)) + 0.0 * q

        def slope(c):  # phi' = 2 delta: 4 p(0, 0) = 2 / (pi q sqrt(1 - c^2)); infinite at c = +-1
            c = _clip_c(c)
            with np.errstate(divide="ignore"):
                return (2.0 / np.pi) / q / np.sqrt(np.maximum(1.0 - c * c, 0.0))

        return _Frozen(value, slope, lambda i: self.kernel(q[i]))


def _kolmogorov_density(k):
    """Density of the Kolmogorov distribution, P(K <= k) = 1 - 2 sum_j (-1)^(j-1) exp(-2 j^2 k^2).

    For k < 1 the Jacobi-transformed series (sqrt(2 pi)/k) sum_j exp(-(2j-1)^2 pi^2/(8 k^2)) is
    differentiated instead (both converge to machine precision with 30 terms there).
    """
    k = np.asarray(k, dtype=float)
    out = np.empty_like(k)
    j = np.arange(1, 31, dtype=float)[:, None]
    small = k < 1.0
    ks = k[small]
    a = (2 * j - 1) ** 2 * np.pi ** 2 / 8
    out[small] = np.sqrt(2 * np.pi) * np.sum(np.exp(-a / ks ** 2) * (2 * a / ks ** 4 - 1 / ks ** 2), axis=0)
    kl = k[~small]
    out[~small] = 8 * kl * np.sum((-1.0) ** (j - 1) * j ** 2 * np.exp(-2 * j ** 2 * kl ** 2), axis=0)
    return out


@lru_cache(maxsize=2)
def kolmogorov_rule(n: int = 40):
    """An ``n``-point Gauss rule ``(k_i, w_i)`` for the Kolmogorov distribution (weights sum to 1).

    Discretised Stieltjes procedure (Lanczos with full reorthogonalisation) on a
    600-point Gauss-Legendre rule on [0.05, 7], outside which the density is below
    1e-40. With 40 nodes, ``sum_i w_i erf(x/(sqrt(2) k_i))`` reproduces tanh(x) to
    1e-14 for every x (checked in the tests).
    """
    x, w = np.polynomial.legendre.leggauss(600)
    lo, hi = 0.05, 7.0
    kf = lo + (hi - lo) * (x + 1) / 2
    wf = w * (hi - lo) / 2 * _kolmogorov_density(kf)
    wf = wf / wf.sum()
    vecs = np.zeros((n, kf.size))
    alpha, beta = np.zeros(n), np.zeros(n)
    v = np.sqrt(wf)
    vecs[0] = v / np.linalg.norm(v)
    for i in range(n):
        u = kf * vecs[i]
        u -= vecs[:i + 1].T @ (vecs[:i + 1] @ u)
        u -= vecs[:i + 1].T @ (vecs[:i + 1] @ u)
        alpha[i] = vecs[i] @ (kf * vecs[i])
        beta[i] = np.linalg.norm(u)
        if i + 1 < n:
            vecs[i + 1] = u / beta[i]
    J = np.diag(alpha) + np.diag(beta[:-1], 1) + np.diag(beta[:-1], -1)
    nodes, ev = np.linalg.eigh(J)
    weights = ev[0] ** 2
    nodes.setflags(write=False)
    weights.setflags(write=False)
    return nodes, weights


class _Tanh(Activation):
    """tanh through its exact representation as a Gaussian scale mixture of erf units.

    The logistic distribution is a normal scale mixture (Andrews & Mallows, JRSS B 36, 99
    (1974); Stefanski, Stat. Prob. Lett. 11, 69 (1991)): ``tanh(x) = E_K erf(x / (sqrt(2) K))``
    with K Kolmogorov-distributed. Each erf unit has the arcsine kernel (Williams 1998), so

        E tanh(u1) tanh(u2)  = (2/pi) E_{K,K'} arcsin(q c / sqrt((K^2 + q)(K'^2 + q)))
        E tanh'(u1) tanh'(u2) = (2/pi) E_{K,K'} 1 / sqrt((K^2 + q)(K'^2 + q) - q^2 c^2)

    for ``u1, u2`` of variance q and correlation c, evaluated with the 40-point Gauss rule
    of :func:`kolmogorov_rule` (the integrands are smooth in K: accurate to ~1e-14 for
    every q, where the Hermite series, kept for user functions, fails beyond q ~ 20).
    """

    name = "tanh"
    sup_square = 1.0

    def __init__(self, n_nodes: int = 40):
        k, w = kolmogorov_rule(n_nodes)
        i, j = np.triu_indices(k.size)
        self._k2 = (k * k)
        self._i, self._j = i, j
        self._ww = np.where(i == j, 1.0, 2.0) * w[i] * w[j]   # symmetric pairs counted once

    def _scaled(self, q):
        """``(t, u_i, u_j, s)`` over the pairs i <= j with ``s = max(q, 1)``, ``t = q/s``, ``u = K^2/s``:
        every expression below is written in these, so nothing overflows or cancels up to q = 1e308."""
        q = np.asarray(q, dtype=float)
        s = np.maximum(q, 1.0)[..., None]
        t = q[..., None] / s
        return t, self._k2[self._i] / s, self._k2[self._j] / s, s

    def second_moment(self, q):
        return self.second_moment_and_slope(q)[0]

    def second_moment_slope(self, q):
        return self.second_moment_and_slope(q)[1]

    def second_moment_and_slope(self, q):
        t, ui, uj, s = self._scaled(q)
        ab = (ui + t) * (uj + t)
        rest = ui * uj + t * (ui + uj)
        # arcsin(q / sqrt(A B)) = atan2(q, sqrt(A B - q^2)), A B - q^2 = K^2 K'^2 + q (K^2 + K'^2)
        m = (2.0 / np.pi) * (np.arctan2(t, np.sqrt(rest)) @ self._ww)
        # d/dq arcsin(q / sqrt(A B)) = (K^2 K'^2 + q (K^2 + K'^2)/2) / (A B sqrt(K^2 K'^2 + q (K^2 + K'^2)))
        d = (2.0 / np.pi) * (((ui * uj + 0.5 * t * (ui + uj)) / (ab * np.sqrt(rest) * s)) @ self._ww)
        return m, d

    def layer_moments(self, q, c):
        t, ui, uj, s = self._scaled(q)
        c = min(max(c, -1.0), 1.0)
        base = ui * uj + t * (ui + uj)
        root = np.sqrt(base)
        return (_TWO_PI * float(np.arctan2(t, root) @ self._ww),
                _TWO_PI * float(np.arctan2(t * c, np.sqrt(base + t * t * (1.0 - c) * (1.0 + c))) @ self._ww),
                _TWO_PI * float((1.0 / (s * root)) @ self._ww))

    def kernel(self, q):
        q = np.asarray(q, dtype=float)
        t, ui, uj, s = self._scaled(q)
        base = ui * uj + t * (ui + uj)

        def value(c):  # arcsin(q c / sqrt(A B)) = atan2(q c, sqrt(A B - q^2 c^2))
            c = _clip_c(c)[..., None]
            return (2.0 / np.pi) * (np.arctan2(t * c, np.sqrt(base + t * t * (1.0 - c) * (1.0 + c))) @ self._ww)

        def slope(c):  # (A B - q^2 c^2) = K^2 K'^2 + q (K^2 + K'^2) + q^2 (1 - c^2): no cancellation
            c = _clip_c(c)[..., None]
            return (2.0 / np.pi) * ((1.0 / (s * np.sqrt(base + t * t * (1.0 - c) * (1.0 + c)))) @ self._ww)

        return _Frozen(value, slope, lambda i: self.kernel(q[i]))


@lru_cache(maxsize=4)
def _hermite_series_basis(n_nodes: int, n_terms: int):
    """Nodes z_i and the matrix M_ik = w_i He_k(z_i) / sqrt(k!) (so that b = phi(z) @ M).

    Built from Hermite *functions* sqrt(w_i) He_k(z_i)/sqrt(k!), whose three-term
    recursion stays bounded, so no overflow for k up to n_terms.
    """
    z, w = roots_hermitenorm(n_nodes)
    w = w / np.sqrt(2.0 * np.pi)
    keep = w > 1e-40
    z, w = z[keep], w[keep]
    sw = np.sqrt(w)
    psi = np.empty((z.size, n_terms))
    psi[:, 0] = sw
    psi[:, 1] = z * sw
    for k in range(1, n_terms - 1):
        psi[:, k + 1] = (z * psi[:, k] - np.sqrt(k) * psi[:, k - 1]) / np.sqrt(k + 1.0)
    M = sw[:, None] * psi
    z.setflags(write=False)
    w.setflags(write=False)
    M.setflags(write=False)
    return z, w, M


class SeriesActivation(Activation):
    """Any smooth activation through its Hermite (Mehler) expansion; see the module docstring.

    Parameters
    ----------
    func : callable, vectorised over numpy arrays.
    name : label used in results.
    sup_square : sup phi^2 if known (bounded activations get a bracket for q*).
    n_nodes, n_terms : Gauss-Hermite nodes and number of Hermite terms.
    """

    def __init__(self, func: Callable, name: str = "user", sup_square: float = np.inf,
                 n_nodes: int = 1000, n_terms: int = 700):
        self.func = func
        self.name = name
        self.sup_square = float(sup_square)
        self.n_nodes = int(n_nodes)
        self.n_terms = int(n_terms)
        self._k = np.arange(self.n_terms, dtype=float)

    def _values(self, q):
        z, w, M = _hermite_series_basis(self.n_nodes, self.n_terms)
        sq = np.sqrt(np.maximum(np.asarray(q, dtype=float).ravel(), TINY_Q))
        return z, w, M, np.asarray(self.func(sq[:, None] * z[None, :]), dtype=float)

    def second_moment(self, q):
        return self.second_moment_and_slope(q)[0]

    def second_moment_slope(self, q):
        """d/dq E phi(sqrt(q) z)^2 = E[phi(sqrt(q) z)^2 (z^2 - 1)] / (2 q) (Gaussian integration by parts)."""
        return self.second_moment_and_slope(q)[1]

    def second_moment_and_slope(self, q):
        q = np.asarray(q, dtype=float)
        m = np.empty(q.size)
        d = np.empty(q.size)
        for sl in _chunks(q.size):
            qq = np.maximum(q.ravel()[sl], TINY_Q)
            z, w, M, f = self._values(qq)
            f2 = f * f
            m[sl] = f2 @ w
            d[sl] = (f2 @ (w * (z * z - 1.0))) / (2.0 * qq)
        return m.reshape(q.shape), d.reshape(q.shape)

    def coefficients_squared(self, q):
        """b_k(q)^2, shape ``(n_terms,) + q.shape`` (terms first: contiguous rows for Horner)."""
        q = np.asarray(q, dtype=float)
        out = np.empty((self.n_terms, q.size))
        for sl in _chunks(q.size, 4096):
            z, w, M, f = self._values(q.ravel()[sl])
            b = M.T @ f.T
            out[:, sl] = b * b
        return out.reshape((self.n_terms,) + q.shape)

    def series_deficit(self, q):
        """Relative Parseval deficit ``(E phi^2 - sum_k b_k^2) / E phi^2`` at variance q: the part of
        phi that the ``n_terms`` Hermite terms (and the quadrature nodes) miss; an error estimate of
        the kernel near c = 1 (1e-14 for tanh at q = 5, 4e-9 at q = 20, 6e-5 at q = 100)."""
        m = float(self.second_moment(q))
        b2 = float(self.coefficients_squared(q).sum())
        return abs(m - b2) / max(abs(m), TINY_Q)

    def kernel(self, q):
        q = np.asarray(q, dtype=float)
        b2 = self.coefficients_squared(q).reshape(self.n_terms, -1)
        big = np.flatnonzero(b2.max(axis=1) > 1e-36 * max(b2.sum(axis=0).max(initial=0.0), TINY_Q))
        n_used = int(big[-1]) + 1 if big.size else 1  # drop the negligible tail of the series
        return self._frozen(q, b2[:n_used])

    def _frozen(self, q, coef):
        """Frozen kernel from the series coefficients ``coef`` (terms, points) at variances ``q``."""
        shape = q.shape
        n_used = coef.shape[0]
        kcoef = coef * np.arange(n_used, dtype=float)[:, None]
        qq = np.maximum(q.ravel(), TINY_Q)

        def horner(rows, c):
            c = _clip_c(c)
            out_shape = np.broadcast_shapes(shape, c.shape)
            if q.size == 1:  # one variance, any number of correlations
                cf, r, scale = np.broadcast_to(c, out_shape).ravel(), rows[:, :1], qq[:1]
            else:
                cf, r, scale = np.broadcast_to(c, shape).ravel(), rows, qq
            if cf.size <= 64:
                # few points (a layer map): the power sum in one pass instead of a Python loop over
                # the terms; every term is non-negative and |c| <= 1, so it is as accurate as Horner
                powers = cf[None, :] ** np.arange(r.shape[0], dtype=float)[:, None]
                acc = (powers * r).sum(axis=0) if r.shape[1] > 1 else r[:, 0] @ powers
                return acc, scale, out_shape
            acc = np.zeros(cf.shape)
            for j in range(r.shape[0] - 1, -1, -1):
                acc *= cf
                acc += r[j]
            return acc, scale, out_shape

        def value(c):  # sum_k b_k^2 c^k
            acc, _scale, out_shape = horner(coef, c)
            return acc.reshape(out_shape)

        def slope(c):  # (1/q) sum_k k b_k^2 c^(k-1)
            if n_used < 2:
                return np.zeros(np.broadcast_shapes(shape, np.shape(c)))
            acc, scale, out_shape = horner(kcoef[1:], c)
            return (acc / scale).reshape(out_shape)

        def subset(i):
            i = np.asarray(i)
            if i.ndim == 1 and i.size == qq.size and np.array_equal(i, np.arange(qq.size)):
                return self._frozen(q.ravel(), coef)
            return self._frozen(q.ravel()[i], np.take(coef, i, axis=1))

        return _Frozen(value, slope, subset)


def _chunks(n: int, size: int = 4096):
    for start in range(0, max(n, 1), size):
        yield slice(start, min(n, start + size))


_BUILTIN = {
    "linear": _Linear(),
    "relu": _ReLU(),
    "erf": _Erf(),
    "sign": SignActivation(),
    "tanh": _Tanh(),
}


def get_activation(activation) -> Activation:
    """An :class:`Activation` from a name in ``ACTIVATIONS``, an Activation, or a vectorised callable."""
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        return _BUILTIN[check_choice("activation", activation, ACTIVATIONS)]
    if callable(activation):
        return SeriesActivation(activation, getattr(activation, "__name__", "user"))
    raise ParamError(f"activation={activation!r} is not allowed; choose one of: "
                     f"{', '.join(ACTIVATIONS)}, or pass a Python function")
