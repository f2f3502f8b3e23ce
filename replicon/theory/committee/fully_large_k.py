"""Gibbs learning of the FULLY CONNECTED sign committee machine with K -> infinity hidden units: RS theory at T >= 0.

Architecture (Schwarze & Hertz, Europhys. Lett. 21, 785 (1993); Schwarze, J. Phys. A 26, 5781
(1993); Engel & Van den Broeck, *Statistical Mechanics of Learning* (2001), ch. 12): K hidden
units, each sees all N inputs, ``tau_k = sign(J_k . xi / sqrt N)``, output
``sign(sum_k tau_k)``; every hidden weight vector on its own sphere ``|J_k|^2 = N``; a teacher
``B`` of the same architecture (random, so ``B_k . B_l / N = delta_kl``); Gibbs measure
``exp(-E/T)`` over the number ``E`` of training errors (T = 0: uniform on the version space).

The equations below are DERIVED here (the papers' texts could not be retrieved in the session that
wrote this module; nothing is copied from them). They are checked against the Bayes-optimal large-K
module at T = 0 (Nishimori line), against an analytic high-temperature limit, against a Monte
Carlo of the K = 25, 51 output channel, and the leading-order elimination of the uniform direction
against a finite-K saddle point that keeps its O(1) entropic terms
(tests/theory/committee/test_fully_large_k.py).

**Scaling.** ``alpha_tilde = P / (K N)``: examples per first-layer weight (the committee has K N
weights). The specialisation transition is at alpha_tilde = O(1), i.e. P = O(K N); at P = O(N)
(alpha_tilde = O(1/K)) only the average-teacher direction is learnt (see ``bayes_large_k``).

**Order parameters** (permutation-symmetric RS ansatz, K x K matrices)::

    student-teacher   R_kl  = J_k . B_l / N    = R_d delta_kl + R_a / K
    student-student   q_kl  = J_k^a . J_l^b / N = q_d delta_kl + q_a / K     (replicas a != b)
    self-overlap      C_kl  = J_k^a . J_l^a / N = delta_kl + (1 - delta_kl) c_a / K

The diagonal parts R_d, q_d are O(1) (specialisation: each student unit aligned with "its" teacher
unit); the uniform parts R_a, q_a, c_a are O(1) but enter the matrices at O(1/K) per entry: they are
the overlaps of the uniform ("average") vectors ``u = K^{-1/2} sum_k J_k``: ``|u^a|^2/N = 1 + c_a
=: L``, ``u^a . u^0 / N = R_d + R_a =: m``, ``u^a . u^b / N = q_d + q_a =: s``.

**Output channel** (central limit theorem, as in ``bayes_large_k``): the vote sums
``S = K^{-1/2} sum_k sign(h_k)`` of the teacher and of the student replicas become jointly Gaussian
with ``Var S^0 = 1``, ``Var S^a = V``, ``Cov(S^a, S^0) = rho_R``, ``Cov(S^a, S^b) = rho_q``, from the
arcsine kernel ``E sign(x) sign(y) = (2/pi) arcsin(corr)`` summed over the K^2 unit pairs::

    V = 1 + (2/pi) c_a,   rho_R = (2/pi)(arcsin R_d + R_a),   rho_q = (2/pi)(arcsin q_d + q_a)

(+ O(1/K)). The outputs are the signs, so the energetic term is exactly the spherical perceptron's
(``perceptron.teacher_energetic``, temperature included) at the normalised effective overlaps

    R_eff = rho_R / sqrt(V),   q_eff = rho_q / V,      eps_g = arccos(R_eff) / pi.

**Entropic term.** The conditional Gram matrices (given the teacher) of one replica,
``A = C - R R^T``, and of two, ``B = q - R R^T``, commute (all are ``x_d I + (x_a/K) 1 1^T``), and
the spherical entropy ``1/2 [ln det(A - B) + tr (A - B)^{-1} B]`` (per N) splits into the K - 1
directions orthogonal to 1 and the uniform one::

    (K - 1)/2 [ln(1 - q_d) + (q_d - R_d^2)/(1 - q_d)]  +  O(1)   (c_a, and the uniform direction).

Per weight (divided by K) only the first term survives: ``G_S^sph(q_d, R_d)`` of the perceptron. The
energetic term is ``alpha G_E = K alpha_tilde G_E``, also O(K). Hence, at leading order in K, the
uniform parameters (m, s, L) have no entropic cost and are fixed by the energetic term alone:
the uniform direction sees K alpha_tilde -> infinity examples per component and is learnt
perfectly (normalised overlaps ``m / sqrt L = s / L = 1``: ``R_a = sqrt(L) - R_d``,
``q_a = L - q_d``), while its squared length ``L = 1 + c_a`` (how strongly the student's hidden
units are correlated) maximises the energetic term (``L`` is a one-replica quantity, like the
norm of a perceptron, here without a constraint). The free entropy per (N K) is

    phi = extr_{q_d, R_d} [ G_S^sph(q_d, R_d) + alpha_tilde max_L G_E^perc(q_eff, R_eff; T) ],
    R_eff = (2/pi)(arcsin R_d - R_d + sqrt L) / sqrt(V),   q_eff = (2/pi)(arcsin q_d - q_d + L) / V,
    V = 1 + (2/pi)(L - 1),

solved as the perceptron's map ``(q_d, R_d) -> (q_hat, R_hat) -> (q_d, R_d)`` with
``R_hat = alpha_tilde dG_E/dR_d``, ``q_hat = -2 alpha_tilde dG_E/dq_d`` (chain rule through
``dR_eff/dR_d = (2/pi)(1/sqrt(1 - R_d^2) - 1)/sqrt V``, ``dq_eff/dq_d = (2/pi)(1/sqrt(1-q_d^2) - 1)/V``;
by the envelope theorem the L-dependence needs no extra term).

Consequences (derived here):

* **T = 0.** On the Nishimori line (Gibbs = Bayes posterior sample; R = q and C = I, i.e.
  R_d = q_d, c_a = 0, L = 1) ``R_eff = q_eff = Q = (2/pi)(arcsin q_d + 1 - q_d)`` and the equations
  coincide with the Gaussian-prior Bayes-optimal large-K committee
  (:func:`replicon.theory.committee.bayes_large_k.bayes_large_k`); L = 1 is stationary there because
  ``dG/dR + 2 dG/dq = 0`` on the line. As for ``perceptron.teacher`` the T = 0 equations are solved on
  that line.
* **Permutation-symmetric branch** (``R_d = q_d = 0``): an exact fixed point for every alpha_tilde
  and T (the map is O(x^2) near it, so it never loses stability). Its L*(T) maximises
  ``G_E`` at ``R_eff = (2/pi) sqrt(L/V)``, ``q_eff = (2/pi) L / V`` and does not depend on
  alpha_tilde: a plateau ``eps_g(T)`` that falls from ``arccos(2/pi)/pi = 0.2803`` (T = 0, L = 1)
  towards ``arccos(sqrt(2/pi))/pi = 0.2059`` (T -> infinity, L* ~ 8 T^2), the error of the
  Bayes-optimal prediction of the unspecialised state, which no student can beat. At T > 0 the
  Gibbs student's hidden units are positively correlated (c_a = L - 1 > 0), growing towards a
  common-mode perceptron along the average teacher direction.
* **High temperature**, ``T -> infinity`` at ``lambda = alpha_tilde / T`` fixed: ``G_E -> -eps(R_eff)/T``,
  ``q_d = R_d^2``, and the L-maximisation is explicit, ``sqrt(L) = (1 - 2/pi)/a`` with
  ``a = (2/pi)(arcsin R_d - R_d)``, giving ``R_eff^2 = 2/pi + a^2/(1 - 2/pi)``; so
  ``phi = max_{R_d} [ 1/2 ln(1 - R_d^2) - lambda arccos(R_eff(R_d))/pi ]`` (tested).
* **Specialised branch**: born at a saddle-node (spinodal) with an unstable partner, thermodynamic
  beyond a first-order transition (:func:`gibbs_fully_large_k_transition`).

**Ising weights** (``weights="ising"``: every ``J_k`` in {-1, +1}^N, the teacher's too; derived here,
no published large-K Ising result was compared). What changes is only the entropic term:

* The output channel is unchanged: the hidden fields ``J_k . xi / sqrt N`` are Gaussian (CLT over the N
  inputs) with the same covariances, ``C_kk = 1`` holds automatically, and the arcsine kernel, ``V``,
  ``R_eff``, ``q_eff`` and ``G_E`` are those above.
* The entropic term is a sum over inputs i of the log-partition function of the K spins
  ``J_i1 .. J_iK`` (times the replicas). The diagonal conjugates ``q_hat_d I``, ``R_hat_d I`` act on each
  spin separately: K independent Ising-perceptron terms, ``K G_S^ising(q_d, R_d; q_hat_d, R_hat_d)`` with
  ``G_S^ising = -R_d R_hat_d - q_hat_d (1 - q_d)/2 + E_z ln 2 cosh(sqrt(q_hat_d) z + R_hat_d)``
  (``perceptron.ising_entropy``; the prior step is ``perceptron.ising_prior``). The uniform conjugates
  couple the spins only through ``M_i = K^{-1/2} sum_k J_ik`` (the component of the average vector u),
  an O(1) variable that is asymptotically Gaussian: moving its law by O(1) (its mean to ``sqrt(L) u^0_i``,
  its variance, i.e. L = 1 + c_a) tilts each spin by a field O(K^{-1/2}), relative entropy O(1/K) per
  spin, O(1) per input; pinning M_i to the teacher's (the uniform direction learnt to precision
  ``1/sqrt(K alpha_tilde)``) costs ``O(ln K)`` per input, as the ``1/2 ln(1 - s)`` of the spherical case.
  One replica, explicitly: the entropy of K spins per input with ``J_k . B_k / N = R_d`` falls short of
  ``K s_ising(R_d)``, once ``|u|^2/N = L`` and ``u . u^0 / N = m`` are imposed, by the Gaussian relative
  entropy ``D = 1/2 [(L - m^2 + (m - R_d)^2)/(1 - R_d^2) - 1 - ln((L - m^2)/(1 - R_d^2))] + O(1/K)``
  (u given u^0 is N(R_d u^0, 1 - R_d^2) at large K); tested against exact enumeration over the spin
  sums at K = 25, 50, 100 (the approach needs ``K (1 - R_d) >> 1``: at R_d = 0.9 it is still slow at
  K = 200).
  All o(K): per weight (divided by K) they vanish, as for spherical weights, as long as ``R_d < 1`` (the
  spins are not frozen). So the "average teacher learnt perfectly" elimination and the maximisation over
  L carry over unchanged, and

      phi_ising = extr [ G_S^ising(q_d, R_d; q_hat_d, R_hat_d) + alpha_tilde max_L G_E^perc(q_eff, R_eff; T) ]

  with the same conjugates ``R_hat_d = alpha_tilde dG_E/dR_d``, ``q_hat_d = -2 alpha_tilde dG_E/dq_d``
  (T = 0: on the Nishimori line, ``q_hat_d = R_hat_d``). Normalisation: per weight, the log of the
  number of configurations (``ln 2`` with no data).
* **Perfect state** ``R_d = q_d = 1``: each student unit equals its teacher unit (up to the permutation
  of the units); then ``u = u^0``, L = 1 and ``c_a = 0`` are forced, ``R_eff = q_eff = 1``, no training
  error, one configuration: free entropy exactly 0 at every alpha_tilde and T, with infinite
  conjugates (as the Ising perceptron's perfect state, ``perceptron._perfect_solution``). It is a
  branch of its own (``branch="perfect"``); numerical roots within 1e-10 of it are not reported.
* **Permutation-symmetric branch**: ``phi_PS = ln 2 + alpha_tilde G_E^PS(T)`` (same L*(T), same plateau
  eps_g(T)); its map is O(x^2) at 0 (ising_prior is (q_hat + R_hat^2, R_hat) at small conjugates), so
  it never ends: no spinodal. The specialised fixed points found between it and the perfect state are
  repelling (the separatrix; at small T > 0 also a few repelling roots with q_d > R_d near the perfect
  state); no attracting partially specialised branch was found (T = 0 is the complete 1-D scan; at
  T > 0 a search, checked at T in [0.2, 2], and the closed-form high-T limit below has only the two
  maxima R_d = 0 and R_d = 1). Hence a first-order transition PS -> perfect where ``phi_PS`` crosses 0:
  ``alpha_spec(T) = ln 2 / (-G_E^PS(T))``; eps_g jumps from the plateau to 0.
* **T = 0, Nishimori line**: Gibbs = Bayes posterior with the binary prior. ``G_S^ising`` at
  ``q = R``, ``q_hat = R_hat = r`` is ``-r q/2 - r/2 + E ln 2 cosh(r + sqrt(r) z)``, which is
  ``psi_1^binary(r) - r q/2 + ln 2`` of ``bayes_large_k`` (whose prior term is normalised by the
  uniform measure, ``E ln cosh - r/2``), and ``G_E(Q, Q; 0) = Psi_1(Q)``. So, branch by branch,
  ``phi_gibbs_ising = phi_bayes_binary + ln 2`` (version-space entropy per weight = log-evidence per
  weight + ln 2; the perfect state: 0 = -ln 2 + ln 2), and ``alpha_spec(0) = ln 2 / (-Psi_1(2/pi)) =
  1.6176 = alpha_IT`` of ``large_k_transitions(prior="binary")``. (This check is not independent of the
  elimination of the uniform direction, which both modules make; it checks the Ising entropic term,
  the root scan and the free-entropy bookkeeping.)
* **High temperature** (``lambda = alpha_tilde / T`` fixed): ``-T G_E^PS -> arccos(sqrt(2/pi))/pi``, so
  ``alpha_spec / T -> ln 2 / (arccos(sqrt(2/pi))/pi) = 3.3647`` (corrections ~ 1/T^2).

Values (this module)::

    T              0        0.2      0.5      1        2        5       10
    alpha_spec     1.6176   1.6422   2.1606   3.6102   6.8539   16.877  33.680
    eps_g_ps       0.2803   0.2773   0.2448   0.2193   0.2096   0.2066  0.2061

Range of validity as above (K >> c_a). The o(K) terms of the uniform direction are negligible only
while K times the entropy per weight left in the K - 1 orthogonal directions is large; close to R_d = 1
(the separatrix lies at R_d ~ 0.95 near the transition) this needs larger K, not quantified here. Not
done: the replica (two-student, q_d, s) version of the finite-K check above; the T = 0 agreement with
``bayes_large_k`` does not test the elimination, since that module makes the same one.

Literature: only the abstracts of Schwarze & Hertz's large-K fully connected papers were retrievable
(NIPS 6, "Discontinuous generalization in large committee machines", 1994; Europhys. Lett. 21, 785):
eps_g tends to a finite value when P is proportional to N, and first-order transitions with a
discontinuous drop of eps_g occur when P is proportional to the number of weights K N. Both agree
qualitatively with the plateau and the specialisation transition here; no number was compared.

Range of validity: K -> infinity at fixed T. On the permutation-symmetric branch c_a grows like
~8 T^2 (numerically: 7.3 at T = 1, 200 at T = 5), so a finite committee is in this regime only for
K >> c_a (the expansion assumes off-diagonal self-overlaps c_a/K << 1).

Not included: the replicon (AT) eigenvalue (RS stability is not computed: ``stable`` is None),
corrections in 1/K, the O(1/K) layer alpha = P/N = O(1).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from ..._util import ParamError, check_choice, check_number
from .. import engine
from ..channels import nishimori_energetic, teacher_energetic
from ..priors import ising_entropy, ising_prior, spherical_entropy, spherical_prior
from ..perceptron import C0_NISHIMORI, U_MIN, complement_prior, polish_relative
from ..solution import ConvergenceError, Solution, select_thermodynamic

NAME = "committee.gibbs_fully_largek"
WEIGHTS = ("spherical", "ising")
LN2 = math.log(2.0)
_Q_PERFECT = 1.0 - 1e-10                    # Ising: a numerical root this close to q_d = 1 is the perfect state
TWO_OVER_PI = 2.0 / math.pi
U_SCAN = np.linspace(-11.0, 25.0, 289)     # logit(q_d) grid of the T = 0 root scan
_L_MAX_LOG = 600.0                          # ln L bound of the inner maximisation (L* ~ 8 T^2: T < 1e130)


def _excess(x):
    """(2/pi)(arcsin x - x): the specialised part of the arcsine kernel beyond its linear term."""
    return TWO_OVER_PI * (math.asin(x) - x)


def effective_overlaps(q_d, R_d, L=1.0):
    """``(q_eff, R_eff, V)`` of the committee outputs (module docstring), uniform direction learnt perfectly."""
    V = 1.0 + TWO_OVER_PI * (L - 1.0)
    q_eff = (_excess(q_d) + TWO_OVER_PI * L) / V
    R_eff = (_excess(R_d) + TWO_OVER_PI * math.sqrt(L)) / math.sqrt(V)
    return q_eff, R_eff, V


def channel_overlaps(R_d, R_a, q_d, q_a, c_a):
    """General effective overlaps ``(q_eff, R_eff)`` from all five order parameters (no constraint imposed).

    ``R_eff = (2/pi)(arcsin R_d + R_a)/sqrt(1 + (2/pi) c_a)``, ``q_eff = (2/pi)(arcsin q_d + q_a)/(1 + (2/pi) c_a)``.
    """
    V = 1.0 + TWO_OVER_PI * c_a
    return TWO_OVER_PI * (math.asin(q_d) + q_a) / V, TWO_OVER_PI * (math.asin(R_d) + R_a) / math.sqrt(V)


def nishimori_overlap(q_d):
    """``Q = (2/pi)(arcsin q_d + 1 - q_d)`` and ``1 - Q = (2/pi)(arccos q_d - (1 - q_d))`` (accurate near 1)."""
    one_minus = TWO_OVER_PI * (math.acos(q_d) - (1.0 - q_d))
    return 1.0 - one_minus, one_minus


class _Fully:
    """Leading-order RS equations at one (alpha_tilde, T): a map on (q_d, R_d) (T > 0) or q_d (T = 0)."""

    def __init__(self, alpha_tilde, T, weights="spherical"):
        self.alpha_tilde = float(alpha_tilde)
        self.T = float(T)
        self.weights = weights
        self.prior = spherical_prior if weights == "spherical" else ising_prior
        self._u = math.log1p(8.0 * min(self.T, 1e100) ** 2)   # warm start of ln L (L* ~ 1 + 8 T^2 on the PS branch)

    @property
    def nishimori(self):
        return self.T == 0

    # --- the inner maximisation over L = 1 + c_a (T > 0) -------------------------------------
    def _dG_dlogL(self, q_d, R_d, u):
        L = math.exp(u)
        qe, Re, V = effective_overlaps(q_d, R_d, L)
        e = teacher_energetic(qe, Re, self.T)
        dq_dL = TWO_OVER_PI / V * (1.0 - qe)
        dR_dL = TWO_OVER_PI / (2.0 * math.sqrt(V)) * (1.0 / math.sqrt(L) - Re / math.sqrt(V))
        return L * (e["dq"] * dq_dL + e["dR"] * dR_dL)

    def best_L(self, q_d, R_d):
        """``L* = argmax_L G_E``: root of dG_E/d ln L (positive at small L, negative at large L for T > 0).

        At the permutation-symmetric point and T >= 100 the maximum is too flat for a root in double
        precision (dG_E/d ln L ~ 1/(T^2 L)); there ``L* = 8 T^2 + 0.255327 + 0.066/T^2``: the 8 T^2 from
        balancing the O(1/T) error term (R_eff -> sqrt(2/pi)) against the O(1/T^2) overlap term (q_eff -> 1,
        arcsin'(q_eff) ~ sqrt(L)), derived here; the constants fitted to the root at T = 3 .. 300."""
        if self.nishimori:
            return 1.0
        if self.T > 1e150:
            raise ConvergenceError(f"T={self.T:g} > 1e150: the hidden units' correlation L* ~ 8 T^2 overflows")
        if q_d == 0.0 and R_d == 0.0 and self.T >= 100.0:
            return 8.0 * self.T * self.T + 0.255327 + 0.066 / (self.T * self.T)
        f = lambda u: self._dG_dlogL(q_d, R_d, u)      # noqa: E731
        lo = hi = self._u
        flo = fhi = f(lo)
        step = 0.5
        if flo > 0:
            while fhi > 0:
                lo, flo, hi = hi, fhi, hi + step
                step *= 2
                if hi > _L_MAX_LOG:
                    raise ConvergenceError(f"dG_E/dL > 0 up to L = e^{_L_MAX_LOG:g} (T = {self.T:g})")
                fhi = f(hi)
        else:
            while flo <= 0:
                hi, fhi, lo = lo, flo, lo - step
                step *= 2
                if lo < -_L_MAX_LOG:
                    raise ConvergenceError(f"dG_E/dL < 0 down to L = e^-{_L_MAX_LOG:g} (T = {self.T:g})")
                flo = f(lo)
        u = brentq(f, lo, hi, xtol=1e-13, rtol=1e-14)
        self._u = u
        return math.exp(u)

    # --- channel, conjugates, map ---------------------------------------------------------------
    def channel(self, q_d, R_d):
        L = self.best_L(q_d, R_d)
        if self.nishimori:
            Q, _ = nishimori_overlap(q_d)
            qe = Re = Q
            V = 1.0
        else:
            qe, Re, V = effective_overlaps(q_d, R_d, L)
        return L, qe, Re, V, teacher_energetic(qe, Re, self.T)

    def conjugates(self, q_d, R_d):
        L, qe, Re, V, e = self.channel(q_d, R_d)
        dR = TWO_OVER_PI * (1.0 / math.sqrt((1.0 - R_d) * (1.0 + R_d)) - 1.0) / math.sqrt(V)
        R_hat = self.alpha_tilde * e["dR"] * dR
        if self.nishimori:
            q_hat = R_hat
        else:
            dq = TWO_OVER_PI * (1.0 / math.sqrt((1.0 - q_d) * (1.0 + q_d)) - 1.0) / V
            q_hat = -2.0 * self.alpha_tilde * e["dq"] * dq
        return q_hat, R_hat, L, qe, Re, e

    def _qR(self, x):
        q_d = float(x[0])
        R_d = q_d if self.nishimori else float(x[1])
        if R_d * R_d >= q_d:                       # an accelerated step may leave q_d >= R_d^2
            R_d = math.sqrt(q_d) * (1.0 - 1e-12)
        return q_d, R_d

    def update(self, x):
        q_d, R_d = self._qR(x)
        if q_d >= 1.0 - 1e-13:
            return np.array(x, float)
        q_hat, R_hat, *_ = self.conjugates(q_d, R_d)
        qn, Rn = self.prior(max(q_hat, 0.0), R_hat)
        return np.array([Rn]) if self.nishimori else np.array([qn, Rn])

    def evaluate(self, x):
        """Order parameters, free entropy phi (per N K) and training error at a fixed point."""
        q_d, R_d = self._qR(x)
        q_hat, R_hat, L, qe, Re, e = self.conjugates(q_d, R_d)
        if self.weights == "spherical":
            g_s = spherical_entropy(q_d, R_d)
        else:
            g_s = ising_entropy(q_d, R_d, max(q_hat, 0.0), R_hat)
        phi = g_s + self.alpha_tilde * float(e["G"])
        order = {"q_d": q_d, "q_a": L - q_d, "R_d": R_d, "R_a": math.sqrt(L) - R_d, "c_a": L - 1.0,
                 "q_eff": qe, "R_eff": Re, "q_hat_d": q_hat, "R_hat_d": R_hat}
        return order, phi, float(e["eps_t"])

    def free_entropy(self, x):
        return self.evaluate(x)[1]

    def problem(self):
        if self.nishimori:
            return engine.FixedPointProblem(("q_d",), self.update, np.array([0.0]), np.array([1.0]),
                                            free_entropy=self.free_entropy, transforms=("logit",))
        return engine.FixedPointProblem(("q_d", "R_d"), self.update, np.array([0.0, 0.0]), np.array([1.0, 1.0]),
                                        free_entropy=self.free_entropy, transforms=("logit", "logit"))


A_SPEC_BOUND = 50.0      # alpha_tilde > A_SPEC_BOUND (1 + T): the specialised branch must be thermodynamic
A_COMPLEMENT = 300.0     # T = 0, spherical: from here on the Nishimori map is solved in delta = 1 - q_d
_Q_NISHIMORI_Y = 1e-4    # 1 - Q below this: the channel from channels.nishimori_energetic (exact as Q -> 1)


def _arccos_near_one(d):
    """arccos(1 - d) = 2 arcsin(sqrt(d/2)), accurate for small d."""
    return 2.0 * math.asin(math.sqrt(0.5 * d))


class FullyComplement(_Fully):
    """T = 0, spherical weights, large alpha_tilde: the Nishimori map in ``delta = 1 - q_d``.

    The specialised branch has ``1 - q_d ~ (2.9/alpha_tilde)^4`` (2e-12 at alpha_tilde = 3000, 1e-31 at
    1e8), which q_d cannot represent. Everything is computed from delta: ``1 - Q = (2/pi)(arccos(1 - delta)
    - delta)``, the channel from ``1 - Q`` (``channels.nishimori_energetic``), the chain factor
    ``dQ/dq_d = (2/pi)(1/sqrt(delta (2 - delta)) - 1)``, and the prior step returns ``1 - q = 2/(1 +
    sqrt(1 + 4 a))``, ``a = q_hat + R_hat^2``. The coordinate is logit(delta), floor U_MIN (delta ~ 1e-304).
    Roots ``x = (delta,)``; ``evaluate`` reports q_d = 1 - delta (rounded) and the errors from delta.
    """

    def __init__(self, alpha_tilde):
        super().__init__(alpha_tilde, 0.0, "spherical")

    @staticmethod
    def one_minus_Q(delta):
        return TWO_OVER_PI * (_arccos_near_one(delta) - delta)

    def _channel(self, delta):
        dQ = self.one_minus_Q(delta)
        if dQ < _Q_NISHIMORI_Y:
            e = nishimori_energetic(dQ)
        else:
            Q = 1.0 - dQ
            e = teacher_energetic(Q, Q, 0.0)
        return dQ, e

    def conjugates_c(self, delta):
        dQ, e = self._channel(delta)
        chain = TWO_OVER_PI * (1.0 / math.sqrt(delta * (2.0 - delta)) - 1.0)
        r_hat = self.alpha_tilde * e["dR"] * chain
        return r_hat, dQ, e

    def update(self, x):
        delta = float(x[0])
        if not 0.0 < delta < 1.0:
            return np.array(x, float)
        r_hat, _, _ = self.conjugates_c(delta)
        return np.array([complement_prior(r_hat)])            # q_hat = R_hat on the Nishimori line

    def quarter(self):
        """``(1 - q_d)^(1/4)`` of the large-alpha_tilde asymptote, ``2/(alpha_tilde C0 sqrt(2/pi) 2^(1/4))``:
        1 - Q ~ (2/pi) sqrt(2 delta) and G_E ~ -C0 sqrt(1 - Q) make ``1/2 ln delta - alpha_tilde C0 sqrt(1-Q)``
        stationary there (``alpha_tilde G_E = -2``)."""
        return 2.0 / (self.alpha_tilde * C0_NISHIMORI * math.sqrt(TWO_OVER_PI) * 2.0 ** 0.25)

    def guess(self):
        return self.quarter() ** 4

    def asymptotic(self):
        """``evaluate``'s tuple where 1 - q_d underflows (alpha_tilde > 1e70), from the asymptote (exact there:
        relative corrections 7.5/alpha_tilde^2)."""
        d4 = self.quarter()
        phi = 2.0 * math.log(d4) + 0.5 - 2.0
        order = {"q_d": 1.0, "q_a": 0.0, "R_d": 1.0, "R_a": 0.0, "c_a": 0.0, "q_eff": 1.0, "R_eff": 1.0,
                 "q_hat_d": math.inf, "R_hat_d": math.inf,
                 "_eps_g": 2.0 * math.sqrt(2.0) / (math.pi * C0_NISHIMORI * self.alpha_tilde),
                 "_eps_hidden": math.sqrt(2.0) * d4 * d4 / math.pi, "one_minus_q_d": 0.0}
        return order, phi, 0.0

    def evaluate(self, x):
        delta = float(x[0])
        if delta == 0.0:
            return self.asymptotic()
        r_hat, dQ, e = self.conjugates_c(delta)
        q_d = 1.0 - delta
        phi = 0.5 * math.log(delta) + 0.5 * q_d + self.alpha_tilde * float(e["G"])   # G_S^sph on R = q
        order = {"q_d": q_d, "q_a": delta, "R_d": q_d, "R_a": delta, "c_a": 0.0,
                 "q_eff": 1.0 - dQ, "R_eff": 1.0 - dQ, "q_hat_d": r_hat, "R_hat_d": r_hat,
                 "_eps_g": _arccos_near_one(dQ) / math.pi, "_eps_hidden": _arccos_near_one(delta) / math.pi,
                 "one_minus_q_d": delta}
        return order, phi, 0.0

    def problem(self):
        return engine.FixedPointProblem(("one_minus_q_d",), self.update, np.array([0.0]), np.array([1.0]),
                                        free_entropy=self.free_entropy, transforms=("logit",), u_min=U_MIN)

    def scan_grid(self):
        """logit(delta) grid: from below the asymptotic specialised root up to delta = 1 - 1.7e-5."""
        u_lo = 4.0 * math.log(2.92 / self.alpha_tilde) - 12.0
        return np.linspace(u_lo, 11.0, int(8 * (11.0 - u_lo)) + 1)


def model_at(alpha_tilde, T, weights="spherical", complement=True):
    """The RS map at one point: ``FullyComplement`` (coordinate 1 - q_d) at T = 0, spherical weights and
    alpha_tilde >= A_COMPLEMENT (if ``complement``), else ``_Fully`` (coordinates q_d, R_d)."""
    if complement and T == 0 and weights == "spherical" and alpha_tilde >= A_COMPLEMENT:
        return FullyComplement(alpha_tilde)
    return _Fully(alpha_tilde, T, weights)


def _check(alpha_tilde, T, weights="spherical"):
    alpha_tilde = check_number("alpha_tilde", alpha_tilde, lo=0.0)
    T = check_number("T", T, lo=0.0)
    if not (math.isfinite(alpha_tilde) and math.isfinite(T)):
        raise ParamError("alpha_tilde and T must be finite")
    return alpha_tilde, T, check_choice("weights", weights, WEIGHTS)


def _params(base, weights):
    """Parameters as reported: ``weights`` only when it is not the default (spherical results unchanged)."""
    return base if weights == "spherical" else {**base, "weights": weights}


# -------------------------------------------------------------------------------------------------
# fixed points
# -------------------------------------------------------------------------------------------------

def _scan_nishimori(model, tol):
    """T = 0: all roots 0 < q_d < 1 of the 1-D map, bracketed on a logit grid (sign changes of
    ``logit F(q_d) - logit q_d`` and refined interior extrema, for two roots closer than the grid),
    each confirmed by the engine's Newton step. Unconverged roots are dropped. For the complement
    model (large alpha_tilde) the grid is in logit(1 - q_d) and reaches the specialised root."""
    grid = model.scan_grid() if isinstance(model, FullyComplement) else U_SCAN
    return engine.roots_1d(model.problem(), grid, tol)


# Newton starts for T > 0 along q_d = R_d^(1 + T/(1+T)) (between the T = 0 line q = R and the
# high-temperature q = R^2), R_d from 0.05 to 1 - 1e-6; Newton converges to saddles and minima alike.
_R_STARTS = 1.0 - np.geomspace(0.95, 1e-6, 18)


_U_CURVE = np.linspace(-3.0, 14.0, 52)       # logit(R_d) grid of the T > 0 pre-scan


def _curve_starts(model, p):
    """Approximate roots: sign changes of ``logit F_R - logit R_d`` along the curve q_d = R_d^p."""
    u = _U_CURVE
    R = 1.0 / (1.0 + np.exp(-u))
    g = []
    for Ri in R:
        with np.errstate(all="ignore"):
            Fr = model.update(np.array([Ri ** p, Ri]))[1]
            g.append(math.log(Fr) - math.log1p(-Fr) if 0 < Fr < 1 else math.nan)
    g = np.array(g) - u
    out = []
    for i in np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0):
        Rm = 1.0 / (1.0 + math.exp(-0.5 * (u[i] + u[i + 1])))
        out.append(np.array([Rm ** p, Rm]))
    return out


