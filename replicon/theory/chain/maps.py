"""Deep perceptron chains at initialisation: layer-wise mean-field maps and their phase diagram.

A chain of fully connected layers of width N -> infinity,

    h^{l+1}_i = sum_j W^{l+1}_ij phi(h^l_j) + b^{l+1}_i,
    W_ij ~ N(0, sigma_w2 / N),  b_i ~ N(0, sigma_b2),

propagates the squared length ``q_l = |h^l|^2 / N`` of one input and the
correlation ``c_l`` of two inputs by deterministic maps (the layer index plays
the role of time). Poole et al. (2016), eqs. (3) and (5):

    q_{l+1}  = sigma_w2 * int Dz phi(sqrt(q_l) z)^2 + sigma_b2                  (length map)
    q12_{l+1} = sigma_w2 * int Dz1 Dz2 phi(u1) phi(u2) + sigma_b2,  c = q12 / q   (correlation map)
    u1 = sqrt(q_l) z1,  u2 = sqrt(q_l) (c_l z1 + sqrt(1 - c_l^2) z2).

Here ``q0`` and ``c0`` describe the layer-0 pre-activations of both inputs
(both of length q0), so the maps are applied ``depth`` times. The slope of the
correlation map at c = 1 is chi1 = sigma_w2 int Dz phi'(sqrt(q*) z)^2 (Poole
eq. (7)), the mean squared singular value of the layer Jacobian; chi1 < 1 is the
ordered phase (c* = 1 stable), chi1 > 1 the chaotic phase (c* < 1). The depth
scales are those of Schoenholz et al. (2017), eqs. (6)-(9):
xi_q = -1/log(chi_q), chi_q = sigma_w2 int Dz [phi'^2 + phi phi''] at q*, and
xi_c = -1/log(chi_c), chi_c = sigma_w2 int Dz1 Dz2 phi'(u1) phi'(u2) at (q*, c*).

Kernels. Closed forms for ``relu`` (degree-1 arc-cosine kernel, Cho & Saul 2009,
eq. (6)), ``erf`` = erf(x/sqrt 2) (arcsine kernel, Williams 1998), ``sign``
(Sheppard's formula (2/pi) arcsin c) and ``linear``. ``tanh`` is an exact Gaussian
scale mixture of erf units, tanh(x) = E_K erf(x/(sqrt 2 K)) with K Kolmogorov-distributed
(the logistic distribution is a normal scale mixture: Andrews & Mallows 1974; Stefanski
1991), so its kernels are averages of arcsine kernels over a 40-point Gauss rule for K,
accurate to ~1e-14 at every q (``activations._Tanh``). A user function goes through its
Hermite expansion: with b_k(q) = E[phi(sqrt(q) z) He_k(z)] / sqrt(k!), Mehler's formula gives
E phi(u1) phi(u2) = sum_k b_k^2 c^k, and Price's theorem
E phi'(u1) phi'(u2) = (1/q) sum_k k b_k^2 c^(k-1). The coefficients come from a
1000-node Gauss-Hermite rule (nodes with weight below 1e-40 dropped) and 700
terms: for tanh as a user function the error is below 1e-12 for q <= 5, about 1e-10
at q = 10 and 1e-4 at q = 100 (the series cannot resolve a near-step); a solve whose
q_l reach a variance where the Parseval deficit of the series exceeds 1e-8 is reported
as not converged. The series needs only phi itself, so a user function needs no
derivative, but it should be smooth: kinked functions (|x|, relu-like) converge slowly
in this basis.

Edges. No layer turns into NaN where the physics is finite (see :func:`layer_maps`): q_l
that exceeds the largest double (linear and relu units with sigma_w2 E phi(z)^2 > 1) is
reported as inf and the correlation map continues in its exact q -> infinity form;
undefined scalars are left out of the result and every infinite one is explained in the
message (:func:`_explain`).

Perturbed copies (``sensitivity``): two networks whose weights and biases have
entry-wise correlation rho, fed inputs of overlap c0, obey
q12_{l+1} = rho (sigma_w2 E phi(u1) phi(u2) + sigma_b2) (Li & Saad, PRL 120,
248301 (2018), eq. (4) for sign activations without bias, where it reads
q_l = (2/pi) arcsin(rho q_{l-1}) on the activations). Read-outs sign(h^L) of the
two copies disagree with probability arccos(c_L)/pi.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.optimize import brentq

from ..._util import ParamError, check_number
from ..solution import Solution
from .activations import TINY_Q, SeriesActivation, SignActivation, get_activation

__all__ = [
    "length_map", "correlation_map",
    "layer_maps", "q_fixed_point", "phase_diagram", "signal", "critical",
    "critical_sigma_w2", "sensitivity", "depth_scale",
]


def _quiet(func):
    """Run ``func`` with numpy's floating-point warnings off: the chain entry points check their own
    output (no NaN is reported as a result, every infinity is explained; see :func:`_explain`)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(all="ignore"):
            return func(*args, **kwargs)
    return wrapper


def _finite(name, x):
    if not math.isfinite(x):
        raise ParamError(f"{name} must be finite, got {x!r}")
    return x


