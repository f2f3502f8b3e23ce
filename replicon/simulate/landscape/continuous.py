r"""Continuous (spherical) weights: gradient descent, replicated GD/SGD and entropy-SGD.

The perceptron ``w in R^N`` with the spherical normalisation ``|w|^2 = N`` (restored after every
step) is trained on the data of :func:`.binary.binary_storage` (Gaussian patterns are the natural
choice) with the stabilities ``Delta_mu = w.X_mu / |w|`` and a smooth loss

``hinge2``: ``l(Delta) = max(0, kappa + m - Delta)^2 / 2`` with the training margin ``m`` (the
Protocol's ``margin``, default 0.1: at ``m = 0`` gradient descent stalls with patterns just below the
threshold, counted as errors), ``L(w) = sum_mu l(Delta_mu)``. Gradients are taken at ``|w| = sqrt N`` (``dDelta/dw = X_mu/sqrt N``),
projected on the sphere's tangent plane, and the weights renormalised. With ``batch < 1`` each
step uses a fresh random subset of ``round(batch P)`` patterns (SGD), its gradient scaled by
``1/batch``.

Protocols (schedules from :class:`.protocol.Protocol`, one entry per step):

* ``gd``: ``w <- w - lr grad L(w)`` (+ Langevin noise ``sqrt(2 lr T)`` per coordinate when
  ``temperature > 0``);
* ``replicated_gd``: ``y`` replicas, each ``w^a <- w^a - lr [grad L(w^a) + gamma (w^a - c)]`` with
  ``c`` the replicas' centre of mass (renormalised), the elastic coupling of replicated SGD
  (Baldassi, Pittorino & Zecchina, PNAS 117, 161 (2020), "Shaping the learning landscape in neural
  networks around wide flat minima"); ``gamma`` rises along its schedule;
* ``entropy_sgd`` (Chaudhari et al., ICLR 2017): per outer step, ``inner`` Langevin steps of
  ``w' <- w' - lr [grad L(w') + gamma (w' - w)] + sqrt(2 lr T) xi`` from ``w' = w`` with the running
  mean ``mu <- 0.25 mu + 0.75 w'`` (the paper's alpha = 0.75), then ``w <- mu``: a step ``1/gamma``
  along ``gamma (w - mu)``, the gradient of the local entropy at coupling ``gamma`` (the paper's outer
  step ``eta gamma (w - mu)`` at ``eta = 1/gamma``).

Success is zero training errors (``Delta_mu <= kappa`` counts as an error) of a replica or of the
(normalised) centre, checked after every step; the running time is the number of gradient
evaluations per replica summed over replicas (times ``inner`` for entropy-SGD).
"""

from __future__ import annotations

import math

import numpy as np

from numba import njit

from ..._util import ParamError
from .binary import RunResult


@njit(cache=True)
def loss_grad(w, X, thr, idx, scale):
    """(loss, tangent gradient) of the squared hinge ``sum_mu max(0, thr - Delta_mu)^2 / 2`` for every
    row of ``w`` (y x N, at |w| = sqrt N; ``Delta_mu = w.X_mu / sqrt N``) over the patterns ``idx``,
    both multiplied by ``scale``."""
    y, N = w.shape
    sq = math.sqrt(N)
    L = np.zeros(y)
    G = np.zeros((y, N))
    for a in range(y):
        for k in range(idx.shape[0]):
            mu = idx[k]
            D = 0.0
            for i in range(N):
                D += w[a, i] * X[i, mu]
            D /= sq
            g = D - thr
            if g < 0.0:
                L[a] += 0.5 * g * g * scale
                c = g * scale / sq
                for i in range(N):
                    G[a, i] += c * X[i, mu]
        wg = 0.0
        for i in range(N):
            wg += G[a, i] * w[a, i]
        wg /= N
        for i in range(N):
            G[a, i] -= wg * w[a, i]
    return L, G


def _normalise(w):
    N = w.shape[-1]
    return w * (math.sqrt(N) / np.linalg.norm(w, axis=-1, keepdims=True))


