"""replicon's own registry entries: one module per model family.

Each module (``perceptron``, ``committee``, ``online``, ``chain``, ...) registers its
family's entries when imported; :func:`register_builtin`, the value of replicon's entry
point in the group ``replicon.models``, imports every module of this package. A new
family is a new file here and nothing else.
"""

from __future__ import annotations

import sys
import types


def register_builtin() -> None:
    """Import every family module of this package (each registers its own entries)."""
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


class _CallableModule(types.ModuleType):
    """``replicon.models`` is both this package and the function ``replicon.models()`` (the names
    of the registered models): importing the package rebinds the attribute of ``replicon``, so
    the package answers the call too."""

    def __call__(self):
        from ..registry import all_models

        return [m.name for m in all_models()]


sys.modules[__name__].__class__ = _CallableModule
