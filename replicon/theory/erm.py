"""Replica-symmetric theory of the regularised empirical risk minimiser of a one-layer model.

The estimator minimises the training loss of ``dmft.glm`` (one convention for both families)

    L(w) = sum_mu loss(y_mu, h_mu) + lam |w|^2 / 2,    h_mu = w . x_mu / sqrt(N),

on P = alpha N Gaussian inputs x_mu ~ N(0, I_N) whose labels come from a teacher
``w*`` (|w*|^2 = N) through its field ``z_mu = w* . x_mu / sqrt(N)``:
``teacher="linear"``: y = z + sqrt(Delta) xi; ``teacher="sign"``: y = sign(z + sqrt(Delta) xi).

Order parameters (zero temperature, RS: the problem is convex, RS is exact):
m = w.w*/N, q = |w|^2/N and the susceptibility V = lim beta (Q - q). A training field at the
minimiser is the proximal point of the loss, ``h = prox(omega) = argmin_x [loss(y, x) +
(x - omega)^2 / (2 V)]`` of a Gaussian ``omega`` with E omega^2 = q, E omega z = m.
With ``f = (prox(omega) - omega)/V`` (the derivative of the Moreau envelope) the saddle point is

    V_hat = -alpha E[d f / d omega],  q_hat = alpha E[f^2],
    m_hat = alpha E[f (z - m omega / q)] / (1 - m^2 / q)        (Stein's lemma for E[d f / d z]),
    V = 1 / (lam + V_hat),  m = m_hat V,  q = (m_hat^2 + q_hat) V^2           (the ridge prior).

These are the equations of Aubin, Krzakala, Lu & Zdeborova, NeurIPS 2020 (arXiv:2006.06560)
and Loureiro et al., NeurIPS 2021 (Gaussian covariate model with identity covariances),
written here in our normalisation (re-derived, not copied; signs checked against the ridge
closed form and against the finite-N minimiser in the tests).

Square loss closes in terms of E y^2 = rho_y and kappa = E[z y]:
V_hat = alpha/(1+V), q_hat = alpha (rho_y - 2 kappa m + q)/(1+V)^2, m_hat = alpha kappa/(1+V).
Otherwise (logistic, hinge; sign teacher) the averages are one-dimensional: with omega =
sqrt(q) t, t ~ N(0, 1), z | omega ~ N(m t / sqrt(q), s^2), s^2 = 1 - m^2/q,

    E[g(y, omega)] = sum_y int Dt P(y | omega) g(y, omega),  P(y | omega) = H(-y mu / sqrt(s^2 + Delta)),
    E[f (z - mu)] / s^2 = sum_y int Dt f(y, omega) y phi(mu / sqrt(s^2 + Delta)) / sqrt(s^2 + Delta),

with mu = m t / sqrt(q), integrated by Gauss-Legendre panels split at the kinks of the
proximal map (hinge) and of the error indicator.

Two-cluster Gaussian mixture (``data="mixture"``; Mignacco, Krzakala, Lu, Urbani & Zdeborova,
ICML 2020, arXiv:2002.11544, balanced clusters, no bias): labels y = +-1 with probability 1/2 and
inputs x = y v/sqrt(N) + sqrt(Delta) z, z ~ N(0, I_N), |v|^2 = N (``teacher`` is not used); m = w.v/N.
The field is h = y m + sqrt(Delta) w.z/sqrt(N): the noise part is a Gaussian of variance Delta q
with susceptibility Delta V, so with omega = y m + sqrt(Delta q) t and f = (prox_{Delta V}(omega) -
omega)/(Delta V) (derived here in the same way as above; checked against the ridge minimiser and
scipy's logistic/hinge minimisers at finite N in the tests)

    V_hat = alpha E[1 - prox']/V,  q_hat = alpha Delta E[f^2],  m_hat = alpha E[y f],

with the same ridge prior; by the y -> -y symmetry of the losses every average is the y = +1 one.
test_error = H(m/sqrt(Delta q)), the probability that sign(h) != y on a fresh example.

Observables: ``train_loss`` = (1/P) sum_mu loss(y_mu, h_mu) (without the ridge term);
``train_error``: the fraction of sign(h) != y (sign teacher) or the mean squared residual
(linear teacher); ``test_loss`` = E loss(y, h) on a fresh example; ``test_error``:
arccos(m / sqrt(q (1 + Delta)))/pi (sign teacher) or E (y - h)^2 = 1 + Delta - 2 m + q
(linear teacher).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, ndtr

from .._util import ParamError, check_choice, check_number
from .engine import FixedPointProblem, iterate
from .gauss import gaussian, panel_rule
from .solution import ConvergenceError, Solution

LOSSES = ("square", "logistic", "hinge")
TEACHERS = ("linear", "sign")
DATA = ("teacher", "mixture")


# ---------------------------------------------------------------------------
# losses: value, first and second derivative in the field h (vectorised)
# ---------------------------------------------------------------------------

def loss_value(loss, y, h):
    """``loss(y, h)``: square (y - h)^2/2, logistic log(1 + exp(-y h)), hinge max(0, 1 - y h)."""
    if loss == "square":
        return 0.5 * (y - h) ** 2
    if loss == "logistic":
        return np.logaddexp(0.0, -y * h)
    if loss == "hinge":
        return np.maximum(0.0, 1.0 - y * h)
    raise ParamError(f"loss={loss!r} is not allowed; choose one of: {', '.join(LOSSES)}")


def loss_derivative(loss, y, h):
    """``d loss / d h`` (hinge: the right derivative, -y on y h < 1)."""
    if loss == "square":
        return h - y
    if loss == "logistic":
        return -y * expit(-y * h)
    if loss == "hinge":
        return np.where(y * h < 1.0, -y, 0.0) * np.ones_like(h)
    raise ParamError(f"loss={loss!r} is not allowed; choose one of: {', '.join(LOSSES)}")


def loss_second_derivative(loss, y, h):
    """``d^2 loss / d h^2`` (hinge: 0 almost everywhere)."""
    if loss == "square":
        return np.ones_like(h * y, dtype=float)
    if loss == "logistic":
        s = expit(y * h)
        return s * (1.0 - s)
    if loss == "hinge":
        return np.zeros_like(h * y, dtype=float)
    raise ParamError(f"loss={loss!r} is not allowed; choose one of: {', '.join(LOSSES)}")


def proximal(loss, y, omega, V, newton_iter=60):
    """``prox(omega) = argmin_x [loss(y, x) + (x - omega)^2/(2V)]`` and its derivative in omega.

    Square: (omega + V y)/(1 + V). Hinge (y = +-1): omega if y omega >= 1, y if 1 - V < y omega < 1,
    omega + V y if y omega <= 1 - V. Logistic: Newton on x + V loss'(x) = omega (convex, monotone).
    """
    y = np.asarray(y, float)
    omega = np.asarray(omega, float)
    if loss == "square":
        x = (omega + V * y) / (1.0 + V)
        return x, np.full_like(x, 1.0 / (1.0 + V))
    if loss == "hinge":
        u = y * omega
        x = np.where(u >= 1.0, omega, np.where(u <= 1.0 - V, omega + V * y, y))
        d = np.where((u > 1.0 - V) & (u < 1.0), 0.0, 1.0)
        return x, d
    if loss == "logistic":
        x = omega.copy()
        for _ in range(newton_iter):
            g = x - omega + V * loss_derivative(loss, y, x)
            gp = 1.0 + V * loss_second_derivative(loss, y, x)
            step = g / gp
            x = x - step
            if np.max(np.abs(step)) < 1e-14 * (1.0 + np.max(np.abs(x))):
                break
        return x, 1.0 / (1.0 + V * loss_second_derivative(loss, y, x))
    raise ParamError(f"loss={loss!r} is not allowed; choose one of: {', '.join(LOSSES)}")


def teacher_moments(teacher, Delta):
    """``(rho_y, kappa) = (E y^2, E z y)`` of the teacher's label."""
    if teacher == "linear":
        return 1.0 + Delta, 1.0
    return 1.0, math.sqrt(2.0 / math.pi) / math.sqrt(1.0 + Delta)