@njit(cache=True)
def errors_of(w, X, kappa):
    """Training errors at margin kappa of every row of ``w`` (stability ``w.X_mu/|w| <= kappa``)."""
    y, N = w.shape
    P = X.shape[1]
    out = np.zeros(y, dtype=np.int64)
    for a in range(y):
        nw = 0.0
        for i in range(N):
            nw += w[a, i] * w[a, i]
        t = kappa * math.sqrt(nw)
        for mu in range(P):
            D = 0.0
            for i in range(N):
                D += w[a, i] * X[i, mu]
            if D <= t:
                out[a] += 1
    return out


def _errors(w, X, kappa):
    return errors_of(np.ascontiguousarray(w, dtype=float), X, float(kappa))


def run_continuous(protocol, data, seed=0, w0=None) -> RunResult:
    """Run a continuous :class:`~.protocol.Protocol` (gd, replicated_gd, entropy_sgd) on ``data``."""
    if protocol.binary:
        raise ParamError(f"protocol kind {protocol.kind!r} trains binary weights; continuous kinds: "
                         "gd, replicated_gd, entropy_sgd")
    X = data.X
    N, P = X.shape
    kappa = data.kappa
    y = protocol.y
    rng = np.random.default_rng(seed)
    w = _normalise(rng.standard_normal((y, N)) if w0 is None else np.array(w0, dtype=float).reshape(y, N))
    T = np.asarray(protocol.temperature)
    lr = np.asarray(protocol.lr)
    gam = np.asarray(protocol.gamma)
    nb = max(1, int(round(protocol.batch * P)))
    full = nb >= P
    trace = np.full((y, protocol.sweeps), np.nan)

    everything = np.arange(P)
    thr = kappa + protocol.margin

    def batch():
        if full:
            return everything, 1.0
        return np.sort(rng.choice(P, size=nb, replace=False)), P / nb

    def grad(v, idx, sc):
        return loss_grad(np.ascontiguousarray(v), X, thr, idx, sc)

    def check(t):
        err = _errors(w, X, kappa)
        c = _normalise(w.mean(0)[None, :])[0] if y > 1 else w[0]
        ec = int(_errors(c[None, :], X, kappa)[0]) if y > 1 else int(err[0])
        if ec == 0 and y > 1:
            return c.copy(), "centre", 0
        a = int(np.argmin(err))
        if err[a] == 0:
            return w[a].copy(), "replica", 0
        if y > 1 and ec < err[a]:
            return c.copy(), "none", ec
        return w[a].copy(), "none", int(err[a])

    best, by, err = check(-1)
    done = 0
    if not (by != "none" and protocol.stop_at_solution):
        for t in range(protocol.sweeps):
            if protocol.kind == "entropy_sgd":
                wp = w.copy()
                mu = w.copy()
                for _ in range(protocol.inner):
                    idx, sc = batch()
                    L, G = grad(wp, idx, sc)
                    wp = wp - lr[t] * (G + gam[t] * (wp - w))
                    if T[t] > 0:
                        wp += math.sqrt(2.0 * lr[t] * T[t]) * rng.standard_normal(wp.shape)
                    wp = _normalise(wp)
                    mu = 0.25 * mu + 0.75 * wp
                w = _normalise(mu)
            else:
                idx, sc = batch()
                L, G = grad(w, idx, sc)
                if y > 1 and gam[t] > 0:
                    c = _normalise(w.mean(0)[None, :])
                    G = G + gam[t] * (w - c)
                w = w - lr[t] * G
                if T[t] > 0:
                    w += math.sqrt(2.0 * lr[t] * T[t]) * rng.standard_normal(w.shape)
                w = _normalise(w)
            trace[:, t] = L                     # the (batch) loss at the step's start
            done = t + 1
            best, by, err = check(t)
            if by != "none" and protocol.stop_at_solution:
                break
    per = protocol.inner if protocol.kind == "entropy_sgd" else 1
    return RunResult(W=best, success=err == 0, sweeps=done, time=done * y * per, found_by=by, errors=int(err),
                     trace=trace, acceptance=math.nan, replicas=w)
