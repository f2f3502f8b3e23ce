"""`replicon solve committee.gibbs_fully_largek ...` from the command line (K -> infinity fully connected committee)."""

import json
import math
import subprocess
import sys

import pytest

pytest.importorskip("replicon.cli")


def _solve(*args):
    return subprocess.run([sys.executable, "-m", "replicon.cli", "solve", *args],
                          capture_output=True, text=True, timeout=120)


def test_solve_fully_connected_large_k_json_reports_all_branches():
    """alpha_tilde = 8 at T = 0 is past the specialisation transition (7.680): the thermodynamic branch is
    specialised, with the permutation-symmetric branch (eps_g = arccos(2/pi)/pi) and the unstable partner
    listed; R and q are reported by their diagonal and uniform parts, c_a for the student self-overlap."""
    out = _solve("committee.gibbs_fully_largek", "alpha_tilde=8", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["converged"] is True and d["params"] == {"alpha_tilde": 8.0, "T": 0.0}
    assert d["branch"] == "specialised" and d["status"] == "thermodynamic"
    for k in ("R_d", "R_a", "q_d", "q_a", "c_a", "eps_g", "free_entropy", "entropy"):
        assert k in d["observables"]
    status = {(b["branch"], b["status"]) for b in d["branches"]}
    assert status == {("specialised", "thermodynamic"), ("permutation_symmetric", "metastable"),
                      ("specialised", "unstable")}
    ps = [b for b in d["branches"] if b["branch"] == "permutation_symmetric"][0]
    assert ps["observables"]["eps_g"] == pytest.approx(math.acos(2 / math.pi) / math.pi, abs=1e-12)


def test_solve_fully_connected_large_k_text_and_bad_input():
    """Plain output at T > 0 names the branches; a negative alpha_tilde is a one-line error (exit code 2)."""
    out = _solve("committee.gibbs_fully_largek", "alpha_tilde=3", "T=0.5")
    assert out.returncode == 0, out.stderr
    assert "permutation_symmetric" in out.stdout and "eps_g" in out.stdout
    bad = _solve("committee.gibbs_fully_largek", "alpha_tilde=-1")
    assert bad.returncode != 0 and "alpha_tilde" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
