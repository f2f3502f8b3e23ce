"""The ``replicon`` command line: thin, generic over registered models.

    replicon models [MODEL]
    replicon solve MODEL k=v ... [--json]
    replicon simulate MODEL k=v ... N=200 seeds=10 [--json]
    replicon compare MODEL k=a:b:n ... N=100,400 seeds=10 --out fig.png [--json]
    replicon scan MODEL k=a:b:n ... --out scan.nc [--workers W] [--dask ADDR]
    replicon plot scan.nc [--x alpha --y T --z eps_g] --out fig.png
    replicon figure NAME|all [--quick] [--outdir DIR]

Bad input exits with status 2 and one line on stderr saying what is allowed.
"""

from __future__ import annotations

import json
import os
import sys

import click
import numpy as np

from ._util import ParamError
from .compare.grid import is_grid


def fail(message: str, code: int = 2):
    """Print one line to stderr and exit (2 for bad input)."""
    click.echo(f"replicon: error: {message}", err=True)
    sys.exit(code)


def parse_assignments(tokens) -> dict[str, str]:
    out = {}
    for tok in tokens:
        if "=" not in tok:
            raise ParamError(f"argument {tok!r} is not of the form name=value")
        k, v = tok.split("=", 1)
        k = k.strip()
        if not k:
            raise ParamError(f"argument {tok!r} has no parameter name; use name=value")
        if k in out:
            raise ParamError(f"{k} is given twice ({k}={out[k]}, {k}={v}); give each parameter once")
        out[k] = v
    return out


def _get_model(name):
    from .registry import get

    return get(name)


def _fmt(v):
    if isinstance(v, (float, np.floating)):
        return f"{v:.6g}"
    if isinstance(v, np.ndarray):
        if v.size > 6:
            return f"array[{v.size}] {v.flat[0]:.4g} ... {v.flat[-1]:.4g}"
        return np.array2string(v, precision=4)
    return str(v)


def _print_solution(sol):
    if not sol.converged:
        click.echo(f"NOT CONVERGED: {sol.message}")
        return
    branches = sol.branches if len(sol.branches) > 1 else [sol]
    for b in branches:
        if len(branches) == 1 and (b.branch is None or b.free_energy is None):
            # one result that is not a state (a transition, a capacity, a trajectory): say what it is
            head = f"{sol.model}" + (f" ({sol.message})" if sol.message else "")
            click.echo(head)
            for k, v in b.observables.items():
                click.echo(f"  {k:24s} {_fmt(v)}")
            continue
        head = f"[{b.branch or '-'}] {b.status or ''}"
        if b.stable is not None:
            head += f", replicon {'stable' if b.stable else 'UNSTABLE'}"
        if b.free_energy is not None:
            head += f", free energy {b.free_energy:.8g}"
        click.echo(head)
        for k, v in b.observables.items():
            click.echo(f"  {k:24s} {_fmt(v)}")


