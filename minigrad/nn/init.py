"""Initialisers, PyTorch's ``torch.nn.init``: each fills a tensor in place and returns it.

All randomness comes from ``rng``: a ``numpy.random.Generator``, or an int seed (the same seed
gives the same values), or None for the default generator (:func:`minigrad.manual_seed`). Every argument is checked on entry, as PyTorch
checks it: a gain, slope, bound, mean or std that is NaN or infinite, an unknown ``mode`` or
``nonlinearity``, and a std < 0 or bounds a > b are refused by name.

>>> w = Tensor(np.empty((3, 2)))
>>> kaiming_uniform_(w, nonlinearity="relu", rng=0).shape
(3, 2)
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import ArrayLike

from minigrad.arguments import caller_stacklevel, check_choice, check_number, check_rng
from minigrad.autograd import no_grad
from minigrad.tensor import Tensor

_GAINS = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which to scale the standard deviation so a layer followed by
    ``nonlinearity`` keeps its activations' variance, as ``torch.nn.init.calculate_gain``.

    ``leaky_relu`` takes its negative slope as ``param`` (default 0.01): gain sqrt(2 / (1 + slope^2)).

    Examples
    --------
    >>> round(calculate_gain("tanh"), 4)
    1.6667
    >>> calculate_gain("leaky_relu", float("nan"))
    Traceback (most recent call last):
    ValueError: calculate_gain: param must be a finite number, got nan
    """
    check_choice("calculate_gain", "nonlinearity", nonlinearity, [*_GAINS, "leaky_relu"])
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else check_number("calculate_gain", "param", param)
        return math.sqrt(2.0 / (1 + slope**2))
    return _GAINS[nonlinearity]


def fans(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out_features, in_features, *kernel).

    Examples
    --------
    >>> fans(Tensor(np.empty((3, 2)))), fans(Tensor(np.empty((8, 4, 3, 3))))
    ((2, 3), (36, 72))
    """
    if tensor.ndim < 2:
        raise ValueError(f"fans: fan in and fan out need a tensor of at least 2 dimensions, got shape {tensor.shape}")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _no_elements(call: str, tensor: Tensor) -> bool:
    """True, with PyTorch's warning, when ``tensor`` has no elements to fill."""
    if tensor.numel():
        return False
    warnings.warn(
        f"{call}: initializing zero-element tensors is a no-op (shape {tensor.shape})", UserWarning, caller_stacklevel()
    )
    return True


def _fill(tensor: Tensor, values: ArrayLike) -> Tensor:
    """Write ``values`` into ``tensor`` in place, outside the graph."""
    with no_grad():
        tensor.copy_(values)
    return tensor


def constant_(tensor: Tensor, value: float) -> Tensor:
    """Fill with ``value``.

    Examples
    --------
    >>> constant_(Tensor(np.empty(2)), 0.5)
    Tensor([0.5 0.5])
    """
    return _fill(tensor, np.full(tensor.shape, value))


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros (the usual start for biases).

    Examples
    --------
    >>> zeros_(Tensor(np.empty(2)))
    Tensor([0. 0.])
    """
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones (the usual start for a norm layer's scale).

    Examples
    --------
    >>> ones_(Tensor(np.empty(2)))
    Tensor([1. 1.])
    """
    return constant_(tensor, 1.0)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, rng: int | np.random.Generator | None = None) -> Tensor:
    """Fill with U(a, b).

    Examples
    --------
    >>> w = uniform_(Tensor(np.empty(1000)), -1.0, 1.0, rng=0)
    >>> bool(w.numpy().min() >= -1.0 and w.numpy().max() <= 1.0)
    True
    """
    check_number("uniform_", "a", a)
    check_number("uniform_", "b", b, at_least=a)
    return _fill(tensor, check_rng("uniform_", rng).uniform(a, b, tensor.shape))


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, rng: int | np.random.Generator | None = None
) -> Tensor:
    """Fill with N(mean, std^2).

    Examples
    --------
    >>> w = normal_(Tensor(np.empty(10_000)), 0.0, 2.0, rng=0)
    >>> round(float(w.numpy().std()), 1)
    2.0
    """
    check_number("normal_", "mean", mean)
    check_number("normal_", "std", std, at_least=0)
    return _fill(tensor, check_rng("normal_", rng).normal(mean, std, tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, rng: int | np.random.Generator | None = None) -> Tensor:
    """Glorot: U(-a, a) with a = gain sqrt(6 / (fan_in + fan_out)).

    It keeps the variance of both activations and gradients when the layer is roughly linear
    (tanh and sigmoid near 0).

    Examples
    --------
    >>> w = xavier_uniform_(Tensor(np.empty((300, 200))), rng=0)   # std sqrt(2 / 500) = 0.063
    >>> round(float(w.numpy().std()), 3)
    0.063
    """
    check_number("xavier_uniform_", "gain", gain)
    rng = check_rng("xavier_uniform_", rng)
    fan_in, fan_out = fans(tensor)
    bound = gain * math.sqrt(6.0 / max(fan_in + fan_out, 1))  # NOTE: both fans 0: no elements to fill
    return uniform_(tensor, -bound, bound, rng)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, rng: int | np.random.Generator | None = None) -> Tensor:
    """Glorot: N(0, std^2) with std = gain sqrt(2 / (fan_in + fan_out)).

    Examples
    --------
    >>> w = xavier_normal_(Tensor(np.empty((300, 200))), rng=0)    # std sqrt(2 / 500) = 0.063
    >>> round(float(w.numpy().std()), 3)
    0.063
    """
    check_number("xavier_normal_", "gain", gain, at_least=0)  # NOTE: it is a std's factor
    rng = check_rng("xavier_normal_", rng)
    fan_in, fan_out = fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / max(fan_in + fan_out, 1)), rng)


