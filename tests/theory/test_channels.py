"""Majority vote of correlated Gaussian fields (replicon.theory.channels)."""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import multivariate_normal, norm

from replicon._util import ParamError
from replicon.theory.channels import bvn_cdf, majority_prob, tvn_cdf


def _random_cov(rng):
    A = rng.normal(size=(3, 3))
    return A @ A.T + 0.1 * np.eye(3)


def _equicorrelated(c, var=1.0):
    return var * ((1 - c) * np.eye(3) + c * np.ones((3, 3)))


def test_K1_is_the_normal_cdf():
    """K = 1: the majority of one field is its sign, P = Phi(m/s), dP/dm = phi(m/s)/s."""
    m = np.linspace(-3, 3, 7)[:, None]
    P, dP = majority_prob(m, [[0.49]])
    np.testing.assert_allclose(P, norm.cdf(m[:, 0] / 0.7), atol=1e-15)
    np.testing.assert_allclose(dP[:, 0], norm.pdf(m[:, 0] / 0.7) / 0.7, atol=1e-15)


def test_independent_fields_give_the_binomial_majority():
    """Independent fields (diagonal cov): P = p1 p2 + p1 p3 + p2 p3 - 2 p1 p2 p3, p_k = Phi(m_k/s_k)."""
    rng = np.random.default_rng(0)
    m = rng.normal(size=(20, 3)) * 2
    var = np.array([0.3, 1.0, 2.5])
    p = norm.cdf(m / np.sqrt(var))
    ref = p[:, 0] * p[:, 1] + p[:, 0] * p[:, 2] + p[:, 1] * p[:, 2] - 2 * p.prod(axis=1)
    P, _ = majority_prob(m, np.diag(var))
    np.testing.assert_allclose(P, ref, atol=1e-14)


@pytest.mark.parametrize("c", [-0.49, -0.3, 0.4, 0.9])
def test_zero_mean_closed_forms(c):
    """Zero means, equal correlations c: P = 1/2 by symmetry, and dP/dm_k = phi(0) P(z_i z_j < 0 | z_k = 0)
    = phi(0) (1/2 - arcsin(c_ij.k)/pi) with the partial correlation c_ij.k = c/(1 + c) (Sheppard's formula)."""
    P, dP = majority_prob(np.zeros((1, 3)), _equicorrelated(c))
    assert P[0] == pytest.approx(0.5, abs=1e-14)
    ref = (0.5 - math.asin(c / (1 + c)) / math.pi) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(dP[0], ref, atol=1e-14)


def test_trivariate_orthant_matches_adaptive_quadrature():
    """Plackett's 1-D integral for Phi_3 equals an independent 1-D form (condition on X_1, adaptive quad of
    the conditional bivariate cdf) to 1e-10, down to correlations -0.49 (det R = 0.044) and 0.9."""
    rng = np.random.default_rng(1)
    cases = [_equicorrelated(-0.49), _equicorrelated(0.9)]
    for _ in range(2):
        C = _random_cov(rng)
        d = np.sqrt(np.diag(C))
        cases.append(C / np.outer(d, d))
    for R in cases:
        b = rng.normal(size=(6, 3)) * 1.5
        r12, r13, r23 = R[0, 1], R[0, 2], R[1, 2]
        s2, s3 = math.sqrt(1 - r12 ** 2), math.sqrt(1 - r13 ** 2)
        rc = (r23 - r12 * r13) / (s2 * s3)
        ref = [quad(lambda x: norm.pdf(x) * bvn_cdf((bb[1] - r12 * x) / s2, (bb[2] - r13 * x) / s3, rc),
                    -np.inf, bb[0], epsabs=1e-14, epsrel=1e-13, limit=200)[0] for bb in b]
        np.testing.assert_allclose(tvn_cdf(b, R), ref, atol=1e-10)


def test_majority_matches_scipy_orthant_sums():
    """P(maj +) = sum over the four sign patterns with >= 2 positive fields of scipy's multivariate normal
    cdf (Genz's quasi Monte Carlo at its tightest setting: ~1e-6 on a sum of four), random means and covariances."""
    rng = np.random.default_rng(2)
    for trial in range(2):
        cov = _random_cov(rng) if trial else _equicorrelated(-0.45, 0.7)
        m = rng.normal(size=(2, 3))
        P, _ = majority_prob(m, cov)
        for mu, p in zip(m, P):
            ref = 0.0
            for s in ((1, 1, 1), (1, 1, -1), (1, -1, 1), (-1, 1, 1)):
                S = np.diag(s)
                ref += multivariate_normal(mean=-S @ mu, cov=S @ cov @ S, abseps=1e-10, releps=1e-10,
                                           maxpts=400_000).cdf(np.zeros(3))
            assert p == pytest.approx(ref, abs=2e-6)


def test_majority_matches_monte_carlo():
    """Direct sampling of z ~ N(mean, cov), 2 10^6 draws: P within 4 standard errors."""
    rng = np.random.default_rng(3)
    cov = _equicorrelated(-0.4, 0.5) + 0.05 * np.diag([1.0, 2.0, 3.0])
    mean = np.array([[0.3, -0.2, 0.1]])
    z = rng.multivariate_normal(mean[0], cov, size=2_000_000)
    hits = np.sign(z).sum(axis=1) > 0
    P, _ = majority_prob(mean, cov)
    se = math.sqrt(P[0] * (1 - P[0]) / len(z))
    assert abs(hits.mean() - P[0]) < 4 * se


def test_gradient_matches_finite_differences():
    """dP/dmean (closed form, conditional orthants) equals central differences of P to 1e-8."""
    rng = np.random.default_rng(4)
    for cov in (_random_cov(rng), _equicorrelated(-0.45), _equicorrelated(0.8, 2.0)):
        m = rng.normal(size=(10, 3)) * 1.5
        _, dP = majority_prob(m, cov)
        h = 1e-5
        for k in range(3):
            e = np.zeros(3)
            e[k] = h
            fd = (majority_prob(m + e, cov, grad=False)[0] - majority_prob(m - e, cov, grad=False)[0]) / (2 * h)
            np.testing.assert_allclose(dP[:, k], fd, atol=1e-8)


def test_label_flip_symmetry_and_per_row_covariances():
    """P(-mean) = 1 - P(mean) (no ties for K = 3); a (n, 3, 3) stack of covariances gives the same
    rows as one shared covariance at a time."""
    rng = np.random.default_rng(5)
    covs = np.array([_random_cov(rng) for _ in range(4)])
    m = rng.normal(size=(4, 3))
    P, dP = majority_prob(m, covs)
    Pm, dPm = majority_prob(-m, covs)
    np.testing.assert_allclose(P + Pm, 1.0, atol=1e-12)
    np.testing.assert_allclose(dP, dPm, atol=1e-12)
    for i in range(4):
        Pi, dPi = majority_prob(m[i:i + 1], covs[i])
        assert Pi[0] == pytest.approx(P[i], abs=1e-13)
        np.testing.assert_allclose(dPi[0], dP[i], atol=1e-13)


def test_bad_input_is_rejected():
    with pytest.raises(ParamError, match="K = 1 or 3"):
        majority_prob(np.zeros((2, 2)), np.eye(2))
    with pytest.raises(ParamError, match="cov must have shape"):
        majority_prob(np.zeros((2, 3)), np.eye(2))
    with pytest.raises(ParamError, match="positive variances"):
        majority_prob(np.zeros((2, 3)), np.zeros((3, 3)))
