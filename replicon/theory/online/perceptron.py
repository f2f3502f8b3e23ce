"""Online perceptron (Engel & Van den Broeck ch. 9; Biehl & Riegler; Kinouchi & Caticha 1992)
------------------------------------------------------------------------------------------
``J <- J + (eta / sqrt N) W(h, sigma_T) xi`` with ``h = J.xi/sqrt N``,
``u = B.xi/sqrt N``, ``sigma_T = sign(u)``, ``|B|^2 = N``. Then
``dR/dalpha = <W u>``, ``dQ/dalpha = <2 W h + W^2>`` (E&VdB eqs. 9.6-9.7, with
their ``F sigma_T`` our ``eta W``) and ``eps_g = arccos(R/sqrt Q)/pi``.
"""

from __future__ import annotations

import math

import numpy as np

from ..._util import ParamError, check_choice, check_number
from ..gauss import H, panel_rule, phi_over_H
from ..solution import Solution
from .committee import SPACINGS, explicit_grid, integrate, output_grid

PERCEPTRON_RULES = ("hebb", "perceptron", "adatron", "gd", "optimal")


# ---------------------------------------------------------------------------
# Online perceptron rules
# ---------------------------------------------------------------------------

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _optimal_moments(rho, n_order=12):
    """``<W u>/sqrt(Q), <W t>, <W^2>/Q`` of the Kinouchi-Caticha rule at overlap rho (``t = h/sqrt Q``).

    ``W = sigma_T sqrt(Q) (sqrt(1-rho^2)/rho) phi(x)/H(-sigma_T x)``, ``x = rho t/sqrt(1-rho^2)``
    (Kinouchi & Caticha 1992; E&VdB eq. 9.21). Averages over ``t ~ N(0,1)`` and
    ``sigma_T`` with ``P(sigma_T = +1 | t) = H(-x)``; the (t, sigma_T) -> (-t, -sigma_T)
    symmetry folds the sum to ``sigma_T = +1`` twice. Panel quadrature resolves the
    width ``sqrt(1-rho^2)/rho`` of the integrand as rho -> 1.
    """
    s = math.sqrt(max(1.0 - rho * rho, 0.0))
    width = s / rho
    t, w = panel_rule(((0.0, width),), order=n_order)
    x = rho * t / s
    ratio = phi_over_H(-x)                 # phi(x)/H(-x) = E[v | v > -x]
    p_plus = H(-x)
    W = (s / rho) * ratio                  # W/sqrt(Q) for sigma_T = +1
    mean_u = rho * t + s * ratio            # E[u | t, sigma_T = +1]
    Wu = 2 * np.sum(w * p_plus * W * mean_u)
    Wt = 2 * np.sum(w * p_plus * W * t)
    W2 = 2 * np.sum(w * p_plus * W * W)
    return Wu, Wt, W2


def perceptron_flow(rule, R, Q, eta):
    """``(dR/dalpha, dQ/dalpha)`` of an online perceptron rule (E&VdB ch. 9, eqs. 9.6-9.7).

    Closed forms with ``rho = R/sqrt(Q)``:

    * hebb (``W = eta``): ``dR = eta sqrt(2/pi)``, ``dQ = 2 eta R sqrt(2/pi) + eta^2``;
    * perceptron (``W = eta Theta(-h u)``): ``dR = eta (1-rho)/sqrt(2 pi)``,
      ``dQ = -2 eta sqrt(Q) (1-rho)/sqrt(2 pi) + eta^2 arccos(rho)/pi``;
    * adatron (``W = -eta h Theta(-h u)``): ``dR = -eta sqrt(Q) (rho arccos rho - sqrt(1-rho^2))/pi``,
      ``dQ = (eta^2 - 2 eta) Q (arccos rho - rho sqrt(1-rho^2))/pi``;
    * gd (LMS, ``W = eta (sign u - h)``): ``dR = eta (sqrt(2/pi) - R)``,
      ``dQ = 2 eta (R sqrt(2/pi) - Q) + eta^2 (1 - 2 R sqrt(2/pi) + Q)``;
    * optimal (Kinouchi & Caticha 1992, ``eta = 1`` optimal): quadrature, see
      :func:`_optimal_moments`.
    """
    if rule == "hebb":
        return eta * _SQRT_2_OVER_PI, 2 * eta * R * _SQRT_2_OVER_PI + eta * eta
    if rule == "gd":
        return (eta * (_SQRT_2_OVER_PI - R),
                2 * eta * (R * _SQRT_2_OVER_PI - Q) + eta * eta * (1 - 2 * R * _SQRT_2_OVER_PI + Q))
    sq = math.sqrt(max(Q, 0.0))
    rho = R / sq if sq > 0 else 0.0
    rho = min(max(rho, -1.0), 1.0)
    ac = math.acos(rho)
    s = math.sqrt(max(1.0 - rho * rho, 0.0))
    if rule == "perceptron":
        return (eta * (1 - rho) * _INV_SQRT_2PI,
                -2 * eta * sq * (1 - rho) * _INV_SQRT_2PI + eta * eta * ac / math.pi)
    if rule == "adatron":
        return (-eta * sq * (rho * ac - s) / math.pi,
                (eta * eta - 2 * eta) * Q * (ac - rho * s) / math.pi)
    if rule == "optimal":
        if rho <= 0:
            return math.nan, math.nan
        if rho >= 1:
            return 0.0, 0.0
        Wu, Wt, W2 = _optimal_moments(rho)
        return eta * sq * Wu, 2 * eta * Q * Wt + eta * eta * Q * W2
    raise ParamError(f"rule={rule!r} is not allowed; choose one of: {', '.join(PERCEPTRON_RULES)}")


