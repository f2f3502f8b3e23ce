"""Metropolis Monte Carlo of the tree committee machine against its replica theory (committee.gibbs)."""

import math

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.compare.experiment import extrapolate
from replicon.simulate.committee.monte_carlo import _majority_error, simulate_tree, tree_data
from replicon.theory.committee.tree import committee_error, gibbs

NS = (60, 120, 240)


def _check_against_theory(alpha, T, weights, observables, seeds=12, sizes=NS):
    th = gibbs(K=3, alpha=alpha, T=T, weights=weights)
    assert th.converged
    runs = [simulate_tree(K=3, alpha=alpha, T=T, weights=weights, N=N, seeds=seeds, seed=7) for N in sizes]
    for obs in observables:
        m, se = extrapolate(sizes, [r.mean[obs] for r in runs], [r.sem[obs] for r in runs])
        assert abs(m - th[obs]) < 3.5 * se, (obs, m, se, th[obs])


@pytest.mark.parametrize("alpha", [1.0, pytest.param(3.0, marks=pytest.mark.slow)])
def test_spherical_tree_committee_mc_matches_rs_theory(alpha):
    """Spherical tree committee, K = 3, T = 1: Metropolis at N = 60, 120, 240 extrapolated in 1/N gives the
    RS R, eps_g, eps_t and q of committee.gibbs within 3.5 standard errors (the replica theory of
    Schwarze & Hertz 1992; its replicon eigenvalue is not computed, so the simulation is the evidence)."""
    _check_against_theory(alpha, 1.0, "spherical", ("R", "eps_g", "eps_t", "q"))


@pytest.mark.slow
def test_ising_tree_committee_mc_matches_poor_branch():
    """Ising tree committee, K = 3, T = 1, alpha = 1: the poor branch of committee.gibbs (thermodynamic
    there) is what Metropolis spin flips sample, within 3.5 standard errors after 1/N extrapolation."""
    th = gibbs(K=3, alpha=1.0, T=1.0, weights="ising")
    assert th.branch == "poor"
    _check_against_theory(1.0, 1.0, "ising", ("R", "eps_g", "eps_t"))


@pytest.mark.slow
def test_spherical_tree_committee_mc_matches_rs_theory_at_half_temperature():
    """Spherical tree committee, K = 3, T = 0.5, alpha = 1: Metropolis with the default T < 1 schedule (anneal
    in beta from T = 1 over 848 N/60 sweeps, then 300 + 1000) at N = 30, 60, 120 (16 seeds; the cheap
    variant of the slow test below) extrapolated in 1/N gives the RS R, eps_g, eps_t and q of
    committee.gibbs within 3.5 standard errors."""
    _check_against_theory(1.0, 0.5, "spherical", ("R", "eps_g", "eps_t", "q"), seeds=16, sizes=(30, 60, 120))


@pytest.mark.slow
def test_spherical_tree_committee_mc_matches_rs_theory_at_half_temperature_large_n():
    """As above at N = 60, 120, 240 with 12 seeds (slow, ~15 s)."""
    _check_against_theory(1.0, 0.5, "spherical", ("R", "eps_g", "eps_t", "q"))


@pytest.mark.slow
def test_spherical_tree_committee_mc_matches_rs_theory_at_half_temperature_large_alpha():
    """Spherical tree committee, K = 3, T = 0.5, alpha = 3 (slow, ~25 s): as above. Without the anneal (the
    old 300 + 300 schedule) R at N = 240 was 0.46 against 0.736 (RS); relaxation slows about linearly
    with N here, hence the anneal length proportional to N (gibbs_schedule)."""
    _check_against_theory(3.0, 0.5, "spherical", ("R", "eps_g", "eps_t", "q"))


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.5, 1.0])
def test_ising_tree_committee_mc_matches_poor_branch_at_half_temperature(alpha):
    """Ising tree committee, K = 3, T = 0.5, alpha = 0.5 and 1 (below the first-order transition at 1.379, so
    the poor branch is thermodynamic; slow, ~15 s each): spin-flip Metropolis with the annealed default
    schedule matches the poor branch's R, eps_g, eps_t and q within 3.5 standard errors after 1/N
    extrapolation."""
    th = gibbs(K=3, alpha=alpha, T=0.5, weights="ising")
    assert th.branch == "poor"
    _check_against_theory(alpha, 0.5, "ising", ("R", "eps_g", "eps_t", "q"))


def test_majority_error_kernel_equals_closed_form():
    """The kernel's committee error for equal branch errors is the closed form of committee_error, and with
    unequal errors one perfect branch of three leaves a flip only when the other two flip disagreeingly."""
    for e in (0.05, 0.3, 0.5):
        assert _majority_error(np.full(3, e)) == pytest.approx(committee_error(e, 3), abs=1e-14)
        assert _majority_error(np.full(5, e)) == pytest.approx(committee_error(e, 5), abs=1e-14)
    # branch 1 perfect, branches 2 and 3 err with a, b: the vote flips iff the flipped votes decide it
    a, b = 0.2, 0.4
    direct = 0.5 * (a * (1 - b) + b * (1 - a)) + a * b * 0.5
    assert _majority_error(np.array([0.0, a, b])) == pytest.approx(direct, abs=1e-14)


