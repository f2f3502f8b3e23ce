"""Online-learning ODEs: closed-form averages, known limits, linearisation (replicon.theory.online)."""

import math

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.theory import online as ol
from replicon.theory.online import committee as olc


def _random_covariance(rng, n):
    A = rng.standard_normal((n, n))
    C = A @ A.T / n + 0.2 * np.eye(n)
    return C


@pytest.mark.parametrize("activation", ["erf", "linear", "relu"])
def test_closed_form_averages_match_monte_carlo(activation):
    """I2, I3, I4, J2 (Saad & Solla 1995 appendix; Goldt et al. 2019 for J2; for relu the arc-cosine
    kernel, the Stein-lemma I3 and the Plackett-path quadrature for I4) equal Monte Carlo averages.

    2e6 Gaussian samples of a random 4-d covariance; agreement within 5 standard errors.
    """
    rng = np.random.default_rng(1)
    C = _random_covariance(rng, 4)
    z = rng.multivariate_normal(np.zeros(4), C, size=2_000_000)
    if activation == "erf":
        from scipy.special import erf
        g = erf(z / math.sqrt(2))
        dg = math.sqrt(2 / math.pi) * np.exp(-z * z / 2)
    elif activation == "relu":
        g, dg = np.maximum(z, 0.0), (z > 0).astype(float)
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


_I4_ORDER = ((0, 0), (0, 1), (1, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 2), (2, 3), (3, 3))


def _relu_i4(C, **kw):
    return float(ol.relu_quad_average(*[C[a, b] for a, b in _I4_ORDER], **kw))


def _relu_samples(C, n, seed):
    z = np.random.default_rng(seed).multivariate_normal(np.zeros(len(C)), C, size=n)
    return z, np.maximum(z, 0.0), (z > 0).astype(float)


def _tallis3(C3):
    """<Theta(x0) relu(x1) relu(x2)> for a non-singular 3-d covariance, written out independently of the
    module: Stein's lemma twice (Tallis, JRSS B 23, 223 (1961)) with unit variances,
    m = r12 P3 + (1/2) sum_{k != q} r1k (r2q - r2k rkq) / (2 pi sqrt(1 - rkq^2)),
    P3 = 1/8 + (asin r01 + asin r02 + asin r12)/(4 pi) (the trivariate orthant probability),
    and the 1/2 the probability that the third variable is positive given the other two vanish."""
    d = np.sqrt(np.diag(C3))
    r = C3 / np.outer(d, d)
    p3 = 1 / 8 + (math.asin(r[0, 1]) + math.asin(r[0, 2]) + math.asin(r[1, 2])) / (4 * math.pi)
    m = r[1, 2] * p3
    for k in range(3):
        for q in range(3):
            if k != q:
                m += 0.5 * r[1, k] * (r[2, q] - r[2, k] * r[k, q]) / (2 * math.pi * math.sqrt(1 - r[k, q] ** 2))
    return d[1] * d[2] * m


def test_relu_averages_match_monte_carlo_at_singular_covariances():
    """The ODE evaluates I3, I4 with coinciding units (i = k, a = i, student = teacher): relu I4 at a
    covariance where u1 = u2 = u3 (rank 2) and I3, I4 at a rank-2 4-d covariance equal Monte Carlo
    averages (2e6 samples, within 5 standard errors)."""
    rng = np.random.default_rng(11)
    G = rng.standard_normal((2, 2))
    C2 = G @ G.T + 0.1 * np.eye(2)
    E = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.3, 1.0]])
    Gr = rng.standard_normal((4, 2))
    for C in (E @ C2 @ E.T, Gr @ Gr.T):
        z, g, dg = _relu_samples(C, 2_000_000, 5)
        cases = (
            (dg[:, 0] * dg[:, 1] * g[:, 2] * g[:, 3], _relu_i4(C)),
            (dg[:, 0] * z[:, 1] * g[:, 3], ol.triple_average("relu", C[0, 0], C[0, 1], C[0, 3], C[1, 3], C[3, 3])),
            (dg[:, 0] * z[:, 3] * g[:, 2], ol.triple_average("relu", C[0, 0], C[0, 3], C[0, 2], C[3, 2], C[2, 2])),
        )
        for samples, exact in cases:
            se = samples.std() / math.sqrt(len(samples))
            assert abs(samples.mean() - float(exact)) <= 5 * se, (samples.mean(), float(exact), se)


