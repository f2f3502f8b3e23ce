"""Speed of the perceptron's theory and Monte Carlo, as ratios against baselines run here and now.

1. A 200-point eps_g(alpha) curve of spherical Gibbs learning (alpha in [0.1, 5]):
   replicon (panel quadrature, Newton continuation) against a straightforward baseline
   that solves the (q, R) equations with scipy.optimize.fsolve, integrals by
   scipy.integrate.quad with H(x) itself a nested quad, at the same accuracy (the
   largest difference is printed).
2. Metropolis flips per second of the numba Ising kernel against a vectorised numpy
   implementation of the same move, and as a fraction of the memory-bound limit
   (each flip streams one row of the inputs, 8 P bytes; the local fields stay in
   cache), at a size whose inputs (128 MB) do not fit in cache.

Run: python benchmarks/bench_perceptron.py
"""

import math
import time

import numpy as np
from scipy import integrate, optimize
from scipy.special import log_ndtr

from replicon.simulate import perceptron as S
from replicon.theory import perceptron as P


def baseline_curve(alphas):
    """The straightforward research-code solution: the two RS equations in (q, R) (Engel & Van den
    Broeck eqs. (2.31)-(2.35)) with fsolve; every integrand evaluates H(x) by an inner quad, so
    the energetic derivatives are quad-inside-quad."""
    def H(x):
        return integrate.quad(lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi), x, np.inf,
                              epsabs=1e-14, epsrel=1e-12)[0]

    def Dt(t):
        return math.exp(-t * t / 2) / math.sqrt(2 * math.pi)

    def equations(x, a):
        q, R = x
        s = math.sqrt(q - R * R)
        A, b = R / s, math.sqrt(q / (1 - q))
        # dG_E/dR and dG_E/dq by differentiating under the integral (as in replicon, but with quad)
        def lnH(t):
            return math.log(max(H(-b * t), 1e-300))
        dR = 2 * q / s ** 3 * integrate.quad(lambda t: Dt(t) * t * Dt(A * t) * lnH(t), -12, 12, points=[0.0], limit=200)[0]
        dq = 2 * integrate.quad(lambda t: Dt(t) * (-Dt(A * t) * t * R / (2 * s ** 3) * lnH(t)
                                                  + H(-A * t) * Dt(b * t) / max(H(-b * t), 1e-300) * t / (2 * b * (1 - q) ** 2)),
                                -12, 12, points=[0.0], limit=200)[0]
        q_hat, R_hat = -2 * a * dq, a * dR
        return [R - R_hat * (1 - q), q - R * R - q_hat * (1 - q) ** 2]

    out, x = [], [0.1, 0.1]
    for a in alphas:
        x = optimize.fsolve(equations, x, args=(a,), xtol=1e-12)
        out.append(math.acos(x[1]) / math.pi)
    return np.array(out)


def bench_curve():
    alphas = np.linspace(0.1, 5, 200)
    P.teacher_curve(alphas[:3])  # warm caches
    t = time.perf_counter()
    fast = np.array([s["eps_g"] for s in P.teacher_curve(alphas)])
    t_fast = time.perf_counter() - t
    t = time.perf_counter()
    slow = baseline_curve(alphas)
    t_slow = time.perf_counter() - t
    print(f"eps_g curve, 200 points: replicon {t_fast:.3f} s, quad+fsolve baseline {t_slow:.2f} s, "
          f"ratio {t_slow / t_fast:.0f}x, max |diff| {np.max(np.abs(fast - slow)):.1e}")


def numpy_metropolis(xiT, sigma, J, beta, n_flips, rng):
    N, P_ = xiT.shape
    h = J @ xiT / math.sqrt(N)
    for _ in range(n_flips):
        i = rng.integers(N)
        hn = h - 2.0 * J[i] * xiT[i] / math.sqrt(N)
        dE = np.count_nonzero(sigma * hn <= 0) - np.count_nonzero(sigma * h <= 0)
        if dE <= 0 or rng.random() < math.exp(-beta * dE):
            h = hn
            J[i] = -J[i]