def _check_common(sigma_w2, sigma_b2, q0=None, c0=None, depth=None, rho=None):
    sigma_w2 = _finite("sigma_w2", check_number("sigma_w2", sigma_w2, lo=0.0, lo_open=True))
    sigma_b2 = _finite("sigma_b2", check_number("sigma_b2", sigma_b2, lo=0.0))
    out = [sigma_w2, sigma_b2]
    if q0 is not None:
        out.append(_finite("q0", check_number("q0", q0, lo=0.0, lo_open=True)))
    if c0 is not None:
        out.append(check_number("c0", c0, lo=-1.0, hi=1.0))
    if depth is not None:
        out.append(check_number("depth", depth, lo=1, hi=100000, integer=True))
    if rho is not None:
        out.append(check_number("rho", rho, lo=-1.0, hi=1.0))
    return out


# ---------------------------------------------------------------------------
# The maps
# ---------------------------------------------------------------------------

def length_map(q, sigma_w2, sigma_b2, activation="tanh"):
    """The length map q -> sigma_w2 E phi(sqrt(q) z)^2 + sigma_b2.

    Poole et al. (2016), eq. (3).
    """
    act = get_activation(activation)
    return sigma_w2 * act.second_moment(q) + sigma_b2


def correlation_map(c, q, sigma_w2, sigma_b2, activation="tanh", rho=1.0):
    """The correlation map c_l -> c_{l+1} at layer length q (both inputs of length q).

    Poole et al. (2016), eq. (5): c_{l+1} = (sigma_w2 E phi(u1) phi(u2) + sigma_b2) / q_{l+1};
    with weight/bias overlap rho the numerator is multiplied by rho (Li & Saad 2018).
    """
    act = get_activation(activation)
    q_next = sigma_w2 * act.second_moment(q) + sigma_b2
    return rho * (sigma_w2 * act.kernel(q).value(c) + sigma_b2) / q_next


def layer_maps(sigma_w2, sigma_b2, activation, q0, c0, depth, rho=1.0):
    """Per-layer q_l, c_l and chi1_l = sigma_w2 E phi'(sqrt(q_l) z)^2 for l = 0..depth.

    Poole et al. (2016), eqs. (3), (5), (7) iterated from (q0, c0); rho < 1 is the
    perturbed-copy recursion of Li & Saad (2018).

    Written so that no layer turns into NaN where the physics is finite:

    * the correlation map is evaluated as ``rho (a k_q(c) + b) / (a m_q + b)`` with
      ``(a, b) = (sigma_w2, sigma_b2) / max(sigma_w2, sigma_b2)`` (``k_q(c) = E phi phi``,
      ``m_q = E phi^2``), so it never forms inf/inf;
    * homogeneous units (relu, linear: ``E phi phi = q k_1(c)``): ``q_l = a^l q0 + ...``
      may exceed the largest double (``q_l = inf``, physically right for
      ``sigma_w2 E phi(z)^2 > 1``); the correlation map then takes its exact q -> infinity
      form ``rho k_1(c)/m_1`` (the bias no longer matters), and with sigma_b2 = 0 it is
      q-independent at every layer;
    * other units are evaluated at ``q`` clipped to ``[TINY_Q, 1e300]``: an underflowed
      q = 0 layer (sigma_b2 = 0, ordered) gives the q -> 0 (linearised) correlation map,
      an overflowed one (only for sigma_w2 + sigma_b2 > 1.8e308) the q -> infinity one.

    The frozen kernel of each distinct q is cached, so a chain whose q_l has reached its
    fixed point costs one kernel evaluation per layer.
    """
    act = get_activation(activation)
    sw, sb, rho = float(sigma_w2), float(sigma_b2), float(rho)
    scale = max(sw, sb)
    aw, ab = sw / scale, sb / scale
    q = np.empty(depth + 1)
    c = np.empty(depth + 1)
    chi = np.empty(depth + 1)
    q[0], c[0] = q0, c0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        if act.homogeneous:
            unit = getattr(act, "unit_value", None) or (lambda x: float(act.kernel(1.0).value(x)))
            m1 = float(act.second_moment(1.0))
            chi[:] = sw * float(act.kernel(1.0).slope(1.0))
            ql, cl = float(q0), float(c0)
            for layer in range(depth):
                k1 = unit(cl)
                drive = sw * ql                             # sigma_w2 q_l, may be 0 or inf
                if sb == 0.0 or drive == math.inf:
                    ratio = k1 / m1
                elif drive == 0.0 or not math.isfinite(sb / drive):
                    ratio = 1.0                             # the bias dominates
                else:
                    x = sb / drive
                    ratio = (k1 + x) / (m1 + x)
                ql = sw * m1 * ql + sb if ql != math.inf else math.inf
                cl = min(max(rho * ratio, -1.0), 1.0)
                q[layer + 1], c[layer + 1] = ql, cl
                if _repeats(q, c, layer + 1, q_free=sb == 0.0 or ql == math.inf):
                    _fill(q, c, layer + 1, sw * m1, sb)
                    break
            return q, c, chi
        series = isinstance(act, SeriesActivation)
        cache = {}

        def moments(qv, cv):
            qe = min(max(qv, TINY_Q), 1e300) if qv == qv else qv
            if not series:
                return act.layer_moments(qe, cv)
            hit = cache.get(qe)
            if hit is None:
                if len(cache) > 32:
                    cache.clear()
                ker = act.kernel(qe)
                hit = cache[qe] = (ker, float(act.second_moment(qe)), float(ker.slope(1.0)))
            return hit[1], float(hit[0].value(cv)), hit[2]

        for layer in range(depth + 1):
            m, k, slope1 = moments(q[layer], c[layer])
            chi[layer] = sw * slope1
            if layer == depth:
                break
            q[layer + 1] = sw * (float(act.second_moment(q[layer])) if q[layer] < TINY_Q else m) + sb
            num = aw * k + ab
            den = aw * m + ab
            ratio = num / den if den > 0 else math.nan
            c[layer + 1] = min(max(rho * ratio, -1.0), 1.0) if math.isfinite(ratio) else math.nan
            i = layer + 1
            if _repeats(q, c, i):
                _fill(q, c, i)
                if q[i] == q[i - 1]:                        # chi depends on q only
                    chi[i:] = chi[i - 1]
                else:
                    chi[i::2], chi[i + 1::2] = chi[i - 2], chi[i - 1]
                break
    return q, c, chi


