"""gradient_flow(model): how big the gradient is at each layer after a backward pass.

Parameters keep their gradient in ``.grad``; the gradient that reached an activation's output is
gone after backward unless an :class:`~minigrad.diagnostics.ActivationMonitor` watched the pass::

    monitor = ActivationMonitor(model)
    loss_fn(model(x), y).backward()
    flow = gradient_flow(model, monitor)
    flow.ratio                 # first Linear layer's weight-gradient norm / last one's
    print(flow.table().text())
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.nn.layers import Linear
from minigrad.nn.module import Module
from minigrad.report import Table

if TYPE_CHECKING:
    from minigrad.diagnostics.monitor import ActivationMonitor


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
        return cls(layer, kind, tensor, float(np.sqrt(np.sum(g * g))), float(g.mean()), float(g.max(initial=0.0)))


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
        The weights of the Linear layers, first to last.
    activations : list of GradStats
        The activation outputs (empty without a monitor), first to last.

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

    @property
    def ratio(self) -> float:
        """Norm of the first Linear layer's weight gradient over the last one's (NaN if that is 0)."""
        return _ratio(self.weights[0].norm, self.weights[-1].norm) if self.weights else float("nan")

    @property
    def activation_ratio(self) -> float:
        """The same for the gradients at the first and last activation layers' outputs."""
        acts = self.activations
        return _ratio(acts[0].norm, acts[-1].norm) if acts else float("nan")

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
        {'ratio': nan, 'activation_ratio': nan, 'rows': [{'layer': '0', 'kind': 'Linear', 'tensor': 'weight', 'norm': 2.0, 'mean_abs': 1.0, 'max_abs': 1.0}]}
        """
        return {"ratio": self.ratio, "activation_ratio": self.activation_ratio, "rows": [asdict(r) for r in self.rows]}


def gradient_flow(model: Module, monitor: ActivationMonitor | None = None) -> GradientFlow:
    """Measure the gradients left by the latest backward pass through ``model``.

    Parameters
    ----------
    model : minigrad.nn.Module
        Its parameters' ``.grad`` are read (parameters without one are skipped).
    monitor : ActivationMonitor, optional
        One that watched the forward and backward pass: adds the gradient that arrived at
        each activation layer's output.

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

    Returns
    -------
    GradientFlow
    """
    grads: dict[str, np.ndarray] = {} if monitor is None else monitor.grads
    rows: list[GradStats] = []
    weights: list[GradStats] = []
    activations: list[GradStats] = []
    for name, module in model.named_modules():
        kind = type(module).__name__
        for pname, p in module._parameters.items():
            if p is not None and p.grad is not None:
                rows.append(GradStats.of(name, kind, pname, p.grad.numpy()))
                if isinstance(module, Linear) and pname == "weight":
                    weights.append(rows[-1])
        if name in grads:
            rows.append(GradStats.of(name, kind, "output", grads[name]))
            activations.append(rows[-1])
    return GradientFlow(rows, weights, activations)
