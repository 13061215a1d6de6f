"""The idioms of tutorial-style PyTorch code (issue 23), each as PyTorch: std/var with Bessel's
correction and dim/keepdim, log10, view, an embedding by integer-tensor indexing (C[Xb]) and
logits[arange(n), Y], each against central differences (first and second order, float64) and
against torch where it is installed; size() as PyTorch's method, tolist, in-place operators,
F.one_hot, Generator, randint, randperm, multinomial, linspace."""

import numpy as np
import pytest
from helpers import check_against_torch, check_grad, check_gradgrad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import Tensor

finite = st.floats(-3, 3, allow_nan=False, width=64)


@st.composite
def array_dim_keepdim(draw):
    """An array of 1 to 3 dims with at least 2 elements along the reduced dim(s), a dim (an int,
    a tuple or None) and keepdim."""
    shape = draw(array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    x = draw(arrays(np.float64, shape, elements=finite))
    dim = draw(st.none() | st.integers(-len(shape), len(shape) - 1) | st.just(tuple(range(len(shape)))))
    return x, dim, draw(st.booleans())


@settings(deadline=None, max_examples=40)
@given(array_dim_keepdim(), st.sampled_from([0, 1, 2]))
def test_var_is_the_sum_of_squared_deviations_over_n_minus_the_correction(case, correction):
    x, dim, keepdim = case
    axis = None if dim is None else dim
    n = x.size if dim is None else int(np.prod(np.array(x.shape)[np.atleast_1d(dim)]))
    if n - correction <= 0:
        return
    got = Tensor(x).var(dim, keepdim=keepdim, correction=correction)
    expected = np.var(x, axis=axis, keepdims=keepdim, ddof=correction)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        Tensor(x).std(dim, keepdim=keepdim, correction=correction).numpy(), np.sqrt(expected), rtol=1e-10, atol=1e-12
    )


def test_std_and_var_default_to_bessels_correction_as_pytorch_not_numpys_zero():
    x = Tensor([1.0, 2.0, 3.0, 4.0])
    assert x.var().item() == pytest.approx(np.var(x.numpy(), ddof=1))
    assert x.std(unbiased=False).item() == pytest.approx(np.std(x.numpy()))
    assert x.std(0, True).item() == x.std().item() and x.std(0, False).item() == x.std(correction=0).item()


@settings(deadline=None, max_examples=25)
@given(array_dim_keepdim())
def test_var_and_std_gradients_match_central_differences(case):
    x, dim, keepdim = case
    # NOTE: away from a zero spread, where std' blows up: any two elements now differ by 1 or more
    x = x + (2 * np.abs(x).max() + 1) * np.arange(x.size).reshape(x.shape)
    check_grad(lambda t: t.var(dim, keepdim=keepdim), x)
    check_grad(lambda t: t.std(dim, keepdim=keepdim), x, atol=1e-5, rtol=1e-4)


@settings(deadline=None, max_examples=10)
@given(array_dim_keepdim())
def test_var_and_std_second_derivatives_match_central_differences(case):
    x, dim, keepdim = case
    x = x + np.linspace(0, 1, x.size).reshape(x.shape)
    check_gradgrad(lambda t: t.var(dim, keepdim=keepdim), x)
    check_gradgrad(lambda t: t.std(dim, keepdim=keepdim), x, atol=1e-4, rtol=1e-3)


def test_var_refuses_an_int_tensor_and_a_bad_correction():
    with pytest.raises(TypeError, match="var: needs a float tensor, got int64"):
        mg.tensor([1, 2]).var()
    with pytest.raises(TypeError, match="var: correction must be a number >= 0, got -1"):
        Tensor([1.0, 2.0]).var(correction=-1)
    with pytest.raises(TypeError, match="var: unbiased must be a bool, got 2"):
        Tensor([1.0, 2.0]).std(0, 2)


@settings(deadline=None, max_examples=25)
@given(arrays(np.float64, array_shapes(max_dims=2), elements=st.floats(0.1, 10)))
def test_log10_and_its_derivatives_match_central_differences(x):
    np.testing.assert_allclose(Tensor(x).log10().numpy(), np.log10(x), rtol=1e-14)
    check_grad(lambda t: t.log10(), x)
    check_gradgrad(lambda t: t.log10(), x)


