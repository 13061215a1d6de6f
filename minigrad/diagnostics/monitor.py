"""ActivationMonitor: what every unit of every activation layer does over the data it sees.

A forward hook on each activation module (``nn.ReLU``, ``nn.Sigmoid``... any class of
:data:`minigrad.nn.activations.ACTIVATIONS`) reads the layer's input and output on each call and
computes its local derivative f'(x) at every entry with minigrad's own autograd: where the output
is one op's node in the model's graph with the input among its inputs, by running that op's
backward rule once on it with dy = 1 (what a backward pass through the node computes, without
walking or changing the graph); otherwise (no graph recorded, or a module of several ops) by
autograd on a copy of the input. Where the units are follows PyTorch's layouts: an
output of shape (N, units) (a Linear layer's) has its units on the last axis; an output with
more than two axes is (N, C, L) or (N, C, H, W) (NCHW, a convolution's), and its units are the
C **channels** on axis 1, each seen at every position of every example. Per unit (or channel),
over every example seen since the last :meth:`ActivationMonitor.reset`:

- **active**: the fraction of examples (of positions of examples, for a channel) where it is
  active: for the sigmoid/tanh family its derivative is at least 1 % of its peak, for the
  others (rectifiers) its input is positive;
- **dead** (ReLU family): zero output and zero derivative on every example (at every position);
- **saturated** (sigmoid/tanh family): derivative below 1 % of its peak on every example (at
  every position).

The states are :func:`minigrad.analysis.stats.unit_states`, the ones the graph pictures draw: a unit is
dead over an epoch exactly when it is dead in every batch of it. The monitor also keeps the
gradient arriving at each activation's output during backward, for :func:`gradient_flow`.

>>> import numpy as np
>>> from minigrad import Tensor, nn
>>> model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU())
>>> with ActivationMonitor(model) as monitor:
...     _ = model(Tensor(np.ones((4, 2))))
>>> monitor.summary()["1"].units
3
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from minigrad.analysis import stats
from minigrad.autograd import Function, call_backward, enable_grad, grad, no_grad
from minigrad.nn.activations import ACTIVATIONS
from minigrad.nn.module import Module
from minigrad.tensor import Tensor, _HookHandle

ACTIVATION_TYPES = tuple(ACTIVATIONS.values())
DEAD, SATURATED = stats.UNIT_STATES.index("dead"), stats.UNIT_STATES.index("saturated")


def local_derivative(module: Module, x: Tensor) -> np.ndarray:
    """f'(x) at every entry of ``x`` for an elementwise activation module, by autograd on a copy.

    Examples
    --------
    >>> local_derivative(nn.ReLU(), Tensor([-1.0, 2.0])), local_derivative(nn.Sigmoid(), Tensor([0.0]))
    (array([0., 1.]), array([0.25]))
    """
    return _differentiate(module, x)[1]


def _differentiate(module: Module, x: Tensor) -> tuple[type[Function], np.ndarray]:
    """The op an activation module runs (the last node of its graph) and f'(x), on a copy of ``x``."""
    x = Tensor(x.numpy(), requires_grad=True)
    with enable_grad():
        y = module.forward(x)
    (d,) = grad(y, x, grad_outputs=np.ones_like(y.numpy()))
    assert y.grad_fn is not None  # y was made from x, which requires grad
    return y.grad_fn.function, d.numpy()


def _differentiate_node(x: Tensor, y: Any) -> tuple[type[Function], np.ndarray] | None:
    """The op whose node made ``y`` and f'(x) by that op's backward rule with dy = 1, when ``x`` is
    one input of the node (None otherwise: no node, or ``y`` not made from ``x`` by a single op).

    Examples
    --------
    >>> x = Tensor([-1.0, 2.0], requires_grad=True)
    >>> _differentiate_node(x, F.relu(x))
    (<class 'minigrad.ops.relu_family.ReLU'>, array([0., 1.]))
    """
    node = getattr(y, "grad_fn", None)
    if node is None or [t is x for t in node.inputs].count(True) != 1:
        return None
    with no_grad():
        grads = call_backward(node, y, Tensor(np.ones_like(y._data)))
    d = grads[[t is x for t in node.inputs].index(True)]
    if d is None or d._data.shape != x._data.shape or d._data.dtype != x._data.dtype:
        return None  # NOTE: what the walk would still reshape or cast is left to the general path
    return node.function, d._data


