"""Deep chains at the edges: closed forms at large depth, overflow reported honestly, the ordered and
chaotic limits against their analytic forms, and tanh accurate at every q (replicon.theory.chain)."""

import itertools
import math

import numpy as np
import pytest
from scipy import integrate
from scipy.special import erf

from replicon.theory import chain as tc
from replicon.theory.chain.activations import kolmogorov_rule

SQ2PI = math.sqrt(2 * math.pi)


# ---------------------------------------------------------------------------
# references written out independently of the module
# ---------------------------------------------------------------------------

def linear_chain(sw, sb, q0, c0, depth, rho=1.0):
    """Linear units: q_{l+1} = sw q_l + sb and q12_{l+1} = rho (sw q12_l + sb), solved in closed form,
    q_l = sw^l q0 + sb (1 - sw^l)/(1 - sw) (q0 + l sb at sw = 1). c_l = q12_l / q_l is written with
    sw^-l so that it stays finite where q_l overflows."""
    out_q, out_c = [], []
    for l in range(depth + 1):
        if sw == 1.0:
            q = q0 + l * sb
            q12 = rho ** l * c0 * q0 + sb * sum(rho ** (j + 1) for j in range(l))
            out_q.append(q)
            out_c.append(q12 / q)
            continue
        # divide numerator and denominator by sw^l (q12 with weights rho^j: a geometric sum in rho sw)
        g = sum((rho / sw) ** (l - j) for j in range(l))          # = sum_{k=1..l} (rho/sw)^k
        h = sum(sw ** (-(l - j)) for j in range(l))               # = sum_{k=1..l} sw^-k
        with np.errstate(over="ignore"):
            q = sw ** l * q0 + sb * (sw ** l - 1) / (sw - 1) if l * math.log(sw) < 700 else math.inf
        out_q.append(q)
        out_c.append((rho ** l * c0 * q0 + sb * g) / (q0 + sb * h))
    return np.array(out_q), np.array(out_c)


def gauss_x(f, q, width=1.0):
    """E f(sqrt(q) z) as an integral over x = sqrt(q) z with density N(0, q), split around the origin on
    the scale ``width`` of the integrand's structure (resolves tanh at large q)."""
    s = math.sqrt(q)
    edges = sorted({-40 * s, -10 * width, -width, 0.0, width, 10 * width, 40 * s})
    edges = [e for e in edges if -40 * s <= e <= 40 * s]
    dens = lambda x: math.exp(-x * x / (2 * q)) / (SQ2PI * s)  # noqa: E731
    return sum(integrate.quad(lambda x: f(x) * dens(x), a, b, epsabs=1e-16, epsrel=1e-13, limit=500)[0]
               for a, b in zip(edges[:-1], edges[1:]))


# ---------------------------------------------------------------------------
# linear chain: closed form at any depth, overflow included (issue 10, item 5)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("sw,sb,q0,c0", [(0.5, 0.1, 2.0, 0.3), (1.0, 0.1, 0.5, -0.4), (1.0, 0.0, 0.7, 0.2),
                                         (1.7, 0.05, 1.0, 0.5), (3.2104, 0.0, 0.0523, 1.0),
                                         (3.2104, 0.2, 0.0523, 0.9)])
def test_linear_chain_follows_its_closed_form_at_large_depth(sw, sb, q0, c0):
    """q_l = sw^l q0 + sb (1 - sw^l)/(1 - sw), c_l from q12_l of the same form, to depth 835, where
    q_l exceeds the largest double for sw = 3.2104 (from layer 611 or 612): there q is reported as inf
    and c_l stays the closed form's finite value."""
    depth = 835
    sol = tc.signal(sigma_w2=sw, sigma_b2=sb, activation="linear", q0=q0, c0=c0, depth=depth)
    assert sol.converged
    q_ref, c_ref = linear_chain(sw, sb, q0, c0, depth)
    fin = np.isfinite(q_ref)
    np.testing.assert_allclose(sol["q"][fin], q_ref[fin], rtol=1e-12)
    assert np.all(np.isinf(sol["q"][~fin]) | (sol["q"][~fin] > 1e300))
    np.testing.assert_allclose(sol["c"], c_ref, rtol=0, atol=1e-12)
    assert np.all(np.isfinite(sol["c"])) and np.all(np.isfinite(sol["disagreement"]))
    if np.isinf(sol["q"]).any():
        assert "inf" in sol.message and "q_l exceeds the largest double" in sol.message


