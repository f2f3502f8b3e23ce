"""Training protocols on the binary perceptron (issue 11, simulation): the kernels, the protocol
interface and the measurements around a found solution."""

import math
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from replicon._util import ParamError
from replicon.cli import main
from replicon.simulate.landscape import (Protocol, binary_storage, evaluate, flatness, local_entropy, preset,
                                         run)
from replicon.simulate.landscape import binary as B


def _incremental(data, W, T, gamma, energy, coupling, states):
    y = W.shape[0]
    W = W.copy()
    H = np.stack([B.fields(W[a], data.X) for a in range(y)])
    E = np.zeros(y)
    n = np.zeros(y, dtype=np.int64)
    for a in range(y):
        E[a], n[a] = B.energy_of_fields(H[a], data.thr, energy)
    C = np.where(W.sum(0) >= 0, 1.0, -1.0)
    HC = B.fields(C, data.X)
    trace = np.zeros((y, T.size))
    B.replicated_mc(data.X, data.thr, W, H, E, n, C, HC, states.copy(), T, gamma, energy, coupling, y > 1,
                    False, trace)
    return W, n, trace


@pytest.mark.parametrize("energy,coupling", [(0, 0), (1, 0), (1, 1)])
def test_incremental_fields_equal_a_full_recompute(energy, coupling):
    """Replicated MC with O(P) incremental fields is the same Markov chain, bit for bit, as the
    straightforward kernel that recomputes every field at every flip attempt (+-1 patterns, kappa =
    0: integer fields): same replicas, same energies after every sweep, error counts equal to a
    recount."""
    data = binary_storage(31, 0.6, seed=3)
    y, sweeps = 3, 25
    T = np.geomspace(1.0, 0.1, sweeps)
    gamma = np.geomspace(0.1, 2.0, sweeps)
    W0 = np.random.default_rng(4).choice(np.array([-1.0, 1.0]), size=(y, data.N))
    states = B.rng_states(5, y)
    W_inc, n_inc, tr_inc = _incremental(data, W0, T, gamma, energy, coupling, states)
    W_naive = W0.copy()
    tr_naive = np.zeros((y, sweeps))
    B.replicated_mc_naive(data.X, data.thr, W_naive, states.copy(), T, gamma, energy, coupling, False, tr_naive)
    assert np.array_equal(W_inc, W_naive)
    assert np.array_equal(tr_inc, tr_naive)
    assert [data.errors(w) for w in W_naive] == list(n_inc)
    assert not np.array_equal(W_inc, W0)                       # the chain moved


def test_annealing_finds_solutions_at_small_alpha():
    """Simulated annealing (hinge energy) solves alpha = 0.3 (far below the 0.833 capacity) at N = 101
    in every one of 5 instances, and the solution has zero errors when recounted from scratch."""
    for s in range(5):
        data = binary_storage(101, 0.3, seed=10 + s)
        r = run(preset("anneal", 3000), data, seed=s)
        assert r.success and r.found_by == "replica" and 0 < r.time < 3000
        assert data.errors(r.W) == 0


def test_greedy_descent_never_increases_the_energy():
    """At T = 0 a flip that raises the energy is refused: every replica's energy after each sweep is
    non-increasing, for both energies, and it ends above zero at alpha = 0.7 (greedy gets stuck)."""
    data = binary_storage(101, 0.7, seed=2)
    for energy in ("hinge", "errors"):
        r = run(Protocol("greedy", 300, energy=energy), data, seed=1)
        tr = r.trace[0][np.isfinite(r.trace[0])]
        assert np.all(np.diff(tr) <= 0.0)
        assert tr[-1] > 0 and not r.success


def test_replicas_decouple_at_zero_coupling():
    """At gamma = 0 each of the y replicas of the replicated kernel runs the single-replica annealing
    chain of its own stream, to the bit."""
    data = binary_storage(41, 0.5, seed=6)
    y, sweeps = 4, 30
    T = np.geomspace(1.0, 0.2, sweeps)
    W0 = np.random.default_rng(7).choice(np.array([-1.0, 1.0]), size=(y, data.N))
    states = B.rng_states(8, y)
    W_rep, _, _ = _incremental(data, W0, T, np.zeros(sweeps), 1, 0, states)
    for a in range(y):
        W_one, _, _ = _incremental(data, W0[a:a + 1], T, np.zeros(sweeps), 1, 0, states[a:a + 1])
        assert np.array_equal(W_rep[a], W_one[0])
    W_coupled, _, _ = _incremental(data, W0, T, np.full(sweeps, 1.0), 1, 0, states)
    assert not np.array_equal(W_coupled, W_rep)             # and the coupling does change them


