"""Parameters shared by several families' registry entries."""

from __future__ import annotations

from ..registry import Param

WEIGHTS = Param("weights", "spherical", "weight prior: spherical (|J|^2 = N) or ising (J_i = +-1)",
                 kind="choice", choices=("spherical", "ising"))
