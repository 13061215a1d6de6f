"""Hypothesis strategies for Tensors, and a one-line property test of an op's gradients.

This module needs Hypothesis (``pip install hypothesis``); ``import minigrad`` does not.

Add a new activation and property-test it in ten lines:

>>> import numpy as np
>>> from minigrad import Function
>>> from minigrad.testing import check_gradients
>>> class Squareplus(Function):
...     '''squareplus(x) = (x + sqrt(x^2 + 4)) / 2;  squareplus'(x) = (1 + x / sqrt(x^2 + 4)) / 2'''
...     @staticmethod
...     def forward(ctx, x):
...         return (x + np.sqrt(x * x + 4.0)) / 2
...     @staticmethod
...     def backward(ctx, grad):
...         (x,) = ctx.inputs
...         return grad * (1 + x / (x * x + 4.0) ** 0.5) / 2
>>> check_gradients(Squareplus.apply)  # first and second order, random shapes and values

An op with kinks is tested away from them, e.g. ``check_gradients(lambda x: x.relu(), avoid=[0.0])``;
a binary op with broadcasting: ``check_gradients(lambda x, y: x * y, num_inputs=2)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, TypeAlias, cast

import numpy as np
from numpy.typing import DTypeLike

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as error:  # pragma: no cover - exercised in a subprocess
    raise ImportError("minigrad.testing needs Hypothesis: pip install hypothesis") from error

from minigrad.arguments import check_number
from minigrad.gradcheck import TensorFunction, gradcheck, gradgradcheck
from minigrad.gradcheck.check import check_settings
from minigrad.tensor import Tensor

Shape: TypeAlias = tuple[int, ...]
Strategy = st.SearchStrategy  # a Hypothesis strategy: Strategy[Shape] draws shapes

__all__ = ["away_from", "broadcastable_shapes", "check_gradients", "shapes", "tensors"]


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 3) -> Strategy[Shape]:
    """Array shapes, from 0-d up to ``max_dims`` axes of at most ``max_side`` elements.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(shapes(min_dims=1, max_side=2))
    ... def test_small_shapes(shape):
    ...     assert 1 <= len(shape) <= 3 and max(shape) <= 2
    >>> test_small_shapes()
    """
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3, max_side: int = 3
) -> Strategy[tuple[Shape, ...]]:
    """Tuples of ``num_shapes`` shapes that broadcast together, e.g. ``((2, 1, 3), (4, 1))``.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(broadcastable_shapes(num_shapes=2))
    ... def test_they_broadcast(pair):
    ...     assert len(pair) == 2 and np.broadcast_shapes(*pair) is not None
    >>> test_they_broadcast()
    """
    strategy = hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    )
    return strategy.map(lambda drawn: drawn.input_shapes)


def away_from(
    points: Iterable[float] = (),
    min_distance: float = 1e-3,
    min_value: float = -3.0,
    max_value: float = 3.0,
    width: Literal[16, 32, 64] = 64,
) -> Strategy[float]:
    """Finite floats in [min_value, max_value] at least ``min_distance`` from every point.

    Keeps a finite-difference check off an op's kinks (``away_from([0.0])`` for relu).

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(away_from([0.0], min_distance=0.5))
    ... def test_far_from_zero(v):
    ...     assert 0.5 <= abs(v) <= 3.0
    >>> test_far_from_zero()
    """
    if width == 32:  # NOTE: Hypothesis needs float32-representable bounds; round inwards.
        lo, hi = np.float32(min_value), np.float32(max_value)
        min_value = float(lo if float(lo) >= min_value else np.nextafter(lo, np.float32(np.inf)))
        max_value = float(hi if float(hi) <= max_value else np.nextafter(hi, np.float32(-np.inf)))
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, width=width)
    points = tuple(points)
    return elements.filter(lambda v: all(abs(v - p) >= min_distance for p in points)) if points else elements


@st.composite
def tensors(
    draw: st.DrawFn,
    shape: int | Shape | Strategy[Shape] | None = None,
    dtype: DTypeLike | Strategy[DTypeLike] = np.float64,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Iterable[float] = (),
    min_distance: float = 1e-3,
    requires_grad: bool = True,
) -> Tensor:
    """Tensors with a given or drawn shape and dtype, elements in a range and away from ``avoid``.

    ``shape`` (a tuple or an int) and ``dtype`` may each be a value or a strategy;
    ``shape=None`` draws from :func:`shapes`.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(tensors(shape=(2, 3), dtype=np.float32, avoid=[0.0]))
    ... def test_shape(x):
    ...     assert x.shape == (2, 3) and x.dtype == np.float32 and x.requires_grad
    >>> test_shape()
    """
    if shape is None or isinstance(shape, st.SearchStrategy):
        shape = draw(shapes() if shape is None else shape)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    dtype = np.dtype(draw(dtype) if isinstance(dtype, st.SearchStrategy) else dtype)
    width = cast(Literal[16, 32, 64], 8 * dtype.itemsize)  # the dtype's bits
    elements = away_from(avoid, min_distance, min_value, max_value, width=width)
    return Tensor(draw(hnp.arrays(dtype, shape, elements=elements)), requires_grad=requires_grad)


def check_gradients(
    fn: TensorFunction,
    *inputs: Shape | Strategy[Tensor],
    num_inputs: int = 1,
    avoid: Iterable[float] = (),
    min_distance: float = 1e-3,
    min_value: float = -3.0,
    max_value: float = 3.0,
    dtype: DTypeLike = np.float64,
    order: int = 2,
    max_examples: int = 25,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> None:
    """Property-test ``fn``'s gradients (and, with ``order=2``, second derivatives) on drawn inputs.

    Each of ``inputs`` is a shape tuple or a strategy of Tensors; without any, ``num_inputs``
    Tensors of mutually broadcastable shapes are drawn. Elements lie in [min_value, max_value],
    at least ``min_distance`` from every point in ``avoid``. Raises :class:`GradcheckError` on
    the (shrunk) falsifying example, which Hypothesis attaches to the error as a note.

    Runs a Hypothesis test with ``max_examples`` examples, ``deadline=None`` and no example
    database (the inner test has one name for every ``fn``); other settings come from the
    active Hypothesis profile. ``eps``, ``atol`` and ``rtol`` are checked on entry as
    :func:`~minigrad.gradcheck` checks them; a float32 ``dtype`` is checked as float64 copies,
    with gradcheck's warning.

    Examples
    --------
    >>> check_gradients(lambda x, y: x * y / (y * y + 1.0), num_inputs=2, max_examples=5)
    >>> check_gradients(lambda x: x.abs(), avoid=[0.0], order=1, max_examples=5)
    """
    if order not in (1, 2):
        raise ValueError(f"check_gradients: order must be 1 or 2, got {order}")
    check_settings("check_gradients", eps, atol, rtol)
    check_number("check_gradients", "max_examples", max_examples, integer=True, at_least=1)
    check_number("check_gradients", "num_inputs", num_inputs, integer=True, at_least=1)
    options: dict[str, Any] = dict(
        dtype=dtype, min_value=min_value, max_value=max_value, avoid=avoid, min_distance=min_distance
    )
    if inputs:
        strategies = [x if isinstance(x, st.SearchStrategy) else tensors(shape=x, **options) for x in inputs]
        drawn = st.tuples(*strategies)
    else:
        drawn = broadcastable_shapes(num_inputs).flatmap(
            lambda shapes: st.tuples(*(tensors(shape=s, **options) for s in shapes))
        )

    @settings(max_examples=max_examples, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(drawn)
    def gradients_match_finite_differences(xs: tuple[Tensor, ...]) -> None:
        gradcheck(fn, xs, eps=eps, atol=atol, rtol=rtol)
        if order == 2:
            gradgradcheck(fn, xs, eps=eps, atol=atol, rtol=rtol)

    gradients_match_finite_differences()
