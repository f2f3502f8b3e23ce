"""The perceptron's physical limits against their analytic forms: T -> infinity, alpha -> 0 and
alpha -> infinity (teacher-student), kappa -> -infinity and +infinity (storage, capacity).

Every solve at the edges of the declared ranges either gives the analytic answer or says it did not
converge; none returns another branch as converged (issue 10, items 1 and 6).
"""

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.optimize import brentq, minimize_scalar
from scipy.special import log_ndtr, ndtr

from replicon.theory import perceptron as P

LN2 = math.log(2.0)


def linear_response(alpha, T, kappa=1.0):
    """Leading order in the conjugates (derived in TeacherStudent.linear_response): with c = 1 - e^{-1/T},
    rho = c/(2 - c): R_hat = kappa (2 alpha/pi) rho, q_hat = R_hat rho, R = R_hat, q = q_hat + R_hat^2."""
    c = -math.expm1(-1.0 / T) if T > 0 else 1.0
    rho = c / (2.0 - c)
    R_hat = kappa * 2.0 * alpha / math.pi * rho
    q_hat = R_hat * rho
    return R_hat, (R_hat if T == 0 else q_hat + R_hat * R_hat), q_hat, R_hat, c


# --- T -> infinity at fixed alpha: the poor branch, R ~ alpha/(pi T) -----------------------------

@pytest.mark.parametrize("weights", ["ising", "spherical"])
@pytest.mark.parametrize("T", [1e4, 1e5, 1e8, 1e12, 1e300])
def test_high_temperature_is_the_linear_response_state(weights, T):
    """Issue 10 item 1: T = 1e5, 1e8, 1e300 gave the perfect state as the only branch. At high T the
    poor branch is R = alpha/(pi T) (1 + O(1/T)), q T^2 = alpha/(2 pi) + alpha^2/pi^2, its free entropy
    f_0 - alpha/(2T) (thermodynamic against the perfect state's 0 for Ising), and the Bayes student's
    error arccos(sqrt(2 alpha/(2 alpha + pi)))/pi is the Hebb vector's (T-independent)."""
    alpha = 1.0
    sol = P.teacher(alpha=alpha, T=T, weights=weights)
    assert sol.converged and sol.branch == ("poor" if weights == "ising" else "rs")
    assert sol.status == "thermodynamic"
    R, q, q_hat, R_hat, c = linear_response(alpha, T)
    rel = 2.0 * q + 1e-13                          # corrections are O(q) relative
    assert sol["R"] == pytest.approx(R, rel=rel)
    if q > 1e-300:
        assert sol["q"] == pytest.approx(q, rel=rel)
    assert R * T == pytest.approx(alpha / math.pi, rel=1.0 / T + 1e-13)
    hebb = math.acos(math.sqrt(2 * alpha / (2 * alpha + math.pi))) / math.pi
    assert sol["eps_g_bayes"] == pytest.approx(hebb, rel=1e-8)
    assert sol["eps_g_bayes"] == pytest.approx(P.hebb(alpha)["eps_g"], rel=1e-8)
    assert sol["eps_g"] == pytest.approx(0.5 - math.asin(R) / math.pi, abs=R * rel + 1e-16)
    f0 = LN2 if weights == "ising" else 0.0
    assert sol["free_entropy"] == pytest.approx(f0 + alpha * math.log1p(-c / 2) + R_hat ** 2 / 2, abs=1e-15)
    assert sol["eps_t"] == pytest.approx(0.5, abs=1.0 / T)
    if weights == "ising":
        assert sol.branch_named("perfect").status == "metastable"


@pytest.mark.parametrize("weights", ["ising", "spherical"])
@pytest.mark.parametrize("T", [0.0, 1.0])
@pytest.mark.parametrize("alpha", [1e-6, 1e-12, 1e-30, 1e-300])
def test_small_alpha_is_the_linear_response_state(weights, T, alpha):
    """alpha -> 0 at fixed T: R = (2 alpha/pi) rho (T = 0: q = R = 2 alpha/pi) to relative O(q); used to
    be the perfect state (Ising) or no solution (spherical) below alpha ~ 1e-12."""
    sol = P.teacher(alpha=alpha, T=T, weights=weights)
    assert sol.converged and sol.branch in ("poor", "rs") and sol.status == "thermodynamic"
    R, q, *_ = linear_response(alpha, T)
    assert sol["R"] == pytest.approx(R, rel=2 * q + 1e-13)
    assert sol["q"] == pytest.approx(q, rel=2 * q + 1e-13)


