"""The built-in model registry: one entry per model.

Each entry binds a model's theory (``replicon.theory``) to its simulation
(``replicon.simulate``); everything generic (CLI, compare, scan, plot) works
from these entries alone. See :mod:`replicon.registry` for the machinery.
"""

from __future__ import annotations

from .registry import Model, Param, lazy, register  # noqa: F401

# ---------------------------------------------------------------------------
# Entries are appended below, one block per model family.
# ---------------------------------------------------------------------------

# ---------------------------------------------------------------------------
# Perceptron: storage, capacity, teacher-student (theory/perceptron.py,
# simulate/perceptron.py). Imports are lazy so that listing models is fast.
# ---------------------------------------------------------------------------

_WEIGHTS = Param("weights", "spherical", "weight prior: spherical (|J|^2 = N) or ising (J_i = +-1)",
                 kind="choice", choices=("spherical", "ising"))














def _perceptron_markers(fixed, x):
    """Transition and spinodal of Ising teacher-student learning, for overlays along alpha."""
    if x != "alpha" or fixed.get("weights") != "ising":
        return {}
    from .theory.perceptron import teacher_transition

    sol = teacher_transition(T=fixed.get("T", 0.0))
    if not sol.converged:
        return {}
    return {"transition": sol["alpha_transition"], "spinodal": sol["alpha_spinodal"]}


def _rule_solve(alpha=1.0, rule="hebb"):
    from .theory.perceptron import hebb, max_stability

    return hebb(alpha=alpha) if rule == "hebb" else max_stability(alpha=alpha)


def _rule_sim(alpha=1.0, rule="hebb", N=200, seeds=8, seed=0):
    from .simulate.perceptron import simulate_rule

    return simulate_rule(alpha=alpha, rule="adatron" if rule == "maxstab" else rule, N=N, seeds=seeds, seed=seed)


_PERCEPTRON_SIM = [
    Param("N", 100, "number of weights", kind="int", lo=2),
    Param("seeds", 8, "independent realisations (data and dynamics)", kind="int", lo=1),
    Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
]

register(Model(
    name="perceptron.storage",
    summary="Gardner volume of a perceptron storing random patterns with margin kappa (RS)",
    params=[
        Param("alpha", 1.0, "patterns per weight P/N", lo=0.0),
        Param("kappa", 0.0, "margin (stability threshold)", lo=-10.0, hi=10.0),
        _WEIGHTS,
    ],
    solve=lazy("replicon.theory.perceptron:storage"),
    outputs={"q": "overlap of two solutions", "entropy": "log fractional volume (spherical) or "
             "log number (Ising) of solutions per weight", "stable": "replicon (AT) stability"},
    references="Gardner 1988; Gardner & Derrida 1988; Engel & Van den Broeck ch. 6-7",
))

register(Model(
    name="perceptron.capacity",
    summary="RS storage capacity alpha_c(kappa); Ising: also the zero-entropy point",
    params=[Param("kappa", 0.0, "margin", lo=-10.0, hi=10.0), _WEIGHTS],
    solve=lazy("replicon.theory.perceptron:capacity"),
    outputs={"alpha_c": "RS capacity (q -> 1)",
             "alpha_zero_entropy": "Ising: where the RS entropy vanishes (Krauth-Mezard 0.833 at kappa=0)",
             "q_at_zero_entropy": "Ising: overlap there"},
    references="Gardner 1988 eq. (28); Gardner & Derrida 1988; Krauth & Mezard 1989",
))

