"""Finite-N simulations (numba kernels). Imports nothing from replicon.theory."""

from .measurement import Measurement  # noqa: F401
