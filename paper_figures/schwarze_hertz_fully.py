"""Schwarze & Hertz (1993): Gibbs learning of the fully connected committee machine, specialisation transition.

(a) K -> infinity (committee.gibbs_fully_largek, RS, leading order in K, spherical weights), eps_g
versus alpha_tilde = P/(K N) at T = 0, 0.5, 1, every branch: the permutation-symmetric plateau
(eps_g independent of alpha_tilde), the attracting specialised branch and its unstable partner;
thermodynamic solid, metastable dashed, unstable dotted. The first-order transition alpha_spec
(vertical line, where eps_g jumps) and the spinodal alpha_spinodal (where the specialised branch is
born, dot) come from ``gibbs_fully_large_k_transition``. (b) K = 3, T = 1 (committee.gibbs
arch=fully, alpha = P/N with N the input dimension): eps_g and R_mean (mean of the K x K
student-teacher overlaps) of every RS branch, with Metropolis Monte Carlo of the fully connected
committee (quick: N = 40 only; full: N = 80, 160, 320 and the 1/N extrapolation; with N = 40, 80, 160 the
extrapolated eps_g sat up to 4 standard errors low at alpha = 8, N = 80, 160, 320 agreed, z = 0.7).

Compared numbers (printed): alpha_spec, alpha_spinodal and the eps_g jump per T (the module's own
values; Schwarze & Hertz's numbers could not be retrieved, only their qualitative claim of a
discontinuous drop of eps_g at P proportional to K N), and the K = 3 theory against Monte Carlo in
standard errors (at N = 40 in quick mode, so finite-N bias is included there).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from replicon import registry  # noqa: E402
from replicon.compare.experiment import extrapolate  # noqa: E402
from replicon.theory.committee.fully import gibbs_fully  # noqa: E402
from replicon.theory.committee.fully_large_k import gibbs_fully_large_k, gibbs_fully_large_k_transition  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402
from replicon.compare.overlay import STYLE  # noqa: E402
from replicon.compare.style import tex  # noqa: E402

COLOUR_T = {0.0: "C0", 0.5: "C1", 1.0: "C3"}


def _branch_lines(ax, pts, colour, label=None):
    """Draw {(branch, kind): [(x, y, status)]} with one line style per status (NaN-masked)."""
    for (branch, kind), p in pts.items():
        p = sorted(p)
        for status in ("thermodynamic", "metastable", "unstable"):
            xs = np.array([x if s == status else np.nan for x, y, s in p])
            ys = np.array([y if s == status else np.nan for x, y, s in p])
            if np.any(np.isfinite(xs)):
                ax.plot(xs, ys, STYLE[status], color=colour, lw=1.5,
                        label=None if label is None else label(branch, status))


def _collect(pts, x, sol, key="eps_g"):
    for b in sol.branches if sol.converged else []:
        kind = "unstable" if b.status == "unstable" else "stable"
        pts.setdefault((b.branch, kind), []).append((x, b[key], b.status))


def _panel_large_k(ax, quick, xmax):
    out = {}
    for T, colour in COLOUR_T.items():
        tr = gibbs_fully_large_k_transition(T)
        a_spec, a_sp = tr["alpha_spec"], tr["alpha_spinodal"]
        # specialised branches from the spinodal on, denser towards it
        grid = a_sp + (xmax - a_sp) * np.linspace(0.0, 1.0, 15 if quick else 30)[1:] ** 2
        grid = np.concatenate([[a_sp * (1 + 1e-5)], grid])
        if T == 0:      # cheap (1-D scan on the Nishimori line): the whole axis
            grid = np.concatenate([grid, np.linspace(0.25, xmax, 40 if quick else 150)])
        grid = np.unique(np.concatenate([grid, [a_spec - 1e-3, a_spec + 1e-3]]))
        pts = {}
        for a in grid:
            _collect(pts, float(a), gibbs_fully_large_k(float(a), T))
        if T > 0:      # ~1.5 s a solve: the permutation-symmetric plateau (flat in alpha_tilde) from tr
            ps = pts.setdefault(("permutation_symmetric", "stable"), [])
            ps += [(x, tr["eps_g_ps"], "thermodynamic" if x < a_spec else "metastable")
                   for x in np.linspace(0.25, xmax, 30) if not any(abs(x - p[0]) < 1e-9 for p in ps)]
        _branch_lines(ax, pts, colour)
        ax.axvline(a_spec, color=colour, lw=0.8)
        ax.plot([a_sp], [_spinodal_eps(pts)], "o", color=colour, ms=3)
        out[f"T={T:g}"] = {k: tr[k] for k in ("alpha_spec", "alpha_spinodal", "eps_g_ps", "eps_g_spec")}
        print(f"K -> inf, T = {T:g}: alpha_spec = {a_spec:.4f}, alpha_spinodal = {a_sp:.4f}; at alpha_spec eps_g "
              f"jumps {tr['eps_g_ps']:.4f} -> {tr['eps_g_spec']:.4f}")
    handles = [Line2D([], [], color=c, label=f"$T = {T:g}$") for T, c in COLOUR_T.items()]
    handles += [Line2D([], [], color="k", ls=ls, label=s) for s, ls in STYLE.items()]
    handles += [Line2D([], [], color="k", lw=0.8, label=r"$\tilde\alpha_{spec}$ (first order)"),
                Line2D([], [], color="k", marker="o", ls="", ms=3, label="spinodal")]
    ax.legend(handles=handles, fontsize=7, loc="lower left")
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, 0.3)
    ax.set_xlabel(r"$\tilde\alpha = P/(KN)$")
    ax.set_ylabel(r"$\epsilon_g$")
    ax.set_title(r"fully connected committee, $K \to \infty$ (RS)", fontsize=10)
    return out


def _spinodal_eps(pts):
    """eps_g of the attracting specialised branch at its first point (the spinodal end)."""
    p = sorted(pts.get(("specialised", "stable"), []))
    return p[0][1] if p else np.nan


def _panel_k3(ax, quick):
    T = 1.0
    alphas = np.linspace(0.5, 4.0, 5) if quick else np.linspace(0.25, 8.0, 16)
    sim_alphas = (1.0, 2.0, 4.0) if quick else (0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)
    alphas = np.unique(np.concatenate([alphas, sim_alphas]))
    th = {float(a): gibbs_fully(K=3, alpha=float(a), T=T) for a in alphas}
    for key, colour in (("eps_g", "C3"), ("R_mean", "C0")):
        pts = {}
        for a, sol in th.items():
            _collect(pts, a, sol, key)
        _branch_lines(ax, pts, colour, label=lambda b, s, k=key: f"{tex(k)} theory, {b} ({s})")
    Ns = (40,) if quick else (80, 160, 320)
    seeds = 6 if quick else 12
    model = registry.get("committee.gibbs")
    rows = []
    for a in sim_alphas:
        runs = [model.simulate(K=3, alpha=a, T=T, weights="spherical", arch="fully", N=N, seeds=seeds, seed=11)
                for N in Ns]
        row = {"alpha": a}
        for key in ("eps_g", "R_mean"):
            m, se = extrapolate(Ns, [r.mean[key] for r in runs], [r.sem[key] for r in runs])
            row.update({f"{key}_mc": m, f"{key}_se": se, f"{key}_theory": float(th[a][key])})
            if len(Ns) > 1:
                row[f"{key}_by_N"] = {N: (float(r.mean[key]), float(r.sem[key])) for N, r in zip(Ns, runs)}
        rows.append(row)
    lab = f"N = {Ns[0]}" if len(Ns) == 1 else "N -> inf"
    print(f"K = 3, T = 1 (fully connected, alpha = P/N), theory (thermodynamic branch) vs MC ({lab}, {seeds} seeds):")
    print("  alpha   eps_g theory   eps_g MC           z    R_mean theory  R_mean MC          z")
    for r in rows:
        print(f"  {r['alpha']:5.2f}   {r['eps_g_theory']:.4f}         {r['eps_g_mc']:.4f} +- {r['eps_g_se']:.4f}"
              f"  {(r['eps_g_mc'] - r['eps_g_theory']) / r['eps_g_se']:+5.2f}   {r['R_mean_theory']:.4f}"
              f"         {r['R_mean_mc']:.4f} +- {r['R_mean_se']:.4f}  "
              f"{(r['R_mean_mc'] - r['R_mean_theory']) / r['R_mean_se']:+5.2f}")
    if len(Ns) == 1:
        print(f"  (one size, N = {Ns[0]}: z includes the finite-N bias; the full run extrapolates "
              "N = 80, 160, 320 in 1/N)")
    for key, colour, marker in (("eps_g", "C3", "o"), ("R_mean", "C0", "s")):
        if len(Ns) > 1:
            for j, N in enumerate(Ns):
                ax.plot([r["alpha"] for r in rows], [r[f"{key}_by_N"][N][0] for r in rows], marker, ms=3,
                        mfc="none", color=colour, alpha=0.3 + 0.2 * j, ls="",
                        label=f"Monte Carlo, $N = {N}$, {seeds} seeds" if key == "eps_g" else None)
        ax.errorbar([r["alpha"] for r in rows], [r[f"{key}_mc"] for r in rows],
                    yerr=[r[f"{key}_se"] for r in rows], fmt=marker, color=colour, ms=4, capsize=2,
                    label=f"{tex(key)} Monte Carlo, " + (f"$N = {Ns[0]}$, {seeds} seeds" if len(Ns) == 1
                                                          else r"$1/N$ extrapolation $N \to \infty$"))
    ax.set_xlabel(r"$\alpha = P/N$")
    ax.set_ylabel(tex("eps_g") + ",  " + tex("R_mean"))
    ax.set_ylim(0, 0.62)
    ax.set_title("fully connected committee, $K = 3$, $T = 1$", fontsize=10)
    ax.legend(fontsize=6.5, ncol=2, loc="upper right")
    return rows


def main(quick: bool = False, outdir: str = ".") -> dict:
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    out = _panel_large_k(axes[0], quick, xmax=30.0)
    out["K=3, T=1"] = _panel_k3(axes[1], quick)
    path = save_figure(fig, outdir, "schwarze_hertz_fully")
    out["figure"] = path
    return out


if __name__ == "__main__":
    main()
