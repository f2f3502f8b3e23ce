"""Discovery and running of the paper-figure scripts (``paper_figures/``)."""

from __future__ import annotations

import importlib
import os
import pkgutil


def save_figure(fig, outdir: str, name: str, dpi: int = 150, layout: bool = True) -> str:
    """Lay out, write ``outdir/name.png`` and ``outdir/name.pdf`` and close a figure script's
    figure; returns the PNG path."""
    import matplotlib.pyplot as plt

    from .style import save

    if layout:
        fig.tight_layout()
    path = save(fig, os.path.join(outdir, f"{name}.png"), dpi=dpi)
    plt.close(fig)
    return path


def _package():
    return importlib.import_module("replicon.paper_figures")


def available() -> dict[str, str]:
    """Figure names and the first paragraph of each script's docstring (joined into one line).

    The scripts are read, not imported (ast): listing the figures costs no numba or theory
    imports. A script is a figure when it defines a top-level ``main``.
    """
    import ast

    pkg = _package()
    out = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        path = os.path.join(info.module_finder.path, f"{info.name}.py")
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename=path)
        if any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            first = (ast.get_docstring(tree) or "").strip().split("\n\n")[0]
            out[info.name] = " ".join(first.split())
    return out


def run_figure(name: str, quick: bool = False, outdir: str = ".") -> dict:
    """Run one figure script in the house style; returns the numbers it printed."""
    from .style import context

    os.makedirs(outdir, exist_ok=True)
    mod = importlib.import_module(f"{_package().__name__}.{name}")
    with context():
        return mod.main(quick=quick, outdir=outdir)
