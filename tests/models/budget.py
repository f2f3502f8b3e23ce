"""Helpers of the registry-wide tests: a wall-clock budget per call and the outcome rules.

Each budgeted call runs in a forked child process that is killed when the budget is spent, so an
interrupted call (inside an import, a numba compilation, a C loop) cannot leave this process in a
broken state; the child sends back its result or the exception it raised.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import signal
import traceback
from contextlib import contextmanager

import numpy as np

from replicon._util import ParamError


class OverBudget(Exception):
    """The call ran past its budget (not a failure of the model: it is slow there)."""


@contextmanager
def budget(seconds: float):
    """Raise OverBudget in this (main) thread after ``seconds`` of wall time."""
    def handler(signum, frame):
        raise OverBudget()

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _over_budget(exc: BaseException) -> bool:
    """OverBudget itself, or raised inside a numba kernel (surfaces as SystemError with it as context)."""
    while exc is not None:
        if isinstance(exc, OverBudget):
            return True
        exc = exc.__context__ or exc.__cause__
    return False


def scalar_observables(sol):
    """A Solution's observables, or a Measurement's means."""
    out = {}
    obs = sol.observables if hasattr(sol, "observables") else sol.mean
    for k, v in obs.items():
        if isinstance(v, (bool, np.bool_, str)) or v is None:
            continue
        if np.ndim(v) == 0:
            out[k] = float(v)
        else:
            a = np.asarray(v, dtype=float)
            out[k] = a
    return out


class _Raised:
    def __init__(self, exc):
        self.type, self.text = type(exc).__name__, str(exc)
        self.is_param = isinstance(exc, ParamError)
        self.trace = traceback.format_exc()


def _child(call, conn):
    try:
        res = call()
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        res = _Raised(exc)
    try:
        conn.send(res)
    except Exception as exc:  # an unpicklable result is a defect of its own
        conn.send(_Raised(exc))
    conn.close()


def run_in_child(call, seconds: float):
    """``call()`` in a forked process: its result, a _Raised, or OverBudget raised here."""
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(call, send), daemon=True)
    proc.start()
    send.close()
    try:
        if not recv.poll(seconds):
            raise OverBudget()
        return recv.recv()
    except EOFError:
        return _Raised(RuntimeError(f"the child process died (exit code {proc.exitcode})"))
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        recv.close()


_WARM: set[str] = set()


def warm(model) -> None:
    """Import a model's theory and simulation modules in this process once, so that forked children
    inherit them instead of each importing (and loading numba caches) again."""
    if model.name in _WARM:
        return
    _WARM.add(model.name)
    for fn in (model.solve, model.simulate):
        load = getattr(fn, "load", None)
        if load is not None:
            load()


def outcome(call, seconds: float):
    """Run ``call()`` under a budget; returns ("ok"|"unconverged"|"param"|"budget", detail).

    Raises AssertionError for what the honesty rules forbid: another exception, NaN in a converged
    result, an infinite observable that the message does not explain, converged=False without a
    message, a multi-line ParamError.
    """
    try:
        sol = run_in_child(call, seconds)
    except OverBudget:
        return "budget", ""
    if isinstance(sol, _Raised):
        if sol.is_param:
            assert sol.text and "\n" not in sol.text, f"ParamError is not one line: {sol.text!r}"
            return "param", sol.text
        raise AssertionError(f"raised {sol.type}: {sol.text}\n{sol.trace}")
    if not getattr(sol, "converged", True):
        assert sol.message, "converged=False without a message"
        return "unconverged", sol.message
    for k, v in scalar_observables(sol).items():
        a = np.atleast_1d(v)
        assert not np.any(np.isnan(a)), f"converged, but observable {k} is NaN"
        if np.any(np.isinf(a)):
            assert getattr(sol, "message", ""), f"converged, observable {k} is infinite and the message does not say why"
    for b in getattr(sol, "branches", []) or []:
        for k, v in scalar_observables(b).items():
            assert not np.any(np.isnan(np.atleast_1d(v))), f"branch {b.branch}: observable {k} is NaN"
    return "ok", ""


def edge_values(p):
    """The declared edges of a numeric parameter (just inside an open edge), a large value for an
    unbounded one, and every choice."""
    if p.kind in ("float", "int"):
        if p.kind == "int" and p.choices:
            return list(p.choices)
        vals = []
        for v, is_lo in ((p.lo, True), (p.hi, False)):
            if v is None or not math.isfinite(v):
                continue
            if (is_lo and p.lo_open) or (not is_lo and p.hi_open):
                step = 1 if p.kind == "int" else 1e-6 * max(1.0, abs(v))
                v = v + step if is_lo else v - step
            vals.append(int(v) if p.kind == "int" else float(v))
        if p.hi is None:
            vals.append(10 ** 6 if p.kind == "int" else 1e6)
        return vals
    if p.kind == "choice":
        return list(p.choices)
    if p.kind == "bool":
        return [True, False]
    return []
