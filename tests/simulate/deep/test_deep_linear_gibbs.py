"""The blocked Gibbs sampler of deep linear networks samples the exact posterior, and its large-N
averages are the kernel-renormalisation saddle point (replicon.simulate.deep.linear).

References: the exact finite-N reference is the L-dimensional integral over the renormalisation
scalars derived in replicon/theory/deep/linear.py (Gaussian scale mixture; the structure recalled
from Li & Sompolinsky, PRX 11, 031059 (2021), whose equations I could not read).
"""

import numpy as np
import pytest

from replicon.compare.experiment import extrapolate
from replicon.registry import get
from replicon.simulate.deep.linear import gibbs_deep_linear, simulate_deep_linear, teacher_data
from replicon.theory.deep.linear import deep_linear, exact_finite_n


@pytest.mark.parametrize("L,gamma,seed", [(1, 1.5, 11), (2, 1.0, 12)])
def test_gibbs_sampler_matches_the_exact_posterior_of_one_data_set(L, gamma, seed):
    """One data set (N_0 = 30, P = 45, T = 0.2, Delta = 0.3, sigma^2 = 0.7): the chain averages of
    eps_g, train_error and every u_l agree with the exact integral over the u_l within 4 batch-means
    standard errors (autocorrelation included)."""
    rng = np.random.default_rng(seed)
    X, y, w = teacher_data(30, 1.5, 0.3, rng)
    widths = [int(round(30 / gamma))] * L
    s2 = np.full(L + 1, 0.7)
    exact = exact_finite_n(X, y, w, widths, s2, 0.2)
    chain, err = gibbs_deep_linear(X, y, w, widths, s2, 0.2, 2500, 100, rng, batches=20, return_errors=True)
    for k in ["eps_g", "train_error"] + [f"u_{l + 1}" for l in range(L)]:
        assert abs(chain[k] - exact[k]) < 4 * err[k], (k, chain[k], exact[k], err[k])


def test_simulate_through_the_registry_reports_the_observables():
    """replicon simulate deep.linear: every observable of the theory that has a finite-N estimate, over
    seeds, with standard errors; eps_g = bias + variance seed by seed."""
    m = get("deep.linear").run_simulate(L=1, alpha=1.2, gamma=2.0, T=0.2, N=20, seeds=2, sweeps=60, burn=20)
    for k in ("eps_g", "bias", "variance", "train_error", "u_1"):
        assert m.samples[k].shape == (2,)
    assert np.allclose(m.samples["eps_g"], m.samples["bias"] + m.samples["variance"])
    assert m.extra["widths"] == [10]


@pytest.mark.slow
def test_sampling_agrees_with_the_saddle_point_after_1_over_n_extrapolation():
    """Gibbs sampling at N_0 = 30, 60, 120 (10 data sets each, 300 sweeps after 60, L = 1, gamma = 2,
    alpha = 1.5, T = 0.1, Delta = 0.2, sigma^2 = 0.6) extrapolated in 1/N: eps_g, variance,
    train_error and u_1 within 3 standard errors of the theory."""
    kw = dict(L=1, alpha=1.5, gamma=2.0, sigma2=0.6, T=0.1, Delta=0.2)
    sol = deep_linear(**kw)
    Ns = [30, 60, 120]
    meas = [simulate_deep_linear(N=N, seeds=10, seed=N, sweeps=300, burn=60, **kw) for N in Ns]
    for k in ["eps_g", "variance", "train_error", "u_1"]:
        m_inf, se = extrapolate(Ns, [m.mean[k] for m in meas], [m.sem[k] for m in meas])
        assert abs(m_inf - sol[k]) < 3 * se, (k, m_inf, se, sol[k])
