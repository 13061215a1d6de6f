"""The arithmetic and elementwise ops to the letter: each op computes the gradients of the inputs
that require one and no other (checked with values for which the unneeded gradient would overflow,
a RuntimeWarning, which the test configuration makes an error), x ** y at its special points
(x = 0, y = 0) against its formulas and PyTorch's conventions, and the refusals with their whole
messages. Written for the survivors of the ops' mutation run (docs/mutation.md)."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import Tensor

RTOL = 1e-10
BIG = 1e308  # two of these summed, or one times 2, overflow float64
PAIR = np.array([1.0, 1.0])
TWO = np.array([2.0, 2.0])

# (op, x, y, upstream gradient, the input that requires grad, its gradient): the other input is a
# constant whose gradient, if computed, would overflow (a sum over its broadcast axis, or a product
# past 1e308), or take the log of a negative base.
ONE_SIDED = {
    "add_y": (lambda x, y: x + y, np.array([0.5]), PAIR, BIG * PAIR, "y", BIG * PAIR),
    "add_x": (lambda x, y: x + y, PAIR, np.array([0.5]), BIG * PAIR, "x", BIG * PAIR),
    "sub_y": (lambda x, y: x - y, np.array([0.5]), PAIR, BIG * PAIR, "y", -BIG * PAIR),
    "sub_x": (lambda x, y: x - y, PAIR, np.array([0.5]), BIG * PAIR, "x", BIG * PAIR),
    "mul_y": (lambda x, y: x * y, np.array([1e-300]), PAIR, BIG * PAIR, "y", BIG * 1e-300 * PAIR),
    "mul_x": (lambda x, y: x * y, PAIR, np.array([1e-300]), BIG * PAIR, "x", BIG * 1e-300 * PAIR),
    "div_y": (lambda x, y: x / y, np.array([1.0]), PAIR, BIG * PAIR, "y", -BIG * PAIR),
    "div_x": (lambda x, y: x / y, PAIR, np.array([1.0]), BIG * PAIR, "x", BIG * PAIR),
    "pow_y": (lambda x, y: x**y, np.array([1.0]), PAIR, BIG * PAIR, "y", 0.0 * PAIR),
    "pow_x_negative_base": (lambda x, y: x**y, np.array([-2.0, -3.0]), np.array([2.0]), PAIR, "x", [-4.0, -6.0]),
    "matmul_y": (
        lambda x, y: x @ y,
        np.array([[1.0, 1.0]]),
        np.array([[2.0], [2.0]]),
        np.array([[BIG]]),
        "y",
        [[BIG], [BIG]],
    ),
    "matmul_x": (
        lambda x, y: x @ y,
        np.array([[2.0, 2.0]]),
        np.array([[1.0], [1.0]]),
        np.array([[BIG]]),
        "x",
        [[BIG, BIG]],
    ),
    "matmul_vectors_y": (lambda x, y: x @ y, PAIR, TWO, np.array(BIG), "y", BIG * PAIR),
    "matmul_vectors_x": (lambda x, y: x @ y, TWO, PAIR, np.array(BIG), "x", BIG * PAIR),
}


def only_gradient(op, x, y, g, needs):
    """The gradient of op(x, y) for the one input named by ``needs`` ("x" or "y"), the other a constant."""
    xt = Tensor(x, requires_grad=needs == "x")
    yt = Tensor(y, requires_grad=needs == "y")
    op(xt, yt).backward(Tensor(g))
    assert (xt.grad is None) == (needs == "y") and (yt.grad is None) == (needs == "x")
    return (xt if needs == "x" else yt).grad.numpy()


@pytest.mark.parametrize("name", ONE_SIDED)
def test_an_op_computes_no_gradient_for_an_input_that_needs_none(name):
    op, x, y, g, needs, expected = ONE_SIDED[name]
    np.testing.assert_allclose(only_gradient(op, x, y, g, needs), expected, rtol=RTOL)


def test_matmul_gives_the_gradient_of_the_one_input_that_needs_it():
    x, y, g = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.5], [-1.5]]), np.array([[2.0], [-1.0]])
    op = lambda a, b: a @ b  # noqa: E731
    np.testing.assert_allclose(only_gradient(op, x, y, g, needs="x"), g @ y.T, rtol=RTOL)
    np.testing.assert_allclose(only_gradient(op, x, y, g, needs="y"), x.T @ g, rtol=RTOL)
    v, gv = np.array([0.5, -1.5]), np.array([2.0, -1.0])
    np.testing.assert_allclose(only_gradient(op, x, v, gv, needs="x"), np.outer(gv, v), rtol=RTOL)
    np.testing.assert_allclose(only_gradient(op, v, x, gv, needs="x"), x @ gv, rtol=RTOL)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow"])
def test_a_binary_op_gives_the_gradient_of_the_one_input_that_needs_it(name):
    x, y, g = np.array([0.5, 2.0]), np.array([1.5, -0.5]), np.array([3.0, -2.0])
    op, dx, dy = {
        "add": (lambda a, b: a + b, g, g),
        "sub": (lambda a, b: a - b, g, -g),
        "mul": (lambda a, b: a * b, g * y, g * x),
        "div": (lambda a, b: a / b, g / y, -g * x / y**2),
        "pow": (lambda a, b: a**b, g * y * x ** (y - 1), g * x**y * np.log(x)),
    }[name]
    np.testing.assert_allclose(only_gradient(op, x, y, g, needs="x"), dx, rtol=RTOL)
    np.testing.assert_allclose(only_gradient(op, x, y, g, needs="y"), dy, rtol=RTOL)


# needs: (x, W, upstream gradient) for which the two gradients not asked for overflow
LINEAR_ONE_SIDED = {
    "input": (np.ones((2, 2)), np.array([[1.0, 1.0]]), np.array([[BIG], [BIG]])),
    "weight": (np.full((2, 2), 1e-10), np.array([[2.0, 2.0]]), np.array([[BIG], [BIG]])),
    "bias": (np.array([[2.0, 2.0], [0.0, 0.0]]), np.array([[2.0, 2.0]]), np.array([[BIG], [-BIG / 2]])),
}


@pytest.mark.parametrize("needs", LINEAR_ONE_SIDED)
def test_linear_gives_the_gradient_of_each_input_alone_and_computes_no_other(needs):
    x, w, g = LINEAR_ONE_SIDED[needs]
    leaves = {
        name: Tensor(v, requires_grad=name == needs) for name, v in (("input", x), ("weight", w), ("bias", [0.0]))
    }
    F.linear(leaves["input"], leaves["weight"], leaves["bias"]).backward(Tensor(g))
    expected = {"input": lambda: g @ w, "weight": lambda: g.T @ x, "bias": lambda: g.sum(axis=0)}[needs]()
    np.testing.assert_allclose(leaves[needs].grad.numpy(), expected, rtol=RTOL)
    assert [name for name, leaf in leaves.items() if leaf.grad is not None] == [needs]


# --- x ** y at x = 0 and y = 0 ----------------------------------------------------------------


def pow_gradients(x, y, dtype=np.float64):
    xt, yt = Tensor(np.array(x, dtype), requires_grad=True), Tensor(np.array(y, dtype), requires_grad=True)
    return mg.grad((xt**yt).sum(), (xt, yt))


def test_pow_gradients_at_a_zero_base_and_a_zero_exponent_are_pytorchs():
    # x^y at (0, 0), (0, 1.5), (0, 2), (2, 0), (2, 0.5): df/dx = y x^(y-1), 0 where y = 0;
    # df/dy = x^y log x, 0 where x = 0 and y >= 0 (its limit); no log(0) or 0^-1 warning on the way.
    x = np.array([0.0, 0.0, 0.0, 2.0, 2.0])
    y = np.array([0.0, 1.5, 2.0, 0.0, 0.5])
    gx, gy = pow_gradients(x, y)
    assert gx.numpy().tolist() == [0.0, 0.0, 0.0, 0.0, pytest.approx(0.5 / np.sqrt(2), rel=RTOL)]
    assert gy.numpy().tolist() == [
        0.0,
        0.0,
        0.0,
        pytest.approx(np.log(2), rel=RTOL),
        pytest.approx(np.sqrt(2) * np.log(2), rel=RTOL),
    ]


def test_pow_gradient_for_the_exponent_at_a_zero_base_and_a_fraction():
    # 0^0.5 = 0: df/dy is 0 there (the limit of x^y log x); df/dx would be infinite, so only y needs grad.
    yt = Tensor(np.array([0.5, 1.0]), requires_grad=True)
    (Tensor(np.array([0.0, 3.0])) ** yt).sum().backward()
    assert yt.grad.numpy().tolist() == [0.0, pytest.approx(3 * np.log(3), rel=RTOL)]


def test_pow_at_zero_to_the_zero_keeps_float32():
    gx, gy = pow_gradients([0.0, 2.0], [0.0, 1.0], np.float32)
    assert gx.dtype == gy.dtype == np.float32
    assert gx.numpy().tolist() == [0.0, 1.0]
    assert gy.numpy().tolist() == [0.0, pytest.approx(2 * np.log(2), rel=1e-6)]


def test_pow_second_derivatives_at_a_zero_base_are_the_formulas():
    # f = x^y. Where x = 0 and y = 0 every derivative is 0 (x^0 = 1 is flat, and so is 0^y for y >= 0).
    # Where y = 0 and x = 2: f_xx = 0, f_yy = log(x)^2, f_xy = 1/x (the true value; PyTorch's is 0).
    # Where x = 0 and y = 3: f_xx = y (y-1) x^(y-2) = 0, f_xy = x^(y-1) (1 + y log x) = 0 (its limit), f_yy = 0.
    xt = Tensor(np.array([0.0, 2.0, 0.0]), requires_grad=True)
    yt = Tensor(np.array([0.0, 0.0, 3.0]), requires_grad=True)
    gx, gy = mg.grad((xt**yt).sum(), (xt, yt), create_graph=True)
    gxx, gxy = mg.grad(gx.sum(), (xt, yt))
    gyx, gyy = mg.grad(gy.sum(), (xt, yt))
    assert gxx.numpy().tolist() == [0.0, 0.0, 0.0]
    assert gxy.numpy().tolist() == [0.0, 0.5, 0.0]
    assert gyx.numpy().tolist() == [0.0, 0.5, 0.0]
    assert gyy.numpy().tolist() == [0.0, pytest.approx(np.log(2) ** 2, rel=RTOL), 0.0]


# --- the refusals, whole -------------------------------------------------------------------------


@pytest.mark.parametrize(("x_shape", "y_shape"), [((), (2,)), ((2,), ()), ((), ())])
def test_matmul_of_a_zero_dimensional_tensor_is_refused_with_the_remedy(x_shape, y_shape):
    with pytest.raises(ValueError) as error:
        Tensor(np.ones(x_shape)) @ Tensor(np.ones(y_shape))
    assert str(error.value) == (
        f"MatMul: cannot apply to shapes {x_shape} and {y_shape}: "
        "matmul needs at least one dimension on each side; use * for scalars"
    )


@pytest.mark.parametrize(("x_shape", "w_shape"), [((), (2, 1)), ((1,), (1,)), ((2,), (1, 1, 2))])
def test_linear_refuses_a_zero_dimensional_input_or_a_weight_that_is_not_2d(x_shape, w_shape):
    with pytest.raises(ValueError) as error:
        F.linear(Tensor(np.ones(x_shape)), Tensor(np.ones(w_shape)))
    assert str(error.value) == (
        f"Linear: cannot apply to shapes {x_shape} and {w_shape}: "
        "linear needs an input of at least one dimension and a 2-D weight"
    )


def test_clip_without_bounds_is_refused_with_the_whole_message():
    with pytest.raises(ValueError) as error:
        Tensor([1.0]).clip()
    assert str(error.value) == "Clip: cannot apply to shapes (1,): clip needs at least one of min and max"


# --- dtype casts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), [(np.float64, np.float32), (np.float32, np.float64)])
def test_a_cast_gives_the_dtype_asked_for_and_its_gradient_in_the_inputs(source, target):
    x = Tensor(np.array([1.5, -2.0], source), requires_grad=True)
    y = x.to(target)
    assert y.dtype == target
    (y * Tensor(np.array([3.0, 0.5], target))).sum().backward()
    assert x.grad.dtype == source
    assert x.grad.numpy().tolist() == [3.0, 0.5]