@pytest.mark.parametrize("T", [0.0, 1.0, 1e6])
def test_closed_form_and_numerics_agree_where_they_meet(T):
    """The closed form is used below q = 1e-20 (Q_LINEAR), the solver above: on both sides of the
    switch the state is the same to machine precision."""
    a_switch = math.exp(brentq(lambda u: math.log(linear_response(math.exp(u), T)[1] / P.Q_LINEAR), -300, 300))
    lo, hi = P.teacher(alpha=a_switch * 0.999, T=T), P.teacher(alpha=a_switch * 1.001, T=T)
    assert lo.iterations == 0 and hi.iterations > 0          # closed form below, iteration above
    for s in (lo, hi):
        R, q, *_ = linear_response(s.params["alpha"], T)
        assert s["R"] == pytest.approx(R, rel=1e-12) and s["q"] == pytest.approx(q, rel=1e-12)


def test_high_temperature_scan_matches_the_linear_response_over_decades():
    """R T -> alpha/pi: the numerics converge to the T -> infinity form as 1/T (corrections O(q) ~ T^-2
    of the linear response itself)."""
    for T in (1e2, 1e3, 1e4):
        sol = P.teacher(alpha=2.0, T=T, weights="ising")
        R, q, *_ = linear_response(2.0, T)
        assert abs(sol["R"] / R - 1) < 3 * q


# --- T -> infinity at fixed alpha/T: the annealed (high-temperature) limit -----------------------

@pytest.mark.parametrize("at", [0.5, 1.5, 5.0])
def test_spherical_high_temperature_limit_at_fixed_alpha_over_T(at):
    """T -> infinity at fixed alpha/T (Engel & Van den Broeck ch. 4, high-temperature learning): f =
    1/2 ln(1 - R^2) - (alpha/T) arccos(R)/pi, so R = a/sqrt(pi^2 + a^2) and eps_g = arctan(pi/a)/pi;
    the solver's corrections are O(1/T)."""
    R_lim = at / math.sqrt(math.pi ** 2 + at ** 2)
    errs = []
    for T in (1e3, 1e5):
        sol = P.teacher(alpha=at * T, T=T)
        errs.append(abs(sol["R"] / R_lim - 1))
        assert errs[-1] < 0.3 / T
        assert sol["q"] == pytest.approx(sol["R"] ** 2, rel=1.0 / T ** 0.5)
    assert sol["eps_g"] == pytest.approx(math.atan(math.pi / at) / math.pi, rel=1e-5)
    assert errs[1] < errs[0] / 50                              # 1/T convergence


def _ising_high_T():
    """Closed-form high-T Ising learning: f(R) = s(R) - a arccos(R)/pi with the binary entropy s(R);
    the poor branch R = tanh(a/(pi sqrt(1 - R^2))), its spinodal and its crossing with f = 0 (perfect)."""
    def s(R):
        a, b = (1 + R) / 2, (1 - R) / 2
        return -(a * math.log(a) + b * math.log(b))

    def g(R, a):
        return R - math.tanh(a / (math.pi * math.sqrt(1 - R * R)))

    def peak(a):
        return minimize_scalar(lambda R: -g(R, a), bounds=(0, 0.9999), method="bounded", options={"xatol": 1e-13})

    a_sp = brentq(lambda a: -peak(a).fun, 0.5, 3.0, xtol=1e-14)

    def poor(a):
        return brentq(lambda R: g(R, a), 0.0, peak(a).x, xtol=1e-15)

    a_tr = brentq(lambda a: s(poor(a)) - a * math.acos(poor(a)) / math.pi, 0.5, a_sp - 1e-6, xtol=1e-14)
    return a_tr, a_sp, poor


def test_ising_high_temperature_limit_of_the_poor_branch():
    """At fixed alpha/T = 1 the Ising poor branch tends to the root of R = tanh(a/(pi sqrt(1 - R^2)))."""
    _, _, poor = _ising_high_T()
    for T in (1e3, 1e5):
        sol = P.teacher(alpha=T, T=T, weights="ising")
        assert sol.branch == "poor"
        assert sol["R"] == pytest.approx(poor(1.0), rel=0.3 / T)


