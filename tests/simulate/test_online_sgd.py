"""Online SGD kernels: reproducibility, initial conditions, exact incremental bookkeeping."""

import math

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.simulate.online import (committee_online_sgd, committee_sgd_kernel, perceptron_online_sgd,
                                      student_weights, teacher_weights)


def test_teacher_and_student_have_requested_order_parameters():
    """B B^T/N = T exactly; the student's Q, R are Q0, R0 up to O(1/sqrt N) (5/sqrt N here)."""
    rng = np.random.default_rng(0)
    N, K, M = 4000, 3, 2
    T = np.array([[1.0, 0.3], [0.3, 0.8]])
    B = teacher_weights(T, N, rng)
    np.testing.assert_allclose(B @ B.T / N, T, atol=1e-12)
    Q0 = np.diag([0.5, 0.6, 0.7])
    R0 = np.full((K, M), 0.1)
    J = student_weights(Q0, R0, B, T, rng)
    assert np.max(np.abs(J @ J.T / N - Q0)) < 5 / math.sqrt(N)
    assert np.max(np.abs(J @ B.T / N - R0)) < 5 / math.sqrt(N)


def test_committee_kernel_is_reproducible_and_pure():
    rng = np.random.default_rng(1)
    N = 200
    B = teacher_weights(np.eye(2), N, rng)
    J = rng.standard_normal((2, N)) * 0.5
    J_copy = J.copy()
    steps = np.array([0, 100, 400])
    out1 = committee_sgd_kernel(J, B, np.ones(2), np.ones(2), 0.5, 0.5, False, 0.0, 0.0, 0, steps, 42)
    out2 = committee_sgd_kernel(J, B, np.ones(2), np.ones(2), 0.5, 0.5, False, 0.0, 0.0, 0, steps, 42)
    np.testing.assert_array_equal(J, J_copy)
    for a, b in zip(out1, out2):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(out1[0][0], J @ J.T / N, rtol=1e-12)
    np.testing.assert_allclose(out1[1][0], J @ B.T / N, rtol=1e-12)


def test_measurement_is_reproducible_from_seed():
    kw = dict(N=100, seeds=2, K=2, M=2, eta=0.5, alpha_max=2, n_points=5, spacing="linear")
    a = committee_online_sgd(seed=5, **kw)
    b = committee_online_sgd(seed=5, **kw)
    c = committee_online_sgd(seed=6, **kw)
    np.testing.assert_array_equal(a.samples["eps_g"], b.samples["eps_g"])
    assert not np.array_equal(a.samples["eps_g"], c.samples["eps_g"])
    assert a.samples["eps_g"].shape == (2, 5)
    assert a.extra["Q0_measured"].shape == (2, 2, 2)
    assert a.coords["alpha"][-1] == 2.0


def test_hebb_overlap_grows_linearly():
    """E&VdB ch. 9: online Hebb (eta = 1) from J = 0 gives R(alpha) = sqrt(2/pi) alpha and
    Q = (2/pi) alpha^2 + alpha on average (the incremental R, Q tracking is exact)."""
    m = perceptron_online_sgd(N=500, seeds=6, seed=2, rule="hebb", eta=1.0, Q0=0.0, R0=0.0,
                              alpha_max=4, n_points=5, spacing="linear")
    a = m.coords["alpha"]
    for name, exact in (("R", math.sqrt(2 / math.pi) * a), ("Q", 2 / math.pi * a * a + a)):
        dev = np.abs(m.mean[name] - exact)[1:]
        assert np.max(dev / m.sem[name][1:]) < 4.0, (name, m.mean[name], exact)


@pytest.mark.parametrize("kwargs", [dict(K=0), dict(eta=0), dict(activation="tanh"), dict(N=1)])
def test_bad_simulation_input(kwargs):
    with pytest.raises(ParamError):
        committee_online_sgd(**{**dict(N=50, seeds=1, alpha_max=1), **kwargs})


def test_bad_perceptron_rule():
    with pytest.raises(ParamError):
        perceptron_online_sgd(N=50, seeds=1, rule="oja", alpha_max=1)