def _roots_finite_T(model, tol, extra=()):
    prob = model.problem()
    p = 1.0 + model.T / (1.0 + model.T)
    inits = [np.asarray(x, float) for x in extra]
    for pc in (1.0, p, 2.0):
        inits += _curve_starts(model, pc)
    inits += [np.array([R ** p, R]) for R in _R_STARTS]
    found = []
    for x0 in inits:
        try:
            r = engine.step_to(prob, prob.clip(x0), tol=tol)
        except ConvergenceError:
            continue
        if model.weights == "ising" and r.converged and r.x[0] > _Q_PERFECT:
            continue                               # the (exact) perfect state, reached numerically
        if r.converged and r.x[1] > 1e-6 and all(np.max(np.abs(r.x - s.x)) > 1e-7 for s in found):
            found.append(r)
    return found


def specialised_roots(alpha_tilde, T=0.0, tol=1e-11, extra=(), weights="spherical", complement=False):
    """All specialised fixed points (q_d, R_d > 0) found at one point: a list of ``(engine.Root, attracting)``.

    T = 0: a complete 1-D scan on the Nishimori line. T > 0: Newton (engine.step_to) from ``extra``
    starts, from the sign changes of the R_d-residual along the curves q_d = R_d^p (p = 1,
    1 + T/(1+T), 2) and from a fixed family of starts; converged distinct roots only. At T > 0 this
    is a search, not a proof of completeness: the attracting specialised root and its unstable partner
    are found in the tested range (T <= 1, alpha_tilde <= 100); further repelling roots near the
    permutation-symmetric point may appear (e.g. two at T = 0.2, alpha_tilde = 16) and are reported
    as unstable. ``attracting`` is the spectral radius
    test of the plain iteration (engine.attracting): repelling roots are the unstable partners.
    Ising weights: roots with q_d > 1 - 1e-10 are the exact perfect state reached numerically and are
    not returned (the perfect state is a branch of its own, :func:`perfect_state`).
    ``complement=True``: at T = 0 (spherical) and alpha_tilde >= A_COMPLEMENT the roots are those of
    :class:`FullyComplement`, ``x = (1 - q_d,)`` (:func:`model_at`); default: q_d coordinates.
    """
    alpha_tilde, T, weights = _check(alpha_tilde, T, weights)
    if alpha_tilde == 0:
        return []
    model = model_at(alpha_tilde, T, weights, complement)
    if isinstance(model, FullyComplement) and model.guess() < 1e-280:        # 1 - q_d underflows
        return [(engine.Root(np.array([0.0]), True, 0.0, 0, message="large-alpha_tilde asymptote",
                             extra={"spectral_radius": 0.0}), True)]
    roots = _scan_nishimori(model, tol) if model.nishimori else _roots_finite_T(model, tol, extra)
    if weights == "ising":
        roots = [r for r in roots if r.x[0] <= _Q_PERFECT]
    out = []
    for r in roots:
        if isinstance(model, FullyComplement):
            polish_relative(model, r, force=True)            # 1 - q_d to relative precision
        att, rho = engine.attracting(model.problem(), r.x)
        r.extra["spectral_radius"] = rho
        out.append((r, att))
    flip = isinstance(model, FullyComplement)                 # x = 1 - q_d: sort by R_d all the same
    out.sort(key=lambda t: -t[0].x[-1] if flip else t[0].x[-1])
    return out


