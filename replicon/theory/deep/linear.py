r"""Bayesian learning of deep linear networks in the proportional limit (kernel renormalisation).

Model (issue 16). ``f(x) = a . W_L ... W_1 x / sqrt(N_0 N_1 ... N_L)`` with ``W_l`` of shape
``N_l x N_{l-1}``, Gaussian priors of variance ``sigma_l^2`` on the entries of ``W_l``
(``l = 1..L``) and ``sigma_{L+1}^2`` on the readout ``a``; ``P = alpha N_0`` examples
``x ~ N(0, I)``, labels of a linear teacher ``y = w* . x / sqrt(N_0) + sqrt(Delta) xi``
(``|w*|^2 = N_0``); Gibbs posterior ``exp(-sum_mu (f(x_mu) - y_mu)^2 / (2T))`` times the
prior; widths ``N_l = N_0 / gamma_l``.

Derivation (written out here; it follows the back-propagating kernel renormalisation of
Li & Sompolinsky, PRX 11, 031059 (2021), whose structure I recall but whose equations I
could not read). Write ``f(x) = beta . x / sqrt(N_0)``, ``beta = W_1^T ... W_L^T a /
sqrt(N_1 ... N_L)``, and back-propagate ``v_L = a``, ``v_{l-1} = W_l^T v_l / sqrt(N_l)``.
Given ``v_l``, ``v_{l-1}`` is N(0, sigma_l^2 |v_l|^2/N_l I), so ``beta`` is *exactly* a
Gaussian scale mixture,

    beta | U ~ N(0, U I),   U = sigma_1^2 ... sigma_{L+1}^2  u_1 ... u_L,
    u_l ~ Gamma(shape N_l/2, rate N_l/2)  independent (mean 1, variance 2/N_l),

with ``u_l = (|v_l|^2/N_l) / (sigma_{l+1}^2 |v_{l+1}|^2/N_{l+1})`` (``|v_{L+1}|^2/N_{L+1} = 1``).
Integrating ``beta`` leaves the exact finite-N evidence as an L-dimensional integral over
the renormalisation scalars,

    Z = E_u N(y; 0, T I_P + U K_0),   K_0 = X X^T / N_0,

and, given U, the posterior of beta is that of Bayesian linear regression with prior
variance U. For N_0 -> infinity at fixed alpha, gamma_l, the integral is dominated by its
saddle point; with ``c(U) = U a_1 - U (a_2 + Delta a_3)``,

    u_l = 1 - gamma_l c(U),        U = prod_l sigma_l^2 u_l,
    a_1 = <lam/(T + U lam)>,  a_2 = <lam^2/(T + U lam)^2>,  a_3 = <lam/(T + U lam)^2>,

averages ``<.>`` over the Marchenko-Pastur law of ``S = X^T X / N_0`` (per N_0, see
:mod:`.spectra`), and the free entropy per N_0 (log evidence / N_0),

    phi = sum_l (log u_l - u_l + 1)/(2 gamma_l)
          - 1/2 [ alpha log 2 pi + <log(T + U lam)>_c + (alpha - 1)_+ log T
                  + <(lam + Delta)/(T + U lam)>_c + (alpha - 1)_+ Delta / T ],

(``<.>_c``: continuous part only; the last terms are the P - N_0 zero modes of K_0). A
wide network (gamma -> 0) has u_l = 1: the NNGP (Bayesian linear regression with prior
variance prod sigma^2); a narrow one renormalises the prior variance towards the data.
At T = 0 the log evidence is -infinity; ``free_entropy`` there drops the U-independent
divergent constants (branch comparison is unaffected).

Observables, given the saddle U (generalisation measured on the noiseless teacher):

    bias      = |<beta> - w*|^2/N_0 = <T^2/(T + U lam)^2> + Delta U^2 a_3   (atom: (1-alpha)_+)
    variance  = tr Cov(beta)/N_0    = <T U/(T + U lam)>                    (atom: U (1-alpha)_+)
    eps_g     = bias + variance = E_posterior E_x (f(x) - w* . x/sqrt N_0)^2
    train_error = E_posterior (1/P) sum_mu (f(x_mu) - y_mu)^2
                = (1/alpha) [ <T^2 (lam + Delta)/(T + U lam)^2 + T U lam/(T + U lam)> + (alpha - 1)_+ Delta ].

Checks: L = 0 is Bayesian linear regression (U = sigma^2); T = 0, alpha > 1 gives the
least-squares error Delta/(alpha - 1) at every depth and width (the posterior is the
minimiser); the exact finite-N integral (:func:`exact_finite_n`) approaches the saddle
point as 1/N.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from ..._util import ParamError
from ..engine import FixedPointProblem, roots_1d
from ..solution import Solution, select_thermodynamic
from .spectra import marchenko_pastur_rule

MODEL = "deep.linear"
N_NODES = 2048


def layer_values(name, value, n, allow_zero=False):
    """A scalar or a list of ``n`` numbers as an array of length ``n`` (each > 0, or >= 0)."""
    arr = np.atleast_1d(np.asarray(value, dtype=float)).ravel()
    if arr.size == 1:
        arr = np.full(n, float(arr[0]))
    if arr.size != n:
        raise ParamError(f"{name} must be one number or a list of {n} numbers, got {arr.size}")
    if not np.all(np.isfinite(arr)) or (np.any(arr < 0) if allow_zero else np.any(arr <= 0)):
        raise ParamError(f"{name} must be {'>= 0' if allow_zero else '> 0'} (each entry), got {arr.tolist()}")
    return arr


def check_params(L, alpha, gamma, sigma2, T, Delta):
    """Validated ``(L, alpha, gamma[L], sigma2[L+1], T, Delta)``; ParamError on bad input."""
    try:
        L_int = int(L)
    except (TypeError, ValueError):
        raise ParamError(f"L must be an integer >= 0, got {L!r}") from None
    if L_int != L or L_int < 0:
        raise ParamError(f"L must be an integer >= 0, got {L!r}")
    alpha = float(alpha)
    if not alpha > 0 or not np.isfinite(alpha):
        raise ParamError(f"alpha must be > 0, got {alpha}")
    gamma = layer_values("gamma", gamma, L_int) if L_int > 0 else np.zeros(0)
    sigma2 = layer_values("sigma2", sigma2, L_int + 1)
    T, Delta = float(T), float(Delta)
    if not (T >= 0 and np.isfinite(T)):
        raise ParamError(f"T must be >= 0, got {T}")
    if not (Delta >= 0 and np.isfinite(Delta)):
        raise ParamError(f"Delta must be >= 0, got {Delta}")
    if T == 0 and alpha == 1 and Delta > 0:
        raise ParamError("T = 0 with alpha = 1 and Delta > 0 is the interpolation peak (eps_g diverges); "
                         "allowed: T > 0, alpha != 1 or Delta = 0")
    return L_int, alpha, gamma, sigma2, T, Delta


class SpectralAverages:
    """Averages over the MP law of S = X^T X/N_0 of the functions of (U, T, Delta) the theory needs."""

    def __init__(self, alpha, T, Delta, n=N_NODES):
        self.alpha, self.T, self.Delta = float(alpha), float(T), float(Delta)
        self.lam, self.w, self.atom = marchenko_pastur_rule(alpha, n)
        self.zero_modes = max(alpha - 1.0, 0.0)      # zero eigenvalues of K_0 = X X^T/N_0, per N_0

    def renormalisation(self, U):
        """``c(U) = U a_1 - U (a_2 + Delta a_3)`` (so that u_l = 1 - gamma_l c)."""
        lam, w, T = self.lam, self.w, self.T
        d = T + U * lam
        a1 = np.sum(w * lam / d)
        a2 = np.sum(w * lam * lam / d ** 2)
        a3 = np.sum(w * lam / d ** 2)
        return U * a1 - U * (a2 + self.Delta * a3)

    def observables(self, U):
        lam, w, T, D = self.lam, self.w, self.T, self.Delta
        d = T + U * lam
        bias = np.sum(w * (T * T + D * U * U * lam) / d ** 2) + self.atom
        variance = np.sum(w * T * U / d) + self.atom * U
        train = (np.sum(w * (T * T * (lam + D) / d ** 2 + T * U * lam / d)) + self.zero_modes * D) / self.alpha
        return {"eps_g": bias + variance, "bias": float(bias), "variance": float(variance),
                "train_error": float(train)}

    def log_evidence_gaussian(self, U):
        """``-(1/2N_0) [log det(T + U K_0) + y^T (T + U K_0)^{-1} y] - (alpha/2) log 2 pi`` (T = 0: finite part)."""
        lam, w, T, D = self.lam, self.w, self.T, self.Delta
        d = T + U * lam
        val = np.sum(w * np.log(d)) + np.sum(w * (lam + D) / d)
        if T > 0:
            val += self.zero_modes * (np.log(T) + D / T)
        return -0.5 * (val + self.alpha * np.log(2 * np.pi))


def free_entropy_hessian(phi, x, h=1e-4):
    """Central finite-difference Hessian of ``phi`` at ``x`` (here: in the coordinates log u_l)."""
    x = np.asarray(x, float)
    n = x.size
    Hm = np.zeros((n, n))
    E = np.eye(n) * h
    f0 = phi(x)
    for i in range(n):
        Hm[i, i] = (phi(x + E[i]) - 2 * f0 + phi(x - E[i])) / h ** 2
        for j in range(i):
            Hm[i, j] = Hm[j, i] = (phi(x + E[i] + E[j]) - phi(x + E[i] - E[j]) - phi(x - E[i] + E[j])
                                   + phi(x - E[i] - E[j])) / (4 * h * h)
    return Hm


def _roots_near_the_edge(update, grid, u_of, tol=1e-9):
    """Roots the Newton confirmation of ``roots_1d`` misses: those within a finite-difference step of
    the edge u_l = 0 (a large prior variance that the data shrink, u_l ~ 1e-6). Brent on each sign change
    of G = F(log U) - log U, kept only if u_l > 0 there and the undamped residual is below ``tol``."""
    from scipy.optimize import brentq

    G = lambda x: float(update(np.array([x]))[0] - x)      # noqa: E731
    g = np.array([G(x) for x in grid])
    out = []
    for i in np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0):
        x = brentq(G, grid[i], grid[i + 1], xtol=1e-14, rtol=1e-15)
        res = abs(G(x))
        if np.all(u_of(np.exp(x)) > 0) and res < tol:
            out.append((float(np.exp(x)), res, 0))
    return out


def _branch_label(i, n):
    return "saddle" if n == 1 else f"saddle_{i + 1}"


def deep_linear(L=1, alpha=2.0, gamma=1.0, sigma2=1.0, T=0.1, Delta=0.0, tol=1e-11, strict=False):
    """Saddle point of the Bayesian deep linear network: all branches, the thermodynamic one by free entropy.

    Returns a :class:`Solution` with order ``u_1..u_L`` (renormalisation scalars) and ``U``
    (renormalised prior variance of the end-to-end weights), observables ``eps_g``, ``bias``,
    ``variance``, ``train_error``, ``u_l`` and ``free_entropy`` (log evidence / N_0).
    """
    L, alpha, gamma, sigma2, T, Delta = check_params(L, alpha, gamma, sigma2, T, Delta)
    params = {"L": L, "alpha": alpha, "gamma": gamma.tolist() if L else [], "sigma2": sigma2.tolist(),
              "T": T, "Delta": Delta}
    spec = SpectralAverages(alpha, T, Delta)
    s_prod = float(np.prod(sigma2))

    def u_of(U):
        return 1.0 - gamma * spec.renormalisation(U)

    if L == 0:
        roots_U = [(s_prod, 0.0, 0)]
    else:
        log_s = float(np.sum(np.log(sigma2)))

        def update(x):            # on log U: the residual is relative, whatever the scale of U
            u = u_of(np.exp(x[0]))
            if np.any(u <= 0):
                return np.array([-1e3])      # outside the domain u_l > 0: far below any root
            return np.array([log_s + np.sum(np.log(u))])

        problem = FixedPointProblem(names=("log_U",), update=update, lower=np.array([-np.inf]),
                                    upper=np.array([np.inf]))
        centre = log_s + L * np.log1p(float(np.max(gamma))) + np.log1p(Delta)
        # the data can pull U far above a small prior scale (U ~ s_prod^(1/(L+1))): widen the scan there
        grid = np.linspace(centre - 30.0 - max(0.0, log_s), centre + 15.0 + max(0.0, -log_s), 450)
        roots_U = [(float(np.exp(r.x[0])), r.residual, r.iterations) for r in roots_1d(problem, grid, tol=tol)
                   if np.all(u_of(np.exp(r.x[0])) > 0)]
        if not roots_U:
            roots_U = _roots_near_the_edge(update, grid, u_of)

    def phi_of(log_u):
        u = np.exp(log_u)
        return float(np.sum((log_u - u + 1.0) / (2.0 * gamma))) + spec.log_evidence_gaussian(s_prod * np.prod(u))

    sols = []
    for i, (U, res, it) in enumerate(roots_U):
        u = u_of(U) if L else np.zeros(0)
        phi = phi_of(np.log(u)) if L else spec.log_evidence_gaussian(U)
        obs = spec.observables(U)
        order = {f"u_{l + 1}": float(u[l]) for l in range(L)}
        order["U"] = U
        obs.update({k: v for k, v in order.items() if k != "U"})
        obs["U"] = U
        obs["free_entropy"] = phi
        # a Laplace integral over real u_l > 0: only maxima of phi are saddle points that count
        top = float(np.max(np.linalg.eigvalsh(free_entropy_hessian(phi_of, np.log(u))))) if L else -1.0
        sols.append(Solution(model=MODEL, params=params, order=order, observables=obs, free_energy=-phi,
                             converged=True, residual=float(res), iterations=int(it),
                             branch=_branch_label(i, len(roots_U)),
                             status="unstable" if top > 0 else None, stable=bool(top <= 0),
                             message="" if T > 0 else "T = 0: free_entropy without its U-independent "
                                                       "divergent constants"))
    return select_thermodynamic(MODEL, params, sols, strict=strict)


def exact_finite_n(X, y, w_star, widths, sigma2, T, grid_step=0.004, reach=14.0):
    """Exact posterior averages of one finite-N data set, by the L-dimensional integral over the u_l.

    ``widths = (N_1, ..., N_L)``; ``X`` is ``P x N_0``. The prior density of ``log U`` is the
    convolution of the log-Gamma(N_l/2, N_l/2) densities (on a uniform grid of step
    ``grid_step``); the posterior over ``log U`` multiplies it by ``N(y; 0, T + U K_0)``
    evaluated in the eigenbasis of ``K_0``. Returns posterior means of ``eps_g`` (=
    E|beta - w*|^2/N_0), ``bias`` (|E beta - w*|^2/N_0), ``variance`` (the difference),
    ``train_error`` and each ``u_l``. Needs T > 0.
    """
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    P, N0 = X.shape
    widths = [int(n) for n in widths]
    L = len(widths)
    sigma2 = layer_values("sigma2", sigma2, L + 1)
    if not T > 0:
        raise ParamError("the exact finite-N integral needs T > 0")
    # thin SVD X/sqrt(N0) = Ux diag(sv) Vt: the r = min(P, N0) nonzero modes of S = X^T X/N0 and of
    # K_0 = X X^T/N0; the rest of S (N0 - r modes) and of K_0 (P - r modes) has eigenvalue 0
    Ux, sv, Vt = np.linalg.svd(X / np.sqrt(N0), full_matrices=False)
    lam = sv ** 2
    r = sv.size
    y_t = Ux.T @ y
    y_perp2 = max(float(y @ y - y_t @ y_t), 0.0)
    w_star = np.asarray(w_star, float)
    w_t = Vt @ w_star
    w_null2 = max(float(w_star @ w_star - w_t @ w_t), 0.0)
    b_t = sv * y_t                                  # X^T y/sqrt(N0) in the eigenbasis of S

    # prior density of s_l = log u_l and of log U by convolution
    h = grid_step
    dens, offsets = [], []
    for n in widths:
        k = n / 2.0
        sd = 1.0 / np.sqrt(k)
        lo, hi = min(-reach * sd - 4 * sd * sd, -7.0), max(reach * sd, 4.5)   # u from 1e-3 to 90
        s = np.arange(np.floor(lo / h), np.ceil(hi / h) + 1) * h
        logp = k * np.log(k) - gammaln(k) + k * s - k * np.exp(s)
        dens.append(np.exp(logp))
        offsets.append(s[0])
    log_s_prod = float(np.sum(np.log(sigma2)))

    def conv(ds):
        out = np.array([1.0])
        for d in ds:
            out = np.convolve(out, d) * h
        return out

    if L == 0:
        logU = np.array([log_s_prod])
        prior = np.array([1.0])
        u_weighted = []
    else:
        prior = conv(dens) / h
        logU = log_s_prod + sum(offsets) + h * np.arange(prior.size)
        u_weighted = []
        for l in range(L):
            s = offsets[l] + h * np.arange(dens[l].size)
            ds = [dens[m] * (np.exp(s) if m == l else 1.0) for m in range(L)]
            u_weighted.append(conv(ds) / h)
    U = np.exp(logU)
    d_K = T + U[:, None] * lam[None, :]
    loglik = (-0.5 * np.sum(np.log(d_K) + y_t[None, :] ** 2 / d_K, axis=1)
              - 0.5 * ((P - r) * np.log(T) + y_perp2 / T))
    with np.errstate(divide="ignore"):
        logpost = np.log(prior) + loglik
    keep = logpost > np.max(logpost) - 80.0           # posterior weight below e^-80: dropped
    U, wgt = U[keep], np.exp(logpost[keep] - np.max(logpost))
    wgt /= wgt.sum()
    # beta | U: mean m = (S + T/U)^{-1} X^T y/sqrt N0 (zero on the null space of S), covariance
    # T (S + T/U)^{-1} (U I on the null space)
    d_S = lam[None, :] + T / U[:, None]
    m_t = b_t[None, :] / d_S
    null = N0 - r
    err2 = ((np.sum((m_t - w_t[None, :]) ** 2, axis=1) + w_null2) / N0
            + (T * np.sum(1.0 / d_S, axis=1) + null * U) / N0)
    eps_g = float(wgt @ err2)
    m_mean = wgt @ m_t
    bias = float((np.sum((m_mean - w_t) ** 2) + w_null2) / N0)
    # training error in K_0's eigenbasis: residual of the mean predictor plus the variance of f
    resid = np.sum((y_t[None, :] - sv[None, :] * m_t) ** 2, axis=1) + y_perp2
    var_f = T * np.sum(lam[None, :] / d_S, axis=1)
    train = float(wgt @ ((resid + var_f) / P))
    out = {"eps_g": eps_g, "bias": bias, "variance": eps_g - bias, "train_error": train,
           "U": float(wgt @ U)}
    for l in range(L):
        with np.errstate(divide="ignore", invalid="ignore"):
            cond = np.where(prior > 0, u_weighted[l] / prior, 0.0)
        out[f"u_{l + 1}"] = float(wgt @ cond[keep])
    return out