def test_issue_example_overflow_is_explained_not_nan():
    """`chain.sensitivity sigma_w2=3.2104 activation=linear q0=0.0523 depth=835`: q = inf from the layer
    where sw^l q0 passes 1.8e308, converged, the message says so; c_l = rho^l exactly (the linear map
    without bias is c -> rho c at every q) and the output disagreement is arccos(rho^835)/pi."""
    sol = tc.sensitivity(sigma_w2=3.2104, activation="linear", q0=0.0523, depth=835)
    assert sol.converged
    q = sol["q"]
    first = int(np.argmax(np.isinf(q)))
    assert first == math.ceil((math.log(np.finfo(float).max) - math.log(0.0523)) / math.log(3.2104))
    assert f"layer {first}" in sol.message and "inf" in sol.message
    rho = 0.99
    np.testing.assert_allclose(sol["c"], rho ** np.arange(836), rtol=1e-12)
    assert sol["output_disagreement"] == pytest.approx(math.acos(rho ** 835) / math.pi, rel=1e-12)
    assert sol.order["c_star"] == 0.0     # the bias-free fixed point of c -> rho c


def test_relu_chain_beyond_overflow_keeps_the_arc_cosine_map():
    """relu without bias: the correlation map c -> rho k1(c)/k1(1) (degree-1 arc-cosine kernel, Cho & Saul
    2009) does not depend on q, so it holds after q_l = (sw/2)^l q0 overflows (sw = 3.2104, depth 2000)."""
    sw, rho, depth = 3.2104, 0.97, 2000
    sol = tc.sensitivity(sigma_w2=sw, sigma_b2=0.0, activation="relu", q0=1.0, c0=1.0, rho=rho, depth=depth)
    assert sol.converged and np.isinf(sol["q"][-1])

    def k1(c):
        return (math.sqrt(1 - c * c) + (math.pi - math.acos(c)) * c) / math.pi

    c = [1.0]
    for _ in range(depth):
        c.append(rho * k1(c[-1]))
    np.testing.assert_allclose(sol["c"], c, rtol=0, atol=1e-13)
    assert sol.order["c_star"] == pytest.approx(c[-1], abs=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "erf", "relu", "sign", "linear"])
def test_every_activation_at_the_edges_is_honest(activation):
    """sigma_w2, sigma_b2, q0 at the edges of their declared ranges (1e-300 .. 1e300), c0 = +-1, for
    chain.signal and chain.sensitivity: converged with no NaN observable and every infinite one named in
    the message, or converged=False with a message; never an exception."""
    edges = itertools.product([1e-300, 1.0, 3.2104, 1e300], [0.0, 1e300], [1e-300, 1e300], [-1.0, 1.0])
    for sw, sb, q0, c0 in edges:
        for model in (tc.signal, tc.sensitivity):
            sol = model(sigma_w2=sw, sigma_b2=sb, activation=activation, q0=q0, c0=c0, depth=40)
            if not sol.converged:
                assert sol.message
                continue
            for k, v in sol.observables.items():
                a = np.asarray(v, dtype=float)
                assert not np.isnan(a).any(), (activation, sw, sb, q0, c0, k)
                if np.isinf(a).any():
                    assert k in sol.message or (k == "chi1_layer" and "chi1" in sol.message), \
                        (activation, sw, sb, q0, c0, k, sol.message)
            for k, v in sol.order.items():
                assert not np.isnan(v), (activation, sw, sb, q0, c0, k)


def test_infinite_inputs_are_refused():
    """An infinite variance is not a chain: ParamError, one line."""
    from replicon._util import ParamError
    for kw in (dict(sigma_w2=math.inf), dict(sigma_b2=math.inf), dict(q0=math.inf)):
        with pytest.raises(ParamError) as err:
            tc.signal(**kw)
        assert "\n" not in str(err.value)


def test_deep_chain_is_fast():
    """depth 100000 (the declared maximum): the maps stop computing once (q_l, c_l) repeats exactly (the
    map is deterministic), so a chain at its fixed point costs a few hundred layers."""
    import time
    t = time.time()
    for act in ("tanh", "erf", "relu", "sign", "linear"):
        sol = tc.signal(sigma_w2=1.5, sigma_b2=0.05, activation=act, depth=100000)
        assert sol.converged and np.all(np.isfinite(sol["c"]))
        short = tc.signal(sigma_w2=1.5, sigma_b2=0.05, activation=act, depth=3000)
        np.testing.assert_array_equal(sol["c"][:3001], short["c"])
        np.testing.assert_allclose(sol["c"][-1], short["c"][-1], rtol=0, atol=0)
    assert time.time() - t < 20


