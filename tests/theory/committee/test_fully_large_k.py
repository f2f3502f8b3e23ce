"""Fully connected sign committee, Gibbs learning, K -> infinity (replicon.theory.committee.fully_large_k).

The equations are derived in the module docstring (the texts of Schwarze & Hertz 1993 and of Engel &
Van den Broeck ch. 12 could not be retrieved in the session that wrote them, so no published number is
asserted here). The evidence: (a) at T = 0 the Gibbs posterior is the Bayes posterior, so the solution
must coincide with committee_largek.bayes_large_k(prior="gaussian"), computed with a different
quadrature (committee.energetic) and root finder; (b) the T -> 0+ limit of the full T > 0 equations
(off the Nishimori line, L maximised) and the high-temperature limit, solved here from its closed form
with scipy alone; (c) the Bayes-optimal lower bound on the permutation-symmetric plateau; (d) a Monte
Carlo of the finite-K (25, 51) output channel with correlated student units (c_a != 0) and R != q.
"""

import functools
import math

import numpy as np
import pytest
from scipy.optimize import brentq, minimize_scalar

from replicon._util import ParamError
from replicon.theory.committee import fully_large_k as F
from replicon.theory.committee import bayes_large_k as B
from replicon.theory.perceptron import spherical_entropy, teacher_energetic

G = 2 / math.pi
EPS_PS0 = math.acos(G) / math.pi               # 0.2803: plateau at T = 0 (posterior sample)
EPS_BAYES_PS = math.acos(math.sqrt(G)) / math.pi  # 0.2060: Bayes-optimal error of the unspecialised state
LABELS = {"nonspecialised": "permutation_symmetric", "specialised": "specialised"}


@functools.lru_cache(maxsize=None)
def _solve(at, T):
    """gibbs_fully_large_k, computed once per point for the whole module (tests only read it)."""
    return F.gibbs_fully_large_k(at, T)


# ---------------------------------------------------------------------------------------------
# (a) T = 0: Gibbs = Bayes posterior sample
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("at", [3.0, 7.5, 8.0, 20.0])
def test_zero_temperature_coincides_with_bayes_gaussian_prior(at):
    """At T = 0 every branch (permutation-symmetric, specialised, unstable partner) has the q_d, eps_g,
    free entropy and status of bayes_large_k(prior="gaussian") to 1e-9, and lies on the Nishimori line:
    R_d = q_d, c_a = 0 (student self-overlap = the teacher's I), R_a = q_a = 1 - q_d."""
    s = _solve(at, 0.0)
    b = B.bayes_large_k(at, "gaussian")
    assert len(s.branches) == len(b.branches)
    for x, y in zip(sorted(s.branches, key=lambda t: t["q_d"]), sorted(b.branches, key=lambda t: t["q_d"])):
        assert x.branch == LABELS[y.branch] and x.status == y.status
        assert x["q_d"] == pytest.approx(y["q_d"], abs=1e-9)
        assert x["eps_g"] == pytest.approx(y["eps_g"], abs=1e-9)
        assert x["free_entropy"] == pytest.approx(y["free_entropy"], abs=1e-9 * at)
        assert x["R_d"] == x["q_d"] and x["c_a"] == 0.0
        assert x["R_a"] == pytest.approx(1 - x["q_d"], abs=1e-15) and x["q_a"] == pytest.approx(1 - x["q_d"], abs=1e-15)