def test_relu_averages_at_special_covariances():
    """The relu closed forms and the I4 quadrature against each other and against elementary values.

    * I4, independent units: <Theta>^2 <relu(u3)> <relu(u4)> = sqrt(c33 c44)/(8 pi);
    * I4 with u3 = u1, u4 = u2: <relu(u1) relu(u2)> = I2, the arc-cosine kernel (Cho & Saul 2009);
    * I4 with u1 = u2: the trivariate Stein/Tallis closed form (:func:`_tallis3`), to 1e-12;
    * I4 with all four equal: <relu(u)^2> = c/2;
    * I2 = sqrt(c11 c22)(sin t + (pi - t) cos t)/(2 pi), Cho & Saul's angular form; I2(c12 = 0) = <relu>^2;
    * Price's theorem: dI2/dc12 = J2, dI3/dc23 = <Theta(u) Theta(w)> = J2(c11, c13, c33),
      dI4/dc34 = P(u > 0) (the 4-d orthant probability, computed on its own), by central differences;
    * I3 with w = u: <Theta(u) v relu(u)> = c12/2; with u independent of (v, w): c23/4.
    """
    rng = np.random.default_rng(2)
    G = rng.standard_normal((4, 6))
    C = G @ G.T / 6
    assert _relu_i4(np.diag([0.7, 1.3, 2.0, 0.5])) == pytest.approx(math.sqrt(2.0 * 0.5) / (8 * math.pi), abs=1e-15)
    A = C[:2, :2]
    assert _relu_i4(np.block([[A, A], [A, A]])) == pytest.approx(
        float(ol.pair_average("relu", A[0, 0], A[0, 1], A[1, 1])), abs=1e-13)
    E = np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]])
    C3 = C[1:, 1:]
    assert _relu_i4(E @ C3 @ E.T) == pytest.approx(_tallis3(C3), abs=1e-12)
    assert _relu_i4(np.full((4, 4), 1.7)) == pytest.approx(0.85, abs=1e-12)
    c11, c12, c22 = C[0, 0], C[0, 1], C[1, 1]
    t = math.acos(c12 / math.sqrt(c11 * c22))
    assert float(ol.pair_average("relu", c11, c12, c22)) == pytest.approx(
        math.sqrt(c11 * c22) * (math.sin(t) + (math.pi - t) * math.cos(t)) / (2 * math.pi), abs=1e-14)
    assert float(ol.pair_average("relu", c11, 0.0, c22)) == pytest.approx(math.sqrt(c11 * c22) / (2 * math.pi),
                                                                           abs=1e-15)
    h = 1e-6
    dI2 = (ol.pair_average("relu", c11, c12 + h, c22) - ol.pair_average("relu", c11, c12 - h, c22)) / (2 * h)
    assert float(dI2) == pytest.approx(float(ol.derivative_pair_average("relu", c11, c12, c22)), abs=1e-8)
    c13, c23, c33 = C[0, 2], C[1, 2], C[2, 2]
    dI3 = (ol.triple_average("relu", c11, c12, c13, c23 + h, c33)
           - ol.triple_average("relu", c11, c12, c13, c23 - h, c33)) / (2 * h)
    assert float(dI3) == pytest.approx(float(ol.derivative_pair_average("relu", c11, c13, c33)), abs=1e-8)
    Cp, Cm = C.copy(), C.copy()
    Cp[2, 3] = Cp[3, 2] = C[2, 3] + h
    Cm[2, 3] = Cm[3, 2] = C[2, 3] - h
    d = np.sqrt(np.diag(C))
    p4 = float(ol.orthant_probability4(C / np.outer(d, d)))
    assert (_relu_i4(Cp) - _relu_i4(Cm)) / (2 * h) == pytest.approx(p4, abs=1e-7)
    assert float(ol.triple_average("relu", c11, c12, c11, c12, c11)) == pytest.approx(c12 / 2, abs=1e-15)
    assert float(ol.triple_average("relu", c11, 0.0, 0.0, c23, c33)) == pytest.approx(c23 / 4, abs=1e-15)


def test_orthant_probability_matches_closed_forms_and_monte_carlo():
    """Plackett's (1954) path integral for P(z > 0) of four Gaussians: 1/16 for independent ones, the
    trivariate closed form 1/8 + sum asin(r)/(4 pi) when two coincide, and Monte Carlo (2e6 samples,
    5 standard errors) at a random correlation matrix."""
    rng = np.random.default_rng(8)
    G = rng.standard_normal((4, 5))
    C = G @ G.T
    d = np.sqrt(np.diag(C))
    rho = C / np.outer(d, d)
    assert float(ol.orthant_probability4(np.eye(4))) == pytest.approx(1 / 16, abs=1e-15)
    r3 = rho[1:, 1:]
    E = np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]])
    p3 = 1 / 8 + (math.asin(r3[0, 1]) + math.asin(r3[0, 2]) + math.asin(r3[1, 2])) / (4 * math.pi)
    assert float(ol.orthant_probability4(E @ r3 @ E.T)) == pytest.approx(p3, abs=1e-12)
    z = rng.multivariate_normal(np.zeros(4), rho, size=2_000_000)
    samples = np.all(z > 0, axis=1).astype(float)
    se = samples.std() / math.sqrt(len(samples))
    assert abs(samples.mean() - float(ol.orthant_probability4(rho))) <= 5 * se


