"""One time step of a recurrent network: RNNCell, LSTMCell and GRUCell, as PyTorch's.

Each cell maps (x_t, h_{t-1}) to h_t with PyTorch's formulas, gate order, parameter names and
shapes (``weight_ih`` (gates * hidden_size, input_size), ``weight_hh`` (gates * hidden_size,
hidden_size), ``bias_ih``, ``bias_hh``) and initialisation (every parameter from U(-k, k),
k = 1/sqrt(hidden_size)). The step functions below hold the math; :mod:`minigrad.nn.rnn` runs
the same functions over a whole sequence.

There is no backward rule here. A step is written with minigrad's ops (the affine map, joining, slicing,
sigmoid, tanh, relu, +, *), so the engine differentiates it as it differentiates any
expression, and a sequence of steps is one graph: its backward is the chain rule through time,
d h_T / d h_t the product of the steps' Jacobians in between. That product is where gradients
through time vanish or explode, as they do through depth; the LSTM's additive cell state
(c_t = f * c_{t-1} + i * g) is the path designed to keep it alive.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad import functional as F
from minigrad.arguments import check_choice, check_number, check_rng
from minigrad.nn import init
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Tensor

__all__ = ["rnn_update", "lstm_update", "gru_step", "stepper", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

State = tuple[Tensor, ...]  # (h,) for RNN and GRU, (h, c) for LSTM


# --- the steps ------------------------------------------------------------------------------------
# RNN and LSTM need only the sum x W_ih^T + b_ih + h W_hh^T + b_hh: their updates start from it.
# GRU's n gate needs h W_hh^T + b_hh apart: its step starts from gi = x W_ih^T + b_ih.


def rnn_update(pre: Tensor, state: State, nonlinearity: str = "tanh") -> State:
    """h' = tanh(pre), or relu(pre) with ``nonlinearity='relu'``, from pre = x W_ih^T + b_ih + h W_hh^T + b_hh.

    Examples
    --------
    >>> from minigrad.nn.rnn_cells import rnn_update
    >>> h = Tensor([[1.0, -1.0]])
    >>> rnn_update(Tensor([[0.5, -2.0]]), (h,))                  # the state is not used
    (Tensor([[ 0.46211716 -0.96402758]]),)
    >>> rnn_update(Tensor([[0.5, -2.0]]), (h,), "relu")
    (Tensor([[0.5 0. ]]),)
    """
    return (pre.relu() if nonlinearity == "relu" else pre.tanh(),)


def lstm_update(gates: Tensor, state: State) -> State:
    """The gates i, f, g, o (PyTorch's order) of gates = x W_ih^T + b_ih + h W_hh^T + b_hh, then
    c' = sigmoid(f) * c + sigmoid(i) * tanh(g) and h' = sigmoid(o) * tanh(c').

    Examples
    --------
    >>> from minigrad.nn.rnn_cells import lstm_update
    >>> h, c = Tensor([[0.0, 0.0]]), Tensor([[1.0, -1.0]])
    >>> lstm_update(Tensor(np.zeros((1, 8))), (h, c))            # every gate half open
    (Tensor([[ 0.23105858 -0.23105858]]), Tensor([[ 0.5 -0.5]]))
    """
    c = state[1]
    # NOTE: a sigmoid per gate, not one over the slab of all four (about 10 % faster): why_zero and the
    # pictures can then say that the forget gate, not a quarter of some sigmoid, is saturated.
    size = c.shape[-1]
    i, f, g, o = (gates[..., k * size : (k + 1) * size] for k in range(4))
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def gru_step(gi: Tensor, state: State, w_hh: Tensor, b_hh: Tensor | None) -> State:
    """The gates r, z, n (PyTorch's order): r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z),
    n = tanh(gi_n + r * gh_n) with gh = h W_hh^T + b_hh, and h' = (1 - z) * n + z * h.

    Examples
    --------
    >>> from minigrad.nn.rnn_cells import gru_step
    >>> h = Tensor([[1.0, -1.0]])
    >>> gru_step(Tensor(np.zeros((1, 6))), (h,), Tensor(np.zeros((6, 2))), None)  # z = 1/2, n = 0
    (Tensor([[ 0.5 -0.5]]),)
    """
    (h,) = state
    gi_r, gi_z, gi_n = _split(gi, 3)
    gh_r, gh_z, gh_n = _split(F.linear(h, w_hh, b_hh), 3)
    r, z = (gi_r + gh_r).sigmoid(), (gi_z + gh_z).sigmoid()
    n = (gi_n + r * gh_n).tanh()
    return ((1 - z) * n + z * h,)


def _split(gates: Tensor, count: int) -> list[Tensor]:
    """The last axis cut into ``count`` equal parts (one per gate)."""
    size = gates.shape[-1] // count
    return [gates[..., k * size : (k + 1) * size] for k in range(count)]


# mode: (gates per hidden unit, states, update or step), with PyTorch's names of the modes
MODES: dict[str, tuple[int, int, Callable[..., State]]] = {
    "RNN_TANH": (1, 1, rnn_update),
    "RNN_RELU": (1, 1, functools.partial(rnn_update, nonlinearity="relu")),
    "LSTM": (4, 2, lstm_update),
    "GRU": (3, 1, gru_step),
}


def stepper(
    mode: str, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None, b_hh: Tensor | None
) -> Callable[[Tensor, State], State]:
    """The step (x_t, state) -> state' of ``mode`` with these weights, for a cell's call or a layer's sequence.

    RNN and LSTM: x W_ih^T + b_ih + h W_hh^T + b_hh = [x, h] [W_ih, W_hh]^T + (b_ih + b_hh), one
    affine map per step rather than two and a sum; the weights are joined and the biases added
    here, once, and the gradient flows back through the join to each parameter.

    Examples
    --------
    >>> from minigrad.nn.rnn_cells import stepper
    >>> step = stepper("RNN_TANH", Tensor([[2.0]]), Tensor([[1.0]]), None, None)
    >>> step(Tensor([[0.5]]), (Tensor([[-1.0]]),))                 # tanh(2 * 0.5 + 1 * -1)
    (Tensor([[0.]]),)
    """
    update = MODES[mode][2]
    if mode == "GRU":
        return lambda x, state: update(F.linear(x, w_ih, b_ih), state, w_hh, b_hh)
    w = F.concatenate([w_ih, w_hh], axis=1)
    b = None if b_ih is None or b_hh is None else b_ih + b_hh
    return lambda x, state: update(F.linear(F.concatenate([x, state[0]], axis=-1), w, b), state)


def rnn_mode(call: str, nonlinearity: str) -> str:
    """The mode of an Elman RNN with ``nonlinearity`` 'tanh' or 'relu'."""
    return "RNN_" + check_choice(call, "nonlinearity", nonlinearity, ("tanh", "relu")).upper()


def uniform_init(module: Module, hidden_size: int, rng: np.random.Generator) -> None:
    """Every parameter from U(-k, k) with k = 1/sqrt(hidden_size), PyTorch's default for recurrent layers."""
    bound = 1 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for parameter in module.parameters():
        init.uniform_(parameter, -bound, bound, rng)


def check_input(call: str, input: Any, features: int, dims: tuple[int, int], weight: Tensor) -> Tensor:
    """``input`` if it is a Tensor of ``dims`` (unbatched, batched) dimensions, ``features`` in its
    last one and the dtype of the weights, else an error naming it."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{call}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in dims:
        raise ValueError(
            f"{call}: input must be {dims[0]}-D (unbatched) or {dims[1]}-D (batched), got shape {input.shape}"
        )
    if input.shape[-1] != features:
        raise ValueError(
            f"{call}: input must have input_size={features} features in its last dimension, got shape {input.shape}"
        )
    if input.dtype != weight.dtype:
        raise TypeError(f"{call}: input dtype {input.dtype} must match the weights' dtype {weight.dtype}")
    return input


def check_state(call: str, name: str, state: Any, shape: tuple[int, ...], weight: Tensor) -> Tensor:
    """``state`` (a hidden or cell state) if it is a Tensor of ``shape`` and the weights' dtype, else an error naming it."""
    if not isinstance(state, Tensor):
        raise TypeError(f"{call}: {name} must be a Tensor of shape {shape}, got {type(state).__name__}")
    if state.shape != shape:
        raise ValueError(f"{call}: {name} must have shape {shape} for this input, got {state.shape}")
    if state.dtype != weight.dtype:
        raise TypeError(f"{call}: {name} dtype {state.dtype} must match the weights' dtype {weight.dtype}")
    return state


# --- the cells -----------------------------------------------------------------------------------


class RNNCellBase(Module):
    """What the three cells share: their parameters, their initialisation and the checks of a call.

    ``mode``, set by each subclass, is 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU' (PyTorch's names); it
    sets the number of gates and the step.

    Examples
    --------
    >>> from minigrad.nn.rnn_cells import RNNCellBase
    >>> isinstance(nn.GRUCell(2, 3), RNNCellBase), nn.GRUCell(2, 3).mode
    (True, 'GRU')
    """

    mode: str

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, rng: int | np.random.Generator | None = None
    ) -> None:
        call = type(self).__name__
        check_number(call, "input_size", input_size, integer=True, at_least=0)
        check_number(call, "hidden_size", hidden_size, integer=True, at_least=0)
        if type(bias) is not bool:
            raise TypeError(f"{call}: bias must be a bool, got {type(bias).__name__} {bias!r}")
        super().__init__()
        rng = check_rng(call, rng)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gates = MODES[self.mode][0] * hidden_size
        self.weight_ih = Parameter(np.empty((gates, input_size)))
        self.weight_hh = Parameter(np.empty((gates, hidden_size)))
        self.bias_ih = Parameter(np.empty(gates)) if bias else None
        self.bias_hh = Parameter(np.empty(gates)) if bias else None
        uniform_init(self, hidden_size, rng)

    def _run(self, input: Tensor, hx: State | None) -> State:
        """One step from ``input`` and the states ``hx`` (zeros when None), each checked by name."""
        call = type(self).__name__
        input = check_input(call, input, self.input_size, (1, 2), self.weight_ih)
        shape = input.shape[:-1] + (self.hidden_size,)
        if hx is None:
            hx = tuple(Tensor(np.zeros(shape, self.weight_hh.dtype)) for _ in range(MODES[self.mode][1]))
        names = ("h_0", "c_0") if self.mode == "LSTM" else ("hx",)
        state = tuple(check_state(call, name, h, shape, self.weight_hh) for name, h in zip(names, hx))
        return stepper(self.mode, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)(input, state)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        text += "" if self.bias else ", bias=False"
        return text + (", nonlinearity=relu" if self.mode == "RNN_RELU" else "")


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu), one step of an Elman RNN, as ``torch.nn.RNNCell``.

    ``input`` is (N, input_size) or (input_size,) unbatched; ``hx`` has its shape with
    hidden_size features (zeros when omitted); the result is h', of hx's shape.

    Examples
    --------
    >>> cell = nn.RNNCell(3, 2, rng=0)
    >>> cell, cell.weight_hh.shape
    (RNNCell(3, 2), (2, 2))
    >>> cell(Tensor(np.ones((4, 3)))).shape
    (4, 2)
    >>> cell(Tensor(np.ones((4, 2))))
    Traceback (most recent call last):
    ValueError: RNNCell: input must have input_size=3 features in its last dimension, got shape (4, 2)
    """

    mode = "RNN_TANH"  # or RNN_RELU, as the nonlinearity says

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        rng: int | np.random.Generator | None = None,
    ) -> None:
        mode = rnn_mode("RNNCell", nonlinearity)
        super().__init__(input_size, hidden_size, bias, rng)
        self.mode, self.nonlinearity = mode, nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        (h,) = self._run(input, None if hx is None else (hx,))
        return h


class LSTMCell(RNNCellBase):
    """One step of a long short-term memory, as ``torch.nn.LSTMCell``: the gates i, f, g, o of
    x W_ih^T + b_ih + h W_hh^T + b_hh, then c' = sigmoid(f) c + sigmoid(i) tanh(g) and
    h' = sigmoid(o) tanh(c').

    ``input`` is (N, input_size) or (input_size,) unbatched; ``hx`` is the pair (h_0, c_0), each
    with hidden_size features (zeros when omitted); the result is the pair (h', c').

    Examples
    --------
    >>> cell = nn.LSTMCell(3, 2, rng=0)
    >>> cell.weight_ih.shape                      # the four gates stacked: i, f, g, o
    (8, 3)
    >>> h, c = cell(Tensor(np.ones(3)))
    >>> h.shape, c.shape
    ((2,), (2,))
    """

    mode = "LSTM"

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        h, c = self._run(input, check_pair("LSTMCell", hx))
        return h, c


class GRUCell(RNNCellBase):
    """One step of a gated recurrent unit, as ``torch.nn.GRUCell``: r = sigmoid(gi_r + gh_r),
    z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r gh_n), h' = (1 - z) n + z h, with
    gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh cut into the gates r, z, n.

    ``input`` is (N, input_size) or (input_size,) unbatched; ``hx`` has its shape with
    hidden_size features (zeros when omitted); the result is h'.

    Examples
    --------
    >>> cell = nn.GRUCell(3, 2, bias=False, rng=0)
    >>> cell, [name for name, _ in cell.named_parameters()]
    (GRUCell(3, 2, bias=False), ['weight_ih', 'weight_hh'])
    >>> cell(Tensor(np.ones((4, 3))), Tensor(np.zeros((4, 2)))).shape
    (4, 2)
    """

    mode = "GRU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        (h,) = self._run(input, None if hx is None else (hx,))
        return h


def check_pair(call: str, hx: Any) -> tuple[Tensor, Tensor] | None:
    """An LSTM's ``hx``: None or a pair (h_0, c_0), else an error naming it."""
    if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
        raise TypeError(f"{call}: hx must be None or a pair (h_0, c_0), got {type(hx).__name__} {hx!r:.60}")
    return None if hx is None else (hx[0], hx[1])
