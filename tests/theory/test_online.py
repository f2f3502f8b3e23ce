"""Online-learning ODEs: closed-form averages, known limits, linearisation (replicon.theory.online)."""

import math

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.theory import online as ol


def _random_covariance(rng, n):
    A = rng.standard_normal((n, n))
    C = A @ A.T / n + 0.2 * np.eye(n)
    return C


@pytest.mark.parametrize("activation", ["erf", "linear"])
def test_closed_form_averages_match_monte_carlo(activation):
    """I2, I3, I4, J2 (Saad & Solla 1995 appendix; Goldt et al. 2019 for J2) equal Monte Carlo averages.

    2e6 Gaussian samples of a random 4-d covariance; agreement within 5 standard errors.
    """
    rng = np.random.default_rng(1)
    C = _random_covariance(rng, 4)
    z = rng.multivariate_normal(np.zeros(4), C, size=2_000_000)
    if activation == "erf":
        from scipy.special import erf
        g = erf(z / math.sqrt(2))
        dg = math.sqrt(2 / math.pi) * np.exp(-z * z / 2)
    else:
        g, dg = z, np.ones_like(z)
    cases = {
        "I2": (g[:, 0] * g[:, 1], ol.pair_average(activation, C[0, 0], C[0, 1], C[1, 1])),
        "J2": (dg[:, 0] * dg[:, 1], ol.derivative_pair_average(activation, C[0, 0], C[0, 1], C[1, 1])),
        "I3": (dg[:, 0] * z[:, 1] * g[:, 2],
               ol.triple_average(activation, C[0, 0], C[0, 1], C[0, 2], C[1, 2], C[2, 2])),
        "I4": (dg[:, 0] * dg[:, 1] * g[:, 2] * g[:, 3],
               ol.quad_average(activation, C[0, 0], C[0, 1], C[1, 1], C[0, 2], C[0, 3], C[1, 2], C[1, 3],
                               C[2, 2], C[2, 3], C[3, 3])),
    }
    for name, (samples, exact) in cases.items():
        se = samples.std() / math.sqrt(len(samples))
        assert abs(samples.mean() - float(exact)) <= 5 * se + 1e-12, (name, samples.mean(), float(exact), se)


