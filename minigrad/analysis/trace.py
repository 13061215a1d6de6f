"""Trace: the graph that led to a root, walked once, with the gradient at every value and the
gradient and local derivative along every edge.

The gradients come from one extra backward pass through the retained graph with
:func:`minigrad.grad` (so no ``.grad`` changes). Each op's own backward rule is then called
again, under :class:`~minigrad.no_grad`, three ways:

- with the real gradient of its output: what flows back along each input edge;
- with ones: each input's elementwise derivative d out / d input, when the op is elementwise in
  that input (for a scalar graph, the local derivative itself);
- with a fixed random probe v, to test that: an op is elementwise in an input exactly when its
  backward sends v * (its answer to ones). Other edges (matmul, sums) get a *gain* instead:
  RMS of what flows back / RMS of what arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from minigrad.analysis import stats
from minigrad.analysis.graph import op_inputs, walk_graph
from minigrad.analysis.record import ModuleCall, Recording
from minigrad.autograd import Context, call_backward, no_grad
from minigrad.autograd import grad as autograd_grad
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Tensor


@dataclass(eq=False)
class Value:
    """A tensor in the picture: ``role`` is 'root', 'param', 'input', 'const' or 'value'.

    Examples
    --------
    >>> x = Tensor([1.0, -1.0], requires_grad=True)
    >>> [(v.key, v.role, v.state, v.grad) for v in trace((x.relu() * 2).sum()).values]
    [('v0', 'root', 'ok', array(1.)), ('v1', 'value', 'ok', array([1., 1.])), ('v2', 'value', 'ok', array([2., 2.])), ('v3', 'input', 'ok', array([2., 0.]))]
    """

    key: str
    tensor: Tensor
    role: str
    producer: Op | None = None
    grad: np.ndarray | None = None
    underflowed: np.ndarray | None = None
    state: str | None = None
    units: np.ndarray | None = None

    def inputs(self) -> list[Value]:
        """The values its op took, in order (none for a leaf): the trace's graph, for
        :func:`~minigrad.analysis.graph.walk_graph`.

        Examples
        --------
        >>> x = Tensor([1.0, -1.0], requires_grad=True)
        >>> [v.key for v in trace((x.relu() * 2).sum()).values[1].inputs()]
        ['v2']
        """
        return [] if self.producer is None else [edge.source for edge in self.producer.edges]


@dataclass(eq=False)
class Edge:
    """One input of an op: what flowed back to it, and the op's local derivative in it.

    ``local`` is set for an op that is elementwise in that input, ``gain`` (RMS out / RMS in)
    for the others.

    Examples
    --------
    >>> x = Tensor([1.0, -1.0], requires_grad=True)
    >>> relu = trace((x.relu() * 2).sum()).ops[-1]
    >>> relu.name, relu.edges[0].local, relu.edges[0].flow
    ('ReLU', array([1., 0.]), array([2., 0.]))
    """

    source: Value
    flow: np.ndarray | None = None
    local: np.ndarray | None = None
    gain: float | None = None


@dataclass(eq=False)
class Op:
    """One op node: the Context, its output, one edge per input, the module call that made it.

    Examples
    --------
    >>> x = Tensor([1.0, -1.0], requires_grad=True)
    >>> [(op.key, op.name, op.output.key, [e.source.key for e in op.edges]) for op in trace((x.relu() * 2).sum()).ops]
    [('f0', 'Sum', 'v0', ['v1']), ('f1', 'MulScalar', 'v1', ['v2']), ('f2', 'ReLU', 'v2', ['v3'])]
    """

    key: str
    ctx: Context
    output: Value
    edges: list[Edge] = field(default_factory=list)
    module: ModuleCall | None = None  # the innermost module call that made it (with a recording)

    @property
    def name(self) -> str:
        """The op's class name, e.g. 'ReLU'."""
        return self.ctx.name


