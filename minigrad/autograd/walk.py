"""The reverse walk: the chain rule, applied from the outputs back to the leaves.

:func:`run_backward` is the algorithm. A tensor's gradient is complete once every op that used
it has sent back its part, so the walk counts those uses first (:func:`consumer_counts`) and
takes a tensor when its count reaches zero (Kahn's topological order, iteratively, so depth is
no limit). For each tensor it takes, the op that made it turns d roots / d output into
d roots / d input for each input (:func:`input_gradients`), and the walk adds those into the
inputs' gradients: the sum over all paths.

The rest of this module is named helpers a reader can skip: :class:`GradientSums` (adding in
place, for speed), :class:`Delivery` (hooks, ``.grad`` and :func:`grad`'s results: the API)
and :func:`release` (freeing what a node saved: memory).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from minigrad.arrays import is_tensor
from minigrad.autograd import function
from minigrad.autograd.function import Context
from minigrad.autograd.grad_mode import set_grad_enabled

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

__all__ = ["run_backward", "consumer_counts", "call_backward"]


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> tuple[Tensor | None, ...]:
    """Apply the chain rule from ``roots`` (seeded with ``root_grads``) back to the leaves.

    Without ``inputs``, the gradients of leaves accumulate into ``.grad``; with ``inputs``, the
    gradients of those tensors are returned (None where unused) and ``.grad`` is left alone.
    :meth:`Tensor.backward` and :func:`grad` are the ways in.

    Examples
    --------
    >>> x, w = Tensor(2.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    >>> y = x * w
    >>> run_backward((y,), (Tensor(1.0),), retain_graph=False, create_graph=False, inputs=(x, w))
    (Tensor(3.), Tensor(2.))
    """
    grads = GradientSums(roots, root_grads, create_graph)  # d roots / d tensor, summed over paths
    delivery = Delivery(inputs, root_grads, create_graph)
    waiting = consumer_counts(roots)  # how many ops' parts each tensor still waits for
    ready = [root for root in reversed(grads.tensors()) if root not in waiting]
    with set_grad_enabled(bool(create_graph)):  # NOTE: the rules' own ops are recorded only for higher order
        while ready:
            tensor = ready.pop()
            grad = grads.pop(tensor)  # complete: every op that used this tensor has sent its part
            if grad is not None:
                grad = delivery.deliver(tensor, grad)
            node = tensor.grad_fn
            if node is None:
                continue  # a leaf: the walk ends here
            input_grads = input_gradients(node, tensor, grad)  # the chain rule, one op
            for x, grad_x in zip(node.inputs, input_grads):
                if x._requires_grad:  # NOTE: the property requires_grad reads this slot
                    if grad_x is not None:
                        grads.add(x, grad_x)
                    waiting[x] -= 1
                    if waiting[x] == 0:
                        ready.append(x)
            if grad is not None and not retain_graph:
                release(node)
        return delivery.finish()  # NOTE: in the walk's grad mode: .grad accumulates as recorded or not


def consumer_counts(roots: Sequence[Tensor]) -> dict[Tensor, int]:
    """For every tensor that leads to ``roots`` and needs a gradient: how many recorded op inputs
    it is (an op that used it twice counts twice). Iterative, so depth is no limit.

    Examples
    --------
    >>> x = Tensor(2.0, requires_grad=True)
    >>> y = x * x
    >>> consumer_counts([y + y])[y], consumer_counts([y + y])[x]
    (2, 2)
    """
    counts: dict[Tensor, int] = {}
    stack = [root for root in dict.fromkeys(roots) if root.requires_grad]
    seen = set(stack)  # NOTE: a root that another root also leads to is expanded once, not twice
    while stack:
        node = stack.pop().grad_fn
        if node is None:
            continue
        for x in node.inputs:
            if x._requires_grad:
                counts[x] = counts.get(x, 0) + 1
                if x not in seen:
                    seen.add(x)
                    stack.append(x)
    return counts


def input_gradients(node: Context, output: Tensor, grad: Tensor | None) -> tuple[Tensor | None, ...]:
    """d roots / d input for each input of ``node``, from ``grad`` = d roots / d ``output``.

    Runs the op's backward rule after checking that its saved tensors are unchanged, and checks
    what the rule returns: one gradient per input, each of the input's shape (a float32 input of
    a float64 op gets its gradient cast back). No gradient reached ``output``: none for its inputs.
    """
    inputs = node.inputs
    if grad is None:
        return (None,) * len(inputs)
    check_unchanged(node, output)
    grads = call_backward(node, output, grad)
    if len(grads) != len(inputs):
        raise RuntimeError(f"{node.name}.backward returned {len(grads)} gradients for {len(inputs)} inputs")
    for x, g in zip(inputs, grads):
        if g is not None and (g._data.shape != x._data.shape or g._data.dtype != x._data.dtype):
            return tuple(_matching(node, x, g) for x, g in zip(inputs, grads))
    return grads


def call_backward(node: Context, output: Tensor, grad: Tensor) -> tuple[Tensor | None, ...]:
    """Run the backward rule of the op that made ``output``, with ``node.output`` set meanwhile.

    Returns one gradient per input, as a tuple.

    Examples
    --------
    >>> x, w = Tensor(2.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    >>> y = x * w
    >>> with minigrad.no_grad():
    ...     call_backward(y.grad_fn, y, Tensor(1.0))     # (dy/dx, dy/dw) = (w, x)
    (Tensor(3.), Tensor(2.))
    """
    node.output = output
    try:
        grads = node.function.backward(node, grad)
    finally:
        node.output = None  # type: ignore[assignment]
    return grads if isinstance(grads, tuple) else (grads,)


def check_unchanged(node: Context, output: Tensor) -> None:
    """Refuse a node whose graph was freed, or whose inputs or output changed since the op ran.

    NOTE: every change in place (``add_``, ``x.data = ...``, ``x.data -= ...``) bumps the tensor's
    version, so comparing version counters catches them all.
    """
    if node.released:
        raise RuntimeError(
            f"backward through {node.name} a second time: its graph was freed by the first "
            "backward; pass retain_graph=True to the first call to keep it"
        )
    if output._version != 0 or tuple([x._version for x in node.inputs]) != node.versions:
        changed = [i for i, x in enumerate(node.inputs) if x._version != node.versions[i]]
        role, tensor = (f"input {changed[0]}", node.inputs[changed[0]]) if changed else ("its output", output)
        raise RuntimeError(
            f"{node.name}: {role} (shape {tensor.shape}) was modified in place after the op "
            "used it; its gradient would be wrong. Modify a copy, or do it before the op."
        )


def _matching(node: Context, x: Tensor, g: Tensor | None) -> Tensor | None:
    """``g`` as a gradient for ``x``: a shape mismatch is a bug in the rule, a dtype one is cast."""
    if g is None:
        return None
    if g.shape != x.shape:
        raise RuntimeError(
            f"{node.name}.backward returned a gradient of shape {g.shape} for an input of shape {x.shape}"
        )
    return g if g.dtype == x.dtype else g.to(x.dtype)


class GradientSums:
    """d roots / d tensor for each tensor the walk has reached, summed over the paths to it.

    NOTE (speed): a sum this walk made itself, and has not handed on yet, is added to in place;
    any other array (a root gradient the caller passed, one a rule returned, one handed on to a
    hook, a ``.grad`` or a rule) is never written to: the walk adds out of place and owns the sum.
    """

    __slots__ = ("_grads", "_owned", "_in_place")

    def __init__(self, roots: Sequence[Tensor], root_grads: Sequence[Tensor], create_graph: bool) -> None:
        self._grads: dict[Tensor, Tensor] = {}
        self._owned: set[int] = set()  # ids of the arrays of sums this walk made and still holds
        # NOTE: a recorded sum must stay a graph node, and a traced one an op (minigrad.compile lists it)
        self._in_place = not create_graph and function.tracer is None
        for root, root_grad in zip(roots, root_grads):
            self.add(root, root_grad)

    def tensors(self) -> list[Tensor]:
        """The tensors that have a gradient so far, in the order they got it."""
        return list(self._grads)

    def add(self, tensor: Tensor, grad: Tensor) -> None:
        """Add one path's part to ``tensor``'s gradient."""
        total = self._grads.get(tensor)
        if total is None:
            self._grads[tensor] = grad
        elif id(total._data) in self._owned:
            total._data += grad._data
        else:
            total = total + grad
            self._grads[tensor] = total
            if self._in_place:
                self._owned.add(id(total._data))

    def pop(self, tensor: Tensor) -> Tensor | None:
        """``tensor``'s complete gradient (None if no path reached it), handed on from here."""
        grad = self._grads.pop(tensor, None)
        if grad is not None and self._owned:
            self._owned.discard(id(grad._data))  # handed on: no longer ours to add to
        return grad


class Delivery:
    """Where finished gradients go (the API): a tensor's hooks see its gradient first (and may
    replace it); then it goes to :func:`grad`'s results if the tensor is one of ``inputs``, else
    (for :meth:`Tensor.backward`) into ``.grad`` of leaves and of tensors that ``retain_grad()``.

    NOTE: ``.grad`` is written only by :meth:`finish`, once the whole walk has succeeded, so that
    an error on the way (a hook's result refused, a tensor changed in place) leaves every ``.grad``
    as it was.
    """

    __slots__ = ("_inputs", "_results", "_finished", "_stored", "_create_graph")

    def __init__(self, inputs: Sequence[Tensor] | None, root_grads: Sequence[Tensor], create_graph: bool) -> None:
        self._inputs = inputs
        self._results: dict[Tensor, Tensor | None] = {} if inputs is None else dict.fromkeys(inputs)
        self._finished: list[tuple[Tensor, Tensor]] = []  # (tensor, gradient) for .grad, at the end
        self._stored = {id(g._data) for g in root_grads}  # arrays held elsewhere: .grad gets a copy
        self._create_graph = create_graph

    def deliver(self, tensor: Tensor, grad: Tensor) -> Tensor:
        """Hand ``tensor``'s complete gradient to its hooks and its destination; returns the
        gradient that flows on (a hook's replacement, if any)."""
        if tensor._hooks:
            grad = run_hooks(tensor, grad)
        if tensor in self._results:
            self._results[tensor] = grad
        elif self._inputs is None and (tensor.grad_fn is None or tensor._retains_grad):
            self._finished.append((tensor, grad))
        return grad

    def finish(self) -> tuple[Tensor | None, ...]:
        """Store the ``.grad`` of the tensors that get one; return :func:`grad`'s results, one per
        input as given (a repeated input in each place)."""
        for tensor, _ in self._finished:
            if tensor.grad is not None and tensor.grad.shape != tensor.shape:
                raise RuntimeError(
                    f"backward: a tensor of shape {tensor.shape} has a .grad of shape {tensor.grad.shape} (its "
                    ".data or .grad was replaced since); adding to it would broadcast. Set .grad = None first"
                )
        for tensor, grad in self._finished:
            self._store_grad(tensor, grad)
        return () if self._inputs is None else tuple([self._results[x] for x in self._inputs])

    def _store_grad(self, tensor: Tensor, grad: Tensor) -> None:
        """Accumulate into ``tensor.grad``; never let two tensors share one gradient array."""
        if tensor.grad is not None:
            tensor.grad = tensor.grad + grad
        elif self._create_graph:
            tensor.grad = grad
        elif id(grad._data) in self._stored or grad._data.base is not None or not grad._data.flags.writeable:
            tensor.grad = grad._make(grad._data.copy())  # NOTE: held elsewhere, or a view into another array
        else:  # an array no other tensor holds: keep the Tensor itself, unless it belongs to a graph
            tensor.grad = grad._make(grad._data) if grad.requires_grad else grad
        self._stored.add(id(tensor.grad._data))


def run_hooks(tensor: Tensor, grad: Tensor) -> Tensor:
    """Call each of ``tensor``'s hooks on its gradient; a hook returns None (keep it) or a Tensor of
    the gradient's shape and dtype (which replaces it), else the walk stops with an error naming it."""
    for hook in tensor._hooks or ():
        replaced = hook(grad)
        if replaced is None:
            continue
        name = f"'{hook.__name__}'" if hasattr(hook, "__name__") else f"{hook!r:.80}"
        if not is_tensor(replaced):
            raise TypeError(
                f"hook {name} of a tensor of shape {tensor.shape} returned {type(replaced).__name__}: "
                "a hook returns None or a Tensor of the gradient's shape and dtype"
            )
        if replaced.shape != grad.shape or replaced.dtype != grad.dtype:
            raise RuntimeError(
                f"hook {name} of a tensor of shape {tensor.shape} got a gradient of shape {grad.shape} "
                f"({grad.dtype}) and returned one of shape {replaced.shape} ({replaced.dtype}): a hook "
                "may change the gradient's values only"
            )
        grad = replaced
    return grad


def release(node: Context) -> None:
    """Free what ``node`` saved for its backward (memory goes as the walk passes); a second
    backward through it is then refused (see :func:`check_unchanged`)."""
    node.released = True
    node.inputs = ()
    node.__dict__.clear()