@pytest.mark.slow
def test_ising_transition_at_high_temperature_tends_to_the_annealed_values():
    """Seung, Sompolinsky & Tishby, PRA 45, 6056 (1992): at high T the Ising perceptron jumps to perfect
    generalisation at alpha/T = 1.6959 (the poor branch ends at 2.0821); from the closed form above.
    The solver's alpha_transition/T and alpha_spinodal/T approach them as 1/T (Richardson from 30, 100)."""
    a_tr, a_sp, _ = _ising_high_T()
    assert a_tr == pytest.approx(1.69593, abs=1e-5) and a_sp == pytest.approx(2.08207, abs=1e-5)
    vals = {}
    for T in (30.0, 100.0):
        t = P.teacher_transition(T=T, alpha_start=0.5 * T, alpha_end=3.0 * T)
        vals[T] = (t["alpha_transition"] / T, t["alpha_spinodal"] / T)
        assert abs(vals[T][0] - a_tr) < 1.0 / T and abs(vals[T][1] - a_sp) < 1.0 / T
    rich = [(100 * vals[100.0][i] - 30 * vals[30.0][i]) / 70 for i in (0, 1)]
    assert rich[0] == pytest.approx(a_tr, abs=2e-4) and rich[1] == pytest.approx(a_sp, abs=2e-4)


# --- alpha -> infinity ----------------------------------------------------------------------------

def test_nishimori_constant_is_the_integral():
    """C0 = -sqrt(2/pi) int dy Phi(y) ln Phi(y): G_E ~ -C0 sqrt(1 - q) on the Nishimori line (by quad)."""
    f = lambda y: ndtr(y) * log_ndtr(y)                                  # noqa: E731
    pieces = ((-40, -8), (-8, -2), (-2, 0), (0, 2), (2, 8), (8, 40))
    I = sum(integrate.quad(f, a, b, epsabs=0, epsrel=1e-13, limit=200)[0] for a, b in pieces)
    assert P.C0_NISHIMORI == pytest.approx(-math.sqrt(2 / math.pi) * I, rel=1e-13)


GIBBS = math.sqrt(2.0) / (math.pi * P.C0_NISHIMORI)        # 0.6246582 (Engel & Van den Broeck: 0.625)
BAYES = 1.0 / (math.pi * P.C0_NISHIMORI)                   # 0.4417000 (0.442)


@pytest.mark.parametrize("alpha", [1e2, 3e2, 1e3, 1e4, 1e6, 1e9, 1e50, 1e139, 1e141, 1e200, 1e300])
def test_large_alpha_gibbs_and_bayes_constants(alpha):
    """Spherical, T = 0: the free entropy 1/2 ln(1-q) + q/2 - alpha C0 sqrt(1-q) (1 + O(1-q)) gives
    sqrt(1-q) = 1/(alpha C0), eps_gibbs = sqrt(2)/(pi C0 alpha) = 0.62466/alpha and eps_bayes =
    1/(pi C0 alpha) = 0.44170/alpha (derived here; Engel & Van den Broeck sec. 2.3: 0.625 and 0.442).
    The next order is a power law too, eps alpha = c (1 - c2/alpha^2) with c2 = 1.5516 (Gibbs) and
    1.3911 (Bayes), checked over decades. 1 - q < 2e-12 beyond alpha = 7e5 used to be no solution; 1 - q
    underflows beyond 1e140 (the asymptote is used there, exact)."""
    sol = P.teacher(alpha=alpha)
    assert sol.converged and sol.branch == "rs"
    for obs, c, c2 in (("eps_g", GIBBS, 1.5516), ("eps_g_bayes", BAYES, 1.3911)):
        dev = sol[obs] * alpha / c - 1
        assert dev == pytest.approx(-c2 / alpha / alpha, rel=3e-3, abs=1e-13)
    assert sol["eps_g_bayes"] < sol["eps_g"] < 2 * sol["eps_g_bayes"]
    assert sol.stable
    b = P.teacher(alpha=alpha, student="bayes")
    assert b["eps_g"] == sol["eps_g_bayes"]