@dataclass(eq=False)
class Trace:
    """Everything the drawing needs, in traversal order (root first).

    ``scale`` is the RMS of the root's own gradient, which every other is compared with.

    Examples
    --------
    >>> x = Tensor([1.0, -1.0], requires_grad=True)
    >>> traced = trace((x.relu() * 2).sum())
    >>> traced.root.key, len(traced.values), len(traced.ops), traced.scale, traced.threshold
    ('v0', 4, 3, 1.0, 1e-06)
    """

    root: Value
    values: list[Value]
    ops: list[Op]
    scale: float
    threshold: float


def walk(root: Tensor) -> tuple[list[Value], list[Op]]:
    """Values and ops that led to ``root``, named v0, v1, ... and f0, f1, ... as first reached.

    The order of :func:`~minigrad.analysis.graph.walk_graph`, so the names depend only on the
    computation. Raises a RuntimeError when backward already freed part of the graph.

    Examples
    --------
    >>> x = Tensor([1.0, -1.0], requires_grad=True)
    >>> values, ops = walk((x.relu() * 2).sum())
    >>> [(v.key, v.role) for v in values], [(op.key, op.name) for op in ops]
    ([('v0', 'root'), ('v1', 'value'), ('v2', 'value'), ('v3', 'input')], [('f0', 'Sum'), ('f1', 'MulScalar'), ('f2', 'ReLU')])
    """
    if not isinstance(root, Tensor) or not root.requires_grad:
        raise RuntimeError("draw_graph: the root does not require grad, so no graph led to it")
    values: list[Value] = []
    ops: list[Op] = []
    value_of: dict[Tensor, Value] = {}
    for tensor in walk_graph([root], op_inputs):
        value = value_of[tensor] = Value(f"v{len(values)}", tensor, _role(tensor, tensor is root))
        values.append(value)
        ctx = tensor.grad_fn
        if ctx is None:
            continue
        if ctx.released:
            raise RuntimeError(
                f"draw_graph: the graph through {ctx.name} (output shape {tensor.shape}) was freed by a "
                "backward() call. draw_graph runs its own backward pass, so call it before "
                "loss.backward(), or call loss.backward(retain_graph=True) first."
            )
        value.producer = Op(f"f{len(ops)}", ctx, value)
        ops.append(value.producer)
    for op in ops:
        op.edges = [Edge(value_of[x]) for x in op.ctx.inputs]
    return values, ops


def _role(tensor: Tensor, is_root: bool) -> str:
    if is_root:
        return "root"
    if tensor.grad_fn is not None:
        return "value"
    if isinstance(tensor, Parameter):
        return "param"
    return "input" if tensor.requires_grad or tensor.name or tensor.numel() > 1 else "const"