@settings(deadline=None, max_examples=25)
@given(
    st.integers(2, 6).flatmap(
        lambda rows: st.tuples(
            arrays(np.float64, (rows, 3), elements=finite),
            arrays(np.int64, array_shapes(min_dims=1, max_dims=3, max_side=4), elements=st.integers(0, rows - 1)),
        )
    )
)
def test_an_embedding_by_an_int_tensor_adds_each_use_into_its_row(case):
    table, indices = case
    C = Tensor(table, requires_grad=True)
    emb = C[mg.tensor(indices)]
    assert emb.shape == indices.shape + (3,)
    np.testing.assert_array_equal(emb.numpy(), table[indices])
    upstream = np.arange(emb.numel(), dtype=np.float64).reshape(emb.shape)
    emb.backward(Tensor(upstream))
    expected = np.zeros_like(table)
    np.add.at(expected, indices, upstream)  # every use of a row adds its gradient there
    np.testing.assert_allclose(C.grad.numpy(), expected)
    check_grad(lambda t: t[mg.tensor(indices)].tanh(), table)
    check_gradgrad(lambda t: t[mg.tensor(indices)].tanh(), table)


def test_logits_indexed_by_arange_and_labels_pick_each_rows_label():
    logits = np.array([[0.1, 2.0, -1.0], [1.5, 0.3, 0.2], [0.0, 0.0, 4.0], [1.0, -2.0, 0.5]])
    Y = mg.tensor([1, 0, 2, 2])
    picked = Tensor(logits)[mg.arange(4), Y]
    np.testing.assert_array_equal(picked.numpy(), logits[np.arange(4), [1, 0, 2, 2]])
    check_grad(lambda t: t.log_softmax(dim=1)[mg.arange(4), Y], logits)
    check_gradgrad(lambda t: t.log_softmax(dim=1)[mg.arange(4), Y], logits)


def test_view_reshapes_and_carries_the_gradient_back():
    x = np.arange(24.0).reshape(2, 3, 4)
    assert Tensor(x).view(2, -1).shape == (2, 12) and Tensor(x).view((4, 6)).shape == (4, 6)
    check_grad(lambda t: t.view(6, 4) * t.view(6, 4), x)
    with pytest.raises(ValueError):
        Tensor(x).view(5, -1)


def test_size_is_pytorchs_method_the_shape_or_one_dim():
    x = Tensor(np.zeros((2, 3, 4)))
    assert x.size() == (2, 3, 4) and x.size(0) == 2 and x.size(-1) == 4 and x.size(dim=1) == 3
    assert isinstance(x.size(), tuple) and x.numel() == x.nelement() == 24
    with pytest.raises(IndexError, match=r"size: dim must be an int in \[-3, 2\], got 3"):
        x.size(3)


def test_tolist_gives_python_numbers_of_the_dtype():
    assert mg.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert Tensor([0.5]).tolist() == [0.5] and mg.tensor(True).tolist() is True


def test_in_place_operators_change_the_tensor_itself_not_a_new_one():
    w = Tensor([1.0, 2.0], requires_grad=True)
    parameters = [w]
    with mg.no_grad():
        for p in parameters:
            p -= 0.5 * Tensor([2.0, 2.0])
            p *= 2
            p /= 4
            p += 1
    assert parameters[0] is w and w.tolist() == [1.0, 1.5] and w.requires_grad


def test_in_place_operators_refuse_what_pytorch_refuses():
    with pytest.raises(RuntimeError, match="add_: a tensor that requires grad cannot be changed in place"):
        w = Tensor([1.0], requires_grad=True)
        w += 1
    with pytest.raises(
        TypeError, match="Cannot cast ufunc 'add' output from dtype\\('float64'\\) to dtype\\('int64'\\)"
    ):
        x = mg.tensor([1, 2])
        x += 0.5
    with pytest.raises(ValueError, match="non-broadcastable output operand with shape \\(3,\\)"):
        y = mg.ones(3)
        y += mg.ones(2, 3)


def test_one_hot_as_pytorch():
    assert F.one_hot(mg.tensor([0, 2]), num_classes=4).tolist() == [[1, 0, 0, 0], [0, 0, 1, 0]]
    out = F.one_hot(mg.tensor([[1], [3]]))
    assert out.shape == (2, 1, 4) and out.dtype == np.int64
    with pytest.raises(ValueError, match="one_hot: class index 3 is out of range for num_classes=3"):
        F.one_hot(mg.tensor([3]), 3)
    with pytest.raises(ValueError, match="one_hot: class indices must be >= 0, got -1"):
        F.one_hot(mg.tensor([-1]))
    with pytest.raises(
        TypeError, match="one_hot: tensor must be an int64 tensor of class indices, got a tensor of float64"
    ):
        F.one_hot(Tensor([1.0]))


