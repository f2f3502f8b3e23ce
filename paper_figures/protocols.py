"""Exploration against exploitation on the binary perceptron (Baldassi et al., PNAS 113, E7655 (2016)): success probability of greedy descent, simulated annealing, replicated Monte Carlo and focusing BP against alpha at N = 201, 401, 801 with one running time, and the flatness and local entropy of the solutions each finds.

Every protocol gets the same running time: ``budget`` flip attempts per weight summed over its
replicas (annealing: ``budget`` sweeps; replicated: ``budget / y`` sweeps of each of ``y = 5``
replicas; focusing BP: an iteration, O(N P), counts 2), with the preset schedules of
``replicon.simulate.landscape.preset`` (greedy T = 0; annealing T 2 -> 0.1; replicated T = 1,
gamma 0.3 -> 3, coupling to the traced centre; focusing BP y = 5, gamma 0.01 -> 2), hinge
energy, +-1 patterns, random labels, kappa = 0. Vertical lines: the RS capacity of the Ising
perceptron 4/pi (Gardner & Derrida 1988, where RS reaches q = 1), the zero-entropy capacity 0.833
(Krauth & Mezard 1989; both computed by replicon.theory.perceptron.capacity) and the local-entropy
breakdown, computed by ``landscape.local_entropy_breakdown`` (RS, 0.755 at kappa = 0) where that
model exists, else the published value 0.77 (Baldassi et al., PRL 115, 128101 (2015); recalled,
labelled as such).

Lower panels, at one alpha and N: the flatness (mean training-error fraction after flipping d N
random weights) and the local entropy (population annealing at fixed Hamming distance,
replicon.simulate.landscape.measure) of every solution found, mean and standard error over
solutions, against ln C(N, dN)/N, the value if every neighbour were a solution, and the RS local
entropy around the densest reference (``landscape.local_entropy``, N -> infinity) and, in full mode,
around a typical solution (``landscape.franz_parisi``).
"""

from __future__ import annotations

import math
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from replicon.compare.figures import save_figure  # noqa: E402
from replicon.simulate.landscape import binary_storage, evaluate, preset, run  # noqa: E402
from replicon.theory.perceptron import capacity  # noqa: E402

PROTOCOLS = ("greedy", "anneal", "replicated", "focusing")
COLORS = {"greedy": "C2", "anneal": "C0", "replicated": "C3", "focusing": "C4"}
LABELS = {"greedy": "greedy descent ($T = 0$)", "anneal": "simulated annealing",
          "replicated": "replicated MC, $y = 5$", "focusing": "focusing BP, $y = 5$"}


def breakdown_alpha():
    """The local-entropy breakdown computed by the theory model ``landscape.local_entropy_breakdown``
    where it is registered, else the published 0.77 (Baldassi et al. 2015). Returns (value, label)."""
    try:
        from replicon.registry import get

        sol = get("landscape.local_entropy_breakdown").run_solve(kappa=0.0)
        if sol.converged:
            v = float(sol["alpha_breakdown"])
            return v, rf"local-entropy breakdown {v:.3f} (RS, replicon)"
    except Exception:                      # noqa: BLE001 - the model may not exist
        pass
    return 0.77, r"local-entropy breakdown 0.77 (published)"


def franz_parisi_curve(alpha, d):
    """The RS Franz-Parisi entropy around a typical (equilibrium) solution, ``landscape.franz_parisi``
    (about 10 s a point), NaN where it does not converge; None without the theory module."""
    try:
        from replicon.theory.landscape import franz_parisi
    except Exception:                      # noqa: BLE001
        return None
    out = []
    for x in d:
        try:
            sol = franz_parisi(alpha=alpha, kappa=0.0, d=float(x))
            out.append(float(sol["entropy"]) if sol.converged else np.nan)
        except Exception:                  # noqa: BLE001 - a point outside the solved range
            out.append(np.nan)
    return np.array(out)


