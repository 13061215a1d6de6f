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
