"""nn.Embedding and F.embedding: the rows each index picks, the backward rule (the gradient added
into the rows that were read, once per read) against central differences with repeated indices,
the padding row (zero at the start, no gradient), the kinds of indices taken, from_pretrained."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad import Tensor, gradcheck, gradgradcheck, nn
from minigrad import functional as F
from minigrad.testing import tensors


@settings(max_examples=20, deadline=None)
@given(
    data=st.data(),
    rows=st.integers(1, 4),
    dim=st.integers(1, 3),
    index_shape=hnp.array_shapes(min_dims=0, max_dims=2, max_side=4),
)
def test_the_weight_s_gradient_matches_finite_differences_with_repeated_indices(data, rows, dim, index_shape):
    weight = data.draw(tensors(shape=(rows, dim)))
    indices = data.draw(hnp.arrays(np.int64, index_shape, elements=st.integers(0, rows - 1)))
    gradcheck(lambda w: F.embedding(indices, w), (weight,))
    gradgradcheck(lambda w: F.embedding(indices, w), (weight,))


@settings(max_examples=20, deadline=None)
@given(data=st.data(), rows=st.integers(1, 4), index_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=4))
def test_with_padding_the_other_rows_gradients_match_finite_differences_and_the_padding_row_gets_none(
    data, rows, index_shape
):
    # NOTE: the padding row's output does depend on it; PyTorch's rule sends it no gradient by
    # design, so the finite differences are taken over the other rows, with the padding row held.
    others = data.draw(tensors(shape=(rows, 2)))
    padding_idx = data.draw(st.integers(-rows - 1, rows))
    row = padding_idx % (rows + 1)
    indices = data.draw(hnp.arrays(np.int64, index_shape, elements=st.integers(0, rows)))
    held = Tensor(np.full((1, 2), 0.5))

    def lookup(w):
        table = minigrad.concatenate([w[:row], held, w[row:]])
        return F.embedding(indices, table, padding_idx)

    gradcheck(lookup, (others,))
    gradgradcheck(lookup, (others,))
    table = Tensor(np.ones((rows + 1, 2)), requires_grad=True)
    F.embedding(indices, table, padding_idx).sum().backward()
    np.testing.assert_array_equal(table.grad.numpy()[row], 0.0)


def test_each_index_picks_its_row_and_a_row_read_twice_gets_both_gradients():
    weight = Tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    indices = np.array([[3, 1], [3, 3]])
    out = F.embedding(indices, weight)
    np.testing.assert_array_equal(out.numpy(), weight.numpy()[indices])
    upstream = np.random.default_rng(0).normal(size=(2, 2, 3))
    out.backward(upstream)
    expected = np.zeros((4, 3))
    expected[1] = upstream[0, 1]
    expected[3] = upstream[0, 0] + upstream[1, 0] + upstream[1, 1]
    np.testing.assert_allclose(weight.grad.numpy(), expected, rtol=1e-15)


def test_the_padding_row_starts_at_zero_and_gets_no_gradient():
    table = nn.Embedding(5, 2, padding_idx=-2, rng=0)
    assert table.padding_idx == 3
    np.testing.assert_array_equal(table.weight.numpy()[3], 0.0)
    assert np.all(table.weight.numpy()[[0, 1, 2, 4]] != 0)
    table(np.array([3, 3, 0, 3])).sum().backward()
    np.testing.assert_array_equal(table.weight.grad.numpy(), [[1, 1], [0, 0], [0, 0], [0, 0], [0, 0]])


def test_the_weight_is_drawn_from_a_standard_normal_as_pytorch():
    weight = nn.Embedding(1000, 20, rng=0).weight.numpy()
    assert abs(weight.mean()) < 0.02 and abs(weight.std() - 1) < 0.02


@pytest.mark.parametrize(
    "indices",
    [
        np.array([[2, 0]]),
        np.array([[2, 0]], dtype=np.int32),
        minigrad.tensor([[2, 0]]),
        Tensor([[2, 0]], dtype=np.int32),
    ],
    ids=["numpy int64", "numpy int32", "int64 tensor", "int32 tensor"],
)
def test_indices_may_be_integer_tensors_or_integer_numpy_arrays(indices):
    table = nn.Embedding(3, 2, rng=0)
    np.testing.assert_array_equal(table(indices).numpy(), table.weight.numpy()[[[2, 0]]])


def test_a_scalar_index_gives_one_row():
    table = nn.Embedding(3, 2, rng=0)
    np.testing.assert_array_equal(table(np.array(1)).numpy(), table.weight.numpy()[1])


def test_changing_the_index_array_after_the_lookup_does_not_move_the_gradient():
    weight = Tensor(np.ones((3, 2)), requires_grad=True)
    indices = np.array([0, 1])
    out = F.embedding(indices, weight)
    indices[:] = 2
    out.sum().backward()
    np.testing.assert_array_equal(weight.grad.numpy(), [[1, 1], [1, 1], [0, 0]])


def test_from_pretrained_copies_the_table_and_freezes_it_unless_told_not_to():
    table = np.array([[1.0, 2.0], [3.0, 4.0]])
    frozen = nn.Embedding.from_pretrained(table, padding_idx=0)
    table[0, 0] = 99.0
    assert frozen.weight.numpy()[0, 0] == 1.0 and not frozen.weight.requires_grad
    assert frozen.padding_idx == 0 and frozen.weight.numpy()[0, 1] == 2.0  # kept as given, as PyTorch
    assert nn.Embedding.from_pretrained(Tensor(table), freeze=False).weight.requires_grad
