"""Tensors made from a shape or from data, and their dtypes, as PyTorch's top-level functions:
``minigrad.tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``eye``, ``randn``, ``rand``,
``allclose``. Re-exported by :mod:`minigrad`, so that ``torch.zeros(2, 3)`` reads
``minigrad.zeros(2, 3)``.

NOTE: the default float dtype is float64 (PyTorch's is float32): what PyTorch makes float32 by
default, these make float64.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from minigrad.arguments import check_rng
from minigrad.arrays import as_tensor_array
from minigrad.tensor import Tensor, TensorLike

# PyTorch's dtype names: ``minigrad.float32`` is ``numpy.float32``, ``minigrad.long`` is ``numpy.int64``.
float64 = double = np.float64
float32 = np.float32
int64 = long = np.int64
int32 = np.int32
bool_ = np.bool_


def tensor(data: TensorLike, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """A new tensor of a copy of ``data``, its dtype inferred as ``torch.tensor`` infers it:
    int64 from integers, bool from bools, float64 (the default float) from floats, float32 kept.

    Examples
    --------
    >>> minigrad.tensor([1, 2]), minigrad.tensor([0.5]), minigrad.tensor([True])
    (Tensor([1 2], dtype=int64), Tensor([0.5]), Tensor([ True], dtype=bool))
    """
    data = data.numpy() if isinstance(data, Tensor) else data
    return Tensor._make(as_tensor_array(data, dtype, copy=True, infer=True)).requires_grad_(requires_grad)


def _shape(call: str, size: tuple[int | Sequence[int], ...]) -> tuple[int, ...]:
    """A shape given as ints or as one sequence (``zeros(2, 3)`` or ``zeros((2, 3))``), checked."""
    dims = tuple(size[0]) if len(size) == 1 and isinstance(size[0], Sequence) else size
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in dims):
        raise TypeError(f"{call}: size must be ints >= 0 (or one tuple of them), got {size!r:.60}")
    return tuple(int(n) for n in dims)  # type: ignore[arg-type]


def _made(array: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._make(array).requires_grad_(requires_grad)


def zeros(*size: int | Sequence[int], dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of shape ``size`` (float64 unless ``dtype``), as ``torch.zeros``.

    Examples
    --------
    >>> minigrad.zeros(2, 3).shape, minigrad.zeros((2,), dtype=minigrad.long)
    ((2, 3), Tensor([0 0], dtype=int64))
    """
    return _made(as_tensor_array(np.zeros(_shape("zeros", size)), dtype), requires_grad)


def ones(*size: int | Sequence[int], dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of shape ``size`` (float64 unless ``dtype``), as ``torch.ones``.

    Examples
    --------
    >>> minigrad.ones(2)
    Tensor([1. 1.])
    """
    return _made(as_tensor_array(np.ones(_shape("ones", size)), dtype), requires_grad)


def full(size: Sequence[int], fill_value: float, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``, its dtype inferred from it unless
    ``dtype`` (as ``torch.full``).

    Examples
    --------
    >>> minigrad.full((2,), 7), minigrad.full((2,), 0.5)
    (Tensor([7 7], dtype=int64), Tensor([0.5 0.5]))
    """
    array = np.full(_shape("full", (size,)), as_tensor_array(fill_value, dtype, infer=True))
    return _made(array, requires_grad)


def zeros_like(input: Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``input``'s shape and dtype (or ``dtype``), as ``torch.zeros_like``.

    Examples
    --------
    >>> minigrad.zeros_like(minigrad.tensor([1, 2]))
    Tensor([0 0], dtype=int64)
    """
    return _made(np.zeros(input.shape, dtype=input.dtype if dtype is None else dtype), requires_grad)


def ones_like(input: Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Ones of ``input``'s shape and dtype (or ``dtype``), as ``torch.ones_like``.

    Examples
    --------
    >>> minigrad.ones_like(Tensor([[1.0, 2.0]]))
    Tensor([[1. 1.]])
    """
    return _made(np.ones(input.shape, dtype=input.dtype if dtype is None else dtype), requires_grad)


def arange(
    start: float, end: float | None = None, step: float = 1, dtype: DTypeLike | None = None, requires_grad: bool = False
) -> Tensor:
    """start, start + step, ... up to (not including) ``end``; ``arange(n)`` is 0 .. n-1. int64 when
    every argument is an int, else float64 (as ``torch.arange``).

    Examples
    --------
    >>> minigrad.arange(3), minigrad.arange(0, 1, 0.25)
    (Tensor([0 1 2], dtype=int64), Tensor([0.   0.25 0.5  0.75]))
    """
    values = np.arange(start, end, step) if end is not None else np.arange(start, step=step)
    return _made(as_tensor_array(values, dtype, infer=dtype is None), requires_grad)


def linspace(
    start: float, end: float, steps: int, dtype: DTypeLike | None = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included (float64 unless
    ``dtype``), as ``torch.linspace``.

    Examples
    --------
    >>> minigrad.linspace(-1, 1, 5)
    Tensor([-1.  -0.5  0.   0.5  1. ])
    """
    (steps,) = _shape("linspace", (steps,))
    return _made(as_tensor_array(np.linspace(start, end, steps), dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (m = n unless given), as ``torch.eye``.

    Examples
    --------
    >>> minigrad.eye(2)
    Tensor([[1. 0.]
            [0. 1.]])
    """
    return _made(as_tensor_array(np.eye(n, m), dtype), requires_grad)


def randn(
    *size: int | Sequence[int],
    generator: np.random.Generator | None = None,
    dtype: DTypeLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal draws of shape ``size``, from ``generator`` or the default generator
    (:func:`minigrad.manual_seed`), as ``torch.randn``.

    Examples
    --------
    >>> minigrad.randn(2, 3).shape
    (2, 3)
    """
    draws = check_rng("randn", generator).standard_normal(_shape("randn", size))
    return _made(as_tensor_array(draws, dtype), requires_grad)


def rand(
    *size: int | Sequence[int],
    generator: np.random.Generator | None = None,
    dtype: DTypeLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform draws in [0, 1) of shape ``size``, as ``torch.rand``.

    Examples
    --------
    >>> bool(((minigrad.rand(5) >= 0) & (minigrad.rand(5) < 1)).all())
    True
    """
    draws = check_rng("rand", generator).random(_shape("rand", size))
    return _made(as_tensor_array(draws, dtype), requires_grad)


def allclose(
    input: TensorLike, other: TensorLike, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether |input - other| <= atol + rtol |other| everywhere, as ``torch.allclose``.

    Examples
    --------
    >>> minigrad.allclose(Tensor([1.0, 2.0]), Tensor([1.0, 2.0 + 1e-9]))
    True
    """
    return bool(np.allclose(_values(input), _values(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def _values(x: TensorLike) -> ArrayLike:
    return x.numpy() if isinstance(x, Tensor) else x
