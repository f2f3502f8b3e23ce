"""The model registry machinery: parameters, model entries, lookup, plugins.

Models reach the registry through the entry-point group ``replicon.models``
(:data:`ENTRY_POINT_GROUP`). replicon's own families are one entry of that group
(``builtin = "replicon.models:register_builtin"`` in pyproject.toml), so this module
imports no model module. A package outside replicon adds models the same way, in its
own pyproject::

    [project.entry-points."replicon.models"]
    mymodels = "mypackage.replicon_models:register_models"

where ``register_models()`` either calls :func:`register` itself or returns an iterable of
:class:`Model` (an entry point naming a module is imported, which may register as a side
effect). Such a model appears in ``replicon models``, ``solve``, ``scan`` and ``compare``.
From Python, without a package::

    from replicon.registry import Model, Param, register
    register(Model(name="my.model", summary="...", params=[Param("alpha", 1.0, lo=0)],
                   solve=my_solve, outputs={"m": "magnetisation"}))
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from ._util import ParamError, check_choice, check_memory, check_number, describe_range


@dataclass
class Param:
    """One control parameter: name, default, allowed range or choices, meaning.

    ``kind`` is ``"float"``, ``"int"``, ``"choice"``, ``"bool"`` or ``"array"``
    (the last only settable from Python, or from the CLI as a comma list). An ``"int"``
    with ``choices`` accepts only those integers (e.g. odd K).
    """

    name: str
    default: Any
    help: str = ""
    kind: str = "float"
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple = ()
    allow_none: bool = False

    def __post_init__(self):
        if self.choices and self.kind == "float":
            self.kind = "choice"

    def allowed(self) -> str:
        if self.kind == "int" and self.choices:
            return "one of " + ", ".join(map(str, self.choices))
        if self.kind == "choice":
            return "one of " + ", ".join(map(str, self.choices))
        if self.kind == "bool":
            return "true or false"
        if self.kind == "array":
            return "a number or a list of numbers"
        if self.lo is None and self.hi is None:
            return "any integer" if self.kind == "int" else "any finite number"
        r = describe_range(self.lo, self.hi, self.lo_open, self.hi_open)
        return ("an integer " if self.kind == "int" else "a number ") + r

    def parse(self, value):
        """Convert a CLI string or Python value into the checked parameter value."""
        if value is None or (isinstance(value, str) and value.lower() == "none"):
            if self.allow_none or self.default is None:
                return None
            raise ParamError(f"{self.name} must be set; allowed: {self.allowed()}")
        if self.kind == "choice":
            return check_choice(self.name, str(value) if not isinstance(value, str) else value, self.choices)
        if self.kind == "bool":
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            s = str(value).lower()
            if s in ("1", "true", "yes", "on"):
                return True
            if s in ("0", "false", "no", "off"):
                return False
            raise ParamError(f"{self.name}={value!r} is not allowed; use true or false")
        if self.kind == "array":
            if isinstance(value, str):
                parts = [p for p in value.split(",") if p.strip()]
                try:
                    arr = np.array([float(p) for p in parts])
                except ValueError:
                    raise ParamError(f"{self.name} must be a number or a comma list of numbers, got {value!r}") from None
                return arr[0] if arr.size == 1 else arr
            arr = np.asarray(value, dtype=float)
            return float(arr) if arr.ndim == 0 else arr
        x = check_number(self.name, value, self.lo, self.hi, self.lo_open, self.hi_open,
                         integer=(self.kind == "int"))
        if self.kind == "int" and self.choices and x not in self.choices:
            raise ParamError(f"{self.name}={x} is not allowed; choose one of: {', '.join(map(str, self.choices))}")
        return x


@dataclass
class Model:
    """A registry entry: ties a model's theory to its simulation.

    ``solve(**params) -> Solution``; ``simulate(N=, seeds=, seed=, **params) -> Measurement``
    (optional). ``outputs`` maps observable names to one-line meanings.
    ``compare`` holds defaults for ``replicon compare``: ``{"x": "alpha",
    "grid": "0.5:4:5", "N": [50, 100], "seeds": 8, "observables": [...]}``.
    ``trajectory`` names the coordinate of trajectory observables (e.g.
    ``"alpha"`` for online learning, ``"layer"`` for deep chains), else None.
    ``hooks`` holds optional model-specific callables used by generic code, e.g.
    ``hooks["compare_theory"](measurement, params) -> list[Solution]`` (theory
    started from each seed's own initial condition, one Solution per seed).
    """

    name: str
    summary: str
    params: list[Param]
    solve: Callable[..., Any]
    outputs: dict[str, str]
    simulate: Callable[..., Any] | None = None
    sim_params: list[Param] = field(default_factory=list)
    compare: dict[str, Any] = field(default_factory=dict)
    trajectory: str | None = None
    references: str = ""
    grid_parameter: str | None = None  # preferred continuation direction in scans
    hooks: dict[str, Callable[..., Any]] = field(default_factory=dict)
    cost: str = ""                   # typical cost of one solve at the defaults (measured), for `replicon models`
    slow: bool = False               # a solve at typical parameters takes more than ~1 s (tests draw fewer points)
    memory: Callable[[dict], float] | None = None       # bytes a solve needs at these parameters
    sim_memory: Callable[[dict], float] | None = None   # bytes a simulation needs (params incl. N, seeds)
    sim_ranges: dict[str, dict] = field(default_factory=dict)  # Param fields that differ for simulate

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise ParamError(f"unknown parameter {name!r} for {self.name}; allowed: "
                         f"{', '.join(p.name for p in self.params) or '(none)'}")

    def sim_param(self, name: str) -> Param:
        for p in self.sim_params:
            if p.name == name:
                return p
        raise ParamError(f"unknown simulation parameter {name!r} for {self.name}; allowed: "
                         f"{', '.join(p.name for p in self.sim_params) or '(none)'}")

    def sim_view(self, p: Param) -> Param:
        """The parameter as ``simulate`` accepts it (``sim_ranges`` overrides its range)."""
        over = self.sim_ranges.get(p.name)
        return replace(p, **over) if over else p

    def validate(self, values: dict[str, Any] | None = None, sim: bool = False) -> dict[str, Any]:
        """Full parameter dict: defaults filled in, every value parsed and checked."""
        values = dict(values or {})
        out = {}
        for p in self.params:
            if sim:
                p = self.sim_view(p)
            if p.name in values:
                out[p.name] = p.parse(values.pop(p.name))
                continue
            out[p.name] = p.default
            if sim and p.name in self.sim_ranges:   # the default itself must be simulable
                try:
                    p.parse(p.default)
                except ParamError:
                    raise ParamError(f"{self.name}: the simulation needs {p.name} "
                                     f"{describe_range(p.lo, p.hi, p.lo_open, p.hi_open)}"
                                     f" (the default {p.name}={p.default} is theory only); give {p.name}=...")\
                        from None
        if sim:
            for p in self.sim_params:
                out[p.name] = p.parse(values.pop(p.name)) if p.name in values else p.default
        if values:
            bad = next(iter(values))
            allowed = [p.name for p in self.params] + ([p.name for p in self.sim_params] if sim else [])
            raise ParamError(f"unknown parameter {bad!r} for {self.name}; allowed: {', '.join(allowed)}")
        return out

    def run_solve(self, **values):
        params = self.validate(values)
        if self.memory is not None:
            check_memory(self.memory(params), f"{self.name} at these parameters")
        return self.solve(**params)

    def run_simulate(self, _workers: int | None = 1, _dask=None, **values):
        """Validate ``values`` and simulate; ``_workers`` processes or the Dask scheduler ``_dask``
        spread the seeds (the same measurement as one process: ``compare.parallel``)."""
        if self.simulate is None:
            raise ParamError(f"{self.name} has no simulation; models with one: "
                             f"{', '.join(m.name for m in all_models() if m.simulate)}")
        params = self.validate(values, sim=True)
        if self.sim_memory is not None:
            N = params.get("N")
            check_memory(self.sim_memory(params), f"simulating {self.name}" + (f" at N={N}" if N else ""),
                         "use a smaller N")
        if _workers == 1 and not _dask:
            return self.simulate(**params)
        from .compare.parallel import simulate_parallel

        return simulate_parallel(self, params, workers=_workers, dask=_dask)


def lazy(target: str) -> Callable[..., Any]:
    """A callable for ``"package.module:function"`` that imports the module on first call.

    Registry entries use it so that ``replicon models`` (and the CLI start-up)
    does not import numba kernels or heavy theory modules it does not need.
    """
    module, _, attr = target.partition(":")

    def call(*args, **kwargs):
        import importlib

        return getattr(importlib.import_module(module), attr)(*args, **kwargs)

    def load():
        """Import the target now (e.g. before forking workers) and return it."""
        import importlib

        return getattr(importlib.import_module(module), attr)

    call.__name__ = attr
    call.__qualname__ = f"lazy({target})"
    call.__doc__ = f"Lazily imported {target}."
    call.target = target
    call.load = load
    return call


ENTRY_POINT_GROUP = "replicon.models"
BUILTIN = "replicon.models:register_builtin"   # the value of replicon's own entry point

_REGISTRY: dict[str, Model] = {}


def register(model: Model, replace: bool = False) -> Model:
    """Add a model to the registry (``replace=True`` to redefine an existing name)."""
    if model.name in _REGISTRY and not replace:
        raise ValueError(f"model {model.name!r} is already registered")
    _REGISTRY[model.name] = model
    return model


def registered(name: str) -> Model | None:
    """The entry registered under ``name``, or None (no plugin loading, no error)."""
    return _REGISTRY.get(name)


def get(name: str) -> Model:
    load_plugins()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ParamError(f"unknown model {name!r}; available: {', '.join(sorted(_REGISTRY))}") from None


def all_models() -> list[Model]:
    load_plugins()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


_loaded = False
plugin_errors: list[str] = []   # one line per entry point that failed to load


def _entry_points():
    from importlib.metadata import EntryPoint, entry_points

    eps = list(entry_points(group=ENTRY_POINT_GROUP))
    if not any(ep.value.replace(" ", "") == BUILTIN for ep in eps):
        # run from a source tree that was never installed: the built-in entry is not in any
        # distribution's metadata; load it through the same mechanism
        eps.insert(0, EntryPoint(name="builtin", value=BUILTIN, group=ENTRY_POINT_GROUP))
    return eps


def _load_entry_point(ep):
    """Load one entry point: a module (registers on import), a Model, or a callable that
    registers or returns Models."""
    import types

    obj = ep.load()
    if isinstance(obj, types.ModuleType):
        return
    if callable(obj) and not isinstance(obj, Model):
        obj = obj()
    if obj is None:
        return
    for m in [obj] if isinstance(obj, Model) else obj:
        if not isinstance(m, Model):
            raise TypeError(f"entry point {ep.name!r} gave a {type(m).__name__}, not a replicon Model")
        if _REGISTRY.get(m.name) is not m:
            register(m)


def load_plugins(force: bool = False) -> None:
    """Load every entry point of the group ``replicon.models`` (once; ``force=True`` again).

    A third-party entry point that fails to load is reported once on stderr and skipped
    (its error is kept in :data:`plugin_errors`); replicon's own entry point must load.
    """
    global _loaded
    if _loaded and not force:
        return
    _loaded = True
    import sys

    for ep in _entry_points():
        if ep.value.replace(" ", "") == BUILTIN:
            _load_entry_point(ep)
            continue
        try:
            _load_entry_point(ep)
        except Exception as exc:  # a broken plugin must not take the built-in models down
            msg = f"replicon: plugin entry point {ep.name!r} ({ep.value}) failed to load: {exc}"
            if msg not in plugin_errors:
                plugin_errors.append(msg)
                print(msg, file=sys.stderr)
