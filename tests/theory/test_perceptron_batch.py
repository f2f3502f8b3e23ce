"""Batched T = 0 spherical Gibbs learning (replicon/theory/perceptron_batch.py) against the point path."""

import math

import numpy as np
import pytest

from replicon.compare.scan import scan
from replicon.registry import get
from replicon.theory import perceptron as P
from replicon.theory.perceptron_batch import nishimori_batch

ALPHAS = [1e-6, 3e-3, 0.1, 0.7, 1.0, 2.5, 7.0, 20.0, 90.0, 400.0, 999.0]


def test_batch_equals_the_point_solver_across_alpha():
    """q, the errors, the free entropy and the replicon eigenvalue at every alpha from 1e-6 to 999 (both
    quadrature forms, b < 1 and b > 1, and the steep large-alpha end) equal perceptron.teacher's solve
    to the point path's own accuracy: its q is off by about its reported residual (measured: 2.3e-12 at
    alpha = 3e-3, where the batched q leaves F = q - 2 alpha J(b) at 1e-18), so q agrees within three
    residuals, the errors within that times d eps/dq, and the (stationary) free entropy to 1e-12."""
    res = nishimori_batch(ALPHAS)
    assert res["converged"].all()
    for j, a in enumerate(ALPHAS):
        s = P.teacher(a)
        tq = 3.0 * max(s.residual, 1e-14)
        q = s["q"]
        assert abs(res["q"][j] - q) <= tq, a
        de = tq / (math.pi * math.sqrt(max(1 - q * q, 1e-300))) + 1e-14
        assert abs(res["eps_g_gibbs"][j] - s["eps_g_gibbs"]) <= de, a
        db = tq / (2 * math.pi * math.sqrt(max(q * (1 - q), 1e-300))) + 1e-13     # d/dq arccos(sqrt q)/pi
        assert abs(res["eps_g_bayes"][j] - s["eps_g_bayes"]) <= db, a
        assert res["free_entropy"][j] == pytest.approx(s["free_entropy"], rel=1e-12, abs=1e-12), a
        assert res["replicon"][j] == pytest.approx(s.replicon_eigenvalue, abs=1e-6), a


def test_batch_limits():
    """Small alpha: q = 2 alpha/pi (linear response); large alpha: eps_g alpha -> 0.6247 (Engel & Van den
    Broeck eq. (2.43), recalled; also replicon's own asymptotic test for the point path)."""
    res = nishimori_batch([1e-8, 999.0])
    assert res["q"][0] == pytest.approx(2e-8 / math.pi, rel=1e-7)
    assert res["eps_g_gibbs"][1] * 999.0 == pytest.approx(0.6247, rel=3e-3)


def test_curve_uses_the_batch_and_equals_point_solves():
    alphas = np.linspace(0.1, 20.0, 12)
    curve = P.teacher_curve(alphas, student="bayes")
    assert all(s.message.startswith("batched") for s in curve)
    for a, s in zip(alphas, curve):
        ref = P.teacher(a, student="bayes")
        assert s.branch == ref.branch and s.status == "thermodynamic"
        assert set(s.observables) == set(ref.observables)
        for k, v in ref.observables.items():
            assert s[k] == pytest.approx(v, rel=1e-8, abs=1e-9), (a, k)


def test_scan_through_the_batch_hook_equals_plain_solves():
    """A T = 0 spherical scan goes through hooks['solve_batch']; its points hold what run_solve gives."""
    m = get("perceptron.teacher")
    grid = {"alpha": [0.5, 1.0, 3.0, 2000.0]}           # 2000: beyond the batch, the point path
    ds = scan(m, grid, {"T": 0.0}, workers=1, progress=False, continuation=False)
    for a in grid["alpha"]:
        sol = m.run_solve(alpha=a, T=0.0)
        pt = ds.sel(alpha=a)
        assert str(pt["branch"].item()) == sol.branch and bool(pt["converged"])
        for k in ("q", "R", "eps_g", "free_entropy"):
            assert float(pt[k]) == pytest.approx(sol.observables[k], rel=1e-8, abs=1e-9), (a, k)
