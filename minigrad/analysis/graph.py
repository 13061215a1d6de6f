"""walk_graph: the one walk over a recorded graph, shared by everything that reads one.

A tensor made by an op holds the op's Context as its ``grad_fn``, and the Context holds the op's
inputs, in order, as ``inputs``: following them from a root reaches everything that led to it.
:func:`walk_graph` reaches each node once, by an iterative depth-first search (a chain of a
million ops needs no recursion) that takes a node's inputs in their order, so the order depends
only on the computation, never on ids or hashes. It yields in one of two orders:

- a node before its inputs, in the order they are first reached (the drawing names its values
  v0, v1, ... so);
- with ``inputs_first=True``, a node after all of its inputs: a topological order. Reversed, it
  puts every consumer of a value before the op that made the value, the order in which gradients
  are complete.

``inputs_of`` says how to step from a node to its inputs: :func:`op_inputs` for tensors; for the
values of a :class:`~minigrad.analysis.trace.Trace`, :meth:`~minigrad.analysis.trace.Value.inputs`;
or only some of them, to walk part of a graph (the ops of one module call, the inputs a gradient
still reaches).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TypeVar

from minigrad.tensor import Tensor

Node = TypeVar("Node", bound=Hashable)


def op_inputs(tensor: Tensor) -> tuple[Tensor, ...]:
    """The inputs of the op that made ``tensor``, in the op's order (none for a leaf).

    Examples
    --------
    >>> x = Tensor(2.0, requires_grad=True)
    >>> y = x * Tensor(3.0)
    >>> [t.item() for t in op_inputs(y)], op_inputs(x)
    ([2.0, 3.0], ())
    """
    return () if tensor.grad_fn is None else tensor.grad_fn.inputs


def walk_graph(
    roots: Iterable[Node], inputs_of: Callable[[Node], Iterable[Node]], inputs_first: bool = False
) -> Iterator[Node]:
    """Every node that leads to ``roots``, and the roots, once each, depth first.

    Parameters
    ----------
    roots : iterable
        Where to start, e.g. ``[loss]``.
    inputs_of : callable
        ``inputs_of(node)`` -> the node's inputs, in order: :func:`op_inputs` for tensors.
    inputs_first : bool
        False: each node as it is first reached, before its inputs. True: each node after all
        of its inputs (a topological order).

    Yields
    ------
    node
        Without ``inputs_first``, a node is yielded before the walk asks for its inputs, so the
        caller may look at it first (and stop).

    Examples
    --------
    >>> x, w = Tensor(2.0, requires_grad=True, name="x"), Tensor(3.0, requires_grad=True, name="w")
    >>> y = (x * w).relu()
    >>> [t.name or t.grad_fn.name for t in walk_graph([y], op_inputs)]
    ['ReLU', 'Mul', 'x', 'w']
    >>> [t.name or t.grad_fn.name for t in walk_graph([y], op_inputs, inputs_first=True)]
    ['x', 'w', 'Mul', 'ReLU']
    """
    seen: set[Node] = set()
    # NOTE: (node, True) is a node whose inputs are done, put back to be yielded after them.
    stack = [(root, False) for root in reversed(list(roots))]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            yield node
            continue
        if node in seen:
            continue
        seen.add(node)
        if inputs_first:
            stack.append((node, True))
        else:
            yield node
        stack.extend((x, False) for x in reversed(list(inputs_of(node))) if x not in seen)
