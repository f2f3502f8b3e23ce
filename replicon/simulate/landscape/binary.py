r"""Binary (Ising) perceptron: data, energies and the Monte Carlo kernels of the binary protocols.

Data. ``P = round(alpha N)`` patterns ``xi_mu`` (entries +-1, or standard Gaussian) with labels
``sigma_mu``: random +-1 (``problem="storage"``) or ``sign(B.xi_mu)`` of a teacher ``B`` in {+-1}^N
(``problem="teacher"``). The kernels read ``X[i, mu] = sigma_mu xi_{i mu}`` (transposed: the O(P)
update after flipping weight ``i`` reads one contiguous row) and keep the unnormalised stabilities
``h_mu = sum_i W_i X[i, mu] = sqrt(N) Delta_mu`` of every replica up to date, so one flip attempt
costs O(P) and a sweep of ``y`` replicas O(y N P). With +-1 patterns every ``h_mu`` is an integer
held exactly in a float64, and the incremental fields equal a recomputation bit for bit (test).

Energies (threshold ``t = kappa sqrt N``; a pattern is violated when ``h_mu <= t``):

* ``errors``: ``E = #{mu : h_mu <= t}``, the training errors at margin kappa;
* ``hinge``: ``E = sum_mu [h_mu <= t] ((t - h_mu)/2 + 1/2)``. At kappa = 0 with +-1 patterns and odd
  N (``h_mu`` odd) a violated pattern costs exactly the number of weight flips that would fix it,
  ``(|h_mu| + 1)/2``; this is the energy of replicated simulated annealing in Baldassi, Ingrosso,
  Lucibello, Saglietti & Zecchina, J. Stat. Mech. (2016) 023301 and PNAS 113, E7655 (2016).

Both vanish exactly on the solutions (zero errors at margin kappa).

Measure sampled by the kernel, for ``y`` replicas ``W^a`` at temperature ``T`` and coupling gamma::

    coupling="centre":    P ~ exp(-sum_a E(W^a)/T) prod_i 2 cosh(gamma sum_a W_i^a)
                          = sum_{W~ in {+-1}^N} exp(-sum_a E(W^a)/T + gamma sum_a W~ . W^a)
    coupling="pairwise":  P ~ exp(-sum_a E(W^a)/T + gamma sum_{a<b} W^a . W^b)

The first is the robust ensemble of Baldassi et al. (PNAS 2016) with its binary centre ``W~`` traced
out (``gamma`` here is their ``beta gamma``); the second couples the replicas to each other. A flip
changes ``S_i = sum_a W_i^a`` by 2, so the coupling costs O(1) per flip. ``y = 1`` and ``gamma = 0``
is simulated annealing; ``T = 0`` accepts a flip that lowers the energy, refuses one that raises it
and, at equal energy, accepts with the coupling's Metropolis ratio (``gamma = 0``: always), so
``greedy`` descent never increases the energy.

A sweep is ``N`` flip attempts (random site, Metropolis) for each replica in turn, each replica
drawing from its own xoshiro256** stream, so at ``gamma = 0`` every replica's trajectory is the
single-replica annealing run of its stream, to the bit (test). The centre ``sign(S_i)`` (ties keep
the previous value) and its fields are tracked incrementally too; after every sweep the run stops
(``stop_at_solution``) when a replica or the centre has zero errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from ..._util import ParamError, check_choice, check_number
from ..gaussian_rng import seed_state, xoshiro_step

ENERGIES = ("errors", "hinge")
PATTERNS = ("pm1", "gaussian")
PROBLEMS = ("storage", "teacher")


# ----------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------


@dataclass
class BinaryData:
    """A binary-perceptron training set: ``X[i, mu] = sigma_mu xi_{i mu}`` (N x P), threshold
    ``thr = kappa sqrt N`` on the unnormalised stabilities, the teacher ``B`` (teacher problem) or
    None."""

    X: np.ndarray
    kappa: float
    problem: str
    patterns: str
    B: np.ndarray | None = None

    @property
    def N(self) -> int:
        return self.X.shape[0]

    @property
    def P(self) -> int:
        return self.X.shape[1]

    @property
    def thr(self) -> float:
        return float(self.kappa * math.sqrt(self.N))

    def errors(self, W) -> int:
        """Training errors of ``W`` (recomputed from scratch)."""
        return int(np.sum(np.asarray(W, dtype=float) @ self.X <= self.thr))

    def eps_g(self, W) -> float:
        """Teacher problem: generalisation error ``arccos(W.B/N)/pi`` (exact for Gaussian patterns, the
        N -> infinity value for +-1 patterns); storage: NaN."""
        if self.B is None:
            return math.nan
        R = float(np.dot(W, self.B)) / self.N
        return math.acos(max(-1.0, min(1.0, R))) / math.pi


def binary_storage(N: int, alpha: float, kappa: float = 0.0, patterns: str = "pm1",
                   problem: str = "storage", seed=0) -> BinaryData:
    """Random training set of the binary perceptron (``P = round(alpha N)``); ``seed`` an int or a
    ``SeedSequence``."""
    N = int(check_number("N", N, lo=3, integer=True))
    alpha = check_number("alpha", alpha, lo=0.0, lo_open=True)
    kappa = check_number("kappa", kappa, lo=-10.0, hi=10.0)
    patterns = check_choice("patterns", patterns, PATTERNS)
    problem = check_choice("problem", problem, PROBLEMS)
    P = max(1, int(round(alpha * N)))
    rng = np.random.default_rng(seed)
    if patterns == "pm1":
        xi = rng.choice(np.array([-1.0, 1.0]), size=(N, P))
    else:
        xi = rng.standard_normal((N, P))
    B = None
    if problem == "storage":
        sigma = rng.choice(np.array([-1.0, 1.0]), size=P)
    else:
        B = rng.choice(np.array([-1.0, 1.0]), size=N)
        u = B @ xi
        sigma = np.where(u > 0, 1.0, -1.0)
        ties = u == 0                     # even N with +-1 patterns: the teacher's tie gets a random label
        sigma[ties] = rng.choice(np.array([-1.0, 1.0]), size=int(ties.sum()))
    X = np.ascontiguousarray(xi * sigma[None, :])
    return BinaryData(X=X, kappa=float(kappa), problem=problem, patterns=patterns, B=B)


# ----------------------------------------------------------------------------
# random numbers: one xoshiro256** stream per replica (state row s[a])
# ----------------------------------------------------------------------------

_TWO_M53 = 2.0 ** -53


def seed_sequence(seed) -> np.random.SeedSequence:
    """``seed`` itself if it is a SeedSequence, else ``SeedSequence(seed)``."""
    return seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)


def rng_states(seed, n: int) -> np.ndarray:
    """``n`` independent xoshiro256** states (n x 4 uint64) spawned from ``SeedSequence(seed)``."""
    ss = seed_sequence(seed)
    return np.stack([seed_state(c) for c in ss.spawn(int(n))]) if n > 0 else np.zeros((0, 4), np.uint64)


@njit(cache=True, inline="always")
def _next(s, a):
    """The next 64-bit word of stream ``a`` of the state array ``s`` (xoshiro256**)."""
    result, s0, s1, s2, s3 = xoshiro_step(s[a, 0], s[a, 1], s[a, 2], s[a, 3])
    s[a, 0], s[a, 1], s[a, 2], s[a, 3] = s0, s1, s2, s3
    return result


@njit(cache=True, inline="always")
def uniform(s, a):
    """A uniform variate in (0, 1) from stream ``a``."""
    return (np.int64(_next(s, a) >> np.uint64(11)) + 0.5) * _TWO_M53


@njit(cache=True, inline="always")
def randint(s, a, n):
    """A uniform integer in [0, n) from stream ``a``."""
    k = np.int64(uniform(s, a) * n)
    return k if k < n else n - 1


# ----------------------------------------------------------------------------
# energies
# ----------------------------------------------------------------------------


@njit(cache=True, inline="always")
def pattern_energy(h, thr, kind):
    """Energy of one pattern of unnormalised stability ``h``: kind 0 errors, 1 hinge."""
    if h > thr:
        return 0.0
    if kind == 0:
        return 1.0
    return 0.5 * (thr - h) + 0.5


@njit(cache=True)
def fields(W, X):
    """Unnormalised stabilities ``h_mu = sum_i W_i X[i, mu]`` of one weight vector."""
    N, P = X.shape
    h = np.zeros(P)
    for i in range(N):
        w = W[i]
        for mu in range(P):
            h[mu] += w * X[i, mu]
    return h


@njit(cache=True)
def energy_of_fields(h, thr, kind):
    """(energy, errors) of a vector of stabilities."""
    e = 0.0
    n = 0
    for mu in range(h.shape[0]):
        if h[mu] <= thr:
            n += 1
            e += pattern_energy(h[mu], thr, kind)
    return e, n


@njit(cache=True, fastmath=True)
def _delta_energy(h, x, step, thr, kind):
    """Energy change of one replica when its stabilities move from ``h`` to ``h + step x`` (O(P)).

    ``fastmath`` lets the sum vectorise (4-5x); it only reorders the additions, which with +-1
    patterns at kappa = 0 are of integers and half-integers, hence exact in any order."""
    dE = 0.0
    if kind == 0:
        for mu in range(h.shape[0]):
            h0 = h[mu]
            h1 = h0 + step * x[mu]
            dE += (1.0 if h1 <= thr else 0.0) - (1.0 if h0 <= thr else 0.0)
    else:
        for mu in range(h.shape[0]):
            h0 = h[mu]
            h1 = h0 + step * x[mu]
            dE += ((0.5 * (thr - h1) + 0.5) if h1 <= thr else 0.0) - ((0.5 * (thr - h0) + 0.5) if h0 <= thr else 0.0)
    return dE


@njit(cache=True, inline="always")
def _count_errors(h, thr):
    n = 0
    for mu in range(h.shape[0]):
        n += h[mu] <= thr
    return n


@njit(cache=True)
def _logcosh(x):
    ax = abs(x)
    return ax + math.log1p(math.exp(-2.0 * ax)) - math.log(2.0)


@njit(cache=True, inline="always")
def _coupling_change(S, w, gamma, coupling, lc, y):
    """Change of the log-weight of the coupling when a replica's W_i = w flips (S = sum_a W_i^a)."""
    if gamma == 0.0:
        return 0.0
    if coupling == 0:                      # traced centre: log cosh(gamma S)
        return lc[int(S - 2.0 * w) + y] - lc[int(S) + y]
    return 2.0 * gamma * (1.0 - w * S)     # pairwise: gamma/2 (S'^2 - S^2)


