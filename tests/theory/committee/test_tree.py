"""Claims of the replica theory of Gibbs learning in the tree committee machine (committee.gibbs)."""

import math
from itertools import product

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.theory.committee import tree as C
from replicon.theory import perceptron as P
from replicon.theory.gauss import hermite


@pytest.mark.parametrize("alpha,T,weights", [
    (0.5, 0.0, "spherical"), (3.0, 0.0, "spherical"), (2.0, 1.0, "spherical"), (5.0, 0.3, "spherical"),
    (1.0, 0.0, "ising"), (1.2, 0.5, "ising"), (2.0, 0.0, "ising"),
])
def test_one_branch_is_the_perceptron(alpha, T, weights):
    """K = 1: the tree committee is the perceptron; every branch, R, q, eps_g, eps_t and free energy
    equal perceptron.teacher's (Engel & Van den Broeck eqs. (2.41)-(2.42), ch. 7)."""
    a = C.gibbs(K=1, alpha=alpha, T=T, weights=weights)
    b = P.teacher(alpha=alpha, T=T, weights=weights)
    assert [s.branch for s in a.branches] == [s.branch for s in b.branches]
    for x, y in zip(a.branches, b.branches):
        for key in ("R", "q", "eps_g", "eps_t", "entropy"):
            assert x[key] == pytest.approx(y[key], abs=1e-9), key
        assert x.free_energy == pytest.approx(y.free_energy, abs=1e-9)
        assert x.status == y.status


def test_one_branch_transition_is_gyorgyi():
    """K = 1, Ising, T = 0: the committee code finds Györgyi's (PRA 41, 7097 (1990)) first-order
    transition at alpha = 1.245 and the spinodal at 1.493."""
    s = C.gibbs_transition(K=1, T=0.0)
    assert s["alpha_transition"] == pytest.approx(1.245, abs=1e-3)
    assert s["alpha_spinodal"] == pytest.approx(1.493, abs=1e-3)


def test_committee_error_three_branches_closed_form():
    """K = 3: eps_g = 3/2 eps_1 (1 - eps_1) + eps_1^3 (one or two flipped branches change the majority
    with probability 1/2, three always); eps_g(1/2) = 1/2 and eps_g(0) = 0."""
    for e in (0.0, 0.03, 0.2, 0.4, 0.5):
        assert C.committee_error(e, 3) == pytest.approx(1.5 * e * (1 - e) + e ** 3, abs=1e-15)
    assert C.committee_error(0.5, 5) == pytest.approx(0.5, abs=1e-15)
    assert C.committee_error(0.17, 1) == pytest.approx(0.17, abs=1e-15)


@pytest.mark.parametrize("K,R", [(3, 0.6), (5, 0.9)])
def test_committee_error_against_sampled_fields(K, R):
    """eps_g of the majority vote from per-branch overlap R equals the disagreement rate of sampled
    tree committees: K independent (teacher, student) Gaussian field pairs of correlation R."""
    rng = np.random.default_rng(1)
    n = 400_000
    u = rng.standard_normal((n, K))
    v = R * u + math.sqrt(1 - R * R) * rng.standard_normal((n, K))
    p = np.mean(np.sign(np.sign(u).sum(1)) != np.sign(np.sign(v).sum(1)))
    se = math.sqrt(p * (1 - p) / n)
    assert abs(C.committee_error(math.acos(R) / math.pi, K) - p) < 4 * se


def _brute_energetic(q, R, T, n=48):
    """G_E for K = 3 by a tensor Gauss-Hermite rule over the three fields and an explicit sum over all
    teacher and student hidden sign patterns and both output labels (no symmetry used)."""
    z, w = hermite(n)
    t = np.stack(np.meshgrid(z, z, z, indexing="ij"), -1).reshape(-1, 3)
    W = np.prod(np.stack(np.meshgrid(w, w, w, indexing="ij"), -1).reshape(-1, 3), axis=1)
    from scipy.special import ndtr
    tau = ndtr(R / math.sqrt(q - R * R) * t)
    p = ndtr(math.sqrt(q / (1 - q)) * t)
    eps = math.exp(-1 / T)
    G = 0.0
    for sigma in (1, -1):
        Tp = np.zeros(len(t))
        Sp = np.zeros(len(t))
        for s in product((1, -1), repeat=3):
            if np.sign(sum(s)) != sigma:
                continue
            Tp += np.prod([tau[:, k] if s[k] > 0 else 1 - tau[:, k] for k in range(3)], axis=0)
            Sp += np.prod([p[:, k] if s[k] > 0 else 1 - p[:, k] for k in range(3)], axis=0)
        G += np.dot(W, Tp * np.log(eps + (1 - eps) * Sp))
    return G


