"""The engine: Function (one op), Context (its node in the graph), and the reverse walk.

Every op is a subclass of :class:`Function` with two static methods::

    forward(ctx, *arrays, **params) -> ndarray      # on plain NumPy arrays
    backward(ctx, grad) -> grad_x or (grad_x, ...)  # on Tensors, with minigrad's own ops

Because ``backward`` is written with Tensor ops, the same rule gives second derivatives when
the walk runs with ``create_graph=True``; otherwise it runs under :func:`no_grad` and records
nothing. :meth:`Function.apply` runs ``forward`` and, when any input needs a gradient, leaves a
:class:`Context` on the output as its ``grad_fn``. :func:`backward` sorts those nodes
topologically (iteratively, so depth is no limit) and applies the chain rule from the root back.
"""

from __future__ import annotations

import weakref

import numpy as np

from minigrad.tensor import Tensor

_grad_enabled = True


def is_grad_enabled() -> bool:
    """Whether ops record the graph right now (see :class:`no_grad`)."""
    return _grad_enabled


class _GradMode:
    """Context manager and decorator that sets whether ops record the graph."""

    enabled: bool

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.enabled

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, function):
        def wrapper(*args, **kwargs):
            with type(self)():
                return function(*args, **kwargs)

        wrapper.__name__, wrapper.__doc__ = function.__name__, function.__doc__
        return wrapper


class no_grad(_GradMode):
    """Ops inside ``with minigrad.no_grad():`` record no graph: for inference and updates.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    enabled = False


class enable_grad(_GradMode):
    """Turns recording back on inside a :class:`no_grad` block."""

    enabled = True


class Context:
    """One node of the graph: which op made a tensor, from which inputs, and what backward needs.

    ``inputs`` are the input Tensors (kept, so that backward can be written with them);
    ``output`` is the Tensor the op made (held weakly, so the graph has no reference cycles);
    ops may set further attributes in ``forward`` (an axis, a mask) for ``backward`` to read.
    """

    __slots__ = ("function", "inputs", "needs_input_grad", "versions", "_output", "released", "__dict__")

    def __init__(self, function, inputs):
        self.function = function
        self.inputs = inputs
        self.released = False

    @property
    def output(self):
        """The Tensor this op made (valid during backward)."""
        return self._output()

    @property
    def name(self) -> str:
        return self.function.__name__

    def __repr__(self):
        return f"<{self.name}>"


class Function:
    """Base class of every op. Subclass it, write ``forward`` and ``backward``, call ``apply``.

    ``forward(ctx, *arrays, **params)`` gets the inputs' NumPy arrays and returns an array.
    ``backward(ctx, grad)`` gets the gradient of the final output with respect to this op's
    output (a Tensor) and returns one gradient per input (a Tensor, or None for an input that
    needs none), written with Tensor ops on ``ctx.inputs`` and ``ctx.output`` so that it can be
    differentiated again. ``ctx.needs_input_grad[i]`` says which inputs need one.

    >>> class Cube(Function):
    ...     '''cube(x) = x^3;  cube'(x) = 3 x^2'''
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         return x**3
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.inputs
    ...         return grad * 3 * x**2
    >>> x = Tensor(2.0, requires_grad=True)
    >>> Cube.apply(x).backward()
    >>> x.grad.item()
    12.0
    """

    @staticmethod
    def forward(ctx, *arrays, **params):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on Tensors (or array-likes) and record it in the graph when needed."""
        inputs = tuple(x if isinstance(x, Tensor) else Tensor(x) for x in inputs)
        ctx = Context(cls, inputs)
        try:
            data = cls.forward(ctx, *[x._data for x in inputs], **params)
        except ValueError as error:
            shapes = " and ".join(str(x.shape) for x in inputs)
            raise ValueError(f"{cls.__name__}: cannot apply to shapes {shapes}: {error}") from None
        needs = tuple(x.requires_grad for x in inputs)
        if not (_grad_enabled and any(needs)):
            return Tensor._make(data)
        ctx.needs_input_grad = needs
        ctx.versions = tuple((x._data, x._version) for x in inputs)
        out = Tensor._make(data, requires_grad=True, grad_fn=ctx)
        ctx._output = weakref.ref(out)
        ctx.versions += ((out._data, 0),)
        return out


# ---------------------------------------------------------------------------------------------
# The reverse walk
# ---------------------------------------------------------------------------------------------


def topological_order(roots):
    """Tensors that lead to ``roots`` and need a gradient, each after all of its inputs.

    Iterative depth-first search, so a chain of a million ops needs no recursion.
    """
    order, visited = [], set()
    stack = [(root, False) for root in reversed(roots) if root.requires_grad]
    while stack:
        tensor, inputs_done = stack.pop()
        if inputs_done:
            order.append(tensor)
            continue
        if id(tensor) in visited:
            continue
        visited.add(id(tensor))
        stack.append((tensor, True))
        if tensor.grad_fn is not None:
            for x in reversed(tensor.grad_fn.inputs):
                if x.requires_grad and id(x) not in visited:
                    stack.append((x, False))
    return order


def _check_unchanged(ctx, output):
    if ctx.released:
        raise RuntimeError(
            f"backward through {ctx.name} a second time: its graph was freed by the first "
            "backward; pass retain_graph=True to the first call to keep it"
        )
    tensors = ctx.inputs + (output,)
    for i, (tensor, (data, version)) in enumerate(zip(tensors, ctx.versions)):
        if tensor._data is not data or tensor._version != version:
            role = "its output" if i == len(ctx.inputs) else f"input {i}"
            raise RuntimeError(
                f"{ctx.name}: {role} (shape {tensor.shape}) was modified in place after the op "
                "used it; its gradient would be wrong. Modify a copy, or do it before the op."
            )


