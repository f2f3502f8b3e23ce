"""Registry entries of online learning: committee.online, perceptron.online."""

from __future__ import annotations

from ..registry import Model, Param, lazy, register
from .common import BYTES

# ---------------------------------------------------------------------------
# Online learning: committee.online, perceptron.online (issue 3)
# theory: replicon/theory/online/; simulation: replicon/simulate/online.py
# (imported lazily so that `replicon models` stays fast)
# ---------------------------------------------------------------------------

def _committee_online_compare_theory(measurement, params):
    """ODE from each seed's own initial (Q, R), on the measurement's alpha grid (fair plateau escape)."""
    from ..theory.online import committee_online
    p = {k: v for k, v in params.items() if k not in ("N", "seeds", "seed", "Q0", "R0", "R0_diag", "T")}
    grid = measurement.coords["alpha"]
    T = measurement.extra.get("T", params.get("T"))
    return [committee_online(**p, Q0=q, R0=r, R0_diag=0.0, T=T, alpha_grid=grid)
            for q, r in zip(measurement.extra["Q0_measured"], measurement.extra["R0_measured"])]


_ONLINE_SIM_PARAMS = [
    Param("N", 1000, "input dimension", kind="int", lo=2),
    Param("seeds", 5, "independent runs", kind="int", lo=1),
    Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
]

register(Model(
    name="committee.online",
    cost="about a second for K = M = 3 to alpha = 1000 (compiled ODEs), seconds for K = M = 10, about a "
         "minute for K = M = 20 (measured on the loaded 2-core machine, start-up included); relu: LSODA, slower",
    slow=True,
    summary="online SGD of a soft committee machine: order-parameter ODEs (Saad & Solla) vs SGD",
    params=[
        Param("K", 3, "student hidden units", kind="int", lo=1, hi=50),
        Param("M", 3, "teacher hidden units", kind="int", lo=1, hi=50),
        Param("eta", 0.5, "learning rate (step eta/sqrt(N) on J, |J_i|^2 = N Q_ii)", lo=0, lo_open=True),
        Param("activation", "erf", "g(x): erf(x/sqrt2), linear or relu (max(0, x))", kind="choice",
              choices=("erf", "linear", "relu")),
        Param("Q0", 0.5, "initial Q_ii (off-diagonal 0); a KxK matrix from Python", kind="array"),
        Param("R0", 0.0, "initial R_in; a KxM matrix from Python", kind="array"),
        Param("R0_diag", 1e-3, "added to R_ii at start: breaks the hidden-unit symmetry (0: stay on the plateau)"),
        Param("T", None, "teacher overlaps T_nm = B_n.B_m/N (default identity; scalar means T*1)",
              kind="array", allow_none=True),
        Param("sigma", 0.0, "teacher label-noise standard deviation", lo=0),
        Param("weight_decay", 0.0, "weight decay gamma: J <- (1 - eta gamma/N) J + ...", lo=0),
        Param("learn_v", False, "also learn the second layer (Goldt et al. 2019)", kind="bool"),
        Param("eta_v", None, "second-layer learning rate (default eta)", lo=0, lo_open=True, allow_none=True),
        Param("v0", 1.0, "initial student second-layer weights", kind="array"),
        Param("v_teacher", 1.0, "teacher second-layer weights", kind="array"),
        Param("alpha_max", 1000.0, "last alpha = examples/N (the grid ends exactly here)", lo=0, lo_open=True),
        Param("n_points", 200, "number of output points", kind="int", lo=2, hi=100000),
        Param("spacing", "log", "output grid spacing", kind="choice", choices=("log", "linear")),
    ],
    solve=lazy("replicon.theory.online:committee_online"),
    outputs={
        "alpha": "output grid (examples per input dimension)",
        "eps_g": "generalisation error <(sigma - tau)^2>/2 along alpha",
        "Q": "student-student overlaps Q_ik(alpha), shape (n, K, K); also Q_i_k per entry",
        "R": "student-teacher overlaps R_in(alpha), shape (n, K, M); also R_i_n per entry",
        "plateau_height": "eps_g at the unspecialised fixed point the trajectory visits at this eta (erf, T = 1, "
                          "unit second layers, K >= 2; omitted, with a note, where it is not attracting)",
        "plateau_start": "alpha where eps_g enters the band plateau_tol around plateau_height (omitted if never)",
        "plateau_end": "alpha where eps_g leaves that band for good (the escape; omitted, with a note, if it "
                       "is still on the plateau at alpha_max)",
        "eps_sym_eta0": "eps_g of the eta -> 0 symmetric plateau",
        "decay_rate": "asymptotic exponential decay rate of eps_g (K = M, linearisation)",
        "eta_max": "largest stable learning rate at the perfect solution (K = M)",
        "eta_opt": "learning rate of fastest asymptotic decay (K = M)",
        "eps_g_final": "eps_g at alpha_max",
    },
    simulate=lazy("replicon.simulate.online:committee_online_sgd"),
    memory=lambda p: BYTES * 12.0 * p["K"] ** 2 * (p["K"] + p["M"]) ** 2 + BYTES * 4.0 * p["n_points"] * p["K"] * (p["K"] + p["M"]),
    sim_memory=lambda p: BYTES * (520.0 * p["N"] + 4.0 * p["n_points"] * p["K"] * (p["K"] + p["M"])
                                  + 4.0 * p["N"] * (p["K"] + p["M"])),
    sim_params=_ONLINE_SIM_PARAMS,
    compare={"x": "alpha", "N": [500, 1000], "seeds": 5, "observables": ["eps_g"]},
    trajectory="alpha",
    references="Saad & Solla PRE 52, 4225 (1995); Biehl & Schwarze J Phys A 28, 643 (1995); "
               "Goldt et al. NeurIPS 2019 (arXiv:1906.08632)",
    hooks={"compare_theory": _committee_online_compare_theory},
))

