"""Gibbs learning of the fully connected committee (replicon.theory.committee.fully): K = 1, 3, T >= 0."""

import math

import numpy as np
import pytest

from replicon.theory import channels, gauss, priors  # noqa: F401
from replicon._util import ParamError
from replicon.compare.experiment import extrapolate
from replicon.registry import get
from replicon.theory.committee import fully as F
from replicon.theory import engine
from replicon.theory import perceptron as P


def test_majority_hessian_matches_finite_differences():
    """The closed-form Hessian of P(majority of 3 correlated Gaussians > 0) in the means (used for the
    self-overlap conjugate) equals central differences of the closed-form gradient, for a covariance
    with mixed-sign correlations; K = 1 likewise."""
    rng = np.random.default_rng(3)
    S = np.array([[1.0, -0.3, 0.2], [-0.3, 0.8, -0.25], [0.2, -0.25, 1.2]])
    m = rng.normal(size=(6, 3))
    M, G, H = F.majority3(m, S)
    h = 1e-5
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        _, Gp, _ = F.majority3(m + e, S)
        _, Gm, _ = F.majority3(m - e, S)
        assert np.max(np.abs((Gp - Gm) / (2 * h) - H[:, :, k])) < 1e-8
    assert np.allclose(H, np.transpose(H, (0, 2, 1)))
    _, G1, H1 = F.majority3(m[:, :1], S[:1, :1])
    _, G1p, _ = F.majority3(m[:, :1] + h, S[:1, :1])
    _, G1m, _ = F.majority3(m[:, :1] - h, S[:1, :1])
    assert np.max(np.abs((G1p - G1m)[:, 0] / (2 * h) - H1[:, 0, 0])) < 1e-8


@pytest.mark.parametrize("T", [1.0, 0.0])
def test_energetic_gradients_match_finite_differences(T):
    """dG_E/dq, dG_E/dR (Price's theorem) and dG_E/dQ (heat equation, Hessian of the channel), projected
    on the committee-symmetric channels, equal central differences of G_E itself at a specialised,
    off-Nishimori point. This checks the derivation of the conjugates in the module docstring."""
    m = F._Fully(1.0, T, 3)
    x = np.array([0.3, 0.6, 0.45, 0.65, 0.95])       # (q_p, q_1, rho_p, rho_1, Q_p)
    e = m.energetic(x)
    qc, Rc, Qc = m.channels(x)

    def G(dq=(0, 0), dR=(0, 0), dQp=0.0):
        qn, Rn = qc + np.array(dq), Rc + np.array(dR)
        y = np.array([qn[0], qn[1], Rn[0] / math.sqrt(qn[0]), Rn[1] / math.sqrt(qn[1]), x[4] + dQp])
        return m.energetic(y, grads=False)["G"]

    h = 1e-5
    fd = {
        "q_p": (G(dq=(h, 0)) - G(dq=(-h, 0))) / (2 * h), "q_1": (G(dq=(0, h)) - G(dq=(0, -h))) / (2 * h),
        "R_p": (G(dR=(h, 0)) - G(dR=(-h, 0))) / (2 * h), "R_1": (G(dR=(0, h)) - G(dR=(0, -h))) / (2 * h),
        "Q_p": (G(dQp=h) - G(dQp=-h)) / (2 * h),
    }
    # the perp channel has multiplicity K - 1 = 2; Q_1 = 3 - 2 Q_p moves with Q_p
    assert fd["q_p"] == pytest.approx(2 * e["gq"][0], abs=1e-7)
    assert fd["q_1"] == pytest.approx(e["gq"][1], abs=1e-7)
    assert fd["R_p"] == pytest.approx(2 * e["gR"][0], abs=1e-7)
    assert fd["R_1"] == pytest.approx(e["gR"][1], abs=1e-7)
    assert fd["Q_p"] == pytest.approx(2 * e["gQ"][0] - 2 * e["gQ"][1], abs=1e-7)


