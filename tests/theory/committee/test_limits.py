"""The committee machines' physical limits against their analytic forms (issue 10): T -> infinity and
alpha -> 0 (linear response: the poor / symmetric branch in closed form), alpha -> infinity (the
specialised branch and its eps_g ~ c/alpha constants), and the edges where the equations cannot resolve
the state, which must say so instead of returning another branch as converged.

Linear response (derived in ``perceptron.TeacherStudent.linear_response``): at small overlaps the sign
outputs of teacher and students are correlated by ``kappa (2/pi) R``, ``kappa = K f^2`` with ``f =
C(K-1, (K-1)/2)/2^(K-1)`` the majority's linear coefficient in one branch (3/4 for K = 3, 2/pi as
K -> infinity), so ``R = kappa (2 alpha/pi) rho``, ``q = R rho + R^2`` with ``rho = c/(2 - c)``,
``c = 1 - e^{-1/T}``, and ``1/2 - eps_g = kappa R/pi`` (tree) to relative O(q).
"""

import math

import pytest
from scipy.special import comb

from replicon.theory.committee import bayes as B
from replicon.theory.committee import bayes_large_k as BLK
from replicon.theory.committee import fully as FC
from replicon.theory.committee import fully_large_k as F
from replicon.theory.committee import storage as S
from replicon.theory.committee import tree as TR
from replicon.theory.committee import tree_large_k as LK
from replicon.theory.perceptron import C0_NISHIMORI

LN2 = math.log(2.0)
PERCEPTRON = math.sqrt(2.0) / (math.pi * C0_NISHIMORI)         # 0.62466: eps_g alpha, perceptron, T = 0
LARGE_K = 2.0 * PERCEPTRON                                        # 1.24932: K -> infinity committees