def test_teacher_labels_are_its_majority_vote():
    """tree_data labels are the majority of the teacher's K branch signs (checked against a dense recomputation)."""
    xiT, B, sigma = tree_data(90, 3, 50, "spherical", np.random.default_rng(0))
    h = np.stack([B[k * 30:(k + 1) * 30] @ xiT[k * 30:(k + 1) * 30] for k in range(3)])
    assert np.array_equal(sigma, np.sign(np.sign(h).sum(0)))


def test_bad_sizes():
    with pytest.raises(ParamError):
        simulate_tree(K=3, N=100)
    with pytest.raises(ParamError):
        simulate_tree(K=3, T=0.0)


@pytest.mark.slow
def test_committee_bayes_simulate_is_amp():
    """committee.bayes's registered simulation is committee AMP (Aubin et al. 2018, Algorithm 1).
    K = 2, Gaussian prior: at alpha = 1 (non-specialised) AMP's q_a, sampled-student error eps_g and
    Bayes-label error eps_bayes at N = 1000 agree with the RS fixed point within 3.5 standard errors;
    at alpha = 2.5 (above the continuous specialisation at 2.05) AMP from a small random start
    specialises, q_d > 0.1 in every instance (there, at N = 1000, its errors still lie ~0.01 above the
    RS values: the approach near the transition is slow, so only the specialisation is asserted)."""
    from replicon.registry import get

    model = get("committee.bayes")
    th = model.run_solve(K=2, alpha=1.0)
    m = model.run_simulate(K=2, alpha=1.0, N=1000, seeds=4, seed=3)
    for obs in ("q_a", "eps_g", "eps_bayes"):
        assert abs(m.mean[obs] - th[obs]) < 3.5 * m.sem[obs], obs
    assert model.run_solve(K=2, alpha=2.5).branch == "specialised"
    m = model.run_simulate(K=2, alpha=2.5, N=1000, seeds=3, seed=3)
    assert np.all(m.samples["q_d"] > 0.1)


# ----------------------------------------------------------------------------
# Fully connected committee machine (simulate_fully)
# ----------------------------------------------------------------------------

from replicon.simulate.committee.monte_carlo import (  # noqa: E402
    _committee_gen_error, _unit_overlaps, fully_data, fully_run_on, matched_diagonal, simulate_fully)
from replicon.simulate.perceptron import simulate_teacher  # noqa: E402


@pytest.mark.parametrize("weights", [pytest.param("spherical", marks=pytest.mark.slow), "ising"])
def test_fully_connected_k1_is_the_perceptron_sampler(weights):
    """K = 1: the fully connected committee is the perceptron; at alpha = 1, T = 1, N = 60, 40 seeds each,
    its R, q, eps_t and eps_g agree with replicon.simulate.perceptron (an independent sampler: separate
    kernel, final-configuration q, eps_g = arccos(<R>)/pi rather than <arccos R>/pi, an O(1/N) ~ 1e-3
    difference) within 3.5 combined standard errors."""
    a = simulate_fully(K=1, alpha=1.0, T=1.0, weights=weights, N=60, seeds=40, seed=1)
    b = simulate_teacher(alpha=1.0, T=1.0, weights=weights, N=60, seeds=40, seed=2)
    for x, y in (("R_d", "R"), ("q_d", "q"), ("eps_t", "eps_t"), ("eps_g", "eps_g")):
        se = math.hypot(a.sem[x], b.sem[y])
        assert abs(a.mean[x] - b.mean[y]) < 3.5 * se, (x, a.mean[x], b.mean[y], se)
    assert "R_a" not in a.mean


