"""The committee plateau is the fixed point the trajectory visits, and no unconverged root is ever a
number (issue 10, items 3 and 4); the eta -> 0 limit and the escape law (replicon.theory.online)."""

import math

import numpy as np
import pytest
from scipy.optimize import root

from replicon.theory import online as ol
from replicon.theory.online import committee as olc


def visited_plateau(K, M, eta, alpha_max):
    """The plateau as the trajectory itself shows it, independently of the module's search: the
    slowest point of the integrated trajectory (minimum of |dy/dalpha| over alpha > 5, the initial drop
    excluded), polished by Newton (hybr) on the full ODE right-hand side. Returns the solution, that
    point's alpha, the polished root's residual and its eps_g."""
    sol = ol.committee_online(K=K, M=M, eta=eta, alpha_max=alpha_max, n_points=300, spacing="linear")
    ode = ol.CommitteeODE(K, M, eta)
    a = sol["alpha"]
    ys = np.array([ode.pack(Q, R) for Q, R in zip(sol["Q"], sol["R"])])
    speed = np.array([np.linalg.norm(ode(0.0, y)) for y in ys])
    i = np.flatnonzero(a > 5)[np.argmin(speed[a > 5])]
    y = root(lambda y: ode(0.0, y), ys[i], method="hybr", tol=1e-14).x
    Q, R, v = ode.unpack(y)
    return sol, a[i], float(np.max(np.abs(ode(0.0, y)))), ode.eps_g(Q, R, v)


@pytest.mark.parametrize("K,M,eta,alpha_max,expected", [
    (3, 3, 1.0, 150, 0.066077),     # the example (0.0942 was reported)
    (3, 3, 0.5, 250, 0.032100),     # (0.032818 was reported)
    (4, 2, 1.0, 250, 0.1165),       # (0.637 was reported)
    (4, 2, 0.5, 300, 0.0294),       # (nan was reported)
    (2, 2, 0.5, 180, None),
    (5, 3, 0.7, 200, None),
    (2, 4, 0.5, 200, None),
])
def test_plateau_is_the_fixed_point_the_trajectory_visits(K, M, eta, alpha_max, expected):
    """plateau_height equals eps_g at the fixed point found from the trajectory's own slowest point
    (Newton on the full ODE, no symmetry assumed) to 1e-12, the trajectory sits within 1 % of it there,
    and the values agree with the issue's independent ones (Goldt et al.'s integrator)."""
    sol, a_slow, res, eps_fp = visited_plateau(K, M, eta, alpha_max)
    assert sol.converged and res < 1e-13
    h = sol["plateau_height"]
    assert h == pytest.approx(eps_fp, rel=1e-12)
    i = int(np.argmin(np.abs(sol["alpha"] - a_slow)))
    assert abs(sol["eps_g"][i] / h - 1) < 0.015
    if expected is not None:
        assert h == pytest.approx(expected, abs=5e-5 if expected < 0.1 else 5e-4)
    assert sol["plateau_start"] < a_slow


def test_the_all_students_equal_root_is_rejected():
    """The q = c root (all student vectors equal, an invariant set of its own) is a fixed point of the
    symmetric-subspace flow, and the one the old search found (eps_g 0.0942 at K = M = 3, eta = 1), but
    it repels that flow in the q - c direction: from it as a guess the search reports converged=False
    (a positive eigenvalue), while the attracting root has q != c and every eigenvalue negative."""
    fp = ol.symmetric_fixed_point(3, 3, 1.0, guess=(0.27038, 0.25086, 0.25086))
    assert fp["residual"] < 1e-11 and fp["q"] == pytest.approx(fp["c"], abs=1e-9)
    assert fp["eps_g"] == pytest.approx(0.0942, abs=1e-4)
    assert not fp["converged"] and np.max(fp["eigenvalues"].real) > 0
    good = ol.symmetric_fixed_point(3, 3, 1.0)
    assert good["converged"] and good["q"] - good["c"] > 0.4 and np.max(good["eigenvalues"].real) < 0
    assert good["eps_g"] == pytest.approx(0.066077, abs=1e-6)


def test_no_unconverged_root_is_reported_as_a_number():
    """Issue 10 item 4: `committee.online K=4 M=2 eta=1 alpha_max=10 n_points=3` printed eps_sym_eta0 =
    1.1775 from a root-find with residual 0.9. Now it is the converged eta -> 0 plateau 0.013550, and
    no observable is NaN: plateau_end (not reached by alpha = 10) is left out, with the reason."""
    sol = ol.committee_online(K=4, M=2, eta=1.0, alpha_max=10, n_points=3)
    assert sol.converged
    assert sol["eps_sym_eta0"] == pytest.approx(0.013550, abs=1e-6)
    assert sol["plateau_height"] == pytest.approx(0.1165157, abs=1e-6)
    assert "plateau_end" not in sol.observables and "plateau_end omitted" in sol.message
    for k, v in sol.observables.items():
        assert not np.isnan(np.asarray(v, dtype=float)).any(), k


