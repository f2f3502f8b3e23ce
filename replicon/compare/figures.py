"""Discovery and running of the paper-figure scripts (``paper_figures/``)."""

from __future__ import annotations

import importlib
import os
import pkgutil


def save_figure(fig, outdir: str, name: str, dpi: int = 120) -> str:
    """Lay out, write ``outdir/name.png`` and close a figure script's figure; returns the path."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path = os.path.join(outdir, f"{name}.png")
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def _package():
    return importlib.import_module("replicon.paper_figures")


def available() -> dict[str, str]:
    """Figure names and the first line of each script's docstring."""
    pkg = _package()
    out = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        if hasattr(mod, "main"):
            out[info.name] = (mod.__doc__ or "").strip().splitlines()[0] if mod.__doc__ else ""
    return out


def run_figure(name: str, quick: bool = False, outdir: str = ".") -> dict:
    """Run one figure script; returns the numbers it printed."""
    os.makedirs(outdir, exist_ok=True)
    mod = importlib.import_module(f"{_package().__name__}.{name}")
    return mod.main(quick=quick, outdir=outdir)
