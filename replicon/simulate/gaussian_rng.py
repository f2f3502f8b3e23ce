r"""Exact standard normal variates inside numba kernels: xoshiro256** and the ziggurat.

Why. Online SGD at N = 1000 needs N fresh Gaussian inputs per step; drawn by numpy in blocks
they cost about twice the SGD update itself (issue 12's profile). Drawn inside the kernel
they cost ~2 ns each and never leave the cache.

Uniform bits: xoshiro256** (Blackman & Vigna, ACM TOMS 47, 36 (2021)), a 256-bit state, all
64 output bits of full quality; seeded from ``numpy.random.SeedSequence`` (never all zero).

Normals: the ziggurat of Marsaglia & Tsang (J. Stat. Softw. 5 (8), 2000) with the
independent-bits fix of Doornik (2005, "An improved ziggurat method"): 256 layers of equal
area ``v`` under ``f(x) = exp(-x^2/2)``; layer 0 is the rectangle ``[0, r] x [0, f(r)]`` plus the
tail beyond ``r``, layers ``i >= 1`` are ``[0, x_i] x [f(x_i), f(x_{i+1})]``; ``x_1 = r``,
``f(x_{i+1}) = f(x_i) + v/x_i``, and ``r`` is the root that makes the top layer end at
``x_256 = 0`` (solved here at import, not a recalled constant: r = 3.6541528853610088).
A draw takes one 64-bit word: 8 low bits choose the layer, the top 53 bits a signed uniform
``u``; ``x = u x_i`` is returned at once when ``|x| < x_{i+1}`` (98.8 % of draws), otherwise
the wedge is accepted under the density by a second uniform, and layer 0's overhang is a draw
from the tail ``x > r`` by Marsaglia's exponential rejection. Every branch is exact, so the
variates are standard normal to the quality of the uniforms (tests: moments, a
Kolmogorov-Smirnov test, the tail beyond r).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from scipy.optimize import brentq
from scipy.special import erfc

LAYERS = 256


def _layers(r, n=LAYERS):
    f = lambda x: math.exp(-0.5 * x * x)              # noqa: E731
    v = r * f(r) + math.sqrt(math.pi / 2.0) * erfc(r / math.sqrt(2.0))
    x = np.empty(n + 1)
    x[0], x[1] = v / f(r), r
    for i in range(1, n - 1):
        y = f(x[i]) + v / x[i]
        if y >= 1.0:
            return x, v, math.inf
        x[i + 1] = math.sqrt(-2.0 * math.log(y))
    x[n] = 0.0
    return x, v, f(x[n - 1]) + v / x[n - 1] - 1.0


def _tables():
    r = brentq(lambda r: _layers(r)[2] if np.isfinite(_layers(r)[2]) else 1.0, 3.0, 4.5, xtol=1e-15)
    x, v, _ = _layers(r)
    return r, x, np.exp(-0.5 * x * x)


ZIG_R, ZIG_X, ZIG_F = _tables()
_TWO_M53 = 2.0 ** -53


def seed_state(seed):
    """xoshiro256** state (4 uint64) from any ``numpy.random.SeedSequence`` entropy (an int, a child)."""
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    s = ss.generate_state(4, np.uint64)
    if not np.any(s):
        s[0] = np.uint64(0x9E3779B97F4A7C15)
    return s


@nb.njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@nb.njit(cache=True, inline="always")
def _step(s0, s1, s2, s3):
    """xoshiro256** on a state held in locals: ``(output, s0, s1, s2, s3)``."""
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, s0, s1, s2, s3


xoshiro_step = _step     # public: other kernels (simulate/landscape) draw from the same generator


@nb.njit(cache=True, inline="always")
def _u01(w):
    """(0, 1] from the top 53 bits of ``w`` (signed conversion: cheaper than unsigned on x86)."""
    return (np.int64(w >> np.uint64(11)) + 0.5) * _TWO_M53


@nb.njit(cache=True)
def fill_normal(s, out, X, F, r):
    """Fill ``out`` (1-d float64) with standard normal variates; advances the state ``s`` (uint64[4]).

    Ziggurat tables ``ZIG_X``, ``ZIG_F``, ``ZIG_R`` are passed in (numba freezes globals at compile
    time; passing them keeps one compiled version)."""
    s0, s1, s2, s3 = s[0], s[1], s[2], s[3]
    mask = np.uint64(255)
    for k in range(out.size):
        while True:
            w, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
            i = np.int64(w & mask)
            x = (np.int64(w >> np.uint64(11)) * _TWO_M53 * 2.0 - 1.0) * X[i]
            if abs(x) < X[i + 1]:
                break
            if i == 0:                 # the tail beyond r (Marsaglia's exponential rejection)
                while True:
                    w, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
                    a = -math.log(_u01(w)) / r
                    w, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
                    b = -math.log(_u01(w))
                    if b + b > a * a:
                        break
                x = r + a if x > 0.0 else -(r + a)
                break
            w, s0, s1, s2, s3 = _step(s0, s1, s2, s3)     # the wedge of layer i
            if F[i] + _u01(w) * (F[i + 1] - F[i]) < math.exp(-0.5 * x * x):
                break
        out[k] = x
    s[0], s[1], s[2], s[3] = s0, s1, s2, s3


def standard_normal(seed, n):
    """``n`` standard normal variates from a fresh state seeded by ``seed`` (for tests and checks)."""
    s = seed_state(seed)
    out = np.empty(int(n))
    fill_normal(s, out, ZIG_X, ZIG_F, ZIG_R)
    return out