class _heartbeat:
    """On a terminal, a line on stderr every few seconds while a long call runs (a sign of life and
    the elapsed time); nothing when stderr is not a terminal or the call is quick."""

    def __init__(self, what: str, first: float = 3.0, every: float = 5.0):
        self.what, self.first, self.every = what, first, every
        self._stop = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return self
        import threading
        import time

        self._stop = threading.Event()
        start = time.monotonic()

        def beat():
            wait = self.first
            while not self._stop.wait(wait):
                click.echo(f"\r{self.what}: {time.monotonic() - start:.0f} s", err=True, nl=False)
                wait = self.every

        self._thread = threading.Thread(target=beat, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        if self._stop is not None:
            self._stop.set()
            self._thread.join()
            click.echo("\r\033[K", err=True, nl=False)
        return False


class _Group(click.Group):
    def main(self, *args, **kwargs):
        kwargs.setdefault("standalone_mode", True)
        try:
            return super().main(*args, standalone_mode=False, **{k: v for k, v in kwargs.items()
                                                                  if k != "standalone_mode"})
        except ParamError as e:
            fail(str(e))
        except click.exceptions.NoSuchOption as e:
            fail(e.format_message())
        except click.UsageError as e:
            fail(e.format_message())
        except click.exceptions.Abort:
            fail("aborted", 130)
        except click.exceptions.Exit as e:
            sys.exit(e.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="replicon")
def main():
    """replicon: statistical mechanics of learning, theory against simulation.

    \b
    Parameters are given as k=v (see 'replicon models MODEL' for each model's).
    Where a command takes a grid (compare: one parameter, scan: any number):
      a:b:n        n points from a to b, linear       alpha=0.5:4:8
      log:a:b:n    n points from a to b, logarithmic  alpha=log:0.1:100:30
      x,y,z        a list                             T=0,0.5,1
    Simulations take N=... (sizes, a list in compare) and seeds=... .
    'replicon COMMAND --help' describes each command.
    """


@main.command()
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def models(name, as_json):
    """List the registered models, or describe one."""
    from .registry import all_models

    if name is None:
        ms = all_models()
        if as_json:
            click.echo(json.dumps([{"name": m.name, "summary": m.summary} for m in ms]))
            return
        width = max(len(m.name) for m in ms)
        for m in ms:
            sim = " [sim]" if m.simulate else ""
            click.echo(f"{m.name:{width}s}  {m.summary}{sim}")
        return
    m = _get_model(name)
    if as_json:
        click.echo(json.dumps({
            "name": m.name, "summary": m.summary,
            "params": [{"name": p.name, "default": _json_default(p.default), "allowed": p.allowed(), "help": p.help}
                       for p in m.params],
            "sim_params": [{"name": p.name, "default": _json_default(p.default), "allowed": p.allowed(),
                            "help": p.help} for p in m.sim_params],
            "outputs": m.outputs, "references": m.references, "cost": m.cost,
            "sim_ranges": {k: m.sim_view(m.param(k)).allowed() for k in m.sim_ranges}}))
        return
    click.echo(f"{m.name}: {m.summary}")
    click.echo("parameters:")
    rows = [(f"{p.name}={p.default}", p) for p in m.params + m.sim_params]
    width = max((len(r[0]) for r in rows), default=0)
    for i, (head, p) in enumerate(rows):
        if i == len(m.params):
            click.echo("simulation parameters:")
        click.echo(f"  {head:{width}s}  {p.allowed():32s} {p.help}")
    for pname, over in m.sim_ranges.items():
        p = m.sim_view(m.param(pname))
        click.echo(f"  simulate accepts {pname}: {p.allowed()}")
    click.echo("outputs:")
    for k, v in m.outputs.items():
        click.echo(f"  {k:24s} {v}")
    if m.cost:
        click.echo(f"typical cost of a solve: {m.cost}")
    if m.references:
        click.echo(f"references: {m.references}")


def _json_default(v):
    from ._util import to_plain

    return to_plain(v)


@main.command(context_settings={"ignore_unknown_options": True},
              short_help="Solve MODEL's theory at one point (all branches).")
@click.argument("model")
@click.argument("assignments", nargs=-1, type=click.UNPROCESSED)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@click.option("--strict", is_flag=True, help="exit 1 if the solve does not converge")
def solve(model, assignments, as_json, strict):
    """Solve MODEL's theory at one point: replicon solve MODEL k=v ..."""
    m = _get_model(model)
    values = parse_assignments(assignments)
    for k, v in values.items():
        if is_grid(v) and m.param(k).kind not in ("array",):
            raise ParamError(f"{k}={v}: solve takes single values; use 'replicon scan' for grids")
    with _heartbeat(f"solving {m.name}" + (f" (typically {m.cost})" if m.cost else "")):
        sol = m.run_solve(**values)
    if as_json:
        click.echo(json.dumps(sol.to_dict()))
    else:
        _print_solution(sol)
    if strict and not sol.converged:
        sys.exit(1)


@main.command(context_settings={"ignore_unknown_options": True},
              short_help="Simulate MODEL at finite N (N=..., seeds=...).")
@click.argument("model")
@click.argument("assignments", nargs=-1, type=click.UNPROCESSED)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="local processes over which the seeds are spread (same result as 1)")
@click.option("--dask", "dask_address", default=None, help="address of a running Dask scheduler")
def simulate(model, assignments, as_json, workers, dask_address):
    """Simulate MODEL at finite N: replicon simulate MODEL k=v ... N=200 seeds=10"""
    m = _get_model(model)
    values = parse_assignments(assignments)
    with _heartbeat(f"simulating {m.name}"):
        meas = m.run_simulate(_workers=workers, _dask=dask_address, **values)
    if as_json:
        click.echo(json.dumps(meas.to_dict()))
        return
    mean, sem = meas.mean, meas.sem
    click.echo(f"{m.name} N={meas.N} seeds={meas.n_seeds}")
    for k in mean:
        v, e = mean[k], sem[k]
        if np.ndim(v) == 0:
            click.echo(f"  {k:24s} {float(v):.6g} +- {float(e):.2g}")
        else:
            click.echo(f"  {k:24s} {_fmt(np.asarray(v))}")


@main.command(context_settings={"ignore_unknown_options": True},
              short_help="Theory against simulation on a grid, with verdicts.")
@click.argument("model", required=False, default="perceptron.teacher")
@click.argument("assignments", nargs=-1, type=click.UNPROCESSED)
@click.option("--out", default=None, help="figure file (.png, .pdf, ...); default MODEL_compare.png")
@click.option("--json", "as_json", is_flag=True,
              help="print the table, agreement and verdicts as one JSON object")
@click.option("--data", "--table", "data", default=None,
              help="also write the tidy table: FILE.nc (netCDF, read with xarray) or FILE.csv (pandas)")
@click.option("--level", type=click.FloatRange(1e-6, 0.5), default=0.01, show_default=True,
              help="significance level of the agrees/disagrees verdicts")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="local processes running the simulations (one per point and size; same result as 1)")