def theory_local_entropy(alpha, d):
    """The RS local-entropy curve (maximum over references) of ``landscape.local_entropy``, or None."""
    try:
        from replicon.theory.landscape.local_entropy import local_entropy_curve

        return np.asarray(local_entropy_curve(alpha, 0.0, np.asarray(d))["entropy"], dtype=float)
    except Exception:                      # noqa: BLE001 - the theory module may not exist
        return None


def success_curves(Ns, alphas, seeds, budget, panel, keep, verbose=False):
    """success[N][protocol] (mean, s.e.) on alphas; the results at (N, alpha) == panel are kept."""
    out, kept = {}, {p: [] for p in PROTOCOLS}
    for N in Ns:
        out[N] = {}
        for p in PROTOCOLS:
            s = []
            for a in alphas:
                ok = []
                for k in range(seeds):
                    ss = np.random.SeedSequence([N, int(round(a * 1000)), k])
                    ds, rs = ss.spawn(2)
                    data = binary_storage(N, a, seed=ds)
                    r = run(preset(p, budget), data, seed=rs)
                    ok.append(r.success)
                    if (N, a) == panel and r.success and len(kept[p]) < keep:
                        kept[p].append((data, r))
                ok = np.array(ok, dtype=float)
                s.append((ok.mean(), math.sqrt(max(ok.mean() * (1 - ok.mean()), 1e-12) / len(ok))))
            out[N][p] = np.array(s)
            if verbose:
                print(f"N={N} {p}: " + " ".join(f"{a:g}:{m:.2f}" for a, (m, _) in zip(alphas, s)), flush=True)
    return out, kept


