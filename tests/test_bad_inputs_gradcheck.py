"""Every bad input of the gradient checks' public API, one row each, refused by name before anything runs.

The calls are gradcheck, gradgradcheck, gradcheck_report and minigrad.testing.check_gradients;
each row is (call, the bad argument, the expected error type, a fragment of its message).
"""

import numpy as np
import pytest

from minigrad import Tensor, gradcheck, gradgradcheck, nn
from minigrad.gradcheck import gradcheck_report
from minigrad.testing import check_gradients

NAN, INF = float("nan"), float("inf")


def leaf(values=(1.0, 2.0, 3.0)):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def square(x):
    return x * x


class Fresh:
    """A row's function that keeps state, made anew for each run of the test (a second run in one
    process, as mutmut's, must not start from the state the first run left)."""

    def __init__(self, make):
        self.make = make


def outside_dropout():
    """x^2 through a Dropout made once, outside fn: each call draws a new mask."""
    drop = nn.Dropout(0.5, rng=0)
    return lambda x: drop(x * x.detach())


def changes_after(calls):
    """x^2 for the first ``calls`` calls, x^2 + 1 after: a function that keeps state."""
    count = [0]

    def fn(x):
        count[0] += 1
        return x * x + (1.0 if count[0] > calls else 0.0)

    return fn


def counting():
    """x^2 plus the number of calls so far: a different result at every call."""
    count = [0]

    def fn(x):
        count[0] += 1
        return x * x + float(count[0])

    return fn


def shrinking():
    """x^2 with one element fewer at each call: its outputs change size."""
    count = [0]

    def fn(x):
        count[0] += 1
        return (x * x)[: max(1, 4 - count[0])]

    return fn


CHECKS = {
    "gradcheck": lambda **kw: gradcheck(kw.pop("fn", square), kw.pop("inputs", leaf()), **kw),
    "gradgradcheck": lambda **kw: gradgradcheck(kw.pop("fn", square), kw.pop("inputs", leaf()), **kw),
    "gradcheck_report": lambda **kw: gradcheck_report(kw.pop("fn", square), kw.pop("inputs", leaf()), **kw),
    "check_gradients": lambda **kw: check_gradients(kw.pop("fn", square), max_examples=kw.pop("max_examples", 2), **kw),
}

SETTINGS = [
    # argument, value, error, message
    ("eps", 0.0, ValueError, "eps must be a finite number > 0, got 0.0"),
    ("eps", -1e-6, ValueError, "eps must be a finite number > 0, got -1e-06"),
    ("eps", NAN, ValueError, "eps must be a finite number > 0, got nan"),
    ("eps", INF, ValueError, "eps must be a finite number > 0, got inf"),
    ("eps", "1e-6", TypeError, "eps must be a finite number > 0, got str '1e-6'"),
    ("atol", NAN, ValueError, "atol must be a finite number >= 0, got nan"),
    ("atol", INF, ValueError, "atol must be a finite number >= 0, got inf"),
    ("atol", -1e-5, ValueError, "atol must be a finite number >= 0, got -1e-05"),
    ("atol", None, TypeError, "atol must be a finite number >= 0, got NoneType None"),
    ("rtol", NAN, ValueError, "rtol must be a finite number >= 0, got nan"),
    ("rtol", INF, ValueError, "rtol must be a finite number >= 0, got inf"),
    ("rtol", -1e-3, ValueError, "rtol must be a finite number >= 0, got -0.001"),
    ("rtol", True, TypeError, "rtol must be a finite number >= 0, got bool True"),
]

