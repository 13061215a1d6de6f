"""The engine: Function (one op), Context (its node in the graph), and the reverse walk.

Every op is a subclass of :class:`Function` with two static methods::

    forward(ctx, *arrays, **params) -> ndarray      # on plain NumPy arrays
    backward(ctx, grad) -> grad_x or (grad_x, ...)  # on Tensors, with minigrad's own ops

Because ``backward`` is written with Tensor ops, the same rule gives second derivatives when
the walk runs with ``create_graph=True``; otherwise it runs under :func:`no_grad` and records
nothing. :meth:`Function.apply` runs ``forward`` and, when any input needs a gradient, leaves a
:class:`Context` on the output as its ``grad_fn``. :func:`run_backward` applies the chain rule
from the root back, taking each tensor once every op that used it has sent its gradient
(iteratively, so depth is no limit).

NOTE on speed: every op, and every op of a backward rule, goes through :meth:`Function.apply`,
so its few lines are kept lean (no generator expressions, no ABC checks); a graph node holds
only what backward needs, and no reference cycles, so it is freed as soon as it is unreachable.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar, overload

import numpy as np
from numpy.typing import ArrayLike

_grad_enabled = True

P = ParamSpec("P")
R = TypeVar("R")


def is_grad_enabled() -> bool:
    """Whether ops record the graph right now (see :class:`no_grad`).

    Examples
    --------
    >>> with minigrad.no_grad():
    ...     print(is_grad_enabled())
    False
    >>> is_grad_enabled()
    True
    """
    return _grad_enabled


class _GradMode:
    """Context manager and decorator that sets whether ops record the graph."""

    enabled: bool

    def __enter__(self) -> None:
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.enabled

    def __exit__(self, *exc_info: object) -> None:
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, function: Callable[P, R]) -> Callable[P, R]:
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with type(self)():
                return function(*args, **kwargs)

        wrapper.__name__, wrapper.__doc__ = function.__name__, function.__doc__
        return wrapper


class no_grad(_GradMode):
    """Ops inside ``with minigrad.no_grad():`` record no graph: for inference and updates.

    Also a decorator: ``@no_grad()`` runs the function without recording.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    enabled = False


class enable_grad(_GradMode):
    """Turns recording back on inside a :class:`no_grad` block (a context manager or decorator).

    Examples
    --------
    >>> x = Tensor([1.0], requires_grad=True)
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = x * 2
    >>> y.requires_grad
    True
    """

    enabled = True


# NOTE: every graph node keeps two small tuples (which inputs need a gradient, their versions).
# The common ones are shared rather than made anew, so that a graph of a million ops does not
# hold two million more objects for Python's cyclic garbage collector to scan again and again.
_SHARED_NEEDS = {t: t for n in (1, 2, 3) for t in itertools.product((False, True), repeat=n)}
_SHARED_VERSIONS = {(0,) * n: (0,) * n for n in (1, 2, 3)}


class Context:
    """One node of the graph: which op made a tensor, from which inputs, and what backward needs.

    ``inputs`` are the input Tensors (kept, so that backward can be written with them);
    ``versions`` their version counters when the op ran (see :func:`_check_unchanged`);
    ``output`` is the Tensor the op made, set by the reverse walk while this node's backward runs
    (the output holds its Context as ``grad_fn``, so a permanent link back would be a cycle).
    Ops may set further attributes in ``forward`` (an axis, a mask) for ``backward`` to read.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * 3
    >>> y.grad_fn, y.grad_fn.inputs[0] is x, y.grad_fn.needs_input_grad
    (<Mul>, True, (True, False))
    """

    # NOTE: "__dict__" holds what each op's forward saves for its backward (an axis, a mask).
    __slots__ = ("function", "inputs", "needs_input_grad", "versions", "output", "released", "__dict__")
    function: type[Function]
    inputs: tuple[Tensor, ...]
    needs_input_grad: tuple[bool, ...]
    versions: tuple[int, ...]
    output: Tensor  # NOTE: set only while this node's backward runs (None otherwise)
    released: bool

    # NOTE: for the type checker only: forward may leave backward any attribute (ctx.axis, ctx.mask).
    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any: ...
        def __setattr__(self, name: str, value: Any) -> None: ...

    def __init__(self, function: type[Function], inputs: tuple[Tensor, ...]) -> None:
        self.function = function
        self.inputs = inputs
        self.output = None  # type: ignore[assignment]
        self.released = False

    @property
    def name(self) -> str:
        """The op's class name, e.g. 'Mul'."""
        return self.function.__name__

    def __repr__(self) -> str:
        return f"<{self.name}>"