# -------------------------------------------------------------------------------------------------
# solutions
# -------------------------------------------------------------------------------------------------

def _observables(order, phi, eps_t, alpha_tilde, T):
    obs = {k: order[k] for k in ("R_d", "R_a", "q_d", "q_a", "c_a", "R_eff", "q_eff")}
    eps_g, eps_hidden = order.pop("_eps_g", None), order.pop("_eps_hidden", None)   # from 1 - q (complement)
    obs["eps_g"] = math.acos(max(-1.0, min(1.0, order["R_eff"]))) / math.pi if eps_g is None else eps_g
    obs["eps_hidden"] = (math.acos(max(-1.0, min(1.0, order["R_d"]))) / math.pi if eps_hidden is None
                         else eps_hidden)
    if "one_minus_q_d" in order:
        obs["one_minus_q_d"] = order["one_minus_q_d"]
    obs["eps_t"] = eps_t
    obs["free_entropy"] = phi
    if T > 0:
        obs["entropy"] = phi + alpha_tilde * eps_t / T
        return obs, -T * phi
    obs["entropy"] = phi
    return obs, -phi


def _solution(params, model, x, root, branch, status):
    order, phi, eps_t = model.evaluate(x)
    obs, F = _observables(order, phi, eps_t, model.alpha_tilde, model.T)
    return Solution(model=NAME, params=params, order=order, observables=obs, free_energy=F, converged=True,
                    residual=root.residual, iterations=root.iterations, branch=branch, status=status)