def test_large_alpha_coordinates_switch_continuously():
    """1 - q is the coordinate from A_COMPLEMENT on; both sides give the same state."""
    a = P.A_COMPLEMENT
    lo, hi = P.teacher(alpha=a * (1 - 1e-9)), P.teacher(alpha=a)
    assert "one_minus_q" in hi.observables and "one_minus_q" not in lo.observables
    assert lo["eps_g"] == pytest.approx(hi["eps_g"], rel=1e-8)
    assert lo["free_entropy"] == pytest.approx(hi["free_entropy"], rel=1e-9)
    assert lo.replicon_eigenvalue == pytest.approx(hi.replicon_eigenvalue, rel=1e-6)
    assert hi.replicon_eigenvalue == pytest.approx(0.5, abs=1e-3)        # lambda -> 1/2 as alpha -> inf


@pytest.mark.parametrize("T", [0.0, 1.0])
@pytest.mark.parametrize("alpha", [50.0, 1e4, 1e9])
def test_ising_large_alpha_is_the_perfect_state(T, alpha):
    """Beyond the first-order transition the Ising student is the teacher (Gyorgyi 1990): eps_g = 0."""
    sol = P.teacher(alpha=alpha, T=T, weights="ising")
    assert sol.converged and sol.branch == "perfect" and sol["eps_g"] == 0.0


def test_large_alpha_at_positive_temperature_is_a_result_or_says_so():
    """T > 0, spherical: where 1 - R is below what (q, R) resolve the solve says so (converged=False and
    a message), it never returns another state; below that, eps_g alpha tends to a constant."""
    prev = None
    for alpha in (1e2, 1e3, 1e4, 1e7, 1e12):
        sol = P.teacher(alpha=alpha, T=0.5)
        if sol.converged:
            assert 0 < sol["eps_g"] < 0.5
            if prev is not None:
                assert sol["eps_g"] * alpha == pytest.approx(prev, rel=1e-2)
            prev = sol["eps_g"] * alpha
        else:
            assert sol.message


# --- storage: kappa -> -infinity and +infinity -----------------------------------------------------

@pytest.mark.parametrize("kappa", [-6.0, -8.0, -10.0, -20.0, -30.0])
def test_capacity_at_strongly_negative_margin(kappa):
    """kappa -> -infinity: I(kappa) = int_{|kappa|}^inf Dt (t - |kappa|)^2 = 2 phi(kappa)/|kappa|^3 (1 - 6/k^2
    + 45/k^4 - ...), so alpha_c 2 phi(kappa)/|kappa|^3 = 1 + 6/k^2 - 9/k^4 + 96/k^6 + O(1224/k^8)."""
    y = -kappa
    phi = math.exp(-y * y / 2) / math.sqrt(2 * math.pi)
    x = 1.0 / y ** 2
    series = 1 + 6 * x - 9 * x ** 2 + 96 * x ** 3
    assert 2 * phi / y ** 3 / P.gardner_integral(kappa) == pytest.approx(series, rel=2 * 1224 * x ** 4 + 1e-14)
    if kappa >= -10:
        assert P.capacity(kappa)["alpha_c"] == pytest.approx(1 / P.gardner_integral(kappa), rel=1e-15)


@pytest.mark.parametrize("kappa", [3.0, 5.0, 10.0])
def test_capacity_at_large_margin_is_one_over_one_plus_kappa_squared(kappa):
    """kappa -> +infinity: I(kappa) -> 1 + kappa^2 up to exponentially small terms (Gardner 1988)."""
    ac = P.capacity(kappa)["alpha_c"]
    assert ac * (1 + kappa ** 2) == pytest.approx(1.0, rel=5 * math.exp(-kappa ** 2 / 2))


@pytest.mark.parametrize("kappa", [-10.0, -9.0, -8.0, -7.0, -6.5328, -6.0, -5.0, -4.0, -2.0, 0.0, 2.0, 5.0, 10.0])
def test_ising_capacity_solves_over_the_declared_margin_range(kappa):
    """Issue 10 item 6: kappa = -6.5328 raised ValueError and -7..-10 ConvergenceError. The zero-entropy
    point lies below both the RS capacity 2/(pi I) and the annealed zero ln 2/(-ln H(kappa))."""
    sol = P.capacity(kappa, "ising")
    assert sol.converged
    a0 = sol["alpha_zero_entropy"]
    annealed = LN2 / -float(log_ndtr(-kappa))
    assert 0 < a0 <= min(sol["alpha_c"], annealed * (1 + 1e-12))
    st = P.storage(alpha=a0, kappa=kappa, weights="ising")
    assert st.converged and abs(st["entropy"]) < 1e-9


