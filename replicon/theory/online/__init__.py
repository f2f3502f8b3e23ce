"""Online learning: order-parameter ODEs of soft committee machines (:mod:`.committee`) and
perceptron rules (:mod:`.perceptron`), with the Gaussian averages they share (:mod:`.integrals`).

Every example is seen once; ``alpha = steps / N`` is the time. The public names of the three
modules are re-exported here.
"""

from .committee import (SPACINGS, CommitteeODE, committee_eps_g, committee_initial_state,  # noqa: F401
                        committee_online, committee_rhs_looped, explicit_grid, find_plateau,
                        finite_difference_jacobian, integrate, linearisation, output_grid,
                        symmetric_fixed_point, symmetric_plateau_eps)
from .integrals import (COMMITTEE_ACTIVATIONS, RELU_QUAD_NODES, derivative_pair_average,  # noqa: F401
                        orthant_probability4, pair_average, quad_average, relu_quad_average,
                        triple_average)
from .perceptron import (PERCEPTRON_RULES, batch_hebb_overlap, perceptron_flow, perceptron_flow_rd,  # noqa: F401
                         perceptron_online)
