"""Input checks shared by the landscape family (one-line ParamError naming what is allowed)."""

from __future__ import annotations

from ..._util import ParamError, check_choice, check_number

PROBLEMS = ("storage", "teacher")
WEIGHTS = ("ising", "spherical")


def check_distance(d):
    d = check_number("d", d)
    if not (0.0 < d <= 0.5):
        raise ParamError(f"d={d} is out of range; allowed: 0 < d <= 1/2 (normalised Hamming distance)")
    return d


def check_landscape(alpha, kappa, d, problem, weights):
    alpha = check_number("alpha", alpha, lo=0.0, hi=10.0)
    kappa = check_number("kappa", kappa, lo=-10.0, hi=10.0)
    d = check_distance(d)
    problem = check_choice("problem", problem, PROBLEMS)
    weights = check_choice("weights", weights, WEIGHTS)
    return alpha, kappa, d, problem, weights
