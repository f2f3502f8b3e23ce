"""Training protocols on the perceptron's landscape (issue 11, simulation half).

* :mod:`.protocol`: :class:`Protocol` (a kind and per-sweep schedules), :func:`preset`;
* :mod:`.binary`: binary-perceptron data and the replicated Monte Carlo kernel (greedy, annealing,
  replicated / robust ensemble), O(P) incremental fields per flip;
* :mod:`.measure`: flatness, local entropy (population annealing at fixed Hamming distance)
  and generalisation of a found solution;
* :mod:`.focusing`: focusing belief propagation (AMP form, y replicas' focusing field);
* :mod:`.continuous`: gradient descent, replicated GD/SGD and entropy-SGD on continuous weights;
* :mod:`.experiment`: :func:`run` (any Protocol on any data) and :func:`simulate_protocols`, the
  simulation of the registry model ``landscape.protocols``.

Imports nothing from ``replicon.theory``.
"""

from .binary import BinaryData, RunResult, binary_storage, run_binary
from .continuous import run_continuous
from .experiment import evaluate, run, simulate_protocols
from .focusing import run_focusing
from .measure import flatness, local_entropy
from .protocol import KINDS, Protocol, preset, schedule

__all__ = ["Protocol", "preset", "schedule", "KINDS", "BinaryData", "RunResult", "binary_storage",
           "run_binary", "run_continuous", "run_focusing", "run", "evaluate", "simulate_protocols", "flatness",
           "local_entropy"]
