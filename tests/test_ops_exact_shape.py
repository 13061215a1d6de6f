"""The shape ops and reductions to the letter: permutations of three axes and their inverse on the
gradient, an index array changed after the forward, the whole-tensor max and min (0-d, as
PyTorch), and float32 kept through indexing. Written for the survivors of the ops' mutation run
(docs/mutation.md)."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import Tensor

A = np.arange(24.0).reshape(2, 3, 4)
G = np.random.default_rng(3).standard_normal((24,))


@pytest.mark.parametrize("axes", [(1, 0, 2), (2, 0, 1), (0, 2, 1), (-1, 0, -2)])
def test_a_permutation_of_three_axes_moves_the_values_and_moves_the_gradient_back(axes):
    x = Tensor(A, requires_grad=True)
    y = x.permute(*axes)
    expected = np.transpose(A, axes)
    assert y.numpy().tolist() == expected.tolist()
    g = G.reshape(expected.shape)
    y.backward(Tensor(g))
    assert x.grad.numpy().tolist() == np.transpose(g, np.argsort(np.array(axes) % 3)).tolist()


def test_the_transpose_of_three_axes_reverses_them_and_its_gradient_too():
    x = Tensor(A, requires_grad=True)
    assert x.T.numpy().tolist() == A.T.tolist()
    g = G.reshape(4, 3, 2)
    x.T.backward(Tensor(g))
    assert x.grad.numpy().tolist() == g.T.tolist()


@pytest.mark.parametrize("kind", ["array", "list", "in a tuple"])
def test_an_index_changed_after_the_forward_does_not_move_the_gradient(kind):
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = np.array([0, 2]) if kind != "list" else [0, 2]
    y = x[(index,) if kind == "in a tuple" else index]
    index[0] = 1  # the caller reuses its index array
    y.backward(Tensor([10.0, 20.0]))
    assert x.grad.numpy().tolist() == [10.0, 0.0, 20.0]


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin"])
def test_the_max_and_min_of_a_whole_tensor_are_0_d_and_send_the_gradient_to_the_extreme(name):
    data = np.array([[1.0, 5.0, -2.0], [0.5, 3.0, 4.0]])
    x = Tensor(data, requires_grad=True)
    y = getattr(x, name)()
    assert y.shape == ()
    assert y.item() == getattr(np, name)(data)
    y.backward()
    hit = data == getattr(np, name)(data)
    assert x.grad.numpy().tolist() == hit.astype(float).tolist()


@pytest.mark.parametrize("index", [np.array([0, 0, 2]), (slice(None), [1, 1])])
def test_indexing_a_float32_tensor_gives_a_float32_gradient_with_repeats_added(index):
    data = np.arange(6, dtype=np.float32).reshape(3, 2)
    x = Tensor(data[:, 0] if isinstance(index, np.ndarray) else data, requires_grad=True)
    (gx,) = mg.grad(x[index].sum(), x)
    assert gx.dtype == np.float32
    expected = np.zeros(x.shape)
    np.add.at(expected, index, 1.0)
    assert gx.numpy().tolist() == expected.tolist()
