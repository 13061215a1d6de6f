"""Checks of a public call's arguments on entry, before anything is changed or written.

Each check returns the value it accepts and refuses any other with an error naming the call, the
argument, the value and what was expected: a ``TypeError`` for a value of the wrong kind, a
``ValueError`` for one of the right kind out of range. Like :mod:`minigrad.arrays` it imports
nothing of minigrad but :mod:`minigrad.random` (the default generator), so every layer may use it.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Collection
from typing import Any, TypeVar

import numpy as np

from minigrad.random import default_generator

Choice = TypeVar("Choice")


def check_number(
    call: str,
    name: str,
    value: Any,
    *,
    integer: bool = False,
    at_least: float | None = None,
    above: float | None = None,
    at_most: float | None = None,
    below: float | None = None,
    allow_inf: bool = False,
) -> Any:
    """``value`` if it is a real number (an integer with ``integer``) in the range the bounds give.

    NaN is always refused, and so is infinity unless ``allow_inf``; so is a bool, which Python
    counts as an integer but no caller means as a number.

    Examples
    --------
    >>> check_number("SGD", "lr", 0.1, at_least=0)
    0.1
    >>> check_number("Adam", "lr", float("nan"), at_least=0)
    Traceback (most recent call last):
    ValueError: Adam: lr must be a finite number >= 0, got nan
    >>> check_number("StepLR", "step_size", 0, integer=True, at_least=1)
    Traceback (most recent call last):
    ValueError: StepLR: step_size must be an integer >= 1, got 0
    >>> check_number("Dropout", "p", "half", at_least=0, below=1)
    Traceback (most recent call last):
    TypeError: Dropout: p must be a finite number >= 0 and < 1, got str 'half'
    """
    expected = _expected_number(integer, allow_inf, at_least, above, at_most, below)
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(f"{call}: {name} must be {expected}, got {type(value).__name__} {value!r}")
    number: Any = value  # a Real, compared with float bounds
    integral = isinstance(number, numbers.Integral)  # never NaN or infinite, maybe too big for a float
    inside = (
        (integral or not math.isnan(number))
        and (integral or allow_inf or not math.isinf(number))
        and (at_least is None or number >= at_least)
        and (above is None or number > above)
        and (at_most is None or number <= at_most)
        and (below is None or number < below)
    )
    if not inside:
        raise ValueError(f"{call}: {name} must be {expected}, got {value!r}")
    return value


def check_choice(call: str, name: str, value: Choice, choices: Collection[Choice]) -> Choice:
    """``value`` if it is one of ``choices``.

    Examples
    --------
    >>> check_choice("mse_loss", "reduction", "mean", ("mean", "sum", "none"))
    'mean'
    >>> check_choice("mse_loss", "reduction", "avg", ("mean", "sum", "none"))
    Traceback (most recent call last):
    ValueError: mse_loss: reduction must be one of 'mean', 'sum', 'none', got 'avg'
    """
    try:
        found = value in choices
    except TypeError:  # an unhashable value looked up in a set
        found = False
    if not found:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{call}: {name} must be one of {listed}, got {value!r}")
    return value


def check_rng(call: str, rng: Any) -> np.random.Generator:
    """The Generator ``rng`` gives: itself for a Generator, a new one for a seed (an integer >= 0,
    or a sequence of them), and minigrad's default generator for None (the one
    :func:`minigrad.manual_seed` seeds); refused by name when NumPy cannot use it.

    Examples
    --------
    >>> check_rng("Linear", 0).integers(10) == check_rng("Linear", 0).integers(10)
    np.True_
    >>> check_rng("Linear", -1)
    Traceback (most recent call last):
    ValueError: Linear: rng must be a numpy Generator, None or a seed (an integer >= 0), got -1
    """
    if rng is None:
        return default_generator()
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as error:
        expected = "a numpy Generator, None or a seed (an integer >= 0)"
        kind = ValueError if isinstance(rng, numbers.Integral) else TypeError
        raise kind(f"{call}: rng must be {expected}, got {rng!r}") from error


def _expected_number(
    integer: bool,
    allow_inf: bool,
    at_least: float | None,
    above: float | None,
    at_most: float | None,
    below: float | None,
) -> str:
    """What a number must be, in words: 'a finite number >= 0 and < 1', 'an integer >= 1'."""
    kind = "an integer" if integer else ("a number" if allow_inf else "a finite number")
    bounds = [
        f"{sign} {bound:g}"
        for sign, bound in ((">=", at_least), (">", above), ("<=", at_most), ("<", below))
        if bound is not None
    ]
    return " ".join([kind, " and ".join(bounds)]) if bounds else kind


def check_dims(
    call: str, dim: Any = None, keepdim: Any = False, axis: Any = None, keepdims: Any = None
) -> tuple[int | tuple[int, ...] | None, bool]:
    """The axes and keepdim of a reduction, from PyTorch's ``dim``/``keepdim`` or NumPy's
    ``axis``/``keepdims`` (one spelling at a time): None (all), an int, or a tuple or list of ints.

    NOTE: an empty tuple is refused: PyTorch reduces over all dims there, NumPy over none.

    Examples
    --------
    >>> check_dims("sum", 1), check_dims("sum", axis=[0, 1], keepdims=True)
    ((1, False), ((0, 1), True))
    >>> check_dims("sum", dim=0, axis=0)
    Traceback (most recent call last):
    TypeError: sum: give dim (PyTorch's name) or axis (NumPy's), not both: got dim=0 and axis=0
    """
    if axis is not None:
        if dim is not None:
            raise TypeError(
                f"{call}: give dim (PyTorch's name) or axis (NumPy's), not both: got dim={dim!r} and axis={axis!r}"
            )
        dim = axis
    if keepdims is not None:
        if keepdim is not False:
            raise TypeError(f"{call}: give keepdim (PyTorch's name) or keepdims (NumPy's), not both")
        keepdim = keepdims
    if type(keepdim) is not bool:
        raise TypeError(f"{call}: keepdim must be a bool, got {type(keepdim).__name__} {keepdim!r:.40}")
    if dim is None or type(dim) is int:  # NOTE: the usual cases first, without the slower ABC checks below
        return dim, keepdim
    if type(dim) is tuple and dim and all([type(d) is int for d in dim]):
        return dim, keepdim
    if isinstance(dim, list):
        dim = tuple(dim)
    if dim is None or (isinstance(dim, numbers.Integral) and not isinstance(dim, bool)):
        return None if dim is None else int(dim), keepdim
    if not isinstance(dim, tuple) or not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in dim):
        raise TypeError(f"{call}: dim must be None, an int or a tuple of ints, got {type(dim).__name__} {dim!r:.40}")
    if not dim:
        raise ValueError(f"{call}: dim=() reduces over all dims in PyTorch and over none in NumPy; give None for all")
    return tuple(int(d) for d in dim), keepdim


def check_dim(call: str, dim: Any, ndim: int) -> int:
    """``dim`` as an index in [0, ndim): an int from -ndim to ndim - 1 (a 0-d tensor has the one dim 0
    or -1, as PyTorch's).

    Examples
    --------
    >>> check_dim("transpose", -1, 3)
    2
    >>> check_dim("transpose", 3, 3)
    Traceback (most recent call last):
    IndexError: transpose: dim 3 is out of range for a tensor of 3 dims
    """
    if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
        raise TypeError(f"{call}: a dim must be an int, got {type(dim).__name__} {dim!r:.40}")
    if not -max(ndim, 1) <= int(dim) < max(ndim, 1):
        raise IndexError(f"{call}: dim {dim} is out of range for a tensor of {ndim} dims")
    return int(dim) % max(ndim, 1)


def check_unimplemented(call: str, name: str, value: Any, default: Any) -> None:
    """Refuse a PyTorch option that minigrad does not implement when it is given anything but its
    default, naming it: never silently ignore it.

    Examples
    --------
    >>> check_unimplemented("LSTM", "bidirectional", False, default=False)
    >>> check_unimplemented("LSTM", "bidirectional", True, default=False)
    Traceback (most recent call last):
    NotImplementedError: LSTM: bidirectional=True is not implemented in minigrad; leave bidirectional at its default, False
    """
    # NOTE: 0 for a dropout of 0.0 is the default; 0 for bidirectional=False is not a bool, so it is not.
    if value != default or isinstance(value, bool) != isinstance(default, bool):
        raise NotImplementedError(
            f"{call}: {name}={value!r} is not implemented in minigrad; leave {name} at its default, {default!r}"
        )


def caller_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning raised here point at the first line outside minigrad
    (the user's call), however many of minigrad's frames lie between (a subclass's constructor, a
    helper); to be called from the function that calls ``warnings.warn``.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("a check's message", UserWarning, stacklevel=caller_stacklevel())
    >>> len(caught)
    1
    """
    level, frame = 1, sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("minigrad."):
        level, frame = level + 1, frame.f_back
    return level
