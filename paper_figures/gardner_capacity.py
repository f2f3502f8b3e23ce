"""Gardner (1988), Fig. 1 type: the storage capacity alpha_c(kappa) of the perceptron.

Theory: alpha_c(kappa) = 1 / int_{-kappa}^inf Dt (t + kappa)^2 for spherical weights (RS, exact for
kappa >= 0), the Ising RS capacity (2/pi) alpha_c(kappa) (where RS reaches q = 1) and the Ising
zero-entropy point (Krauth & Mézard 1989). Finite-N check at kappa = 0: the fraction of random
pattern sets that a perceptron separates (perceptron rule, which finds a solution whenever one
exists) against Cover's (1965) exact count, P(separable) = 2^(1-P) sum_{k<N} C(P-1, k), whose
transition sharpens at alpha = 2.

Compared numbers: alpha_c(0) = 2, Ising 4/pi and 0.833 (Krauth & Mézard), the RS q -> 1 as alpha ->
alpha_c, and the separable fraction against Cover's formula.
"""

from __future__ import annotations

import math
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.special import comb  # noqa: E402

from replicon.simulate.perceptron import perceptron_rule  # noqa: E402
from replicon.theory.perceptron import capacity  # noqa: E402
from replicon.compare.figures import save_figure  # noqa: E402


def cover_probability(N: int, P: int) -> float:
    """Cover (1965): probability that P random patterns in general position are linearly separable in N dims."""
    return float(sum(comb(P - 1, k, exact=True) for k in range(min(N, P))) / 2 ** (P - 1))


def separable_fraction(N, alphas, trials, seed=0, max_epochs=2000):
    rng = np.random.default_rng(seed)
    out = []
    for a in alphas:
        P = int(round(a * N))
        ok = 0
        for _ in range(trials):
            xiT = rng.standard_normal((N, P))
            sigma = rng.choice([-1.0, 1.0], size=P)
            J = np.zeros(N)
            ok += perceptron_rule(xiT, sigma, J, max_epochs) < max_epochs
        out.append(ok / trials)
    return np.array(out)


def main(quick: bool = False, outdir: str = ".") -> dict:
    kappas = np.linspace(-1.0, 3.0, 81)
    sph = np.array([capacity(k)["alpha_c"] for k in kappas])
    ising_rs = np.array([capacity(k, "ising", zero_entropy=False)["alpha_c"] for k in kappas])
    k_ze = np.linspace(0.0, 2.0, 5 if quick else 9)
    ising_ze = np.array([capacity(k, "ising")["alpha_zero_entropy"] for k in k_ze])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    ax = axes[0]
    ax.plot(kappas, sph, "k-", label="spherical (Gardner)")
    ax.plot(kappas, ising_rs, "b--", label="Ising, RS q → 1")
    ax.plot(k_ze, ising_ze, "bo-", ms=3, label="Ising, RS zero entropy")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\kappa$")
    ax.set_ylabel(r"$\alpha_c$")
    ax.legend(fontsize=7)
    N = 20 if quick else 40
    trials = 40 if quick else 200
    alphas = np.linspace(1.0, 3.0, 9)
    frac = separable_fraction(N, alphas, trials)
    cover = np.array([cover_probability(N, int(round(a * N))) for a in alphas])
    se = np.sqrt(np.maximum(cover * (1 - cover), 1e-12) / trials)
    ax = axes[1]
    ax.plot(alphas, cover, "k-", label=f"Cover's formula, N={N}")
    ax.errorbar(alphas, frac, yerr=se, fmt="o", color="C1", capsize=2, label="perceptron rule")
    ax.axvline(2.0, color="grey", lw=0.8)
    ax.set_xlabel(r"$\alpha = P/N$")
    ax.set_ylabel("fraction separable")
    ax.legend(fontsize=7)
    path = save_figure(fig, outdir, "gardner_capacity")
    out = {"alpha_c_0": capacity(0.0)["alpha_c"], "ising_rs_0": capacity(0.0, "ising", zero_entropy=False)["alpha_c"],
           "ising_zero_entropy_0": float(ising_ze[0]), "max_z_cover": float(np.max(np.abs(frac - cover) / se)),
           "figure": path}
    print(f"alpha_c(0) = {out['alpha_c_0']:.6f} (Gardner 1988: 2)")
    print(f"Ising RS q->1 at kappa=0: {out['ising_rs_0']:.6f} (4/pi = {4 / math.pi:.6f})")
    print(f"Ising zero-entropy point: {out['ising_zero_entropy_0']:.4f} (Krauth & Mezard 1989: 0.833)")
    print(f"separable fraction vs Cover's formula (N={N}, {trials} trials): max |z| = {out['max_z_cover']:.2f}")
    print(f"wrote {path}")
    return out


if __name__ == "__main__":
    main()