def test_energetic_term_against_brute_force_three_branches():
    """The structured K = 3 energetic term (majority polynomial, symmetric multisets, sinh rule) and its
    derivatives equal an explicit sum over all sign patterns by tensor Gauss-Hermite quadrature
    (derivatives by central differences of the brute-force value)."""
    q, R, T = 0.45, 0.35, 1.0
    e = C.tree_energetic(q, R, T, K=3)
    assert e["G"] == pytest.approx(_brute_energetic(q, R, T), abs=2e-7)
    h = 1e-4
    dR = (_brute_energetic(q, R + h, T) - _brute_energetic(q, R - h, T)) / (2 * h)
    dq = (_brute_energetic(q + h, R, T) - _brute_energetic(q - h, R, T)) / (2 * h)
    assert e["dR"] == pytest.approx(dR, abs=1e-5)
    assert e["dq"] == pytest.approx(dq, abs=1e-5)
    # training error = -dG/dbeta
    b, hb = 1.0 / T, 1e-4
    deps = -(_brute_energetic(q, R, 1 / (b + hb)) - _brute_energetic(q, R, 1 / (b - hb))) / (2 * hb)
    assert e["eps_t"] == pytest.approx(deps, abs=1e-5)


@pytest.mark.slow
def test_free_entropy_derivative_in_alpha_is_the_energetic_term():
    """At a saddle point d f / d alpha = G_E(q*, R*) (stationarity in the order parameters): checked by a
    central difference of the K = 3 spherical free entropy at T = 0.5, alpha = 1.5."""
    a, h, T = 1.5, 1e-3, 0.5
    fp = C.gibbs(K=3, alpha=a + h, T=T)["free_entropy"]
    fm = C.gibbs(K=3, alpha=a - h, T=T)["free_entropy"]
    s = C.gibbs(K=3, alpha=a, T=T)
    G = C.tree_energetic(s["q"], s["R"], T, K=3)["G"]
    assert (fp - fm) / (2 * h) == pytest.approx(G, abs=1e-6)


@pytest.mark.slow
def test_ising_three_branches_poor_then_perfect():
    """Ising tree committee K = 3, T = 0 (Schwarze & Hertz 1992: discontinuous transition from poor to
    perfect generalisation): at alpha = 0.8 the poor branch (R < 1) is thermodynamic with the perfect
    state metastable; at alpha = 2.5 the poor branch has ended and R = q = 1 exactly."""
    low = C.gibbs(K=3, alpha=0.8, weights="ising")
    assert low.branch == "poor" and low["R"] < 0.6 and low.free_energy < 0
    assert low.branch_named("perfect").status == "metastable"
    high = C.gibbs(K=3, alpha=2.5, weights="ising")
    assert high.branch == "perfect" and high["R"] == 1.0 and high["eps_g"] == 0.0


def test_committee_generalises_worse_than_perceptron_at_equal_alpha():
    """At T = 0 and alpha = 2 (spherical) the tree committee's per-branch overlap and error lie between
    the perceptron's and the random guess (each branch sees only N/K inputs but is taught only through
    the majority vote): R_3 < R_1 and eps_g(3) > eps_g(1)."""
    c3, c1 = C.gibbs(K=3, alpha=2.0), C.gibbs(K=1, alpha=2.0)
    assert 0 < c3["R"] < c1["R"]
    assert c1["eps_g"] < c3["eps_g"] < 0.5
    assert c3["eps_g"] == pytest.approx(C.committee_error(math.acos(c3["R"]) / math.pi, 3), abs=1e-14)


def test_bad_input():
    """Even K, the fully connected architecture (not implemented) and negative T are refused."""
    with pytest.raises(ParamError):
        C.gibbs(K=2)
    with pytest.raises(ParamError):
        C.gibbs(arch="fully")
    with pytest.raises(ParamError):
        C.gibbs(T=-1)


# ----------------------------------------------------------------------------
# Replicon (AT) eigenvalue
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("alpha,T,weights", [
    (0.5, 0.0, "spherical"), (3.0, 0.0, "spherical"), (2.0, 1.0, "spherical"),
    (1.0, 0.0, "ising"), (1.2, 0.5, "ising"),
])
def test_one_branch_replicon_is_the_perceptron(alpha, T, weights):
    """K = 1: the replicon eigenvalue 1 - alpha gamma_S gamma_E of every branch equals perceptron.teacher's
    (de Almeida & Thouless 1978; Engel & Van den Broeck appendix A6), and so does ``stable``."""
    a = C.gibbs(K=1, alpha=alpha, T=T, weights=weights)
    b = P.teacher(alpha=alpha, T=T, weights=weights)
    assert [s.branch for s in a.branches] == [s.branch for s in b.branches]
    for x, y in zip(a.branches, b.branches):
        assert x.replicon_eigenvalue == pytest.approx(y.replicon_eigenvalue, abs=1e-9)
        assert x.stable == y.stable


