"""Claims about the erf layer of deep.glm, phi(z) = erf(z/sqrt 2) (replicon.theory.deep.layers.erf_moments).

Evidence: a brute-force tensor rule written here in the original variables (xi, z_0 = omega + sqrt(V) u,
eta) with a dense uniform grid for the inner integral, independent of the module's Nishimori rewriting
and adapted panels; the exact identities of a Gaussian channel (d E ln Z/dA' = E<r>^2/2,
d E ln Z/dq = E g^2/2); closed forms at A' = 0; the small-weights limit (erf(z/sqrt 2) ~ sqrt(2/pi) z: the
linear channel of slope sqrt(2/pi)); and, for whole chains, the I-MMSE relation. No published values.
"""

import numpy as np
import pytest
from scipy.special import erf, logsumexp

from replicon._util import ParamError
from replicon.theory.deep import layers
from replicon.theory.deep.glm import deep_glm


def brute_force_erf_moments(q, V, Ap, n=48, n_s=1500):
    """(E<r>^2, E g^2, E ln Z) over Gauss-Hermite (xi, u, eta) of order n, Z on a uniform grid of n_s points in s."""
    x, w = np.polynomial.hermite_e.hermegauss(n)
    w = w / np.sqrt(2 * np.pi)
    s = np.linspace(-12.0, 12.0, n_s)
    log_ws = -0.5 * s * s - 0.5 * np.log(2 * np.pi) + np.log(s[1] - s[0])
    out = np.zeros(3)
    for xi, wxi in zip(x, w):
        omega = np.sqrt(q) * xi
        r_s = erf((omega + np.sqrt(V) * s) / np.sqrt(2))
        B = Ap * erf((omega + np.sqrt(V) * x) / np.sqrt(2))[:, None] + np.sqrt(Ap) * x[None, :]
        e = log_ws + B[..., None] * r_s - 0.5 * Ap * r_s ** 2
        log_z = logsumexp(e, axis=2)
        p = np.exp(e - log_z[..., None])
        r_hat, g = (p * r_s).sum(2), (p * s).sum(2) / np.sqrt(V)
        W = wxi * w[:, None] * w[None, :]
        out += [np.sum(W * r_hat ** 2), np.sum(W * g ** 2), np.sum(W * log_z)]
    return out


@pytest.mark.parametrize("q, V, Ap, tol, n, n_s", [
    (0.5, 0.5, 1.0, 1e-7, 24, 400),
    pytest.param(0.3, 0.7, 30.0, 1e-7, 48, 1500, marks=pytest.mark.slow),
    pytest.param(0.9, 0.1, 5.0, 5e-6, 48, 1500, marks=pytest.mark.slow),
    pytest.param(0.05, 0.95, 100.0, 5e-6, 48, 1500, marks=pytest.mark.slow)])
def test_erf_layer_equals_brute_force_tensor_quadrature(q, V, Ap, tol, n, n_s):
    """The erf layer's three moments equal the brute-force tensor rule (slow cases: order 48, 1500 inner
    points, ~25 s each; seen: 4e-11, 2e-9, 2e-6, 3e-6 apart; the default case at order 24 / 400: 1.5e-8)."""
    ref = brute_force_erf_moments(q, V, Ap, n, n_s)
    assert np.allclose(layers.layer_moments("erf", q, q + V, Ap), ref, atol=tol, rtol=0)


@pytest.mark.parametrize("q, rho, Ap", [(0.4, 1.0, 2.0), (0.2, 1.0, 20.0), (0.8, 1.3, 6.0)])
def test_erf_layer_obeys_the_gaussian_channel_identities(q, rho, Ap):
    """d E ln Z / dA' = E<r>^2 / 2 and d E ln Z / dq = E (d_omega ln Z)^2 / 2 (rho fixed), by central
    differences (step 1e-3): relative 1e-6. These tie the three moments to each other."""
    m = lambda q_, a_: layers.layer_moments("erf", q_, rho, a_)   # noqa: E731
    er2, eg2, _ = m(q, Ap)
    h = 1e-3
    d_a = (m(q, Ap * (1 + h))[2] - m(q, Ap * (1 - h))[2]) / (2 * Ap * h)
    d_q = (m(q + h, Ap)[2] - m(q - h, Ap)[2]) / (2 * h)
    assert d_a == pytest.approx(er2 / 2, rel=1e-6)
    assert d_q == pytest.approx(eg2 / 2, rel=1e-6)


