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

import numpy as np

from minigrad.nn.layers import Linear
from minigrad.report import Table


@dataclass
class GradStats:
    """Size of one gradient: its L2 norm, mean |g| and max |g|.

    ``tensor`` is the parameter's name ('weight', 'bias') or 'output' for the gradient that
    reached an activation layer's output.
    """

    layer: str
    kind: str
    tensor: str
    norm: float
    mean_abs: float
    max_abs: float

    @classmethod
    def of(cls, layer: str, kind: str, tensor: str, g: np.ndarray) -> GradStats:
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
    """

    rows: list
    weights: list
    activations: list

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
        rows = [[r.layer, r.kind, r.tensor, r.norm, r.mean_abs, r.max_abs] for r in self.rows]
        return Table(["layer", "kind", "gradient of", "norm", "mean |g|", "max |g|"], rows)

    def to_dict(self) -> dict:
        return {"ratio": self.ratio, "activation_ratio": self.activation_ratio, "rows": [asdict(r) for r in self.rows]}


def gradient_flow(model, monitor=None) -> GradientFlow:
    """Measure the gradients left by the latest backward pass through ``model``.

    Parameters
    ----------
    model : minigrad.nn.Module
        Its parameters' ``.grad`` are read (parameters without one are skipped).
    monitor : ActivationMonitor, optional
        One that watched the forward and backward pass: adds the gradient that arrived at
        each activation layer's output.

    Returns
    -------
    GradientFlow
    """
    grads = {} if monitor is None else monitor.grads
    rows, weights, activations = [], [], []
    for name, module in model.named_modules():
        kind = type(module).__name__
        for pname, p in module._parameters.items():
            if p is not None and p.grad is not None:
                rows.append(GradStats.of(name, kind, pname, p.grad.data))
                if isinstance(module, Linear) and pname == "weight":
                    weights.append(rows[-1])
        if name in grads:
            rows.append(GradStats.of(name, kind, "output", grads[name]))
            activations.append(rows[-1])
    return GradientFlow(rows, weights, activations)
