"""The two-unit ReLU tree in teacher-student learning (replicon/theory/committee/relu_tree.py)."""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import norm

from replicon._util import ParamError
from replicon.theory.committee import relu_tree as RT
from replicon.theory.committee.deep_storage import relu2_log_prob


def test_output_probabilities_against_independent_quadrature():
    """Unit noise: P_+ equals the storage code's own routine (a different rule); unequal noises: P_+ against
    scipy's adaptive quad of int_0^inf N(v; m1, s1) Phi((v - m2)/s2) dv; P_+ + P_- = 1 everywhere."""
    rng = np.random.default_rng(3)
    x1, x2 = rng.standard_normal(4000) * 6, rng.standard_normal(4000) * 6
    lp, lm = RT.relu2_log_probs(x1, x2)
    assert np.max(np.abs(lp - relu2_log_prob(x1, x2))) < 1e-11
    assert np.max(np.abs(np.exp(lp) + np.exp(lm) - 1.0)) < 1e-14
    for m1, m2, s1, s2 in ((0.3, -0.5, 0.4, 1.3), (2.0, 1.0, 1.5, 0.3), (-3.0, -2.0, 0.5, 0.9), (4.0, 5.0, 0.2, 0.7)):
        ref = quad(lambda v: norm.pdf(v, m1, s1) * norm.cdf((v - m2) / s2), 0, np.inf, epsabs=0, epsrel=1e-13,
                   limit=200)[0]
        a, b = RT.relu2_log_probs(m1, m2, s1, s2)
        assert math.exp(a) == pytest.approx(ref, rel=1e-12)
        assert math.exp(b) == pytest.approx(1.0 - ref, rel=1e-12, abs=1e-15)


def test_deep_tails_keep_relative_accuracy():
    """Where P_+ is e^-400 (both fields far negative) the log is finite and smooth, and P_- = 1 - P_+ where
    P_+ -> 1: no log of a rounded zero."""
    lp, lm = RT.relu2_log_probs(np.array([-28.0, -28.5, 30.0]), np.array([0.0, 0.0, -30.0]))
    assert np.all(np.isfinite(lp)) and np.all(np.isfinite(lm))
    assert lp[0] == pytest.approx(norm.logcdf(-28.0) + math.log(0.5), rel=0.02)   # P(h1 > 0) P(h2 < h1) ~ Phi(-28)/2
    assert lm[2] < -400


def test_closed_form_gradient_and_hessian_against_finite_differences():
    m1, m2, s1, s2 = 0.3, -0.5, 0.4, 1.3
    P = lambda a, b: math.exp(RT.relu2_log_probs(a, b, s1, s2)[0])
    lp = RT.relu2_log_probs(m1, m2, s1, s2)[0]
    g1, g2, h11, h12, h22 = (float(np.ravel(v)[0]) * math.exp(lp) for v in
                             RT.relu2_grad_hess(np.array([m1]), np.array([m2]), s1, s2, lp))
    h = 1e-6
    assert g1 == pytest.approx((P(m1 + h, m2) - P(m1 - h, m2)) / (2 * h), rel=1e-7)
    assert g2 == pytest.approx((P(m1, m2 + h) - P(m1, m2 - h)) / (2 * h), rel=1e-7)
    h = 1e-4
    assert h11 == pytest.approx((P(m1 + h, m2) - 2 * P(m1, m2) + P(m1 - h, m2)) / h ** 2, rel=1e-5)
    assert h22 == pytest.approx((P(m1, m2 + h) - 2 * P(m1, m2) + P(m1, m2 - h)) / h ** 2, rel=1e-5)
    assert h12 == pytest.approx((P(m1 + h, m2 + h) - P(m1 + h, m2 - h) - P(m1 - h, m2 + h) + P(m1 - h, m2 - h))
                                / (4 * h * h), rel=1e-5)


@pytest.mark.parametrize("T", [0.0, 0.7])
def test_energetic_term_at_zero_overlap(T):
    """q = R = 0: the student's output is +1 with probability 3/8 whatever the input (h_1 > max(0, h_2)
    for iid fields), so G_E = sum_p p ln(eps + (1 - eps) p) over p = 3/8, 5/8 (derived)."""
    eps = math.exp(-1.0 / T) if T > 0 else 0.0
    exact = sum(p * math.log(eps + (1 - eps) * p) for p in (3 / 8, 5 / 8))
    e = RT.relu2_energetic((1e-12, 1e-12), (1e-12, 1e-12) if T == 0 else (0.0, 0.0), T)
    assert e["G"] == pytest.approx(exact, abs=1e-10)