def test_a_seeded_generator_repeats_its_draws_and_leaves_the_default_alone():
    g = mg.Generator().manual_seed(7)
    assert isinstance(mg.manual_seed(3), mg.Generator)
    first = (mg.randn(3, generator=g), mg.randint(0, 9, (4,), generator=g), mg.rand(2, generator=g))
    g.manual_seed(7)
    again = (mg.randn(3, generator=g), mg.randint(0, 9, (4,), generator=g), mg.rand(2, generator=g))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    mg.manual_seed(3)
    default_draw = mg.randn(2)
    mg.manual_seed(3)
    mg.randn(5, generator=mg.Generator().manual_seed(1))
    np.testing.assert_array_equal(mg.randn(2).numpy(), default_draw.numpy())
    with pytest.raises(TypeError, match="Generator: minigrad runs on the CPU only, got device='cuda'"):
        mg.Generator("cuda")


def test_randint_randperm_linspace_shapes_dtypes_and_ranges():
    ix = mg.randint(3, 7, (50,), generator=mg.Generator().manual_seed(0))
    assert ix.dtype == np.int64 and ix.shape == (50,) and 3 <= ix.numpy().min() and ix.numpy().max() < 7
    assert mg.randint(5, (2, 3)).shape == (2, 3) and mg.randint(0, 2, (3,), dtype=mg.float64).dtype == np.float64
    assert sorted(mg.randperm(6).tolist()) == list(range(6))
    assert mg.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0] and mg.linspace(0, 1, 3, requires_grad=True).requires_grad
    with pytest.raises(ValueError, match="randint: low must be < high, got low=5, high=5"):
        mg.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="randint: takes \\(high, size\\) or \\(low, high, size\\)"):
        mg.randint(5)


def test_multinomial_draws_in_proportion_to_the_weights():
    g = mg.Generator().manual_seed(0)
    draws = mg.multinomial(Tensor([1.0, 3.0, 0.0]), 4000, replacement=True, generator=g)
    counts = np.bincount(draws.numpy(), minlength=3)
    assert draws.dtype == np.int64 and counts[2] == 0 and abs(counts[1] / 4000 - 0.75) < 0.03
    rows = mg.multinomial(Tensor([[0.0, 1.0], [1.0, 0.0]]), 1, generator=g)
    assert rows.tolist() == [[1], [0]]
    without = mg.multinomial(Tensor([1.0, 1.0, 1.0]), 3, generator=g)
    assert sorted(without.tolist()) == [0, 1, 2]
    with pytest.raises(ValueError, match="multinomial: without replacement, num_samples=3 needs"):
        mg.multinomial(Tensor([1.0, 0.0, 1.0]), 3)
    with pytest.raises(ValueError, match="multinomial: input must hold finite weights >= 0"):
        mg.multinomial(Tensor([-1.0, 2.0]), 1)


def test_against_torch_std_var_log10_size_one_hot_and_the_factories():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=(3, 4)) + 2
    for call in (
        lambda t: t.std(),
        lambda t: t.var(1, keepdim=True),
        lambda t: t.std(0, unbiased=False),
        lambda t: t.var(dim=(0, 1), correction=2),
        lambda t: t.abs().log10(),
        lambda t: t.view(2, -1) * 2,
        lambda t: t[torch.tensor([[0, 2], [1, 1]]) if isinstance(t, torch.Tensor) else mg.tensor([[0, 2], [1, 1]])],
    ):
        check_against_torch(call, x)
    assert tuple(torch.zeros(2, 3).size()) == Tensor(np.zeros((2, 3))).size()
    assert torch.zeros(2, 3).size(-1) == Tensor(np.zeros((2, 3))).size(-1)
    labels = [[0, 3], [2, 1]]
    np.testing.assert_array_equal(
        F.one_hot(mg.tensor(labels)).numpy(), torch.nn.functional.one_hot(torch.tensor(labels)).numpy()
    )
    np.testing.assert_allclose(mg.linspace(-2, 5, 8).numpy(), torch.linspace(-2, 5, 8, dtype=torch.float64).numpy())
    assert str(torch.randint(0, 5, (2,)).dtype).split(".")[1] == str(mg.randint(0, 5, (2,)).dtype)
    g = torch.Generator().manual_seed(0)
    assert (
        torch.multinomial(torch.tensor([[0.5, 0.5]]), 2, generator=g).shape
        == mg.multinomial(Tensor([[0.5, 0.5]]), 2).shape
    )
