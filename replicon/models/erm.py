"""Registry entry of empirical risk minimisation: erm.glm (issue 14).

theory: replicon/theory/erm.py; simulation: replicon/simulate/erm.py (imported lazily).
"""

from __future__ import annotations

from ..registry import Model, Param, lazy, register

ERM_PARAMS = [
    Param("alpha", 2.0, "examples per input dimension P/N", lo=0, lo_open=True),
    Param("data", "teacher", "data model: teacher perceptron, or mixture (two balanced Gaussian clusters "
          "+-v/sqrt N of variance Delta, Mignacco et al. 2020; teacher is then unused)",
          kind="choice", choices=("teacher", "mixture")),
    Param("teacher", "sign", "teacher output: linear (z + noise) or sign(z + noise)", kind="choice",
          choices=("linear", "sign")),
    Param("Delta", 0.0, "label-noise variance (added to the teacher field); mixture: the clusters' variance (> 0)",
          lo=0),
    Param("loss", "logistic", "training loss: square (y-h)^2/2, logistic log(1+e^{-yh}), hinge max(0,1-yh)",
          kind="choice", choices=("square", "logistic", "hinge")),
    Param("lam", 0.1, "ridge strength: + lam |w|^2 / 2", lo=0, lo_open=True),
]

register(Model(
    name="erm.glm",
    summary="ridge-regularised empirical risk minimiser of a one-layer model: RS (proximal) theory vs scipy",
    params=ERM_PARAMS,
    solve=lazy("replicon.theory.erm:erm_glm"),
    outputs={
        "m": "teacher overlap w.w*/N of the minimiser (mixture: w.v/N with the cluster mean v)",
        "q": "squared norm |w|^2/N",
        "train_loss": "(1/P) sum_mu loss(y_mu, h_mu) at the minimiser (ridge term excluded)",
        "train_error": "fraction of misclassified training labels (sign teacher) or training MSE (linear)",
        "test_loss": "E loss(y, h) on a fresh example",
        "test_error": "arccos(m/sqrt(q(1+Delta)))/pi (sign teacher), E (y-h)^2 (linear), H(m/sqrt(Delta q)) "
                      "(mixture)",
    },
    simulate=lazy("replicon.simulate.erm:erm_glm_minimiser"),
    sim_params=[
        Param("N", 200, "input dimension", kind="int", lo=2),
        Param("seeds", 10, "independent training sets", kind="int", lo=1),
        Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
    ],
    compare={"x": "alpha", "grid": "0.5:4:5", "N": [100, 200], "seeds": 10,
             "observables": ["m", "q", "test_error"]},
    references="Aubin, Krzakala, Lu & Zdeborova NeurIPS 2020 (arXiv:2006.06560); "
               "Loureiro et al. NeurIPS 2021 (arXiv:2102.08127); Mignacco et al. ICML 2020 (arXiv:2002.11544)",
    grid_parameter="alpha",
))
