"""The documentation's generated pages: docstring escaping, the gallery record and thumbnails.

(The full Sphinx build is run by hand: ``sphinx-build -W -b html docs docs/_build/html``.)
"""

import importlib.util
import json
import pathlib

import pytest

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"


def _docs_build():
    spec = importlib.util.spec_from_file_location("docs_build", DOCS / "docs_build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_plain_text_physics_is_escaped_outside_literals():
    db = _docs_build()
    assert db._escape_physics("the norm |w|^2 = N") == r"the norm \|w\|^2 = N"
    assert db._escape_physics("``|B|^2 = N`` and M_-y(m)") == r"``|B|^2 = N`` and M\_-y(m)"
    assert db._escape_physics("q_d and q_a stay") == "q_d and q_a stay"     # not a reference
    assert db._escape_physics("| a | line block |") == "| a | line block |"


def test_docstring_that_is_not_rst_is_shown_verbatim():
    db = _docs_build()
    lines = ["Summary line.", "", "A paragraph", "    indented by mistake", "back"]
    db.plain_text_physics(None, "function", "replicon.theory.x.f", None, {}, lines)
    assert lines[:3] == ["Summary line.", "", ".. code-block:: text"]
    assert "        indented by mistake" in lines
    ok = ["Summary line.", "", "Parameters", "----------", "x : float", "    the value"]
    kept = list(ok)
    db.plain_text_physics(None, "function", "replicon.theory.x.f", None, {}, kept)
    assert kept == ok


def test_gallery_pages_list_every_figure_script(tmp_path):
    """Every paper_figures script with a main() gets a gallery page, linked from the index."""
    db = _docs_build()
    root = DOCS.parent
    (tmp_path / "gallery").mkdir()
    names = db.gallery_pages(str(tmp_path), str(root))
    scripts = sorted(p.stem for p in (root / "paper_figures").glob("*.py")
                     if not p.name.startswith("_") and "\ndef main(" in p.read_text(encoding="utf-8"))
    assert sorted(names) == scripts
    index = (tmp_path / "_generated" / "gallery" / "index.md").read_text(encoding="utf-8")
    for name in scripts:
        assert f"]({name}.md)" in index
        page = (tmp_path / "_generated" / "gallery" / f"{name}.md").read_text(encoding="utf-8")
        assert f"paper_figures/{name}.py" in page


def test_gallery_thumbnails_are_small_and_recorded():
    """Every paper figure has a thumbnail in docs/gallery (python docs/make_gallery.py NAME), each small and
    recorded with its quick-mode run time."""
    thumbs = sorted((DOCS / "gallery").glob("*.png"))
    scripts = sorted(p.stem for p in (DOCS.parent / "paper_figures").glob("*.py") if not p.stem.startswith("_"))
    assert sorted(t.stem for t in thumbs) == scripts
    record = json.loads((DOCS / "gallery" / "figures.json").read_text(encoding="utf-8"))
    for png in thumbs:
        assert png.stat().st_size < 60_000, f"{png.name}: {png.stat().st_size} bytes"
        assert png.stem in record and record[png.stem]["quick_seconds"] > 0