@pytest.mark.parametrize("kappa", [-4.0, -5.0, -6.0, -8.0, -10.0])
def test_ising_zero_entropy_point_tends_to_the_annealed_one(kappa):
    """kappa -> -infinity: the solutions are nearly independent (q ~ alpha r(kappa)^2, r = phi/H) and the RS
    entropy is ln 2 + alpha ln H(kappa) - q^2/4 + O(q^3 kappa^2), so alpha_0 = ln 2/(-ln H(kappa))
    (1 - q_0^2/(4 ln 2)) (derived here)."""
    sol = P.capacity(kappa, "ising")
    q0 = sol["q_at_zero_entropy"]
    r = math.exp(-kappa ** 2 / 2) / math.sqrt(2 * math.pi) / ndtr(-kappa)
    assert q0 == pytest.approx(sol["alpha_zero_entropy"] * r * r, rel=3 * q0 * kappa ** 2 + 1e-12)
    annealed = LN2 / -float(log_ndtr(-kappa))
    pred = annealed * (1 - q0 ** 2 / (4 * LN2))
    assert sol["alpha_zero_entropy"] == pytest.approx(pred, rel=10 * q0 ** 3 * kappa ** 2 + 1e-13)


@pytest.mark.parametrize("weights", ["spherical", "ising"])
@pytest.mark.parametrize("kappa, alpha", [(-6.24, 0.67), (-6.24, 0.3), (-10.0, 0.5), (-10.0, 1e20), (-10.0, 1e-200),
                                          (-3.0, 0.5)])
def test_storage_at_strongly_negative_margin(weights, kappa, alpha):
    """Issue 10 item 6: kappa = -6.24, alpha = 0.67 found no RS solution. There q = alpha r(kappa)^2 (1 +
    O(q kappa^2)) and the entropy is f_0 + alpha ln H(kappa) - q^2/4 (f_0 = 0 or ln 2)."""
    sol = P.storage(alpha=alpha, kappa=kappa, weights=weights)
    assert sol.converged and sol.stable
    r = math.exp(-kappa ** 2 / 2) / math.sqrt(2 * math.pi) / ndtr(-kappa)
    q = alpha * r * r
    assert sol["q"] == pytest.approx(q, rel=3 * q * kappa ** 2 + 1e-12)
    f0 = LN2 if weights == "ising" else 0.0
    assert sol["entropy"] == pytest.approx(f0 + alpha * float(log_ndtr(-kappa)) - q * q / 4,
                                           abs=q ** 3 * kappa ** 2 + 1e-15 * max(1.0, abs(alpha * float(log_ndtr(-kappa)))))


def test_storage_at_large_margin_is_a_result_below_capacity():
    """kappa = +10: alpha_c = 1/101 (up to e^-50); solved below it, refused above."""
    ac = P.capacity(10.0)["alpha_c"]
    assert P.storage(alpha=0.5 * ac, kappa=10.0).converged
    assert not P.storage(alpha=1.01 * ac, kappa=10.0).converged


@pytest.mark.parametrize("weights", ["spherical", "ising"])
@pytest.mark.parametrize("kappa, alpha", [(-10.0, 1e-300), (0.0, 1e-260)])
def test_storage_closed_form_where_q_underflows(weights, kappa, alpha):
    """q = alpha r(kappa)^2 below 1e-250: the closed form (exact there), entropy f_0 + alpha ln H(kappa)."""
    sol = P.storage(alpha=alpha, kappa=kappa, weights=weights)
    assert sol.converged and sol.stable
    f0 = LN2 if weights == "ising" else 0.0
    assert sol["entropy"] == pytest.approx(f0 + alpha * float(log_ndtr(-kappa)), rel=1e-12, abs=1e-320)


def test_transition_that_cannot_be_followed_is_not_a_result():
    """T = 1e300: the poor branch is the closed form at alpha_start and cannot be continued (the jump is at
    alpha ~ 1.7 T); it used to report alpha_transition = alpha_spinodal = alpha_start as converged."""
    sol = P.teacher_transition(T=1e300)
    assert not sol.converged and sol.message
    far = P.teacher_transition(T=1e5)
    assert not far.converged and "does not end" in far.message
