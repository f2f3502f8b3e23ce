"""Marchenko-Pastur spectra: a quadrature rule for the continuous part, the closed-form Stieltjes transform.

``S = X^T X / N`` with ``X`` a ``P x N`` matrix of i.i.d. N(0, 1) entries and ``alpha = P/N``
has, as N -> infinity, the Marchenko-Pastur eigenvalue law

    rho(lambda) = sqrt((b - lambda)(lambda - a)) / (2 pi lambda)  on  [a, b],
    a, b = (1 -+ sqrt(alpha))^2,

of total mass ``min(alpha, 1)``, plus an atom of mass ``(1 - alpha)_+`` at zero (any
random-matrix text; Bai & Silverstein, *Spectral Analysis of Large Dimensional Random
Matrices*, ch. 3). Its Stieltjes transform ``s(z) = (1/N) tr (S - z)^{-1}`` solves
``s = 1 / (-z + alpha / (1 + s))`` (Silverstein's equation for a sum of P rank-one terms
of weight 1/N), i.e. ``w s^2 + (alpha - 1 + w) s - 1 = 0`` at ``z = -w``.

The rule substitutes ``lambda = (a + b)/2 - (b - a)/2 cos theta``; then
``rho d lambda = ((b - a)/2)^2 sin^2 theta / (2 pi lambda) d theta`` is smooth and even in
theta, so the midpoint rule in theta converges exponentially for integrands analytic
on [a, b].
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=64)
def _rule(alpha: float, n: int):
    a, b = (1.0 - np.sqrt(alpha)) ** 2, (1.0 + np.sqrt(alpha)) ** 2
    theta = (np.arange(n) + 0.5) * np.pi / n
    lam = 0.5 * (a + b) - 0.5 * (b - a) * np.cos(theta)
    w = (0.5 * (b - a)) ** 2 * np.sin(theta) ** 2 / (2.0 * np.pi * lam) * (np.pi / n)
    lam.setflags(write=False)
    w.setflags(write=False)
    return lam, w


def marchenko_pastur_rule(alpha: float, n: int = 1024):
    """Nodes, weights of the continuous part of the MP law of ``X^T X / N`` (alpha = P/N) and its zero atom.

    Returns ``(lam, w, atom)``: ``sum(w * f(lam)) + atom * f(0)`` approximates the spectral
    average ``(1/N) tr f(S)``; ``sum(w) = min(alpha, 1)``, ``atom = max(1 - alpha, 0)``.
    """
    alpha = float(alpha)
    if not alpha > 0:
        raise ValueError("alpha must be > 0")
    lam, w = _rule(alpha, int(n))
    return lam, w, max(1.0 - alpha, 0.0)


def mp_stieltjes_negative(w, alpha):
    """``s(-w) = (1/N) tr (S + w)^{-1}`` of the MP law (alpha = P/N) for ``w > 0``, in closed form.

    The positive root of ``w s^2 + (alpha - 1 + w) s - 1 = 0``, written without cancellation.
    """
    w = np.asarray(w, float)
    b = alpha - 1.0 + w
    r = np.sqrt(b * b + 4.0 * w)
    return np.where(b >= 0, 2.0 / (b + r), (r - b) / (2.0 * w))


def mp_log_det(w, alpha, n: int = 1024):
    """``(1/N) sum_lambda log(lambda + w)`` over the MP law (zero atom included), ``w > 0``."""
    lam, wt, atom = marchenko_pastur_rule(alpha, n)
    w = np.asarray(w, float)
    return np.sum(wt * np.log(lam + w[..., None]), axis=-1) + atom * np.log(w)