@njit(cache=True, inline="always")
def _accept(dE, dphi, T, s, a):
    if T == 0.0:
        if dE < 0.0:
            return True
        if dE > 0.0:
            return False
        return dphi >= 0.0 or uniform(s, a) < math.exp(dphi)
    L = -dE / T + dphi
    return L >= 0.0 or uniform(s, a) < math.exp(L)


# ----------------------------------------------------------------------------
# the replicated Monte Carlo kernel (y = 1: annealing, T = 0: greedy)
# ----------------------------------------------------------------------------


@njit(cache=True)
def replicated_mc(X, thr, W, H, E, nerr, C, HC, state, T, gamma, energy_kind, coupling, track_centre,
                  stop_at_solution, trace):
    """Run ``len(T)`` sweeps of the replicated Monte Carlo with incremental fields.

    In place: ``W`` (y x N, +-1 floats), their fields ``H`` (y x P), energies ``E`` and error counts
    ``nerr`` (y), the centre ``C`` (N) with fields ``HC`` (P) when ``track_centre``, the streams
    ``state`` (y x 4). ``T``, ``gamma``: per-sweep schedules; ``energy_kind`` 0 errors / 1 hinge;
    ``coupling`` 0 centre / 1 pairwise; ``trace`` (y x sweeps) receives each replica's energy after
    every sweep. Returns ``(sweeps_done, found, attempts, accepted, centre_errors)`` with ``found`` the
    replica that reached zero errors, ``y`` for the centre, ``-1`` for none.
    """
    y, N = W.shape
    P = X.shape[1]
    S = np.zeros(N)
    for i in range(N):
        for a in range(y):
            S[i] += W[a, i]
    errc = 0
    if track_centre:
        for mu in range(P):
            if HC[mu] <= thr:
                errc += 1
    lc = np.zeros(2 * y + 1)
    attempts = 0
    accepted = 0
    found = -1
    if stop_at_solution:
        for a in range(y):
            if nerr[a] == 0:
                found = a
                break
        if found < 0 and track_centre and errc == 0:
            found = y
        if found >= 0:
            return 0, found, attempts, accepted, errc
    n_sweeps = T.shape[0]
    for t in range(n_sweeps):
        g = gamma[t]
        Tt = T[t]
        if coupling == 0:
            for k in range(2 * y + 1):
                lc[k] = _logcosh(g * (k - y))
        for a in range(y):
            Ha = H[a]
            for _ in range(N):
                i = randint(state, a, N)
                Xi = X[i]
                w = W[a, i]
                step = -2.0 * w
                dE = _delta_energy(Ha, Xi, step, thr, energy_kind)
                dphi = _coupling_change(S[i], w, g, coupling, lc, y) if y > 1 else 0.0
                attempts += 1
                if _accept(dE, dphi, Tt, state, a):
                    accepted += 1
                    for mu in range(P):
                        Ha[mu] += step * Xi[mu]
                    W[a, i] = -w
                    E[a] += dE
                    S[i] += step
                    if track_centre:
                        c = C[i]
                        if S[i] != 0.0 and (S[i] > 0.0) != (c > 0.0):
                            cs = -2.0 * c
                            for mu in range(P):
                                HC[mu] += cs * Xi[mu]
                            C[i] = -c
            E[a], nerr[a] = energy_of_fields(Ha, thr, energy_kind)   # no drift of the running sum
        if track_centre:
            errc = _count_errors(HC, thr)
        for a in range(y):
            trace[a, t] = E[a]
        if stop_at_solution:
            for a in range(y):
                if nerr[a] == 0:
                    found = a
                    break
            if found < 0 and track_centre and errc == 0:
                found = y
            if found >= 0:
                return t + 1, found, attempts, accepted, errc
    return n_sweeps, found, attempts, accepted, errc


