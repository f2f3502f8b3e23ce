"""`replicon solve committee.online ... --json` prints the trajectories (skipped until replicon.cli exists)."""

import json
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


def test_bad_input_exits_2():
    out = subprocess.run([sys.executable, "-m", "replicon.cli", "solve", "committee.online", "K=0"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "K" in out.stderr and "Traceback" not in out.stderr
