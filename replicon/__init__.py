"""replicon: statistical mechanics of learning, theory against simulation.

Sub-packages: :mod:`replicon.theory` (saddle-point and dynamical mean-field
equations), :mod:`replicon.simulate` (finite-N numba simulations),
:mod:`replicon.compare` (experiments, scans, overlays). The model registry
(:mod:`replicon.models`) ties them together::

    import replicon
    sol = replicon.solve("perceptron.teacher", alpha=2.0, weights="ising")
"""

__version__ = "0.1.0"


def solve(model: str, **params):
    """Solve a registered model at one point; returns a :class:`~replicon.theory.solution.Solution`."""
    from .registry import get

    return get(model).run_solve(**params)


def simulate_model(model: str, **params):
    """Simulate a registered model (``N=``, ``seeds=``, ``seed=`` plus its parameters)."""
    from .registry import get

    return get(model).run_simulate(**params)


# ``replicon.simulate(...)``: until a sub-module of the package ``replicon.simulate`` is imported this
# name is the function; afterwards it is the package, which is callable with the same signature.
simulate = simulate_model


def models():
    """Names of the registered models."""
    from .registry import all_models

    return [m.name for m in all_models()]
