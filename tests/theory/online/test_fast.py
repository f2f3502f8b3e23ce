"""The compiled committee ODEs (replicon/theory/online/fast.py) against the numpy reference path."""

import numpy as np
import pytest

from replicon.theory.online import fast
from replicon.theory.online.committee import (CommitteeODE, _stacked_eps_g, committee_initial_state, committee_online,
                                              output_grid)


def _random_state(rng, K, M):
    """A realisable (Q, R, T): Gram matrices of random vectors."""
    X = rng.normal(size=(K + M, K + M + 3)) / np.sqrt(K + M + 3)
    om = X @ X.T
    return om[:K, :K], om[:K, K:], om[K:, K:]


@pytest.mark.parametrize("activation", ["erf", "linear"])
@pytest.mark.parametrize("K, M, sigma, wd, learn_v", [(3, 3, 0.0, 0.0, False), (2, 5, 0.3, 0.01, False),
                                                      (4, 2, 0.1, 0.0, True), (1, 1, 0.0, 0.2, True)])
def test_compiled_flow_equals_numpy_flow(activation, K, M, sigma, wd, learn_v):
    """Every term of Saad & Solla eqs. 9-10 / Goldt et al. eqs. 7-8 (noise, weight decay, learned and
    non-unit second layers, a non-identity teacher overlap T) agrees with CommitteeODE to rounding."""
    rng = np.random.default_rng(K * 10 + M)
    for _ in range(3):
        Q, R, T = _random_state(rng, K, M)
        v, vt = rng.normal(1.0, 0.3, K), rng.normal(1.0, 0.3, M)
        ode = CommitteeODE(K, M, 0.7, activation, T, v=v, v_teacher=vt, sigma=sigma, weight_decay=wd,
                           learn_v=learn_v, eta_v=0.4)
        y = ode.pack(Q, R, v)
        ref = ode(0.0, y)
        out = np.empty_like(y)
        L = K + M
        fast.flow(y, K, M, np.ascontiguousarray(T), ode.v0, ode.v_teacher, 0.7, 0.4, sigma, wd, learn_v,
                  activation == "linear", np.empty((L, L)), np.empty((K, L)), out)
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("K, M, eta", [(3, 3, 0.5), (2, 4, 1.0)])
def test_integrator_converges_at_the_stated_tolerance(K, M, eta):
    """Default rtol = 1e-10: eps_g along the trajectory (through the plateau and its escape) within
    1e-9 of the same integration at rtol = 1e-13 (measured: ~5e-11 at K = M = 3)."""
    Q, R, T = committee_initial_state(K, M, 0.5, 0.0, 1e-3)
    ode = CommitteeODE(K, M, eta, "erf", T)
    grid = output_grid(2000.0, 100, "log")

    def run(rtol, atol):
        ys, status, *_ = fast.integrate_dopri(ode.pack(Q, R), grid, K, M, T, ode.v0, ode.v_teacher, eta, eta,
                                              0.0, 0.0, False, False, rtol, atol, 1e6, 10 ** 7)
        assert status == 0
        return _stacked_eps_g(ode, ys)

    ref, e = run(1e-13, 1e-16), run(1e-10, 1e-13)
    assert np.max(np.abs(e - ref)) < 1e-9
    assert np.max(np.abs(e - ref)) > 0          # a genuinely different integration, not a cached one


def test_compiled_trajectory_and_plateau_equal_the_lsoda_path():
    """committee.online through the compiled integrator against scipy's LSODA on the numpy right-hand side
    (both at rtol 1e-10): eps_g, Q, R along the trajectory and the plateau window agree."""
    kw = dict(K=2, M=2, eta=1.0, alpha_max=150.0, n_points=60, R0_diag=1e-2)
    a = committee_online(**kw)
    b = committee_online(integrator="lsoda", rtol=1e-10, **kw)
    assert a.converged and b.converged
    np.testing.assert_allclose(a["eps_g"], b["eps_g"], rtol=0, atol=5e-9)
    np.testing.assert_allclose(a["R"], b["R"], rtol=0, atol=5e-8)
    for key in ("plateau_start", "plateau_end"):
        assert a[key] == pytest.approx(b[key], rel=1e-6)


def test_compiled_blow_up_is_not_a_result():
    """A learning rate far above eta_max: the compiled integration stops and says so."""
    sol = committee_online(K=2, M=2, eta=30.0, activation="linear", alpha_max=100.0)
    assert not sol.converged and "blew up" in sol.message


def test_hermite_interpolant_is_exact_on_cubics():
    ts = np.array([0.0, 0.5, 2.0, 3.0])
    f = lambda t: np.stack([t ** 3 - t, 2 * t ** 2], axis=-1)            # noqa: E731
    df = lambda t: np.stack([3 * t ** 2 - 1, 4 * t], axis=-1)             # noqa: E731
    x = np.linspace(0, 3, 17)
    np.testing.assert_allclose(fast.hermite(ts, f(ts), df(ts), x), f(x), atol=1e-12)


@pytest.mark.parametrize("K, activation", [(1, "erf"), (2, "erf"), (2, "linear"),
                                           pytest.param(3, "erf", marks=pytest.mark.slow)])
def test_complex_step_linearisation_equals_sympy(K, activation):
    """The symmetric-sector Jacobian at the perfect solution (Saad & Solla 1995 sec. V) by complex-step
    differentiation equals sympy's exact matrices (measured: to 4e-16 for K = 1, 2, 3)."""
    import sympy as sp

    from replicon.theory.online import committee as olc

    A, B = olc._symmetric_jacobian_numeric(K, activation)
    As, Bs = olc._symbolic_linearisation(K, activation)
    np.testing.assert_allclose(A, np.array(sp.N(As, 20).tolist(), dtype=float), rtol=0, atol=1e-14)
    np.testing.assert_allclose(B, np.array(sp.N(Bs, 20).tolist(), dtype=float), rtol=0, atol=1e-14)
