"""Speed of the dmft.glm solvers against the cost of the finite-N training they describe.

Run: python benchmarks/bench_dmft.py. Prints wall times for a solve of 200 time steps by the
Gaussian closure (square loss) and by the sampled sweep (logistic loss, 4 x 2000 examples),
and for the same 200 steps of full-batch GD at N = 1000 over 5 seeds. ``rows()`` adds the
two-cluster mixture (logistic, 200 steps) and the hinge loss (kink branches, 100 steps).
"""

import time

from replicon.simulate.dmft import dmft_glm_training
from replicon.theory.dmft import dmft_glm


def timed(f, **kw):
    f(**{**kw, "t_max": kw["dt"] * 5})   # compile numba kernels outside the timing
    t = time.perf_counter()
    f(**kw)
    return time.perf_counter() - t


def rows(quick=False):
    """Table rows: each DMFT solve of 200 steps against the N = 1000 training it replaces (5 seeds), with the
    training's standard error as the accuracy that run buys; the sampled variant's error against its samples."""
    import numpy as np

    sq = dict(alpha=2.0, teacher="linear", loss="square", lam=0.1, dt=0.05, t_max=10.0)
    lg = dict(alpha=2.0, teacher="sign", loss="logistic", lam=0.1, dt=0.05, t_max=10.0)
    out = []
    for name, kw, th_kw in (("square loss (Gaussian closure)", sq, {}),
                            ("logistic loss (sampled, 4 x 2000)", lg, {"samples": 2000, "groups": 4})):
        dmft_glm(**{**kw, **th_kw, "t_max": 0.25})
        dmft_glm_training(N=50, seeds=1, **{**kw, "t_max": 0.25})
        t0 = time.perf_counter()
        th = dmft_glm(**kw, **th_kw)
        t_th = time.perf_counter() - t0
        t0 = time.perf_counter()
        sim = dmft_glm_training(N=1000, seeds=5, **kw)
        t_sim = time.perf_counter() - t0
        sem = float(np.max(sim.sem["test_error"]))
        th_sem = float(np.max(th.observables.get("test_error_sem", [0.0])))
        out.append({"work": f"dmft.glm GD, 200 steps, {name}", "baseline": "GD at N = 1000, 5 seeds",
                    "t_baseline": t_sim, "t_replicon": t_th,
                    "accuracy": f"theory s.e. {th_sem:.1e} vs training s.e. {sem:.1e} (N = 1000)"})
    # the mixture (logistic, sampled) and the hinge loss (kink branches) against the training they replace
    mix = dict(alpha=2.0, data="mixture", Delta=0.5, loss="logistic", lam=0.1, dt=0.05, t_max=10.0)
    hinge = dict(alpha=2.0, data="mixture", Delta=0.5, loss="hinge", lam=0.1, dt=0.1, t_max=10.0)
    for name, kw, steps in (("mixture, logistic (sampled, 4 x 2000)", mix, 200),
                            ("mixture, hinge (kink branches, 4 x 2000)", hinge, 100)):
        dmft_glm(**{**kw, "samples": 2000, "groups": 4, "t_max": kw["dt"] * 5})
        dmft_glm_training(N=50, seeds=1, **{**kw, "t_max": kw["dt"] * 5})
        t0 = time.perf_counter()
        th = dmft_glm(samples=2000, groups=4, **kw)
        t_th = time.perf_counter() - t0
        t0 = time.perf_counter()
        sim = dmft_glm_training(N=1000, seeds=5, **kw)
        t_sim = time.perf_counter() - t0
        out.append({"work": f"dmft.glm GD, {steps} steps, {name}", "baseline": "GD at N = 1000, 5 seeds",
                    "t_baseline": t_sim, "t_replicon": t_th,
                    "accuracy": f"theory s.e. {float(np.max(th.observables['test_error_sem'])):.1e} vs training "
                                f"s.e. {float(np.max(sim.sem['test_error'])):.1e} (N = 1000)"})
    errs = []
    for M in ((500, 2000) if quick else (500, 2000, 8000)):
        th = dmft_glm(samples=M, groups=4, **lg)
        errs.append(f"{M}: {float(np.max(th.observables['test_error_sem'])):.1e}")
    out.append({"work": "sampled DMFT: max s.e. of test_error against samples per group",
                "baseline": "(error, not time)", "t_baseline": 1.0, "t_replicon": 1.0, "accuracy": "; ".join(errs)})
    return out


if __name__ == "__main__":
    sq = dict(alpha=2.0, teacher="linear", loss="square", lam=0.1, dt=0.05, t_max=10.0)
    lg = dict(alpha=2.0, teacher="sign", loss="logistic", lam=0.1, dt=0.05, t_max=10.0)
    print(f"closure, square loss, 200 steps:             {timed(dmft_glm, **sq):8.3f} s")
    print(f"sampled, logistic, 200 steps, 4 x 2000:      {timed(dmft_glm, samples=2000, groups=4, **lg):8.3f} s")
    print(f"finite-N GD, logistic, N=1000, 5 seeds:      {timed(dmft_glm_training, N=1000, seeds=5, **lg):8.3f} s")
