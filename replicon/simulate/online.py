"""Online SGD at finite N: soft committee machines and perceptron rules (numba kernels).

Same conventions as the theory (``replicon.theory.online``), restated here
because this package imports nothing from ``replicon.theory``:

* committee: ``x_i = J_i.xi/sqrt N``, ``y_n = B_n.xi/sqrt N``, ``xi ~ N(0, 1_N)``;
  ``sigma = sum_i v_i g(x_i)``, ``tau = sum_n v*_n g(y_n) + s zeta``; one step
  ``J_i <- (1 - eta gamma/N) J_i + (eta/sqrt N) v_i g'(x_i)(tau - sigma) xi`` and, if
  the second layer is learned, ``v_i <- v_i + (eta_v/N) g(x_i)(tau - sigma)``;
  ``Q = J J^T/N``, ``R = J B^T/N``, ``T = B B^T/N``, ``alpha = steps/N``
  (Saad & Solla 1995; Goldt et al. 2019).
* perceptron: ``J <- J + (eta/sqrt N) W(h, sign u) xi`` with the rule's ``W``
  (Engel & Van den Broeck ch. 9).

The generalisation error of the current weights is computed exactly from their
order parameters (inputs are Gaussian, so ``eps_g`` is a function of Q, R, T).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .._util import ParamError, alpha_grid, as_matrix, check_choice, check_number
from .gaussian_rng import ZIG_F, ZIG_R, ZIG_X, fill_normal, seed_state
from .measurement import Measurement, over_seeds

ACTIVATIONS = ("erf", "linear", "relu")
RULES = ("hebb", "perceptron", "adatron", "gd", "optimal")
_ACT_CODE = {"erf": 0, "linear": 1, "relu": 2}
_RULE_CODE = {r: i for i, r in enumerate(RULES)}
_SQRT_HALF = 1.0 / math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


@njit(cache=True)
def _g(x, act):
    if act == 0:
        return math.erf(x * 0.7071067811865476)
    if act == 2:
        return x if x > 0.0 else 0.0
    return x


@njit(cache=True)
def _dg(x, act):
    if act == 0:
        return 0.7978845608028654 * math.exp(-0.5 * x * x)
    if act == 2:
        return 1.0 if x > 0.0 else 0.0          # relu'(0) = 0, as in the theory
    return 1.0


@njit(cache=True, inline="always")
def _committee_step(J, v, B, v_teacher, xi, tau, eta, eta_v, learn_v, weight_decay, act, x):
    """One SGD step on the input ``xi`` (teacher output offset ``tau``: the label noise), ``J``, ``v`` in place."""
    K, N = J.shape
    M = B.shape[0]
    sqrtN = math.sqrt(N)
    for n in range(M):
        s = 0.0
        for a in range(N):
            s += B[n, a] * xi[a]
        tau += v_teacher[n] * _g(s / sqrtN, act)
    sig = 0.0
    for i in range(K):
        s = 0.0
        for a in range(N):
            s += J[i, a] * xi[a]
        x[i] = s / sqrtN
        sig += v[i] * _g(x[i], act)
    err = tau - sig
    decay = 1.0 - eta * weight_decay / N
    for i in range(K):
        c = eta / sqrtN * v[i] * _dg(x[i], act) * err
        if weight_decay > 0.0:
            for a in range(N):
                J[i, a] = decay * J[i, a] + c * xi[a]
        else:
            for a in range(N):
                J[i, a] += c * xi[a]
    if learn_v:
        for i in range(K):
            v[i] += eta_v / N * _g(x[i], act) * err


@njit(cache=True)
def committee_sgd_block(J, v, B, v_teacher, inputs, label_noise, eta, eta_v, learn_v, weight_decay, act):
    """SGD steps of a soft committee machine over the rows of ``inputs`` (n x N), updating ``J``, ``v`` in place.

    ``label_noise[t]`` is added to the teacher output of step t (pass zeros for
    a noiseless teacher). Cost per step O((K + M) N); no allocation.
    """
    x = np.empty(J.shape[0])
    for t in range(inputs.shape[0]):
        _committee_step(J, v, B, v_teacher, inputs[t], label_noise[t], eta, eta_v, learn_v, weight_decay, act, x)


@njit(cache=True, fastmath=True)
def committee_sgd_fused(J, v, B, v_teacher, steps, state, X, F, r, noise, eta, eta_v, learn_v, weight_decay, act):
    """``steps`` SGD steps of a soft committee with the inputs drawn inside the kernel, ``J``, ``v`` in place.

    Each step draws its N input components and then (if ``noise > 0``) one label-noise variate
    from the ziggurat of :mod:`.gaussian_rng` (state ``state``, tables ``X, F, r``), so the stream
    is that of :func:`gaussian_rng.fill_normal`: the same steps as :func:`committee_sgd_block` fed
    with those variates (test). ``fastmath`` lets the dot products vectorise (their summation order
    is not the sequential one; results agree with the block kernel to round-off).
    """
    K, N = J.shape
    x = np.empty(K)
    xi = np.empty(N)
    z = np.empty(1)
    for t in range(steps):
        fill_normal(state, xi, X, F, r)
        tau = 0.0
        if noise > 0.0:
            fill_normal(state, z, X, F, r)
            tau = noise * z[0]
        _committee_step(J, v, B, v_teacher, xi, tau, eta, eta_v, learn_v, weight_decay, act, x)


GENERATORS = ("ziggurat", "numpy")


def committee_sgd_kernel(J0, B, v0, v_teacher, eta, eta_v, learn_v, noise, weight_decay, act,
                         measure_steps, seed, block=512, generator="ziggurat"):
    """Online SGD of a soft committee machine; order parameters after each of ``measure_steps``.

    Pure: ``J0``, ``v0`` are copied. ``generator="ziggurat"`` (default) draws the inputs inside
    the compiled kernel (:func:`committee_sgd_fused`, xoshiro256** + ziggurat seeded from
    ``seed``: exact standard normals at ~2 ns each); ``"numpy"`` draws them in blocks of
    ``block`` steps from ``numpy.random.default_rng(seed)`` and feeds :func:`committee_sgd_block`
    (the reference path; the input statistics of both are tested). Returns ``(Q, R, v)`` of shapes
    ``(n, K, K)``, ``(n, K, M)``, ``(n, K)``.
    """
    if generator not in GENERATORS:
        raise ParamError(f"generator={generator!r} is not allowed; choose one of: {', '.join(GENERATORS)}")
    J = np.array(J0, dtype=float, copy=True)
    v = np.array(v0, dtype=float, copy=True)
    B = np.ascontiguousarray(B, dtype=float)
    vt = np.asarray(v_teacher, dtype=float)
    K, N = J.shape
    M = B.shape[0]
    n_out = len(measure_steps)
    Qs, Rs, vs = np.empty((n_out, K, K)), np.empty((n_out, K, M)), np.empty((n_out, K))
    step = 0
    if generator == "ziggurat":
        state = seed_state(seed)
    else:
        rng = np.random.default_rng(seed)
    for t, target in enumerate(measure_steps):
        if generator == "ziggurat" and step < target:
            committee_sgd_fused(J, v, B, vt, int(target - step), state, ZIG_X, ZIG_F, ZIG_R, float(noise),
                                float(eta), float(eta_v), bool(learn_v), float(weight_decay), int(act))
            step = int(target)
        while step < target:
            n = int(min(block, target - step))
            xs = rng.standard_normal((n, N))
            noise_draws = noise * rng.standard_normal(n) if noise > 0 else np.zeros(n)
            committee_sgd_block(J, v, B, vt, xs, noise_draws, float(eta), float(eta_v), bool(learn_v),
                                float(weight_decay), int(act))
            step += n
        Qs[t] = J @ J.T / N
        Rs[t] = J @ B.T / N
        vs[t] = v
    return Qs, Rs, vs


def committee_sgd_numpy(J0, B, v0, v_teacher, eta, steps, rng, activation="erf"):
    """Straightforward numpy SGD of a committee (unit-noise-free, no decay): the benchmark baseline.

    Same update as :func:`committee_sgd_kernel`, one step at a time with numpy
    array operations. Returns the final ``J``.
    """
    from scipy.special import erf

    J = J0.copy()
    N = J.shape[1]
    sq = math.sqrt(N)
    for _ in range(steps):
        xi = rng.standard_normal(N)
        y = B @ xi / sq
        x = J @ xi / sq
        if activation == "erf":
            err = v_teacher @ erf(y * _SQRT_HALF) - v0 @ erf(x * _SQRT_HALF)
            d = _SQRT_2_OVER_PI * np.exp(-0.5 * x * x)
        elif activation == "relu":
            err = v_teacher @ np.maximum(y, 0.0) - v0 @ np.maximum(x, 0.0)
            d = (x > 0).astype(float)
        else:
            err = v_teacher @ y - v0 @ x
            d = np.ones_like(x)
        J += np.outer(eta / sq * v0 * d * err, xi)
    return J


def pair_mean(activation, c11, c12, c22):
    """``<g(u) g(v)>`` for centred Gaussian (u, v).

    erf: ``(2/pi) arcsin(c12/sqrt((1+c11)(1+c22)))`` (Saad & Solla 1995); linear: ``c12``;
    relu: the degree-1 arc-cosine kernel (Cho & Saul 2009)
    ``[sqrt(c11 c22 - c12^2) + c12 (pi/2 + arcsin(c12/sqrt(c11 c22)))]/(2 pi)`` (0 if a variance is 0).
    """
    if activation == "erf":
        return 2.0 / math.pi * np.arcsin(c12 / np.sqrt((1.0 + c11) * (1.0 + c22)))
    if activation == "relu":
        c11, c12, c22 = np.broadcast_arrays(*(np.asarray(c, dtype=float) for c in (c11, c12, c22)))
        prod = c11 * c22
        live = prod > 0
        rho = np.clip(c12 / np.sqrt(np.where(live, prod, 1.0)), -1.0, 1.0)
        val = (np.sqrt(np.maximum(prod - c12 * c12, 0.0)) + c12 * (0.5 * math.pi + np.arcsin(rho))) / (2 * math.pi)
        return np.where(live, val, 0.0)
    return c12 + 0.0 * c11


def committee_error(Q, R, T, v, v_teacher, activation="erf"):
    """``eps_g = <(sigma - tau_0)^2>/2`` of committee weights with overlaps Q, R, T (exact for Gaussian inputs)."""
    om = np.block([[Q, R], [R.T, T]])
    d = np.diag(om)
    c = np.concatenate([v, -np.asarray(v_teacher, float)])
    return 0.5 * float(c @ pair_mean(activation, d[:, None], om, d[None, :]) @ c)


def teacher_weights(T, N, rng):
    """Teacher rows ``B`` (M x N) with ``B B^T / N = T`` exactly: orthonormalised Gaussians times chol(T)."""
    M = T.shape[0]
    G = rng.standard_normal((N, M))
    q, _ = np.linalg.qr(G)                          # N x M, orthonormal columns
    return np.linalg.cholesky(T) @ (q.T * math.sqrt(N))


def student_weights(Q0, R0, B, T, rng):
    """Student rows ``J`` (K x N) with ``E[J J^T/N] = Q0``, ``E[J B^T/N] = R0`` (fluctuations O(1/sqrt N)).

    ``J = R0 T^{-1} B + L Z`` with ``L L^T = Q0 - R0 T^{-1} R0^T`` and ``Z`` i.i.d.
    standard Gaussian (its overlaps with the teacher give R the O(1/sqrt N)
    fluctuations that break the hidden units' permutation symmetry).
    """
    N = B.shape[1]
    K = Q0.shape[0]
    C = R0 @ np.linalg.inv(T)
    S = Q0 - C @ R0.T
    w, V = np.linalg.eigh(S)
    if w[0] < -1e-10 * max(1.0, w[-1]):
        raise ParamError("Q0 and R0 are not realisable: Q0 - R0 T^-1 R0^T must be positive semi-definite")
    L = V * np.sqrt(np.clip(w, 0, None))
    Z = rng.standard_normal((K, N))
    return C @ B + L @ Z


def measure_grid(alpha_max, n_points, spacing, N):
    """Step indices for measurements: the theory's grid rounded to whole steps (unique, ends at alpha_max*N)."""
    g = alpha_grid(alpha_max, n_points, spacing)
    steps = np.unique(np.round(g * N).astype(np.int64))
    steps[-1] = int(round(alpha_max * N))
    return steps


def committee_online_sgd(N=1000, seeds=10, seed=0, K=3, M=3, eta=0.5, activation="erf", Q0=0.5, R0=0.0,
                         R0_diag=1e-3, T=None, sigma=0.0, weight_decay=0.0, learn_v=False, eta_v=None,
                         v0=1.0, v_teacher=1.0, alpha_max=100.0, n_points=200, spacing="log",
                         progress=False, **_ignored):
    """Online SGD of a soft committee machine at size N over independent seeds (Saad & Solla 1995 setup).

    Takes the same parameters as the theory (``committee.online``) plus ``N``,
    ``seeds`` and ``seed``. Each seed draws its own teacher (``B B^T/N = T``
    exactly) and initial student (order parameters ``Q0``, ``R0`` up to O(1/sqrt N)).
    Samples: ``eps_g``, ``Q_i_k``, ``R_i_n`` (and ``v_i``) trajectories on the
    ``alpha`` grid, plus ``Q0_measured``/``R0_measured`` per seed in ``extra``
    (flattened initial matrices, so theory can start from each seed's own state).
    Solver-only options (``plateau_tol``, ``rtol``, ``atol``) are ignored.
    """
    N = check_number("N", N, lo=2, integer=True)
    seeds = check_number("seeds", seeds, lo=1, integer=True)
    K = check_number("K", K, lo=1, integer=True)
    M = check_number("M", M, lo=1, integer=True)
    eta = check_number("eta", eta, lo=0, lo_open=True)
    activation = check_choice("activation", activation, ACTIVATIONS)
    sigma = check_number("sigma", sigma, lo=0)
    weight_decay = check_number("weight_decay", weight_decay, lo=0)
    alpha_max = check_number("alpha_max", alpha_max, lo=0, lo_open=True)
    eta_v = eta if eta_v is None else check_number("eta_v", eta_v, lo=0, lo_open=True)
    Qm = as_matrix(Q0, (K, K), "Q0", True)
    Rm = as_matrix(R0, (K, M), "R0", False)
    for i in range(min(K, M)):
        Rm[i, i] += R0_diag or 0.0
    Tm = np.eye(M) if T is None else as_matrix(T, (M, M), "T", True)
    vs0 = np.broadcast_to(np.asarray(v0, float), (K,)).copy()
    vt = np.broadcast_to(np.asarray(v_teacher, float), (M,)).copy()
    steps = measure_grid(alpha_max, n_points, spacing, N)
    alpha = steps / N
    params = dict(K=K, M=M, eta=eta, activation=activation, Q0=Q0, R0=R0, R0_diag=R0_diag, T=T, sigma=sigma,
                  weight_decay=weight_decay, learn_v=bool(learn_v), eta_v=eta_v, v0=v0, v_teacher=v_teacher,
                  alpha_max=alpha_max, n_points=n_points, spacing=spacing)
    initial = {"Q0": [], "R0": []}

    def run_one(child):
        rng = np.random.default_rng(child)
        B = teacher_weights(Tm, N, rng)
        J = student_weights(Qm, Rm, B, Tm, rng)
        Qs, Rs, vv = committee_sgd_kernel(J, B, vs0, vt, eta, eta_v, bool(learn_v), sigma, weight_decay,
                                          _ACT_CODE[activation], steps, int(rng.integers(2 ** 63 - 1)))
        initial["Q0"].append(J @ J.T / N)
        initial["R0"].append(J @ B.T / N)
        out = {"eps_g": np.array([committee_error(Qs[t], Rs[t], Tm, vv[t], vt, activation)
                                  for t in range(len(steps))])}
        for i in range(K):
            for k in range(i, K):
                out[f"Q_{i + 1}_{k + 1}"] = Qs[:, i, k]
            for n in range(M):
                out[f"R_{i + 1}_{n + 1}"] = Rs[:, i, n]
            if learn_v:
                out[f"v_{i + 1}"] = vv[:, i]
        return out

    meas = over_seeds(run_one, model="committee.online", params=params, N=N, seeds=seeds, seed=seed,
                      coords={"alpha": alpha}, axes=None, progress=progress)
    meas.axes = {name: "alpha" for name in meas.samples}
    meas.extra["Q0_measured"] = np.array(initial["Q0"])
    meas.extra["R0_measured"] = np.array(initial["R0"])
    meas.extra["T"] = Tm
    return meas


# ---------------------------------------------------------------------------
# Online perceptron
# ---------------------------------------------------------------------------

@njit(cache=True)
def _norm_pdf(x):
    return 0.3989422804014327 * math.exp(-0.5 * x * x)


@njit(cache=True)
def _phi_over_H(x):
    """phi(x)/H(x), H(x) = erfc(x/sqrt2)/2, stable for large x."""
    if x < 5.0:
        return _norm_pdf(x) / (0.5 * math.erfc(x * 0.7071067811865476))
    # asymptotic continued fraction of the Mills ratio
    t = x
    for k in range(40, 0, -1):
        t = x + k / t
    return t


@njit(cache=True)
def perceptron_sgd_kernel(J0, B, rule, eta, measure_steps, seed):
    """Online perceptron learning from teacher ``B`` (``|B|^2 = N``); R, Q at ``measure_steps``.

    ``rule``: 0 hebb (W = 1), 1 perceptron (W = Theta(-h u), update also at h = 0),
    2 adatron (W = -h Theta(-h u)), 3 gd (W = sign u - h), 4 optimal
    (Kinouchi & Caticha 1992, using the current overlap rho = R/sqrt Q);
    the step is ``J += (eta/sqrt N) W xi``. R and Q are tracked exactly and
    incrementally (O(1) per step beyond the O(N) fields).
    """
    np.random.seed(seed)
    N = J0.shape[0]
    J = J0.copy()
    sqrtN = math.sqrt(N)
    n_out = measure_steps.shape[0]
    Rs = np.empty(n_out)
    Qs = np.empty(n_out)
    xi = np.empty(N)
    R = 0.0
    Q = 0.0
    for a in range(N):
        R += J[a] * B[a]
        Q += J[a] * J[a]
    R /= N
    Q /= N
    step = 0
    for t in range(n_out):
        while step < measure_steps[t]:
            h = 0.0
            u = 0.0
            xx = 0.0
            for a in range(N):
                z = np.random.standard_normal()
                xi[a] = z
                h += J[a] * z
                u += B[a] * z
                xx += z * z
            h /= sqrtN
            u /= sqrtN
            s_t = 1.0 if u > 0 else -1.0
            if rule == 0:
                W = s_t
            elif rule == 1:
                W = s_t if h * u <= 0 else 0.0
            elif rule == 2:
                W = -h if h * u <= 0 else 0.0
            elif rule == 3:
                W = s_t - h
            else:
                rho = R / math.sqrt(Q)
                sq = math.sqrt(1.0 - rho * rho)
                xarg = rho * (h / math.sqrt(Q)) / sq
                W = s_t * math.sqrt(Q) * sq / rho * _phi_over_H(-s_t * xarg)
            W *= eta
            if W != 0.0:
                c = W / sqrtN
                for a in range(N):
                    J[a] += c * xi[a]
                R += W * u / N
                Q += (2.0 * W * h + W * W * xx / N) / N
            step += 1
        Rs[t] = R
        Qs[t] = Q
    return Rs, Qs


def perceptron_online_sgd(N=1000, seeds=10, seed=0, rule="perceptron", eta=1.0, Q0=1.0, R0=0.0,
                          alpha_max=100.0, n_points=200, spacing="log", progress=False, **_ignored):
    """Online perceptron rules at size N over seeds (Engel & Van den Broeck ch. 9 setup).

    Same parameters as ``perceptron.online`` plus ``N``, ``seeds``, ``seed``.
    Initial student ``J = R0 B + sqrt(Q0 - R0^2) z`` (``z`` Gaussian orthogonal to B).
    Samples: ``R``, ``Q``, ``rho``, ``eps_g = arccos(rho)/pi`` on the ``alpha`` grid.
    """
    N = check_number("N", N, lo=2, integer=True)
    seeds = check_number("seeds", seeds, lo=1, integer=True)
    rule = check_choice("rule", rule, RULES)
    eta = check_number("eta", eta, lo=0, lo_open=True)
    Q0 = check_number("Q0", Q0, lo=0)
    R0 = check_number("R0", R0)
    alpha_max = check_number("alpha_max", alpha_max, lo=0, lo_open=True)
    if R0 * R0 > Q0 * (1 + 1e-12):
        raise ParamError(f"R0={R0}, Q0={Q0} is not realisable; allowed: R0^2 <= Q0")
    if rule == "optimal" and R0 <= 0:
        raise ParamError("rule=optimal needs R0 > 0 and Q0 > 0 (its step diverges as R/sqrt(Q) -> 0)")
    steps = measure_grid(alpha_max, n_points, spacing, N)
    params = dict(rule=rule, eta=eta, Q0=Q0, R0=R0, alpha_max=alpha_max, n_points=n_points, spacing=spacing)

    def run_one(child):
        rng = np.random.default_rng(child)
        B = rng.standard_normal(N)
        B *= math.sqrt(N) / np.linalg.norm(B)
        z = rng.standard_normal(N)
        z -= (z @ B) / N * B
        J = R0 * B + math.sqrt(max(Q0 - R0 * R0, 0.0)) * z
        Rs, Qs = perceptron_sgd_kernel(J, B, _RULE_CODE[rule], eta, steps, int(rng.integers(2 ** 31 - 1)))
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = np.where(Qs > 0, Rs / np.sqrt(np.maximum(Qs, 1e-300)), 0.0)
        rho = np.clip(rho, -1, 1)
        return {"R": Rs, "Q": Qs, "rho": rho, "eps_g": np.arccos(rho) / math.pi}

    meas = over_seeds(run_one, model="perceptron.online", params=params, N=N, seeds=seeds, seed=seed,
                      coords={"alpha": steps / N}, progress=progress)
    meas.axes = {name: "alpha" for name in meas.samples}
    return meas


__all__ = ["committee_sgd_kernel", "committee_online_sgd", "perceptron_sgd_kernel", "perceptron_online_sgd",
           "committee_error", "teacher_weights", "student_weights", "committee_sgd_numpy", "Measurement"]
