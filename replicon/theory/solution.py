"""The result of a theory solve: one point, all its branches, honest about convergence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._util import to_plain


class ConvergenceError(RuntimeError):
    """Raised by ``strict=True`` solves when no converged solution was found."""


@dataclass
class Solution:
    """One solution of a model's saddle-point (or dynamical) equations.

    Attributes
    ----------
    model, params : the model name and the control parameters it was solved at.
    order : order parameters (q, R, ...), conjugates (q_hat, ...) included.
    observables : derived quantities (eps_g, entropy, trajectories, ...).
    free_energy : free energy per weight, ``-f/beta`` (at T=0 this is ``-entropy``:
        lower is more stable in both cases). ``None`` where a model has none.
    converged, residual, iterations : honesty about the numerics; ``residual``
        is the undamped fixed-point residual (max norm).
    branch : branch label (model specific, e.g. ``"poor"``, ``"perfect"``).
    status : ``"thermodynamic"``, ``"metastable"`` or ``"unstable"`` (or ``None``).
    stable : replicon (AT) stability of the RS solution, where computed;
        ``replicon_eigenvalue`` its value (negative means unstable).
    branches : every distinct solution at this point (each a Solution without
        nested branches); ``self`` is the thermodynamic one.
    message : why a solve failed, or notes.
    """

    model: str
    params: dict[str, Any]
    order: dict[str, Any] = field(default_factory=dict)
    observables: dict[str, Any] = field(default_factory=dict)
    free_energy: float | None = None
    converged: bool = True
    residual: float = 0.0
    iterations: int = 0
    branch: str | None = None
    status: str | None = None
    stable: bool | None = None
    replicon_eigenvalue: float | None = None
    branches: list["Solution"] = field(default_factory=list)
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key):
        """``sol["eps_g"]``: look up an observable, then an order parameter, then a param."""
        for d in (self.observables, self.order, self.params, self.extra):
            if key in d:
                return d[key]
        if key == "free_energy":
            return self.free_energy
        raise KeyError(key)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def branch_named(self, label: str) -> "Solution | None":
        for b in self.branches or [self]:
            if b.branch == label:
                return b
        return None

    def to_dict(self, with_branches: bool = True) -> dict[str, Any]:
        d = {
            "model": self.model,
            "params": self.params,
            "order": self.order,
            "observables": self.observables,
            "free_energy": self.free_energy,
            "converged": self.converged,
            "residual": self.residual,
            "iterations": self.iterations,
            "branch": self.branch,
            "status": self.status,
            "stable": self.stable,
        }
        if self.replicon_eigenvalue is not None:
            d["replicon_eigenvalue"] = self.replicon_eigenvalue
        if self.message:
            d["message"] = self.message
        d.update(self.extra)
        if with_branches and len(self.branches) > 1:
            d["branches"] = [b.to_dict(with_branches=False) for b in self.branches]
        return to_plain(d)

    @classmethod
    def failed(cls, model: str, params: dict, message: str, residual=float("nan"), iterations=0):
        return cls(model=model, params=dict(params), converged=False, residual=residual,
                   iterations=iterations, message=message)

    def __repr__(self) -> str:
        obs = ", ".join(f"{k}={v:.6g}" for k, v in self.observables.items()
                        if isinstance(v, (float, int, np.floating)))
        tag = self.branch or ""
        if not self.converged:
            return f"Solution({self.model}, {self.params}, NOT CONVERGED: {self.message})"
        nb = f", {len(self.branches)} branches" if len(self.branches) > 1 else ""
        return f"Solution({self.model} {tag} [{self.status}], {obs}{nb})"


def select_thermodynamic(model: str, params: dict, sols: list["Solution"], strict: bool = False) -> "Solution":
    """Label the branches at one point and return the thermodynamic one carrying all of them.

    The thermodynamic branch has the lowest free energy among branches not
    already marked ``"unstable"`` (fixed points that repel the iteration:
    free-entropy saddles, never thermodynamic); the others become
    ``"metastable"``. With no solution at all, a failed Solution (or
    ConvergenceError if ``strict``): never an unconverged point as a result.
    """
    if not sols:
        msg = "no converged RS solution found from any initialisation"
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(model, params, msg)
    sols.sort(key=lambda s: (s.status == "unstable", s.free_energy))
    for i, s in enumerate(sols):
        if s.status != "unstable":
            s.status = "thermodynamic" if i == 0 else "metastable"
    best = sols[0]
    best.branches = list(sols)
    return best