register(Model(
    name="perceptron.teacher",
    summary="teacher-student Gibbs learning at temperature T (spherical or Ising), all branches",
    params=[
        Param("alpha", 1.0, "examples per weight P/N", lo=0.0),
        Param("T", 0.0, "training temperature (0: uniform on the version space)", lo=0.0),
        _WEIGHTS,
        Param("student", "gibbs", "gibbs (a Gibbs sample) or bayes (its centre of mass)",
              kind="choice", choices=("gibbs", "bayes")),
    ],
    solve=lazy("replicon.theory.perceptron:teacher"),
    outputs={"R": "student-teacher overlap", "q": "overlap of two students",
             "eps_g": "generalisation error of the chosen student",
             "eps_g_gibbs": "arccos(R)/pi", "eps_g_bayes": "arccos(R/sqrt q)/pi",
             "eps_t": "training error per example", "entropy": "entropy per weight",
             "free_entropy": "log Z / N"},
    simulate=lazy("replicon.simulate.perceptron:simulate_teacher"),
    sim_params=_PERCEPTRON_SIM + [
        Param("sweeps", None, "measured Monte Carlo sweeps (default 200-300)", kind="int", lo=1, allow_none=True),
        Param("burn", None, "equilibration sweeps (default 200-300)", kind="int", lo=0, allow_none=True),
    ],
    grid_parameter="alpha",
    compare={"x": "alpha", "grid": "0.5:3:4", "N": [25, 50, 100], "seeds": 12,
             "observables": ["eps_g", "R", "q"]},
    hooks={"markers": _perceptron_markers, "solve_near": lazy("replicon.theory.perceptron:teacher_near")},
    references="Engel & Van den Broeck ch. 2, 4, 7; Gyorgyi PRA 41, 7097 (1990); "
               "Sompolinsky, Tishby & Seung PRL 65, 1683 (1990)",
))

register(Model(
    name="perceptron.transition",
    summary="Ising teacher-student: first-order transition to perfect generalisation and spinodal",
    params=[Param("T", 0.0, "training temperature", lo=0.0),
            Param("weights", "ising", "only ising has the transition", kind="choice", choices=("ising",))],
    solve=lazy("replicon.theory.perceptron:teacher_transition"),
    outputs={"alpha_transition": "free entropies of the poor and perfect states cross",
             "alpha_spinodal": "the poor-generalisation branch ends",
             "R_poor_at_transition": "overlap of the poor branch at the transition"},
    references="Gyorgyi 1990 (1.245, 1.493 at T = 0); Sompolinsky, Tishby & Seung 1990",
))

register(Model(
    name="perceptron.rule",
    summary="learning rules on teacher data: Hebb (closed form) and maximal stability (AdaTron)",
    params=[Param("alpha", 1.0, "examples per weight P/N", lo=0.0),
            Param("rule", "hebb", "hebb (J = sum sigma xi) or maxstab (maximal stability; simulated by AdaTron)",
                  kind="choice", choices=("hebb", "maxstab"))],
    solve=_rule_solve,
    outputs={"R": "normalised student-teacher overlap", "eps_g": "arccos(R)/pi",
             "kappa": "maxstab: the maximal stability reached"},
    simulate=_rule_sim,
    sim_params=[Param("N", 200, "number of weights", kind="int", lo=2),
                Param("seeds", 8, "independent data sets", kind="int", lo=1),
                Param("seed", 0, "master seed", kind="int", lo=0)],
    compare={"x": "alpha", "grid": "0.5:8:5", "N": [100, 400], "seeds": 10, "observables": ["eps_g", "R"]},
    references="Vallet 1989 (Hebb); Gardner 1988, Opper et al. J Phys A 23 L581 (1990) (maximal stability); "
               "Anlauf & Biehl 1989 (AdaTron); Engel & Van den Broeck ch. 3",
))


# ---------------------------------------------------------------------------
# Online learning: committee.online, perceptron.online (issue 3)
# theory: replicon/theory/online.py; simulation: replicon/simulate/online.py
# (imported lazily so that `replicon models` stays fast)
# ---------------------------------------------------------------------------