def test_flatness_of_a_solution_vanishes_at_zero_distance():
    """Around a solution: flatness(0) = 0 and solution_fraction(0) = 1 exactly; a perturbation of 20 %
    of the weights makes errors (flatness > 0) and the mean error grows with d."""
    data = binary_storage(101, 0.3, seed=10)
    r = run(preset("anneal", 3000), data, seed=0)
    f, sf = flatness(data, r.W, [0.0, 0.05, 0.2], n_pert=50, seed=1)
    assert f[0] == 0.0 and sf[0] == 1.0
    assert 0.0 < f[1] < f[2] and sf[2] < 1.0


def test_local_entropy_against_exact_enumeration():
    """Population annealing at fixed distance against exact counting: N = 16, alpha = 0.5 (P = 8),
    the number of solutions at Hamming distance D = 2, 3, 4 from a solution enumerated over all
    C(16, D) configurations; the estimate (beta_max = 12, so configurations with errors add < e^-12
    each) agrees within 4 of its standard errors (8 populations) plus 0.5/N for the beta_max bias."""
    from itertools import combinations

    data = binary_storage(16, 0.5, seed=1)
    r = run(preset("anneal", 2000), data, seed=0)
    assert r.success
    grid = np.array([2, 3, 4]) / 16
    le = local_entropy(data, r.W, grid, population=64, steps=40, sweeps=2, beta_max=12.0, runs=8, seed=2)
    for k, D in enumerate((2, 3, 4)):
        count = 0
        for flip in combinations(range(16), D):
            W = r.W.copy()
            W[list(flip)] *= -1
            count += data.errors(W) == 0
        assert count > 0
        exact = math.log(count) / 16
        assert abs(le["entropy"][k] - exact) < 4 * le["error"][k] + 0.5 / 16, (D, count, le["entropy"][k], exact)


def test_local_entropy_without_constraints_is_the_binary_entropy():
    """When every configuration is a solution (kappa = -10: no stability can reach it at N = 41),
    the estimate is ln C(N, D) / N exactly (every weight of the annealing is 1)."""
    data = binary_storage(41, 0.5, kappa=-10.0, seed=1)
    W = np.ones(41)
    le = local_entropy(data, W, [0.1, 0.5], population=8, steps=5, seed=0)
    assert np.allclose(le["entropy"], le["binary_entropy"]) and np.all(le["solved"] == 1.0)


def test_a_user_protocol_runs_through_the_same_machinery():
    """A Protocol built from Python with array or callable schedules runs the same kernel as the
    preset: the preset's own schedules as arrays give the identical run."""
    data = binary_storage(61, 0.5, seed=4)
    p = preset("replicated", 2000, y=3)
    mine = Protocol("replicated", p.sweeps, temperature=np.array(p.temperature), y=3, gamma=np.array(p.gamma))
    a, b = run(p, data, seed=9), run(mine, data, seed=9)
    assert a.time == b.time and np.array_equal(a.W, b.W)
    f = Protocol("anneal", 100, temperature=lambda t: 1.0 / (1 + t))
    assert f.temperature[0] == 1.0 and f.temperature[99] == pytest.approx(0.01) and f.budget == 100
    assert Protocol("anneal", 5, temperature=(1.0, 0.0)).temperature.tolist() == [1.0, 0.75, 0.5, 0.25, 0.0]


@pytest.mark.parametrize("kwargs,needle", [
    ({"kind": "anneal", "sweeps": 10, "temperature": np.ones(7)}, "length sweeps=10"),
    ({"kind": "replicated", "sweeps": 10, "y": 0}, "y=0 is out of range; allowed: >= 1"),
    ({"kind": "replicated", "sweeps": 10, "y": 3, "gamma": (-1.0, 1.0)}, "gamma schedule has the value -1"),
    ({"kind": "replicated", "sweeps": 10, "y": 3, "gamma": -0.5}, "allowed values: >= 0.0"),
    ({"kind": "anneal", "sweeps": 10, "temperature": -1.0}, "temperature schedule"),
    ({"kind": "greedy", "sweeps": 10, "temperature": 0.5}, "temperature 0"),
    ({"kind": "replicated", "sweeps": 10, "y": 1}, "y >= 2"),
    ({"kind": "sgd", "sweeps": 10}, "choose one of"),
    ({"kind": "focusing", "sweeps": 10, "y": 3, "temperature": 1.0}, "no temperature"),
])
def test_bad_protocols_get_one_line_errors(kwargs, needle):
    with pytest.raises(ParamError) as e:
        Protocol(**kwargs)
    assert needle in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("args,needle", [
    (["y=0"], "y=0 is out of range; allowed: >= 1"),
    pytest.param(["protocol=replicated", "gamma0=-1"], "gamma0=-1 is out of range; allowed: >= 0",
                 marks=pytest.mark.slow),
    (["d=0.1,0.7"], "allowed: distances in [0, 0.5]"),
    pytest.param(["protocol=walk"], "choose one of", marks=pytest.mark.slow),
])
def test_bad_cli_input_exits_2_with_one_line(args, needle):
    """One subprocess per case (each imports replicon: two in the default run, the rest slow)."""
    p = subprocess.run([sys.executable, "-m", "replicon.cli", "simulate", "landscape.protocols", "N=21", "seeds=1",
                        "budget=10", *args], capture_output=True, text=True)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2 and len(lines) == 1 and needle in lines[0], p.stderr