@dataclass
class UnitStats:
    """One activation layer's units over the examples seen.

    ``active`` is per unit the fraction of examples where it was active; ``dead`` and
    ``saturated`` are per-unit masks; the derivatives are of every entry seen, and
    ``derivative_peak`` is the largest the op's class states it can be (None if it states none).
    ``channels`` is True when the units are the channels of an (N, C, ...) output (axis 1, as in
    PyTorch's NCHW), each seen at ``positions`` places per example (on average, if the batches'
    lengths differed; 1 for an (N, units) output).

    Examples
    --------
    >>> from minigrad.data import make_moons
    >>> X, _ = make_moons(32, rng=0)
    >>> model = nn.MLP([2, 8, 2], rng=0)
    >>> with ActivationMonitor(model) as monitor:
    ...     _ = model(Tensor(X))
    >>> stats = monitor.summary()["layers.1"]
    >>> stats.kind, stats.examples, stats.units, stats.dead.tolist().index(True), stats.dead_fraction
    ('ReLU', 32, 8, 4, 0.125)
    >>> stats.channels, stats.unit_word
    (False, 'units')
    """

    name: str
    kind: str
    family: str | None
    derivative_peak: float | None
    examples: int
    active: np.ndarray
    dead: np.ndarray
    saturated: np.ndarray
    max_derivative: float
    mean_derivative: float
    channels: bool = False
    positions: int = 1

    @property
    def units(self) -> int:
        """The number of units (the width of the layer), or of channels."""
        return len(self.active)

    @property
    def unit_word(self) -> str:
        """'channels' or 'units': what a report calls them."""
        return "channels" if self.channels else "units"

    @property
    def dead_fraction(self) -> float:
        """The share of units dead on every example seen."""
        return float(np.mean(self.dead))

    @property
    def saturated_fraction(self) -> float:
        """The share of units saturated on every example seen."""
        return float(np.mean(self.saturated))

    @property
    def active_fraction(self) -> float:
        """Mean over units of the fraction of examples where each was active."""
        return float(np.mean(self.active))

    @property
    def never_active_fraction(self) -> float:
        """Units active on no example: dead for ReLU; for leaky ReLU or ELU, off but still passing gradient."""
        return float(np.mean(self.active == 0))

    def to_dict(self) -> dict[str, Any]:
        """The layer's name, kind, counts, shares and derivatives as plain data, for a JSON file.

        Examples
        --------
        >>> model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh())
        >>> with ActivationMonitor(model) as monitor:
        ...     _ = model(Tensor(np.zeros((3, 2))))
        >>> sorted(monitor.summary()["1"].to_dict())[:4]
        ['active_fraction', 'dead_fraction', 'examples', 'kind']
        """
        keys = (
            "units",
            "unit_word",
            "positions",
            "examples",
            "dead_fraction",
            "saturated_fraction",
            "active_fraction",
            "never_active_fraction",
            "max_derivative",
            "mean_derivative",
        )
        return {"name": self.name, "kind": self.kind, **{k: getattr(self, k) for k in keys}}


