"""erm.glm: the RS minimiser against the ridge closed form (Marchenko-Pastur) and its own limits.

The RS equations are those of Aubin, Krzakala, Lu & Zdeborova (arXiv:2006.06560) and Loureiro et
al. (2021), recalled and re-derived in our normalisation (the search tool showed the papers'
abstracts, not their equations). The closed form below is written here, independently of the
solver: the ridge estimator w = (S + lam)^-1 X^T y / sqrt(N), S = X^T X / N, whose spectrum is
the Marchenko-Pastur law of ratio alpha (mean alpha, support (1 -+ sqrt(alpha))^2, an atom
1 - alpha at 0 for alpha < 1).
"""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from replicon._util import ParamError
from replicon.theory.erm import erm_glm


def mp_average(f, alpha):
    """int f(s) dmu_MP(s) for S = X^T X / N, X of shape (alpha N) x N with N(0, 1) entries."""
    lo, hi = (1 - math.sqrt(alpha)) ** 2, (1 + math.sqrt(alpha)) ** 2
    dens = lambda s: math.sqrt(max((hi - s) * (s - lo), 0.0)) / (2 * math.pi * s)
    val = quad(lambda s: f(s) * dens(s), lo, hi, epsabs=1e-13, epsrel=1e-13, limit=200)[0]
    return val + max(0.0, 1.0 - alpha) * f(0.0)


@pytest.mark.parametrize("alpha", [0.4, 1.0, 3.0])
def test_marchenko_pastur_law_has_unit_mass_and_mean_alpha(alpha):
    assert mp_average(lambda s: 1.0, alpha) == pytest.approx(1.0, abs=1e-9)
    assert mp_average(lambda s: s, alpha) == pytest.approx(alpha, abs=1e-9)


@pytest.mark.parametrize("alpha, Delta, lam", [(0.5, 0.2, 0.1), (2.0, 0.0, 0.01), (3.0, 0.5, 1.0), (1.0, 0.1, 0.05)])
def test_square_loss_minimiser_is_the_ridge_estimator(alpha, Delta, lam):
    """m = E s/(s+lam), q = E (s^2 + Delta s)/(s+lam)^2 over Marchenko-Pastur; errors follow."""
    sol = erm_glm(alpha=alpha, teacher="linear", Delta=Delta, loss="square", lam=lam)
    assert sol.converged
    m = mp_average(lambda s: s / (s + lam), alpha)
    q = mp_average(lambda s: (s * s + Delta * s) / (s + lam) ** 2, alpha)
    assert sol["m"] == pytest.approx(m, abs=1e-8)
    assert sol["q"] == pytest.approx(q, abs=1e-8)
    assert sol["test_error"] == pytest.approx(1 + Delta - 2 * m + q, abs=1e-8)
    # train MSE from the resolvent: (1/P) |lam (A A^T + lam)^-1 y|^2 with A = X / sqrt(N);
    # the P x P matrix A A^T has the spectrum of S plus P - N zeros when alpha > 1
    def train_mse():
        a = alpha
        signal = mp_average(lambda s: lam ** 2 * s / (s + lam) ** 2, a) / a       # teacher part, z = A w*
        noise = Delta * (mp_average(lambda s: lam ** 2 / (s + lam) ** 2, a) - max(0.0, 1 - a)
                         + max(0.0, a - 1)) / a                                 # noise part on P dims
        return signal + noise
    assert sol["train_error"] == pytest.approx(train_mse(), abs=1e-8)
    assert sol["train_loss"] == pytest.approx(train_mse() / 2, abs=1e-8)


def test_square_loss_on_sign_labels_is_ridge_with_effective_noise():
    """Labels y = sign(z + noise): kappa = E z y, the remainder is uncorrelated noise of variance
    1 - kappa^2, so m = kappa E s/(s+lam) and q = kappa^2 E s^2/(s+lam)^2 + (1-kappa^2) E s/(s+lam)^2.
    This goes through the one-dimensional panel integrals of the sign channel."""
    alpha, lam, Delta = 1.7, 0.2, 0.3
    kappa = math.sqrt(2 / math.pi / (1 + Delta))
    sol = erm_glm(alpha=alpha, teacher="sign", Delta=Delta, loss="square", lam=lam)
    m = kappa * mp_average(lambda s: s / (s + lam), alpha)
    q = kappa ** 2 * mp_average(lambda s: s * s / (s + lam) ** 2, alpha) + \
        (1 - kappa ** 2) * mp_average(lambda s: s / (s + lam) ** 2, alpha)
    assert sol["m"] == pytest.approx(m, abs=1e-8)
    assert sol["q"] == pytest.approx(q, abs=1e-8)
    assert sol["test_error"] == pytest.approx(math.acos(m / math.sqrt(q * (1 + Delta))) / math.pi, abs=1e-10)


def test_strong_ridge_gives_the_hebbian_direction():
    """lam -> infinity: w -> -(1/lam) sum_mu loss'(y, 0) x_mu / sqrt N, so for the logistic loss
    (loss'(y, 0) = -y/2) lam m -> alpha kappa / 2 and the overlap angle is Hebb's: m/sqrt(q) -> kappa/sqrt(kappa^2 + 1/alpha)."""
    alpha, lam = 2.0, 1e4
    kappa = math.sqrt(2 / math.pi)
    sol = erm_glm(alpha=alpha, teacher="sign", loss="logistic", lam=lam)
    assert lam * sol["m"] == pytest.approx(alpha * kappa / 2, rel=1e-3)
    assert sol["m"] / math.sqrt(sol["q"]) == pytest.approx(kappa / math.sqrt(kappa ** 2 + 1 / alpha), rel=1e-3)


@pytest.mark.parametrize("bad", [dict(loss="cross"), dict(lam=0.0), dict(alpha=-1), dict(loss="hinge", teacher="linear"),
                                 dict(data="mixture")])
def test_bad_input_is_a_one_line_param_error(bad):
    kw = dict(alpha=2.0, teacher="sign", loss="logistic", lam=0.1)
    kw.update(bad)
    with pytest.raises(ParamError) as e:
        erm_glm(**kw)
    msg = str(e.value)
    assert "\n" not in msg and ("allowed" in msg or "choose one of" in msg)
