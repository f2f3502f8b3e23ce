"""Online learning against its analytic limits: the asymptotic eps_g of every perceptron rule, the gd
fixed point, and the committee ODE at eta -> 0 (replicon.theory.online)."""

import math

import numpy as np
import pytest

from replicon.theory import online as ol
from replicon.theory.online import committee as olc


def test_hebb_is_atan_of_sqrt_pi_over_2alpha_to_machine_precision():
    """Hebb from J = 0: R = eta sqrt(2/pi) alpha and |J_perp|^2/N = eta^2 alpha, so
    eps_g = atan(sqrt(pi/(2 alpha)))/pi for every eta, -> 1/sqrt(2 pi alpha) (Engel & Van den Broeck
    sec. 3.1, ch. 9). Relative accuracy is kept to alpha = 1e14, where 1 - R/sqrt(Q) is 1e-14."""
    a = np.array([1.0, 1e3, 1e8, 1e14])
    for eta in (0.3, 2.0):
        sol = ol.perceptron_online(rule="hebb", eta=eta, Q0=0.0, R0=0.0, alpha_grid=np.concatenate([[0], a]))
        np.testing.assert_allclose(sol["eps_g"][1:], np.arctan(np.sqrt(np.pi / (2 * a))) / np.pi, rtol=1e-13)
    assert sol["eps_g"][-1] * math.sqrt(1e14) == pytest.approx(1 / math.sqrt(2 * math.pi), rel=1e-13)


@pytest.mark.parametrize("eta", [1.0, 0.3])
def test_perceptron_rule_asymptote(eta):
    """Perceptron rule: with eps = theta/pi and J = eta j, the flow at small theta balances for
    eps = A alpha^(-1/3), j = B alpha^(1/3) with B^3 = 3/(4 pi sqrt(2 pi)) and A = sqrt(2 pi)/(2 pi^2 B)
    (A = 0.278069; derived here from the flow of E&VdB eq. 9.6-9.7), independent of eta."""
    B = (3 / (4 * math.pi * math.sqrt(2 * math.pi))) ** (1 / 3)
    A = math.sqrt(2 * math.pi) / (2 * math.pi ** 2 * B)
    sol = ol.perceptron_online(rule="perceptron", eta=eta, alpha_max=1e10, n_points=60)
    assert sol["eps_g_final"] * 1e10 ** (1 / 3) == pytest.approx(A, rel=1e-5)
    assert math.sqrt(sol["Q"][-1]) / (eta * 1e10 ** (1 / 3)) == pytest.approx(B, rel=1e-5)


@pytest.mark.parametrize("eta", [0.5, 1.0, 1.5])
def test_adatron_asymptote(eta):
    """Online AdaTron: d theta/d alpha = -theta^2 (3 eta - eta^2)/(3 pi) at small theta, so
    eps_g -> 3/((3 eta - eta^2) alpha): 3/(2 alpha) at eta = 1 and the optimum 4/(3 alpha) at eta = 3/2
    (Biehl & Riegler 1994; E&VdB ch. 9). (In the variables R, Q this came out 20 % low at alpha = 1e5:
    1 - R/sqrt(Q) ~ 1e-10 was below the integration tolerance.)"""
    for a in (1e5, 1e8):
        sol = ol.perceptron_online(rule="adatron", eta=eta, alpha_max=a, n_points=40)
        assert sol["eps_g_final"] * a == pytest.approx(3 / (3 * eta - eta * eta), rel=2e-5 if a == 1e5 else 1e-7)


def test_optimal_rule_constant_is_converged():
    """Kinouchi & Caticha (1992): alpha eps_g -> 0.8834 (E&VdB's 0.883), the same at alpha = 1e6 and 1e8."""
    c = [ol.perceptron_online(rule="optimal", R0=0.01, alpha_max=a, n_points=40)["alpha_eps_final"]
         for a in (1e6, 1e8)]
    assert c[1] == pytest.approx(0.8834, abs=1e-4) and abs(c[1] - c[0]) < 1e-5


