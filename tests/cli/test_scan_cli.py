"""`replicon scan` and `replicon plot` from the command line: bad grids, SIGKILL and resume, refusal, figures."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr

from replicon.compare.scan import scan

CLI = [sys.executable, "-m", "replicon.cli"]


def run(*args, env=None, timeout=120):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("arg, allowed", [
    ("alpha=5:1:x", "a grid is"),
    ("alpha=", "a grid is"),
    ("alpha=0:1:-3", "a grid is"),
    ("bogus=1:2:3", "allowed: alpha, T, weights, student"),
    ("alpha=-1:2:3", "allowed: >= 0.0"),
])
def test_malformed_grids_exit_2_with_one_line(tmp_path, arg, allowed):
    out = run("scan", "perceptron.teacher", arg, "--out", str(tmp_path / "x.nc"))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("replicon: error:") and allowed in lines[0], out.stderr
    assert not (tmp_path / "x.nc").exists()


def _journalled_points(journal):
    n = 0
    for name in os.listdir(journal):
        if name.startswith("chunk-") and name.endswith(".json"):
            with open(os.path.join(journal, name)) as f:
                n += len(json.load(f)["indices"])
    return n


def test_scan_killed_by_sigkill_resumes_without_losing_or_repeating_points(tmp_path):
    """Kill the scan (SIGKILL) after some chunks are journalled; the same command then solves only the
    missing points, and the file holds every grid point once, equal to an uninterrupted scan."""
    out = tmp_path / "sph.nc"
    journal = str(out) + ".partial"
    args = ["scan", "perceptron.teacher", "alpha=0.5:3:12", "T=0,0.5", "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "REPLICON_SCAN_DELAY": "0.4"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if os.path.isdir(journal) and _journalled_points(journal) >= 4:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    saved = _journalled_points(journal)
    assert 4 <= saved < 24, "the kill must land mid-way"

    again = run(*args[:-2], "--workers", "2")
    assert again.returncode == 0, again.stderr
    assert f"({24 - saved} computed now, {saved} from the journal)" in again.stdout
    assert not os.path.exists(journal)
    ds = xr.open_dataset(out).load()
    assert ds.attrs["points_computed"] == 24 - saved and ds.attrs["points_total"] == 24
    assert ds.sizes == {"alpha": 12, "T": 2}
    assert len(np.unique(ds["alpha"])) == 12 and bool(ds["converged"].all())
    fresh = scan("perceptron.teacher", {"alpha": list(np.linspace(0.5, 3, 12)), "T": [0.0, 0.5]}, {},
                 workers=1, progress=False)
    xr.testing.assert_equal(ds.drop_attrs(), fresh.drop_attrs())

    done = run(*args)
    assert done.returncode == 0 and "already complete" in done.stdout


def cli(*args):
    """Run the CLI in this process (fast: no interpreter start-up); returns click's Result."""
    from click.testing import CliRunner

    from replicon.cli import main

    return CliRunner().invoke(main, list(args))


def test_different_scan_onto_existing_file_is_refused_unless_overwrite(tmp_path):
    out = str(tmp_path / "s.nc")
    assert cli("scan", "perceptron.teacher", "alpha=1,2", "--out", out, "--workers", "1").exit_code == 0
    refused = cli("scan", "perceptron.teacher", "alpha=1,3", "--out", out, "--workers", "1")
    assert refused.exit_code == 2
    assert len(refused.stderr.strip().splitlines()) == 1 and "--overwrite" in refused.stderr
    assert xr.open_dataset(out)["alpha"].values.tolist() == [1.0, 2.0]
    ok = cli("scan", "perceptron.teacher", "alpha=1,3", "--out", out, "--workers", "1", "--overwrite")
    assert ok.exit_code == 0, ok.output
    assert xr.open_dataset(out)["alpha"].values.tolist() == [1.0, 3.0]


def _is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 10_000


@pytest.mark.slow
def test_plot_writes_png_for_1d_and_2d_scans(tmp_path):
    one = str(tmp_path / "one.nc")
    two = str(tmp_path / "two.nc")
    assert cli("scan", "perceptron.teacher", "alpha=log:0.1:100:8", "--out", one, "--workers", "1").exit_code == 0
    assert cli("scan", "perceptron.teacher", "weights=ising", "alpha=1:2:5", "T=0,0.5", "--out", two,
               "--workers", "1").exit_code == 0
    for src, extra in ((one, []), (one, ["--z", "eps_g"]), (two, []), (two, ["--x", "T", "--y", "alpha"])):
        png = str(tmp_path / f"fig{len(os.listdir(tmp_path))}.png")
        out = cli("plot", src, *extra, "--out", png)
        assert out.exit_code == 0, out.output
        assert _is_png(png)
    bad = cli("plot", two, "--z", "nonsense", "--out", str(tmp_path / "bad.png"))
    assert bad.exit_code == 2 and "allowed: eps_g" in bad.stderr
