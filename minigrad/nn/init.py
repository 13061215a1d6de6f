"""Initialisers, PyTorch's ``torch.nn.init``: each fills a tensor in place and returns it.

All randomness comes from ``rng``: a ``numpy.random.Generator``, or an int seed (the same seed
gives the same values), or None for fresh entropy.

>>> w = Tensor(np.empty((3, 2)))
>>> kaiming_uniform_(w, nonlinearity="relu", rng=0).shape
(3, 2)
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.autograd import no_grad
from minigrad.tensor import Tensor

_GAINS = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which to scale the standard deviation so a layer followed by
    ``nonlinearity`` keeps its activations' variance, as ``torch.nn.init.calculate_gain``.

    ``leaky_relu`` takes its negative slope as ``param`` (default 0.01): gain sqrt(2 / (1 + slope^2)).

    >>> round(calculate_gain("tanh"), 4)
    1.6667
    """
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity not in _GAINS:
        choices = sorted(_GAINS) + ["leaky_relu"]
        raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; one of {choices}")
    return _GAINS[nonlinearity]


def fans(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out_features, in_features, *kernel)."""
    if tensor.ndim < 2:
        raise ValueError(f"fan in and fan out need a tensor of at least 2 dimensions, got shape {tensor.shape}")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fill(tensor: Tensor, values) -> Tensor:
    """Write ``values`` into ``tensor`` in place, outside the graph."""
    with no_grad():
        tensor.copy_(values)
    return tensor


def constant_(tensor: Tensor, value: float) -> Tensor:
    return _fill(tensor, np.full(tensor.shape, value))


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, rng=None) -> Tensor:
    """Fill with U(a, b)."""
    return _fill(tensor, np.random.default_rng(rng).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, rng=None) -> Tensor:
    """Fill with N(mean, std^2)."""
    return _fill(tensor, np.random.default_rng(rng).normal(mean, std, tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, rng=None) -> Tensor:
    """Glorot: U(-a, a) with a = gain sqrt(6 / (fan_in + fan_out)), which keeps the variance
    of both activations and gradients when the layer is roughly linear."""
    fan_in, fan_out = fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, rng)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, rng=None) -> Tensor:
    """Glorot: N(0, std^2) with std = gain sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def _kaiming_std(tensor, a, mode, nonlinearity):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fans(tensor)[mode == "fan_out"]
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng=None):
    """He: U(-b, b) with b = sqrt(3) gain / sqrt(fan), which keeps the variance of the
    activations (fan_in) or of the gradients (fan_out) through ReLU-like layers.

    ``a`` is the negative slope of the leaky ReLU that follows; with ``a = sqrt(5)`` this is
    PyTorch's default Linear init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    """
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, rng)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng=None):
    """He: N(0, std^2) with std = gain / sqrt(fan)."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), rng)


def orthogonal_(tensor: Tensor, gain: float = 1.0, rng=None) -> Tensor:
    """A (semi-)orthogonal matrix times ``gain``: the rows, or the columns when there are fewer,
    are orthonormal (Saxe et al. 2013). Dimensions after the first are flattened."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_ needs a tensor of at least 2 dimensions, got shape {tensor.shape}")
    rows, cols = tensor.shape[0], tensor.size // tensor.shape[0]
    flat = np.random.default_rng(rng).standard_normal((rows, cols))
    q, r = np.linalg.qr(flat if rows >= cols else flat.T)
    # NOTE: multiplying by the signs of diag(r) makes Q uniformly distributed (Mezzadri 2007).
    q = q * np.sign(np.diag(r))
    return _fill(tensor, gain * (q if rows >= cols else q.T).reshape(tensor.shape))
