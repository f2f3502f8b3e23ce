"""Sphinx configuration of replicon's documentation site.

Build: ``pip install -e ".[docs]" && sphinx-build -W -b html docs docs/_build/html``.
Pages: the Markdown files of docs/ (myst-parser), the API reference (autodoc/autosummary
with numpydoc over the package), the tutorials (rendered from docs/tutorials/*.ipynb) and
the figure gallery (generated from paper_figures/ and docs/gallery/figures.json, written
by ``python docs/make_gallery.py``).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

import replicon  # noqa: E402

project = "replicon"
author = "the replicon developers"
copyright = "2026, the replicon developers"
release = version = replicon.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "tutorials/*.ipynb", "gallery/*.json", "Thumbs.db", ".DS_Store"]
templates_path = []

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_member_order = "bysource"
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

html_theme = "alabaster"
html_title = f"replicon {release}"
html_static_path = []
html_theme_options = {"description": "replica theory and DMFT of learning, with simulations",
                      "page_width": "1100px", "sidebar_width": "230px"}


def setup(app):
    from docs_build import plain_text_physics, write_generated_pages

    app.connect("builder-inited", lambda app: write_generated_pages(HERE, ROOT))
    app.connect("autodoc-process-docstring", plain_text_physics, priority=400)   # before numpydoc
