"""Claims about the multi-layer RS free entropy and state evolution of deep.glm (replicon.theory.deep.glm,
replicon.theory.deep.layers): nonlinear activations, non-Gaussian inputs, noise on every layer.

Sources. The multi-layer replica formula and its state evolution (Manoel, Krzakala, Mezard & Zdeborova
2017; Gabrie et al., NeurIPS 2018) are recalled, not read; the scalar channels are derived in the
module docstrings. Evidence used here: (i) the linear chain's closed form by free probability
(independent code, theory/deep/glm.py); (ii) L = 1 against replicon's Bayes committee K = 1
(independent code, theory/committee/bayes.py: Aubin et al. 2018 eq. (10)); (iii) exact finite-n linear
algebra for a linear chain with hidden-layer noise; (iv) the I-MMSE relation, an exact identity of the
Gaussian output channel, on nonlinear chains; (v) the binary perceptron's first-order transition at
alpha_IT ~ 1.245 (Gyorgyi, PRA 41, 7097 (1990), recalled) and the end of its uninformative branch at
alpha_alg ~ 1.493 (Barbier, Krzakala, Macris, Miolane & Zdeborova, PNAS 116, 5451 (2019), recalled).
"""

import numpy as np
import pytest
from scipy.optimize import brentq

from replicon.theory.committee.bayes import bayes
from replicon.theory.deep import layers
from replicon.theory.deep.glm import deep_glm, linear_chain_mmse, linear_chain_mutual_information


@pytest.mark.parametrize("alphas, Delta", [([2.0], 0.3), ([2.0, 0.5, 1.5], 0.2), ([0.6, 1.8], 0.05),
                                           ([1.2, 1.0, 0.9, 1.5], 0.5)])
def test_linear_chain_state_evolution_is_the_free_probability_closed_form(alphas, Delta):
    """All-linear chain, Gaussian input, output noise only: the state-evolution fixed point gives the
    closed-form mse_0 = Delta m_A(-Delta) and mi_0 = 1/2 <log(1 + lambda/Delta)> to 1e-8, and the free
    entropy E ln p(y)/n_0 = -(r/2) ln(2 pi e Delta) - mi_0 (r = n_L/n_0) to 1e-8."""
    sol = deep_glm(alphas=alphas, noise=Delta)
    assert sol.converged and len(sol.branches) == 1
    assert sol["mse_0"] == pytest.approx(linear_chain_mmse(Delta, alphas), abs=1e-8)
    mi = linear_chain_mutual_information(Delta, alphas)
    assert sol["mi_0"] == pytest.approx(mi, abs=1e-8)
    r = np.prod(alphas)
    assert sol["free_entropy"] == pytest.approx(-0.5 * r * np.log(2 * np.pi * np.e * Delta) - mi, abs=1e-8)


@pytest.mark.parametrize("prior, alpha", [("gaussian", 0.5), ("gaussian", 1.5), ("binary", 0.5), ("binary", 1.0),
                                          ("binary", 1.2)])
def test_one_sign_layer_is_the_bayes_perceptron(prior, alpha):
    """L = 1, sign output without noise: the overlap and free entropy of the thermodynamic branch equal
    committee.bayes K = 1 (independent code) to 1e-8."""
    sol = deep_glm(alphas=[alpha], activations="sign", prior=prior, noise=0.0)
    ref = bayes(K=1, alpha=alpha, prior=prior)
    assert sol.branch != "perfect" and ref.branch != "perfect"
    assert sol["q_0"] == pytest.approx(ref["q_d"], abs=1e-8)
    assert sol.free_energy == pytest.approx(ref.free_energy, abs=1e-8)


def test_binary_perceptron_first_order_transition_both_branches():
    """Binary input, one noiseless sign layer: below alpha_IT the uninformative branch is thermodynamic and
    exact recovery metastable, above it the reverse, both reported; free entropies cross at
    alpha_IT = 1.2447 (Gyorgyi 1990: 1.245); the uninformative branch ends between 1.49 and 1.50
    (alpha_alg = 1.493, Barbier et al. 2019)."""
    def solve(a):
        return deep_glm(alphas=[a], activations="sign", prior="binary", noise=0.0)

    low, high = solve(1.2), solve(1.3)
    assert low.branch == "uninformative" and low.branch_named("perfect").status == "metastable"
    assert high.branch == "perfect" and high.branch_named("uninformative").status == "metastable"
    gap = lambda a: solve(a).branch_named("uninformative")["free_entropy"] + np.log(2.0)   # noqa: E731
    assert brentq(gap, 1.2, 1.3, xtol=1e-6) == pytest.approx(1.245, abs=1e-3)
    assert solve(1.49).branch_named("uninformative") is not None
    assert solve(1.50).branch_named("uninformative") is None