@pytest.mark.parametrize("q, Ap", [(0.5, 0.2), (0.3, 30.0), (0.99, 5.0), (0.05, 100.0)])
def test_erf_quadrature_is_converged(q, Ap, monkeypatch):
    """Doubling every order of the erf rule (and halving the t panels) changes the moments by < 3e-6
    (seen: 4e-9 .. 2.6e-6)."""
    base = np.array(layers.layer_moments("erf", q, 1.0, Ap))
    for name in ("N_GH_ERF", "N_GL_ERF", "N_GL_ERF_T"):
        monkeypatch.setattr(layers, name, 2 * getattr(layers, name))
    monkeypatch.setattr(layers, "ERF_T_PANEL", layers.ERF_T_PANEL / 2)
    assert np.max(np.abs(np.array(layers.layer_moments("erf", q, 1.0, Ap)) - base)) < 3e-6


def test_erf_with_small_weights_is_the_linear_channel_of_slope_sqrt_2_over_pi():
    """rho -> 0 (small weights), A' rho fixed: the erf layer's moments tend to the linear layer's with
    r = sqrt(2/pi) z (E<r>^2 scaled by 2/pi, SNR A' 2/pi); the relative deviation is O(rho): < 2e-3 at
    rho = 1e-3 and 8..12 times smaller than at rho = 1e-2 (seen 1.2e-3, ratio 9.9)."""
    slope2 = 2.0 / np.pi

    def deviation(eps):
        q, rho, Ap = 0.4 * eps, eps, 2.0 / eps
        e = np.array(layers.layer_moments("erf", q, rho, Ap))
        lin = np.array(layers.linear_moments(q, rho - q, Ap * slope2))
        lin[0] *= slope2
        return np.max(np.abs(e - lin) / np.abs(lin))

    small, larger = deviation(1e-3), deviation(1e-2)
    assert small < 2e-3
    assert 8 < larger / small < 12


def test_erf_layer_without_information_from_above_and_second_moment():
    """A' = 0: <r> = erf(omega/sqrt(2(1 + V))), no Fisher information, E ln Z = 0; E erf(z/sqrt 2)^2 =
    (2/pi) arcsin(rho/(1 + rho)) for z ~ N(0, rho); both against Gauss-Hermite of order 200 (1e-12)."""
    x, w = np.polynomial.hermite_e.hermegauss(200)
    w = w / np.sqrt(2 * np.pi)
    assert layers.activation_second_moment("erf", 0.7) == pytest.approx(np.dot(w, erf(np.sqrt(0.7) * x / np.sqrt(2)) ** 2),
                                                                         abs=1e-12)
    q, V = 0.4, 0.6
    # E_omega E[phi(z)|omega]^2, the inner mean by Gauss-Hermite over z ~ N(omega, V)
    inner = erf((np.sqrt(q) * x[:, None] + np.sqrt(V) * x[None, :]) / np.sqrt(2)) @ w
    er2, eg2, elog = layers.layer_moments("erf", q, q + V, 0.0)
    assert er2 == pytest.approx(np.dot(w, inner ** 2), abs=1e-12)
    assert eg2 == 0.0 and elog == 0.0


@pytest.mark.slow
def test_i_mmse_on_an_erf_chain():
    """(Slow: ~6 solves of 3-10 s.) x_0 -> erf (alpha 1.5) -> erf + noise 0.2 (alpha 0.8):
    d mi_0/d(1/Delta) = (n_L/n_0) mse_L/2 by central differences of the reported mi_0: relative 1e-5."""
    al, D, h = [1.5, 0.8], 0.2, 1e-3
    mi = lambda d: deep_glm(alphas=al, activations="erf", noise=d)["mi_0"]   # noqa: E731
    deriv = (mi(1 / (1 / D + h)) - mi(1 / (1 / D - h))) / (2 * h)
    sol = deep_glm(alphas=al, activations="erf", noise=D)
    assert deriv == pytest.approx(0.5 * np.prod(al) * sol["mse_2"], rel=1e-5)


def test_erf_output_needs_noise():
    """A noiseless erf output has no density: a one-line ParamError naming what is allowed."""
    with pytest.raises(ParamError, match="needs noise > 0"):
        deep_glm(alphas=[1.0], activations="erf", noise=0.0)
