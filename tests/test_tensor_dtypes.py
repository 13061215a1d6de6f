"""Integer and bool tensors beside the float ones: they never require grad and have no grad_fn;
ops between dtypes promote as PyTorch's do; comparisons give bool tensors that still work as
NumPy masks; .long()/.int()/.float()/.double()/.bool(); class labels as int64 tensors in the
losses. Each rule is checked against torch where it is installed."""

import numpy as np
import pytest
from helpers import check_grad, check_gradgrad
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import minigrad as mg
import minigrad.functional as F
from minigrad import Tensor

INTS = st.integers(-5, 5)


def test_tensor_infers_int64_bool_and_the_default_float_as_torch_tensor():
    assert mg.tensor([1, 2]).dtype == np.int64
    assert mg.tensor([True, False]).dtype == np.bool_
    assert mg.tensor([0.5]).dtype == np.float64
    assert mg.tensor(np.ones(2, np.float32)).dtype == np.float32
    assert Tensor([1, 2]).dtype == np.float64  # the class makes floats, as torch.Tensor(data)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_a_tensor_of_int_or_bool_dtype_cannot_require_grad_naming_the_dtype(dtype):
    message = f"only Tensors of floating point dtype can require gradients, this one is {np.dtype(dtype)}"
    with pytest.raises(RuntimeError, match=message):
        Tensor([1, 0], dtype=dtype, requires_grad=True)
    x = mg.tensor([1, 0], dtype=dtype)
    with pytest.raises(RuntimeError, match=message):
        x.requires_grad_()
    assert not x.requires_grad  # the refusal changed nothing


def test_int_and_bool_results_have_no_graph_even_from_a_tensor_that_requires_grad():
    x = Tensor([[0.5, -1.0], [2.0, 1.0]], requires_grad=True)
    for result in (x > 0, x == 1.0, x.argmax(dim=1), x.max(dim=1).indices, x.long(), x.int(), x.bool()):
        assert result.grad_fn is None and not result.requires_grad and result.dtype.kind in "biu"


# --- promotion, as PyTorch: an int or bool tensor meeting a float one takes its dtype ------------

OPERATORS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}


@pytest.mark.parametrize("op", OPERATORS)
@pytest.mark.parametrize("float_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("int_dtype", [np.int64, np.int32, np.bool_])
def test_an_int_or_bool_tensor_with_a_float_tensor_gives_the_float_dtype(op, float_dtype, int_dtype):
    labels = mg.tensor([1, 1, 1], dtype=int_dtype)
    x = Tensor([0.5, 1.5, 2.5], dtype=float_dtype, requires_grad=True)
    if op == "sub" and int_dtype is np.bool_:  # refused, as PyTorch refuses it
        with pytest.raises(TypeError, match="subtraction with a bool tensor"):
            x - labels
        return
    for out in (OPERATORS[op](labels, x), OPERATORS[op](x, labels)):
        assert out.dtype == float_dtype
    out.sum().backward()
    assert x.grad.dtype == float_dtype


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: mg.tensor([1, 2]) + 1, np.int64),
        (lambda: mg.tensor([1, 2]) * 2, np.int64),
        (lambda: mg.tensor([1, 2]) + 0.5, np.float64),
        (lambda: mg.tensor([1, 2]) / 2, np.float64),
        (lambda: 2.5 ** mg.tensor([1, 2]), np.float64),
        (lambda: mg.tensor([1, 2], dtype=mg.int32) + mg.tensor([1, 2]), np.int64),
        (lambda: mg.tensor([True]) + mg.tensor([2]), np.int64),
        (lambda: Tensor([1.0], dtype=np.float32) + 2.5, np.float32),
        (lambda: Tensor([1.0], dtype=np.float32) + np.float64(2.5), np.float32),
        (lambda: mg.tensor([1, 2]).sum(), np.int64),
        (lambda: mg.tensor([True, True]).sum(), np.int64),
    ],
)
def test_python_numbers_promote_weakly_as_in_pytorch(make, expected):
    assert make().dtype == expected


@given(arrays(np.float64, 3, elements=st.floats(-3, 3)), arrays(np.int64, 3, elements=st.integers(1, 4)))
def test_gradients_through_ops_with_an_int_tensor_match_finite_differences(x, labels):
    ints = mg.tensor(labels)

    def f(t):
        return (t * ints + ints / (t * t + 1) - ints) ** 2 + 2 ** (ints * 0.5) * t

    check_grad(f, x)
    check_gradgrad(f, x)