def test_symmetry_reduced_rule_equals_full_product_rule():
    """The sorted-triple rule (permutations and omega -> -omega merged) integrates exactly what the full
    n^3 Gauss-Hermite product rule does, for every invariant the solver uses."""
    m = F._Fully(1.5, 0.7, 3, n_gh=10)
    x = np.array([0.25, 0.5, 0.4, 0.6, 0.9])
    Q, q, R = m.matrices(x)
    reduced = F.energetic(Q, q, R, 0.7, n_gh=10)
    xs, ws = gauss.hermite(10)
    lam, U = np.linalg.eigh(q)
    root = (U * np.sqrt(lam)) @ U.T
    u = np.stack(np.meshgrid(xs, xs, xs, indexing="ij"), -1).reshape(-1, 3)
    w = np.prod(np.stack(np.meshgrid(ws, ws, ws, indexing="ij"), -1).reshape(-1, 3), axis=1)
    orig = F.omega_nodes
    try:
        F.omega_nodes = lambda *a, **k: (u @ root.T, w)
        full = F.energetic(Q, q, R, 0.7, n_gh=10)
    finally:
        F.omega_nodes = orig
    for key in ("G", "eps_t", "eps_g"):
        assert reduced[key] == pytest.approx(full[key], abs=1e-13)
    for key in ("gq", "gR", "gQ"):
        assert np.allclose(reduced[key], full[key], atol=1e-13)


@pytest.mark.parametrize("T,alpha", [(0.5, 1.0), (0.5, 3.0), (0.0, 1.0), (0.0, 3.0)])
def test_K1_is_the_spherical_perceptron(T, alpha):
    """K = 1 has exactly the RS equations of spherical teacher-student Gibbs learning
    (Engel & Van den Broeck eqs. (2.31), (2.41)): R, q, eps_t, eps_g and the free entropy agree with
    perceptron.teacher to quadrature precision; at T = 0 the (q, R) iteration lands on R = q."""
    s = F.gibbs_fully(K=1, alpha=alpha, T=T)
    p = P.teacher(alpha=alpha, T=T, weights="spherical")
    for key in ("R", "q", "eps_t", "eps_g", "free_entropy"):
        assert s[key] == pytest.approx(p[key], abs=1e-9), key


@pytest.mark.parametrize("alpha", [1.0, 1.4])
def test_K1_ising_T0_is_the_ising_perceptron(alpha):
    """Ising weights at T = 0 go through the Bayes-optimal binary committee (the version-space measure is
    the Bayes posterior); K = 1 must reproduce perceptron.teacher(weights=ising) branch by branch, with
    the version-space entropy = Bayes free entropy + ln 2 (Gyorgyi 1990: poor state thermodynamic at
    alpha = 1, perfect state at 1.4 > 1.245)."""
    s = F.gibbs_fully(K=1, alpha=alpha, T=0.0, weights="ising")
    p = P.teacher(alpha=alpha, T=0.0, weights="ising")
    assert s.branch == p.branch
    mine = sorted(((b.branch, b.status, b["R"], b["entropy"]) for b in s.branches), key=lambda t: t[2])
    ref = sorted(((b.branch, b.status, b["R"], float(b["entropy"])) for b in p.branches), key=lambda t: t[2])
    assert [t[:2] for t in mine] == [t[:2] for t in ref]
    assert np.allclose([t[2:] for t in mine], [t[2:] for t in ref], atol=1e-7)


@pytest.mark.parametrize("T,alpha", [(1.0, 1.0), (0.5, 1.5), (1.0, 3.0)])
def test_K1_ising_T_positive_is_the_ising_perceptron(T, alpha):
    """Ising weights at T > 0 (the K-spin entropic term with conjugates from the energetic gradients):
    K = 1 reproduces perceptron.teacher(weights=ising)'s poor branch (R, q, eps_t, free entropy) and its
    exact perfect state, and the same thermodynamic choice (at T = 1, alpha = 3 only the perfect state)."""
    s = F.gibbs_fully(K=1, alpha=alpha, T=T, weights="ising")
    p = P.teacher(alpha=alpha, T=T, weights="ising")
    assert s.branch == p.branch
    assert s.branch_named("perfect")["free_entropy"] == 0.0
    if "poor" in [b.branch for b in p.branches]:
        a, b = s.branch_named("poor"), p.branch_named("poor")
        for key in ("R", "q", "eps_t", "free_entropy"):
            assert a[key] == pytest.approx(float(b[key]), abs=1e-9), key


def test_ising_prior_at_zero_conjugates():
    """No coupling to data: q = R = 0, Q = I, E ln Z = K ln 2 (the entropy of K N free spins per N)."""
    q, R, Q, lnZ = priors.ising_units_prior(3, np.zeros(2), np.zeros(2), 0.0)
    assert np.allclose(q, 0) and np.allclose(R, 0) and np.allclose(Q, 1)
    assert lnZ == pytest.approx(3 * math.log(2), abs=1e-12)


