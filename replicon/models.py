"""The built-in model registry: one entry per model.

Each entry binds a model's theory (``replicon.theory``) to its simulation
(``replicon.simulate``); everything generic (CLI, compare, scan, plot) works
from these entries alone. See :mod:`replicon.registry` for the machinery.
"""

from __future__ import annotations

from .registry import Model, Param, register  # noqa: F401

# ---------------------------------------------------------------------------
# Entries are appended below, one block per model family.
# ---------------------------------------------------------------------------
