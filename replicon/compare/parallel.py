"""Spreading work over local processes or a Dask cluster, with results identical to a serial run.

Used by ``scan`` (chunks of grid points), ``compare`` (one simulation per grid point and size)
and ``simulate`` (slices of the seeds of one size). A task is a module-level function and
picklable arguments (a model is sent by its registered name), so it runs the same in a
forkserver/spawn worker, on a Dask worker or in this process; results come back in task order.

Why the results are identical: every simulation draws its realisations from child seeds
spawned from one ``numpy.random.SeedSequence`` (:func:`replicon._util.child_seeds`), and a
worker that runs seeds ``a:b`` of a measurement spawns the same children and keeps those
(:func:`replicon.simulate.measurement.seed_range`), so concatenating the slices in order is the
serial measurement, sample for sample (tested for every model with a simulation).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Sequence

import numpy as np

from .._util import ParamError


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def mp_context():
    """forkserver where available (numba and threads are safe there), else spawn."""
    methods = mp.get_all_start_methods()
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


def watch_parent(pid: int):
    """Worker initialiser: exit when the parent process is gone (a killed scan leaves no orphans)."""
    def watch():
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass

    threading.Thread(target=watch, daemon=True).start()


def dask_client(address):
    """``(client, own)`` for a scheduler address or an existing ``distributed.Client``."""
    try:
        from distributed import Client
    except ImportError:
        raise ParamError("--dask needs dask.distributed; install it with: pip install 'replicon[dask]'") from None
    if not isinstance(address, str):
        return address, False
    try:
        return Client(address, timeout="20s"), True
    except Exception as e:
        raise ParamError(f"cannot reach the Dask scheduler at {address!r}: {' '.join(str(e).split())}") from None


def run_tasks(fn: Callable, tasks: Sequence[tuple], workers: int | None = None, dask=None) -> list:
    """``[fn(*t) for t in tasks]``, on ``workers`` local processes or the Dask cluster ``dask``."""
    tasks = list(tasks)
    if dask:
        client, own = dask_client(dask)
        try:
            futures = [client.submit(fn, *t, pure=False) for t in tasks]
            return client.gather(futures)
        finally:
            if own:
                client.close()
    workers = default_workers() if workers is None else int(workers)
    if workers < 1:
        raise ParamError(f"workers={workers} is not allowed; give a positive number of processes")
    if workers == 1 or len(tasks) <= 1:
        return [fn(*t) for t in tasks]
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=mp_context(),
                             initializer=watch_parent, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(fn, *t) for t in tasks]
        return [f.result() for f in futures]


def model_ref(model):
    """The model's registered name if the registry holds this very entry (cheap to send), else the entry."""
    from ..registry import registered

    return model.name if registered(model.name) is model else model


def _model(ref):
    if isinstance(ref, str):
        from ..registry import get

        return get(ref)
    return ref


def simulate_task(ref, kwargs: dict, seeds: tuple[int, int] | None = None):
    """One simulation of the model ``ref`` (name or entry) with ``kwargs``; only seeds ``a:b`` if given."""
    from ..simulate.measurement import seed_range

    model = _model(ref)
    if seeds is None:
        return model.simulate(**kwargs)
    with seed_range(*seeds):
        return model.simulate(**kwargs)


def _merge_value(parts: list, counts: list[int]):
    if all(isinstance(p, np.ndarray) and p.ndim >= 1 and len(p) == c for p, c in zip(parts, counts)):
        return np.concatenate(parts, axis=0)
    if all(isinstance(p, list) and len(p) == c for p, c in zip(parts, counts)):
        return [x for p in parts for x in p]
    return parts[0]


def merge_measurements(parts: list):
    """Concatenate measurements of consecutive seed slices (same model, N, params) into one."""
    from ..simulate.measurement import Measurement

    first = parts[0]
    counts = [p.n_seeds for p in parts]
    samples = {k: np.concatenate([p.samples[k] for p in parts], axis=0) for k in first.samples}
    extra = {k: _merge_value([p.extra.get(k) for p in parts], counts) for k in first.extra}
    return Measurement(model=first.model, params=first.params, N=first.N,
                       seeds=[s for p in parts for s in p.seeds], samples=samples, coords=first.coords,
                       axes=first.axes, extra=extra)


def simulate_parallel(model, kwargs: dict, workers: int | None = None, dask=None):
    """``model.simulate(**kwargs)`` with its seeds spread over workers; identical to the serial result.

    A simulation that does not draw its realisations through ``over_seeds`` cannot be sliced: it
    is then run once, serially (its result is still the serial one)."""
    from .._util import child_seeds

    if kwargs.get("seed", 0) is None:          # fresh entropy, drawn once here so that every slice shares it
        kwargs = dict(kwargs, seed=int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1)))
    n = int(kwargs.get("seeds", 1) or 1)
    w = default_workers() if workers is None and not dask else (workers or n)
    k = max(1, min(int(w), n))
    if k == 1 and not dask:
        return model.simulate(**kwargs)
    bounds = np.linspace(0, n, k + 1).round().astype(int)
    slices = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    parts = run_tasks(simulate_task, [(model_ref(model), kwargs, s) for s in slices], workers=k, dask=dask)
    kids = child_seeds(kwargs.get("seed", 0), n)
    if [s for p in parts for s in p.seeds] != list(kids):
        return model.simulate(**kwargs)
    return merge_measurements(parts)


__all__ = ["default_workers", "mp_context", "watch_parent", "dask_client", "run_tasks", "model_ref",
           "simulate_task", "merge_measurements", "simulate_parallel"]
