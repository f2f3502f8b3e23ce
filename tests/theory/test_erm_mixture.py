"""erm.glm on the two-cluster Gaussian mixture (data=mixture; Mignacco et al., ICML 2020)."""

import math

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.simulate.erm import erm_glm_minimiser
from replicon.theory.erm import erm_glm


@pytest.mark.parametrize("loss, slope", [("square", 1.0), ("logistic", 0.5), ("hinge", 1.0)])
def test_strong_ridge_limit(loss, slope):
    """lam -> infinity: w = -sum_mu loss'(y_mu, 0) x_mu/(lam sqrt N) = c sum y x/(lam sqrt N) with
    c = -loss'(1, 0) (1, 1/2, 1), so m lam -> c alpha and q lam^2 -> c^2 (alpha^2 + alpha Delta)
    (|sum y x|^2/N^2 = alpha^2 |v|^2/N + alpha Delta at large N; derived here)."""
    a, D, lam = 1.5, 0.7, 1e5
    s = erm_glm(alpha=a, data="mixture", Delta=D, loss=loss, lam=lam)
    assert s.converged
    assert s["m"] * lam == pytest.approx(slope * a, rel=1e-3)
    assert s["q"] * lam ** 2 == pytest.approx(slope ** 2 * (a * a + a * D), rel=1e-3)
    assert s["test_error"] == pytest.approx(0.5 * math.erfc(a / math.sqrt(2 * D * (a * a + a * D))), rel=1e-3)


def test_ridge_against_exact_linear_algebra():
    """Square loss: the theory's m, q against the ridge normal equations at N = 400 (10 data sets),
    within four standard errors plus the O(1/N) finite-size allowance 2/N."""
    kw = dict(alpha=2.0, data="mixture", Delta=0.5, loss="square", lam=0.1)
    th = erm_glm(**kw)
    sim = erm_glm_minimiser(N=400, seeds=10, seed=1, **kw)
    for k in ("m", "q", "test_error", "train_loss"):
        assert abs(float(sim.mean[k]) - th[k]) < 4 * float(sim.sem[k]) + 2.0 / 400, k


@pytest.mark.parametrize("loss", ["logistic", pytest.param("hinge", marks=pytest.mark.slow)])
def test_classifiers_against_the_finite_n_minimiser(loss):
    """Logistic (L-BFGS on the primal) and hinge (dual box QP) minimisers at N = 200, 10 data sets: m, q,
    the test and training errors within four standard errors plus 2/N (measured: within 2.6 s.e. at N = 300)."""
    kw = dict(alpha=1.5, data="mixture", Delta=0.8, loss=loss, lam=0.2)
    th = erm_glm(**kw)
    sim = erm_glm_minimiser(N=200, seeds=10, seed=3, **kw)
    for k in ("m", "q", "test_error", "train_error"):
        assert abs(float(sim.mean[k]) - th[k]) < 4 * float(sim.sem[k]) + 2.0 / 200, (k, sim.mean[k], th[k])


def test_mixture_needs_cluster_variance():
    with pytest.raises(ParamError, match="Delta > 0"):
        erm_glm(data="mixture", Delta=0.0)
