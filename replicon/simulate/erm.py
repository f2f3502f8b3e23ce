"""Finite-N empirical risk minimiser of a one-layer model: the `simulate` of ``erm.glm``.

The same data as the theory: x_mu ~ N(0, I_N), teacher w* with |w*|^2 = N exactly,
z = w*.x/sqrt(N); labels y = z + sqrt(Delta) xi (linear) or sign(z + sqrt(Delta) xi) (sign);
or (``data="mixture"``) two balanced clusters x = y v/sqrt(N) + sqrt(Delta) z, |v|^2 = N.
The minimiser of ``sum_mu loss(y_mu, w.x_mu/sqrt N) + lam |w|^2/2``:

- square: the ridge normal equations (X^T X / N + lam) w = X^T y / sqrt(N);
- logistic: scipy L-BFGS-B on the primal (smooth, strictly convex), gradient tolerance 1e-10;
- hinge: the dual box QP ``max_a sum a - |sum_mu a_mu y_mu x_mu|^2 / (2 lam N)``,
  a in [0, 1]^P (L-BFGS-B with bounds), w = sum_mu a_mu y_mu x_mu / (lam sqrt N).

Test error from the population formula of the measured (m, q), exact for Gaussian inputs.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from .._util import ParamError, check_choice, check_number
from .measurement import over_seeds

LOSSES = ("square", "logistic", "hinge")


def teacher_data(rng, N, P, teacher, Delta):
    """Inputs X (P x N), teacher w* (|w*|^2 = N) and labels y."""
    X = rng.standard_normal((P, N))
    ws = rng.standard_normal(N)
    ws *= math.sqrt(N) / np.linalg.norm(ws)
    z = X @ ws / math.sqrt(N)
    noise = math.sqrt(Delta) * rng.standard_normal(P)
    y = z + noise if teacher == "linear" else np.where(z + noise >= 0, 1.0, -1.0)
    return X, ws, y


def mixture_data(rng, N, P, Delta, v=None):
    """Two balanced Gaussian clusters: labels y = +-1, inputs y v/sqrt(N) + sqrt(Delta) z, |v|^2 = N
    (a fresh v unless one is given)."""
    if v is None:
        v = rng.standard_normal(N)
        v *= math.sqrt(N) / np.linalg.norm(v)
    y = rng.choice(np.array([-1.0, 1.0]), size=P)
    X = y[:, None] * v[None, :] / math.sqrt(N) + math.sqrt(Delta) * rng.standard_normal((P, N))
    return X, v, y


def sample_loss(loss, y, h):
    if loss == "square":
        return 0.5 * (y - h) ** 2
    if loss == "logistic":
        return np.logaddexp(0.0, -y * h)
    return np.maximum(0.0, 1.0 - y * h)


def minimiser(X, y, loss, lam):
    """The minimiser w of the regularised training loss (see the module docstring)."""
    P, N = X.shape
    A = X / math.sqrt(N)
    if loss == "square":
        return np.linalg.solve(A.T @ A + lam * np.eye(N), A.T @ y)
    if loss == "logistic":
        def fg(w):
            h = A @ w
            u = y * h
            val = np.sum(np.logaddexp(0.0, -u)) + 0.5 * lam * w @ w
            grad = A.T @ (-y * expit(-u)) + lam * w
            return val, grad
        res = minimize(fg, np.zeros(N), jac=True, method="L-BFGS-B",
                       options=dict(maxiter=20000, gtol=1e-10, ftol=1e-15, maxcor=30))
        return res.x
    B = A * y[:, None]
    Q = B @ B.T

    def dual(a):
        Qa = Q @ a
        return 0.5 * a @ Qa / lam - a.sum(), Qa / lam - 1.0
    res = minimize(dual, np.full(P, 0.5), jac=True, method="L-BFGS-B", bounds=[(0.0, 1.0)] * P,
                   options=dict(maxiter=50000, gtol=1e-11, ftol=1e-16, maxcor=30))
    return B.T @ res.x / lam


def population_errors(teacher, loss, Delta, m, q, rng_eval=None):
    """(test_error) from the measured overlaps: the same population formula as the theory."""
    if teacher == "linear":
        return 1.0 + Delta - 2.0 * m + q
    return math.acos(max(-1.0, min(1.0, m / math.sqrt(q * (1.0 + Delta))))) / math.pi if q > 0 else 0.5


def erm_glm_minimiser(N=200, seeds=10, seed=0, alpha=2.0, data="teacher", teacher="sign", Delta=0.0,
                      loss="logistic", lam=0.1, progress=False, **_ignored):
    """The finite-N minimiser over seeds: samples m, q, train_loss, train_error, test_error."""
    N = check_number("N", N, lo=2, integer=True)
    seeds = check_number("seeds", seeds, lo=1, integer=True)
    alpha = check_number("alpha", alpha, lo=0, lo_open=True)
    data = check_choice("data", data, ("teacher", "mixture"))
    teacher = check_choice("teacher", teacher, ("linear", "sign"))
    Delta = check_number("Delta", Delta, lo=0)
    loss = check_choice("loss", loss, LOSSES)
    lam = check_number("lam", lam, lo=0, lo_open=True)
    if data == "mixture" and Delta <= 0:
        raise ParamError("data=mixture needs Delta > 0 (the clusters' variance); allowed: Delta > 0")
    if data == "teacher" and loss != "square" and teacher != "sign":
        raise ParamError(f"loss={loss} needs labels +-1; allowed: teacher=sign (teacher=linear only with loss=square)")
    P = max(1, int(round(alpha * N)))
    params = dict(alpha=alpha, data=data, teacher=teacher, Delta=Delta, loss=loss, lam=lam)

    def run_one(child):
        rng = np.random.default_rng(child)
        if data == "mixture":
            X, v, y = mixture_data(rng, N, P, Delta)
            w = minimiser(X, y, loss, lam)
            h = X @ w / math.sqrt(N)
            m, q = float(w @ v / N), float(w @ w / N)
            # sign(h) != y on a fresh example: h = y m + sqrt(Delta) w.z/sqrt(N) ~ y m + N(0, Delta q) exactly
            err = float(0.5 * math.erfc(m / math.sqrt(2.0 * Delta * q))) if q > 0 else 0.5
            return dict(m=m, q=q, train_loss=float(np.mean(sample_loss(loss, y, h))),
                        train_error=float(np.mean(y * h <= 0)), test_error=err)
        X, ws, y = teacher_data(rng, N, P, teacher, Delta)
        w = minimiser(X, y, loss, lam)
        h = X @ w / math.sqrt(N)
        m, q = float(w @ ws / N), float(w @ w / N)
        if teacher == "linear":
            tr_err = float(np.mean((y - h) ** 2))
        else:
            tr_err = float(np.mean(y * h <= 0))
        return dict(m=m, q=q, train_loss=float(np.mean(sample_loss(loss, y, h))), train_error=tr_err,
                    test_error=population_errors(teacher, loss, Delta, m, q))

    return over_seeds(run_one, model="erm.glm", params=params, N=N, seeds=seeds, seed=seed, progress=progress)


__all__ = ["erm_glm_minimiser", "minimiser", "teacher_data", "mixture_data"]
