"""gradcheck's corners, each pinned exactly: what gradgradcheck accepts as inputs and grad_outputs,
the refusals' messages, and the entries a report lists (written against the mutants that survived
the rest of the gradcheck tests; docs/mutation.md)."""

import os

import numpy as np
import pytest
from helpers import Cube

from minigrad import Function, GradcheckError, Tensor, gradcheck, gradgradcheck
from minigrad.gradcheck import gradcheck_report


def leaf(values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


# --- gradgradcheck: inputs and grad_outputs ---------------------------------------------------


def test_gradgradcheck_takes_one_grad_output_per_output_of_a_function_with_two_outputs():
    x, y = leaf([1.0, 2.0]), leaf([0.5, -1.0])
    fn = lambda x, y: (x * y, x**3)  # noqa: E731
    assert gradgradcheck(fn, (x, y), grad_outputs=(np.ones(2), np.array([1.0, 2.0])))
    assert gradgradcheck(fn, (x, y), grad_outputs=[[1.0, 1.0], [1.0, 2.0]])


def test_gradgradcheck_passes_a_non_tensor_input_through():
    assert gradgradcheck(lambda x, s: x**3 * s, (leaf([1.0, 2.0]), 2.0))


def test_gradgradcheck_checks_an_input_the_output_does_not_use_as_zero():
    assert gradgradcheck(lambda x, y: x**3, (leaf([1.0, 2.0]), leaf([0.5, -1.0])))


def test_gradgradcheck_checks_an_output_that_does_not_require_grad_as_constant():
    assert gradgradcheck(lambda x: (x * 2.0).detach(), leaf([1.0, 2.0]))


def test_gradgradcheck_refuses_ragged_grad_outputs_by_name():
    x = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match=r"^gradgradcheck: grad_outputs\[0\] must be an array of numbers, got "):
        gradgradcheck(lambda x: x * x, x, grad_outputs=[[[1.0], [2.0, 3.0]]])


# NOTE: mutmut's trampolines add frames, so under `./run mutate` the stack level cannot name this file.
@pytest.mark.skipif("MINIGRAD_MUTATION" in os.environ, reason="mutmut's trampolines change the stack")
@pytest.mark.parametrize("check", [gradcheck, gradgradcheck, gradcheck_report])
def test_the_float32_warning_points_at_the_line_that_called_the_check(check):
    with pytest.warns(UserWarning, match="input 0 is float32") as caught:
        check(lambda x: x * x, Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True))
    assert [w.filename for w in caught] == [__file__]


# --- the determinism check ---------------------------------------------------------------------


def counting(values_of_call):
    """fn(x) = x + extra, where extra is values_of_call(n) at the n-th call (counted from 1)."""
    calls = []

    def fn(x):
        calls.append(None)
        return x + Tensor(np.array(values_of_call(len(calls)), dtype=np.float64))

    return fn


def test_the_refusal_of_a_random_function_names_the_element_that_changed_and_how_to_fix_it():
    fn = counting(lambda n: [0.0, float(n), 0.0])
    with pytest.raises(ValueError) as refusal:
        gradcheck(fn, leaf([1.0, 2.0, 3.0]))
    assert str(refusal.value) == (
        "gradcheck: fn is not deterministic: called twice at the same inputs it gave a different result "
        "(output element 1 (flattened) was 3.0, then 4.0), so finite differences would measure its randomness "
        "or state, not its derivative. Make every call draw the same: create the random module or generator "
        "inside fn with a fixed seed (e.g. nn.Dropout(p, rng=0) inside fn), or put it in eval() mode"
    )


def test_an_output_that_turns_nan_on_the_second_call_is_named():
    fn = counting(lambda n: [0.0, np.nan if n == 1 else 0.0])
    with pytest.raises(ValueError, match=r"\(output element 1 \(flattened\) was nan, then 2\.0\)"):
        gradcheck(fn, leaf([1.0, 2.0]))


