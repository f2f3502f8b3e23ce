"""Experiments: theory and finite-N simulation of one model on a grid, with extrapolation.

An experiment is a model, a grid of one control parameter (the x axis), a
list of sizes N and a number of seeds. Its result is a tidy table (one row
per point, size and seed), the theory at the same points (all branches), the
finite-size extrapolation of every observable to N -> infinity and the
agreement between the two in standard errors.

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

    def summary(self) -> str:
        cols = [c for c in self.agreement.columns if c not in ("model",)]
        with pd.option_context("display.width", 160, "display.max_columns", 20,
                               "display.float_format", lambda v: f"{v:.5g}"):
            return self.agreement[cols].to_string(index=False)

    def to_dict(self):
        return to_plain({
            "model": self.model, "x": self.x, "params": self.params, "N": self.Ns,
            "agreement": self.agreement.to_dict(orient="records"),
            "table": self.table.to_dict(orient="records"),
            "markers": self.markers, "figure": self.figure,
        })


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


def run_compare(model, values: dict, out: str | None = None, progress: bool = False) -> CompareResult:
    """Run theory and simulation of ``model`` for ``values`` (CLI-style strings or Python values)."""
    if model.simulate is None:
        raise ParamError(f"{model.name} has no simulation to compare with")
    Ns, seeds, seed, sim_extra, x, xs, fixed = _split(model, values)
    if model.trajectory is not None:
        res = _compare_trajectory(model, Ns, seeds, seed, sim_extra, fixed, progress)
    else:
        if x is None:
            raise ParamError(f"compare needs a grid parameter, e.g. {model.params[0].name}=a:b:n")
        res = _compare_points(model, Ns, seeds, seed, sim_extra, x, xs, fixed, progress)
    if out:
        from .overlay import plot_compare

        plot_compare(res, out)
        res.figure = out
    return res


def _observables(model, theory_sol, meas):
    wanted = (model.compare or {}).get("observables")
    if wanted:
        return [o for o in wanted if o in meas.samples]
    return [k for k in meas.samples if theory_sol is not None and k in theory_sol.observables]


def _compare_points(model, Ns, seeds, seed, sim_extra, x, xs, fixed, progress):
    rows, agree, theory = [], [], []
    it = list(enumerate(xs))
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(xs) * len(Ns), desc=f"compare {model.name}")
    for i, xv in it:
        params = dict(fixed, **{x: xv})
        sol = model.solve(**params)
        theory.append(sol)
        meas_by_N = {}
        for N in Ns:
            meas = model.simulate(N=N, seeds=seeds, seed=_point_seed(seed, i, N), **sim_extra, **params)
            meas_by_N[N] = meas
            for j in range(meas.n_seeds):
                row = {x: xv, "N": N, "seed": meas.seeds[j]}
                row.update({k: float(v[j]) for k, v in meas.samples.items() if np.ndim(v) == 1})
                rows.append(row)
            if bar:
                bar.update()
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


def _compare_trajectory(model, Ns, seeds, seed, sim_extra, fixed, progress):
    coord = model.trajectory
    rows, agree = [], []
    curves = {}
    sol0 = model.solve(**fixed)
    for N in Ns:
        meas = model.simulate(N=N, seeds=seeds, seed=_point_seed(seed, 0, N), **sim_extra, **fixed)
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
                z = np.where(sem > 0, (mean - th) / sem, np.nan)
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
    return CompareResult(model=model.name, x=coord, params=fixed, Ns=Ns, table=pd.DataFrame(rows),
                         agreement=pd.DataFrame(agree), theory=[sol0], curves=curves)
