"""Registry entries of the committee machines: Bayes-optimal, Gibbs (tree and fully connected), storage, K -> infinity."""

from __future__ import annotations

from ..registry import Model, Param, lazy, register
from .common import BYTES, teacher_data_bytes

# ---------------------------------------------------------------------------
# Committee machines in equilibrium (issue 6): committee.bayes.
# theory: replicon/theory/committee/bayes.py (imported lazily inside the wrapper)
# ---------------------------------------------------------------------------

register(Model(
    name="committee.bayes",
    cost="1.5-7 s for K = 1, 2; minutes for K = 3",
    slow=True,
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
    solve=lazy("replicon.theory.committee.bayes:bayes"),
    simulate=lazy("replicon.simulate.committee.amp:committee_amp_point"),
    sim_memory=lambda p: teacher_data_bytes(p) + BYTES * 40.0 * p["N"] * p["K"] ** 2,
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
# committee.gibbs_transition. theory: replicon/theory/committee/tree.py;
# simulation: replicon/simulate/committee/monte_carlo.py (both imported lazily).
# ---------------------------------------------------------------------------

_TREE_PARAMS = [
    Param("K", 3, "hidden units (odd; tree: <= 7, fully connected: 1 or 3)", kind="int", lo=1, hi=7,
          choices=(1, 3, 5, 7)),
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
    from ..simulate.committee import monte_carlo as committee_mc

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
    cost="0.3-6 s (K = 3, T = 0); more for K = 7 and arch=fully",
    slow=True,
    summary="teacher-student Gibbs learning of the tree or fully connected committee (odd K, sign), RS, all branches",
    params=_TREE_PARAMS,
    solve=lazy("replicon.theory.committee.fully:gibbs"),
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
    sim_ranges={"T": {"lo": 0.0, "lo_open": True}},   # Metropolis at T > 0 (no version-space sampler)
    sim_memory=lambda p: teacher_data_bytes(p, p["K"] if p["arch"] == "fully" else 1.0),
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
    cost="minutes (K = 3, T = 0: 14 min measured on two heavily loaded cores)",
    slow=True,
    summary="Ising tree committee: first-order transition to perfect generalisation and spinodal",
    params=[Param("K", 3, "hidden units (odd)", kind="int", lo=1, hi=7, choices=(1, 3, 5, 7)),
            Param("T", 0.0, "training temperature", lo=0.0),
            Param("weights", "ising", "only ising has the transition", kind="choice", choices=("ising",))],
    solve=lazy("replicon.theory.committee.tree:gibbs_transition"),
    outputs={"alpha_transition": "free entropies of the poor and perfect states cross",
             "alpha_spinodal": "the poor branch ends",
             "R_poor_at_transition": "per-branch overlap of the poor branch at the transition"},
    references="Schwarze & Hertz 1992; K = 1: Gyorgyi 1990 (1.245, 1.493)",
))

register(Model(
    name="committee.storage",
    cost="about 1 s (K = 3); longer for K = 7",
    slow=True,
    summary="Gardner volume of the tree committee (odd K, spherical weights): q, entropy, RS capacity",
    params=[Param("K", 3, "hidden units (odd, <= 7 for the saddle point)", kind="int", lo=1, hi=7,
                  choices=(1, 3, 5, 7)),
            Param("alpha", 1.0, "random patterns per weight P/N", lo=0.0)],
    solve=lazy("replicon.theory.committee.storage:storage"),
    outputs={"q": "overlap of two solutions", "entropy": "log fractional volume per weight",
             "alpha_c": "RS capacity (q -> 1; known to be replica-unstable for K >= 3)"},
    references="Barkai, Hansel & Kanter PRL 65, 2312 (1990); Engel et al. PRA 45, 7590 (1992); "
               "Engel & Van den Broeck ch. 12",
))



# ---------------------------------------------------------------------------
# Large-K limit of the Bayes-optimal committee (issue 6): committee.bayes_largek.
# theory: replicon/theory/committee/bayes_large_k.py (imported lazily)
# ---------------------------------------------------------------------------

register(Model(
    name="committee.bayes_largek",
    cost="0.2-0.9 s",
    summary="Bayes-optimal sign committee, K -> infinity at alpha_tilde = P/(K N): q_d, q_a, eps_g, all branches",
    params=[
        Param("alpha_tilde", 8.0, "examples per first-layer weight, alpha/K = P/(K N)", lo=0),
        Param("prior", "gaussian", "weight prior", kind="choice", choices=("gaussian", "binary")),
    ],
    solve=lazy("replicon.theory.committee.bayes_large_k:bayes_large_k"),
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
               "large-K limit derived in replicon/theory/committee/bayes_large_k.py",
))


# ---------------------------------------------------------------------------
# K -> infinity limit of Gibbs learning of the tree committee (issue 6):
# committee.gibbs_largek, committee.gibbs_largek_transition.
# theory: replicon/theory/committee/tree_large_k.py (imported lazily)
# ---------------------------------------------------------------------------

register(Model(
    name="committee.gibbs_largek",
    cost="0.01-0.1 s",
    summary="teacher-student Gibbs learning of the tree committee, K -> infinity at alpha = P/N (arcsine kernel), "
            "RS, all branches",
    params=[
        Param("alpha", 1.0, "examples per weight P/N (N = total number of weights, all K branches)", lo=0.0),
        Param("T", 0.0, "training temperature (0: uniform on the version space)", lo=0.0),
        Param("weights", "spherical", "weight prior", kind="choice", choices=("spherical", "ising")),
    ],
    solve=lazy("replicon.theory.committee.tree_large_k:gibbs_large_k"),
    outputs={"R": "student-teacher overlap per branch", "q": "overlap of two students per branch",
             "R_eff": "output-level overlap (2/pi) arcsin R", "q_eff": "(2/pi) arcsin q",
             "eps_g": "generalisation error of the committee output, arccos(R_eff)/pi",
             "eps_hidden": "per-hidden-unit error arccos(R)/pi", "eps_t": "training error per example",
             "entropy": "entropy per weight", "free_entropy": "log Z / N"},
    grid_parameter="alpha",
    references="Schwarze & Hertz, Europhys. Lett. 20, 375 (1992); J. Phys. A 26 (1993); "
               "Engel & Van den Broeck ch. 12; limit derived in replicon/theory/committee/tree_large_k.py",
))

register(Model(
    name="committee.gibbs_largek_transition",
    cost="1-5 s",
    slow=True,
    summary="Ising tree committee, K -> infinity: first-order transition to perfect generalisation and spinodal",
    params=[Param("T", 0.0, "training temperature", lo=0.0),
            Param("weights", "ising", "only ising has the transition", kind="choice", choices=("ising",))],
    solve=lazy("replicon.theory.committee.tree_large_k:gibbs_large_k_transition"),
    outputs={"alpha_transition": "free entropies of the poor and perfect states cross",
             "alpha_spinodal": "the poor branch ends",
             "R_poor_at_transition": "per-branch overlap of the poor branch at the transition"},
    references="Schwarze & Hertz 1992 (discontinuous transition, wide metastable region)",
))


# ---------------------------------------------------------------------------
# K -> infinity limit of Gibbs learning of the FULLY CONNECTED committee:
# committee.gibbs_fully_largek, committee.gibbs_fully_largek_transition.
# theory: replicon/theory/committee/fully_large_k.py (imported lazily)
# ---------------------------------------------------------------------------

register(Model(
    name="committee.gibbs_fully_largek",
    cost="0.1-1 s",
    summary="teacher-student Gibbs learning of the fully connected sign committee, K -> infinity at "
            "alpha_tilde = P/(K N), RS, permutation-symmetric and specialised branches (Ising: and perfect)",
    params=[
        Param("alpha_tilde", 8.0, "examples per first-layer weight P/(K N)", lo=0.0),
        Param("T", 0.0, "training temperature (0: uniform on the version space)", lo=0.0),
        Param("weights", "spherical", "weights of every hidden unit: spherical (|J_k|^2 = N) or ising "
              "(J_ki = +-1; adds the exact perfect state)", kind="choice", choices=("spherical", "ising")),
    ],
    solve=lazy("replicon.theory.committee.fully_large_k:gibbs_fully_large_k"),
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
               "Engel & Van den Broeck ch. 12; limit derived in replicon/theory/committee/fully_large_k.py",
))

register(Model(
    name="committee.gibbs_fully_largek_transition",
    cost="0.6-6 s",
    slow=True,
    summary="fully connected sign committee, K -> infinity: specialisation transition and spinodal in "
            "alpha_tilde = P/(K N) (Ising: first-order transition to the perfect state)",
    params=[Param("T", 0.0, "training temperature", lo=0.0),
            Param("weights", "spherical", "spherical or ising (transition permutation-symmetric -> perfect)",
                  kind="choice", choices=("spherical", "ising"))],
    solve=lazy("replicon.theory.committee.fully_large_k:gibbs_fully_large_k_transition"),
    outputs={"alpha_spec": "first-order transition: specialised (Ising: perfect) and permutation-symmetric "
                           "free energies cross",
             "alpha_spinodal": "the specialised branch ends (saddle-node; spherical only)",
             "alpha_ps_spinodal": "the permutation-symmetric branch ends (inf: never)",
             "eps_g_ps": "eps_g plateau of the permutation-symmetric branch",
             "eps_g_spec": "eps_g of the specialised branch at the transition"},
    references="Schwarze & Hertz, Europhys. Lett. 21, 785 (1993) (first-order specialisation transition)",
))
