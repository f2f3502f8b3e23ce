"""Claims of the replica theory of Gibbs learning in the tree committee machine (committee.gibbs)."""

import math
from itertools import product

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.theory import committee_gibbs as C
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


def test_free_entropy_derivative_in_alpha_is_the_energetic_term():
    """At a saddle point d f / d alpha = G_E(q*, R*) (stationarity in the order parameters): checked by a
    central difference of the K = 3 spherical free entropy at T = 0.5, alpha = 1.5."""
    a, h, T = 1.5, 1e-3, 0.5
    fp = C.gibbs(K=3, alpha=a + h, T=T)["free_entropy"]
    fm = C.gibbs(K=3, alpha=a - h, T=T)["free_entropy"]
    s = C.gibbs(K=3, alpha=a, T=T)
    G = C.tree_energetic(s["q"], s["R"], T, K=3)["G"]
    assert (fp - fm) / (2 * h) == pytest.approx(G, abs=1e-6)


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
