"""Franz-Parisi entropy of the Ising perceptron (storage, kappa = 0): limits, bounds and isolation.

Each RS solve takes ~20 s on this machine, so the solves are in the slow suite; the
closed-form limits and the input checks run by default.
"""

import math

import pytest

from replicon._util import ParamError
from replicon.theory.landscape import binary_entropy, franz_parisi
from replicon.theory.perceptron import storage


def test_without_patterns_the_constrained_entropy_is_the_binary_entropy():
    """alpha = 0: every configuration is a solution, S(d) = H2(d) = ln 2 at d = 1/2."""
    assert franz_parisi(alpha=0.0, d=0.5)["entropy"] == pytest.approx(math.log(2.0), abs=1e-15)
    d = 0.1
    assert franz_parisi(alpha=0.0, d=d)["entropy"] == pytest.approx(
        -d * math.log(d) - (1 - d) * math.log(1 - d), rel=1e-14)


@pytest.mark.parametrize("kw,word", [({"d": 0.0}, "d"), ({"d": 0.6}, "d"), ({"d": -0.1}, "d"),
                                     ({"alpha": -1.0}, "alpha"), ({"problem": "x"}, "problem"),
                                     ({"weights": "gauss"}, "weights")])
def test_bad_input_is_one_line_error_naming_what_is_allowed(kw, word):
    with pytest.raises(ParamError) as e:
        franz_parisi(**kw)
    msg = str(e.value)
    assert "\n" not in msg and word in msg and "allowed" in msg


def test_beyond_the_typical_distance_is_reported_unconverged():
    """d > (1 - q~)/2 is outside the ansatz: converged=False with a message (q~ from perceptron.storage)."""
    q = storage(alpha=0.5, weights="ising")["q"]
    sol = franz_parisi(alpha=0.5, d=0.5)
    assert not sol.converged and f"{0.5 * (1 - q):.6g}" in sol.message


@pytest.mark.slow
def test_typical_solutions_are_isolated_while_the_bound_holds():
    """alpha = 0.5, kappa = 0: S(0.001) < 0 (no solutions that close to a typical one: Huang &
    Kabashima 2014) and S(d) <= H2(d); at d = 0.05 S is positive and below H2."""
    s1 = franz_parisi(alpha=0.5, d=0.001)
    assert s1.converged and s1.residual < 1e-9
    assert -0.02 < s1["entropy"] < 0.0 < binary_entropy(0.001)
    s2 = franz_parisi(alpha=0.5, d=0.05)
    assert 0.0 < s2["entropy"] < binary_entropy(0.05)


@pytest.mark.slow
def test_entropy_rises_to_the_gardner_entropy_at_the_typical_distance():
    """S(d) grows with d towards the Gardner entropy of perceptron.storage (independent code), reached
    at d = (1 - q~)/2 = 0.3388 where the constrained replicas are typical; it never exceeds it."""
    gardner = storage(alpha=0.5, weights="ising")["entropy"]
    s2, s3 = franz_parisi(alpha=0.5, d=0.2)["entropy"], franz_parisi(alpha=0.5, d=0.3)["entropy"]
    assert s2 < s3 < gardner
    assert gardner - s3 < 0.01
