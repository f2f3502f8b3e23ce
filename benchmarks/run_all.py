"""Run every benchmark that reports rows and print one table: work, baseline, replicon, ratio, accuracy.

Each ``benchmarks/bench_*.py`` that defines ``rows(quick=False)`` returns a list of dicts with keys
``work``, ``baseline`` (what the ratio is against, timed in the same run), ``t_baseline`` and
``t_replicon`` (seconds) and ``accuracy``. Modules without ``rows`` are listed with the command
that runs them. Times depend on the machine and its load; the ratios are what to compare.

Run: ``python benchmarks/run_all.py [--quick] [--only NAME ...] [--markdown FILE]``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


def _fmt_t(t):
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def table_lines(rows, markdown=False):
    head = ("work", "baseline", "baseline time", "replicon time", "ratio", "accuracy")
    body = [(r["work"], r["baseline"], _fmt_t(r["t_baseline"]), _fmt_t(r["t_replicon"]),
             f"x{r['t_baseline'] / r['t_replicon']:.1f}", r["accuracy"]) for r in rows]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(b) + " |" for b in body]
        return lines
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*head), fmt.format(*("-" * w for w in widths))] + [fmt.format(*b) for b in body]


def print_table(rows):
    print("\n".join(table_lines(rows)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller problems where a module supports it")
    ap.add_argument("--only", nargs="*", default=None, help="module names (e.g. bench_online)")
    ap.add_argument("--markdown", default=None, help="also write the table as markdown to FILE")
    args = ap.parse_args(argv)
    sys.path.insert(0, HERE)
    names = sorted(f[:-3] for f in os.listdir(HERE) if f.startswith("bench_") and f.endswith(".py"))
    if args.only:
        names = [n for n in names if n in args.only]
    rows, other, failed = [], [], []
    t0 = time.perf_counter()
    for name in names:
        mod = importlib.import_module(name)
        if not hasattr(mod, "rows"):
            other.append(name)
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            rows += mod.rows(quick=args.quick)
        except Exception:                       # noqa: BLE001 - one broken benchmark must not hide the others
            failed.append(name)
            traceback.print_exc()
    print_table(rows)
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
          f"; load average {os.getloadavg()[0]:.1f}; {time.perf_counter() - t0:.0f} s in all")
    if other:
        print("not in the table (they print their own report): " + ", ".join(f"python benchmarks/{n}.py" for n in other))
    if failed:
        print("FAILED: " + ", ".join(failed))
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write("\n".join(table_lines(rows, markdown=True)) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
