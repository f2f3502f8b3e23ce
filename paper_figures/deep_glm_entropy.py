"""Layer-wise information and entropies of multi-layer GLMs, in the spirit of Gabrie et al. (NeurIPS 2018).

(a) Binary input x_0 (n_0), two noiseless sign layers and a linear output with noise 0.1, every width
ratio n_l/n_(l-1) = alpha: the mutual information I(X_0; T_l)/n_0 of each layer's representation
(T_1 = h_1, T_2 = h_2, T_3 = y) from ``deep.glm`` with ``layer_mi`` (the chain cut at each layer, its
thermodynamic branch: lines), with the input's entropy ln 2 above all of them (data processing). For the
sign layers I(X_0; T_l) = H(T_l): the markers are exact enumerations of the sign patterns over all
2^12 inputs at n_0 = 12 (mean and standard error over draws of the weights; finite n, no extrapolation).
Once alpha passes the binary perceptron's alpha_IT = 1.245 the first layer determines x_0 (I = ln 2).

(b) Gaussian input, three layers with width ratios 1.5, 1, 0.8 and Gaussian noise Delta on every layer:
the differential entropy H(T_l)/n_0 of each layer against Delta (``entropy_l``), for a linear chain
(lines; markers: ln det(2 pi e Sigma_l)/(2 n_0) of the exact covariances of sampled matrices at n_0 = 200)
and for an erf chain (phi(z) = erf(z/sqrt 2), dashed; theory only, omitted in quick mode).
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.compare.figures import save_figure  # noqa: E402
from replicon.compare.style import colour_for  # noqa: E402
from replicon.theory.deep.glm import deep_glm  # noqa: E402

SIGN_CHAIN = dict(activations="sign,sign,linear", prior="binary", noise=0.1)
NOISY_ALPHAS = [1.5, 1.0, 0.8]
N0_ENUM = 12


def sign_chain_information(alpha):
    """(I(X_0;T_1), I(X_0;T_2), I(X_0;Y)) / n_0 of the sign chain at width ratio alpha (thermodynamic)."""
    sol = deep_glm(alphas=[alpha] * 3, layer_mi=True, **SIGN_CHAIN)
    return sol["mi_x0_h1"], sol["mi_x0_h2"], sol["mi_0"]


def enumerated_entropies(alpha, draws, n0=N0_ENUM, seed=0):
    """H(T_1)/n_0 and H(T_2)/n_0 of binary x_0 -> sign -> sign by enumeration of all 2^n0 inputs.

    Returns ``[(mean, standard error) for T_1, T_2]``; T_2 is None where alpha^2 n_0 is not an integer.
    """
    n1 = int(round(alpha * n0))
    n2 = alpha * n1
    n2 = int(round(n2)) if abs(n2 - round(n2)) < 1e-9 else None
    X = np.array(list(itertools.product([-1.0, 1.0], repeat=n0)))
    rng = np.random.default_rng(seed)

    def entropy(T):
        _, counts = np.unique(np.packbits(T, axis=1), axis=0, return_counts=True)
        p = counts / len(T)
        return -np.sum(p * np.log(p)) / n0

    h1, h2 = [], []
    for _ in range(draws):
        W1 = rng.standard_normal((n1, n0))
        T1 = X @ W1.T > 0
        h1.append(entropy(T1))
        if n2:
            W2 = rng.standard_normal((n2, n1))
            h2.append(entropy((2.0 * T1 - 1.0) @ W2.T > 0))
    stat = lambda v: (float(np.mean(v)), float(np.std(v, ddof=1) / np.sqrt(len(v)))) if v else None  # noqa: E731
    return stat(h1), stat(h2)


def exact_linear_entropies(Delta, n0, draws, seed=0):
    """ln det(2 pi e Sigma_l)/(2 n_0) of the linear chain with noise Delta on every layer, sampled matrices."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(draws):
        dims = [n0]
        S = np.eye(n0)
        row = []
        for a in NOISY_ALPHAS:
            dims.append(int(round(dims[-1] * a)))
            W = rng.standard_normal((dims[-1], dims[-2])) / np.sqrt(dims[-2])
            S = W @ S @ W.T + Delta * np.eye(dims[-1])
            row.append(0.5 * (np.linalg.slogdet(S)[1] + dims[-1] * np.log(2 * np.pi * np.e)) / n0)
        rows.append(row)
    rows = np.array(rows)
    return rows.mean(0), rows.std(0, ddof=1) / np.sqrt(draws)


