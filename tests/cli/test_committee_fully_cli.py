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


def test_solve_fully_connected_large_k_ising_json():
    """Ising weights at T = 0.5, alpha_tilde = 2 (below the transition to perfect learning, alpha_spec = 2.1606):
    the thermodynamic branch is permutation-symmetric with free entropy ln 2 + alpha_tilde G_E^PS > 0 (the value
    of the Python API), the exact perfect state (free entropy 0, eps_g = 0) is metastable and the separatrix
    unstable; params report weights=ising."""
    from replicon.theory.committee.fully_large_k import permutation_symmetric

    out = _solve("committee.gibbs_fully_largek", "alpha_tilde=2", "weights=ising", "T=0.5", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["converged"] is True and d["params"] == {"alpha_tilde": 2.0, "T": 0.5, "weights": "ising"}
    assert d["branch"] == "permutation_symmetric" and d["status"] == "thermodynamic"
    ps = permutation_symmetric(2.0, 0.5, "ising")
    assert d["observables"]["free_entropy"] == pytest.approx(ps["free_entropy"], abs=1e-12)
    assert d["observables"]["free_entropy"] > 0
    status = {(b["branch"], b["status"]) for b in d["branches"]}
    assert status == {("permutation_symmetric", "thermodynamic"), ("perfect", "metastable"),
                      ("specialised", "unstable")}
    perfect = [b for b in d["branches"] if b["branch"] == "perfect"][0]
    assert perfect["observables"]["free_entropy"] == 0.0 and perfect["observables"]["eps_g"] == 0.0
    bad = _solve("committee.gibbs_fully_largek", "alpha_tilde=2", "weights=gaussian")
    assert bad.returncode != 0 and "weights" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
