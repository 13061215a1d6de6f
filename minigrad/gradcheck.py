"""gradcheck: compare the gradients minigrad computes with central finite differences.

The Jacobian of ``fn`` is built twice, in float64: analytically, one row per output element
(:func:`~minigrad.grad` with a one-hot ``grad_outputs``), and numerically, one column per input
element. With tol(v) = atol + rtol * |v|, an entry passes when

    |analytic - central| <= tol(central)                    central = (f(x+eps) - f(x-eps)) / 2eps

Kinks (relu or abs at 0, hardtanh at its bounds): where left = (f(x) - f(x-eps)) / eps and
right = (f(x+eps) - f(x)) / eps differ by more than tol(max(|left|, |right|)), the central
difference is only their average. Such an entry also passes when lo - tol(lo) <= analytic <=
hi + tol(hi), lo and hi being the smaller and larger of left and right: the op may choose
either one-sided derivative or anything between. NOTE: a smooth function with eps * |f''|
above the tolerance looks like a kink too; the check then loosens only by that much.

Jumps (relu's or abs's gradient at 0, which gradgradcheck meets): where f itself jumps, no
derivative exists and the differences grow like 1 / eps. A kink or failing entry whose central
difference is above atol / eps and grows more than fivefold when eps shrinks tenfold is a jump,
and passes whatever the analytic value. :func:`gradcheck_report` lists kinks and jumps with the
one-sided derivatives and the value the op chose.

float32 inputs are checked as float64 copies: the check is of the derivative formula, not of
float32 rounding (noise of ~1e-7 / eps would swamp any difference). The caller's tensors are
never modified: every evaluation gets fresh copies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from minigrad.autograd import enable_grad, grad
from minigrad.tensor import Tensor

# What is checked: a function of Tensors (and other values) that returns a Tensor or a tuple of them.
TensorFunction: TypeAlias = Callable[..., "Tensor | tuple[Tensor, ...]"]


class GradcheckError(AssertionError):
    """The analytic and numeric gradients disagree (the message names the worst entry).

    Examples
    --------
    >>> def square(x):                       # x^2, but the graph sees x * constant: derivative x, not 2x
    ...     return x * x.detach()
    >>> gradcheck(square, Tensor([2.0], requires_grad=True))
    Traceback (most recent call last):
    minigrad.gradcheck.GradcheckError: gradcheck: input 0, element (0,) (...): analytic 2.0, numeric 4.0..., error 2 > ...
    """


@dataclass(frozen=True)
class Entry:
    """One Jacobian entry d outputs[output][output_index] / d inputs[input][index], both ways.

    Examples
    --------
    >>> report = gradcheck_report(lambda x: x.abs(), Tensor([0.0, 2.0], requires_grad=True))
    >>> report.kinks[0]                      # |x| at 0: left derivative -1, right 1, the op says 0
    Entry(input=0, index=(0,), output=0, output_index=(0,), analytic=0.0, numeric=0.0, left=-1.0, right=1.0, kink=True, jump=False)
    >>> report.kinks[0].convention
    'between'
    """

    input: int
    index: tuple[int, ...]
    output: int
    output_index: tuple[int, ...]
    analytic: float
    numeric: float  # central difference
    left: float  # (f(x) - f(x - eps)) / eps
    right: float  # (f(x + eps) - f(x)) / eps
    kink: bool  # left and right disagree beyond the tolerance
    jump: bool  # f itself jumps here: the differences grow like 1 / eps

    @property
    def convention(self) -> str:
        """Which value the op chose at a kink: 'left', 'right', 'between' or 'outside'."""
        if np.isclose(self.analytic, self.left, rtol=1e-3, atol=1e-5):
            return "left"
        if np.isclose(self.analytic, self.right, rtol=1e-3, atol=1e-5):
            return "right"
        return "between" if min(self.left, self.right) < self.analytic < max(self.left, self.right) else "outside"


@dataclass
class GradcheckReport:
    """What :func:`gradcheck_report` found: failing entries (worst first), kinks and jumps.

    Examples
    --------
    >>> report = gradcheck_report(lambda x: x.abs(), Tensor([0.0, 2.0], requires_grad=True))
    >>> report.ok, report.checked, len(report.failures)
    (True, 4, 0)
    >>> print(report)
    gradcheck: all 4 Jacobian entries agree
      kink at input 0, element (0,) (element (0,) of the output): left -1, right 1, analytic 0 (between)
    """

    failures: list[Entry] = field(default_factory=list)
    kinks: list[Entry] = field(default_factory=list)  # kinks and jumps, passing or not
    checked: int = 0  # Jacobian entries compared
    caller: str = "gradcheck"
    input_names: list[str] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)
    eps: float = 1e-6
    atol: float = 1e-5
    rtol: float = 1e-3

    @property
    def ok(self) -> bool:
        """True when every Jacobian entry agreed."""
        return not self.failures

    def where(self, e: Entry) -> str:
        """Where entry ``e`` is, in words.

        Examples
        --------
        >>> report = gradcheck_report(lambda x: x.abs(), Tensor([0.0, 2.0], requires_grad=True))
        >>> report.where(report.kinks[0])
        'input 0, element (0,) (element (0,) of the output)'
        """
        return f"{self.input_names[e.input]}, element {e.index} (element {e.output_index} of {self.output_names[e.output]})"

    def message(self) -> str:
        """The worst failure in words, or '' when everything passed.

        Examples
        --------
        >>> square = lambda x: x * x.detach()   # x^2, but the graph sees x * constant: derivative x
        >>> gradcheck_report(square, Tensor([1.0, 2.0], requires_grad=True)).message()
        'gradcheck: input 0, element (1,) (element (1,) of the output): analytic 2.0, numeric 4.0..., error 2 > tolerance 0.00401; 2 of 4 Jacobian entries disagree'
        """
        if self.ok:
            return ""
        e = self.failures[0]
        text = (
            f"{self.caller}: {self.where(e)}: analytic {e.analytic!r}, numeric {e.numeric!r}, "
            f"error {abs(e.analytic - e.numeric):.6g} > tolerance {self.atol + self.rtol * abs(e.numeric):.6g}; "
            f"{len(self.failures)} of {self.checked} Jacobian entries disagree"
        )
        if e.kink:
            text += (
                f"; a kink with left derivative {e.left!r} and right derivative {e.right!r}, and analytic outside them"
            )
        return text

    def __str__(self) -> str:
        lines = [self.message() or f"{self.caller}: all {self.checked} Jacobian entries agree"]
        for e in self.kinks:
            if e.jump:
                lines.append(
                    f"  jump at {self.where(e)}: the function jumps by {2 * self.eps * e.numeric:.3g}, no derivative; analytic {e.analytic:.6g}"
                )
            else:
                lines.append(
                    f"  kink at {self.where(e)}: left {e.left:.6g}, right {e.right:.6g}, analytic {e.analytic:.6g} ({e.convention})"
                )
        return "\n".join(lines)


def _as_tuple(xs: Any) -> tuple[Any, ...]:
    return tuple(xs) if isinstance(xs, (tuple, list)) else (xs,)


def _outputs(fn: TensorFunction, inputs: tuple[Any, ...]) -> tuple[Tensor, ...]:
    outputs = _as_tuple(fn(*inputs))
    for k, y in enumerate(outputs):
        if not isinstance(y, Tensor):
            raise TypeError(
                f"gradcheck: fn must return a Tensor or a tuple of Tensors; output {k} is {type(y).__name__}"
            )
    return outputs


def _flat(outputs: Sequence[Tensor]) -> np.ndarray:
    return np.concatenate([y._data.astype(np.float64).ravel() for y in outputs])


def _analytic_jacobians(outputs: Sequence[Tensor], wrt: list[Tensor]) -> list[np.ndarray]:
    """Per input, the (output elements, input elements) Jacobian: row r is the VJP with one-hot r."""
    rows = [(y, k) for y in outputs for k in range(y.size)]
    jacobians = [np.zeros((len(rows), x.size)) for x in wrt]
    for row, (y, k) in enumerate(rows):
        if y.requires_grad:  # NOTE: an output that does not require grad is constant: a zero row
            one_hot = Tensor(np.eye(1, y.size, k).reshape(y.shape))
            grads = grad(y, wrt, grad_outputs=one_hot, retain_graph=True, allow_unused=True)
            for jacobian, g in zip(jacobians, grads):
                if g is not None:
                    jacobian[row] = g._data.ravel()
    return jacobians


def _moved(fn: TensorFunction, inputs: tuple[Any, ...], i: int, index: tuple[int, ...], step: float) -> np.ndarray:
    """fn's outputs, flattened, with element ``index`` of input ``i`` moved by ``step``."""
    data = inputs[i]._data.copy()
    data[index] += step
    return _flat(_outputs(fn, inputs[:i] + (Tensor(data, requires_grad=True),) + inputs[i + 1 :]))


