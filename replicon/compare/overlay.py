"""Overlay plots of theory and simulation (DESIGN.md line styles).

Thermodynamic branch solid, metastable dashed, replicon-unstable or
iteration-unstable dotted; simulations as markers with standard-error bars,
one colour per N; N -> infinity extrapolations as black diamonds;
transitions and spinodals as vertical lines.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

STYLE = {"thermodynamic": "-", "metastable": "--", "unstable": ":"}


def _line_style(status, stable):
    if status == "unstable" or stable is False:
        return ":"
    return STYLE.get(status or "thermodynamic", "-")


def _segments(xs, styles):
    """Split a curve into runs of constant style (adjacent runs share an end point)."""
    out, start = [], 0
    for i in range(1, len(xs) + 1):
        if i == len(xs) or styles[i] != styles[start]:
            out.append((start, i, styles[start]))
            start = i - 1 if i < len(xs) else i
    return out


def plot_compare(res, out: str):
    """Write the comparison figure of a :class:`~replicon.compare.experiment.CompareResult`."""
    if res.agreement.empty:
        obs = []
    else:
        obs = list(dict.fromkeys(res.agreement["observable"]))
    n = max(1, len(obs))
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.6), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    if isinstance(next(iter(res.curves), None), (int, np.integer)):  # trajectories, keyed by N
        _plot_trajectories(res, obs, axes[0], colours)
    else:
        _plot_points(res, obs, axes[0], colours)
    title = f"{res.model}  " + ", ".join(f"{k}={v}" for k, v in res.params.items() if np.ndim(v) == 0)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def _plot_points(res, obs, axes, colours):
    x = res.x
    for ax, o in zip(axes, obs):
        for label, c in res.curves.items():
            if o not in c["obs"]:
                continue
            xs = np.asarray(c["x"])
            ys = np.asarray(c["obs"][o])
            styles = [_line_style(s, st) for s, st in zip(c["status"], c["stable"])]
            first = True
            for a, b, ls in _segments(xs, styles):
                ax.plot(xs[a:b], ys[a:b], ls, color="k", lw=1.3, label=f"theory ({label})" if first else None)
                first = False
        sub = res.agreement[res.agreement["observable"] == o]
        xv = sub[x].to_numpy(float)
        span = (np.ptp(xv) if xv.size > 1 else 1.0) or 1.0
        for k, N in enumerate(res.Ns):
            off = (k - (len(res.Ns) - 1) / 2) * 0.008 * span
            ax.errorbar(xv + off, sub[f"N={N}"], yerr=sub[f"se N={N}"], fmt="o", ms=4, capsize=2,
                        color=colours[k % len(colours)], label=f"N={N}")
        if len(res.Ns) > 1:
            ax.errorbar(xv, sub["N->inf"], yerr=sub["se"], fmt="D", ms=4, capsize=2, color="k",
                        mfc="none", label="N→∞")
        for name, val in (res.markers or {}).items():
            if isinstance(val, (int, float)) and np.isfinite(val):
                ax.axvline(val, color="grey", lw=0.8, ls="-." if "spinodal" in name else "-")
                ax.annotate(name, (val, 0.98), xycoords=("data", "axes fraction"), rotation=90,
                            fontsize=6, va="top", ha="right", color="grey")
        ax.set_xlabel(x)
        ax.set_ylabel(o)
    if len(axes):
        axes[0].legend(fontsize=7)


def _plot_trajectories(res, obs, axes, colours):
    coord = res.x
    for ax, o in zip(axes, obs):
        for k, N in enumerate(res.Ns):
            c = res.curves[N]
            col = colours[k % len(colours)]
            cx = np.asarray(c["coord"])
            if o in c["mean"]:
                m, s = np.asarray(c["mean"][o]), np.asarray(c["sem"][o])
                ax.errorbar(cx, m, yerr=s, fmt="o", ms=2.5, capsize=1.5, color=col, label=f"sim N={N}")
            if o in c["theory"] and (c.get("own_theory") or k == 0):
                # theory started from each run's own initial state is drawn per N, else once in black
                own = c.get("own_theory") and len(res.Ns) > 1
                ax.plot(cx, c["theory"][o], "-", color=col if own else "k", lw=1.2,
                        label=(f"theory N={N}" if own else "theory"))
        ax.set_xlabel(coord)
        ax.set_ylabel(o)
        vals = np.concatenate([np.ravel(res.curves[N]["mean"].get(o, [])) for N in res.Ns])
        if vals.size and np.all(vals > 0) and np.nanmax(vals) / max(np.nanmin(vals), 1e-300) > 100:
            ax.set_yscale("log")
        if coord == "alpha" and np.nanmin(cx) > 0 and np.nanmax(cx) / np.nanmin(cx) > 50:
            ax.set_xscale("log")
    if len(axes):
        axes[0].legend(fontsize=7)
