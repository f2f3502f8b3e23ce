"""Monte Carlo of deep trees (issue 15): incremental fields, the one-layer sampler, theory at 1/N -> 0."""

import numpy as np
import pytest

from replicon.simulate.committee.deep import simulate_deep
from replicon.simulate.committee.monte_carlo import simulate_tree


def test_incremental_fields_match_a_recomputation():
    """After 40 sweeps of O(P) updates the fields of every first-layer unit equal J.xi recomputed
    from scratch (independent code path) to 1e-9, for majority and parity, spherical and Ising."""
    for output, weights in (("majority", "spherical"), ("parity", "ising")):
        br = "3,3" if output == "majority" else "2,2"
        m = simulate_deep(br, output, alpha=1.0, T=0.5, weights=weights, N=36, seeds=2, sweeps=20, burn=20)
        assert np.max(m.samples["field_drift"]) < 1e-9


def test_one_layer_sampler_agrees_with_the_tree_sampler():
    """Branching 3: eps_t and R of this sampler and of committee.gibbs's (independent kernels) agree within
    4 combined standard errors (alpha = 1, T = 0.5, N = 90)."""
    a = simulate_deep("3", alpha=1.0, T=0.5, N=90, seeds=6, sweeps=60, burn=60, seed=1)
    b = simulate_tree(3, alpha=1.0, T=0.5, N=90, seeds=6, sweeps=60, burn=60, seed=2)
    for k in ("eps_t", "R"):
        assert abs(a.mean[k] - b.mean[k]) < 4 * np.hypot(a.sem[k], b.sem[k])


@pytest.mark.slow
@pytest.mark.parametrize("alpha,T", [(2.0, 0.5), (1.0, 1.0)])
def test_two_layer_tree_monte_carlo_extrapolates_to_theory(alpha, T):
    """Branching 3,3, spherical: eps_t and R at N = 90, 180, 360 extrapolated linearly in 1/N agree with the
    RS theory within 3 standard errors of the extrapolation."""
    from replicon.theory.committee.deep import deep
    th = deep("3,3", alpha=alpha, T=T, replicon=False)
    Ns = np.array([90, 180, 360])
    for k in ("eps_t", "R"):
        ys, ss = [], []
        for N in Ns:
            m = simulate_deep("3,3", alpha=alpha, T=T, N=int(N), seeds=12, sweeps=200, burn=200, seed=int(N))
            ys.append(m.mean[k])
            ss.append(m.sem[k])
        X = np.vstack([np.ones(3), 1.0 / Ns]).T
        Wt = np.diag(1.0 / np.array(ss) ** 2)
        cov = np.linalg.inv(X.T @ Wt @ X)
        coef = cov @ X.T @ Wt @ np.array(ys)
        assert abs(coef[0] - th[k]) < 3 * np.sqrt(cov[0, 0]), (k, coef[0], np.sqrt(cov[0, 0]), th[k])
