"""`replicon solve / scan landscape.local_entropy` from the command line (issue 11's CLI contract)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from replicon.theory.landscape import binary_entropy

CLI = [sys.executable, "-m", "replicon.cli"]


def run(*args, timeout=600):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def test_solve_local_entropy_json():
    """replicon solve landscape.local_entropy alpha=0.6 d=0.05: the dense branch, 0 < S < H2(d)."""
    p = run("solve", "landscape.local_entropy", "alpha=0.6", "d=0.05", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["converged"] and out["branch"] == "dense" and out["status"] == "thermodynamic"
    S = out["observables"]["entropy"]
    assert 0 < S < binary_entropy(0.05) and out["observables"]["slope"] > 0


@pytest.mark.parametrize("args, allowed", [(["d=0.6"], "allowed: (0.0, 0.5]"),
                                           (["weights=spherical", "problem=teacher"], "allowed: weights=spherical with")])
def test_bad_input_exits_2_with_one_line(args, allowed):
    p = run("solve", "landscape.local_entropy", *args)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2 and len(lines) == 1 and allowed in lines[0], p.stderr


@pytest.mark.slow
def test_scan_local_entropy_over_distances(tmp_path):
    """replicon scan landscape.local_entropy alpha=0.6 d=0.01:0.3:30 (with continuation in d): every point
    converges, S rises with d below d* and sits on the Gardner plateau beyond it, below H2(d)."""
    out = tmp_path / "le.nc"
    p = run("scan", "landscape.local_entropy", "alpha=0.6", "d=0.01:0.3:30", "--out", str(out), "--workers", "1",
            timeout=1200)
    assert p.returncode == 0, p.stderr
    ds = xr.open_dataset(out).load()
    assert ds.sizes == {"d": 30} and bool(ds["converged"].all())
    d, S = ds["d"].values, ds["entropy"].values
    assert np.all(S < np.array([binary_entropy(t) for t in d]))
    assert np.all(np.diff(S) >= -1e-12)
    plateau = ds["branch"].values == "plateau"
    assert plateau.any() and np.allclose(S[plateau], S[-1])
    assert set(ds["branch"].values[~plateau]) == {"dense"}