class Function:
    """Base class of every op. Subclass it, write ``forward`` and ``backward``, call ``apply``.

    ``forward(ctx, *arrays, **params)`` gets the inputs' NumPy arrays and returns an array.
    ``backward(ctx, grad)`` gets the gradient of the final output with respect to this op's
    output (a Tensor) and returns one gradient per input (a Tensor, or None for an input that
    needs none), written with Tensor ops on ``ctx.inputs`` and ``ctx.output`` so that it can be
    differentiated again. ``ctx.needs_input_grad[i]`` says which inputs need one.

    Examples
    --------
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
    def forward(ctx: Context, *arrays: Any, **params: Any) -> np.ndarray:
        """The op's value, from the inputs' NumPy arrays; may leave on ``ctx`` what backward needs."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor | None | tuple[Tensor | None, ...]:
        """The chain rule for this op: from ``grad`` = d final / d output, each input's gradient."""
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Tensor | ArrayLike, **params: Any) -> Tensor:
        """Run the op on Tensors (or array-likes) and record it in the graph when needed.

        Keyword arguments go to ``forward`` as parameters (an axis, a slope), not as inputs.

        Examples
        --------
        >>> from minigrad.ops.relu_family import LeakyReLU
        >>> LeakyReLU.apply(Tensor([-1.0, 1.0], requires_grad=True), negative_slope=0.5)
        Tensor([-0.5  1. ], grad_fn=<LeakyReLU>)
        """
        try:
            tensors: tuple[Tensor, ...] = inputs  # type: ignore[assignment]  # if not, the next line raises
            arrays = [x._data for x in tensors]
        except AttributeError:  # an input is not a Tensor yet
            tensors = tuple(x if isinstance(x, Tensor) else Tensor(x) for x in inputs)
            arrays = [x._data for x in tensors]
        ctx = Context(cls, tensors)
        try:
            data = cls.forward(ctx, *arrays, **params)
        except ValueError as error:
            shapes = " and ".join(str(x.shape) for x in tensors)
            raise ValueError(f"{cls.__name__}: cannot apply to shapes {shapes}: {error}") from None
        if _grad_enabled:
            needs = tuple([x.requires_grad for x in tensors])
            if True in needs:
                versions = tuple([x._version for x in tensors])
                ctx.needs_input_grad = _SHARED_NEEDS.get(needs, needs)
                ctx.versions = _SHARED_VERSIONS.get(versions, versions)
                return Tensor._make(data, True, ctx)
        # NOTE: nothing needs a gradient (or recording is off): no graph node, the Context is dropped.
        return Tensor._make(data)


# ---------------------------------------------------------------------------------------------
# The reverse walk
# ---------------------------------------------------------------------------------------------


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


def _check_unchanged(ctx: Context, output: Tensor) -> None:
    """Refuse a node whose graph was freed, or whose inputs or output changed since the op ran.

    NOTE: every change in place (``add_``, ``x.data = ...``, ``x.data -= ...``) bumps the tensor's
    version, so comparing version counters catches them all.
    """
    if ctx.released:
        raise RuntimeError(
            f"backward through {ctx.name} a second time: its graph was freed by the first "
            "backward; pass retain_graph=True to the first call to keep it"
        )
    if output._version != 0 or tuple([x._version for x in ctx.inputs]) != ctx.versions:
        changed = [i for i, x in enumerate(ctx.inputs) if x._version != ctx.versions[i]]
        role, tensor = (f"input {changed[0]}", ctx.inputs[changed[0]]) if changed else ("its output", output)
        raise RuntimeError(
            f"{ctx.name}: {role} (shape {tensor.shape}) was modified in place after the op "
            "used it; its gradient would be wrong. Modify a copy, or do it before the op."
        )