ROWS = [
    (call, arg, value, error, f"{call}: {message}")
    for call in ("gradcheck", "gradgradcheck")
    for arg, value, error, message in SETTINGS
]
ROWS += [
    ("gradcheck_report", arg, value, error, f"gradcheck: {message}") for arg, value, error, message in SETTINGS[:2]
]
ROWS += [
    ("check_gradients", arg, value, error, f"check_gradients: {message}") for arg, value, error, message in SETTINGS
]
ROWS += [
    ("gradcheck_report", "order", 3, ValueError, "gradcheck_report: order must be 1 or 2, got 3"),
    ("check_gradients", "order", 0, ValueError, "check_gradients: order must be 1 or 2, got 0"),
    ("check_gradients", "max_examples", 0, ValueError, "check_gradients: max_examples must be an integer >= 1, got 0"),
    ("check_gradients", "max_examples", 2.5, TypeError, "max_examples must be an integer >= 1, got float 2.5"),
    ("check_gradients", "num_inputs", 0, ValueError, "check_gradients: num_inputs must be an integer >= 1, got 0"),
    # fn and inputs
    ("gradcheck", "inputs", Tensor([1.0, 2.0]), ValueError, "gradcheck: no input requires grad"),
    ("gradgradcheck", "inputs", (Tensor([1.0]), 2.0), ValueError, "gradgradcheck: no input requires grad"),
    (
        "gradcheck",
        "fn",
        lambda x: x.numpy(),
        TypeError,
        "fn must return a Tensor or a tuple of Tensors; output 0 is ndarray",
    ),
    ("gradcheck", "fn", lambda x: x[:0], ValueError, "fn's output has no elements (shapes: (0,))"),
    (
        "gradcheck",
        "fn",
        lambda x: (x[:0], x.sum()[None][:0]),
        ValueError,
        "fn's output has no elements (shapes: (0,), (0,))",
    ),
    ("gradcheck", "fn", lambda x: (), ValueError, "fn's output has no elements (shapes: none)"),
    ("gradgradcheck", "fn", lambda x: x[:0], ValueError, "fn's output has no elements"),
    ("gradcheck_report", "fn", lambda x: x[:0] * 2.0, ValueError, "fn's output has no elements"),
    ("gradcheck", "fn", Fresh(outside_dropout), ValueError, "gradcheck: fn is not deterministic: called twice"),
    ("gradgradcheck", "fn", Fresh(outside_dropout), ValueError, "gradgradcheck: fn is not deterministic"),
    ("gradcheck_report", "fn", Fresh(outside_dropout), ValueError, "gradcheck: fn is not deterministic"),
    ("check_gradients", "fn", Fresh(counting), ValueError, "gradcheck: fn is not deterministic"),
    (
        "gradcheck",
        "fn",
        Fresh(lambda: changes_after(2)),
        ValueError,
        "called again after the finite differences of input 0",
    ),
    (
        "gradcheck",
        "fn",
        Fresh(shrinking),
        ValueError,
        "fn is not deterministic: called twice at the same inputs it gave a different result (3 output elements, then 2)",
    ),
    # grad_outputs: one array per output, of its shape
    ("gradgradcheck", "grad_outputs", [1.0, 2.0], ValueError, "grad_outputs[0] must have the shape of output 0, (3,)"),
    ("gradgradcheck", "grad_outputs", np.ones((3, 1)), ValueError, "grad_outputs[0] must have the shape of output 0"),
    ("gradgradcheck", "grad_outputs", "a", TypeError, "gradgradcheck: grad_outputs[0] must be an array of numbers"),
    ("gradgradcheck", "grad_outputs", [[1.0, 2.0, 3.0]] * 2, ValueError, "grad_outputs[0] must have the shape of"),
    ("gradcheck_report", "grad_outputs", [None, 1.0, 2.0], ValueError, "gradgradcheck: grad_outputs[0] must be finite"),
    (
        "gradgradcheck",
        "grad_outputs",
        [1.0, np.inf, 2.0],
        ValueError,
        "grad_outputs[0] must be finite, got [ 1. inf  2.]",
    ),
]
ROWS += [
    (
        call,
        "grad_outputs",
        value,
        ValueError,
        "gradgradcheck: grad_outputs must hold one array per output of fn (2), got 1",
    )
    for call, value in [
        ("gradgradcheck", [np.ones(3)]),
        ("gradgradcheck", np.ones(3)),
        ("gradcheck_report", [[1.0, 2.0, 3.0]]),
    ]
]


@pytest.mark.parametrize(("call", "argument", "value", "error", "message"), ROWS)
def test_a_bad_argument_is_refused_by_name(call, argument, value, error, message):
    options = {argument: value.make() if isinstance(value, Fresh) else value}
    if call == "gradcheck_report" and argument == "grad_outputs":
        options["order"] = 2
    if "per output" in message:
        options["fn"] = lambda x: (x * x, x.sum())
    with pytest.raises(error) as caught:
        CHECKS[call](**options)
    assert message in str(caught.value)


def test_a_bad_setting_is_refused_before_fn_is_called():
    calls = []

    def fn(x):
        calls.append(x)
        return x * x

    for check in (gradcheck, gradgradcheck):
        with pytest.raises(ValueError, match="eps"):
            check(fn, leaf(), eps=0.0)
    with pytest.raises(ValueError, match="atol"):
        check_gradients(fn, atol=NAN)
    assert calls == []


def test_the_refusal_of_a_random_function_says_how_to_fix_the_seed():
    with pytest.raises(ValueError) as caught:
        gradcheck(outside_dropout(), leaf())
    message = str(caught.value)
    assert "randomness or state" in message and "nn.Dropout(p, rng=0) inside fn" in message
    assert "eval()" in message and "output element" in message
