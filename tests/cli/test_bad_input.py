"""Malformed command lines exit with status 2 and one line on stderr, never a traceback
(issue "Honest at every edge"; DESIGN.md, "Command line")."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

BAD = [
    # unknown model / parameter / value
    ["solve", "nosuch.model"],
    ["solve", "perceptron"],
    ["solve", "perceptron.teacher", "foo=1"],
    ["solve", "perceptron.teacher", "alpha"],
    ["solve", "perceptron.teacher", "=1"],
    ["solve", "perceptron.teacher", "alpha=abc"],
    ["solve", "perceptron.teacher", "alpha=-1"],
    ["solve", "perceptron.teacher", "alpha=nan"],
    ["solve", "perceptron.teacher", "alpha=inf"],
    ["solve", "perceptron.teacher", "alpha=-inf"],
    ["solve", "perceptron.teacher", "alpha="],
    ["solve", "perceptron.teacher", "T=-0.5"],
    ["solve", "perceptron.teacher", "weights=binary"],
    ["solve", "perceptron.teacher", "alpha=1", "alpha=2"],
    ["solve", "perceptron.teacher", "alpha=0.5:3:4"],
    ["solve", "perceptron.storage", "kappa=50"],
    ["solve", "committee.gibbs", "K=2"],
    ["solve", "committee.gibbs", "K=3.5"],
    ["solve", "committee.gibbs", "K=9"],
    ["solve", "committee.bayes", "K=0"],
    ["solve", "committee.online", "K=1000"],
    ["solve", "chain.signal", "activation=softmax"],
    ["solve", "chain.signal", "depth=0"],
    ["solve", "perceptron.teacher", "--nosuchflag"],
    ["models", "nosuch.model"],
    # simulate
    ["simulate", "perceptron.storage"],
    ["simulate", "perceptron.teacher", "N=1"],
    ["simulate", "perceptron.teacher", "N=abc"],
    ["simulate", "perceptron.teacher", "seeds=0"],
    ["simulate", "perceptron.teacher", "N=100000000"],
    ["simulate", "committee.gibbs", "K=3", "N=30"],
    # grids and scans
    ["scan", "perceptron.teacher", "alpha=0.5:3", "--out", "{tmp}/a.nc"],
    ["scan", "perceptron.teacher", "alpha=5:1:x", "--out", "{tmp}/a.nc"],
    ["scan", "perceptron.teacher", "alpha=0.5:3:0", "--out", "{tmp}/a.nc"],
    ["scan", "perceptron.teacher", "alpha=log:-1:3:4", "--out", "{tmp}/a.nc"],
    ["scan", "perceptron.teacher", "alpha=1,,2", "--out", "{tmp}/a.nc"],
    ["scan", "perceptron.teacher", "alpha=0.5:3:1000000000", "--out", "{tmp}/a.nc"],
    ["scan", "perceptron.teacher", "alpha=0.5:3:100000", "T=0:1:100000", "--out", "{tmp}/a.nc"],
    ["scan", "perceptron.teacher", "alpha=1", "--out", "{tmp}/a.nc"],
    ["scan", "perceptron.teacher", "alpha=0.5:3:3", "--out", "{tmp}/a.xyz"],
    ["scan", "perceptron.teacher", "alpha=0.5:3:3", "--out", "/proc/x.nc"],
    ["scan", "perceptron.teacher", "alpha=0.5:3:3", "--out", "/proc/nodir/a.nc"],
    ["scan", "perceptron.teacher", "alpha=0.5:3:3", "--out", "{tmp}/a.nc", "--workers", "0"],
    ["scan", "perceptron.teacher", "alpha=0.5:3:3"],
    # compare and plot
    ["compare", "perceptron.storage"],
    ["compare", "perceptron.teacher", "alpha=0.5:3:2", "T=0:1:2"],
    ["compare", "perceptron.teacher", "--out", "{tmp}/x.xyz"],
    ["compare", "perceptron.teacher", "--out", "/proc/x.png"],
    ["plot", "{tmp}/missing.nc", "--out", "{tmp}/x.png"],
    ["figure", "nosuchfigure"],
]


def _check(code, out, err):
    err = err.strip()
    assert code == 2, (code, out[-300:], err[-500:])
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("replicon: error: ")


@pytest.mark.parametrize("args", BAD, ids=[" ".join(a) for a in BAD])
def test_bad_input_exits_2_with_one_line(args, tmp_path, monkeypatch):
    """In process (click's runner: exit status and stderr as a user sees them)."""
    from click.testing import CliRunner

    from replicon.cli import main

    monkeypatch.chdir(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    r = CliRunner().invoke(main, args, catch_exceptions=True)
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    _check(r.exit_code, r.stdout, r.stderr)


@pytest.mark.parametrize("args", [BAD[0], BAD[13], BAD[29], BAD[40]], ids=lambda a: " ".join(a))
def test_bad_input_from_a_real_process(args, tmp_path):
    """The same through the installed entry point's module in a fresh interpreter."""
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    r = subprocess.run([sys.executable, "-m", "replicon.cli", *args], capture_output=True, text=True,
                       timeout=120, env=dict(os.environ, COLUMNS="200"), cwd=tmp_path)
    _check(r.returncode, r.stdout, r.stderr)


def test_there_are_at_least_forty_cases():
    assert len(BAD) >= 40


def test_a_long_solve_shows_signs_of_life_on_a_terminal(capsys, monkeypatch):
    """The heartbeat prints the elapsed time while a call runs (on a terminal only)."""
    import time

    from replicon import cli

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with cli._heartbeat("solving toy", first=0.05, every=0.05):
        time.sleep(0.4)
    err = capsys.readouterr().err
    assert "solving toy: 0 s" in err and err.count("solving toy") >= 3
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    with cli._heartbeat("quiet", first=0.01, every=0.01):
        time.sleep(0.1)
    assert "quiet" not in capsys.readouterr().err
