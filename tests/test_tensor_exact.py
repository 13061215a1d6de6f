"""The Tensor's methods, each pinned exactly: values against NumPy's reference, defaults, shapes,
and refusals compared with their whole message (written against the mutants that survived the
rest of the Tensor tests; docs/mutation.md)."""

import re

import numpy as np
import pytest

from minigrad import Tensor, from_numpy, no_grad

X = np.array([[1.0, 3.0, 4.0, 9.0], [2.0, 7.0, 5.0, 0.5], [6.0, 1.5, 8.0, 2.0]])


def refusal(error, text):
    """pytest.raises for exactly the message ``text``."""
    return pytest.raises(error, match="^" + re.escape(text) + "$")


# --- var and std --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "axis", "ddof", "keepdims"),
    [
        ((), {}, None, 1, False),
        ((1,), {}, 1, 1, False),
        ((0,), {"keepdim": True}, 0, 1, True),
        ((), {"dim": -1, "unbiased": False}, 1, 0, False),
        ((1, False, True), {}, 1, 0, True),
        ((), {"axis": 1, "keepdims": True}, 1, 1, True),
        ((), {"axis": 0}, 0, 1, False),
        ((), {"dim": (0, 1), "correction": 0}, (0, 1), 0, False),
        ((), {"dim": 1, "correction": 0.5}, 1, 0.5, False),
        ((), {"dim": 0, "correction": 2, "keepdim": True}, 0, 2, True),
        ((), {"unbiased": False}, None, 0, False),
    ],
)
def test_var_and_std_match_numpy_with_bessels_correction_by_default(args, kwargs, axis, ddof, keepdims):
    x = Tensor(X)
    expected = np.var(X, axis=axis, ddof=ddof, keepdims=keepdims)
    np.testing.assert_allclose(x.var(*args, **kwargs).numpy(), expected, rtol=1e-14)
    np.testing.assert_allclose(x.std(*args, **kwargs).numpy(), np.sqrt(expected), rtol=1e-14)
    assert x.var(*args, **kwargs).shape == expected.shape == x.std(*args, **kwargs).shape


def test_var_of_fewer_elements_than_the_correction_is_nan_or_inf_as_pytorch():
    with np.errstate(divide="ignore", invalid="ignore"):
        assert np.isnan(Tensor([5.0]).var().item())
        assert Tensor([1.0, 2.0]).var(correction=2).item() == np.inf


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x: x.var(dim=1.5), TypeError, None),
        (
            lambda x: Tensor([1, 2], dtype=np.int64).var(),
            TypeError,
            "var: needs a float tensor, got int64; use .float() or .double() first",
        ),
        (lambda x: x.var(unbiased=1), TypeError, "var: unbiased must be a bool, got 1"),
        (lambda x: x.var(correction=True), TypeError, "var: correction must be a number >= 0, got True"),
        (lambda x: x.var(correction="1"), TypeError, "var: correction must be a number >= 0, got '1'"),
        (lambda x: x.var(correction=-0.5), TypeError, "var: correction must be a number >= 0, got -0.5"),
        (lambda x: x.std(dim=1.5), TypeError, None),
    ],
)
def test_var_and_std_refuse_a_bad_argument_by_name(call, error, message):
    with pytest.raises(error) as caught:
        call(Tensor(X))
    if message is None:
        assert str(caught.value).startswith(("var: ", "std: "))
    else:
        assert str(caught.value) == message


# --- argmax, argmin, all, any -------------------------------------------------------------------


def test_argmax_and_argmin_keep_dims_and_default_to_not_keeping_them():
    x = Tensor(X)
    assert x.argmax(keepdim=True).shape == (1, 1) and x.argmax(keepdim=True).item() == 3
    assert x.argmin(keepdim=True).shape == (1, 1) and x.argmin(keepdim=True).item() == 7
    assert x.argmin(dim=1).tolist() == [0, 3, 1] and x.argmin(1, True).shape == (3, 1)
    assert x.argmax(dim=0).dtype == np.int64 and x.argmax().dtype == np.int64


def test_argmax_of_a_0d_tensor_along_its_one_dim_is_0():
    assert Tensor(5.0).argmax(dim=0).item() == 0 and Tensor(5.0).argmin(dim=-1).item() == 0


