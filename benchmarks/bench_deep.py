"""Speed of the deep-chain equilibrium code (issue 16) as ratios against baselines measured in the same run.

1. ``deep.glm`` linear chain: the free-probability closed form (``linear_chain_mmse``,
   ``linear_chain_mutual_information``; ``deep_glm`` itself now runs the state evolution), one L = 3
   point and a 100-point curve in the noise, against a nested baseline: the same Silverstein
   recursion solved level by level with nested 1-D Brent roots at every quadrature node (what one
   writes first), timed on one point and extrapolated.
1b. ``deep.glm`` with nonlinear layers: one L = 3 solve (sign, sign, linear; Gaussian input) and a
   100-point curve in the output noise, against a nested-quadrature baseline: every layer moment
   by ``scipy.integrate.dblquad`` over (xi, eta) (the sign of z_0 summed in closed form), timed on one
   state-evolution sweep and multiplied by the sweeps the solve used.
2. ``deep.linear``, one L = 3 saddle point (all branches) and a 100-point alpha curve.
3. The blocked Gibbs sampler: sweeps per second at N_0 = 100, 200, 400 (L = 2, gamma = 1,
   alpha = 1.5), against a sweep that draws each layer's conditional by a dense Cholesky of the
   full (N_l N_{l-1})-dimensional precision (timed at N_0 = 20, where it is feasible).

Run: ``python benchmarks/bench_deep.py [--quick]``. Prints timings and ratios; asserts nothing.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from replicon.simulate.deep.linear import gibbs_deep_linear, teacher_data
from replicon.theory.deep import glm as tg
from replicon.theory.deep.linear import deep_linear


def _t(f, *a, **k):
    t = time.perf_counter()
    out = f(*a, **k)
    return time.perf_counter() - t, out


def nested_solve(Delta, alphas, n_nodes=24, panels=6):
    """Baseline: mse_0 and mi_0 with every Stieltjes value by nested 1-D Brent roots, level by level."""
    from scipy.optimize import brentq

    r = float(np.prod(alphas))

    def m(level, w):
        if level == 0:
            return 1.0 / (1.0 + w)
        a = alphas[level - 1]

        def G(lm):
            t = a * np.exp(lm)
            return -lm - np.log(w + (1.0 - m(level - 1, 1.0 / t) / t) / t)

        hi = -np.log(w) - 1e-14
        if G(hi) >= 0:
            return np.exp(hi)
        lo = hi - 5.0
        while G(lo) <= 0:
            lo -= 10.0
        return np.exp(brentq(G, lo, hi, xtol=1e-14))

    mA = lambda w: r * m(len(alphas), w) + (1 - r) / w          # noqa: E731
    mse = Delta * mA(Delta)
    s_max = 1 / Delta
    s0 = 1e-10 * s_max
    x, wq = np.polynomial.legendre.leggauss(n_nodes)
    edges = np.linspace(np.log(s0), np.log(s_max), panels + 1)
    mi = 0.5 * r * s0
    for a, b in zip(edges[:-1], edges[1:]):
        s = np.exp(0.5 * (b - a) * x + 0.5 * (b + a))
        f = np.array([1 - mA(1 / si) / si for si in s])
        mi += 0.5 * np.sum(wq * f) * 0.5 * (b - a)
    return mse, mi


def nested_sign_moments(q, rho, Ap):
    """Baseline: a sign layer's (E<r>^2, E g^2, E ln Z) by nested adaptive quadrature (dblquad over xi, eta)."""
    from scipy.integrate import dblquad
    from scipy.special import expit, log_ndtr

    V = rho - q

    def terms(eta, xi, which):
        x = np.sqrt(q) * xi / np.sqrt(V)
        a, b = log_ndtr(x), log_ndtr(-x)
        lp = -0.5 * x * x - 0.5 * np.log(2 * np.pi)
        tot = 0.0
        for s, lw in ((1.0, a), (-1.0, b)):
            Bp = Ap * s + np.sqrt(Ap) * eta
            t = Bp + 0.5 * (a - b)
            sp, sm = expit(2 * t), expit(-2 * t)
            f = {"r2": (sp - sm) ** 2,
                 "g2": ((np.exp(lp - a) * sp - np.exp(lp - b) * sm) / np.sqrt(V)) ** 2,
                 "lz": -0.5 * Ap + 0.5 * (a + b) + np.logaddexp(t, -t)}[which]
            tot += np.exp(lw) * f
        return tot * np.exp(-0.5 * (xi * xi + eta * eta)) / (2 * np.pi)

    return tuple(dblquad(terms, -10, 10, -10, 10, args=(w,), epsabs=1e-10)[0] for w in ("r2", "g2", "lz"))


def dense_gibbs_sweep(X, y, Ws, sigma2, T, rng):
    """Baseline sweep: each layer's conditional drawn as a dense Gaussian of dimension N_l N_{l-1}."""
    N0 = X.shape[1]
    for l in range(len(Ws)):
        H = X
        for W in Ws[:l]:
            H = H @ W.T / np.sqrt(W.shape[1])
        A = np.ones(1)
        for W in Ws[:l:-1]:
            A = W.T @ A / np.sqrt(W.shape[1])
        n_out, n_in = Ws[l].shape
        Phi = np.einsum("i,pj->pij", A, H).reshape(len(y), -1) / np.sqrt(n_in)
        prec = Phi.T @ Phi / T + np.eye(n_out * n_in) / sigma2[l]
        R = np.linalg.cholesky(prec)
        mean = np.linalg.solve(prec, Phi.T @ y / T)
        Ws[l] = (mean + np.linalg.solve(R.T, rng.standard_normal(n_out * n_in))).reshape(n_out, n_in)
    return Ws


