r"""Multi-layer generalised linear models: the linear chain in closed form (free probability).

Model (issue 16, ``deep.glm``). ``x_0 ~ N(0, I_{n_0})``, ``h_l = W_l h_{l-1} / sqrt(n_{l-1})``
(``l = 1..L``, ``W_l`` of shape ``n_l x n_{l-1}`` with i.i.d. N(0, 1) entries, known),
``y = h_L + sqrt(Delta) xi``; width ratios ``alpha_l = n_l / n_{l-1}``. Every variable is
Gaussian, so Bayes-optimal inference is exact linear algebra:

    I(X; Y)/n_0 = (1/2n_0) sum_i log(1 + lambda_i / Delta),
    mse_0 = (1/n_0) tr (I + A/Delta)^{-1} = Delta m_A(-Delta),

with ``lambda_i`` the eigenvalues of ``A = M^T M``, ``M = W_L ... W_1 / sqrt(n_0 ... n_{L-1})``
and ``m_A(z) = (1/n_0) tr (A - z)^{-1}`` (the Gaussian channel's mutual information over
the spectrum of the product: Gabrie et al., NeurIPS 2018, recalled; Tulino & Verdu,
*Random Matrix Theory and Wireless Communications*, recalled).

The spectrum of the product (free multiplicative convolution of Marchenko-Pastur laws)
through the Stieltjes transforms ``m_l(w) = (1/n_l) tr (B_l + w)^{-1}`` of
``B_l = M_l M_l^T`` (``n_l x n_l``, ``B_0 = I``): ``B_l = W_l B_{l-1} W_l^T / n_{l-1}`` is a
sum of ``n_{l-1}`` rank-one terms, and Silverstein's equation gives, with ``t = alpha_l m_l``,

    1/m_l = w + (1/t) [1 - m_{l-1}(1/t) / t],

an implicit equation for ``m_l(w) in (0, 1/w)`` that calls ``m_{l-1}`` at the negative
real point ``-1/t`` (derived here). ``A`` and ``B_L`` share their nonzero eigenvalues:
``m_A(w) = r m_L(w) + (1 - r)/w`` with ``r = n_L/n_0 = prod alpha_l``. The mutual
information follows from the I-MMSE relation ``dI/ds = (1 - mse(s))/(2 s)`` at
``s = 1/Delta``, integrated by Gauss-Legendre quadrature in ``log s``.

The general chain (nonlinear layers, non-Gaussian inputs, noise on every layer) is
:class:`MultiLayerGLM` below, the multi-layer RS free entropy (Manoel et al. 2017; Gabrie et al.
2018) with its scalar channels in :mod:`replicon.theory.deep.layers`; this closed form is its check.

Entropies of the representations. ``E ln p(t_l)/n_0`` is the free entropy of the chain cut at layer
l (h_l its output), so ``H(T_l)/n_0 = -Phi_cut`` (:func:`layer_entropies`; differential with noise on
layer l, discrete for a noiseless sign layer); with noiseless layers below l,
``I(X_0; T_l) = H(T_l) - H(T_l | X_0)`` and ``H(T_l | X_0)`` is layer l's noise alone
(:func:`layer_mutual_information`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.optimize import brentq

from ..._util import ParamError
from .. import engine
from ..solution import Solution, select_thermodynamic
from . import layers

MODEL = "deep.glm"
ACTIVATIONS = layers.ACTIVATIONS
PRIORS = layers.PRIORS


def _chain_residual(log_m, w, alphas):
    """Residuals of Silverstein's equations for levels L, L-1, ..., 1 (unknowns log m_l at their points)."""
    m = np.exp(log_m)                    # m[0] = m_L(w), m[1] = m_{L-1}(w_{L-1}), ...
    res = np.empty_like(m)
    wl = w
    L = len(alphas)
    for k in range(L):
        level = L - k
        t = alphas[level - 1] * m[k]
        below = 1.0 / (1.0 + 1.0 / t) if level == 1 else m[k + 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            res[k] = np.log(1.0 / m[k]) - np.log(wl + (1.0 - below / t) / t)
        wl = 1.0 / t
    return res


def product_stieltjes(w, alphas, guess=None, tol=1e-13):
    """``m_L(w) = (1/n_L) tr (B_L + w)^{-1}`` for ``B_L = M M^T`` of the product of Gaussian matrices, w > 0.

    The L coupled equations (one per level, each at its own point w_l) are solved together by
    Newton's method in log m (:func:`scipy.optimize.root`); ``guess`` (all levels) continues
    a previous solution. Returns ``(m_L, all_levels)``.
    """
    from scipy.optimize import root

    alphas = [float(a) for a in alphas]
    L = len(alphas)
    if guess is None:
        guess = np.full(L, -np.log1p(w))
        # crude start: each level as if B were the identity
    sol = root(_chain_residual, guess, args=(float(w), alphas), method="hybr", tol=tol)
    if not sol.success or not np.max(np.abs(_chain_residual(sol.x, float(w), alphas))) < 1e-9:
        # fall back: bracket the top level, solving the lower ones by nested 1-D roots
        x = _nested(float(w), alphas)
        return float(np.exp(x[0])), x
    return float(np.exp(sol.x[0])), sol.x


def _nested(w, alphas):
    L = len(alphas)

    def m(level, wl):
        if level == 0:
            return [1.0 / (1.0 + wl)]
        a = alphas[level - 1]

        def G(lm):
            t = a * np.exp(lm)
            low = m(level - 1, 1.0 / t)[0]
            return -lm - np.log(wl + (1.0 - low / t) / t)

        hi = -np.log(wl) - 1e-14                  # m < 1/w
        if G(hi) >= 0:
            lm = hi
        else:
            lo = hi - 5.0
            while G(lo) <= 0:
                lo -= 10.0
            lm = brentq(G, lo, hi, xtol=1e-14)
        t = a * np.exp(lm)
        return [np.exp(lm)] + (m(level - 1, 1.0 / t) if level > 1 else [])

    vals = m(L, w)
    return np.log(np.array(vals[:L]))


def input_stieltjes(w, alphas):
    """``m_A(w) = (1/n_0) tr (M^T M + w)^{-1}`` (the input-side matrix; zero modes included)."""
    r = float(np.prod(alphas))
    return r * product_stieltjes(w, alphas)[0] + (1.0 - r) / w


def linear_chain_mmse(Delta, alphas):
    """Bayes MMSE per input coordinate of x_0 from y = M x_0 + sqrt(Delta) xi: ``Delta m_A(Delta)``."""
    return float(Delta * input_stieltjes(Delta, alphas))


def linear_chain_mutual_information(Delta, alphas, n_nodes=24, panels=6):
    """``I(X_0; Y)/n_0 = (1/2) <log(1 + lambda/Delta)>`` over the spectrum of M^T M (I-MMSE integral)."""
    s_max = 1.0 / float(Delta)
    r = float(np.prod(alphas))
    # I(s) = int_0^s (1 - mse(s'))/(2 s') ds', mse(s) = m_A(1/s)/s; (1 - mse)/s -> <lambda> = r as
    # s -> 0, so int_0^{s0} is r s0/2 up to O(s0^2); the rest by Gauss-Legendre panels in log s
    s0 = 1e-10 * s_max
    x, wq = np.polynomial.legendre.leggauss(n_nodes)
    edges = np.linspace(np.log(s0), np.log(s_max), panels + 1)
    total = 0.5 * r * s0
    guess = None
    for a, b in zip(edges[:-1], edges[1:]):
        t = 0.5 * (b - a) * x + 0.5 * (b + a)
        f = np.empty(n_nodes)
        for i, ti in enumerate(t):
            s = np.exp(ti)
            mL, guess = product_stieltjes(1.0 / s, alphas, guess)
            mA = r * mL + (1.0 - r) * s
            f[i] = 1.0 - mA / s
        total += 0.5 * np.sum(wq * f) * 0.5 * (b - a)
    return float(total)


def parse_list(name, value, kind=float):
    """A comma list or sequence as a list (one value becomes a one-element list)."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
    else:
        parts = list(np.atleast_1d(value))
    try:
        return [kind(p) for p in parts]
    except (TypeError, ValueError):
        raise ParamError(f"{name} must be a comma list, got {value!r}") from None


def check_glm(alphas, activations, prior, rho, noise, hidden_noise=None):
    alphas = parse_list("alphas", alphas)
    if not alphas or any(not (a > 0 and np.isfinite(a)) for a in alphas):
        raise ParamError(f"alphas (width ratios n_l/n_(l-1)) must all be > 0, got {alphas}")
    L = len(alphas)
    acts = parse_list("activations", activations, str)
    if len(acts) == 1:
        acts = acts * L
    if len(acts) != L:
        raise ParamError(f"activations must be one name or a list of {L} (one per layer), got {len(acts)}")
    for a in acts:
        if a not in ACTIVATIONS:
            raise ParamError(f"activation {a!r} is not allowed; implemented: {', '.join(ACTIVATIONS)}")
    if prior not in PRIORS:
        raise ParamError(f"prior={prior!r} is not allowed; implemented: {', '.join(PRIORS)}")
    rho = float(rho)
    if prior == "sparse" and not 0 < rho <= 1:
        raise ParamError(f"rho (density of the sparse prior) must be in (0, 1], got {rho}")
    noise = parse_list("noise", noise)
    if hidden_noise is not None:
        hidden = parse_list("hidden_noise", hidden_noise)
        if len(noise) != 1:
            raise ParamError("give the hidden layers' noise either in noise (a list of L values) or in hidden_noise")
        if len(hidden) == 1:
            hidden = hidden * (L - 1)
        if len(hidden) != L - 1:
            raise ParamError(f"hidden_noise must be one value or a list of {L - 1} values >= 0 (one per hidden layer)")
        noise = hidden + noise
    if len(noise) == 1:
        noise = [0.0] * (L - 1) + noise
    if len(noise) != L or any(not (d >= 0 and np.isfinite(d)) for d in noise):
        raise ParamError(f"noise must be one value (output) or a list of {L} values >= 0")
    if not noise[-1] > 0 and acts[-1] != "sign":
        raise ParamError(f"noise=0 at the output needs activations=sign there; a {acts[-1]} output needs noise > 0")
    return alphas, acts, prior, rho, noise


class MultiLayerGLM:
    """The RS equations of the chain: state evolution map on ``q = (q_0 .. q_{L-1})`` and free entropy.

    ``q_l`` is the overlap ``E <h_l>^2`` of layer l's Bayes estimate (h_0 = x_0), ``rho_l = E h_l^2``,
    ``q_hat_l`` the SNR with which the layers above see h_l. One sweep (the state evolution of ML-AMP,
    Manoel et al. 2017, written in the Nishimori form):

        q_hat_{L-1} = alpha_L E (d_omega ln Z_out)^2                       (output layer, A' = 1/Delta_L)
        q_hat_{l-1} = alpha_l E (d_omega ln Z_l)^2   at (q_{l-1}, A'(q_hat_l)),  l = L-1 .. 1
        q_0 = E <x>^2 (prior at SNR q_hat_0),   q_l = E <h_l>^2,  l = 1 .. L-1

    and the free entropy per input coordinate (Gabrie et al. 2018, the multi-layer replica formula,
    recalled; its normalisation checked here against the linear chain's closed form)

        Phi = psi_0(q_hat_0) - q_0 q_hat_0/2 + sum_{l=1}^{L-1} (n_l/n_0) [psi_l - q_l q_hat_l/2]
              + (n_L/n_0) Psi_out(q_{L-1}),

    ``psi_l = E ln Z_l`` (the noise prefactor included), ``Psi_out = E ln p(y | omega, V)``, so that
    ``Phi = E ln p(y)/n_0``.
    """

    def __init__(self, alphas, acts, prior, rho, noise):
        self.alphas, self.acts, self.prior, self.rho, self.noise = alphas, acts, prior, rho, noise
        L = self.L = len(alphas)
        self.widths = np.cumprod(alphas)                        # n_l/n_0, l = 1..L
        self.rho_in = [layers.prior_second_moment(prior, rho)]  # rho_l of h_l, l = 0..L-1
        self.rho_r = []                                         # E phi_l(z)^2, l = 1..L
        for l in range(L):
            rr = layers.activation_second_moment(acts[l], self.rho_in[-1])
            self.rho_r.append(rr)
            if l < L - 1:
                self.rho_in.append(rr + noise[l])
        self.rho_in = np.array(self.rho_in)

    def _sweep(self, q):
        """All layers' moments at ``q``: q_hat, the new q and the pieces of the free entropy."""
        L = self.L
        q = np.minimum(np.maximum(np.asarray(q, float), 0.0), self.rho_in)
        q_hat = np.zeros(L)
        new_q = np.zeros(L)
        elog = np.zeros(L + 1)
        elogc = np.zeros(L + 1)
        D = self.noise[-1]
        Ap = 1.0 / D if D > 0 else np.inf
        er2, eg2, elog[L] = layers.layer_moments(self.acts[-1], q[L - 1], self.rho_in[L - 1], Ap)
        q_hat[L - 1] = self.alphas[L - 1] * eg2
        er2s = {L: er2}
        for l in range(L - 1, 0, -1):                            # layer l: input h_{l-1}, output h_l
            A = q_hat[l]
            Ap, elogc[l] = layers.noise_terms(A, self.noise[l - 1], self.rho_r[l - 1])
            er2, eg2, elog[l] = layers.layer_moments(self.acts[l - 1], q[l - 1], self.rho_in[l - 1], Ap)
            q_hat[l - 1] = self.alphas[l - 1] * eg2
            er2s[l] = er2
        new_q[0], psi0 = layers.prior_moments(self.prior, q_hat[0], self.rho)
        for l in range(1, L):
            new_q[l] = layers.hidden_overlap(er2s[l], q_hat[l], self.noise[l - 1], self.rho_r[l - 1])
        self._mse_out = self.rho_r[-1] - er2s[L]
        return new_q, q_hat, psi0, elog, elogc

    def update(self, q):
        return self._sweep(q)[0]

    def free_entropy(self, q):
        q = np.asarray(q, float)
        _, q_hat, psi0, elog, elogc = self._sweep(q)
        phi = psi0 - 0.5 * q[0] * q_hat[0]
        for l in range(1, self.L):
            phi += self.widths[l - 1] * (elog[l] + elogc[l] - 0.5 * q[l] * q_hat[l])
        D = self.noise[-1]
        out = elog[self.L]
        if D > 0:
            out += -0.5 * np.log(2 * np.pi * D) - (self.rho_r[-1] + D) / (2 * D)
        return float(phi + self.widths[-1] * out)

    def problem(self):
        return engine.FixedPointProblem(names=tuple(f"q_{l}" for l in range(self.L)), update=self.update,
                                        lower=np.zeros(self.L), upper=self.rho_in.copy(),
                                        free_entropy=self.free_entropy)

    def observables(self, q, phi):
        q = np.asarray(q, float)
        _, q_hat, *_ = self._sweep(q)
        obs = {f"mse_{l}": float(self.rho_in[l] - q[l]) for l in range(self.L)}
        obs[f"mse_{self.L}"] = float(self._mse_out)      # the noiseless output phi_L(z_L) given y
        obs.update({f"overlap_{l}": float(q[l] / self.rho_in[l]) for l in range(self.L)})
        obs["free_entropy"] = phi
        if all(d == 0 for d in self.noise[:-1]):
            # deterministic hidden layers: H(Y | X_0) is the output noise's alone
            D = self.noise[-1]
            h_cond = 0.5 * np.log(2 * np.pi * np.e * D) if D > 0 else 0.0
            obs["mi_0"] = float(-phi - self.widths[-1] * h_cond)
        obs["L"] = self.L
        order = {f"q_{l}": float(q[l]) for l in range(self.L)}
        order.update({f"q_hat_{l}": float(q_hat[l]) for l in range(self.L)})
        return order, obs

    def recoverable_layers(self):
        """Hidden layers l whose h_l is exactly recoverable at a fixed point: l and every layer above noiseless sign.

        Then h_l is +-1-valued and each sign layer above has the exact-recovery state of a discrete input
        (q_k = rho_k, q_hat_k = infinity for k >= l), the boundary fixed point that the iteration from
        inside never reaches.
        """
        return [l for l in range(1, self.L)
                if all(a == "sign" for a in self.acts[l - 1:]) and all(d == 0 for d in self.noise[l - 1:])]

    def perfect_exists(self):
        """Binary input, every layer noiseless, sign output: exact recovery is a fixed point (q_l = rho_l)."""
        return self.prior == "binary" and all(d == 0 for d in self.noise)


def _solution(model, params, m, q, root, branch, status=None):
    phi = m.free_entropy(q)
    order, obs = m.observables(q, phi)
    return Solution(model=MODEL, params=params, order=order, observables=obs, free_energy=-phi,
                    converged=True, residual=float(root.residual), iterations=int(root.iterations),
                    branch=branch, status=status)


def _iterate_state_evolution(p, x0, tol, max_iter=2000):
    """Plain (undamped) state-evolution iteration from x0, a Newton polish (engine) once it is slow.

    Plain iteration is ML-AMP's own dynamics, so from the uninformative start it reaches the branch
    AMP reaches; Newton is tried once the residual is small, and every 200 iterations.
    """
    x = p.clip(np.asarray(x0, float))
    res = np.inf
    for it in range(1, max_iter + 1):
        fx = p.clip(np.asarray(p.update(x), float))
        res = float(np.max(np.abs(fx - x)))
        if not np.isfinite(res):
            return engine.Root(x, False, res, it, "state evolution returned non-finite values")
        if res < tol:
            # converged; a few more sweeps while they still gain (the error of a linearly converging
            # iteration is res * rate/(1 - rate), above res)
            for _ in range(60):
                fx2 = p.clip(np.asarray(p.update(fx), float))
                res2 = float(np.max(np.abs(fx2 - fx)))
                if not res2 < 0.7 * res:
                    break
                fx, res = fx2, res2
                it += 1
            return engine.Root(fx, True, res, it)
        if it % 200 == 0 and res < 1e-4:
            r = engine.newton(p, fx, tol=tol)
            if r.converged:
                r.iterations += it
                return r
        x = fx
    r = engine.newton(p, x, tol=tol)
    if r.converged:
        r.iterations += max_iter
        return r
    return engine.Root(x, False, res, max_iter, f"state evolution did not converge (residual {res:.1e})")


def glm_branches(m, tol=1e-10):
    """Fixed points of the state evolution reached from an uninformative and an informative start.

    Returns a list of ``(label, Root, attracting)`` with labels ``rs`` (one fixed point), or
    ``uninformative``/``informative``/``informative_h{l}`` (the roots reached from q = 0, from q ~ rho and
    from q_k ~ rho_k for k >= l only, when they differ) and ``unstable``.
    """
    p = m.problem()
    starts = {"uninformative": np.zeros(m.L), "informative": m.rho_in * (1.0 - 1e-3)}
    for l in range(1, m.L):
        # layers l and above informed, those below not: reaches the states where the top of the chain is
        # (nearly) recovered while the input is not (e.g. a sign layer's h_l from a noisy linear output)
        starts[f"informative_h{l}"] = np.where(np.arange(m.L) >= l, m.rho_in * (1.0 - 1e-3), 0.0)
    roots = {}
    for label, x0 in starts.items():
        r = _iterate_state_evolution(p, x0, tol)
        if r.converged:
            roots[label] = r
    out = []
    for label, r in roots.items():
        if any(np.max(np.abs(r.x - o.x)) < 1e-6 for _, o, _ in out):
            continue
        att, _ = engine.attracting(p, r.x)
        out.append((label, r, att))
    out += _saddles_between(m, p, [r.x for _, r, att in out if att], [r.x for _, r, _ in out], tol)
    if len(out) == 1 and not m.perfect_exists() and not m.recoverable_layers():
        out = [("rs", out[0][1], out[0][2])]
    return out, [r for r in roots.values()] if roots else []


def _saddles_between(m, p, ends, known, tol, n_grid=40):
    """Unstable fixed points between attracting ones (and exact recovery, where it exists).

    Along the segment between two neighbouring attracting states the residual's component on the
    segment changes sign at a saddle of the free entropy; the sign change (on a grid clustered at
    both ends, refined by Brent) starts Newton's method on the full map, and a converged root that
    repels the iteration is an ``unstable`` branch. A search, not a proof of completeness.
    """
    pts = list(ends)
    if m.perfect_exists():
        pts.append(m.rho_in.copy())
    pts.sort(key=lambda x: x[0])
    found = []
    t_grid = 0.5 * (1.0 - np.cos(np.pi * np.arange(1, n_grid) / n_grid))
    for a, b in zip(pts[:-1], pts[1:]):
        d = b - a
        if not np.max(np.abs(d)) > 1e-6:
            continue

        def f(t):
            x = a + t * d
            return float(np.dot(np.asarray(p.update(x), float) - x, d))

        vals = np.array([f(t) for t in t_grid])
        for k in np.flatnonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0):
            t0 = brentq(f, t_grid[k], t_grid[k + 1], xtol=1e-12)
            r = engine.newton(p, a + t0 * d, tol=tol)
            if not r.converged or any(np.max(np.abs(r.x - x)) < 1e-6 for x in known + [f_.x for _, f_, _ in found]):
                continue
            att, _ = engine.attracting(p, r.x)
            if not att:
                found.append(("unstable", r, False))
    return [(label, r, att) for label, r, att in found]


def cut_chain(alphas, acts, prior, rho, noise, l):
    """The thermodynamic Solution of the chain's first l layers (noise: their l values), cached.

    Read-only: the same object is returned to every caller (layer information, entropies, recovered
    states of the chain and of the chains cut from it).
    """
    return _cut_chain_cached(tuple(float(a) for a in alphas[:l]), tuple(acts[:l]), prior, float(rho),
                             tuple(float(d) for d in noise[:l]))


@lru_cache(maxsize=64)
def _cut_chain_cached(alphas, acts, prior, rho, noise):
    return deep_glm(alphas=list(alphas), activations=",".join(acts), prior=prior, rho=rho, noise=list(noise))


def layer_mutual_information(alphas, acts, prior, rho, noise):
    """``I(X_0; H_l)/n_0`` for the hidden layers l = 1..L-1 where it is finite and in reach.

    The chain cut at layer l, with h_l as its output, is itself a multi-layer GLM; with noiseless layers
    below l, ``H(H_l | X_0)`` is the noise of layer l alone (zero for a noiseless sign layer, whose h_l
    is discrete), so its ``mi_0`` is ``I(X_0; H_l)/n_0`` (its own thermodynamic branch). Returns
    ``{l: value}``; layers with noise below them, or a noiseless continuous h_l (infinite information),
    are left out.
    """
    out = {}
    for l in range(1, len(alphas)):
        if any(d != 0 for d in noise[:l - 1]) or (noise[l - 1] == 0 and acts[l - 1] != "sign"):
            continue
        sub = cut_chain(alphas, acts, prior, rho, [0.0] * (l - 1) + [noise[l - 1]], l)
        if sub.converged and "mi_0" in sub.observables:
            out[l] = float(sub["mi_0"])
    return out


def layer_entropies(alphas, acts, prior, rho, noise):
    """``H(T_l)/n_0`` of the hidden layers l = 1..L-1 whose representation has a finite entropy.

    ``T_l = h_l`` is layer l's post-activation, noise included. Its entropy per input coordinate is
    ``-E ln p(t_l)/n_0``, minus the free entropy of the chain cut at layer l (layers 1..l with their
    noise, h_l as the output), taken on its thermodynamic branch: a differential entropy (nats) when
    layer l has Gaussian noise (Delta_l > 0), the discrete entropy of the sign pattern for a noiseless
    sign layer. Noise below layer l is allowed (it is integrated out in the cut chain as in the full
    one). With noiseless layers below l this is ``I(X_0; T_l)/n_0 + (n_l/n_0) ln(2 pi e Delta_l)/2``
    (``I(X_0; T_l)/n_0`` itself for a noiseless sign layer). A noiseless linear or relu layer (no
    density, or a singular one) is left out. Returns ``{l: value}``.
    """
    out = {}
    for l in range(1, len(alphas)):
        if noise[l - 1] == 0 and acts[l - 1] != "sign":
            continue
        sub = cut_chain(alphas, acts, prior, rho, noise[:l], l)
        if sub.converged:
            out[l] = -float(sub["free_entropy"])
    return out


def _recovered_states(m, params, alphas, acts, prior, rho, noise, sols):
    """The states with h_l exactly recovered from y but not the layers below (``recovered_h{l}``).

    With layer l and every layer above noiseless sign layers, T_L determines h_l at such a state and is a
    function of it, so ``E ln p(y) = E ln p(h_l)``: the free entropy is that of the chain cut at layer l
    (taken on its thermodynamic branch, which gives the layers below: their q, q_hat, mse); the layers
    from l up have mse 0 and infinite q_hat. Skipped where the cut chain's own state is exact recovery
    of x_0 (the ``perfect`` state already covers it). Without these states the largest free entropy can
    pick full recovery with H(Y) = H(X_0) where H(H_l) < H(X_0), against data processing.
    """
    out = []
    for l in m.recoverable_layers():
        cut = cut_chain(alphas, acts, prior, rho, noise[:l], l)
        if not cut.converged or cut.branch == "perfect":
            continue
        order = {f"q_{k}": float(cut.order[f"q_{k}"]) if k < l else float(m.rho_in[k]) for k in range(m.L)}
        order.update({f"q_hat_{k}": float(cut.order[f"q_hat_{k}"]) if k < l else float("inf") for k in range(m.L)})
        obs = {f"mse_{k}": float(cut.observables[f"mse_{k}"]) if k < l else 0.0 for k in range(m.L + 1)}
        obs.update({f"overlap_{k}": order[f"q_{k}"] / float(m.rho_in[k]) for k in range(m.L)})
        phi = float(cut["free_entropy"])
        obs.update({"free_entropy": phi, f"entropy_{m.L}": -phi, "L": m.L})
        if "mi_0" in cut.observables:
            obs["mi_0"] = float(cut["mi_0"])
        out.append(Solution(model=MODEL, params=params, order=order, observables=obs, free_energy=-phi,
                            converged=True, residual=0.0, branch=f"recovered_h{l}",
                            message=f"h_{l} (and every layer above) exactly recovered: the chain cut at layer "
                                    f"{l} below it"))
    return out


def deep_glm(alphas=(1.0,), activations="linear", prior="gaussian", rho=1.0, noise=0.1, hidden_noise=None,
             layer_mi=False, alpha_1=None, alpha_2=None, alpha_3=None, strict=False):
    """Bayes-optimal inference in a multi-layer GLM: per-layer MSE, overlaps, mi_0 and free entropy, all branches.

    The RS fixed points of :class:`MultiLayerGLM` reached from an uninformative and an informative
    start and from starts informed only from layer l up (``informative_h{l}``), the saddles between
    attracting ones, plus the exact-recovery state where it exists (binary input, no noise anywhere, sign
    output) and the states with h_l exactly recovered but not the layers below (``recovered_h{l}``, see
    :func:`_recovered_states`); the thermodynamic one has the largest free entropy ``E ln p(y)/n_0``. Observables:
    ``mse_0`` (input), ``mse_l`` (post-activation h_l of hidden layer l), ``overlap_l = q_l/rho_l``,
    ``mi_0 = I(X_0; Y)/n_0`` (when the hidden layers are noiseless), ``free_entropy``.

    ``noise``: one value (the output's; hidden layers noiseless) or a list of L values (layer by layer);
    ``hidden_noise`` (one value or L - 1) sets the hidden layers' noise beside a scalar ``noise``.
    ``entropy_L = -free_entropy`` is the output's entropy ``H(Y)/n_0`` per branch (differential for a
    noisy output, discrete for a noiseless sign; the thermodynamic branch's is the entropy, a metastable
    branch's is its RS prediction). ``layer_mi=True`` adds ``mi_x0_h{l} = I(X_0; H_l)/n_0`` and
    ``entropy_l = H(T_l)/n_0`` of the hidden layers (one more solve of the chain cut at each layer:
    :func:`layer_mutual_information`, :func:`layer_entropies`; the cut chain's thermodynamic value, the
    same on every branch) where they are finite. ``alpha_1..alpha_3``
    (scalars) replace those entries of ``alphas``, so that a scan can run over them.
    """
    alphas = parse_list("alphas", alphas)
    for l, a in enumerate((alpha_1, alpha_2, alpha_3), start=1):
        if a is not None:
            if l > len(alphas):
                raise ParamError(f"alpha_{l} is given but alphas has only {len(alphas)} layers; allowed: "
                                 f"alpha_1..alpha_{len(alphas)}")
            alphas[l - 1] = float(a)
    alphas, acts, prior, rho, noise = check_glm(alphas, activations, prior, rho, noise, hidden_noise)
    params = {"alphas": alphas, "activations": acts, "prior": prior, "rho": rho, "noise": noise}
    m = MultiLayerGLM(alphas, acts, prior, rho, noise)
    found, _ = glm_branches(m)
    sols = [_solution(MODEL, params, m, r.x, r, label, None if att else "unstable") for label, r, att in found]
    if m.perfect_exists():
        q = m.rho_in.copy()
        order = {f"q_{l}": float(q[l]) for l in range(m.L)}
        order.update({f"q_hat_{l}": float("inf") for l in range(m.L)})
        obs = {f"mse_{l}": 0.0 for l in range(m.L + 1)}
        obs.update({f"overlap_{l}": 1.0 for l in range(m.L)})
        obs.update({"free_entropy": -np.log(2.0), "mi_0": np.log(2.0), "L": m.L})
        sols = [s for s in sols if s.observables["mse_0"] > 1e-6]
        sols.append(Solution(model=MODEL, params=params, order=order, observables=obs, free_energy=np.log(2.0),
                             converged=True, residual=0.0, branch="perfect",
                             message="exact recovery: H(Y) = H(X_0) = n_0 ln 2"))
    for s_ in sols:
        s_.observables[f"entropy_{m.L}"] = -float(s_.observables["free_entropy"])
    recovered = _recovered_states(m, params, alphas, acts, prior, rho, noise, sols)
    for r_ in recovered:
        # an interior fixed point converging onto the exact boundary state is the same state
        l = int(r_.branch[len("recovered_h"):])
        sols = [s_ for s_ in sols if not (s_.status != "unstable"
                                          and all(s_.observables[f"mse_{k}"] < 1e-6 for k in range(l, m.L + 1))
                                          and abs(s_.observables["mse_0"] - r_.observables["mse_0"]) < 1e-5)]
    sols += recovered
    if layer_mi and sols:
        mis = layer_mutual_information(alphas, acts, prior, rho, noise)
        ents = layer_entropies(alphas, acts, prior, rho, noise)
        for s_ in sols:
            s_.observables.update({f"mi_x0_h{l}": v for l, v in mis.items()})
            s_.observables.update({f"entropy_{l}": v for l, v in ents.items()})
    return select_thermodynamic(MODEL, params, sols, strict=strict)


def state_evolution(alphas=(1.0,), activations="linear", prior="gaussian", rho=1.0, noise=0.1, hidden_noise=None,
                    n_iter=20, q0=None):
    """The state-evolution trajectory of ML-AMP from ``q0`` (default: the uninformed start q = 0).

    Returns ``{"mse_0": array(n_iter + 1), ..., "mse_L": ...}``: the per-layer MSE predicted after each
    iteration (index 0 is the start; ``mse_L``, the noiseless output's, at index t is the one computed
    from the layers' estimates at t), in the parallel schedule that
    :func:`replicon.simulate.deep.glm.ml_amp` runs (all layers' estimates updated from the previous
    iterate's overlaps, one backward sweep of the conjugates per iteration).
    """
    alphas, acts, prior, rho, noise = check_glm(alphas, activations, prior, rho, noise, hidden_noise)
    m = MultiLayerGLM(alphas, acts, prior, rho, noise)
    q = np.zeros(m.L) if q0 is None else np.asarray(q0, float)
    out = {f"mse_{l}": [] for l in range(m.L + 1)}
    for _ in range(int(n_iter) + 1):
        q_next = m.update(q)                     # also sets the output MMSE at q
        for l in range(m.L):
            out[f"mse_{l}"].append(m.rho_in[l] - q[l])
        out[f"mse_{m.L}"].append(m._mse_out)
        q = q_next
    return {k: np.array(v) for k, v in out.items()}
