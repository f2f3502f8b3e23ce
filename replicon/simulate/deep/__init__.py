"""Finite-N simulations of deep perceptron chains: posterior sampling of deep linear networks
(``linear``) and multi-layer AMP (``amp``)."""
