"""Output paths of the command line: checked before any work starts, named as written.

A figure path without a suffix gets ``.png``; a directory gets ``DIR/<default name>``; missing
directories are created; a suffix matplotlib cannot write, an unwritable directory, or a data file with the
wrong suffix is refused with one line. The path returned is the one the file will have.
"""

from __future__ import annotations

import os
import tempfile

from .._util import ParamError


def figure_formats() -> tuple[str, ...]:
    """Suffixes (without the dot) matplotlib's Agg canvas writes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    return tuple(sorted(FigureCanvasAgg(Figure()).get_supported_filetypes()))


def check_writable(path: str) -> str:
    """Refuse a path whose directory is missing or cannot be written (one line)."""
    parent = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(parent):
        try:
            os.makedirs(parent, exist_ok=True)
        except OSError as e:
            raise ParamError(f"cannot write {path}: cannot create directory {parent} ({e.strerror or e})") from None
    if os.path.isdir(path):
        raise ParamError(f"cannot write {path}: it is a directory")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".replicon-write-test-"):
            pass
    except OSError as e:
        raise ParamError(f"cannot write {path}: {e.strerror or e}") from None
    return path


def figure_path(out: str, default_name: str) -> str:
    """The figure file ``out`` names: suffix checked, ``.png`` added where there is none."""
    if not out or not str(out).strip():
        raise ParamError("--out needs a file name, e.g. fig.png")
    out = os.path.expanduser(str(out))
    if os.path.isdir(out):
        out = os.path.join(out, default_name)
    root, ext = os.path.splitext(out)
    if not ext:
        out = out + ".png"
    else:
        fmts = figure_formats()
        if ext[1:].lower() not in fmts:
            raise ParamError(f"--out {out}: cannot write a {ext} figure; allowed suffixes: "
                             f"{', '.join('.' + f for f in fmts)}")
    return check_writable(out)


def data_path(out: str, suffixes=(".nc",), what="scan result (netCDF)") -> str:
    """A data file name with one of ``suffixes`` in a writable directory."""
    if not out or not str(out).strip():
        raise ParamError(f"--out needs a file name for the {what}, e.g. scan{suffixes[0]}")
    out = os.path.expanduser(str(out))
    ext = os.path.splitext(out)[1].lower()
    if ext not in suffixes:
        raise ParamError(f"--out {out}: the {what} needs the suffix {' or '.join(suffixes)}")
    return check_writable(out)