def _repeats(q, c, i, q_free=False):
    """Has the map reached an exact fixed point or 2-cycle at layer i? The state is (q_l, c_l), or c_l
    alone when the correlation map does not depend on q (``q_free``)."""
    if i < 2:
        return False
    if q_free:
        return c[i] == c[i - 1] or (i > 2 and c[i] == c[i - 2] and c[i - 1] == c[i - 3])
    return (q[i] == q[i - 1] and c[i] == c[i - 1]) or (
        i > 2 and q[i] == q[i - 2] and c[i] == c[i - 2] and q[i - 1] == q[i - 3] and c[i - 1] == c[i - 3])


def _fill(q, c, i, a=None, sb=None):
    """Continue from layer i a fixed point or 2-cycle of (q, c) found there (deterministic map, so the
    rest of the chain repeats it exactly); with ``a`` given, q keeps following q -> a q + sb."""
    period = 1 if c[i] == c[i - 1] and (a is not None or q[i] == q[i - 1]) else 2
    n = len(c)
    if period == 1:
        c[i + 1:] = c[i]
    else:
        c[i + 1:n:2], c[i + 2:n:2] = c[i - 1], c[i]
    if a is None:
        if period == 1:
            q[i + 1:] = q[i]
        else:
            q[i + 1:n:2], q[i + 2:n:2] = q[i - 1], q[i]
        return
    ql = q[i]
    for j in range(i + 1, n):
        ql = a * ql + sb if ql != math.inf else math.inf
        q[j] = ql


