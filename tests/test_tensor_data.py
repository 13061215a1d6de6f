"""`Tensor.data` as PyTorch's (issue 23): a leaf that does not require grad and shares the array, so
the lectures' `p.data += -lr * p.grad`, `p.data.std()`, `p.data.zero_()`, `p.data[0] = 1` work as
typed; `p.data = t` makes p hold t's array. One difference, on purpose: a change through `.data`
counts as a change of p (PyTorch hides it and then gives a wrong gradient), so a graph that saved p
refuses to backpropagate after it."""

import copy
import pickle

import numpy as np
import pytest

import minigrad as mg
from minigrad import Tensor, nn

CHANGED = "was modified in place after the op used it"


def test_data_is_a_leaf_that_shares_the_array_and_requires_no_grad():
    p = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    d = p.data
    assert isinstance(d, Tensor) and d.numpy() is p.numpy()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf and d.grad is None
    assert d.shape == p.shape == (2, 2) and d.dtype == p.dtype
    y = p * 2
    assert y.data.is_leaf and y.data.numpy() is y.numpy()
    assert type(nn.Parameter([1.0]).data) is Tensor  # as PyTorch: a Parameter's .data is a plain Tensor


def test_the_lecture_update_changes_p_in_place_outside_no_grad():
    p = Tensor([1.0, 2.0], requires_grad=True)
    array, lr = p.numpy(), 0.1
    (p * p).sum().backward()
    p.data += -lr * p.grad
    assert p.numpy() is array and p.tolist() == pytest.approx([0.8, 1.6]) and p.requires_grad
    p.data -= lr * p.grad.data
    assert p.tolist() == pytest.approx([0.6, 1.2]) and p.grad.tolist() == [2.0, 4.0]


def test_data_std_is_a_tensors_std_with_bessels_correction_not_numpys():
    p = Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    assert isinstance(p.data.std(), Tensor)
    assert p.data.std().item() == pytest.approx(np.std([1.0, 2.0, 3.0, 4.0], ddof=1))
    assert p.data.std().item() != pytest.approx(np.std([1.0, 2.0, 3.0, 4.0]))


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda p: p.data.copy_(Tensor([5.0, 6.0, 7.0])), [5.0, 6.0, 7.0]),
        (lambda p: p.data.zero_(), [0.0, 0.0, 0.0]),
        (lambda p: p.data.__setitem__(0, 10.0), [10.0, 2.0, 3.0]),
        (lambda p: p.data.mul_(2), [2.0, 4.0, 6.0]),
        (lambda p: p.data.__iadd__(1.0), [2.0, 3.0, 4.0]),
        (lambda p: setattr(p, "data", Tensor([4.0, 5.0, 6.0])), [4.0, 5.0, 6.0]),
    ],
    ids=["copy_", "zero_", "setitem", "mul_", "+=", "data ="],
)
def test_a_change_through_data_changes_p_and_a_graph_that_saved_p_refuses_it(change, expected):
    p = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (p * p).sum()
    change(p)
    assert p.tolist() == expected and p.requires_grad
    with pytest.raises(RuntimeError, match=rf"^Mul: input 0 \(shape \(3,\)\) {CHANGED}"):
        y.backward()
    assert p.grad is None
    (p * p).sum().backward()  # a new forward sees the new values
    assert p.grad.tolist() == [2 * v for v in expected]


def test_pytorch_hides_such_a_change_and_gives_the_gradient_of_the_new_values():
    """Why minigrad counts it: PyTorch's `.data` has its own version counter, so the same lines
    run there and give a gradient that belongs to neither the old nor a new forward."""
    torch = pytest.importorskip("torch")
    p = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    y = (p * p).sum()
    p.data.zero_()
    y.backward()
    assert p.grad.tolist() == [0.0, 0.0, 0.0]  # d/dp of sum(p^2) at [1, 2, 3] is [2, 4, 6]


def test_the_lectures_training_loop_matches_pytorch_step_by_step():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X, Y, W0 = rng.normal(size=(8, 3)), rng.integers(0, 4, 8), rng.normal(size=(3, 4))
    W, tW = Tensor(W0, requires_grad=True), torch.tensor(W0, requires_grad=True)
    for _ in range(5):
        ratios = []
        for w, lib in ((W, mg), (tW, torch)):
            loss = lib.nn.functional.cross_entropy(lib.tensor(X) @ w, lib.tensor(Y))
            w.grad = None
            loss.backward()
            w.data += -0.1 * w.grad
            ratios.append(((0.1 * w.grad).std() / w.data.std()).log10().item())
        assert ratios[0] == pytest.approx(ratios[1], rel=1e-12)
        np.testing.assert_allclose(W.numpy(), tW.detach().numpy(), rtol=1e-12)


