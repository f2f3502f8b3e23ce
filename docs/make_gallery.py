"""Run the paper figures in quick mode and write the gallery's thumbnails and record.

    python docs/make_gallery.py [NAME ...]        # default: every figure

For each figure it runs ``replicon.compare.figures.run_figure(NAME, quick=True)`` in this
process, timing it and capturing what it prints (its comparison with the paper), writes the
full-size PNG and PDF to ``docs/_static/gallery/`` (not kept in git), a small thumbnail
``docs/gallery/NAME.png`` (kept in git, < 60 kB) and the record ``docs/gallery/figures.json``
(run time, printed text, date) that the Sphinx gallery page is generated from.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GALLERY = os.path.join(HERE, "gallery")
FULL = os.path.join(HERE, "_static", "gallery")
RECORD = os.path.join(GALLERY, "figures.json")
THUMB_WIDTH = 900        # pixels
THUMB_LIMIT = 60_000     # bytes


def thumbnail(src: str, dst: str, width: int = THUMB_WIDTH) -> int:
    """Shrink a PNG to ``width`` pixels and an adaptive palette; returns the file size in bytes."""
    from PIL import Image

    img = Image.open(src).convert("RGB")
    colours = 128
    while True:
        w = min(width, img.width)
        small = img.resize((w, round(img.height * w / img.width)), Image.LANCZOS)
        small.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(dst, optimize=True)
        size = os.path.getsize(dst)
        if size < THUMB_LIMIT or width < 320:
            return size
        width = int(width * 0.85)


def main(names=None):
    from replicon.compare.figures import available, run_figure

    os.makedirs(GALLERY, exist_ok=True)
    os.makedirs(FULL, exist_ok=True)
    record = {}
    if os.path.exists(RECORD):
        with open(RECORD, encoding="utf-8") as f:
            record = json.load(f)
    names = names or list(available())
    for name in names:
        buf = io.StringIO()
        with open("/proc/loadavg") if os.path.exists("/proc/loadavg") else contextlib.nullcontext() as f:
            load = float(f.read().split()[0]) if f else None
        start = time.perf_counter()
        with contextlib.redirect_stdout(buf):
            run_figure(name, quick=True, outdir=FULL)
        seconds = time.perf_counter() - start
        size = thumbnail(os.path.join(FULL, f"{name}.png"), os.path.join(GALLERY, f"{name}.png"))
        printed = buf.getvalue().rstrip().replace(FULL + os.sep, "")   # file names, not this machine's paths
        record[name] = {"quick_seconds": round(seconds, 1), "printed": printed,
                        "date": datetime.date.today().isoformat(), "load_average": load}
        print(f"{name}: {seconds:.1f} s, thumbnail {size / 1000:.0f} kB", file=sys.stderr, flush=True)
        with open(RECORD, "w", encoding="utf-8") as f:
            json.dump(dict(sorted(record.items())), f, indent=1, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
