"""Every registered model is honest over its declared ranges (issue "Honest at every edge").

Generated from the registry, so a new model is checked without editing this file:

- every declared edge of every parameter (others at their defaults) is accepted by ``solve``
  (and by ``simulate`` at a small N), and gives a converged result with finite observables (an
  infinite one explained in the message), or ``converged=False`` with a message -- never another
  exception, never NaN claimed converged;
- a property test (hypothesis) draws whole parameter points from the declared ranges, edges
  included, under the same rules (a ParamError for a combination of values is allowed: it is one
  line naming what is allowed).

Each call has a wall-clock budget; a call past it counts as slow, not as wrong. Models that declare
``slow=True`` run here only in the slow suite.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replicon import registry

from .budget import edge_values, outcome, warm

MODELS = registry.all_models()
FAST = [m for m in MODELS if not m.slow]
SLOW = [m for m in MODELS if m.slow]
BUDGET_FAST, BUDGET_SLOW = 2.0, 30.0


def _edge_cases(models):
    for m in models:
        for p in m.params:
            for v in edge_values(p):
                if v != p.default:
                    yield pytest.param(m, p.name, v, id=f"{m.name}-{p.name}={v}")


def _combination(m, name, detail):
    """A refusal that names another parameter is about a combination of values (allowed: one line
    saying which combinations work), not about the declared range of ``name``."""
    return any(p.name != name and (f"{p.name}=" in detail or f" {p.name} " in f" {detail} ") for p in m.params)


def _check_edge(m, name, value, seconds):
    warm(m)
    kind, detail = outcome(lambda: m.run_solve(**{name: value}), seconds)
    assert kind != "param" or _combination(m, name, detail), f"{m.name}: declared {name}={value} is refused: {detail}"


@pytest.mark.parametrize("m,name,value", list(_edge_cases(FAST)))
def test_declared_edges_are_solved_honestly(m, name, value):
    _check_edge(m, name, value, BUDGET_FAST)


@pytest.mark.slow
@pytest.mark.parametrize("m,name,value", list(_edge_cases(SLOW)))
def test_declared_edges_are_solved_honestly_slow_models(m, name, value):
    _check_edge(m, name, value, BUDGET_SLOW)


def _sim_size(m):
    """The smallest cheap simulation: N at its lower edge or 20, one seed."""
    out = {}
    for p in m.sim_params:
        if p.name == "N":
            lo = int(p.lo or 2)
            out["N"] = max(lo, 12)
        elif p.name == "seeds":
            out["seeds"] = 1
    return out


def _sim_edge_cases(models):
    for m in models:
        if m.simulate is None:
            continue
        for p in m.params:
            q = m.sim_view(p)
            if q.kind not in ("float", "int") or (q.kind == "int" and q.choices):
                continue
            for v in edge_values(q):
                if q.hi is None and v in (1e6, 10 ** 6):
                    continue   # huge values make huge simulations; the memory check is tested apart
                yield pytest.param(m, p.name, v, id=f"{m.name}-{p.name}={v}")


@pytest.mark.slow
@pytest.mark.parametrize("m,name,value", list(_sim_edge_cases(FAST)))
def test_declared_edges_are_simulated(m, name, value):
    """simulate accepts its declared range (sim_ranges where it differs from solve's), edges included."""
    warm(m)
    base = _sim_size(m)
    for p in m.params:   # defaults that the simulation does not take are replaced by a simulable value
        q = m.sim_view(p)
        if q is not p and p.name != name:
            base[p.name] = edge_values(q)[0]
    kind, detail = outcome(lambda: m.run_simulate(**base, **{name: value}), 20.0)
    assert kind != "param" or _combination(m, name, detail), \
        f"{m.name}: declared {name}={value} is refused by simulate: {detail}"


def _strategy(p):
    if p.kind == "int" and p.choices:
        return st.sampled_from(list(p.choices))
    if p.kind == "choice":
        return st.sampled_from(list(p.choices))
    if p.kind == "bool":
        return st.booleans()
    if p.kind in ("float", "int"):
        edges = edge_values(p)
        lo = p.lo if p.lo is not None else -1e6
        hi = p.hi if p.hi is not None else 1e6
        if p.kind == "int":
            inner = st.integers(int(math.ceil(lo + (1 if p.lo_open else 0))),
                                int(math.floor(hi - (1 if p.hi_open else 0))))
            near = st.integers(int(math.ceil(lo)), int(min(hi, max(lo, 0) + 20)))
            near = near.filter(lambda v: not ((p.lo_open and v == p.lo) or (p.hi_open and v == p.hi)))
        else:
            inner = st.floats(lo, hi, exclude_min=p.lo_open, exclude_max=p.hi_open, allow_nan=False)
            default = float(p.default) if isinstance(p.default, (int, float)) else 1.0
            span = 10.0 * max(1.0, abs(default))
            near = st.floats(max(lo, default - span), min(hi, default + span), exclude_min=p.lo_open,
                             exclude_max=p.hi_open, allow_nan=False)
        return st.one_of(st.sampled_from(edges or [p.default]), near, inner) if edges else st.one_of(near, inner)
    return st.just(p.default)


def _points(m):
    return st.fixed_dictionaries({p.name: _strategy(p) for p in m.params if p.kind != "array"})


def _property(m, n, seconds):
    warm(m)
    @settings(max_examples=n, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(_points(m))
    def check(point):
        outcome(lambda: m.run_solve(**point), seconds)

    check()


@pytest.mark.parametrize("m", FAST, ids=lambda m: m.name)
def test_random_points_are_solved_honestly(m):
    _property(m, 4, BUDGET_FAST)


@pytest.mark.slow
@pytest.mark.parametrize("m", MODELS, ids=lambda m: m.name)
def test_random_points_are_solved_honestly_many(m):
    _property(m, 30 if not m.slow else 8, BUDGET_SLOW)
