"""The checks: :func:`gradcheck` (first derivatives), :func:`gradgradcheck` (second derivatives, as
the gradcheck of a vector-Jacobian product) and :func:`gradcheck_report` (everything found, without
raising); the rules they apply are in jacobians.py.

float32 inputs are checked as float64 copies: the check is of the derivative formula, not of
float32 rounding (noise of ~1e-7 / eps would swamp any difference). So a backward rule wrong only
in float32 passes, and each such input gets a warning that names it, as
``torch.autograd.gradcheck`` warns that it wants double precision. The caller's tensors are
never modified: every evaluation gets fresh copies.

The settings are checked on entry (:func:`check_settings`, shared with
:func:`minigrad.testing.check_gradients`): ``eps`` a finite number > 0, ``atol`` and ``rtol``
finite numbers >= 0.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from minigrad.arguments import caller_stacklevel, check_number
from minigrad.autograd import enable_grad, grad
from minigrad.gradcheck.jacobians import TensorFunction, _as_tuple, _check, _outputs
from minigrad.gradcheck.report import GradcheckError, GradcheckReport
from minigrad.tensor import Tensor


def check_settings(call: str, eps: float, atol: float, rtol: float) -> None:
    """Refuse a finite-difference step ``eps`` that is not > 0, or a tolerance that is negative,
    NaN or infinite, naming ``call`` and the argument.

    Examples
    --------
    >>> check_settings("gradcheck", eps=1e-6, atol=1e-5, rtol=1e-3)
    >>> check_settings("gradcheck", eps=0.0, atol=1e-5, rtol=1e-3)
    Traceback (most recent call last):
    ValueError: gradcheck: eps must be a finite number > 0, got 0.0
    """
    check_number(call, "eps", eps, above=0)
    check_number(call, "atol", atol, at_least=0)
    check_number(call, "rtol", rtol, at_least=0)


def _float64_copies(call: str, inputs: tuple[Any, ...]) -> tuple[Any, ...]:
    """Fresh float64 leaves of the Tensors in ``inputs`` (other values pass through), with a warning
    for each checked input that was not float64."""
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype != np.float64:
            warnings.warn(
                f"{call}: input {i} is {x.dtype}; it is checked as a float64 copy, so a backward rule "
                f"wrong only in {x.dtype} is not caught (pass float64 inputs to silence this warning)",
                UserWarning,
                stacklevel=caller_stacklevel(),
            )
    return tuple(
        Tensor(x._data.astype(np.float64), requires_grad=x.requires_grad) if isinstance(x, Tensor) else x
        for x in inputs
    )


def _seeds(call: str, grad_outputs: Any, outputs: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    """float64 leaves of ``grad_outputs``, one of each output's shape (refused by name otherwise).

    With one output, a list is that output's array unless it holds exactly one array of its shape.
    """
    given = _as_tuple(grad_outputs)
    if len(outputs) == 1 and isinstance(grad_outputs, (tuple, list)):
        one_array = len(given) == 1 and np.shape(np.asarray(given[0], dtype=object)) == outputs[0].shape
        given = given if one_array else (grad_outputs,)
    if len(given) != len(outputs):
        raise ValueError(
            f"{call}: grad_outputs must hold one array per output of fn ({len(outputs)}), got {len(given)}"
        )
    seeds = []
    for k, (v, y) in enumerate(zip(given, outputs)):
        try:
            data = np.array(v, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{call}: grad_outputs[{k}] must be an array of numbers, got {v!r}") from error
        if data.shape != y.shape:
            raise ValueError(
                f"{call}: grad_outputs[{k}] must have the shape of output {k}, {y.shape}, got {data.shape}"
            )
        if not np.isfinite(data).all():
            raise ValueError(f"{call}: grad_outputs[{k}] must be finite, got {data}")
        seeds.append(Tensor(data, requires_grad=True))
    return tuple(seeds)


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
    ...         return grad * Tensor(x.numpy() > 0)
    >>> report = gradcheck_report(ReLU.apply, Tensor([-1.0, 0.0, 2.0], requires_grad=True))
    >>> report.ok, [(k.index, k.left, k.right, k.analytic, k.convention) for k in report.kinks]
    (True, [((1,), 0.0, 1.0, 0.0, 'left')])
    """
    if order not in (1, 2):
        raise ValueError(f"gradcheck_report: order must be 1 or 2, got {order}")
    call = "gradcheck" if order == 1 else "gradgradcheck"
    check_settings(call, eps, atol, rtol)
    # NOTE: fresh float64 leaves: the caller's tensors are never touched; non-Tensors pass through.
    inputs = _float64_copies(call, _as_tuple(inputs))
    if not any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        raise ValueError(f"{call}: no input requires grad, so there is nothing to check")
    names = [f"input {i}" for i in range(len(inputs))]
    if order == 1:
        return _check(fn, inputs, eps, atol, rtol, call, names)
    with enable_grad():
        outputs = _outputs(fn, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)  # NOTE: fixed seed, so a failure can be reproduced
        grad_outputs = tuple(rng.standard_normal(y.shape) for y in outputs)
    seeds = _seeds(call, grad_outputs, outputs)
    names += [f"grad_outputs[{k}]" for k in range(len(seeds))]
    gradient_names = [
        f"the gradient of input {i}" for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad
    ]
    return _check(_vjp_function(fn, len(inputs)), inputs + seeds, eps, atol, rtol, call, names, gradient_names)


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
    (the full Jacobian), in float64 (an input of another dtype is checked as a float64 copy,
    with a warning that names it); kinks are accepted as described in the module docstring
    (see :func:`gradcheck_report` for the list of them). ``fn`` must be deterministic: one that
    gives a different output when called again at the same inputs (a Dropout or a generator
    made outside it) is refused with a ValueError.

    Parameters
    ----------
    fn : callable
        Takes the inputs, returns a Tensor (of any shape) or a tuple of Tensors.
    inputs : Tensor or tuple
        Tensors that require grad are checked; other values are passed through.
    eps, atol, rtol : float
        Finite-difference step (> 0) and tolerances (>= 0, finite), as in
        ``torch.autograd.gradcheck``.
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
    as a function of both the inputs and ``v`` (``grad_outputs``: one finite array of each
    output's shape, drawn from a fixed-seed normal when not given), as
    ``torch.autograd.gradgradcheck`` does. A backward rule that
    works on detached data (``Tensor(x.numpy())``) passes :func:`gradcheck` and fails here.

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
