"""dmft.glm with the spherical constraint |w|^2 = N (a Lagrange multiplier per step)."""

import numpy as np
import pytest
from scipy.optimize import brentq

from replicon.theory.dmft import dmft_glm, sampled_sweep, square_closure
from replicon.theory.erm import erm_glm


@pytest.mark.parametrize("data, Delta", [("teacher", 0.5), ("mixture", 0.5)])
def test_spherical_gradient_descent_ends_on_the_ridge_of_unit_norm(data, Delta):
    """Square loss without ridge, alpha = 2: the unconstrained minimiser has |w|^2/N > 1, so GD on the
    sphere converges to the ridge estimator whose lam* makes q = 1 (found here by root-finding on
    erm.glm), and the Lagrange multiplier converges to lam* (both 1e-6): an independent static check."""
    kw = dict(alpha=2.0, data=data, teacher="linear", Delta=Delta, loss="square")
    sol = dmft_glm(algorithm="gd", lam=0.0, dt=0.2, t_max=80.0, spherical=True, q0=1.0, **kw)
    assert np.max(np.abs(sol["q"] - 1.0)) < 1e-12
    lam_star = brentq(lambda lam: erm_glm(lam=lam, **kw)["q"] - 1.0, 1e-3, 20.0, xtol=1e-13)
    erm = erm_glm(lam=lam_star, **kw)
    assert sol["lagrange_final"] == pytest.approx(lam_star, abs=1e-6)
    for name in ("m", "train_loss", "test_error"):
        assert sol[name + "_final"] == pytest.approx(erm[name], abs=1e-6), name


@pytest.mark.parametrize("mixture", [False, True])
def test_sampled_spherical_sweep_reproduces_the_closure(mixture):
    alpha, lam, eta, K, m0, b0, Delta = 2.0, 0.1, 0.2, 30, 0.6, 0.8, 0.5
    exact = square_closure(alpha, lam, eta, K, 1 + Delta, 1.0, m0, b0, cluster_variance=Delta if mixture else None,
                           spherical=True)
    runs = [sampled_sweep(alpha, lam, eta, K, 0, False, Delta, m0, b0, 0.0, 1.0, 0.0, 0.0, 4000, s, mixture, 0, True)
            for s in range(8)]
    for i, ref in ((0, exact["m"]), (3, np.diag(exact["M_C"])), (6, exact["norm"])):
        est = np.array([r[i] if i != 3 else np.diag(r[i]) for r in runs])
        z = (est.mean(0)[1:K] - ref[1:K]) / (est.std(0, ddof=1)[1:K] / np.sqrt(len(runs)))
        assert np.max(np.abs(z)) < 4.0, (i, z)
    assert np.max(np.abs(np.diag(runs[0][1]) - 1.0)) < 1e-12
