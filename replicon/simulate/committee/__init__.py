"""Finite-N committee machines: Metropolis Monte Carlo of Gibbs learning (tree and fully
connected, :mod:`.monte_carlo`) and approximate message passing for Bayes-optimal
learning (:mod:`.amp`)."""
