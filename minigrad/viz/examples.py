"""Small named computations to draw: the pictures in docs/images/ and ``minigrad draw``.

Each returns an :class:`Example`: the root to draw and, for a model, the recording of its
forward pass. Everything is seeded, so the same call draws the same picture.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from minigrad import nn
from minigrad.analysis.record import Recording, record
from minigrad.arguments import check_number
from minigrad.autograd import no_grad
from minigrad.tensor import Tensor


class Example(NamedTuple):
    """A computation to draw: its root, the recording of a model's forward pass (or None), a title.

    Examples
    --------
    >>> example = neuron()
    >>> example.title, example.recording, round(example.root.item(), 4)
    ("micrograd's neuron: o = tanh(x1 w1 + x2 w2 + b)", None, 0.7071)
    """

    root: Tensor
    recording: Recording | None
    title: str


def neuron() -> Example:
    """micrograd's neuron: o = tanh(x1 w1 + x2 w2 + b), every value a scalar.

    The numbers are micrograd's, so its picture can be compared node for node; x2 = 0 makes w2's
    gradient exactly zero by the rule of the product.

    Examples
    --------
    >>> from minigrad.analysis.trace import trace
    >>> traced = trace(neuron().root)
    >>> {v.tensor.name: round(float(v.grad), 4) for v in traced.values if v.role == "param"}
    {'w1': 1.0, 'w2': 0.0, 'b': 0.5}
    """
    x1, x2 = Tensor(2.0, requires_grad=True, name="x1"), Tensor(0.0, requires_grad=True, name="x2")
    w1, w2, b = nn.Parameter(-3.0), nn.Parameter(1.0), nn.Parameter(6.8813735870195432)
    w1.name, w2.name, b.name = "w1", "w2", "b"
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.name, x2w2.name = "x1*w1", "x2*w2"
    total = x1w1 + x2w2
    total.name = "x1*w1 + x2*w2"
    n = total + b
    n.name = "n"
    o = n.tanh()
    o.name = "o"
    return Example(o, None, "micrograd's neuron: o = tanh(x1 w1 + x2 w2 + b)")


def mlp(
    activation: str = "relu",
    depth: int = 3,
    width: int = 8,
    init: str | None = None,
    dead: int = 0,
    batch: int = 16,
    seed: int = 0,
) -> Example:
    """A regression MLP of ``depth`` hidden layers on random data, and its mean squared error.

    Parameters
    ----------
    activation : str
        Any name :class:`minigrad.nn.MLP` takes: 'relu', 'sigmoid', 'tanh', 'gelu'...
    depth, width : int
        Number and width of the hidden layers.
    init : str, optional
        A weight initialiser of :class:`minigrad.nn.MLP` ('xavier_uniform', 'kaiming_normal'...).
    dead : int
        Force this many units (0 to ``width``) of every hidden layer dead: their bias is set to
        -100 and their weights to zero, so that their pre-activation is negative for every example.
    batch, seed : int
        Batch size (>= 1); seed of the model and of the data (>= 0).

    Examples
    --------
    >>> example = mlp("sigmoid", depth=2, width=4)
    >>> example.title, example.root.name, [call.label for call in example.recording.calls][:3]
    ('2-layer sigmoid MLP, width 4, init default: mean squared error', 'loss', ['layers.0', 'layers.1', 'layers.2'])
    >>> mlp(depth=-1)
    Traceback (most recent call last):
    ValueError: mlp: depth must be an integer >= 1, got -1
    """
    check_number("mlp", "depth", depth, integer=True, at_least=1)
    check_number("mlp", "width", width, integer=True, at_least=1)
    check_number("mlp", "dead", dead, integer=True, at_least=0, at_most=width)
    check_number("mlp", "batch", batch, integer=True, at_least=1)
    check_number("mlp", "seed", seed, integer=True, at_least=0)
    rng = np.random.default_rng(seed)
    model = nn.MLP([4] + [width] * depth + [1], activation=activation, init=init, rng=seed)
    if dead:
        with no_grad():
            for layer in [m for m in model.modules() if isinstance(m, nn.Linear)][:-1]:
                layer.weight[:dead] = 0.0
                if layer.bias is not None:
                    layer.bias[:dead] = -100.0
    x = Tensor(rng.standard_normal((batch, 4)), name="x")
    y = Tensor(rng.standard_normal((batch, 1)), name="y")
    with record(model) as recording:
        loss = ((model(x) - y) ** 2).mean()
    loss.name = "loss"
    forced = f", {dead} units per layer forced dead" if dead else ""
    title = f"{depth}-layer {activation} MLP, width {width}, init {init or 'default'}{forced}: mean squared error"
    return Example(loss, recording, title)


def flags() -> Example:
    """One small float32 graph with each of the four flagged states on some branch.

    ``a`` feeds a ReLU that is off (zero by its rule); ``b`` a sigmoid at 120, whose derivative
    e^-120 is below float32's range (underflow); ``c`` a chain of six products by 0.05 (vanishing,
    8 orders down); ``d`` a square root at 0, whose derivative is infinite (NaN / inf).

    Examples
    --------
    >>> from minigrad.analysis.trace import trace
    >>> traced = trace(flags().root)
    >>> {v.tensor.name: v.state for v in traced.values if v.role == "input"}
    {'a': 'zero', 'b': 'underflow', 'c': 'vanishing', 'd': 'nonfinite'}
    """

    def leaf(value: float, name: str) -> Tensor:
        return Tensor(np.array([value], dtype=np.float32), requires_grad=True, name=name)

    a, b, c, d = leaf(-1.0, "a"), leaf(120.0, "b"), leaf(1.0, "c"), leaf(0.0, "d")
    off, saturated, faded, steep = (a * 2.0).relu(), (b * 1.0).sigmoid(), c, d.sqrt()
    for _ in range(6):
        faded = faded * 0.05
    off.name, saturated.name, faded.name, steep.name = "relu(2a)", "sigmoid(b)", "c * 0.05^6", "sqrt(d)"
    total = (off + saturated + faded + steep).sum()
    total.name = "total"
    return Example(total, None, "the four flags: zero by rule, underflow, vanishing, NaN / inf")


EXAMPLES = {"neuron": neuron, "mlp": mlp, "flags": flags}
