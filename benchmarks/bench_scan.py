"""Speed of ``replicon scan``: parallel speed-up and per-point overhead.

1. A 100 x 100 (alpha, T) grid of the spherical teacher-student perceptron
   (a few ms per solve) with 2 worker processes against 1 (aim: >= 1.8x).
2. Per-point overhead of the scan machinery (validation, chunking, records,
   dataset assembly) against a bare loop of ``model.run_solve`` calls over the
   same points, for the same cheap model and for a near-free closed form
   (a model registered here, ``bench.hebb``: the Hebb rule's R(alpha), about a
   microsecond per solve) where the overhead dominates.

Run: ``python benchmarks/bench_scan.py [--n 100] [--workers 2]``. Wall-clock
times on whatever else the machine is doing: run it on a quiet machine and
report the load alongside.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from replicon.compare.scan import scan
from replicon.registry import Model, Param, get, register
from replicon.theory.solution import Solution


def _hebb(alpha=1.0):
    """Hebb rule on teacher data: R = sqrt(2 alpha/pi) / sqrt(1 + 2 alpha/pi) (closed form)."""
    x = 2.0 * alpha / np.pi
    R = float(np.sqrt(x / (1.0 + x)))
    return Solution(model="bench.hebb", params={"alpha": alpha}, observables={"R": R, "eps_g": np.arccos(R) / np.pi},
                    branch="closed form", status="thermodynamic")


HEBB = register(Model(name="bench.hebb", summary="Hebb rule, closed form (benchmark)",
                      params=[Param("alpha", 1.0, lo=0.0)], solve=_hebb, outputs={"R": "overlap"}), replace=True)


def timed(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def bare_loop(model, grid, fixed):
    names = list(grid)
    for values in np.array(np.meshgrid(*grid.values(), indexing="ij")).reshape(len(names), -1).T:
        model.run_solve(**fixed, **dict(zip(names, values)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="points per axis (default 100: 10 000 points)")
    ap.add_argument("--workers", type=int, default=2, help="parallel workers to compare with 1")
    args = ap.parse_args()
    n = args.n
    print(f"cores available: {len(os.sched_getaffinity(0))}, load average: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    teacher = get("perceptron.teacher")
    grid = {"alpha": list(np.linspace(0.5, 5.0, n)), "T": list(np.linspace(0.0, 1.0, n))}
    fixed = {"weights": "spherical"}
    opts = dict(progress=False, continuation=False)
    teacher.run_solve(alpha=1.0)  # warm caches (numba, Gauss-Hermite) in this process

    t_bare, _ = timed(lambda: bare_loop(teacher, grid, fixed))
    t1, ds1 = timed(lambda: scan(teacher, grid, fixed, workers=1, **opts))
    tw, dsw = timed(lambda: scan(teacher, grid, fixed, workers=args.workers, **opts))
    assert bool((ds1["eps_g"] == dsw["eps_g"]).all()), "parallel and serial scans differ"
    pts = n * n
    print(f"perceptron.teacher spherical, {n} x {n} = {pts} points, plain solves")
    print(f"  bare loop of run_solve     {t_bare:8.2f} s  ({1e3 * t_bare / pts:.3f} ms/point)")
    print(f"  scan, 1 worker (in process) {t1:7.2f} s  overhead {1e6 * (t1 - t_bare) / pts:+.0f} us/point, "
          f"ratio scan/bare = {t1 / t_bare:.3f}")
    print(f"  scan, {args.workers} workers            {tw:7.2f} s  speed-up over 1 worker = {t1 / tw:.2f}x")

    hebb = HEBB
    hgrid = {"alpha": list(np.linspace(0.1, 10.0, pts))}
    t_bare_h, _ = timed(lambda: bare_loop(hebb, hgrid, {}))
    t1_h, _ = timed(lambda: scan(hebb, hgrid, {}, workers=1, **opts))
    print(f"bench.hebb (closed form), {pts} points")
    print(f"  bare loop {t_bare_h:.3f} s ({1e6 * t_bare_h / pts:.1f} us/point); scan, 1 worker {t1_h:.3f} s: "
          f"overhead {1e6 * (t1_h - t_bare_h) / pts:.1f} us/point")


def rows(quick=False):
    """Table rows for run_all.py: the T = 0 scan through the batch hook against the same scan point by
    point, and the scan machinery's overhead against a bare loop of run_solve on an (alpha, T) grid."""
    import dataclasses

    teacher = get("perceptron.teacher")
    teacher.run_solve(alpha=1.0)
    grid = {"alpha": list(np.linspace(0.1, 20.0, 200))}
    opts = dict(progress=False, continuation=False)
    point_only = dataclasses.replace(teacher, hooks={k: v for k, v in teacher.hooks.items() if k != "solve_batch"})
    scan(teacher, {"alpha": [0.5, 1.0]}, {"T": 0.0}, workers=1, **opts)
    t_b, ds_b = timed(lambda: scan(teacher, grid, {"T": 0.0}, workers=1, **opts))
    t_p, ds_p = timed(lambda: scan(point_only, grid, {"T": 0.0}, workers=1, **opts))
    diff = float(np.max(np.abs(ds_b["eps_g"].values - ds_p["eps_g"].values)))
    n = 20 if quick else 40
    g2 = {"alpha": list(np.linspace(0.5, 5.0, n)), "T": list(np.linspace(0.05, 1.0, n))}
    scan(teacher, {"alpha": [1.0, 2.0], "T": [0.1, 0.2]}, {"weights": "spherical"}, workers=1, **opts)  # warm
    t_bare, _ = timed(lambda: bare_loop(teacher, g2, {"weights": "spherical"}))
    t_scan, _ = timed(lambda: scan(teacher, g2, {"weights": "spherical"}, workers=1, **opts))
    return [{"work": "scan perceptron.teacher alpha=0.1:20:200 T=0", "baseline": "the same scan point by point",
             "t_baseline": t_p, "t_replicon": t_b, "accuracy": f"max|d eps_g| = {diff:.1e}"},
            {"work": f"scan {n}x{n} (alpha, T > 0), 1 worker: overhead {100 * (t_scan / t_bare - 1):+.0f} %",
             "baseline": "bare loop of run_solve", "t_baseline": t_bare, "t_replicon": t_scan,
             "accuracy": "same solves"}]


if __name__ == "__main__":
    main()
