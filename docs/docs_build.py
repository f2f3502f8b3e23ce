"""Pages of the documentation site generated at build time (called from conf.py).

* ``_generated/tutorials/NAME.md``: each notebook of ``docs/tutorials`` as a page (its
  Markdown cells, its code cells as Python blocks, a download link to the notebook);
* ``_generated/gallery/index.md`` and one page per figure of ``paper_figures/``: the
  thumbnail (``docs/gallery/NAME.png``), the script's docstring, the quick-mode run time and
  printed comparison recorded by ``docs/make_gallery.py`` (``docs/gallery/figures.json``),
  and the script itself.

Nothing here runs a figure or a notebook: the build reads files only.
"""

from __future__ import annotations

import ast
import json
import os
import re

_ESCAPE = re.compile(r"([\\*$<>\[\]|#])")


def _escape(text: str) -> str:
    """Plain docstring text as Markdown: keep `code`, escape what Markdown would interpret."""
    parts = re.split(r"(`[^`]*`)", text)
    return "".join(p if p.startswith("`") else _ESCAPE.sub(r"\\\1", p) for p in parts)


def _write(path: str, text: str) -> None:
    """Write only when the content changes (so Sphinx does not rebuild unchanged pages)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def tutorial_pages(docs: str) -> list[str]:
    import nbformat

    names = []
    src = os.path.join(docs, "tutorials")
    for fn in sorted(os.listdir(src)):
        if not fn.endswith(".ipynb"):
            continue
        nb = nbformat.read(os.path.join(src, fn), as_version=4)
        out = []
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                out.append(cell.source)
                if i == 0:
                    out.append(f"Download the notebook: {{download}}`{fn} <../../tutorials/{fn}>` "
                               "(stored without outputs; run it to see the figures).")
            elif cell.cell_type == "code":
                out.append("```python\n" + cell.source + "\n```")
        stem = fn[:-len(".ipynb")]
        _write(os.path.join(docs, "_generated", "tutorials", f"{stem}.md"), "\n\n".join(out) + "\n")
        names.append(stem)
    lines = ["# Tutorials", "", "```{toctree}", ":maxdepth: 1", "", *names, "```", ""]
    _write(os.path.join(docs, "_generated", "tutorials", "index.md"), "\n".join(lines))
    return names


def _figures(root: str) -> dict[str, str]:
    """Figure scripts (those with a top-level main) and their whole docstrings."""
    out = {}
    folder = os.path.join(root, "paper_figures")
    for fn in sorted(os.listdir(folder)):
        if not fn.endswith(".py") or fn.startswith("_"):
            continue
        with open(os.path.join(folder, fn), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        if any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body):
            out[fn[:-3]] = ast.get_docstring(tree) or ""
    return out


def gallery_pages(docs: str, root: str) -> list[str]:
    record_path = os.path.join(docs, "gallery", "figures.json")
    record = {}
    if os.path.exists(record_path):
        with open(record_path, encoding="utf-8") as f:
            record = json.load(f)
    figures = _figures(root)
    gdir = os.path.join(docs, "_generated", "gallery")
    cards = []
    for name, doc in figures.items():
        first = " ".join(doc.split("\n\n")[0].split())
        thumb = os.path.join(docs, "gallery", f"{name}.png")
        rec = record.get(name)
        lines = [f"# {name}", ""]
        if os.path.exists(thumb):
            lines += [f"```{{image}} ../../gallery/{name}.png", f":alt: {name}", ":width: 100%", "```", ""]
        else:
            lines += ["(No thumbnail yet: run `python docs/make_gallery.py " + name + "`.)", ""]
        lines += [_escape(p.strip()) for p in doc.split("\n\n")]
        lines += ["", "## Run", "",
                  f"`replicon figure {name} --quick` (small sizes and few seeds) or "
                  f"`replicon figure {name}` (the full run).", ""]
        if rec:
            load = f", load average {rec['load_average']:.1f} on two cores" if rec.get("load_average") else ""
            lines += [f"The quick run took {rec['quick_seconds']:.0f} s ({rec['date']}{load}) and printed:", "",
                      "```text", rec["printed"] or "(nothing)", "```", ""]
        lines += ["## Script", "", f"```{{literalinclude}} ../../../paper_figures/{name}.py",
                  ":language: python", "```", ""]
        _write(os.path.join(gdir, f"{name}.md"), "\n".join(lines))
        cards.append((name, first, os.path.exists(thumb), rec))
    idx = ["# Figure gallery", "",
           "Each page reproduces a figure of the literature with a script in `paper_figures/`: the "
           "figure (its quick mode), the script's description and comparison with the paper, what "
           "the quick run printed and how long it took, and the script. Regenerate the images and "
           "records with `python docs/make_gallery.py` (all) or `python docs/make_gallery.py NAME`.", "",
           "```{toctree}", ":hidden:", "", *[c[0] for c in cards], "```", ""]
    for name, first, has_thumb, rec in cards:
        t = f" (quick run {rec['quick_seconds']:.0f} s)" if rec else ""
        idx += [f"## [{name}]({name}.md)", ""]
        if has_thumb:
            idx += [f"[![{name}](../../gallery/{name}.png)]({name}.md)", ""]
        idx += [_escape(first) + t, ""]
    _write(os.path.join(gdir, "index.md"), "\n".join(idx))
    return list(figures)


def write_generated_pages(docs: str, root: str) -> None:
    tutorial_pages(docs)
    gallery_pages(docs, root)


# ---------------------------------------------------------------------------------------------
# Docstrings as reStructuredText
#
# replicon's docstrings write physics in plain text: |w|^2, M_-y(m), q^(1/2). In RST a pair of
# bars is a substitution reference and ``word_`` a hyperlink reference, so the API reference
# would show errors where the source reads perfectly. Before numpydoc parses a docstring,
# ``plain_text_physics`` escapes those characters outside literals; a docstring that is still
# not valid RST (a heading underline too short, an indented line after a paragraph) is shown
# verbatim below its first line, as the source has it, instead of half-rendered.

_LITERAL = re.compile(r"(``.+?``|`[^`]+`)")
_REF_UNDERSCORE = re.compile(r"(?<=[A-Za-z0-9])_(?=[^A-Za-z0-9_{]|$)")
_ROLE_REF = re.compile(r":(mod|func|class|meth|data|attr|obj):`(\.?)([A-Za-z_][A-Za-z0-9_.]*)`")


def _escape_physics(line: str) -> str:
    if line.lstrip().startswith(("|", "+-", "+=")):   # an RST line block or grid table
        return line
    parts = _LITERAL.split(line)
    out = []
    for p in parts:
        if _LITERAL.fullmatch(p or " "):
            out.append(p.replace("...", "\u2026") if p.startswith("``") else p)
        else:
            out.append(_REF_UNDERSCORE.sub(r"\\_", p.replace("|", r"\|")))
    return "".join(out)


def _rst_problems(text: str) -> list[str]:
    """docutils' warnings and errors for ``text``, ignoring roles/directives only Sphinx knows."""
    import io

    from docutils.core import publish_doctree

    text = re.sub(r":[a-z]+(:[a-z]+)?:`([^`]*)`", r"``\2``", text)   # roles -> literals
    # directives -> literal blocks: inside a Sphinx build, docutils would run Sphinx's own directives,
    # which need a build environment
    text = re.sub(r"(?m)^(\s*)\.\. [\w:-]+::.*$", r"\1::", text)
    stream = io.StringIO()
    try:
        publish_doctree(text, settings_overrides={"report_level": 2, "halt_level": 5, "warning_stream": stream,
                                                  "file_insertion_enabled": False, "raw_enabled": False})
    except Exception:   # a construct plain docutils cannot check: leave the docstring to Sphinx
        return []
    lines = [ln for ln in stream.getvalue().splitlines() if "(WARNING/2)" in ln or "(ERROR/3)" in ln
             or "(SEVERE/4)" in ln]
    return [ln for ln in lines if "Unknown directive type" not in ln and "Unknown interpreted text role" not in ln]


