"""Analysis: what a graph and its gradients say, measured apart from drawing them.

- :func:`walk_graph` (graph.py): the one walk over a recorded graph, iterative and in an order
  that depends only on the computation; everything below that reads a graph walks it so;
- :func:`record` (record.py): which module call made each op, from forward hooks;
- :func:`trace` (trace.py): every value and op that led to a root, with the gradient at each
  value and, along each edge, the gradient sent back and the op's local derivative;
- stats.py: what one gradient says: its size, the four flagged states (vanishing, zero by the
  op's rule, underflow, NaN / inf) and the dead or saturated units of an activation.

:mod:`minigrad.viz` draws a trace; :mod:`minigrad.diagnostics` explains it in words and tables.

Reading order: graph.py, stats.py, record.py, trace.py.
"""

from minigrad.analysis.graph import op_inputs, walk_graph
from minigrad.analysis.record import ModuleCall, Recording, record
from minigrad.analysis.trace import Edge, Op, Trace, Value, trace

__all__ = ["walk_graph", "op_inputs", "record", "Recording", "ModuleCall", "trace", "Trace", "Value", "Op", "Edge"]
