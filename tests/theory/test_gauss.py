"""Gaussian toolbox against closed forms."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from replicon.theory import gauss


def test_log_H_is_accurate_far_in_the_tail():
    """log H(x) ~ -x^2/2 - log(x sqrt(2 pi)) for large x (never log of an underflowed H)."""
    x = 40.0
    assert gauss.log_H(x) == pytest.approx(-x * x / 2 - math.log(x * math.sqrt(2 * math.pi)), abs=1e-3)


@pytest.mark.parametrize("k", [0, 2, 4, 10])
def test_hermite_moments(k):
    """E z^k = (k-1)!! for even k: exact for the Gauss-Hermite rule."""
    z, w = gauss.hermite(31)
    expected = float(np.prod(np.arange(k - 1, 0, -2))) if k else 1.0
    assert np.dot(w, z ** k) == pytest.approx(expected, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(c=st.floats(-3, 3), width=st.floats(1e-6, 2.0))
def test_panel_rule_integrates_sharp_steps(c, width):
    """int Dt H(-(t - c)/width) = P(t + width z > c) = H(c/sqrt(1 + width^2)) for any centre and width."""
    t, w = gauss.panel_rule(((c, width),))
    val = np.dot(w, gauss.H(-(t - c) / width))
    assert val == pytest.approx(float(gauss.H(c / math.sqrt(1 + width ** 2))), abs=1e-12)


def test_bivariate_correlation():
    """E[z1 z2] = rho and E[z1^2 z2^2] = 1 + 2 rho^2 for a standard bivariate Gaussian."""
    z1, z2, w = gauss.hermite_2d(0.6, 21)
    assert np.dot(w, z1 * z2) == pytest.approx(0.6, abs=1e-12)
    assert np.dot(w, z1 ** 2 * z2 ** 2) == pytest.approx(1 + 2 * 0.36, abs=1e-12)