@pytest.mark.parametrize("eta", [1e-3, 0.5, 1.0, 1.8])
def test_gd_fixed_point(eta):
    """LMS (gd) rule: R -> sqrt(2/pi) and Q - R^2 -> eta (1 - 2/pi)/(2 - eta) (fixed point of the flow,
    solved by hand), so eps_g -> atan(sqrt(D*)/R*)/pi: a noise floor that vanishes as sqrt(eta)."""
    r = math.sqrt(2 / math.pi)
    D = eta * (1 - 2 / math.pi) / (2 - eta)
    # D relaxes at the rate eta (2 - eta)
    sol = ol.perceptron_online(rule="gd", eta=eta, alpha_max=60 / (eta * (2 - eta)), n_points=30)
    assert sol["R"][-1] == pytest.approx(r, rel=1e-9)
    assert sol["Q"][-1] - sol["R"][-1] ** 2 == pytest.approx(D, rel=1e-7)
    assert sol["eps_g_final"] == pytest.approx(math.atan(math.sqrt(D) / r) / math.pi, rel=1e-7)


def test_flows_in_r_and_d_equal_the_closed_forms_in_r_and_q():
    """The integrated flows (R, D = Q - R^2, small-angle series) equal E&VdB's closed forms in (R, Q) where
    those are accurate (theta not small), for every rule; and the series of theta - sin cos and
    sin - theta cos equal the direct expressions at theta = 0.3 and 0.49."""
    R, Q, eta = 0.6, 1.3, 0.8
    rho = R / math.sqrt(Q)
    ac, s = math.acos(rho), math.sqrt(1 - rho * rho)
    c0 = math.sqrt(2 / math.pi)
    closed = {
        "hebb": (eta * c0, 2 * eta * R * c0 + eta ** 2),
        "perceptron": (eta * (1 - rho) / math.sqrt(2 * math.pi),
                       -2 * eta * math.sqrt(Q) * (1 - rho) / math.sqrt(2 * math.pi) + eta ** 2 * ac / math.pi),
        "adatron": (-eta * math.sqrt(Q) * (rho * ac - s) / math.pi,
                    (eta ** 2 - 2 * eta) * Q * (ac - rho * s) / math.pi),
        "gd": (eta * (c0 - R), 2 * eta * (R * c0 - Q) + eta ** 2 * (1 - 2 * R * c0 + Q)),
    }
    for rule, (dR, dQ) in closed.items():
        np.testing.assert_allclose(ol.perceptron_flow(rule, R, Q, eta), (dR, dQ), rtol=1e-13, atol=1e-15)
    from replicon.theory.online import perceptron as op
    for th in (0.3, 0.49):
        assert op._theta_minus_sincos(th) == pytest.approx(th - math.sin(th) * math.cos(th), rel=1e-13)
        assert op._sin_minus_theta_cos(th) == pytest.approx(math.sin(th) - th * math.cos(th), rel=1e-13)


def test_committee_flow_at_small_eta_is_its_first_order_part():
    """eta -> 0 with tau = eta alpha fixed: dQ/eta = A + eta B and dR/eta = A_R, so the trajectory in tau
    converges to the O(eta) flow with an O(eta) error (K = M = 2 erf: the error halves with eta), and
    the split equals the full right-hand side at every eta."""
    K = M = 2
    ode = ol.CommitteeODE(K, M, 1.0)
    rng = np.random.default_rng(0)
    G = rng.standard_normal((K + M, K + M))
    C = G @ G.T / (K + M) + 0.2 * np.eye(K + M)
    Q, R = C[:K, :K], C[:K, K:]
    A, AR, B, _ = ode.flow_parts(Q, R, ode.v0)
    for eta in (0.1, 0.7):
        dQ, dR, _ = ode.derivatives(Q, R, ode.v0, eta=eta)
        np.testing.assert_allclose(dQ, eta * A + eta ** 2 * B, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(dR, eta * AR, rtol=1e-13, atol=1e-15)
    tau = 8.0
    eps = {}
    for eta in (0.02, 0.01, 0.0):
        flow, unpack = olc._symmetric_sector(K, M)
        from scipy.integrate import solve_ivp
        y = solve_ivp(lambda t, p: flow(p, eta), (0, tau), [0.0, 0.5, 0.0], rtol=1e-11, atol=1e-13).y[:, -1]
        Qt, Rt = unpack(y)
        eps[eta] = ol.committee_eps_g(Qt, Rt, np.eye(M))
    d1, d2 = eps[0.02] - eps[0.0], eps[0.01] - eps[0.0]
    assert d1 / d2 == pytest.approx(2.0, rel=0.02) and abs(d2) < 1e-2
