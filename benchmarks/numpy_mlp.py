"""The same networks written out by hand in NumPy, forward and backward: the lower bound.

No graph, no objects per op: each layer's forward keeps what its backward needs, and the backward
is the chain rule applied layer by layer, the way one writes it on paper. The derivatives are the
textbook ones (tanh' = 1 - y^2, sigmoid' = s (1 - s)). tests/test_benchmarks_baseline.py checks
that these gradients equal minigrad's.
"""

from __future__ import annotations

import numpy as np


def _activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    return 1 / (1 + np.exp(-z))  # sigmoid


def _activation_backward(name: str, grad: np.ndarray, z: np.ndarray, h: np.ndarray) -> np.ndarray:
    if name == "tanh":
        return grad * (1 - h * h)
    if name == "relu":
        return grad * (z > 0)
    return grad * h * (1 - h)  # sigmoid


def loss_and_grad(loss: str, out: np.ndarray, target: np.ndarray) -> tuple:
    """The mean loss and its gradient with respect to ``out``."""
    n = out.shape[0]
    if loss == "mse":
        diff = out - target
        return np.mean(diff * diff), diff * (2 / diff.size)
    shifted = out - out.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss_value = np.mean(np.log(total[:, 0]) - shifted[rows, target])
    grad = e / total
    grad[rows, target] -= 1
    return loss_value, grad / n


def forward(params: list, x: np.ndarray, activation: str) -> tuple:
    """``(output, inputs, pre)``: the MLP's output, each layer's input and pre-activation."""
    inputs, pre = [], []
    h = x
    for i, (w, b) in enumerate(params):
        inputs.append(h)
        z = h @ w.T + b
        pre.append(z)
        h = z if i == len(params) - 1 else _activate(activation, z)
    return h, inputs, pre


def backward(params: list, grad: np.ndarray, inputs: list, pre: list, activation: str) -> list:
    """``[(grad_W, grad_b), ...]`` from ``grad`` = d loss / d output, layer by layer."""
    grads = [None] * len(params)
    for i in reversed(range(len(params))):
        w = params[i][0]
        if i < len(params) - 1:
            grad = _activation_backward(activation, grad, pre[i], inputs[i + 1])
        grads[i] = (grad.T @ inputs[i], grad.sum(axis=0))
        if i > 0:
            grad = grad @ w
    return grads


def gradients(params: list, x: np.ndarray, target: np.ndarray, activation: str, loss: str) -> tuple:
    """``(loss, [(grad_W, grad_b), ...])`` of the MLP at ``params`` on one batch."""
    out, inputs, pre = forward(params, x, activation)
    loss_value, grad = loss_and_grad(loss, out, target)
    return loss_value, backward(params, grad, inputs, pre, activation)


def make_step(params: list, x: np.ndarray, target: np.ndarray, activation: str, loss: str, lr: float):
    """One SGD step (forward, backward, update) on ``params``, a list of (W, b) arrays, in place."""

    def step():
        loss_value, grads = gradients(params, x, target, activation, loss)
        for (w, b), (grad_w, grad_b) in zip(params, grads):
            w -= lr * grad_w
            b -= lr * grad_b
        return loss_value

    return step
