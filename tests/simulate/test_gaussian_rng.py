"""The in-kernel Gaussian generator (replicon/simulate/gaussian_rng.py) and the fused SGD kernel that uses it."""

import math

import numpy as np
import pytest
from scipy import stats

from replicon.simulate import gaussian_rng as G
from replicon.simulate.online import (_ACT_CODE, committee_sgd_block, committee_sgd_fused, committee_sgd_kernel,
                                      teacher_weights)


def test_ziggurat_layers_have_equal_area_and_close_at_zero():
    """r solves the layer recursion (Marsaglia & Tsang 2000): 256 layers of area v, the top one ends at x = 0;
    r equals the value Marsaglia & Tsang print for 256 layers, 3.6541528853610088 (recalled, not read)."""
    assert G.ZIG_R == pytest.approx(3.6541528853610088, rel=1e-13)
    x, f = G.ZIG_X, G.ZIG_F
    v = x[1] * f[1] + math.sqrt(math.pi / 2) * math.erfc(x[1] / math.sqrt(2))
    areas = x[1:-1] * (f[2:] - f[1:-1])
    np.testing.assert_allclose(areas, v, rtol=1e-9)
    assert x[0] * f[1] == pytest.approx(v) and x[-1] == 0.0 and np.all(np.diff(x[1:]) < 0)


@pytest.mark.parametrize("seed", [0, 7])
def test_variates_are_standard_normal(seed):
    """Moments (mean, variance, skewness, excess kurtosis) within 4.5 standard errors of N(0, 1) over 4e6
    variates, a Kolmogorov-Smirnov test, and the tail beyond r (the rarely taken branch) at its Gaussian rate."""
    x = G.standard_normal(seed, 4_000_000)
    n = x.size
    for val, se in ((x.mean(), math.sqrt(1 / n)), (x.var() - 1, math.sqrt(2 / n)),
                    (stats.skew(x), math.sqrt(6 / n)), (stats.kurtosis(x), math.sqrt(24 / n))):
        assert abs(val) < 4.5 * se
    assert stats.kstest(x[:1_000_000], "norm").pvalue > 1e-4
    p_tail = 2 * stats.norm.sf(G.ZIG_R)
    tail = np.mean(np.abs(x) > G.ZIG_R)
    assert abs(tail - p_tail) < 4.5 * math.sqrt(p_tail / n)
    p4 = 2 * stats.norm.sf(4.5)                    # deep in the tail branch
    assert abs(np.mean(np.abs(x) > 4.5) - p4) < 5 * math.sqrt(p4 / n)


def test_streams_differ_by_seed_and_repeat_by_seed():
    a, b, c = G.standard_normal(1, 1000), G.standard_normal(1, 1000), G.standard_normal(2, 1000)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert abs(np.corrcoef(a, c)[0, 1]) < 0.15


@pytest.mark.parametrize("noise, act", [(0.0, "erf"), (0.3, "relu")])
def test_fused_kernel_takes_the_steps_of_the_block_kernel_on_the_same_variates(noise, act):
    """The fused kernel's stream is N inputs then one noise variate per step: feeding exactly those to the
    reference block kernel gives the same weights (to round-off: fastmath reorders the sums)."""
    rng = np.random.default_rng(0)
    N, K, M, steps = 150, 3, 2, 200
    B = teacher_weights(np.eye(M), N, rng)
    J0 = rng.standard_normal((K, N)) * 0.6
    per = N + (1 if noise > 0 else 0)
    z = G.standard_normal(11, steps * per).reshape(steps, per)
    xs, lab = np.ascontiguousarray(z[:, :N]), (noise * z[:, N] if noise > 0 else np.zeros(steps))
    J1, v1 = J0.copy(), np.ones(K)
    committee_sgd_block(J1, v1, B, np.ones(M), xs, lab, 0.5, 0.5, True, 0.01, _ACT_CODE[act])
    J2, v2 = J0.copy(), np.ones(K)
    committee_sgd_fused(J2, v2, B, np.ones(M), steps, G.seed_state(11), G.ZIG_X, G.ZIG_F, G.ZIG_R, noise,
                        0.5, 0.5, True, 0.01, _ACT_CODE[act])
    np.testing.assert_allclose(J2, J1, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(v2, v1, rtol=1e-11, atol=1e-12)
    assert not np.allclose(J2, J0)


def test_both_generators_give_the_same_learning_statistics():
    """R after alpha = 2 (N = 300, 12 seeds) from the ziggurat and from numpy's generator: equal within
    their combined standard error (different streams, same law)."""
    N, K, M = 300, 2, 2
    ends = {g: [] for g in ("ziggurat", "numpy")}
    for seed in range(12):
        rng = np.random.default_rng(100 + seed)
        B = teacher_weights(np.eye(M), N, rng)
        J = rng.standard_normal((K, N)) * math.sqrt(0.5)
        for g in ends:
            _, R, _ = committee_sgd_kernel(J, B, np.ones(K), np.ones(M), 0.5, 0.5, False, 0.0, 0.0, 0,
                                           np.array([2 * N]), seed, generator=g)
            ends[g].append(np.trace(R[-1]))
    a, b = (np.array(v) for v in ends.values())
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    assert abs(a.mean() - b.mean()) < 4 * se
    assert not np.allclose(a, b)
