"""Engel & Van den Broeck (2001), ch. 2-3, Figs. 2.3/3.x type: eps_g(alpha) of the spherical perceptron.

Theory: Gibbs learning (a sample of the version space), the Bayes-optimal centre of mass and the
Hebb rule (closed form), with Monte Carlo points: exact version-space sampling (Gibbs; Bayes from
arccos(R/sqrt q)/pi) and batch Hebb, at finite N, extrapolated to N -> infinity.

Compared numbers: the large-alpha laws eps_g ~ 0.625/alpha (Gibbs) and 0.442/alpha (Bayes),
Engel & Van den Broeck eqs. (2.44) and (3.?), and simulation against theory in standard errors.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.compare.experiment import extrapolate  # noqa: E402
from replicon.simulate.perceptron import simulate_rule, simulate_teacher  # noqa: E402
from replicon.theory.perceptron import hebb, teacher, teacher_curve  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402


def main(quick: bool = False, outdir: str = ".") -> dict:
    alphas = np.linspace(0.05, 10, 120)
    curve = teacher_curve(alphas)
    gibbs = np.array([s["eps_g_gibbs"] for s in curve])
    bayes = np.array([s["eps_g_bayes"] for s in curve])
    heb = np.array([hebb(a)["eps_g"] for a in alphas])
    a_big = 1000.0
    big = teacher(alpha=a_big)
    out = {"alpha_eps_gibbs_at_1000": a_big * big["eps_g_gibbs"], "paper_gibbs": 0.625,
           "alpha_eps_bayes_at_1000": a_big * big["eps_g_bayes"], "paper_bayes": 0.442, "points": []}

    sim_alphas = [0.5, 1.5, 3.0] if quick else [0.5, 1.0, 2.0, 3.0, 5.0]
    Ns = [25, 50] if quick else [25, 50, 100]
    seeds = 6 if quick else 16
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.plot(alphas, gibbs, "k-", label="Gibbs (RS)")
    ax.plot(alphas, bayes, "b-", label="Bayes (RS)")
    ax.plot(alphas, heb, "g-", label="Hebb (closed form)")
    for a in sim_alphas:
        rec = {"alpha": a}
        for key, col, label in (("eps_g_gibbs", "k", f"Gibbs MC, N = {Ns[0]}..{Ns[-1]} $\\to\\infty$ ({seeds} seeds)"),
                                ("eps_g_bayes", "b", f"Bayes MC, N = {Ns[0]}..{Ns[-1]} $\\to\\infty$ ({seeds} seeds)")):
            ms = [simulate_teacher(alpha=a, N=N, seeds=seeds, seed=7 + k) for k, N in enumerate(Ns)]
            m, se = extrapolate(Ns, [x.mean[key] for x in ms], [x.sem[key] for x in ms])
            th = teacher(alpha=a)[key]
            rec[key] = {"sim": m, "se": se, "theory": th, "z": (m - th) / se}
            ax.errorbar(a, m, yerr=se, fmt="o", color=col, mfc="none", ms=5, capsize=2,
                        label=label if a == sim_alphas[0] else None)
        mh = simulate_rule(alpha=a, rule="hebb", N=Ns[-1] * 4, seeds=seeds, seed=3)
        rec["hebb"] = {"sim": float(mh.mean["eps_g"]), "se": float(mh.sem["eps_g"]), "theory": hebb(a)["eps_g"]}
        ax.errorbar(a, mh.mean["eps_g"], yerr=mh.sem["eps_g"], fmt="s", color="g", mfc="none", ms=5,
                    capsize=2, label=f"Hebb, N = {Ns[-1] * 4} ({seeds} seeds)" if a == sim_alphas[0] else None)
        out["points"].append(rec)
    ax.set_xlabel(r"$\alpha = P/N$")
    ax.set_ylabel(r"$\epsilon_g$")
    ax.set_title(r"spherical perceptron, $T = 0$")
    ax.legend(fontsize=7)
    path = save_figure(fig, outdir, "perceptron_learning_curves")
    out["figure"] = path
    print(f"alpha*eps_g at alpha=1000: Gibbs {out['alpha_eps_gibbs_at_1000']:.4f} (paper 0.625), "
          f"Bayes {out['alpha_eps_bayes_at_1000']:.4f} (paper 0.442)")
    for rec in out["points"]:
        g, b, h = rec["eps_g_gibbs"], rec["eps_g_bayes"], rec["hebb"]
        print(f"alpha={rec['alpha']:4.1f}  Gibbs sim {g['sim']:.4f}+-{g['se']:.4f} th {g['theory']:.4f} (z={g['z']:+.1f})"
              f"  Bayes sim {b['sim']:.4f}+-{b['se']:.4f} th {b['theory']:.4f} (z={b['z']:+.1f})"
              f"  Hebb sim {h['sim']:.4f}+-{h['se']:.4f} th {h['theory']:.4f}")
    print(f"wrote {path}")
    return out


if __name__ == "__main__":
    main()
