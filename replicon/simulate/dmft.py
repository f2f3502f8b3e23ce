"""Finite-N full-batch GD, Langevin dynamics and (persistent) SGD of a one-layer model on a fixed
training set: the `simulate` of ``dmft.glm``.

Data as in ``erm.glm``: x_mu ~ N(0, I_N), |w*|^2 = N, y = z + sqrt(Delta) xi or sign(z + sqrt(Delta) xi);
or (``data="mixture"``) two balanced clusters x = y v/sqrt N + sqrt(Delta) z, |v|^2 = N, where m = w.v/N
and w(0) = m0 v + sqrt(q0) n. Losses square, logistic and hinge (its right derivative -y on y h < 1).
Update (step eta = dt), per example selection s_mu(k) in {0, 1}:

    w <- w - eta [lam w + sum_mu s_mu loss'(y_mu, h_mu) x_mu / sqrt N] + sqrt(2 T eta) zeta,

s = 1 for gf/gd/langevin; fresh Bernoulli(b) every step for sgd; for persistent_sgd a flip
1 -> 0 with probability dt/tau and 0 -> 1 with probability dt b/((1-b) tau). Every step records
m = w.w*/N, q = |w|^2/N, the full training loss (1/P) sum loss and error; the weights are kept
on the whole grid so that C(t, t') = w(t).w(t')/N is measured too (``extra["C"]``, per seed).
test_error from the population formula of (m, q) (exact for Gaussian inputs); test_loss on
``n_test`` fresh examples.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy.special import erfc

from .._util import ParamError, check_choice, check_number
from .erm import mixture_data, teacher_data
from .measurement import over_seeds

ALGORITHMS = ("gf", "gd", "langevin", "sgd", "persistent_sgd")
LOSS_CODE = {"square": 0, "logistic": 1, "hinge": 2}


@njit(cache=True)
def _dloss(code, y, h):
    if code == 0:
        return h - y
    if code == 2:                      # hinge: the right derivative, -y on y h < 1
        return -y if y * h < 1.0 else 0.0
    u = y * h
    if u > 0:
        e = math.exp(-u)
        return -y * e / (1.0 + e)
    return -y / (1.0 + math.exp(u))


@njit(cache=True)
def _loss(code, y, h):
    if code == 0:
        return 0.5 * (y - h) ** 2
    if code == 2:
        return max(0.0, 1.0 - y * h)
    u = -y * h
    if u > 0:
        return u + math.log1p(math.exp(-u))
    return math.log1p(math.exp(u))


@njit(cache=True)
def train_kernel(X, y, w, ws, eta, lam, code, sign_teacher, T, b, p10, p01, K, seed, spherical, field, k_on):
    """K steps from w (modified in place). Returns (W (K+1) x N, train_loss, train_error).

    ``spherical``: w is rescaled to |w|^2 = N after every step. ``field`` is added to the update
    (w += dt field) at every step k >= ``k_on`` (none when k_on < 0): the probe of the response; the
    random numbers drawn do not depend on it, so a probed run and the plain one share their noise."""
    np.random.seed(seed)
    P, N = X.shape
    sq = math.sqrt(N)
    W = np.empty((K + 1, N))
    tl = np.empty(K + 1)
    te = np.empty(K + 1)
    s = np.empty(P)
    for mu in range(P):
        s[mu] = 1.0 if np.random.random() < b else 0.0
    g = np.empty(P)
    noise = math.sqrt(2.0 * T * eta)
    for k in range(K + 1):
        W[k] = w
        h = X @ w / sq
        a = 0.0
        e = 0.0
        for mu in range(P):
            if k > 0:
                if s[mu] == 1.0:
                    if np.random.random() < p10:
                        s[mu] = 0.0
                elif np.random.random() < p01:
                    s[mu] = 1.0
            a += _loss(code, y[mu], h[mu])
            if sign_teacher:
                e += 1.0 if y[mu] * h[mu] <= 0 else 0.0
            else:
                e += (y[mu] - h[mu]) ** 2
            g[mu] = s[mu] * _dloss(code, y[mu], h[mu])
        tl[k] = a / P
        te[k] = e / P
        if k == K:
            break
        grad = X.T @ g / sq
        for i in range(N):
            w[i] = w[i] - eta * (lam * w[i] + grad[i])
            if T > 0:
                w[i] += noise * np.random.standard_normal()
            if k_on >= 0 and k >= k_on:
                w[i] += eta * field[i]
        if spherical:
            w *= sq / math.sqrt(w @ w)
    return W, tl, te


def test_loss_on_fresh(rng, W, ws, teacher, Delta, loss, n_test, mixture=False):
    N = W.shape[1]
    if mixture:
        Xt, _, y = mixture_data(rng, N, n_test, Delta, v=ws)
    else:
        Xt = rng.standard_normal((n_test, N))
        z = Xt @ ws / math.sqrt(N)
        noise = math.sqrt(Delta) * rng.standard_normal(n_test)
        y = z + noise if teacher == "linear" else np.where(z + noise >= 0, 1.0, -1.0)
    H = W @ Xt.T / math.sqrt(N)
    if loss == "square":
        return np.mean(0.5 * (y - H) ** 2, axis=1)
    if loss == "hinge":
        return np.mean(np.maximum(0.0, 1.0 - y * H), axis=1)
    return np.mean(np.logaddexp(0.0, -y * H), axis=1)


def dmft_glm_training(N=500, seeds=5, seed=0, alpha=2.0, data="teacher", teacher="linear", Delta=0.0,
                      loss="square", lam=0.1, algorithm="gd", dt=0.1, t_max=10.0, T=0.0, b=1.0, tau=1.0,
                      m0=0.0, q0=0.0, spherical=False, n_test=2000, progress=False, response_lags=(),
                      response_eps=1e-3, **_ignored):
    """Train at size N over seeds; samples m, q, train_loss, train_error, test_loss, test_error along ``time``.

    ``response_lags`` (steps l): for each, a twin run with the same data and noise and a field
    eps u (u a random +-1 vector) switched on at step K - l measures the integrated response
    chi(K, K - l) = (w_field(K) - w(K)).u / (N eps) (linear response, common random numbers), and
    C(K, K) - C(K, K - l) from the plain run; ``extra["fdr"]`` holds them per seed with the slope
    T_eff (the fit of replicon.theory.dmft.fdr at the same lags)."""
    N = check_number("N", N, lo=2, integer=True)
    seeds = check_number("seeds", seeds, lo=1, integer=True)
    alpha = check_number("alpha", alpha, lo=0, lo_open=True)
    data = check_choice("data", data, ("teacher", "mixture"))
    mixture = data == "mixture"
    teacher = check_choice("teacher", teacher, ("linear", "sign"))
    loss = check_choice("loss", loss, ("square", "logistic", "hinge"))
    Delta = check_number("Delta", Delta, lo=0)
    if mixture and Delta <= 0:
        raise ParamError("data=mixture needs Delta > 0 (the clusters' variance); allowed: Delta > 0")
    if not mixture and loss != "square" and teacher != "sign":
        raise ParamError(f"loss={loss} needs labels +-1; allowed: teacher=sign (teacher=linear only with loss=square)")
    algorithm = check_choice("algorithm", algorithm, ALGORITHMS)
    lam = check_number("lam", lam, lo=0)
    dt = check_number("dt", dt, lo=0, lo_open=True)
    t_max = check_number("t_max", t_max, lo=0, lo_open=True)
    T = check_number("T", T, lo=0)
    b = check_number("b", b, lo=0, hi=1, lo_open=True)
    tau = check_number("tau", tau, lo=0, lo_open=True)
    m0 = check_number("m0", m0)
    q0 = check_number("q0", q0, lo=0)
    if isinstance(spherical, str) and spherical.strip().lower() in ("true", "false", "1", "0"):
        spherical = spherical.strip().lower() in ("true", "1")
    elif spherical is None or isinstance(spherical, (bool, np.bool_)) or spherical in (0, 1):
        spherical = bool(spherical)
    else:
        raise ParamError(f"spherical={spherical!r} is not allowed; use true or false")
    K = int(round(t_max / dt))
    if K < 1 or K > 4000:
        raise ParamError(f"t_max/dt = {t_max / dt:g}; allowed: 1 <= t_max/dt <= 4000")
    if algorithm in ("gf", "gd", "langevin"):
        b_sel, p10, p01 = 1.0, 0.0, 0.0
    elif algorithm == "sgd":
        b_sel, p10, p01 = b, 1.0 - b, b
    else:
        if dt > tau or (b < 1 and dt * b / ((1 - b) * tau) > 1):
            raise ParamError("persistent_sgd flip probabilities exceed 1; allowed: dt <= tau and dt <= (1-b) tau / b")
        b_sel, p10, p01 = (1.0, 0.0, 0.0) if b >= 1 else (b, dt / tau, dt * b / ((1 - b) * tau))
    T_eff = T if algorithm == "langevin" else 0.0
    P = max(1, int(round(alpha * N)))
    params = dict(alpha=alpha, data=data, teacher=teacher, Delta=Delta, loss=loss, lam=lam,
                  algorithm=algorithm, dt=dt, t_max=t_max, T=T, b=b, tau=tau, m0=m0, q0=q0, spherical=spherical)
    if spherical:          # w(0) rescaled to |w|^2 = N (a random direction when m0 = q0 = 0), as in the theory
        n0 = m0 * m0 + q0
        m0, q0 = (0.0, 1.0) if n0 <= 0 else (m0 / math.sqrt(n0), q0 / n0)
    C_runs = []
    lags = [int(check_number("response lag", l, lo=1, hi=K, integer=True)) for l in np.atleast_1d(response_lags)]
    fdr_runs = []

    def run_one(child):
        rng = np.random.default_rng(child)
        if mixture:            # ws is the cluster mean v: m = w.v/N
            X, ws, y = mixture_data(rng, N, P, Delta)
        else:
            X, ws, y = teacher_data(rng, N, P, teacher, Delta)
        n = rng.standard_normal(N)
        n -= (n @ ws) / N * ws
        n *= math.sqrt(N) / max(np.linalg.norm(n), 1e-300)
        w = m0 * ws + math.sqrt(q0) * n
        kernel_seed = int(rng.integers(2 ** 31 - 1))
        W, tl, te = train_kernel(np.ascontiguousarray(X), y, w.copy(), ws, dt, lam, LOSS_CODE[loss],
                                 teacher == "sign" or mixture, T_eff, b_sel, p10, p01, K,
                                 kernel_seed, spherical, np.zeros(1), -1)
        m = W @ ws / N
        q = np.einsum("ki,ki->k", W, W) / N
        C_runs.append(W @ W.T / N)
        if lags:
            u = rng.choice(np.array([-1.0, 1.0]), size=N)
            chi, dC = [], []
            for lag in lags:
                Wf, _, _ = train_kernel(np.ascontiguousarray(X), y, w.copy(), ws, dt, lam, LOSS_CODE[loss],
                                        teacher == "sign" or mixture, T_eff, b_sel, p10, p01, K, kernel_seed,
                                        spherical, response_eps * u, K - lag)
                chi.append(float((Wf[K] - W[K]) @ u) / (N * response_eps))
                dC.append(float(W[K] @ W[K] - W[K] @ W[K - lag]) / N)
            chi, dC = np.array(chi), np.array(dC)
            fdr_runs.append((chi, dC, float(chi @ dC / (chi @ chi))))
        if mixture:            # h = y m + N(0, Delta q) exactly on a fresh example
            with np.errstate(invalid="ignore", divide="ignore"):
                test_err = np.where(q > 0, 0.5 * erfc(m / np.sqrt(2.0 * Delta * np.maximum(q, 1e-300))), 0.5)
        elif teacher == "linear":
            test_err = 1.0 + Delta - 2.0 * m + q
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                rho = np.where(q > 0, m / np.sqrt(np.maximum(q, 1e-300) * (1 + Delta)), 0.0)
            test_err = np.arccos(np.clip(rho, -1, 1)) / math.pi
        return dict(m=m, q=q, train_loss=tl, train_error=te,
                    test_loss=test_loss_on_fresh(rng, W, ws, teacher, Delta, loss, n_test, mixture),
                    test_error=test_err)

    meas = over_seeds(run_one, model="dmft.glm", params=params, N=N, seeds=seeds, seed=seed,
                      coords={"time": dt * np.arange(K + 1)}, progress=progress)
    meas.axes = {name: "time" for name in meas.samples}
    meas.extra["C"] = np.array(C_runs)
    if lags:
        meas.extra["fdr"] = dict(lags=np.array(lags), chi=np.array([r[0] for r in fdr_runs]),
                                 dC=np.array([r[1] for r in fdr_runs]), T_eff=np.array([r[2] for r in fdr_runs]))
    return meas


__all__ = ["dmft_glm_training", "train_kernel"]