def test_looped_and_vectorised_rhs_agree():
    """The explicit-sum RHS (used by sympy) equals the vectorised one (Saad & Solla eqs. 9-10), with noise."""
    rng = np.random.default_rng(3)
    K, M = 2, 3
    C = _random_covariance(rng, K + M)
    Q, R, T = C[:K, :K], C[:K, K:], C[K:, K:]
    ode = ol.CommitteeODE(K, M, 0.7, "erf", T=T, sigma=0.3)
    dQ, dR, _ = ode.derivatives(Q, R, ode.v0)
    dQl, dRl = ol.committee_rhs_looped(Q.tolist(), R.tolist(), T.tolist(), 0.7, "erf", sigma=0.3)
    np.testing.assert_allclose(dQ, np.array(dQl), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dR, np.array(dRl), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("K", [2, 3, 4])
def test_symmetric_plateau_eta_to_zero(K):
    """Saad & Solla (1995): the eta -> 0 symmetric fixed point of K = M has q = c = 1/(2K-1),
    r = 1/sqrt(K(2K-1)) and eps* = (K/pi)(pi/6 - K arcsin(1/(2K))) (0.0116108 for K = 2).
    The root search starts 20 % away from the known point."""
    q = 1 / (2 * K - 1)
    r = 1 / math.sqrt(K * (2 * K - 1))
    fp = ol.symmetric_fixed_point(K, K, 0.0, guess=(1.2 * r, 0.8 * q, 0.9 * q))
    assert fp["converged"]
    # a degenerate (q = c) root: its position is resolved to ~1e-8, eps_g to far better
    assert fp["q"] == pytest.approx(q, abs=1e-7)
    assert fp["c"] == pytest.approx(q, abs=1e-7)
    assert fp["r"] == pytest.approx(r, abs=1e-7)
    assert fp["eps_g"] == pytest.approx(ol.symmetric_plateau_eps(K), abs=1e-10)
    if K == 2:
        assert fp["eps_g"] == pytest.approx(0.0116108, abs=5e-8)


def test_plateau_of_trajectory_and_escape():
    """K = M = 3, eta = 0.5 (Saad & Solla Fig. 2 setting): the trajectory sits within 5 % of the
    eta = 0.5 symmetric fixed point, then escapes and decays to zero."""
    sol = ol.committee_online(K=3, M=3, eta=0.5, alpha_max=1000)
    o = sol.observables
    assert sol.converged
    assert o["alpha"][-1] == 1000.0
    assert 10 < o["plateau_start"] < o["plateau_end"] < 1000
    on = (o["alpha"] > o["plateau_start"]) & (o["alpha"] < o["plateau_end"])
    assert np.all(np.abs(o["eps_g"][on] / o["plateau_height"] - 1) < 0.05 + 1e-9)
    assert o["eps_g_final"] < 1e-6
    # specialised: each student unit aligned with one teacher unit
    R = o["R"][-1]
    np.testing.assert_allclose(np.sort(np.abs(R), axis=1)[:, -1], 1.0, atol=1e-3)


def test_online_hebb_equals_batch_hebb():
    """Engel & Van den Broeck sec. 3.1 and ch. 9: online Hebb from J = 0 gives the batch Hebb overlap
    R = sqrt(2 alpha/pi)/sqrt(1 + 2 alpha/pi), for any learning rate."""
    for eta in (0.3, 1.0, 2.5):
        sol = ol.perceptron_online(rule="hebb", eta=eta, Q0=0.0, R0=0.0, alpha_max=50, n_points=40)
        a = sol.observables["alpha"]
        np.testing.assert_allclose(sol.observables["rho"][1:], ol.batch_hebb_overlap(a[1:]), rtol=1e-12)


def test_hebb_closed_form_matches_ode_integration():
    """The closed-form Hebb solution equals integrating the Hebb flow (E&VdB eqs. 9.6-9.7) numerically."""
    grid = ol.output_grid(20, 30, "linear")
    ys, ok, _, _ = ol.integrate(lambda a, y: np.array(ol.perceptron_flow("hebb", y[0], y[1], 0.7)),
                                np.array([0.0, 0.0]), grid, rtol=1e-11, atol=1e-13)
    sol = ol.perceptron_online(rule="hebb", eta=0.7, Q0=0.0, R0=0.0, alpha_max=20, n_points=30, spacing="linear")
    np.testing.assert_allclose(ys[:, 0], sol.observables["R"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ys[:, 1], sol.observables["Q"], rtol=1e-8, atol=1e-10)


def test_optimal_online_rule_decays_as_0883_over_alpha():
    """Kinouchi & Caticha (1992); E&VdB eq. 9.25: the optimal online rule gives eps_g ~ 0.883/alpha."""
    sol = ol.perceptron_online(rule="optimal", R0=0.01, alpha_max=1e4, n_points=50)
    assert sol.converged
    assert sol.observables["alpha_eps_final"] == pytest.approx(0.883, abs=5e-4)


def test_perceptron_rule_exponent_one_third():
    """E&VdB sec. 9.2: the online perceptron rule (eta = 1) decays as eps_g ~ alpha^(-1/3)."""
    sol = ol.perceptron_online(rule="perceptron", alpha_max=1e6, n_points=100)
    a, e = sol.observables["alpha"], sol.observables["eps_g"]
    sel = a > 1e5
    slope = np.polyfit(np.log(a[sel]), np.log(e[sel]), 1)[0]
    assert slope == pytest.approx(-1 / 3, abs=0.01)


def test_perceptron_flows_match_monte_carlo():
    """The closed-form perceptron and AdaTron flows (E&VdB ch. 9) equal Monte Carlo averages of
    <W u> and <2 W h + W^2> (2e6 samples, within 5 standard errors)."""
    rng = np.random.default_rng(7)
    R, Q, eta = 0.6, 1.3, 0.8
    rho = R / math.sqrt(Q)
    t, w = rng.standard_normal((2, 2_000_000))
    u = rho * t + math.sqrt(1 - rho * rho) * w
    h = math.sqrt(Q) * t
    wrong = h * u <= 0
    rules = {"perceptron": eta * np.sign(u) * wrong, "adatron": -eta * h * wrong}
    for rule, W in rules.items():
        fR, fQ = ol.perceptron_flow(rule, R, Q, eta)
        for samples, exact in ((W * u, fR), (2 * W * h + W * W, fQ)):
            se = samples.std() / math.sqrt(len(samples))
            assert abs(samples.mean() - exact) < 5 * se, (rule, samples.mean(), exact, se)


@pytest.mark.parametrize("K", [1, 2, 3])
def test_sympy_linearisation_matches_finite_differences(K):
    """The sympy Jacobian at the perfect solution (Saad & Solla sec. V) equals a central finite-difference
    Jacobian of the full numerical ODE restricted to the symmetric sector, and its top eigenvalue equals
    the top eigenvalue of the full finite-difference Jacobian (so eta_max is the true stability limit)."""
    A, B = ol._symmetric_jacobian_numeric(K, "erf")
    basis = ol._symmetric_basis(K)
    # embedding of (R, S, Q, C) into the full state (unnormalised basis vectors)
    E = basis / np.linalg.norm(basis, axis=0, ord=np.inf)
    for eta in (0.5, 1.7):
        ode = ol.CommitteeODE(K, K, eta)
        J = ol.finite_difference_jacobian(ode, np.eye(K), np.eye(K), h=1e-6)
        order = [0, 1, 2, 3] if K > 1 else [0, 1]
        # the basis is ordered (R_diag, R_off, Q_diag, Q_off); sympy's order is (R, S, Q, C)
        Esym = E[:, order]
        reduced = np.linalg.pinv(Esym) @ J @ Esym
        np.testing.assert_allclose(reduced, eta * A + eta ** 2 * B, atol=1e-7)
        assert np.max(np.linalg.eigvals(J).real) == pytest.approx(
            np.max(np.linalg.eigvals(eta * A + eta ** 2 * B).real), abs=1e-7)
    lin = ol.linearisation(K, 0.5)
    ode_hi = ol.CommitteeODE(K, K, lin["eta_max"] * 1.001)
    ode_lo = ol.CommitteeODE(K, K, lin["eta_max"] * 0.999)
    top = [np.max(np.linalg.eigvals(ol.finite_difference_jacobian(o, np.eye(K), np.eye(K))).real)
           for o in (ode_lo, ode_hi)]
    assert top[0] < 0 < top[1]


def test_eta_max_single_unit_closed_form():
    """K = M = 1, erf: det(A + eta B) = 0 at eta_max = pi sqrt(5/3) (from the exact sympy Jacobian)."""
    assert ol.linearisation(1, 0.5)["eta_max"] == pytest.approx(math.pi * math.sqrt(5 / 3), rel=1e-10)


def test_decay_rate_matches_trajectory_slope():
    """The linearised decay rate of eps_g (twice the slowest in-subspace eigenvalue here) equals the
    late-time slope of log eps_g along the integrated ODE, K = M = 3, eta = 0.5."""
    sol = ol.committee_online(K=3, M=3, eta=0.5, alpha_max=900, n_points=300, spacing="linear",
                              rtol=1e-11, atol=1e-16)
    a, e = sol.observables["alpha"], sol.observables["eps_g"]
    sel = (a > 600) & (a < 900)
    slope = np.polyfit(a[sel], np.log(e[sel]), 1)[0]
    assert -slope == pytest.approx(sol.observables["decay_rate"], rel=3e-3)


def test_failed_integration_is_not_a_result():
    """A learning rate far above eta_max makes the linear committee blow up: converged=False with a message."""
    sol = ol.committee_online(K=2, M=2, eta=50.0, activation="linear", alpha_max=100)
    assert not sol.converged
    assert "blew up" in sol.message or "failed" in sol.message
    assert "eps_g" not in sol.observables


def test_linear_committee_noise_floor():
    """Linear K = M = 1 committee with label noise s: the fixed point of dR = eta(1 - R),
    dQ = 2 eta (R - Q) + eta^2 (1 - 2R + Q + s^2) is R = 1, Q = 1 + eta s^2/(2 - eta),
    so eps_g = eta s^2 / (2 (2 - eta)) (solved by hand from the flow above)."""
    eta, s = 0.5, 0.3
    sol = ol.committee_online(K=1, M=1, eta=eta, activation="linear", sigma=s, Q0=0.2, R0=0.0, R0_diag=0.0,
                              alpha_max=200)
    assert sol.observables["eps_g_final"] == pytest.approx(eta * s * s / (2 * (2 - eta)), rel=1e-6)


def test_output_grid_ends_at_alpha_max():
    for spacing in ("log", "linear"):
        g = ol.output_grid(123.4, 57, spacing)
        assert g[0] == 0 and g[-1] == 123.4 and len(g) == 57 and np.all(np.diff(g) > 0)


@pytest.mark.parametrize("kwargs", [dict(K=0), dict(M=0), dict(eta=0.0), dict(eta=-1.0),
                                    dict(activation="tanh"), dict(Q0=0.1, R0=0.5), dict(sigma=-1.0),
                                    dict(alpha_max=0.0), dict(Q0=np.eye(2)), dict(K=2.5)])
def test_committee_bad_input(kwargs):
    """Bad input gets a one-line ParamError (K < 1, eta <= 0, unknown activation, unrealisable Q0/R0...)."""
    with pytest.raises(ParamError) as err:
        ol.committee_online(**{**dict(K=3, M=3, alpha_max=10), **kwargs})
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("kwargs", [dict(rule="oja"), dict(eta=0.0), dict(rule="optimal", R0=0.0),
                                    dict(Q0=0.1, R0=0.5), dict(rule="adatron", Q0=0.0)])
def test_perceptron_bad_input(kwargs):
    with pytest.raises(ParamError):
        ol.perceptron_online(**{**dict(alpha_max=10), **kwargs})
