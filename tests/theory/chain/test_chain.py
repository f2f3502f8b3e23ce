"""Claims of the layer-wise mean-field theory of deep chains (replicon.theory.chain)."""

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.optimize import brentq
from scipy.special import erf

from replicon._util import ParamError
from replicon.theory import chain as tc

SQ2PI = math.sqrt(2 * math.pi)


# ---------------------------------------------------------------------------
# brute-force references, independent of the module (adaptive quadrature)
# ---------------------------------------------------------------------------

def gauss1(f, points=(0.0,)):
    """int Dz f(z) by adaptive quadrature, split at the given points."""
    edges = [-40.0, *sorted(points), 40.0]
    return sum(integrate.quad(lambda z: f(z) * math.exp(-z * z / 2) / SQ2PI, a, b,
                              epsabs=1e-15, epsrel=1e-13, limit=400)[0] for a, b in zip(edges[:-1], edges[1:]))


def gauss2(f, q, c):
    """E f(u1, u2) for u1 = sqrt(q) z1, u2 = sqrt(q)(c z1 + sqrt(1-c^2) z2), nested adaptive quadrature."""
    s = math.sqrt(1 - c * c)
    r = math.sqrt(q)

    def inner(z1):
        kink = -c * z1 / s  # where u2 changes sign
        return gauss1(lambda z2: f(r * z1, r * (c * z1 + s * z2)), points=(kink,))

    return gauss1(inner)


def brute_q_star(sw, sb, phi):
    return brentq(lambda q: sw * gauss1(lambda z: phi(math.sqrt(q) * z) ** 2) + sb - q,
                  sb + 1e-12, sw + sb, xtol=1e-15)


def brute_chi1(sw, sb, phi, dphi):
    q = brute_q_star(sw, sb, phi)
    return sw * gauss1(lambda z: dphi(math.sqrt(q) * z) ** 2)


def dtanh(x):
    return 1 - math.tanh(x) ** 2


# ---------------------------------------------------------------------------
# The order-to-chaos line
# ---------------------------------------------------------------------------

def test_relu_is_critical_at_sigma_w2_2_without_bias():
    """ReLU: chi1 = sigma_w2/2, so the critical point is (2, 0) (closed form; Schoenholz et al. 2017, Sec. 3)."""
    sol = tc.signal(sigma_w2=2.0, sigma_b2=0.0, activation="relu", q0=0.7, depth=20)
    assert sol["chi1"] == 1.0 and sol.branch == "critical"
    np.testing.assert_allclose(sol["q"], 0.7, rtol=1e-15)  # length preserved at criticality
    assert tc.critical_sigma_w2(0.0, "relu") == 2.0
    assert tc.signal(sigma_w2=1.9, sigma_b2=0.0, activation="relu").branch == "ordered"
    assert tc.signal(sigma_w2=2.1, sigma_b2=0.0, activation="relu").branch == "chaotic"


def test_tanh_is_critical_at_sigma_w2_1_without_bias():
    """tanh: q* = 0 and chi1 = sigma_w2 tanh'(0)^2 = sigma_w2 below (1, 0) (Poole et al. 2016, Fig. 2)."""
    assert abs(tc.critical_sigma_w2(0.0, "tanh") - 1.0) < 1e-13  # quadrature rounding only
    sol = tc.signal(sigma_w2=1.0, sigma_b2=0.0, activation="tanh")
    assert abs(sol["chi1"] - 1.0) < 1e-13 and sol.branch == "critical"
    below = tc.signal(sigma_w2=0.8, sigma_b2=0.0, activation="tanh")
    assert below.order["q_star"] == 0.0 and abs(below["chi1"] - 0.8) < 1e-13
    assert tc.signal(sigma_w2=1.2, sigma_b2=0.0, activation="tanh").branch == "chaotic"


def test_erf_critical_point_is_pi_over_2():
    """erf(x/sqrt2): phi'(0)^2 = 2/pi, so the bias-free critical sigma_w2 is pi/2 (closed form)."""
    assert abs(tc.critical_sigma_w2(0.0, "erf") - math.pi / 2) < 1e-15


@pytest.mark.parametrize("sigma_b2", [0.01, 0.05, 0.1, 0.3])
def test_tanh_critical_line_matches_brute_force_quadrature(sigma_b2):
    """Critical sigma_w2 of tanh (chi1 = 1, Poole et al. 2016 eq. (7)) vs adaptive quadrature + Brent in the test."""
    w_c = tc.critical_sigma_w2(sigma_b2, "tanh")
    ref = brentq(lambda w: brute_chi1(w, sigma_b2, math.tanh, dtanh) - 1.0, 1.0, 4.0, xtol=1e-13)
    assert abs(w_c - ref) < 1e-9 * ref


