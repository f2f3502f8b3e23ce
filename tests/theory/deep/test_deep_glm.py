"""Claims about the linear multi-layer GLM (replicon.theory.deep.glm): the Gaussian channel over the
spectrum of a product of Gaussian matrices.

Sources: the MI formula I = 1/2 <log(1 + lambda/Delta)> over the spectrum of the product (Gabrie et
al., NeurIPS 2018; Tulino & Verdu 2004) is recalled, not read; the product's Stieltjes recursion is
derived in the module docstring. Checks: the one-layer Marchenko-Pastur closed form (independent code
in theory/deep/spectra.py), sampled matrices at finite n extrapolated in 1/n, and bad input.
"""

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.compare.experiment import extrapolate
from replicon.simulate.deep.glm import simulate_deep_glm
from replicon.theory.deep.glm import deep_glm, linear_chain_mutual_information, product_stieltjes
from replicon.theory.deep.spectra import mp_log_det, mp_stieltjes_negative


@pytest.mark.parametrize("alpha", [0.4, 1.0, 2.5])
def test_one_layer_is_marchenko_pastur(alpha):
    """L = 1: mse_0 = Delta s_MP(-Delta) (closed-form Stieltjes transform of W^T W/n_0, ratio alpha) and
    I = (1/2)(<log(lambda + Delta)> - log Delta) by the MP quadrature rule: both to 1e-10."""
    D = 0.3
    sol = deep_glm(alphas=[alpha], noise=D)
    assert sol["mse_0"] == pytest.approx(D * float(mp_stieltjes_negative(D, alpha)), rel=1e-10)
    assert sol["mi_0"] == pytest.approx(0.5 * (float(mp_log_det(D, alpha)) - np.log(D)), rel=1e-9)


def test_square_identity_like_limits():
    """Very wide intermediate layers (alpha_1 = 1e4, alpha_2 = 1e-4): the product tends to one layer of
    ratio alpha_1 alpha_2 = 1 normalised (the n_1-dimensional middle layer averages out): m_L -> MP."""
    w = 0.7
    m_two, _ = product_stieltjes(w, [1e4, 1e-4])
    assert m_two == pytest.approx(float(mp_stieltjes_negative(w, 1.0)), rel=2e-3)


def test_product_spectrum_against_sampled_matrices():
    """Three layers (alphas 2, 0.5, 1.5), Delta = 0.2: mse_0 and mi_0 of sampled products at
    n_0 = 60, 120, 240 (6 draws each), extrapolated in 1/n, within 3 standard errors (+2e-4)."""
    sol = deep_glm(alphas=[2.0, 0.5, 1.5], noise=0.2)
    Ns = [60, 120, 240]
    ms = [simulate_deep_glm(N=N, seeds=6, seed=N, alphas=[2.0, 0.5, 1.5], noise=0.2, method="exact") for N in Ns]
    for k in ("mse_0", "mi_0"):
        m_inf, se = extrapolate(Ns, [m.mean[k] for m in ms], [m.sem[k] for m in ms])
        assert abs(m_inf - sol[k]) < 3 * se + 2e-4, (k, m_inf, se, sol[k])


def test_mutual_information_grows_with_signal_to_noise_and_obeys_i_mmse():
    """dI/d(1/Delta) = (1 - mse_0) Delta / 2 (the I-MMSE relation), by finite differences on the
    reported numbers, for a two-layer chain."""
    al = [1.5, 0.8]
    D, h = 0.4, 1e-4
    i_plus = linear_chain_mutual_information(1 / (1 / D + h), al)
    i_minus = linear_chain_mutual_information(1 / (1 / D - h), al)
    mse = deep_glm(alphas=al, noise=D)["mse_0"]
    assert (i_plus - i_minus) / (2 * h) == pytest.approx((1 - mse) * D / 2, rel=1e-6)


def test_bad_input_names_what_is_allowed():
    with pytest.raises(ParamError, match="must all be > 0"):
        deep_glm(alphas=[1.0, 0.0])
    with pytest.raises(ParamError, match="implemented: linear, sign, relu"):
        deep_glm(alphas=[1.0], activations="tanh")
    with pytest.raises(ParamError, match="implemented: gaussian, binary, sparse"):
        deep_glm(alphas=[1.0], prior="laplace")
    with pytest.raises(ParamError, match="one per layer"):
        deep_glm(alphas=[1.0, 2.0], activations="linear,linear,linear")
    with pytest.raises(ParamError, match="needs activations=sign"):
        deep_glm(alphas=[1.0], activations="relu", noise=0.0)
    with pytest.raises(ParamError, match="rho"):
        deep_glm(alphas=[1.0], prior="sparse", rho=0.0)
    with pytest.raises(ParamError, match="list of 2 values >= 0"):
        deep_glm(alphas=[1.0, 1.0], noise=[0.1, -0.1])