class _Tally:
    """Running counts for one layer: a unit is dead (saturated) over all the batches seen exactly
    when it is dead (saturated) in each of them."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        # NOTE: the op the layer runs is read from the graph of its first batch; until then the base
        # class, which states no facts.
        self.op: type[Function] = Function
        self.examples, self.seen, self.channels = 0, 0, False  # seen: entries per unit (examples x positions)
        # per unit: how often active, dead and saturated so far (0-d until a batch gives them a length)
        self.active, self.dead, self.saturated = np.asarray(0), np.asarray(True), np.asarray(True)
        self.max_derivative, self.derivative_sum, self.entries = 0.0, 0.0, 0

    def add(self, op: type[Function], x: np.ndarray, output: np.ndarray, local: np.ndarray) -> None:
        self.op = op
        x, output, local = np.atleast_1d(x, output, local)
        examples = output.shape[0] if output.ndim > 1 else 1
        self.channels = output.ndim > 2
        states = stats.unit_states(op, output, local)
        x, output, local = stats.units_last(x), stats.units_last(output), stats.units_last(local)
        if states is None:  # outside both families (ELU, GELU...): never dead, never saturated
            states = np.zeros(output.shape[-1], dtype=np.int8)
        peak = stats.derivative_peak(op)
        if stats.family(op) == "saturating" and peak is not None:
            active = np.abs(local) >= stats.SATURATION_LEVEL * peak
        else:
            active = x > 0
        self.examples += examples
        self.seen += output.size // output.shape[-1]
        self.active = self.active + np.sum(active, axis=tuple(range(output.ndim - 1)))
        self.dead = self.dead & (states == DEAD)
        self.saturated = self.saturated & (states == SATURATED)
        magnitude = np.abs(local)
        self.max_derivative = max(self.max_derivative, float(magnitude.max(initial=0.0)))
        self.derivative_sum += float(magnitude.sum())
        self.entries += magnitude.size

    def result(self, name: str) -> UnitStats:
        return UnitStats(
            name,
            self.kind,
            stats.family(self.op),
            stats.derivative_peak(self.op),
            self.examples,
            self.active / self.seen,
            self.dead,
            self.saturated,
            self.max_derivative,
            self.derivative_sum / self.entries,
            self.channels,
            self.seen // self.examples,
        )


class ActivationMonitor:
    """Watch every activation layer of ``model`` through forward hooks.

    Usage: attach, run batches (training or not), then read :meth:`summary` for the examples
    seen so far, or call :meth:`end_epoch` after each epoch (or batch) to keep a history and
    start counting afresh. ``with ActivationMonitor(model) as m:`` removes the hooks at the end.

    Attributes
    ----------
    layers : list of str
        Dotted names of the activation modules watched, in the model's order.
    history : list of dict
        One :meth:`summary` per :meth:`end_epoch`.
    grads : dict
        Layer name -> the gradient (ndarray) that reached its output in the latest backward.

    Examples
    --------
    >>> from minigrad.data import make_moons
    >>> X, y = make_moons(32, rng=0)
    >>> model = nn.MLP([2, 8, 2], rng=0)
    >>> monitor = ActivationMonitor(model)
    >>> F.cross_entropy(model(Tensor(X)), y).backward()
    >>> monitor.layers, monitor.summary()["layers.1"].dead_fraction, monitor.grads["layers.1"].shape
    (['layers.1'], 0.125, (32, 8))
    >>> monitor.remove()
    """

    def __init__(self, model: Module) -> None:
        self.layers: list[str] = []
        self.history: list[dict[str, UnitStats]] = []
        self.grads: dict[str, np.ndarray] = {}
        self._kinds: dict[str, str] = {}
        self._tallies: dict[str, _Tally] = {}
        self._handles: list[_HookHandle] = []
        for name, module in model.named_modules():
            if isinstance(module, ACTIVATION_TYPES):
                self.layers.append(name)
                self._kinds[name] = type(module).__name__
                self._handles.append(module.register_forward_hook(self._observer(name)))
        self.reset()

    def _observer(self, name: str) -> Callable[[Module, tuple[Any, ...], Any], None]:
        def keep(grad: Tensor) -> None:
            self.grads[name] = grad.numpy()

        def observe(module: Module, inputs: tuple[Any, ...], output: Any) -> None:
            x = inputs[0]
            op, local = _differentiate_node(x, output) or _differentiate(module, x)
            self._tallies[name].add(op, x.numpy(), output.numpy(), local)
            if output.requires_grad:
                output.register_hook(keep)

        return observe

    def reset(self) -> None:
        """Forget the examples seen (not the history).

        Examples
        --------
        >>> model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU())
        >>> with ActivationMonitor(model) as monitor:
        ...     _ = model(Tensor(np.ones((4, 2))))
        ...     monitor.reset()
        >>> monitor.summary()
        {}
        """
        self._tallies = {name: _Tally(self._kinds[name]) for name in self.layers}

    def summary(self) -> dict[str, UnitStats]:
        """Layer name -> :class:`UnitStats` over the examples seen since the last reset.

        Examples
        --------
        >>> model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU())
        >>> with ActivationMonitor(model) as monitor:
        ...     _ = model(Tensor(np.ones((4, 2))))
        ...     _ = model(Tensor(np.ones((6, 2))))
        >>> {name: stats.examples for name, stats in monitor.summary().items()}
        {'1': 10}
        """
        return {name: self._tallies[name].result(name) for name in self.layers if self._tallies[name].examples}

    def end_epoch(self) -> dict[str, UnitStats]:
        """Append :meth:`summary` to the history, reset, and return it.

        Examples
        --------
        >>> model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU())
        >>> with ActivationMonitor(model) as monitor:
        ...     for epoch in range(2):
        ...         _ = model(Tensor(np.ones((4, 2))))
        ...         _ = monitor.end_epoch()
        >>> len(monitor.history), monitor.summary()
        (2, {})
        """
        summary = self.summary()
        self.history.append(summary)
        self.reset()
        return summary

    def trajectory(self, attribute: str) -> dict[str, list[Any]]:
        """Layer name -> the history of one :class:`UnitStats` attribute, e.g. 'dead_fraction'.

        Examples
        --------
        >>> model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU())
        >>> with ActivationMonitor(model) as monitor:
        ...     for epoch in range(3):
        ...         _ = model(Tensor(np.ones((4, 2))))
        ...         _ = monitor.end_epoch()
        >>> monitor.trajectory("examples")
        {'1': [4, 4, 4]}
        """
        return {
            name: [getattr(epoch[name], attribute) for epoch in self.history if name in epoch] for name in self.layers
        }

    def remove(self) -> None:
        """Unregister the hooks (leaving a ``with`` block does it too).

        Examples
        --------
        >>> relu = nn.ReLU()
        >>> monitor = ActivationMonitor(relu)
        >>> monitor.remove()
        >>> relu._forward_hooks
        []
        """
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def __enter__(self) -> ActivationMonitor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()
