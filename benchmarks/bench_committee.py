"""Speed of committee.bayes (K = 2) against a baseline built on scipy.integrate.nquad.

The baseline evaluates the same energetic term (Psi_out and r/alpha, Aubin et al. 2018 eq. (10))
by ``nquad`` over omega in R^2 with the N(0, q) density, the orthant probabilities still in
closed form (so the baseline is, if anything, favoured). Three measurements, each a ratio of
two timings taken in the same run:

* one energetic evaluation (ours vs nquad; their difference is printed too);
* one solve: the fixed point of the specialised branch at alpha = 3 from the same start by the
  same engine (``engine.iterate``), once with our energetic term, once with the nquad one;
* a curve: ours is the 100-point continuation along alpha; the nquad baseline runs the same
  continuation on the first ``--baseline-points`` points (default 2: each nquad point costs
  minutes) and its per-point time is compared with ours on the same points.

Run: ``python benchmarks/bench_committee.py [--quick]`` (``--quick``: only the single
evaluation, a few seconds). Prints timings and ratios (no assertions).
"""

from __future__ import annotations

import time

import numpy as np
from scipy.integrate import nquad
from scipy.stats import multivariate_normal

from replicon.theory.committee import bayes as C


def baseline_energetic(q, ties="zero", tol=1e-10):
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
        out.append(nquad(f, lim, opts={"epsabs": tol, "epsrel": tol, "limit": 100})[0])
    return out


class _Swap:
    """Temporarily replace ``committee.energetic`` (used by the fixed-point map) by ``fn``."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __enter__(self):
        self.orig = C.energetic

        def wrapped(q, ties="zero", need=("r", "psi", "eps")):
            self.calls += 1
            return self.fn(q, ties, need) if self.fn is not None else self.orig(q, ties, need)
        C.energetic = wrapped
        return self

    def __exit__(self, *exc):
        C.energetic = self.orig


def baseline_dict(q, ties="zero", need=("r",)):
    """The nquad energetic term at tolerance 1e-8 (looser than ours, ~1e-12: favours the baseline)."""
    psi, r11, r12, r22 = baseline_energetic(np.asarray(q, float), ties, tol=1e-8)
    return {"psi": psi, "r_over_alpha": np.array([[r11, r12], [r12, r22]])}


def main(quick=False, baseline_points=2):
    from replicon.theory import engine

    q = np.array([[0.6, 0.2], [0.2, 0.6]])
    t = time.perf_counter()
    ref = baseline_energetic(q)
    t_base = time.perf_counter() - t
    t = time.perf_counter()
    ours = C.energetic(q)
    t_ours = time.perf_counter() - t
    print(f"one energetic evaluation: ours {t_ours * 1e3:.1f} ms, nquad baseline {t_base:.2f} s "
          f"(ratio {t_base / t_ours:.0f}x); |psi diff| = {abs(ref[0] - ours['psi']):.2e}, "
          f"|r11 diff| = {abs(ref[1] - ours['r_over_alpha'][0, 0]):.2e}")
    if quick:
        return

    alpha, x0 = 3.0, np.array([0.5, 0.8])
    with _Swap(None) as sw:
        t = time.perf_counter()
        root = engine.iterate(C._Bayes(alpha, 2, "gaussian", "zero").problem(), x0)
        t_solve = time.perf_counter() - t
    n_solve = sw.calls
    with _Swap(baseline_dict) as sw:
        t = time.perf_counter()
        broot = engine.iterate(C._Bayes(alpha, 2, "gaussian", "zero").problem(), x0)
        t_bsolve = time.perf_counter() - t
    print(f"solve (specialised branch, alpha = 3, engine.iterate from {x0.tolist()}): ours {t_solve:.3f} s, "
          f"{n_solve} map evaluations; nquad {t_bsolve:.1f} s, {sw.calls} evaluations "
          f"(ratio {t_bsolve / t_solve:.0f}x); roots {root.x.round(8).tolist()} vs {broot.x.round(8).tolist()}, "
          f"converged {root.converged}/{broot.converged}")

    alphas = np.linspace(2.2, 5.0, 100)
    with _Swap(None) as sw:
        t = time.perf_counter()
        pts = engine.follow(lambda a: C._Bayes(a, 2, "gaussian", "zero").problem(), alphas, root.x)
        t_curve = time.perf_counter() - t
    print(f"100-point specialised curve (continuation): ours {t_curve:.2f} s, {len(pts)} points, "
          f"{sw.calls} map evaluations")
    short = alphas[:baseline_points]
    with _Swap(None):
        t = time.perf_counter()
        engine.follow(lambda a: C._Bayes(a, 2, "gaussian", "zero").problem(), short, root.x)
        t_short = time.perf_counter() - t
    with _Swap(baseline_dict) as sw:
        t = time.perf_counter()
        engine.follow(lambda a: C._Bayes(a, 2, "gaussian", "zero").problem(), short, broot.x)
        t_bshort = time.perf_counter() - t
    print(f"first {baseline_points} curve points: ours {t_short:.3f} s, nquad {t_bshort:.1f} s "
          f"({sw.calls} evaluations; ratio {t_bshort / t_short:.0f}x); at that per-point cost the nquad "
          f"100-point curve would take ~{t_bshort / baseline_points * 100 / 60:.0f} min vs ours {t_curve:.1f} s")


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--baseline-points", type=int, default=2)
    a = ap.parse_args()
    main(a.quick, a.baseline_points)
