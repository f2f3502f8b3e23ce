"""Grid scans: the same numbers as point-by-point solves, failures kept, resumable, identical on Dask."""

import json
import math
import os

import numpy as np
import pytest
import xarray as xr

from replicon._util import ParamError
from replicon.compare.scan import Journal, make_spec, scan
from replicon.registry import Model, Param, get, register
from replicon.theory.solution import Solution

TEACHER = get("perceptron.teacher")


# --- tiny models, solved in this process (workers=1) -------------------------------------------

CALLS = []


def _toy_solve(a=1.0, b=0.0):
    """m = a + b; fails (exception) at a = 3, does not converge at a = 4; two branches for a > 5."""
    CALLS.append((a, b))
    if a == 3:
        raise FloatingPointError("overflow in toy model")
    if a == 4:
        return Solution.failed("test.scan_toy", {"a": a, "b": b}, "toy did not converge", residual=0.5)
    main = Solution(model="test.scan_toy", params={"a": a, "b": b}, observables={"m": a + b, "trace": np.ones(3)},
                    free_energy=-(a + b), residual=1e-12, branch="low", status="thermodynamic")
    main.branches = [main]
    if a > 5:
        high = Solution(model="test.scan_toy", params={"a": a, "b": b}, observables={"m": 2 * (a + b)},
                        free_energy=0.0, residual=1e-12, branch="high", status="metastable")
        main.branches.append(high)
    return main


TOY = register(Model(name="test.scan_toy", summary="toy model for scan tests",
                     params=[Param("a", 1.0, lo=0.0), Param("b", 0.0)],
                     solve=_toy_solve, outputs={"m": "a + b"}), replace=True)

NEAR_CALLS = []


def _near_solve(a=1.0, b=0.0):
    return Solution(model="test.scan_near", params={"a": a, "b": b}, observables={"m": a * b}, branch="x")


def _solve_near(params, previous):
    NEAR_CALLS.append((params["a"], params["b"], previous.params["a"], previous.params["b"]))
    return Solution(model="test.scan_near", params=dict(params),
                    observables={"m": params["a"] * params["b"], "from_previous": previous["m"]}, branch="x")


NEAR = register(Model(name="test.scan_near", summary="toy model with a continuation hook",
                      params=[Param("a", 1.0), Param("b", 0.0)], solve=_near_solve, outputs={"m": "a b"},
                      hooks={"solve_near": _solve_near}), replace=True)


# --- the numbers --------------------------------------------------------------------------------

def test_scan_equals_point_by_point_solves_ising_teacher():
    """Every grid point of a two-process scan of plain solves holds exactly what model.run_solve gives
    there: thermodynamic observables, branch label, number of branches and each branch's observables."""
    grid = {"alpha": [0.8, 1.3, 2.0], "T": [0.0, 0.5]}
    ds = scan(TEACHER, grid, {"weights": "ising"}, workers=2, progress=False, continuation=False)
    assert ds["eps_g"].dims == ("alpha", "T")
    assert ds.attrs["points_computed"] == 6 and ds.attrs["continuation"] == "none"
    labels = json.loads(ds.attrs["branch_labels"])
    for a in grid["alpha"]:
        for T in grid["T"]:
            sol = TEACHER.run_solve(alpha=a, T=T, weights="ising")
            pt = ds.sel(alpha=a, T=T)
            assert bool(pt["converged"]) and str(pt["branch"].item()) == sol.branch
            assert int(pt["n_branches"]) == len(sol.branches)
            assert float(pt["residual"]) == sol.residual
            for k, v in sol.observables.items():
                assert float(pt[k]) == float(v), (a, T, k)
            assert float(pt["free_energy"]) == sol.free_energy
            for lab in labels:
                b = sol.branch_named(lab)
                got = float(pt[f"R__{lab}"])
                if b is None:
                    assert math.isnan(got)
                else:
                    assert got == b.observables["R"]
    # the (alpha, T) plane crosses the first-order transition: T=0 jumps to 'perfect' by alpha=1.3
    assert ds["branch"].sel(alpha=0.8, T=0.0).item() == "poor"
    assert ds["branch"].sel(alpha=1.3, T=0.0).item() == "perfect"


