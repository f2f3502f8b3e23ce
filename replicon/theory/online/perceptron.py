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


def _optimal_moments(rho, n_order=12, s=None):
    """``<W u>/sqrt(Q), <W t>, <W^2>/Q, <W v>/sqrt(Q)`` of the Kinouchi-Caticha rule at overlap rho.

    ``t = h/sqrt Q``, ``u = rho t + s v`` with ``s = sqrt(1 - rho^2)`` (pass ``s = sin(theta)``
    to keep it accurate as rho -> 1).
    ``W = sigma_T sqrt(Q) (s/rho) phi(x)/H(-sigma_T x)``, ``x = rho t/s``
    (Kinouchi & Caticha 1992; E&VdB eq. 9.21). Averages over ``t ~ N(0,1)`` and
    ``sigma_T`` with ``P(sigma_T = +1 | t) = H(-x)``; the (t, sigma_T) -> (-t, -sigma_T)
    symmetry folds the sum to ``sigma_T = +1`` twice. Panel quadrature resolves the
    width ``s/rho`` of the integrand as rho -> 1. ``E[v | t, sigma_T = +1] = phi(x)/H(-x)``.
    """
    if s is None:
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
    Wv = 2 * np.sum(w * p_plus * W * ratio)
    return Wu, Wt, W2, Wv


def _theta_minus_sincos(th):
    """theta - sin(theta) cos(theta) = theta - sin(2 theta)/2, by its series below 0.5 (no cancellation)."""
    if th < 0.5:
        x, term, out = 2.0 * th, 0.0, 0.0
        for k in range(1, 12):
            term = x ** (2 * k + 1) / (2.0 * math.factorial(2 * k + 1))
            out += term if k % 2 else -term
        return out
    return th - 0.5 * math.sin(2.0 * th)


def _sin_minus_theta_cos(th):
    """sin(theta) - theta cos(theta) = sum_k (-1)^(k+1) 2k theta^(2k+1)/(2k+1)!, by the series below 0.5."""
    if th < 0.5:
        out = 0.0
        for k in range(1, 12):
            term = 2 * k * th ** (2 * k + 1) / math.factorial(2 * k + 1)
            out += term if k % 2 else -term
        return out
    return math.sin(th) - th * math.cos(th)


def _angle(R, D):
    """``(theta, J)``: the angle between J and B, ``atan2(sqrt(D), R)``, and ``|J|/sqrt(N)``; theta = pi/2
    for J = 0 (no information: eps_g = 1/2)."""
    D = max(D, 0.0)
    J = math.sqrt(R * R + D)
    return (math.atan2(math.sqrt(D), R) if J > 0 else math.pi / 2), J


def perceptron_flow_rd(rule, R, D, eta):
    """``(dR/dalpha, dD/dalpha)`` in the variables ``R`` and ``D = Q - R^2 = |J_perp|^2 / N``.

    The same flows as :func:`perceptron_flow`, written with ``theta = atan2(sqrt D, R)`` (so
    ``eps_g = theta/pi`` keeps its relative accuracy when theta -> 0, where ``R/sqrt(Q)`` rounds
    to 1: the AdaTron's eps_g at alpha = 1e5 came out 20 % low in (R, Q)) and with the small-angle
    combinations ``theta - sin cos`` and ``sin - theta cos`` by their series:

    * hebb: ``dD = eta^2``; gd: ``dD = -2 eta D + eta^2 (1 - 2 R sqrt(2/pi) + Q)``;
    * perceptron: ``dR = eta (2 sin^2(theta/2))/sqrt(2 pi)``, ``dD = -2 eta J sin^2(theta)/sqrt(2 pi)
      + eta^2 theta/pi``;
    * adatron: ``dR = eta J (sin - theta cos)/pi``, ``dD = Q [eta^2 (theta - sin cos) - 2 eta theta sin^2]/pi``;
    * optimal: ``dD = Q [2 eta s (s <W t> - rho <W v>) + eta^2 <W^2>]`` (``u = rho t + s v``).
    """
    if rule == "hebb":
        return eta * _SQRT_2_OVER_PI, eta * eta
    Q = R * R + max(D, 0.0)
    if rule == "gd":
        return (eta * (_SQRT_2_OVER_PI - R),
                -2 * eta * max(D, 0.0) + eta * eta * (1 - 2 * R * _SQRT_2_OVER_PI + Q))
    th, J = _angle(R, D)
    sn, rho = math.sin(th), math.cos(th)
    if rule == "perceptron":
        return (eta * 2 * math.sin(0.5 * th) ** 2 * _INV_SQRT_2PI,
                -2 * eta * J * sn * sn * _INV_SQRT_2PI + eta * eta * th / math.pi)
    if rule == "adatron":
        return (eta * J * _sin_minus_theta_cos(th) / math.pi,
                Q * (eta * eta * _theta_minus_sincos(th) - 2 * eta * th * sn * sn) / math.pi)
    if rule == "optimal":
        if rho <= 0 or J == 0:
            return math.nan, math.nan
        if sn == 0:
            return 0.0, 0.0
        Wu, Wt, W2, Wv = _optimal_moments(rho, s=sn)
        return eta * J * Wu, Q * (2 * eta * sn * (sn * Wt - rho * Wv) + eta * eta * W2)
    raise ParamError(f"rule={rule!r} is not allowed; choose one of: {', '.join(PERCEPTRON_RULES)}")


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

    Evaluated through :func:`perceptron_flow_rd` (``dQ = dD + 2 R dR``), which the ODE integrates.
    """
    dR, dD = perceptron_flow_rd(rule, R, Q - R * R, eta)
    return dR, dD + 2 * R * dR


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

    D0 = max(Q0 - R0 * R0, 0.0)
    if rule == "hebb":
        # exact solution: R = R0 + eta sqrt(2/pi) alpha, D = Q - R^2 = D0 + eta^2 alpha
        Rt = R0 + eta * _SQRT_2_OVER_PI * grid
        Dt = D0 + eta * eta * grid
        nfev = 0
    else:
        def rhs(alpha, y):
            return np.array(perceptron_flow_rd(rule, y[0], y[1], eta))
        # D -> 0 as the student aligns: its tolerance is relative (atol far below any D that matters)
        ys, ok, msg, nfev = integrate(rhs, np.array([R0, D0]), grid, rtol=rtol, atol=np.array([atol, 1e-250]),
                                      method="LSODA")
        if not ok:
            return Solution.failed("perceptron.online", params, msg, iterations=nfev)
        Rt, Dt = ys[:, 0], np.maximum(ys[:, 1], 0.0)
    Qt = Rt * Rt + Dt
    theta = np.array([_angle(r, d)[0] for r, d in zip(Rt, Dt)])
    rho = np.where(Qt > 0, np.cos(theta), 0.0)
    eps = theta / math.pi
    obs = {"alpha": grid, "R": Rt, "Q": Qt, "rho": rho, "eps_g": eps,
           "eps_g_final": float(eps[-1]), "alpha_eps_final": float(grid[-1] * eps[-1])}
    return Solution(model="perceptron.online", params=params, order={"R": float(Rt[-1]), "Q": float(Qt[-1])},
                    observables=obs, converged=True, iterations=int(nfev))
