"""Speed of the dmft.glm solvers against the cost of the finite-N training they describe.

Run: python benchmarks/bench_dmft.py. Prints wall times for a solve of 200 time steps by the
Gaussian closure (square loss) and by the sampled sweep (logistic loss, 4 x 2000 examples),
and for the same 200 steps of full-batch GD at N = 1000 over 5 seeds.
"""

import time

from replicon.simulate.dmft import dmft_glm_training
from replicon.theory.dmft import dmft_glm


def timed(f, **kw):
    f(**{**kw, "t_max": kw["dt"] * 5})   # compile numba kernels outside the timing
    t = time.perf_counter()
    f(**kw)
    return time.perf_counter() - t


if __name__ == "__main__":
    sq = dict(alpha=2.0, teacher="linear", loss="square", lam=0.1, dt=0.05, t_max=10.0)
    lg = dict(alpha=2.0, teacher="sign", loss="logistic", lam=0.1, dt=0.05, t_max=10.0)
    print(f"closure, square loss, 200 steps:             {timed(dmft_glm, **sq):8.3f} s")
    print(f"sampled, logistic, 200 steps, 4 x 2000:      {timed(dmft_glm, samples=2000, groups=4, **lg):8.3f} s")
    print(f"finite-N GD, logistic, N=1000, 5 seeds:      {timed(dmft_glm_training, N=1000, seeds=5, **lg):8.3f} s")