def test_two_layer_binary_chain_has_both_branches():
    """Binary input through two noiseless sign layers (alphas 2, 0.7): exact recovery (mse 0 on every layer,
    free entropy -ln 2) and the uninformative branch (mse_0 ~ 0.52) are both reported, the first
    thermodynamic, the second metastable with a smaller free entropy."""
    sol = deep_glm(alphas=[2.0, 0.7], activations="sign", prior="binary", noise=0.0)
    assert sol.branch == "perfect" and sol["free_entropy"] == pytest.approx(-np.log(2.0))
    poor = sol.branch_named("uninformative")
    assert poor.status == "metastable" and 0.3 < poor["mse_0"] < 0.7 and poor["mse_1"] > 0.1
    assert poor["free_entropy"] < -np.log(2.0)


def test_hidden_noise_linear_chain_against_exact_finite_n():
    """Linear chain with noise 0.2 on the hidden layer and 0.1 at the output (alphas 1.5, 0.8): mse_0 and
    mse_1 (the noisy hidden post-activation) against exact Gaussian posteriors of sampled matrices at
    n_0 = 400 (3 draws): within 4 standard errors + 1e-3 (finite-n bias ~ 1/n)."""
    al, D1, D2 = [1.5, 0.8], 0.2, 0.1
    sol = deep_glm(alphas=al, activations="linear", noise=[D1, D2])
    n0 = 400
    rows = []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        n1, n2 = int(n0 * 1.5), int(n0 * 1.5 * 0.8)
        W1 = rng.standard_normal((n1, n0)) / np.sqrt(n0)
        W2 = rng.standard_normal((n2, n1)) / np.sqrt(n1)
        M = W2 @ W1
        noise_cov_inv = np.linalg.inv(D1 * W2 @ W2.T + D2 * np.eye(n2))
        mse0 = np.trace(np.linalg.inv(np.eye(n0) + M.T @ noise_cov_inv @ M)) / n0
        prec1 = np.linalg.inv(W1 @ W1.T + D1 * np.eye(n1)) + W2.T @ W2 / D2
        rows.append((mse0, np.trace(np.linalg.inv(prec1)) / n1))
    rows = np.array(rows)
    mean, se = rows.mean(0), rows.std(0, ddof=1) / np.sqrt(len(rows))
    assert abs(mean[0] - sol["mse_0"]) < 4 * se[0] + 1e-3
    assert abs(mean[1] - sol["mse_1"]) < 4 * se[1] + 1e-3


@pytest.mark.parametrize("acts, prior", [("sign,linear", "gaussian"), ("linear,sign", "binary"),
                                         pytest.param("sign,relu", "gaussian", marks=pytest.mark.slow),
                                         pytest.param("relu,linear", "sparse", marks=pytest.mark.slow)])
def test_i_mmse_on_nonlinear_chains(acts, prior):
    """d mi_0 / d(1/Delta_L) = (n_L/n_0) mse_L / 2 (mse_L: MMSE of the noiseless output phi(z_L)), by
    central differences of the reported mi_0: relative 1e-5. This ties the free entropy (all its
    layers' terms) to the fixed point's output MMSE."""
    al, D, h = [1.5, 0.8], 0.3, 1e-3
    mi = lambda d: deep_glm(alphas=al, activations=acts, prior=prior, rho=0.4, noise=d)["mi_0"]   # noqa: E731
    deriv = (mi(1 / (1 / D + h)) - mi(1 / (1 / D - h))) / (2 * h)
    sol = deep_glm(alphas=al, activations=acts, prior=prior, rho=0.4, noise=D)
    assert deriv == pytest.approx(0.5 * np.prod(al) * sol["mse_2"], rel=1e-5)


@pytest.mark.parametrize("act, q, Ap", [("sign", 0.5, 0.2), ("sign", 0.3, 30.0), ("sign", 0.99, 5.0),
                                        ("relu", 0.3, 2.0), ("relu", 0.05, 0.3),
                                        pytest.param("relu", 0.95, 20.0, marks=pytest.mark.slow)])
def test_layer_quadrature_is_converged(act, q, Ap, monkeypatch):
    """A layer's moments change by less than 3e-6 when every quadrature order is doubled."""
    base = np.array(layers.layer_moments(act, q, 1.0, Ap))
    for name in ("N_GH", "N_GH_RELU", "N_GL", "N_U_PANELS", "N_GL_RELU"):
        monkeypatch.setattr(layers, name, 2 * getattr(layers, name))
    layers._panel_rule.cache_clear()
    fine = np.array(layers.layer_moments(act, q, 1.0, Ap))
    layers._panel_rule.cache_clear()
    assert np.max(np.abs(fine - base)) < 3e-6


