"""Square-loss ridge DMFT (Gaussian closure) against closed forms written here.

Closed form (any random-matrix text; Bai & Silverstein): gradient descent with step eta on
sum (y - h)^2/2 + lam |w|^2/2 is linear, w_k = p^k w_0 + (1 - p^k) w_ridge with
p = 1 - eta (S + lam), S = X^T X / N of Marchenko-Pastur spectrum (ratio alpha, mean alpha,
atom 1 - alpha at 0 when alpha < 1). Averaging over the isotropic w*, n, xi gives the
one-dimensional spectral integrals in ``closed_form``; Langevin adds
2 T eta sum_{j<k} p^{2j} to the weights' variance. The DMFT side was derived (cavity method,
recalled from Mignacco et al. 2020 / Gerbelot et al. 2022, not read) and shares no code with it.
"""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from replicon._util import ParamError
from replicon.theory.dmft import dmft_glm
from replicon.theory.erm import erm_glm


def mp(f, alpha):
    lo, hi = (1 - math.sqrt(alpha)) ** 2, (1 + math.sqrt(alpha)) ** 2
    dens = lambda s: math.sqrt(max((hi - s) * (s - lo), 0.0)) / (2 * math.pi * s)
    return quad(lambda s: f(s) * dens(s), lo, hi, epsabs=1e-13, epsrel=1e-12, limit=200)[0] + \
        max(0.0, 1.0 - alpha) * f(0.0)


def closed_form(alpha, Delta, lam, eta, k, m0=0.0, q0=0.0, T=0.0, flow=False):
    """m, q, train MSE, test MSE after k steps of GD (or at time t = k eta of the flow)."""
    b0sq = q0          # w(0) = m0 w* + sqrt(q0) n (the dmft.glm contract)
    if flow:
        p = lambda s: math.exp(-(s + lam) * k * eta)
        lang = lambda s: T * (1 - p(s) ** 2) / (s + lam) if T else 0.0
    else:
        p = lambda s: (1 - eta * (s + lam)) ** k
        lang = lambda s: 2 * T * eta * (1 - p(s) ** 2) / (1 - (1 - eta * (s + lam)) ** 2) if k and T else 0.0
    ratio = lambda s: s / (s + lam) if s + lam > 0 else 0.0
    mean = lambda s: p(s) * m0 + (1 - p(s)) * ratio(s)
    m = mp(mean, alpha)
    q = mp(lambda s: mean(s) ** 2 + p(s) ** 2 * b0sq + (1 - p(s)) ** 2 * Delta * ratio(s) ** 2 / s + lang(s) if s > 0 else
           mean(s) ** 2 + p(s) ** 2 * b0sq + lang(s), alpha)
    train = mp(lambda s: (1 - mean(s)) ** 2 * s + b0sq * p(s) ** 2 * s
               + Delta * (1 - p(s)) ** 2 * ratio(s) ** 2 - 2 * Delta * (1 - p(s)) * ratio(s)
               + s * lang(s), alpha) / alpha + Delta
    return m, q, train, 1 + Delta - 2 * m + q


@pytest.mark.parametrize("alpha, Delta, lam, eta, m0, q0", [
    (0.5, 0.2, 0.1, 0.3, 0.0, 0.0),     # alpha < 1: zero modes relax at rate lam only
    (2.0, 0.0, 0.01, 0.2, 0.3, 1.0),
    (3.0, 0.5, 1.0, 0.1, -0.2, 0.4),
    (1.0, 0.1, 0.0, 0.25, 0.0, 0.5),    # no ridge, alpha = 1 (hard edge at s = 0)
])
def test_gd_dmft_equals_marchenko_pastur_closed_form(alpha, Delta, lam, eta, m0, q0):
    K = 80
    sol = dmft_glm(alpha=alpha, teacher="linear", Delta=Delta, loss="square", lam=lam, algorithm="gd",
                   dt=eta, t_max=K * eta, m0=m0, q0=q0)
    assert sol.converged and sol.extra["method"] == "gaussian closure"
    for k in (0, 1, 7, 30, 80):
        m, q, train, test = closed_form(alpha, Delta, lam, eta, k, m0, q0)
        assert sol["m"][k] == pytest.approx(m, abs=1e-6)
        assert sol["q"][k] == pytest.approx(q, abs=1e-6)
        assert sol["train_error"][k] == pytest.approx(train, abs=1e-6)
        assert sol["train_loss"][k] == pytest.approx(train / 2, abs=1e-6)
        assert sol["test_error"][k] == pytest.approx(test, abs=1e-6)


def test_langevin_dmft_equals_closed_form_at_every_step():
    alpha, Delta, lam, eta, T = 0.7, 0.3, 0.2, 0.2, 0.4
    sol = dmft_glm(alpha=alpha, teacher="linear", Delta=Delta, loss="square", lam=lam, algorithm="langevin",
                   T=T, dt=eta, t_max=12.0, q0=0.3)
    for k in (1, 10, 60):
        m, q, train, test = closed_form(alpha, Delta, lam, eta, k, 0.0, 0.3, T=T)
        assert sol["m"][k] == pytest.approx(m, abs=1e-6)
        assert sol["q"][k] == pytest.approx(q, abs=1e-6)
        assert sol["train_error"][k] == pytest.approx(train, abs=1e-6)


