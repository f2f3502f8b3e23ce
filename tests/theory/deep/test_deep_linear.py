"""Claims about the Bayesian deep linear network's saddle point (replicon.theory.deep.linear).

Sources: the saddle point is derived in the module docstring following the back-propagating
kernel renormalisation of Li & Sompolinsky, PRX 11, 031059 (2021): I recalled its structure
(one renormalisation scalar per layer, NNGP at infinite width) but could not read its
equations, so the checks below are analytic limits, independent closed forms and the exact
finite-N integral, not the paper's numbers.
"""

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.compare.experiment import extrapolate
from replicon.theory.deep.linear import deep_linear, exact_finite_n
from replicon.theory.deep.spectra import mp_stieltjes_negative


def _data(N0, alpha, Delta, rng):
    P = int(round(alpha * N0))
    X = rng.standard_normal((P, N0))
    w = rng.standard_normal(N0)
    w *= np.sqrt(N0) / np.linalg.norm(w)
    return X, X @ w / np.sqrt(N0) + np.sqrt(Delta) * rng.standard_normal(P), w


@pytest.mark.parametrize("alpha,T,Delta,sigma2", [(0.6, 0.2, 0.3, 1.5), (2.5, 0.05, 0.5, 0.7)])
def test_no_hidden_layer_is_bayesian_linear_regression_in_closed_form(alpha, T, Delta, sigma2):
    """L = 0: prior variance U = sigma^2, and with w = T/U, s = s_MP(-w) (closed-form Stieltjes
    transform, independent of the quadrature): variance = T s, bias = w^2 s' + Delta (s - w s'),
    s' = d s/d w' at z = -w' (Bayesian ridge regression, any random-matrix text)."""
    sol = deep_linear(L=0, alpha=alpha, T=T, Delta=Delta, sigma2=sigma2)
    w = T / sigma2
    s = float(mp_stieltjes_negative(w, alpha))
    h = 1e-6
    ds = float(-(mp_stieltjes_negative(w + h, alpha) - mp_stieltjes_negative(w - h, alpha)) / (2 * h))
    # (1/N) sum 1/(lam + w)^2 = ds ; (1/N) sum lam/(lam + w)^2 = s - w ds
    assert sol["variance"] == pytest.approx(T * s, rel=1e-9)
    assert sol["bias"] == pytest.approx(w * w * ds + Delta * (s - w * ds), rel=1e-7)
    assert sol["eps_g"] == pytest.approx(sol["bias"] + sol["variance"], rel=1e-12)


def test_no_hidden_layer_matches_direct_linear_algebra_at_large_n():
    """L = 0 against the posterior mean and covariance computed by numpy at N_0 = 600 (4 data sets):
    the theory is within 4 standard errors."""
    rng = np.random.default_rng(5)
    alpha, T, Delta, s2 = 1.4, 0.1, 0.25, 0.8
    sol = deep_linear(L=0, alpha=alpha, T=T, Delta=Delta, sigma2=s2)
    vals = []
    for _ in range(4):
        X, y, w = _data(600, alpha, Delta, rng)
        N0 = X.shape[1]
        A = X.T @ X / N0 + (T / s2) * np.eye(N0)
        m = np.linalg.solve(A, X.T @ y / np.sqrt(N0))
        var = T * np.trace(np.linalg.inv(A)) / N0
        vals.append([np.sum((m - w) ** 2) / N0, var])
    vals = np.array(vals)
    mean, se = vals.mean(0), vals.std(0, ddof=1) / np.sqrt(4)
    assert abs(mean[0] - sol["bias"]) < 4 * se[0] + 2e-3
    assert abs(mean[1] - sol["variance"]) < 4 * se[1] + 2e-3


def test_zero_temperature_least_squares_at_every_depth():
    """T = 0, alpha > 1: the posterior is the least-squares minimiser at any depth and width, so
    eps_g = Delta/(alpha - 1), variance 0 and train_error = Delta (1 - 1/alpha)."""
    for L, gamma in [(0, 1.0), (1, 0.5), (3, [2.0, 1.0, 4.0])]:
        sol = deep_linear(L=L, alpha=3.0, gamma=gamma, T=0.0, Delta=0.4, sigma2=0.6)
        assert sol["eps_g"] == pytest.approx(0.4 / 2.0, rel=1e-6)
        assert sol["variance"] == pytest.approx(0.0, abs=1e-12)
        assert sol["train_error"] == pytest.approx(0.4 * (1 - 1 / 3.0), rel=1e-6)


