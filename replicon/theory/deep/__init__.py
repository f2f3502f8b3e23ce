"""Deep perceptron chains in equilibrium: Bayesian deep linear networks (``linear``) and
multi-layer generalised linear models (``glm``); ``spectra`` holds the Marchenko-Pastur tools."""