@njit(cache=True)
def replicated_mc_naive(X, thr, W, state, T, gamma, energy_kind, coupling, stop_at_solution, trace):
    """The same Markov chain as :func:`replicated_mc` (same streams, same order of draws), written
    the straightforward way: every flip attempt recomputes the flipped replica's fields and energy
    before and after the flip from scratch (O(N P) per attempt, O(y N^2 P) per sweep) and the site's
    replica sum from the replicas. For tests and the benchmark. Returns ``(sweeps_done, found)`` (the centre is not checked)."""
    y, N = W.shape
    n_sweeps = T.shape[0]
    for t in range(n_sweeps):
        g = gamma[t]
        Tt = T[t]
        for a in range(y):
            for _ in range(N):
                i = randint(state, a, N)
                E0, _ = energy_of_fields(fields(W[a], X), thr, energy_kind)
                w = W[a, i]
                W[a, i] = -w
                E1, _ = energy_of_fields(fields(W[a], X), thr, energy_kind)
                W[a, i] = w
                dphi = 0.0
                if y > 1 and g != 0.0:
                    Si = 0.0
                    for b in range(y):
                        Si += W[b, i]
                    if coupling == 0:
                        dphi = _logcosh(g * (Si - 2.0 * w)) - _logcosh(g * Si)
                    else:
                        dphi = 2.0 * g * (1.0 - w * Si)
                if _accept(E1 - E0, dphi, Tt, state, a):
                    W[a, i] = -w
        for a in range(y):
            e, _ = energy_of_fields(fields(W[a], X), thr, energy_kind)
            trace[a, t] = e
        if stop_at_solution:
            for a in range(y):
                _, n = energy_of_fields(fields(W[a], X), thr, energy_kind)
                if n == 0:
                    return t + 1, a
    return n_sweeps, -1


