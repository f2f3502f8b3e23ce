"""Finite-N simulations (numba kernels). Imports nothing from replicon.theory.

``replicon.simulate`` is both this package and the function ``replicon.simulate(model, **params)``:
importing any sub-module rebinds the attribute of ``replicon`` to the package, so the package
answers the call too (as ``replicon.models`` does).
"""

import sys
import types

from .measurement import Measurement  # noqa: F401


class _CallableModule(types.ModuleType):
    def __call__(self, model: str, **params):
        """Simulate a registered model (``N=``, ``seeds=``, ``seed=`` plus its parameters)."""
        from .. import simulate_model        # the top-level function (this package never imports the registry)

        return simulate_model(model, **params)


sys.modules[__name__].__class__ = _CallableModule
