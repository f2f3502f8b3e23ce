"""Online SGD kernels: reproducibility, initial conditions, exact incremental bookkeeping."""

import math

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.simulate.online import (committee_error, committee_online_sgd, committee_sgd_kernel,
                                      committee_sgd_numpy, perceptron_online_sgd, student_weights,
                                      teacher_weights)


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


def test_relu_kernel_matches_numpy_step():
    """relu (g = max(0, x), g' = Theta(x)): the numba kernel and the plain numpy loop take the same steps
    (same inputs drawn from the same generator), so their final weights agree to round-off."""
    rng = np.random.default_rng(3)
    N, K, M, eta = 100, 2, 3, 0.4
    B = teacher_weights(np.eye(M), N, rng)
    J = student_weights(np.eye(K) * 0.5, np.full((K, M), 0.1), B, np.eye(M), rng)
    steps = 64
    _, R_numba, _ = committee_sgd_kernel(J, B, np.ones(K), np.ones(M), eta, eta, False, 0.0, 0.0, 2,
                                         np.array([steps]), 9, block=steps, generator="numpy")
    J_np = committee_sgd_numpy(J, B, np.ones(K), np.ones(M), eta, steps, np.random.default_rng(9),
                               activation="relu")
    np.testing.assert_allclose(R_numba[-1], J_np @ B.T / N, rtol=1e-10, atol=1e-12)
    assert not np.allclose(R_numba[-1], J @ B.T / N)


def test_relu_committee_error_matches_monte_carlo():
    """eps_g of relu weights from their overlaps (arc-cosine kernel, Cho & Saul 2009) equals the
    Monte Carlo average of (sigma - tau)^2/2 over 1e6 Gaussian inputs, within 5 standard errors."""
    rng = np.random.default_rng(4)
    N, K, M = 60, 2, 2
    B = teacher_weights(np.eye(M), N, rng)
    J = student_weights(np.array([[0.8, 0.1], [0.1, 0.4]]), np.array([[0.5, 0.1], [-0.2, 0.3]]), B, np.eye(M), rng)
    xi = rng.standard_normal((1_000_000, N))
    sig = np.maximum(xi @ J.T / math.sqrt(N), 0).sum(1)
    tau = np.maximum(xi @ B.T / math.sqrt(N), 0).sum(1)
    samples = 0.5 * (sig - tau) ** 2
    exact = committee_error(J @ J.T / N, J @ B.T / N, B @ B.T / N, np.ones(K), np.ones(M), "relu")
    assert abs(samples.mean() - exact) < 5 * samples.std() / math.sqrt(len(samples))


@pytest.mark.slow
def test_relu_sgd_follows_ode_at_N1000():
    """Saad & Solla (1995) / Goldt et al. (2019) ODEs with the relu averages (closed-form I2, I3, J2 and
    the quadrature I4): SGD of a relu committee at N = 1000 (K = M = 2, eta = 0.5, 8 seeds) follows the
    ODE started from each seed's own (Q, R): along the trajectory the seed-mean eps_g, Q_1_1, Q_1_2 and
    R_1_1 are within 4 standard errors of the theory. (At this eta the eta^2 I4 term matters: scaling
    I4 by 0.8 or 1.2 moves eps_g by about 10 standard errors.)"""
    from replicon.theory.online import committee_online

    params = dict(K=2, M=2, eta=0.5, activation="relu", Q0=0.5, R0=0.0, R0_diag=0.0, alpha_max=8.0,
                  n_points=17, spacing="linear")
    meas = committee_online_sgd(N=1000, seeds=8, seed=4, **params)
    theory = {k: v for k, v in params.items() if k not in ("Q0", "R0", "R0_diag")}
    sols = [committee_online(**theory, Q0=q, R0=r, R0_diag=0.0, alpha_grid=meas.coords["alpha"])
            for q, r in zip(meas.extra["Q0_measured"], meas.extra["R0_measured"])]
    assert all(s.converged for s in sols)
    for name in ("eps_g", "Q_1_1", "Q_1_2", "R_1_1"):
        th = np.array([s.observables[name] for s in sols])
        sim = meas.samples[name]
        np.testing.assert_allclose(th[:, 0], sim[:, 0], rtol=1e-10, atol=1e-14)   # same initial state
        dev = np.abs(sim.mean(0) - th.mean(0))[1:]
        assert np.max(dev / meas.sem[name][1:]) < 4.0, (name, dev, meas.sem[name])


@pytest.mark.parametrize("kwargs", [dict(K=0), dict(eta=0), dict(activation="tanh"), dict(N=1)])
def test_bad_simulation_input(kwargs):
    with pytest.raises(ParamError):
        committee_online_sgd(**{**dict(N=50, seeds=1, alpha_max=1), **kwargs})


def test_bad_perceptron_rule():
    with pytest.raises(ParamError):
        perceptron_online_sgd(N=50, seeds=1, rule="oja", alpha_max=1)
