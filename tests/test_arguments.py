"""minigrad.arguments: the checks every public call makes on entry, and the words of their errors."""

import math

import numpy as np
import pytest

from minigrad import Tensor
from minigrad.arguments import check_choice, check_number


@pytest.mark.parametrize(
    ("value", "bounds", "error", "message"),
    [
        (math.nan, {"at_least": 0}, ValueError, "SGD: lr must be a finite number >= 0, got nan"),
        (math.inf, {"at_least": 0}, ValueError, "SGD: lr must be a finite number >= 0, got inf"),
        (-0.1, {"at_least": 0}, ValueError, "SGD: lr must be a finite number >= 0, got -0.1"),
        (0, {"above": 0}, ValueError, "SGD: lr must be a finite number > 0, got 0"),
        (1.0, {"at_least": 0, "below": 1}, ValueError, "SGD: lr must be a finite number >= 0 and < 1, got 1.0"),
        (2, {"at_most": 1}, ValueError, "SGD: lr must be a finite number <= 1, got 2"),
        (True, {}, TypeError, "SGD: lr must be a finite number, got bool True"),
        (None, {}, TypeError, "SGD: lr must be a finite number, got NoneType None"),
        ("0.1", {}, TypeError, "SGD: lr must be a finite number, got str '0.1'"),
        (np.array([0.1]), {}, TypeError, "SGD: lr must be a finite number, got ndarray array([0.1])"),
    ],
)
def test_a_bad_number_is_refused_naming_the_call_the_argument_the_value_and_the_range(value, bounds, error, message):
    with pytest.raises(error) as raised:
        check_number("SGD", "lr", value, **bounds)
    assert str(raised.value) == message


def test_an_integer_argument_refuses_a_float_even_a_whole_one():
    with pytest.raises(TypeError, match=r"^StepLR: step_size must be an integer >= 1, got float 2.0$"):
        check_number("StepLR", "step_size", 2.0, integer=True, at_least=1)


@pytest.mark.parametrize("value", [0.0, 1e-300, 1e300, np.float32(0.5), np.int64(7), 10**400])
def test_a_number_in_range_is_returned_unchanged(value):
    assert check_number("SGD", "lr", value, at_least=0) is value


def test_infinity_is_accepted_only_when_allowed():
    assert check_number("clip", "max_norm", math.inf, above=0, allow_inf=True) == math.inf
    with pytest.raises(ValueError, match=r"^clip: max_norm must be a number > 0, got nan$"):
        check_number("clip", "max_norm", math.nan, above=0, allow_inf=True)


def test_a_choice_outside_the_list_is_refused_with_the_list_even_when_unhashable():
    assert check_choice("mse_loss", "reduction", "sum", {"mean", "sum", "none"}) == "sum"
    with pytest.raises(ValueError, match=r"^mse_loss: reduction must be one of 'mean', 'sum', got \['mean'\]$"):
        check_choice("mse_loss", "reduction", ["mean"], {"mean": 0, "sum": 1})


def test_warnings_from_inside_minigrad_point_at_the_callers_line() -> None:
    from minigrad.gradcheck import gradcheck, gradgradcheck
    from minigrad.nn import init

    x = Tensor(np.ones(2, np.float32), requires_grad=True)
    calls = [
        lambda: gradcheck(lambda t: t * t, (x,)),
        lambda: gradgradcheck(lambda t: t * t, (x,)),
        lambda: init.kaiming_uniform_(Tensor(np.zeros((0, 3)))),
    ]
    for call in calls:
        with pytest.warns(UserWarning) as warned:
            call()
        assert {w.filename for w in warned} == {__file__}