def _committee_online_compare_theory(measurement, params):
    """ODE from each seed's own initial (Q, R), on the measurement's alpha grid (fair plateau escape)."""
    from .theory.online import committee_online
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
    summary="online SGD of a soft committee machine: order-parameter ODEs (Saad & Solla) vs SGD",
    params=[
        Param("K", 3, "student hidden units", kind="int", lo=1),
        Param("M", 3, "teacher hidden units", kind="int", lo=1),
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
        Param("n_points", 200, "number of output points", kind="int", lo=2),
        Param("spacing", "log", "output grid spacing", kind="choice", choices=("log", "linear")),
    ],
    solve=lazy("replicon.theory.online:committee_online"),
    outputs={
        "alpha": "output grid (examples per input dimension)",
        "eps_g": "generalisation error <(sigma - tau)^2>/2 along alpha",
        "Q": "student-student overlaps Q_ik(alpha), shape (n, K, K); also Q_i_k per entry",
        "R": "student-teacher overlaps R_in(alpha), shape (n, K, M); also R_i_n per entry",
        "plateau_height": "eps_g at the symmetric (unspecialised) fixed point at this eta",
        "plateau_start": "alpha where eps_g enters the plateau band",
        "plateau_end": "alpha where eps_g leaves the plateau (escape); nan if not by alpha_max",
        "eps_sym_eta0": "eps_g of the eta -> 0 symmetric plateau",
        "decay_rate": "asymptotic exponential decay rate of eps_g (K = M, linearisation)",
        "eta_max": "largest stable learning rate at the perfect solution (K = M)",
        "eta_opt": "learning rate of fastest asymptotic decay (K = M)",
        "eps_g_final": "eps_g at alpha_max",
    },
    simulate=lazy("replicon.simulate.online:committee_online_sgd"),
    sim_params=_ONLINE_SIM_PARAMS,
    compare={"x": "alpha", "N": [500, 1000], "seeds": 5, "observables": ["eps_g"]},
    trajectory="alpha",
    references="Saad & Solla PRE 52, 4225 (1995); Biehl & Schwarze J Phys A 28, 643 (1995); "
               "Goldt et al. NeurIPS 2019 (arXiv:1906.08632)",
    hooks={"compare_theory": _committee_online_compare_theory},
))

