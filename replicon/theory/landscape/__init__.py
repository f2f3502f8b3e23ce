"""Landscape family: Franz-Parisi potential and local entropy of perceptron solutions (RS)."""

from .franz_parisi import binary_entropy, franz_parisi
from .local_entropy import breakdown as local_entropy_breakdown
from .local_entropy import local_entropy, local_entropy_curve

__all__ = ["franz_parisi", "binary_entropy", "local_entropy", "local_entropy_curve", "local_entropy_breakdown"]