@pytest.mark.parametrize("qs, Rs, T", [((0.4, 0.6), (0.3, 0.5), 0.0), ((0.9, 0.3), (0.8, 0.1), 1.0)])
def test_energetic_gradients_against_finite_differences(qs, Rs, T):
    qs, Rs = np.array(qs), np.array(Rs)
    e = RT.relu2_energetic(qs, Rs, T)
    h = 1e-6
    for k in range(2):
        d = np.zeros(2)
        d[k] = h
        fq = (RT.relu2_energetic(qs + d, Rs, T)["G"] - RT.relu2_energetic(qs - d, Rs, T)["G"]) / (2 * h)
        fr = (RT.relu2_energetic(qs, Rs + d, T)["G"] - RT.relu2_energetic(qs, Rs - d, T)["G"]) / (2 * h)
        assert e["dq"][k] == pytest.approx(fq, abs=1e-7)
        assert e["dR"][k] == pytest.approx(fr, abs=1e-7)


def test_nishimori_line_and_information_monotonicity():
    """On R = q (T = 0, Bayes-optimal): dG/dq_k = -dG/dR_k / 2 (Nishimori), and dG/dR_k >= 0 for each unit
    (side information on a unit can only lower the output's conditional entropy). The asymmetric point
    (0.95, 0.01) is where a version that normalised both units' noise to 1 gave dG/dR_2 < 0."""
    q = np.array([0.95, 0.01])
    e = RT.relu2_energetic(q, q, 0.0)
    assert np.allclose(e["dq"], -0.5 * e["dR"], rtol=1e-8, atol=1e-12)
    assert np.all(e["dR"] > 0)


def test_quadrature_converges():
    q = np.array([0.9, 0.3])
    R = np.array([0.8, 0.1])
    a, b = RT.relu2_energetic(q, R, 1.0), RT.relu2_energetic(q, R, 1.0, n=120)
    assert abs(a["G"] - b["G"]) < 1e-10
    assert np.max(np.abs(a["dq"] - b["dq"])) < 1e-8


def test_generalisation_error_limits():
    """R -> 0: independent outputs with P(+) = 3/8, eps_g = 2 (3/8)(5/8) = 15/32; R -> 1: 0."""
    assert RT.relu2_generalisation((1e-12, 1e-12)) == pytest.approx(15 / 32, abs=1e-9)
    assert RT.relu2_generalisation((1 - 1e-9, 1 - 1e-9)) < 1e-3


def test_zero_alpha_and_bad_input():
    s = RT.relu_tree(alpha=0.0, T=0.0)
    assert s.converged and s.observables["eps_g"] == pytest.approx(15 / 32, abs=1e-9)
    with pytest.raises(ParamError, match="allowed: branching=2"):
        RT.relu_tree(alpha=1.0, branching="4")
    with pytest.raises(ParamError, match="output=majority"):
        RT.relu_tree(alpha=1.0, output="parity")


@pytest.mark.slow
def test_solved_points_are_converged_attracting_and_asymmetric():
    """T = 0, alpha = 1 and 3: one attracting RS branch, replicon-stable, unit 1 (weight +1, which alone makes a
    +1 output) learns faster than unit 2; eps_g falls with alpha."""
    a = RT.relu_tree(alpha=1.0, T=0.0)
    b = RT.relu_tree(alpha=3.0, T=0.0)
    for s in (a, b):
        assert s.converged and s.branch == "rs" and s.stable
        assert s.order["R_1"] > s.order["R_2"] > 0
    assert b.observables["eps_g"] < a.observables["eps_g"] < 15 / 32


@pytest.mark.parametrize("which", [1, 2])
def test_half_perfect_energetic_is_the_limit_of_the_full_one(which):
    """One unit exact (q = R = 1): half_perfect_energetic (closed-form output probabilities) against the full
    two-unit energetic term at q = R = 1 - d of that unit; the difference falls like sqrt(d) (a unit's noise
    sqrt(1 - q)): below 1e-3 at d = 1e-6 and 10x smaller at d = 1e-8."""
    q, R, T = 0.5, 0.3, 1.0
    hp = RT.half_perfect_energetic(which, q, R, T)["G"]
    diffs = []
    for d in (1e-6, 1e-8):
        qs = np.array([1 - d, q]) if which == 1 else np.array([q, 1 - d])
        Rs = np.array([1 - d, R]) if which == 1 else np.array([R, 1 - d])
        diffs.append(abs(RT.relu2_energetic(qs, Rs, T)["G"] - hp))
    assert diffs[0] < 1e-3 and diffs[1] < 3e-5


@pytest.mark.slow
def test_ising_half_perfect_state_takes_over():
    """Ising weights, T = 0: at alpha = 1 the poor state is thermodynamic (f = 0.157 against 0.125 for unit 1
    exact, 0 for both exact); at alpha = 1.5 the poor branch is gone and the thermodynamic state is
    perfect_1 (unit 1 exactly the teacher's, unit 2 at R_2 ~ 0.61, f > 0), not the fully perfect one."""
    a = RT.relu_tree(alpha=1.0, T=0.0, weights="ising")
    assert a.branch == "poor"
    b = RT.relu_tree(alpha=1.5, T=0.0, weights="ising")
    assert b.branch == "perfect_1" and b.observables["free_entropy"] > 0
    assert b.order["R_1"] == 1.0 and 0.3 < b.order["R_2"] < 0.9
