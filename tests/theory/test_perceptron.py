"""Claims of the perceptron's replica theory, each against its published value or a closed form."""

import math

import numpy as np
import pytest
from scipy import integrate

from replicon._util import ParamError
from replicon.theory import perceptron as P


# --- storage -------------------------------------------------------------------------------

def test_gardner_capacity_is_two_at_zero_margin():
    """Gardner (1988), eq. (28): alpha_c(kappa = 0) = 2 for spherical weights."""
    assert P.capacity(0.0)["alpha_c"] == pytest.approx(2.0, abs=1e-14)


@pytest.mark.parametrize("kappa", [-1.0, 0.5, 1.0, 2.0])
def test_gardner_capacity_closed_form_matches_quadrature(kappa):
    """alpha_c(kappa) = 1 / int_{-kappa}^inf Dt (t + kappa)^2 (Gardner 1988 eq. (28)), by quad."""
    I, _ = integrate.quad(lambda t: np.exp(-t * t / 2) / math.sqrt(2 * math.pi) * (t + kappa) ** 2, -kappa, np.inf)
    assert P.capacity(kappa)["alpha_c"] == pytest.approx(1.0 / I, rel=1e-10)


@pytest.mark.parametrize("kappa", [0.0, 0.5])
def test_storage_overlap_goes_to_one_at_capacity(kappa):
    """The RS overlap q -> 1 as alpha -> alpha_c(kappa) (Gardner 1988): the solver's q tracks it."""
    ac = P.capacity(kappa)["alpha_c"]
    qs = [P.storage(alpha=f * ac, kappa=kappa)["q"] for f in (0.9, 0.99, 0.999)]
    assert qs[0] < qs[1] < qs[2]
    assert qs[2] > 0.99


def test_storage_beyond_capacity_is_not_a_result():
    """Beyond alpha_c there is no RS solution with q < 1: the solver says so instead of returning one."""
    sol = P.storage(alpha=2.5)
    assert not sol.converged and "capacity" in sol.message


def test_storage_replicon_stability():
    """AT stability (Gardner & Derrida 1988): RS is stable for kappa >= 0 below alpha_c and unstable
    for negative margins near their capacity; the replicon eigenvalue vanishes as alpha -> alpha_c(0)."""
    assert P.storage(alpha=1.5, kappa=0.0).stable
    assert P.storage(alpha=1.8, kappa=1.0 - 1.0).replicon_eigenvalue > 0
    assert not P.storage(alpha=0.9 * P.capacity(-0.5)["alpha_c"], kappa=-0.5).stable
    assert abs(P.storage(alpha=1.999, kappa=0.0).replicon_eigenvalue) < 0.03


def test_ising_rs_capacity_is_four_over_pi():
    """Gardner & Derrida (1988): the RS solution of Ising storage reaches q = 1 at alpha = 4/pi."""
    assert P.capacity(0.0, "ising")["alpha_c"] == pytest.approx(4 / math.pi, rel=1e-12)
    assert P.storage(alpha=0.999 * 4 / math.pi, weights="ising")["q"] > 0.99


def test_ising_zero_entropy_point_krauth_mezard():
    """Krauth & Mezard, J. Phys. France 50, 3057 (1989): the RS entropy of the Ising perceptron
    vanishes at alpha = 0.833 (kappa = 0)."""
    sol = P.capacity(0.0, "ising")
    assert round(sol["alpha_zero_entropy"], 3) == 0.833
    assert abs(P.storage(alpha=sol["alpha_zero_entropy"], weights="ising")["entropy"]) < 1e-8


def test_ising_storage_entropy_starts_at_log2():
    """With no patterns every Ising vector is a solution: entropy ln 2 per weight."""
    assert P.storage(alpha=0.0, weights="ising")["entropy"] == pytest.approx(math.log(2))
    assert P.storage(alpha=1e-3, weights="ising")["entropy"] == pytest.approx(math.log(2), abs=2e-3)


# --- energetic term: quadrature and derivatives ---------------------------------------------

