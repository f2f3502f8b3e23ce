"""`replicon solve committee.online ... --json` prints the trajectories (skipped until replicon.cli exists)."""

import json
import math
import subprocess
import sys

import pytest

pytest.importorskip("replicon.cli")


def test_solve_committee_online_json_prints_trajectories():
    """The issue's example: K=3 M=3 eta=0.5 alpha_max=1000; the grid ends at 1000 and eps_g has
    the plateau height of the eta = 0.5 symmetric fixed point (theory tests check its value)."""
    out = subprocess.run([sys.executable, "-m", "replicon.cli", "solve", "committee.online", "K=3", "M=3",
                          "eta=0.5", "alpha_max=1000", "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    obs = d["observables"]
    assert d["converged"] is True
    assert obs["alpha"][-1] == 1000.0
    assert len(obs["eps_g"]) == len(obs["alpha"]) == 200
    assert len(obs["Q"]) == 200 and len(obs["R"][0]) == 3
    assert 0.03 < obs["plateau_height"] < 0.035


def test_solve_relu_committee_json():
    """`replicon solve committee.online K=2 M=2 activation=relu eta=0.2 alpha_max=50 --json`: the relu ODE
    (quadrature I4) runs from the command line; eps_g starts at the arc-cosine-kernel value of the initial
    overlaps Q = 0.5, R = 0.001 * 1 and decreases to below a fifth of it by alpha = 50."""
    out = subprocess.run([sys.executable, "-m", "replicon.cli", "solve", "committee.online", "K=2", "M=2",
                          "activation=relu", "eta=0.2", "alpha_max=50", "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    obs = d["observables"]
    assert d["converged"] is True and d["params"]["activation"] == "relu"
    assert obs["alpha"][-1] == 50.0 and len(obs["eps_g"]) == 200
    # eps_g(0) = (1/2) sum_ab c_a c_b <relu relu>: student-student, teacher-teacher, cross terms
    def kern(a, c, b):
        return (math.sqrt(a * b - c * c) + c * (math.pi / 2 + math.asin(c / math.sqrt(a * b)))) / (2 * math.pi)

    eps0 = 0.5 * (2 * kern(0.5, 0.5, 0.5) + 2 * kern(0.5, 0.0, 0.5) + 2 * kern(1, 1, 1) + 2 * kern(1, 0, 1)
                  - 4 * kern(0.5, 1e-3, 1.0) - 4 * kern(0.5, 0.0, 1.0))
    assert obs["eps_g"][0] == pytest.approx(eps0, abs=1e-12)
    assert obs["eps_g_final"] < eps0 / 5


def test_bad_input_exits_2():
    out = subprocess.run([sys.executable, "-m", "replicon.cli", "solve", "committee.online", "K=0"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "K" in out.stderr and "Traceback" not in out.stderr
