"""Phase-diagram scans: solve a registered model on a grid, in parallel, resumably.

``scan(model, grid, fixed)`` solves ``model`` at every point of the Cartesian
product of ``grid`` (parameter name -> list of values) with the other
parameters ``fixed``, and returns an :class:`xarray.Dataset` whose dimensions
are the scanned parameters. The command line ``replicon scan`` is
:func:`scan_cli`.

How the work is cut
-------------------
The grid is cut into *chunks*: segments of lines along one axis, the *line
axis* (the model's ``grid_parameter`` if it is scanned, else the last scanned
parameter). A chunk is solved in order by one worker. When the model offers a
continuation hook, ``model.hooks["solve_near"]``, a chunk is a whole line and
each point after the first is solved by ``solve_near(params, previous)`` from
the previous point's solution, so branches are followed along the line rather
than re-guessed; otherwise every point is a plain ``model.run_solve`` and lines
are cut into shorter segments for load balance. The chunk plan depends only on
the scan itself (model, grid, fixed parameters, hook), never on the number of
workers or on the executor, so a local run and a Dask run compute the same
chunks and give identical numbers.

The continuation hook
---------------------
``hooks["solve_near"](params: dict, previous: Solution) -> Solution`` solves
the model at the validated parameters ``params`` starting from ``previous``
(the converged solution at the neighbouring grid point on the same line) and
returns a Solution with all the branches it can follow, like ``solve``. It is
called only when ``previous.converged``; otherwise the scan falls back on a
plain solve.

Resuming
--------
With ``out=FILE`` every finished chunk is written to the journal directory
``FILE.partial/`` as one JSON file, atomically (write to a temporary name,
then :func:`os.replace`), next to ``scan.json`` holding the scan's identity and
hash. A scan killed at any moment (Ctrl-C, SIGKILL) and started again with the
same arguments reads the journal and solves only the chunks not in it; the
netCDF file is written (again atomically) from the journal once every chunk
is there, and the journal is removed. A different scan onto an existing file
or journal is refused unless ``overwrite=True``.

Output
------
Dimensions: the scanned parameters, with their values as coordinates.
Variables: each scalar observable of the thermodynamic branch (arrays are
skipped), ``free_energy``, ``converged`` (bool), ``residual``, ``branch``
(label of the thermodynamic branch, ``""`` where the point failed),
``n_branches`` (number of solutions found) and ``message`` (why a point
failed, else ``""``). When some point has several branches, each branch's
observables are also stored as ``OBS__LABEL`` (NaN where that branch does not
exist): a branch's spinodal is where its variables turn NaN. Attributes:
``model``, ``fixed`` (JSON), ``grid`` (JSON), ``replicon_version``,
``scan_hash``, ``line_dim``, ``continuation``, ``points_total``,
``points_computed`` (solved by this call, the rest came from the journal),
``points_failed``.

The environment variable ``REPLICON_SCAN_DELAY`` (seconds) makes every chunk
sleep that long after solving; it exists so that tests can kill a scan at a
predictable moment.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import shutil
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._util import ParamError, check_memory, to_plain
from .grid import GRID_HELP, is_grid, parse_grid
from .parallel import dask_client, default_workers, model_ref, mp_context, watch_parent

#: memory a grid point holds while a scan runs (its record, journal line and dataset entries)
BYTES_PER_POINT = 4096
#: chunks aimed at (without continuation) so that workers stay balanced
TARGET_CHUNKS = 64
JOURNAL_SUFFIX = ".partial"
SPEC_FILE = "scan.json"


# ---------------------------------------------------------------------------
# The scan's identity and its chunk plan
# ---------------------------------------------------------------------------

@dataclass
class ScanSpec:
    """A checked scan: model, grid (in dimension order), fixed parameters, chunk plan.

    Attributes
    ----------
    model : Model
        The registry entry.
    dims : list of str
        Scanned parameter names, in the order given (the dataset's dimension order).
    values : dict
        ``name -> list`` of parsed grid values.
    fixed : dict
        Every other parameter, validated (defaults filled in).
    line_dim : str
        Axis along which chunks run (and continuation follows branches).
    continuation : bool
        Whether the model's ``solve_near`` hook is used.
    chunks : list of numpy.ndarray
        Flat (C-order) point indices of each chunk, in solve order.
    """

    model: Any
    dims: list[str]
    values: dict[str, list]
    fixed: dict[str, Any]
    line_dim: str
    continuation: bool
    chunks: list[np.ndarray] = field(default_factory=list)
    grid_text: dict[str, str] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(self.values[d]) for d in self.dims)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def identity(self) -> dict:
        """What makes two scans the same scan (JSON-ready)."""
        from .. import __version__

        return to_plain({
            "model": self.model.name,
            "grid": [[d, list(self.values[d])] for d in self.dims],
            "fixed": self.fixed,
            "continuation": self.continuation,
            "replicon_version": __version__,
        })

    @property
    def hash(self) -> str:
        text = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def point(self, flat: int) -> dict[str, Any]:
        """The scanned parameters' values at flat index ``flat``."""
        idx = np.unravel_index(flat, self.shape)
        return {d: self.values[d][i] for d, i in zip(self.dims, idx)}

    def describe(self) -> str:
        return " x ".join(f"{d}[{len(self.values[d])}]" for d in self.dims)


def _resolve_model(model):
    from ..registry import Model, get

    if isinstance(model, Model):
        return model
    return get(str(model))


def _scan_values(model, name: str, values) -> list:
    """Parse and check one scanned parameter's values (a list, or grid text)."""
    p = model.param(name)  # ParamError naming the allowed parameters
    if p.kind == "array":
        raise ParamError(f"{name} takes a list of numbers as one value and cannot be scanned; "
                         f"scannable: {', '.join(q.name for q in model.params if q.kind != 'array')}")
    if isinstance(values, str):
        values = parse_grid(name, values, numeric=p.kind in ("float", "int"))
    else:
        values = list(np.atleast_1d(np.asarray(values, dtype=object)))
    if not values:
        raise ParamError(f"{name} has no grid values; a grid is {GRID_HELP}")
    parsed = [p.parse(v) for v in values]
    if p.kind in ("float", "int"):
        parsed = [int(v) if p.kind == "int" else float(v) for v in parsed]
    seen = set()
    for v in parsed:
        if v in seen:
            raise ParamError(f"{name}: the grid repeats the value {v!r}; a grid is {GRID_HELP}")
        seen.add(v)
    return parsed


def make_spec(model, grid: dict, fixed: dict | None = None, grid_text: dict | None = None,
              continuation: bool | None = None) -> ScanSpec:
    """Check a scan's arguments and plan its chunks.

    Parameters
    ----------
    model : str or Model
        Registered name or registry entry.
    grid : dict
        Scanned parameter -> list of values (or grid text ``"a:b:n"``, ``"log:a:b:n"``,
        ``"x,y,z"``); the dimension order is the dict's order.
    fixed : dict, optional
        Values of other parameters (defaults for the rest).
    grid_text : dict, optional
        The grid as typed on the command line, kept in the file's attributes.
    continuation : bool, optional
        Follow branches with ``model.hooks["solve_near"]``; default: when the
        model has the hook. ``False`` forces independent plain solves.

    Returns
    -------
    ScanSpec

    Raises
    ------
    ParamError
        Unknown model or parameter, malformed grid, value out of range,
        a parameter both scanned and fixed, or nothing scanned.
    """
    model = _resolve_model(model)
    fixed = dict(fixed or {})
    if not grid:
        raise ParamError(f"nothing to scan: give at least one parameter a grid ({GRID_HELP.split(' (')[0]} "
                         f"is one point; a grid is {GRID_HELP}); for one point use 'replicon solve'")
    both = [k for k in grid if k in fixed]
    if both:
        raise ParamError(f"{both[0]} is both scanned and fixed; give it once")
    values = {name: _scan_values(model, name, v) for name, v in grid.items()}
    dims = list(values)
    size = int(np.prod([len(v) for v in values.values()], dtype=float))
    check_memory(size * BYTES_PER_POINT, f"a scan of {size} points",
                 "scan fewer points, or split the plane into several scans")
    first = {d: values[d][0] for d in dims}
    full = model.validate({**fixed, **first})  # checks the fixed values and names
    fixed_full = {k: v for k, v in full.items() if k not in values}
    has_hook = callable(model.hooks.get("solve_near"))
    if continuation and not has_hook:
        raise ParamError(f"{model.name} has no continuation hook (hooks['solve_near']); scan it with plain solves")
    continuation = has_hook if continuation is None else bool(continuation)
    line_dim = model.grid_parameter if model.grid_parameter in dims else dims[-1]
    spec = ScanSpec(model=model, dims=dims, values=values, fixed=fixed_full, line_dim=line_dim,
                    continuation=continuation, grid_text=dict(grid_text or {}))
    spec.chunks = _plan_chunks(spec)
    return spec


def _plan_chunks(spec: ScanSpec) -> list[np.ndarray]:
    """Cut the grid into lines along ``line_dim`` (whole lines with continuation, else segments)."""
    shape = spec.shape
    axis = spec.dims.index(spec.line_dim)
    n_line = shape[axis]
    if spec.continuation:
        n_seg = 1
    else:
        per_chunk = max(1, math.ceil(spec.size / TARGET_CHUNKS))
        n_seg = max(1, min(n_line, math.ceil(n_line / per_chunk)))
    others = [range(n) if i != axis else [None] for i, n in enumerate(shape)]
    chunks = []
    for combo in itertools.product(*others):
        line = []
        for j in range(n_line):
            idx = list(combo)
            idx[axis] = j
            line.append(np.ravel_multi_index(tuple(idx), shape))
        for seg in np.array_split(np.array(line, dtype=np.int64), n_seg):
            if seg.size:
                chunks.append(seg)
    return chunks


# ---------------------------------------------------------------------------
# Solving one chunk (runs in a worker process or on a Dask worker)
# ---------------------------------------------------------------------------

def _scalar(v):
    """A float for a scalar numeric observable (bools as 0/1), else None (arrays, strings)."""
    if isinstance(v, (bool, np.bool_)):
        return float(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if isinstance(v, np.ndarray) and v.size == 1 and v.dtype.kind in "biuf":
        return float(v.reshape(()))
    return None


def _observables(sol) -> dict[str, float]:
    out = {}
    for k, v in sol.observables.items():
        x = _scalar(v)
        if x is not None:
            out[k] = x
    if sol.free_energy is not None and _scalar(sol.free_energy) is not None:
        out["free_energy"] = _scalar(sol.free_energy)
    return out


def point_record(sol) -> dict:
    """The JSON-ready record of one solved point: thermodynamic observables and every branch's."""
    res = _scalar(sol.residual)
    rec = {"converged": bool(sol.converged), "residual": float("nan") if res is None else res,
           "branch": "", "n_branches": 0, "message": "", "obs": {}, "per": {}}
    if not sol.converged:
        rec["message"] = sol.message or "not converged"
        return rec
    rec["branch"] = sol.branch or ""
    rec["obs"] = _observables(sol)
    branches = sol.branches or [sol]
    rec["n_branches"] = len(branches)
    for b in branches:
        if b.converged:
            rec["per"][b.branch or ""] = _observables(b)
    return rec


def failed_record(message: str) -> dict:
    return {"converged": False, "residual": float("nan"), "branch": "", "n_branches": 0,
            "message": message, "obs": {}, "per": {}}


def _solve_batch(model, fixed: dict, points: list[dict]) -> list:
    """Solutions from the model's ``solve_batch`` hook (None where it does not apply or the hook is absent).

    ``solve_batch(list of validated parameter dicts) -> list of Solution or None`` solves many points
    at once where the model's equations vectorise (e.g. ``perceptron.teacher`` at T = 0); a point it
    leaves as None, or whose parameters do not validate, goes through the point-by-point path."""
    batch = model.hooks.get("solve_batch")
    if batch is None:
        return [None] * len(points)
    valid, where = [], []
    for i, pt in enumerate(points):
        try:
            valid.append(model.validate({**fixed, **pt}))
            where.append(i)
        except Exception:      # noqa: BLE001 - the point path records the error
            pass
    out = [None] * len(points)
    try:
        for i, sol in zip(where, batch(valid)):
            out[i] = sol
    except Exception:          # noqa: BLE001 - a failing batch falls back to the point path
        return [None] * len(points)
    return out


def solve_chunk(model_ref, fixed: dict, points: list[dict], continuation: bool, delay: float = 0.0) -> list[dict]:
    """Solve the points of one chunk in order; one record per point (failures recorded, never raised).

    Parameters
    ----------
    model_ref : str or Model
        Registered name (looked up in the worker) or the entry itself (pickled).
    fixed : dict
        The fixed parameters.
    points : list of dict
        The scanned parameters' values at each point, in solve order.
    continuation : bool
        Use ``model.hooks["solve_near"]`` from the previous converged point.
    delay : float
        Seconds to sleep after solving (testing aid, see ``REPLICON_SCAN_DELAY``).

    Returns
    -------
    list of dict
        :func:`point_record` of each point.
    """
    model = _resolve_model(model_ref)
    near = model.hooks.get("solve_near") if continuation else None
    batched = _solve_batch(model, fixed, points)
    previous = None
    records = []
    for pt, pre in zip(points, batched):
        if pre is not None:
            records.append(point_record(pre))
            previous = pre
            continue
        try:
            if near is not None and previous is not None and previous.converged:
                sol = near(model.validate({**fixed, **pt}), previous)
            else:
                sol = model.run_solve(**fixed, **pt)
            records.append(point_record(sol))
            previous = sol
        except Exception as e:  # a failing point is recorded; the scan goes on
            msg = " ".join(f"{type(e).__name__}: {e}".split())
            records.append(failed_record(msg))
            previous = None
    if delay > 0:
        time.sleep(delay)
    return records


# ---------------------------------------------------------------------------
# The journal
# ---------------------------------------------------------------------------

def _atomic_write(path: str, text: str):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


class Journal:
    """Per-chunk result files in ``FILE.partial/``, each written atomically."""

    def __init__(self, out: str):
        self.dir = out + JOURNAL_SUFFIX

    def exists(self) -> bool:
        return os.path.isdir(self.dir)

    def read_hash(self) -> str | None:
        try:
            with open(os.path.join(self.dir, SPEC_FILE)) as f:
                return json.load(f).get("scan_hash")
        except (OSError, ValueError):
            return None

    def start(self, spec: ScanSpec):
        os.makedirs(self.dir, exist_ok=True)
        _atomic_write(os.path.join(self.dir, SPEC_FILE),
                      json.dumps({"scan_hash": spec.hash, **spec.identity(),
                                  "chunks": len(spec.chunks)}, indent=1))

    def _path(self, cid: int) -> str:
        return os.path.join(self.dir, f"chunk-{cid:06d}.json")

    def write(self, cid: int, indices, records):
        _atomic_write(self._path(cid), json.dumps({"chunk": cid, "indices": [int(i) for i in indices],
                                                   "records": records}))

    def load(self, spec: ScanSpec) -> dict[int, list[dict]]:
        """Chunks already done: ``chunk id -> records``; files that do not match the plan are ignored."""
        done = {}
        for name in os.listdir(self.dir):
            m = re.fullmatch(r"chunk-(\d+)\.json", name)
            if not m:
                continue
            cid = int(m.group(1))
            try:
                with open(os.path.join(self.dir, name)) as f:
                    d = json.load(f)
            except (OSError, ValueError):
                continue  # unreadable (e.g. cut short by a power loss): recomputed
            if (cid < len(spec.chunks) and d.get("chunk") == cid
                    and d.get("indices") == spec.chunks[cid].tolist()
                    and len(d.get("records", [])) == len(spec.chunks[cid])):
                done[cid] = d["records"]
        return done

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------------------
# Assembling the dataset
# ---------------------------------------------------------------------------

def _safe_label(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", label) or "none"


def assemble(spec: ScanSpec, records: list[dict], points_computed: int):
    """Build the :class:`xarray.Dataset` of a scan from one record per grid point (flat C order)."""
    import xarray as xr

    from .. import __version__

    shape, dims = spec.shape, spec.dims
    obs_names, labels = [], []
    for r in records:
        for k in r["obs"]:
            if k not in obs_names:
                obs_names.append(k)
        for lab in r["per"]:
            if lab not in labels:
                labels.append(lab)
    per_branch = any(r["n_branches"] > 1 for r in records)

    def array(get, dtype=float, fill=np.nan):
        a = np.full(len(records), fill, dtype=dtype)
        for i, r in enumerate(records):
            v = get(r)
            if v is not None:
                a[i] = v
        return a.reshape(shape)

    data = {}
    for k in obs_names:
        data[k] = (dims, array(lambda r, k=k: r["obs"].get(k)))
    data["converged"] = (dims, array(lambda r: r["converged"], dtype=bool, fill=False))
    data["residual"] = (dims, array(lambda r: r["residual"]))
    data["branch"] = (dims, array(lambda r: r["branch"], dtype=object, fill=""))
    data["n_branches"] = (dims, array(lambda r: r["n_branches"], dtype=np.int32, fill=0))
    data["message"] = (dims, array(lambda r: r["message"], dtype=object, fill=""))
    branch_vars = {}
    if per_branch:
        for lab in labels:
            safe = _safe_label(lab)
            branch_vars[lab] = safe
            for k in obs_names:
                data[f"{k}__{safe}"] = (dims, array(lambda r, k=k, lab=lab: r["per"].get(lab, {}).get(k)))
    coords = {}
    for d in dims:
        v = spec.values[d]
        coords[d] = np.array(v, dtype=object) if isinstance(v[0], str) else np.array(v)
    n_failed = sum(not r["converged"] for r in records)
    attrs = {
        "title": f"replicon scan of {spec.model.name} over {spec.describe()}",
        "model": spec.model.name,
        "fixed": json.dumps(to_plain(spec.fixed)),
        "grid": json.dumps(to_plain({d: spec.values[d] for d in dims})),
        "grid_spec": json.dumps(spec.grid_text),
        "replicon_version": __version__,
        "scan_hash": spec.hash,
        "observables": json.dumps(obs_names),
        "branch_labels": json.dumps(labels),
        "branch_variables": json.dumps(branch_vars),
        "line_dim": spec.line_dim,
        "continuation": "solve_near" if spec.continuation else "none",
        "points_total": spec.size,
        "points_computed": int(points_computed),
        "points_failed": int(n_failed),
    }
    ds = xr.Dataset(data, coords=coords, attrs=attrs)
    for k in obs_names:
        if k in spec.model.outputs:
            ds[k].attrs["long_name"] = spec.model.outputs[k]
    return ds


def _write_netcdf(ds, out: str):
    tmp = f"{out}.tmp{os.getpid()}.nc"
    encoding = {k: {"dtype": str} for k in ("branch", "message")}
    for d in ds.dims:
        if ds[d].dtype == object:
            encoding[d] = {"dtype": str}
    ds.to_netcdf(tmp, engine="netcdf4", encoding=encoding)
    os.replace(tmp, out)


def _read_existing_hash(out: str) -> str | None:
    """The ``scan_hash`` attribute of an existing file, or None if it is not a replicon scan."""
    try:
        import xarray as xr

        with xr.open_dataset(out, engine="netcdf4") as ds:
            return ds.attrs.get("scan_hash")
    except Exception:
        return None


# ---------------------------------------------------------------------------
# Running the chunks
# ---------------------------------------------------------------------------

def _run_chunks(spec, todo, on_done, workers, dask, delay):
    """Solve chunks ``todo`` (ids); ``on_done(cid, records)`` is called in this process as each finishes."""
    ref = model_ref(spec.model)
    args = {cid: [spec.point(i) for i in spec.chunks[cid]] for cid in todo}
    if dask:
        _run_dask(spec, ref, args, on_done, dask, delay)
        return
    if workers <= 1 or len(todo) <= 1:
        for cid in todo:
            on_done(cid, solve_chunk(ref, spec.fixed, args[cid], spec.continuation, delay))
        return
    pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=mp_context(),
                               initializer=watch_parent, initargs=(os.getpid(),))
    try:
        futures = {pool.submit(solve_chunk, ref, spec.fixed, args[cid], spec.continuation, delay): cid
                   for cid in todo}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                on_done(futures[fut], fut.result())
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _run_dask(spec, ref, args, on_done, address, delay):
    client, own = dask_client(address)      # a one-line error if dask.distributed is missing
    from distributed import as_completed
    try:
        futures = {}
        for cid, pts in args.items():
            fut = client.submit(solve_chunk, ref, spec.fixed, pts, spec.continuation, delay,
                                key=f"replicon-scan-{spec.hash[:16]}-{cid}", pure=False)
            futures[fut] = cid
        for fut in as_completed(list(futures)):
            on_done(futures[fut], fut.result())
    finally:
        if own:
            client.close()


def scan(model, grid: dict, fixed: dict | None = None, out: str | None = None, workers: int | None = None,
         dask=None, overwrite: bool = False, progress: bool | None = None, grid_text: dict | None = None,
         continuation: bool | None = None):
    """Solve a model on a grid of control parameters; returns (and optionally writes) the dataset.

    Parameters
    ----------
    model : str or Model
        Registered model name (``"perceptron.teacher"``) or a registry entry.
    grid : dict
        Scanned parameter -> list of values (or grid text such as ``"0.5:3:26"``).
        Dimension order follows the dict.
    fixed : dict, optional
        Values of the other parameters; unspecified ones take their defaults.
    out : str, optional
        netCDF file to write. With a file the scan is resumable (journal
        ``out + ".partial/"``); without one, results are only returned.
    workers : int, optional
        Local worker processes (default: all cores available to this process);
        1 solves in this process.
    dask : str or distributed.Client, optional
        Address of a running Dask scheduler (or a client): the same chunks run there.
    overwrite : bool
        Replace an existing file or journal that holds a different scan (and
        recompute a finished one).
    progress : bool, optional
        Show a tqdm bar; default: only when stderr is a terminal.
    grid_text : dict, optional
        The grid as typed on the command line (stored in the attributes).
    continuation : bool, optional
        Follow branches along lines with ``model.hooks["solve_near"]`` (default:
        when the model has it); ``False``: every point is a plain ``run_solve``.

    Returns
    -------
    xarray.Dataset
        Dimensions = scanned parameters; see the module docstring for variables
        and attributes. ``attrs["points_computed"]`` counts the points solved by
        this call (the rest came from the journal).

    Raises
    ------
    ParamError
        Bad grid or parameters, or ``out`` (or its journal) holds a different scan.

    Examples
    --------
    >>> ds = scan("perceptron.teacher", {"alpha": [0.5, 1.0, 2.0]}, workers=1)
    >>> ds["eps_g"].dims
    ('alpha',)
    """
    import xarray as xr

    spec = make_spec(model, grid, fixed, grid_text, continuation)
    if workers is None:
        workers = default_workers()
    if int(workers) < 1:
        raise ParamError(f"--workers must be an integer >= 1, got {workers}")
    workers = int(workers)
    delay = float(os.environ.get("REPLICON_SCAN_DELAY", "0") or 0)

    journal = Journal(out) if out else None
    done: dict[int, list[dict]] = {}
    if out:
        file_hash = _read_existing_hash(out) if os.path.exists(out) else None
        if os.path.exists(out) and not overwrite and file_hash != spec.hash:
            what = "a different scan" if file_hash else "something that is not a replicon scan"
            raise ParamError(f"{out} already holds {what}; use --overwrite to replace it, or another --out")
        if journal.exists():
            jhash = journal.read_hash()
            if jhash != spec.hash:
                if not overwrite:
                    raise ParamError(f"{journal.dir} is the journal of a different scan; use --overwrite "
                                     f"to discard it, or another --out")
                journal.remove()
            elif overwrite:
                journal.remove()
        if file_hash == spec.hash and not overwrite and not journal.exists():
            with xr.open_dataset(out, engine="netcdf4") as ds:  # finished before: nothing to compute
                ds = ds.load()
            ds.attrs["points_computed"] = 0
            return ds
        if not journal.exists():
            journal.start(spec)
        done = journal.load(spec)

    todo = [cid for cid in range(len(spec.chunks)) if cid not in done]
    n_done = sum(len(spec.chunks[c]) for c in done)
    if progress is None:
        progress = sys.stderr.isatty()
    from tqdm.auto import tqdm

    bar = tqdm(total=spec.size, initial=n_done, unit="pt", desc=spec.model.name, disable=not progress,
               dynamic_ncols=True)
    computed = 0

    def on_done(cid, records):
        nonlocal computed
        if journal is not None:
            journal.write(cid, spec.chunks[cid], records)
        done[cid] = records
        computed += len(records)
        bar.update(len(records))

    try:
        _run_chunks(spec, todo, on_done, workers, dask, delay)
    except KeyboardInterrupt:
        bar.close()
        if journal is not None:
            n = sum(len(r) for r in done.values())
            print(f"replicon: interrupted; {n} of {spec.size} points are saved in {journal.dir}; "
                  f"run the same command again to finish", file=sys.stderr)
        raise
    bar.close()

    records = [None] * spec.size
    for cid, recs in done.items():
        for i, r in zip(spec.chunks[cid], recs):
            records[int(i)] = r
    missing = sum(r is None for r in records)
    if missing:  # cannot happen unless a worker lost results; never write a file with holes
        raise RuntimeError(f"{missing} grid points have no result; run the same command again")
    ds = assemble(spec, records, computed)
    if out:
        _write_netcdf(ds, out)
        journal.remove()
    return ds


def split_assignments(model, assignments: dict[str, str]) -> tuple[dict, dict]:
    """Split CLI ``name=value`` pairs into grids (several points) and fixed values.

    A numeric parameter's value goes through the grid parser (so ``alpha=`` and
    ``alpha=5:1:x`` are rejected with the grid syntax); a single number is a
    fixed value. Choice and bool parameters are scanned with comma lists.
    """
    model = _resolve_model(model)
    grid, fixed = {}, {}
    for name, text in assignments.items():
        p = model.param(name)
        if p.kind == "array":
            fixed[name] = text
            continue
        numeric = p.kind in ("float", "int")
        if numeric or text.strip() == "" or is_grid(text):
            values = parse_grid(name, text, numeric=numeric)
            if is_grid(text):
                grid[name] = values
                continue
        fixed[name] = text
    return grid, fixed


def scan_cli(model: str, assignments: dict[str, str], out: str, workers: int | None = None,
             dask: str | None = None, overwrite: bool = False):
    """``replicon scan MODEL k=a:b:n ... --out FILE``: run :func:`scan` and print a one-paragraph summary."""
    m = _resolve_model(model)
    grid, fixed = split_assignments(m, assignments)
    if workers is not None and workers < 1:
        raise ParamError(f"--workers must be an integer >= 1, got {workers}")
    t0 = time.perf_counter()
    ds = scan(m, grid, fixed, out=out, workers=workers, dask=dask, overwrite=overwrite,
              grid_text={k: assignments[k] for k in grid})
    dt = time.perf_counter() - t0
    total, computed = ds.attrs["points_total"], ds.attrs["points_computed"]
    resumed = total - computed
    line = f"{out}: {m.name} on {' x '.join(f'{d}[{n}]' for d, n in ds.sizes.items())} = {total} points"
    if computed == 0:
        line += " (already complete; nothing computed)"
    elif resumed:
        line += f" ({computed} computed now, {resumed} from the journal)"
    print(f"{line} in {dt:.1f} s", file=sys.stdout)
    failed = ds.attrs["points_failed"]
    if failed:
        msgs = [str(x) for x in np.unique(ds["message"].values) if str(x)]
        print(f"  {failed} points failed, e.g.: {msgs[0] if msgs else '?'}")
    counts = {}
    for b in ds["branch"].values.ravel():
        if b:
            counts[str(b)] = counts.get(str(b), 0) + 1
    if counts:
        print("  thermodynamic branch: " + ", ".join(f"{k} at {v}" for k, v in counts.items()) + " points")
    return ds