def batch_hebb_overlap(alpha):
    """Normalised overlap of the (batch) Hebb student: ``R = sqrt(2a/pi)/sqrt(1 + 2a/pi)``.

    Engel & Van den Broeck (2001) sec. 3.1 (Hebb rule), vapnik-free closed form.
    """
    x = 2.0 * np.asarray(alpha, dtype=float) / math.pi
    return np.sqrt(x) / np.sqrt(1.0 + x)


def perceptron_online(rule="perceptron", eta=1.0, Q0=1.0, R0=0.0, alpha_max=100.0,
                      n_points=200, spacing="log", rtol=1e-9, atol=1e-12, alpha_grid=None):
    """Overlaps and generalisation error of online perceptron learning from a perceptron teacher.

    Engel & Van den Broeck (2001) ch. 9 (eqs. 9.6-9.7 and the rules of sec. 9.2-9.3);
    Kinouchi & Caticha (J. Phys. A 25, 6243 (1992)) for the optimal rule.
    Convention: ``J += (eta/sqrt N) W xi``, ``|J|^2 = N Q``, ``R = J.B/N``,
    ``|B|^2 = N``; E&VdB's ``F sigma_T`` is our ``eta W``. ``eps_g = arccos(rho)/pi``
    with ``rho = R/sqrt(Q)``.

    Returns a Solution with ``alpha, R, Q, rho, eps_g`` trajectories (and
    ``eps_g_final``, ``alpha_eps_final = alpha_max * eps_g(alpha_max)``).
    """
    rule = check_choice("rule", rule, PERCEPTRON_RULES)
    eta = check_number("eta", eta, lo=0, lo_open=True)
    Q0 = check_number("Q0", Q0, lo=0)
    R0 = check_number("R0", R0)
    alpha_max = check_number("alpha_max", alpha_max, lo=0, lo_open=True)
    n_points = check_number("n_points", n_points, lo=2, integer=True)
    spacing = check_choice("spacing", spacing, SPACINGS)
    if R0 * R0 > Q0 * (1 + 1e-12):
        raise ParamError(f"R0={R0}, Q0={Q0} is not realisable; allowed: R0^2 <= Q0")
    if rule == "optimal" and (Q0 <= 0 or R0 <= 0):
        raise ParamError("rule=optimal needs R0 > 0 and Q0 > 0 (its step diverges as R/sqrt(Q) -> 0)")
    if rule == "adatron" and Q0 <= 0:
        raise ParamError("rule=adatron needs Q0 > 0 (from J = 0 the AdaTron step is zero)")
    params = dict(rule=rule, eta=eta, Q0=Q0, R0=R0, alpha_max=alpha_max, n_points=n_points, spacing=spacing)
    grid = explicit_grid(alpha_grid) if alpha_grid is not None else output_grid(alpha_max, n_points, spacing)

    if rule == "hebb":
        # exact solution: R = R0 + eta sqrt(2/pi) alpha, Q from integrating dQ
        c = eta * _SQRT_2_OVER_PI
        Rt = R0 + c * grid
        Qt = Q0 + 2 * R0 * c * grid + c * c * grid ** 2 + eta * eta * grid
        ys, ok, nfev = np.stack([Rt, Qt], axis=1), True, 0
    else:
        def rhs(alpha, y):
            return np.array(perceptron_flow(rule, y[0], y[1], eta))
        ys, ok, msg, nfev = integrate(rhs, np.array([R0, Q0]), grid, rtol=rtol, atol=atol,
                                      method="LSODA")
        if not ok:
            return Solution.failed("perceptron.online", params, msg, iterations=nfev)
    Rt, Qt = ys[:, 0], ys[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(Qt > 0, Rt / np.sqrt(np.maximum(Qt, 1e-300)), 0.0)
    rho = np.clip(rho, -1.0, 1.0)
    eps = np.arccos(rho) / math.pi
    obs = {"alpha": grid, "R": Rt, "Q": Qt, "rho": rho, "eps_g": eps,
           "eps_g_final": float(eps[-1]), "alpha_eps_final": float(grid[-1] * eps[-1])}
    return Solution(model="perceptron.online", params=params, order={"R": float(Rt[-1]), "Q": float(Qt[-1])},
                    observables=obs, converged=True, iterations=int(nfev))