def test_relu_quadrature_is_converged():
    """The default 48 Gauss-Legendre nodes agree with 160 to 1e-10 at a random, a rank-2 and a
    diagonal-block (u1 = u2, as on the ODE's diagonal) covariance."""
    rng = np.random.default_rng(4)
    G = rng.standard_normal((4, 6))
    G2 = rng.standard_normal((4, 2))
    E = np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]])
    G3 = rng.standard_normal((3, 3))
    for C in (G @ G.T / 6, G2 @ G2.T, E @ (G3 @ G3.T) @ E.T):
        assert _relu_i4(C) == pytest.approx(_relu_i4(C, n_nodes=160), abs=1e-10)


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


def test_relu_rhs_uses_every_i4_entry_correctly():
    """relu: the ODE computes only the distinct I4[i, k, a, b] (i <= k, a <= b) and fills the rest by
    symmetry; its dQ equals dQ built from I4 broadcast over every index combination. The noise term at
    the perfect solution Q = R = T = 1 is eta^2 s^2 <Theta Theta> = eta^2 s^2 (1/2 on, 1/4 off the diagonal),
    the only non-zero part of the flow there."""
    rng = np.random.default_rng(6)
    K, M, eta = 2, 3, 0.6
    C = _random_covariance(rng, K + M)
    Q, R, T = C[:K, :K], C[:K, K:], C[K:, K:]
    ode = ol.CommitteeODE(K, M, eta, "relu", T=T, sigma=0.4)
    dQ, dR, _ = ode.derivatives(Q, R, ode.v0)
    d = np.diag(C)
    i4 = ol.quad_average("relu", d[:K, None, None, None], C[:K, :K, None, None], d[None, :K, None, None],
                         C[:K, None, :, None], C[:K, None, None, :], C[None, :K, :, None], C[None, :K, None, :],
                         d[None, None, :, None], C[None, None, :, :], d[None, None, None, :])
    c = np.concatenate([np.ones(K), -np.ones(M)])
    i3 = ol.triple_average("relu", d[:K, None, None], C[:K, :, None], C[:K, None, :], C[None, :, :],
                           d[None, None, :])
    drive = -(i3 @ c)
    second = np.einsum("ikab,a,b->ik", i4, c, c) + 0.16 * ol.derivative_pair_average(
        "relu", d[:K, None], C[:K, :K], d[None, :K])
    np.testing.assert_allclose(dQ, eta * (drive[:, :K] + drive[:, :K].T) + eta ** 2 * second, rtol=1e-12)
    np.testing.assert_allclose(dR, eta * drive[:, K:], rtol=1e-12)
    ode = ol.CommitteeODE(2, 2, eta, "relu", sigma=0.4)
    dQ, dR, _ = ode.derivatives(np.eye(2), np.eye(2), ode.v0)
    np.testing.assert_allclose(dR, 0.0, atol=1e-13)
    np.testing.assert_allclose(dQ, eta ** 2 * 0.16 * np.array([[0.5, 0.25], [0.25, 0.5]]), atol=1e-13)
    with pytest.raises(ParamError):
        ol.committee_rhs_looped(Q.tolist(), R.tolist(), T.tolist(), eta, "relu")


def test_relu_committee_learns():
    """relu K = M = 2, eta = 0.2 (the CLI example): the ODE integrates to alpha = 50, eps_g starts at the
    value of the initial overlaps (arc-cosine kernel) and falls by more than a factor 5."""
    sol = ol.committee_online(K=2, M=2, eta=0.2, activation="relu", alpha_max=50)
    assert sol.converged
    o = sol.observables
    Q0, R0 = np.diag([0.5, 0.5]), np.diag([1e-3, 1e-3])
    assert o["eps_g"][0] == pytest.approx(ol.committee_eps_g(Q0, R0, np.eye(2), activation="relu"), abs=1e-15)
    assert o["eps_g_final"] < o["eps_g"][0] / 5
    assert "plateau_height" not in o


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
    A, B = olc._symmetric_jacobian_numeric(K, "erf")
    basis = olc._symmetric_basis(K)
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
