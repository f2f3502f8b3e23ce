"""The effective temperature from the fluctuation-dissipation ratio of the DMFT kernels (fdr.py)."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from replicon._util import ParamError
from replicon.theory.dmft import dmft_glm
from replicon.theory.dmft.fdr import effective_temperature, integrated_response


def mp(f, alpha):
    """Average over the Marchenko-Pastur law of X^T X/N (ratio alpha > 1 here: no atom at 0)."""
    lo, hi = (1 - math.sqrt(alpha)) ** 2, (1 + math.sqrt(alpha)) ** 2
    dens = lambda s: math.sqrt(max((hi - s) * (s - lo), 0.0)) / (2 * math.pi * s)
    return quad(lambda s: f(s) * dens(s), lo, hi, epsabs=1e-13, epsrel=1e-12, limit=200)[0]


def test_langevin_effective_temperature_is_the_bath_temperature():
    """Square-loss Langevin in its stationary state (Euler-Maruyama, step eta): per Hessian mode
    H = s + lam, C(tau) = 2 T eta p^tau/(1 - p^2) and chi(tau) = (1 - p^tau)/H with p = 1 - eta H
    (derived here), so C(0) - C(tau) = T_H chi(tau) with T_H = T/(1 - eta H/2), T as eta -> 0. The DMFT
    slope must equal the Marchenko-Pastur average of the same fit (1e-8), lie between T_H at the two
    edges of the spectrum, and approach T linearly in eta (offset ratio between dt = 0.2 and 0.1 in (1.8, 2.6))."""
    alpha, lam, T, Delta, t_max = 2.0, 1.0, 0.3, 0.1, 24.0
    offsets = []
    for eta in (0.2, 0.1):
        sol = dmft_glm(alpha=alpha, teacher="linear", Delta=Delta, loss="square", lam=lam, algorithm="langevin",
                       T=T, dt=eta, t_max=t_max, fdr_window=0.25)
        K = int(round(t_max / eta))
        taus = K - np.arange(int(np.floor(0.75 * K)), K)
        p = lambda s: 1 - eta * (s + lam)
        dC = np.array([mp(lambda s: 2 * T * eta * (1 - p(s) ** t) / (1 - p(s) ** 2), alpha) for t in taus])
        chi = np.array([mp(lambda s: (1 - p(s) ** t) / (s + lam), alpha) for t in taus])
        assert sol["T_eff"] == pytest.approx(float(chi @ dC / (chi @ chi)), abs=1e-8)
        assert sol["T_eff_stationarity"] < 1e-8
        edges = [lam + (1 - math.sqrt(alpha)) ** 2, lam + (1 + math.sqrt(alpha)) ** 2]
        assert T / (1 - eta * edges[0] / 2) < sol["T_eff"] < T / (1 - eta * edges[1] / 2)
        offsets.append(sol["T_eff"] - T)
    assert 1.8 < offsets[0] / offsets[1] < 2.6, offsets


def test_converged_gradient_descent_has_zero_effective_temperature():
    """Noiseless GD at its fixed point: C(t, t_w) stops changing while chi stays finite, T_eff = 0."""
    sol = dmft_glm(alpha=2.0, teacher="linear", Delta=0.2, loss="square", lam=1.0, algorithm="gd", dt=0.2,
                   t_max=60.0)
    assert abs(sol["T_eff"]) < 1e-8


def test_integrated_response_of_a_single_mode():
    """R(k, s) = p^(k-1-s): chi(k, k_w) = eta (1 - p^(k - k_w))/(1 - p) (geometric sum)."""
    eta, p, K = 0.1, 0.9, 20
    R = np.array([[p ** (k - 1 - s) if s < k else 0.0 for s in range(K + 1)] for k in range(K + 1)])
    chi = integrated_response(R, eta, K)
    tau = K - np.arange(K + 1)
    assert np.allclose(chi, eta * (1 - p ** tau) / (1 - p), atol=1e-14)
    with pytest.raises(ParamError):
        effective_temperature(np.eye(3), np.eye(3), eta, window=1.5)


@pytest.mark.slow
def test_sampled_effective_temperatures_of_langevin_and_sgd():
    """Logistic loss on the mixture, lam = 1 (stationary by t = 15), dt = 0.2, 4 x 2000 examples.
    Langevin at T = 0.05: T < T_eff < T/(1 - dt H_max/2) = 1.33 T for the local quadratic
    approximation, H_max <= lam + (Delta (1 + sqrt alpha)^2 + alpha + 1)/4 ~ 2.5 (derived here;
    seen 0.0570 +- 0.0003); SGD (b = 0.5) and persistent SGD (b = 0.2, tau = 2) have T_eff > 0 many
    standard errors (seen 0.0039 +- 0.0007 and 0.0122 +- 0.0010: the persistent selection is the
    noisier here), GD's is 0."""
    kw = dict(alpha=2.0, data="mixture", Delta=0.5, loss="logistic", lam=1.0, dt=0.2, t_max=20.0, q0=0.5,
              samples=2000, groups=4, seed=0)
    lang = dmft_glm(algorithm="langevin", T=0.05, **kw)
    assert lang["T_eff_stationarity"] < 0.01
    assert 0.05 < lang["T_eff"] - 4 * lang.observables["T_eff_sem"]
    assert lang["T_eff"] + 4 * lang.observables["T_eff_sem"] < 0.05 / (1 - 0.2 * 2.5 / 2)
    for alg, b in (("sgd", 0.5), ("persistent_sgd", 0.2)):
        sol = dmft_glm(algorithm=alg, b=b, tau=2.0, **kw)
        assert sol["T_eff"] > 4 * sol.observables["T_eff_sem"], (alg, sol["T_eff"])
    gd = dmft_glm(algorithm="gd", **kw)
    assert abs(gd["T_eff"]) < 1e-6
