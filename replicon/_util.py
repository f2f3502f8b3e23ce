"""Validation and seeding helpers shared by theory/, simulate/ and compare/.

Nothing here knows about physics: it checks values against ranges and choices
with one-line messages, and turns one integer seed into independent streams.
"""

from __future__ import annotations

import math
import os
from typing import Iterable, Sequence

import numpy as np


class ParamError(ValueError):
    """Bad user input. The message is one line saying what is allowed."""


def check_number(name: str, value, lo=None, hi=None, lo_open=False, hi_open=False, integer=False,
                 allow_inf=False):
    """Return ``value`` as float (or int) after checking ``lo <= value <= hi``.

    NaN is always refused; +-inf only with ``allow_inf=True`` (and inside the range).
    Raises ParamError with a one-line message naming the allowed range.
    """
    try:
        if isinstance(value, str):
            value = value.strip()
            x = int(value) if integer else float(value)
        else:
            x = int(value) if integer else float(value)
            if integer and float(value) != x:
                raise ValueError
    except (TypeError, ValueError):
        kind = "an integer" if integer else "a number"
        raise ParamError(f"{name} must be {kind}, got {value!r}") from None
    if not integer and not math.isfinite(x) and not (allow_inf and not math.isnan(x)):
        raise ParamError(f"{name} must be a finite number, got {value!r}; allowed: "
                         f"{describe_range(lo, hi, lo_open, hi_open)}")
    bad = False
    if lo is not None and (x < lo or (lo_open and x == lo)):
        bad = True
    if hi is not None and (x > hi or (hi_open and x == hi)):
        bad = True
    if bad:
        raise ParamError(f"{name}={value} is out of range; allowed: {describe_range(lo, hi, lo_open, hi_open)}")
    return x


def describe_range(lo, hi, lo_open=False, hi_open=False) -> str:
    if lo is None and hi is None:
        return "any number"
    if hi is None:
        return f"{name_op(lo_open, '>')} {lo}"
    if lo is None:
        return f"{name_op(hi_open, '<')} {hi}"
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    return f"{left}{lo}, {hi}{right}"


def name_op(strict: bool, op: str) -> str:
    return op if strict else op + "="


def check_choice(name: str, value, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``; else ParamError naming them."""
    if value not in choices:
        raise ParamError(f"{name}={value!r} is not allowed; choose one of: {', '.join(map(str, choices))}")
    return value


def seed_streams(seed: int | None, n: int) -> list[np.random.Generator]:
    """``n`` independent generators spawned from one ``SeedSequence(seed)``."""
    ss = np.random.SeedSequence(seed)
    return [np.random.default_rng(s) for s in ss.spawn(n)]


def child_seeds(seed: int | None, n: int) -> list[int]:
    """``n`` independent 63-bit integer seeds from ``SeedSequence(seed)`` (for numba kernels)."""
    ss = np.random.SeedSequence(seed)
    return [int(s.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for s in ss.spawn(n)]


def as_list(x) -> list:
    if isinstance(x, (list, tuple, np.ndarray)):
        return list(x)
    return [x]


def unique_sorted(values: Iterable[float]) -> list[float]:
    return sorted(set(float(v) for v in values))


def to_plain(x):
    """Convert numpy scalars/arrays (recursively) into JSON-ready Python objects."""
    if isinstance(x, dict):
        return {str(k): to_plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return to_plain(x.tolist())
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if math.isnan(x):
            return None
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    return x


def as_matrix(value, shape, name, diag_scalar):
    """A scalar becomes a ``shape`` matrix (on the diagonal if ``diag_scalar``, else filled); an array
    is checked to have ``shape``. Raises ParamError naming ``name`` otherwise."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0 or arr.size == 1:
        x = float(arr.ravel()[0])
        if diag_scalar:
            m = np.zeros(shape)
            np.fill_diagonal(m, x)
            return m
        return np.full(shape, x)
    if arr.shape != shape:
        raise ParamError(f"{name} must be a number or a {shape[0]}x{shape[1]} matrix, got shape {arr.shape}")
    return arr.copy()


def alpha_grid(alpha_max, n_points=200, spacing="log"):
    """``n_points`` values of alpha from 0 to exactly ``alpha_max`` (shared by the online ODEs and SGD).

    ``spacing="log"``: 0 followed by ``n_points - 1`` log-spaced values from
    ``alpha_max * 1e-4`` (at least 1e-3) to ``alpha_max``; ``"linear"``: evenly spaced.
    """
    alpha_max = float(alpha_max)
    n = int(n_points)
    if spacing == "linear":
        g = np.linspace(0.0, alpha_max, n)
    else:
        lo = min(max(alpha_max * 1e-4, 1e-3), alpha_max / 2)
        g = np.concatenate([[0.0], np.geomspace(lo, alpha_max, n - 1)])
    g[-1] = alpha_max
    return g


def available_memory() -> int:
    """Bytes of memory available to a new allocation (MemAvailable, else physical memory)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 1 << 62


def format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}"
        n /= 1024.0
    return f"{n:.3g} PiB"


def check_memory(need_bytes: float, what: str, hint: str = "") -> None:
    """Refuse, before it starts, a run that needs more than the available memory (one-line ParamError)."""
    have = available_memory()
    if need_bytes > 0.8 * have:
        raise ParamError(f"{what} needs about {format_bytes(need_bytes)} of memory, "
                         f"{format_bytes(have)} are available" + (f"; {hint}" if hint else ""))