def memory_bandwidth():
    a = np.ones(2 ** 25)
    b = np.empty_like(a)
    np.copyto(b, a)
    t = time.perf_counter()
    for _ in range(5):
        np.copyto(b, a)
    return 5 * 2 * a.nbytes / (time.perf_counter() - t)


def bench_metropolis(N=2000, alpha=4.0):
    rng = np.random.default_rng(0)
    Pn = int(alpha * N)
    xiT, B, sigma = S.teacher_student_data(N, Pn, "ising", rng)
    J = rng.choice([-1.0, 1.0], size=N)
    S.ising_metropolis(xiT, sigma, B, J.copy(), 1.0, 0, 1, 1, 1)  # compile
    sweeps = 5
    t = time.perf_counter()
    S.ising_metropolis(xiT, sigma, B, J.copy(), 1.0, 0, sweeps, 1, 1)
    fast = sweeps * N / (time.perf_counter() - t)
    n = 2000
    t = time.perf_counter()
    numpy_metropolis(xiT, sigma, J.copy(), 1.0, n, rng)
    slow = n / (time.perf_counter() - t)
    limit = memory_bandwidth() / (8.0 * Pn)
    print(f"Ising Metropolis, N={N}, P={Pn}: numba {fast:,.0f} flips/s, numpy {slow:,.0f} flips/s, "
          f"ratio {fast / slow:.1f}x; memory-bound limit ~{limit:,.0f} flips/s "
          f"(numba reaches {fast / limit:.0%} of it)")


def plain_nishimori_curve(alphas):
    """The plain script of issue 12: the T = 0 spherical equation q = 2 alpha int Dt phi(bt)^2/Phi(bt),
    b = sqrt(q/(1-q)), by brentq in q with the integral by scipy quad (Phi from scipy's ndtr)."""
    from scipy.special import ndtr

    def J(q):
        b = math.sqrt(q / (1 - q))
        f = lambda t: math.exp(-t * t / 2 - (b * t) ** 2) / (2 * math.pi) ** 1.5 / max(ndtr(b * t), 1e-300)  # noqa: E731
        return integrate.quad(f, -np.inf, np.inf, epsabs=1e-14, epsrel=1e-12, limit=200)[0]

    out = []
    for a in alphas:
        q = optimize.brentq(lambda q: q - 2 * a * J(q), 1e-14, 1 - 1e-14, xtol=1e-14, rtol=1e-13)
        out.append(math.acos(q) / math.pi)
    return np.array(out)


def rows(quick=False):
    alphas = np.linspace(0.1, 20, 200)
    P.teacher_curve(alphas[:3])
    t = time.perf_counter()
    fast = np.array([s["eps_g"] for s in P.teacher_curve(alphas)])
    t_fast = time.perf_counter() - t
    t = time.perf_counter()
    plain = plain_nishimori_curve(alphas)
    t_plain = time.perf_counter() - t
    t = time.perf_counter()
    point = np.array([P.teacher(a)["eps_g"] for a in alphas])
    t_point = time.perf_counter() - t
    out = [{"work": "perceptron.teacher_curve, 200 alphas in [0.1, 20], T = 0 spherical",
            "baseline": "plain quad + brentq script", "t_baseline": t_plain, "t_replicon": t_fast,
            "accuracy": f"max|d eps_g| = {np.max(np.abs(fast - plain)):.1e}"},
           {"work": "the same curve", "baseline": "replicon point-by-point solves", "t_baseline": t_point,
            "t_replicon": t_fast, "accuracy": f"max|d eps_g| = {np.max(np.abs(fast - point)):.1e}"}]
    return out


if __name__ == "__main__":
    from run_all import print_table

    print_table(rows())
    bench_curve()
    bench_metropolis()
