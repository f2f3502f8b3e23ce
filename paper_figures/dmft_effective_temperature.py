"""The effective temperature of SGD from the fluctuation-dissipation ratio of the DMFT kernels (dmft.glm T_eff).

Mignacco & Urbani, "The effective noise of stochastic gradient descent" (J. Stat. Mech. 2022,
arXiv:2112.10852; abstract read) define SGD's effective temperature in the stationary state that
(persistent) SGD reaches when the training error stays positive, from the fluctuation-dissipation
theorem: C(t, t) - C(t, t_w) = T_eff chi(t, t_w), chi the integrated response. Here: the two-cluster
mixture, logistic loss, alpha = 2, Delta = 0.5, lam = 1 (stationary by t ~ 10), step dt = 0.2, t = 20.

Left: the parametric plot of C(t, t) - C(t, t_w) against chi(t, t_w) at t = 20 for Langevin dynamics at
T = 0.05 (its slope is T up to the Euler-Maruyama offset T/(1 - dt H/2)), SGD (b = 0.5) and persistent
SGD (b = 0.2, tau = 2). Lines: the sampled DMFT (4 groups; the legend gives the slope T_eff over the
last quarter of the grid and its standard error); markers: training at finite N, chi from twin runs
with a field switched on at t_w (same data and noise), mean and standard error over data sets.
Right: T_eff against the batch fraction b for SGD and persistent SGD (tau = 2), DMFT.

The plot is a straight line of slope T for Langevin dynamics only: SGD's noise is white in time but
not isotropic (it follows the examples' gradients), and persistent SGD's is coloured (a selection lives
~tau), so their curves bend and ``T_eff`` (the slope fitted over the last quarter of the grid, as in
dmft.glm) summarises a mode- and lag-dependent ratio rather than being one temperature.

Measured: ``*_T_theory``, ``*_T_sim`` (the same slope fitted to the markers' lags) and the markers'
largest |z| in chi and in C (``*_zmax``; the training's error only: the DMFT's sampling error of R is
not in it). Full mode (N = 800, 8 sets, 4 x 4000, ~10 min on the loaded machine): T_eff training
against DMFT 0.0552 +- 0.0032 vs 0.0568 (Langevin), 0.0042 +- 0.0005 vs 0.0045 (SGD), 0.0125 +- 0.0004
vs 0.0133 (persistent SGD); |z| in C <= 1.6, in chi <= 3.9 (chi's training error is ~1e-4). Quick mode
(N = 300, 6 sets, 4 x 1500, ~40 s): |z| in chi <= 1.6, in C <= 2.4. T_eff against b (full): SGD 0.0039,
0.0045, 0.0017 and persistent SGD 0.0133, 0.0150, 0.0051 at b = 0.2, 0.5, 0.8.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.compare.figures import save_figure  # noqa: E402
from replicon.simulate.dmft import dmft_glm_training  # noqa: E402
from replicon.theory.dmft import dmft_glm  # noqa: E402
from replicon.theory.dmft.fdr import fdr_at_lags, fdr_curve  # noqa: E402


def main(quick: bool = False, outdir: str = ".") -> dict:
    N, seeds, samples = (300, 6, 1500) if quick else (800, 8, 4000)
    dt, t_max = 0.2, 20.0
    K = int(round(t_max / dt))
    base = dict(alpha=2.0, data="mixture", Delta=0.5, loss="logistic", lam=1.0, dt=dt, t_max=t_max, q0=0.5, tau=2.0)
    lags = [2, 4, 7, 12, 20, 35]           # lag 1 is exact in both (chi = dt): left out
    solved = {}
    out = {}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10.5, 4.2))
    runs = [("langevin", dict(T=0.05), "C0", r"Langevin, $T = 0.05$"),
            ("sgd", dict(b=0.5), "C1", r"SGD, $b = 0.5$"),
            ("persistent_sgd", dict(b=0.2), "C2", r"persistent SGD, $b = 0.2$, $\tau = 2$")]
    for alg, extra, colour, label in runs:
        sol = dmft_glm(algorithm=alg, samples=samples, groups=4, seed=5, **base, **extra)
        solved[(alg, extra.get("b"))] = sol
        ker = sol.extra["kernels"]
        dC, chi = fdr_curve(ker["C"], ker["R"], dt)
        keep = slice(K - K // 2, K + 1)          # t_w in [t/2, t]
        T_th, T_se = sol["T_eff"], sol.observables["T_eff_sem"]
        ax1.plot(chi[keep], dC[keep], color=colour, lw=1.5,
                 label=rf"{label}: DMFT, $T_\mathrm{{eff}} = {T_th:.4f} \pm {T_se:.4f}$")
        meas = dmft_glm_training(N=N, seeds=seeds, seed=6, algorithm=alg, response_lags=lags, **base, **extra)
        f = meas.extra["fdr"]
        n = len(f["T_eff"])
        cx, cy = f["chi"].mean(0), f["dC"].mean(0)
        sx, sy = f["chi"].std(0, ddof=1) / np.sqrt(n), f["dC"].std(0, ddof=1) / np.sqrt(n)
        ax1.errorbar(cx, cy, xerr=sx, yerr=sy, fmt="o", ms=3.5, color=colour, mfc="white", capsize=2, lw=1)
        dC_l, chi_l, _ = fdr_at_lags(ker["C"], ker["R"], dt, lags)
        out[f"{alg}_T_theory"] = float(T_th)
        out[f"{alg}_T_sim"] = float(f["T_eff"].mean())
        out[f"{alg}_T_sim_sem"] = float(f["T_eff"].std(ddof=1) / np.sqrt(n))
        out[f"{alg}_zmax_chi"] = float(np.max(np.abs(cx - chi_l) / sx))
        out[f"{alg}_zmax_C"] = float(np.max(np.abs(cy - dC_l) / sy))
        out[f"{alg}_stationarity"] = float(sol["T_eff_stationarity"])
    xs = np.linspace(0, 1.0, 2)
    ax1.plot(xs, 0.05 * xs, color="k", ls="--", lw=1, label=r"slope $T = 0.05$ (equilibrium FDT)")
    ax1.errorbar([], [], xerr=[], yerr=[], fmt="o", ms=3.5, color="0.4", mfc="white", capsize=2,
                 label=rf"training, $N = {N}$ ({seeds} data sets)")
    ax1.set_xlabel(r"integrated response $\chi(t, t_w)$")
    ax1.set_ylabel(r"$C(t, t) - C(t, t_w)$")
    ax1.set_title(r"FDT plot at $t = 20$ (mixture, logistic, $\lambda = 1$)", fontsize=10)
    ax1.set_xlim(0, None)
    ax1.set_ylim(0, None)
    ax1.legend(loc="upper left", fontsize=7)

    bs = (0.2, 0.5, 0.8)
    for alg, colour, label in (("sgd", "C1", "SGD"), ("persistent_sgd", "C2", r"persistent SGD, $\tau = 2$")):
        Ts, Ss = [], []
        for b in bs:
            sol = solved.get((alg, b)) or dmft_glm(algorithm=alg, b=b, samples=samples, groups=4, seed=5, **base)
            Ts.append(sol["T_eff"])
            Ss.append(sol.observables["T_eff_sem"])
        ax2.errorbar(bs, Ts, yerr=Ss, fmt="-o", ms=4, color=colour, capsize=2, label=f"{label}: DMFT")
        for b, T in zip(bs, Ts):
            out[f"{alg}_b{b:g}_T"] = float(T)
    ax2.axhline(0.0, color="k", lw=0.8)
    ax2.set_xlabel(r"batch fraction $b$")
    ax2.set_ylabel(r"$T_\mathrm{eff}$")
    ax2.set_title(r"effective temperature against $b$ ($\Delta t = 0.2$)", fontsize=10)
    ax2.legend(loc="upper right", fontsize=8)
    save_figure(fig, outdir, "dmft_effective_temperature")
    for key, val in out.items():
        print(f"{key:28s} {val:.5g}")
    return out


if __name__ == "__main__":
    main()
