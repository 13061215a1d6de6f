"""PyTorch's top-level names: manual_seed and the default generator, the tensor factories and the
dtype names, and `import minigrad` loading nn and optim. Dtypes against torch's (minigrad's default
float being float64 where torch's is float32)."""

import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn


def test_import_minigrad_loads_nn_and_optim():
    code = "import minigrad; print(minigrad.nn.Linear.__name__, minigrad.optim.Adam.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["Linear", "Adam"]


def test_manual_seed_repeats_every_draw_that_is_given_no_rng():
    def draws():
        mg.manual_seed(3)
        layer = nn.Linear(3, 2)
        mask = nn.Dropout(0.5)(mg.ones(20))
        return [layer.weight.numpy().copy(), mg.randn(4).numpy(), mg.rand(2, 2).numpy(), mask.numpy()]

    first, again = draws(), draws()
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    mg.manual_seed(4)
    assert not np.array_equal(nn.Linear(3, 2).weight.numpy(), first[0])


def test_manual_seed_reaches_the_datasets_and_the_initialisers():
    from minigrad.data import make_moons

    mg.manual_seed(5)
    first = make_moons(10)[0], nn.init.normal_(mg.zeros(3)).numpy().copy()
    mg.manual_seed(5)
    again = make_moons(10)[0], nn.init.normal_(mg.zeros(3)).numpy()
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_an_explicit_rng_is_not_the_default_generator():
    mg.manual_seed(0)
    a = nn.Linear(2, 2, rng=7).weight.numpy()
    mg.manual_seed(1)
    np.testing.assert_array_equal(nn.Linear(2, 2, rng=7).weight.numpy(), a)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_manual_seed_refuses_what_is_not_an_int_at_least_zero(seed):
    with pytest.raises(TypeError, match="manual_seed: seed must be an int >= 0"):
        mg.manual_seed(seed)


def test_factories_give_the_shape_values_and_grad_asked_for():
    assert mg.zeros(2, 3).shape == (2, 3) and mg.zeros((2, 3)).shape == (2, 3)
    np.testing.assert_array_equal(mg.ones(2), [1.0, 1.0])
    np.testing.assert_array_equal(mg.full((2, 2), 7.0), [[7.0, 7.0], [7.0, 7.0]])
    np.testing.assert_array_equal(mg.eye(2, 3), np.eye(2, 3))
    np.testing.assert_array_equal(mg.arange(1, 7, 2), [1, 3, 5])
    assert mg.randn(3, 2, requires_grad=True).requires_grad and mg.rand(4).shape == (4,)
    x = mg.tensor([[1.0, 2.0]], requires_grad=True)
    assert x.is_leaf and x.requires_grad
    assert mg.zeros_like(x).shape == (1, 2) and not mg.zeros_like(x).requires_grad
    np.testing.assert_array_equal(mg.ones_like(x), [[1.0, 1.0]])


def test_tensor_copies_its_data():
    data = np.array([1.0, 2.0])
    x = mg.tensor(data)
    data[0] = 5.0
    assert x.numpy()[0] == 1.0


def test_a_bad_size_names_the_call():
    with pytest.raises(TypeError, match="zeros: size must be ints >= 0"):
        mg.zeros(2, -1)


def test_allclose_is_numpys_rule_on_tensors():
    assert mg.allclose(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.0 + 1e-9]))
    assert not mg.allclose(mg.tensor([1.0]), mg.tensor([1.1]))


@pytest.mark.parametrize(
    "name, args, kwargs",
    [
        ("tensor", ([1, 2],), {}),
        ("tensor", ([True],), {}),
        ("tensor", ([0.5],), {}),
        ("zeros", (2, 3), {}),
        ("ones", (2,), {"dtype": "long"}),
        ("full", ((2,), 7), {}),
        ("full", ((2,), 0.5), {}),
        ("arange", (5,), {}),
        ("arange", (0, 1, 0.25), {}),
        ("eye", (3,), {}),
        ("randn", (2, 2), {}),
        ("rand", (3,), {}),
    ],
)
def test_factories_values_and_dtypes_match_torch(name, args, kwargs):
    torch = pytest.importorskip("torch")
    ours_kwargs = {k: getattr(mg, v) for k, v in kwargs.items()}
    theirs_kwargs = {k: getattr(torch, v) for k, v in kwargs.items()}
    ours, theirs = getattr(mg, name)(*args, **ours_kwargs), getattr(torch, name)(*args, **theirs_kwargs)
    expected = str(theirs.dtype).removeprefix("torch.")
    assert str(ours.dtype) == ("float64" if expected == "float32" else expected)
    assert ours.shape == tuple(theirs.shape)
    if name not in ("randn", "rand"):
        np.testing.assert_array_equal(ours, theirs.numpy())


@pytest.mark.parametrize("name", ["float32", "float64", "double", "float", "int64", "long", "int32", "int", "bool"])
def test_dtype_names_are_torchs(name):
    torch = pytest.importorskip("torch")
    assert str(np.dtype(getattr(mg, name))) == str(getattr(torch, name)).removeprefix("torch.")
