"""Typical cost of one solve of every registered model at its defaults (the ``cost`` that
``replicon models NAME`` states), as a ratio to a reference solve timed in the same run.

The reference is ``perceptron.teacher`` at its defaults (a one-variable saddle point on the
Nishimori line). Each model is solved once to warm caches and numba compilation, then timed
over ``--repeat`` solves (the median is reported). Models slower than ``--max`` seconds are
timed once and marked. Compare the printed times with the ``cost`` strings in
``replicon/models/*.py`` and update those when they drift.

Run: ``python benchmarks/bench_models.py [--only PREFIX] [--repeat 3] [--max 60]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

from replicon import registry


def timed(model, repeat, cap):
    t0 = time.perf_counter()
    model.run_solve()
    first = time.perf_counter() - t0
    if first > cap:
        return first, first, 1
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        model.run_solve()
        times.append(time.perf_counter() - t0)
    return first, statistics.median(times), repeat


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--max", type=float, default=60.0)
    a = ap.parse_args()
    ref = registry.get("perceptron.teacher")
    _, t_ref, _ = timed(ref, max(a.repeat, 5), a.max)
    print(f"reference perceptron.teacher: {t_ref * 1e3:.2f} ms per solve")
    print(f"{'model':42s} {'first (s)':>10s} {'median (s)':>11s} {'/ reference':>12s}  declared cost")
    for m in registry.all_models():
        if not m.name.startswith(a.only):
            continue
        first, med, n = timed(m, a.repeat, a.max)
        flag = " (timed once)" if n == 1 else ""
        print(f"{m.name:42s} {first:10.3f} {med:11.3f} {med / t_ref:12.1f}  {m.cost}{flag}", flush=True)


if __name__ == "__main__":
    main()