register(Model(
    name="perceptron.online",
    cost="10 ms",
    summary="online perceptron rules (Hebb, perceptron, AdaTron, gd, optimal): R, Q ODEs vs simulation",
    params=[
        Param("rule", "perceptron", "learning rule", kind="choice",
              choices=("hebb", "perceptron", "adatron", "gd", "optimal")),
        Param("eta", 1.0, "learning rate (J += eta/sqrt(N) W xi)", lo=0, lo_open=True),
        Param("Q0", 1.0, "initial |J|^2/N", lo=0),
        Param("R0", 0.0, "initial J.B/N (optimal rule needs R0 > 0)"),
        Param("alpha_max", 100.0, "last alpha (the grid ends exactly here)", lo=0, lo_open=True),
        Param("n_points", 200, "number of output points", kind="int", lo=2, hi=100000),
        Param("spacing", "log", "output grid spacing", kind="choice", choices=("log", "linear")),
    ],
    solve=lazy("replicon.theory.online:perceptron_online"),
    outputs={
        "alpha": "output grid",
        "R": "teacher overlap J.B/N along alpha",
        "Q": "squared norm |J|^2/N along alpha",
        "rho": "normalised overlap R/sqrt(Q)",
        "eps_g": "generalisation error arccos(rho)/pi",
        "eps_g_final": "eps_g at alpha_max",
        "alpha_eps_final": "alpha_max * eps_g(alpha_max) (0.883 asymptotically for the optimal rule)",
    },
    simulate=lazy("replicon.simulate.online:perceptron_online_sgd"),
    memory=lambda p: BYTES * 20.0 * p["n_points"],
    sim_memory=lambda p: BYTES * (8.0 * p["N"] + 20.0 * p["n_points"]),
    sim_params=_ONLINE_SIM_PARAMS,
    compare={"x": "alpha", "N": [500, 2000], "seeds": 5, "observables": ["eps_g"]},
    trajectory="alpha",
    references="Engel & Van den Broeck, Statistical Mechanics of Learning (2001) ch. 9; "
               "Kinouchi & Caticha J Phys A 25, 6243 (1992); Biehl & Schwarze (1995)",
))