@pytest.mark.parametrize("q,R,T", [(0.3, 0.3, 0.0), (0.9, 0.85, 0.0), (0.5, 0.4, 0.7), (0.999, 0.999, 0.0)])
def test_teacher_energetic_term_matches_adaptive_quadrature(q, R, T):
    """G_E = 2 int Dt H(-R t/sqrt(q-R^2)) ln[e^-b + (1-e^-b) H(-sqrt(q/(1-q)) t)] (Engel & Van den
    Broeck eq. (2.32), with temperature) against scipy's adaptive quad."""
    from scipy.special import ndtr, log_ndtr

    A, b = R / math.sqrt(q - R * R), math.sqrt(q / (1 - q))
    eps = math.exp(-1 / T) if T > 0 else 0.0

    def f(t):
        lz = log_ndtr(b * t) if eps == 0 else math.log(eps + (1 - eps) * ndtr(b * t))
        return 2 * math.exp(-t * t / 2) / math.sqrt(2 * math.pi) * ndtr(A * t) * lz

    ref, _ = integrate.quad(f, -14, 14, points=[0.0], limit=400, epsabs=1e-13)
    assert P.teacher_energetic(q, R, T)["G"] == pytest.approx(ref, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("q,R,T", [(0.4, 0.3, 0.0), (0.8, 0.7, 0.5)])
def test_teacher_energetic_derivatives_match_finite_differences(q, R, T):
    """The analytic dG_E/dq and dG_E/dR used in the fixed-point map equal central differences."""
    e = P.teacher_energetic(q, R, T)
    h = 1e-6
    dq = (P.teacher_energetic(q + h, R, T)["G"] - P.teacher_energetic(q - h, R, T)["G"]) / (2 * h)
    dR = (P.teacher_energetic(q, R + h, T)["G"] - P.teacher_energetic(q, R - h, T)["G"]) / (2 * h)
    assert e["dq"] == pytest.approx(dq, rel=1e-6)
    assert e["dR"] == pytest.approx(dR, rel=1e-6)


def test_training_error_is_minus_beta_derivative():
    """eps_t = -dG_E/dbeta: the reported training error equals a finite difference in beta."""
    q, R, T = 0.6, 0.5, 0.5
    h = 1e-5
    Gp = P.teacher_energetic(q, R, 1 / (1 / T + h))["G"]
    Gm = P.teacher_energetic(q, R, 1 / (1 / T - h))["G"]
    assert P.teacher_energetic(q, R, T)["eps_t"] == pytest.approx(-(Gp - Gm) / (2 * h), rel=1e-6)


# --- teacher-student, spherical --------------------------------------------------------------

def test_gibbs_learning_decays_as_0625_over_alpha():
    """Engel & Van den Broeck sec. 2.3: Gibbs learning eps_g ~ 0.625/alpha for large alpha."""
    sol = P.teacher(alpha=1000.0)
    assert 1000.0 * sol["eps_g_gibbs"] == pytest.approx(0.625, abs=1e-3)


def test_bayes_learning_decays_as_0442_over_alpha():
    """Engel & Van den Broeck sec. 3.6: the Bayes-optimal (centre of mass) eps_g ~ 0.442/alpha."""
    sol = P.teacher(alpha=1000.0, student="bayes")
    assert 1000.0 * sol["eps_g"] == pytest.approx(0.442, abs=1e-3)


def test_gibbs_error_is_at_most_twice_bayes_and_above_it():
    """Bayes is optimal (eps_bayes <= eps_gibbs) and eps_gibbs <= 2 eps_bayes (Haussler, Kearns & Schapire 1994)."""
    for a in (0.3, 1.0, 3.0, 10.0):
        s = P.teacher(alpha=a)
        assert s["eps_g_bayes"] < s["eps_g_gibbs"] <= 2 * s["eps_g_bayes"]


def test_no_data_means_random_guessing():
    """alpha = 0: R = q = 0 and eps_g = 1/2 exactly."""
    s = P.teacher(alpha=0.0)
    assert s["R"] == 0 and s["eps_g"] == 0.5


def test_small_temperature_is_continuous_with_version_space_learning():
    """T -> 0 of the two-variable (q, R) equations meets the Nishimori-line solution at T = 0."""
    s0, s1 = P.teacher(alpha=2.0), P.teacher(alpha=2.0, T=0.03)
    assert s1["R"] == pytest.approx(s0["R"], abs=3e-3)
    assert s1["q"] == pytest.approx(s0["q"], abs=3e-3)
    assert s1["eps_t"] < 1e-3


def test_temperature_breaks_nishimori_q_below_R():
    """At T > 0 the student is noisier than the posterior: q < R (Engel & Van den Broeck ch. 4)."""
    s = P.teacher(alpha=2.0, T=0.5)
    assert s["q"] < s["R"] - 0.02


def test_entropy_at_small_alpha():
    """Version-space entropy for small alpha: s = alpha ln(1/2) + O(alpha^2) (each example halves the volume)."""
    a = 1e-3
    assert P.teacher(alpha=a)["entropy"] == pytest.approx(a * math.log(0.5), rel=2e-3)


def test_hebb_closed_form():
    """Hebb rule: R = sqrt(2 alpha/pi)/sqrt(1 + 2 alpha/pi) (Engel & Van den Broeck sec. 3.1)."""
    s = P.hebb(alpha=2.0)
    x = 4 / math.pi
    assert s["R"] == pytest.approx(math.sqrt(x / (1 + x)), rel=1e-15)


# --- teacher-student, Ising: first-order transition ------------------------------------------

def test_ising_transition_and_spinodal_gyorgyi():
    """Györgyi, PRA 41, 7097 (1990); Sompolinsky, Tishby & Seung, PRL 65, 1683 (1990): at T = 0
    the Ising student jumps to perfect generalisation at alpha = 1.245; the poor branch ends at 1.493."""
    sol = P.teacher_transition(T=0.0)
    assert round(sol["alpha_transition"], 3) == 1.245
    assert round(sol["alpha_spinodal"], 3) == 1.493


def test_ising_branches_coexist_between_transition_and_spinodal():
    """Between 1.245 and 1.493 both the poor branch and the exact perfect state exist; the perfect
    one is thermodynamic, the poor one metastable; beyond the spinodal only the perfect state is left."""
    s = P.teacher(alpha=1.4, weights="ising")
    labels = {b.branch: b for b in s.branches}
    assert s.branch == "perfect" and labels["poor"].status == "metastable"
    below = P.teacher(alpha=1.2, weights="ising")
    assert below.branch == "poor" and below.branch_named("perfect").status == "metastable"
    beyond = P.teacher(alpha=1.6, weights="ising")
    assert [b.branch for b in beyond.branches] == ["perfect"]


def test_perfect_state_is_exact():
    """The perfect-generalisation state is represented exactly: R = q = 1, zero entropy, infinite conjugates."""
    p = P.teacher(alpha=2.0, weights="ising")
    assert p.branch == "perfect"
    assert p["R"] == 1.0 and p["q"] == 1.0 and p["entropy"] == 0.0
    assert math.isinf(p.order["q_hat"])
    assert p.to_dict()["order"]["q_hat"] == "inf"


def test_ising_transition_moves_to_larger_alpha_with_temperature():
    """Sompolinsky, Tishby & Seung (1990), Fig. 2: the transition line alpha_tr(T) increases with T."""
    a0 = P.teacher_transition(T=0.0)["alpha_transition"]
    a1 = P.teacher_transition(T=0.5)["alpha_transition"]
    assert a1 > a0 + 0.1


def test_unconverged_points_are_never_results():
    """Every branch returned is converged with a small undamped residual."""
    for a in (0.5, 1.3, 1.49, 2.0):
        s = P.teacher(alpha=a, weights="ising")
        for b in s.branches:
            assert b.converged and b.residual < 1e-9


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [dict(alpha=-1), dict(T=-0.1), dict(weights="potts"), dict(student="x"),
                                dict(alpha="abc")])