@click.option("--dask", "dask_address", default=None, help="address of a running Dask scheduler")
def compare(model, assignments, out, as_json, data, level, workers, dask_address):
    """Theory against simulation on a grid, with a verdict per observable.

    \b
    replicon compare [MODEL] k=a:b:n ... N=50,100 seeds=8 --out fig.png
    MODEL defaults to perceptron.teacher (Gibbs learning of a teacher perceptron);
    without a grid it uses the model's own default grid (see 'replicon models MODEL').
    One parameter may be a grid (the x axis): a:b:n (n points from a to b),
    log:a:b:n (logarithmic) or x,y,z (a list). N=... are the sizes, seeds=... the
    runs per size and point.

    \b
    Output: per point and size the simulation mean and standard error, the 1/N
    extrapolation N->inf and z = (N->inf - theory)/se; then per observable a
    verdict: chi2/dof of theory against N->inf, the largest |z| and where, and
    "agrees" or "disagrees" at --level (both the chi-square and the largest |z|,
    corrected for the number of points, are tested).
    """
    from .compare.experiment import run_compare

    from .compare.paths import figure_path

    m = _get_model(model)
    values = parse_assignments(assignments)
    default = f"{m.name.replace('.', '_')}_compare.png"
    out = figure_path(out or default, default)
    if data:
        from .compare.paths import data_path

        data = data_path(data, (".nc", ".csv"), "tidy table (netCDF or CSV)")
    result = run_compare(m, values, out=out, progress=not as_json and sys.stderr.isatty(), data=data,
                         level=level, workers=workers, dask=dask_address)
    if as_json:
        click.echo(json.dumps(result.to_dict()))
    else:
        click.echo(result.summary())
        click.echo(f"figure written to {out}")
        if data:
            click.echo(f"tidy table written to {data}")


@main.command(context_settings={"ignore_unknown_options": True},
              short_help="Solve MODEL on a grid (a:b:n, log:a:b:n, x,y,z) to netCDF.")
@click.argument("model")
@click.argument("assignments", nargs=-1, type=click.UNPROCESSED)
@click.option("--out", required=True, help="result file (netCDF)")
@click.option("--workers", type=int, default=None, help="local worker processes (default: all cores)")
@click.option("--dask", "dask_address", default=None, help="address of a running Dask scheduler")
@click.option("--overwrite", is_flag=True, help="replace an existing file from a different scan")
def scan(model, assignments, out, workers, dask_address, overwrite):
    """Solve MODEL on a grid: replicon scan MODEL alpha=0.1:10:50 T=0,0.5,1 --out scan.nc

    \b
    Every k=v with a grid value is a dimension of the scan:
      a:b:n        n points from a to b, linear       alpha=0.1:10:50
      log:a:b:n    n points from a to b, logarithmic  alpha=log:0.01:100:40
      x,y,z        a list (numbers or choices)        T=0,0.5,1  weights=ising,spherical
    Other k=v are fixed. The netCDF file has one dimension per grid parameter and the
    observables, 'converged' and 'branch' as variables; a scan started again with the
    same command finishes the missing points.
    """
    from .compare.paths import data_path
    from .compare.scan import scan_cli

    values = parse_assignments(assignments)
    _get_model(model)
    scan_cli(model, values, out=data_path(out), workers=workers, dask=dask_address,
             overwrite=overwrite)


@main.command(short_help="Plot a scan file: lines, or a heat map with transitions.")
@click.argument("path")
@click.option("--x", "x", default=None, help="variable on the x axis")
@click.option("--y", "y", default=None, help="variable on the y axis (heat maps)")
@click.option("--z", "z", default=None, help="observable to show")
@click.option("--out", required=True, help="figure file (PNG)")
def plot(path, x, y, z, out):
    """Plot a scan file: line plot (1 dimension), heat map with transitions (2), slices (more)."""
    from .compare.paths import figure_path
    from .compare.plotscan import plot_cli

    if not os.path.isfile(path):
        raise ParamError(f"no scan file {path}")
    stem = os.path.splitext(os.path.basename(path))[0]
    plot_cli(path, x=x, y=y, z=z, out=figure_path(out, f"{stem}.png"))


@main.command(short_help="Reproduce a paper figure (NAME, all, or list).")
@click.argument("name")
@click.option("--quick", is_flag=True, help="small sizes and few seeds (seconds, not minutes)")
@click.option("--outdir", default=".", help="directory for the PNG and PDF files")
def figure(name, quick, outdir):
    """Reproduce a paper figure (NAME, or 'all'); see 'replicon figure list'."""
    from .compare.figures import available, run_figure

    names = available()
    if name == "list":
        for n, doc in names.items():
            click.echo(f"{n:28s} {doc}")
        return
    if name != "all" and name not in names:
        raise ParamError(f"unknown figure {name!r}; available: all, list, {', '.join(names)}")
    for n in (names if name == "all" else [name]):
        click.echo(f"== {n}")
        run_figure(n, quick=quick, outdir=outdir)


if __name__ == "__main__":
    main()