def permutation_symmetric(alpha_tilde, T=0.0, weights="spherical"):
    """The exact permutation-symmetric fixed point R_d = q_d = 0 (R_a = sqrt(L*), q_a = c_a + 1 = L*(T)).

    Its free entropy is ``alpha_tilde G_E^PS(T)`` (spherical) or ``ln 2 + alpha_tilde G_E^PS(T)`` (Ising)."""
    alpha_tilde, T, weights = _check(alpha_tilde, T, weights)
    params = _params({"alpha_tilde": alpha_tilde, "T": T}, weights)
    model = _Fully(alpha_tilde, T, weights)
    x = np.zeros(1 if model.nishimori else 2)
    res = float(np.max(np.abs(model.update(x) - x)))          # exactly 0: the conjugates vanish at 0
    return _solution(params, model, x, engine.Root(x, True, res, 0), "permutation_symmetric", None)


def perfect_state(alpha_tilde, T=0.0):
    """Ising weights: the exact perfect state R_d = q_d = 1 (every student unit equals its teacher unit).

    Then c_a = 0 (the teacher's units are orthogonal), R_a = q_a = 0, R_eff = q_eff = 1, no training
    error, one configuration: free entropy, entropy and free energy exactly 0 at every alpha_tilde and
    T. It solves the RS equations with infinite conjugates (as the Ising perceptron's,
    ``perceptron._perfect_solution``)."""
    alpha_tilde, T, _ = _check(alpha_tilde, T, "ising")
    params = {"alpha_tilde": alpha_tilde, "T": T, "weights": "ising"}
    order = {"q_d": 1.0, "q_a": 0.0, "R_d": 1.0, "R_a": 0.0, "c_a": 0.0, "q_eff": 1.0, "R_eff": 1.0,
             "q_hat_d": math.inf, "R_hat_d": math.inf}
    obs = {k: order[k] for k in ("R_d", "R_a", "q_d", "q_a", "c_a", "R_eff", "q_eff")}
    obs.update(eps_g=0.0, eps_hidden=0.0, eps_t=0.0, free_entropy=0.0, entropy=0.0)
    return Solution(model=NAME, params=params, order=order, observables=obs, free_energy=0.0, converged=True,
                    residual=0.0, iterations=0, branch="perfect", message="exact state (infinite conjugates)")


