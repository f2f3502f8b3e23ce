"""Perceptron simulations: exactness of the samplers and agreement with RS theory after N -> inf."""

import math

import numpy as np
import pytest

from replicon.compare.experiment import extrapolate
from replicon.simulate import perceptron as S
from replicon.theory import perceptron as P


def test_version_space_sampler_stays_in_the_version_space():
    """The truncated-Gaussian Gibbs sampler never leaves the cone sigma_mu J.xi_mu > 0."""
    rng = np.random.default_rng(1)
    xiT, B, sigma = S.teacher_student_data(60, 120, "spherical", rng)
    J = S._initial_solution(xiT, sigma, rng)
    S.spherical_version_space(xiT, sigma, B, J, 20, 0, 7)
    assert np.all(sigma * (J @ xiT) > 0)


def test_truncated_normal_moments():
    """The truncated normal on [1, 2] has mean (phi(1) - phi(2)) / (Phi(2) - Phi(1)) = 1.3831."""
    S._seed(3)
    from numba import njit

    @njit
    def draw(n, lo, hi):
        out = np.empty(n)
        for k in range(n):
            out[k] = S._truncnorm(lo, hi)
        return out

    x = draw(200000, 1.0, 2.0)
    phi = lambda t: math.exp(-t * t / 2) / math.sqrt(2 * math.pi)
    Phi = lambda t: 0.5 * (1 + math.erf(t / math.sqrt(2)))
    mean = (phi(1) - phi(2)) / (Phi(2) - Phi(1))
    assert x.min() >= 1.0 and x.max() <= 2.0
    assert abs(x.mean() - mean) < 4 * x.std() / math.sqrt(x.size)


def test_hebb_simulation_matches_closed_form():
    """Batch Hebb at N = 400: R within 4 standard errors of sqrt(2a/pi)/sqrt(1 + 2a/pi)."""
    m = S.simulate_rule(alpha=2.0, rule="hebb", N=400, seeds=20, seed=5)
    th = P.hebb(alpha=2.0)["R"]
    assert abs(m.mean["R"] - th) < 4 * m.sem["R"] + 1.0 / 400


def test_seeded_runs_are_reproducible():
    a = S.simulate_teacher(alpha=1.0, N=30, seeds=3, seed=11)
    b = S.simulate_teacher(alpha=1.0, N=30, seeds=3, seed=11)
    assert np.array_equal(a.samples["R"], b.samples["R"])


def test_adatron_has_larger_stability_than_perceptron_rule():
    """Maximal stability (AdaTron) generalises better than Hebb on the same data at alpha = 3."""
    h = S.simulate_rule(alpha=3.0, rule="hebb", N=100, seeds=8, seed=2)
    a = S.simulate_rule(alpha=3.0, rule="adatron", N=100, seeds=8, seed=2)
    assert a.mean["eps_g"] < h.mean["eps_g"]


def _extrapolated(alpha, T, weights, Ns, seeds, obs):
    means, sems = [], []
    for k, N in enumerate(Ns):
        m = S.simulate_teacher(alpha=alpha, T=T, weights=weights, N=N, seeds=seeds, seed=100 + k)
        means.append(m.mean[obs])
        sems.append(m.sem[obs])
    return extrapolate(Ns, means, sems)


@pytest.mark.parametrize("alpha", [0.5, 1.5, pytest.param(3.0, marks=pytest.mark.slow)])
def test_spherical_gibbs_learning_matches_rs_after_extrapolation(alpha):
    """Exact version-space sampling at N = 25, 50, 100, extrapolated linearly in 1/N, agrees with the
    RS overlap R(alpha) of Gibbs learning (Engel & Van den Broeck eq. (2.42)) within 3.5 standard errors."""
    m_inf, se = _extrapolated(alpha, 0.0, "spherical", [25, 50, 100], 16, "R")
    th = P.teacher(alpha=alpha)["R"]
    assert abs(m_inf - th) < 3.5 * se


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_ising_metropolis_matches_rs_at_finite_temperature(alpha):
    """Metropolis on Ising weights at T = 1 (where only the poor branch exists for alpha <= 2), N = 50,
    100, 200 extrapolated: R and the training error agree with the RS theory within 3.5 standard errors."""
    th = P.teacher(alpha=alpha, T=1.0, weights="ising")
    assert th.branch == "poor"
    for obs in ("R", "eps_t"):
        m_inf, se = _extrapolated(alpha, 1.0, "ising", [50, 100, 200], 12, obs)
        assert abs(m_inf - th[obs]) < 3.5 * se, obs


def test_spherical_metropolis_matches_rs_at_finite_temperature():
    """Spherical weights at T = 0.5, alpha = 2: R and eps_t against RS theory after extrapolation."""
    th = P.teacher(alpha=2.0, T=0.5)
    for obs in ("R", "eps_t"):
        m_inf, se = _extrapolated(2.0, 0.5, "spherical", [50, 100, 200], 12, obs)
        assert abs(m_inf - th[obs]) < 3.5 * se, obs


def test_bad_input():
    with pytest.raises(ValueError, match="alpha"):
        S.simulate_teacher(alpha=-1.0)
    with pytest.raises(ValueError, match="rule"):
        S.simulate_rule(rule="oja")


@pytest.mark.slow
def test_adatron_reaches_maximal_stability_theory():
    """AdaTron at N = 100, 200, 400 (alpha = 2), extrapolated in 1/N, matches the q -> 1 Gardner
    theory of maximal stability (Opper et al. 1990) within 3.5 standard errors."""
    means, sems, Ns = [], [], [100, 200, 400]
    for k, N in enumerate(Ns):
        m = S.simulate_rule(alpha=2.0, rule="adatron", N=N, seeds=10, seed=40 + k)
        means.append(m.mean["R"])
        sems.append(m.sem["R"])
    m_inf, se = extrapolate(Ns, means, sems)
    assert abs(m_inf - P.max_stability(alpha=2.0)["R"]) < 3.5 * se


@pytest.mark.parametrize("weights", ["spherical", "ising"])
def test_no_data_is_the_prior(weights):
    """alpha = 0 (the edge of the declared range): the Gibbs measure is the prior, so the student is a
    random vector: R and q vanish (within 3 standard errors, O(N^-1/2) per seed) and eps_g -> 1/2
    (arccos(0)/pi), as perceptron.teacher's theory gives at alpha = 0."""
    m = S.simulate_teacher(alpha=0.0, weights=weights, N=200, seeds=24, seed=5)
    for k in ("R", "q"):
        assert abs(m.mean[k]) < 3 * m.sem[k] + 1e-12
    assert abs(m.mean["eps_g"] - 0.5) < 3 * m.sem["eps_g"]
    sol = P.teacher(alpha=0.0, weights=weights)
    assert sol["R"] == pytest.approx(0.0, abs=1e-9) and sol["eps_g"] == pytest.approx(0.5, abs=1e-9)
    assert S.simulate_rule(alpha=0.0, rule="adatron", N=50, seeds=2).mean["eps_g"] == 0.5
