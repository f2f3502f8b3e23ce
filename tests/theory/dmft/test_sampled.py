"""The sampled DMFT sweep against the exact Gaussian closure (independent code paths).

For square loss the sampled solver estimates Gamma, mu and M_C from effective examples
(backward sensitivities, Stein's lemma on the teacher field); the closure computes them
exactly. Their curves must agree within the sweeps' standard error.
"""

import numpy as np
import pytest

from replicon.theory.dmft import dmft_glm, sampled_sweep, square_closure


@pytest.mark.parametrize("teacher, Delta", [("linear", 0.2), ("sign", 0.1)])
def test_sampled_sweep_reproduces_the_gaussian_closure(teacher, Delta):
    alpha, lam, eta, K, m0, b0 = 2.0, 0.1, 0.2, 30, 0.1, 0.6
    rho_y, kappa = (1 + Delta, 1.0) if teacher == "linear" else (1.0, np.sqrt(2 / np.pi / (1 + Delta)))
    exact = square_closure(alpha, lam, eta, K, rho_y, kappa, m0, b0)
    runs = [sampled_sweep(alpha, lam, eta, K, 0, teacher == "sign", Delta, m0, b0, 0.0, 1.0, 0.0, 0.0, 4000, s,
                          False, 0, False)
            for s in range(8)]
    for i, name in ((0, "m"), (3, "M_C")):
        est = np.array([r[i] if i == 0 else np.diag(r[i]) for r in runs])
        mean, sem = est.mean(0), est.std(0, ddof=1) / np.sqrt(len(runs))
        ref = exact["m"] if name == "m" else np.diag(exact["M_C"])
        z = (mean[1:] - ref[1:]) / sem[1:]
        assert np.max(np.abs(z)) < 4.0, (name, z)
    # the two-time correlation at a few pairs
    Cs = np.array([r[1] for r in runs])
    for k, kp in ((30, 10), (20, 5)):
        z = (Cs[:, k, kp].mean() - exact["C"][k, kp]) / (Cs[:, k, kp].std(ddof=1) / np.sqrt(len(runs)))
        assert abs(z) < 4.0


def test_sgd_selection_changes_the_dynamics_and_b1_is_gd():
    """b = 1: the selection is always on and sgd is gd (same curves to rounding); b = 0.3 slows
    the teacher overlap's growth roughly by the fraction of examples seen."""
    kw = dict(alpha=2.0, teacher="sign", loss="logistic", lam=0.1, dt=0.2, t_max=2.0, q0=0.2, samples=2000,
              groups=2, seed=4)
    gd = dmft_glm(algorithm="gd", **kw)
    sgd1 = dmft_glm(algorithm="sgd", b=1.0, **kw)
    assert np.max(np.abs(gd["m"] - sgd1["m"])) < 1e-12
    sgd = dmft_glm(algorithm="sgd", b=0.3, **kw)
    assert sgd["m"][3] < gd["m"][3] - 10 * (gd.observables["m_sem"][3] + sgd.observables["m_sem"][3])


@pytest.mark.slow
def test_logistic_gradient_flow_lands_on_the_erm_minimiser():
    """Convex loss: gradient flow converges to the regularised minimiser, so the sampled DMFT at
    t = 10 (converged: lam = 1) must sit on the erm.glm point within its sampling error
    (seen: |z| < 1 for m, q, train loss and error, test error with 8 x 8000 examples)."""
    from replicon.theory.erm import erm_glm
    sol = dmft_glm(alpha=2.0, teacher="sign", loss="logistic", lam=1.0, algorithm="gf", dt=0.25, t_max=10.0,
                   samples=8000, groups=8, seed=11)
    erm = erm_glm(alpha=2.0, teacher="sign", loss="logistic", lam=1.0)
    for name in ("m", "q", "train_loss", "train_error", "test_error"):
        z = (sol[name][-1] - erm[name]) / sol.observables[name + "_sem"][-1]
        assert abs(z) < 4.0, (name, z)