def gibbs_fully_large_k(alpha_tilde=8.0, T=0.0, strict=False, weights="spherical"):
    """Gibbs learning of the fully connected sign committee, K -> infinity at alpha_tilde = P/(K N): all RS branches.

    Leading order in K, derived in the module docstring (Schwarze & Hertz, Europhys. Lett. 21, 785
    (1993) and Engel & Van den Broeck ch. 12 treat this model; their equations could not be checked here).
    Order parameters (module docstring): ``R = R_d I + (R_a/K) 1 1^T`` (student-teacher),
    ``q = q_d I + (q_a/K) 1 1^T`` (two students), ``C = I + (c_a/K)(1 1^T - I)`` (one student's units).

    Branches: ``permutation_symmetric`` (R_d = q_d = 0, exact at every alpha_tilde and T) and
    ``specialised`` (R_d > 0); specialised fixed points repelling the plain iteration are
    ``status="unstable"`` and never thermodynamic. The thermodynamic branch has the lowest free
    energy (``-T phi``; ``-phi`` at T = 0). Observables: ``R_d, R_a, q_d, q_a, c_a``, ``R_eff``,
    ``q_eff`` (output-level overlaps), ``eps_g = arccos(R_eff)/pi`` (committee output error),
    ``eps_hidden = arccos(R_d)/pi``, ``eps_t`` (training error per example), ``entropy`` and
    ``free_entropy`` per weight (per N K). ``alpha_tilde = 0`` is the no-data point (eps_g = 1/2), not
    the limit 0+ (where the average teacher is already learnt: eps_g = the plateau).

    ``weights="ising"`` (J_k in {-1, +1}^N; module docstring, "Ising weights"): the entropic term is the
    Ising perceptron's; the branches are ``permutation_symmetric`` (free entropy ``ln 2 +
    alpha_tilde G_E^PS(T)``), specialised fixed points (those found are repelling: ``unstable``) and
    the exact ``perfect`` state (R_d = q_d = 1, free entropy 0). Parameters then report ``weights``.
    """
    alpha_tilde, T, weights = _check(alpha_tilde, T, weights)
    params = _params({"alpha_tilde": alpha_tilde, "T": T}, weights)
    if alpha_tilde == 0:
        order = {"q_d": 0.0, "q_a": 0.0, "R_d": 0.0, "R_a": 0.0, "c_a": 0.0, "q_eff": 0.0, "R_eff": 0.0,
                 "q_hat_d": 0.0, "R_hat_d": 0.0}
        phi0 = 0.0 if weights == "spherical" else LN2
        obs, F = _observables(order, phi0, 0.5 if T > 0 else 0.0, 0.0, T)
        sol = Solution(model=NAME, params=params, order=order, observables=obs, free_energy=F,
                       branch="permutation_symmetric",
                       message="no data; the limit alpha_tilde -> 0+ has the average teacher learnt")
        return select_thermodynamic(NAME, params, [sol], strict)
    try:
        sols = [permutation_symmetric(alpha_tilde, T, weights)]
    except ConvergenceError as err:          # the inner maximisation over L (L* ~ 8 T^2) out of range
        if strict:
            raise
        return Solution.failed(NAME, params, f"permutation-symmetric branch not solved at T={T:g}: {err}")
    model = model_at(alpha_tilde, T, weights)
    found_stable = False
    for r, att in specialised_roots(alpha_tilde, T, weights=weights, complement=True):
        s = _solution(params, model, r.x, r, "specialised", None if att else "unstable")
        s.extra["spectral_radius"] = r.extra["spectral_radius"]
        sols.append(s)
        found_stable |= bool(att)
    if weights == "spherical" and not found_stable and alpha_tilde > A_SPEC_BOUND * (1.0 + T):
        # the specialised branch exists and is thermodynamic here (alpha_spec(T) < 23.3 (1 + T)); not
        # finding it means it lies beyond what q_d, R_d can resolve (1 - R_d ~ (c(T)/alpha_tilde)^4),
        # which happens at T > 0 (T = 0 is solved in 1 - q_d): never report the PS branch instead
        msg = (f"the specialised branch (thermodynamic for alpha_tilde > alpha_spec(T) ~ 23 (1 + T)) was not "
               f"resolved at alpha_tilde={alpha_tilde:g}, T={T:g}: 1 - R_d ~ alpha_tilde^-4 is below the "
               "double-precision range of the T > 0 equations; eps_g ~ c(T)/alpha_tilde there (T = 0: c = 1.2493)")
        if strict:
            raise ConvergenceError(msg)
        return Solution.failed(NAME, params, msg)
    if weights == "ising":
        sols.append(perfect_state(alpha_tilde, T))
    return select_thermodynamic(NAME, params, sols, strict)