def main(quick=False):
    al = [2.0, 0.5, 1.5]
    closed = lambda d: (tg.linear_chain_mmse(d, al), tg.linear_chain_mutual_information(d, al))   # noqa: E731
    t1, sol = _t(closed, 0.2)
    tb, mb = _t(nested_solve, 0.2, al)
    print(f"linear chain L=3 closed form: {t1 * 1e3:.1f} ms (mse_0 {sol[0]:.6f}, mi_0 {sol[1]:.6f}); nested "
          f"baseline: {tb * 1e3:.1f} ms (mse_0 {mb[0]:.6f}, mi_0 {mb[1]:.6f}); ratio {tb / t1:.1f}x")
    noises = np.geomspace(0.01, 2.0, 20 if quick else 100)
    tc, _ = _t(lambda: [closed(d) for d in noises])
    print(f"linear chain curve: {tc:.2f} s ({len(noises)} points); nested baseline ~ {tb * len(noises):.2f} s "
          f"(one point extrapolated), ratio {tb * len(noises) / tc:.1f}x")
    # 1b. the nonlinear chain
    from replicon.theory.deep import layers

    kw = dict(alphas=[2.0, 1.0, 0.8], activations="sign,sign,linear", noise=0.1)
    t1n, sn = _t(tg.deep_glm, **kw)
    sweeps = sum(b.iterations for b in sn.branches) + 2 * 3 * len(sn.branches)   # + Jacobian of each branch
    # time the layer moments at the uninformative branch (moderate q, q_hat: nested quadrature converges there;
    # on the informative branch q_hat_1 ~ 1e6 and dblquad misses the concentrated integrand altogether)
    ref = sn.branch_named("uninformative") or sn
    tv, mv = _t(layers.layer_moments, "sign", ref["q_1"], 1.0, ref["q_hat_1"])
    tq, mq = _t(nested_sign_moments, ref["q_1"], 1.0, ref["q_hat_1"])
    print(f"sign layer moments: vectorised {tv * 1e3:.1f} ms {np.round(mv, 9)}, nested dblquad {tq * 1e3:.0f} ms "
          f"{np.round(mq, 9)}; ratio {tq / tv:.0f}x")
    per_sweep_nested = 2 * tq                 # the two sign layers of one sweep by nested quadrature
    tb1 = per_sweep_nested * sweeps
    print(f"deep.glm L=3 (sign, sign, linear) solve: {t1n * 1e3:.0f} ms over {sweeps} sweeps (mse_0 {sn['mse_0']:.6f}); "
          f"nested-quadrature baseline ~ {tb1:.1f} s (one sweep timed, times the sweeps); ratio {tb1 / t1n:.0f}x")
    noises = np.geomspace(0.01, 1.0, 20 if quick else 100)
    tc, sols = _t(lambda: [tg.deep_glm(alphas=kw["alphas"], activations=kw["activations"], noise=d) for d in noises])
    n_sw = sum(sum(b.iterations for b in s_.branches) + 6 * len(s_.branches) for s_ in sols)
    print(f"deep.glm L=3 nonlinear curve: {tc:.1f} s ({len(noises)} points, {n_sw} sweeps); nested baseline ~ "
          f"{per_sweep_nested * n_sw:.0f} s; ratio {per_sweep_nested * n_sw / tc:.0f}x")
    t2, s2 = _t(deep_linear, L=3, alpha=1.5, gamma=2.0, T=0.05, Delta=0.1)
    print(f"deep.linear L=3 solve: {t2 * 1e3:.1f} ms ({len(s2.branches)} branch(es))")
    alphas = np.linspace(0.2, 4.0, 20 if quick else 100)
    t3, _ = _t(lambda: [deep_linear(L=3, alpha=a, gamma=2.0, T=0.05, Delta=0.1) for a in alphas])
    print(f"deep.linear curve: {t3:.2f} s ({len(alphas)} points)")
    rng = np.random.default_rng(0)
    for N in ([100] if quick else [100, 200, 400]):
        X, y, w = teacher_data(N, 1.5, 0.1, rng)
        gibbs_deep_linear(X, y, w, [N, N], np.ones(3), 0.1, 2, 0, rng)      # compile
        n = 20 if N >= 400 else 50
        ts, _ = _t(gibbs_deep_linear, X, y, w, [N, N], np.ones(3), 0.1, n, 0, rng)
        print(f"Gibbs sampler N_0={N}, L=2: {n / ts:.1f} sweeps/s")
    X, y, w = teacher_data(20, 1.5, 0.1, rng)
    Ws = [rng.standard_normal((20, 20)), rng.standard_normal((20, 20)), rng.standard_normal((1, 20))]
    td, _ = _t(lambda: [dense_gibbs_sweep(X, y, Ws, np.ones(3), 0.1, rng) for _ in range(5)])
    tf, _ = _t(gibbs_deep_linear, X, y, w, [20, 20], np.ones(3), 0.1, 5, 0, rng)
    print(f"N_0=20 sweep: blocked (rank-one) {tf / 5 * 1e3:.2f} ms, dense conditional {td / 5 * 1e3:.2f} ms, "
          f"ratio {td / tf:.1f}x")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