def plain_text_physics(app, what, name, obj, options, lines):
    if not lines:
        return
    if len(lines) > 1 and len(set(lines[1].strip())) == 1 and lines[1].strip()[:1] in "-=~^" \
            and len(lines[1].strip()) >= 3:
        # a docstring that opens with a heading: the heading becomes its summary line (autosummary
        # would otherwise take the whole section's plain text, markup stripped, as the summary)
        lines[:] = [lines[0], ""] + lines[2:]
    lines[:] = [_escape_physics(ln) for ln in lines]
    # autosummary cuts the summary at the first ". " even inside a literal (``B_k . xi``): in the first
    # paragraph, a zero-width space after such a period keeps the literal whole
    for i, ln in enumerate(lines):
        if not ln.strip():
            break
        lines[i] = _LITERAL.sub(lambda m: m.group(0).replace(". ", ".\u200b "), ln)
    # a bare or relative module reference (:mod:`deep`, :func:`.deep.f`) resolved against the
    # packages around the documented object: Python's domain would find several 'deep' modules
    parents = []
    base = name
    while "." in base:
        base = base.rpartition(".")[0]
        parents.append(base)

    def qualify(m):
        import importlib.util

        role, dot, target = m.groups()
        if not dot and (role != "mod" or "." in target):
            return m.group(0)
        first = target.split(".")[0]
        for base in parents:
            try:
                if importlib.util.find_spec(f"{base}.{first}") is not None:
                    return f":{role}:`~{base}.{target}`"
            except (ImportError, ValueError, AttributeError):
                continue
        return m.group(0)

    lines[:] = [_ROLE_REF.sub(qualify, ln) for ln in lines]
    if _rst_problems("\n".join(lines)):
        first, rest = lines[0], lines[1:]
        while rest and not rest[0].strip():
            rest.pop(0)
        lines[:] = [first, ""] + ([".. code-block:: text", ""] + ["    " + ln for ln in rest] if rest else [])