def check_loss_teacher(loss, teacher):
    if loss != "square" and teacher != "sign":
        raise ParamError(f"loss={loss} needs labels +-1; allowed: teacher=sign (teacher=linear only with loss=square)")


# ---------------------------------------------------------------------------
# channel averages for the sign teacher
# ---------------------------------------------------------------------------

def sign_channel_rule(m, q, Delta, kinks_omega=()):
    """Nodes t, weights w (Gaussian weight included) and the scalars of the sign channel.

    Returns ``t, w, omega, p_plus, stein`` with ``p_plus = P(y=+1 | omega)`` and
    ``stein = phi(mu/sigma)/sigma`` (sigma^2 = 1 - m^2/q + Delta), so that
    E[f (z - mu)]/s^2 = sum_y int Dt y f(y, omega) stein.
    """
    sq = math.sqrt(q)
    a = m / sq
    sigma = math.sqrt(max(1.0 - a * a, 0.0) + Delta)
    feats = [(0.0, 1.0)]
    if abs(a) > 0:
        feats.append((0.0, max(sigma / abs(a), 1e-9)))
    for k in kinks_omega:
        feats.append((k / sq, max(min(sigma / max(abs(a), 1e-12), 1.0), 1e-3)))
    t, w = panel_rule(tuple(feats), reach=12.0, order=12)
    omega = sq * t
    mu = a * t
    if sigma > 0:
        p_plus = ndtr(mu / sigma)
        stein = gaussian(mu / sigma) / sigma
    else:  # noiseless and perfectly aligned: a step
        p_plus = (mu > 0).astype(float)
        stein = np.zeros_like(mu)
    return t, w, omega, p_plus, stein