def depth_scale(chi):
    """xi = -1/log(chi) for 0 <= chi < 1, inf at chi = 1, nan above (no stable fixed point).

    Schoenholz et al. (2017), eqs. (6) and (9).
    """
    chi = np.asarray(chi, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        xi = -1.0 / np.log(chi)
    xi = np.where(chi == 0.0, 0.0, xi)
    xi = np.where(np.abs(chi - 1.0) <= 1e-13, np.inf, xi)
    return np.where(chi > 1.0 + 1e-13, np.nan, xi)


# ---------------------------------------------------------------------------
# Fixed points (vectorised over arrays of sigma_w2, sigma_b2)
# ---------------------------------------------------------------------------

def q_fixed_point(sigma_w2, sigma_b2, activation="tanh", q0=None, tol=1e-14, max_iter=200):
    """The stable fixed point q* of the length map, vectorised over sigma_w2 and sigma_b2.

    Poole et al. (2016), eq. (3) at q_{l+1} = q_l. Returns ``(q_star, converged,
    iterations, residual)``. Closed forms: relu q* = sigma_b2 / (1 - sigma_w2/2),
    linear q* = sigma_b2 / (1 - sigma_w2), sign q* = sigma_w2 + sigma_b2 (q* = inf
    where the map has no fixed point; at relu/linear criticality without bias every
    q is fixed and q* = q0). Otherwise a bracketed Newton iteration on
    g(q) = sigma_w2 E phi^2 + sigma_b2 - q in [sigma_b2, sigma_w2 sup phi^2 + sigma_b2];
    with sigma_b2 = 0 the origin is q* when sigma_w2 phi'(0)^2 <= 1 (for the
    built-in bounded activations, whose E phi^2 is concave in q).
    """
    act = get_activation(activation)
    sw, sb = np.broadcast_arrays(np.asarray(sigma_w2, dtype=float), np.asarray(sigma_b2, dtype=float))
    shape = sw.shape
    sw, sb = sw.ravel().copy(), sb.ravel().copy()
    qs = np.full(sw.size, np.nan)
    ok = np.zeros(sw.size, dtype=bool)
    res = np.zeros(sw.size)
    if act.homogeneous:  # q_{l+1} = a q_l + sigma_b2 with a = sigma_w2 E phi(z)^2
        a = sw * float(act.second_moment(1.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            qs = np.where(a < 1.0, sb / (1.0 - a), np.inf)
        marginal = (np.abs(a - 1.0) <= 1e-15) & (sb == 0.0)
        qs[marginal] = np.nan if q0 is None else q0
        return qs.reshape(shape), np.ones(shape, dtype=bool), 0, np.zeros(shape)
    if isinstance(act, SignActivation):
        qs = sw + sb
        return qs.reshape(shape), np.ones(shape, dtype=bool), 0, np.zeros(shape)

    def g_and_slope(q, w, b):
        m, d = act.second_moment_and_slope(q)
        return w * m + b - q, w * d - 1.0

    lo = sb.copy()
    if np.isfinite(act.sup_square):
        hi = sw * act.sup_square + sb
    else:  # expand a bracket for unbounded user activations
        hi = np.maximum(2.0 * sb, 1.0)
        for _ in range(60):
            g_hi, _s = g_and_slope(hi, sw, sb)
            grow = g_hi > 0
            if not grow.any():
                break
            hi = np.where(grow, 2.0 * hi, hi)
        g_hi, _s = g_and_slope(hi, sw, sb)
        diverge = g_hi > 0
        qs[diverge] = np.inf
        ok[diverge] = True
    todo = ~ok
    zero_bias = todo & (sb == 0.0)
    if zero_bias.any():
        slope0 = sw[zero_bias] * act.second_moment_slope(np.full(zero_bias.sum(), 1e-12))
        at_origin = np.flatnonzero(zero_bias)[slope0 <= 1.0]
        qs[at_origin] = 0.0
        ok[at_origin] = True
        todo = ~ok
    idx = np.flatnonzero(todo)
    iterations = 0
    if idx.size:
        w, b = sw[idx], sb[idx]
        lo_, hi_ = lo[idx], hi[idx]
        x = hi_.copy()  # Newton from above: monotone for concave E phi^2
        done = np.zeros(idx.size, dtype=bool)
        for it in range(max_iter):
            iterations = it + 1
            a = np.flatnonzero(~done)  # active set: only unconverged points are evaluated
            g, s = g_and_slope(x[a], w[a], b[a])
            lo_[a] = np.where(g > 0, x[a], lo_[a])
            hi_[a] = np.where(g < 0, x[a], hi_[a])
            with np.errstate(divide="ignore", invalid="ignore"):
                x_new = x[a] - g / s
            bad = ~np.isfinite(x_new) | (x_new <= lo_[a]) | (x_new >= hi_[a])
            x_new = np.where(bad, 0.5 * lo_[a] + 0.5 * hi_[a], x_new)
            conv = (np.abs(x_new - x[a]) <= tol * np.maximum(1.0, x[a])) | (g == 0)
            x[a] = x_new
            done[a] = conv
            if done.all():
                break
        g, _s = g_and_slope(x, w, b)
        qs[idx] = x
        ok[idx] = done
        res[idx] = np.abs(g)
    return qs.reshape(shape), ok.reshape(shape), iterations, res.reshape(shape)


def _c_fixed_point(act, q_star, sw, sb, chi1, rho=1.0, kernel=None, tol=1e-14, max_iter=200):
    """Stable fixed point c* of the correlation map at q* (arrays of equal shape, finite q* > 0).

    Ordered (chi1 < 1, rho = 1): c* = 1. Otherwise the root of g(c) = m(c) - c in
    [-1, 1) below c = 1, by bracketed Newton; the upper end 1 - delta is the largest
    delta in 1e-1 .. 1e-15 with g(1 - delta) < 0. ``kernel`` is the frozen kernel at
    q_star if already computed. Returns ``(c_star, chi_c, converged, residual)``.
    """
    n = q_star.size
    c_star = np.ones(n)
    ok = np.ones(n, dtype=bool)
    res = np.zeros(n)
    idx = np.flatnonzero(chi1 > 1.0) if rho == 1.0 else np.arange(n)
    if kernel is None:
        kernel = act.kernel(q_star)
    if idx.size:
        ker = kernel.subset(idx)
        w, b, qq = sw[idx], sb[idx], q_star[idx]

        # every evaluation runs over all points of the subset (a Horner sweep is cheap;
        # gathering sub-kernels is not); converged points are simply frozen.
        def g_and_slope(c):
            return (rho * (w * ker.value(c) + b) / qq - c, rho * w * ker.slope(c) - 1.0)

        def g_only(c):
            return rho * (w * ker.value(c) + b) / qq - c

        lo = np.full(idx.size, -1.0)
        if rho == 1.0:
            hi = np.full(idx.size, np.nan)
            for delta in 10.0 ** -np.arange(1, 16):
                if not np.isnan(hi).any():
                    break
                g = g_only(np.full(idx.size, 1.0 - delta))
                hi = np.where(np.isnan(hi) & (g < 0), 1.0 - delta, hi)
            unresolved = np.isnan(hi)  # c* closer to 1 than 1e-15: at the critical line
            hi = np.where(unresolved, 1.0, hi)
        else:
            hi = np.ones(idx.size)
            unresolved = np.zeros(idx.size, dtype=bool)
        x = 0.5 * (lo + hi)
        done = unresolved.copy()
        for _ in range(max_iter):
            if done.all():
                break
            g, s = g_and_slope(x)
            lo = np.where(g > 0, x, lo)
            hi = np.where(g < 0, x, hi)
            with np.errstate(divide="ignore", invalid="ignore"):
                x_new = x - g / s
            bad = ~np.isfinite(x_new) | (x_new <= lo) | (x_new >= hi)
            x_new = np.where(bad, 0.5 * (lo + hi), x_new)
            conv = (np.abs(x_new - x) <= tol) | (g == 0)
            x = np.where(done, x, x_new)
            done |= conv
        x = np.where(unresolved, 1.0, x)
        c_star[idx] = x
        ok[idx] = done
        res[idx] = np.where(unresolved, 0.0, np.abs(g_only(x)))
    with np.errstate(invalid="ignore"):
        chi_c = np.where(c_star == 1.0, chi1 * rho, rho * sw * kernel.slope(c_star))
    return c_star, chi_c, ok, res


@_quiet
def phase_diagram(sigma_w2, sigma_b2, activation="tanh", q0=None):
    """q*, c*, chi1, chi_q, chi_c, xi_q, xi_c and phase on a whole (sigma_w2, sigma_b2) grid at once.

    Poole et al. (2016), eqs. (3), (5), (7); Schoenholz et al. (2017), eqs. (6)-(9).
    Vectorised: every fixed point is solved for all points together (no per-point
    Python loop). ``phase`` is -1 (ordered, chi1 < 1), 0 (critical, |chi1 - 1| <= 1e-12)
    or +1 (chaotic). Degenerate points are reported, not hidden: where q* = 0
    (sigma_b2 = 0 in the ordered phase) the correlation map tends to the identity
    (relu: to the bias-free arc-cosine map), so chi_c = 1, xi_c = inf and c* is nan
    (relu: 1); where q* = inf (relu, linear with chi1 > 1) xi_q is nan and, for
    relu, c* = 1 with chi_c = 1.

    Returns a dict of arrays of the broadcast shape plus ``converged``.
    """
    act = get_activation(activation)
    sw, sb = np.broadcast_arrays(np.asarray(sigma_w2, dtype=float), np.asarray(sigma_b2, dtype=float))
    shape = sw.shape
    sw, sb = sw.ravel(), sb.ravel()
    q_star, ok_q, iters, res_q = q_fixed_point(sw, sb, act, q0=q0)
    q_star, ok_q, res_q = q_star.ravel(), ok_q.ravel(), res_q.ravel()
    finite = np.isfinite(q_star) & (q_star > 0)
    chi1 = np.full(sw.size, np.nan)
    chi_q = np.full(sw.size, np.nan)
    q_eval = np.where(np.isfinite(q_star), q_star, 1.0)  # homogeneous: chi's do not depend on q
    kernel = act.kernel(q_eval)
    chi1[:] = sw * kernel.slope(np.ones(sw.size))
    chi_q[:] = sw * act.second_moment_slope(q_eval)
    c_star = np.full(sw.size, np.nan)
    chi_c = np.full(sw.size, np.nan)
    ok_c = np.ones(sw.size, dtype=bool)
    res_c = np.zeros(sw.size)
    if finite.any():
        fi = np.flatnonzero(finite)
        cs, cc, okc, rc = _c_fixed_point(act, q_star[fi], sw[fi], sb[fi], chi1[fi], kernel=kernel.subset(fi))
        c_star[finite], chi_c[finite], ok_c[finite], res_c[finite] = cs, cc, okc, rc
    degenerate = ~finite  # q* = 0 or q* = inf
    chi_c[degenerate] = 1.0
    if act.homogeneous and act.name == "relu":
        c_star[degenerate] = 1.0
    xi_q = depth_scale(chi_q)
    xi_q = np.where(np.isinf(q_star), np.nan, xi_q)
    xi_c = depth_scale(chi_c)
    phase = np.where(np.abs(chi1 - 1.0) <= 1e-12, 0, np.where(chi1 < 1.0, -1, 1))
    out = dict(q_star=q_star, c_star=c_star, chi1=chi1, chi_q=chi_q, chi_c=chi_c,
               xi_q=xi_q, xi_c=xi_c, phase=phase, converged=ok_q & ok_c,
               residual=np.maximum(res_q, res_c))
    out = {k: v.reshape(shape) for k, v in out.items()}
    out["iterations"] = iters
    return out


_PHASE_NAMES = {-1: "ordered", 0: "critical", 1: "chaotic"}


# ---------------------------------------------------------------------------
# Model entry points (return Solution)
# ---------------------------------------------------------------------------

@_quiet
def signal(sigma_w2=1.5, sigma_b2=0.05, activation="tanh", q0=1.0, c0=0.5, depth=30):
    """Signal propagation through a random deep chain: per-layer q, c and the order-to-chaos phase.

    Poole et al. (2016), eqs. (3), (5), (7); Schoenholz et al. (2017), eqs. (6)-(9).

    Parameters
    ----------
    sigma_w2, sigma_b2 : weight variance (times N) and bias variance.
    activation : one of ``ACTIVATIONS`` or a vectorised Python function phi (Hermite series).
    q0, c0 : squared length and correlation of the two inputs' layer-0 pre-activations.
    depth : number of layers the maps are applied.

    Returns
    -------
    Solution with ``order`` = {q_star, c_star}; ``observables`` = per-layer arrays
    ``layer``, ``q``, ``c``, ``chi1_layer`` (sigma_w2 E phi'(sqrt(q_l) z)^2, the
    mean squared singular value of the Jacobian dh^{l+1}/dh^l), ``disagreement``
    (arccos(c_l)/pi: fraction of units whose signs differ between the two inputs)
    and the scalars chi1, chi_q, chi_c, xi_q, xi_c; ``branch`` and ``extra["phase"]``
    are ``"ordered"``, ``"critical"`` or ``"chaotic"``.

    Examples
    --------
    >>> sol = signal(sigma_w2=2.0, sigma_b2=0.0, activation="relu", depth=5)
    >>> sol["chi1"], sol.branch
    (1.0, 'critical')
    """
    sigma_w2, sigma_b2, q0, c0, depth = _check_common(sigma_w2, sigma_b2, q0, c0, depth)
    act = get_activation(activation)
    params = dict(sigma_w2=sigma_w2, sigma_b2=sigma_b2, activation=act.name if not isinstance(activation, str)
                  else activation, q0=q0, c0=c0, depth=depth)
    q, c, chi_layer = layer_maps(sigma_w2, sigma_b2, act, q0, c0, depth)
    pd = phase_diagram(sigma_w2, sigma_b2, act, q0=q0)
    s = {k: (v.item() if isinstance(v, np.ndarray) else v) for k, v in pd.items()}
    phase = _PHASE_NAMES[int(s["phase"])]
    notes = []
    if s["q_star"] == 0.0 and act.name == "relu":
        notes.append("q* = 0: the correlation map is the bias-free arc-cosine map (c* = 1, reached as a power law)")
    converged = bool(s["converged"])
    if not converged:
        notes.append("fixed-point iteration did not converge")
    disagreement = np.arccos(np.clip(c, -1, 1)) / np.pi
    order = {"q_star": s["q_star"], "c_star": s["c_star"]}
    obs = {"layer": np.arange(depth + 1), "q": q, "c": c, "chi1_layer": chi_layer,
           "disagreement": disagreement, "chi1": s["chi1"], "chi_q": s["chi_q"],
           "chi_c": s["chi_c"], "xi_q": s["xi_q"], "xi_c": s["xi_c"]}
    converged = _explain(obs, order, notes, act, sigma_w2, sigma_b2, q) and converged
    return Solution(
        model="chain.signal", params=params, order=order, observables=obs,
        converged=converged, residual=float(s["residual"]), iterations=int(pd["iterations"]),
        branch=phase, message="; ".join(notes), extra={"phase": phase})


_WHY_INFINITE = {
    "q_star": "q_star = inf: q_l grows without bound (no finite fixed point of the length map)",
    "xi_q": "xi_q = inf: chi_q = 1, the length map is marginal at q*",
    "xi_c": "xi_c = inf: chi_c = 1, the correlation depth scale diverges (on the order-to-chaos line, "
            "or where c_l reaches c* as a power law)",
    "chi1": "chi1 = inf (also chi1_layer): phi' of sign is 2 delta(x), so the mean squared singular value of "
            "the layer Jacobian is infinite and sign is chaotic for every sigma_w2",
    "chi_c": "chi_c = inf: c* = 1 for a unit whose correlation map has infinite slope there",
}

_WHY_UNDEFINED = {
    "xi_q": "xi_q omitted: the length map has no stable finite fixed point (chi_q > 1 or q* = inf)",
    "xi_c": "xi_c omitted: chi_c > 1, c* is not stable",
}


def _explain(obs, order, notes, act, sigma_w2, sigma_b2, q):
    """Honest output of a chain solve, in place: no NaN left, every infinity explained in ``notes``.

    Undefined scalars (NaN) are removed from ``obs``/``order`` with a note saying why; infinite
    ones stay, explained; q_l that exceeds the largest double is reported as inf from the layer
    where it does. Returns False where a per-layer quantity is NaN (a user activation that
    overflows, or a Hermite series that does not resolve the activation at these q), which
    the caller reports as not converged.
    """
    ok = True
    for d in (order, obs):
        for k in list(d):
            v = d[k]
            if np.ndim(v) != 0:
                continue
            v = float(v)
            if np.isnan(v):
                del d[k]
                if k == "c_star":
                    why = ("with q* = 0 the correlation map tends to the identity" if order.get("q_star") == 0.0
                           else "with q_l -> inf the correlation map of a linear unit is the identity"
                           if act.name == "linear" else "no fixed point of the correlation map here")
                    notes.append(f"c_star omitted: {why} (c_l tends to a c0-dependent value)")
                else:
                    notes.append(_WHY_UNDEFINED.get(k, f"{k} omitted: undefined at this point"))
            elif np.isinf(v):
                why = _WHY_INFINITE.get(k, f"{k} = inf")
                if k == "q_star" and np.isfinite(act.sup_square):
                    why = "q_star = inf: sigma_w2 E phi^2 + sigma_b2 exceeds the largest double"
                if why not in notes:
                    notes.append(why)
    if np.isinf(q).any():
        first = int(np.argmax(np.isinf(q)))
        a = sigma_w2 * float(act.second_moment(1.0)) if act.homogeneous else math.nan
        growth = f" (q grows as (sigma_w2 E phi(z)^2)^l = {a:.6g}^l)" if act.homogeneous else ""
        limit = ("; there c_l follows the exact q -> infinity limit of the correlation map"
                 if act.homogeneous or np.isfinite(act.sup_square) else "")
        notes.append(f"q_l exceeds the largest double from layer {first} on and is reported as inf{growth}{limit}")
    chi_layer = obs.get("chi1_layer")
    if chi_layer is not None and np.isinf(chi_layer).any() and _WHY_INFINITE["chi1"] not in notes:
        notes.append(_WHY_INFINITE["chi1"])
    for k in ("c", "chi1_layer", "q"):
        if k in obs and np.isnan(obs[k]).any():
            first = int(np.argmax(np.isnan(obs[k])))
            notes.append(f"{k} is not a number from layer {first} on (the activation overflows at q = "
                         f"{q[max(first - 1, 0)]:.3g})")
            ok = False
            break
    if isinstance(act, SeriesActivation):
        finite = q[np.isfinite(q)]
        if finite.size:
            qmax = float(finite.max())
            deficit = act.series_deficit(qmax)
            if not deficit <= 1e-8:
                notes.append(f"the Hermite series of the user function {act.name} does not resolve it at q = {qmax:.3g} "
                             f"(Parseval deficit {deficit:.2g} > 1e-8): results not reliable")
                ok = False
    return ok


def critical_sigma_w2(sigma_b2, activation="tanh", xtol=1e-13):
    """The critical weight variance on the order-to-chaos line chi1(q*(sigma_w2, sigma_b2)) = 1.

    Poole et al. (2016), eq. (7) with q* from eq. (3); Schoenholz et al. (2017), Fig. 1.
    Closed forms: relu 2 (for every sigma_b2; Schoenholz et al., Sec. 3), linear 1.
    Otherwise Brent's method in sigma_w2 per value of sigma_b2 (array in, array out).
    ``sign`` has no transition (chi1 is infinite) and raises ParamError.
    """
    act = get_activation(activation)
    if isinstance(act, SignActivation):
        raise ParamError("activation=sign has no order-to-chaos line (chi1 is infinite); "
                         "allowed: tanh, erf, relu, linear or a smooth Python function")
    sb = np.asarray(sigma_b2, dtype=float)
    if np.any(~np.isfinite(sb)) or np.any(sb < 0):
        raise ParamError(f"sigma_b2={sigma_b2!r} is out of range; allowed: finite numbers >= 0")
    if act.homogeneous:
        return np.full(sb.shape, 1.0 / float(act.second_moment(1.0)))[()]

    def f(w, b):
        qs, ok, _i, _r = q_fixed_point(w, b, act)
        return float(w * act.chi1_per_weight(qs)) - 1.0

    out = np.empty(sb.size)
    origin_slope = float(act.chi1_per_weight(0.0))  # phi'(0)^2
    for i, b in enumerate(sb.ravel()):
        if b == 0.0 and origin_slope > 0:
            # without bias q* = 0 up to sigma_w2 phi'(0)^2 = 1, where chi1 = sigma_w2 phi'(0)^2
            # reaches 1; above it chi1 - 1 grows only quadratically, so no root finder.
            out[i] = 1.0 / origin_slope
            continue
        lo, hi = 1e-3, 2.0
        while f(hi, b) < 0 and hi < 1e300:  # large sigma_b2: sigma_w2_c ~ sqrt(sigma_b2)
            lo, hi = hi, (2.0 if hi < 1e6 else 10.0) * hi
        if f(lo, b) >= 0 or f(hi, b) < 0:
            out[i] = np.nan
            continue
        out[i] = brentq(f, lo, hi, args=(b,), xtol=xtol, rtol=4 * np.finfo(float).eps, maxiter=200)
    return out.reshape(sb.shape)[()]


@_quiet
def critical(sigma_b2=0.05, activation="tanh"):
    """The order-to-chaos critical line: critical sigma_w2 (chi1 = 1) for each sigma_b2.

    Poole et al. (2016), eq. (7); Schoenholz et al. (2017), Fig. 1 (the line where xi_c diverges).
    ``sigma_b2`` may be a number or a list; the observables ``sigma_w2_critical``,
    ``q_star`` and ``chi1`` (= 1 on the line, as a check) have the same shape. For relu and
    linear units ``q_star`` is left out (on the line q_{l+1} = q_l + sigma_b2: no finite fixed
    point for sigma_b2 > 0, every q fixed for sigma_b2 = 0), with the reason in the message.
    """
    act = get_activation(activation)
    sb = np.asarray(sigma_b2, dtype=float)
    if sb.size == 0:
        raise ParamError("sigma_b2 must be a number or a non-empty list of numbers >= 0")
    w_c = np.asarray(critical_sigma_w2(sb, act), dtype=float)
    found = np.isfinite(w_c)
    qs, ok, _it, res = q_fixed_point(np.where(found, w_c, 1.0), sb, act)
    chi1 = np.where(found, np.where(found, w_c, 1.0) * act.chi1_per_weight(np.where(np.isfinite(qs), qs, 1.0)),
                    np.nan)
    scalar = sb.ndim == 0
    conv = lambda a: float(a) if scalar else np.asarray(a, dtype=float)  # noqa: E731
    obs = {"sigma_w2_critical": conv(w_c), "q_star": conv(qs), "chi1": conv(chi1)}
    notes = []
    if act.homogeneous:
        # on the line q_{l+1} = q_l + sigma_b2: q* = inf for sigma_b2 > 0, and every q is fixed at 0
        del obs["q_star"]
        notes.append(f"q_star omitted: on the critical line of {act.name} the length map is "
                     "q_{l+1} = q_l + sigma_b2 (no finite q* for sigma_b2 > 0, every q fixed for sigma_b2 = 0)")
    if not found.all():
        notes.append("no critical sigma_w2 found below 1e300 for some sigma_b2")
    return Solution(
        model="chain.critical",
        params={"sigma_b2": conv(sb), "activation": act.name if not isinstance(activation, str) else activation},
        observables=obs,
        converged=bool(found.all() and np.all(ok)),
        residual=float(np.nanmax(np.abs(chi1 - 1.0))) if found.any() else float("nan"),
        message="; ".join(notes))


@_quiet
def sensitivity(sigma_w2=1.5, sigma_b2=0.0, activation="sign", q0=1.0, c0=1.0, rho=0.99, depth=10):
    """Overlap of two perturbed copies of a deep chain, layer by layer, and their output disagreement.

    Li & Saad, PRL 120, 248301 (2018), eq. (4) (sign, no bias: c_{l+1} = rho (2/pi) arcsin c_l
    on pre-activations) generalised with Poole et al. (2016), eq. (5):
    c_{l+1} = rho (sigma_w2 E phi(u1) phi(u2) + sigma_b2) / q_{l+1}, where rho is the
    entry-wise correlation of the two copies' weights and biases and c0 the overlap
    of their inputs. Outputs sign(h^l) disagree with probability arccos(c_l)/pi.

    Returns a Solution with per-layer ``q``, ``c``, ``disagreement``, the scalar
    ``output_disagreement`` (last layer) and ``order["c_star"]``, the fixed point of
    the perturbed recursion (nan where q* is not finite and positive).
    """
    sigma_w2, sigma_b2, q0, c0, depth, rho = _check_common(sigma_w2, sigma_b2, q0, c0, depth, rho)
    act = get_activation(activation)
    q, c, _chi = layer_maps(sigma_w2, sigma_b2, act, q0, c0, depth, rho=rho)
    q_star, ok, _it, res = q_fixed_point(sigma_w2, sigma_b2, act, q0=q0)
    q_star = float(q_star)
    c_star, converged, residual = float("nan"), bool(ok), float(res)
    if np.isfinite(q_star) and q_star > 0:
        chi1 = np.atleast_1d(sigma_w2 * act.chi1_per_weight(q_star))
        cs, _cc, okc, rc = _c_fixed_point(act, np.atleast_1d(q_star), np.atleast_1d(sigma_w2),
                                          np.atleast_1d(sigma_b2), chi1, rho=rho)
        c_star, converged, residual = float(cs[0]), converged and bool(okc[0]), max(residual, float(rc[0]))
    notes = [] if converged else ["fixed-point iteration did not converge"]
    if not (np.isfinite(q_star) and q_star > 0):
        # q_l -> 0 or inf: the correlation map tends to a q-independent limit whose fixed point is c*
        if act.homogeneous and abs(rho) < 1.0:
            # relu, linear: exactly rho E phi phi / E phi^2 at q = 1 once the bias no longer matters
            m1 = float(act.second_moment(1.0))
            chi1 = np.atleast_1d(sigma_w2 * float(act.chi1_per_weight(1.0)))
            cs, _cc, okc, rc = _c_fixed_point(act, np.atleast_1d(sigma_w2 * m1), np.atleast_1d(sigma_w2),
                                              np.zeros(1), chi1, rho=rho, kernel=act.kernel(np.ones(1)))
            c_star, converged, residual = float(cs[0]), converged and bool(okc[0]), max(residual, float(rc[0]))
            notes.append(f"q* = {q_star:g}: c_star is the fixed point of the bias-free correlation map "
                         "rho E phi(u1) phi(u2) / E phi^2, which the chain reaches as q_l "
                         + ("-> 0" if q_star == 0 else "-> inf"))
        elif act.homogeneous and act.name == "relu":
            c_star = 1.0
            notes.append(f"q* = {q_star:g}: the bias-free arc-cosine map has c* = 1, reached as a power law")
        elif q_star == 0.0 and abs(rho) < 1.0:
            c_star = 0.0  # q -> 0: phi(u) ~ phi'(0) u, so c_{l+1} -> rho c_l
            notes.append("q* = 0: the correlation map tends to its linearisation c -> rho c, so c* = 0")
    disagreement = np.arccos(np.clip(c, -1, 1)) / np.pi
    order = {"q_star": q_star, "c_star": c_star}
    obs = {"layer": np.arange(depth + 1), "q": q, "c": c, "disagreement": disagreement,
           "output_disagreement": float(disagreement[-1])}
    converged = _explain(obs, order, notes, act, sigma_w2, sigma_b2, q) and converged
    return Solution(
        model="chain.sensitivity",
        params=dict(sigma_w2=sigma_w2, sigma_b2=sigma_b2,
                    activation=activation if isinstance(activation, str) else act.name,
                    q0=q0, c0=c0, rho=rho, depth=depth),
        order=order, observables=obs, message="; ".join(notes),
        converged=converged, residual=residual)