def test_tanh_critical_sigma_w2_grows_with_sigma_b2_and_chi1_is_one_on_the_line():
    """Schoenholz et al. (2017), Fig. 1: the critical line rises from (1, 0); chi1 = 1 on it by definition."""
    sb = np.array([0.0, 0.02, 0.05, 0.1, 0.2, 0.3])
    sol = tc.critical(sigma_b2=sb, activation="tanh")
    w_c = sol["sigma_w2_critical"]
    assert np.all(np.diff(w_c) > 0)
    np.testing.assert_allclose(sol["chi1"], 1.0, atol=1e-11)
    for w, b in zip(w_c[1:], sb[1:]):
        s = tc.signal(sigma_w2=w, sigma_b2=b, activation="tanh")
        assert abs(s["chi1"] - 1.0) < 1e-11
        assert s["xi_c"] > 1e4  # the correlation depth scale diverges on the line


def test_critical_rejects_sign():
    """sign has chi1 = infinity everywhere (phi' is a delta function): no order-to-chaos line."""
    with pytest.raises(ParamError):
        tc.critical_sigma_w2(0.1, "sign")


# ---------------------------------------------------------------------------
# Exact maps
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("sigma_w2", [0.5, 1.0, 3.0])
def test_sign_chain_without_bias_follows_the_arcsine_map_exactly(sigma_w2):
    """sign, sigma_b2 = 0: c_{l+1} = (2/pi) arcsin(c_l) and q_l = sigma_w2 (Sheppard's formula)."""
    sol = tc.signal(sigma_w2=sigma_w2, sigma_b2=0.0, activation="sign", c0=0.9, depth=12)
    c = sol["c"]
    np.testing.assert_allclose(c[1:], (2 / np.pi) * np.arcsin(c[:-1]), rtol=0, atol=1e-15)
    np.testing.assert_allclose(sol["q"][1:], sigma_w2, rtol=1e-15)
    assert sol.order["c_star"] == 0.0 and sol.branch == "chaotic"
    assert abs(sol["chi_c"] - 2 / np.pi) < 1e-14  # slope of (2/pi) arcsin at 0


def test_relu_length_map_is_linear():
    """ReLU: q_{l+1} = sigma_w2 q_l / 2 + sigma_b2 (E relu(sqrt(q) z)^2 = q/2), q* = sigma_b2/(1 - sigma_w2/2)."""
    sol = tc.signal(sigma_w2=1.5, sigma_b2=0.1, activation="relu", q0=2.0, depth=10)
    q = sol["q"]
    np.testing.assert_allclose(q[1:], 0.75 * q[:-1] + 0.1, rtol=1e-15)
    assert abs(sol.order["q_star"] - 0.4) < 1e-15


def test_sensitivity_sign_recursion_is_li_saad():
    """Li & Saad (2018), eq. (4): with weight overlap rho, c_{l+1} = rho (2/pi) arcsin(c_l); disagreement arccos(c)/pi."""
    rho = 0.95
    sol = tc.sensitivity(sigma_w2=1.0, sigma_b2=0.0, activation="sign", c0=1.0, rho=rho, depth=8)
    c = sol["c"]
    np.testing.assert_allclose(c[1:], rho * (2 / np.pi) * np.arcsin(c[:-1]), atol=1e-15)
    np.testing.assert_allclose(sol["disagreement"], np.arccos(c) / np.pi, atol=1e-15)
    assert sol["output_disagreement"] == sol["disagreement"][-1]
    # the perturbation grows with depth toward the fixed point c* = rho (2/pi) arcsin(c*) = 0
    assert np.all(np.diff(sol["disagreement"]) > 0) and abs(sol.order["c_star"]) < 1e-14


# ---------------------------------------------------------------------------
# Closed forms and the Hermite series against quadrature
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("q,c", [(0.5, 0.3), (2.0, -0.6), (1.3, 0.95)])
def test_relu_arc_cosine_kernel_matches_quadrature(q, c):
    """Cho & Saul (2009), eq. (6), degrees 1 and 0, against nested adaptive quadrature."""
    k = tc.get_activation("relu").kernel(q)
    relu = lambda x: max(x, 0.0)  # noqa: E731
    assert abs(k.value(c) - gauss2(lambda a, b: relu(a) * relu(b), q, c)) < 1e-10
    assert abs(k.slope(c) - gauss2(lambda a, b: float(a > 0) * float(b > 0), q, c)) < 1e-10