def _kinks(loss, V):
    if loss == "hinge":
        return (1.0, -1.0, 1.0 - V, -(1.0 - V), V, -V)
    if loss == "logistic":
        return (V / 2, -V / 2)
    return (V, -V)


def channel_sign(loss, m, q, V, Delta):
    """(V_hat, q_hat, m_hat)/alpha and the training observables for the sign teacher."""
    t, w, omega, p_plus, stein = sign_channel_rule(m, q, Delta, _kinks(loss, V))
    out = dict(Vh=0.0, qh=0.0, mh=0.0, train_loss=0.0, train_error=0.0)
    for y, py in ((1.0, p_plus), (-1.0, 1.0 - p_plus)):
        x, dx = proximal(loss, y, omega, V)
        f = (x - omega) / V
        out["Vh"] += np.dot(w, py * (1.0 - dx)) / V
        out["qh"] += np.dot(w, py * f * f)
        out["mh"] += np.dot(w, y * f * stein)
        out["train_loss"] += np.dot(w, py * loss_value(loss, y, x))
        out["train_error"] += np.dot(w, py * (y * x <= 0))
    return out


def channel_mixture(loss, m, q, V, Delta):
    """(V_hat, q_hat, m_hat)/alpha and the training observables for the two-cluster mixture (y = +1 branch)."""
    sd = math.sqrt(max(Delta * q, 0.0))
    Vp = Delta * V
    feats = [(0.0, 1.0)]
    if sd > 0:
        for k in _kinks(loss, Vp) + (0.0,):
            feats.append(((k - m) / sd, 0.5))
    t, w = panel_rule(tuple(feats), reach=12.0, order=12)
    omega = m + sd * t
    x, dx = proximal(loss, 1.0, omega, Vp)
    f = (x - omega) / Vp
    return dict(Vh=float(np.dot(w, 1.0 - dx)) / V, qh=Delta * float(np.dot(w, f * f)), mh=float(np.dot(w, f)),
                train_loss=float(np.dot(w, loss_value(loss, 1.0, x))), train_error=float(np.dot(w, x <= 0)))


def mixture_test_observables(loss, Delta, m, q):
    """(test_loss, test_error) on a fresh mixture example: h = y m + sqrt(Delta q) t."""
    sd = math.sqrt(max(Delta * q, 0.0))
    err = float(ndtr(-m / sd)) if sd > 0 else (0.0 if m > 0 else (0.5 if m == 0 else 1.0))
    t, w = panel_rule(((0.0, 1.0),) + (((1.0 - m) / sd, 0.5),) if sd > 0 else ((0.0, 1.0),), reach=12.0, order=12)
    return float(np.dot(w, loss_value(loss, 1.0, m + sd * t))), err


def test_loss_sign(loss, m, q, Delta):
    """E loss(y, h) on a fresh example, (z, h) Gaussian with E z h = m, E h^2 = q."""
    t, w, omega, p_plus, _ = sign_channel_rule(m, q, Delta, (1.0, -1.0))
    return float(np.dot(w, p_plus * loss_value(loss, 1.0, omega)
                        + (1.0 - p_plus) * loss_value(loss, -1.0, omega)))


def test_observables(loss, teacher, Delta, m, q):
    """(test_loss, test_error) of a student with overlaps m, q (population averages)."""
    rho_y, kappa = teacher_moments(teacher, Delta)
    if teacher == "linear":
        mse = rho_y - 2.0 * kappa * m + q
        return 0.5 * mse, mse
    if q <= 0:
        err = 0.5
    else:
        err = math.acos(max(-1.0, min(1.0, m / math.sqrt(q * (1.0 + Delta))))) / math.pi
    if loss == "square":
        tl = 0.5 * (rho_y - 2.0 * kappa * m + q)
    else:
        tl = test_loss_sign(loss, m, q, Delta) if q > 0 else float(loss_value(loss, 1.0, 0.0))
    return tl, err


# ---------------------------------------------------------------------------
# the saddle point
# ---------------------------------------------------------------------------