def main(quick: bool = False, outdir: str = ".") -> dict:
    alphas = np.array([0.4, 0.8, 1.0, 1.2, 1.6, 2.0] if quick else
                      [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.25, 1.3, 1.4, 1.6, 1.8, 2.0,
                       2.25, 2.5])
    info = np.array([sign_chain_information(a) for a in alphas])
    enum_alphas = [0.5, 1.0, 4 / 3, 2.0] if quick else [1 / 3, 0.5, 2 / 3, 5 / 6, 1.0, 13 / 12, 7 / 6, 5 / 4, 4 / 3,
                                                         1.5, 2.0, 2.5]
    draws = 40 if quick else 200
    enum = {a: enumerated_entropies(a, draws, seed=int(100 * a)) for a in enum_alphas}
    sizes_16 = [] if quick else [0.5, 0.75, 1.0, 1.25, 1.5, 2.0]
    enum16 = {a: enumerated_entropies(a, 40, n0=16, seed=int(100 * a) + 1) for a in sizes_16}
    # theory at the enumerated ratios: the one- and two-layer sign chains (T_1, T_2 are their outputs)
    enum_theory = {a: (deep_glm(alphas=[a], activations="sign", prior="binary", noise=0.0)["entropy_1"],
                       deep_glm(alphas=[a, a], activations="sign", prior="binary", noise=0.0)["entropy_2"]
                       if enum[a][1] is not None else None) for a in enum_alphas}

    deltas = np.geomspace(0.01, 1.0, 6 if quick else 13)
    lin = np.array([[deep_glm(alphas=NOISY_ALPHAS, activations="linear", noise=[d] * 3, layer_mi=True)[f"entropy_{l}"]
                     for l in (1, 2, 3)] for d in deltas])
    erf_deltas = np.geomspace(0.02, 1.0, 7) if not quick else np.array([])
    erf = np.array([[s[f"entropy_{l}"] for l in (1, 2, 3)] for s in
                    (deep_glm(alphas=NOISY_ALPHAS, activations="erf", noise=[d] * 3, layer_mi=True)
                     for d in erf_deltas)]) if len(erf_deltas) else np.zeros((0, 3))
    n0_exact, draws_exact = 200, (3 if quick else 6)
    mark_deltas = deltas[::2]
    exact = [exact_linear_entropies(d, n0_exact, draws_exact, seed=7 + k) for k, d in enumerate(mark_deltas)]

    fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.2))
    ax = axes[0]
    names = [r"$I(X_0;T_1)$, sign", r"$I(X_0;T_2)$, sign", r"$I(X_0;Y)$, linear $+$ noise"]
    for l in range(3):
        ax.plot(alphas, info[:, l], "-", color=colour_for(l), lw=1.6, label=names[l])
    for l in range(2):
        pts = [(a, v[l]) for a, v in enum.items() if v[l] is not None]
        ax.errorbar([p[0] for p in pts], [p[1][0] for p in pts], yerr=[p[1][1] for p in pts], fmt="o",
                    color=colour_for(l), mfc="none", ms=5, capsize=2,
                    label=rf"$H(T_l)/n_0$ by enumeration, $n_0 = {N0_ENUM}$" if l == 0 else None)
    if enum16:
        ax.errorbar(list(enum16), [v[0][0] for v in enum16.values()], yerr=[v[0][1] for v in enum16.values()],
                    fmt="^", color=colour_for(0), mfc="none", ms=5, capsize=2, label=r"$n_0 = 16$")
    ax.axhline(np.log(2), color="0.4", lw=0.8, ls=":")
    ax.text(alphas[0], np.log(2) + 0.01, r"$H(X_0)/n_0 = \ln 2$", fontsize=8, color="0.3")
    ax.set_xlabel(r"width ratio $\alpha = n_l/n_{l-1}$ (all layers)")
    ax.set_ylabel(r"information per input coordinate (nats)")
    ax.set_title(r"binary $x_0\to$ sign $\to$ sign $\to$ linear, $\Delta_3 = 0.1$", fontsize=10)
    ax.set_ylim(0, 0.8)
    ax.legend(fontsize=7.5, frameon=False, loc="lower right")

    ax = axes[1]
    for l in range(3):
        ax.plot(deltas, lin[:, l], "-", color=colour_for(l), lw=1.6, label=rf"$H(T_{l + 1})/n_0$ linear")
        if len(erf):
            ax.plot(erf_deltas, erf[:, l], "--", color=colour_for(l), lw=1.4, label=rf"$H(T_{l + 1})/n_0$ erf")
        ax.errorbar(mark_deltas, [e[0][l] for e in exact], yerr=[e[1][l] for e in exact], fmt="s",
                    color=colour_for(l), mfc="none", ms=5, capsize=2,
                    label=rf"exact $\ln\det$, $n_0 = {n0_exact}$" if l == 0 else None)
    ax.set_xscale("log")
    ax.set_xlabel(r"noise variance $\Delta$ on every layer")
    ax.set_ylabel(r"differential entropy per input coordinate (nats)")
    ax.set_title(r"Gaussian $x_0$, $\alpha = (1.5, 1, 0.8)$, noise on every layer", fontsize=10)
    ax.legend(fontsize=7, frameon=False, ncol=2, loc="upper left")
    path = save_figure(fig, outdir, "deep_glm_entropy")

    for a, row in zip(alphas, info):
        print(f"alpha={a:.2f}: I(X0;T1) {row[0]:.4f}, I(X0;T2) {row[1]:.4f}, I(X0;Y) {row[2]:.4f}")
    for a, (e1, e2) in enum.items():
        th = enum_theory[a]
        msg = f"alpha={a:.3f}: H(T1) enumerated {e1[0]:.4f}+-{e1[1]:.4f} (theory {th[0]:.4f})"
        if e2 is not None:
            msg += f", H(T2) {e2[0]:.4f}+-{e2[1]:.4f} (theory {th[1]:.4f})"
        print(msg)
    for a, (e1, _) in enum16.items():
        print(f"alpha={a:.3f}: H(T1) enumerated at n_0 = 16 {e1[0]:.4f}+-{e1[1]:.4f}")
    for d, (m, s) in zip(mark_deltas, exact):
        th = lin[list(deltas).index(d)]
        print(f"Delta={d:.3f}: exact ln det " + ", ".join(f"{x:.4f}+-{y:.4f}" for x, y in zip(m, s))
              + "; theory " + ", ".join(f"{x:.4f}" for x in th))
    print(f"wrote {path}")
    return {"alphas": alphas, "information": info, "enumeration": enum, "enumeration_16": enum16, "enumeration_theory": enum_theory, "deltas": deltas, "linear_entropy": lin,
            "erf_deltas": erf_deltas, "erf_entropy": erf, "exact": exact, "figure": path}


if __name__ == "__main__":
    import sys

    main(quick="--quick" in sys.argv)
