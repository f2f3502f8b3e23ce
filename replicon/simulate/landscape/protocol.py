r"""Training protocols as data: a kind and schedules of temperature, replica number, coupling and step.

A :class:`Protocol` is a small frozen dataclass. Every schedule is given per sweep (one sweep: ``N``
flip attempts, or one gradient step, for every replica) as

* a number (constant),
* a ``(start, stop)`` pair, expanded geometrically (``numpy.geomspace``) when both are positive and
  linearly when one of them is zero,
* a callable of the sweep index ``t = 0 .. sweeps-1`` returning a number (``numpy`` broadcasting is
  not assumed: it is called once per sweep),
* or an array of length ``sweeps``.

Wrong lengths and values out of range get a one-line :class:`~replicon._util.ParamError` naming what
is allowed. Any user-made protocol runs through the same kernels as the presets
(:func:`preset`), so the registry model ``landscape.protocols`` is one way of building a Protocol,
not the only one::

    from replicon.simulate.landscape import Protocol, binary_storage, run
    p = Protocol("replicated", sweeps=2000, temperature=(1.0, 0.05), y=5, gamma=(0.05, 3.0))
    data = binary_storage(N=401, alpha=0.6, seed=1)
    res = run(p, data, seed=2)          # success, time, the solution, energy trace

Kinds
-----
Binary (Ising) weights, Monte Carlo on the energy of :mod:`.binary`:

``greedy``      zero-temperature single-flip descent (a flip is accepted when it does not raise the
                energy); ``temperature`` must be 0.
``anneal``      simulated annealing: Metropolis at the temperature schedule (one replica).
``replicated``  replicated Monte Carlo / robust ensemble: ``y`` replicas at the temperature schedule
                coupled with strength ``gamma`` (schedule), to their traced-out binary centre
                (``coupling="centre"``) or pairwise (``coupling="pairwise"``).
``focusing``    focusing belief propagation (:mod:`.focusing`): one sweep is one message-passing
                iteration (cost O(N P), counted as 2 flip attempts per weight), ``y`` the replicas of
                the focusing field, ``gamma`` its coupling schedule; no temperature.

Continuous weights (:mod:`.continuous`), a learning-rate schedule ``lr`` and an optional Langevin
temperature:

``gd``          (full-batch) gradient descent on a smooth loss.
``replicated_gd``  ``y`` replicas of gradient descent elastically coupled with strength ``gamma`` to
                their centre of mass (replicated SGD, Baldassi et al. 2020; with ``batch < 1`` SGD).
``entropy_sgd`` entropy-SGD (Chaudhari et al. 2017): an inner Langevin loop of ``inner`` steps
                around the weights estimates the gradient of the local entropy at coupling
                ``gamma``; one sweep is one outer step (``inner`` gradient evaluations).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..._util import ParamError, check_choice, check_number

BINARY_KINDS = ("greedy", "anneal", "replicated", "focusing")
CONTINUOUS_KINDS = ("gd", "replicated_gd", "entropy_sgd")
KINDS = BINARY_KINDS + CONTINUOUS_KINDS
COUPLINGS = ("centre", "pairwise")

SCHEDULE_FORMS = "a number, a (start, stop) pair, a callable of the sweep index, or an array of length sweeps"


def schedule(name: str, value: Any, sweeps: int, lo: float = 0.0, lo_open: bool = False,
             hi: float | None = None) -> np.ndarray:
    """Expand ``value`` (number, ``(start, stop)``, callable, array) to a float array of length ``sweeps``.

    Values must lie in ``[lo, hi]`` (``lo`` excluded when ``lo_open``); otherwise a one-line
    ParamError naming the allowed forms and range."""
    rng_txt = (f"> {lo}" if lo_open else f">= {lo}") + (f" and <= {hi}" if hi is not None else "")
    if callable(value):
        try:
            arr = np.array([float(value(t)) for t in range(sweeps)], dtype=float)
        except (TypeError, ValueError) as exc:
            raise ParamError(f"{name} schedule: the callable must return a number for each sweep "
                             f"index 0..{sweeps - 1} ({exc})") from None
    elif isinstance(value, tuple) and len(value) == 2:
        a = check_number(f"{name} start", value[0])
        b = check_number(f"{name} stop", value[1])
        if sweeps == 1:
            arr = np.array([a])
        elif a > 0 and b > 0:
            arr = np.geomspace(a, b, sweeps)
        else:
            arr = np.linspace(a, b, sweeps)
    else:
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ParamError(f"{name} schedule must be {SCHEDULE_FORMS}; got {value!r}") from None
        if arr.ndim == 0:
            arr = np.full(sweeps, float(arr))
        elif arr.ndim != 1 or arr.size != sweeps:
            raise ParamError(f"{name} schedule has shape {arr.shape}; allowed: {SCHEDULE_FORMS}={sweeps}")
    if not np.all(np.isfinite(arr)):
        raise ParamError(f"{name} schedule must be finite; allowed values: {rng_txt}")
    bad = (arr <= lo) if lo_open else (arr < lo)
    if hi is not None:
        bad |= arr > hi
    if np.any(bad):
        v = arr[np.argmax(bad)]
        raise ParamError(f"{name} schedule has the value {v:g}; allowed values: {rng_txt}")
    arr = np.ascontiguousarray(arr, dtype=float)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class Protocol:
    """One training protocol: its kind and its per-sweep schedules (see the module docstring).

    ``sweeps`` is the length of every schedule: sweeps per replica. ``budget`` (= ``sweeps * y``) is
    the total number of flip attempts per weight (binary) or gradient evaluations (continuous,
    times ``inner`` for entropy-SGD), summed over replicas: the running time compared across
    protocols. Schedules are stored as read-only float arrays of length ``sweeps``.

    Binary kinds: ``energy`` is ``"hinge"`` (each violated pattern costs the number of flips that
    would fix it, the energy of replicated annealing in Baldassi et al. 2016) or ``"errors"`` (the
    number of patterns with stability <= kappa). Continuous kinds: the squared hinge
    ``max(0, kappa + margin - Delta)^2 / 2`` (``loss="hinge2"``, the one implemented) at the
    training margin ``margin`` (>= 0); ``batch`` the batch fraction of SGD (1: full batch);
    ``inner`` the Langevin steps of entropy-SGD's inner loop.
    """

    kind: str
    sweeps: int
    temperature: Any = 0.0
    y: int = 1
    gamma: Any = 0.0
    lr: Any = 0.1
    coupling: str = "centre"
    energy: str = "hinge"
    loss: str = "hinge2"
    margin: float = 0.1
    batch: float = 1.0
    inner: int = 10
    stop_at_solution: bool = True
    name: str = ""

    def __post_init__(self):
        kind = check_choice("kind", self.kind, KINDS)
        sweeps = int(check_number("sweeps", self.sweeps, lo=1, integer=True))
        y = int(check_number("y", self.y, lo=1, integer=True))
        set_ = lambda k, v: object.__setattr__(self, k, v)   # noqa: E731  (frozen)
        set_("sweeps", sweeps)
        set_("y", y)
        set_("temperature", schedule("temperature", self.temperature, sweeps, lo=0.0))
        set_("gamma", schedule("gamma", self.gamma, sweeps, lo=0.0))
        set_("lr", schedule("lr", self.lr, sweeps, lo=0.0, lo_open=True))
        check_choice("coupling", self.coupling, COUPLINGS)
        check_choice("energy", self.energy, ("hinge", "errors"))
        check_choice("loss", self.loss, ("hinge2",))
        set_("margin", check_number("margin", self.margin, lo=0.0))
        set_("batch", check_number("batch", self.batch, lo=0.0, hi=1.0, lo_open=True))
        set_("inner", int(check_number("inner", self.inner, lo=1, integer=True)))
        if kind == "greedy" and np.any(self.temperature > 0):
            raise ParamError("greedy descent runs at temperature 0; use kind='anneal' for a temperature schedule")
        if kind in ("greedy", "anneal", "gd") and y != 1:
            raise ParamError(f"kind={kind!r} has one replica (y=1); replicated kinds: replicated, replicated_gd")
        if kind == "focusing" and np.any(self.temperature > 0):
            raise ParamError("focusing BP has no temperature; its schedule is gamma")
        if kind in ("replicated", "replicated_gd", "focusing") and y < 2:
            raise ParamError(f"kind={kind!r} needs y >= 2 replicas, got y={y}")
        if not self.name:
            set_("name", kind)

    @property
    def binary(self) -> bool:
        return self.kind in BINARY_KINDS

    @property
    def budget(self) -> int:
        """Flip attempts per weight (gradient evaluations for continuous kinds), all replicas together."""
        if self.kind == "focusing":
            return 2 * self.sweeps
        per = self.inner if self.kind == "entropy_sgd" else 1
        return int(self.sweeps * self.y * per)

    def describe(self) -> str:
        def s(a):
            a = np.asarray(a)
            return f"{a[0]:g}" if np.all(a == a[0]) else f"{a[0]:g}->{a[-1]:g}"
        parts = [f"{self.kind}", f"sweeps={self.sweeps}", f"budget={self.budget}"]
        if self.binary:
            parts += [f"T={s(self.temperature)}", f"energy={self.energy}"]
        else:
            parts += [f"lr={s(self.lr)}", f"loss={self.loss}"]
        if self.y > 1 or self.kind == "entropy_sgd":
            parts += [f"y={self.y}", f"gamma={s(self.gamma)}"]
        if self.kind == "replicated":
            parts.append(f"coupling={self.coupling}")
        return " ".join(parts)


def preset(kind: str, budget: int = 10000, *, T0: float | None = None, T1: float | None = None,
           y: int = 5, gamma0: float | None = None, gamma1: float | None = None, energy: str = "hinge",
           coupling: str = "centre", lr: float | tuple | None = None, batch: float = 1.0, inner: int = 10,
           stop_at_solution: bool = True) -> Protocol:
    """The protocol ``kind`` with its default schedules, at a total running time of ``budget``.

    ``budget`` counts flip attempts per weight (or gradient evaluations) summed over replicas, so
    protocols with the same budget have the same running time: annealing gets ``budget`` sweeps,
    ``replicated`` ``budget // y`` sweeps of each of its ``y`` replicas. Defaults (measured at
    N = 401, alpha = 0.6-0.75, kappa = 0, hinge energy, 6 instances per schedule; docs/landscape.md):
    anneal T 2 -> 0.1 (geometric; the best of 9 schedules T0 in {0.5, 1, 2}, T1 in {0.05, 0.1,
    0.2} at alpha = 0.6); replicated y = 5 at constant T = 1 with gamma 0.3 -> 3 (geometric; the
    solutions appear at gamma ~ 1, a falling T only freezes the replicas earlier); greedy T = 0;
    gd lr 0.1; replicated_gd gamma 0.01 -> 1; entropy_sgd gamma 0.03 -> 3, ``inner`` = 10.
    """
    kind = check_choice("protocol", kind, KINDS)
    budget = int(check_number("budget", budget, lo=1, integer=True))
    y = int(check_number("y", y, lo=1, integer=True))
    if kind in ("greedy", "anneal", "gd"):
        y = 1
    per = inner if kind == "entropy_sgd" else 1
    sweeps = max(1, budget // (y * per))
    if kind == "focusing":
        n = max(1, budget // 2)
        ramp = min(500, n)
        g0 = 0.01 if gamma0 is None else gamma0
        g1 = 2.0 if gamma1 is None else gamma1
        g = np.concatenate([np.geomspace(g0, g1, ramp) if g0 > 0 and g1 > 0 else np.linspace(g0, g1, ramp),
                            np.full(n - ramp, g1)])
        return Protocol(kind, n, temperature=0.0, y=y, gamma=g, stop_at_solution=stop_at_solution)
    if kind in BINARY_KINDS:
        if kind == "greedy":
            T = (0.0, 0.0)
        elif kind == "anneal":
            T = (2.0 if T0 is None else T0, 0.1 if T1 is None else T1)
        else:
            T = (1.0 if T0 is None else T0, 1.0 if T1 is None else T1)
        g = (0.0, 0.0) if kind != "replicated" else (0.3 if gamma0 is None else gamma0,
                                                       3.0 if gamma1 is None else gamma1)
        return Protocol(kind, sweeps, temperature=T, y=y, gamma=g, coupling=coupling, energy=energy,
                        stop_at_solution=stop_at_solution)
    T = (0.0 if T0 is None else T0, 0.0 if T1 is None else T1)
    if kind == "gd":
        g = 0.0
    elif kind == "replicated_gd":
        g = (0.01 if gamma0 is None else gamma0, 1.0 if gamma1 is None else gamma1)
    else:
        g = (0.03 if gamma0 is None else gamma0, 3.0 if gamma1 is None else gamma1)
    return Protocol(kind, sweeps, temperature=T, y=y, gamma=g, lr=0.1 if lr is None else lr, batch=batch,
                    inner=inner, stop_at_solution=stop_at_solution)