# -------------------------------------------------------------------------------------------------
# transitions
# -------------------------------------------------------------------------------------------------

def _stable_root(alpha_tilde, T):
    roots = [r for r, att in specialised_roots(alpha_tilde, T) if att]
    return max(roots, key=lambda r: r.x[-1]) if roots else None


def _ising_transition(T, tol):
    """Ising weights: the first-order transition permutation-symmetric -> perfect (free entropy crossing 0)."""
    name = "committee.gibbs_fully_largek_transition"
    params = {"T": T, "weights": "ising"}
    ps1 = permutation_symmetric(1.0, T, "ising")
    g = ps1["free_entropy"] - LN2                  # G_E^PS(T) < 0: phi_ps(alpha) = ln 2 + alpha g
    if not g < 0:
        return Solution.failed(name, params, f"G_E of the permutation-symmetric branch is not negative ({g:g})")
    closed = LN2 / -g
    a_tr = engine.transition(lambda a: LN2 + a * g, 0.5 * closed, 2.0 * closed, xtol=tol)
    ps = permutation_symmetric(a_tr, T, "ising")
    roots = specialised_roots(a_tr, T, weights="ising")
    model = _Fully(a_tr, T, "ising")
    for r, att in roots:
        if att and model.free_entropy(r.x) > -1e-12:
            return Solution.failed(name, params, f"an attracting specialised branch (R_d = {r.x[-1]:.6g}) competes "
                                                 f"at alpha_tilde = {a_tr:g}: not a two-state transition")
    obs = {"alpha_spec": a_tr, "alpha_spec_closed_form": closed, "alpha_ps_spinodal": math.inf,
           "eps_g_ps": ps["eps_g"], "eps_g_spec": 0.0, "c_a_ps": ps["c_a"], "q_d_at_spec": 1.0,
           "R_d_at_spec": 1.0, "order": "first", "n_unstable_at_spec": len(roots)}
    if roots:
        sep = min((r for r, _ in roots), key=lambda r: r.x[-1])
        obs["R_d_separatrix_at_spec"] = float(sep.x[-1])
    return Solution(model=name, params=params, observables=obs, status="thermodynamic",
                    message="permutation-symmetric -> perfect: free-entropy crossing (engine.transition); "
                            "the permutation-symmetric branch never ends")


