"""gradient_flow(model): how big the gradient is at each layer after a backward pass.

Parameters keep their gradient in ``.grad``; the gradient that reached an activation's output is
gone after backward unless an :class:`~minigrad.diagnostics.ActivationMonitor` watched the pass::

    monitor = ActivationMonitor(model)
    loss_fn(model(x), y).backward()
    flow = gradient_flow(model, monitor)
    flow.ratio                 # first weighted layer's weight-gradient norm / last one's
    print(flow.table().text())

The weighted layers are Linear, Conv1d, Conv2d and the recurrent layers and cells; a recurrent
layer counts once per layer of its stack, by its input weights ``weight_ih_l{k}`` (a cell's
``weight_ih``): they carry the gradient from layer to layer, as a Linear's weight does, while
``weight_hh`` carries it from step to step. Through time, a :class:`HiddenStateMonitor` that watched
the pass adds ||dL/dh_t|| at every step of each recurrent layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from minigrad.diagnostics.monitor import ActivationMonitor
from minigrad.diagnostics.through_time import RECURRENT, HiddenStateMonitor
from minigrad.nn.convolution import Conv1d, Conv2d
from minigrad.nn.layers import Linear
from minigrad.nn.module import Module
from minigrad.report import Table

# NOTE: an Embedding has a weight but is left out: its gradient lands only in the rows a batch used,
# so its norm says how many were used more than how much gradient arrived.
WEIGHTED = (Linear, Conv1d, Conv2d, *RECURRENT)


def weight_names(module: Module) -> list[str]:
    """The names of ``module``'s weights, input side first; none for a module that is not weighted.

    Examples
    --------
    >>> weight_names(nn.Conv2d(1, 2, 3)), weight_names(nn.LSTMCell(2, 3)), weight_names(nn.ReLU())
    (['weight'], ['weight_ih', 'weight_hh'], [])
    >>> weight_names(nn.GRU(2, 3, num_layers=2))
    ['weight_ih_l0', 'weight_hh_l0', 'weight_ih_l1', 'weight_hh_l1']
    """
    if not isinstance(module, WEIGHTED):
        return []
    return [name for name in module._parameters if name.startswith("weight")]


def _depth_weights(module: Module) -> list[str]:
    """The weights that carry the gradient from one layer to the next: 'weight', or each 'weight_ih...'."""
    return [name for name in weight_names(module) if not name.startswith("weight_hh")]


@dataclass
class GradStats:
    """Size of one gradient: its L2 norm, mean |g| and max |g|.

    ``tensor`` is the parameter's name ('weight', 'bias') or 'output' for the gradient that
    reached an activation layer's output.

    Examples
    --------
    >>> GradStats.of("layers.0", "Linear", "weight", np.array([3.0, -4.0]))
    GradStats(layer='layers.0', kind='Linear', tensor='weight', norm=5.0, mean_abs=3.5, max_abs=4.0)
    """

    layer: str
    kind: str
    tensor: str
    norm: float
    mean_abs: float
    max_abs: float

    @classmethod
    def of(cls, layer: str, kind: str, tensor: str, g: np.ndarray) -> GradStats:
        """The sizes of gradient ``g`` (any shape), labelled with where it was found.

        Examples
        --------
        >>> GradStats.of("layers.1", "ReLU", "output", np.zeros((4, 3))).norm
        0.0
        """
        g = np.abs(np.asarray(g, dtype=np.float64))
        # NOTE: a parameter of no elements (nn.Linear(3, 0)) has mean NaN, as torch's mean of nothing, without
        # NumPy's warnings.
        mean = float(g.mean()) if g.size else float("nan")
        return cls(layer, kind, tensor, float(np.sqrt(np.sum(g * g))), mean, float(g.max(initial=0.0)))


def _ratio(first: float, last: float) -> float:
    return first / last if last else float("nan")


@dataclass
class GradientFlow:
    """Every gradient's size, in the model's order.

    Attributes
    ----------
    rows : list of GradStats
        Parameters and activation outputs, in the order of ``model.named_modules()``.
    weights : list of GradStats
        One weight per weighted layer, first to last: a Linear's or a convolution's ``weight``, the
        ``weight_ih_l{k}`` of each layer of a recurrent stack (a cell's ``weight_ih``).
    activations : list of GradStats
        The activation outputs (empty without a monitor), first to last.
    steps : dict
        Recurrent layer name -> ||dL/dh_t|| for t = 1 .. T (empty without a HiddenStateMonitor).

    Examples
    --------
    >>> from minigrad.data import make_moons
    >>> X, y = make_moons(32, rng=0)
    >>> model = nn.MLP([2, 8, 2], rng=0)
    >>> F.cross_entropy(model(Tensor(X)), y).backward()
    >>> flow = gradient_flow(model)
    >>> [(w.layer, round(w.norm, 3)) for w in flow.weights], round(flow.ratio, 3)
    ([('layers.0', 0.183), ('layers.2', 0.437)], 0.419)
    """

    rows: list[GradStats]
    weights: list[GradStats]
    activations: list[GradStats]
    steps: dict[str, list[float]] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """Norm of the first weighted layer's weight gradient over the last one's (NaN if that is 0)."""
        return _ratio(self.weights[0].norm, self.weights[-1].norm) if self.weights else float("nan")

    @property
    def activation_ratio(self) -> float:
        """The same for the gradients at the first and last activation layers' outputs."""
        acts = self.activations
        return _ratio(acts[0].norm, acts[-1].norm) if acts else float("nan")

    @property
    def step_ratios(self) -> dict[str, float]:
        """Per recurrent layer, ||dL/dh_1|| / ||dL/dh_T||: how much of the gradient at the last
        step's hidden state is left at the first (NaN if none reached the last).

        Examples
        --------
        >>> GradientFlow([], [], [], steps={"rnn": [1e-6, 0.01, 1.0]}).step_ratios
        {'rnn': 1e-06}
        """
        return {name: _ratio(norms[0], norms[-1]) for name, norms in self.steps.items() if norms}

    def table(self) -> Table:
        """One row per gradient: layer, kind, which tensor, norm, mean |g|, max |g|.

        Examples
        --------
        >>> from minigrad.data import make_moons
        >>> X, y = make_moons(32, rng=0)
        >>> model = nn.MLP([2, 8, 2], rng=0)
        >>> F.cross_entropy(model(Tensor(X)), y).backward()
        >>> print(gradient_flow(model).table().text())
        layer     kind    gradient of  norm    mean |g|  max |g|
        --------  ------  -----------  ------  --------  -------
        layers.0  Linear  weight       0.183   0.0322    0.112
        layers.0  Linear  bias         0.0618  0.017     0.0378
        layers.2  Linear  weight       0.437   0.0778    0.213
        layers.2  Linear  bias         0.126   0.0892    0.0892
        """
        rows = [[r.layer, r.kind, r.tensor, r.norm, r.mean_abs, r.max_abs] for r in self.rows]
        return Table(["layer", "kind", "gradient of", "norm", "mean |g|", "max |g|"], rows)

    def to_dict(self) -> dict[str, Any]:
        """The ratios and every row as plain data, for a JSON file.

        Examples
        --------
        >>> flow = GradientFlow([GradStats.of("0", "Linear", "weight", np.ones(4))], [], [])
        >>> flow.to_dict()
        {'ratio': nan, 'activation_ratio': nan, 'rows': [{'layer': '0', 'kind': 'Linear', 'tensor': 'weight', 'norm': 2.0, 'mean_abs': 1.0, 'max_abs': 1.0}], 'steps': {}, 'step_ratios': {}}
        """
        return {
            "ratio": self.ratio,
            "activation_ratio": self.activation_ratio,
            "rows": [asdict(r) for r in self.rows],
            "steps": self.steps,
            "step_ratios": self.step_ratios,
        }


def gradient_flow(
    model: Module, monitor: ActivationMonitor | None = None, states: HiddenStateMonitor | None = None
) -> GradientFlow:
    """Measure the gradients left by the latest backward pass through ``model``.

    Parameters
    ----------
    model : minigrad.nn.Module
        Its parameters' ``.grad`` are read (parameters without one are skipped).
    monitor : ActivationMonitor, optional
        One that watched the forward and backward pass: adds the gradient that arrived at
        each activation layer's output.
    states : HiddenStateMonitor, optional
        One that watched them too: adds ||dL/dh_t|| at every step of each recurrent layer.

    Examples
    --------
    >>> from minigrad.diagnostics import ActivationMonitor
    >>> from minigrad.data import make_moons
    >>> X, y = make_moons(32, rng=0)
    >>> model = nn.MLP([2, 8, 2], rng=0)
    >>> with ActivationMonitor(model) as monitor:
    ...     F.cross_entropy(model(Tensor(X)), y).backward()
    >>> [(r.layer, r.tensor) for r in gradient_flow(model, monitor).rows]
    [('layers.0', 'weight'), ('layers.0', 'bias'), ('layers.1', 'output'), ('layers.2', 'weight'), ('layers.2', 'bias')]

    A convolution is listed as a Linear layer is, and so is a recurrent layer, by its weights:

    >>> cnn = nn.Sequential(nn.Conv1d(1, 2, 3, rng=0), nn.ReLU(), nn.Flatten(), nn.Linear(4, 1, rng=0))
    >>> cnn(Tensor(np.ones((5, 1, 4)))).sum().backward()
    >>> [(w.layer, w.kind) for w in gradient_flow(cnn).weights]
    [('0', 'Conv1d'), ('3', 'Linear')]
    >>> rnn = nn.GRU(2, 3, num_layers=2, rng=0)
    >>> rnn(Tensor(np.ones((4, 1, 2))))[0].sum().backward()
    >>> [w.tensor for w in gradient_flow(rnn).weights]
    ['weight_ih_l0', 'weight_ih_l1']

    Returns
    -------
    GradientFlow
    """
    if not isinstance(model, Module):
        raise TypeError(f"gradient_flow: model must be an nn.Module, got {type(model).__name__}")
    if monitor is not None and not isinstance(monitor, ActivationMonitor):
        raise TypeError(f"gradient_flow: monitor must be an ActivationMonitor or None, got {type(monitor).__name__}")
    if states is not None and not isinstance(states, HiddenStateMonitor):
        raise TypeError(f"gradient_flow: states must be a HiddenStateMonitor or None, got {type(states).__name__}")
    grads: dict[str, np.ndarray] = {} if monitor is None else monitor.grads
    rows: list[GradStats] = []
    weights: list[GradStats] = []
    activations: list[GradStats] = []
    for name, module in model.named_modules():
        kind, depth = type(module).__name__, _depth_weights(module)
        for pname, p in module._parameters.items():
            if p is not None and p.grad is not None:
                rows.append(GradStats.of(name, kind, pname, p.grad.numpy()))
                if pname in depth:
                    weights.append(rows[-1])
        if name in grads:
            rows.append(GradStats.of(name, kind, "output", grads[name]))
            activations.append(rows[-1])
    return GradientFlow(rows, weights, activations, {} if states is None else states.norms)
