"""The saddle-point engine on problems whose answers are known in closed form."""

import math

import numpy as np
import pytest

from replicon.theory import engine


def curie_weiss(beta, h=0.0):
    """Mean-field magnet m = tanh(beta m + h): three fixed points for beta > 1, h small."""
    return engine.FixedPointProblem(("m",), lambda x: np.tanh(beta * x + h), np.array([-1.0]), np.array([1.0]))


def test_all_branches_found_and_classified():
    """m = tanh(2m): m = 0 (repelling) and m = +-m* with m* = 0.957504 (attracting)."""
    found, _ = engine.find_fixed_points(curie_weiss(2.0), [np.array([v]) for v in (-0.9, 0.01, 0.9, 0.0)])
    ms = sorted(float(r.x[0]) for r in found)
    assert len(ms) == 3
    assert ms[2] == pytest.approx(0.9575040240772687, abs=1e-10)
    assert ms[0] == pytest.approx(-ms[2], abs=1e-10)
    assert abs(ms[1]) < 1e-10
    stable = {round(float(r.x[0]), 6): engine.attracting(curie_weiss(2.0), r.x)[0] for r in found}
    assert stable[0.0] is False and stable[round(ms[2], 6)] is True


def test_spinodal_of_the_curie_weiss_magnet():
    """The m < 0 branch of m = tanh(beta m + h) ends where dh/dm = 0: m^2 = 1 - 1/beta,
    h_sp = -(atanh(m) - beta m) with m = sqrt(1 - 1/beta)."""
    beta = 2.0
    m_sp = math.sqrt(1 - 1 / beta)
    h_sp = -(math.atanh(m_sp) - beta * m_sp)
    r = engine.iterate(curie_weiss(beta, 0.0), np.array([-0.9]))
    h, x = engine.spinodal(lambda h: curie_weiss(beta, h), 0.0, r.x, 2.0, tol_p=1e-9)
    assert h == pytest.approx(h_sp, abs=1e-7)
    assert x[0] == pytest.approx(-m_sp, abs=2e-3)


def test_transition_by_free_energy_crossing():
    """brentq on a free-entropy difference returns its root."""
    assert engine.transition(lambda p: p ** 3 - 2.0, 0.0, 3.0) == pytest.approx(2 ** (1 / 3), abs=1e-10)


def test_no_fixed_point_is_reported_unconverged():
    """x -> x + 0.1 in the box [-10, 10] has no fixed point: the engine reports failure, not a result."""
    prob = engine.FixedPointProblem(("x",), lambda x: x + 0.1, np.array([-10.0]), np.array([10.0]))
    r = engine.iterate(prob, np.array([0.0]), max_iter=200)
    assert not r.converged and r.message
    found, failed = engine.find_fixed_points(prob, [np.array([0.0])], max_iter=100)
    assert found == [] and len(failed) == 1


def test_convergence_is_judged_on_the_undamped_residual():
    """A slowly contracting map with heavy damping: the returned point satisfies |F(x)-x| < tol."""
    prob = engine.FixedPointProblem(("x",), lambda x: 0.99 * x + 0.01 * np.cos(x), np.array([-10.0]),
                                    np.array([10.0]))
    r = engine.iterate(prob, np.array([3.0]), damping=0.1, anderson=0, newton_polish=False, max_iter=50000,
                       tol=1e-11)
    assert r.converged
    assert abs(float(prob.update(r.x)[0] - r.x[0])) < 1e-11


def test_boundary_limit_state_is_flagged():
    """q -> 1 - (1-q)^2 iterated in logit coordinates runs to the boundary q = 1: flagged at_bound."""
    prob = engine.FixedPointProblem(("q",), lambda x: 1 - (1 - x) ** 2,
                                    np.array([0.0]), np.array([1.0]), transforms=("logit",))
    r = engine.iterate(prob, np.array([0.5]))
    assert not r.converged and r.at_bound


def test_trace_branches_from_both_ends_finds_both_spinodals():
    """Curie-Weiss magnet at beta = 2 along h in [-1, 1]: the m < 0 branch (found at h = -1) ends at
    h_sp = +0.5328 and the m > 0 branch (found at h = +1) at -0.5328; both are traced."""
    beta = 2.0
    m_sp = math.sqrt(1 - 1 / beta)
    h_sp = -(math.atanh(m_sp) - beta * m_sp)
    hs = np.linspace(-1, 1, 81)
    tracks = engine.trace_branches(lambda h: curie_weiss(beta, h), hs, [np.array([v]) for v in (-0.9, 0.9)])
    assert len(tracks) == 2
    ends = sorted((t[0][0], t[-1][0], float(np.sign(t[0][1].x[0]))) for t in tracks)
    (lo_start, lo_end, s1), (hi_start, hi_end, s2) = ends
    assert lo_start == -1.0 and s1 < 0 and h_sp - 0.025 <= lo_end <= h_sp
    assert hi_end == 1.0 and s2 > 0 and -h_sp <= hi_start <= -h_sp + 0.025


def test_roots_1d_finds_every_root_including_two_closer_than_the_grid():
    """A cubic map with roots 0.2, 0.5, 0.8 and one with two roots 1e-3 apart (narrower than the grid
    spacing in logit coordinates): roots_1d returns all of them, converged, sorted."""
    from replicon.theory import engine

    def problem(roots):
        def F(x):
            return x + 0.1 * np.prod([x - r for r in roots], axis=0)
        return engine.FixedPointProblem(("x",), F, np.array([0.0]), np.array([1.0]), transforms=("logit",))

    grid = np.linspace(-8.0, 8.0, 33)
    found = engine.roots_1d(problem((0.2, 0.5, 0.8)), grid)
    assert [round(float(r.x[0]), 9) for r in found] == [0.2, 0.5, 0.8]
    close = engine.roots_1d(problem((0.3, 0.6, 0.601)), grid)
    assert all(r.converged for r in close)
    assert np.allclose([r.x[0] for r in close], [0.3, 0.6, 0.601], atol=1e-9)
