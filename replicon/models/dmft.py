"""Registry entry of training dynamics: dmft.glm (issue 14).

theory: replicon/theory/dmft/; simulation: replicon/simulate/dmft.py (imported lazily).
"""

from __future__ import annotations

from ..registry import Model, Param, lazy, register

register(Model(
    name="dmft.glm",
    summary="two-time DMFT of GD, gradient flow, Langevin and (persistent) SGD of a one-layer model vs training at N",
    params=[
        Param("alpha", 2.0, "examples per input dimension P/N", lo=0, lo_open=True),
        Param("data", "teacher", "data model: teacher perceptron, or mixture (two balanced Gaussian clusters "
              "+-v/sqrt N of variance Delta, Mignacco et al. 2020; teacher unused, m = w.v/N)",
              kind="choice", choices=("teacher", "mixture")),
        Param("teacher", "linear", "teacher output: linear (z + noise) or sign(z + noise)", kind="choice",
              choices=("linear", "sign")),
        Param("Delta", 0.0, "label-noise variance; mixture: the clusters' variance (> 0)", lo=0),
        Param("loss", "square", "training loss: square (y-h)^2/2, logistic log(1+e^{-yh}) or hinge max(0,1-yh)",
              kind="choice", choices=("square", "logistic", "hinge")),
        Param("lam", 0.1, "ridge strength: + lam |w|^2/2", lo=0),
        Param("algorithm", "gd", "gf (Euler), gd (step dt), langevin (temperature T), sgd (batch fraction b), "
              "persistent_sgd (b, persistence tau)", kind="choice",
              choices=("gf", "gd", "langevin", "sgd", "persistent_sgd")),
        Param("dt", 0.1, "time step (the learning rate of gd/sgd); t_max/dt <= 4000 steps", lo=0.0025, hi=10.0),
        Param("t_max", 10.0, "last time (grid t_k = k dt, 1 to 4000 steps)", lo=0.1, hi=400.0),
        Param("T", 0.0, "Langevin temperature (algorithm=langevin only)", lo=0),
        Param("b", 1.0, "batch fraction of (persistent) SGD, in (0, 1]", lo=0, hi=1, lo_open=True),
        Param("tau", 1.0, "persistence time of persistent_sgd's selection", lo=0, lo_open=True),
        Param("m0", 0.0, "initial teacher overlap w(0).w*/N"),
        Param("q0", 0.0, "norm^2/N of the random part of w(0) (orthogonal to w*): |w(0)|^2/N = m0^2 + q0", lo=0),
        Param("spherical", False, "constrain |w|^2 = N at every step (Lagrange multiplier; w(0) rescaled)",
              kind="bool"),
    ],
    solve=lazy("replicon.theory.dmft:dmft_glm"),
    outputs={
        "time": "output grid t_k = k dt",
        "m": "teacher overlap w(t).w*/N (mixture: w(t).v/N with the cluster mean v)",
        "q": "squared norm C(t, t) = |w(t)|^2/N",
        "train_loss": "(1/P) sum_mu loss(y_mu, h_mu(t)) (ridge term excluded)",
        "train_error": "training misclassification (sign teacher) or training MSE (linear)",
        "test_loss": "E loss(y, h) on a fresh example",
        "test_error": "arccos(m/sqrt(q(1+Delta)))/pi (sign teacher), E (y-h)^2 (linear), H(m/sqrt(Delta q)) "
                      "(mixture)",
    },
    simulate=lazy("replicon.simulate.dmft:dmft_glm_training"),
    sim_params=[
        Param("N", 500, "input dimension", kind="int", lo=2),
        Param("seeds", 5, "independent training sets", kind="int", lo=1),
        Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
    ],
    compare={"x": "time", "N": [250, 500], "seeds": 5, "observables": ["m", "q", "test_error"]},
    trajectory="time",
    references="Mignacco, Krzakala, Urbani & Zdeborova NeurIPS 2020 (arXiv:2006.06098); "
               "Gerbelot et al. 2022 (arXiv:2210.06591); Agoritsas et al. J Phys A 51, 085002 (2018)",
))
