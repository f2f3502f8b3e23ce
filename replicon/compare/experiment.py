"""Experiments: theory and finite-N simulation of one model on a grid, with extrapolation.

An experiment is a model, a grid of one control parameter (the x axis), a
list of sizes N and a number of seeds. Its result is a tidy table (one row
per point, size and seed), the theory at the same points (all branches), the
finite-size extrapolation of every observable to N -> infinity and the
agreement between the two in standard errors.

Every comparison ends with a **verdict** per observable (:func:`verdict`):
with ``z_i = (m_inf(x_i) - theory(x_i)) / se_i`` at the ``n`` grid points,

* ``chi2/dof = sum_i z_i^2 / n`` (theory has no fitted parameter, so
  ``dof = n``) and its p-value under the chi-square law with ``n`` degrees
  of freedom;
* the largest ``|z|``, where it is, and its p-value corrected for having
  looked at ``n`` points (Sidak: ``1 - (1 - 2 H(|z|max))^n``).

The observable *agrees at level* ``level`` (default 1 %) when neither
p-value is below ``level``; otherwise it *disagrees*. Each test alone
rejects a correct theory with probability ``level``, both together with at
most ``2 level``. The z-scores are only as honest as the extrapolation: with
one size there is no allowance for finite size and ``m_inf`` is that size's
mean; with two or more it is the intercept of a ``1/N`` fit.

Models whose observables are trajectories (``Model.trajectory``, e.g. online
learning along alpha, deep chains along the layer index) are compared along
that coordinate instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._util import ParamError, to_plain
from .grid import is_grid, parse_grid

LEVEL = 0.01
ROUNDING = 1e-12   # a standard error below this (relative) is rounding of an exact value, not an error bar


def verdict(z, where=None, level: float = LEVEL) -> dict:
    """Verdict on theory against simulation from standard scores ``z`` (one per point).

    Parameters
    ----------
    z : array_like
        ``(simulation - theory) / standard error`` at each point; non-finite
        entries (no error bar, no theory) are left out.
    where : array_like, optional
        The position of each point (e.g. its alpha), reported for the largest ``|z|``.
    level : float
        Significance level of both tests (chi-square and largest ``|z|``).

    Returns
    -------
    dict
        ``n`` (points used), ``chi2_dof``, ``p_chi2``, ``max_abs_z``, ``z_at_max``
        (signed), ``at`` (position of the largest ``|z|``), ``p_max`` (Sidak-corrected),
        ``level`` and ``verdict``: ``"agrees"``, ``"disagrees"`` or ``"untested"``
        (no finite z).
    """
    from scipy.special import chdtrc, ndtr  # not scipy.stats: seconds to import

    z = np.asarray(z, float).ravel()
    pos = np.arange(z.size) if where is None else np.asarray(where).ravel()
    ok = np.isfinite(z)
    n = int(ok.sum())
    out = {"n": n, "chi2_dof": np.nan, "p_chi2": np.nan, "max_abs_z": np.nan, "z_at_max": np.nan,
           "at": None, "p_max": np.nan, "level": float(level), "verdict": "untested"}
    if n == 0:
        return out
    zs, ps = z[ok], pos[ok]
    c2 = float(np.sum(zs ** 2))
    k = int(np.argmax(np.abs(zs)))
    zmax = float(abs(zs[k]))
    p_one = 2.0 * float(ndtr(-zmax))
    p_max = float(-np.expm1(n * np.log1p(-p_one))) if p_one < 1 else 1.0
    p_chi2 = float(chdtrc(n, c2))
    at = ps[k].item() if hasattr(ps[k], "item") else ps[k]
    out.update(chi2_dof=c2 / n, p_chi2=p_chi2, max_abs_z=zmax, z_at_max=float(zs[k]), at=at, p_max=p_max,
               verdict="agrees" if (p_chi2 >= level and p_max >= level) else "disagrees")
    return out


def verdict_line(observable: str, v: dict, coord: str = "x", against: str = "N->inf") -> str:
    """One line of text for a verdict (as printed at the end of ``replicon compare``)."""
    if v["verdict"] == "untested":
        return f"verdict {observable}: untested (no point with both a theory value and an error bar)"
    at = v["at"]
    at = f"{at:.4g}" if isinstance(at, (float, np.floating)) else str(at)
    return (f"verdict {observable}: {v['verdict']} at the {100 * v['level']:g}% level "
            f"(theory vs {against}: chi2/dof = {v['chi2_dof']:.3g} over {v['n']} points, p = {v['p_chi2']:.2g}; "
            f"largest |z| = {v['max_abs_z']:.2f} at {coord} = {at}, corrected p = {v['p_max']:.2g})")


def extrapolate(Ns, means, sems):
    """Weighted least-squares fit ``m(N) = m_inf + b/N``; returns ``(m_inf, se)``.

    With one size, returns that size's mean and standard error. With two or
    more, the intercept's standard error comes from the weights
    ``1/sem^2`` (finite-size allowance is the fitted 1/N term itself).
    """
    Ns = np.asarray(Ns, float)
    m = np.asarray(means, float)
    s = np.asarray(sems, float)
    if Ns.size == 1:
        return float(m[0]), float(s[0])
    s = np.where(np.isfinite(s) & (s > 0), s, np.nanmax(np.where(np.isfinite(s), s, 0)) or 1e-12)
    X = np.column_stack([np.ones_like(Ns), 1.0 / Ns])
    W = 1.0 / s ** 2
    A = X.T @ (W[:, None] * X)
    cov = np.linalg.inv(A)
    coef = cov @ (X.T @ (W * m))
    return float(coef[0]), float(np.sqrt(cov[0, 0]))


def _point_seed(seed, i, N):
    return int(np.random.SeedSequence(entropy=int(seed), spawn_key=(int(i), int(N))).generate_state(1)[0])


@dataclass
class CompareResult:
    """Everything a comparison produced (see module docstring)."""

    model: str
    x: str
    params: dict[str, Any]
    Ns: list[int]
    table: pd.DataFrame
    agreement: pd.DataFrame
    theory: list = field(default_factory=list)
    curves: dict = field(default_factory=dict)
    markers: dict = field(default_factory=dict)
    figure: str | None = None
    verdicts: dict = field(default_factory=dict)
    against: str = "N->inf"
    seeds: int = 0
    data: str | None = None
    trajectory_z: dict = field(default_factory=dict)

    def summary(self) -> str:
        """The agreement table followed by one verdict line per observable."""
        cols = [c for c in self.agreement.columns if c not in ("model",)]
        with pd.option_context("display.width", 160, "display.max_columns", 20,
                               "display.float_format", lambda v: f"{v:.5g}"):
            text = self.agreement[cols].to_string(index=False)
        lines = [verdict_line(o, v, self.x, self.against) for o, v in self.verdicts.items()]
        return "\n".join([text, *lines])

    def to_dict(self):
        return to_plain({
            "model": self.model, "x": self.x, "params": self.params, "N": self.Ns, "seeds": self.seeds,
            "agreement": self.agreement.to_dict(orient="records"),
            "verdict": {o: dict(v, against=self.against) for o, v in self.verdicts.items()},
            "table": self.table.to_dict(orient="records"),
            "markers": self.markers, "figure": self.figure, "data": self.data,
        })

    def write_data(self, path: str) -> str:
        """Write the tidy table: CSV (``.csv``, one row per point, size and seed) or netCDF (``.nc``).

        The netCDF file has dimensions (x, ``N``, ``run``) (``run`` numbers the seeds
        of one point; the seed itself is the variable ``seed``), every simulated
        observable as a variable, the theory and the N -> infinity extrapolation per x
        as ``theory__OBS``, ``extrapolated__OBS`` and ``se__OBS``, and the model, fixed
        parameters and verdicts as JSON attributes. Read it with ``xarray.open_dataset``.
        """
        import json
        import os

        ext = os.path.splitext(path)[1].lower()
        if ext == ".csv":
            self.table.to_csv(path, index=False)
        elif ext == ".nc":
            self.to_dataset().to_netcdf(path, engine="netcdf4")
        else:
            raise ParamError(f"--data {path}: the tidy table is written as .csv or .nc")
        self.data = path
        return path

    def to_dataset(self):
        """The tidy table as an ``xarray.Dataset`` (see :meth:`write_data`)."""
        import json

        import xarray as xr

        from .. import __version__

        t = self.table.copy()
        keys = [self.x, "N"] if self.x in t.columns else ["N"]
        if self.x in t.columns and "N" in t.columns and t.columns.get_loc(self.x) > t.columns.get_loc("N"):
            keys = ["N", self.x]  # trajectories: the coordinate varies fastest
        t["run"] = t.groupby(keys).cumcount()
        ds = t.set_index([*keys, "run"]).to_xarray()
        if not self.agreement.empty and "N->inf" in self.agreement.columns and self.x in self.agreement:
            for o, sub in self.agreement.groupby("observable", sort=False):
                sub = sub.set_index(self.x)
                for col, name in (("theory", "theory"), ("N->inf", "extrapolated"), ("se", "se")):
                    ds[f"{name}__{o}"] = xr.DataArray(sub[col].to_numpy(float), coords={self.x: sub.index.values},
                                                      dims=[self.x]).reindex({self.x: ds[self.x].values})
        ds.attrs.update(model=self.model, x=self.x, fixed=json.dumps(to_plain(self.params)),
                        seeds=int(self.seeds), N=json.dumps(list(map(int, self.Ns))),
                        verdict=json.dumps(to_plain(self.verdicts)), against=self.against,
                        replicon_version=str(__version__))
        return ds


def _split(model, values):
    """Separate simulation settings, the grid parameter and fixed parameters."""
    values = dict(values)
    defaults = model.compare or {}
    Ns = values.pop("N", defaults.get("N", [50, 100]))
    Ns = [int(v) for v in (parse_grid("N", Ns) if isinstance(Ns, str) else np.atleast_1d(Ns))]
    if any(n < 2 for n in Ns):
        raise ParamError("N must be integers >= 2, e.g. N=50,100")
    seeds = values.pop("seeds", defaults.get("seeds", 8))
    try:
        seeds = int(seeds)
    except ValueError:
        raise ParamError(f"seeds must be an integer >= 2, got {seeds!r}") from None
    if seeds < 2:
        raise ParamError("seeds must be an integer >= 2 (standard errors need two seeds)")
    seed = int(values.pop("seed", 0))
    sim_extra = {}
    for p in model.sim_params:
        if p.name in values and p.name not in ("N", "seeds", "seed"):
            sim_extra[p.name] = p.parse(values.pop(p.name))
    for k, v in values.items():
        if isinstance(v, str) and not v.strip():
            parse_grid(k, v)  # raises: empty value, says what a grid is
    grid = {k: v for k, v in values.items() if is_grid(v) and model.param(k).kind != "array"}
    if len(grid) > 1:
        raise ParamError(f"compare takes one grid parameter (the x axis), got {', '.join(grid)}; "
                         "use 'replicon scan' for several")
    fixed = {k: v for k, v in values.items() if k not in grid}
    if not grid and model.trajectory is None and "x" in defaults and defaults["x"] not in fixed:
        grid = {defaults["x"]: defaults.get("grid")}
    x = next(iter(grid), None)
    xs = []
    if x is not None:
        p = model.param(x)
        xs = [p.parse(v) for v in parse_grid(x, grid[x], numeric=p.kind not in ("choice",))]
    fixed = model.validate(fixed)
    if x is not None:
        fixed.pop(x, None)
    return Ns, seeds, seed, sim_extra, x, xs, fixed


def run_compare(model, values: dict, out: str | None = None, progress: bool = False,
                data: str | None = None, level: float = LEVEL, workers: int | None = 1,
                dask=None) -> CompareResult:
    """Run theory and simulation of ``model`` for ``values`` (CLI-style strings or Python values).

    ``out`` names the figure to write, ``data`` the tidy table (``.csv`` or ``.nc``,
    see :meth:`CompareResult.write_data`); ``level`` is the significance level of the
    verdicts (see the module docstring). ``workers`` local processes (None: all cores) or a
    Dask scheduler ``dask`` run the simulations (one per grid point and size, each from its own
    seed), with the same results as the serial run (:mod:`.parallel`).
    """
    if model.simulate is None:
        raise ParamError(f"{model.name} has no simulation to compare with")
    Ns, seeds, seed, sim_extra, x, xs, fixed = _split(model, values)
    if model.trajectory is not None:
        res = _compare_trajectory(model, Ns, seeds, seed, sim_extra, fixed, progress, workers, dask)
    else:
        if x is None:
            raise ParamError(f"compare needs a grid parameter, e.g. {model.params[0].name}=a:b:n")
        res = _compare_points(model, Ns, seeds, seed, sim_extra, x, xs, fixed, progress, workers, dask)
    res.seeds = seeds
    res.verdicts = _verdicts(res, level)
    if data:
        res.write_data(data)
    if out:
        from .overlay import plot_compare

        plot_compare(res, out)
        res.figure = out
    return res


def _verdicts(res, level):
    """One verdict per observable from the agreement table (points) or the trajectories."""
    out = {}
    if res.agreement.empty:
        return out
    if "z" in res.agreement.columns:  # points: theory against the N -> infinity extrapolation
        res.against = "N->inf" if len(res.Ns) > 1 else f"N={res.Ns[0]}"
        for o, sub in res.agreement.groupby("observable", sort=False):
            out[o] = verdict(sub["z"].to_numpy(float), sub[res.x].to_numpy(), level)
        return out
    for o, v in res.trajectory_z.items():
        out[o] = verdict(v["z"], v["where"], level)
    return out


def _observables(model, theory_sol, meas):
    wanted = (model.compare or {}).get("observables")
    if wanted:
        return [o for o in wanted if o in meas.samples]
    return [k for k in meas.samples if theory_sol is not None and k in theory_sol.observables]


def _simulations(model, tasks, workers, dask, bar):
    """Measurements for ``tasks`` (keyword dicts), in order: serially (with the progress bar) or spread."""
    from .parallel import model_ref, run_tasks, simulate_task

    if (workers is None or workers > 1 or dask) and len(tasks) > 1:
        out = run_tasks(simulate_task, [(model_ref(model), t) for t in tasks], workers=workers, dask=dask)
        if bar:
            bar.update(len(tasks))
        return out
    out = []
    for t in tasks:
        out.append(model.simulate(**t))
        if bar:
            bar.update()
    return out


def _compare_points(model, Ns, seeds, seed, sim_extra, x, xs, fixed, progress, workers=1, dask=None):
    rows, agree, theory = [], [], []
    it = list(enumerate(xs))
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(xs) * len(Ns), desc=f"compare {model.name}")
    tasks = [dict(N=N, seeds=seeds, seed=_point_seed(seed, i, N), **sim_extra, **dict(fixed, **{x: xv}))
             for i, xv in it for N in Ns]
    measured = iter(_simulations(model, tasks, workers, dask, bar))
    for i, xv in it:
        params = dict(fixed, **{x: xv})
        sol = model.solve(**params)
        theory.append(sol)
        meas_by_N = {}
        for N in Ns:
            meas = next(measured)
            meas_by_N[N] = meas
            for j in range(meas.n_seeds):
                row = {x: xv, "N": N, "seed": meas.seeds[j]}
                row.update({k: float(v[j]) for k, v in meas.samples.items() if np.ndim(v) == 1})
                rows.append(row)
        obs = _observables(model, sol, meas_by_N[Ns[0]])
        for o in obs:
            means = [float(meas_by_N[N].mean[o]) for N in Ns]
            sems = [float(meas_by_N[N].sem[o]) for N in Ns]
            m_inf, se = extrapolate(Ns, means, sems)
            th = float(sol.observables[o]) if sol.converged and o in sol.observables else np.nan
            rec = {x: xv, "observable": o, "theory": th, "branch": sol.branch}
            for N, mN, sN in zip(Ns, means, sems):
                rec[f"N={N}"] = mN
                rec[f"se N={N}"] = sN
            rec.update({"N->inf": m_inf, "se": se, "z": (m_inf - th) / se if se > 0 else np.nan})
            agree.append(rec)
    if bar:
        bar.close()
    table = pd.DataFrame(rows)
    agreement = pd.DataFrame(agree)
    res = CompareResult(model=model.name, x=x, params=fixed, Ns=Ns, table=table, agreement=agreement,
                        theory=theory)
    res.curves = theory_curves(model, x, xs, fixed)
    if "markers" in model.hooks:
        try:
            res.markers = model.hooks["markers"](fixed, x)
        except Exception as e:  # a marker is decoration: never lose the comparison for it
            res.markers = {"(markers failed)": str(e)}
    return res


def theory_curves(model, x, xs, fixed, n=60):
    """Theory on a fine grid spanning ``xs``: ``{branch: {"x": [...], "obs": {o: [...]}, "status": [...], "stable": [...]}}``."""
    lo, hi = float(min(xs)), float(max(xs))
    if hi == lo:
        grid = [lo]
    else:
        pad = 0.05 * (hi - lo)
        grid = np.linspace(max(lo - pad, 0.0) if lo >= 0 else lo - pad, hi + pad, n)
    curves: dict[str, dict] = {}
    for xv in grid:
        sol = model.solve(**dict(fixed, **{x: float(xv)}))
        if not sol.converged:
            continue
        for b in (sol.branches or [sol]):
            c = curves.setdefault(b.branch or "rs", {"x": [], "obs": {}, "status": [], "stable": []})
            c["x"].append(float(xv))
            c["status"].append(b.status)
            c["stable"].append(b.stable)
            for k, v in b.observables.items():
                if np.ndim(v) == 0:
                    c["obs"].setdefault(k, []).append(float(v))
    return curves


def _compare_trajectory(model, Ns, seeds, seed, sim_extra, fixed, progress, workers=1, dask=None):
    coord = model.trajectory
    rows, agree = [], []
    curves = {}
    sol0 = model.solve(**fixed)
    tasks = [dict(N=N, seeds=seeds, seed=_point_seed(seed, 0, N), **sim_extra, **fixed) for N in Ns]
    for N, meas in zip(Ns, _simulations(model, tasks, workers, dask, None)):
        cvals = np.asarray(meas.coords.get(coord), float)
        hook = model.hooks.get("compare_theory")
        sols = hook(meas, fixed) if hook else [sol0]
        obs = [o for o in _observables(model, sol0, meas) if np.ndim(meas.samples[o]) == 2]
        th_curves = {}
        for o in obs:
            per = []
            for s in sols:
                if not s.converged or o not in s.observables:
                    continue
                tx = np.asarray(s.observables.get(coord, cvals), float)
                ty = np.asarray(s.observables[o], float)
                per.append(np.interp(cvals, tx, ty) if tx.shape == ty.shape else ty)
            if not per:
                continue
            th = np.mean(per, axis=0)
            th_curves[o] = th
            mean, sem = meas.mean[o], meas.sem[o]
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.where(sem > ROUNDING * (1.0 + np.abs(mean)), (mean - th) / sem, np.nan)
            k = int(np.nanargmax(np.abs(z))) if np.any(np.isfinite(z)) else 0
            agree.append({"N": N, "observable": o, "max |sim - theory|": float(np.nanmax(np.abs(mean - th))),
                          "max |z|": float(np.nanmax(np.abs(z))) if np.any(np.isfinite(z)) else np.nan,
                          f"at {coord}": float(cvals[k]) if cvals.size else np.nan})
        curves[N] = {"coord": cvals, "theory": th_curves, "mean": meas.mean, "sem": meas.sem,
                     "own_theory": hook is not None}
        for j in range(meas.n_seeds):
            for t, cv in enumerate(cvals):
                row = {"N": N, "seed": meas.seeds[j], coord: float(cv)}
                row.update({o: float(meas.samples[o][j, t]) for o in obs})
                rows.append(row)
    res = CompareResult(model=model.name, x=coord, params=fixed, Ns=Ns, table=pd.DataFrame(rows),
                        agreement=pd.DataFrame(agree), theory=[sol0], curves=curves)
    res.trajectory_z, res.against = _trajectory_z(Ns, curves)
    return res


def _trajectory_z(Ns, curves):
    """z along a trajectory for the verdicts: against the per-point 1/N extrapolation where
    theory is the same for every N and the sizes share their coordinates, else at the
    largest N against that run's own theory. Points without an error bar (the common
    initial state, or a spread over seeds at the level of rounding, ``sem <= ROUNDING (1 + |mean|)``) are
    left out. Points of one trajectory come from the same runs, so
    they are not independent: the chi-square is a summary, not an exact test."""
    Nmax = max(Ns)
    own = any(curves[N].get("own_theory") for N in Ns)
    cx = np.asarray(curves[Nmax]["coord"], float)
    # positions of the largest size's coordinates in every other size's (where all have them)
    idx = {}
    if len(Ns) > 1 and not own:
        for N in Ns:
            c = np.asarray(curves[N]["coord"], float)
            j = np.searchsorted(c, cx).clip(0, max(c.size - 1, 0))
            idx[N] = np.where(np.isclose(c[j], cx, rtol=1e-9, atol=1e-12), j, -1) if c.size else -np.ones(cx.size, int)
        common = np.all([idx[N] >= 0 for N in Ns], axis=0)
    else:
        common = np.zeros(cx.size, bool)
    same = bool(common.sum() >= 2)
    out = {}
    for o, th in curves[Nmax]["theory"].items():
        th = np.asarray(th, float)
        z = np.full(cx.shape, np.nan)
        if same and all(o in curves[N]["mean"] for N in Ns):
            for t in np.flatnonzero(common):
                m = [float(np.asarray(curves[N]["mean"][o])[idx[N][t]]) for N in Ns]
                s = np.array([float(np.asarray(curves[N]["sem"][o])[idx[N][t]]) for N in Ns])
                if np.all(np.isfinite(s) & (s > ROUNDING * (1.0 + np.abs(m)))):
                    m_inf, se = extrapolate(Ns, m, s)
                    z[t] = (m_inf - th[t]) / se
        else:
            mean = np.asarray(curves[Nmax]["mean"][o], float)
            sem = np.asarray(curves[Nmax]["sem"][o], float)
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.where(sem > ROUNDING * (1.0 + np.abs(mean)), (mean - th) / sem, np.nan)
        out[o] = {"z": z, "where": cx}
    if same:
        against = "N->inf"
    elif any(curves[N].get("own_theory") for N in Ns):
        against = f"N={Nmax} (theory from its own initial state)"
    else:
        against = f"N={Nmax}"
    return out, against
