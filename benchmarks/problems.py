"""The networks the benchmarks train, and their data: one spec, the same numbers for every engine.

Every engine starts from the same weights (PyTorch's layout: W of shape (out, in), b of shape
(out,)) and sees the same batch, so their losses and gradients agree to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MLPSpec:
    """An MLP: Linear layers of widths ``sizes``, ``activation`` after each hidden one, then ``loss``."""

    name: str
    sizes: tuple
    activation: str  # "tanh", "relu" or "sigmoid"
    loss: str  # "mse" (regression to one output) or "cross_entropy" (class indices)
    batch: int
    dtype: str = "float64"
    lr: float = 0.05

    def with_dtype(self, dtype: str) -> MLPSpec:
        return MLPSpec(self.name, self.sizes, self.activation, self.loss, self.batch, dtype, self.lr)


W1 = MLPSpec("W1 moons", (2, 16, 16, 1), "tanh", "mse", batch=100)
W2 = MLPSpec("W2 medium", (784, 512, 256, 10), "relu", "cross_entropy", batch=128, lr=0.01)
W3 = MLPSpec("W3 deep-narrow", (32,) + (32,) * 20 + (1,), "sigmoid", "mse", batch=32)


def moons(n: int, rng) -> tuple:
    """Two interleaved half circles with a little noise (scikit-learn's make_moons), labels -1 / +1."""
    top = n // 2
    angle = rng.uniform(0, np.pi, n)
    x = np.where(np.arange(n) < top, np.cos(angle), 1 - np.cos(angle))
    y = np.where(np.arange(n) < top, np.sin(angle), 0.5 - np.sin(angle))
    points = np.stack([x, y], axis=1) + rng.normal(0, 0.1, (n, 2))
    labels = np.where(np.arange(n) < top, 1.0, -1.0)
    return points, labels


def make_problem(spec: MLPSpec, seed: int = 0) -> tuple:
    """``(params, x, target)``: params a list of (W, b) arrays, PyTorch's default init."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(spec.dtype)
    params = []
    for n_in, n_out in zip(spec.sizes[:-1], spec.sizes[1:]):
        bound = 1 / np.sqrt(n_in)
        params.append(
            (rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype), rng.uniform(-bound, bound, n_out).astype(dtype))
        )
    if spec.sizes[0] == 2 and spec.loss == "mse":
        x, labels = moons(spec.batch, rng)
        target = labels[:, None]
    else:
        x = rng.normal(size=(spec.batch, spec.sizes[0]))
        if spec.loss == "mse":
            target = rng.normal(size=(spec.batch, spec.sizes[-1]))
        else:
            target = rng.integers(0, spec.sizes[-1], spec.batch)
    x = x.astype(dtype)
    target = target.astype(dtype) if spec.loss == "mse" else target
    return params, x, target


@dataclass(frozen=True)
class CNNSpec:
    """A small CNN on 8x8 images: conv(1 -> channels[0], 3x3, padding 1), ReLU, max pool 2; conv(->
    channels[1]), ReLU, max pool 2; flatten, Linear to ``classes``; cross-entropy; one SGD step."""

    name: str
    dtype: str
    channels: tuple = (16, 32)
    kernel: int = 3
    image: int = 8
    classes: int = 10
    batch: int = 64
    lr: float = 0.05

    @property
    def features(self) -> int:
        """What the Linear layer reads: the last conv's channels times the image pooled twice (2x2 each)."""
        return self.channels[-1] * (self.image // 4) ** 2


@dataclass(frozen=True)
class LSTMSpec:
    """A one-layer LSTM over ``steps`` time steps, then Linear(hidden, 1) on the last h; MSE; one SGD step."""

    name: str
    dtype: str
    input_size: int = 32
    hidden: int = 64
    steps: int = 50
    batch: int = 32
    lr: float = 0.05


CNN = {dtype: CNNSpec("cnn digits", dtype) for dtype in ("float32", "float64")}
LSTM = {dtype: LSTMSpec("lstm", dtype) for dtype in ("float32", "float64")}


def _uniform(rng, fan_in: int, shape: tuple, dtype) -> np.ndarray:
    """U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default for Linear, Conv2d and LSTM."""
    bound = 1 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, shape).astype(dtype)


def digits(batch: int) -> tuple:
    """``(images (batch, 1, 8, 8) in [0, 1], labels, source)``: scikit-learn's 8x8 digits when it is
    installed, else random images of that shape (a step's time does not depend on the values)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        rng = np.random.default_rng(0)
        images, labels = rng.integers(0, 17, (batch, 8, 8)), rng.integers(0, 10, batch)
        source = "random 8x8 images (scikit-learn is not installed)"
    else:
        data = load_digits()
        images, labels = data.images[:batch], data.target[:batch]
        source = f"the first {batch} of scikit-learn's 8x8 digits"
    return (images / 16.0).reshape(batch, 1, 8, 8), labels.astype(np.int64), source


def make_cnn_problem(spec: CNNSpec, seed: int = 0) -> tuple:
    """``(params, x, target, source)``: params {"conv1", "conv2", "fc"} -> (W, b) in PyTorch's layout
    and default init; x (batch, 1, 8, 8) and the class indices; ``source`` names the data."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(spec.dtype)
    params, channels = {}, 1
    for name, out in zip(("conv1", "conv2"), spec.channels):
        fan_in = channels * spec.kernel**2
        params[name] = (
            _uniform(rng, fan_in, (out, channels, spec.kernel, spec.kernel), dtype),
            _uniform(rng, fan_in, (out,), dtype),
        )
        channels = out
    params["fc"] = (
        _uniform(rng, spec.features, (spec.classes, spec.features), dtype),
        _uniform(rng, spec.features, (spec.classes,), dtype),
    )
    x, target, source = digits(spec.batch)
    return params, x.astype(dtype), target, source


def make_lstm_problem(spec: LSTMSpec, seed: int = 0) -> tuple:
    """``(params, x, target, source)``: params {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}
    (PyTorch's names, gates i, f, g, o) and "head" -> (W, b); x (steps, batch, input_size) and
    target (batch, 1) drawn from N(0, 1); ``source`` says so."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(spec.dtype)
    gates = 4 * spec.hidden
    params = {
        "weight_ih": _uniform(rng, spec.hidden, (gates, spec.input_size), dtype),
        "weight_hh": _uniform(rng, spec.hidden, (gates, spec.hidden), dtype),
        "bias_ih": _uniform(rng, spec.hidden, (gates,), dtype),
        "bias_hh": _uniform(rng, spec.hidden, (gates,), dtype),
        "head": (_uniform(rng, spec.hidden, (1, spec.hidden), dtype), _uniform(rng, spec.hidden, (1,), dtype)),
    }
    x = rng.normal(size=(spec.steps, spec.batch, spec.input_size)).astype(dtype)
    target = rng.normal(size=(spec.batch, 1)).astype(dtype)
    return params, x, target, "sequences and targets drawn from N(0, 1)"
