"""Models reach the registry through the entry-point group ``replicon.models``: replicon's own
families and a third-party plugin alike (issue "One house for every model")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import netCDF4
import numpy as np

from replicon import registry

PLUGIN = textwrap.dedent('''
    """A tiny third-party model: the Curie-Weiss magnet, m = tanh(beta (J m + h))."""
    import math

    from replicon.registry import Model, Param
    from replicon.theory.solution import Solution


    def solve(beta=1.0, h=0.0):
        m = 1.0 if beta > 1 or h != 0 else 0.0
        if h < 0:
            m = -1.0
        for it in range(10000):
            new = math.tanh(beta * (m + h))
            if abs(new - m) < 1e-13:
                break
            m = new
        res = abs(math.tanh(beta * (m + h)) - m)
        return Solution(model="toy.curie_weiss", params={"beta": beta, "h": h}, order={"m": m},
                        observables={"m": m}, converged=res < 1e-10, residual=res, iterations=it)


    def register_models():
        return [Model(name="toy.curie_weiss", summary="Curie-Weiss magnet (plugin test)",
                      params=[Param("beta", 1.0, "inverse temperature", lo=0.0, hi=50.0),
                              Param("h", 0.0, "field", lo=-5.0, hi=5.0)],
                      solve=solve, outputs={"m": "magnetisation"})]
''')


def _install_plugin(tmp_path):
    """A plugin distribution on sys.path: its module and a dist-info with the entry point (what
    ``pip install`` of a package declaring ``[project.entry-points."replicon.models"]`` leaves)."""
    (tmp_path / "replicon_toy_plugin.py").write_text(PLUGIN)
    info = tmp_path / "replicon_toy_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: replicon-toy-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[replicon.models]\ntoy = replicon_toy_plugin:register_models\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _cli(args, env, cwd):
    return subprocess.run([sys.executable, "-m", "replicon.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def test_builtin_families_come_through_the_entry_point_group():
    """replicon's own models are registered by its entry point (not by an import in registry.py)."""
    values = [ep.value.replace(" ", "") for ep in registry._entry_points()]
    assert registry.BUILTIN in values
    names = {m.name for m in registry.all_models()}
    assert {"perceptron.teacher", "committee.gibbs", "committee.online", "chain.signal"} <= names


def test_a_plugin_is_listed_solved_and_scanned_from_the_cli(tmp_path):
    env = _install_plugin(tmp_path)
    r = _cli(["models"], env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "toy.curie_weiss" in r.stdout and "perceptron.teacher" in r.stdout

    r = _cli(["solve", "toy.curie_weiss", "beta=2", "--json"], env, tmp_path)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    m = d["observables"]["m"]
    assert d["converged"] and abs(m - np.tanh(2 * m)) < 1e-10 and m > 0.95   # m* = 0.9575 at beta = 2

    r = _cli(["solve", "toy.curie_weiss", "beta=99"], env, tmp_path)
    assert r.returncode == 2 and "allowed" in r.stderr and "Traceback" not in r.stderr

    out = tmp_path / "toy.nc"
    r = _cli(["scan", "toy.curie_weiss", "beta=0.5:2:4", "--out", str(out), "--workers", "1"], env, tmp_path)
    assert r.returncode == 0, r.stderr
    with netCDF4.Dataset(out) as ds:
        m = np.asarray(ds["m"][:], float).ravel()
    beta = np.linspace(0.5, 2.0, 4)
    assert np.allclose(m[beta < 1], 0.0) and np.all(m[beta > 1] > 0.5)
    assert np.allclose(m, np.tanh(beta * m), atol=1e-10)


def test_a_broken_plugin_is_reported_and_skipped(tmp_path):
    env = _install_plugin(tmp_path)
    (tmp_path / "replicon_toy_plugin.py").write_text("raise ImportError('broken on purpose')\n")
    r = _cli(["models"], env, tmp_path)
    assert r.returncode == 0
    assert "perceptron.teacher" in r.stdout
    assert "toy" in r.stderr and "broken on purpose" in r.stderr