def _brute_log_z(x, T):
    """ln z of one student replica for K = 3: z = eps + (1 - eps) P(majority of sign(x_k + noise) = +1), by an
    explicit sum over the 8 hidden sign patterns (x_k = omega_k / sqrt(1 - q), unit noise per branch)."""
    from scipy.special import ndtr
    eps = math.exp(-1 / T) if T > 0 else 0.0
    p = ndtr(x)
    M = np.zeros(len(x))
    for s in product((1, -1), repeat=3):
        if sum(s) > 0:
            M += np.prod([p[:, k] if s[k] > 0 else 1 - p[:, k] for k in range(3)], axis=0)
    return np.log(eps + (1 - eps) * M)


def _brute_gamma(q, R, T, n=72, h=3e-4):
    """gamma_E for K = 3 by tensor Gauss-Hermite quadrature over the three fields, the teacher's output
    probability by an explicit sign-pattern sum, and the Hessian of ln z by central finite differences;
    returns (full sum over k, l; diagonal k = l part)."""
    from scipy.special import ndtr
    z, w = hermite(n)
    t = np.stack(np.meshgrid(z, z, z, indexing="ij"), -1).reshape(-1, 3)
    W = np.prod(np.stack(np.meshgrid(w, w, w, indexing="ij"), -1).reshape(-1, 3), axis=1)
    tau = ndtr(R / math.sqrt(q - R * R) * t)
    Mt = np.zeros(len(t))
    for s in product((1, -1), repeat=3):
        if sum(s) > 0:
            Mt += np.prod([tau[:, k] if s[k] > 0 else 1 - tau[:, k] for k in range(3)], axis=0)
    x = math.sqrt(q / (1 - q)) * t
    E = np.eye(3) * h
    H = np.zeros((len(t), 3, 3))
    for k in range(3):
        for l in range(3):
            H[:, k, l] = (_brute_log_z(x + E[k] + E[l], T) - _brute_log_z(x + E[k] - E[l], T)
                          - _brute_log_z(x - E[k] + E[l], T) + _brute_log_z(x - E[k] - E[l], T)) / (4 * h * h)
    full = 2 * np.dot(W, Mt * (H ** 2).sum(axis=(1, 2)))     # the factor 2: both teacher outputs (t -> -t)
    diag = 2 * np.dot(W, Mt * (np.diagonal(H, axis1=1, axis2=2) ** 2).sum(axis=1))
    return full, diag


@pytest.mark.parametrize("q,R,T", [(0.45, 0.35, 1.0), (0.6, 0.6, 0.0)])
def test_replicon_factor_against_brute_force_three_branches(q, R, T):
    """K = 3: gamma_E = (1-q)^2 E[sum_kl (d^2 ln z/d omega_k d omega_l)^2] of tree_energetic (vote-count kernel,
    symmetric multisets) equals a brute-force evaluation (tensor Gauss-Hermite, explicit sign patterns, Hessian
    by finite differences), and so does its diagonal part; the off-diagonal (k != l) part is not small."""
    e = C.tree_energetic(q, R, T, K=3)
    full, diag = _brute_gamma(q, R, T)
    assert e["gamma"] == pytest.approx(full, rel=1e-6)
    assert e["gamma_diag"] == pytest.approx(diag, rel=1e-6)
    assert e["gamma"] - e["gamma_diag"] > 0.2 * e["gamma"]


@pytest.mark.slow
def test_nishimori_solutions_are_replica_stable():
    """T = 0 (Gibbs = posterior sample, Nishimori line R = q): the RS solution is replica-stable, lambda > 0, for
    spherical K = 3 at alpha = 0.5, 2, 6 and for the Ising poor branch at alpha = 0.8 (the perfect state has
    lambda = 1); lambda < 1 away from alpha = 0 (the energetic factor is positive)."""
    for a in (0.5, 2.0, 6.0):
        s = C.gibbs(K=3, alpha=a)
        assert s.stable is True and 0 < s.replicon_eigenvalue < 1, a
    s = C.gibbs(K=3, alpha=0.8, weights="ising")
    poor = s.branch_named("poor")
    assert poor.stable is True and 0 < poor.replicon_eigenvalue < 1
    assert s.branch_named("perfect").replicon_eigenvalue == 1.0