def gibbs_fully_large_k_transition(T=0.0, tol=1e-9, alpha_hi=None, weights="spherical"):
    """Specialisation transition and spinodal of the K -> infinity fully connected Gibbs committee, in alpha_tilde = P/(K N).

    * ``alpha_spinodal``: where the (attracting) specialised branch ends when followed down from
      ``alpha_hi`` (``engine.spinodal``; a saddle-node with its unstable partner).
    * ``alpha_spec``: first-order transition, where the specialised branch's free entropy crosses that
      of the permutation-symmetric branch (``engine.transition``); ``eps_g`` jumps there from the
      plateau ``eps_g_ps`` to ``eps_g_spec``.
    * ``alpha_ps_spinodal = inf``: the permutation-symmetric branch never ends (its map is O(x^2) at 0).

    ``alpha_hi`` (default ``12 (1 + T)``, doubled until the specialised branch exists and is
    thermodynamic there) is where the continuation starts.

    Values (this module; no published number could be checked)::

        T              0        0.2      0.5      1        2        5        10
        alpha_spec     7.6802   7.7534   10.715   20.364   42.569   111.78   228.07
        alpha_spinodal 7.1692   7.2332   9.7928   17.737   34.892   86.921   173.78
        eps_g_ps       0.2803   0.2773   0.2448   0.2193   0.2096   0.2066   0.2061

    T = 0 is the Gaussian-prior Bayes-optimal transition (``bayes_large_k``); at large T
    ``alpha_spec / T -> 23.306``, the crossing of the closed-form high-temperature free entropies.

    ``weights="ising"``: the thermodynamic state jumps from the permutation-symmetric branch to the exact
    perfect state (free entropy 0) at ``alpha_spec = ln 2 / (-G_E^PS(T))`` (``engine.transition`` on
    ``phi_PS(alpha) = ln 2 + alpha G_E^PS``; ``alpha_spec_closed_form`` the same ratio); eps_g jumps from
    ``eps_g_ps`` to 0. ``alpha_ps_spinodal = inf`` (the permutation-symmetric branch never ends) and the
    perfect state exists at every alpha_tilde, so no ``alpha_spinodal`` is reported. The specialised roots
    at ``alpha_spec`` are computed: if an attracting one competed (free entropy >= 0) the result is a
    failed Solution; ``R_d_separatrix_at_spec`` is the unstable (separatrix) root there. T = 0: 1.6176
    (the binary-prior Bayes alpha_IT); values for T > 0 in the module docstring.
    """
    T = check_number("T", T, lo=0.0)
    if not math.isfinite(T):
        raise ParamError("T must be finite")
    if check_choice("weights", weights, WEIGHTS) == "ising":
        return _ising_transition(T, tol)
    params = {"T": T}
    name = "committee.gibbs_fully_largek_transition"
    phi_ps = permutation_symmetric(1.0, T)["free_entropy"]     # phi_ps(alpha) = alpha * phi_ps(1)
    a_hi = 12.0 * (1.0 + T) if alpha_hi is None else check_number("alpha_hi", alpha_hi, lo=0.0, lo_open=True)
    make = lambda a: _Fully(a, T).problem()                    # noqa: E731
    for _ in range(6):
        r0 = _stable_root(a_hi, T)
        if r0 is not None and _Fully(a_hi, T).free_entropy(r0.x) > a_hi * phi_ps:
            break
        a_hi *= 2.0
    else:
        return Solution.failed(name, params, f"no thermodynamic specialised branch up to alpha_tilde={a_hi:g}")
    try:
        a_sp, x_sp = engine.spinodal(make, a_hi, r0.x, 1e-3, tol_p=tol, tol=1e-11)
    except ValueError:
        return Solution.failed(name, params, "the specialised branch does not end above alpha_tilde=1e-3")
    path = {a_hi: r0.x, a_sp: x_sp}
    grid = a_sp + (a_hi - a_sp) * np.linspace(1.0, 0.0, 25)[1:-1] ** 2     # denser towards the spinodal
    for a, r in engine.follow(make, grid, r0.x, tol=1e-11):
        path[a] = r.x

    def delta(a):
        if a not in path:
            near = min(path, key=lambda p: abs(p - a))
            pts = engine.follow(make, [a], path[near], tol=1e-11)
            if not pts:
                raise ConvergenceError(f"specialised branch lost at alpha_tilde={a}")
            path[a] = pts[-1][1].x
        return _Fully(a, T).free_entropy(path[a]) - a * phi_ps

    lo = a_sp + 1e-6 * (a_hi - a_sp)
    if not delta(lo) < 0 < delta(a_hi):
        return Solution.failed(name, params, "free entropies do not cross between the spinodal and alpha_hi")
    a_spec = engine.transition(delta, lo, a_hi, xtol=tol)
    delta(a_spec)
    spec = _Fully(a_spec, T).evaluate(path[a_spec])[0]
    ps = permutation_symmetric(a_spec, T)
    obs = {"alpha_spec": a_spec, "alpha_spinodal": a_sp, "alpha_ps_spinodal": math.inf,
           "q_d_at_spec": spec["q_d"], "R_d_at_spec": spec["R_d"], "c_a_at_spec": spec["c_a"],
           "eps_g_spec": math.acos(min(1.0, spec["R_eff"])) / math.pi, "eps_g_ps": ps["eps_g"],
           "c_a_ps": ps["c_a"], "R_d_at_spinodal": float(x_sp[-1]), "order": "first"}
    return Solution(model=name, params=params, observables=obs, status="thermodynamic",
                    message="engine: spinodal by continuation, transition by brentq on the free entropies")