def _kaiming_std(call: str, tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    """gain / sqrt(fan), after checking the arguments of ``call``."""
    check_number(call, "a", a)
    check_choice(call, "mode", mode, ("fan_in", "fan_out"))
    check_choice(call, "nonlinearity", nonlinearity, [*_GAINS, "leaky_relu"])
    fan = fans(tensor)[mode == "fan_out"]
    return calculate_gain(nonlinearity, a) / math.sqrt(max(fan, 1))  # NOTE: a fan of 0: no elements to fill


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: int | np.random.Generator | None = None,
) -> Tensor:
    """He: U(-b, b) with b = sqrt(3) gain / sqrt(fan).

    It keeps the variance of the activations (fan_in) or of the gradients (fan_out) through
    ReLU-like layers. ``a`` is the negative slope of the leaky ReLU that follows; with
    ``a = sqrt(5)`` this is PyTorch's default Linear init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

    Examples
    --------
    >>> w = kaiming_uniform_(Tensor(np.empty((300, 200))), nonlinearity="relu", rng=0)
    >>> round(float(w.numpy().std()), 3)                             # sqrt(2 / fan_in)
    0.1
    """
    bound = math.sqrt(3.0) * _kaiming_std("kaiming_uniform_", tensor, a, mode, nonlinearity)
    rng = check_rng("kaiming_uniform_", rng)
    if _no_elements("kaiming_uniform_", tensor):
        return tensor
    return uniform_(tensor, -bound, bound, rng)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: int | np.random.Generator | None = None,
) -> Tensor:
    """He: N(0, std^2) with std = gain / sqrt(fan).

    Examples
    --------
    >>> w = kaiming_normal_(Tensor(np.empty((300, 200))), nonlinearity="relu", rng=0)
    >>> round(float(w.numpy().std()), 3)                             # sqrt(2 / fan_in)
    0.1
    """
    std = _kaiming_std("kaiming_normal_", tensor, a, mode, nonlinearity)
    rng = check_rng("kaiming_normal_", rng)
    return tensor if _no_elements("kaiming_normal_", tensor) else normal_(tensor, 0.0, std, rng)


def orthogonal_(tensor: Tensor, gain: float = 1.0, rng: int | np.random.Generator | None = None) -> Tensor:
    """A (semi-)orthogonal matrix times ``gain`` (Saxe et al. 2013).

    The rows, or the columns when there are fewer, are orthonormal. Dimensions after the first
    are flattened.

    Examples
    --------
    >>> q = orthogonal_(Tensor(np.empty((3, 5))), rng=0).numpy()
    >>> bool(np.allclose(q @ q.T, np.eye(3)))
    True
    """
    check_number("orthogonal_", "gain", gain)
    generator = check_rng("orthogonal_", rng)
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_ needs a tensor of at least 2 dimensions, got shape {tensor.shape}")
    rows, cols = tensor.shape[0], math.prod(tensor.shape[1:])
    if rows * cols == 0:
        return tensor  # NOTE: numpy's qr cannot factor an empty matrix, and there is nothing to fill
    flat = generator.standard_normal((rows, cols))
    q, r = np.linalg.qr(flat if rows >= cols else flat.T)
    # NOTE: multiplying by the signs of diag(r) makes Q uniformly distributed (Mezzadri 2007).
    q = q * np.sign(np.diag(r))
    return _fill(tensor, gain * (q if rows >= cols else q.T).reshape(tensor.shape))
