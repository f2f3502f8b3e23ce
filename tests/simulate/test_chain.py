"""Random finite-width chains (replicon.simulate.chain) against the mean-field maps, layer by layer.

Agreement criterion: |mean - theory| <= 4 standard errors + 2/N, the last term a
finite-size allowance for the O(1/N) bias of the ratio estimators (c) and of the
nonlinear maps applied to fluctuating q. Layer 0 is deterministic (q0, c0 exact).
"""

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.simulate import chain as sc
from replicon.theory import chain as tc


def assert_agrees(meas, sol, names, N, n_sigma=4.0):
    for name in names:
        mean, sem = meas.mean[name], meas.sem[name]
        theory = np.asarray(sol[name], dtype=float)
        tol = n_sigma * sem + 2.0 / N
        bad = np.abs(mean - theory) > tol
        assert not bad.any(), (name, np.flatnonzero(bad), mean[bad], theory[bad], sem[bad])


@pytest.mark.parametrize("activation,sigma_w2,sigma_b2", [
    ("tanh", 1.5, 0.05),   # ordered, near the line (Schoenholz sigma_b2 = 0.05)
    ("tanh", 3.0, 0.1),    # chaotic
    ("relu", 1.8, 0.1),
    ("erf", 2.5, 0.2),
    ("sign", 1.0, 0.1),
])
def test_projected_sampler_agrees_with_theory_layer_by_layer(activation, sigma_w2, sigma_b2):
    """Simulation at N=2000, 40 seeds, 30 layers vs Poole et al. (2016) eqs. (3), (5), (7) within error bars."""
    N, depth = 2000, 30
    meas = sc.measure_signal(N=N, seeds=40, seed=11, sigma_w2=sigma_w2, sigma_b2=sigma_b2,
                             activation=activation, q0=1.0, c0=0.5, depth=depth)
    sol = tc.signal(sigma_w2=sigma_w2, sigma_b2=sigma_b2, activation=activation, q0=1.0, c0=0.5, depth=depth)
    names = ["q", "c", "disagreement"] + (["chi1_layer"] if activation != "sign" else [])
    assert_agrees(meas, sol, names, N)
    assert meas.samples["q"].shape == (40, depth + 1)


@pytest.mark.slow
def test_dense_weight_matrices_agree_with_theory_including_the_jacobian():
    """Explicit N x N Gaussian matrices (N=1000): q, c and (1/N) tr J J^T of the drawn Jacobian vs chi1_l (Poole eq. (7))."""
    N, depth = 1000, 8
    meas = sc.measure_signal(N=N, seeds=16, seed=3, sigma_w2=2.0, sigma_b2=0.1, activation="tanh",
                             q0=1.0, c0=0.3, depth=depth, method="dense")
    sol = tc.signal(sigma_w2=2.0, sigma_b2=0.1, activation="tanh", q0=1.0, c0=0.3, depth=depth)
    assert_agrees(meas, sol, ["q", "c", "chi1_layer", "disagreement"], N)


def test_dense_and_projected_samplers_agree():
    """The projected sampler has the same law as dense matrices (rows of a fresh Gaussian W are independent
    of h^l): both means agree within their combined errors (simulation vs simulation)."""
    N, depth = 600, 6
    kw = dict(N=N, seeds=24, sigma_w2=1.2, sigma_b2=0.3, activation="relu", q0=0.5, c0=-0.2, depth=depth)
    a = sc.measure_signal(seed=5, method="dense", **kw)
    b = sc.measure_signal(seed=6, method="projected", **kw)
    for name in ("q", "c", "chi1_layer", "disagreement"):
        err = np.sqrt(a.sem[name] ** 2 + b.sem[name] ** 2)
        assert np.all(np.abs(a.mean[name] - b.mean[name]) <= 4 * err + 2.0 / N), name


def test_sensitivity_simulation_matches_li_saad_recursion():
    """Two sign chains with weight overlap rho = 0.9 (Li & Saad 2018, eq. (4)): per-layer c and output disagreement."""
    N, depth = 2000, 12
    meas = sc.measure_sensitivity(N=N, seeds=40, seed=2, sigma_w2=1.0, sigma_b2=0.0, activation="sign",
                                  q0=1.0, c0=1.0, rho=0.9, depth=depth)
    sol = tc.sensitivity(sigma_w2=1.0, sigma_b2=0.0, activation="sign", q0=1.0, c0=1.0, rho=0.9, depth=depth)
    assert_agrees(meas, sol, ["c", "disagreement", "output_disagreement"], N)


def test_sensitivity_tanh_with_bias():
    """Perturbed tanh chains with bias (rho = 0.97, c0 = 0.8): the generalised overlap recursion."""
    N, depth = 2000, 15
    kw = dict(sigma_w2=1.7, sigma_b2=0.1, activation="tanh", q0=0.8, c0=0.8, rho=0.97, depth=depth)
    meas = sc.measure_sensitivity(N=N, seeds=40, seed=9, **kw)
    sol = tc.sensitivity(**kw)
    assert_agrees(meas, sol, ["q", "c", "disagreement"], N)


def test_initial_pair_has_exact_length_and_overlap():
    """Layer-0 inputs are built with |h|^2/N = q0 and overlap c0 exactly."""
    a, b = sc.initial_pair(500, 0.7, -0.4, np.random.default_rng(0))
    assert abs(a @ a / 500 - 0.7) < 1e-13 and abs(b @ b / 500 - 0.7) < 1e-13
    assert abs(a @ b / np.sqrt((a @ a) * (b @ b)) + 0.4) < 1e-13


def test_runs_are_reproducible_from_one_seed():
    """Seeds come from SeedSequence: the same seed gives identical samples, another seed different ones."""
    kw = dict(N=300, seeds=3, depth=5, activation="tanh")
    a, b, c = sc.measure_signal(seed=4, **kw), sc.measure_signal(seed=4, **kw), sc.measure_signal(seed=5, **kw)
    np.testing.assert_array_equal(a.samples["c"], b.samples["c"])
    assert not np.array_equal(a.samples["c"], c.samples["c"])


@pytest.mark.parametrize("kwargs", [dict(sigma_w2=-1.0), dict(activation="softplus"), dict(depth=0),
                                    dict(method="magic"), dict(N=1)])
def test_bad_simulation_input_raises_param_error(kwargs):
    """Bad input is refused with ParamError before any work."""
    with pytest.raises(ParamError):
        sc.run_chain(**kwargs)


def test_deep_wide_chain_at_criticality():
    """Width 4000, depth 100 on the tanh critical line (sigma_b2 = 0.05): q and c track theory at every layer."""
    w_c = float(tc.critical_sigma_w2(0.05, "tanh"))
    N, depth = 4000, 100
    meas = sc.measure_signal(N=N, seeds=40, seed=1, sigma_w2=w_c, sigma_b2=0.05, activation="tanh",
                             q0=1.0, c0=0.2, depth=depth)
    sol = tc.signal(sigma_w2=w_c, sigma_b2=0.05, activation="tanh", q0=1.0, c0=0.2, depth=depth)
    assert_agrees(meas, sol, ["q", "c", "chi1_layer"], N)