def trace(
    root: Tensor, gradient: ArrayLike | None = None, threshold: float = 1e-6, recording: Recording | None = None
) -> Trace:
    """Walk the graph of ``root`` and compute every gradient, flow, local derivative and state.

    Parameters
    ----------
    root : Tensor
        The output to differentiate; it must require grad.
    gradient : array_like, optional
        d final / d root; may be omitted for a one-element root.
    threshold : float
        Relative RMS gradient below which a value counts as vanishing.
    recording : Recording, optional
        Module calls recorded during the forward pass (see :func:`minigrad.analysis.record`).

    Examples
    --------
    >>> x = Tensor([1.0, -1.0], requires_grad=True)
    >>> loss = (x.relu() * 2).sum()
    >>> traced = trace(loss)
    >>> relu = traced.ops[-1]
    >>> relu.output.grad, relu.edges[0].local, relu.edges[0].source.grad, relu.output.units
    (array([2., 2.]), array([1., 0.]), array([2., 0.]), array([0, 2], dtype=int8))
    >>> x.grad is None                               # no .grad was changed
    True
    """
    values, ops = walk(root)
    needing = [v for v in values if v.tensor.requires_grad]
    root_grad = None if gradient is None else (Tensor(gradient, dtype=root.dtype),)
    # NOTE: quiet about inf and NaN: the picture flags them where they arise.
    with np.errstate(all="ignore"):
        grads = autograd_grad(
            root, [v.tensor for v in needing], grad_outputs=root_grad, retain_graph=True, allow_unused=True
        )
    for value, g in zip(needing, grads):
        value.grad = None if g is None else g.numpy()
        value.underflowed = np.zeros(value.tensor.shape, dtype=bool)
    assert values[0].grad is not None  # the root's own: ones, or the gradient given
    scale = stats.rms(values[0].grad)
    scale = scale if 0 < scale < np.inf else 1.0
    probe_rng = np.random.default_rng(0)
    # Reverse topological order: every consumer of a value is done before the op that made it.
    for value in reversed(list(walk_graph([values[0]], Value.inputs, inputs_first=True))):
        if value.grad is not None:
            if value.producer is not None:
                _fill_edges(value.producer, probe_rng)
            assert value.underflowed is not None  # set with the gradient above
            value.state = stats.state_of(value.grad, value.underflowed, scale, threshold)
    for op in ops:
        op.module = recording.module_of(op.ctx) if recording is not None else None
        local = op.edges[0].local if len(op.edges) == 1 else None
        if local is not None:
            op.output.units = stats.unit_states(op.ctx.function, op.output.tensor.numpy(), local)
    return Trace(values[0], values, ops, scale, threshold)


def _backward(op: Op, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
    """The op's own backward rule on a plain array, as a tuple of arrays (None where no grad)."""
    # NOTE: probing with ones may divide by zero where the real gradient did not; stay quiet.
    with no_grad(), np.errstate(all="ignore"):
        grads = call_backward(op.ctx, op.output.tensor, Tensor._make(grad))
    return tuple(None if g is None else g.numpy() for g in grads)


def _fill_edges(op: Op, rng: np.random.Generator) -> None:
    upstream = op.output.grad
    assert upstream is not None  # trace fills in the edges of values that got a gradient
    flows = _backward(op, upstream)
    ones = _backward(op, np.ones_like(upstream))
    probe = rng.uniform(0.5, 1.5, upstream.shape).astype(upstream.dtype)
    probed = _backward(op, probe)
    for edge, flow, d, answer in zip(op.edges, flows, ones, probed):
        if flow is None or not edge.source.tensor.requires_grad:
            continue
        assert d is not None and answer is not None  # a rule that sends a flow here sends one for any input
        edge.flow = flow
        tolerance = 1e3 * np.finfo(flow.dtype).eps
        if d.shape == upstream.shape and np.allclose(answer, probe * d, rtol=tolerance, atol=0, equal_nan=True):
            edge.local = d
        elif stats.rms(upstream) > 0:
            edge.gain = stats.rms(flow) / stats.rms(upstream)
        edge.source.underflowed |= _underflowed(op, edge, upstream)


def _underflowed(op: Op, edge: Edge, upstream: np.ndarray) -> np.ndarray:
    """Entries of the edge's flow that are zero or denormal only because of rounding.

    Where the upstream gradient was a normal number, a small flow is rounding unless the local
    derivative is exactly 0 by the op's rule (it never is for exp, sigmoid, tanh...). Where the
    upstream gradient was itself small, the flow inherits the upstream's verdict. NOTE: for an
    edge that is not elementwise the entries mix, so its zero flow counts as rounding only when
    the whole upstream gradient is zero and some of it was rounding.
    """
    assert edge.flow is not None  # set by _fill_edges just before
    small_flow = stats.rounded_to_zero(edge.flow)
    small_up = stats.rounded_to_zero(upstream)
    inherited = op.output.underflowed | (small_up & (upstream != 0))
    if edge.local is None:
        return small_flow & bool(np.all(small_up) and np.any(inherited))
    by_rule = (edge.local == 0) & (not stats.derivative_never_zero(op.ctx.function))
    return small_flow & np.where(small_up, inherited, ~by_rule)