def test_zero_temperature_transition_is_the_bayes_one():
    """The specialisation transition and the spinodal at T = 0 are those of the Bayes-optimal large-K
    committee (alpha_spec = 7.6802, alpha_spinodal = 7.1692) to the bisection tolerance; eps_g jumps
    from the plateau arccos(2/pi)/pi to arccos(Q)/pi of the specialised branch."""
    t = F.gibbs_fully_large_k_transition(0.0)
    b = B.large_k_transitions("gaussian")
    assert t.converged
    assert t["alpha_spec"] == pytest.approx(b["alpha_spec"], abs=1e-7)
    assert t["alpha_spinodal"] == pytest.approx(b["alpha_spinodal"], abs=1e-7)
    assert t["q_d_at_spec"] == pytest.approx(b["q_d_at_spec"], abs=1e-6)
    assert t["alpha_spec"] == pytest.approx(7.6802, abs=1e-4)
    assert t["eps_g_ps"] == pytest.approx(EPS_PS0, abs=1e-12)
    assert t["eps_g_spec"] == pytest.approx(math.acos(B.effective_overlap(t["q_d_at_spec"], 1 - t["q_d_at_spec"]))
                                            / math.pi, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# (b) limits
# ---------------------------------------------------------------------------------------------

def test_small_temperature_limit_of_the_full_equations_is_the_nishimori_solution():
    """The T > 0 equations (two order parameters, no Nishimori constraint, L = 1 + c_a maximised) at
    T = 0.02 reproduce the T = 0 (Nishimori) branches at alpha_tilde = 8: R_d = q_d and c_a = 0 emerge
    (corrections ~ e^{-1/T}), with the same eps_g and free entropy."""
    cold = F.gibbs_fully_large_k(8.0, 0.02)
    zero = _solve(8.0, 0.0)
    assert [b.branch for b in cold.branches] == [b.branch for b in zero.branches]
    for x, y in zip(cold.branches, zero.branches):
        assert x.status == y.status
        for k in ("q_d", "R_d", "eps_g", "free_entropy"):
            assert x[k] == pytest.approx(y[k], abs=1e-7)
        assert abs(x["c_a"]) < 1e-8


def _high_T_limit(lam):
    """T -> infinity at lambda = alpha_tilde/T, from the closed form (module docstring), scipy only:
    phi(R) = 1/2 ln(1 - R^2) - lambda arccos(R_eff(R))/pi, R_eff^2 = 2/pi + a^2/(1 - 2/pi),
    a = (2/pi)(arcsin R - R), sqrt(L) = (1 - 2/pi)/a; the specialised local maximum near R = 1."""
    def phi(u):
        R = 1 - math.exp(-u)
        a = G * (math.asin(R) - R)
        return 0.5 * math.log1p(-R * R) - lam * math.acos(min(1.0, math.sqrt(G + a * a / (1 - G)))) / math.pi
    r = minimize_scalar(lambda u: -phi(u), bounds=(2.0, 20.0), method="bounded", options={"xatol": 1e-12})
    assert 2.01 < r.x < 19.9                     # an interior maximum
    R = 1 - math.exp(-r.x)
    a = G * (math.asin(R) - R)
    return {"R_d": R, "eps_g": math.acos(math.sqrt(G + a * a / (1 - G))) / math.pi,
            "c_a": ((1 - G) / a) ** 2 - 1, "free_entropy": -r.fun}


def test_high_temperature_limit():
    """Analytic limit (derived in the module docstring): at T -> infinity with lambda = alpha_tilde/T = 30
    the specialised branch tends to the closed-form maximum (R_d* = 0.99925, eps_g* = 0.06927,
    c_a* = 0.1472, q_d* = R_d*^2) with 1/T corrections: the deviations halve from T = 10 to T = 20 and
    their linear extrapolation in 1/T hits the limit to 15% of the T = 20 deviation. The
    permutation-symmetric free entropy tends to -lambda arccos(sqrt(2/pi))/pi."""
    lim = _high_T_limit(30.0)
    sols = {T: F.gibbs_fully_large_k(30.0 * T, T) for T in (10.0, 20.0)}
    for k in ("R_d", "eps_g", "free_entropy"):
        d10 = sols[10.0][k] - lim[k]
        d20 = sols[20.0][k] - lim[k]
        assert sols[10.0].branch == "specialised"
        assert 1.7 < d10 / d20 < 2.3, k
        assert abs(2 * sols[20.0][k] - sols[10.0][k] - lim[k]) < 0.15 * abs(d20), k
    s = sols[20.0]
    assert s["c_a"] == pytest.approx(lim["c_a"], abs=1e-4)
    assert s["q_d"] == pytest.approx(s["R_d"] ** 2, abs=1e-4)
    ps = s.branch_named("permutation_symmetric")
    assert ps["free_entropy"] == pytest.approx(-30.0 * EPS_BAYES_PS, rel=2e-3)


def test_permutation_symmetric_plateau_falls_to_the_bayes_optimal_bound():
    """Derived: R_d = q_d = 0 is a fixed point at every alpha_tilde and T, with c_a(T) (hence eps_g)
    independent of alpha_tilde. At T = 0 its eps_g is the posterior-sample error arccos(2/pi)/pi; at
    T > 0 the student's units correlate (c_a > 0) and eps_g decreases towards, but never below,
    arccos(sqrt(2/pi))/pi, the Bayes-optimal error of the unspecialised state (the student becomes a
    perceptron along the average teacher; T -> infinity: R_eff -> sqrt(2/pi))."""
    Ts = (0.0, 0.2, 0.5, 1.0, 2.0, 20.0)
    ps = [F.permutation_symmetric(5.0, T) for T in Ts]
    eps = [p["eps_g"] for p in ps]
    ca = [p["c_a"] for p in ps]
    assert eps[0] == pytest.approx(EPS_PS0, abs=1e-14) and ca[0] == 0.0
    assert all(e1 > e2 for e1, e2 in zip(eps, eps[1:]))
    assert all(c1 < c2 for c1, c2 in zip(ca, ca[1:]))
    assert all(e > EPS_BAYES_PS for e in eps)
    assert eps[-1] - EPS_BAYES_PS < 1e-4
    other = F.permutation_symmetric(40.0, 0.5)
    assert other["eps_g"] == ps[2]["eps_g"] and other["c_a"] == ps[2]["c_a"]
    assert ps[2].residual == 0.0


@pytest.mark.parametrize("T", [0.3, 1.0])
def test_entropy_is_minus_the_temperature_derivative_of_the_free_energy(T):
    """Thermodynamic identity: entropy = phi + alpha_tilde eps_t / T equals -dF/dT with F = -T phi (central
    differences), on the permutation-symmetric branch (its c_a(T) moves with T; by stationarity that
    does not contribute) and on the specialised branch at alpha_tilde = 30 (followed to T +- h by Newton)."""
    from replicon.theory import engine

    h = 1e-4
    ps = [F.permutation_symmetric(5.0, t) for t in (T - h, T, T + h)]
    assert -(ps[2].free_energy - ps[0].free_energy) / (2 * h) == pytest.approx(ps[1]["entropy"], abs=1e-6)
    s = F.gibbs_fully_large_k(30.0, T)
    assert s.branch == "specialised"
    x = np.array([s["q_d"], s["R_d"]])
    fe = []
    for t in (T - h, T + h):
        m = F._Fully(30.0, t)
        r = engine.step_to(m.problem(), x, tol=1e-12)
        assert r.converged
        fe.append(-t * m.evaluate(r.x)[1])
    assert -(fe[1] - fe[0]) / (2 * h) == pytest.approx(s["entropy"], abs=1e-6)
    for b in (ps[1], s):
        assert 0 < b["eps_t"] < b["eps_g"]


def test_saddle_point_is_stationary_in_all_three_order_parameters():
    """Consistency check of the chain rule and of the inner maximisation: at the specialised and the
    unstable fixed points (T = 0.5, alpha_tilde = 12) the free entropy
    phi(q_d, R_d, L) = G_S^sph(q_d, R_d) + alpha_tilde G_E^perc(q_eff, R_eff; T), evaluated directly from
    the effective overlaps, has zero gradient (central differences) and is a maximum in L."""
    at, T = 12.0, 0.5
    s = _solve(at, T)
    assert sorted(b.status for b in s.branches) == ["metastable", "thermodynamic", "unstable"]

    def phi(q, R, L):
        qe, Re, _ = F.effective_overlaps(q, R, L)
        return spherical_entropy(q, R) + at * float(teacher_energetic(qe, Re, T)["G"])

    for b in s.branches:
        if b.branch != "specialised":
            continue
        x = [b["q_d"], b["R_d"], 1 + b["c_a"]]
        h = 1e-5
        for i in range(3):
            xp, xm = list(x), list(x)
            xp[i] += h
            xm[i] -= h
            assert (phi(*xp) - phi(*xm)) / (2 * h) == pytest.approx(0.0, abs=2e-5)
        h = 1e-3
        curv = (phi(x[0], x[1], x[2] + h) - 2 * phi(*x) + phi(x[0], x[1], x[2] - h)) / h ** 2
        assert curv < 0


def _uniform_saddle(K, at, T, L0):
    """Stationary point of the O(1) + O(K) free entropy of the uniform direction on the PS branch at finite K:
    psi = 1/2 ln L + 1/2 ln(1 - s) + (s - m^2)/(2 (1 - s)) - (L - 1)/2 + K alpha_tilde G_E(q_eff, R_eff; T),
    with normalised overlaps s = u^a.u^b/|u|^2, m = u^a.u^0/(|u| |u^0|), L = |u^a|^2/N = 1 + c_a,
    q_eff = (2/pi) s L / V, R_eff = (2/pi) m sqrt(L / V), V = 1 + (2/pi)(L - 1) (the ``-(L - 1)/2`` is the
    O(1) cost of c_a from the K - 1 orthogonal directions, 1/2 ln L that of the uniform one)."""
    from scipy.optimize import root

    def eqs(x):
        L, s, m = math.exp(x[0]), 1 - math.exp(x[1]), 1 - math.exp(x[2])
        V = 1 + G * (L - 1)
        e = teacher_energetic(G * s * L / V, G * m * math.sqrt(L / V), T)
        A = K * at
        dm = -m / (1 - s) + A * e["dR"] * G * math.sqrt(L / V)
        ds = 0.5 * (s - m * m) / (1 - s) ** 2 + A * e["dq"] * G * L / V
        dL = 0.5 / L - 0.5 + A * (e["dq"] * G * s * (1 - G) / V ** 2
                                  + e["dR"] * G * m * (1 - G) / (2 * math.sqrt(L) * V ** 1.5))
        return [dm * (1 - s), ds * (1 - s), dL / A]

    r = root(eqs, [math.log(L0), math.log(1 / K), math.log(0.5 / K)], method="hybr", options={"xtol": 1e-14})
    assert r.success and max(abs(v) for v in eqs(r.x)) < 1e-10
    return math.exp(r.x[0]), 1 - math.exp(r.x[1]), 1 - math.exp(r.x[2])


def test_uniform_direction_is_learnt_perfectly_as_K_grows():
    """Consistency of the leading-order elimination (module docstring): keeping the O(1) entropic terms of the
    uniform direction and of c_a at finite K (permutation-symmetric branch, T = 0.5, alpha_tilde = 5), the
    saddle point has 1 - s and 1 - m ~ 0.33/K (the average teacher is learnt perfectly as K -> infinity)
    and L = 1 + c_a -> L*(T) of gibbs_fully_large_k with a 1/K correction (K (L - L*) the same at
    K = 10^3 and 10^4 to 2%)."""
    T, at = 0.5, 5.0
    L_star = 1 + F.permutation_symmetric(at, T)["c_a"]
    res = {K: _uniform_saddle(K, at, T, L_star) for K in (1e3, 1e4)}
    for K, (L, s, m) in res.items():
        assert 0.2 < K * (1 - s) < 0.5 and 0.2 < K * (1 - m) < 0.5
    d3, d4 = 1e3 * (res[1e3][0] - L_star), 1e4 * (res[1e4][0] - L_star)
    assert abs(res[1e4][0] - L_star) < 2e-3
    assert d4 == pytest.approx(d3, rel=0.02)


# ---------------------------------------------------------------------------------------------
# branches at T > 0
# ---------------------------------------------------------------------------------------------

def test_branches_and_first_order_transition_at_positive_temperature():
    """T = 0.5: below the spinodal only the permutation-symmetric branch exists; at alpha_tilde = 12 the
    specialised branch (attracting) is thermodynamic and its unstable partner repels the iteration
    (spectral radius > 1) and has the highest free energy; eps_g jumps down at the transition."""
    low = F.gibbs_fully_large_k(8.0, 0.5)
    assert [b.branch for b in low.branches] == ["permutation_symmetric"]
    s = _solve(12.0, 0.5)
    spec = [b for b in s.branches if b.branch == "specialised"]
    assert s.branch == "specialised" and s.status == "thermodynamic"
    unstable = [b for b in spec if b.status == "unstable"]
    assert len(unstable) == 1 and unstable[0].extra["spectral_radius"] > 1
    assert unstable[0].free_energy > s.branch_named("permutation_symmetric").free_energy > s.free_energy
    assert s["eps_g"] < s.branch_named("permutation_symmetric")["eps_g"]
    assert s["R_d"] > s["q_d"] > s["R_d"] ** 2          # T > 0: off the Nishimori line


@pytest.mark.slow
def test_transition_at_positive_temperature_brackets_the_branch_labels():
    """T = 0.5 (about 10 s): the engine's transition (alpha_spec ~ 10.715, spinodal ~ 9.79) agrees with
    the thermodynamic labels of single-point solves just below and above it."""
    t = F.gibbs_fully_large_k_transition(0.5)
    assert t.converged and t["alpha_spinodal"] < t["alpha_spec"]
    below = F.gibbs_fully_large_k(t["alpha_spec"] - 0.01, 0.5)
    above = F.gibbs_fully_large_k(t["alpha_spec"] + 0.01, 0.5)
    assert below.branch == "permutation_symmetric" and below.branch_named("specialised").status == "metastable"
    assert above.branch == "specialised"
    assert [b.branch for b in F.gibbs_fully_large_k(t["alpha_spinodal"] - 1e-3, 0.5).branches] == \
        ["permutation_symmetric"]


@pytest.mark.slow
def test_transition_scales_with_temperature_at_high_T():
    """Analytic limit: alpha_spec / T -> lambda_c, where the closed-form high-temperature free entropies
    cross (lambda_c = 23.31, solved here with scipy), with 1/T corrections (about 25 s)."""
    def gap(lam):
        return _high_T_limit(lam)["free_entropy"] + lam * EPS_BAYES_PS
    lam_c = brentq(gap, 22.0, 26.0, xtol=1e-10)
    r = {T: F.gibbs_fully_large_k_transition(T)["alpha_spec"] / T - lam_c for T in (5.0, 10.0)}
    assert 1.6 < r[5.0] / r[10.0] < 2.4
    assert abs(2 * r[10.0] - r[5.0]) < 0.2 * abs(r[10.0])


# ---------------------------------------------------------------------------------------------
# (d) the finite-K output channel by Monte Carlo
# ---------------------------------------------------------------------------------------------

def _apply(f_perp, f_one, v):
    """f(M) v for M = x_d I + (x_a/K) 1 1^T given f on its eigenvalues (f_perp on 1-perp, f_one on 1)."""
    m = v.mean(-1, keepdims=True)
    return f_perp * (v - m) + f_one * m


def _mc_errors(K, R_d, R_a, q_d, q_a, c_a, n, rng, chunk=200_000):
    """P(student != teacher) and P(student a != student b) for committee outputs with Gaussian hidden
    fields: teacher I, R = R_d I + (R_a/K) 11^T, q = q_d I + (q_a/K) 11^T, C = I + (c_a/K)(11^T - I)."""
    m, s = R_d + R_a, q_d + q_a
    c_perp, c_one = 1 - c_a / K, 1 + c_a * (K - 1) / K
    bad_R = bad_q = 0
    for _ in range(n // chunk):
        h0 = rng.standard_normal((chunk, K), dtype=np.float32)
        zeta = rng.standard_normal((chunk, K), dtype=np.float32)
        common = _apply(R_d, m, h0) + _apply(math.sqrt(q_d - R_d ** 2), math.sqrt(s - m * m), zeta)
        out = []
        for _r in range(2):
            xi = rng.standard_normal((chunk, K), dtype=np.float32)
            out.append(np.sign(common + _apply(math.sqrt(c_perp - q_d), math.sqrt(c_one - s), xi)).sum(1) > 0)
        teacher = np.sign(h0).sum(1) > 0
        bad_R += np.count_nonzero(out[0] != teacher)
        bad_q += np.count_nonzero(out[0] != out[1])
    return bad_R / n, bad_q / n


@pytest.mark.slow
def test_finite_K_channel_with_correlated_units_converges_to_the_limit():
    """Consistency check (no paper value): Monte Carlo of teacher and two student committees at K = 25, 51
    with R_d = 0.6, R_a = 0.6, q_d = 0.5, q_a = 1.1 and correlated student units (c_a = 1.5). The
    disagreement rates extrapolated linearly in 1/K match arccos(R_eff)/pi = 0.3084 and
    arccos(q_eff)/pi = 0.3227 (channel_overlaps, with the 1 + (2/pi) c_a normalisation) within 4 standard
    errors; without the normalisation eps_g would be 0.209, with a linear kernel 0.316 (excluded)."""
    p = (0.6, 0.6, 0.5, 1.1, 1.5)
    q_eff, R_eff = F.channel_overlaps(*p)
    lim = (math.acos(R_eff) / math.pi, math.acos(q_eff) / math.pi)
    linear = math.acos(G * 1.2 / math.sqrt(1 + G * 1.5)) / math.pi
    rng = np.random.default_rng(1993)
    n = 800_000
    est = {K: _mc_errors(K, *p, n, rng) for K in (25, 51)}
    w25, w51 = -25 / 26, 51 / 26
    for i in range(2):
        inf = w25 * est[25][i] + w51 * est[51][i]
        se = math.hypot(w25, w51) * math.sqrt(lim[i] * (1 - lim[i]) / n)
        assert abs(inf - lim[i]) < 4 * se
        assert abs(est[51][i] - lim[i]) < abs(est[25][i] - lim[i])
    assert abs(w25 * est[25][0] + w51 * est[51][0] - linear) > 4 * math.hypot(w25, w51) * math.sqrt(0.25 / n)


# ---------------------------------------------------------------------------------------------
# input checks and the registry
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [{"alpha_tilde": -1.0}, {"T": -0.1}, {"alpha_tilde": float("nan")},
                                {"alpha_tilde": float("inf")}, {"T": "hot"}])
def test_bad_input_is_a_param_error(kw):
    """Negative, non-finite or non-numeric alpha_tilde or T: ParamError with a one-line message."""
    args = {"alpha_tilde": 8.0, "T": 0.0, **kw}
    with pytest.raises(ParamError) as e:
        F.gibbs_fully_large_k(**args)
    assert "\n" not in str(e.value)
    if "T" in kw:
        with pytest.raises(ParamError):
            F.gibbs_fully_large_k_transition(kw["T"])


def test_no_data_point():
    """alpha_tilde = 0: nothing learnt, eps_g = 1/2, one branch."""
    s = F.gibbs_fully_large_k(0.0, 0.3)
    assert s.converged and s["eps_g"] == 0.5 and len(s.branches) == 1


def test_registry_entries():
    """The registered entries return the module's results."""
    from replicon.registry import get

    s = get("committee.gibbs_fully_largek").solve(alpha_tilde=8.0, T=0.0)
    assert s.branch == "specialised"
    assert s["q_d"] == pytest.approx(_solve(8.0, 0.0)["q_d"], abs=1e-12)
    t = get("committee.gibbs_fully_largek_transition").solve(T=0.0)
    assert t["alpha_spec"] == pytest.approx(7.6802, abs=1e-4)


# ---------------------------------------------------------------------------------------------
# Ising weights (J_ki = +-1): module docstring, "Ising weights"
# ---------------------------------------------------------------------------------------------

LN2 = math.log(2)
LABELS_BINARY = {"nonspecialised": "permutation_symmetric", "specialised": "specialised", "perfect": "perfect"}


@functools.lru_cache(maxsize=None)
def _solve_ising(at, T):
    return F.gibbs_fully_large_k(at, T, weights="ising")


@pytest.mark.parametrize("at", [1.0, 1.6, 3.0, 8.0])
def test_ising_zero_temperature_is_bayes_binary_prior_plus_ln2(at):
    """T = 0, Nishimori line: Gibbs on the Ising version space is a sample of the Bayes posterior with the
    binary prior, so every branch (permutation-symmetric, unstable separatrix, exact perfect state) has the
    q_d, eps_g and status of committee_largek.bayes_large_k(prior="binary") (other prior code:
    committee.binary_prior, other quadrature: committee.energetic) and free entropy larger by exactly ln 2:
    the version-space entropy counts configurations (ln 2 per weight with no data), the Bayes free entropy
    is the log-evidence, normalised by the uniform prior (module docstring)."""
    s = _solve_ising(at, 0.0)
    b = B.bayes_large_k(at, "binary")
    assert len(s.branches) == len(b.branches) == 3
    for x, y in zip(sorted(s.branches, key=lambda t: t["q_d"]), sorted(b.branches, key=lambda t: t["q_d"])):
        assert x.branch == LABELS_BINARY[y.branch] and x.status == y.status
        assert x["q_d"] == pytest.approx(y["q_d"], abs=1e-9)
        assert x["eps_g"] == pytest.approx(y["eps_g"], abs=1e-9)
        assert x["free_entropy"] == pytest.approx(y["free_entropy"] + LN2, abs=1e-9 * at)
        assert x["R_d"] == x["q_d"] and x["c_a"] == 0.0
    assert s.branch_named("perfect")["free_entropy"] == 0.0
    assert s.branch == ("permutation_symmetric" if at < 1.6176 else "perfect")


def test_ising_zero_temperature_transition_is_the_bayes_binary_alpha_IT():
    """The first-order transition to perfect learning at T = 0 is the binary-prior Bayes alpha_IT =
    ln 2 / (-Psi_1(2/pi)) = 1.6176 of large_k_transitions(prior="binary") (to the bisection tolerance);
    the permutation-symmetric branch never ends (no spinodal) and the single-point solves are labelled
    accordingly on both sides; eps_g jumps from arccos(2/pi)/pi to 0."""
    t = F.gibbs_fully_large_k_transition(0.0, weights="ising")
    b = B.large_k_transitions("binary")
    assert t.converged and t.params == {"T": 0.0, "weights": "ising"}
    assert t["alpha_spec"] == pytest.approx(b["alpha_IT"], abs=1e-8)
    assert t["alpha_spec"] == pytest.approx(b["alpha_IT_closed_form"], abs=1e-8)
    assert t["alpha_spec"] == pytest.approx(1.6176, abs=1e-4)
    assert t["alpha_ps_spinodal"] == math.inf and t["eps_g_ps"] == pytest.approx(EPS_PS0, abs=1e-12)
    assert t["eps_g_spec"] == 0.0 and t["n_unstable_at_spec"] == 1
    assert F.gibbs_fully_large_k(t["alpha_spec"] - 1e-3, 0.0, weights="ising").branch == "permutation_symmetric"
    assert F.gibbs_fully_large_k(t["alpha_spec"] + 1e-3, 0.0, weights="ising").branch == "perfect"


def test_ising_small_temperature_limit_of_the_full_equations_is_the_nishimori_solution():
    """The T > 0 equations (q_d and R_d free, Ising prior, L maximised) at T = 0.02 reproduce the T = 0
    (Nishimori) branches at alpha_tilde = 1 and 3: R_d = q_d and c_a = 0 emerge, with the same free
    entropies and statuses (on either side of the T = 0 transition)."""
    for at in (1.0, 3.0):
        cold, zero = F.gibbs_fully_large_k(at, 0.02, weights="ising"), _solve_ising(at, 0.0)
        assert [(b.branch, b.status) for b in cold.branches] == [(b.branch, b.status) for b in zero.branches]
        for x, y in zip(cold.branches, zero.branches):
            for k in ("q_d", "R_d", "eps_g", "free_entropy"):
                assert x[k] == pytest.approx(y[k], abs=1e-8)
            assert abs(x["c_a"]) < 1e-8


@pytest.mark.parametrize("T", [0.5, 1.0])
def test_ising_entropy_is_minus_the_temperature_derivative_of_the_free_energy(T):
    """Envelope theorem at T > 0 with Ising weights: entropy = phi + alpha_tilde eps_t / T equals -dF/dT
    (F = -T phi, central differences) on the permutation-symmetric branch (phi = ln 2 + alpha G_E, c_a(T)
    moving) and on the unstable specialised branch (a saddle point, followed to T +- h by Newton), at
    alpha_tilde = 2. This fails if a conjugate sign or the Ising entropic term were wrong."""
    from replicon.theory import engine

    at, h = 2.0, 1e-4
    s = _solve_ising(at, T)
    ps = [F.permutation_symmetric(at, t, "ising") for t in (T - h, T, T + h)]
    assert -(ps[2].free_energy - ps[0].free_energy) / (2 * h) == pytest.approx(ps[1]["entropy"], abs=1e-6)
    sp = s.branch_named("specialised")
    assert sp.status == "unstable"
    x = np.array([sp["q_d"], sp["R_d"]])
    fe = []
    for t in (T - h, T + h):
        m = F._Fully(at, t, "ising")
        r = engine.step_to(m.problem(), x, tol=1e-12)
        assert r.converged
        fe.append(-t * m.evaluate(r.x)[1])
    assert -(fe[1] - fe[0]) / (2 * h) == pytest.approx(sp["entropy"], abs=1e-6)
    assert 0 < sp["eps_t"] < ps[1]["eps_t"]
    assert s.branch_named("perfect")["entropy"] == 0.0


def test_ising_saddle_point_is_stationary_in_all_five_variables():
    """Chain rule and conjugate signs: at the unstable specialised root (T = 0.5, alpha_tilde = 2)
    phi = G_S^ising(q_d, R_d; q_hat, R_hat) + alpha_tilde G_E^perc(q_eff, R_eff; T), evaluated directly,
    has zero gradient in (q_d, R_d, q_hat, R_hat, L) (central differences)."""
    from replicon.theory.perceptron import ising_entropy

    at, T = 2.0, 0.5
    sp = _solve_ising(at, T).branch_named("specialised")

    def phi(q, R, qh, Rh, L):
        qe, Re, _ = F.effective_overlaps(q, R, L)
        return ising_entropy(q, R, qh, Rh) + at * float(teacher_energetic(qe, Re, T)["G"])

    x = [sp["q_d"], sp["R_d"], sp.order["q_hat_d"], sp.order["R_hat_d"], 1 + sp["c_a"]]
    assert x[2] > 0 and x[3] > 0
    for i in range(5):
        h = 1e-6 * max(1.0, abs(x[i]))
        xp, xm = list(x), list(x)
        xp[i] += h
        xm[i] -= h
        assert (phi(*xp) - phi(*xm)) / (2 * h) == pytest.approx(0.0, abs=1e-6)
    # not vacuous: the entropic term alone has gradient (q_hat/2, -R_hat) in (q_d, R_d), cancelled by the energetic one
    h = 1e-6
    dq = (ising_entropy(x[0] + h, x[1], x[2], x[3]) - ising_entropy(x[0] - h, x[1], x[2], x[3])) / (2 * h)
    dR = (ising_entropy(x[0], x[1] + h, x[2], x[3]) - ising_entropy(x[0], x[1] - h, x[2], x[3])) / (2 * h)
    assert dq == pytest.approx(x[2] / 2, abs=1e-8) and dR == pytest.approx(-x[3], abs=1e-8) and x[3] > 1


@pytest.mark.slow
def test_ising_transition_at_positive_temperature():
    """T = 0.5: alpha_spec = ln 2 / (-G_E^PS) = 2.1606 where the permutation-symmetric free entropy
    crosses the perfect state's 0; single-point solves just below/above are PS/perfect; all specialised
    roots found there repel the iteration (no attracting partially specialised branch competes)."""
    t = F.gibbs_fully_large_k_transition(0.5, weights="ising")
    assert t.converged and t["alpha_ps_spinodal"] == math.inf
    a = t["alpha_spec"]
    assert a == pytest.approx(t["alpha_spec_closed_form"], abs=1e-8) and 2.0 < a < 2.3
    assert F.permutation_symmetric(a, 0.5, "ising")["free_entropy"] == pytest.approx(0.0, abs=1e-8)
    below, above = (F.gibbs_fully_large_k(a + d, 0.5, weights="ising") for d in (-0.01, 0.01))
    assert below.branch == "permutation_symmetric" and above.branch == "perfect"
    for s in (below, above):
        assert all(b.status == "unstable" for b in s.branches if b.branch == "specialised")
    assert t["eps_g_ps"] == pytest.approx(F.permutation_symmetric(1.0, 0.5)["eps_g"], abs=1e-14)


@pytest.mark.slow
def test_ising_transition_high_temperature_limit():
    """Analytic limit: -T G_E^PS -> arccos(sqrt(2/pi))/pi (the PS plateau's Bayes bound), so alpha_spec / T
    -> ln 2 / (arccos(sqrt(2/pi))/pi) = 3.3647; the deviation decays like 1/T^2 (ratio 4 from T = 5 to 10)."""
    lam = LN2 / EPS_BAYES_PS
    r = {T: F.gibbs_fully_large_k_transition(T, weights="ising")["alpha_spec"] / T - lam for T in (5.0, 10.0)}
    assert 0 < r[10.0] < r[5.0] < 0.02
    assert 3.5 < r[5.0] / r[10.0] < 4.5


@pytest.mark.slow
@pytest.mark.parametrize("T", [0.2, 1.0, 2.0])
def test_ising_no_attracting_partially_specialised_branch(T):
    """The two-state picture behind the Ising transition (about 3 s per T): at alpha_tilde = alpha_spec/2,
    alpha_spec and 2 alpha_spec every specialised root found repels the iteration, and the thermodynamic
    branch is PS below alpha_spec and perfect above."""
    a = F.gibbs_fully_large_k_transition(T, weights="ising")["alpha_spec"]
    for f in (0.5, 1.0, 2.0):
        s = F.gibbs_fully_large_k(f * a, T, weights="ising")
        assert all(b.status == "unstable" for b in s.branches if b.branch == "specialised")
        if f != 1.0:
            assert s.branch == ("permutation_symmetric" if f < 1 else "perfect")


def test_ising_no_data_and_bad_weights():
    """alpha_tilde = 0 with Ising weights: free entropy = entropy = ln 2 per weight (all 2^(NK) configurations);
    an unknown weights value is a one-line ParamError in both functions."""
    s = F.gibbs_fully_large_k(0.0, 0.3, weights="ising")
    assert s.converged and s["free_entropy"] == LN2 and s["eps_g"] == 0.5
    for f in (lambda: F.gibbs_fully_large_k(2.0, 0.0, weights="gaussian"),
              lambda: F.gibbs_fully_large_k_transition(0.0, weights="binary")):
        with pytest.raises(ParamError) as e:
            f()
        assert "\n" not in str(e.value) and "weights" in str(e.value)


def test_registry_entries_ising():
    """The registry entries accept weights=ising and return the module's results."""
    from replicon.registry import get

    s = get("committee.gibbs_fully_largek").solve(alpha_tilde=3.0, T=0.0, weights="ising")
    assert s.branch == "perfect" and s.params["weights"] == "ising"
    t = get("committee.gibbs_fully_largek_transition").solve(T=0.0, weights="ising")
    assert t["alpha_spec"] == pytest.approx(1.6176, abs=1e-4)


def _ising_uniform_deficit(K, R, m, L):
    """Exact (finite K) entropy deficit per input of K Ising spins J_k = B_k sigma_k (teacher spins B uniform)
    with mean sum_k sigma_k / K = R, u u^0 = m and u^2 = L on average over inputs (u = K^{-1/2} sum_k J_k,
    u^0 = K^{-1/2} sum_k B_k): K s_ising(R) minus the Legendre transform over three conjugates of
    E_B ln sum_sigma exp(a sum sigma + b u u^0 + c u^2), the spin sum done exactly by counting the spins
    flipped among the teacher's +1 and -1 units (binomial coefficients), minimised by Newton."""
    from scipy.special import gammaln, logsumexp

    ns = np.arange(K + 1)
    logw = gammaln(K + 1) - gammaln(ns + 1) - gammaln(K - ns + 1) - K * LN2
    tabs = []
    for n in ns[logw > -40]:
        jp, jm = np.arange(n + 1), np.arange(K - n + 1)
        Mp, Mm = n - 2 * jp, (K - n) - 2 * jm
        lc = (gammaln(n + 1) - gammaln(jp + 1) - gammaln(n - jp + 1))[:, None] + \
             (gammaln(K - n + 1) - gammaln(jm + 1) - gammaln(K - n - jm + 1))[None, :]
        u = (Mp[:, None] - Mm[None, :]) / math.sqrt(K)
        X = np.stack([(Mp[:, None] + Mm[None, :]).ravel().astype(float), (u * (2 * n - K) / math.sqrt(K)).ravel(),
                      (u * u).ravel()])
        tabs.append((math.exp(logw[n]), lc.ravel(), X))
    target = np.array([K * R, m, L])

    def fgh(p):
        v, g, H = 0.0, np.zeros(3), np.zeros((3, 3))
        for w, lc, X in tabs:
            e = lc + p @ X
            lz = logsumexp(e)
            pr = np.exp(e - lz)
            mu = X @ pr
            v, g, H = v + w * lz, g + w * mu, H + w * ((X * pr) @ X.T - np.outer(mu, mu))
        return v - p @ target, g - target, H

    p = np.array([math.atanh(R), 0.0, 0.0])
    for _ in range(60):
        v, g, H = fgh(p)
        if np.max(np.abs(g) / np.array([K, 1.0, 1.0])) < 1e-11:
            break
        step, t = np.linalg.solve(H, g), 1.0
        while fgh(p - t * step)[0] > v + 1e-12 * max(1.0, abs(v)) and t > 1e-6:
            t /= 2
        p = p - t * step
    else:
        raise AssertionError("Legendre transform did not converge")
    s_ising = LN2 - (1 + R) / 2 * math.log1p(R) - (1 - R) / 2 * math.log1p(-R)
    return K * s_ising - v


@pytest.mark.parametrize("R, m, L", [(0.8, 1.2, 2.0), (0.5, 0.8, 1.0), (0.5, 0.3, 0.5)])
def test_ising_uniform_direction_costs_order_one_per_input(R, m, L):
    """The premise of the Ising entropic term (module docstring): imposing the uniform direction's overlaps
    (m = u.u^0/N, L = |u|^2/N = 1 + c_a, here far from their natural values R and 1) on K Ising units costs
    O(1) per input, not O(K): the exact deficit at K = 25, 50, 100 converges, with a 1/K correction (K times
    the difference equal at K = 50 and 100 to 3%), to the Gaussian relative entropy
    D = 1/2 [(L - m^2 + (m - R)^2)/(1 - R^2) - 1 - ln((L - m^2)/(1 - R^2))], an independent closed form."""
    v, s2 = L - m * m, 1 - R * R
    d_inf = 0.5 * ((v + (m - R) ** 2) / s2 - 1 - math.log(v / s2))
    d = {K: _ising_uniform_deficit(K, R, m, L) for K in (25, 50, 100)}
    assert d_inf > 0.05
    assert abs(d[100] - d_inf) < abs(d[50] - d_inf) < abs(d[25] - d_inf) < 0.03
    assert 100 * (d[100] - d_inf) == pytest.approx(50 * (d[50] - d_inf), rel=0.03)
