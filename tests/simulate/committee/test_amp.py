"""Committee AMP at finite N against its state evolution (replicon.theory.committee.state_evolution)."""

import math

import numpy as np
import pytest

from replicon.simulate.committee.amp import committee_amp, output_gradient
from replicon.theory.committee.bayes import channel, state_evolution


@pytest.mark.parametrize("K,prior,alpha", [(1, "gaussian", 1.5), (2, "gaussian", 1.5), (2, "binary", 1.2),
                                           pytest.param(3, "gaussian", 2.0, marks=pytest.mark.slow),
                                           pytest.param(3, "binary", 2.0, marks=pytest.mark.slow)])
def test_amp_follows_state_evolution_iteration_by_iteration(K, prior, alpha):
    """Aubin et al. 2018 sec. 4: the overlaps of committee AMP follow state evolution (the RS map
    iterated from q = 0) at every iteration. N = 2000, 4 instances: the allowance is 3 standard
    errors plus 1/sqrt(N), the size of one instance's O(N^-1/2) fluctuation of q (which does not
    average out at a fixed, finite number of instances when the bias is O(1/N) and the spread O(N^-1/2))."""
    N, n_iter = 2000, 6
    m = committee_amp(N=N, alpha=alpha, K=K, prior=prior, n_iter=n_iter, seeds=4, seed=3)
    se = state_evolution(alpha, K, prior, n_iter=n_iter)
    if K == 1:
        pairs = [("q", se[:, 0, 0]), ("m", se[:, 0, 0])]
    else:
        qd = np.trace(se, axis1=1, axis2=2) / K - se[:, 0, 1]
        pairs = [("q_a", K * se[:, 0, 1]), ("q_d", qd)]
    for key, ref in pairs:
        dev = np.abs(m.mean[key] - ref)[1:]
        assert np.all(dev < 3 * m.sem[key][1:] + 1 / math.sqrt(N)), (key, dev)
    if K >= 2:
        # Nishimori: the teacher overlap equals the self-overlap (uniform part, q_a = K m_12)
        dev = np.abs(K * m.mean["m_off"] - m.mean["q_a"])[1:]
        assert np.all(dev < 3 * m.sem["q_a"][1:] + 1 / math.sqrt(N))


def test_state_evolution_converges_to_the_rs_fixed_point():
    """State evolution from q = 0 ends on committee.bayes' non-specialised fixed point below alpha_spec."""
    from replicon.theory.committee.bayes import bayes
    se = state_evolution(1.5, 2, "gaussian", n_iter=60)
    sol = bayes(K=2, alpha=1.5)
    assert sol.branch == "nonspecialised"
    assert 2 * se[-1, 0, 1] == pytest.approx(sol["q_a"], abs=1e-8)


@pytest.mark.parametrize("ties", ["zero", "plus"])
def test_amp_output_gradient_matches_theory_channel(ties):
    """The AMP kernel's g_out equals grad ln Z_out of the theory channel (independent implementations)."""
    rng = np.random.default_rng(0)
    V = np.array([[0.5, -0.2], [-0.2, 0.6]])
    omega = rng.normal(size=(50, 2))
    Z, G = channel(omega, V, ties)
    labels = (1.0, -1.0, 0.0) if ties == "zero" else (1.0, -1.0)
    for i, y in enumerate(labels):
        g = output_gradient(np.full(50, y), omega, V, ties)
        np.testing.assert_allclose(g, G[i] / Z[i][:, None], rtol=1e-10, atol=1e-12)


@pytest.mark.slow
def test_amp_majority_channel_matches_theory_majority():
    """K = 3: the AMP kernel's g_out (trivariate orthant by conditioning on z_1) equals grad ln Z_out of the
    theory channel (replicon.theory.channels: Plackett's integral), for a general 3 x 3 covariance."""
    rng = np.random.default_rng(1)
    V = np.array([[0.6, -0.2, -0.1], [-0.2, 0.5, -0.15], [-0.1, -0.15, 0.7]])
    omega = rng.normal(size=(60, 3)) * 1.5
    Z, G = channel(omega, V)
    for i, y in enumerate((1.0, -1.0)):
        g = output_gradient(np.full(60, y), omega, V)
        np.testing.assert_allclose(g, G[i] / Z[i][:, None], rtol=1e-9, atol=1e-11)
