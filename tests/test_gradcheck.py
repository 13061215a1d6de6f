"""gradcheck and gradgradcheck: they pass correct ops, name the wrong entry, accept kinks."""

import doctest
import importlib
import re

import numpy as np
import pytest
from helpers import Cube, DetachedCube, WrongCube

import minigrad
from minigrad import Function, GradcheckError, Tensor, gradcheck, gradgradcheck, nn, no_grad
from minigrad.gradcheck import gradcheck_report

# --- ops written for these tests, so they do not wait for the library's ----------------------


class DetachedGradCube(Cube):
    """Right first derivative, but the incoming gradient is detached: d/d(grad) is lost."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return Tensor(grad.numpy()) * 3 * x**2


class ReLU(Function):
    """relu(x) = max(x, 0);  relu'(x) = 1 if x > 0 else 0 (0 at the kink)"""

    @staticmethod
    def forward(ctx, x):
        return np.maximum(x, 0.0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * Tensor(x.numpy() > 0)


class Abs(Function):
    """abs(x) = |x|;  abs'(x) = sign(x) (0 at the kink)"""

    @staticmethod
    def forward(ctx, x):
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * Tensor(np.sign(x.numpy()))


class HardTanh(Function):
    """hardtanh(x) = clip(x, -1, 1);  hardtanh'(x) = 1 inside (-1, 1), 0 outside and at the bounds"""

    @staticmethod
    def forward(ctx, x):
        return np.clip(x, -1.0, 1.0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * Tensor(np.abs(x.numpy()) < 1)


class ReLUWithBadKink(ReLU):
    """relu with 2 at the kink: outside [left, right] = [0, 1], so no convention allows it."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * Tensor(np.where(x.numpy() == 0, 2.0, x.numpy() > 0))


def leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def random_leaf(*shape, seed=0):
    return leaf(np.random.default_rng(seed).uniform(-2, 2, size=shape))


# --- first order: correct ops pass ----------------------------------------------------------


def test_gradcheck_passes_a_correct_custom_function():
    assert gradcheck(Cube.apply, leaf([1.0, -2.0, 0.5]))


def test_gradcheck_passes_arithmetic_with_broadcasting_and_two_inputs():
    x, y = random_leaf(2, 3, seed=1), random_leaf(3, seed=2)
    assert gradcheck(lambda x, y: x * y - x / (y * y + 1.0) + y**2, (x, y))


def test_gradcheck_passes_matmul_with_a_non_scalar_output():
    a, b = random_leaf(2, 3, seed=1), random_leaf(3, 4, seed=2)
    assert gradcheck(lambda a, b: a @ b, (a, b))


def test_gradcheck_checks_the_full_jacobian_of_a_non_scalar_output():
    x, w = random_leaf(3, seed=1), random_leaf(2, 3, seed=2)
    report = gradcheck_report(lambda w, x: w @ x, (w, x))
    assert report.ok and report.checked == 2 * 6 + 2 * 3


def test_gradcheck_passes_a_function_returning_a_tuple_of_outputs():
    x, y = random_leaf(2, seed=1), random_leaf(2, seed=2)
    assert gradcheck(lambda x, y: (x * y, (x + y).sum()), (x, y))


def test_gradcheck_promotes_float32_inputs_to_float64_with_a_warning_naming_the_input():
    x = leaf([1.0, -2.0, 0.5], dtype=np.float32)
    with pytest.warns(UserWarning, match=r"^gradcheck: input 1 is float32; it is checked as a float64 copy"):
        assert gradcheck(lambda c, x: Cube.apply(x) * c, (Tensor(2.0, dtype=np.float32), x))
    assert x.dtype == np.float32


def test_a_backward_wrong_only_in_float32_is_not_checked_but_warned_about():
    class WrongInFloat32(Cube):
        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.inputs
            return grad * 3 * x**2 * (2.0 if x.dtype == np.float32 else 1.0)

    with pytest.warns(UserWarning, match="input 0 is float32"):
        assert gradcheck(WrongInFloat32.apply, leaf([1.0, 2.0], dtype=np.float32))
    with pytest.warns(UserWarning, match="^gradgradcheck: input 0 is float32"):
        gradgradcheck(WrongInFloat32.apply, leaf([1.0, 2.0], dtype=np.float32), raise_exception=False)


def test_gradcheck_skips_inputs_that_do_not_require_grad_and_passes_non_tensors_through():
    x, c = random_leaf(3), Tensor([1.0, 2.0, 3.0])
    report = gradcheck_report(lambda x, c, k: x * c * k, (x, c, 2.0))
    assert report.ok and report.checked == 9


def test_gradcheck_treats_an_unused_input_and_a_constant_output_as_zero_gradient():
    x, y = random_leaf(2, seed=1), random_leaf(2, seed=2)
    assert gradcheck(lambda x, y: x * 2.0, (x, y))
    assert gradcheck(lambda x: Tensor([1.0, 2.0]), x)


def test_gradcheck_works_inside_no_grad():
    with no_grad():
        assert gradcheck(Cube.apply, leaf([1.0, 2.0]))


# --- first order: wrong gradients are named -------------------------------------------------


def test_gradcheck_names_input_element_analytic_and_numeric_of_the_worst_entry():
    x, y = leaf([1.0]), leaf([1.0, -2.0, 3.0])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x, y: x * WrongCube.apply(y), (x, y))
    message = str(caught.value)
    # d/dy_2 of x * y^3 is 27 at y_2 = 3; WrongCube says 18: the largest error of the three.
    assert re.search(r"^gradcheck: input 1, element \(2,\) \(element \(2,\) of the output\): ", message)
    assert re.search(r"analytic 18\.0, numeric 27\.0000\d*, error 9 > tolerance 0\.027", message)
    assert message.endswith("3 of 12 Jacobian entries disagree")
    assert isinstance(caught.value, AssertionError)


def test_gradcheck_returns_false_instead_of_raising_when_asked():
    assert gradcheck(WrongCube.apply, leaf([1.0, 2.0]), raise_exception=False) is False


def test_gradcheck_report_lists_failures_worst_first():
    report = gradcheck_report(WrongCube.apply, leaf([1.0, 3.0, -2.0]))
    assert not report.ok
    assert [e.index for e in report.failures] == [(1,), (2,), (0,)]
    assert report.failures[0].analytic == 18.0 and report.failures[0].numeric == pytest.approx(27.0)


def test_gradcheck_fails_on_nan_gradients():
    class NaNGrad(Cube):
        @staticmethod
        def backward(ctx, grad):
            return grad * Tensor(np.nan)

    with pytest.raises(GradcheckError, match="analytic nan"):
        gradcheck(NaNGrad.apply, leaf([1.0]))


def test_gradcheck_rejects_no_input_requiring_grad_and_a_non_tensor_output():
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(Cube.apply, Tensor([1.0]))
    with pytest.raises(TypeError, match="output 0 is float"):
        gradcheck(lambda x: 1.0, leaf([1.0]))


# --- kinks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "op, point, left, right, convention",
    [
        (ReLU, 0.0, 0.0, 1.0, "left"),
        (Abs, 0.0, -1.0, 1.0, "between"),
        (HardTanh, 1.0, 1.0, 0.0, "right"),
        (HardTanh, -1.0, 0.0, 1.0, "left"),
    ],
)
def test_gradcheck_accepts_a_kink_and_reports_both_one_sided_derivatives(op, point, left, right, convention):
    x = leaf([-2.5, point, 0.5])
    assert gradcheck(op.apply, x)
    (kink,) = gradcheck_report(op.apply, x).kinks
    assert kink.index == (1,) and kink.output_index == (1,)
    assert (kink.left, kink.right) == pytest.approx((left, right))
    assert kink.convention == convention
    assert "kink at input 0, element (1,)" in str(gradcheck_report(op.apply, x))


def test_gradcheck_accepts_a_point_within_eps_of_a_kink():
    report = gradcheck_report(ReLU.apply, leaf([3e-7]))
    assert report.ok
    assert report.kinks[0].left == pytest.approx(0.3) and report.kinks[0].right == pytest.approx(1.0)


def test_gradcheck_fails_an_analytic_value_outside_the_one_sided_derivatives():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(ReLUWithBadKink.apply, leaf([-1.0, 0.0, 1.0]))
    message = str(caught.value)
    assert "input 0, element (1,)" in message and "analytic 2.0" in message
    assert re.search(
        r"a kink with left derivative 0\.0 and right derivative 1\.0\d*, and analytic outside them", message
    )


def test_gradcheck_still_fails_a_wrong_gradient_away_from_the_kink():
    class HalfReLU(ReLU):
        @staticmethod
        def backward(ctx, grad):
            return grad * 0.5

    report = gradcheck_report(HalfReLU.apply, leaf([-1.0, 0.0, 1.0]))
    assert sorted(e.index for e in report.failures) == [(0,), (2,)]
    assert [e.index for e in report.kinks] == [(1,)]


# --- second order ----------------------------------------------------------------------------


def test_gradgradcheck_passes_correct_second_derivatives():
    assert gradgradcheck(Cube.apply, leaf([1.0, -2.0, 0.5]))
    assert gradgradcheck(lambda x: x**3 / (x * x + 1.0), random_leaf(2, 2))


def test_gradgradcheck_passes_broadcasting_and_matmul():
    x, y = random_leaf(2, 3, seed=1), random_leaf(3, seed=2)
    assert gradgradcheck(lambda x, y: x * y * y - x / (y * y + 1.0), (x, y))
    a, b = random_leaf(2, 3, seed=3), random_leaf(3, 2, seed=4)
    assert gradgradcheck(lambda a, b: (a @ b) * (a @ b), (a, b))


def test_gradgradcheck_uses_given_grad_outputs():
    x = leaf([1.0, 2.0])
    assert gradgradcheck(lambda x: x * x * x, x, grad_outputs=Tensor([0.5, -3.0]))


def test_gradgradcheck_catches_a_backward_that_saves_detached_data():
    x = leaf([1.0, -2.0, 3.0])
    assert gradcheck(DetachedCube.apply, x)  # the first derivative is right ...
    with pytest.raises(GradcheckError) as caught:  # ... but its own derivative is lost
        gradgradcheck(DetachedCube.apply, x)
    message = str(caught.value)
    assert message.startswith("gradgradcheck: input 0, element (2,) (element (2,) of the gradient of input 0)")
    assert "analytic 0.0" in message


def test_gradgradcheck_catches_a_backward_that_detaches_the_incoming_gradient():
    x = leaf([1.0, -2.0, 3.0])
    assert gradcheck(DetachedGradCube.apply, x)
    with pytest.raises(GradcheckError, match=r"grad_outputs\[0\], element \(\d,\)"):
        gradgradcheck(DetachedGradCube.apply, x)


@pytest.mark.parametrize("op", [ReLU, Abs])
def test_gradgradcheck_accepts_and_reports_the_jump_in_the_derivative_at_a_kink(op):
    x = leaf([-1.0, 0.0, 2.0])
    assert gradgradcheck(op.apply, x)
    (jump,) = gradcheck_report(op.apply, x, order=2).kinks
    assert jump.jump and not jump.kink and jump.index == (1,) and jump.analytic == 0.0
    assert "jump at input 0, element (1,) (element (1,) of the gradient of input 0)" in str(
        gradcheck_report(op.apply, x, order=2)
    )


def test_gradcheck_accepts_a_step_at_its_jump_but_not_a_wrong_slope_beside_it():
    class Step(Function):
        """step(x) = 1 if x > 0 else 0;  step'(x) = 0 (no derivative at 0)"""

        @staticmethod
        def forward(ctx, x):
            return (x > 0).astype(x.dtype)

        @staticmethod
        def backward(ctx, grad):
            return grad * 0.0

    class SlopedStep(Step):
        @staticmethod
        def backward(ctx, grad):
            return grad * 1.0

    report = gradcheck_report(Step.apply, leaf([-1.0, 0.0, 1.0]))
    assert report.ok and [(e.index, e.jump) for e in report.kinks] == [((1,), True)]
    report = gradcheck_report(SlopedStep.apply, leaf([-1.0, 0.0, 1.0]))
    assert sorted(e.index for e in report.failures) == [(0,), (2,)]


# --- random or stateful functions, and what the kink rules may accept ------------------------


def test_a_dropout_made_outside_fn_is_refused_not_passed_with_a_wrong_gradient():
    drop = nn.Dropout(0.5, rng=0)
    with pytest.raises(ValueError, match="fn is not deterministic"):
        gradcheck(lambda x: drop(x * x.detach()), leaf([1.0, 2.0, 3.0]))


def test_a_dropout_seeded_inside_fn_or_in_eval_mode_is_checked_like_any_function():
    assert gradcheck(lambda x: nn.Dropout(0.5, rng=0)(x * x), leaf([1.0, 2.0, 3.0]))
    with pytest.raises(GradcheckError, match="analytic 2.0, numeric 4.0"):
        gradcheck(lambda x: nn.Dropout(0.5, rng=0)(x * x.detach()), leaf([1.0, 2.0, 3.0]))
    drop = nn.Dropout(0.5, rng=0).eval()
    assert gradcheck(lambda x: drop(x * x), leaf([1.0, 2.0, 3.0]))
    assert gradgradcheck(lambda x: drop(x * x * x), leaf([1.0, 2.0, 3.0]))


def test_a_deterministic_function_is_called_the_same_at_the_unperturbed_inputs_each_time():
    seen = []

    def fn(x, y):
        seen.append((x.numpy().copy(), y.numpy().copy()))
        return x * y

    x, y = random_leaf(2, seed=1), random_leaf(2, seed=2)
    assert gradcheck(fn, (x, y))
    unperturbed = [(a, b) for a, b in seen if np.array_equal(a, x.numpy()) and np.array_equal(b, y.numpy())]
    assert len(unperturbed) == 4  # the graph, the second call, and once after each input's sweep


def test_a_backward_off_by_a_constant_fails_though_the_function_has_kinks_elsewhere():
    class ReLUPlusSquareOffByHalf(Function):
        """relu(x) + x^2, whose derivative (x > 0) + 2x is given as (x > 0) + 2x + 0.5."""

        @staticmethod
        def forward(ctx, x):
            return np.maximum(x, 0.0) + x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.inputs
            return grad * (Tensor(x.numpy() > 0) + 2 * x + 0.5)

    x = leaf([-1.5, 0.0, 0.7, 2.0])
    report = gradcheck_report(ReLUPlusSquareOffByHalf.apply, x)
    assert [e.index for e in report.kinks] == [(1,)]
    assert sorted(e.index for e in report.failures) == [(0,), (2,), (3,)]
    for eps in (1e-6, 1e-4):  # the jump rule does not take a smooth point's error for a jump either
        assert not gradcheck(ReLUPlusSquareOffByHalf.apply, x, eps=eps, raise_exception=False)


# --- the caller's tensors --------------------------------------------------------------------


@pytest.mark.parametrize("check", [gradcheck, gradgradcheck])
@pytest.mark.parametrize("op", [Cube, WrongCube, DetachedCube])
def test_checks_leave_the_inputs_unchanged(check, op):
    x = leaf([1.0, -2.0, 3.0], dtype=np.float32)
    data, before = x.numpy(), x.numpy().copy()
    with pytest.warns(UserWarning, match="float32"):
        check(op.apply, x, raise_exception=False)
    assert x.numpy() is data and np.array_equal(x.numpy(), before) and x.dtype == np.float32
    assert x.grad is None and x._version == 0 and x.requires_grad and x.is_leaf


def test_gradgradcheck_leaves_given_grad_outputs_unchanged():
    v = Tensor([0.5, -3.0])
    gradgradcheck(Cube.apply, leaf([1.0, 2.0]), grad_outputs=v)
    assert np.array_equal(v.numpy(), [0.5, -3.0]) and not v.requires_grad and v.grad is None


# --- the library's own ops, where they exist --------------------------------------------------

LIBRARY_OPS = [
    # name, function, domain (low, high), a kink and its convention
    ("exp", lambda x: x.exp(), (-2, 2), None),
    ("log", lambda x: x.log(), (0.5, 3), None),
    ("sqrt", lambda x: x.sqrt(), (0.5, 3), None),
    ("abs", lambda x: x.abs(), (-2, 2), (0.0, "between")),
    ("relu", lambda x: x.relu(), (-2, 2), (0.0, "left")),
    ("sigmoid", lambda x: x.sigmoid(), (-3, 3), None),
    ("tanh", lambda x: x.tanh(), (-3, 3), None),
]


@pytest.mark.parametrize("name, fn, domain, kink", LIBRARY_OPS, ids=[row[0] for row in LIBRARY_OPS])
def test_library_ops_pass_gradcheck_and_gradgradcheck(name, fn, domain, kink):
    if not hasattr(Tensor, name):
        pytest.skip(f"Tensor.{name} is not written yet")
    x = leaf(np.random.default_rng(0).uniform(*domain, size=(2, 3)))
    assert gradcheck(fn, x) and gradgradcheck(fn, x)
    if kink is not None:
        point, convention = kink
        (found,) = gradcheck_report(fn, leaf([point])).kinks
        assert found.convention == convention


def test_the_docstring_examples_run():
    package = importlib.import_module("minigrad.gradcheck")  # NOTE: minigrad.gradcheck is the function
    for name in ("check", "report"):  # NOTE: jacobians.py has no examples: its helpers are private
        module = importlib.import_module(f"minigrad.gradcheck.{name}")
        # NOTE: the flags and names pytest's --doctest-modules runs them with (pyproject.toml, conftest.py).
        names = {"np": np, "Tensor": Tensor, "minigrad": minigrad}
        flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        assert doctest.testmod(module, extraglobs=names, optionflags=flags).failed == 0
    assert package.gradcheck is minigrad.gradcheck


def test_checks_leave_the_grad_of_tensors_captured_by_fn_alone():
    w = leaf([2.0, -1.0])
    assert gradcheck(lambda x: x * w, leaf([1.0, 3.0])) and gradgradcheck(lambda x: x * x * w, leaf([1.0, 3.0]))
    assert w.grad is None and np.array_equal(w.numpy(), [2.0, -1.0])


# --- the documented tolerance, pinned: atol 1e-5 + rtol 1e-3 |numeric| ------------------------


def cube_off_by(relative=0.0, absolute=0.0):
    """x^3 whose backward is off: 3 x^2 (1 + relative) + absolute."""

    class OffCube(Cube):
        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.inputs
            return grad * (3 * (1 + relative) * x**2 + absolute)

    return OffCube


def test_gradcheck_rejects_a_derivative_one_percent_off_and_accepts_the_correct_one():
    x = Tensor([0.5, -1.5, 10.0], requires_grad=True, dtype=np.float64)
    assert gradcheck(cube_off_by().apply, x)
    assert not gradcheck(cube_off_by(relative=0.01).apply, x, raise_exception=False)
    assert not gradcheck(cube_off_by(relative=-0.01).apply, x, raise_exception=False)
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(cube_off_by(relative=0.01).apply, x)


def test_the_default_rtol_is_1e_3_of_the_numeric_derivative():
    x = Tensor([10.0], requires_grad=True)  # 3 x^2 = 300: atol's 1e-5 is negligible beside 1e-3 of it
    assert gradcheck(cube_off_by(relative=0.9e-3).apply, x)
    assert not gradcheck(cube_off_by(relative=1.1e-3).apply, x, raise_exception=False)
    assert gradcheck(cube_off_by(relative=1.1e-3).apply, x, rtol=1.2e-3)


def test_the_default_atol_is_1e_5_where_the_derivative_is_zero():
    x = Tensor([0.0], requires_grad=True)  # 3 x^2 = 0 and so is its central difference
    assert gradcheck(cube_off_by(absolute=0.9e-5).apply, x)
    assert not gradcheck(cube_off_by(absolute=1.1e-5).apply, x, raise_exception=False)
    assert gradcheck(cube_off_by(absolute=1.1e-5).apply, x, atol=1.2e-5)


def test_gradcheck_report_keeps_the_tolerances_it_used_and_names_them_in_its_message():
    report = gradcheck_report(cube_off_by(relative=0.01).apply, Tensor([10.0], requires_grad=True))
    assert (report.eps, report.atol, report.rtol) == (1e-6, 1e-5, 1e-3)
    (entry,) = report.failures
    assert entry.analytic == pytest.approx(303.0, rel=1e-12) and entry.numeric == pytest.approx(300.0, rel=1e-8)
    assert "error 3 > tolerance 0.30001" in report.message()


def test_gradgradcheck_rejects_a_second_derivative_one_percent_off():
    class OffSecond(Cube):
        """The right value 3 x^2, but a graph whose derivative is 6x + 0.01 * 6x: x - x.detach() is 0
        with derivative 1."""

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.inputs
            return grad * (3 * x**2 + 0.06 * x * (x - x.detach()))

    x = Tensor([2.0], requires_grad=True)
    assert gradcheck(OffSecond.apply, x)
    assert not gradgradcheck(OffSecond.apply, x, raise_exception=False)
    assert gradgradcheck(Cube.apply, x)
