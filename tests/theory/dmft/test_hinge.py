"""dmft.glm with the hinge loss: the kink's boundary term in the memory kernel (sampled.py,
KINK_BRANCHES) against a hand computation and against the erm.glm minimiser at long times."""

import math

import pytest
from scipy.special import ndtr

from replicon.theory.dmft import dmft_glm
from replicon.theory.erm import erm_glm


def test_first_step_carries_the_kink_density():
    """Mixture, w(0) = v + sqrt(q0) n: h(0) = 1 + sqrt(Delta) omega sits on the kink, omega ~ N(0, 1 + q0).
    One step (derived by hand): m(1) = (1 - eta lam) - eta Gamma(0, 0) + eta alpha P(h(0) < 1), with
    Gamma(0, 0) = alpha Delta p(1), p(1) = phi(0)/sd the density of h(0) at the kink (sd^2 = Delta (1 + q0)).
    Without the boundary term m(1) would be larger by eta alpha Delta p(1) = 0.103 (~ 50 s.e.)."""
    alpha, Delta, lam, eta, q0 = 2.0, 0.5, 0.1, 0.2, 0.2
    sol = dmft_glm(alpha=alpha, data="mixture", Delta=Delta, loss="hinge", lam=lam, algorithm="gd", dt=eta,
                   t_max=2 * eta, m0=1.0, q0=q0, samples=4000, groups=8, seed=1)
    sd = math.sqrt(Delta * (1 + q0))
    gamma00 = alpha * Delta / (math.sqrt(2 * math.pi) * sd)
    m1 = (1 - eta * lam) - eta * gamma00 + eta * alpha * float(ndtr(0.0))
    z = (sol["m"][1] - m1) / sol.observables["m_sem"][1]
    assert abs(z) < 4.0, (sol["m"][1], m1)
    assert eta * gamma00 > 30 * sol.observables["m_sem"][1]


@pytest.mark.slow
def test_hinge_gradient_descent_lands_near_the_erm_minimiser():
    """Hinge GD does not converge exactly (examples at the margin flip in and out: an O(dt) chatter), so at
    dt = 0.1, t = 10, lam = 1 the DMFT must sit on the erm.glm hinge point within its sampling error
    in m, q, the training and test errors (seen: |z| <= 2.7 with 6 x 4000; at dt = 0.2 the test error
    is 13 s.e. off, 1e-3, and the training loss exceeds the minimum by 0.013 for the sign teacher, as
    N = 400 GD does on the same data: +0.016 at dt = 0.2, +0.006 at dt = 0.1)."""
    kw = dict(alpha=2.0, data="mixture", Delta=0.5, loss="hinge", lam=1.0)
    sol = dmft_glm(algorithm="gd", dt=0.1, t_max=10.0, samples=4000, groups=6, seed=3, **kw)
    erm = erm_glm(**kw)
    for name in ("m", "q", "train_error", "test_error"):
        z = (sol[name][-1] - erm[name]) / sol.observables[name + "_sem"][-1]
        assert abs(z) < 4.0, (name, z)