register(Model(
    name="perceptron.online",
    summary="online perceptron rules (Hebb, perceptron, AdaTron, gd, optimal): R, Q ODEs vs simulation",
    params=[
        Param("rule", "perceptron", "learning rule", kind="choice",
              choices=("hebb", "perceptron", "adatron", "gd", "optimal")),
        Param("eta", 1.0, "learning rate (J += eta/sqrt(N) W xi)", lo=0, lo_open=True),
        Param("Q0", 1.0, "initial |J|^2/N", lo=0),
        Param("R0", 0.0, "initial J.B/N (optimal rule needs R0 > 0)"),
        Param("alpha_max", 100.0, "last alpha (the grid ends exactly here)", lo=0, lo_open=True),
        Param("n_points", 200, "number of output points", kind="int", lo=2),
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
    sim_params=_ONLINE_SIM_PARAMS,
    compare={"x": "alpha", "N": [500, 2000], "seeds": 5, "observables": ["eps_g"]},
    trajectory="alpha",
    references="Engel & Van den Broeck, Statistical Mechanics of Learning (2001) ch. 9; "
               "Kinouchi & Caticha J Phys A 25, 6243 (1992); Biehl & Schwarze (1995)",
))

# ---------------------------------------------------------------------------
# Deep perceptron chains (issue 5): chain.signal, chain.critical, chain.sensitivity.
# Theory and simulation are imported lazily inside the wrappers.
# ---------------------------------------------------------------------------

_CHAIN_ACTIVATIONS = ("tanh", "erf", "relu", "sign", "linear")












def _chain_params(activation="tanh", sigma_b2=0.05, c0=0.5, depth=30):
    return [
        Param("sigma_w2", 1.5, "weight variance times width (W_ij ~ N(0, sigma_w2/N))", lo=0, lo_open=True),
        Param("sigma_b2", sigma_b2, "bias variance", lo=0),
        Param("activation", activation, "activation phi (erf means erf(x/sqrt 2))", kind="choice",
              choices=_CHAIN_ACTIVATIONS),
        Param("q0", 1.0, "squared length |h^0|^2/N of both inputs' layer-0 pre-activations", lo=0, lo_open=True),
        Param("c0", c0, "correlation of the two inputs' layer-0 pre-activations", lo=-1, hi=1),
        Param("depth", depth, "number of layers", kind="int", lo=1, hi=100000),
    ]


_CHAIN_SIM_PARAMS = [
    Param("N", 1000, "layer width", kind="int", lo=2),
    Param("seeds", 8, "independent random networks", kind="int", lo=1),
    Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
    Param("method", "projected", "sampler: projected (exact in law, O(N) per layer) or dense (N x N matrices)",
          kind="choice", choices=("projected", "dense")),
]

register(Model(
    name="chain.signal",
    summary="deep random chain: length and correlation maps, order-to-chaos phase, depth scales",
    params=_chain_params(),
    solve=lazy("replicon.theory.chain:signal"),
    outputs={
        "layer": "layer index l = 0..depth",
        "q": "squared length q_l = |h^l|^2/N per layer",
        "c": "correlation c_l of two inputs per layer",
        "chi1_layer": "mean squared singular value of the Jacobian dh^{l+1}/dh^l per layer",
        "disagreement": "fraction of units whose sign differs between the two inputs, arccos(c_l)/pi",
        "q_star": "fixed point of the length map (inf if q grows without bound)",
        "c_star": "stable fixed point of the correlation map",
        "chi1": "slope of the correlation map at c = 1 (Jacobian mean squared singular value at q*)",
        "chi_q": "slope of the length map at q*",
        "chi_c": "slope of the correlation map at c*",
        "xi_q": "length depth scale -1/log(chi_q)",
        "xi_c": "correlation depth scale -1/log(chi_c) (diverges on the critical line)",
        "phase": "ordered (chi1 < 1), critical or chaotic (chi1 > 1)",
    },
    simulate=lazy("replicon.simulate.chain:measure_signal"),
    sim_params=_CHAIN_SIM_PARAMS,
    compare={"x": "layer", "N": [1000, 2000], "seeds": 10,
             "observables": ["q", "c", "chi1_layer", "disagreement"]},
    trajectory="layer",
    references="Poole et al. NeurIPS 2016 (arXiv:1606.05340); Schoenholz et al. ICLR 2017 "
               "(arXiv:1611.01232); Cho & Saul NeurIPS 2009; Williams 1998",
))

register(Model(
    name="chain.critical",
    summary="order-to-chaos line chi1 = 1: critical sigma_w2 for each sigma_b2",
    params=[
        Param("sigma_b2", 0.05, "bias variance(s): a number or a comma list", kind="array"),
        Param("activation", "tanh", "activation (sign has no transition)", kind="choice",
              choices=("tanh", "erf", "relu", "linear")),
    ],
    solve=lazy("replicon.theory.chain:critical"),
    outputs={
        "sigma_w2_critical": "critical weight variance (chi1 = 1), same shape as sigma_b2",
        "q_star": "length fixed point on the line",
        "chi1": "chi1 on the line (1 up to the root finder's tolerance)",
    },
    references="Poole et al. 2016, eq. (7); Schoenholz et al. 2017, Fig. 1",
))

register(Model(
    name="chain.sensitivity",
    summary="two rho-correlated copies of a deep chain: layer-wise overlap and output disagreement",
    params=[
        *_chain_params(activation="sign", sigma_b2=0.0, c0=1.0, depth=10),
        Param("rho", 0.99, "entry-wise correlation of the two copies' weights and biases", lo=-1, hi=1),
    ],
    solve=lazy("replicon.theory.chain:sensitivity"),
    outputs={
        "layer": "layer index l = 0..depth",
        "q": "squared length per layer",
        "c": "overlap of the two copies' pre-activations per layer",
        "disagreement": "fraction of disagreeing signs per layer, arccos(c_l)/pi",
        "output_disagreement": "fraction of disagreeing outputs at the last layer",
        "c_star": "fixed point of the perturbed overlap recursion",
    },
    simulate=lazy("replicon.simulate.chain:measure_sensitivity"),
    sim_params=_CHAIN_SIM_PARAMS,
    compare={"x": "layer", "N": [1000, 2000], "seeds": 10, "observables": ["c", "disagreement"]},
    trajectory="layer",
    references="Li & Saad PRL 120, 248301 (2018); Li & Saad J Phys A 53, 104002 (2020); Poole et al. 2016",
))


# ---------------------------------------------------------------------------
# Committee machines in equilibrium (issue 6): committee.bayes.
# theory: replicon/theory/committee.py (imported lazily inside the wrapper)
# ---------------------------------------------------------------------------

register(Model(
    name="committee.bayes",
    summary="Bayes-optimal committee machine (K = 1, 2, 3; sign): RS overlaps q_d, q_a, errors, specialisation",
    params=[
        Param("K", 2, "hidden units (1, 2 or 3; K = 3: majority vote, symmetric ansatz only)", kind="int",
              lo=1, hi=3),
        Param("alpha", 1.0, "examples per input dimension, P/N", lo=0),
        Param("prior", "gaussian", "weight prior", kind="choice", choices=("gaussian", "binary")),
        Param("activation", "sign", "hidden activation", kind="choice", choices=("sign",)),
        Param("ties", "zero", "K = 2 output on a tie: zero (sign(0)=0, Aubin et al.) or plus (sign(0)=+1)",
              kind="choice", choices=("zero", "plus")),
        Param("ansatz", "symmetric", "overlap ansatz: symmetric (q_d, q_a) or general (full K x K, K <= 2)",
              kind="choice", choices=("symmetric", "general")),
    ],
    solve=lazy("replicon.theory.committee:bayes"),
    simulate=lazy("replicon.simulate.committee_amp:committee_amp_point"),
    sim_params=[
        Param("N", 1000, "input dimension", kind="int", lo=2),
        Param("seeds", 4, "independent teacher instances", kind="int", lo=1),
        Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
        Param("n_iter", 100, "AMP iterations (from a small random start)", kind="int", lo=1),
        Param("damping", 1.0, "AMP damping d in (0, 1]", lo=0, hi=1, lo_open=True),
    ],
    compare={"x": "alpha", "grid": "0.5:2.5:5", "N": [500, 1000], "seeds": 4,
             "observables": ["q_d", "q_a", "eps_g", "eps_bayes"]},
    outputs={
        "q_d": "diagonal part of q = q_d I + (q_a/K) 1 1^T (specialisation)",
        "q_a": "uniform part of q",
        "q": "full K x K overlap matrix (order)",
        "eps_g": "Gibbs (posterior-sample) 0-1 test error; K = 1: arccos(q)/pi",
        "eps_bayes": "0-1 test error of the Bayes-optimal label; K = 1: arccos(sqrt q)/pi",
        "free_entropy": "RS free entropy per input dimension (log evidence / N)",
    },
    references="Aubin, Maillard, Barbier, Krzakala, Macris & Zdeborova, NeurIPS 2018 (arXiv:1806.05451); "
               "Gyorgyi PRA 41, 7097 (1990) for K = 1",
))


# ---------------------------------------------------------------------------
# Gibbs learning of the tree committee machine (issue 6): committee.gibbs,
# committee.gibbs_transition. theory: replicon/theory/committee_gibbs.py;
# simulation: replicon/simulate/committee_mc.py (both imported lazily).
# ---------------------------------------------------------------------------

_TREE_PARAMS = [
    Param("K", 3, "hidden units (odd; tree: <= 7, fully connected: 1 or 3)", kind="int", lo=1, hi=7),
    Param("alpha", 1.0, "examples per input dimension P/N (tree: N weights; fully connected: K N weights)",
          lo=0.0),
    Param("T", 0.0, "training temperature (0: uniform on the version space)", lo=0.0),
    Param("weights", "spherical", "weight prior: spherical or ising (J_i = +-1)",
          kind="choice", choices=("spherical", "ising")),
    Param("arch", "tree", "architecture: tree (disjoint receptive fields of N/K inputs) or fully "
          "(every hidden unit sees all N inputs)", kind="choice", choices=("tree", "fully")),
]


def _committee_gibbs_simulate(**p):
    """Monte Carlo of committee.gibbs: the tree sampler, or the fully connected one with its overlaps
    summarised as the theory reports them: R_mean, q_mean, the mean of all K x K entries, need no
    matching of student to teacher units; R_matched, q_matched, R_off, q_off are the diagonal and
    off-diagonal after the best matching (biased upwards by O(N^-1/2) in the permutation-symmetric
    phase, so not compared with the theory's R and q)."""
    from .simulate import committee_mc

    if p.get("arch", "tree") != "fully":
        return committee_mc.simulate_tree(**p)
    p.pop("arch")
    m = committee_mc.simulate_fully(**p)
    K = int(m.params.get("K", p.get("K", 3)))
    s = m.samples
    if K > 1:
        s["R_mean"] = (s["R_d"] + (K - 1) * s["R_a"]) / K
        s["q_mean"] = (s["q_d"] + (K - 1) * s["q_a"]) / K
        s["R_off"], s["q_off"] = s.pop("R_a"), s.pop("q_a")
    else:
        s["R_mean"], s["q_mean"] = s["R_d"], s["q_d"]
    s["R_matched"], s["q_matched"] = s.pop("R_d"), s.pop("q_d")
    return m


register(Model(
    name="committee.gibbs",
    summary="teacher-student Gibbs learning of the tree or fully connected committee (odd K, sign), RS, all branches",
    params=_TREE_PARAMS,
    solve=lazy("replicon.theory.committee_fully:gibbs"),
    outputs={"R": "student-teacher overlap per branch (fully: unit k with teacher unit k)",
             "q": "overlap of two students per branch (fully: unit k with unit k)",
             "R_off": "fully: student unit k with teacher unit l != k",
             "R_mean": "fully: mean of all K x K student-teacher overlaps", "q_mean": "fully: likewise",
             "R_d": "fully: R = R_d I + (R_a/K) 1 1^T (Aubin et al.'s parametrisation)", "q_d": "fully: likewise",
             "C": "fully: overlap of two hidden units of one student",
             "eps_g": "generalisation error of the committee output",
             "eps_hidden": "per-hidden-unit error arccos(R)/pi", "eps_t": "training error per example",
             "entropy": "entropy per weight", "free_entropy": "log Z / N"},
    simulate=_committee_gibbs_simulate,
    sim_params=[
        Param("N", 120, "input dimension (tree: a multiple of K)", kind="int", lo=1),
        Param("seeds", 8, "independent realisations (data and dynamics)", kind="int", lo=1),
        Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
        Param("sweeps", None, "measured Metropolis sweeps (default 300; needs T > 0)", kind="int", lo=1,
              allow_none=True),
        Param("burn", None, "equilibration sweeps (default 300)", kind="int", lo=0, allow_none=True),
    ],
    compare={"x": "alpha", "grid": "0.5:4:4", "N": [60, 120, 240], "seeds": 12,
             "observables": ["eps_g", "R", "q", "eps_t", "R_mean", "q_mean"]},
    grid_parameter="alpha",
    references="Schwarze & Hertz, Europhys. Lett. 20, 375 (1992); J. Phys. A 26 (1993); "
               "Schwarze & Hertz, Europhys. Lett. 21, 785 (1993) (fully connected); Engel & Van den Broeck ch. 12",
))

register(Model(
    name="committee.gibbs_transition",
    summary="Ising tree committee: first-order transition to perfect generalisation and spinodal",
    params=[Param("K", 3, "hidden units (odd)", kind="int", lo=1, hi=7),
            Param("T", 0.0, "training temperature", lo=0.0),
            Param("weights", "ising", "only ising has the transition", kind="choice", choices=("ising",))],
    solve=lazy("replicon.theory.committee_gibbs:gibbs_transition"),
    outputs={"alpha_transition": "free entropies of the poor and perfect states cross",
             "alpha_spinodal": "the poor branch ends",
             "R_poor_at_transition": "per-branch overlap of the poor branch at the transition"},
    references="Schwarze & Hertz 1992; K = 1: Gyorgyi 1990 (1.245, 1.493)",
))

register(Model(
    name="committee.storage",
    summary="Gardner volume of the tree committee (odd K, spherical weights): q, entropy, RS capacity",
    params=[Param("K", 3, "hidden units (odd, <= 7 for the saddle point)", kind="int", lo=1, hi=7),
            Param("alpha", 1.0, "random patterns per weight P/N", lo=0.0)],
    solve=lazy("replicon.theory.committee_gibbs:storage"),
    outputs={"q": "overlap of two solutions", "entropy": "log fractional volume per weight",
             "alpha_c": "RS capacity (q -> 1; known to be replica-unstable for K >= 3)"},
    references="Barkai, Hansel & Kanter PRL 65, 2312 (1990); Engel et al. PRA 45, 7590 (1992); "
               "Engel & Van den Broeck ch. 12",
))



# ---------------------------------------------------------------------------
# Large-K limit of the Bayes-optimal committee (issue 6): committee.bayes_largek.
# theory: replicon/theory/committee_largek.py (imported lazily)
# ---------------------------------------------------------------------------

register(Model(
    name="committee.bayes_largek",
    summary="Bayes-optimal sign committee, K -> infinity at alpha_tilde = P/(K N): q_d, q_a, eps_g, all branches",
    params=[
        Param("alpha_tilde", 8.0, "examples per first-layer weight, alpha/K = P/(K N)", lo=0),
        Param("prior", "gaussian", "weight prior", kind="choice", choices=("gaussian", "binary")),
    ],
    solve=lazy("replicon.theory.committee_largek:bayes_large_k"),
    outputs={
        "q_d": "diagonal part of q = q_d I + (q_a/K) 1 1^T (specialisation)",
        "q_a": "uniform part of q (= 1 - q_d at leading order in K)",
        "Q": "effective output overlap (2/pi)(arcsin q_d + q_a)",
        "eps_g": "Gibbs (posterior-sample) 0-1 test error, arccos(Q)/pi",
        "eps_bayes": "0-1 test error of the Bayes-optimal label, arccos(sqrt Q)/pi",
        "free_entropy": "RS free entropy per input dimension and hidden unit (Phi/K)",
    },
    grid_parameter="alpha_tilde",
    references="Aubin, Maillard, Barbier, Krzakala, Macris & Zdeborova, NeurIPS 2018 (arXiv:1806.05451), "
               "large-K limit derived in replicon/theory/committee_largek.py",
))


# ---------------------------------------------------------------------------
# K -> infinity limit of Gibbs learning of the tree committee (issue 6):
# committee.gibbs_largek, committee.gibbs_largek_transition.
# theory: replicon/theory/committee_largek_gibbs.py (imported lazily)
# ---------------------------------------------------------------------------

register(Model(
    name="committee.gibbs_largek",
    summary="teacher-student Gibbs learning of the tree committee, K -> infinity at alpha = P/N (arcsine kernel), "
            "RS, all branches",
    params=[
        Param("alpha", 1.0, "examples per weight P/N (N = total number of weights, all K branches)", lo=0.0),
        Param("T", 0.0, "training temperature (0: uniform on the version space)", lo=0.0),
        Param("weights", "spherical", "weight prior", kind="choice", choices=("spherical", "ising")),
    ],
    solve=lazy("replicon.theory.committee_largek_gibbs:gibbs_large_k"),
    outputs={"R": "student-teacher overlap per branch", "q": "overlap of two students per branch",
             "R_eff": "output-level overlap (2/pi) arcsin R", "q_eff": "(2/pi) arcsin q",
             "eps_g": "generalisation error of the committee output, arccos(R_eff)/pi",
             "eps_hidden": "per-hidden-unit error arccos(R)/pi", "eps_t": "training error per example",
             "entropy": "entropy per weight", "free_entropy": "log Z / N"},
    grid_parameter="alpha",
    references="Schwarze & Hertz, Europhys. Lett. 20, 375 (1992); J. Phys. A 26 (1993); "
               "Engel & Van den Broeck ch. 12; limit derived in replicon/theory/committee_largek_gibbs.py",
))

register(Model(
    name="committee.gibbs_largek_transition",
    summary="Ising tree committee, K -> infinity: first-order transition to perfect generalisation and spinodal",
    params=[Param("T", 0.0, "training temperature", lo=0.0),
            Param("weights", "ising", "only ising has the transition", kind="choice", choices=("ising",))],
    solve=lazy("replicon.theory.committee_largek_gibbs:gibbs_large_k_transition"),
    outputs={"alpha_transition": "free entropies of the poor and perfect states cross",
             "alpha_spinodal": "the poor branch ends",
             "R_poor_at_transition": "per-branch overlap of the poor branch at the transition"},
    references="Schwarze & Hertz 1992 (discontinuous transition, wide metastable region)",
))


# ---------------------------------------------------------------------------
# K -> infinity limit of Gibbs learning of the FULLY CONNECTED committee:
# committee.gibbs_fully_largek, committee.gibbs_fully_largek_transition.
# theory: replicon/theory/committee_fully_largek.py (imported lazily)
# ---------------------------------------------------------------------------

register(Model(
    name="committee.gibbs_fully_largek",
    summary="teacher-student Gibbs learning of the fully connected sign committee, K -> infinity at "
            "alpha_tilde = P/(K N), RS, permutation-symmetric and specialised branches (Ising: and perfect)",
    params=[
        Param("alpha_tilde", 8.0, "examples per first-layer weight P/(K N)", lo=0.0),
        Param("T", 0.0, "training temperature (0: uniform on the version space)", lo=0.0),
        Param("weights", "spherical", "weights of every hidden unit: spherical (|J_k|^2 = N) or ising "
              "(J_ki = +-1; adds the exact perfect state)", kind="choice", choices=("spherical", "ising")),
    ],
    solve=lazy("replicon.theory.committee_fully_largek:gibbs_fully_large_k"),
    outputs={
        "R_d": "diagonal (specialised) student-teacher overlap, R = R_d I + (R_a/K) 1 1^T",
        "R_a": "uniform part of the student-teacher overlap",
        "q_d": "diagonal part of the overlap of two students, q = q_d I + (q_a/K) 1 1^T",
        "q_a": "uniform part of the overlap of two students",
        "c_a": "off-diagonal self-overlap of one student's units, J_k . J_l / N = c_a / K",
        "R_eff": "output-level student-teacher overlap", "q_eff": "output-level overlap of two students",
        "eps_g": "generalisation error of the committee output, arccos(R_eff)/pi",
        "eps_hidden": "per-hidden-unit error arccos(R_d)/pi", "eps_t": "training error per example",
        "entropy": "entropy per weight (per N K)", "free_entropy": "log Z / (N K)",
    },
    grid_parameter="alpha_tilde",
    references="Schwarze & Hertz, Europhys. Lett. 21, 785 (1993); Schwarze, J. Phys. A 26, 5781 (1993); "
               "Engel & Van den Broeck ch. 12; limit derived in replicon/theory/committee_fully_largek.py",
))

register(Model(
    name="committee.gibbs_fully_largek_transition",
    summary="fully connected sign committee, K -> infinity: specialisation transition and spinodal in "
            "alpha_tilde = P/(K N) (Ising: first-order transition to the perfect state)",
    params=[Param("T", 0.0, "training temperature", lo=0.0),
            Param("weights", "spherical", "spherical or ising (transition permutation-symmetric -> perfect)",
                  kind="choice", choices=("spherical", "ising"))],
    solve=lazy("replicon.theory.committee_fully_largek:gibbs_fully_large_k_transition"),
    outputs={"alpha_spec": "first-order transition: specialised (Ising: perfect) and permutation-symmetric "
                           "free energies cross",
             "alpha_spinodal": "the specialised branch ends (saddle-node; spherical only)",
             "alpha_ps_spinodal": "the permutation-symmetric branch ends (inf: never)",
             "eps_g_ps": "eps_g plateau of the permutation-symmetric branch",
             "eps_g_spec": "eps_g of the specialised branch at the transition"},
    references="Schwarze & Hertz, Europhys. Lett. 21, 785 (1993) (first-order specialisation transition)",
))