@pytest.mark.parametrize("K", [2, 3, 4, 5])
def test_eta_to_zero_limit_of_the_plateau(K):
    """eta -> 0: the plateau the dynamics visits tends to the eta -> 0 fixed point, which has q = c (the
    finite-eta plateau has q - c = O(eta)), linearly in eta; for K = M it is Saad & Solla's
    eps* = (K/pi)(pi/6 - K arcsin(1/(2K))). The same limit for K = 4, M = 2 is 0.013550 (issue 10)."""
    eps0 = ol.symmetric_fixed_point(K, K, 0.0)
    assert eps0["converged"] and eps0["q"] == eps0["c"]
    assert eps0["eps_g"] == pytest.approx(ol.symmetric_plateau_eps(K), abs=1e-12)
    d = [ol.symmetric_fixed_point(K, K, eta)["eps_g"] - eps0["eps_g"] for eta in (0.01, 0.02)]
    assert d[1] / d[0] == pytest.approx(2.0, rel=0.05)
    fp = ol.symmetric_fixed_point(K, K, 0.01)
    assert 0 < fp["q"] - fp["c"] < 0.05
    if K == 4:
        e42 = ol.symmetric_fixed_point(4, 2, 0.0)["eps_g"]
        assert e42 == pytest.approx(0.013550, abs=1e-6)
        assert ol.symmetric_fixed_point(4, 2, 1e-3)["eps_g"] == pytest.approx(e42, abs=5e-5)


def test_plateau_length_grows_as_log_of_the_symmetry_breaking():
    """The escape from the plateau is driven by the unstable eigenvalue lambda of the full ODE's
    Jacobian at the fixed point (Biehl, Riegler & Woehler 1996; Saad & Solla 1995): a symmetry breaking
    R0_diag = delta leaves after (1/lambda) ln(1/delta) + const, so two deltas a factor 100 apart differ
    by ln(100)/lambda (K = M = 3, eta = 1: 155.2). lambda from the finite-difference Jacobian."""
    K = M = 3
    eta = 1.0
    fp = ol.symmetric_fixed_point(K, M, eta)
    _flow, unpack = olc._symmetric_sector(K, M)
    Q, R = unpack((fp["r"], fp["q"], fp["c"]))
    lam = np.max(np.linalg.eigvals(ol.finite_difference_jacobian(ol.CommitteeODE(K, M, eta), Q, R)).real)
    ends = [ol.committee_online(K=K, M=M, eta=eta, R0_diag=d, alpha_max=560, n_points=40)["plateau_end"]
            for d in (1e-5, 1e-7)]
    assert ends[1] - ends[0] == pytest.approx(math.log(100) / lam, rel=1e-3)


def test_plateau_outputs_are_left_out_where_there_is_no_plateau():
    """Where the symmetric-subspace flow has no attracting fixed point (eta = 3: the norms drift) and for
    K = 1 (no symmetry to break) the plateau outputs are absent, the message says why, and nothing is
    NaN."""
    for kw, phrase in ((dict(K=3, M=3, eta=3.0, alpha_max=50), "no plateau at this eta"),
                       (dict(K=1, M=2, eta=0.5, alpha_max=50), "K = 1")):
        sol = ol.committee_online(**kw, n_points=20)
        assert sol.converged and phrase in sol.message
        assert "plateau_height" not in sol.observables
        for k, v in sol.observables.items():
            assert not np.isnan(np.asarray(v, dtype=float)).any(), k


def test_plateau_window_does_not_depend_on_the_output_grid():
    """plateau_start and plateau_end come from the solver's continuous trajectory, so 7 output points
    give the same window as 400 (to the integration tolerance)."""
    kw = dict(K=3, M=3, eta=0.5, alpha_max=350, spacing="linear")
    a = ol.committee_online(**kw, n_points=7)
    b = ol.committee_online(**kw, n_points=400)
    for key in ("plateau_start", "plateau_end"):
        assert a[key] == pytest.approx(b[key], rel=1e-5)
    # and the band is the definition: eps_g is within 5 % of the height inside the window
    on = (b["alpha"] > b["plateau_start"]) & (b["alpha"] < b["plateau_end"])
    assert np.all(np.abs(b["eps_g"][on] / b["plateau_height"] - 1) <= 0.05 + 1e-9)