def kappa(K):
    return 2.0 / math.pi if K == "inf" else K * (comb(K - 1, (K - 1) // 2, exact=True) / 2.0 ** (K - 1)) ** 2


def linear(alpha, T, K):
    c = -math.expm1(-1.0 / T) if T > 0 else 1.0
    rho = c / (2.0 - c)
    R = kappa(K) * 2.0 * alpha / math.pi * rho
    return R, (R if T == 0 else R * rho + R * R)


# --- T -> infinity, alpha -> 0: tree committee and its K -> infinity limit -------------------------

@pytest.mark.parametrize("K, weights, T, alpha", [
    pytest.param(3, "ising", 1e8, 1.0, marks=pytest.mark.slow),   # issue 10 item 1: was the perfect state
    (3, "spherical", 1e5, 1.0),
    (3, "ising", 1e300, 1.0),
    (5, "spherical", 1e12, 2.0),       # closed form (q < 1e-20)
    (3, "spherical", 1.0, 1e-9),
    (7, "ising", 0.0, 1e-30),
])
def test_tree_committee_poor_branch_is_the_linear_response(K, weights, T, alpha):
    sol = TR.gibbs(K=K, alpha=alpha, T=T, weights=weights)
    assert sol.converged and sol.status == "thermodynamic" and sol.branch == ("poor" if weights == "ising" else "rs")
    R, q = linear(alpha, T, K)
    assert sol["R"] == pytest.approx(R, rel=3 * q + 1e-10)
    if q > 1e-300:
        assert sol["q"] == pytest.approx(q, rel=3 * q + 1e-10)
    assert 0.5 - sol["eps_g"] == pytest.approx(kappa(K) * R / math.pi, rel=1e-6, abs=1e-16)
    if weights == "ising":
        assert sol.branch_named("perfect").status == "metastable"


@pytest.mark.parametrize("weights, T, alpha", [("ising", 1e8, 1.0), ("spherical", 1e300, 3.0), ("ising", 1.0, 1e-12),
                                               ("spherical", 0.0, 1e-300)])
def test_large_k_tree_poor_branch_is_the_linear_response(weights, T, alpha):
    """Issue 10 item 1 for committee.gibbs_largek (T = 1e8 gave the perfect state): kappa = 2/pi, and
    eps_g = arccos((2/pi) arcsin R)/pi, 1/2 - eps_g = (2/pi) R/pi."""
    sol = LK.gibbs_large_k(alpha=alpha, T=T, weights=weights)
    assert sol.converged and sol.status == "thermodynamic" and sol.branch in ("poor", "rs")
    R, q = linear(alpha, T, "inf")
    assert sol["R"] == pytest.approx(R, rel=3 * q + 1e-12)
    assert 0.5 - sol["eps_g"] == pytest.approx(2 / math.pi * R / math.pi, rel=1e-6, abs=1e-16)


@pytest.mark.parametrize("weights", ["spherical", "ising"])
@pytest.mark.parametrize("T, alpha", [(1e8, 1.0), (1e12, 1.0), (1.0, 1e-8)])
def test_fully_connected_symmetric_branch_is_the_linear_response(weights, T, alpha):
    """arch = fully, K = 3: the permutation-symmetric branch at small overlaps. Each student unit overlaps
    each teacher unit by R (reported per unit pair); the K^2 pairs add up to the tree's R_tree = K R, and the
    committee error is the tree's, 1/2 - eps_g = kappa R_tree/pi. T = 1e8 gave q at the box margin 1e-13."""
    sol = FC.gibbs(K=3, arch="fully", alpha=alpha, T=T, weights=weights)
    assert sol.converged and sol.branch == "symmetric" and sol.status == "thermodynamic"
    R_tree, q = linear(alpha, T, 3)
    assert 3 * sol["R"] == pytest.approx(R_tree, rel=3 * q + 1e-8)
    assert 0.5 - sol["eps_g"] == pytest.approx(kappa(3) * R_tree / math.pi, rel=1e-4, abs=1e-15)


# --- alpha -> infinity: the specialised / perfect branches --------------------------------------------

@pytest.mark.parametrize("alpha", [300.0, 1000.0, 3000.0])
def test_tree_committee_large_alpha_is_the_perceptron_constant(alpha):
    """Spherical tree, K = 3, T = 0: at large alpha only the branch whose field is near 0 matters, and it
    matters only when the other K - 1 votes tie (probability f): G_E ~ K f G_E^perc(q), sqrt(1-q) =
    1/(alpha K f C0), eps_hidden = sqrt(2)/(pi C0 K f alpha) and eps_g = K f eps_hidden = 0.62466/alpha,
    the perceptron's (derived here); the next order is 1/alpha, eps_g alpha = 0.62466 (1 + 0.428/alpha)."""
    sol = TR.gibbs(K=3, alpha=alpha)
    assert sol.converged and sol.branch == "rs"
    assert (sol["eps_g"] * alpha / PERCEPTRON - 1) * alpha == pytest.approx(0.428, abs=0.01)
    f = 0.5
    assert sol["eps_hidden"] * alpha * 3 * f == pytest.approx(PERCEPTRON, rel=1.0 / alpha)


@pytest.mark.parametrize("alpha", [100.0, 1e3, 1e4, 1e8, 1e80])
def test_large_k_tree_large_alpha(alpha):
    """K -> infinity tree, spherical, T = 0: 1 - Q = (2/pi) arccos q ~ (2/pi) sqrt(2 (1-q)) makes the free
    entropy 1/2 ln(1-q) - alpha C0 sqrt(1 - Q): 1 - q ~ alpha^-4 and eps_g = 2 sqrt(2)/(pi C0 alpha) =
    1.24932/alpha (twice the perceptron's), next order c2/alpha^2 with c2 = 1.4958; lambda -> 1/4. Beyond
    alpha ~ 2000 this needs the coordinate 1 - q (it was no solution at alpha = 3000)."""
    sol = LK.gibbs_large_k(alpha=alpha)
    assert sol.converged and sol.branch == "rs"
    assert sol["eps_g"] * alpha / LARGE_K - 1 == pytest.approx(1.4958 / alpha / alpha, rel=1e-2, abs=1e-13)
    assert sol.replicon_eigenvalue == pytest.approx(0.25, abs=5.0 / alpha)


@pytest.mark.parametrize("alpha_tilde", [1000.0, 3000.0, 1e4, 1e8, 1e20])
def test_fully_connected_large_k_specialised_branch_at_large_alpha(alpha_tilde):
    """Issue 10 item 2: alpha_tilde = 3000, 1e4, 1e8 lost the specialised branch and reported the
    permutation-symmetric one (eps_g 0.280). The specialised branch has 1 - Q = (2/pi)(arccos q_d -
    (1 - q_d)) ~ (2/pi) sqrt(2 (1 - q_d)), so (module docstring) eps_g = 2 sqrt(2)/(pi C0 alpha_tilde) =
    1.24932/alpha_tilde with corrections c2/alpha_tilde^2, c2 = 7.545 (checked over decades)."""
    sol = F.gibbs_fully_large_k(alpha_tilde=alpha_tilde)
    assert sol.converged and sol.branch == "specialised" and sol.status == "thermodynamic"
    a = alpha_tilde
    assert sol["eps_g"] * a / LARGE_K - 1 == pytest.approx(7.545 / a / a, rel=3e-3, abs=1e-13)
    ps = sol.branch_named("permutation_symmetric")
    assert ps.status == "metastable" and ps["eps_g"] == pytest.approx(0.28033, abs=1e-5)
    assert sol["one_minus_q_d"] > 0
    b = BLK.bayes_large_k(alpha_tilde=alpha_tilde)          # the same equations (Gaussian prior Bayes)
    assert b["eps_g"] == pytest.approx(sol["eps_g"], rel=1e-12)
    assert b["free_entropy"] == pytest.approx(sol["free_entropy"], rel=1e-12)


def test_fully_connected_large_k_coordinates_switch_continuously():
    """1 - q_d is the coordinate from A_COMPLEMENT on: on both sides the same state."""
    a = F.A_COMPLEMENT
    lo, hi = F.gibbs_fully_large_k(alpha_tilde=a * (1 - 1e-9)), F.gibbs_fully_large_k(alpha_tilde=a)
    assert lo["eps_g"] == pytest.approx(hi["eps_g"], rel=1e-8)
    assert lo["free_entropy"] == pytest.approx(hi["free_entropy"], rel=1e-10)


@pytest.mark.slow
def test_fully_connected_large_k_says_so_where_it_cannot_resolve():
    """T > 0: the specialised branch's 1 - R_d ~ alpha_tilde^-4 is below what (q_d, R_d) resolve at
    alpha_tilde = 3000 (T = 0.5); it must not report the permutation-symmetric branch instead."""
    sol = F.gibbs_fully_large_k(alpha_tilde=3000.0, T=0.5)
    assert not sol.converged and "specialised" in sol.message
    ok = F.gibbs_fully_large_k(alpha_tilde=1000.0, T=0.5)
    assert ok.converged and ok.branch == "specialised"


@pytest.mark.parametrize("alpha", [1e3, 1e5, 1e7, 1e100])
def test_bayes_k1_large_alpha_is_the_bayes_perceptron(alpha):
    """committee.bayes, K = 1, Gaussian prior, is the spherical perceptron at T = 0 (Nishimori): eps_g
    alpha -> 0.62466 and eps_bayes alpha -> 0.44170 (1/(pi C0)). At alpha = 1e7 it reported 0.6294 from a
    point where the map holds its iterate (q > 1 - 1e-10)."""
    sol = B.bayes(K=1, alpha=alpha)
    assert sol.converged
    assert sol["eps_g"] * alpha == pytest.approx(PERCEPTRON, rel=2.0 / alpha ** 2 + 1e-12)
    assert sol["eps_bayes"] * alpha == pytest.approx(1.0 / (math.pi * C0_NISHIMORI), rel=2.0 / alpha ** 2 + 1e-12)


@pytest.mark.slow
def test_bayes_committee_large_alpha_says_so_where_it_cannot_resolve():
    """K = 2, Gaussian prior: beyond the specialisation transition the specialised branch is thermodynamic;
    at alpha = 1e4 the symmetric coordinates no longer resolve it and the solve says so (it reported the
    non-specialised branch, eps_g = 1/3); at 1e3 it is found, eps_g alpha -> 1.25."""
    ok = B.bayes(K=2, alpha=1e3)
    assert ok.converged and ok.branch == "specialised"
    assert ok["eps_g"] * 1e3 == pytest.approx(1.25, rel=2e-3)
    bad = B.bayes(K=2, alpha=1e4)
    assert not bad.converged and "specialised" in bad.message


@pytest.mark.parametrize("K", [1, 2])
@pytest.mark.parametrize("alpha", [1e-300, 1e-12])
def test_bayes_small_alpha(K, alpha):
    """alpha -> 0: q (K = 1) or q_a (K = 2) = kappa' (2/pi) alpha with the output's linear coefficient
    (1 for both: K = 2's average field is a perceptron's at first order); the free entropy is -alpha times
    the entropy of the label (ln 2; K = 2 with ties: 1/4, 1/4, 1/2). Was no solution below alpha ~ 1e-12."""
    sol = B.bayes(K=K, alpha=alpha)
    assert sol.converged
    q = sol["q"] if K == 1 else sol["q_a"]
    assert q == pytest.approx(2 * alpha / math.pi, rel=1e-10)
    H = LN2 if K == 1 else -(0.5 * math.log(0.25) + 0.5 * math.log(0.5))
    assert sol["free_entropy"] == pytest.approx(-alpha * H, rel=1e-9)


@pytest.mark.parametrize("K, alpha", [(3, 1e-300), (3, 1e-12), (3, 1e-6),
                                      pytest.param(5, 1e-12, marks=pytest.mark.slow)])
def test_tree_storage_small_alpha(K, alpha):
    """Random labels, alpha -> 0: q = kappa (2/pi) alpha (the teacher problem at R = 0, T = 0) and the
    Gardner volume halves per pattern, entropy -alpha ln 2. Was no solution below alpha ~ 1e-11."""
    sol = S.storage(K=K, alpha=alpha)
    assert sol.converged
    q = kappa(K) * 2 * alpha / math.pi
    assert sol["q"] == pytest.approx(q, rel=2 * q + 1e-10)
    assert sol["entropy"] == pytest.approx(-alpha * LN2, rel=1e-9)


@pytest.mark.parametrize("alpha_tilde", [1e60, 1e72, 1e300])
def test_large_k_committees_where_one_minus_q_underflows(alpha_tilde):
    """1 - q_d ~ (2.92/alpha_tilde)^4 underflows beyond alpha_tilde ~ 1e70: the asymptote (exact there)
    continues the solved branch; the Bayes large-K committee (same equations) agrees, eps_bayes = eps_g/sqrt 2."""
    s, b = F.gibbs_fully_large_k(alpha_tilde=alpha_tilde), BLK.bayes_large_k(alpha_tilde=alpha_tilde)
    assert s.converged and s.branch == "specialised" and b.branch == "specialised"
    assert s["eps_g"] * alpha_tilde == pytest.approx(LARGE_K, rel=1e-12)
    assert b["eps_bayes"] * alpha_tilde == pytest.approx(LARGE_K / math.sqrt(2.0), rel=1e-12)
    d4 = 2.0 / (alpha_tilde * C0_NISHIMORI * math.sqrt(2 / math.pi) * 2 ** 0.25)
    assert s["free_entropy"] == pytest.approx(2 * math.log(d4) - 1.5, rel=1e-12)
    assert b["free_entropy"] == pytest.approx(s["free_entropy"], rel=1e-12)


@pytest.mark.parametrize("T", [1e3, 1e7, 1e100])
def test_fully_connected_large_k_hidden_correlation_at_high_temperature(T):
    """Permutation-symmetric branch, T -> infinity: L* = 1 + c_a = 8 T^2 + O(1) (derived in best_L: the
    O(1/T) error term against the O(1/T^2) overlap term); eps_g -> arccos(sqrt(2/pi))/pi = 0.20595.
    Beyond T ~ 1e7 the root of dG_E/dL was noise (c_a off by a factor 7.7); beyond 1e150 8 T^2 overflows
    and the solve says so."""
    ps = F.permutation_symmetric(8.0, T)
    assert ps["c_a"] + 1 - 8 * T * T == pytest.approx(0.2553, abs=1e-3 + 1e-16 * T * T)
    assert ps["eps_g"] == pytest.approx(math.acos(math.sqrt(2 / math.pi)) / math.pi, abs=1e-6)
    bad = F.gibbs_fully_large_k(alpha_tilde=8.0, T=1e300)
    assert not bad.converged and "overflow" in bad.message
