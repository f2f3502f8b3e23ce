"""Landscape family: Franz-Parisi potential and local entropy of perceptron solutions (RS)."""

from .franz_parisi import binary_entropy, franz_parisi

__all__ = ["franz_parisi", "binary_entropy"]
