"""RS storage capacity of the tree committee machine (committee.storage)."""

import math

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.theory import committee_gibbs as G
from replicon.theory import perceptron as P


def test_one_branch_is_gardners_perceptron():
    """K = 1: alpha_c = 2 (Gardner 1988) and the same q and entropy as perceptron.storage."""
    assert G.tree_storage_capacity(1) == pytest.approx(2.0, abs=1e-12)
    for a in (0.5, 1.5):
        s, p = G.storage(K=1, alpha=a), P.storage(alpha=a)
        assert s["q"] == pytest.approx(p["q"], abs=1e-9)
        assert s["entropy"] == pytest.approx(p["entropy"], abs=1e-9)


@pytest.mark.parametrize("K", [3, 5, 9])
def test_capacity_cost_equals_sampled_majority_cost(K):
    """1/alpha_c is the mean cost of making the majority right (move the cheapest negative fields
    to zero): the order-statistics quadrature equals a 400k-sample Monte Carlo average within 5 s.e."""
    rng = np.random.default_rng(K)
    t = rng.standard_normal((400_000, K))
    need = (K + 1) // 2
    neg = np.sort(np.where(t < 0, t * t, np.inf), axis=1)
    m = np.clip(need - (t > 0).sum(axis=1), 0, None)
    cols = np.arange(K)[None, :]
    cost = np.where(cols < m[:, None], neg, 0.0).sum(axis=1)
    C = 1.0 / G.tree_storage_capacity(K)
    assert abs(cost.mean() - C) < 5 * cost.std() / math.sqrt(cost.size)


def test_k3_rs_capacity():
    """K = 3: the RS capacity is 4.02 (Barkai, Hansel & Kanter, PRL 65, 2312 (1990); the value as
    we recall it, not re-read in this session); the saddle point's q -> 1 there."""
    a = G.tree_storage_capacity(3)
    assert a == pytest.approx(4.02, abs=0.01)  # we find 4.0252
    qs = [G.storage(K=3, alpha=f * a)["q"] for f in (0.9, 0.99)]
    assert qs[0] < qs[1] and qs[1] > 0.99


def test_rs_capacity_grows_like_sqrt_K():
    """Large K: alpha_c^RS ~ c sqrt(K) (Barkai et al. 1990); the order-statistics limit gives
    c = 24 phi(0)^2 / E[z_+^3] = 4.787; alpha_c / sqrt(K) increases towards it."""
    r = [G.tree_storage_capacity(K) / math.sqrt(K) for K in (15, 63, 255)]
    c = 24 * (1 / (2 * math.pi)) / (2 / math.sqrt(2 * math.pi))
    assert r[0] < r[1] < r[2] < c
    assert c - r[2] < 0.5 * (c - r[0])


def test_beyond_capacity_no_result_and_bad_K():
    assert not G.storage(K=3, alpha=4.1).converged
    with pytest.raises(ParamError, match="odd"):
        G.storage(K=2, alpha=1.0)