def test_a_python_float_with_an_int_tensor_is_not_truncated():
    np.testing.assert_array_equal(2.5 ** mg.tensor([1, 2]), [2.5, 6.25])
    np.testing.assert_array_equal(mg.tensor([1, 2]) + 0.5, [1.5, 2.5])


def test_mean_of_an_int_tensor_is_refused_as_in_pytorch():
    with pytest.raises(TypeError, match="mean: needs a float tensor, got int64"):
        mg.tensor([1, 2]).mean()
    assert mg.tensor([1, 2]).float().mean().item() == 1.5


# --- comparisons and masks --------------------------------------------------------------------


def test_a_bool_tensor_works_as_a_numpy_mask_and_as_an_index():
    x = Tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    mask = x > 0
    np.testing.assert_array_equal(np.asarray(mask), [False, True, False, True])
    np.testing.assert_array_equal(mask.numpy(), [False, True, False, True])
    np.testing.assert_array_equal(x.numpy()[np.asarray(mask)], [2.0, 4.0])
    picked = x[mask]
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0, 1.0])


def test_an_int64_tensor_indexes_and_sets_as_an_integer_array():
    x = Tensor([10.0, 20.0, 30.0])
    index = mg.tensor([2, 0])
    np.testing.assert_array_equal(x[index], [30.0, 10.0])
    x[index] = 0.0
    np.testing.assert_array_equal(x, [0.0, 20.0, 0.0])


def test_where_takes_a_bool_tensor_condition():
    a = Tensor([-1.0, 2.0], requires_grad=True)
    out = mg.where(a > 0, a, 0.0)
    out.sum().backward()
    np.testing.assert_array_equal(out, [0.0, 2.0])
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 1.0])


def test_logical_operators_combine_masks_and_refuse_floats():
    x = Tensor([-1.0, 0.5, 2.0])
    np.testing.assert_array_equal((x > 0) & (x < 1), [False, True, False])
    np.testing.assert_array_equal((x < 0) | (x > 1), [True, False, True])
    np.testing.assert_array_equal(~(x > 0), [True, False, False])
    with pytest.raises(TypeError, match="&: needs bool or int tensors .*got float64"):
        x & x


def test_accuracy_as_a_pytorch_script_writes_it():
    logits = Tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    labels = mg.tensor([1, 0, 0])
    correct = (logits.argmax(dim=1) == labels).sum().item()
    assert correct == 2 and isinstance(correct, int)
    assert (logits.argmax(dim=1) == labels).float().mean().item() == pytest.approx(2 / 3)


# --- conversions ------------------------------------------------------------------------------


def test_conversions_truncate_toward_zero_and_round_trip():
    x = Tensor([-1.7, -0.2, 0.0, 2.9])
    np.testing.assert_array_equal(x.long(), [-1, 0, 0, 2])
    assert x.long().dtype == np.int64 and x.int().dtype == np.int32
    np.testing.assert_array_equal(x.bool(), [True, True, False, True])
    assert mg.tensor([1, 2]).float().dtype == np.float32 and mg.tensor([1, 2]).double().dtype == np.float64
    assert x.to(mg.long).dtype == np.int64


def test_a_float_tensor_made_from_an_int_one_can_require_grad():
    x = mg.tensor([1, 2]).double().requires_grad_()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_int64_tensor_labels_are_accepted_by_the_class_index_losses():
    logits = Tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]], requires_grad=True)
    labels = mg.tensor([0, 1])
    loss = F.cross_entropy(logits, labels)
    assert loss.item() == pytest.approx(F.cross_entropy(logits, np.array([0, 1])).item())
    assert F.nll_loss(logits.log_softmax(dim=1), labels).item() == pytest.approx(loss.item())


# --- against torch ----------------------------------------------------------------------------


def _torch_dtype_name(t):
    return str(t.dtype).removeprefix("torch.")


NAMES = {"int64": "int64", "int32": "int32", "bool": "bool", "float32": "float32", "float64": "float64"}


