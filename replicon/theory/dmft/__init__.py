"""Two-time dynamical mean-field theory of training a one-layer model (family ``dmft.*``)."""

from .fdr import effective_temperature, fdr_curve, integrated_response
from .gaussian import sign_error_of_linear_field, square_closure
from .glm import ALGORITHMS, dmft_glm
from .sampled import sampled_sweep

__all__ = ["dmft_glm", "square_closure", "sampled_sweep", "sign_error_of_linear_field", "ALGORITHMS",
           "effective_temperature", "fdr_curve", "integrated_response"]
