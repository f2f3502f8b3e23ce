"""Theory: replica-symmetric saddle points and dynamical mean-field equations.

Equations only: no simulation, no plotting, no I/O.
"""

from .solution import ConvergenceError, Solution  # noqa: F401