def call_backward(ctx: Context, output: Tensor, grad: Tensor) -> tuple[Tensor | None, ...]:
    """Run the backward rule of the op that made ``output``, with ``ctx.output`` set meanwhile.

    Returns one gradient per input, as a tuple.

    Examples
    --------
    >>> x, w = Tensor(2.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    >>> y = x * w
    >>> with no_grad():
    ...     call_backward(y.grad_fn, y, Tensor(1.0))     # (dy/dx, dy/dw) = (w, x)
    (Tensor(3.), Tensor(2.))
    """
    ctx.output = output
    try:
        grads = ctx.function.backward(ctx, grad)
    finally:
        ctx.output = None  # type: ignore[assignment]
    return grads if isinstance(grads, tuple) else (grads,)


def _input_grads(ctx: Context, output: Tensor, grad: Tensor) -> tuple[Tensor | None, ...]:
    """Run one op's backward rule and check what it returns: one gradient per input, each of the
    input's shape and dtype (a float32 input of a float64 op gets its gradient cast back)."""
    grads = call_backward(ctx, output, grad)
    if len(grads) != len(ctx.inputs):
        raise RuntimeError(f"{ctx.name}.backward returned {len(grads)} gradients for {len(ctx.inputs)} inputs")
    for x, g in zip(ctx.inputs, grads):
        if g is not None and (g._data.shape != x._data.shape or g._data.dtype != x._data.dtype):
            return tuple(_matching(ctx, x, g) for x, g in zip(ctx.inputs, grads))
    return grads


def _matching(ctx: Context, x: Tensor, g: Tensor | None) -> Tensor | None:
    """``g`` as a gradient for ``x``: a shape mismatch is a bug in the rule, a dtype one is cast."""
    if g is None:
        return None
    if g.shape != x.shape:
        raise RuntimeError(
            f"{ctx.name}.backward returned a gradient of shape {g.shape} for an input of shape {x.shape}"
        )
    return g if g.dtype == x.dtype else g.to(x.dtype)


def _consumer_counts(roots: Sequence[Tensor]) -> dict[Tensor, int]:
    """For every tensor that leads to ``roots`` and needs a gradient: how many recorded op inputs
    it is (an op that used it twice counts twice). Iterative, so depth is no limit."""
    counts: dict[Tensor, int] = {}
    stack = [root for root in roots if root.requires_grad]
    while stack:
        ctx = stack.pop().grad_fn
        if ctx is None:
            continue
        for x in ctx.inputs:
            if not x.requires_grad:
                continue
            if x in counts:
                counts[x] += 1
            else:
                counts[x] = 1
                stack.append(x)
    return counts


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> tuple[Tensor | None, ...]:
    """Apply the chain rule from ``roots`` back to the leaves.

    A tensor's gradient is complete once every op that used it has sent back its part, so the
    walk counts those uses first and takes a tensor when its count reaches zero (Kahn's
    topological order). Without ``inputs``, gradients of leaves accumulate into ``.grad``; with
    ``inputs``, the gradients of those tensors are returned (None where unused) and ``.grad`` is
    left alone. :meth:`Tensor.backward` and :func:`grad` are the ways in.

    Examples
    --------
    >>> x, w = Tensor(2.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    >>> y = x * w
    >>> run_backward((y,), (Tensor(1.0),), retain_graph=False, create_graph=False, inputs=(x, w))
    (Tensor(3.), Tensor(2.))
    """
    global _grad_enabled
    grads: dict[Tensor, Tensor] = {}
    for root, root_grad in zip(roots, root_grads):
        grads[root] = grads[root] + root_grad if root in grads else root_grad
    wanted: dict[Tensor, Tensor | None] = {} if inputs is None else {x: None for x in inputs}
    stored = {id(g._data) for g in root_grads}
    summed: set[int] = set()  # ids of gradient arrays this walk made by adding: only those may be added to in place
    waiting = _consumer_counts(roots)
    ready = [root for root in reversed(grads) if root not in waiting]  # the roots no op used (all need grad)
    previous, _grad_enabled = _grad_enabled, create_graph
    try:
        while ready:
            tensor = ready.pop()
            grad = grads.pop(tensor, None)
            ctx = tensor.grad_fn
            if grad is not None:
                if summed:
                    summed.discard(id(grad._data))  # handed on from here: no longer ours to add to
                if tensor._hooks:
                    for hook in tensor._hooks:
                        replaced = hook(grad)
                        grad = grad if replaced is None else replaced
                if tensor in wanted:
                    wanted[tensor] = grad
                elif inputs is None and (ctx is None or tensor._retains_grad):
                    _store_grad(tensor, grad, stored, create_graph)
            if ctx is None:
                continue
            if grad is None:  # no gradient reached this tensor: its inputs get nothing from it
                input_grads: tuple[Tensor | None, ...] = (None,) * len(ctx.inputs)
            else:
                _check_unchanged(ctx, tensor)
                input_grads = _input_grads(ctx, tensor, grad)
            for x, g in zip(ctx.inputs, input_grads):
                if not x.requires_grad:
                    continue
                if g is None:
                    pass
                elif x not in grads:
                    grads[x] = g
                elif create_graph or id(grads[x]._data) not in summed:
                    grads[x] = grads[x] + g
                    summed.add(id(grads[x]._data))
                else:  # a sum this walk made and nobody else holds: add in place
                    grads[x]._data += g._data
                left = waiting[x] - 1
                waiting[x] = left
                if not left:
                    ready.append(x)
            if grad is not None and not retain_graph:
                ctx.released = True
                ctx.inputs = ()
                ctx.__dict__.clear()
    finally:
        _grad_enabled = previous
    return tuple(wanted.values())