# ---------------------------------------------------------------------------
# ordered and chaotic limits
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["tanh", "erf", "sign", "relu"])
def test_small_weights_limit(activation):
    """sigma_w2 -> 0: the ordered limit. q* = sigma_b2 + sigma_w2 E phi(sqrt(sigma_b2) z)^2 + O(sigma_w2^2),
    c* = 1 and chi1 = sigma_w2 E phi'(sqrt(q*) z)^2 -> 0 (except sign, whose chi1 is infinite)."""
    sw, sb = 1e-6, 0.3
    act = tc.get_activation(activation)
    sol = tc.signal(sigma_w2=sw, sigma_b2=sb, activation=activation, depth=5)
    assert sol.converged
    assert sol.order["q_star"] == pytest.approx(sb + sw * float(act.second_moment(sb)), rel=1e-11)
    if activation == "sign":
        assert sol.branch == "chaotic" and math.isinf(sol["chi1"]) and "chi1 = inf" in sol.message
        return
    assert sol.branch == "ordered" and sol.order["c_star"] == 1.0
    assert sol["chi1"] == pytest.approx(sw * float(act.kernel(sb).slope(1.0)), rel=1e-6)


@pytest.mark.parametrize("activation", ["tanh", "erf"])
def test_large_weights_limit_is_the_sign_chain(activation):
    """sigma_w2 -> infinity at fixed sigma_b2: bounded odd units saturate, phi(sqrt(q) z) -> sign(z), so
    q* -> sigma_w2, c* -> 0 and chi_c -> 2/pi (the slope of (2/pi) arcsin at 0, Sheppard), while
    chi1 = sigma_w2 E phi'^2 grows as sqrt(sigma_w2): (4/3) sqrt(sigma_w2/(2 pi)) for tanh
    (int sech^4 = 4/3) and sqrt(2 sigma_w2)/pi for erf(x/sqrt 2) (closed form (2/pi)/sqrt(1 + 2q))."""
    sw, sb = 1e8, 0.05
    sol = tc.signal(sigma_w2=sw, sigma_b2=sb, activation=activation, depth=10)
    assert sol.converged and sol.branch == "chaotic"
    q = sol.order["q_star"]
    assert q == pytest.approx(sw, rel=1e-3)
    assert abs(sol.order["c_star"]) < 1e-6
    assert sol["chi_c"] == pytest.approx(2 / math.pi, rel=1e-3)
    chi1 = (4 / 3) * math.sqrt(sw / (2 * math.pi)) if activation == "tanh" else math.sqrt(2 * sw) / math.pi
    assert sol["chi1"] == pytest.approx(chi1, rel=1e-3)


def test_erf_critical_line_closed_form():
    """erf(x/sqrt 2): chi1 = sigma_w2 (2/pi)/sqrt(1 + 2 q*), so on the critical line
    sigma_w2 = (pi/2) sqrt(1 + 2 q*) exactly, for every sigma_b2 (up to 1e300)."""
    sb = np.array([0.0, 0.05, 10.0, 1e8, 1e300])
    sol = tc.critical(sigma_b2=sb, activation="erf")
    assert sol.converged
    w, q = sol["sigma_w2_critical"], sol["q_star"]
    np.testing.assert_allclose(w, (math.pi / 2) * np.sqrt(1 + 2 * q), rtol=1e-12)
    np.testing.assert_allclose(sol["chi1"], 1.0, atol=1e-12)


def test_tanh_critical_line_at_large_bias():
    """tanh at large sigma_b2: q* ~ sigma_b2 and E tanh'(sqrt(q) z)^2 ~ (4/3)/sqrt(2 pi q), so
    sigma_w2_c -> (3/4) sqrt(2 pi q*) (relative corrections O(1/q)); found up to sigma_b2 = 1e300."""
    sb = np.array([1e4, 1e8, 1e300])
    sol = tc.critical(sigma_b2=sb, activation="tanh")
    assert sol.converged
    np.testing.assert_allclose(sol["sigma_w2_critical"], 0.75 * np.sqrt(2 * math.pi * sol["q_star"]), rtol=1e-3)
    np.testing.assert_allclose(sol["chi1"], 1.0, atol=1e-12)


def test_homogeneous_critical_line_has_no_finite_q_star():
    """relu and linear: on the critical line the length map is q -> q + sigma_b2, so q* is left out (with
    the reason) instead of being reported as NaN."""
    for act, w in (("relu", 2.0), ("linear", 1.0)):
        sol = tc.critical(sigma_b2=[0.0, 0.1], activation=act)
        assert sol.converged and "q_star" not in sol.observables and "q_star omitted" in sol.message
        np.testing.assert_array_equal(sol["sigma_w2_critical"], w)


