"""The LSTM's gates where an ActivationMonitor can see them, for the through-time demo.

``nn.LSTMCell`` computes its gates with tensor methods, inside one step: no module an
:class:`~minigrad.diagnostics.ActivationMonitor` could hook. :class:`WatchedLSTM` steps the
cell itself (its h_t and c_t are the ones the loss uses) and passes the same pre-activations,
x W_ih^T + b_ih + h W_hh^T + b_hh cut into PyTorch's gate order i, f, g, o, through four
activation modules that the monitor (and so :func:`~minigrad.diagnostics.diagnose`) watches.
Each step checks that sigmoid(f) c + sigmoid(i) tanh(g) is the cell's c_t, so the gates
watched are the cell's own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import Tensor, nn, no_grad
from minigrad import functional as F

__all__ = ["WatchedLSTM", "GATES"]

GATES = ("input_gate", "forget_gate", "cell_gate", "output_gate")  # PyTorch's order: i, f, g, o


class WatchedLSTM(nn.Module):
    """A read-out model (``cell`` an nn.LSTMCell, ``head`` a Linear) run with its gates as modules.

    ``forget_means`` holds the mean forget gate of every step of the latest forward.

    Examples
    --------
    >>> from minigrad.demos.through_time_gates import WatchedLSTM
    >>> from minigrad.diagnostics import ActivationMonitor
    >>> watched = WatchedLSTM(nn.LSTMCell(2, 3, rng=0), nn.Linear(3, 1, rng=0))
    >>> with ActivationMonitor(watched) as monitor:
    ...     prediction = watched(Tensor(np.ones((4, 5, 2))))
    >>> prediction.shape, monitor.layers
    ((5,), ['input_gate', 'forget_gate', 'cell_gate', 'output_gate'])
    >>> monitor.summary()["forget_gate"].examples          # 4 steps of 5 sequences
    20
    """

    def __init__(self, cell: nn.Module, head: nn.Module) -> None:
        super().__init__()
        if not isinstance(cell, nn.LSTMCell):
            raise TypeError(f"WatchedLSTM: cell must be an nn.LSTMCell, got {type(cell).__name__}")
        self.input_gate, self.forget_gate, self.cell_gate, self.output_gate = (
            nn.Sigmoid(),
            nn.Sigmoid(),
            nn.Tanh(),
            nn.Sigmoid(),
        )
        self.cell, self.head = cell, head  # NOTE: cell is an LSTMCell, as checked above
        self.forget_means: list[float] = []

    def forward(self, x: Tensor) -> Tensor:
        cell, size = self.cell, self.cell.hidden_size
        h = c = Tensor(np.zeros((x.shape[1], size), cell.weight_hh.dtype))
        self.forget_means = []
        for t in range(x.shape[0]):
            pre = F.linear(x[t], cell.weight_ih, cell.bias_ih) + F.linear(h, cell.weight_hh, cell.bias_hh)
            i, f, g, _ = (getattr(self, name)(pre[:, k * size : (k + 1) * size]) for k, name in enumerate(GATES))
            h_next, c_next = cell(x[t], (h, c))
            with no_grad():
                expected = (f * c + i * g).numpy()
            if not np.allclose(expected, c_next.numpy()):  # NOTE: only if nn.LSTMCell's formula changed
                raise RuntimeError("WatchedLSTM: the gates watched are not the cell's (c_t differs)")
            self.forget_means.append(float(f.numpy().mean()))
            h, c = h_next, c_next
        return self.head(h)[:, 0]


def gate_report(watched: WatchedLSTM, monitor: Any) -> dict[str, Any]:
    """Per gate: the share of its units saturated on every step of every sequence; and the mean forget gate."""
    units = monitor.summary()
    return {
        "saturated": {name: units[name].saturated_fraction for name in GATES},
        "saturated_units": {name: int(units[name].saturated.sum()) for name in GATES},
        "units": units["forget_gate"].units,
        "examples": units["forget_gate"].examples,
        "forget_mean": float(np.mean(watched.forget_means)),
    }
