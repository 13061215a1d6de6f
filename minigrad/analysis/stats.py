"""What a picture says about one gradient: short summaries, the four flagged states, unit states.

A value's gradient ``g`` is judged against the root's (``scale``, the RMS of d root / d root,
1 for a scalar loss). In order of precedence its state is

``nonfinite``  some entry is NaN or inf;
``underflow``  every entry is zero or denormal, and some of them only because of rounding: the
               true derivative is not zero (a float32 sigmoid at x = 120 has the derivative
               e^-120 ~ 8e-53, below the smallest float32, so it computes as exactly 0);
``zero``       every entry is exactly zero by the ops' own rules (a ReLU that is off);
``vanishing``  RMS(g) / scale is below ``threshold`` (1e-6 by default);
``ok``         anything else.

Units. Where an activation's output holds its units follows PyTorch's layouts: the last axis of
an (N, units) output (a Linear layer's), axis 1 of an (N, C, L) or (N, C, H, W) output (NCHW,
a convolution's), whose units are its C channels; the other axes are the batch and the positions.
A unit is *dead* when an op of the ReLU family gives it zero output and zero derivative for every
example, and *saturated* when an op of the saturating family (sigmoid, tanh...) has a derivative
below 1 % of its peak for every example.

What is known about an op's derivative (its family, the range of f', whether f' is ever 0) is
stated by the op's class, as class attributes (see :mod:`minigrad.ops`); the functions below read
them, and an op that states none has none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from minigrad.autograd import Function

UNIT_STATES = ("alive", "saturated", "dead")
SATURATION_LEVEL = 0.01


def family(op: type[Function]) -> str | None:
    """The op's ``family``: 'relu', 'saturating', or None (an op outside both, or stating none).

    Examples
    --------
    >>> from minigrad.ops.relu_family import ReLU
    >>> from minigrad.ops.sigmoid_family import Sigmoid
    >>> from minigrad.ops.smooth_relu_family import GELU
    >>> family(ReLU), family(Sigmoid), family(GELU)
    ('relu', 'saturating', None)
    """
    return getattr(op, "family", None)


def derivative_peak(op: type[Function]) -> float | None:
    """The largest |f'(x)| of the op, from its ``derivative_range``; None for an op that states none.

    Examples
    --------
    >>> from minigrad.ops.elementwise import Exp
    >>> from minigrad.ops.sigmoid_family import Hardsigmoid, Sigmoid
    >>> derivative_peak(Sigmoid), derivative_peak(Hardsigmoid), derivative_peak(Exp)
    (0.25, 0.16666666666666666, None)
    """
    bounds = getattr(op, "derivative_range", None)
    return None if bounds is None else max(abs(bounds[0]), abs(bounds[1]))


def derivative_never_zero(op: type[Function]) -> bool:
    """Whether the op states that its derivative is 0 nowhere (or at isolated points only), so
    that a computed 0 is rounding rather than its rule.

    Examples
    --------
    >>> from minigrad.ops.relu_family import ReLU
    >>> from minigrad.ops.sigmoid_family import Sigmoid
    >>> derivative_never_zero(Sigmoid), derivative_never_zero(ReLU)
    (True, False)
    """
    return bool(getattr(op, "derivative_never_zero", False))


def rms(array: np.ndarray) -> float:
    """Root mean square, in float64 (0 for an empty array; NaN or inf when an entry is).

    Examples
    --------
    >>> rms(np.array([1.0, -1.0])), rms(np.array([1e200, 1e200]))    # no overflow in the squares
    (1.0, 1e+200)
    """
    array = np.abs(np.asarray(array, dtype=np.float64))
    peak = array.max(initial=0.0)
    if peak == 0 or not np.isfinite(peak):
        return float(peak)
    # NOTE: scaled by the peak first, so that squares of 1e200 do not overflow.
    return float(peak * np.sqrt(np.mean(np.square(array / peak))))


def rounded_to_zero(array: np.ndarray) -> np.ndarray:
    """Entries that are exactly zero or denormal (nonzero but below the dtype's smallest normal).

    Examples
    --------
    >>> rounded_to_zero(np.array([0.0, 1e-310, 1e-300]))
    array([ True,  True, False])
    """
    return np.abs(array) < np.finfo(array.dtype).tiny


def state_of(grad: np.ndarray, underflowed: np.ndarray, scale: float, threshold: float) -> str:
    """The flagged state of one gradient (see the module docstring).

    Parameters
    ----------
    grad : ndarray
        The gradient of the root with respect to the value.
    underflowed : ndarray of bool
        Entries known to be zero only because of rounding somewhere on the way back.
    scale : float
        RMS of the root's own gradient.
    threshold : float
        Relative RMS below which the gradient counts as vanishing.

    Examples
    --------
    >>> none = np.zeros(1, dtype=bool)
    >>> [state_of(np.array([g]), none, 1.0, 1e-6) for g in (0.5, 1e-9, 0.0, np.nan)]
    ['ok', 'vanishing', 'zero', 'nonfinite']
    >>> state_of(np.array([0.0]), np.ones(1, dtype=bool), 1.0, 1e-6)     # zero only by rounding
    'underflow'
    """
    if not np.all(np.isfinite(grad)):
        return "nonfinite"
    small = rounded_to_zero(grad)
    if np.all(small):
        denormal = small & (grad != 0)
        return "underflow" if np.any(underflowed & small) or np.any(denormal) else "zero"
    return "vanishing" if rms(grad) / scale < threshold else "ok"


def units_last(a: np.ndarray) -> np.ndarray:
    """``a`` with its units on the last axis: PyTorch's channel axis 1 moved there when ``a`` has
    more than two axes, (N, C, L) or (N, C, H, W); an (N, units) or (units,) array as it is.

    Examples
    --------
    >>> units_last(np.zeros((5, 3, 8, 8))).shape, units_last(np.zeros((5, 3))).shape
    ((5, 8, 8, 3), (5, 3))
    """
    # NOTE: a view, not a copy: moveaxis only reorders the strides.
    return np.moveaxis(a, 1, -1) if a.ndim > 2 else a


def unit_states(op: type[Function], output: np.ndarray, local: np.ndarray) -> np.ndarray | None:
    """Each unit's state over the batch, as indices into :data:`UNIT_STATES`.

    Parameters
    ----------
    op : Function subclass
        The activation op.
    output : ndarray
        Its output: (units,), (N, units), or (N, C, ...) whose units are the C channels (axis 1).
    local : ndarray
        Its elementwise derivative at each entry, same shape.

    Returns None for an op outside both families or a 0-d output.

    Examples
    --------
    >>> from minigrad.ops.relu_family import ReLU
    >>> output = np.array([[0.0, 1.0], [0.0, 2.0]])          # two examples, two units
    >>> states = unit_states(ReLU, output, local=(output > 0).astype(float))
    >>> [UNIT_STATES[i] for i in states]
    ['dead', 'alive']
    >>> images = np.zeros((2, 3, 4, 4)); images[1, 2, 3, 0] = 1.0   # channel 2 is on at one position only
    >>> [UNIT_STATES[i] for i in unit_states(ReLU, images, local=(images > 0).astype(float))]
    ['dead', 'dead', 'alive']
    """
    kind = family(op)
    if kind is None or output.ndim == 0:
        return None
    output, local = units_last(output), units_last(local)
    batch = tuple(range(output.ndim - 1))
    states = np.zeros(output.shape[-1], dtype=np.int8)
    if kind == "relu":
        dead = np.all((output == 0) & (local == 0), axis=batch)
        states[dead] = UNIT_STATES.index("dead")
    else:
        peak = derivative_peak(op)
        assert peak is not None  # every op of the saturating family states its derivative's range
        limit = SATURATION_LEVEL * peak
        states[np.all(np.abs(local) < limit, axis=batch)] = UNIT_STATES.index("saturated")
    return states


def short(x: float) -> str:
    """A number in at most about six characters: 0.25, 1.3e-07, -4.1.

    Examples
    --------
    >>> short(0.25), short(1.3e-7), short(-4.12), short(0.0)
    ('0.25', '1.3e-07', '-4.1', '0')
    """
    if x == 0 or not np.isfinite(x):
        return "0" if x == 0 else str(float(x))
    return f"{x:.2g}" if 1e-3 <= abs(x) < 1e4 else f"{x:.1e}"


def data_summary(data: np.ndarray) -> str:
    """Mean and standard deviation of the values, or the value itself for one element.

    Examples
    --------
    >>> data_summary(np.array([1.0, 3.0])), data_summary(np.array([2.5]))
    ('μ 2  σ 1', '2.5')
    """
    if data.size == 1:
        return f"{data.item():.4g}"
    with np.errstate(all="ignore"):  # inf in the data gives a NaN σ, which is what to show
        return f"μ {short(data.mean())}  σ {short(data.std())}"


def grad_summary(grad: np.ndarray | None) -> str:
    """RMS of a gradient and, when any, the share of entries exactly zero or not finite.

    Examples
    --------
    >>> grad_summary(np.array([0.0, 2.0])), grad_summary(np.array([0.5])), grad_summary(None)
    ('grad rms 1.4  zero 50%', 'grad 0.5', 'no grad')
    """
    if grad is None:
        return "no grad"
    if grad.size == 1:
        return f"grad {grad.item():.4g}"
    parts = [f"grad rms {short(rms(grad))}"]
    zero = np.mean(grad == 0)
    if zero:
        parts.append(f"zero {zero:.0%}")
    bad = np.mean(~np.isfinite(grad))
    if bad:
        parts.append(f"nonfinite {bad:.0%}")
    return "  ".join(parts)
