"""The Jacobians of a function both ways, analytic and by finite differences, and the rules comparing them.

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

Determinism: finite differences of a function that is random or keeps state (a Dropout made
outside ``fn``, a counter) measure its noise, which the kink and jump rules would accept. So
``fn`` is called twice at the unperturbed inputs before the sweep and once more after each
input's sweep, and any output that is not bit for bit the same is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import numpy as np

from minigrad.autograd import enable_grad, grad
from minigrad.gradcheck.report import Entry, GradcheckReport
from minigrad.tensor import Tensor

# What is checked: a function of Tensors (and other values) that returns a Tensor or a tuple of them.
TensorFunction: TypeAlias = Callable[..., "Tensor | tuple[Tensor, ...]"]


def _as_tuple(xs: Any) -> tuple[Any, ...]:
    return tuple(xs) if isinstance(xs, (tuple, list)) else (xs,)


def _outputs(fn: TensorFunction, inputs: tuple[Any, ...]) -> tuple[Tensor, ...]:
    outputs = _as_tuple(fn(*inputs))
    for k, y in enumerate(outputs):
        if not isinstance(y, Tensor):
            raise TypeError(
                f"gradcheck: fn must return a Tensor or a tuple of Tensors; output {k} is {type(y).__name__}"
            )
    if sum(y.numel() for y in outputs) == 0:
        shapes = ", ".join(str(y.shape) for y in outputs) or "none"
        raise ValueError(f"gradcheck: fn's output has no elements (shapes: {shapes}), so there is nothing to check")
    return outputs


def _same_again(fn: TensorFunction, inputs: tuple[Any, ...], expected: np.ndarray, caller: str, when: str) -> None:
    """Refuse ``fn`` unless calling it again at ``inputs`` gives exactly ``expected`` (flattened)."""
    again = _flat(_outputs(fn, inputs))
    if again.shape == expected.shape and np.array_equal(again, expected, equal_nan=True):
        return
    if again.shape != expected.shape:
        found = f"{expected.size} output elements, then {again.size}"
    else:
        k = int(np.flatnonzero(~((again == expected) | (np.isnan(again) & np.isnan(expected))))[0])
        found = f"output element {k} (flattened) was {float(expected[k])!r}, then {float(again[k])!r}"
    raise ValueError(
        f"{caller}: fn is not deterministic: called {when} at the same inputs it gave a different result "
        f"({found}), so finite differences would measure its randomness or state, not its derivative. "
        "Make every call draw the same: create the random module or generator inside fn with a fixed seed "
        "(e.g. nn.Dropout(p, rng=0) inside fn), or put it in eval() mode"
    )


def _flat(outputs: Sequence[Tensor]) -> np.ndarray:
    return np.concatenate([y._data.astype(np.float64).ravel() for y in outputs])


def _analytic_jacobians(outputs: Sequence[Tensor], wrt: list[Tensor]) -> list[np.ndarray]:
    """Per input, the (output elements, input elements) Jacobian: row r is the VJP with one-hot r."""
    rows = [(y, k) for y in outputs for k in range(y.numel())]
    jacobians = [np.zeros((len(rows), x.numel())) for x in wrt]
    for row, (y, k) in enumerate(rows):
        if y.requires_grad:  # NOTE: an output that does not require grad is constant: a zero row
            one_hot = Tensor(np.eye(1, y.numel(), k).reshape(y.shape))
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
    fn: TensorFunction, inputs: tuple[Any, ...], i: int, here: np.ndarray, eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The central, left and right difference Jacobians of input ``i`` (outputs, input elements);
    ``here`` is the column of fn's outputs at ``inputs``."""
    indices = list(np.ndindex(inputs[i].shape))
    plus, minus = (
        np.array([_moved(fn, inputs, i, index, step) for index in indices]).reshape(-1, here.size).T
        for step in (eps, -eps)
    )
    return (plus - minus) / (2 * eps), (here - minus) / eps, (plus - here) / eps


def _judge(
    fn: TensorFunction,
    inputs: tuple[Any, ...],
    i: int,
    here: np.ndarray,
    a: np.ndarray,
    eps: float,
    atol: float,
    rtol: float,
) -> tuple[np.ndarray, ...]:
    """Compare input ``i``'s analytic Jacobian ``a`` with finite differences, by the rules above."""

    def tolerance(v: np.ndarray) -> np.ndarray:
        return atol + rtol * np.abs(v)

    c, left, right = _numeric_jacobians(fn, inputs, i, here, eps)
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
    with enable_grad():
        outputs = _outputs(fn, inputs)
        here = _flat(outputs)
        _same_again(fn, inputs, here, caller, "twice")
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
            c, left, right, kink, jump, failed = _judge(fn, inputs, i, here[:, None], a, eps, atol, rtol)
            _same_again(fn, inputs, here, caller, f"again after the finite differences of {input_names[i]}")
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