@pytest.mark.parametrize("q,c", [(0.5, 0.3), (3.0, 0.8), (1.0, -0.5)])
def test_erf_arcsine_kernel_matches_quadrature_and_series(q, c):
    """Arcsine kernel (Williams 1998) vs nested quadrature and vs the Hermite series of erf(x/sqrt2)."""
    k = tc.get_activation("erf").kernel(q)
    phi = lambda x: erf(x / math.sqrt(2))  # noqa: E731
    dphi = lambda x: math.sqrt(2 / math.pi) * math.exp(-x * x / 2)  # noqa: E731
    assert abs(k.value(c) - gauss2(lambda a, b: phi(a) * phi(b), q, c)) < 1e-10
    assert abs(k.slope(c) - gauss2(lambda a, b: dphi(a) * dphi(b), q, c)) < 1e-10
    series = tc.SeriesActivation(lambda x: erf(x / np.sqrt(2)), "erf-series", sup_square=1.0)
    ks = series.kernel(q)
    assert abs(ks.value(c) - k.value(c)) < 1e-13 and abs(ks.slope(c) - k.slope(c)) < 1e-12
    assert abs(series.second_moment(q) - tc.get_activation("erf").second_moment(q)) < 1e-13  # sum rounding
    assert abs(series.second_moment_slope(q) - tc.get_activation("erf").second_moment_slope(q)) < 1e-13


@pytest.mark.parametrize("q,c", [(0.5, 0.4), (1.3, 0.9), (2.0, -0.3)])
def test_sign_kernel_matches_quadrature(q, c):
    """Sheppard: E sign(u1) sign(u2) = (2/pi) arcsin c, vs nested quadrature split at the kinks."""
    k = tc.get_activation("sign").kernel(q)
    assert abs(k.value(c) - gauss2(lambda a, b: float(np.sign(a) * np.sign(b)), q, c)) < 1e-10


@pytest.mark.parametrize("q,c", [(0.4, 0.3), (1.5, 0.9), (4.0, 0.6), (4.0, -0.99)])
def test_tanh_series_matches_quadrature(q, c):
    """Mehler/Price series for tanh vs nested adaptive quadrature of E phi phi and E phi' phi'."""
    act = tc.get_activation("tanh")
    k = act.kernel(q)
    assert abs(k.value(c) - gauss2(lambda a, b: math.tanh(a) * math.tanh(b), q, c)) < 1e-11
    assert abs(k.slope(c) - gauss2(lambda a, b: dtanh(a) * dtanh(b), q, c)) < 1e-11
    assert abs(act.second_moment(q) - gauss1(lambda z: math.tanh(math.sqrt(q) * z) ** 2)) < 1e-13
    # chi_q / sigma_w2 = E[phi'^2 + phi phi''] (Schoenholz et al. 2017, eq. (6))
    dd = lambda x: -2 * math.tanh(x) * dtanh(x)  # noqa: E731
    ref = gauss1(lambda z: dtanh(math.sqrt(q) * z) ** 2 + math.tanh(math.sqrt(q) * z) * dd(math.sqrt(q) * z))
    assert abs(act.second_moment_slope(q) - ref) < 1e-12


def test_chaotic_fixed_point_and_depth_scale_match_quadrature():
    """tanh at (2.5, 0.1): c* solves the c-map (Poole eq. (5)) and xi_c = -1/log chi_c (Schoenholz eq. (9))."""
    sw, sb = 2.5, 0.1
    sol = tc.signal(sigma_w2=sw, sigma_b2=sb, activation="tanh")
    q = brute_q_star(sw, sb, math.tanh)
    assert abs(sol.order["q_star"] - q) < 1e-12
    cs = sol.order["c_star"]
    assert 0 < cs < 1 and sol.branch == "chaotic"
    cmap = (sw * gauss2(lambda a, b: math.tanh(a) * math.tanh(b), q, cs) + sb) / q
    assert abs(cmap - cs) < 1e-11
    chi_c = sw * gauss2(lambda a, b: dtanh(a) * dtanh(b), q, cs)
    assert abs(sol["xi_c"] - (-1 / math.log(chi_c))) < 1e-8 * sol["xi_c"]