def test_argmax_refuses_a_dim_out_of_range_by_name():
    with refusal(IndexError, "argmax: dim -2 is out of range for a tensor of 1 dims"):
        Tensor([1.0, 3.0, 2.0]).argmax(dim=-2)
    with refusal(IndexError, "argmin: dim 1 is out of range for a tensor of 0 dims"):
        Tensor(1.0).argmin(dim=1)
    with pytest.raises(TypeError, match="^argmax: "):
        Tensor(X).argmax(dim=1.5)


def test_all_and_any_reduce_a_dim_keeping_it_when_asked():
    b = Tensor(np.array([[True, False], [True, True]]))
    assert b.all(dim=1).tolist() == [False, True] and b.all(dim=1, keepdim=True).shape == (2, 1)
    assert b.any(dim=0).tolist() == [True, True] and b.any(dim=0).shape == (2,)
    assert b.any(dim=0, keepdim=True).shape == (1, 2)
    for call in ("all", "any"):
        with pytest.raises(TypeError, match=f"^{call}: "):
            getattr(b, call)(dim=1.5)


# --- size, len, bool, repr, __array__ -----------------------------------------------------------


def test_size_gives_an_axis_length_and_refuses_a_dim_out_of_range_by_name():
    x = Tensor(np.zeros((2, 3)))
    assert (x.size(), x.size(0), x.size(-2), x.size(np.int64(1))) == ((2, 3), 2, 2, 3)
    with refusal(IndexError, "size: dim must be an int in [-2, 1], got 2"):
        x.size(2)
    with refusal(IndexError, "size: dim must be an int in [-2, 1], got -3"):
        x.size(-3)
    with refusal(IndexError, "size: dim must be an int in [-2, 1], got True"):
        x.size(True)
    with refusal(IndexError, "size: dim must be an int in [-1, 0], got 1"):
        Tensor([1.0]).size(1)
    with refusal(IndexError, "size: a 0-d tensor has no dims, got 0"):
        Tensor(1.0).size(0)


def test_len_is_the_first_axis_and_a_0d_tensor_has_none():
    assert len(Tensor([7.0])) == 1 and len(Tensor(np.zeros((3, 2)))) == 3
    with refusal(TypeError, "len() of a 0-d tensor"):
        len(Tensor(1.0))


def test_the_truth_value_of_several_elements_is_refused_with_the_shape():
    with refusal(ValueError, "the truth value of a tensor of shape (2,) is ambiguous"):
        bool(Tensor([1.0, 2.0]))


def test_repr_summarises_above_20_elements_and_aligns_rows_under_the_first():
    assert repr(Tensor(np.arange(20.0))).count("...") == 0
    assert repr(Tensor(np.arange(21.0))) == "Tensor([ 0.  1.  2. ... 18. 19. 20.])"
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    (x * x).sum().backward()
    assert repr(x) == (
        "Tensor([[0. 1. 2.]\n        [3. 4. 5.]], requires_grad=True, grad=[[ 0.  2.  4.]\n      [ 6.  8. 10.]])"
    )
    y = Tensor(np.arange(21.0), requires_grad=True)
    y.sum().backward()
    assert repr(y).endswith("grad=[1. 1. 1. ... 1. 1. 1.])")


def test_numpy_asarray_with_a_dtype_converts():
    assert np.asarray(Tensor([1.5, 2.5]), dtype=np.float32).dtype == np.float32
    assert np.asarray(Tensor([1, 2]), dtype=np.int32).dtype == np.int32


# --- autograd methods ---------------------------------------------------------------------------


def test_backward_passes_retain_graph_and_create_graph_on():
    x = Tensor([2.0], requires_grad=True)
    y = (x * x * x).sum()
    y.backward(retain_graph=True)
    y.backward()  # the graph was kept for a second pass
    assert x.grad.tolist() == [24.0]
    x.grad = None
    (x * x * x).sum().backward(None, False, True)
    assert x.grad.requires_grad and x.grad.tolist() == [12.0]


def test_a_removed_hook_is_not_called():
    x = Tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.tolist()))
    handle.remove()
    handle.remove()  # a second remove does nothing
    (x * 2.0).sum().backward()
    assert seen == [] and x.grad.tolist() == [2.0, 2.0]


