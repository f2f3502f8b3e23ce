"""The layout's rules (DESIGN.md, "Layout"; issue "One house for every model"), read off the source.

- no module imports an underscore name from another module (``from m import _x``, or
  ``m._x`` on a module bound by ``import``); what two modules share is public;
- ``replicon.theory`` imports nothing of ``replicon.simulate`` and the reverse, and neither
  imports ``compare``, ``models``, ``cli``;
- ``replicon.registry`` imports no model module (families reach it through entry points).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import replicon

ROOT = Path(replicon.__file__).parent
MODULES = sorted(p for p in ROOT.rglob("*.py"))


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    """Absolute name of the module an ImportFrom reads from."""
    if node.level == 0:
        return node.module or ""
    pkg = _module_name(path).split(".")
    if path.name != "__init__.py":
        pkg = pkg[:-1]
    base = pkg[: len(pkg) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports(path: Path):
    """(target module, imported name or None, line) for every import of a replicon module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = _resolve(path, node)
            for alias in node.names:
                out.append((mod, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                out.append((alias.name, None, node.lineno))
    return [o for o in out if o[0] == "replicon" or o[0].startswith("replicon.")]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(path: Path):
    """Underscore names imported from, or read as attributes of, other replicon modules."""
    bad = []
    bound = {}                                  # local name -> replicon module it is bound to
    for mod, name, line in imports(path):
        if name is None:
            continue
        if _private(name):
            full = f"{mod}.{name}"
            is_module = (ROOT.parent / Path(*full.split("."))).with_suffix(".py").exists() or \
                (ROOT.parent / Path(*full.split("."))).is_dir()
            if not is_module:
                bad.append(f"{path.relative_to(ROOT.parent)}:{line} imports {name} from {mod}")
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = _resolve(path, node)
            for alias in node.names:
                full = f"{mod}.{alias.name}"
                p = ROOT.parent / Path(*full.split("."))
                if p.with_suffix(".py").exists() or p.is_dir():
                    bound[alias.asname or alias.name] = full
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound \
                and _private(node.attr):
            bad.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} reads {bound[node.value.id]}.{node.attr}")
    return bad


def test_the_walk_sees_the_whole_package():
    names = {_module_name(p) for p in MODULES}
    for expected in ("replicon.theory.priors", "replicon.theory.channels", "replicon.theory.committee.tree",
                     "replicon.simulate.committee.monte_carlo", "replicon.models.perceptron", "replicon.registry"):
        assert expected in names


def test_no_module_imports_an_underscore_name_from_another():
    bad = [b for p in MODULES for b in private_uses(p)]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("layer,forbidden", [
    ("replicon.theory", ("replicon.simulate", "replicon.compare", "replicon.models", "replicon.cli",
                         "replicon.registry")),
    ("replicon.simulate", ("replicon.theory", "replicon.compare", "replicon.models", "replicon.cli",
                           "replicon.registry")),
])
def test_theory_and_simulate_do_not_import_each_other(layer, forbidden):
    bad = []
    for p in MODULES:
        if not _module_name(p).startswith(layer):
            continue
        for mod, name, line in imports(p):
            full = mod if name is None else f"{mod}.{name}"
            if any(full == f or full.startswith(f + ".") or mod == f or mod.startswith(f + ".") for f in forbidden):
                bad.append(f"{p.relative_to(ROOT.parent)}:{line} imports {full}")
    assert not bad, "\n".join(bad)


def test_registry_imports_no_model_module():
    path = ROOT / "registry.py"
    mods = {m for m, _, _ in imports(path)}
    assert not any(m.startswith(("replicon.models", "replicon.theory", "replicon.simulate")) for m in mods), mods


def test_the_checks_catch_what_they_claim():
    """The walkers flag a planted violation (so the tests above can fail)."""
    fake = ROOT / "theory" / "_planted_violation_for_test.py"
    fake.write_text("from .perceptron import _nothing\nfrom ..simulate import measurement\n"
                    "from . import engine\nx = engine._accept\n")
    try:
        assert len(private_uses(fake)) == 2
        assert any(m.startswith("replicon.simulate") for m, _, _ in imports(fake))
    finally:
        fake.unlink()


def test_public_functions_survive_importing_their_namesake_packages():
    """replicon.simulate and replicon.models are functions and packages at once: importing a sub-module
    (which rebinds the attribute to the package) must leave them callable."""
    import replicon
    import replicon.models.perceptron  # noqa: F401
    import replicon.simulate.perceptron  # noqa: F401

    meas = replicon.simulate("perceptron.teacher", alpha=1.0, N=20, seeds=2, seed=1)
    assert meas.n_seeds == 2 and "R" in meas.samples
    assert "perceptron.teacher" in replicon.models()