def _assert_monte_carlo_agrees(theory, alpha, weights, seed, NS=(40, 80, 160)):
    """Fully connected Metropolis (K = 3, T = 1, 16 seeds per N) extrapolated in 1/N against the theory,
    within 3.5 standard errors, for the permutation-invariant observables."""
    sim = get("committee.gibbs").simulate
    runs = [sim(K=3, alpha=alpha, T=1.0, weights=weights, arch="fully", N=N, seeds=16, seed=seed) for N in NS]
    for obs in ("R_mean", "q_mean", "eps_g", "eps_t"):
        m, se = extrapolate(NS, [r.mean[obs] for r in runs], [r.sem[obs] for r in runs])
        assert abs(m - theory[obs]) < 3.5 * se, (obs, m, se, theory[obs])


@pytest.fixture(scope="module")
def ising_T1():
    return F.gibbs_fully(K=3, alpha=1.0, T=1.0, weights="ising")


def test_K3_ising_matches_fully_connected_monte_carlo(ising_T1):
    """K = 3 Ising weights, T = 1, alpha = 1: Metropolis spin flips of the fully connected committee
    (N = 40, 80, 160, 16 seeds) extrapolated in 1/N agree with the RS symmetric branch within 3.5
    standard errors (the perfect state is metastable here: free entropy 0 < 1.72)."""
    s = ising_T1
    assert s.branch == "symmetric" and s.branch_named("perfect").status == "metastable"
    _assert_monte_carlo_agrees(s, alpha=1.0, weights="ising", seed=5)


@pytest.mark.slow
def test_K3_ising_entropy_is_minus_dF_dT(ising_T1):
    """Envelope theorem for the K = 3 Ising entropic term (checks the signs of all three conjugates,
    including the one of the hidden units' mutual overlap C): entropy = -dF/dT."""
    h = 1e-4
    fp = F.gibbs_fully(K=3, alpha=1.0, T=1.0 + h, weights="ising").branch_named("symmetric")["free_entropy"]
    fm = F.gibbs_fully(K=3, alpha=1.0, T=1.0 - h, weights="ising").branch_named("symmetric")["free_entropy"]
    dF_dT = -((1.0 + h) * fp - (1.0 - h) * fm) / (2 * h)
    assert ising_T1["entropy"] == pytest.approx(-dF_dT, abs=1e-6)


@pytest.fixture(scope="module")
def sym_T1():
    return F.gibbs_fully(K=3, alpha=2.0, T=1.0)


@pytest.mark.slow
def test_K3_symmetric_branch_matches_fully_connected_monte_carlo(sym_T1):
    """K = 3, spherical, T = 1, alpha = P/N = 2: Metropolis Monte Carlo of the fully connected committee
    (N = 40, 80, 160 inputs, 16 seeds each) extrapolated in 1/N agrees with the RS theory within
    3.5 standard errors for the permutation-invariant observables (mean student-teacher and
    student-student overlaps, generalisation and training errors)."""
    s = sym_T1
    assert s.branch == "symmetric" and s.status == "thermodynamic"
    _assert_monte_carlo_agrees(s, alpha=2.0, weights="spherical", seed=11)


def test_K3_entropy_is_minus_dF_dT(sym_T1):
    """At a stationary point df/dbeta = -alpha eps_t (envelope theorem), i.e. the reported entropy
    f + alpha eps_t / T equals -dF/dT with F = -T f. Central differences in T of the solved free
    entropy check that the fixed point (including the spherical constraint on Q) is stationary."""
    h = 1e-4
    fp = F.gibbs_fully(K=3, alpha=2.0, T=1.0 + h)["free_entropy"]
    fm = F.gibbs_fully(K=3, alpha=2.0, T=1.0 - h)["free_entropy"]
    dF_dT = -((1.0 + h) * fp - (1.0 - h) * fm) / (2 * h)
    assert sym_T1["entropy"] == pytest.approx(-dF_dT, abs=1e-7)


def test_K3_T0_unrestricted_iteration_lands_on_the_nishimori_line():
    """At T = 0 the Gibbs posterior of spherical weights is the Bayes posterior: iterating the full
    (q, R, Q) equations of the symmetric branch from an off-line start converges to R = q, Q = I
    (the solver then works on that line, as perceptron.teacher does at T = 0)."""
    m = F._Fully(2.0, 0.0, 3, restricted=True)
    r = engine.iterate(m.problem(), np.array([0.3, 0.4, 1.1]))
    assert r.converged
    qc, Rc, Qc = m.channels(r.x)
    assert Rc[1] == pytest.approx(qc[1], abs=1e-8) and np.allclose(Qc, 1.0, atol=1e-8)
    s = F.gibbs_fully(K=3, alpha=2.0, T=0.0)
    assert s.branch == "symmetric" and s["q_a"] == pytest.approx(qc[1], abs=1e-8)


