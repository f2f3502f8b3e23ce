"""Two-time DMFT of square-loss training on a time grid: the exact Gaussian closure (no sampling).

Discrete dynamics (step eta = dt; gradient descent exactly, gradient flow its Euler scheme,
Langevin its Euler-Maruyama scheme at temperature T):

    w(k+1) = w(k) - eta [lam w(k) + sum_mu g_mu(k) x_mu / sqrt N] + sqrt(2 T eta) zeta(k),
    g_mu(k) = d loss / d h at h_mu(k) = w(k).x_mu / sqrt N.

DMFT (cavity on one example and on one weight; Mignacco, Krzakala, Urbani & Zdeborova 2020,
Gerbelot et al. 2022 in continuous time; the discrete-time form re-derived here). One
effective example, with Gaussian fields (z, omega(k)) of covariance E z^2 = 1,
E z omega(k) = m(k), E omega(k) omega(k') = C(k, k'):

    h(k) = omega(k) - eta sum_{s<k} R(k, s) g(s),      g(s) = loss'(y, h(s)).

One effective weight, linear in its inputs (the ridge is quadratic):

    w(k+1) = (1 - eta lam) w(k) - eta [sum_{s<=k} Gamma(k, s) w(s) + mu(k) w* + nu(k)] + sqrt(2 T eta) zeta(k),

with the memory kernel Gamma(k, s) = alpha E[d g(k) / d omega(s)], the teacher drive
mu(k) = alpha E[d g(k) / d z] and the coloured noise nu of covariance alpha M_C(k, k'),
M_C(k, k') = E[g(k) g(k')]. The weight response R(k, s) = d w(k) / d w(s+1) obeys
R(s+1, s) = 1, R(k+1, s) = (1 - eta lam) R(k, s) - eta sum_{s<s'<=k} Gamma(k, s') R(s', s),
and with w(0) = m0 w* + b0 n, w(k) = a(k) w* + b(k) n + sum_{s<k} R(k, s)(-eta nu(s) + sqrt(2T eta) zeta(s)):

    m(k) = a(k),  C(k, k') = a a' + b b' + eta^2 alpha (R M_C R^T)(k, k') + 2 T eta (R R^T)(k, k').

In discrete time the system is causal: row k of every kernel depends on rows < k only, so one
forward sweep solves it exactly (no iteration). For square loss g = h - y is linear:
g = A (omega - y 1) with A = (I + eta R)^{-1} (lower triangular), hence Gamma = alpha A,
mu(k) = -alpha kappa sum_s A(k, s) (kappa = E z y), M_C = A G A^T with
G(j, j') = C(j, j') - kappa (m(j) + m(j')) + rho_y (rho_y = E y^2). Cost: O(K^3) flops and
O(K^2) memory for K time steps (K = 200: milliseconds; K = 2000: tens of seconds).

Two-cluster Gaussian mixture (``data=mixture``; Mignacco, Krzakala, Urbani & Zdeborova 2020):
x = y v/sqrt N + sqrt(Delta) z, y = +-1, |v|^2 = N, m = w.v/N. The field is
h = y m + sqrt(Delta) z.w/sqrt N; the cavity on one example gives (re-derived here)

    h(k) = y m(k) + sqrt(Delta) omega(k) - eta Delta sum_{s<k} R(k, s) g(s),

with omega Gaussian of covariance C and independent of y, and on one weight the cluster drive
mu(k) = alpha E[y g(k)] along v, the memory kernel Gamma(k, s) = alpha sqrt(Delta) E[dg(k)/domega(s)]
and the noise sqrt(Delta) nu, so that C picks up eta^2 alpha Delta (R M_C R^T). Square loss:
g = A (y (m - 1) + sqrt(Delta) omega) with A = (I + eta Delta R)^{-1}, hence Gamma = alpha Delta A,
mu(k) = alpha sum_s A(k, s)(m(s) - 1) and M_C = A G A^T with G = Delta C + (m - 1)(m - 1)^T.

Spherical constraint (``spherical=True``): |w|^2 = N after every step, w(k+1) = u(k+1)/(1 + eta z(k))
with u(k+1) the unconstrained update and z(k) the Lagrange multiplier (a fixed point is a stationary
point of the ridge with lam + z). The factor depends on w only through |u|^2/N, whose change under
one site's or one example's perturbation is O(1/N): in the DMFT it is a deterministic number per
step, fixed by C(k+1, k+1) = 1 (derived here), which rescales a(k+1), b(k+1), R(k+1, .) and
C(k+1, .) by norm(k) = 1/sqrt(C_unconstrained(k+1, k+1)).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

from ..gauss import legendre


def square_closure(alpha, lam, eta, K, rho_y, kappa, m0, b0, T=0.0, cluster_variance=None, spherical=False):
    """Forward sweep of the square-loss DMFT; returns a dict of kernels and one-time curves.

    Keys: ``m`` (K+1), ``q`` (K+1), ``C``, ``R``, ``A``, ``M_C`` ((K+1) x (K+1)), ``Gamma``,
    ``mu`` (K) and ``b`` (the norm of the initial random part carried along).
    ``cluster_variance`` = Delta > 0 switches to the two-cluster mixture (``rho_y``, ``kappa``
    unused; m is the overlap with the cluster mean): see the module docstring. ``spherical``: every
    step is rescaled to |w|^2 = N; ``norm`` (K+1) holds the factors.
    """
    mixture = cluster_variance is not None
    c = float(cluster_variance) if mixture else 1.0
    n = K + 1
    R = np.zeros((n, n))
    A = np.zeros((n, n))
    MC = np.zeros((n, n))
    C = np.zeros((n, n))
    a = np.zeros(n)
    b = np.zeros(n)
    mu = np.zeros(n)
    norm = np.ones(n)
    a[0], b[0] = m0, b0
    C[0, 0] = m0 * m0 + b0 * b0
    for k in range(n):
        A[k, k] = 1.0
        if k:
            A[k, :k] = -eta * c * R[k, :k] @ A[:k, :k]
        if mixture:
            Gk = c * C[:k + 1, :k + 1] + np.outer(a[:k + 1] - 1.0, a[:k + 1] - 1.0)
        else:
            Gk = C[:k + 1, :k + 1] - kappa * (a[:k + 1, None] + a[None, :k + 1]) + rho_y
        v = A[k, :k + 1] @ Gk
        row = A[:k + 1, :k + 1] @ v
        MC[k, :k + 1] = row
        MC[:k + 1, k] = row
        if k == K:
            break
        Gam = alpha * c * A[k, :k + 1]
        mu[k] = alpha * (A[k, :k + 1] @ (a[:k + 1] - 1.0)) if mixture else -alpha * kappa * A[k, :k + 1].sum()
        a[k + 1] = (1 - eta * lam) * a[k] - eta * (Gam @ a[:k + 1]) - eta * mu[k]
        b[k + 1] = (1 - eta * lam) * b[k] - eta * (Gam @ b[:k + 1])
        R[k + 1, :k] = (1 - eta * lam) * R[k, :k] - eta * (Gam @ R[:k + 1, :k])
        R[k + 1, k] = 1.0
        r = R[k + 1, :k + 1]
        u = MC[:k + 1, :k + 1] @ r
        Rp = R[:k + 2, :k + 1]
        crow = a[k + 1] * a[:k + 2] + b[k + 1] * b[:k + 2] + eta * eta * alpha * c * (Rp @ u)
        if T > 0:
            crow = crow + 2.0 * T * eta * (Rp @ r)
        if spherical:
            cn = 1.0 / math.sqrt(crow[k + 1])
            norm[k] = cn
            a[k + 1] *= cn
            b[k + 1] *= cn
            R[k + 1, :k + 1] *= cn
            crow = crow * cn
            crow[k + 1] = 1.0
        C[k + 1, :k + 2] = crow
        C[:k + 2, k + 1] = crow
    return dict(m=a, b=b, q=np.diag(C).copy(), C=C, R=R, A=A, M_C=MC, Gamma=alpha * c * A, mu=mu, norm=norm)


def sign_error_of_linear_field(c, var_u, cov_uz, Delta, n=80):
    """P(y (u + c y) < 0) for y = sign(z + sqrt(Delta) xi), (u, z) Gaussian, E z^2 = 1.

    = 2 P(t > 0, u < -c) with t = z + sqrt(Delta) xi: a one-dimensional integral over t > 0.
    """
    st = math.sqrt(1.0 + Delta)
    beta = cov_uz / st            # u = beta s + res, s = t / st standard normal
    res = math.sqrt(max(var_u - beta * beta, 0.0))
    x, w = legendre(n)
    # s on (0, 10): panels [0, 1], [1, 3], [3, 10]
    total = 0.0
    for lo, hi in ((0.0, 1.0), (1.0, 3.0), (3.0, 10.0)):
        s = 0.5 * (hi - lo) * x + 0.5 * (hi + lo)
        ww = 0.5 * (hi - lo) * w * np.exp(-0.5 * s * s) / math.sqrt(2 * math.pi)
        if res > 1e-12:
            p = ndtr((-c - beta * s) / res)
        else:
            p = (beta * s < -c).astype(float)
        total += np.dot(ww, p)
    return 2.0 * total


__all__ = ["square_closure", "sign_error_of_linear_field"]
