"""HiddenStateMonitor: the gradient that reaches a recurrent layer's hidden state, step by step.

A loss read at the last steps reaches h_1 only through every step in between, multiplied on the way
by each step's Jacobian dh_{t+1}/dh_t: this is where it vanishes or explodes through time, as it does
through the layers of a deep network. The monitor keeps ||dL/dh_t|| (the Frobenius norm over the
batch) for t = 1 .. T::

    with HiddenStateMonitor(model) as states:
        loss_fn(model(x), y).backward()
    states.norms["rnn"]        # [||dL/dh_1||, ..., ||dL/dh_T||]

It watches every recurrent module through a forward hook and each h_t through a tensor hook, which
sees h_t's whole gradient: the part from the loss at that step and the part from step t + 1.

- A cell (nn.RNNCell, LSTMCell, GRUCell) is called once per step: the h of each call (an
  LSTMCell's first output) is the next h_t.
- A whole-sequence layer (nn.RNN, LSTM, GRU) is called once per sequence: its h_t are the states
  of its last layer, the ones its output sequence stacks.

The steps of every call since the monitor was made (or :meth:`HiddenStateMonitor.reset`) follow
each other in one list per module, so watch one forward pass at a time, as :func:`diagnose` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.nn.module import Module
from minigrad.nn.rnn import RNNBase
from minigrad.nn.rnn_cells import RNNCellBase
from minigrad.ops.shape import Stack
from minigrad.tensor import Tensor, _HookHandle

__all__ = ["HiddenStateMonitor", "RECURRENT"]

RECURRENT = (RNNBase, RNNCellBase)


class HiddenStateMonitor:
    """Watch the hidden state h_t of every recurrent layer of ``model``, and the gradient it receives.

    Attributes
    ----------
    layers : list of str
        Dotted names of the recurrent modules watched, in the model's order.
    norms : dict
        Layer name -> ||dL/dh_t|| for t = 1 .. T, over the steps run since the monitor was made
        or reset (0.0 for a step that no gradient has reached yet; steps run under no_grad are
        left out).

    Examples
    --------
    >>> rnn = nn.RNN(2, 4, rng=0)
    >>> model = nn.Sequential(rnn)
    >>> with HiddenStateMonitor(model) as states:
    ...     output, h_n = model(Tensor(np.ones((5, 3, 2))))
    ...     output[-1].sum().backward()                      # a loss on the last step only
    >>> states.layers, len(states.norms["0"])
    (['0'], 5)
    >>> [round(n, 3) for n in states.norms["0"]]    # from h_1 to h_5: sqrt(3 * 4) at h_5
    [0.128, 0.262, 0.489, 1.386, 3.464]
    """

    def __init__(self, model: Module) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"HiddenStateMonitor: model must be an nn.Module, got {type(model).__name__}")
        self.layers: list[str] = []
        self._handles: list[_HookHandle] = []
        for name, module in model.named_modules():
            if isinstance(module, RECURRENT):
                self.layers.append(name)
                self._handles.append(module.register_forward_hook(self._observer(name)))
        self.reset()

    @property
    def norms(self) -> dict[str, list[float]]:
        """Layer name -> ||dL/dh_t|| for t = 1 .. T (a copy: see the class's example)."""
        return {name: list(steps) for name, steps in self._steps.items()}

    def _observer(self, name: str) -> Callable[[Module, tuple[Any, ...], Any], None]:
        def observe(module: Module, inputs: tuple[Any, ...], output: Any) -> None:
            states = _cell_state(output) if isinstance(module, RNNCellBase) else _sequence_states(module, output)
            for h in states:
                if h.requires_grad:  # NOTE: a step run under no_grad gets no gradient: it is not counted
                    h.register_hook(self._keeper(name, len(self._steps[name])))
                    self._steps[name].append(0.0)

        return observe

    def _keeper(self, name: str, step: int) -> Callable[[Tensor], None]:
        def keep(grad: Tensor) -> None:
            self._steps[name][step] = float(np.linalg.norm(np.asarray(grad.numpy(), dtype=np.float64)))

        return keep

    def reset(self) -> None:
        """Forget the steps seen, to watch a new sequence.

        Examples
        --------
        >>> cell = nn.RNNCell(2, 3, rng=0)
        >>> states = HiddenStateMonitor(cell)
        >>> h = cell(Tensor(np.ones((1, 2))))
        >>> states.norms, states.reset(), states.norms
        ({'': [0.0]}, None, {'': []})
        >>> states.remove()
        """
        self._steps: dict[str, list[float]] = {name: [] for name in self.layers}

    def remove(self) -> None:
        """Unregister the hooks (leaving a ``with`` block does it too).

        Examples
        --------
        >>> cell = nn.GRUCell(2, 3)
        >>> HiddenStateMonitor(cell).remove()
        >>> cell._forward_hooks
        []
        """
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self) -> HiddenStateMonitor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


def _cell_state(output: Any) -> list[Tensor]:
    """A cell's h_t: its output, or an LSTMCell's first output (h_t, c_t)."""
    return [output[0] if isinstance(output, tuple) else output]


def _sequence_states(module: Module, output: Any) -> list[Tensor]:
    """The last layer's h_1 .. h_T of a whole-sequence layer: the inputs of the stack that made its
    output sequence, which may have been transposed since (batch_first) or indexed (an unbatched input)."""
    sequence = output[0]
    if not sequence.requires_grad:
        return []  # run under no_grad
    node = sequence
    for _ in range(3):
        if node.grad_fn is None:
            break
        if node.grad_fn.function is Stack:
            return list(node.grad_fn.inputs)
        if len(node.grad_fn.inputs) != 1:
            break
        node = node.grad_fn.inputs[0]
    raise RuntimeError(
        f"HiddenStateMonitor: the output sequence of {type(module).__name__} is not a stack of its "
        "hidden states as nn/rnn.py makes it; the steps cannot be watched"
    )