# ----------------------------------------------------------------------------
# driver
# ----------------------------------------------------------------------------


@dataclass
class RunResult:
    """The outcome of one protocol run.

    ``W``: the solution found (the centre when it was the first at zero errors, else the replica),
    or, without success, the configuration with the fewest errors among replicas and centre;
    ``success``; ``sweeps`` (per replica) and ``time`` (= sweeps x y: flip attempts per weight over
    all replicas, the running time; censored at the budget without success); ``found_by``
    ("replica", "centre" or "none"); ``errors`` of ``W``; ``trace`` (y x sweeps energies, NaN after
    the stop); ``acceptance``; ``replicas`` the final replicas (y x N)."""

    W: np.ndarray
    success: bool
    sweeps: int
    time: int
    found_by: str
    errors: int
    trace: np.ndarray
    acceptance: float
    replicas: np.ndarray


def run_binary(protocol, data: BinaryData, seed=0, W0=None) -> RunResult:
    """Run a binary :class:`~.protocol.Protocol` on ``data`` from random (or given ``W0``, y x N)
    starting weights; ``seed`` an int or SeedSequence (streams of the start and of every replica)."""
    if not protocol.binary or protocol.kind == "focusing":
        raise ParamError(f"protocol kind {protocol.kind!r} is not a Monte Carlo protocol; Monte Carlo kinds: "
                         "greedy, anneal, replicated")
    N, y = data.N, protocol.y
    init_ss, mc_ss = seed_sequence(seed).spawn(2)
    if W0 is None:
        W = np.random.default_rng(init_ss).choice(np.array([-1.0, 1.0]), size=(y, N))
    else:
        W = np.array(W0, dtype=float).reshape(y, N)
        if not np.all(np.abs(W) == 1.0):
            raise ParamError("W0 must hold +-1 weights, shape (y, N)")
    state = rng_states(mc_ss, y)
    kind = ENERGIES.index(protocol.energy)
    coupling = 0 if protocol.coupling == "centre" else 1
    thr = data.thr
    H = np.stack([fields(W[a], data.X) for a in range(y)])
    E = np.zeros(y)
    nerr = np.zeros(y, dtype=np.int64)
    for a in range(y):
        E[a], nerr[a] = energy_of_fields(H[a], thr, kind)
    track = y > 1
    C = np.where(W.sum(0) >= 0, 1.0, -1.0) if track else W[0].copy()
    HC = fields(C, data.X)
    trace = np.full((y, protocol.sweeps), np.nan)
    done, found, att, acc, errc = replicated_mc(data.X, thr, W, H, E, nerr, C, HC, state,
                                                np.asarray(protocol.temperature), np.asarray(protocol.gamma),
                                                kind, coupling, track, bool(protocol.stop_at_solution), trace)
    if found == y:
        Wsol, err = C.copy(), 0
    elif found >= 0:
        Wsol, err = W[found].copy(), 0
    else:                                     # no stop: the best of the replicas and the centre
        a = int(np.argmin(nerr))
        Wsol, err = W[a].copy(), int(nerr[a])
        if track and errc < err:
            Wsol, err, found = C.copy(), int(errc), y
    success = err == 0
    by = "none" if not success else ("centre" if found == y else "replica")
    return RunResult(W=Wsol, success=bool(success), sweeps=int(done), time=int(done) * y, found_by=by,
                     errors=int(err), trace=trace, acceptance=acc / max(att, 1), replicas=W)