@given(
    arrays(np.int64, st.integers(1, 4), elements=INTS),
    st.sampled_from(["int64", "int32", "bool", "float32", "float64"]),
    st.sampled_from(["int64", "int32", "bool", "float32", "float64"]),
    st.sampled_from(["add", "mul", "sub", "div", "lt", "eq"]),
)
def test_binary_ops_between_dtypes_match_torch(values, left, right, op):
    torch = pytest.importorskip("torch")
    ops = {**OPERATORS, "lt": lambda a, b: a < b, "eq": lambda a, b: a == b}
    a_np, b_np = values.astype(left), (np.abs(values[::-1]) + 1).astype(right)  # b never 0
    if op == "sub" and "bool" in (left, right):  # both refuse a subtraction with a bool tensor
        with pytest.raises(
            RuntimeError, match="Subtraction, the `-` operator, with (a bool tensor|two bool tensors) is not supported"
        ):
            ops[op](torch.tensor(a_np), torch.tensor(b_np))
        with pytest.raises(TypeError, match="-: subtraction with a bool tensor is not supported"):
            ops[op](mg.tensor(a_np), mg.tensor(b_np))
        return
    ours = ops[op](mg.tensor(a_np), mg.tensor(b_np))
    theirs = ops[op](torch.tensor(a_np), torch.tensor(b_np))
    # NOTE: torch's default float is float32 where ours is float64: int / int is the one case here.
    expected = _torch_dtype_name(theirs)
    if op == "div" and left in ("int64", "int32", "bool") and right in ("int64", "int32", "bool"):
        expected = "float64"
    assert str(ours.dtype) == expected
    np.testing.assert_allclose(np.asarray(ours, dtype=np.float64), theirs.double().numpy(), rtol=1e-6)


@pytest.mark.parametrize("number", [2, 2.5, True])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "float32", "float64"])
def test_tensor_and_python_number_dtypes_match_torch(dtype, number):
    torch = pytest.importorskip("torch")
    if dtype == "bool" and number is True:
        return
    values = np.array([1, 0, 3]).astype(dtype)
    for op in (lambda a: a + number, lambda a: number * a, lambda a: a > number):
        theirs = op(torch.tensor(values))
        expected = _torch_dtype_name(theirs)
        expected = "float64" if expected == "float32" and dtype != "float32" else expected  # default float
        assert str(op(mg.tensor(values)).dtype) == expected


def test_requires_grad_on_an_int_tensor_is_refused_as_torch_refuses_it():
    torch = pytest.importorskip("torch")
    message = "(?i)only Tensors of floating point .*dtype can require gradients"
    with pytest.raises(RuntimeError, match=message):
        torch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match=message):
        mg.tensor([1, 2], requires_grad=True)


def test_a_one_element_tensor_converts_to_python_numbers_and_formats():
    assert int(mg.tensor(3)) == 3 and [10, 20, 30][mg.tensor(1)] == 20
    assert f"{Tensor(1.5):.2f}" == "1.50" and f"{Tensor(1.5)}" == "Tensor(1.5)"
    with pytest.raises(TypeError, match="only an integer tensor of one element can be an index, got float64"):
        [1, 2][Tensor(1.0)]
    with pytest.raises(
        ValueError, match=r"format: only a one-element tensor converts to a number, this one has shape \(2,\)"
    ):
        f"{Tensor([1.0, 2.0]):.2f}"


def test_to_cpu_is_the_tensor_and_any_other_device_is_refused():
    x = Tensor([1.0])
    assert x.to("cpu") is x
    with pytest.raises(TypeError, match="to: minigrad runs on the CPU only .*'cuda:0'"):
        x.to("cuda:0")


def test_numel_and_dim_are_torchs_names_for_size_and_ndim():
    x = Tensor(np.zeros((2, 3)))
    assert x.numel() == 6 == x.nelement() and x.size() == (2, 3) and x.size(-1) == 3 and x.dim() == 2 == x.ndim


def test_an_array_on_the_left_of_an_operator_is_lifted_and_promoted():
    x = Tensor([1.0, 2.0], requires_grad=True)
    left = np.array([4.0, 6.0])
    out = (left + x) * (left - x) / (left / x)
    np.testing.assert_allclose(out, (left + x.numpy()) * (left - x.numpy()) / (left / x.numpy()))
    assert (np.array([1, 2]) + Tensor([1.0], dtype=np.float32)).dtype == np.float64  # the array is float64
    with pytest.raises(TypeError, match="subtraction with a bool tensor"):
        np.array([1.0]) - mg.tensor([True])
    np.testing.assert_array_equal(mg.tensor([True, False]) ^ mg.tensor([True, True]), [False, True])
