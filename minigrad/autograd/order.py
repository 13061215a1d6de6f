"""The graph in topological order, for callers that want it all at once (the drawing, the analysis)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


def topological_order(roots: Sequence[Tensor]) -> list[Tensor]:
    """Tensors that lead to ``roots`` and need a gradient, each after all of its inputs.

    For callers that want the whole order at once, such as the graph drawing; the backward walk
    finds its order as it goes (see :func:`run_backward`). Iterative depth-first search, so a
    chain of a million ops needs no recursion.

    Examples
    --------
    >>> x, w = Tensor(2.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    >>> y = (x * w).relu()
    >>> [t.grad_fn or "leaf" for t in topological_order([y])]
    ['leaf', 'leaf', <Mul>, <ReLU>]
    """
    order: list[Tensor] = []
    visited: set[Tensor] = set()
    stack = [(root, False) for root in reversed(roots) if root.requires_grad]
    while stack:
        tensor, inputs_done = stack.pop()
        if inputs_done:
            order.append(tensor)
            continue
        if tensor in visited:
            continue
        visited.add(tensor)
        stack.append((tensor, True))
        if tensor.grad_fn is not None:
            for x in reversed(tensor.grad_fn.inputs):
                if x.requires_grad and x not in visited:
                    stack.append((x, False))
    return order
