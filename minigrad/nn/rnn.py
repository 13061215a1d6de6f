"""Recurrent layers over whole sequences: RNN (tanh or relu), LSTM and GRU, as PyTorch's.

Layer k runs its cell's step (minigrad/nn/rnn_cells.py) along the sequence, h_t = step(x_t,
h_{t-1}), and its outputs h_1 ... h_T are the inputs of layer k + 1. The parameters are
PyTorch's: ``weight_ih_l{k}`` (gates * hidden_size, input_size for k = 0, else hidden_size),
``weight_hh_l{k}`` (gates * hidden_size, hidden_size), ``bias_ih_l{k}``, ``bias_hh_l{k}``,
with the gates in PyTorch's order (LSTM: i, f, g, o; GRU: r, z, n) and every parameter
drawn from U(-k, k), k = 1/sqrt(hidden_size).

No op here has a backward rule of its own: the unrolled sequence is one graph of minigrad's ops
(an affine map or two and a few activations per step), and backward through it is the chain rule
through time. A gradient that reaches h_1 from a loss at h_T has been multiplied by the Jacobian
of every step in between: this is where it vanishes or explodes, as it does through the layers
of a deep network.
"""

from __future__ import annotations

import numpy as np

from minigrad import functional as F
from minigrad.arguments import check_number, check_rng, check_unimplemented
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.nn.rnn_cells import (
    MODES,
    State,
    check_input,
    check_pair,
    check_state,
    rnn_mode,
    stepper,
    uniform_init,
)
from minigrad.ops.shape import Transpose
from minigrad.tensor import Tensor

__all__ = ["RNNBase", "RNN", "LSTM", "GRU"]


class RNNBase(Module):
    """What the three layers share: the parameters of each layer, the checks of a call and the
    loop over time and layers. ``mode`` is 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU', as PyTorch's.

    Examples
    --------
    >>> from minigrad.nn.rnn import RNNBase
    >>> isinstance(nn.LSTM(2, 3), RNNBase), nn.RNN(2, 3, nonlinearity="relu").mode
    (True, 'RNN_RELU')
    """

    mode: str  # set by each subclass

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        rng: int | np.random.Generator | None = None,
    ) -> None:
        call, mode = type(self).__name__, self.mode
        check_number(call, "input_size", input_size, integer=True, at_least=1)
        check_number(call, "hidden_size", hidden_size, integer=True, at_least=1)
        check_number(call, "num_layers", num_layers, integer=True, at_least=1)
        for name, flag in (("bias", bias), ("batch_first", batch_first), ("bidirectional", bidirectional)):
            if type(flag) is not bool:
                raise TypeError(f"{call}: {name} must be a bool, got {type(flag).__name__} {flag!r}")
        check_number(call, "dropout", dropout, at_least=0, at_most=1)
        check_unimplemented(call, "dropout", dropout, default=0.0)
        check_unimplemented(call, "bidirectional", bidirectional, default=False)
        if mode != "LSTM" and proj_size != 0:  # NOTE: PyTorch's RNN and GRU refuse it too
            raise ValueError(f"{call}: proj_size is an option of LSTM only, got proj_size={proj_size!r}")
        check_unimplemented(call, "proj_size", proj_size, default=0)
        super().__init__()
        rng = check_rng(call, rng)
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = dropout, bidirectional, proj_size
        gates = MODES[mode][0] * hidden_size
        for k in range(num_layers):
            setattr(self, f"weight_ih_l{k}", Parameter(np.empty((gates, input_size if k == 0 else hidden_size))))
            setattr(self, f"weight_hh_l{k}", Parameter(np.empty((gates, hidden_size))))
            if bias:
                setattr(self, f"bias_ih_l{k}", Parameter(np.empty(gates)))
                setattr(self, f"bias_hh_l{k}", Parameter(np.empty(gates)))
        uniform_init(self, hidden_size, rng)

    def _layer(self, k: int) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        """Layer k's (weight_ih, weight_hh, bias_ih, bias_hh), the biases None without bias."""
        w_ih, w_hh = getattr(self, f"weight_ih_l{k}"), getattr(self, f"weight_hh_l{k}")
        if not self.bias:
            return w_ih, w_hh, None, None
        return w_ih, w_hh, getattr(self, f"bias_ih_l{k}"), getattr(self, f"bias_hh_l{k}")

    def _run(self, input: Tensor, hx: State | None) -> tuple[Tensor, State]:
        """The output sequence and the final states (each (num_layers, N, hidden_size), or without N
        for an unbatched input), from ``input`` and the initial states ``hx`` (zeros when None)."""
        call = type(self).__name__
        input = check_input(call, input, self.input_size, (2, 3), self.weight_ih_l0)
        batched = input.ndim == 3
        x = (_swap_batch_and_time(input) if self.batch_first else input) if batched else input[:, None]
        if x.shape[0] == 0:
            raise ValueError(f"{call}: input must hold at least one time step, got shape {input.shape}")
        states = self._initial_states(call, hx, x.shape[1], batched)
        outputs, finals = self._unroll(x, states)
        output = (_swap_batch_and_time(outputs) if self.batch_first else outputs) if batched else outputs[:, 0]
        return output, tuple(final if batched else final[:, 0] for final in finals)

    def _initial_states(self, call: str, hx: State | None, batch: int, batched: bool) -> list[State]:
        """Each layer's initial states, (N, hidden_size) each, from ``hx`` checked by name."""
        count = MODES[self.mode][1]
        shape = (self.num_layers, batch, self.hidden_size)
        if hx is None:
            zeros = Tensor(np.zeros(shape[1:], self.weight_hh_l0.dtype))
            return [(zeros,) * count for _ in range(self.num_layers)]
        names = ("h_0", "c_0") if self.mode == "LSTM" else ("hx",)
        given = shape if batched else (self.num_layers, self.hidden_size)
        checked = [check_state(call, name, h, given, self.weight_hh_l0) for name, h in zip(names, hx)]
        checked = [h if batched else h[:, None] for h in checked]
        return [tuple(h[k] for h in checked) for k in range(self.num_layers)]

    def _unroll(self, x: Tensor, states: list[State]) -> tuple[Tensor, State]:
        """Run every layer along the sequence x (T, N, features): its outputs (T, N, hidden_size)
        and the final states stacked over the layers."""
        finals = []
        # NOTE: each step takes its own x_t (a view of x, or the layer below's h_t) and maps it
        # itself. One input map of the whole sequence sliced at every step would send back T
        # gradients each the size of the whole sequence: T^2 work in the backward walk.
        xs: list[Tensor] = [x[t] for t in range(x.shape[0])]
        for k, state in enumerate(states):
            step = stepper(self.mode, *self._layer(k))
            hs = []
            for x_t in xs:
                state = step(x_t, state)
                hs.append(state[0])
            xs = hs
            finals.append(state)
        return F.stack(xs), tuple(F.stack([final[i] for final in finals]) for i in range(len(finals[0])))

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.mode == "RNN_RELU":  # NOTE: PyTorch leaves it out of the repr; here it is not hidden
            text += ", nonlinearity=relu"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        text += "" if self.bias else ", bias=False"
        return text + (", batch_first=True" if self.batch_first else "")


