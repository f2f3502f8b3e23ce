"""``dmft.glm``: two-time DMFT of full-batch GD, gradient flow, Langevin dynamics and (persistent)
SGD of a one-layer model on a fixed training set, along the time grid t_k = k dt.

Training loss ``sum_mu loss(y_mu, w.x_mu/sqrt N) + lam |w|^2/2``; gradient flow dw/dt = -grad L
(Mignacco, Krzakala, Urbani & Zdeborova, NeurIPS 2020, arXiv:2006.06098; Gerbelot et al. 2022,
arXiv:2210.06591), so the square-loss Hessian X^T X / N has mean alpha. Discretisation
(step ``dt``): ``gd`` is gradient descent with learning rate dt (its DMFT is exact at every
step); ``gf`` is the same Euler scheme read as an approximation of the flow (error O(dt));
``langevin`` adds sqrt(2 T dt) N(0, 1) per weight and step (Euler-Maruyama, stationary law
exp(-L/T) as dt -> 0); ``sgd`` multiplies each example's gradient by a fresh Bernoulli(b)
selection every step; ``persistent_sgd`` (Mignacco et al. 2020) keeps the selection, which
flips 1 -> 0 with probability dt/tau and 0 -> 1 with probability dt b / ((1 - b) tau) per step.

Solvers: square loss with full batch (gf, gd, langevin, or b = 1) uses the exact Gaussian
closure (:mod:`.gaussian`, no sampling); any other case samples the effective example
(:mod:`.sampled`), ``groups`` independent sweeps of ``samples`` examples, reporting the mean
and the standard error of every curve (``*_sem``); the hinge loss's memory kernel is its kink's
boundary term (KINK_BRANCHES in :mod:`.sampled`).
Data: ``data="teacher"`` (Gaussian inputs, labels from a teacher) or ``data="mixture"`` (two
clusters x = y v/sqrt N + sqrt(Delta) z, y = +-1: Mignacco, Krzakala, Urbani & Zdeborova 2020;
m = w.v/N, test error H(m/sqrt(Delta q)), as in erm.glm).
Initial condition (the CLI contract): w(0) = m0 w* + sqrt(q0) n, n a random unit-variance vector
orthogonal to w*, so m(0) = m0 and q(0) = |w(0)|^2/N = m0^2 + q0.
``spherical=True``: |w|^2 = N at every step, w(k+1) = u(k+1)/(1 + dt z(k)) with u the unconstrained
update and z the Lagrange multiplier (``extra["lagrange"]``, ``lagrange_final``; a fixed point is a
stationary point of the ridge with lam + z); w(0) is rescaled to norm sqrt(N) (a random direction
when m0 = q0 = 0).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

from ..._util import ParamError, check_choice, check_number, child_seeds
from ..erm import LOSSES, TEACHERS, check_loss_teacher, mixture_test_observables, teacher_moments, test_observables
from ..solution import ConvergenceError, Solution
from .fdr import effective_temperature
from .gaussian import sign_error_of_linear_field, square_closure
from .sampled import KINK_BRANCHES, LOSS_CODE, PATHWISE, sampled_sweep

ALGORITHMS = ("gf", "gd", "langevin", "sgd", "persistent_sgd")
MAX_STEPS = 4000          # K^2 kernels: 4000^2 doubles = 128 MB each
MAX_SAMPLED_WORK = 4e11   # samples * K^3 / 6 flops of the sampled responses
MAX_BRANCH_BYTES = 6e8    # hinge: two int8 branch histories per sample and start time


def check_dmft_params(alpha, data, teacher, Delta, loss, lam, algorithm, dt, t_max, T, b, tau, m0, q0, spherical):
    """Validate the parameters; returns them (floats/strings) plus the number of steps K."""
    alpha = check_number("alpha", alpha, lo=0, lo_open=True)
    data = check_choice("data", data, ("teacher", "mixture"))
    teacher = check_choice("teacher", teacher, TEACHERS)
    Delta = check_number("Delta", Delta, lo=0)
    loss = check_choice("loss", loss, LOSSES)
    if data == "mixture":
        if Delta <= 0:
            raise ParamError("data=mixture needs Delta > 0 (the clusters' variance); allowed: Delta > 0")
    else:
        check_loss_teacher(loss, teacher)
    lam = check_number("lam", lam, lo=0)
    algorithm = check_choice("algorithm", algorithm, ALGORITHMS)
    dt = check_number("dt", dt, lo=0, lo_open=True)
    t_max = check_number("t_max", t_max, lo=0, lo_open=True)
    T = check_number("T", T, lo=0)
    b = check_number("b", b, lo=0, hi=1, lo_open=True)
    tau = check_number("tau", tau, lo=0, lo_open=True)
    m0 = check_number("m0", m0)
    q0 = check_number("q0", q0, lo=0)
    spherical = check_flag("spherical", spherical)
    K = int(round(t_max / dt))
    if K < 1:
        raise ParamError(f"t_max/dt = {t_max / dt:g} gives no step; allowed: t_max >= dt")
    if K > MAX_STEPS:
        raise ParamError(f"t_max/dt = {K} steps needs {K} x {K} kernels; allowed: t_max/dt <= {MAX_STEPS}")
    if algorithm == "persistent_sgd":
        if dt > tau or (b < 1 and dt * b / ((1 - b) * tau) > 1):
            raise ParamError(f"persistent_sgd flips with probability dt/tau and dt b/((1-b) tau) per step; "
                             f"allowed: dt <= tau and dt <= (1-b) tau / b (got dt={dt}, tau={tau}, b={b})")
    return dict(alpha=alpha, data=data, teacher=teacher, Delta=Delta, loss=loss, lam=lam, algorithm=algorithm,
                dt=dt, t_max=t_max, T=T, b=b, tau=tau, m0=m0, q0=q0, spherical=spherical), K


def check_flag(name, value):
    """A boolean parameter: True/False, 1/0 or the strings true/false."""
    if isinstance(value, (bool, np.bool_)) or value in (0, 1):
        return bool(value)
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise ParamError(f"{name}={value!r} is not allowed; use true or false")


def spherical_start(m0, q0):
    """w(0) rescaled to |w|^2 = N for the spherical constraint: (m0, sqrt(q0)) / sqrt(m0^2 + q0), a random
    unit direction (q0 = 1) when both are 0."""
    n0 = m0 * m0 + q0
    if n0 <= 0:
        return 0.0, 1.0
    return m0 / math.sqrt(n0), math.sqrt(q0 / n0)


def selection_rates(algorithm, b, dt, tau):
    """(b, p10, p01): selection probability and per-step flip probabilities of the example mask."""
    if algorithm in ("gf", "gd", "langevin"):
        return 1.0, 0.0, 0.0
    if algorithm == "sgd":
        return b, 1.0 - b, b
    if b >= 1:
        return 1.0, 0.0, 0.0
    return b, dt / tau, dt * b / ((1 - b) * tau)


def dmft_glm(alpha=2.0, data="teacher", teacher="linear", Delta=0.0, loss="square", lam=0.1, algorithm="gd",
             dt=0.1, t_max=10.0, T=0.0, b=1.0, tau=1.0, m0=0.0, q0=0.0, spherical=False,
             samples=4000, groups=4, seed=0, fdr_window=0.25, strict=False, **_ignored):
    """Solve the DMFT of ``algorithm`` on the grid t_k = k dt, k = 0..round(t_max/dt).

    Returns a :class:`Solution` whose observables are curves along ``time``: ``m``, ``q``,
    ``train_loss``, ``train_error``, ``test_loss``, ``test_error`` (and ``*_sem`` when sampled),
    plus their final values ``*_final``; ``extra["kernels"]`` holds ``C``, ``R`` (weight
    correlation and response), ``M_C`` (E g g': the noise kernel is alpha M_C) and ``Gamma``
    (memory kernel, Gaussian closure) as (K+1) x (K+1) arrays. ``T_eff``: the effective temperature
    from the fluctuation-dissipation ratio over the last ``fdr_window`` of the grid (:mod:`.fdr`;
    meaningful only where ``T_eff_stationarity``, the relative drift of C at fixed lag across the
    window, is small). Cost: Gaussian closure O(K^3)
    flops (K = 200: ~0.1 s); sampled O(samples * groups * K^3 / 6) (K = 100, 4 x 4000: ~2 s); hinge
    O(samples * groups * K^3 / 3) and 2 samples (K+1)^2 bytes of kink branches (K = 30, 16 x 3000: ~2 s).
    """
    params, K = check_dmft_params(alpha, data, teacher, Delta, loss, lam, algorithm, dt, t_max, T, b, tau,
                                  m0, q0, spherical)
    samples = check_number("samples", samples, lo=100, integer=True)
    groups = check_number("groups", groups, lo=2, integer=True)
    p = params
    eta = p["dt"]
    T_eff = p["T"] if p["algorithm"] == "langevin" else 0.0
    b_sel, p10, p01 = selection_rates(p["algorithm"], p["b"], eta, p["tau"])
    rho_y, kappa = teacher_moments(p["teacher"], p["Delta"])
    b0 = math.sqrt(p["q0"])          # norm of the random part of w(0)
    m0 = p["m0"]
    if p["spherical"]:
        m0, b0 = spherical_start(m0, p["q0"])
    time = eta * np.arange(K + 1)
    model = "dmft.glm"
    obs = {"time": time}
    mixture = p["data"] == "mixture"
    if mixture:
        def test_obs(mk, qk):
            return mixture_test_observables(p["loss"], p["Delta"], mk, qk)
    else:
        def test_obs(mk, qk):
            return test_observables(p["loss"], p["teacher"], p["Delta"], mk, qk)
    if p["loss"] == "square" and b_sel == 1.0:
        r = square_closure(p["alpha"], p["lam"], eta, K, rho_y, kappa, m0, b0, T_eff,
                           cluster_variance=p["Delta"] if mixture else None, spherical=p["spherical"])
        norm = r["norm"]
        m, q = r["m"], r["q"]
        train_loss = 0.5 * np.diag(r["M_C"])
        if mixture:
            # y = +1 branch: h = 1 + g, g(k) Gaussian of mean A_k.(m - 1), variance Delta A_k C A_k^T
            A, C = r["A"], r["C"]
            train_error = np.empty(K + 1)
            for k in range(K + 1):
                row = A[k, :k + 1]
                mean_h = 1.0 + row @ (m[:k + 1] - 1.0)
                sd_h = math.sqrt(max(p["Delta"] * (row @ C[:k + 1, :k + 1] @ row), 0.0))
                train_error[k] = float(ndtr(-mean_h / sd_h)) if sd_h > 0 else float(mean_h <= 0)
        elif p["teacher"] == "linear":
            train_error = 2.0 * train_loss
        else:
            A, C = r["A"], r["C"]
            train_error = np.empty(K + 1)
            for k in range(K + 1):
                row = A[k, :k + 1]
                train_error[k] = sign_error_of_linear_field(1.0 - row.sum(), row @ C[:k + 1, :k + 1] @ row,
                                                            row @ m[:k + 1], p["Delta"])
        kernels = dict(C=r["C"], R=r["R"], M_C=r["M_C"], Gamma=r["Gamma"])
        method, residual, message, sem = "gaussian closure", 0.0, "exact Gaussian closure (square loss)", None
    else:
        work = samples * groups * K ** 3 / 6
        if work > MAX_SAMPLED_WORK or samples * K > 5e8:
            raise ParamError(f"samples x groups x K^3/6 = {work:.2g} is too much; allowed: <= {MAX_SAMPLED_WORK:.0e}"
                             f" (reduce t_max/dt or samples)")
        hinge = p["loss"] == "hinge"
        if hinge and 2 * samples * (K + 1) ** 2 > MAX_BRANCH_BYTES:
            raise ParamError(f"loss=hinge keeps 2 x samples x (K+1)^2 = {2 * samples * (K + 1) ** 2:.2g} bytes of kink "
                             f"branches; allowed: <= {MAX_BRANCH_BYTES:.0e} (reduce t_max/dt or samples)")
        runs = [sampled_sweep(p["alpha"], p["lam"], eta, K, LOSS_CODE[p["loss"]], p["teacher"] == "sign",
                              p["Delta"], m0, b0, T_eff, b_sel, p10, p01, samples, s % (2 ** 32 - 1), mixture,
                              KINK_BRANCHES if hinge else PATHWISE, p["spherical"])
                for s in child_seeds(seed, groups)]
        stack = {name: np.array([run[i] for run in runs]) for i, name in
                 enumerate(("m", "C", "R", "M_C", "train_loss", "train_error", "norm"))}
        stack["q"] = np.array([np.diag(c) for c in stack["C"]])
        mean = {k: v.mean(axis=0) for k, v in stack.items()}
        sem = {k: v.std(axis=0, ddof=1) / math.sqrt(groups) for k, v in stack.items()}
        m, q, train_loss, train_error = mean["m"], mean["q"], mean["train_loss"], mean["train_error"]
        norm = mean["norm"]
        kernels = dict(C=mean["C"], R=mean["R"], M_C=mean["M_C"], C_sem=sem["C"], R_sem=sem["R"], M_C_sem=sem["M_C"])
        method = "sampled effective process"
        residual = float(max(np.max(sem["m"]), np.max(sem["q"])))
        message = f"sampled: {groups} sweeps x {samples} effective examples; residual = largest sem of m, q"
    tests = np.array([test_obs(mk, max(qk, 0.0)) for mk, qk in zip(m, q)])
    obs.update(m=m, q=q, train_loss=train_loss, train_error=train_error, test_loss=tests[:, 0],
               test_error=tests[:, 1])
    if sem is not None:
        for name in ("m", "q", "train_loss", "train_error"):
            obs[name + "_sem"] = sem[name]
        # test curves are functions of (m, q): their sem by propagation over the sweeps
        per = np.array([[test_obs(mk, max(qk, 0.0)) for mk, qk in zip(mm, qq)]
                        for mm, qq in zip(stack["m"], stack["q"])])
        obs["test_loss_sem"] = per[:, :, 0].std(axis=0, ddof=1) / math.sqrt(groups)
        obs["test_error_sem"] = per[:, :, 1].std(axis=0, ddof=1) / math.sqrt(groups)
    for name in ("m", "q", "train_loss", "train_error", "test_loss", "test_error"):
        obs[name + "_final"] = float(obs[name][-1])
    extra_out = {}
    if p["spherical"]:
        # w(k+1) = u(k+1) / (1 + dt z(k)): the Lagrange multiplier z(k), k = 0..K-1
        lagrange = (1.0 / norm[:K] - 1.0) / eta
        extra_out["lagrange"] = lagrange
        obs["lagrange_final"] = float(lagrange[-1])
    # fluctuation-dissipation ratio over the last fdr_window of the grid (fdr.py): the effective temperature
    if K >= 8 and np.all(np.isfinite(kernels["C"])):
        T_fdr, stat = effective_temperature(kernels["C"], kernels["R"], eta, fdr_window)
        obs["T_eff"], obs["T_eff_stationarity"] = T_fdr, stat
        if sem is not None:
            per_group = [effective_temperature(c, r, eta, fdr_window)[0] for c, r in zip(stack["C"], stack["R"])]
            obs["T_eff_sem"] = float(np.std(per_group, ddof=1) / math.sqrt(groups))
    finite = all(np.all(np.isfinite(obs[k])) for k in ("m", "q", "train_loss", "test_error"))
    blown = finite and float(np.max(np.abs(q))) > BLOW_UP * max(1.0, p["q0"] + p["m0"] ** 2)
    if p["spherical"] and finite and not np.all(np.isfinite(norm)):
        finite = False
    if not finite or blown:
        edge = (1.0 + math.sqrt(p["alpha"])) ** 2 + p["lam"]     # top of the Hessian's spectrum (MP edge)
        msg = (f"the dynamics diverge (|w|^2/N > {BLOW_UP:.0e}): dt={p['dt']} is above the stability limit "
               f"of the discrete step (square loss: dt < 2/((1 + sqrt(alpha))^2 + lam) = {2.0 / edge:.4g})"
               if finite or blown else
               "the sweep produced non-finite kernels (step dt too large for this loss and alpha?)")
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(model, params, msg)
    return Solution(model=model, params=params, order={"m": float(m[-1]), "q": float(q[-1])}, observables=obs,
                    converged=True, residual=residual, iterations=1, branch=p["algorithm"], message=message,
                    extra={"kernels": kernels, "method": method, **extra_out})


BLOW_UP = 1e8   # |w|^2/N beyond this (times max(1, q0)) is a divergence, not a result

__all__ = ["dmft_glm", "check_dmft_params", "selection_rates", "ALGORITHMS", "MAX_STEPS"]
