"""Registry entries of the perceptron family: storage, capacity, teacher-student, transition, rules."""

from __future__ import annotations

from ..registry import Model, Param, lazy, register
from .common import WEIGHTS, teacher_data_bytes

# ---------------------------------------------------------------------------
# Perceptron: storage, capacity, teacher-student (theory/perceptron.py,
# simulate/perceptron.py). Imports are lazy so that listing models is fast.
# ---------------------------------------------------------------------------


def _perceptron_markers(fixed, x):
    """Transition and spinodal of Ising teacher-student learning, for overlays along alpha."""
    if x != "alpha" or fixed.get("weights") != "ising":
        return {}
    from ..theory.perceptron import teacher_transition

    sol = teacher_transition(T=fixed.get("T", 0.0))
    if not sol.converged:
        return {}
    return {"transition": sol["alpha_transition"], "spinodal": sol["alpha_spinodal"]}


def _rule_solve(alpha=1.0, rule="hebb"):
    from ..theory.perceptron import hebb, max_stability

    return hebb(alpha=alpha) if rule == "hebb" else max_stability(alpha=alpha)


def _rule_sim(alpha=1.0, rule="hebb", N=200, seeds=8, seed=0):
    from ..simulate.perceptron import simulate_rule

    return simulate_rule(alpha=alpha, rule="adatron" if rule == "maxstab" else rule, N=N, seeds=seeds, seed=seed)


_PERCEPTRON_SIM = [
    Param("N", 100, "number of weights", kind="int", lo=2),
    Param("seeds", 8, "independent realisations (data and dynamics)", kind="int", lo=1),
    Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
]

register(Model(
    name="perceptron.storage",
    cost="about 10 ms",
    summary="Gardner volume of a perceptron storing random patterns with margin kappa (RS)",
    params=[
        Param("alpha", 1.0, "patterns per weight P/N", lo=0.0),
        Param("kappa", 0.0, "margin (stability threshold)", lo=-10.0, hi=10.0),
        WEIGHTS,
    ],
    solve=lazy("replicon.theory.perceptron:storage"),
    outputs={"q": "overlap of two solutions", "entropy": "log fractional volume (spherical) or "
             "log number (Ising) of solutions per weight", "stable": "replicon (AT) stability"},
    references="Gardner 1988; Gardner & Derrida 1988; Engel & Van den Broeck ch. 6-7",
))

register(Model(
    name="perceptron.capacity",
    cost="under 10 ms",
    summary="RS storage capacity alpha_c(kappa); Ising: also the zero-entropy point",
    params=[Param("kappa", 0.0, "margin", lo=-10.0, hi=10.0), WEIGHTS],
    solve=lazy("replicon.theory.perceptron:capacity"),
    outputs={"alpha_c": "RS capacity (q -> 1)",
             "alpha_zero_entropy": "Ising: where the RS entropy vanishes (Krauth-Mezard 0.833 at kappa=0)",
             "q_at_zero_entropy": "Ising: overlap there"},
    references="Gardner 1988 eq. (28); Gardner & Derrida 1988; Krauth & Mezard 1989",
))

register(Model(
    name="perceptron.teacher",
    cost="10-50 ms",
    summary="teacher-student Gibbs learning at temperature T (spherical or Ising), all branches",
    params=[
        Param("alpha", 1.0, "examples per weight P/N", lo=0.0),
        Param("T", 0.0, "training temperature (0: uniform on the version space)", lo=0.0),
        WEIGHTS,
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
    sim_memory=teacher_data_bytes,
    sim_params=_PERCEPTRON_SIM + [
        Param("sweeps", None, "measured Monte Carlo sweeps (default 200-300)", kind="int", lo=1, allow_none=True),
        Param("burn", None, "equilibration sweeps (default 200-300)", kind="int", lo=0, allow_none=True),
    ],
    grid_parameter="alpha",
    compare={"x": "alpha", "grid": "0.5:3:4", "N": [25, 50, 100], "seeds": 12,
             "observables": ["eps_g", "R", "q"]},
    hooks={"markers": _perceptron_markers, "solve_near": lazy("replicon.theory.perceptron:teacher_near"),
           "solve_batch": lazy("replicon.theory.perceptron:teacher_batch")},
    references="Engel & Van den Broeck ch. 2, 4, 7; Gyorgyi PRA 41, 7097 (1990); "
               "Sompolinsky, Tishby & Seung PRL 65, 1683 (1990)",
))

register(Model(
    name="perceptron.transition",
    cost="1-2 s",
    slow=True,
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
    cost="under 10 ms",
    summary="learning rules on teacher data: Hebb (closed form) and maximal stability (AdaTron)",
    params=[Param("alpha", 1.0, "examples per weight P/N", lo=0.0),
            Param("rule", "hebb", "hebb (J = sum sigma xi) or maxstab (maximal stability; simulated by AdaTron)",
                  kind="choice", choices=("hebb", "maxstab"))],
    solve=_rule_solve,
    outputs={"R": "normalised student-teacher overlap", "eps_g": "arccos(R)/pi",
             "kappa": "maxstab: the maximal stability reached"},
    simulate=_rule_sim,
    sim_memory=teacher_data_bytes,
    sim_params=[Param("N", 200, "number of weights", kind="int", lo=2),
                Param("seeds", 8, "independent data sets", kind="int", lo=1),
                Param("seed", 0, "master seed", kind="int", lo=0)],
    compare={"x": "alpha", "grid": "0.5:8:5", "N": [100, 400], "seeds": 10, "observables": ["eps_g", "R"]},
    references="Vallet 1989 (Hebb); Gardner 1988, Opper et al. J Phys A 23 L581 (1990) (maximal stability); "
               "Anlauf & Biehl 1989 (AdaTron); Engel & Van den Broeck ch. 3",
))