def _store_grad(tensor: Tensor, grad: Tensor, stored: set[int], create_graph: bool) -> None:
    """Accumulate into ``tensor.grad``; never let two tensors share one gradient array."""
    if tensor.grad is not None:
        tensor.grad = tensor.grad + grad
    elif create_graph:
        tensor.grad = grad
    elif id(grad._data) in stored or not grad._data.flags.writeable:  # shared, or a broadcast view
        tensor.grad = Tensor._make(grad._data.copy())
    else:  # an array no other tensor holds: keep the Tensor itself, unless it belongs to a graph
        tensor.grad = Tensor._make(grad._data) if grad.requires_grad else grad
    stored.add(id(tensor.grad._data))


def backward(
    tensor: Tensor, gradient: TensorLike | None = None, retain_graph: bool | None = None, create_graph: bool = False
) -> None:
    """Accumulate d tensor / d leaf into every leaf's ``.grad``. See :meth:`Tensor.backward`.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> backward((x * x).sum())
    >>> x.grad
    Tensor([2. 4.])
    """
    if not tensor.requires_grad:
        raise RuntimeError("backward: the tensor does not require grad and has no grad_fn")
    gradient = _root_gradient(tensor, gradient, "backward")
    run_backward((tensor,), (gradient,), _retain(retain_graph, create_graph), create_graph)


# NOTE: two signatures for the type checker: a gradient may be None only with allow_unused=True.
@overload
def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: TensorLike | Sequence[TensorLike | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: Literal[False] = False,
) -> tuple[Tensor, ...]: ...
@overload
def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: TensorLike | Sequence[TensorLike | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]: ...


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: TensorLike | Sequence[TensorLike | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple.

    ``.grad`` is left untouched. With ``create_graph=True`` the results are part of a graph
    and can be differentiated again (Hessian-vector products, second derivatives).

    Examples
    --------
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
            raise RuntimeError(
                f"grad: input {i} was not used to compute the outputs; pass allow_unused=True to get None for it"
            )
    return results


def _retain(retain_graph: bool | None, create_graph: bool) -> bool:
    return create_graph if retain_graph is None else retain_graph


def _as_tuple(xs: Any) -> tuple[Any, ...]:
    return tuple(xs) if isinstance(xs, (tuple, list)) else (xs,)


def _root_gradient(tensor: Tensor, gradient: TensorLike | None, caller: str) -> Tensor:
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


def unbroadcast(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``grad`` down to ``shape``: the backward rule of broadcasting.

    NOTE: an input broadcast along an axis was used once per position on it, so its gradient is
    the sum of the gradients at those positions.

    Examples
    --------
    >>> g = Tensor(np.ones((2, 3)))        # the gradient of x + b, x of shape (2, 3)
    >>> unbroadcast(g, (3,)), unbroadcast(g, (1, 3))
    (Tensor([2. 2. 2.]), Tensor([[2. 2. 2.]]))
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = [*range(extra)] + [extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1]
    summed = grad.sum(axis=tuple(axes))
    return summed if summed.shape == shape else summed.reshape(shape)


# NOTE: imported last, like tensor.py's ops, so that either module may be imported first.
from minigrad.tensor import Tensor, TensorLike  # noqa: E402