def _input_grads(ctx, grad):
    """Run one op's backward rule and check what it returns."""
    grads = ctx.function.backward(ctx, grad)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(ctx.inputs):
        raise RuntimeError(f"{ctx.name}.backward returned {len(grads)} gradients for {len(ctx.inputs)} inputs")
    for x, g in zip(ctx.inputs, grads):
        if g is not None and g.shape != x.shape:
            raise RuntimeError(f"{ctx.name}.backward returned a gradient of shape {g.shape} for an input of shape {x.shape}")
    # NOTE: an input's gradient has the input's dtype (float32 + float64 gives float64 forward).
    return tuple(g if g is None or g.dtype == x.dtype else g.to(x.dtype) for x, g in zip(ctx.inputs, grads))


def run_backward(roots, root_grads, retain_graph, create_graph, inputs=None):
    """Apply the chain rule from ``roots`` back to the leaves.

    Without ``inputs``, gradients of leaves accumulate into ``.grad``; with ``inputs``, the
    gradients of those tensors are returned (None where unused) and ``.grad`` is left alone.
    """
    global _grad_enabled
    grads = {}
    for root, g in zip(roots, root_grads):
        grads[root] = grads[root] + g if root in grads else g
    wanted = {} if inputs is None else {x: None for x in inputs}
    stored = {id(g._data) for g in root_grads}
    previous, _grad_enabled = _grad_enabled, create_graph
    try:
        for tensor in reversed(topological_order(roots)):
            grad = grads.pop(tensor, None)
            if grad is None:
                continue
            for hook in tensor._hooks or ():
                replaced = hook(grad)
                grad = grad if replaced is None else replaced
            if tensor in wanted:
                wanted[tensor] = grad
            elif inputs is None and (tensor.grad_fn is None or tensor._retains_grad):
                _store_grad(tensor, grad, stored, create_graph)
            ctx = tensor.grad_fn
            if ctx is None:
                continue
            _check_unchanged(ctx, tensor)
            for x, g in zip(ctx.inputs, _input_grads(ctx, grad)):
                if g is not None and x.requires_grad:
                    grads[x] = grads[x] + g if x in grads else g
            if not retain_graph:
                ctx.released = True
                ctx.inputs, ctx._output = (), None
                ctx.__dict__.clear()
    finally:
        _grad_enabled = previous
    return tuple(wanted.values())


def _store_grad(tensor, grad, stored, create_graph):
    """Accumulate into ``tensor.grad``; never let two tensors share one gradient array."""
    if tensor.grad is not None:
        tensor.grad = tensor.grad + grad
    elif create_graph:
        tensor.grad = grad
    else:
        tensor.grad = Tensor._make(grad._data.copy() if id(grad._data) in stored else grad._data)
    stored.add(id(tensor.grad._data))


def backward(tensor, gradient=None, retain_graph=None, create_graph=False):
    """Accumulate d tensor / d leaf into every leaf's ``.grad``. See :meth:`Tensor.backward`."""
    if not tensor.requires_grad:
        raise RuntimeError("backward: the tensor does not require grad and has no grad_fn")
    gradient = _root_gradient(tensor, gradient, "backward")
    run_backward((tensor,), (gradient,), _retain(retain_graph, create_graph), create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple.

    ``.grad`` is left untouched. With ``create_graph=True`` the results are part of a graph
    and can be differentiated again (Hessian-vector products, second derivatives).

    >>> x = Tensor(3.0, requires_grad=True)
    >>> (dy,) = grad(x**3, x, create_graph=True)
    >>> (d2y,) = grad(dy, x)
    >>> dy.item(), d2y.item()
    (27.0, 18.0)
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    for i, y in enumerate(outputs):
        if not y.requires_grad:
            raise RuntimeError(f"grad: output {i} does not require grad and has no grad_fn")
    root_grads = [_root_gradient(y, g, "grad") for y, g in zip(outputs, grad_outputs)]
    results = run_backward(outputs, root_grads, _retain(retain_graph, create_graph), create_graph, inputs)
    for i, g in enumerate(results):
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} was not used to compute the outputs; pass allow_unused=True to get None for it")
    return results


def _retain(retain_graph, create_graph):
    return create_graph if retain_graph is None else retain_graph


def _as_tuple(xs):
    return tuple(xs) if isinstance(xs, (tuple, list)) else (xs,)


def _root_gradient(tensor, gradient, caller):
    if gradient is None:
        if tensor.size != 1:
            raise RuntimeError(
                f"{caller}: gradient can be implicit only for a scalar output, but the output has "
                f"shape {tensor.shape}; pass gradient= (or grad_outputs=) of that shape"
            )
        return Tensor._make(np.ones_like(tensor._data))
    gradient = gradient if isinstance(gradient, Tensor) else Tensor(gradient, dtype=tensor.dtype)
    if gradient.shape != tensor.shape:
        raise ValueError(f"{caller}: gradient has shape {gradient.shape} but the output has shape {tensor.shape}")
    return gradient


def unbroadcast(grad: Tensor, shape: tuple) -> Tensor:
    """Sum ``grad`` down to ``shape``: the backward rule of broadcasting.

    NOTE: an input broadcast along an axis was used once per position on it, so its gradient is
    the sum of the gradients at those positions.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1
    )
    return grad.sum(axis=axes).reshape(shape)
