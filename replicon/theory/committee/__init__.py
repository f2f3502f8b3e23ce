"""Committee machines: replica theory of K hidden sign units and a vote.

- :mod:`.bayes`: Bayes-optimal learning (K = 1, 2, 3; Gaussian or binary prior), state
  evolution, specialisation thresholds (Aubin et al. 2018);
- :mod:`.bayes_large_k`: the same for K -> infinity at alpha_tilde = P/(K N);
- :mod:`.tree`, :mod:`.tree_large_k`: Gibbs learning of the tree committee (disjoint
  receptive fields), finite odd K and K -> infinity (Schwarze & Hertz 1992);
- :mod:`.fully`, :mod:`.fully_large_k`: Gibbs learning of the fully connected committee
  (Schwarze & Hertz 1993; Schwarze 1993);
- :mod:`.storage`: the Gardner volume of the tree committee, its capacity and AT line.

Nothing is re-exported here: several modules share their name with their main function
(``bayes.bayes``, ``storage.storage``), so import from the module.
"""