def test_langevin_long_time_is_the_gibbs_measure():
    """exp(-L/T) for square loss is Gaussian: mean the ridge estimator, covariance T (S + lam)^-1,
    so q_inf = q_ridge + T E[1/(s + lam)], m_inf = m_ridge. Euler-Maruyama's stationary variance
    is 2T/((s+lam)(2 - eta (s+lam))): the deviation is O(eta) and halves with eta."""
    alpha, lam, T, Delta = 2.0, 0.5, 0.3, 0.1
    ridge = erm_glm(alpha=alpha, teacher="linear", Delta=Delta, loss="square", lam=lam)
    q_gibbs = ridge["q"] + T * mp(lambda s: 1 / (s + lam), alpha)
    errs = []
    for eta in (0.2, 0.1):
        sol = dmft_glm(alpha=alpha, teacher="linear", Delta=Delta, loss="square", lam=lam, algorithm="langevin",
                       T=T, dt=eta, t_max=30.0)
        assert sol["m_final"] == pytest.approx(ridge["m"], abs=1e-6)
        errs.append(sol["q_final"] - q_gibbs)
        # the Euler-Maruyama offset exactly: T E[eta / (2 - eta (s + lam))]
        assert errs[-1] == pytest.approx(T * mp(lambda s: eta / (2 - eta * (s + lam)), alpha), abs=1e-6)
    assert 0 < errs[1] < errs[0] < 0.1


def test_gradient_flow_is_the_dt_to_zero_limit_of_the_scheme():
    """Euler's error on the flow's closed form exp(-(S + lam) t) is O(dt): it halves with dt."""
    alpha, Delta, lam, t = 1.5, 0.2, 0.1, 3.0
    m_exact = closed_form(alpha, Delta, lam, t / 1000, 1000, flow=True)[0]
    errs = []
    for dt in (0.05, 0.025):
        sol = dmft_glm(alpha=alpha, teacher="linear", Delta=Delta, loss="square", lam=lam, algorithm="gf",
                       dt=dt, t_max=t)
        errs.append(abs(sol["m_final"] - m_exact))
    assert errs[0] < 5e-3 and errs[0] / errs[1] == pytest.approx(2.0, rel=0.05)


@pytest.mark.parametrize("teacher, alpha, Delta", [("linear", 0.6, 0.3), ("sign", 2.0, 0.2)])
def test_gradient_flow_converges_to_the_erm_minimiser(teacher, alpha, Delta):
    """GD's fixed point is the ridge estimator for any stable step: at long times the DMFT lands on
    the erm.glm point (m, q, training loss and error, test error); for the sign teacher the
    training error goes through a different integral in each code."""
    lam = 0.5
    sol = dmft_glm(alpha=alpha, teacher=teacher, Delta=Delta, loss="square", lam=lam, algorithm="gf",
                   dt=0.2, t_max=60.0)
    erm = erm_glm(alpha=alpha, teacher=teacher, Delta=Delta, loss="square", lam=lam)
    for name in ("m", "q", "train_loss", "train_error", "test_loss", "test_error"):
        assert sol[name + "_final"] == pytest.approx(erm[name], abs=1e-6), name


def test_early_stopping_minimum_of_ridgeless_regression():
    """lam = 0, alpha = 1.2, noisy labels: the test error along GD has an interior minimum in time
    (early stopping beats the long-time interpolator), at the same place in the closed form."""
    alpha, Delta, eta = 1.2, 0.5, 0.1
    sol = dmft_glm(alpha=alpha, teacher="linear", Delta=Delta, loss="square", lam=0.0, algorithm="gd",
                   dt=eta, t_max=30.0)
    k = int(np.argmin(sol["test_error"]))
    assert 0 < k < len(sol["time"]) - 1
    assert sol["test_error"][-1] > sol["test_error"][k] + 0.05
    near = [closed_form(alpha, Delta, 0.0, eta, j)[3] for j in (k - 1, k, k + 1)]
    assert near[1] <= min(near[0], near[2]) + 1e-9


@pytest.mark.parametrize("bad, word", [
    (dict(dt=0.0), "dt"), (dict(dt=-1), "dt"), (dict(b=0.0), "b"), (dict(b=1.5), "b"),
    (dict(loss="cross"), "loss"), (dict(t_max=1e4, dt=1e-3), "t_max/dt"), (dict(algorithm="adam"), "algorithm"),
    (dict(spherical="maybe"), "spherical"), (dict(loss="hinge", teacher="linear"), "teacher=sign"),
    (dict(data="mixture", Delta=0.0), "Delta > 0"),
    (dict(loss="hinge", data="mixture", Delta=0.5, dt=0.1, t_max=30.0), "kink branches"),
    (dict(algorithm="persistent_sgd", tau=0.05, dt=0.1, b=0.5), "persistent_sgd"),
])
def test_bad_input_is_a_one_line_param_error(bad, word):
    kw = dict(alpha=2.0, teacher="linear", loss="square", lam=0.1, dt=0.1, t_max=1.0)
    kw.update(bad)
    with pytest.raises(ParamError) as e:
        dmft_glm(**kw)
    msg = str(e.value)
    assert "\n" not in msg and word in msg and ("allowed" in msg or "choose one of" in msg)
