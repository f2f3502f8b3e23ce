"""Registry entries of the landscape family (theory): Franz-Parisi potential and local entropy of the
Ising perceptron.

Only what is implemented is declared: ``landscape.franz_parisi`` and ``landscape.local_entropy`` for
``problem=storage|teacher`` (``weights=ising``; the teacher at kappa = 0), ``landscape.local_entropy`` also
for ``weights=spherical`` (storage, any margin), and
``landscape.local_entropy_breakdown``. Other values of
``problem`` / ``weights`` are refused with a one-line error naming the allowed ones.
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
        Param("problem", "storage", "storage, or teacher (kappa = 0, alpha <= 1.2; by the Nishimori symmetry "
              "the Gibbs reference is exchangeable with the teacher)", kind="choice", choices=("storage", "teacher")),
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


# ---------------------------------------------------------------------------
# landscape.protocols: training protocols on the binary perceptron (simulation half of issue 11;
# replicon/simulate/landscape/). solve() gives the thresholds the protocols are compared with.
# ---------------------------------------------------------------------------

def _protocols_thresholds(alpha=0.6, kappa=0.0):
    """Thresholds of the binary perceptron at margin kappa against which the protocols are read."""
    from ..theory.perceptron import capacity
    from ..theory.solution import Solution

    cap = capacity(kappa=kappa, weights="ising")
    params = {"alpha": alpha, "kappa": kappa}
    if not cap.converged:
        return Solution.failed("landscape.protocols", params, cap.message)
    obs = {"alpha_c_rs": float(cap["alpha_c"]), "alpha_zero_entropy": float(cap["alpha_zero_entropy"])}
    msg = ("RS capacity (q -> 1, Gardner & Derrida) and zero-entropy capacity (Krauth & Mezard) of the "
           "Ising perceptron; the local-entropy breakdown: replicon solve landscape.local_entropy_breakdown; "
           "the protocols are simulations: replicon simulate landscape.protocols")
    return Solution(model="landscape.protocols", params=params, observables=obs, message=msg)


def _protocols_memory(p):
    N = float(p["N"])
    P = max(1.0, float(p.get("alpha", 1.0)) * N)
    pop = float(p.get("population", 32))
    return 8.0 * (2.0 * N * P + pop * 2.0 * (N + P) + 20.0 * (N + P))


register(Model(
    name="landscape.protocols",
    cost="thresholds ~0.2 s; a simulation at N = 401: ~1 s per 10^4 flip attempts per weight, ~1.5 s "
         "per distance of local entropy",
    summary="training protocols on the binary perceptron (greedy, annealing, replicated Monte Carlo, "
            "focusing BP; GD, replicated GD, entropy-SGD): success, time, flatness, local entropy of what they find",
    params=[
        Param("alpha", 0.6, "patterns per weight P/N", lo=0.0, hi=2.0, lo_open=True),
        Param("kappa", 0.0, "margin: an error is a stability <= kappa", lo=-2.0, hi=2.0),
    ],
    solve=_protocols_thresholds,
    outputs={"success": "1 if the protocol reached zero training errors", "time":
             "flip attempts per weight (gradient evaluations), all replicas, to the first solution "
             "(the budget if none: censored)",
             "errors": "training errors of the returned configuration", "error_fraction": "errors / P",
             "centre": "1 if the replicas' centre was the solution",
             "flatness": "mean training-error fraction after flipping d N random weights (curve over d)",
             "solution_fraction": "fraction of those perturbations still solutions (curve over d)",
             "local_entropy": "(1/N) ln of the number of (beta_max = 10) solutions at distance d, "
                              "population annealing (curve over d)",
             "local_entropy_err": "its standard error over 2 populations",
             "local_errors": "final mean errors of the population at distance d",
             "local_solved": "final fraction of the population at zero errors",
             "binary_entropy": "ln C(N, dN) / N: the local entropy if all neighbours were solutions",
             "eps_g": "teacher: arccos(R)/pi", "R": "teacher: student-teacher overlap",
             "alpha_c_rs": "solve: Ising RS capacity (4/pi at kappa = 0)",
             "alpha_zero_entropy": "solve: Krauth-Mezard capacity (0.833 at kappa = 0)"},
    simulate=lazy("replicon.simulate.landscape:simulate_protocols"),
    sim_memory=_protocols_memory,
    sim_params=[
        Param("N", 401, "number of weights", kind="int", lo=3),
        Param("seeds", 8, "independent data sets (and runs)", kind="int", lo=1),
        Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
        Param("protocol", "anneal", "greedy, anneal, replicated, focusing (BP) (binary weights); gd, "
              "replicated_gd, entropy_sgd (spherical weights)", kind="choice",
              choices=("greedy", "anneal", "replicated", "focusing", "gd", "replicated_gd", "entropy_sgd")),
        Param("problem", "storage", "storage (random labels) or teacher (labels of a binary teacher)",
              kind="choice", choices=("storage", "teacher")),
        Param("patterns", None, "pm1 or gaussian (default: pm1 for binary, gaussian for spherical weights)",
              kind="choice", choices=("pm1", "gaussian"), allow_none=True),
        Param("energy", "hinge", "binary: hinge (flips needed to fix each violated pattern) or errors",
              kind="choice", choices=("hinge", "errors")),
        Param("budget", 10000, "running time: flip attempts per weight (gradient evaluations) summed over "
              "replicas; replicated kinds run budget/y sweeps of each replica", kind="int", lo=1),
        Param("y", 5, "replicas of replicated, focusing and replicated_gd", kind="int", lo=1),
        Param("T0", None, "temperature at the start (default 2 anneal, 1 replicated, 0 continuous)", lo=0,
              allow_none=True),
        Param("T1", None, "temperature at the end, geometric in between (default 0.1 anneal, 1 replicated)",
              lo=0, allow_none=True),
        Param("gamma0", None, "coupling at the start (default 0.3 replicated, 0.01 focusing)", lo=0, allow_none=True),
        Param("gamma1", None, "coupling at the end, geometric in between (default 3 replicated, 2 focusing)", lo=0,
              allow_none=True),
        Param("coupling", "centre", "replicated: to the traced binary centre, or pairwise", kind="choice",
              choices=("centre", "pairwise")),
        Param("lr", None, "learning rate of the continuous kinds (default 0.1)", lo=0, lo_open=True,
              allow_none=True),
        Param("batch", 1.0, "batch fraction of the continuous kinds (1: full batch)", lo=0, hi=1,
              lo_open=True),
        Param("d", (0.01, 0.02, 0.05, 0.1), "distances d in [0, 1/2] of the "
              "flatness and local-entropy curves (a comma list)", kind="array"),
        Param("n_pert", 100, "random perturbations per distance (flatness)", kind="int", lo=1),
        Param("local", True, "measure the local entropy (binary weights; ~1.5 s per distance at N = 401)",
              kind="bool"),
        Param("population", 32, "population of the local-entropy annealing", kind="int", lo=2),
        Param("progress", False, "a line on stderr per finished seed", kind="bool"),
    ],
    references="Baldassi, Ingrosso, Lucibello, Saglietti & Zecchina, PRL 115, 128101 (2015) and J. Stat. "
               "Mech. (2016) 023301; Baldassi et al., PNAS 113, E7655 (2016); Chaudhari et al., ICLR 2017 "
               "(entropy-SGD); Baldassi, Pittorino & Zecchina, PNAS 117, 161 (2020); Machta, PRE 82, "
               "026704 (2010) (population annealing)",
))


register(Model(
    name="landscape.local_entropy",
    slow=True,
    cost="2-5 s per point (6 starts of a 2-component RS map with an inner root for Delta; plus the "
         "Gardner plateau and the cluster search, cached per alpha)",
    summary="Local entropy S(d): log-number of solutions at distance d from the reference that maximises "
            "it, Ising perceptron storage (RS, y -> infinity large deviation, free reference)",
    params=[
        Param("alpha", 0.6, "patterns per weight P/N (below the RS capacity of the weights)", lo=0.0, hi=10.0),
        Param("kappa", 0.0, "margin", lo=-2.0, hi=2.0),
        Param("d", 0.05, "normalised Hamming distance from the reference", lo=0.0, lo_open=True, hi=0.5),
        Param("problem", "storage", "storage (random labels, margin kappa) or teacher (labels of an Ising "
              "teacher; kappa = 0, alpha <= 1.2)", kind="choice", choices=("storage", "teacher")),
        Param("weights", "ising", "ising, or spherical (storage only; negative kappa allowed)", kind="choice",
              choices=("ising", "spherical")),
    ],
    solve=lazy("replicon.theory.landscape:local_entropy"),
    outputs={"entropy": "local entropy per weight at distance d (thermodynamic: largest over the states)",
             "q": "overlap of two solutions around the reference (= q1)", "q1": "same as q",
             "chi0": "y (q1 - q0): spread of the solutions between nearly equal references",
             "Q0": "conjugate of q0", "v": "y (q1_hat - q0_hat)",
             "Delta": "R_hat - p_hat, multiplier of the distance constraint", "R_hat": "same as Delta",
             "slope": "dS/dd = 2 Delta", "R": "1 - 2d", "binary_entropy": "H2(d), an upper bound",
             "gardner_entropy": "Gardner entropy (the plateau)",
             "d_star": "distance from the Gardner state's centre to its solutions (plateau onset)",
             "map_radius": "spectral radius of the fixed-point map (< 1: attracting)",
             "t": "teacher: overlap of the solutions around the reference with the teacher",
             "t_hat": "teacher: its conjugate", "eps_g": "teacher: arccos(t)/pi of those solutions",
             "gibbs_t": "teacher: overlap of typical (Gibbs, T = 0) solutions with the teacher",
             "sphere_fraction": "spherical: 1/2 ln(1 - R^2), the bound replacing H2(d)"},
    grid_parameter="d",
    hooks={"solve_near": lazy("replicon.theory.landscape.local_entropy:local_entropy_near")},
    references="Baldassi, Ingrosso, Lucibello, Saglietti & Zecchina, PRL 115, 128101 (2015); "
               "Baldassi et al., PNAS 113, E7655 (2016)",
))

register(Model(
    name="landscape.local_entropy_breakdown",
    slow=True,
    cost="~10 s (the isolated-cluster state followed down in alpha to its saddle-node)",
    summary="alpha above which the local-entropy curve S(d) is non-monotone: the dense region breaks up "
            "into an isolated ball (Ising perceptron storage, RS y -> infinity)",
    params=[Param("kappa", 0.0, "margin", lo=-2.0, hi=2.0)],
    solve=lazy("replicon.theory.landscape:local_entropy_breakdown"),
    outputs={"alpha_breakdown": "alpha_U: saddle-node of the Delta = 0 cluster state (0.7553 at kappa = 0)",
             "d_cluster": "radius of the isolated dense ball at alpha_U",
             "cluster_entropy": "its local entropy", "q1": "overlap inside the ball", "chi0": "y (q1 - q0)",
             "gardner_entropy": "Gardner entropy at alpha_U"},
    references="Baldassi et al., PRL 115, 128101 (2015) (published value near 0.77)",
))
