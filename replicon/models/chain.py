"""Registry entries of deep random chains: chain.signal, chain.critical, chain.sensitivity."""

from __future__ import annotations

from ..registry import Model, Param, lazy, register
from .common import BYTES


def _chain_sim_bytes(p):
    """Dense sampling holds an N x N weight matrix (and a product); projected sampling O(N) per layer."""
    N, depth = float(p["N"]), float(p["depth"])
    per_layer = 4.0 * N * N if p.get("method") == "dense" else 8.0 * N
    return BYTES * (per_layer + 6.0 * depth)

# ---------------------------------------------------------------------------
# Deep perceptron chains (issue 5): chain.signal, chain.critical, chain.sensitivity.
# Theory and simulation are imported lazily inside the wrappers.
# ---------------------------------------------------------------------------

_CHAIN_ACTIVATIONS = ("tanh", "erf", "relu", "sign", "linear")












def _chain_params(activation="tanh", sigma_b2=0.05, c0=0.5, depth=30):
    return [
        Param("sigma_w2", 1.5, "weight variance times width (W_ij ~ N(0, sigma_w2/N))", lo=0, lo_open=True),
        Param("sigma_b2", sigma_b2, "bias variance", lo=0),
        Param("activation", activation, "activation phi (erf means erf(x/sqrt 2))", kind="choice",
              choices=_CHAIN_ACTIVATIONS),
        Param("q0", 1.0, "squared length |h^0|^2/N of both inputs' layer-0 pre-activations", lo=0, lo_open=True),
        Param("c0", c0, "correlation of the two inputs' layer-0 pre-activations", lo=-1, hi=1),
        Param("depth", depth, "number of layers", kind="int", lo=1, hi=100000),
    ]


_CHAIN_SIM_PARAMS = [
    Param("N", 1000, "layer width", kind="int", lo=2),
    Param("seeds", 8, "independent random networks", kind="int", lo=1),
    Param("seed", 0, "master seed (SeedSequence)", kind="int", lo=0),
    Param("method", "projected", "sampler: projected (exact in law, O(N) per layer) or dense (N x N matrices)",
          kind="choice", choices=("projected", "dense")),
]

register(Model(
    name="chain.signal",
    cost="0.1-0.8 s",
    summary="deep random chain: length and correlation maps, order-to-chaos phase, depth scales",
    params=_chain_params(),
    solve=lazy("replicon.theory.chain:signal"),
    outputs={
        "layer": "layer index l = 0..depth",
        "q": "squared length q_l = |h^l|^2/N per layer",
        "c": "correlation c_l of two inputs per layer",
        "chi1_layer": "mean squared singular value of the Jacobian dh^{l+1}/dh^l per layer",
        "disagreement": "fraction of units whose sign differs between the two inputs, arccos(c_l)/pi",
        "q_star": "fixed point of the length map (inf if q grows without bound)",
        "c_star": "stable fixed point of the correlation map",
        "chi1": "slope of the correlation map at c = 1 (Jacobian mean squared singular value at q*)",
        "chi_q": "slope of the length map at q*",
        "chi_c": "slope of the correlation map at c*",
        "xi_q": "length depth scale -1/log(chi_q)",
        "xi_c": "correlation depth scale -1/log(chi_c) (diverges on the critical line)",
        "phase": "ordered (chi1 < 1), critical or chaotic (chi1 > 1)",
    },
    simulate=lazy("replicon.simulate.chain:measure_signal"),
    sim_memory=lambda p: _chain_sim_bytes(p),
    sim_params=_CHAIN_SIM_PARAMS,
    compare={"x": "layer", "N": [1000, 2000], "seeds": 10,
             "observables": ["q", "c", "chi1_layer", "disagreement"]},
    trajectory="layer",
    references="Poole et al. NeurIPS 2016 (arXiv:1606.05340); Schoenholz et al. ICLR 2017 "
               "(arXiv:1611.01232); Cho & Saul NeurIPS 2009; Williams 1998",
))

register(Model(
    name="chain.critical",
    cost="0.2-0.5 s",
    summary="order-to-chaos line chi1 = 1: critical sigma_w2 for each sigma_b2",
    params=[
        Param("sigma_b2", 0.05, "bias variance(s): a number or a comma list", kind="array"),
        Param("activation", "tanh", "activation (sign has no transition)", kind="choice",
              choices=("tanh", "erf", "relu", "linear")),
    ],
    solve=lazy("replicon.theory.chain:critical"),
    outputs={
        "sigma_w2_critical": "critical weight variance (chi1 = 1), same shape as sigma_b2",
        "q_star": "length fixed point on the line",
        "chi1": "chi1 on the line (1 up to the root finder's tolerance)",
    },
    references="Poole et al. 2016, eq. (7); Schoenholz et al. 2017, Fig. 1",
))

register(Model(
    name="chain.sensitivity",
    cost="a few ms",
    summary="two rho-correlated copies of a deep chain: layer-wise overlap and output disagreement",
    params=[
        *_chain_params(activation="sign", sigma_b2=0.0, c0=1.0, depth=10),
        Param("rho", 0.99, "entry-wise correlation of the two copies' weights and biases", lo=-1, hi=1),
    ],
    solve=lazy("replicon.theory.chain:sensitivity"),
    outputs={
        "layer": "layer index l = 0..depth",
        "q": "squared length per layer",
        "c": "overlap of the two copies' pre-activations per layer",
        "disagreement": "fraction of disagreeing signs per layer, arccos(c_l)/pi",
        "output_disagreement": "fraction of disagreeing outputs at the last layer",
        "c_star": "fixed point of the perturbed overlap recursion",
    },
    simulate=lazy("replicon.simulate.chain:measure_sensitivity"),
    sim_memory=lambda p: _chain_sim_bytes(p),
    sim_params=_CHAIN_SIM_PARAMS,
    compare={"x": "layer", "N": [1000, 2000], "seeds": 10, "observables": ["c", "disagreement"]},
    trajectory="layer",
    references="Li & Saad PRL 120, 248301 (2018); Li & Saad J Phys A 53, 104002 (2020); Poole et al. 2016",
))


