"""Grid syntax of the command line: ``a:b:n`` linear, ``log:a:b:n`` logarithmic, ``x,y,z`` list.

A value without ``:`` or ``,`` is a single point. Malformed grids raise
:class:`~replicon._util.ParamError` with one line saying what is allowed.
"""

from __future__ import annotations

import numpy as np

from .._util import ParamError

MAX_AXIS_POINTS = 100_000   # points on one grid axis (a 100000 x 100000 plane is already 10^10 solves)
GRID_HELP = "a number, a:b:n (n linear points), log:a:b:n (n log-spaced points, a,b > 0) or x,y,z (a list)"


def _num(name, s):
    try:
        v = float(s)
    except (TypeError, ValueError):
        raise ParamError(f"{name}: {s!r} is not a number; a grid is {GRID_HELP}") from None
    if not np.isfinite(v):
        raise ParamError(f"{name}: {s!r} is not finite; a grid is {GRID_HELP}")
    return v


def _count(name, s):
    try:
        n = int(s)
    except (TypeError, ValueError):
        raise ParamError(f"{name}: point count {s!r} is not an integer; a grid is {GRID_HELP}") from None
    if n < 1:
        raise ParamError(f"{name}: point count must be >= 1, got {n}; a grid is {GRID_HELP}")
    if n > MAX_AXIS_POINTS:
        raise ParamError(f"{name}: {n} points on one axis is more than the {MAX_AXIS_POINTS} allowed")
    return n


def is_grid(text: str) -> bool:
    """Whether a CLI value is a grid (several points) rather than one value."""
    return isinstance(text, str) and (":" in text or "," in text)


def parse_grid(name: str, text: str, numeric: bool = True):
    """Parse a grid for parameter ``name``; returns a list of values (floats, or strings if not numeric)."""
    text = str(text).strip()
    if text == "":
        raise ParamError(f"{name}= has no value; a grid is {GRID_HELP}")
    if ":" in text:
        parts = text.split(":")
        log = parts[0].strip().lower() == "log"
        if log:
            parts = parts[1:]
        if len(parts) != 3:
            raise ParamError(f"{name}={text} is malformed; a grid is {GRID_HELP}")
        a, b, n = _num(name, parts[0]), _num(name, parts[1]), _count(name, parts[2])
        if log:
            if a <= 0 or b <= 0:
                raise ParamError(f"{name}={text}: log grids need a, b > 0; a grid is {GRID_HELP}")
            return list(np.geomspace(a, b, n))
        return list(np.linspace(a, b, n))
    items = [t.strip() for t in text.split(",")]
    if any(t == "" for t in items):
        raise ParamError(f"{name}={text} has an empty entry; a grid is {GRID_HELP}")
    if numeric:
        return [_num(name, t) for t in items]
    return items
