"""Plots of scan files: line plots (one dimension), phase diagrams (two), slices (more).

A phase diagram is a heat map of one observable over two scanned parameters
with two kinds of lines drawn on it:

* **transition lines** (solid white): where the thermodynamic branch label
  (the ``branch`` variable) differs between neighbouring grid points, drawn as
  the 0.5 contour of the indicator of each label;
* **spinodal lines** (dashed): where a branch that is thermodynamic somewhere
  in the scan ceases to exist, i.e. the 0.5 contour of the indicator of its
  per-branch variables (``OBS__LABEL``) being defined.

Points that failed to converge are marked with red crosses. The lines are
located to within one grid spacing: they are the boundaries the scan saw, not
a refined root.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np

from .._util import ParamError

SKIP = {"converged", "residual", "branch", "n_branches", "message"}
MAX_PANELS = 16


def _observables(ds) -> list[str]:
    try:
        obs = json.loads(ds.attrs.get("observables", "[]"))
    except ValueError:
        obs = []
    obs = [k for k in obs if k in ds.data_vars]
    if not obs:
        obs = [k for k in ds.data_vars if k not in SKIP and "__" not in k and ds[k].dtype.kind in "fiub"]
    return obs


def _branch_vars(ds) -> dict[str, str]:
    try:
        return json.loads(ds.attrs.get("branch_variables", "{}"))
    except ValueError:
        return {}


def _scan_dims(ds) -> list[str]:
    return list(ds["converged"].dims) if "converged" in ds else list(ds.dims)


def _is_log(ds, dim) -> bool:
    """Whether a dimension was scanned on a log grid (from the grid text, else from its values)."""
    try:
        text = json.loads(ds.attrs.get("grid_spec", "{}")).get(dim)
    except ValueError:
        text = None
    if isinstance(text, str):
        return text.strip().lower().startswith("log:")
    v = ds[dim].values
    if v.dtype.kind not in "fi" or v.size < 3 or np.any(v <= 0):
        return False
    r = v[1:] / v[:-1]
    d = np.diff(v)
    return bool(np.allclose(r, r[0], rtol=1e-6) and not np.allclose(d, d[0], rtol=1e-6))


def _axis_values(ds, dim):
    """Numeric positions of a dimension (indices for categorical ones) and tick labels if categorical."""
    v = ds[dim].values
    if v.dtype.kind in "fiu":
        return v.astype(float), None
    return np.arange(v.size, dtype=float), [str(x) for x in v]


def _label(ds, name):
    from .style import tex

    long = ds[name].attrs.get("long_name") if name in ds else None
    return f"{tex(name)} ({long})" if long and len(long) < 40 else tex(name)


def _check_choice(what, value, allowed):
    if value not in allowed:
        raise ParamError(f"--{what} {value}: not in this file; allowed: {', '.join(allowed)}")


def _slice_title(sel: dict) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, (float, np.floating)) else f"{k}={v}" for k, v in sel.items())


def _fixed_text(ds) -> str:
    try:
        fixed = json.loads(ds.attrs.get("fixed", "{}"))
    except ValueError:
        fixed = {}
    short = {k: v for k, v in fixed.items() if not isinstance(v, (list, dict))}
    return ", ".join(f"{k}={v}" for k, v in short.items())


def _numeric_z(da):
    """Values of a variable as floats (categorical ``branch`` as label indices) and the labels."""
    v = da.values
    if v.dtype.kind in "fiub":
        return v.astype(float), None
    labels = sorted({str(x) for x in v.ravel() if str(x)})
    idx = {lab: i for i, lab in enumerate(labels)}
    return np.vectorize(lambda s: idx.get(str(s), np.nan), otypes=[float])(v), labels


def _line_panel(ax, ds, x, k, branch_vars):
    """One observable against one dimension: thermodynamic solid, other branches dashed, transitions dotted."""
    xs, ticks = _axis_values(ds, x)
    ys, cats = _numeric_z(ds[k])
    for lab, safe in branch_vars.items():
        name = f"{k}__{safe}"
        if name in ds and np.isfinite(ds[name].values).any():
            ax.plot(xs, ds[name].values, "--", lw=1, label=f"branch {lab}")
    ax.plot(xs, ys, "-", color="k", lw=1.6, marker="." if xs.size < 60 else None, label="thermodynamic")
    ok = ds["converged"].values.astype(bool)
    if (~ok).any():
        ax.plot(xs[~ok], np.zeros((~ok).sum()), "x", color="red", transform=ax.get_xaxis_transform(),
                label="failed", clip_on=False)
    br = ds["branch"].values
    for i in range(len(br) - 1):
        if ok[i] and ok[i + 1] and str(br[i]) != str(br[i + 1]):
            ax.axvline(0.5 * (xs[i] + xs[i + 1]), color="0.4", ls=":", lw=1)
    if _is_log(ds, x):
        ax.set_xscale("log")
    if ticks:
        ax.set_xticks(xs, ticks)
    if cats:
        ax.set_yticks(range(len(cats)), cats)
    ax.set_xlabel(_label(ds, x))
    ax.set_ylabel(_label(ds, k))
    if branch_vars or (~ok).any():
        ax.legend(loc="best")


def _contour_boundary(ax, X, Y, mask, gid, **kw):
    """Draw the 0.5 contour of a boolean mask on the (Y, X) grid (tagged ``gid``); True if drawn."""
    m = mask.astype(float)
    if m.min() == m.max() or min(m.shape) < 2:
        return False
    ax.contour(X, Y, m, levels=[0.5], **kw).set_gid(gid)
    return True


def _heat_panel(ax, ds, x, y, z, branch_vars, fig, colorbar=True, vmin=None, vmax=None):
    """Heat map of z over (x, y) with transition (solid) and spinodal (dashed) lines; returns legend handles."""
    from matplotlib.lines import Line2D

    d2 = ds.transpose(y, x)
    xs, xt = _axis_values(d2, x)
    ys, yt = _axis_values(d2, y)
    X, Y = np.meshgrid(xs, ys)
    Z, cats = _numeric_z(d2[z])
    cmap = "tab10" if cats else "viridis"
    mesh = ax.pcolormesh(X, Y, np.ma.masked_invalid(Z), shading="nearest", cmap=cmap, vmin=vmin, vmax=vmax)
    if colorbar:
        cb = fig.colorbar(mesh, ax=ax)
        cb.set_label(_label(ds, z))
        if cats:
            cb.set_ticks(range(len(cats)), labels=cats)
    handles = []
    ok = d2["converged"].values.astype(bool)
    branch = np.array([str(b) for b in d2["branch"].values.ravel()]).reshape(ok.shape)
    labels, counts = np.unique(branch[ok], return_counts=True)
    order = [lab for _, lab in sorted(zip(-counts, labels))]
    drawn = False
    for lab in order[1:]:
        drawn |= _contour_boundary(ax, X, Y, branch == lab, "transition", colors="white", linewidths=2.0)
    if drawn:
        handles.append(Line2D([], [], color="white", lw=2, label="transition (branch changes)"))
    colours = itertools.cycle(["tab:red", "tab:orange", "tab:pink", "tab:cyan"])
    base = next((k for k in ("free_energy", z, *_observables(ds))
                 if any(f"{k}__{safe}" in ds for safe in branch_vars.values())), None)
    for lab in order:
        safe = branch_vars.get(lab)
        if base is None or safe is None or f"{base}__{safe}" not in d2:
            continue
        exists = np.isfinite(d2[f"{base}__{safe}"].values)
        c = next(colours)
        if _contour_boundary(ax, X, Y, exists, f"spinodal:{lab}", colors=c, linewidths=1.6,
                             linestyles="dashed"):
            handles.append(Line2D([], [], color=c, lw=1.6, ls="--", label=f"spinodal: '{lab}' branch ends"))
    if (~ok).any():
        ax.plot(X[~ok], Y[~ok], "x", color="red", ms=4)
        handles.append(Line2D([], [], color="red", marker="x", ls="", label="not converged"))
    if _is_log(ds, x):
        ax.set_xscale("log")
    if _is_log(ds, y):
        ax.set_yscale("log")
    if xt:
        ax.set_xticks(xs, xt)
    if yt:
        ax.set_yticks(ys, yt)
    ax.set_xlabel(_label(ds, x))
    ax.set_ylabel(_label(ds, y))
    return handles


def plot_scan(ds, x: str | None = None, y: str | None = None, z: str | None = None):
    """Figure of a scan dataset: line plots (1 dimension), heat map with transitions (2), slices (more).

    Parameters
    ----------
    ds : xarray.Dataset
        A dataset written by :func:`replicon.compare.scan.scan`.
    x, y : str, optional
        Scanned dimensions on the axes (default: the first two with more than one point).
    z : str, optional
        Variable to show (default ``eps_g`` if present, else the first observable;
        one-dimensional scans show every observable unless ``z`` is given).
        ``branch`` shows the thermodynamic branch label.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    dims = _scan_dims(ds)
    obs = _observables(ds)
    allowed_z = obs + [k for k in ds.data_vars if k not in obs and k != "message"]
    for what, v in (("x", x), ("y", y)):
        if v is not None:
            _check_choice(what, v, dims)
    if z is not None:
        _check_choice("z", z, allowed_z)
    if x is not None and x == y:
        raise ParamError(f"--x and --y are both {x}; choose two different dimensions of: {', '.join(dims)}")
    free = [d for d in dims if ds.sizes[d] > 1 and d not in (x, y)]
    x = x or (free.pop(0) if free else dims[0])
    if y is None and free:
        y = free.pop(0)
    rest = [d for d in dims if d not in (x, y)]
    branch_vars = _branch_vars(ds)
    title = f"{ds.attrs.get('model', '')}  {_fixed_text(ds)}".strip()

    slices = [dict(zip(rest, vals)) for vals in itertools.product(*(ds[d].values for d in rest))]
    note = ""
    if len(slices) > MAX_PANELS:
        keep = np.unique(np.linspace(0, len(slices) - 1, MAX_PANELS).round().astype(int))
        note = f" ({len(keep)} of {len(slices)} slices)"
        slices = [slices[i] for i in keep]

    if y is None:  # line plots
        zs = [z] if z else (obs or ["branch"])
        panels = [(k, s) for s in slices for k in zs]
        n = len(panels)
        ncol = min(n, 3)
        nrow = math.ceil(n / ncol)
        fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.2 * nrow), squeeze=False)
        for ax, (k, s) in zip(axes.ravel(), panels):
            _line_panel(ax, ds.sel(s) if s else ds, x, k, branch_vars)
            if s:
                ax.set_title(_slice_title(s), fontsize=9)
        for ax in axes.ravel()[n:]:
            ax.set_visible(False)
    else:
        z = z or ("eps_g" if "eps_g" in obs else (obs[0] if obs else "branch"))
        n = len(slices)
        ncol = min(n, 4)
        nrow = math.ceil(n / ncol)
        fig, axes = plt.subplots(nrow, ncol, figsize=(5.4 * ncol, 4.2 * nrow), squeeze=False)
        vals = ds[z].values
        shared = n > 1 and vals.dtype.kind in "fiub" and np.isfinite(vals.astype(float)).any()
        vmin = float(np.nanmin(vals)) if shared else None
        vmax = float(np.nanmax(vals)) if shared else None
        handles = []
        for ax, s in zip(axes.ravel(), slices):
            h = _heat_panel(ax, ds.sel(s) if s else ds, x, y, z, branch_vars, fig,
                            colorbar=True, vmin=vmin, vmax=vmax)
            handles = handles if len(handles) >= len(h) else h
            if s:
                ax.set_title(_slice_title(s), fontsize=9)
        for ax in axes.ravel()[n:]:
            ax.set_visible(False)
    fig.suptitle(title + note, fontsize=10)
    fig.tight_layout()
    if y is not None and handles:
        leg = fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                         ncol=min(len(handles), 3), facecolor="0.45", framealpha=1.0)
        for t in leg.get_texts():
            t.set_color("white")
    return fig


def plot_cli(path: str, x: str | None = None, y: str | None = None, z: str | None = None,
             out: str = "scan.png"):
    """``replicon plot FILE --out fig.png``: read a scan file and write its figure."""
    import os

    import xarray as xr

    if not os.path.exists(path):
        raise ParamError(f"no such scan file: {path}")
    try:
        ds = xr.open_dataset(path, engine="netcdf4").load()
    except Exception as e:
        raise ParamError(f"cannot read {path} as a netCDF scan file: {' '.join(str(e).split())}") from None
    if "converged" not in ds or "branch" not in ds:
        raise ParamError(f"{path} is not a replicon scan file (no 'converged'/'branch' variables)")
    from .style import context

    fig = plot_scan(ds, x=x, y=y, z=z)
    with context():
        fig.savefig(out, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    print(f"figure written to {out}")
