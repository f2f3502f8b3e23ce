"""Registry entries of the landscape family: the Franz-Parisi potential of the Ising perceptron.

Only what is implemented is declared: ``landscape.franz_parisi`` for ``problem=storage``,
``weights=ising``. The local entropy, its breakdown and the training protocols are not
implemented yet (issue 11).
"""

from __future__ import annotations

from ..registry import Model, Param, lazy, register

register(Model(
    name="landscape.franz_parisi",
    slow=True,
    cost="~20 s per point (2-component RS map with an inner root and finite-difference conjugates)",
    summary="Franz-Parisi entropy S(d) of solutions at distance d from an equilibrium solution, "
            "Ising perceptron storage (RS, ultrametric between references)",
    params=[
        Param("alpha", 0.5, "patterns per weight P/N", lo=0.0, hi=1.2),
        Param("kappa", 0.0, "margin", lo=-2.0, hi=2.0),
        Param("d", 0.1, "normalised Hamming distance from the reference, 0 < d <= 1/2 (solved for "
              "d <= (1 - q_ref)/2, the typical distance)", lo=1e-4, hi=0.5),
        Param("problem", "storage", "storage (implemented)", kind="choice", choices=("storage",)),
        Param("weights", "ising", "ising (implemented)", kind="choice", choices=("ising",)),
    ],
    solve=lazy("replicon.theory.landscape:franz_parisi"),
    outputs={"entropy": "constrained free entropy per weight at distance d (log-number of solutions)",
             "q1": "overlap of two solutions at distance d from the same reference",
             "P": "overlap of such a solution with another reference",
             "q_ref": "Gardner overlap of two references", "R": "1 - 2d",
             "q1_hat": "conjugate of q1", "R_hat": "conjugate of R", "P_hat": "conjugate of P",
             "binary_entropy": "H2(d), an upper bound", "reference_entropy": "Gardner entropy"},
    references="Franz & Parisi, J. Phys. I 5, 1401 (1995); Huang & Kabashima, PRE 90, 052813 (2014)",
))
