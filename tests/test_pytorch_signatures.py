"""Calls that PyTorch and NumPy spell alike but read differently take PyTorch's reading: transpose
swaps two dims (a matrix's ``transpose(0, 1)`` is its transpose, where NumPy's reading would give it
back unchanged) and permute takes a whole order; add_'s and sub_'s alpha is keyword-only."""

import numpy as np
import pytest

from minigrad import Tensor

A = np.arange(24.0).reshape(2, 3, 4)


@pytest.mark.parametrize(("dim0", "dim1"), [(0, 1), (1, 0), (0, 2), (-1, 0), (1, 1), (-3, -2)])
def test_transpose_swaps_two_dims_and_sends_the_gradient_back(dim0, dim1):
    x = Tensor(A, requires_grad=True)
    y = x.transpose(dim0, dim1)
    expected = np.swapaxes(A, dim0, dim1)
    assert y.numpy().tolist() == expected.tolist()
    g = np.arange(24.0).reshape(expected.shape) * 0.5
    y.backward(Tensor(g))
    assert x.grad.numpy().tolist() == np.swapaxes(g, dim0, dim1).tolist()


def test_the_transpose_of_a_matrix_by_dims_0_and_1_is_its_transpose():
    m = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert m.transpose(0, 1).numpy().tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert m.transpose(0, 1).numpy().tolist() == m.T.numpy().tolist() == m.mT.numpy().tolist()


def test_a_0d_tensor_transposes_by_its_one_dim_to_itself():
    assert Tensor(3.0).transpose(0, -1).numpy().tolist() == 3.0
    assert Tensor(3.0).permute().numpy().tolist() == 3.0


@pytest.mark.parametrize("dims", [(2, 0, 1), ((2, 0, 1),), ([2, 1, 0],), (0, -1, 1)])
def test_permute_moves_dim_i_of_the_result_from_dims_i(dims):
    order = tuple(dims[0]) if len(dims) == 1 else dims
    x = Tensor(A, requires_grad=True)
    y = x.permute(*dims)
    assert y.numpy().tolist() == np.transpose(A, order).tolist()
    y.sum().backward()
    assert x.grad.shape == A.shape


def test_mT_swaps_the_last_two_dims_of_a_batch():
    assert Tensor(A).mT.numpy().tolist() == np.swapaxes(A, -2, -1).tolist()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda x: x.transpose(2, 0, 1),
            TypeError,
            "transpose: swaps two dims, as PyTorch's transpose(dim0, dim1); got (2, 0, 1). For a whole order, as numpy.transpose, use permute",
        ),
        (
            lambda x: x.transpose(),
            TypeError,
            "transpose: swaps two dims, as PyTorch's transpose(dim0, dim1); got (). For a whole order, as numpy.transpose, use permute",
        ),
        (lambda x: x.transpose(0, 3), IndexError, "transpose: dim 3 is out of range for a tensor of 3 dims"),
        (lambda x: x.transpose(0, 1.0), TypeError, "transpose: a dim must be an int, got float 1.0"),
        (lambda x: x.permute(0, 1), ValueError, "permute: dims must name each of the tensor's 3 dims once, got (0, 1)"),
        (
            lambda x: x.permute(0, 1, 1),
            ValueError,
            "permute: dims must name each of the tensor's 3 dims once, got (0, 1, 1)",
        ),
        (lambda x: x.permute(0, 1, -4), IndexError, "permute: dim -4 is out of range for a tensor of 3 dims"),
        (lambda x: x.permute(0, True, 2), TypeError, "permute: a dim must be an int, got bool True"),
    ],
)
def test_a_bad_dim_is_refused_by_name(call, error, message):
    with pytest.raises(error) as caught:
        call(Tensor(A))
    assert str(caught.value) == message


@pytest.mark.parametrize(("dim0", "dim1"), [(0, 1), (1, 0), (0, 2), (-1, -2)])
def test_transpose_and_permute_agree_with_pytorch(dim0, dim1):
    torch = pytest.importorskip("torch")
    assert Tensor(A).transpose(dim0, dim1).numpy().tolist() == torch.tensor(A).transpose(dim0, dim1).numpy().tolist()
    assert Tensor(A).permute(2, 0, 1).numpy().tolist() == torch.tensor(A).permute(2, 0, 1).numpy().tolist()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda x: x.add_(Tensor([1.0, 1.0]), 0.5),
            "TensorInPlace.add_() takes 2 positional arguments but 3 were given",
        ),
        (lambda x: x.sub_(0, True), "TensorInPlace.sub_() takes 2 positional arguments but 3 were given"),
        (lambda x: x.sub_(1.0, alpha=True), "sub_: alpha must be a number, got bool True"),
        (lambda x: x.add_(1.0, alpha="2"), "add_: alpha must be a number, got str '2'"),
    ],
)
def test_alpha_of_add_and_sub_is_a_keyword_number_as_in_pytorch_and_a_refusal_changes_nothing(call, message):
    x = Tensor([1.0, 2.0])
    with pytest.raises(TypeError) as caught:
        call(x)
    assert str(caught.value) == message
    assert x.numpy().tolist() == [1.0, 2.0]
    assert x.add_(Tensor([1.0, 1.0]), alpha=0.5).sub_(Tensor([2.0, 2.0]), alpha=0.25).numpy().tolist() == [1.0, 2.0]
