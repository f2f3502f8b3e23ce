"""dmft.glm on the two-cluster Gaussian mixture (data=mixture; Mignacco, Krzakala, Urbani &
Zdeborova, NeurIPS 2020, arXiv:2006.06098): x = y v/sqrt N + sqrt(Delta) z, y = +-1.

Checks: the first GD step by hand; the sampled sweep against the square-loss closure (two
estimators of Gamma, mu and M_C); gradient flow's long-time limit on the erm.glm mixture point
(an independent static computation: proximal RS equations)."""

import math

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.theory.dmft import dmft_glm, sampled_sweep, square_closure
from replicon.theory.erm import erm_glm


@pytest.mark.parametrize("loss, c", [("square", 1.0), ("logistic", 0.5)])
def test_first_gd_step_from_zero_is_hebb(loss, c):
    """From w(0) = 0, loss'(y, 0) = -c y: w(1) = eta c sum_mu y_mu x_mu / sqrt N, so m(1) = eta c alpha and
    q(1) = (eta c)^2 (alpha^2 + alpha Delta) at large N (derived by hand)."""
    alpha, Delta, eta = 1.5, 0.7, 0.3
    sol = dmft_glm(alpha=alpha, data="mixture", Delta=Delta, loss=loss, lam=0.2, algorithm="gd", dt=eta,
                   t_max=2 * eta, samples=2000, groups=2)
    assert sol["m"][1] == pytest.approx(eta * c * alpha, abs=1e-12)
    assert sol["q"][1] == pytest.approx((eta * c) ** 2 * (alpha ** 2 + alpha * Delta), abs=1e-12)


def test_sampled_mixture_sweep_reproduces_the_closure():
    alpha, lam, eta, K, m0, b0, Delta = 2.0, 0.1, 0.2, 30, 0.1, 0.6, 0.5
    exact = square_closure(alpha, lam, eta, K, 1.0, 1.0, m0, b0, cluster_variance=Delta)
    runs = [sampled_sweep(alpha, lam, eta, K, 0, True, Delta, m0, b0, 0.0, 1.0, 0.0, 0.0, 4000, s, True, 0, False)
            for s in range(8)]
    for i, ref in ((0, exact["m"]), (3, np.diag(exact["M_C"])), (1, np.diag(exact["C"]))):
        est = np.array([r[i] if i == 0 else np.diag(r[i]) for r in runs])
        z = (est.mean(0)[1:] - ref[1:]) / (est.std(0, ddof=1)[1:] / math.sqrt(len(runs)))
        assert np.max(np.abs(z)) < 4.0, (i, z)


@pytest.mark.parametrize("alpha, Delta, lam", [(2.0, 0.5, 0.5), (0.6, 1.0, 0.2)])
def test_square_gradient_flow_lands_on_the_erm_mixture_point(alpha, Delta, lam):
    sol = dmft_glm(alpha=alpha, data="mixture", Delta=Delta, loss="square", lam=lam, algorithm="gf", dt=0.2,
                   t_max=80.0)
    erm = erm_glm(alpha=alpha, data="mixture", Delta=Delta, loss="square", lam=lam)
    for name in ("m", "q", "train_loss", "train_error", "test_loss", "test_error"):
        assert sol[name + "_final"] == pytest.approx(erm[name], abs=1e-6), name


@pytest.mark.slow
def test_logistic_gradient_flow_lands_on_the_erm_mixture_point():
    """Convex loss: the sampled DMFT at t = 10 (lam = 1: converged to 1e-7 per step) on the erm.glm
    mixture point within its sampling error (seen: |z| <= 1.2 for all six with 8 x 8000 examples)."""
    kw = dict(alpha=2.0, data="mixture", Delta=0.5, loss="logistic", lam=1.0)
    sol = dmft_glm(algorithm="gf", dt=0.25, t_max=10.0, samples=8000, groups=8, seed=11, **kw)
    erm = erm_glm(**kw)
    for name in ("m", "q", "train_loss", "train_error", "test_loss", "test_error"):
        z = (sol[name][-1] - erm[name]) / sol.observables[name + "_sem"][-1]
        assert abs(z) < 4.0, (name, z)


def test_mixture_needs_cluster_variance():
    with pytest.raises(ParamError, match="Delta > 0"):
        dmft_glm(data="mixture", Delta=0.0)
