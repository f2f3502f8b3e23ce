"""Activations of deep random chains and the Gaussian integrals every chain quantity is built from.

Closed forms for linear, relu, erf and sign units; any other smooth activation (tanh, a
user's callable) by a Hermite-series representation (:class:`SeriesActivation`). See
:mod:`.maps` for the layer-wise maps built on them (Poole et al. 2016; Schoenholz et al. 2017).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np
from scipy.special import roots_hermitenorm

from ..._util import ParamError, check_choice

ACTIVATIONS = ("tanh", "erf", "relu", "sign", "linear")
TINY_Q = 1e-300   # q below this is treated as this (an all-zero layer)


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

    def second_moment(self, q):
        q = np.asarray(q, dtype=float)
        return (2.0 / np.pi) * np.arcsin(q / (1.0 + q))

    def second_moment_slope(self, q):
        q = np.asarray(q, dtype=float)
        return (2.0 / np.pi) / ((1.0 + q) * np.sqrt(1.0 + 2.0 * q))

    def kernel(self, q):
        q = np.asarray(q, dtype=float)

        def value(c):
            return (2.0 / np.pi) * np.arcsin(q * _clip_c(c) / (1.0 + q))

        def slope(c):  # phi'(x) = sqrt(2/pi) exp(-x^2/2): E phi'phi' = (2/pi) / sqrt(det(1 + Sigma))
            c = _clip_c(c)
            return (2.0 / np.pi) / np.sqrt((1.0 + q) ** 2 - (q * c) ** 2)

        return _Frozen(value, slope, lambda i: self.kernel(q[i]))


class SignActivation(Activation):
    """sign: E sign(u1) sign(u2) = (2/pi) arcsin c (Sheppard); E phi'phi' = 2 / (pi q sqrt(1 - c^2))."""

    name = "sign"
    sup_square = 1.0

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
                return 2.0 / (np.pi * q * np.sqrt(np.maximum(1.0 - c * c, 0.0)))

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
    "tanh": SeriesActivation(np.tanh, "tanh", sup_square=1.0),
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