@pytest.mark.slow
def test_continued_scan_agrees_with_plain_solves_within_solver_tolerance():
    """Where perceptron.teacher offers hooks['solve_near'], following branches along the grid finds the
    same thermodynamic state as independent solves, to the solver's tolerance (residual < 1e-10)."""
    assert "solve_near" in TEACHER.hooks
    grid = {"T": [0.0, 0.5], "alpha": [0.8, 1.2, 1.6, 2.0]}
    ds = scan(TEACHER, grid, {"weights": "ising"}, workers=1, progress=False)
    assert ds.attrs["continuation"] == "solve_near"
    for T in grid["T"]:
        for a in grid["alpha"]:
            sol = TEACHER.run_solve(alpha=a, T=T, weights="ising")
            pt = ds.sel(alpha=a, T=T)
            assert str(pt["branch"].item()) == sol.branch
            assert float(pt["residual"]) < 1e-10
            for k in ("R", "q", "eps_g", "free_entropy"):
                assert abs(float(pt[k]) - sol.observables[k]) < 1e-8, (a, T, k)


def test_failed_points_are_recorded_and_the_scan_goes_on():
    ds = scan(TOY, {"a": [1.0, 2.0, 3.0, 4.0, 6.0]}, {"b": 0.5}, workers=1, progress=False)
    conv = ds["converged"].values.tolist()
    assert conv == [True, True, False, False, True]
    assert ds["message"].values[2] == "FloatingPointError: overflow in toy model"
    assert ds["message"].values[3] == "toy did not converge"
    assert ds["residual"].values[3] == 0.5
    assert np.isnan(ds["m"].values[2]) and np.isnan(ds["m"].values[3])
    np.testing.assert_array_equal(ds["m"].values[[0, 1, 4]], [1.5, 2.5, 6.5])
    assert "trace" not in ds  # arrays are skipped
    assert ds.attrs["points_failed"] == 2
    # per-branch variables: 'high' exists only at a = 6 (its spinodal lies between 4 and 6)
    np.testing.assert_array_equal(np.isfinite(ds["m__high"].values), [False, False, False, False, True])
    assert ds["m__high"].values[4] == 13.0 and ds["n_branches"].values[4] == 2


def test_continuation_hook_follows_each_line_from_its_previous_point():
    """With hooks['solve_near'] a chunk is a whole line along the last scanned axis, solved in order."""
    NEAR_CALLS.clear()
    ds = scan(NEAR, {"a": [1.0, 2.0], "b": [10.0, 20.0, 30.0]}, {}, workers=1, progress=False)
    assert ds.attrs["continuation"] == "solve_near" and ds.attrs["line_dim"] == "b"
    assert sorted(NEAR_CALLS) == [(1.0, 20.0, 1.0, 10.0), (1.0, 30.0, 1.0, 20.0),
                                  (2.0, 20.0, 2.0, 10.0), (2.0, 30.0, 2.0, 20.0)]
    np.testing.assert_array_equal(ds["from_previous"].values, [[np.nan, 10.0, 20.0], [np.nan, 20.0, 40.0]])
    spec = make_spec(NEAR, {"a": [1.0, 2.0], "b": [10.0, 20.0, 30.0]}, {})
    assert [c.tolist() for c in spec.chunks] == [[0, 1, 2], [3, 4, 5]]


def test_chunks_cover_every_point_exactly_once():
    spec = make_spec(TEACHER, {"alpha": list(np.linspace(0.5, 3, 26)), "T": list(np.linspace(0, 1, 11))}, {})
    flat = np.concatenate(spec.chunks)
    assert sorted(flat.tolist()) == list(range(26 * 11))
    # perceptron.teacher continues along alpha (its grid_parameter): one chunk per T value at least
    assert 11 <= len(spec.chunks) <= 26 * 11
    assert all(len(set(np.unravel_index(c, (26, 11))[1].tolist())) == 1 for c in spec.chunks)


