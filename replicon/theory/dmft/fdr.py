"""Fluctuation-dissipation ratio of the DMFT kernels and the effective temperature of SGD.

In a stationary regime of Langevin dynamics at temperature T the fluctuation-dissipation theorem
ties the integrated response to the correlation, chi(t, t_w) = [C(t, t) - C(t, t_w)] / T for
t >= t_w. Out of equilibrium (SGD, persistent SGD) the ratio defines an effective temperature;
this is how Mignacco & Urbani, "The effective noise of stochastic gradient descent", J. Stat. Mech.
(2022), arXiv:2112.10852, quantify SGD's noise in the under-parametrised regime, where the dynamics
reach a stationary state with a positive training error (their abstract read; the estimator below,
the slope of the parametric plot, is the standard one, recalled, not taken from their text).

Discrete time (step eta = dt): R(k, s) is the response of w(k) to a kick of w(s+1), so a field f
added to the update at step s moves w(k) by eta R(k, s) f, and

    chi(k, k_w) = eta sum_{s = k_w}^{k-1} R(k, s)          (a constant field switched on at step k_w).

``effective_temperature`` is the least-squares slope, through the origin, of C(k, k) - C(k, k_w)
against chi(k, k_w) at the last time k = K over k_w in [k_min, K). For square-loss Langevin the
Euler-Maruyama scheme gives T / (1 - eta H/2) per Hessian mode H (derived here; the test checks the
Marchenko-Pastur average), T exactly as dt -> 0. It is only meaningful where C and R are stationary
(time-translation invariant) over the window: ``stationarity`` reports the largest relative change
of C(k, k - l) between the window's two ends.
"""

from __future__ import annotations

import numpy as np

from ..._util import ParamError


def integrated_response(R, dt, k):
    """chi(k, k_w) for k_w = 0..k (chi(k, k) = 0)."""
    row = np.asarray(R)[k, :k]
    chi = np.zeros(k + 1)
    chi[:k] = dt * np.cumsum(row[::-1])[::-1]
    return chi


def fdr_curve(C, R, dt, k=None):
    """(C(k, k) - C(k, k_w), chi(k, k_w)) for k_w = 0..k (default k the last time)."""
    C = np.asarray(C)
    k = C.shape[0] - 1 if k is None else int(k)
    return C[k, k] - C[k, :k + 1], integrated_response(R, dt, k)


def effective_temperature(C, R, dt, window=0.5):
    """Slope of C(K, K) - C(K, k_w) against chi(K, k_w) over the last ``window`` fraction of the grid.

    Returns ``(T_eff, stationarity)``; see the module docstring.
    """
    if not 0 < window < 1:
        raise ParamError(f"window={window} is out of range; allowed: (0, 1)")
    C = np.asarray(C)
    K = C.shape[0] - 1
    k_min = int(np.floor((1.0 - window) * K))
    if K - k_min < 2:
        raise ParamError(f"the window holds {K - k_min} steps; allowed: at least 2 (use a longer t_max)")
    dC, chi = fdr_curve(C, R, dt, K)
    x, y = chi[k_min:K], dC[k_min:K]
    den = float(x @ x)
    T_eff = float(x @ y) / den if den > 0 else float("nan")
    lags = np.arange(1, K - k_min)
    late = np.array([C[K, K - l] for l in lags])
    early = np.array([C[k_min + l, k_min] for l in lags])
    scale = max(float(np.max(np.abs(late))), 1e-300)
    return T_eff, float(np.max(np.abs(late - early)) / scale)


def fdr_at_lags(C, R, dt, lags):
    """(C(K, K) - C(K, K - l), chi(K, K - l)) at the last time K for the given lags l (steps), and their
    slope: the estimator the finite-N measurement (simulate.dmft, ``response_lags``) uses."""
    C = np.asarray(C)
    K = C.shape[0] - 1
    lags = np.asarray(lags, int)
    if np.any(lags < 1) or np.any(lags > K):
        raise ParamError(f"lags {lags.tolist()} out of range; allowed: 1 <= lag <= {K}")
    dC, chi = fdr_curve(C, R, dt, K)
    x, y = chi[K - lags], dC[K - lags]
    return y, x, float(x @ y / (x @ x))


__all__ = ["integrated_response", "fdr_curve", "effective_temperature", "fdr_at_lags"]
