"""One op of the graph: :class:`Function` (its forward and backward rule) and :class:`Context`.

Every op is a subclass of :class:`Function` with two static methods::

    forward(ctx, *arrays, **params) -> ndarray      # on plain NumPy arrays
    backward(ctx, grad) -> grad_x or (grad_x, ...)  # on Tensors, with minigrad's own ops

Because ``backward`` is written with Tensor ops, the same rule gives second derivatives when
the walk runs with ``create_graph=True``; otherwise it runs under :func:`no_grad` and records
nothing. :meth:`Function.apply` runs ``forward`` and, when any input needs a gradient, leaves a
:class:`Context` on the output as its ``grad_fn``.

NOTE on speed: every op, and every op of a backward rule, goes through :meth:`Function.apply`,
so its few lines are kept lean (no generator expressions, no ABC checks); a graph node holds
only what backward needs, and no reference cycles, so it is freed as soon as it is unreachable.

Because every op passes through :meth:`Function.apply`, it is also where :func:`minigrad.compile`
listens while it traces a step: ``tracer`` is its recorder then, and None otherwise.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.arrays import as_tensor_array, is_tensor
from minigrad.autograd.grad_mode import grad_enabled

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


# NOTE: every graph node keeps two small tuples (which inputs need a gradient, their versions).
# The common ones are shared rather than made anew, so that a graph of a million ops does not
# hold two million more objects for Python's cyclic garbage collector to scan again and again.
_SHARED_NEEDS = {t: t for n in (1, 2, 3) for t in itertools.product((False, True), repeat=n)}
_SHARED_VERSIONS = {(0,) * n: (0,) * n for n in (1, 2, 3)}

# NOTE: minigrad.compile's recorder while it traces a step (minigrad/tracing.py), else None: the
# eager path pays one check of it per op. It is told each op, inputs and output, as it runs.
tracer: Any = None


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
    >>> y = x * Tensor(3.0)
    >>> y.grad_fn, y.grad_fn.inputs[0] is x, y.grad_fn.needs_input_grad
    (<Mul>, True, (True, False))
    """

    # NOTE: "__dict__" holds what each op's forward saves for its backward (an axis, a mask).
    __slots__ = ("function", "_inputs", "needs_input_grad", "versions", "output", "released", "__dict__")
    function: type[Function]
    _inputs: Tensor | tuple[Tensor, ...]
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
        # NOTE (memory): a single input is kept as itself, not in a tuple, so that a node of a
        # unary op is two objects (its Tensor and this Context) for Python's garbage collector.
        self._inputs = inputs[0] if len(inputs) == 1 else inputs
        self.output = None  # type: ignore[assignment]
        self.released = False

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        """The input Tensors, in the order the op took them."""
        inputs = self._inputs
        return inputs if type(inputs) is tuple else (inputs,)  # type: ignore[return-value]

    @inputs.setter
    def inputs(self, inputs: tuple[Tensor, ...]) -> None:
        self._inputs = inputs[0] if len(inputs) == 1 else inputs

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
    def apply(cls, *inputs: Any, **params: Any) -> Tensor:
        """Run the op on ``inputs`` (Tensors, or array-likes beside a Tensor) and record it in the graph when needed.

        Keyword arguments go to ``forward`` as parameters (an axis, a slope), not as inputs.

        Examples
        --------
        >>> from minigrad.ops.relu_family import LeakyReLU
        >>> LeakyReLU.apply(Tensor([-1.0, 1.0], requires_grad=True), negative_slope=0.5)
        Tensor([-0.5  1. ], grad_fn=<LeakyReLU>)
        """
        try:
            tensors: tuple[Tensor, ...] = inputs  # if not all Tensors, the next line raises
            arrays = [x._data for x in tensors]
        except AttributeError:  # an input is not a Tensor yet
            tensors = _as_tensors(cls, inputs)
            arrays = [x._data for x in tensors]
        ctx = Context(cls, tensors)
        try:
            data = cls.forward(ctx, *arrays, **params)
        except ValueError as error:
            shapes = " and ".join(str(x.shape) for x in tensors)
            raise ValueError(f"{cls.__name__}: cannot apply to shapes {shapes}: {error}") from None
        if tracer is not None:
            data = tracer.record(ctx, params, data)
        # NOTE: the engine sits below the Tensor class (whose methods call the ops), so it makes the
        # output through an input: Tensor._make wraps an array an op made.
        make = tensors[0]._make
        if grad_enabled():
            needs = tuple([x._requires_grad for x in tensors])
            if True in needs:
                versions = tuple([x._version for x in tensors])
                ctx.needs_input_grad = _SHARED_NEEDS.get(needs, needs)
                ctx.versions = _SHARED_VERSIONS.get(versions, versions)
                return make(data, True, ctx)
        # NOTE: nothing needs a gradient (or recording is off): no graph node, the Context is dropped.
        return make(data)


def _as_tensors(function: type[Function], inputs: tuple[Any, ...]) -> tuple[Tensor, ...]:
    """The inputs of ``function``, each array-like among them made a Tensor (of a copy, as ``Tensor(x)``:
    the graph must not see later changes to the caller's array)."""
    tensor = next((x for x in inputs if is_tensor(x)), None)
    if tensor is None:
        raise TypeError(f"{function.__name__}.apply: at least one input must be a Tensor")
    return tuple(x if is_tensor(x) else tensor._make(np.array(as_tensor_array(x))) for x in inputs)