def test_assigning_a_tensor_shares_its_array_and_takes_its_shape_and_dtype_as_pytorch():
    p = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    t = Tensor(np.zeros((2, 2), dtype=np.float32))
    p.data = t
    assert p.numpy() is t.numpy() and p.shape == (2, 2) and p.dtype == np.float32 and p.requires_grad
    q = Tensor([1.0])
    q.data = Tensor([1, 2], dtype=mg.int64)  # a tensor that does not require grad may take any dtype
    assert q.dtype == np.int64 and q.tolist() == [1, 2]


def test_after_assigning_a_change_through_either_tensor_is_a_change_of_both():
    p, t = Tensor([1.0, 2.0], requires_grad=True), Tensor([5.0, 6.0])
    p.data = t
    y = (p * p).sum()
    t.add_(1.0)
    assert p.tolist() == [6.0, 7.0]
    with pytest.raises(RuntimeError, match=CHANGED):
        y.backward()


def test_after_assigning_p_no_longer_shares_a_counter_with_what_held_its_old_array():
    p = Tensor([1.0, 2.0], requires_grad=True)
    old = p.detach()
    p.data = Tensor([5.0, 6.0])
    y = (p * p).sum()
    old.add_(1.0)  # the old array, which p no longer holds
    y.backward()
    assert p.grad.tolist() == [10.0, 12.0] and old.tolist() == [2.0, 3.0]


def test_assigning_anything_but_a_tensor_is_refused_as_pytorch_refuses_it():
    p = Tensor([1.0, 2.0], requires_grad=True)
    for value in (np.array([0.0, 0.0]), [0.0, 0.0], 0.0):
        with pytest.raises(
            TypeError, match=rf"^data: must be set to a Tensor \(as PyTorch\), got {type(value).__name__}"
        ):
            p.data = value
    with pytest.raises(RuntimeError, match=r"^data: a tensor that requires grad must hold floats .* got int64$"):
        p.data = Tensor([1, 2], dtype=mg.int64)
    assert p.tolist() == [1.0, 2.0] and p._version == 0


def test_pytorch_refuses_the_same_assignments():
    torch = pytest.importorskip("torch")
    p = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="has to be a tensor"):
        p.data = np.array([0.0, 0.0])
    with pytest.raises(RuntimeError, match="must be floating point"):
        p.data = torch.tensor([1, 2])


def test_a_new_shape_with_the_old_grad_still_there_is_refused_at_backward_not_broadcast():
    p = Tensor([1.0, 1.0, 1.0], requires_grad=True)
    (p * 2).sum().backward()
    p.data = Tensor([1.0])
    with pytest.raises(RuntimeError, match=r"^backward: a tensor of shape \(1,\) has a \.grad of shape \(3,\)"):
        (p * 2).sum().backward()
    assert p.grad.tolist() == [2.0, 2.0, 2.0]
    p.grad = None
    (p * 2).sum().backward()
    assert p.grad.tolist() == [2.0]


def test_a_change_through_the_data_of_a_view_is_refused_as_any_change_through_a_view():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(RuntimeError, match="is a view into another array"):
        x.T.data.zero_()
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]


@pytest.mark.parametrize(
    "duplicate", [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))], ids=["deepcopy", "pickle"]
)
def test_a_module_updated_through_data_still_copies_and_the_copy_shares_no_counter(duplicate):
    model = nn.Linear(2, 1)
    model.weight.data += 1.0
    twin = duplicate(model)
    np.testing.assert_array_equal(twin.weight.numpy(), model.weight.numpy())
    y = (twin.weight * 2).sum()
    model.weight.data.zero_()  # a change of the original only
    y.backward()
    assert twin.weight.grad.tolist() == [[2.0, 2.0]] and twin.weight.numpy().all()


@pytest.mark.parametrize(
    "duplicate", [copy.deepcopy, lambda t: pickle.loads(pickle.dumps(t))], ids=["deepcopy", "pickle"]
)
def test_a_copy_of_a_detached_tensor_counts_its_own_changes_and_no_one_elses(duplicate):
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()  # saves x for its backward
    twin = duplicate(x.detach())
    twin.add_(1.0)  # a change of the copy, not of x
    twin.add_(1.0)  # counted again on the copy alone
    y.backward()
    assert x.grad.tolist() == [2.0, 4.0] and twin.tolist() == [3.0, 4.0]
    twin.requires_grad = True
    z = (twin * twin).sum()
    with mg.no_grad():
        twin.add_(1.0)  # and its own changes are counted: the graph that saved it refuses
    with pytest.raises(RuntimeError, match="in place"):
        z.backward()