def test_ordered_phase_has_c_star_one_and_xi_c_from_chi1():
    """Ordered phase: c* = 1, chi_c = chi1 < 1, xi_c = -1/log chi1 (Schoenholz et al. 2017, eq. (9))."""
    sol = tc.signal(sigma_w2=1.3, sigma_b2=0.1, activation="tanh", depth=80)
    assert sol.branch == "ordered" and sol.order["c_star"] == 1.0
    assert sol["chi1"] < 1 and sol["xi_c"] == pytest.approx(-1 / math.log(sol["chi1"]), rel=1e-14)
    # the per-layer c approaches 1 as chi1^l (linearised c-map; 1 - c_60 ~ 3e-6, so the
    # quadratic correction to the ratio is ~1e-6)
    c = sol["c"]
    ratio = (1 - c[61]) / (1 - c[60])
    assert abs(ratio - sol["chi1"]) < 1e-5


def test_erf_length_map_closed_form():
    """erf(x/sqrt2): E phi(sqrt(q) z)^2 = (2/pi) arcsin(q/(1+q)) (Williams 1998) vs adaptive quadrature."""
    act = tc.get_activation("erf")
    for q in (0.1, 1.0, 7.0):
        assert abs(act.second_moment(q) - gauss1(lambda z: erf(math.sqrt(q) * z / math.sqrt(2)) ** 2)) < 1e-13


# ---------------------------------------------------------------------------
# Vectorised grid, user functions, bad input
# ---------------------------------------------------------------------------

def test_phase_diagram_grid_equals_pointwise_solutions():
    """The vectorised (sigma_w2, sigma_b2) grid reproduces the per-point solver (same equations, Schoenholz Fig. 1)."""
    w = np.array([0.9, 1.5, 2.2, 3.5])
    b = np.array([0.0, 0.05, 0.3])
    pd = tc.phase_diagram(w[:, None], b[None, :], "tanh")
    assert pd["converged"].all()
    for i, sw in enumerate(w):
        for j, sb in enumerate(b):
            s = tc.signal(sigma_w2=sw, sigma_b2=sb, activation="tanh", depth=2)
            assert s["chi1"] == pytest.approx(pd["chi1"][i, j], rel=1e-13)
            np.testing.assert_allclose(s["xi_c"], pd["xi_c"][i, j], rtol=1e-10)
            # where c* is undefined (q* = 0 without bias) the grid says nan and the solve leaves it out
            np.testing.assert_allclose(s.order.get("c_star", np.nan), pd["c_star"][i, j], rtol=1e-10, atol=1e-13)


def test_user_function_gives_the_builtin_answer():
    """A Python function goes through the Hermite series: np.tanh as a user function equals 'tanh' (the
    exact erf scale mixture) to 1e-12 at these q (< 3); erf(x/sqrt2) as a user function matches the
    arcsine closed form."""
    a = tc.signal(sigma_w2=1.8, sigma_b2=0.2, activation=np.tanh, depth=15)
    b = tc.signal(sigma_w2=1.8, sigma_b2=0.2, activation="tanh", depth=15)
    np.testing.assert_allclose(a["c"], b["c"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(a["q"], b["q"], rtol=1e-12)
    u = tc.signal(sigma_w2=2.5, sigma_b2=0.2, activation=lambda x: erf(x / np.sqrt(2)), depth=15)
    e = tc.signal(sigma_w2=2.5, sigma_b2=0.2, activation="erf", depth=15)
    np.testing.assert_allclose(u["c"], e["c"], atol=1e-12)
    np.testing.assert_allclose(u["q"], e["q"], rtol=1e-12)
    assert abs(u["xi_c"] - e["xi_c"]) < 1e-9 * e["xi_c"]


@pytest.mark.parametrize("kwargs", [
    dict(sigma_w2=-1.0), dict(activation="softplus"), dict(depth=0), dict(sigma_b2=-0.1),
    dict(c0=1.5), dict(q0=0.0), dict(depth=2.5),
])
def test_bad_input_raises_param_error(kwargs):
    """Negative variances, unknown activations, depth < 1, |c0| > 1 are refused with ParamError."""
    with pytest.raises(ParamError):
        tc.signal(**kwargs)


def test_sensitivity_rejects_bad_rho():
    """rho is a correlation: |rho| <= 1."""
    with pytest.raises(ParamError):
        tc.sensitivity(rho=1.2)
