"""Registry entries of deep perceptron chains in equilibrium (issue 16): deep.linear, deep.glm."""

from __future__ import annotations

import numpy as np

from .._util import ParamError
from ..registry import Model, Param, lazy, register

# ---------------------------------------------------------------------------
# Bayesian learning of deep linear networks: deep.linear.
# theory: replicon/theory/deep/linear.py; simulation: replicon/simulate/deep/linear.py
# ---------------------------------------------------------------------------

register(Model(
    name="deep.linear",
    cost="0.1-0.5 s",
    summary="Bayesian deep linear network (Gibbs posterior at T, linear teacher): kernel renormalisation "
            "scalars u_l, eps_g = bias + variance, training error, all branches",
    params=[
        Param("L", 1, "hidden layers (0: Bayesian linear regression)", kind="int", lo=0, hi=50),
        Param("alpha", 2.0, "examples per input dimension P/N_0", lo=0, lo_open=True),
        Param("gamma", 1.0, "width ratios N_0/N_l: one number or a comma list of L numbers (> 0)", kind="array"),
        Param("sigma2", 1.0, "prior variances of W_1..W_L and the readout: one number or L+1 (> 0)",
              kind="array"),
        Param("T", 0.1, "temperature of the Gibbs posterior (0: the minimisers of the squared loss)", lo=0),
        Param("Delta", 0.0, "variance of the teacher's label noise", lo=0),
    ],
    solve=lazy("replicon.theory.deep.linear:deep_linear"),
    simulate=lazy("replicon.simulate.deep.linear:simulate_deep_linear"),
    sim_ranges={"T": {"lo": 0.0, "lo_open": True}},   # the blocked Gibbs sampler needs T > 0
    sim_params=[
        Param("N", 100, "input dimension N_0 (hidden widths round(N/gamma_l))", kind="int", lo=2),
        Param("seeds", 4, "independent data sets", kind="int", lo=1),
        Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
        Param("sweeps", 400, "measured Gibbs sweeps (every layer drawn once per sweep)", kind="int", lo=2),
        Param("burn", 100, "discarded sweeps", kind="int", lo=0),
    ],
    compare={"x": "alpha", "grid": "0.5:2.5:3", "N": [50, 100], "seeds": 6,
             "observables": ["eps_g", "bias", "variance", "train_error", "u_1"]},
    outputs={
        "eps_g": "E_posterior E_x (f(x) - teacher(x))^2 on the noiseless teacher (= bias + variance)",
        "bias": "|posterior mean of the end-to-end weights - w*|^2 / N_0 (error of the mean predictor)",
        "variance": "trace of the posterior covariance of the end-to-end weights / N_0",
        "train_error": "posterior mean of the training loss (1/P) sum (f(x_mu) - y_mu)^2",
        "u_1": "renormalisation scalar of layer 1 (u_2, ... for deeper layers); 1 at infinite width",
        "U": "renormalised prior variance of the end-to-end weights, prod sigma_l^2 u_l",
        "free_entropy": "log evidence / N_0 (T = 0: without U-independent divergent constants)",
    },
    grid_parameter="alpha",
    references="Li & Sompolinsky, PRX 11, 031059 (2021) (back-propagating kernel renormalisation); "
               "Zavatone-Veth & Pehlevan, NeurIPS 2021; Hanin & Zlokapa, PNAS 120 (2023); "
               "derivation in replicon/theory/deep/linear.py",
))


# ---------------------------------------------------------------------------
# Multi-layer generalised linear models: deep.glm.
# theory: replicon/theory/deep/glm.py, layers.py; finite n (ML-AMP, exact linear chain):
# replicon/simulate/deep/glm.py
# ---------------------------------------------------------------------------

GLM_ACTIVATIONS = ("linear", "sign", "relu", "erf")


class NameList(Param):
    """A comma list of names, each one of ``choices`` (one value per layer): one value, not a grid."""

    def allowed(self) -> str:
        return "one name or a comma list (one per layer) of: " + ", ".join(self.choices)

    def parse(self, value):
        parts = value.split(",") if isinstance(value, str) else list(np.atleast_1d(value))
        names = [str(p).strip() for p in parts if str(p).strip()]
        bad = [n for n in names if n not in self.choices]
        if not names or bad:
            raise ParamError(f"{self.name}={value!r} is not allowed; {self.allowed()}")
        return ",".join(names)


