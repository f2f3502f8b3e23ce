"""Schoenholz et al. (ICLR 2017, arXiv:1611.01232), Fig. 1 type: the (sigma_w2, sigma_b2) phase
diagram of random tanh chains, with the correlation depth scale xi_c as a heat map and the
order-to-chaos line chi1 = 1.

Compared numbers: xi_c diverges on the critical line (eq. (9) with chi_c = chi1 = 1), the line
starts at (sigma_w2, sigma_b2) = (1, 0) (Poole et al. 2016) and rises with sigma_b2; the paper's
training experiments use sigma_b2 = 0.05, where we print the critical sigma_w2 (about 1.76 as we
recall the paper; that value is quoted from memory, not checked against the text here).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.theory.chain import critical_sigma_w2, phase_diagram  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402


def main(quick: bool = False, outdir: str = ".") -> dict:
    n = 60 if quick else 200
    w = np.linspace(1.0, 4.0, n)
    b = np.linspace(0.0, 0.3, n)
    pd = phase_diagram(w[None, :], b[:, None], "tanh")  # rows: sigma_b2, columns: sigma_w2
    line_b = 0.3 * np.linspace(0.0, 1.0, 13 if quick else 31) ** 2  # dense near (1, 0)
    line_w = np.asarray(critical_sigma_w2(line_b, "tanh"))
    fig, ax = plt.subplots(figsize=(5.5, 4))
    xi = np.where(np.isfinite(pd["xi_c"]), pd["xi_c"], np.nan)
    im = ax.pcolormesh(w, b, np.log10(np.clip(xi, 1e-1, 1e3)), shading="auto", cmap="viridis")
    fig.colorbar(im, ax=ax, label=r"$\log_{10}\xi_c$")
    ax.plot(line_w, line_b, "w-", lw=1.5, label=r"$\chi_1 = 1$")
    ax.set(xlabel=r"$\sigma_w^2$", ylabel=r"$\sigma_b^2$", title=r"tanh: correlation depth scale $\xi_c$", xlim=(1, 4))
    ax.legend(loc="lower right", fontsize=8)
    path = save_figure(fig, outdir, "schoenholz_phase")
    w_005 = float(critical_sigma_w2(0.05, "tanh"))
    # xi_c just either side of the line at sigma_b2 = 0.05 (must grow as the line is approached)
    near = phase_diagram(np.array([w_005 * 0.9, w_005 * 0.99, w_005 * 1.01, w_005 * 1.1]), 0.05, "tanh")
    out = {
        "grid": n, "converged": bool(pd["converged"].all()),
        "sigma_w2_critical_at_sigma_b2_0": float(line_w[0]),
        "sigma_w2_critical_at_sigma_b2_0.05": w_005,
        "xi_c_near_line_0.05": near["xi_c"].tolist(),
        "critical_line_increasing": bool(np.all(np.diff(line_w) > 0)),
        "max_xi_c_on_grid": float(np.nanmax(xi[np.isfinite(xi)])),
        "png": path,
    }
    print("Schoenholz et al. 2017, tanh phase diagram:")
    print(f"  {n}x{n} grid, all converged: {out['converged']}")
    print(f"  critical sigma_w2 at sigma_b2=0: {out['sigma_w2_critical_at_sigma_b2_0']:.12f} (paper: 1)")
    print(f"  critical sigma_w2 at sigma_b2=0.05: {w_005:.6f} (paper's experiments: ~1.76, recalled)")
    print(f"  critical line rises with sigma_b2: {out['critical_line_increasing']}")
    print("  xi_c at 0.9, 0.99, 1.01, 1.1 x critical (sigma_b2=0.05): "
          + ", ".join(f"{x:.1f}" for x in out["xi_c_near_line_0.05"]) + " (diverges at the line)")
    return out


if __name__ == "__main__":
    main()
