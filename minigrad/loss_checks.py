"""The checks the losses make on entry: each refuses a bad argument with an error that names the
loss, the argument, the value and what was expected, before anything is computed.

As PyTorch: input and target of one shape (PyTorch only warns on a target that broadcasts, and
minigrad refuses it), class indices in [0, C) or ``ignore_index``, a ``weight`` of one entry per
class (per element for the elementwise losses), the deprecated ``size_average`` and ``reduce``
refused by name. Beyond PyTorch: NaN or infinite weights and the mean of an empty input, which
PyTorch returns as nan, are refused.

>>> reduction_of("mse_loss", "avg")
Traceback (most recent call last):
ValueError: mse_loss: reduction must be one of 'mean', 'sum', 'none', got 'avg'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.arguments import check_choice, check_number
from minigrad.ops.losses import REDUCTIONS, classes_outside
from minigrad.tensor import Tensor, TensorLike


def reduction_of(call: str, reduction: str, size_average: Any = None, reduce: Any = None) -> str:
    """``reduction`` if it is 'mean', 'sum' or 'none'; PyTorch's deprecated ``size_average`` and
    ``reduce`` are refused unless None.

    Examples
    --------
    >>> reduction_of("l1_loss", "sum")
    'sum'
    >>> reduction_of("l1_loss", "mean", size_average=False)
    Traceback (most recent call last):
    TypeError: l1_loss: size_average is deprecated in PyTorch and not supported by minigrad, got False; use reduction='mean', 'sum' or 'none'
    """
    for name, value in (("size_average", size_average), ("reduce", reduce)):
        if value is not None:
            raise TypeError(
                f"{call}: {name} is deprecated in PyTorch and not supported by minigrad, got {value!r}; "
                "use reduction='mean', 'sum' or 'none'"
            )
    return check_choice(call, "reduction", reduction, REDUCTIONS)


def as_input(call: str, input: TensorLike, reduction: str) -> Tensor:
    """``input`` as a Tensor; an empty one is refused for the mean (the mean of no losses).

    Examples
    --------
    >>> as_input("l1_loss", [1.0, 2.0], "mean")
    Tensor([1. 2.])
    >>> as_input("l1_loss", [], "mean")
    Traceback (most recent call last):
    ValueError: l1_loss: input is empty (shape (0,)), and the mean of no losses is undefined; use reduction='sum' or 'none'
    """
    input = input if isinstance(input, Tensor) else Tensor(input)
    if input.numel() == 0 and reduction == "mean":
        raise ValueError(
            f"{call}: input is empty (shape {input.shape}), and the mean of no losses is undefined; "
            "use reduction='sum' or 'none'"
        )
    return input


def same_shape(call: str, input: Tensor, target: TensorLike) -> Tensor:
    """``target`` as a Tensor of ``input``'s shape (a number or array takes input's dtype).

    Examples
    --------
    >>> same_shape("mse_loss", Tensor([1.0, 2.0]), [0, 1])
    Tensor([0. 1.])
    >>> same_shape("mse_loss", Tensor([1.0, 2.0]), [0.0])
    Traceback (most recent call last):
    ValueError: mse_loss: target shape (1,) must equal input shape (2,)
    """
    target = input._lift(target)
    if target.shape != input.shape:
        raise ValueError(f"{call}: target shape {target.shape} must equal input shape {input.shape}")
    return target


def probabilities(call: str, name: str, values: Tensor) -> None:
    """Refuse ``values`` unless all are in [0, 1] (NaN included), as PyTorch's binary_cross_entropy.

    Examples
    --------
    >>> probabilities("binary_cross_entropy", "input", Tensor([0.5, float("nan"), 2.0]))
    Traceback (most recent call last):
    ValueError: binary_cross_entropy: input must hold probabilities in [0, 1], got values in [0.5, 2.0] and NaN
    """
    data = values.numpy()
    if data.size and not np.all((data >= 0) & (data <= 1)):
        numbers, nan = data[~np.isnan(data)], int(np.isnan(data).any())
        found = [f"values in [{numbers.min()}, {numbers.max()}]"] if numbers.size else []
        raise ValueError(f"{call}: {name} must hold probabilities in [0, 1], got {' and '.join(found + ['NaN'] * nan)}")


def weight_array(call: str, name: str, weight: TensorLike) -> np.ndarray:
    """``weight`` as an array of finite real numbers; a Tensor that requires a gradient is refused
    (weights get none, as PyTorch's).

    Examples
    --------
    >>> weight_array("CrossEntropyLoss", "weight", [1.0, float("inf")])
    Traceback (most recent call last):
    ValueError: CrossEntropyLoss: weight must be finite, got [inf]
    """
    if isinstance(weight, Tensor) and weight.requires_grad:
        raise ValueError(f"{call}: {name} gets no gradient; pass it detached (weight.detach()) or as an array")
    array = np.asarray(weight.numpy() if isinstance(weight, Tensor) else weight)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{call}: {name} must hold real numbers, got dtype {array.dtype}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{call}: {name} must be finite, got {array[~np.isfinite(array)][:3].tolist()}")
    return array


def weights(
    call: str, name: str, weight: TensorLike | None, shape: tuple[int, ...], input: Tensor
) -> np.ndarray | None:
    """``weight`` (see :func:`weight_array`) in input's dtype, if it broadcasts to ``shape``.

    Examples
    --------
    >>> x = Tensor(np.zeros((2, 3), np.float32))
    >>> weights("binary_cross_entropy", "weight", [1, 2, 3], x.shape, x)
    array([1., 2., 3.], dtype=float32)
    >>> weights("binary_cross_entropy", "weight", [1, 2], x.shape, x)
    Traceback (most recent call last):
    ValueError: binary_cross_entropy: weight shape (2,) must broadcast to (2, 3) (input shape (2, 3))
    """
    if weight is None:
        return None
    array = weight_array(call, name, weight)
    if _broadcast(array.shape, shape) != shape:
        raise ValueError(f"{call}: {name} shape {array.shape} must broadcast to {shape} (input shape {input.shape})")
    return array.astype(input.dtype)


def _broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape a and b broadcast to, or None if they do not."""
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        return None


def classes_of(input: Tensor) -> int:
    """C, the number of classes of ``input`` of shape (C,), (N, C) or (N, C, d1, ...).

    Examples
    --------
    >>> classes_of(Tensor(np.zeros(3))), classes_of(Tensor(np.zeros((2, 3, 5))))
    (3, 3)
    """
    return int(input.shape[0] if input.ndim == 1 else input.shape[1])


def samples_of(input: Tensor) -> tuple[int, ...]:
    """The shape of one loss per sample: () for (C,), (N,) for (N, C), (N, d1, ...) for (N, C, d1, ...).

    Examples
    --------
    >>> samples_of(Tensor(np.zeros(3))), samples_of(Tensor(np.zeros((2, 3)))), samples_of(Tensor(np.zeros((2, 3, 5))))
    ((), (2,), (2, 5))
    """
    return tuple(input.shape[:1] + input.shape[2:]) if input.ndim > 1 else ()


def class_weight(call: str, weight: TensorLike | None, input: Tensor) -> np.ndarray | None:
    """``weight`` (see :func:`weight_array`) as C numbers in input's dtype, one per class of
    ``input`` (None stays None).

    Examples
    --------
    >>> class_weight("nll_loss", [1.0, 2.0], Tensor(np.zeros((4, 3))))
    Traceback (most recent call last):
    ValueError: nll_loss: weight must hold one number per class, shape (3,), got shape (2,)
    """
    if weight is None:
        return None
    array, c = weight_array(call, "weight", weight), classes_of(input)
    if array.shape != (c,):
        raise ValueError(f"{call}: weight must hold one number per class, shape ({c},), got shape {array.shape}")
    return array.astype(input.dtype)


def classification_input(call: str, input: TensorLike, reduction: str) -> Tensor:
    """``input`` as a Tensor of shape (C,), (N, C) or (N, C, d1, ...), as PyTorch's.

    Examples
    --------
    >>> classification_input("cross_entropy", 1.5, "mean")
    Traceback (most recent call last):
    ValueError: cross_entropy: input must have shape (C,), (N, C) or (N, C, d1, ...), got ()
    """
    input = as_input(call, input, reduction)
    if input.ndim == 0:
        raise ValueError(f"{call}: input must have shape (C,), (N, C) or (N, C, d1, ...), got {input.shape}")
    return input


def class_indices(call: str, input: Tensor, target: TensorLike, ignore_index: int) -> np.ndarray:
    """``target`` as integer class indices, one per sample (:func:`samples_of`), each in [0, C) or
    ``ignore_index``.

    Examples
    --------
    >>> logits = Tensor(np.zeros((3, 2)))
    >>> class_indices("cross_entropy", logits, np.array([1, -100, 0]), ignore_index=-100)
    array([   1, -100,    0])
    >>> class_indices("cross_entropy", logits, np.array([1, 2, 0]), ignore_index=-100)
    Traceback (most recent call last):
    ValueError: cross_entropy: target holds class indices [2] outside [0, 2) for input shape (3, 2) (ignore_index is -100)
    """
    check_number(call, "ignore_index", ignore_index, integer=True)
    target = np.asarray(target.numpy() if isinstance(target, Tensor) else target)
    if target.dtype.kind not in "iu":
        raise ValueError(f"{call}: target must hold integer class indices, got dtype {target.dtype} (use .astype(int))")
    if target.shape != samples_of(input):
        raise ValueError(
            f"{call}: target shape {target.shape} must be {samples_of(input)} for input shape {input.shape}"
        )
    c = classes_of(input)
    shown = classes_outside(target, c, ignore_index)
    if shown:
        raise ValueError(
            f"{call}: target holds class indices {shown} outside [0, {c}) for input shape {input.shape} "
            f"(ignore_index is {ignore_index})"
        )
    return target