register(Model(
    name="deep.glm",
    cost="0.01-0.5 s (sign, linear), 1-3 s with relu layers (L = 2, 3), 2-10 s with erf layers",
    summary="Bayes-optimal inference in a multi-layer GLM (linear/sign/relu/erf layers, gaussian/binary/sparse "
            "input, noise per layer): per-layer MMSE, I(X; Y), free entropy, all branches; ML-AMP",
    params=[
        Param("alphas", 1.0, "width ratios n_l/n_(l-1), l = 1..L: a comma list (> 0)", kind="array"),
        NameList("activations", "linear", "activation of each layer (one name: every layer), the last is the "
                 "output", kind="array", choices=GLM_ACTIVATIONS),
        Param("prior", "gaussian", "input prior: gaussian N(0,1), binary +-1, sparse (Gauss-Bernoulli, density rho)",
              kind="choice", choices=("gaussian", "binary", "sparse")),
        Param("rho", 1.0, "density of the sparse prior (unused otherwise)", lo=0, hi=1, lo_open=True),
        Param("noise", 0.1, "variance of the Gaussian noise on the output (0 allowed for a sign output)", lo=0),
        Param("hidden_noise", 0.0, "noise variance on the hidden layers: one number or L-1 numbers (>= 0)",
              kind="array"),
        Param("alpha_1", None, "replaces the first entry of alphas (a scalar: scannable)", lo=0, lo_open=True,
              allow_none=True),
        Param("alpha_2", None, "replaces the second entry of alphas (scannable)", lo=0, lo_open=True,
              allow_none=True),
        Param("alpha_3", None, "replaces the third entry of alphas (scannable)", lo=0, lo_open=True,
              allow_none=True),
        Param("layer_mi", False, "also report mi_x0_h1.. = I(X_0; H_l)/n_0 and entropy_1.. = H(T_l)/n_0 of the "
              "hidden layers (one more solve per layer)", kind="bool"),
    ],
    solve=lazy("replicon.theory.deep.glm:deep_glm"),
    simulate=lazy("replicon.simulate.deep.glm:simulate_deep_glm"),
    sim_params=[
        Param("N", 1000, "input dimension n_0 (n_l = round(n_(l-1) alpha_l))", kind="int", lo=2),
        Param("seeds", 4, "independent draws of weights and signal", kind="int", lo=1),
        Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
        Param("method", "amp", "amp: ML-AMP (per-layer MSE per iteration); exact: the linear chain's exact "
              "Bayes MMSE and MI from sampled spectra", kind="choice", choices=("amp", "exact")),
        Param("n_iter", 20, "ML-AMP iterations", kind="int", lo=1, hi=10000),
    ],
    compare={"x": "noise", "grid": "0.05:1:4", "N": [500, 1000, 2000], "seeds": 4,
             "observables": ["mse_0", "mse_1"]},
    outputs={
        "mse_0": "Bayes MMSE per coordinate of the input x_0 (ML-AMP: its error after each iteration)",
        "mse_1": "MMSE of the post-activation h_1 (mse_2, ... deeper layers; mse_L: the noiseless output phi(z_L))",
        "overlap_0": "q_0/rho_0 (overlap_l = q_l/rho_l for every layer)",
        "mi_0": "mutual information I(X_0; Y)/n_0 in nats (reported when the hidden layers are noiseless)",
        "free_entropy": "E ln p(y)/n_0 (ln of a density for a noisy output, of a probability for a noiseless sign)",
        "q_hat_0": "SNR with which the layers above see x_0 (q_hat_l for h_l)",
        "mi_x0_h1": "with layer_mi: I(X_0; H_1)/n_0 (mi_x0_h2, ...; where finite: noiseless layers below, and "
                    "noise or a sign on that layer)",
        "entropy_1": "with layer_mi: H(T_1)/n_0 of hidden layer 1's representation, -E ln p(h_1)/n_0 (entropy_2, ...; "
                     "differential with noise on that layer, discrete for a noiseless sign; entropy_L = H(Y)/n_0 "
                     "= -free_entropy always)",
    },
    grid_parameter="noise",
    references="Manoel, Krzakala, Mezard & Zdeborova, ISIT 2017 (arXiv:1701.06981); Gabrie et al., NeurIPS 2018 "
               "(arXiv:1805.09785); Tulino & Verdu, Random Matrix Theory and Wireless Communications (2004)",
))