def test_cli_runs_anneal_and_replicated():
    """``replicon simulate landscape.protocols protocol=...`` reports success, time, flatness and
    local entropy per seed; at alpha = 0.3, N = 51 both protocols solve both instances."""
    import json

    for proto in ("anneal", "replicated"):
        r = CliRunner().invoke(main, ["simulate", "landscape.protocols", f"protocol={proto}", "alpha=0.3", "N=51",
                                      "seeds=2", "budget=2000", "d=0,0.1", "population=8", "--json"],
                               catch_exceptions=False)
        d = json.loads(r.output)
        assert d["mean"]["success"] == 1.0 and 0 < d["mean"]["time"] < 2000
        assert d["mean"]["flatness"][0] == 0.0 and d["mean"]["flatness"][1] > 0
        assert len(d["samples"]["local_entropy"]) == 2 and d["coords"]["d"] == [0.0, 0.1]
        assert d["mean"]["local_entropy"][0] == 0.0


def test_teacher_is_found_beyond_the_transition():
    """Binary teacher-student at alpha = 2, above the first-order transition to perfect
    generalisation (Gyorgyi 1990: alpha = 1.245, recalled): the zero-error weights annealing finds
    are the teacher's, eps_g = 0."""
    data = binary_storage(101, 2.0, problem="teacher", seed=3)
    r = run(preset("anneal", 5000), data, seed=1)
    out = evaluate(data, r, d=[0.0], local=False)
    assert r.success and out["eps_g"] == 0.0 and out["R"] == 1.0


def test_continuous_protocols_solve_and_decouple():
    """Spherical weights: gradient descent on the squared hinge solves alpha = 0.5 (capacity 2); at
    gamma = 0 the replicas of replicated GD are independent gradient descents (full batch:
    deterministic), to the bit."""
    data = binary_storage(81, 0.5, patterns="gaussian", seed=2)
    r = run(preset("gd", 500), data, seed=0)
    assert r.success and data.errors(np.sign(r.W)) >= 0
    start = np.random.default_rng(1).standard_normal((3, 81))
    rep = run(Protocol("replicated_gd", 40, y=3, gamma=0.0, stop_at_solution=False), data, start=start)
    for a in range(3):
        one = run(Protocol("gd", 40, stop_at_solution=False), data, start=start[a:a + 1])
        assert np.array_equal(rep.replicas[a], one.replicas[0])
    es = run(preset("entropy_sgd", 3000), data, seed=0)
    assert es.success


def test_focusing_bp_solves_at_alpha_0_7():
    """Focusing BP (y = 5, gamma 0.01 -> 2 over 500 iterations) solves the binary perceptron at
    alpha = 0.7, N = 201, in each of 3 instances, well inside 2000 flip-attempt equivalents (an
    iteration counts 2); the signs of its marginals have zero errors when recounted."""
    for s in range(3):
        data = binary_storage(201, 0.7, seed=20 + s)
        r = run(preset("focusing", 2000), data, seed=s)
        assert r.success and r.time <= 1200 and data.errors(r.W) == 0


@pytest.mark.slow
def test_replicated_solves_where_annealing_of_the_same_running_time_fails():
    """Issue 11's claim at N = 401, alpha = 0.6: with the same running time (10^4 flip attempts per
    weight, summed over the y = 5 replicas) the replicated protocol solves most of 10 instances and
    annealing fails on most (measured once with 20 instances: 20/20 against 1/20,
    docs/landscape.md)."""
    from replicon.simulate.landscape import simulate_protocols

    kw = dict(alpha=0.6, N=401, seeds=10, seed=11, budget=10000, local=False, n_pert=5)
    rep = simulate_protocols(protocol="replicated", **kw)
    ann = simulate_protocols(protocol="anneal", **kw)
    assert rep.samples["success"].sum() >= 8 and ann.samples["success"].sum() <= 2
    assert np.all(rep.samples["time"][rep.samples["success"] == 1] < 10000)
