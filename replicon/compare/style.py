"""The house style of replicon's figures: one style file and the conventions it cannot hold.

``replicon.mplstyle`` (beside this module) sets sizes, fonts (STIX text and mathtext),
the colour cycle, ticks and output. On top of it every figure follows:

* one colour per system size N (the i-th size of a comparison gets :func:`colour_for`
  ``(i)``; theory is black where it does not depend on N);
* line style per branch: thermodynamic solid, metastable dashed, unstable dotted
  (:data:`BRANCH_LINESTYLE`, :func:`branch_linestyle`);
* labels in mathtext (:func:`tex`: ``eps_g`` -> ``$\\epsilon_g$``, ``q_{l+1}`` ->
  ``$q_{\\ell+1}$``);
* every legend that shows simulation states N and the number of seeds (:func:`sim_label`);
* PNG and PDF output (:func:`save`).
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

STYLE_FILE = os.path.join(os.path.dirname(__file__), "replicon.mplstyle")

BRANCH_LINESTYLE = {"thermodynamic": "-", "metastable": "--", "unstable": ":"}

COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "kappa", "lambda", "mu", "nu", "rho",
         "sigma", "tau", "chi", "xi", "psi", "phi", "omega", "theta", "Delta", "Psi"}

NAMES = {
    "eps_g": r"\epsilon_g", "eps_t": r"\epsilon_t", "alpha_tilde": r"\tilde\alpha",
    "sigma_w2": r"\sigma_w^2", "sigma_b2": r"\sigma_b^2", "chi1": r"\chi_1", "xi_c": r"\xi_c",
    "q_hat": r"\hat q", "R_mean": r"R_{\mathrm{mean}}", "free_energy": r"f", "alpha_c": r"\alpha_c",
    "mse": r"\mathrm{MSE}", "lam": r"\lambda", "l": r"\ell",
}


def use() -> None:
    """Make the house style the default for figures created from now on."""
    import matplotlib.pyplot as plt

    plt.style.use(STYLE_FILE)


@contextmanager
def context():
    """The house style for the figures created inside a ``with`` block."""
    import matplotlib.pyplot as plt

    with plt.style.context(STYLE_FILE):
        yield


def colour_for(i: int) -> str:
    """The colour of the i-th system size (or the i-th of any family of curves)."""
    return COLOURS[i % len(COLOURS)]


def branch_linestyle(status: str | None, stable: bool | None = None) -> str:
    """Solid for the thermodynamic branch, dashed metastable, dotted unstable (or replicon-unstable)."""
    if status == "unstable" or stable is False:
        return ":"
    return BRANCH_LINESTYLE.get(status or "thermodynamic", "-")


def _symbol(name: str) -> str:
    if name in NAMES:
        return NAMES[name]
    if name in GREEK:
        return "\\" + name
    if len(name) == 1 or name.isdigit():
        return name
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


def tex(name: str) -> str:
    """A variable name as a mathtext label: ``eps_g`` -> ``$\\epsilon_g$``, ``R_1_1`` -> ``$R_{11}$``,
    ``q_{l+1}`` -> ``$q_{\\ell+1}$``, ``alpha`` -> ``$\\alpha$``; other names are set upright."""
    if name in NAMES:
        return f"${NAMES[name]}$"
    m = re.fullmatch(r"([A-Za-z]+)_\{([^}]*)\}", name)
    if m:
        sub = re.sub(r"\bl\b", r"\\ell", m.group(2))
        return f"${_symbol(m.group(1))}_{{{sub}}}$"
    parts = name.split("_")
    if len(parts) > 1 and all(p.isdigit() for p in parts[1:]):
        return f"${_symbol(parts[0])}_{{{''.join(parts[1:])}}}$"
    if len(parts) == 2 and (len(parts[0]) == 1 or parts[0] in GREEK) and parts[1]:
        sub = _symbol(parts[1]) if (parts[1] in GREEK or len(parts[1]) == 1) else r"\mathrm{" + parts[1] + "}"
        return f"${_symbol(parts[0])}_{{{sub}}}$"
    if name in GREEK or len(name) == 1:
        return f"${_symbol(name)}$"
    return name


def sim_label(N, seeds, what: str = "simulation") -> str:
    """The legend entry of a simulation: what it is, its size N and its number of seeds."""
    n = f"{N:g}" if isinstance(N, float) else str(N)
    return f"{what}, $N={n}$, {seeds} seeds"


def save(fig, path: str, formats=("png", "pdf"), dpi: int | None = None) -> str:
    """Write ``fig`` as PNG and PDF beside each other (``path`` with or without suffix); returns
    the PNG path (or ``path`` itself when it names another format, which is then written too)."""
    root, ext = os.path.splitext(path)
    ext = ext[1:].lower()
    written = []
    for f in dict.fromkeys(([ext] if ext else []) + list(formats)):
        p = f"{root}.{f}"
        fig.savefig(p, dpi=dpi)
        written.append(p)
    return written[0]