# --- files and resuming -------------------------------------------------------------------------

def test_file_round_trip(tmp_path):
    out = str(tmp_path / "toy.nc")
    ds = scan(TOY, {"a": [1.0, 3.0, 6.0], "b": "0,1"}, {}, out=out, workers=1, progress=False)
    back = xr.open_dataset(out, engine="netcdf4").load()
    xr.testing.assert_identical(ds, back)
    assert back["converged"].dtype == bool
    assert back.attrs["model"] == "test.scan_toy" and json.loads(back.attrs["fixed"]) == {}
    assert back.attrs["replicon_version"]
    assert not os.path.exists(out + ".partial")


def test_interrupted_scan_resumes_with_only_the_missing_points(tmp_path, monkeypatch):
    """A scan stopped mid-way (here by Ctrl-C after 7 solves) recomputes only the chunks not journalled."""
    out = str(tmp_path / "toy.nc")
    grid = {"a": [1.0, 2.0, 5.5, 6.0, 7.0], "b": [0.0, 1.0, 2.0]}  # 15 points, 15 one-point chunks
    real = TOY.solve

    def interrupting(**p):
        if len(CALLS) >= 7:
            raise KeyboardInterrupt
        return real(**p)

    CALLS.clear()
    monkeypatch.setattr(TOY, "solve", interrupting)
    with pytest.raises(KeyboardInterrupt):
        scan(TOY, grid, {}, out=out, workers=1, progress=False)
    monkeypatch.setattr(TOY, "solve", real)
    spec = make_spec(TOY, grid, {})
    journalled = Journal(out).load(spec)
    assert len(journalled) == 7 and not os.path.exists(out)

    CALLS.clear()
    ds = scan(TOY, grid, {}, out=out, workers=1, progress=False)
    assert len(CALLS) == 15 - 7 and ds.attrs["points_computed"] == 8
    done = {tuple(spec.point(i).values()) for c in journalled for i in spec.chunks[c]}
    assert done.isdisjoint(CALLS)  # journalled points were not solved again
    fresh = scan(TOY, grid, {}, workers=1, progress=False)
    xr.testing.assert_equal(ds, fresh)
    # once complete, the same scan computes nothing
    CALLS.clear()
    again = scan(TOY, grid, {}, out=out, workers=1, progress=False)
    assert CALLS == [] and again.attrs["points_computed"] == 0


def test_corrupt_journal_chunk_is_recomputed(tmp_path):
    out = str(tmp_path / "toy.nc")
    grid = {"a": [1.0, 2.0, 6.0]}
    spec = make_spec(TOY, grid, {})
    j = Journal(out)
    j.start(spec)
    with open(os.path.join(j.dir, "chunk-000001.json"), "w") as f:
        f.write('{"chunk": 1, "indices": [1], "rec')  # cut short
    CALLS.clear()
    ds = scan(TOY, grid, {}, out=out, workers=1, progress=False)
    assert len(CALLS) == 3 and ds["m"].values.tolist() == [1.0, 2.0, 6.0]


def test_a_different_scan_onto_an_existing_file_is_refused(tmp_path):
    out = str(tmp_path / "toy.nc")
    scan(TOY, {"a": [1.0, 2.0]}, {}, out=out, workers=1, progress=False)
    with pytest.raises(ParamError, match="different scan.*--overwrite"):
        scan(TOY, {"a": [1.0, 2.5]}, {}, out=out, workers=1, progress=False)
    with pytest.raises(ParamError, match="different scan"):
        scan(TOY, {"a": [1.0, 2.0]}, {"b": 1.0}, out=out, workers=1, progress=False)
    ds = scan(TOY, {"a": [1.0, 2.5]}, {}, out=out, workers=1, progress=False, overwrite=True)
    assert xr.open_dataset(out)["a"].values.tolist() == [1.0, 2.5] and ds.attrs["points_computed"] == 2
    # a journal left by a different scan is refused too
    other = str(tmp_path / "other.nc")
    Journal(other).start(make_spec(TOY, {"a": [7.0]}, {}))
    with pytest.raises(ParamError, match="journal of a different scan"):
        scan(TOY, {"a": [1.0]}, {}, out=other, workers=1, progress=False)
    # and so is a file that is not a replicon scan
    junk = tmp_path / "junk.nc"
    junk.write_text("not netcdf")
    with pytest.raises(ParamError, match="not a replicon scan"):
        scan(TOY, {"a": [1.0]}, {}, out=str(junk), workers=1, progress=False)


