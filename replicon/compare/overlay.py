"""Overlay plots of theory and simulation in the house style (:mod:`replicon.compare.style`).

Thermodynamic branch solid, metastable dashed, replicon-unstable or
iteration-unstable dotted; simulations as markers with standard-error bars,
one colour per N, labelled with N and the number of seeds; N -> infinity
extrapolations as open black diamonds; transitions and spinodals as vertical
lines labelled at the top. Axis labels are mathtext. The legend is drawn
below the panels, so it covers no data, and each panel's title carries the
verdict of its observable.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .style import BRANCH_LINESTYLE as STYLE  # noqa: E402
from .style import branch_linestyle  # noqa: E402
from .style import colour_for, context, sim_label, tex  # noqa: E402


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
    with context():
        return _plot_compare(res, out)


def _plot_compare(res, out):
    if res.agreement.empty:
        obs = []
    else:
        obs = list(dict.fromkeys(res.agreement["observable"]))
    n = max(1, len(obs))
    fig, axes = plt.subplots(1, n, figsize=(3.5 * n, 3.0), squeeze=False)
    colours = [colour_for(i) for i in range(8)]
    if isinstance(next(iter(res.curves), None), (int, np.integer)):  # trajectories, keyed by N
        _plot_trajectories(res, obs, axes[0], colours)
    else:
        _plot_points(res, obs, axes[0], colours)
    for ax, o in zip(axes[0], obs):
        v = (res.verdicts or {}).get(o)
        if v and v.get("verdict") != "untested":
            ax.set_title(f"{v['verdict']}: $\\chi^2$/dof = {v['chi2_dof']:.2g}, max $|z|$ = {v['max_abs_z']:.1f}",
                         fontsize=8, color="k" if v["verdict"] == "agrees" else "#D55E00")
    handles, labels = {}, []
    for ax in axes[0]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    title = f"{res.model}  " + ", ".join(f"{tex(k)} = {v}" for k, v in res.params.items() if np.ndim(v) == 0)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    if handles:
        ncol = min(len(handles), 3 if n == 1 else 4)
        fig.legend(list(handles.values()), list(handles), loc="upper center", ncol=ncol,
                   bbox_to_anchor=(0.5, 0.0), frameon=False)
    fig.savefig(out, bbox_inches="tight")
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
            styles = [branch_linestyle(s, st) for s, st in zip(c["status"], c["stable"])]
            for a, b, ls in _segments(xs, styles):
                ax.plot(xs[a:b], ys[a:b], ls, color="k", lw=1.3)
        seen = {branch_linestyle(st, stb) for c in res.curves.values() for st, stb in zip(c["status"], c["stable"])}
        for status, ls in STYLE.items():   # one legend entry per line style drawn
            if ls in seen:
                ax.plot([], [], ls, color="k", lw=1.3, label=f"theory, {status}")
        sub = res.agreement[res.agreement["observable"] == o]
        xv = sub[x].to_numpy(float)
        span = (np.ptp(xv) if xv.size > 1 else 1.0) or 1.0
        for k, N in enumerate(res.Ns):
            off = (k - (len(res.Ns) - 1) / 2) * 0.008 * span
            ax.errorbar(xv + off, sub[f"N={N}"], yerr=sub[f"se N={N}"], fmt="o", ms=4, capsize=2,
                        color=colours[k % len(colours)], label=sim_label(N, res.seeds or "?"))
        if len(res.Ns) > 1:
            ax.errorbar(xv, sub["N->inf"], yerr=sub["se"], fmt="D", ms=4, capsize=2, color="k",
                        mfc="none", label=r"$1/N$ extrapolation to $N\to\infty$")
        for name, val in (res.markers or {}).items():
            if isinstance(val, (int, float)) and np.isfinite(val):
                ax.axvline(val, color="grey", lw=0.8, ls="-." if "spinodal" in name else "-")
                ax.annotate(name, (val, 0.98), xycoords=("data", "axes fraction"), rotation=90,
                            fontsize=6, va="top", ha="right", color="grey")
        ax.set_xlabel(tex(x))
        ax.set_ylabel(tex(o))


def _plot_trajectories(res, obs, axes, colours):
    coord = res.x
    for ax, o in zip(axes, obs):
        for k, N in enumerate(res.Ns):
            c = res.curves[N]
            col = colours[k % len(colours)]
            cx = np.asarray(c["coord"])
            if o in c["mean"]:
                m, s = np.asarray(c["mean"][o]), np.asarray(c["sem"][o])
                ax.errorbar(cx, m, yerr=s, fmt="o", ms=2.5, capsize=1.5, color=col,
                            label=sim_label(N, res.seeds or "?"))
            if o in c["theory"] and (c.get("own_theory") or k == 0):
                # theory started from each run's own initial state is drawn per N, else once in black
                own = c.get("own_theory") and len(res.Ns) > 1
                ax.plot(cx, c["theory"][o], "-", color=col if own else "k", lw=1.2,
                        label=(f"theory N={N}" if own else "theory"))
        ax.set_xlabel(tex(coord))
        ax.set_ylabel(tex(o))
        vals = np.concatenate([np.ravel(res.curves[N]["mean"].get(o, [])) for N in res.Ns])
        if vals.size and np.all(vals > 0) and np.nanmax(vals) / max(np.nanmin(vals), 1e-300) > 100:
            ax.set_yscale("log")
        if coord == "alpha" and np.nanmin(cx) > 0 and np.nanmax(cx) / np.nanmin(cx) > 50:
            ax.set_xscale("log")
