"""Scripts that reproduce classic figures of the field (installed as ``replicon.paper_figures``).

Each module has ``main(quick=False, outdir=".") -> dict``: it writes its PNG,
prints the numbers it compares with the paper and returns them. Run one with
``replicon figure NAME`` or ``python paper_figures/NAME.py``.
"""
