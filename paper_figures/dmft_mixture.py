"""Two-cluster Gaussian mixture: GD, SGD and persistent SGD against the two-time DMFT (dmft.glm, data=mixture).

The setting of Mignacco, Krzakala, Urbani & Zdeborova, NeurIPS 2020 (arXiv:2006.06098), whose figures
compare full-batch gradient descent with SGD and with their persistent SGD, and SGD at several batch
fractions: balanced clusters x = y v/sqrt N + sqrt(Delta) z, labels y = +-1, here with Delta = 0.5,
alpha = 2, the logistic loss with a weak ridge (lam = 0.05), step dt = 0.2 from a random start
(|w(0)|^2/N = 0.5, no overlap with v). The parameters are replicon's choice, not read from the paper's
figures, so the curves are this model's, not a copy of theirs.

Left: test error H(m/sqrt(Delta q)) against time for GD, SGD (b = 0.3) and persistent SGD (b = 0.3,
persistence tau = 2). Right: SGD at batch fractions b = 1 (GD), 0.5, 0.2, 0.1. Lines: the sampled DMFT
(4 groups of effective examples; the band is two standard errors); markers: training at finite N
(mean and standard error over data sets; log-spaced times). Dashed: the logistic minimiser (erm.glm,
data=mixture), where gradient flow ends; GD passes below it before it gets there (early stopping helps).

Measured: the largest |z| of the markers against the lines over every time of each curve
(``*_zmax``, the line's and the markers' errors combined). Full mode (N = 800, 8 data sets, 4 x 4000
examples, t_max = 30): GD 1.2, SGD b = 0.3 1.8, persistent SGD 1.6, SGD b = 0.5, 0.2, 0.1: 2.8, 1.9, 1.8;
about 10 min wall on the loaded 2-core machine. Quick mode (N = 200, 4 sets, 4 x 1500, t_max = 12): up to
3.6 (persistent SGD; finite size at N = 200), 20-30 s. At t = 30 GD's test error (0.1221) is still
above its minimum at t ~ 5 (0.112) on its way up to the minimiser's 0.1230; SGD at b = 0.1-0.3 sits
lower (0.108-0.111) at the same time.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.compare.figures import save_figure  # noqa: E402
from replicon.simulate.dmft import dmft_glm_training  # noqa: E402
from replicon.theory.dmft import dmft_glm  # noqa: E402
from replicon.theory.erm import erm_glm  # noqa: E402


def _curve(ax, base, extra, colour, label, N, seeds, samples, marks, out, key):
    th = dmft_glm(samples=samples, groups=4, seed=3, **base, **extra)
    t, e = th["time"], th["test_error"]
    se = th.observables["test_error_sem"]
    ax.plot(t, e, color=colour, lw=1.5, label=f"{label}: DMFT")
    ax.fill_between(t, e - 2 * se, e + 2 * se, color=colour, alpha=0.2, lw=0)
    meas = dmft_glm_training(N=N, seeds=seeds, seed=4, **base, **extra)
    tm = np.asarray(meas.coords["time"])
    sel = marks
    ax.errorbar(tm[sel], meas.mean["test_error"][sel], yerr=meas.sem["test_error"][sel], fmt="o", ms=3.5,
                color=colour, capsize=2, lw=1, mfc="white")
    err = np.hypot(meas.sem["test_error"][1:], se[1:])
    out[f"{key}_zmax"] = float(np.max(np.abs(meas.mean["test_error"][1:] - e[1:]) / err))
    out[f"{key}_final"] = float(e[-1])


def main(quick: bool = False, outdir: str = ".") -> dict:
    N, seeds, samples = (200, 4, 1500) if quick else (800, 8, 4000)
    t_max = 12.0 if quick else 30.0
    base = dict(alpha=2.0, data="mixture", Delta=0.5, loss="logistic", lam=0.05, dt=0.2, t_max=t_max, q0=0.5)
    K = int(round(t_max / base["dt"]))
    every = np.unique(np.round(np.geomspace(1, K, 14)).astype(int))
    out = {}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10.5, 4.2), sharey=True)
    erm = erm_glm(alpha=2.0, data="mixture", Delta=0.5, loss="logistic", lam=0.05)
    out["minimiser_test_error"] = float(erm["test_error"])

    runs = [("gd", {}, "C0", "GD"), ("sgd", {"b": 0.3}, "C1", r"SGD, $b = 0.3$"),
            ("persistent_sgd", {"b": 0.3, "tau": 2.0}, "C2", r"persistent SGD, $b = 0.3$, $\tau = 2$")]
    for alg, extra, colour, label in runs:
        _curve(ax1, {**base, "algorithm": alg}, extra, colour, label, N, seeds, samples, every, out, alg)
    batches = [(1.0, "C0"), (0.5, "C4"), (0.2, "C1"), (0.1, "C3")]
    for b, colour in batches:
        _curve(ax2, {**base, "algorithm": "sgd"}, {"b": b}, colour, rf"$b = {b:g}$", N, seeds, samples, every,
               out, f"sgd_b{b:g}")
    for ax in (ax1, ax2):
        ax.axhline(erm["test_error"], color="k", ls="--", lw=1, label="logistic minimiser (erm.glm)")
        ax.errorbar([], [], yerr=[], fmt="o", ms=3.5, color="0.4", mfc="white", capsize=2,
                    label=rf"training, $N = {N}$ ({seeds} data sets)")
        ax.set_xlabel(r"time $t$")
        ax.set_xscale("log")
        ax.set_xlim(base["dt"] * 0.8, t_max)
    ax1.set_ylabel(r"test error $H(m/\sqrt{\Delta q})$")
    ax1.set_title(r"GD, SGD, persistent SGD ($\alpha = 2$, $\Delta = 0.5$, $\lambda = 0.05$)", fontsize=10)
    ax2.set_title(r"SGD at batch fraction $b$", fontsize=10)
    ax1.legend(loc="upper right", fontsize=7.5)
    ax2.legend(loc="upper right", fontsize=7.5)
    save_figure(fig, outdir, "dmft_mixture")
    for key, val in out.items():
        print(f"{key:24s} {val:.5g}")
    return out


if __name__ == "__main__":
    main()
