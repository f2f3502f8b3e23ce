"""Registry entries of the deep tree committee machines (issue 15): committee.deep, committee.deep_storage,
committee.deep_capacity, committee.deep_transition. theory: replicon/theory/committee/deep.py, deep_storage.py;
simulation: replicon/simulate/committee/deep.py (all imported lazily)."""

from __future__ import annotations

from ..registry import Model, Param, lazy, register

_BRANCHING = Param("branching", "3,3", "branching K_1,...,K_L from the first hidden layer up (each 1..7; odd "
                   "under majority; at most 81 first-layer units)", kind="array")
_OUTPUT = Param("output", "majority", "rule of every unit above the first layer and of the output",
                kind="choice", choices=("majority", "parity"))
_ACTIVATION = Param("activation", "sign", "first-layer activation (relu: storage only, one hidden layer of K even "
                    "units entering the output with weights +1 (first half) and -1 (second half))", kind="choice",
                    choices=("sign", "relu"))
_ACTIVATION_TS = Param("activation", "sign", "first-layer activation (relu: the two-unit tree, branching=2, output "
                       "sign(relu(h_1) - relu(h_2)); its sampler takes weights=ising)", kind="choice",
                       choices=("sign", "relu"))
_KAPPA = Param("kappa", 0.0, "margin: every first-layer field |h| >= kappa (sign units; relu: 0 only)", lo=0.0,
               hi=10.0)
_WEIGHTS = Param("weights", "spherical", "first-layer weights: spherical or ising (J_i = +-1)", kind="choice",
                 choices=("spherical", "ising"))

register(Model(
    name="committee.deep",
    slow=True,
    cost="about 10 s at T = 0 for two hidden layers, 80-170 s at T > 0",
    summary="teacher-student Gibbs learning of a deep tree committee (majority or parity, sign units; or the "
            "two-unit relu tree), RS, all branches",
    params=[_BRANCHING, _OUTPUT, _ACTIVATION_TS,
            Param("alpha", 1.0, "examples per first-layer weight P/N", lo=0.0),
            Param("T", 0.0, "training temperature (0: uniform on the version space)", lo=0.0), _WEIGHTS],
    solve=lazy("replicon.theory.committee.deep:deep"),
    simulate=lazy("replicon.simulate.committee.deep:simulate_deep"),
    sim_params=[
        Param("N", 180, "first-layer weights (a multiple of the number of first-layer units)", kind="int", lo=1),
        Param("seeds", 8, "independent realisations (data and dynamics)", kind="int", lo=1),
        Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
        Param("sweeps", None, "measured Metropolis sweeps (default 300; needs T > 0)", kind="int", lo=1,
              allow_none=True),
        Param("burn", None, "equilibration sweeps (default 300)", kind="int", lo=0, allow_none=True),
    ],
    compare={"x": "alpha", "grid": "1:3:3", "N": [90, 180, 360], "seeds": 8,
             "observables": ["eps_g", "R", "q", "eps_t"]},
    grid_parameter="alpha",
    outputs={"R": "student-teacher overlap per first-layer unit", "q": "overlap of two students per unit",
             "eps_g": "generalisation error of the output", "eps_hidden": "first-layer unit error arccos(R)/pi",
             "eps_layers": "errors of the units of layers 1..L", "eps_t": "training error per example",
             "entropy": "entropy per weight", "free_entropy": "log Z / N",
             "R_1": "relu tree: overlap of the +1 unit", "R_2": "relu tree: overlap of the -1 unit",
             "q_1": "relu tree: replica overlap of the +1 unit", "q_2": "relu tree: replica overlap of the -1 unit"},
    references="Barkai, Hansel & Kanter PRL 65, 2312 (1990); Hansel, Mato & Meunier EPL 20, 471 (1992); "
               "Schwarze & Hertz 1992; Engel & Van den Broeck ch. 12; relu: Baldassi, Malatesta & Zecchina "
               "PRL 123, 170602 (2019)",
))

register(Model(
    name="committee.deep_storage",
    slow=True,
    cost="about 10 s for two hidden layers; relu K = 2 about 20 s",
    summary="Gardner volume of a deep tree committee (random labels; sign units, margin kappa; or the K = 2 relu "
            "tree): q, entropy, RS capacity, replicon eigenvalue",
    params=[_BRANCHING, _OUTPUT, _ACTIVATION,
            Param("alpha", 1.0, "random patterns per first-layer weight P/N", lo=0.0), _KAPPA, _WEIGHTS],
    solve=lazy("replicon.theory.committee.deep_storage:deep_storage"),
    outputs={"q": "overlap of two solutions", "entropy": "log fractional volume per weight",
             "alpha_c": "RS capacity (spherical; q -> 1 least-cost formula, Monte Carlo average)",
             "alpha_c_sem": "its standard error",
             "alpha_c_large_k": "relu: the K -> infinity RS capacity 2 pi/(pi - 1)"},
    references="Barkai, Hansel & Kanter PRL 65, 2312 (1990); Engel & Van den Broeck ch. 12; relu: Baldassi, "
               "Malatesta & Zecchina PRL 123, 170602 (2019); Zavatone-Veth & Pehlevan PRE 103, L020301 (2021)",
))

register(Model(
    name="committee.deep_capacity",
    slow=True,
    cost="seconds (spherical: least-cost Monte Carlo; relu K = 512 about a minute); Ising zero entropy: "
         "seconds for one layer, minutes for two",
    summary="RS storage capacity of a deep tree committee (sign units with margin kappa, or the relu tree of any "
            "even K): spherical alpha_c, Ising zero-entropy alpha",
    params=[_BRANCHING, _OUTPUT, _ACTIVATION, _KAPPA, _WEIGHTS],
    solve=lazy("replicon.theory.committee.deep_storage:deep_capacity"),
    outputs={"alpha_c": "spherical RS capacity (q -> 1 least-cost formula, Monte Carlo average)",
             "alpha_c_sem": "its standard error", "alpha_c_large_k": "relu: K -> infinity value 2 pi/(pi - 1)",
             "alpha_zero_entropy": "Ising: where the RS entropy of the Gardner volume vanishes",
             "q_at_zero_entropy": "Ising: overlap there"},
    references="Gardner 1988; Krauth & Mezard 1989 (Ising zero entropy, K = 1); Barkai, Hansel & Kanter 1990; "
               "Baldassi, Malatesta & Zecchina 2019; Zavatone-Veth & Pehlevan 2021",
))

register(Model(
    name="committee.deep_transition",
    slow=True,
    cost="minutes",
    summary="first-order transition of a deep tree: parity (spherical, T = 0) symmetric -> generalising, "
            "Ising poor -> perfect; spinodal",
    params=[_BRANCHING, Param("output", "parity", "unit rule", kind="choice", choices=("majority", "parity")),
            Param("T", 0.0, "training temperature", lo=0.0), _WEIGHTS],
    solve=lazy("replicon.theory.committee.deep:deep_transition"),
    outputs={"alpha_transition": "free entropies of the two branches cross",
             "alpha_spinodal": "the generalising (Ising: poor) branch ends",
             "R_at_transition": "overlap of the generalising (poor) branch at the transition"},
    references="Hansel, Mato & Meunier EPL 20, 471 (1992) (parity machine, first-order transition)",
))