@pytest.mark.parametrize("alpha", [2.0, 8.0])
def test_K3_T0_symmetric_branch_equals_bayes_optimal_committee(alpha):
    """Spherical Gibbs learning at T = 0 = Bayes-optimal learning with the Gaussian prior (Aubin et al.
    2018, eq. (10)); committee.bayes (K = 3) solves the state evolution with its own quadrature (the
    non-specialised point on its line q_d = 0). Same q_a, eps_g and free entropy."""
    from replicon.theory.committee import bayes as C

    mb = C._Bayes(alpha, 3, "gaussian", "zero", restricted=True)
    rb = engine.iterate(mb.problem(), np.array([0.5]), tol=1e-11)
    qb, _, phib, eb = mb.evaluate(rb.x)
    m = F._Fully(alpha, 0.0, 3, restricted=True, nishimori=True)
    r = engine.iterate(m.problem(), np.array([0.5]), tol=1e-11)
    f, e = m.evaluate(r.x)
    assert r.x[0] == pytest.approx(3 * qb[0, 1], abs=1e-8)            # q_a (= q_1 on q_d = 0)
    assert e["eps_g"] == pytest.approx(eb["eps_gibbs"], abs=1e-8)
    assert f == pytest.approx(phib, abs=1e-8)


def test_symmetric_point_loses_transverse_stability_between_alpha_16_and_24():
    """K = 3, T = 0: the permutation-symmetric point stops attracting the specialisation directions
    (q_p, R_p) between alpha = 16 and 24."""
    lo = F._Fully(16.0, 0.0, 3, restricted=True)
    hi = F._Fully(24.0, 0.0, 3, restricted=True)
    r_lo = engine.iterate(lo.problem(), lo.inits()[0])
    r_hi = engine.iterate(hi.problem(), hi.inits()[0])
    assert lo.transverse_radius(r_lo.x) < 1.0 < hi.transverse_radius(r_hi.x)


@pytest.mark.slow
def test_K3_T0_specialised_branches_equal_bayes_optimal_committee():
    """K = 3, T = 0, alpha = 16 (~2 min): the three branches (stable specialised, metastable symmetric,
    unstable weakly specialised) and their free entropies equal committee.bayes(K=3, gaussian), which
    uses a different quadrature (Gauss-Hermite in the common mode, tensor rule in the specialisation
    coordinates); here the narrow kinks (1 - q_d ~ 0.05) are integrated by panel rules in omega."""
    from replicon.theory.committee import bayes as C

    s = F.gibbs_fully(K=3, alpha=16.0, T=0.0)
    b = C.bayes(K=3, alpha=16.0, prior="gaussian")
    assert s.branch == b.branch == "specialised"
    mine = sorted((x for x in s.branches if x.branch == "specialised"), key=lambda x: x["q_d"])
    theirs = sorted((x for x in b.branches if x.branch == "specialised"), key=lambda x: x["q_d"])
    assert len(mine) == len(theirs) == 2
    for u, v in zip(mine, theirs):
        assert u.status == v.status
        assert u["q_d"] == pytest.approx(v["q_d"], abs=1e-5)
        assert u["q_a"] == pytest.approx(v["q_a"], abs=1e-5)
        assert u["eps_g"] == pytest.approx(v["eps_g"], abs=1e-5)
        assert u["free_entropy"] == pytest.approx(v["free_entropy"], abs=1e-4)
    assert s.branch_named("symmetric").status == b.branch_named("nonspecialised").status == "metastable"


def test_arch_dispatch_and_bad_input():
    """committee.gibbs routes arch=tree to the tree committee and arch=fully here; K = 5, Ising weights and
    unknown architectures are refused with a one-line ParamError."""
    tree = get("committee.gibbs").solve(K=1, alpha=1.0, T=1.0, weights="spherical", arch="tree")
    assert "R_mean" not in tree.observables and tree.params.get("arch", "tree") == "tree"
    fully = get("committee.gibbs").solve(K=1, alpha=1.0, T=1.0, weights="spherical", arch="fully")
    assert fully.params["arch"] == "fully" and fully["R"] == pytest.approx(tree["R"], abs=1e-9)
    with pytest.raises(ParamError, match="K must be 1 or 3"):
        F.gibbs_fully(K=5, alpha=1.0, T=1.0)
    with pytest.raises(ParamError, match="weights"):
        F.gibbs_fully(K=3, alpha=1.0, T=1.0, weights="binary")
    with pytest.raises(ParamError, match="arch"):
        F.gibbs(arch="deep")