def main(quick: bool = False, outdir: str = ".") -> dict:
    t0 = time.process_time()
    if quick:
        Ns, alphas, seeds, budget = (101, 201), np.array([0.3, 0.45, 0.6, 0.7]), 4, 2000
        panel, d_grid, population, keep = (201, 0.45), np.array([0.01, 0.02, 0.05, 0.1]), 16, 3
    else:
        Ns, alphas, seeds, budget = (201, 401, 801), np.array([0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8]), 8, 10000
        panel, d_grid, population, keep = (401, 0.5), np.array([0.01, 0.02, 0.05, 0.1]), 32, 6
    succ, kept = success_curves(Ns, alphas, seeds, budget, panel, keep, verbose=not quick)
    print(f"[success curves: {time.process_time() - t0:.0f} s of CPU]")
    a_rs = float(capacity(0.0, "ising", zero_entropy=False)["alpha_c"])
    a_km = float(capacity(0.0, "ising")["alpha_zero_entropy"])
    a_le, le_label = breakdown_alpha()

    fig = plt.figure(figsize=(11, 7.2))
    gs = fig.add_gridspec(2, 6)
    styles = ["-", "--", ":"]
    ax = fig.add_subplot(gs[0, :])
    for j, N in enumerate(Ns):
        for k, p in enumerate(PROTOCOLS):
            m, e = succ[N][p][:, 0], succ[N][p][:, 1]
            ax.errorbar(alphas + 0.004 * (k - 1.5), m, yerr=e, fmt="o" + styles[j], color=COLORS[p], ms=3, capsize=2, lw=1,
                        label=f"{LABELS[p]}, $N = {N}$")
    for x, lab, ls in ((a_le, le_label, "-."), (a_km, r"zero entropy 0.833 (Krauth–Mézard)", "--"),
                       (a_rs, r"RS capacity $4/\pi$", ":")):
        ax.axvline(x, color="grey", ls=ls, lw=1)
        ax.text(x + 0.005, 0.99, lab, rotation=90, va="top", ha="left", fontsize=6, color="0.3")
    ax.set_xlim(alphas[0] - 0.05, 1.33)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel(r"$\alpha = P/N$")
    ax.set_ylabel("success probability")
    ax.set_title(f"budget {budget} flip attempts per weight (all replicas), {seeds} instances per point "
                 "(markers shifted by 0.004 per protocol)", fontsize=8)
    ax.legend(fontsize=6, loc="center", bbox_to_anchor=(0.74, 0.5), ncol=2)

    N_p, a_p = panel
    ax_f = fig.add_subplot(gs[1, :3])
    ax_s = fig.add_subplot(gs[1, 3:])
    found = {}
    lb = None
    for p in PROTOCOLS:
        if not kept[p]:
            continue
        rows = [evaluate(data, r, d=d_grid, population=population, seed=k) for k, (data, r) in enumerate(kept[p])]
        F = np.array([r["flatness"] for r in rows])
        S = np.array([r["local_entropy"] for r in rows])
        lb = rows[0]["binary_entropy"]
        n = len(rows)
        se = (lambda A: A.std(0, ddof=1) / math.sqrt(n) if n > 1 else np.zeros(A.shape[1]))
        ax_f.errorbar(d_grid, F.mean(0), yerr=se(F), fmt="o-", color=COLORS[p], ms=3, capsize=2,
                      label=f"{LABELS[p]} ({n} solutions)")
        ax_s.errorbar(d_grid, S.mean(0), yerr=se(S), fmt="o-", color=COLORS[p], ms=3, capsize=2,
                      label=f"{LABELS[p]} ({n} solutions)")
        found[p] = {"n": n, "flatness": F.mean(0).tolist(), "local_entropy": S.mean(0).tolist()}
    if lb is not None:
        ax_s.plot(d_grid, lb, "k--", lw=1, label=r"$\ln\binom{N}{dN}/N$ (all neighbours solutions)")
    d_fine = np.linspace(d_grid[0], d_grid[-1], 4 if quick else 10)
    th = theory_local_entropy(a_p, d_fine)
    if th is not None:
        ok = np.isfinite(th)
        ax_s.plot(d_fine[ok], th[ok], "k-", lw=1, label=r"RS local entropy, densest reference ($N \to \infty$)")
    fp = None if quick else franz_parisi_curve(a_p, d_grid)
    if fp is not None and np.any(np.isfinite(fp)):
        ok = np.isfinite(fp)
        ax_s.plot(d_grid[ok], fp[ok], "k:", marker="s", ms=3, lw=1,
                  label=r"RS Franz–Parisi, typical reference ($N \to \infty$)")
        found["franz_parisi"] = fp.tolist()
    for a in (ax_f, ax_s):
        a.set_xlabel(r"distance $d$")
        a.legend(fontsize=6)
        a.set_title(rf"solutions found at $\alpha = {a_p}$, $N = {N_p}$", fontsize=8)
    ax_f.set_ylabel("flatness: training error after $dN$ random flips")
    ax_s.set_ylabel(r"local entropy $S(d)$ (population annealing)")
    path = save_figure(fig, outdir, "protocols")
    out = {"success": {str(N): {p: succ[N][p][:, 0].tolist() for p in PROTOCOLS} for N in Ns},
           "alphas": alphas.tolist(), "budget": budget, "seeds": seeds, "panel": found,
           "thresholds": {"rs": a_rs, "zero_entropy": a_km, "local_entropy_breakdown": a_le}, "figure": path}
    for N in Ns:
        for p in PROTOCOLS:
            print(f"N={N} {p}: success " + " ".join(f"{a:g}:{m:.2f}" for a, m in zip(alphas, succ[N][p][:, 0])))
    for p, v in found.items():
        if p == "franz_parisi":
            print(f"Franz-Parisi entropy at alpha={a_p}: " + " ".join(f"{x:.4f}" for x in v))
            continue
        print(f"alpha={a_p} N={N_p} {p} ({v['n']} solutions): flatness " +
              " ".join(f"{x:.3f}" for x in v["flatness"]) + "; local entropy " +
              " ".join(f"{x:.4f}" for x in v["local_entropy"]))
    print(f"thresholds: RS {a_rs:.4f}, zero entropy {a_km:.4f}, {le_label}: {a_le:.3f}")
    print(f"wrote {path}")
    return out


if __name__ == "__main__":
    main()
