"""Deep random chains at initialisation: layer-wise mean-field maps of signal propagation.

:mod:`.activations` holds the activations and their Gaussian integrals, :mod:`.maps` the
length and correlation maps, their fixed points, depth scales, the order-to-chaos phase
diagram and the models ``chain.signal``, ``chain.critical``, ``chain.sensitivity``
(Poole et al. 2016; Schoenholz et al. 2017). Their public names are re-exported here.
"""

from .activations import (ACTIVATIONS, TINY_Q, Activation, SeriesActivation, get_activation,  # noqa: F401
                          kolmogorov_rule)
from .maps import (correlation_map, critical, critical_sigma_w2, depth_scale, layer_maps,  # noqa: F401
                   length_map, phase_diagram, q_fixed_point, sensitivity, signal)