def test_bad_input_is_a_value_error(kw):
    with pytest.raises(ValueError):
        P.teacher(**kw)


def test_kappa_out_of_range():
    with pytest.raises(ParamError, match="kappa"):
        P.storage(alpha=1.0, kappa=100)


@pytest.mark.parametrize("alpha", [0.5, 3.0, 50.0])
def test_gibbs_learning_satisfies_engel_van_den_broeck_eq_2_42(alpha):
    """Engel & Van den Broeck (2001) eq. (2.42), the one-variable form of Gibbs learning:
    R/sqrt(1-R) = (alpha/pi) int Dt exp(-R t^2/2) / H(sqrt(R) t), solved here with quad + brentq,
    equals the engine's (q, R) solution to 1e-9."""
    from scipy import optimize
    from scipy.special import log_ndtr

    def rhs(R):
        f = lambda t: math.exp(-t * t * (1 + R) / 2 - log_ndtr(-math.sqrt(R) * t)) / math.sqrt(2 * math.pi)
        return alpha / math.pi * integrate.quad(f, -40, 40, epsabs=1e-13, epsrel=1e-12, limit=200)[0]

    R = optimize.brentq(lambda R: R / math.sqrt(1 - R) - rhs(R), 1e-6, 1 - 1e-12, xtol=1e-14)
    assert P.teacher(alpha=alpha)["R"] == pytest.approx(R, abs=1e-9)


def test_curve_by_continuation_equals_pointwise_solves():
    """teacher_curve (Newton continuation) gives the same eps_g as independent solves."""
    alphas = np.linspace(0.2, 10, 25)
    curve = P.teacher_curve(alphas)
    assert len(curve) == 25
    for s, a in zip(curve, alphas):
        assert s["eps_g"] == pytest.approx(P.teacher(alpha=a)["eps_g"], abs=1e-9)


def test_ising_curve_stops_at_the_spinodal():
    """Following the poor Ising branch beyond alpha = 1.493 is impossible: the curve ends there."""
    curve = P.teacher_curve(np.linspace(1.0, 1.6, 13), weights="ising")
    assert 1.45 <= curve[-1]["alpha"] < 1.493


def test_maximal_stability_decays_as_05005_over_alpha():
    """Opper, Kinzel, Kleinz & Nehl (1990); Engel & Van den Broeck sec. 3.5: the maximal-stability
    perceptron generalises as eps_g ~ 0.5005/alpha for large alpha."""
    s = P.max_stability(alpha=1000.0)
    assert 1000.0 * s["eps_g"] == pytest.approx(0.5005, abs=2e-4)


def test_maximal_stability_lies_between_bayes_and_gibbs():
    """Maximal stability beats Gibbs learning and cannot beat the Bayes-optimal student (alpha = 0.5..20)."""
    for a in (0.5, 2.0, 20.0):
        m = P.max_stability(alpha=a)["eps_g"]
        t = P.teacher(alpha=a)
        assert t["eps_g_bayes"] < m < t["eps_g_gibbs"]