def erm_update(x, alpha, loss, teacher, Delta, lam):
    """The RS fixed-point map (m, q, V) -> (m, q, V) and the conjugates and training observables.

    ``teacher``: ``"linear"``, ``"sign"`` or ``"mixture"`` (the two-cluster data, see the module docstring)."""
    m, q, V = (float(v) for v in x)
    rho_y, kappa = teacher_moments(teacher, Delta)
    if teacher == "mixture":
        c = channel_mixture(loss, m, q, V, Delta)
        Vh, qh, mh = alpha * c["Vh"], alpha * c["qh"], alpha * c["mh"]
        tr_loss, tr_err = c["train_loss"], c["train_error"]
    elif teacher == "linear":
        Vh = alpha / (1.0 + V)
        qh = alpha * (rho_y - 2.0 * kappa * m + q) / (1.0 + V) ** 2
        mh = alpha * kappa / (1.0 + V)
        tr_loss = 0.5 * (rho_y - 2.0 * kappa * m + q) / (1.0 + V) ** 2
        tr_err = 2.0 * tr_loss
    else:
        c = channel_sign(loss, m, q, V, Delta)
        Vh, qh, mh = alpha * c["Vh"], alpha * c["qh"], alpha * c["mh"]
        tr_loss, tr_err = c["train_loss"], c["train_error"]
    Vn = 1.0 / (lam + Vh)
    return (np.array([mh * Vn, (mh * mh + qh) * Vn * Vn, Vn]),
            dict(m_hat=float(mh), q_hat=float(qh), V_hat=float(Vh), train_loss=float(tr_loss), train_error=float(tr_err)))


def erm_glm(alpha=2.0, data="teacher", teacher="sign", Delta=0.0, loss="logistic", lam=0.1,
            tol=1e-10, strict=False, x0=None, **_ignored):
    """RS order parameters and errors of the ridge-regularised empirical risk minimiser.

    Returns a :class:`Solution` with order ``m, q, V`` and conjugates ``m_hat, q_hat, V_hat``;
    observables ``m, q, train_loss, train_error, test_loss, test_error``. Cost: a few hundred
    evaluations of one-dimensional panel integrals (~1000 nodes), milliseconds to a second.

    References: Aubin, Krzakala, Lu & Zdeborova, NeurIPS 2020 (arXiv:2006.06560); Loureiro et al.,
    NeurIPS 2021 (arXiv:2102.08127).
    """
    alpha = check_number("alpha", alpha, lo=0, lo_open=True)
    data = check_choice("data", data, DATA)
    teacher = check_choice("teacher", teacher, TEACHERS)
    Delta = check_number("Delta", Delta, lo=0)
    loss = check_choice("loss", loss, LOSSES)
    lam = check_number("lam", lam, lo=0, lo_open=True)
    if data == "mixture":
        if Delta <= 0:
            raise ParamError("data=mixture needs Delta > 0 (the clusters' variance); allowed: Delta > 0")
        channel = "mixture"
    else:
        check_loss_teacher(loss, teacher)
        channel = teacher
    params = dict(alpha=alpha, data=data, teacher=teacher, Delta=Delta, loss=loss, lam=lam)
    model = "erm.glm"

    def F(x):
        return erm_update(x, alpha, loss, channel, Delta, lam)[0]

    problem = FixedPointProblem(names=("m", "q", "V"), update=F,
                                lower=np.array([-np.inf, 0.0, 0.0]), upper=np.array([np.inf, np.inf, np.inf]))
    start = np.array(x0 if x0 is not None else [0.5 * min(1.0, alpha), 0.5 * min(1.0, alpha) + 0.1, 1.0 / (lam + alpha)])
    root = iterate(problem, start, tol=tol, damping=0.5, max_iter=3000)
    if not root.converged:
        if strict:
            raise ConvergenceError(root.message)
        return Solution.failed(model, params, root.message, residual=root.residual, iterations=root.iterations)
    m, q, V = root.x
    _, extra = erm_update(root.x, alpha, loss, channel, Delta, lam)
    if channel == "mixture":
        test_loss, test_error = mixture_test_observables(loss, Delta, m, q)
    else:
        test_loss, test_error = test_observables(loss, teacher, Delta, m, q)
    obs = dict(m=float(m), q=float(q), train_loss=extra["train_loss"], train_error=extra["train_error"],
               test_loss=float(test_loss), test_error=float(test_error))
    order = dict(m=float(m), q=float(q), V=float(V), m_hat=extra["m_hat"], q_hat=extra["q_hat"],
                 V_hat=extra["V_hat"])
    return Solution(model=model, params=params, order=order, observables=obs, converged=True,
                    residual=root.residual, iterations=root.iterations, branch="minimiser",
                    status="thermodynamic")


__all__ = ["erm_glm", "erm_update", "loss_value", "loss_derivative", "loss_second_derivative", "proximal",
           "teacher_moments", "test_observables", "channel_mixture", "mixture_test_observables", "check_loss_teacher", "LOSSES", "TEACHERS", "DATA"]
