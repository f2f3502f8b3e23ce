"""Training dynamics on a fixed training set: two-time DMFT against training at finite N (dmft.glm, erm.glm).

Left: early stopping in ridge regression (Mignacco et al., NeurIPS 2020, arXiv:2006.06098, and
Gerbelot et al. 2022, arXiv:2210.06591, describe this setting; the curve here is replicon's): full-batch
gradient descent (step dt = 0.1) on the square loss with a weak ridge (lam = 1e-3), a noisy linear teacher
(Delta = 0.5) at alpha = 1.5; the test error falls, reaches a minimum and rises again as the
noise is fitted; the long-time limit is the ridge minimiser (erm.glm, dashed). Theory: the exact Gaussian
closure of the DMFT; crosses: the Marchenko-Pastur closed form of the same GD (mode by mode,
w_k = (1 - p^k) w_ridge, p = 1 - dt (s + lam); largest deviation printed as ``ridge_closed_form_maxdev``).
Markers: gradient descent at N = 400 (6 training sets, mean and standard error).

Right: a sign teacher learnt with the logistic loss (lam = 0.05, alpha = 2): full-batch GD, SGD with
batch fraction b = 0.3 and persistent SGD (b = 0.3, persistence tau = 2), test error against time.
Theory: the sampled DMFT (4 x 4000 effective examples; its sampling error is the band); markers:
training at N = 400 (6 training sets). The dashed line is the logistic minimiser (erm.glm).
The same algorithms on the Gaussian mixture of Mignacco et al. are in ``dmft_mixture``.

Measured (full mode, N = 400, 6 training sets): at t = t_max/2 the three training curves lie -0.9, -0.9 and
-1.2 standard errors from the DMFT; the ridge markers sit 1-2 s.e. above the closure at every time (the same
6 training sets at every time, so the deviations are correlated). In quick mode (N = 200, 4 sets) GD's test
error is 2.7 s.e. above the DMFT at t_max/2: finite size (the gap closes at N = 400), not the theory.
Full: ~100 s wall on the loaded 2-core machine (28 s CPU); quick: ~30 s (12 s CPU).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import math  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.integrate import quad  # noqa: E402

from replicon.compare.figures import save_figure  # noqa: E402
from replicon.simulate.dmft import dmft_glm_training  # noqa: E402
from replicon.theory.dmft import dmft_glm  # noqa: E402
from replicon.theory.erm import erm_glm  # noqa: E402


def closed_form_test_error(alpha, Delta, lam, eta, k):
    """Marchenko-Pastur closed form of the ridge GD test error E (y - h)^2 after k steps from w = 0:
    w_k = (1 - p^k) w_ridge mode by mode, p = 1 - eta (s + lam), s ~ MP(alpha) (atom 1 - alpha at 0 if alpha < 1)."""
    lo, hi = (1 - math.sqrt(alpha)) ** 2, (1 + math.sqrt(alpha)) ** 2
    dens = lambda s: math.sqrt(max((hi - s) * (s - lo), 0.0)) / (2 * math.pi * s)

    def avg(f):
        atom = max(0.0, 1 - alpha) * f(0.0)
        return quad(lambda s: f(s) * dens(s), lo, hi, epsabs=1e-12, epsrel=1e-11, limit=200)[0] + atom
    ratio = lambda s: s / (s + lam)
    gain = lambda s: (1 - (1 - eta * (s + lam)) ** k) * ratio(s)
    m = avg(gain)
    q = avg(lambda s: gain(s) ** 2 * (1 + Delta / s) if s > 0 else 0.0)
    return 1 + Delta - 2 * m + q


def _markers(ax, meas, obs, colour, label, every):
    t = np.asarray(meas.coords["time"])
    sel = slice(None, None, every)
    ax.errorbar(t[sel], meas.mean[obs][sel], yerr=meas.sem[obs][sel], fmt="o", ms=3.5, color=colour,
                capsize=2, lw=1, label=label)


def main(quick: bool = False, outdir: str = ".") -> dict:
    N, seeds = (200, 4) if quick else (400, 6)
    out = {}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))

    ridge = dict(alpha=1.5, teacher="linear", Delta=0.5, loss="square", lam=1e-3, algorithm="gd", dt=0.1,
                 t_max=30.0 if quick else 60.0)
    th = dmft_glm(**ridge)
    t, err = th["time"], th["test_error"]
    k = int(np.argmin(err))
    ax1.plot(t, err, color="C0", label="DMFT (Gaussian closure)")
    mz = erm_glm(alpha=1.5, teacher="linear", Delta=0.5, loss="square", lam=1e-3)
    ax1.axhline(mz["test_error"], color="C0", ls="--", lw=1, label="ridge minimiser (erm.glm)")
    ax1.plot([t[k]], [err[k]], marker="v", color="k", ms=6, ls="none", label=rf"early-stopping minimum, $t = {t[k]:.1f}$")
    ks = np.unique(np.round(np.geomspace(2, len(t) - 1, 12)).astype(int))
    cf = np.array([closed_form_test_error(1.5, 0.5, 1e-3, 0.1, int(kk)) for kk in ks])
    ax1.plot(t[ks], cf, "x", color="k", ms=5, label="closed form (Marchenko–Pastur)")
    out["ridge_closed_form_maxdev"] = float(np.max(np.abs(cf - err[ks])))
    meas = dmft_glm_training(N=N, seeds=seeds, seed=1, **ridge)
    _markers(ax1, meas, "test_error", "C0", rf"GD at $N = {N}$ ({seeds} training sets)", max(1, len(t) // 25))
    ax1.set_xlabel(r"time $t$")
    ax1.set_ylabel(r"test error $\mathbb{E}(y - h)^2$")
    ax1.set_title(r"ridge regression, $\alpha = 1.5$, $\Delta = 0.5$, $\lambda = 10^{-3}$")
    ax1.legend(loc="lower right", fontsize=8)
    out["ridge_t_min"] = float(t[k])
    out["ridge_err_min"] = float(err[k])
    out["ridge_err_final"] = float(err[-1])
    out["ridge_err_minimiser"] = float(mz["test_error"])

    base = dict(alpha=2.0, teacher="sign", loss="logistic", lam=0.05, dt=0.2, t_max=12.0 if quick else 20.0)
    runs = [("gd", {}, "C0", "GD"), ("sgd", {"b": 0.3}, "C1", r"SGD, $b = 0.3$"),
            ("persistent_sgd", {"b": 0.3, "tau": 2.0}, "C2", r"persistent SGD, $b = 0.3$, $\tau = 2$")]
    samples = 2000 if quick else 4000
    for alg, extra, colour, label in runs:
        th = dmft_glm(algorithm=alg, samples=samples, **base, **extra)
        t, e = th["time"], th["test_error"]
        se = th.observables.get("test_error_sem", np.zeros_like(e))
        ax2.plot(t, e, color=colour, label=f"{label}: DMFT")
        ax2.fill_between(t, e - 2 * se, e + 2 * se, color=colour, alpha=0.2, lw=0)
        meas = dmft_glm_training(N=N, seeds=seeds, seed=2, algorithm=alg, **base, **extra)
        _markers(ax2, meas, "test_error", colour, rf"{label.split(',')[0]}: $N = {N}$ ({seeds} sets)",
                 max(1, len(t) // 15))
        out[f"{alg}_final"] = float(e[-1])
        tm = np.asarray(meas.coords["time"])
        j = np.searchsorted(tm, t[-1] * 0.5)
        z = (meas.mean["test_error"][j] - np.interp(tm[j], t, e)) / max(float(meas.sem["test_error"][j]), 1e-12)
        out[f"{alg}_z_mid"] = float(z)
    lg = erm_glm(alpha=2.0, teacher="sign", loss="logistic", lam=0.05)
    ax2.axhline(lg["test_error"], color="k", ls="--", lw=1, label="logistic minimiser (erm.glm)")
    ax2.set_xlabel(r"time $t$")
    ax2.set_ylabel(r"test error $\epsilon_g$")
    ax2.set_title(r"sign teacher, logistic loss, $\alpha = 2$, $\lambda = 0.05$")
    ax2.legend(loc="upper right", fontsize=7, ncol=2)
    out["logistic_minimiser"] = float(lg["test_error"])
    save_figure(fig, outdir, "dmft_training")
    for key, val in out.items():
        print(f"{key:24s} {val:.5g}")
    return out


if __name__ == "__main__":
    main()