def test_sign_and_relu_layers_without_information_from_above():
    """A' = 0: E<sign z>^2 = (2/pi) arcsin(q/rho) and E<relu z>^2 = E_omega (omega Phi(x) + sqrt(V) phi(x))^2,
    the Fisher information vanishes, E ln Z = 0."""
    er2, eg2, elog = layers.layer_moments("sign", 0.4, 1.0, 0.0)
    assert er2 == pytest.approx(2 / np.pi * np.arcsin(0.4), abs=1e-10)
    assert abs(eg2) < 1e-12 and abs(elog) < 1e-12
    from scipy.stats import norm
    z, w = np.polynomial.hermite_e.hermegauss(200)
    w = w / np.sqrt(2 * np.pi)
    om, V = np.sqrt(0.4) * z, 0.6
    m = om * norm.cdf(om / np.sqrt(V)) + np.sqrt(V) * norm.pdf(om / np.sqrt(V))
    assert layers.layer_moments("relu", 0.4, 1.0, 0.0)[0] == pytest.approx(np.dot(w, m * m), abs=1e-6)


def test_layer_mutual_information_obeys_data_processing():
    """x_0 (Gaussian) -> sign (alpha 2) -> sign (alpha 1) -> linear + noise 0.3 (alpha 0.8):
    I(X_0; H_1) >= I(X_0; H_2) >= I(X_0; Y) (data processing, to 1e-6), and I(X_0; H_1) is the one-layer
    Bayes perceptron's label entropy, -Phi of committee.bayes K = 1 at alpha = 2 (1e-8)."""
    sol = deep_glm(alphas=[2.0, 1.0, 0.8], activations="sign,sign,linear", noise=0.3, layer_mi=True)
    i1, i2, iy = sol["mi_x0_h1"], sol["mi_x0_h2"], sol["mi_0"]
    assert i1 + 1e-6 >= i2 and i2 + 1e-6 >= iy and iy > 0.5
    assert i1 == pytest.approx(bayes(K=1, alpha=2.0, prior="gaussian").free_energy, abs=1e-8)


@pytest.mark.parametrize("alpha", [1.0, 1.2])
def test_binary_perceptron_reports_its_unstable_branch(alpha):
    """Binary input, one noiseless sign layer, between the uninformative branch and exact recovery: the
    saddle of the free entropy (a fixed point that repels the state evolution) is reported as
    ``unstable`` and equals committee.bayes K = 1's unstable branch (q and free entropy to 1e-8)."""
    sol = deep_glm(alphas=[alpha], activations="sign", prior="binary", noise=0.0)
    ref = [b for b in bayes(K=1, alpha=alpha, prior="binary").branches if b.status == "unstable"]
    mine = [b for b in sol.branches if b.status == "unstable"]
    assert len(mine) == 1 and len(ref) == 1
    assert mine[0]["q_0"] == pytest.approx(ref[0]["q_d"], abs=1e-8)
    assert mine[0].free_energy == pytest.approx(ref[0].free_energy, abs=1e-8)
    assert sol.branch == "uninformative"


@pytest.mark.slow
def test_sign_layer_moments_against_nested_adaptive_quadrature():
    """(Slow: dblquad, ~10 s.) The sign layer's (E<r>^2, E g^2, E ln Z) at q = 0.78, A' = 1.47 equal nested
    adaptive quadrature over (xi, eta) of the defining integrands, written here independently from the
    closed form Z = e^{-A'/2}(e^{B'} H(-x) + e^{-B'} H(x)): 1e-8."""
    from scipy.integrate import dblquad
    from scipy.stats import norm

    q, Ap = 0.7756, 1.4654
    V = 1.0 - q

    def integrand(eta, xi, which):
        x = np.sqrt(q) * xi / np.sqrt(V)
        p_plus, p_minus = norm.cdf(x), norm.cdf(-x)
        tot = 0.0
        for s, ps in ((1.0, p_plus), (-1.0, p_minus)):
            B = Ap * s + np.sqrt(Ap) * eta
            Z = np.exp(-Ap / 2) * (np.exp(B) * p_plus + np.exp(-B) * p_minus)
            r = (np.exp(B) * p_plus - np.exp(-B) * p_minus) / (np.exp(B) * p_plus + np.exp(-B) * p_minus)
            dZ = np.exp(-Ap / 2) * (np.exp(B) - np.exp(-B)) * norm.pdf(x) / np.sqrt(V)
            f = {"r2": r * r, "g2": (dZ / Z) ** 2, "lz": np.log(Z)}[which]
            tot += ps * f
        return tot * norm.pdf(xi) * norm.pdf(eta)

    ref = [dblquad(integrand, -10, 10, -10, 10, args=(w,), epsabs=1e-11)[0] for w in ("r2", "g2", "lz")]
    assert np.allclose(layers.layer_moments("sign", q, 1.0, Ap), ref, atol=1e-8, rtol=0)