def test_zero_temperature_gibbs_learning_below_one():
    """T = 0, alpha < 1, Delta = 0, L = 0, sigma^2 = 1: the null space of the data keeps the prior,
    bias = variance = 1 - alpha (eps_g = 2 (1 - alpha), Gibbs learning of a linear rule)."""
    sol = deep_linear(L=0, alpha=0.35, T=0.0, Delta=0.0, sigma2=1.0)
    assert sol["bias"] == pytest.approx(0.65, rel=1e-9)
    assert sol["variance"] == pytest.approx(0.65, rel=1e-9)
    assert sol["train_error"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_one_hidden_layer_at_zero_temperature_solves_its_quadratic(alpha):
    """L = 1, T = 0: the saddle point reduces to a quadratic for U = sigma^2 u (derived from
    u = 1 - gamma c with c = alpha (1 - 1/U) - Delta alpha/((1 - alpha) U) for alpha < 1,
    c = 1 - (1 + Delta/(alpha - 1))/U for alpha > 1; MP moments <1/lam>)."""
    g, s2, D = 1.7, 0.8, 0.3
    sol = deep_linear(L=1, alpha=alpha, gamma=g, T=0.0, Delta=D, sigma2=[s2, 1.0])
    if alpha < 1:
        b, c = -s2 * (1 - g * alpha), -s2 * g * alpha * (1 + D / (1 - alpha))
    else:
        b, c = -s2 * (1 - g), -s2 * g * (1 + D / (alpha - 1))
    U = (-b + np.sqrt(b * b - 4 * c)) / 2
    assert sol["U"] == pytest.approx(U, rel=1e-8)
    assert sol["u_1"] == pytest.approx(U / s2, rel=1e-8)


def test_infinite_width_is_the_gaussian_process():
    """gamma -> 0 (wide layers): u_l -> 1 and the network equals L = 0 with sigma^2 = prod sigma_l^2."""
    wide = deep_linear(L=3, alpha=1.3, gamma=1e-7, T=0.2, Delta=0.1, sigma2=[1.2, 0.9, 1.1, 0.7])
    blr = deep_linear(L=0, alpha=1.3, T=0.2, Delta=0.1, sigma2=1.2 * 0.9 * 1.1 * 0.7)
    for l in (1, 2, 3):
        assert wide[f"u_{l}"] == pytest.approx(1.0, abs=1e-6)
    assert wide["eps_g"] == pytest.approx(blr["eps_g"], rel=1e-6)


def test_saddle_is_a_stationary_point_of_the_free_entropy():
    """The saddle-point equations are the stationarity conditions of the reported free entropy:
    its numerical gradient in log u_l vanishes at every branch (3 branches here)."""
    from replicon.theory.deep.linear import SpectralAverages

    kw = dict(alpha=4.0, T=0.3, Delta=0.5)
    sol = deep_linear(L=2, gamma=5.0, sigma2=0.05, **kw)
    assert len(sol.branches) == 3
    spec = SpectralAverages(**kw)

    def phi(lu):
        u = np.exp(lu)
        return float(np.sum((lu - u + 1) / 10.0)) + spec.log_evidence_gaussian(0.05 ** 3 * np.prod(u))

    for b in sol.branches:
        lu = np.log([b["u_1"], b["u_2"]])
        assert phi(lu) == pytest.approx(b["free_entropy"], rel=1e-12)
        h = 1e-5
        grad = [(phi(lu + h * e) - phi(lu - h * e)) / (2 * h) for e in np.eye(2)]
        assert np.max(np.abs(grad)) < 1e-6
    # the thermodynamic branch is the largest maximum; the middle root is a saddle of phi
    assert sol.status == "thermodynamic" and sol.stable
    assert sorted(b.status for b in sol.branches) == ["metastable", "thermodynamic", "unstable"]
    assert sol["free_entropy"] == max(b["free_entropy"] for b in sol.branches)


@pytest.mark.slow
def test_saddle_point_is_the_large_n_limit_of_the_exact_integral():
    """(Slow: 30 exact integrals, N_0 = 200 costs ~3 s each.) Theory against the exact finite-N integral over the layer scalars (independent code: SVD of
    each data set, log-Gamma convolutions), N_0 = 50, 100, 200 with 10 data sets each, extrapolated
    in 1/N: within 3 standard errors (+1e-3) for eps_g, variance, train_error and u_1."""
    kw = dict(L=2, alpha=1.5, gamma=[2.0, 1.0], sigma2=0.5, T=0.1, Delta=0.3)
    sol = deep_linear(**kw)
    Ns = [50, 100, 200]
    keys = ["eps_g", "variance", "train_error", "u_1", "u_2"]
    means, sems = {k: [] for k in keys}, {k: [] for k in keys}
    for N in Ns:
        rng = np.random.default_rng(N)
        rs = []
        for _ in range(10):
            X, y, w = _data(N, kw["alpha"], kw["Delta"], rng)
            rs.append(exact_finite_n(X, y, w, [N // 2, N], kw["sigma2"], kw["T"]))
        for k in keys:
            v = np.array([r[k] for r in rs])
            means[k].append(v.mean())
            sems[k].append(v.std(ddof=1) / np.sqrt(v.size))
    for k in keys:
        m_inf, se = extrapolate(Ns, means[k], sems[k])
        assert abs(m_inf - sol[k]) < 3 * se + 1e-3, (k, m_inf, se, sol[k])


def test_bad_input_names_what_is_allowed():
    with pytest.raises(ParamError, match="L must be an integer >= 0"):
        deep_linear(L=-1)
    with pytest.raises(ParamError, match="gamma must be"):
        deep_linear(L=2, gamma=[1.0, 2.0, 3.0])
    with pytest.raises(ParamError, match="gamma must be > 0"):
        deep_linear(L=1, gamma=0.0)
    with pytest.raises(ParamError, match="sigma2 must be"):
        deep_linear(L=1, sigma2=[1.0, 1.0, 1.0])
    with pytest.raises(ParamError, match="alpha must be > 0"):
        deep_linear(alpha=0.0)


@pytest.mark.parametrize("alpha", [0.6, 2.0])
def test_zero_temperature_is_the_limit_of_small_temperature(alpha):
    """T -> 0 is continuous: at T = 1e-7 every observable and u_l is within 1e-4 of the T = 0 solve
    (L = 2, gamma = 1.5, Delta = 0.2), on both sides of alpha = 1."""
    kw = dict(L=2, alpha=alpha, gamma=1.5, sigma2=0.8, Delta=0.2)
    cold, zero = deep_linear(T=1e-7, **kw), deep_linear(T=0.0, **kw)
    for k in ("eps_g", "bias", "variance", "train_error", "u_1", "u_2"):
        assert cold[k] == pytest.approx(zero[k], abs=1e-4), k


def test_a_broad_prior_is_shrunk_by_the_data_to_a_finite_end_to_end_variance():
    """sigma^2 = 1e4 per layer (L = 2, gamma = 3): the root sits within 1e-6 of the edge u_l = 0 and is
    still found; it satisfies U = prod sigma^2 u_l and u_l = 1 - gamma c(U) to 1e-8, with U = O(1)."""
    from replicon.theory.deep.linear import SpectralAverages

    kw = dict(alpha=2.0, T=0.01, Delta=0.1)
    sol = deep_linear(L=2, gamma=3.0, sigma2=1e4, **kw)
    assert sol.converged and 0.1 < sol["U"] < 10 and sol["u_1"] < 1e-5
    c = SpectralAverages(**kw).renormalisation(sol["U"])
    assert sol["u_1"] == pytest.approx(1 - 3.0 * c, rel=1e-6, abs=1e-14)
    assert sol["U"] == pytest.approx(1e12 * sol["u_1"] * sol["u_2"], rel=1e-8)