def test_retain_grad_keeps_a_non_leafs_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    y.retain_grad()
    (y * y).sum().backward()
    assert y.grad.tolist() == [6.0, 12.0]


def test_a_non_leaf_keeps_no_gradient_unless_asked_as_pytorch():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    z = y.exp()
    s = z.sum()
    s.backward()
    assert x.grad is not None
    assert y.grad is None and z.grad is None and s.grad is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: t.register_hook(print), "register_hook: the tensor does not require grad"),
        (lambda t: t.retain_grad(), "retain_grad: the tensor does not require grad"),
        (
            lambda t: (Tensor([1.0], requires_grad=True) * 2).requires_grad_(False),
            "requires_grad_: only a leaf's requires_grad can be set; use detach()",
        ),
    ],
)
def test_autograd_methods_refuse_by_name(call, message):
    with refusal(RuntimeError, message):
        call(Tensor([1.0]))


# --- in-place writes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("__setitem__", lambda t: t.__setitem__(0, 5.0)),
        ("fill_", lambda t: t.fill_(5.0)),
        ("copy_", lambda t: t.copy_(Tensor([5.0, 5.0]))),
        ("mul_", lambda t: t.mul_(2.0)),
        ("div_", lambda t: t.div_(2.0)),
    ],
)
def test_an_in_place_write_to_a_tensor_that_requires_grad_is_refused_naming_the_method(name, call):
    message = (
        f"{name}: a tensor that requires grad cannot be changed in place while the graph is being recorded; "
        "wrap the update in `with minigrad.no_grad():`"
    )
    with refusal(RuntimeError, message):
        call(Tensor([1.0, 2.0], requires_grad=True))


def test_an_in_place_write_through_a_view_is_refused_with_the_whole_message():
    view = from_numpy(np.zeros((2, 2))[0])
    with refusal(
        RuntimeError,
        "fill_: this tensor of shape (2,) is a view into another array (the output of reshape, indexing or "
        "transpose, or from_numpy of a view); a change through it would not count as a change of the tensor "
        "it views, whose graph could then give a wrong gradient; change a copy instead (Tensor(x.numpy()))",
    ):
        view.fill_(1.0)


def test_div_and_mul_in_place_change_the_values_and_count_a_version():
    x = Tensor([3.0, 6.0])
    assert x.div_(Tensor([2.0, 4.0])) is x and x.tolist() == [1.5, 1.5]
    x /= 3.0
    x *= Tensor([4.0, 2.0])
    assert x.tolist() == [2.0, 1.0]
    w = Tensor([3.0], requires_grad=True)
    with no_grad():
        w.div_(2.0)
    assert w.tolist() == [1.5]


def test_from_numpy_refuses_another_dtype_with_the_whole_message():
    with refusal(
        TypeError,
        "from_numpy: cannot share an array of dtype float16; a tensor holds float64, float32, int64, int32 or "
        "bool (Tensor(array) converts a copy)",
    ):
        from_numpy(np.zeros(2, dtype=np.float16))


# --- numbers, dtypes and devices ----------------------------------------------------------------


def test_int_and_index_refuse_several_elements_naming_the_call():
    with refusal(ValueError, "int(): only a one-element tensor converts to a number, this one has shape (2,)"):
        int(Tensor([1, 2]))
    with refusal(ValueError, "index: only a one-element tensor converts to a number, this one has shape (2,)"):
        [1, 2, 3][Tensor([1, 2], dtype=np.int64)]
    assert [1, 2, 3][Tensor(2, dtype=np.int64)] == 3 and int(Tensor([2.7])) == 2


def test_to_refuses_another_device_and_dtype_naming_the_choices():
    x = Tensor([1.0])
    for device in ("cuda", "cuda:0", "mps"):
        with refusal(TypeError, f"to: minigrad runs on the CPU only (NumPy), got device {device!r}"):
            x.to(device)
    with refusal(TypeError, "to: dtype must be one of float64, float32, int64, int32, bool, got float16"):
        x.to(np.float16)
    assert x.type(np.float32).dtype == np.float32 and x.type(np.int32).dtype == np.int32


# --- activations and math ------------------------------------------------------------------------