def _exact_gibbs_k3_ising(xiT, sigma, B, T, n_test, rng):
    """Exact Gibbs averages of the K = 3 fully connected Ising committee with N = xiT.shape[0] inputs by
    enumeration of all 2^(3N) students: <R_kl> (student unit k, teacher unit l), q = <J_k>.<J_l>/N (two
    independent replicas; all k, l equal by the unit-permutation symmetry), <E>/P, and the Gibbs
    average of the committee error on n_test fresh Gaussian inputs (with its sampling error)."""
    N, P = xiT.shape
    U = np.array([[1.0 if (u >> i) & 1 else -1.0 for i in range(N)] for u in range(2 ** N)])
    s = np.where(U @ xiT > 0, 1, -1)                                     # unit signs, (2^N, P)
    votes = s[:, None, None, :] + s[None, :, None, :] + s[None, None, :, :]
    E = (sigma * votes < 0).sum(-1)                                      # (2^N,)*3
    w = np.exp(-(E - E.min()) / T)
    w /= w.sum()
    Bm = B.reshape(3, N)
    ub = U @ Bm.T / N                                                    # (2^N, 3): unit . teacher unit
    m1 = np.einsum("abc->a", w)                                          # marginal of unit 1's vector
    R = np.stack([m1 @ ub, np.einsum("abc->b", w) @ ub, np.einsum("abc->c", w) @ ub])
    mvec = m1 @ U                                                        # <J_1> (= <J_2> = <J_3>)
    q = mvec @ mvec / N
    eps_t = float((w * E).sum()) / P
    W2 = w.reshape(2 ** N, -1)
    A0 = W2.sum(0).reshape(2 ** N, 2 ** N)                               # sum_a w_abc
    err = []
    for _ in range(n_test // 4000):                                      # chunks of 4000 test inputs
        X = rng.standard_normal((N, 4000))
        t_out = np.where(np.where(Bm @ X > 0, 1, -1).sum(0) > 0, 1, -1)
        pT = (X.T @ U.T > 0).astype(float)                               # unit sign + per vector, (M, 2^N)
        # P(majority +) = sum w (p_a p_b + p_a p_c + p_b p_c - 2 p_a p_b p_c), contracted unit by unit
        A = (pT @ W2).reshape(-1, 2 ** N, 2 ** N)                        # sum_a w_abc p_a
        Bc = np.einsum("mbc,mb->mc", A, pT)                              # sum_ab w p_a p_b
        p_plus = (Bc.sum(1) + np.einsum("mbc,mc->m", A, pT) + np.einsum("bc,mb,mc->m", A0, pT, pT)
                  - 2 * np.einsum("mc,mc->m", Bc, pT))
        err.append(np.where(t_out > 0, 1 - p_plus, p_plus))
    err = np.concatenate(err)
    return R, q, eps_t, float(err.mean()), float(err.std() / math.sqrt(n_test))


@pytest.mark.parametrize("P, T", [(10, 1.0), (3, 0.5)])
def test_fully_connected_k3_ising_equals_exact_enumeration(P, T):
    """K = 3, N = 5 Ising weights (2^15 students), one data set (alpha = P/N = 2, T = 1 and alpha = 0.6,
    T = 0.5): Metropolis chains (24 seeds x 20000 sweeps) reproduce the exact Gibbs averages of the
    teacher overlaps (per teacher unit, averaged over student units), of q, of eps_t and of the
    committee eps_g within 3.5 standard errors (chains' s.e. combined with the exact eps_g's test-set
    sampling error)."""
    rng = np.random.default_rng(11)
    xiT, B, sigma = fully_data(5, 3, P, "ising", rng)
    R_ex, q_ex, et_ex, eg_ex, eg_se = _exact_gibbs_k3_ising(xiT, sigma, B, T, 40000, rng)
    runs = [fully_run_on(xiT, sigma, B, 3, T, "ising", s, sweeps=20000, burn=500, anneal=0, every=200)
            for s in range(24)]

    def check(name, samples, exact, extra_se=0.0):
        samples = np.asarray(samples)
        se = math.hypot(samples.std(ddof=1) / math.sqrt(len(samples)), extra_se)
        assert abs(samples.mean() - exact) < 3.5 * se, (name, samples.mean(), exact, se)

    for l in range(3):
        check(f"R_col{l}", [r["R"][:, l].mean() for r in runs], R_ex[:, l].mean())
    check("q", [r["q"].mean() for r in runs], q_ex)
    check("eps_t", [r["eps_t"] for r in runs], et_ex)
    check("eps_g", [r["eps_g"] for r in runs], eg_ex, eg_se)


def test_generalisation_error_from_overlaps_equals_fresh_test_set():
    """The overlap-based committee error (joint Gaussian hidden fields) equals the error counted directly
    on 200000 fresh Gaussian inputs for a random K = 3 student and teacher with N = 40 (the student
    correlated with the teacher), within 4 combined standard errors."""
    rng = np.random.default_rng(5)
    K, N = 3, 40
    B = rng.standard_normal(K * N)
    J = 0.8 * B + rng.standard_normal(K * N)
    S, R, Tt = _unit_overlaps(J, J, K), _unit_overlaps(J, B, K), _unit_overlaps(B, B, K)
    Z = rng.standard_normal((200_000, 2 * K))
    e_ov = _committee_gen_error(S, R, Tt, Z)
    X = rng.standard_normal((N, 200_000))
    out = [np.sign(np.sign(W.reshape(K, N) @ X).sum(0)) for W in (J, B)]
    e_direct = float(np.mean(out[0] != out[1]))
    assert abs(e_ov - e_direct) < 4 * math.sqrt(2 * e_direct * (1 - e_direct) / 200_000)
    assert 0.05 < e_direct < 0.4


def test_matched_diagonal_finds_the_permutation():
    """matched_diagonal: a permuted diagonal-dominant overlap matrix is matched back to its diagonal."""
    M = np.array([[0.1, 0.9, 0.2], [0.7, 0.0, 0.1], [0.3, 0.2, 0.8]])
    d, a = matched_diagonal(M)
    assert d == pytest.approx((0.9 + 0.7 + 0.8) / 3)
    assert a == pytest.approx((M.sum() - 2.4) / 6)


def test_fully_connected_bad_input():
    with pytest.raises(ParamError, match="odd"):
        simulate_fully(K=2)
    with pytest.raises(ParamError):
        simulate_fully(K=3, T=0.0)
