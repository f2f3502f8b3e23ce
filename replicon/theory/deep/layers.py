r"""Scalar pieces of the multi-layer GLM's RS equations: the input prior and one layer of the chain.

Every layer ``l`` of ``x_0 -> h_1 -> ... -> h_L = y`` meets the same scalar problem (Manoel,
Krzakala, Mezard & Zdeborova 2017, the state evolution of ML-AMP; Gabrie et al., NeurIPS 2018,
the replica formula; both recalled, the equations below derived here). The pre-activation
``z = W_l h_{l-1}/sqrt(n_{l-1})`` is, given what the layers below say, ``z ~ N(omega, V)`` with
``omega = sqrt(q) xi``, ``V = rho - q`` (``q``, ``rho``: overlap and second moment of h_{l-1});
the post-activation is ``h = phi(z) + sqrt(Delta) noise``; from above, h is seen through a
Gaussian channel of signal-to-noise ``A`` (``q_hat_l``; the output is seen exactly,
``A = infinity``). Gaussian noise on h is integrated out exactly,

    int dh N(h; r, Delta) e^{B h - A h^2/2} = (1 + A Delta)^{-1/2} e^{Delta B^2/(2(1 + A Delta))}
                                                e^{B' r - A' r^2/2},
    B' = B/(1 + A Delta),  A' = A/(1 + A Delta),

so each layer reduces to the noiseless two-sided partition function of ``r = phi(z)``

    Z(B', A'; omega, V) = E_{z ~ N(omega, V)} exp(B' phi(z) - A' phi(z)^2 / 2),

with, under the Nishimori measure, ``B' = A' r_0 + sqrt(A') eta`` (``r_0 = phi(z_0)``,
``z_0 ~ N(omega, V)``, eta ~ N(0, 1)). The output ``y = phi(z) + sqrt(Delta) eta`` is the same
with ``A' = 1/Delta``, ``B' = y/Delta``. Closed forms of Z (x = omega/sqrt V):

* linear: ``Z = (1 + A'V)^{-1/2} exp((B' omega - A' omega^2/2 + V B'^2/2)/(1 + A'V))``;
* sign:   ``Z = e^{-A'/2} (e^{B'} H(-x) + e^{-B'} H(x))``, i.e. with ``t = B' + (ln H(-x) - ln H(x))/2``,
  ``<r> = tanh t`` and ``d_omega ln Z = (phi(x)/sqrt V) (s/H(-x) - (1 - s)/H(x))``, s = sigmoid(2t);
* relu:   ``Z = H(x) + (1 + A'V)^{-1/2} e^{E} Phi(mu'/sqrt V')`` (the atom at 0 and the tilted
  Gaussian on z > 0, ``mu' = (omega + V B')/(1 + A'V)``, ``V' = V/(1 + A'V)``);
* erf, ``phi(z) = erf(z/sqrt 2)``: no closed form; Z is one more integral (:func:`erf_moments`, where
  the Nishimori identity folds z_0 and eta into one variable, so the layer is a three-dimensional rule:
  0.01-0.03 s of CPU per call, error < 3e-6).

What a layer returns (:func:`layer_moments`): ``E[<r>^2]`` (the overlap of phi(z)),
``E[(d_omega ln Z)^2]`` (the Fisher information that becomes ``q_hat_{l-1}/alpha_l``) and
``E ln Z``. Integrals: the linear layer in closed form; sign exactly over the sign of z_0 and by
Gauss-Hermite (or, when V/q is small, Gauss-Legendre panels refined around xi = 0, where
H(+-x) is sharp) over xi and eta; relu also over z_0 > 0, by Gauss-Legendre on the two sides of
its kink.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import expit, log_ndtr

from ..gauss import hermite

LOG_SQRT2PI = 0.5 * np.log(2.0 * np.pi)
ACTIVATIONS = ("linear", "sign", "relu", "erf")
PRIORS = ("gaussian", "binary", "sparse")
N_GH = 64              # Gauss-Hermite nodes per variable (smooth integrands; sign)
N_GH_RELU = 48         # Gauss-Hermite nodes per variable for relu (a 3-D integral)
N_GL = 10              # Gauss-Legendre nodes per panel
N_U_PANELS = 5         # Legendre panels (of N_GL_RELU nodes) over z_0 > 0 (relu)
N_GL_RELU = 8
REACH = 11.0           # |xi|, |u| beyond this carry less than 1e-27 of the Gaussian measure


@lru_cache(maxsize=8)
def _gl(n):
    return np.polynomial.legendre.leggauss(n)


def _log_phi(x):
    return -0.5 * x * x - LOG_SQRT2PI


def xi_rule(scale, n_gh=None):
    """Nodes, weights of ``int Dxi f(xi)`` for integrands sharp on the scale ``scale`` around xi = 0.

    Gauss-Legendre panels between geometric edges ``scale/4, scale/2, ..., 1`` on either side of 0,
    then unit panels out to REACH; with ``n_gh`` given, Gauss-Hermite of that order when the scale is
    broad (> 0.5).
    """
    if n_gh is not None and scale > 0.5:
        return hermite(n_gh)
    return _panel_rule(float(np.floor(np.log2(max(min(scale, 1.0), 1e-12)))))


@lru_cache(maxsize=256)
def _panel_rule(log2_scale):
    k = log2_scale - 2.0
    geo = 2.0 ** np.arange(k, 0.0)
    edges = np.unique(np.concatenate([geo, np.arange(1.0, REACH + 0.5, 1.0)]))
    edges = np.concatenate([-edges[::-1], [0.0], edges])
    x, w = _gl(N_GL)
    a, b = edges[:-1, None], edges[1:, None]
    nodes = (0.5 * (b - a) * x + 0.5 * (b + a)).ravel()
    weights = (0.5 * (b - a) * w).ravel() * np.exp(_log_phi(nodes))
    return nodes, weights


# ---------------------------------------------------------------------------
# input prior: Z0(B, A) = int dP0(x) e^{B x - A x^2/2},  B = A x0 + sqrt(A) xi
# ---------------------------------------------------------------------------

def prior_second_moment(prior, rho=1.0):
    return float(rho) if prior == "sparse" else 1.0


def centred_rule(center, scale):
    """Nodes, weights of ``int Dz f(z)`` for f kinked or sharp (width ``scale``) at ``z = center``.

    Gauss-Legendre panels on [-REACH, REACH] between half-unit edges merged with geometric edges
    ``center +- scale 2^k`` (and the centre itself).
    """
    return _centred(round(float(center), 12), round(float(np.log2(max(scale, 1e-12))), 6))


@lru_cache(maxsize=512)
def _centred(center, log2_scale):
    geo = 2.0 ** np.arange(log2_scale - 1.0, np.log2(4 * REACH))
    edges = np.concatenate([center - geo, center + geo, [center], np.arange(-REACH, REACH + 0.25, 0.5)])
    edges = np.unique(np.clip(edges, -REACH, REACH))
    x, w = _gl(N_GL)
    a, b = edges[:-1, None], edges[1:, None]
    nodes = (0.5 * (b - a) * x + 0.5 * (b + a)).ravel()
    weights = (0.5 * (b - a) * w).ravel() * np.exp(_log_phi(nodes))
    return nodes, weights


def _binary_expect(A, f):
    """``E f(t)``, t = A + sqrt(A) z ~ N(A, A), for f kinked or sharp (width ~1) at t = 0."""
    s = np.sqrt(A)
    z, w = centred_rule(-s, 1.0 / s)
    return float(np.dot(w, f(A + s * z)))


def prior_moments(prior, A, rho=1.0):
    """``(q, psi)``: the Bayes overlap ``E <x>^2`` and ``psi = E ln Z0`` of the input channel at SNR A."""
    A = float(A)
    if A <= 0:
        return 0.0 if prior != "sparse" else 0.0, 0.0
    if prior == "gaussian":
        return A / (1.0 + A), 0.5 * (A - np.log1p(A))
    if prior == "binary":
        # <x> = tanh t, t = B; mse = E sech^2 t; ln Z0 = -A/2 + ln cosh t
        mse = _binary_expect(A, lambda t: 4.0 * np.exp(-2 * np.abs(t)) / (1.0 + np.exp(-2 * np.abs(t))) ** 2)
        # E ln cosh t = E|t| - ln 2 + E ln(1 + e^{-2|t|}); E|t| for t ~ N(A, A) in closed form
        s = np.sqrt(A)
        e_abs = A * (1.0 - 2.0 * np.exp(log_ndtr(-s))) + 2.0 * s * np.exp(_log_phi(s))
        rem = _binary_expect(A, lambda t: np.log1p(np.exp(-2.0 * np.abs(t))))
        return 1.0 - mse, -0.5 * A + e_abs - np.log(2.0) + rem
    if prior == "sparse":
        z, w = hermite(N_GH)
        q = psi = 0.0
        for weight, var in ((1.0 - rho, A), (rho, A + A * A)):
            B = np.sqrt(var) * z
            log_slab = np.log(rho) - 0.5 * np.log1p(A) + B * B / (2 * (1 + A))
            log_z = np.logaddexp(np.log1p(-rho) if rho < 1 else -np.inf, log_slab)
            mean = np.exp(log_slab - log_z) * B / (1 + A)
            q += weight * float(np.dot(w, mean * mean))
            psi += weight * float(np.dot(w, log_z))
        return q, psi
    raise ValueError(prior)


# ---------------------------------------------------------------------------
# one layer: moments of the two-sided scalar problem
# ---------------------------------------------------------------------------

def activation_second_moment(act, rho_in):
    """``E phi(z)^2`` for z ~ N(0, rho_in)."""
    if act == "erf":
        return float(2.0 / np.pi * np.arcsin(rho_in / (1.0 + rho_in)))
    return {"linear": rho_in, "sign": 1.0, "relu": 0.5 * rho_in}[act]


def _sign(omega, V, Ap, Bp):
    sv = np.sqrt(V)
    x = omega / sv
    a, b = log_ndtr(x), log_ndtr(-x)               # ln H(-x) = ln P(z > 0), ln H(x)
    t = Bp + 0.5 * (a - b)
    lp = _log_phi(x)
    s_plus, s_minus = expit(2 * t), expit(-2 * t)
    g = (np.exp(lp - a) * s_plus - np.exp(lp - b) * s_minus) / sv
    at = np.abs(t)
    logz = -0.5 * Ap + 0.5 * (a + b) + at + np.log1p(np.exp(-2 * at))
    return s_plus - s_minus, g, logz


def _relu(omega, V, Ap, Bp):
    sv = np.sqrt(V)
    x = omega / sv
    lp = _log_phi(x)
    lt1 = log_ndtr(-x)                               # P(z < 0)
    d = 1.0 + Ap * V
    E = (Bp * omega - 0.5 * Ap * omega ** 2 + 0.5 * V * Bp ** 2) / d
    mu = (omega + V * Bp) / d
    svp = np.sqrt(V / d)
    s = mu / svp
    ratio = np.exp(_log_phi(s) - log_ndtr(s))
    lt2 = -0.5 * np.log(d) + E + log_ndtr(s)
    logz = np.logaddexp(lt1, lt2)
    w1, w2 = np.exp(lt1 - logz), np.exp(lt2 - logz)
    r_hat = w2 * (mu + ratio * V / (d * svp))
    g = -w1 * np.exp(lp - lt1) / sv + w2 * ((Bp - Ap * omega) / d + ratio / (d * svp))
    return r_hat, g, logz


def linear_moments(q, V, Ap):
    """Closed form for the linear layer: ``(E <r>^2, E g^2, E ln Z)`` with rho = q + V."""
    if not np.isfinite(Ap):
        raise ValueError("the linear output needs noise > 0")
    d = 1.0 + Ap * V
    er2 = q + Ap * V * V / d
    eg2 = Ap / d
    elog = -0.5 * np.log(d) + (Ap * q + V * Ap * (Ap * (q + V) + 1.0)) / (2.0 * d)
    return er2, eg2, elog


def layer_moments(act, q, rho, Ap):
    """``(E <phi(z)>^2, E (d_omega ln Z)^2, E ln Z)`` of one layer.

    ``q``, ``rho``: overlap and second moment of the layer's input; ``Ap``: the effective SNR A'
    of the channel from above (``numpy.inf`` for a noiseless sign output, where Z is the
    probability of the observed sign).
    """
    q = float(min(max(q, 0.0), rho))
    V = max(rho - q, 1e-300)
    if act == "linear":
        return linear_moments(q, V, Ap)
    relu = act == "relu"
    xi, wxi = xi_rule(np.sqrt(V / q) if q > 0 else np.inf, N_GH_RELU if relu else None)
    omega = np.sqrt(q) * xi
    sv = np.sqrt(V)
    x = omega / sv
    if act == "sign" and not np.isfinite(Ap):
        a, b = log_ndtr(x), log_ndtr(-x)
        lp = _log_phi(x)
        eg2 = np.dot(wxi, np.exp(2 * lp - a) + np.exp(2 * lp - b)) / V
        elog = np.dot(wxi, np.exp(a) * a + np.exp(b) * b)
        return 1.0, float(eg2), float(elog)
    eta, weta = hermite(N_GH_RELU if relu else N_GH)
    if act == "sign":
        # ln Z = -A'/2 + s B' + ln(P(sign s | omega) + e^{-2 s B'} P(sign -s | omega)) for the true sign s;
        # E[s B'] = A' exactly, so only the O(1) remainder is integrated (no cancellation of O(A') terms,
        # which at A' ~ 1e6, near exact recovery, cost 1e-5 in the free entropy)
        er2 = eg2 = rem = 0.0
        lw_pair = {1.0: log_ndtr(x), -1.0: log_ndtr(-x)}
        for s in (1.0, -1.0):
            lw = lw_pair[s]
            Bp = Ap * s + np.sqrt(Ap) * eta[None, :]
            r, g, _ = _sign(omega[:, None], V, Ap, Bp)
            lz_rem = np.logaddexp(lw[:, None], -2.0 * s * Bp + lw_pair[-s][:, None])
            wt = (wxi * np.exp(lw))[:, None] * weta[None, :]
            er2 += np.sum(wt * r * r)
            eg2 += np.sum(wt * g * g)
            rem += np.sum(wt * lz_rem)
        return float(er2), float(eg2), float(0.5 * Ap + rem)
    if act == "relu":
        # r0 = 0 with probability H(x); r0 = z0 = omega + sqrt(V) u on u > -x (Legendre, two panels)
        Bp = np.sqrt(Ap) * eta[None, :] + 0.0 * omega[:, None]
        r, g, lz = _relu(omega[:, None], V, Ap, Bp)
        wt = (wxi * np.exp(log_ndtr(-x)))[:, None] * weta[None, :]
        er2, eg2, elog = np.sum(wt * r * r), np.sum(wt * g * g), np.sum(wt * lz)
        gx, gw = _gl(N_GL_RELU)
        lo = np.maximum(-x, -REACH)
        edges = lo[:, None] + (REACH - lo)[:, None] * np.linspace(0.0, 1.0, N_U_PANELS + 1)[None, :]
        for k in range(N_U_PANELS):
            a_, b_ = edges[:, k], edges[:, k + 1]
            u = 0.5 * (b_ - a_)[:, None] * gx[None, :] + 0.5 * (b_ + a_)[:, None]
            wu = 0.5 * (b_ - a_)[:, None] * gw[None, :] * np.exp(_log_phi(u))
            z0 = omega[:, None] + sv * u                                      # (n_xi, n_u)
            Bp = Ap * z0[:, :, None] + np.sqrt(Ap) * eta[None, None, :]
            r, g, lz = _relu(omega[:, None, None], V, Ap, Bp)
            wt = wxi[:, None, None] * wu[:, :, None] * weta[None, None, :]
            er2 += np.sum(wt * r * r)
            eg2 += np.sum(wt * g * g)
            elog += np.sum(wt * lz)
        return float(er2), float(eg2), float(elog)
    if act == "erf":
        return erf_moments(q, V, Ap)
    raise ValueError(act)


# ---------------------------------------------------------------------------
# erf layer, phi(z) = erf(z/sqrt 2): no closed form for Z, a three-dimensional rule
# ---------------------------------------------------------------------------

N_GH_ERF = 24          # Gauss-Hermite nodes over xi (omega = sqrt(q) xi: a smooth integrand; even)
N_GL_ERF = 5           # Gauss-Legendre nodes per panel over s
N_GL_ERF_T = 6         # Gauss-Legendre nodes per panel over t (panels of width ERF_T_PANEL)
ERF_T_PANEL = 2.0
ERF_S_EDGES = np.array([-REACH, -8.0, -6.0, -4.5, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.5, 6.0, 8.0, REACH])
ERF_R_OFFSETS = np.array([-8.0, -4.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 4.0, 8.0])
ERF_T_REACH = 9.0      # t beyond sqrt(A') + 9 carries less than 1e-18 of its measure


def _erfinv_clipped(r):
    from scipy.special import erfinv
    return np.sqrt(2.0) * erfinv(np.clip(r, -1.0 + 1e-15, 1.0 - 1e-15))


def erf_moments(q, V, Ap):
    r"""``(E <r>^2, E (d_omega ln Z)^2, E ln Z)`` of an erf layer, ``r = erf(z/sqrt 2)``.

    Three integrals. (1) By the Nishimori identity the joint law of ``(z_0, eta)`` enters only through
    ``B' = A' r_0 + sqrt(A') eta``, whose density given omega is ``N(B'; 0, A') Z(B')``; so with
    ``B' = sqrt(A') t``, ``E f = E_xi int Dt Z(sqrt(A') t) f``, t by Gauss-Legendre unit panels over
    ``|t| <= sqrt(A') + 9`` (the law of t is a mixture of N(sqrt(A') r_0, 1), |r_0| < 1). (2) xi by
    Gauss-Hermite. (3) The inner ``Z = int Ds exp(B' phi - A' phi^2/2)``, ``z = omega + sqrt(V) s``:
    Gauss-Legendre panels between fixed edges of the Gaussian measure and edges where
    ``phi(z) = c + k/sqrt(A')`` (``c = B'/A'`` clipped to [-1, 1], ``k = 0, +-1/2, ..., +-8``), so the
    likelihood's width ``1/sqrt(A')`` in r is resolved at any A'; ``d_omega ln Z = <s>/sqrt(V)``.
    About 24 x (12 sqrt(A') + 108) x 150 points: 0.02-0.06 s per call; quadrature error < 1e-6
    (tests/theory/deep/test_deep_glm_erf.py: orders doubled, and a brute-force tensor rule).
    """
    if not np.isfinite(Ap):
        raise ValueError("the erf output needs noise > 0")
    if Ap <= 0.0:
        # no information from above: <r> = E[phi(z) | omega] = erf(omega / sqrt(2 (1 + V)))
        from scipy.special import erf
        xi, wxi = hermite(4 * N_GH_ERF)
        m = erf(np.sqrt(q) * xi / np.sqrt(2.0 * (1.0 + V)))
        return float(np.dot(wxi, m * m)), 0.0, 0.0
    from scipy.special import erf
    sa = np.sqrt(Ap)
    sv = np.sqrt(V)
    xi, wxi = hermite(N_GH_ERF)
    # erf is odd: the integrand at (xi, t) equals that at (-xi, -t), so xi >= 0 (even order) counts twice
    keep = xi > 0
    xi, wxi = xi[keep], 2.0 * wxi[keep]
    omega = np.sqrt(q) * xi                                            # (n_xi,)
    gx, gw = _gl(N_GL_ERF)
    tx, tw = _gl(N_GL_ERF_T)
    n_t = int(np.ceil(2.0 * (sa + ERF_T_REACH) / ERF_T_PANEL))
    t_edges = np.linspace(-(sa + ERF_T_REACH), sa + ERF_T_REACH, n_t + 1)
    ta, tb = t_edges[:-1, None], t_edges[1:, None]
    t = (0.5 * (tb - ta) * tx + 0.5 * (tb + ta)).ravel()
    wt = ((0.5 * (tb - ta) * tw).ravel()) * np.exp(_log_phi(t))       # Dt
    Bp = sa * t                                                        # (n_t,)
    # inner panels in s, per (xi, t): fixed edges + likelihood edges
    c = np.clip(Bp / Ap, -1.0, 1.0)
    z_edges = _erfinv_clipped(c[None, :, None] + ERF_R_OFFSETS[None, None, :] / sa)      # (1, n_t, k)
    s_lik = (z_edges - omega[:, None, None]) / sv                                         # (n_xi, n_t, k)
    s_fix = np.broadcast_to(ERF_S_EDGES, s_lik.shape[:2] + ERF_S_EDGES.shape)
    edges = np.sort(np.clip(np.concatenate([s_fix, s_lik], axis=2), -REACH, REACH), axis=2)
    a_, b_ = edges[..., :-1, None], edges[..., 1:, None]
    s = 0.5 * (b_ - a_) * gx + 0.5 * (b_ + a_)                         # (n_xi, n_t, panels, n_gl)
    logw = np.log(np.maximum(0.5 * (b_ - a_), 1e-300)) + np.log(gw) + _log_phi(s)
    r = erf((omega[:, None, None, None] + sv * s) / np.sqrt(2.0))
    expo = logw + Bp[None, :, None, None] * r - 0.5 * Ap * r * r
    expo = expo.reshape(expo.shape[0], expo.shape[1], -1)
    r = r.reshape(expo.shape)
    s = s.reshape(expo.shape)
    top = expo.max(axis=2, keepdims=True)
    p = np.exp(expo - top)
    z_sum = p.sum(axis=2)
    log_z = np.log(z_sum) + top[..., 0]                                # (n_xi, n_t)
    r_hat = (p * r).sum(axis=2) / z_sum
    g = (p * s).sum(axis=2) / z_sum / sv
    weight = wxi[:, None] * wt[None, :] * np.exp(log_z)
    return (float(np.sum(weight * r_hat * r_hat)), float(np.sum(weight * g * g)),
            float(np.sum(weight * log_z)))


def noise_terms(A, Delta, rho_r):
    """``(A', E ln c)``: effective SNR of phi(z) and the expected log prefactor of integrating out the noise.

    ``E ln c = -ln(1 + A Delta)/2 + Delta E[B^2]/(2(1 + A Delta))``, ``E B^2 = A^2 (rho_r + Delta) + A``.
    """
    if Delta == 0.0:
        return A, 0.0
    d = 1.0 + A * Delta
    return A / d, -0.5 * np.log(d) + Delta * (A * A * (rho_r + Delta) + A) / (2.0 * d)


def hidden_overlap(er2, A, Delta, rho_r):
    """``q_l = E <h>^2`` of a hidden post-activation with noise Delta from ``E <phi(z)>^2``.

    ``<h> = Delta B' + <r>/(1 + A Delta)`` and, by the Nishimori identities, ``E B'^2 = A'^2 rho_r + A'``,
    ``E B' <r> = A' rho_r``.
    """
    if Delta == 0.0:
        return er2
    d = 1.0 + A * Delta
    Ap = A / d
    return Delta ** 2 * (Ap * Ap * rho_r + Ap) + 2.0 * Delta * Ap * rho_r / d + er2 / d ** 2
