r"""Focusing belief propagation for the binary perceptron (Baldassi et al., PNAS 113, E7655 (2016)).

Belief propagation on the perceptron's dense factor graph, in its large-N (approximate message
passing) form, for ``y`` replicas coupled with strength ``gamma`` to a traced binary centre, under
the symmetry between replicas. With ``X[i, mu] = sigma_mu xi_{i mu}``, marginals ``m_i = tanh H_i``:

    V = sum_i X_{i mu}^2 (1 - m_i^2) / N,    omega_mu = sum_i X_{i mu} m_i / sqrt N - V g_mu,
    g_mu = phi(u)/(sqrt V H(u)),  u = (kappa - omega_mu)/sqrt V,   (d ln H((kappa - omega)/sqrt V) / d omega)
    g'_mu = -g_mu (g_mu + (omega_mu - kappa)/V),
    A_i = -sum_mu X_{i mu}^2 g'_mu / N,     B_i = sum_mu X_{i mu} g_mu / sqrt N + A_i m_i,

``B_i`` the field of the patterns on one replica's weight (derived here from the Gaussian
approximation of each pattern's cavity field; replicon's own derivation, the standard GAMP form).
The replicas reach the centre through the factors ``exp(gamma W~_i W_i^a)``: a replica sends the
centre ``atanh(tanh(gamma) tanh(B_i))``, the centre returns to each replica the other ``y - 1``
messages through the same factor, so

    H_i = B_i + atanh( tanh(gamma) tanh( (y - 1) atanh( tanh(gamma) tanh(B_i) ) ) ),

the focusing field that pushes every weight towards the polarisation of the dense region. ``gamma``
rises along its schedule (one entry per iteration, "scoping"); ``y`` is fixed. After every
iteration ``sign(m)`` is tested; the run stops at zero errors. One iteration costs O(N P), about
two Monte Carlo sweeps of one replica. Messages are damped, ``m <- damping m_old + (1 - damping)
tanh H``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .binary import RunResult


@njit(cache=True)
def _log_H(u):
    """ln H(u), H(u) = erfc(u / sqrt 2)/2, stable for large u."""
    if u < 5.0:
        return math.log(0.5 * math.erfc(u / math.sqrt(2.0)))
    return -0.5 * u * u - math.log(u * math.sqrt(2.0 * math.pi)) + math.log1p(-1.0 / (u * u) + 3.0 / u ** 4)


@njit(cache=True)
def fbp_kernel(X, kappa, m, gammas, y, damping):
    """Run focusing BP; ``m`` (N) in place. Returns (iterations, errors of sign(m) at the end)."""
    N, P = X.shape
    sq = math.sqrt(N)
    g = np.zeros(P)
    dg = np.zeros(P)
    A = np.zeros(N)
    Bf = np.zeros(N)
    W = np.empty(N)
    errors = P
    for t in range(gammas.shape[0]):
        tg = math.tanh(gammas[t])
        V = 0.0
        for i in range(N):
            V += 1.0 - m[i] * m[i]
        V = max(V / N, 1e-12)
        sV = math.sqrt(V)
        for mu in range(P):
            w = 0.0
            for i in range(N):
                w += X[i, mu] * m[i]
            om = w / sq - V * g[mu]
            u = (kappa - om) / sV
            a = math.exp(-0.5 * u * u - _log_H(u)) / math.sqrt(2.0 * math.pi)   # phi(u)/H(u)
            g[mu] = a / sV
            dg[mu] = -a * (a - u) / V
        for i in range(N):
            s = 0.0
            sa = 0.0
            for mu in range(P):
                s += X[i, mu] * g[mu]
                sa -= X[i, mu] * X[i, mu] * dg[mu]
            A[i] = sa / N
            Bf[i] = s / sq + A[i] * m[i]
        errors = 0
        for i in range(N):
            b = Bf[i]
            tb = min(max(tg * math.tanh(b), -1.0 + 1e-15), 1.0 - 1e-15)
            c = min(max(tg * math.tanh((y - 1) * math.atanh(tb)), -1.0 + 1e-15), 1.0 - 1e-15)
            H = b + math.atanh(c)
            m[i] = damping * m[i] + (1.0 - damping) * math.tanh(H)
            W[i] = 1.0 if m[i] >= 0.0 else -1.0
        for mu in range(P):
            h = 0.0
            for i in range(N):
                h += W[i] * X[i, mu]
            if h <= kappa * sq:
                errors += 1
        if errors == 0:
            return t + 1, 0
    return gammas.shape[0], errors


def run_focusing(data, protocol, seed=0, damping: float = 0.5) -> RunResult:
    """Focusing BP on ``data`` with a ``focusing`` :class:`~.protocol.Protocol` (``sweeps``
    iterations, its ``y`` and ``gamma`` schedule), from small random magnetisations. ``time`` counts
    2 per iteration (an iteration costs O(N P), two passes over the patterns)."""
    m = 0.01 * np.random.default_rng(seed).standard_normal(data.N)
    done, err = fbp_kernel(data.X, float(data.kappa), m, np.asarray(protocol.gamma, dtype=float),
                           float(protocol.y), float(damping))
    W = np.where(m >= 0, 1.0, -1.0)
    return RunResult(W=W, success=err == 0, sweeps=int(done), time=2 * int(done),
                     found_by="replica" if err == 0 else "none", errors=int(err),
                     trace=np.full((1, 0), np.nan), acceptance=math.nan, replicas=W[None, :])
