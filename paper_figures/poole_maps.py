"""Poole et al. (NeurIPS 2016, arXiv:1606.05340), Figs. 1-2 type: the length map and the correlation
map of random tanh chains, theory against finite-width simulation.

Panels: (a) the length map q_{l+1}(q_l) for several sigma_w at sigma_b = 0.3 (Fig. 1A style), (b) q_l
against depth from several q0 with simulation markers (Fig. 1B), (c) the correlation map c_{l+1}(c_l)
(Fig. 2A), (d) c_l against depth with simulation markers (Fig. 2B).

Compared numbers: the paper's closed statements (eq. (7) and Fig. 2): c* = 1 exactly when chi1 < 1
and c* < 1 when chi1 > 1; the bias-free critical point sigma_w = 1; and theory vs simulation
(largest |mean - theory| in units of the standard error) along the trajectories.

The simulation uses 30 seeds. With 6 seeds (as before) the largest deviation was 4.96 (q) and
5.38 (c) standard errors at N = 500; the cause was too few seeds, not finite width or a wrong
curve: the standard error of 6 seeds is itself uncertain (Student t with 5 degrees of freedom,
whose tails are heavy), and the maximum is taken over ~200 points. Measured (seed 7 + i, depth 12):
N = 500 with 30 seeds gives 3.03 (q) and 3.20 (c), N = 2000 with 30 seeds 3.17 and 2.34, i.e. no
trend with N, and the mean z over all trajectories is within 0.2 of zero.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.simulate.chain import measure_signal  # noqa: E402
from replicon.theory.chain import correlation_map, critical_sigma_w2, length_map, signal  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402


def main(quick: bool = False, outdir: str = ".") -> dict:
    sigma_b2 = 0.3 ** 2
    sigma_ws = [1.0, 2.0, 3.0, 4.0]
    N, seeds, depth = (500, 30, 12) if quick else (2000, 30, 15)
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.4))
    out = {"sigma_b2": sigma_b2, "sigma_w": sigma_ws, "q_star": [], "c_star": [], "chi1": [], "phase": [],
           "max_z_q": 0.0, "max_z_c": 0.0}
    qq = np.linspace(0, 15, 200)
    cc = np.linspace(-1, 1, 201)
    for i, s in enumerate(sigma_ws):
        w2 = s * s
        col = f"C{i}"
        sol = signal(sigma_w2=w2, sigma_b2=sigma_b2, activation="tanh", q0=10.0, c0=0.2, depth=depth)
        out["q_star"].append(sol.order["q_star"])
        out["c_star"].append(sol.order["c_star"])
        out["chi1"].append(sol["chi1"])
        out["phase"].append(sol.branch)
        axes[0].plot(qq, length_map(qq, w2, sigma_b2, "tanh"), color=col, label=rf"$\sigma_w = {s:g}$")
        axes[2].plot(cc, correlation_map(cc, sol.order["q_star"], w2, sigma_b2, "tanh"), color=col)
        for q0, mk in ((0.5, "o"), (10.0, "s")):
            th = signal(sigma_w2=w2, sigma_b2=sigma_b2, activation="tanh", q0=q0, c0=0.2, depth=depth)
            meas = measure_signal(N=N, seeds=seeds, seed=7 + i, sigma_w2=w2, sigma_b2=sigma_b2,
                                  activation="tanh", q0=q0, c0=0.2, depth=depth)
            layer = np.arange(depth + 1)
            axes[1].plot(layer, th["q"], color=col, lw=1)
            axes[1].errorbar(layer, meas.mean["q"], meas.sem["q"], fmt=mk, color=col, ms=3,
                             label=(rf"simulation, $N = {N}$, {seeds} seeds, $q_0 = {q0:g}$" if i == 0 else None))
            if q0 == 10.0:
                axes[3].plot(layer, th["c"], color=col, lw=1)
                axes[3].errorbar(layer, meas.mean["c"], meas.sem["c"], fmt="o", color=col, ms=3,
                                 label=(rf"simulation, $N = {N}$, {seeds} seeds" if i == 0 else None))
            for name in ("q", "c"):
                sem = meas.sem[name][1:]
                z = np.abs(meas.mean[name][1:] - th[name][1:]) / sem
                out[f"max_z_{name}"] = max(out[f"max_z_{name}"], float(np.max(z)))
    axes[0].plot(qq, qq, "k:", lw=0.8)
    axes[2].plot(cc, cc, "k:", lw=0.8)
    axes[0].set(xlabel=r"$q_\ell$", ylabel=r"$q_{\ell+1}$", title=r"length map ($\sigma_b = 0.3$)")
    axes[1].set(xlabel=r"layer $\ell$", ylabel=r"$q_\ell$", title=r"$q_\ell$: theory (lines) and simulation")
    axes[2].set(xlabel=r"$c_\ell$", ylabel=r"$c_{\ell+1}$", title=r"correlation map at $q^*$")
    axes[3].set(xlabel=r"layer $\ell$", ylabel=r"$c_\ell$", title=r"$c_\ell$ from $c_0 = 0.2$ ($q_0 = 10$)")
    axes[0].legend(fontsize=7)
    # in the empty bands: q between the sigma_w = 2 and 3 fixed points, c between 0.3 and 0.75
    axes[1].legend(fontsize=6.5, loc="center right", bbox_to_anchor=(1.0, 0.34))
    axes[3].legend(fontsize=6.5, loc="center right", bbox_to_anchor=(1.0, 0.5))
    path = save_figure(fig, outdir, "poole_maps")
    out["sigma_w_critical_at_sigma_b_0.3"] = float(np.sqrt(critical_sigma_w2(sigma_b2, "tanh")))
    out["sigma_w_critical_at_sigma_b_0"] = float(np.sqrt(critical_sigma_w2(0.0, "tanh")))
    out["png"] = path
    print("Poole et al. 2016, tanh, sigma_b = 0.3:")
    for s, q, c, x, p in zip(sigma_ws, out["q_star"], out["c_star"], out["chi1"], out["phase"]):
        print(f"  sigma_w={s:g}: q*={q:.4f} c*={c:.4f} chi1={x:.4f} ({p}); paper: c*=1 iff chi1<1 -> "
              f"{'ok' if (c == 1.0) == (x < 1) else 'MISMATCH'}")
    print(f"  critical sigma_w at sigma_b=0: {out['sigma_w_critical_at_sigma_b_0']:.12f} (paper: 1)")
    print(f"  critical sigma_w at sigma_b=0.3: {out['sigma_w_critical_at_sigma_b_0.3']:.6f}")
    print(f"  theory vs simulation: max |z| q {out['max_z_q']:.2f}, c {out['max_z_c']:.2f} "
          f"({seeds} seeds, N={N})")
    return out


if __name__ == "__main__":
    main()
