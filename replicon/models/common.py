"""Parameters shared by several families' registry entries."""

from __future__ import annotations

from ..registry import Param

WEIGHTS = Param("weights", "spherical", "weight prior: spherical (|J|^2 = N) or ising (J_i = +-1)",
                 kind="choice", choices=("spherical", "ising"))

BYTES = 8.0   # float64


def teacher_data_bytes(p: dict, weights_per_input: float = 1.0) -> float:
    """Memory of one teacher-student data set held by a sampler: the N x P input matrix (P = alpha x
    the number of weights) with a working copy, plus O(N + P) vectors."""
    N = float(p["N"])
    P = max(1.0, float(p.get("alpha", 1.0)) * N * weights_per_input)
    return BYTES * (2.0 * N * P + 10.0 * (N + P))
