"""Online learning: ODE theory against SGD simulation at N = 1000 (committee and perceptron rules)."""

import numpy as np
import pytest

import replicon
from replicon.simulate.online import committee_online_sgd, perceptron_online_sgd
from replicon.theory.online import committee_online, perceptron_online


def _registry_model(name):
    from replicon import registry

    return registry.get(name)


def test_committee_ode_matches_sgd_from_each_seeds_initial_state():
    """Saad & Solla (1995) / Goldt et al. (2019): at N = 1000 the SGD trajectory of eps_g (K = M = 2,
    eta = 1, through the plateau) follows the ODE started from each seed's own (Q, R); the
    largest deviation of the seed-mean along the trajectory is within 4 standard errors."""
    params = dict(K=2, M=2, eta=1.0, Q0=0.2, R0=0.0, R0_diag=0.0, alpha_max=30.0, n_points=16, spacing="linear")
    meas = committee_online_sgd(N=1000, seeds=6, seed=11, **params)
    model = _registry_model("committee.online")
    sols = model.hooks["compare_theory"](meas, {**params, "N": 1000, "seeds": 6, "seed": 11})
    assert all(s.converged for s in sols)
    theory = np.array([s.observables["eps_g"] for s in sols])
    sim = meas.samples["eps_g"]
    assert theory.shape == sim.shape
    np.testing.assert_allclose(theory[:, 0], sim[:, 0], rtol=1e-10)        # same initial state
    dev = np.abs(sim.mean(0) - theory.mean(0))[1:]
    sem = meas.sem["eps_g"][1:]
    assert np.max(dev / sem) < 4.0, (dev, sem)
    # and the same for an overlap: R_1_1 (per-seed start, no averaging over permutations needed)
    dev_r = np.abs(meas.samples["R_1_1"].mean(0) - np.array([s.observables["R_1_1"] for s in sols]).mean(0))[1:]
    assert np.max(dev_r / meas.sem["R_1_1"][1:]) < 4.0


@pytest.mark.parametrize("rule,eta,R0", [("hebb", 1.0, 0.0), ("perceptron", 1.0, 0.0),
                                         pytest.param("adatron", 1.5, 0.0, marks=pytest.mark.slow),
                                         pytest.param("gd", 0.5, 0.0, marks=pytest.mark.slow),
                                         pytest.param("optimal", 1.0, 0.05, marks=pytest.mark.slow)])
def test_perceptron_rules_ode_matches_simulation(rule, eta, R0):
    """E&VdB ch. 9 / Kinouchi & Caticha (1992): eps_g(alpha) of online perceptron rules at N = 1000
    agrees with the R, Q ODEs within 4 standard errors (8 seeds) along the whole trajectory."""
    meas = perceptron_online_sgd(N=1000, seeds=8, seed=3, rule=rule, eta=eta, Q0=1.0, R0=R0,
                                 alpha_max=10.0, n_points=11, spacing="linear")
    sol = perceptron_online(rule=rule, eta=eta, Q0=1.0, R0=R0, alpha_grid=meas.coords["alpha"])
    dev = np.abs(meas.mean["eps_g"] - sol.observables["eps_g"])[1:]
    assert np.max(dev / meas.sem["eps_g"][1:]) < 4.0, (dev, meas.sem["eps_g"])


def test_committee_solve_and_simulate_through_registry():
    """The registry entries run with the same parameter names for solve and simulate, sharing observables."""
    model = _registry_model("committee.online")
    sol = model.run_solve(K=2, M=2, eta=1.0, alpha_max=5, n_points=6, spacing="linear")
    meas = model.run_simulate(K=2, M=2, eta=1.0, alpha_max=5, n_points=6, spacing="linear", N=200, seeds=2)
    assert set(meas.samples) <= set(sol.observables)
    np.testing.assert_allclose(meas.coords["alpha"], sol.observables["alpha"])
    pmodel = _registry_model("perceptron.online")
    assert pmodel.run_solve(rule="hebb", alpha_max=5).observables["alpha"][-1] == 5.0