def test_softplus_is_linear_above_its_threshold_20_by_default_as_pytorch():
    assert Tensor([20.5]).softplus().item() == 20.5
    assert Tensor([6.0]).softplus(threshold=5.0).item() == 6.0
    assert Tensor([4.0]).softplus(threshold=5.0).item() == pytest.approx(np.log1p(np.exp(4.0)), rel=1e-15)


def test_log_softmax_along_a_numpy_axis():
    np.testing.assert_allclose(
        Tensor(X).log_softmax(axis=0).numpy(), X - np.log(np.exp(X).sum(axis=0, keepdims=True)), rtol=1e-12, atol=1e-15
    )


def test_prelu_scales_the_negative_part_by_its_weight():
    x = Tensor([-2.0, 3.0], requires_grad=True)
    w = Tensor([0.25], requires_grad=True)
    y = x.prelu(w)
    y.sum().backward()
    assert y.tolist() == [-0.5, 3.0] and x.grad.tolist() == [0.25, 1.0] and w.grad.tolist() == [-2.0]


def test_log10():
    np.testing.assert_allclose(Tensor([100.0, 0.1]).log10().numpy(), [2.0, -1.0], rtol=1e-15)


@pytest.mark.parametrize(
    ("symbol", "call"),
    [("|", lambda t: t | 1), ("^", lambda t: t ^ 1), ("~", lambda t: ~t), ("&", lambda t: t & 1)],
)
def test_bitwise_ops_refuse_a_float_tensor_naming_the_operator(symbol, call):
    with refusal(TypeError, f"{symbol}: needs bool or int tensors (as PyTorch), got float64"):
        call(Tensor([1.0]))


def test_bitwise_not_of_bool_and_int():
    assert (~Tensor([True, False], dtype=bool)).tolist() == [False, True] and (
        ~Tensor([0, 5], dtype=np.int64)
    ).tolist() == [-1, -6]


def test_subtraction_with_a_bool_tensor_is_refused_as_pytorch_with_the_remedy():
    mask = Tensor([True, False], dtype=bool)
    for call in (lambda: mask - 1, lambda: 1 - mask, lambda: Tensor([1.0, 2.0]) - mask):
        with refusal(
            TypeError, "-: subtraction with a bool tensor is not supported (as PyTorch); use ~ to invert a mask"
        ):
            call()


def test_a_python_bool_keeps_a_bool_tensor_bool_as_pytorch():
    mask = Tensor([True, False], dtype=bool)
    assert (mask + True).dtype == np.bool_ and (mask + True).tolist() == [True, True]
    assert (True * mask).dtype == np.bool_ and (mask * True).tolist() == [True, False]
    assert (mask + 1).dtype == np.int64 and (mask + 1).tolist() == [2, 1]


def test_a_numpy_integer_keeps_an_int_tensor_int_as_a_python_int_does():
    x = Tensor([1, 2], dtype=np.int64)
    for c in (2, np.int64(2), np.int32(2)):
        assert (x + c).dtype == np.int64 and (x + c).tolist() == [3, 4] and (x * c).tolist() == [2, 4]
    assert (x + np.float64(0.5)).dtype == np.float64 and (x + np.float64(0.5)).tolist() == [1.5, 2.5]


# --- 0-d results ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda x: x.sum(),
        lambda x: x.mean(),
        lambda x: x.max(),
        lambda x: (x * x).sum(),
        lambda x: x.sum() * 2,
        lambda x: x.sum().exp(),
    ],
)
def test_a_0d_result_holds_a_0d_array_that_numpy_shares_as_pytorch(make):
    """NumPy gives a scalar, not a 0-d array, for a full reduction or an op on 0-d arrays; a Tensor
    holds the array, so that ``numpy()`` shares it (as PyTorch's) and an in-place op can change it."""
    y = make(Tensor([1.0, 2.0]))
    a = y.numpy()
    assert type(a) is np.ndarray and a.shape == () and a.dtype == np.float64
    a[...] = 7.0
    assert y.item() == 7.0
    y.add_(1.0)
    assert a.item() == 8.0


def test_a_tensor_keeps_the_name_given_and_an_ops_result_has_none():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    assert x.name == "x"
    assert Tensor([1.0]).name is None
    assert (x * 2).name is None and x.sum().name is None and x.detach().name is None
