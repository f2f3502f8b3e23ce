"""Run any protocol on any data, measure what it found, and the registry model's simulation.

:func:`run` dispatches a :class:`~.protocol.Protocol` to the binary or continuous kernels;
:func:`evaluate` measures a found weight vector (success, flatness, local entropy, eps_g);
:func:`simulate_protocols` is ``replicon simulate landscape.protocols``: over independent seeds, a
fresh data set, the protocol, and the measurements around what it found.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from ..._util import ParamError, check_choice, check_number
from ..measurement import over_seeds
from .binary import PATTERNS, PROBLEMS, BinaryData, RunResult, binary_storage, run_binary, seed_sequence
from .continuous import run_continuous
from .focusing import run_focusing
from .measure import flatness, flatness_continuous, local_entropy
from .protocol import BINARY_KINDS, KINDS, Protocol, preset

MODEL = "landscape.protocols"
DEFAULT_D = (0.01, 0.02, 0.05, 0.1)


def run(protocol: Protocol, data: BinaryData, seed=0, start=None) -> RunResult:
    """Run ``protocol`` (binary or continuous kind) on ``data`` from a random start (or ``start``,
    y x N)."""
    if not isinstance(protocol, Protocol):
        raise ParamError(f"protocol must be a replicon.simulate.landscape.Protocol, got {type(protocol).__name__}")
    if protocol.kind == "focusing":
        return run_focusing(data, protocol, seed=seed)
    if protocol.binary:
        return run_binary(protocol, data, seed=seed, W0=start)
    return run_continuous(protocol, data, seed=seed, w0=start)


def check_distances(d) -> np.ndarray:
    """The distance grid as an array in [0, 1/2] (one-line ParamError otherwise)."""
    arr = np.atleast_1d(np.asarray(d, dtype=float))
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ParamError(f"d must be a distance or a comma list of distances in [0, 0.5], got {d!r}")
    bad = (arr < 0) | (arr > 0.5)
    if np.any(bad):
        raise ParamError(f"d={arr[np.argmax(bad)]:g} is out of range; allowed: distances in [0, 0.5]")
    return arr


def evaluate(data: BinaryData, result: RunResult, d=DEFAULT_D, binary: bool = True, n_pert: int = 100,
             local: bool = True, population: int = 32, steps: int = 60, seed=0) -> dict:
    """Observables of one run: ``success``, ``time``, ``errors``, ``centre``, the flatness curves
    and, for binary weights with ``local``, the local entropy curves on ``d``; ``eps_g`` for a
    teacher (see :mod:`.measure`)."""
    d = check_distances(d)
    s_flat, s_loc = seed_sequence(seed).spawn(2)
    out = {"success": float(result.success), "time": float(result.time), "errors": float(result.errors),
           "error_fraction": result.errors / data.P, "centre": float(result.found_by == "centre")}
    if binary:
        f, sf = flatness(data, result.W, d, n_pert=n_pert, seed=s_flat)
    else:
        f, sf = flatness_continuous(data.X, data.kappa, result.W, d, n_pert=n_pert, seed=s_flat)
    out["flatness"] = f
    out["solution_fraction"] = sf
    if binary and local:
        le = local_entropy(data, result.W, d, population=population, steps=steps, seed=s_loc)
        out["local_entropy"] = le["entropy"]
        out["local_entropy_err"] = le["error"]
        out["local_errors"] = le["errors"]
        out["local_solved"] = le["solved"]
        out["binary_entropy"] = le["binary_entropy"]
    if data.B is not None:
        w = result.W
        R = float(np.dot(w, data.B)) / (np.linalg.norm(w) * np.linalg.norm(data.B))
        out["R"] = R
        out["eps_g"] = math.acos(max(-1.0, min(1.0, R))) / math.pi
    return out


CURVES = ("flatness", "solution_fraction", "local_entropy", "local_entropy_err", "local_errors",
          "local_solved", "binary_entropy")


def simulate_protocols(protocol="anneal", alpha=0.6, kappa=0.0, problem="storage", patterns=None,
                       energy="hinge", budget=10000, y=5, T0=None, T1=None, gamma0=None, gamma1=None,
                       coupling="centre", lr=None, batch=1.0, d=DEFAULT_D, n_pert=100, local=True,
                       population=32, N=401, seeds=8, seed=0, progress=False):
    """``replicon simulate landscape.protocols``: ``seeds`` independent data sets of ``round(alpha N)``
    patterns, the protocol ``protocol`` (its :func:`~.protocol.preset` schedules at the running time
    ``budget``; the schedule parameters left None take the preset's values) from a random start on
    each, and the measurements of :func:`evaluate` around what it found.

    Observables per seed: ``success`` (1 if zero training errors at margin kappa), ``time`` (flip
    attempts per weight, or gradient evaluations, summed over replicas, until the first solution;
    ``budget`` when none was found: censored), ``errors`` of the returned configuration,
    ``centre`` (1 if the replicas' centre was the solution), ``flatness(d)``,
    ``solution_fraction(d)``, and for binary weights (``local=true``) ``local_entropy(d)`` with its
    error and diagnostics; ``eps_g`` and ``R`` for ``problem=teacher``. Without success the
    measurements are around the configuration with the fewest errors.
    """
    protocol = check_choice("protocol", protocol, KINDS)
    binary = protocol in BINARY_KINDS
    problem = check_choice("problem", problem, PROBLEMS)
    if patterns is None:
        patterns = "pm1" if binary else "gaussian"
    patterns = check_choice("patterns", patterns, PATTERNS)
    alpha = check_number("alpha", alpha, lo=0.0, lo_open=True)
    kappa = check_number("kappa", kappa, lo=-10.0, hi=10.0)
    N = int(check_number("N", N, lo=3, integer=True))
    y = int(check_number("y", y, lo=1, integer=True))
    d = check_distances(d)
    budget = int(check_number("budget", budget, lo=1, integer=True))
    if protocol in ("replicated", "replicated_gd", "focusing") and y < 2:
        raise ParamError(f"protocol={protocol} needs y >= 2 replicas, got y={y}")
    proto = preset(protocol, budget, T0=T0, T1=T1, y=y, gamma0=gamma0, gamma1=gamma1, energy=energy,
                   coupling=coupling, lr=lr, batch=batch)
    params = {"protocol": protocol, "alpha": alpha, "kappa": kappa, "problem": problem, "patterns": patterns,
              "energy": energy, "budget": budget, "y": proto.y, "coupling": coupling,
              "schedule": proto.describe()}
    t0 = time.monotonic()
    count = [0]

    def one(s):
        ds, rs, ms = seed_sequence(s).spawn(3)
        data = binary_storage(N, alpha, kappa, patterns=patterns, problem=problem, seed=ds)
        res = run(proto, data, seed=rs)
        out = evaluate(data, res, d, binary=binary, n_pert=n_pert, local=local, population=population, seed=ms)
        count[0] += 1
        if progress:
            print(f"\r\033[K{MODEL} {protocol} N={N} alpha={alpha:g}: seed {count[0]}/{seeds}, "
                  f"{'solved at ' + str(res.time) if res.success else 'no solution (%d errors)' % res.errors}"
                  f", {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
        return out

    m = over_seeds(one, model=MODEL, params=params, N=N, seeds=seeds, seed=seed)
    m.coords["d"] = d
    for k in CURVES:
        if k in m.samples:
            m.axes[k] = "d"
    m.extra["protocol"] = proto.describe()
    return m
