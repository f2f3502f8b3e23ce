"""Compiled orthant probabilities (replicon/theory/orthant.py) against the Owen-T array path of channels.py."""

import numba as nb
import numpy as np
import pytest

from replicon.theory import orthant as O
from replicon.theory.channels import _majority_compiled, bvn_cdf, majority_prob


@nb.njit(cache=True)
def _bvn_many(h, k, r):
    s, g, w = O.bvn_rule(r)
    out = np.empty(h.size)
    for i in range(h.size):
        out[i] = O._bvn(h[i], k[i], s, g, w)
    return out


def test_bivariate_rule_equals_owens_t_over_its_range():
    """Genz's asin-form integral with 6/12/20 Gauss-Legendre nodes (switching at |r| = 0.3, 0.75) equals
    Owen's-T closed form (Owen 1956 eq. 3.1, scipy) to 1e-14 for |r| <= 0.925, including both sides of
    each switch."""
    rng = np.random.default_rng(1)
    h, k = rng.normal(size=4000) * 3, rng.normal(size=4000) * 3
    h[:10] = 0.0
    for r in np.concatenate([np.linspace(-0.925, 0.925, 38), [0.2999, -0.3, 0.7499, -0.75]]):
        np.testing.assert_allclose(_bvn_many(h, k, r), bvn_cdf(h, k, r), rtol=0, atol=1e-14)


@pytest.mark.parametrize("c", [-0.49, -0.2, 0.0, 0.45, 0.8])
def test_compiled_majority_equals_the_array_path(c):
    """P(majority of three signs) and its mean-gradient for a shared covariance: compiled = array path."""
    cov = np.array([[1.0, c, 0.8 * c], [c, 1.5, c], [0.8 * c, c, 0.7]])
    m = np.random.default_rng(2).normal(size=(3000, 3)) * 2
    P0, G0 = majority_prob(m, cov, compiled=False)
    P1, G1 = majority_prob(m, cov)
    np.testing.assert_allclose(P1, P0, rtol=0, atol=1e-14)
    np.testing.assert_allclose(G1, G0, rtol=0, atol=1e-14)
    P2, G2 = majority_prob(m, cov, grad=False)
    np.testing.assert_array_equal(P2, P1)
    assert G2 is None


def test_correlations_beyond_the_rule_fall_back_to_owens_t():
    corr = np.array([[1.0, 0.95, 0.2], [0.95, 1.0, 0.1], [0.2, 0.1, 1.0]])
    assert _majority_compiled(np.zeros((2, 3)), corr, np.ones(3), True) == (None, None)
    P, _ = majority_prob(np.zeros((1, 3)), corr)
    P0, _ = majority_prob(np.zeros((1, 3)), corr, compiled=False)
    assert P[0] == P0[0]