def _numeric_jacobians(
    fn: TensorFunction, inputs: tuple[Any, ...], i: int, eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The central, left and right difference Jacobians of input ``i`` (outputs, input elements)."""
    here = _flat(_outputs(fn, inputs))[:, None]
    indices = list(np.ndindex(inputs[i].shape))
    plus, minus = (
        np.array([_moved(fn, inputs, i, index, step) for index in indices]).reshape(-1, here.size).T
        for step in (eps, -eps)
    )
    return (plus - minus) / (2 * eps), (here - minus) / eps, (plus - here) / eps


def _judge(
    fn: TensorFunction, inputs: tuple[Any, ...], i: int, a: np.ndarray, eps: float, atol: float, rtol: float
) -> tuple[np.ndarray, ...]:
    """Compare input ``i``'s analytic Jacobian ``a`` with finite differences, by the rules above."""

    def tolerance(v: np.ndarray) -> np.ndarray:
        return atol + rtol * np.abs(v)

    c, left, right = _numeric_jacobians(fn, inputs, i, eps)
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    kink = np.abs(right - left) > tolerance(np.maximum(np.abs(left), np.abs(right)))
    passed = (np.abs(a - c) <= tolerance(c)) | (kink & (a >= lo - tolerance(lo)) & (a <= hi + tolerance(hi)))
    suspect, jump, indices = kink | ~passed, np.zeros_like(kink), list(np.ndindex(inputs[i].shape))
    for col in np.unique(np.nonzero(suspect)[1]):
        index = indices[col]
        small = (_moved(fn, inputs, i, index, eps / 10) - _moved(fn, inputs, i, index, -eps / 10)) / (eps / 5)
        steep = (np.abs(c[:, col]) > atol / eps) & (np.abs(small) > 5 * np.abs(c[:, col]))
        jump[:, col] = suspect[:, col] & steep
    return c, left, right, kink & ~jump, jump, ~passed & ~jump  # NOTE: NaN never passes


def _check(
    fn: TensorFunction,
    inputs: tuple[Any, ...],
    eps: float,
    atol: float,
    rtol: float,
    caller: str,
    input_names: list[str],
    output_names: list[str] | None = None,
) -> GradcheckReport:
    wrt_positions = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt_positions:
        raise ValueError(f"{caller}: no input requires grad, so there is nothing to check")
    with enable_grad():
        outputs = _outputs(fn, inputs)
        analytic = _analytic_jacobians(outputs, [inputs[i] for i in wrt_positions])
    labels = [(k, index) for k, y in enumerate(outputs) for index in np.ndindex(y.shape)]
    if output_names is None:
        output_names = ["the output"] if len(outputs) == 1 else [f"output {k}" for k in range(len(outputs))]
    report = GradcheckReport(
        caller=caller, input_names=input_names, output_names=output_names, eps=eps, atol=atol, rtol=rtol
    )
    scored: list[tuple[float, int, Entry]] = []
    for i, a in zip(wrt_positions, analytic):
        with enable_grad():
            c, left, right, kink, jump, failed = _judge(fn, inputs, i, a, eps, atol, rtol)
        error = np.nan_to_num(np.abs(a - c) - (atol + rtol * np.abs(c)), nan=np.inf)
        indices = list(np.ndindex(inputs[i].shape))
        for r, col in zip(*np.nonzero(kink | jump | failed)):
            output, output_index = labels[r]
            at_a, at_c, at_left, at_right = (float(m[r, col]) for m in (a, c, left, right))
            entry = Entry(
                i,
                indices[col],
                output,
                output_index,
                at_a,
                at_c,
                at_left,
                at_right,
                bool(kink[r, col]),
                bool(jump[r, col]),
            )
            if entry.kink or entry.jump:
                report.kinks.append(entry)
            if failed[r, col]:
                scored.append((-error[r, col], len(scored), entry))
        report.checked += a.size
    report.failures = [entry for *_, entry in sorted(scored)]
    return report


def _vjp_function(fn: TensorFunction, n_inputs: int) -> Callable[..., tuple[Tensor, ...]]:
    """(x..., v...) -> the gradients of <v, fn(x...)> with respect to every x that requires grad."""

    def vjp(*args: Any) -> tuple[Tensor, ...]:
        xs, vs = args[:n_inputs], args[n_inputs:]
        wrt = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        live = [(y, v) for y, v in zip(_outputs(fn, xs), vs) if y.requires_grad]
        grads: tuple[Tensor | None, ...] = (None,) * len(wrt)
        if live:
            ys, seeds = zip(*live)
            grads = grad(ys, wrt, grad_outputs=seeds, create_graph=True, allow_unused=True)
        return tuple(Tensor(np.zeros(x.shape)) if g is None else g for x, g in zip(wrt, grads))

    return vjp


def gradcheck_report(
    fn: TensorFunction,
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    order: int = 1,
    grad_outputs: ArrayLike | Sequence[ArrayLike] | None = None,
) -> GradcheckReport:
    """Compare analytic and numeric Jacobians and return everything found, without raising.

    ``order=1`` checks ``fn`` as :func:`gradcheck` does, ``order=2`` as :func:`gradgradcheck`.
    The report has ``ok``, ``failures`` (worst first), ``kinks`` (kinks and jumps) and
    ``checked``; each is an :class:`Entry`, printing the report lists them.

    Examples
    --------
    >>> from minigrad import Function
    >>> class ReLU(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         return np.maximum(x, 0.0)
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.inputs
    ...         return grad * Tensor(x.data > 0)
    >>> report = gradcheck_report(ReLU.apply, Tensor([-1.0, 0.0, 2.0], requires_grad=True))
    >>> report.ok, [(k.index, k.left, k.right, k.analytic, k.convention) for k in report.kinks]
    (True, [((1,), 0.0, 1.0, 0.0, 'left')])
    """
    # NOTE: fresh float64 leaves: the caller's tensors are never touched; non-Tensors pass through.
    inputs = tuple(
        Tensor(x._data.astype(np.float64), requires_grad=x.requires_grad) if isinstance(x, Tensor) else x
        for x in _as_tuple(inputs)
    )
    names = [f"input {i}" for i in range(len(inputs))]
    if order == 1:
        return _check(fn, inputs, eps, atol, rtol, "gradcheck", names)
    if order != 2:
        raise ValueError(f"gradcheck_report: order must be 1 or 2, got {order}")
    if grad_outputs is None:
        with enable_grad():
            outputs = _outputs(fn, inputs)
        rng = np.random.default_rng(0)  # NOTE: fixed seed, so a failure can be reproduced
        grad_outputs = tuple(rng.standard_normal(y.shape) for y in outputs)
    seeds = tuple(Tensor(np.array(v, dtype=np.float64), requires_grad=True) for v in _as_tuple(grad_outputs))
    names += [f"grad_outputs[{k}]" for k in range(len(seeds))]
    gradient_names = [
        f"the gradient of input {i}" for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad
    ]
    return _check(
        _vjp_function(fn, len(inputs)), inputs + seeds, eps, atol, rtol, "gradgradcheck", names, gradient_names
    )


def gradcheck(
    fn: TensorFunction,
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central finite differences.

    Every element of every input that requires grad is checked against every output element
    (the full Jacobian), in float64; kinks are accepted as described in the module docstring
    (see :func:`gradcheck_report` for the list of them).

    Parameters
    ----------
    fn : callable
        Takes the inputs, returns a Tensor (of any shape) or a tuple of Tensors.
    inputs : Tensor or tuple
        Tensors that require grad are checked; other values are passed through.
    eps, atol, rtol : float
        Finite-difference step and tolerances, as in ``torch.autograd.gradcheck``.
    raise_exception : bool
        Raise :class:`GradcheckError` naming the worst entry, or return False.

    Examples
    --------
    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> w = Tensor([0.5, -1.0], requires_grad=True)
    >>> gradcheck(lambda x, w: x * w / (x + 1.0), (x, w))
    True
    """
    return _verdict(gradcheck_report(fn, inputs, eps, atol, rtol), raise_exception)


def gradgradcheck(
    fn: TensorFunction,
    inputs: Tensor | Sequence[Any],
    grad_outputs: ArrayLike | Sequence[ArrayLike] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives: gradcheck the map (inputs, v) -> vector-Jacobian product.

    The gradients of ``<v, fn(inputs)>`` are computed with ``create_graph=True`` and checked
    as a function of both the inputs and ``v`` (``grad_outputs``, drawn from a fixed-seed
    normal when not given), as ``torch.autograd.gradgradcheck`` does. A backward rule that
    works on detached data (``Tensor(x.data)``) passes :func:`gradcheck` and fails here.

    Examples
    --------
    >>> x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    >>> gradgradcheck(lambda x: x**3 / (x * x + 1.0), x)
    True
    """
    report = gradcheck_report(fn, inputs, eps, atol, rtol, order=2, grad_outputs=grad_outputs)
    return _verdict(report, raise_exception)


def _verdict(report: GradcheckReport, raise_exception: bool) -> bool:
    if not report.ok and raise_exception:
        raise GradcheckError(report.message())
    return report.ok