# --- Dask ---------------------------------------------------------------------------------------

def test_dask_run_equals_local_run():
    distributed = pytest.importorskip("distributed")
    grid = {"alpha": [0.5, 1.0, 1.5, 2.5], "T": [0.0, 0.3]}
    local = scan(TEACHER, grid, {"weights": "ising"}, workers=2, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote = scan(TEACHER, grid, {"weights": "ising"}, dask=cluster.scheduler_address, progress=False)
    xr.testing.assert_identical(local, remote)


# --- the phase diagram -------------------------------------------------------------------------

@pytest.mark.slow
def test_phase_diagram_draws_the_ising_transition_and_spinodal_where_theory_puts_them():
    """At T = 0 the Ising teacher-student transition is at alpha = 1.245 and the poor branch's spinodal at
    1.493 (Gyorgyi 1990); on a 0.1-spaced grid the drawn lines must cross T = 0 at 1.25 and 1.45,
    the midpoints of the grid cells that bracket them."""
    from replicon.compare.plotscan import plot_scan

    ds = scan(TEACHER, {"alpha": "1.0:1.8:9", "T": "0,0.1,0.2"}, {"weights": "ising"}, workers=1,
              progress=False)
    fig = plot_scan(ds)
    ax = fig.axes[0]
    lines = {c.get_gid(): c for c in ax.collections if c.get_gid()}
    assert set(lines) == {"transition", "spinodal:poor"}

    def alpha_at_T0(gid):
        v = np.concatenate([p.vertices for p in lines[gid].get_paths()])
        return v[np.isclose(v[:, 1], 0.0), 0]

    np.testing.assert_allclose(alpha_at_T0("transition"), [1.25], atol=1e-12)
    np.testing.assert_allclose(alpha_at_T0("spinodal:poor"), [1.45], atol=1e-12)
    assert ax.get_legend() is None   # the legend of the lines sits below the panels, over no data
    leg = fig.legends[0]
    labels = [t.get_text() for t in leg.get_texts()]
    assert labels == ["transition (branch changes)", "spinodal: 'poor' branch ends"]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert leg.get_window_extent(renderer).y1 <= ax.get_window_extent(renderer).y0


# --- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("grid, fixed, match", [
    ({"alpha": "5:1:x"}, {}, "point count 'x' is not an integer"),
    ({"alpha": ""}, {}, "has no value"),
    ({"alpha": "0:1:-3"}, {}, "point count must be >= 1"),
    ({"bogus": "1:2:3"}, {}, "unknown parameter 'bogus'.*allowed: alpha, T, weights, student"),
    ({"alpha": "-1:1:3"}, {}, "out of range"),
    ({"alpha": "1,1,2"}, {}, "repeats"),
    ({"alpha": "1:2:3"}, {"alpha": 1.0}, "both scanned and fixed"),
    ({"alpha": "1:2:3"}, {"weights": "gaussian"}, "choose one of"),
    ({}, {"alpha": 1.0}, "nothing to scan"),
])
def test_malformed_scans_raise_one_line_param_errors(grid, fixed, match):
    with pytest.raises(ParamError, match=match) as e:
        make_spec(TEACHER, grid, fixed)
    assert "\n" not in str(e.value)
