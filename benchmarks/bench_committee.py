"""Speed of committee.bayes (K = 2) against a baseline built on scipy.integrate.nquad.

The baseline evaluates the same energetic term (Psi_out and r/alpha, Aubin et al. 2018 eq. (10))
by ``nquad`` over omega in R^2 with the N(0, q) density, the orthant probabilities still in
closed form (so the baseline is, if anything, favoured). Its cost per map evaluation is
measured on a few evaluations and multiplied by the number of evaluations our solve uses.
Run: ``python benchmarks/bench_committee.py``. Prints timings and ratios (no assertions).
"""

from __future__ import annotations

import time

import numpy as np
from scipy.integrate import nquad
from scipy.stats import multivariate_normal

from replicon.theory import committee as C


def baseline_energetic(q, ties="zero"):
    """Psi_out and r/alpha by nquad over omega (6 separate 2-D integrals)."""
    V = np.eye(2) - q
    dens = multivariate_normal(mean=np.zeros(2), cov=q + 1e-12 * np.eye(2))
    lim = [[-9 * np.sqrt(q[0, 0]), 9 * np.sqrt(q[0, 0])], [-9 * np.sqrt(q[1, 1]), 9 * np.sqrt(q[1, 1])]]

    def terms(w1, w2):
        Z, G = C.channel(np.array([[w1, w2]]), V, ties)
        Zc = np.maximum(Z[:, 0], 1e-14)
        g = G[:, 0, :]
        return np.sum(Z[:, 0] * np.log(Zc)), np.einsum("y,yk,yl->kl", 1 / Zc, g, g)

    out = []
    for idx in range(4):
        def f(w1, w2, idx=idx):
            psi, R = terms(w1, w2)
            val = psi if idx == 0 else (R[0, 0], R[0, 1], R[1, 1])[idx - 1]
            return val * dens.pdf([w1, w2])
        out.append(nquad(f, lim, opts={"epsabs": 1e-10, "epsrel": 1e-10, "limit": 100})[0])
    return out


def main():
    calls = {"n": 0}
    orig = C.energetic

    def counting(*a, **k):
        calls["n"] += 1
        return orig(*a, **k)

    C.energetic = counting
    t = time.perf_counter()
    sol = C.bayes(K=2, alpha=3.0, prior="gaussian")
    t_solve = time.perf_counter() - t
    n_solve = calls["n"]
    print(f"committee.bayes K=2 alpha=3 gaussian: {t_solve:.2f} s, {n_solve} energetic evaluations, "
          f"branch={sol.branch} q_d={sol['q_d']:.6f} q_a={sol['q_a']:.6f}")

    # 100-point curve by continuation along alpha (the specialised branch from alpha = 2.2 to 5)
    calls["n"] = 0
    alphas = np.linspace(2.2, 5.0, 100)
    from replicon.theory import engine
    x = np.array([sol["q_d"], sol["q_d"] + sol["q_a"]])
    t = time.perf_counter()
    pts = engine.follow(lambda a: C._Bayes(a, 2, "gaussian", "zero").problem(), alphas, x)
    t_curve = time.perf_counter() - t
    n_curve = calls["n"]
    print(f"100-point specialised curve (continuation): {t_curve:.2f} s, {len(pts)} points, "
          f"{n_curve} energetic evaluations")
    C.energetic = orig

    q = np.array([[0.6, 0.2], [0.2, 0.6]])
    t = time.perf_counter()
    ref = baseline_energetic(q)
    t_base = time.perf_counter() - t
    t = time.perf_counter()
    ours = C.energetic(q)
    t_ours = time.perf_counter() - t
    print(f"one energetic evaluation: ours {t_ours * 1e3:.1f} ms, nquad baseline {t_base:.1f} s "
          f"(ratio {t_base / t_ours:.0f}x); |psi diff| = {abs(ref[0] - ours['psi']):.2e}, "
          f"|r11 diff| = {abs(ref[1] - ours['r_over_alpha'][0, 0]):.2e}")
    print(f"projected nquad solve: {t_base * n_solve:.0f} s vs ours {t_solve:.2f} s "
          f"(ratio {t_base * n_solve / t_solve:.0f}x)")
    print(f"projected nquad 100-point curve: {t_base * n_curve:.0f} s vs ours {t_curve:.2f} s "
          f"(ratio {t_base * n_curve / t_curve:.0f}x)")


if __name__ == "__main__":
    main()
