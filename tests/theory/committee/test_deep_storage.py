"""Gardner volume of deep trees (issue 15): RS capacity by the least-flip-cost formula, reductions.

Published values: the K = 1 limit (Gardner 1988: alpha_c = 2) is recalled, not read; the one-layer
tree's RS capacity 4.025 (K = 3) is checked against replicon's independent order-statistics
quadrature (:func:`replicon.theory.committee.storage.tree_storage_capacity`). The parity machine's
published capacity (Barkai, Hansel & Kanter 1990) could not be read through the search tool; the
parity checks are the exact identity parity(2,2) = parity(4) and branching 1.
"""

import pytest

from replicon._util import ParamError
from replicon.theory.committee import deep_storage as S
from replicon.theory.committee.storage import storage, tree_storage_at_line, tree_storage_capacity


def test_one_layer_capacity_is_the_tree_committee_s():
    """Branching 3 (majority): alpha_c = 1/C_K within 3 standard errors of the quadrature's 4.0252."""
    a, s = S.deep_storage_capacity("3", n_samples=400_000)
    assert abs(a - tree_storage_capacity(3)) < 3 * s


@pytest.mark.parametrize("output", ["majority", "parity"])
def test_branching_one_is_gardner_s_two(output):
    """One first-layer unit: alpha_c = 2 (Gardner 1988, recalled) within 3 standard errors."""
    a, s = S.deep_storage_capacity("1", output, n_samples=400_000)
    assert abs(a - 2.0) < 3 * s


def test_parity_of_parities_has_the_capacity_of_one_parity():
    """Parity 2,2 flips with its cheapest first-layer unit, as parity 4 does: the same samples give the same
    capacity (exactly), and it exceeds parity 2's."""
    a = S.deep_storage_capacity("2,2", "parity", n_samples=200_000)[0]
    b = S.deep_storage_capacity("4", "parity", n_samples=200_000)[0]
    assert a == b and a > S.deep_storage_capacity("2", "parity", n_samples=200_000)[0]


def test_kappa_other_than_zero_is_refused():
    with pytest.raises(ParamError, match="allowed: 0"):
        S.deep_storage("3", kappa=0.5)


@pytest.mark.slow
def test_one_layer_gardner_volume_is_committee_storage():
    """Branching 3: q, entropy and replicon eigenvalue equal committee.storage's at alpha = 1; the AT line
    equals tree_storage_at_line's to 2e-3 (measured 7e-4: leaf rule of 31 against 81 nodes)."""
    a, b = S.deep_storage("3", alpha=1.0, capacity=False), storage(3, 1.0)
    assert abs(a["q"] - b["q"]) < 1e-7 and abs(a.free_energy - b.free_energy) < 1e-7
    assert abs(a.replicon_eigenvalue - b.replicon_eigenvalue) < 1e-5
    assert abs(S.deep_storage_at_line("3")[0] - tree_storage_at_line(3)[0]) < 2e-3