def _swap_batch_and_time(x: Tensor) -> Tensor:
    """(N, T, features) <-> (T, N, features)."""
    return Transpose.apply(x, axes=(1, 0, 2))


class RNN(RNNBase):
    """An Elman RNN, h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu), stacked
    ``num_layers`` deep, as ``torch.nn.RNN``.

    ``input`` is (T, N, input_size), (N, T, input_size) with ``batch_first``, or (T, input_size)
    unbatched; ``hx`` is (num_layers, N, hidden_size) (or (num_layers, hidden_size) unbatched),
    zeros when omitted. Returns (output, h_n): the last layer's h_t at every step, shaped as the
    input with hidden_size features, and every layer's last h. ``dropout``, ``bidirectional``
    are refused when not at their defaults (not implemented).

    Examples
    --------
    >>> rnn = nn.RNN(3, 4, num_layers=2, batch_first=True, rng=0)
    >>> rnn
    RNN(3, 4, num_layers=2, batch_first=True)
    >>> output, h_n = rnn(Tensor(np.ones((5, 7, 3))))       # 5 sequences of 7 steps
    >>> output.shape, h_n.shape
    ((5, 7, 4), (2, 5, 4))
    >>> nn.RNN(3, 4, bidirectional=True)
    Traceback (most recent call last):
    NotImplementedError: RNN: bidirectional=True is not implemented in minigrad; leave bidirectional at its default, False
    """

    mode = "RNN_TANH"  # or RNN_RELU, as the nonlinearity says

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        rng: int | np.random.Generator | None = None,
    ) -> None:
        mode = rnn_mode("RNN", nonlinearity)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, rng=rng)
        self.mode, self.nonlinearity = mode, nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, (h_n,) = self._run(input, None if hx is None else (hx,))
        return output, h_n


class LSTM(RNNBase):
    """A long short-term memory, stacked ``num_layers`` deep, as ``torch.nn.LSTM``: at each step
    the gates i, f, g, o of x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh, then
    c_t = sigmoid(f) c_{t-1} + sigmoid(i) tanh(g) and h_t = sigmoid(o) tanh(c_t).

    ``input`` as for :class:`RNN`; ``hx`` is the pair (h_0, c_0), each (num_layers, N,
    hidden_size) (or without N unbatched), zeros when omitted. Returns (output, (h_n, c_n)).
    ``dropout``, ``bidirectional`` and ``proj_size`` are refused when not at their defaults.

    Examples
    --------
    >>> lstm = nn.LSTM(3, 4, rng=0)
    >>> lstm.weight_ih_l0.shape, lstm.bias_hh_l0.shape
    ((16, 3), (16,))
    >>> output, (h_n, c_n) = lstm(Tensor(np.ones((7, 3))))   # one sequence of 7 steps, unbatched
    >>> output.shape, h_n.shape, c_n.shape
    ((7, 4), (1, 4), (1, 4))
    """

    mode = "LSTM"

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        output, (h_n, c_n) = self._run(input, check_pair("LSTM", hx))
        return output, (h_n, c_n)


class GRU(RNNBase):
    """A gated recurrent unit, stacked ``num_layers`` deep, as ``torch.nn.GRU``: at each step
    r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r gh_n) and
    h_t = (1 - z) n + z h_{t-1}, with gi = x_t W_ih^T + b_ih and gh = h_{t-1} W_hh^T + b_hh.

    ``input``, ``hx`` and the result (output, h_n) as for :class:`RNN`.

    Examples
    --------
    >>> gru = nn.GRU(3, 4, num_layers=2, rng=0)
    >>> [name for name, _ in gru.named_parameters()][:4]
    ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
    >>> output, h_n = gru(Tensor(np.ones((7, 5, 3))))
    >>> output.shape, h_n.shape
    ((7, 5, 4), (2, 5, 4))
    """

    mode = "GRU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, (h_n,) = self._run(input, None if hx is None else (hx,))
        return output, h_n
