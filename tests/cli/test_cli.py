"""The CLI contract of DESIGN.md: JSON shape, exit status 2 with one line for bad input."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from replicon.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_solve_json_shape_with_branches():
    """solve --json prints one object with the DESIGN.md keys; coexisting branches are listed."""
    r = run("solve", "perceptron.teacher", "alpha=1.3", "weights=ising", "--json")
    assert r.exit_code == 0
    d = json.loads(r.output)
    for k in ("model", "params", "order", "observables", "free_energy", "converged", "residual", "branch", "stable"):
        assert k in d
    assert d["branch"] == "perfect"
    assert {b["branch"] for b in d["branches"]} == {"perfect", "poor", "unstable"}
    assert d["params"]["alpha"] == 1.3


def test_capacity_from_the_cli():
    d = json.loads(run("solve", "perceptron.capacity", "kappa=0", "--json").output)
    assert d["observables"]["alpha_c"] == pytest.approx(2.0)


@pytest.mark.parametrize("args,needle", [
    (["solve", "nosuch.model"], "available"),
    (["solve", "perceptron.teacher", "foo=1"], "allowed"),
    (["solve", "perceptron.teacher", "alpha=-1"], "allowed"),
    (["solve", "perceptron.teacher", "T=-1"], "allowed"),
    (["solve", "perceptron.storage", "kappa=50"], "allowed"),
    (["solve", "perceptron.teacher", "alpha=abc"], "number"),
    (["solve", "perceptron.teacher", "weights=potts"], "spherical, ising"),
    (["solve", "perceptron.teacher", "alpha"], "name=value"),
    (["compare", "perceptron.teacher", "alpha=5:1:x"], "grid"),
    (["compare", "perceptron.teacher", "alpha="], "grid"),
])
def test_bad_input_exits_2_with_one_line(args, needle):
    p = subprocess.run([sys.executable, "-m", "replicon.cli", *args], capture_output=True, text=True)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert "Traceback" not in p.stderr


def test_models_lists_the_catalogue():
    out = run("models").output
    for name in ("perceptron.storage", "perceptron.capacity", "perceptron.teacher"):
        assert name in out


def test_simulate_json():
    r = run("simulate", "perceptron.teacher", "alpha=1", "N=20", "seeds=3", "--json")
    d = json.loads(r.output)
    assert len(d["samples"]["R"]) == 3 and 0 < d["mean"]["R"] < 1


def test_compare_writes_figure_and_agreement(tmp_path):
    """compare runs theory and simulation on a grid, writes a PNG and reports z per point."""
    out = tmp_path / "c.png"
    r = run("compare", "perceptron.rule", "alpha=1,4", "N=100,200", "seeds=6", "--out", str(out), "--json")
    assert r.exit_code == 0
    d = json.loads(r.output)
    assert out.exists() and out.stat().st_size > 10000
    rows = [a for a in d["agreement"] if a["observable"] == "R"]
    assert len(rows) == 2 and all(abs(a["z"]) < 5 for a in rows)