def test_a_function_that_changes_during_the_sweep_is_refused_naming_the_check_and_the_input():
    # 2 calls before the sweep, 2 per element of the first input, then the check after its sweep
    fn = counting(lambda n: [0.0, 0.0] if n <= 6 else [0.0, 1.0])
    with pytest.raises(ValueError) as refusal:
        gradgradcheck(lambda x: fn(x) * x, leaf([1.0, 2.0]))
    assert str(refusal.value).startswith(
        "gradgradcheck: fn is not deterministic: called again after the finite differences of input 0 "
    )


def test_a_deterministic_function_with_a_nan_output_is_checked_not_refused_as_random():
    fn = lambda x: x * Tensor([np.nan, 1.0])  # noqa: E731
    report = gradcheck_report(fn, leaf([1.0, 2.0]))
    # NaN never passes: the NaN output's row, and its NaN analytic entry in the other row
    assert [(e.index, e.output_index) for e in report.failures] == [((0,), (0,)), ((1,), (0,)), ((0,), (1,))]
    with pytest.raises(GradcheckError, match="analytic nan, numeric nan"):
        gradcheck(fn, leaf([1.0, 2.0]))


# --- the tolerances, the kink and the jump rules at their boundaries ----------------------------


def elementwise(forward, derivative):
    """An op of one input: forward(x) and its backward grad * derivative(x), both on NumPy arrays."""

    class Op(Function):
        @staticmethod
        def forward(ctx, x):
            return forward(x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.inputs
            return grad * Tensor(np.asarray(derivative(x.numpy()), dtype=np.float64))

    return Op.apply


def test_an_exact_derivative_passes_at_zero_tolerance_and_is_not_a_kink():
    # at 0, f(x) = 2x has exact differences: left = right = central = 2
    report = gradcheck_report(lambda x: x * 2.0, leaf([0.0]), atol=0.0, rtol=0.0)
    assert report.ok and report.kinks == []


@pytest.mark.parametrize("at_zero", [0.0, 1.0])
def test_relu_at_its_kink_passes_at_zero_tolerance_with_either_one_sided_derivative(at_zero):
    relu = elementwise(lambda x: np.maximum(x, 0.0), lambda x: np.where(x == 0, at_zero, x > 0))
    report = gradcheck_report(relu, leaf([0.0]), atol=0.0, rtol=0.0)
    assert report.ok and [(e.left, e.right, e.analytic, e.jump) for e in report.kinks] == [(0.0, 1.0, at_zero, False)]


@pytest.mark.parametrize("where", [0.095e-6, -0.095e-6])
def test_a_step_within_a_tenth_of_eps_on_either_side_is_a_jump(where):
    # the rule's second look moves the input by eps / 10 each way, and sees the step either side
    step = elementwise(lambda x: (x > where).astype(np.float64), lambda x: np.zeros_like(x))
    (entry,) = gradcheck_report(step, leaf([0.0])).kinks
    assert entry.jump and not entry.kink


def test_the_jump_rule_needs_a_difference_growing_more_than_fivefold():
    # f = s x + step(x): central s + J / 2eps, at eps / 10: s + 5 J / eps; J = 1, eps = 1e-6
    def sloped_step(s):
        return elementwise(lambda x: s * x + (x > 0), lambda x: np.full_like(x, s))

    (entry,) = gradcheck_report(sloped_step(5e5), leaf([0.0])).kinks  # grows 5.5-fold
    assert entry.jump
    (entry,) = gradcheck_report(sloped_step(7e5), leaf([0.0])).kinks  # grows 4.5-fold
    assert entry.kink and not entry.jump


def test_a_difference_growing_exactly_fivefold_is_not_a_jump():
    # eps = 10 / 2^20, f = 5x + 8 eps step(x): central 9, at eps / 10 it is 45, all exact in binary
    eps = 10 * 2.0**-20
    f = elementwise(lambda x: 5.0 * x + 8 * eps * (x > 0), lambda x: np.full_like(x, 5.0))
    (entry,) = gradcheck_report(f, leaf([0.0]), eps=eps, atol=0.0, rtol=0.0).kinks
    assert (entry.numeric, entry.kink, entry.jump) == (9.0, True, False)


def test_the_jump_rule_needs_a_central_difference_above_atol_over_eps():
    # a step of 2 at 0, eps = 0.5: central 2 = atol / eps exactly, at eps / 10 it is 20
    step = elementwise(lambda x: 2.0 * (x > 0), lambda x: np.zeros_like(x))
    (entry,) = gradcheck_report(step, leaf([0.0]), eps=0.5, atol=1.0, rtol=0.0).kinks
    assert entry.kink and not entry.jump
    # a step of 1e-6: central 0.5, below atol / eps = 10 however steep: a kink, not a jump
    step = elementwise(lambda x: 1e-6 * (x > 0), lambda x: np.zeros_like(x))
    (entry,) = gradcheck_report(step, leaf([0.0])).kinks
    assert entry.kink and not entry.jump


@pytest.mark.parametrize("step", [np.greater, np.greater_equal])
def test_a_wrong_slope_beside_a_jump_in_another_element_still_fails(step):
    # y = 100 x0 + step(x1), the step met moving x1 up (>) or down (>=): the backward says 50 for x0;
    # the step at x1 must not excuse x0
    class SlopeAndStep(Function):
        @staticmethod
        def forward(ctx, x):
            return np.array(100.0 * x[0] + step(x[1], 0.0))

        @staticmethod
        def backward(ctx, grad):
            return grad * Tensor([50.0, 0.0])

    report = gradcheck_report(SlopeAndStep.apply, leaf([1.0, 0.0]))
    assert [e.index for e in report.failures] == [(0,)] and [(e.index, e.jump) for e in report.kinks] == [((1,), True)]


# --- the report -----------------------------------------------------------------------------------


def test_failures_are_ordered_by_how_far_each_is_beyond_its_tolerance():
    # entry 0: off by 2 at 1000 (tolerance 1.00001); entry 1: off by 1.5 at 0 (tolerance 1e-5)
    scaled = elementwise(lambda x: x * np.array([1000.0, 0.0]), lambda x: np.array([1002.0, 1.5]))
    report = gradcheck_report(scaled, leaf([1.0, 1.0]))
    assert [e.index for e in report.failures] == [(1,), (0,)]


def test_a_nan_gradient_is_the_worst_failure():
    scaled = elementwise(lambda x: x * 1000.0, lambda x: np.array([1002.0, np.nan]))
    report = gradcheck_report(scaled, leaf([1.0, 1.0]))
    *nans, last = report.failures  # NaN times the one-hot's zeros is NaN: element 1 fails in both rows
    assert len(nans) == 2 and all(np.isnan(e.analytic) for e in nans) and (last.index, last.analytic) == ((0,), 1002.0)


def test_gradgradcheck_draws_the_same_grad_outputs_each_time_so_a_failure_can_be_reproduced():
    class OffSecond(Cube):
        """x^3 whose backward's graph has derivative 6x + 0.06 x (x - x.detach() is 0, with derivative 1)"""

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.inputs
            return grad * (3 * x**2 + 0.06 * x * (x - x.detach()))

    x = leaf([2.0, -1.0, 0.5])
    first, second = (gradcheck_report(OffSecond.apply, x, order=2) for _ in range(2))
    assert first.failures and first.failures == second.failures


def test_the_report_keeps_the_settings_it_was_given():
    report = gradcheck_report(lambda x: x * x, leaf([1.0]), eps=1e-7, atol=1e-6, rtol=1e-4)
    assert (report.eps, report.atol, report.rtol) == (1e-7, 1e-6, 1e-4)


def test_a_failure_in_the_second_of_two_outputs_names_that_output():
    wrong = elementwise(lambda x: x * 2.0, lambda x: np.full_like(x, 3.0))
    report = gradcheck_report(lambda x: (x * 1.0, wrong(x)), leaf([1.0]))
    assert report.message().startswith("gradcheck: input 0, element (0,) (element (0,) of output 1): analytic 3.0")