# ---------------------------------------------------------------------------
# tanh: exact scale mixture of erf units, accurate at every q
# ---------------------------------------------------------------------------

def test_tanh_is_a_scale_mixture_of_erf():
    """tanh(x) = E_K erf(x/(sqrt 2 K)), K Kolmogorov-distributed (the logistic distribution is a normal
    scale mixture, Andrews & Mallows 1974; Stefanski 1991): the 40-point rule reproduces tanh to 1e-14
    for every x, and E 1/K = sqrt(pi/2) (so tanh'(0) = 1)."""
    k, w = kolmogorov_rule()
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    x = np.concatenate([np.linspace(-12, 12, 4801), [1e-9, 50.0, -300.0]])
    approx = (w * erf(x[:, None] / (math.sqrt(2) * k))).sum(axis=1)
    assert np.max(np.abs(approx - np.tanh(x))) < 1e-14
    assert (w / k).sum() == pytest.approx(math.sqrt(math.pi / 2), rel=1e-14)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("q", [30.0, 300.0, 1e4])
def test_tanh_moments_at_large_q_match_quadrature(q):
    """E tanh^2, E tanh'^2 and d/dq E tanh^2 at large q against adaptive quadrature over x = sqrt(q) z
    (the Hermite series used before was off by 1e-4 at q = 100 and by 15% in chi1 at q = 1000)."""
    act = tc.get_activation("tanh")
    sech2 = lambda x: 1.0 / math.cosh(x) ** 2 if abs(x) < 350 else 0.0  # noqa: E731
    m = gauss_x(lambda x: math.tanh(x) ** 2, q)
    d1 = gauss_x(lambda x: sech2(x) ** 2, q)
    # d/dq E phi(x)^2 with x ~ N(0, q): E[phi^2 (x^2/q - 1)]/(2 q)
    dm = gauss_x(lambda x: math.tanh(x) ** 2 * (x * x / q - 1.0), q) / (2 * q)
    assert float(act.second_moment(q)) == pytest.approx(m, rel=1e-12)
    assert float(act.kernel(q).slope(1.0)) == pytest.approx(d1, rel=1e-10)
    assert float(act.second_moment_slope(q)) == pytest.approx(dm, rel=1e-7, abs=1e-15)


@pytest.mark.parametrize("q,c", [(50.0, 0.5), (400.0, 0.9), (1e4, -0.7)])
def test_tanh_kernel_at_large_q_matches_quadrature(q, c):
    """E tanh(u1) tanh(u2) at large q: the inner average over u2 given u1 is done by quadrature in the
    conditional Gaussian, the outer over u1 = x by quadrature resolved around 0."""
    act = tc.get_activation("tanh")
    s = math.sqrt(q * (1 - c * c))

    def inner(x):  # E[tanh(u2) | u1 = x], u2 ~ N(c x, q (1 - c^2))
        mu = c * x
        edges = sorted({mu - 40 * s, mu - s, -10.0, -1.0, 0.0, 1.0, 10.0, mu + s, mu + 40 * s})
        edges = [e for e in edges if mu - 40 * s <= e <= mu + 40 * s]
        f = lambda y: math.tanh(y) * math.exp(-(y - mu) ** 2 / (2 * s * s)) / (SQ2PI * s)  # noqa: E731
        return sum(integrate.quad(f, a, b, epsabs=1e-15, epsrel=1e-12, limit=200)[0]
                   for a, b in zip(edges[:-1], edges[1:]))

    ref = gauss_x(lambda x: math.tanh(x) * inner(x), q)
    assert float(act.kernel(q).value(c)) == pytest.approx(ref, abs=1e-10)


def test_tanh_second_moment_asymptotics():
    """q -> infinity: E tanh(x)^2 = 1 - E sech(x)^2 with x ~ N(0, q), and
    E sech^2 = (2 - (pi^2/6)/(2 q) + O(q^-2)) / sqrt(2 pi q) (int sech^2 = 2, int x^2 sech^2 = pi^2/6);
    at q = 1e6 and 1e10 the neglected term is below 2e-15."""
    act = tc.get_activation("tanh")
    for q in (1e6, 1e10):
        ref = 1 - (2 - (math.pi ** 2 / 6) / (2 * q)) / math.sqrt(2 * math.pi * q)
        assert float(act.second_moment(q)) == pytest.approx(ref, abs=3e-14)   # the 40-node rule: ~1e-14
