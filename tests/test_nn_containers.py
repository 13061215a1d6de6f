"""nn.ModuleList and nn.ModuleDict register their modules (parameters, state_dict, train/eval reach
them), index and name them as PyTorch's do; Module.__call__ passes keyword arguments to forward."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad import Tensor


class Stack(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(2, 2, rng=i) for i in range(3)])
        self.heads = nn.ModuleDict({"a": nn.Linear(2, 1, rng=5), "b": nn.Dropout(0.5)})

    def forward(self, x, scale=1.0, mask=None):
        for layer in self.layers:
            x = layer(x).relu()
        out = self.heads["a"](x) * scale
        return out if mask is None else out * mask


def test_the_parent_sees_every_parameter_and_the_state_dict_names_them_as_torch():
    model = Stack()
    assert len(list(model.parameters())) == 8
    assert sorted(model.state_dict()) == sorted(
        [f"layers.{i}.{p}" for i in range(3) for p in ("weight", "bias")] + ["heads.a.weight", "heads.a.bias"]
    )
    model.eval()
    assert not model.heads["b"].training and not model.layers[2].training


def test_keyword_arguments_reach_forward_with_and_without_hooks():
    model = Stack()
    x = Tensor([[1.0, 2.0]])
    plain = model(x)
    np.testing.assert_allclose(model(x, scale=2.0), 2 * plain.numpy())
    np.testing.assert_allclose(model(x, mask=Tensor([[0.0]])), [[0.0]])
    seen = []
    model.register_forward_hook(lambda module, inputs, output: seen.append(len(inputs)))
    np.testing.assert_allclose(model(x, scale=3.0), 3 * plain.numpy())
    assert seen == [1]


def test_module_list_indexes_slices_inserts_and_deletes_as_a_list():
    relu, tanh, sigmoid = nn.ReLU(), nn.Tanh(), nn.Sigmoid()
    layers = nn.ModuleList([relu, tanh])
    layers.append(sigmoid)
    assert layers[-1] is sigmoid and list(layers[1:]) == [tanh, sigmoid]
    layers.insert(1, nn.SiLU())
    assert [type(m).__name__ for m in layers] == ["ReLU", "SiLU", "Tanh", "Sigmoid"]
    del layers[0]
    assert [name for name, _ in layers.named_children()] == ["0", "1", "2"]
    layers[0] = relu
    assert layers[0] is relu
    with pytest.raises(IndexError, match="ModuleList: index 3 is out of range for a list of 3 modules"):
        layers[3]
    with pytest.raises(TypeError, match="ModuleList.append: expected a Module, got int"):
        layers.append(3)


def test_module_dict_keys_items_and_errors():
    heads = nn.ModuleDict([("x", nn.ReLU())])
    heads["y"] = nn.Tanh()
    assert list(heads) == ["x", "y"] == heads.keys() and "y" in heads and len(heads) == 2
    assert [type(m).__name__ for m in heads.values()] == ["ReLU", "Tanh"]
    del heads["x"]
    assert heads.keys() == ["y"]
    with pytest.raises(KeyError, match="no module named 'z'"):
        heads["z"]
    with pytest.raises(KeyError, match="key 'train' is the name of one of its attributes"):
        heads["train"] = nn.ReLU()
    with pytest.raises(KeyError, match="without '.'"):
        heads["a.b"] = nn.ReLU()


def test_state_dict_round_trips_through_the_containers():
    a, b = Stack(), Stack()
    mg.manual_seed(0)
    b.load_state_dict(a.state_dict())
    x = Tensor([[0.5, -1.0]])
    np.testing.assert_array_equal(a(x), b(x))


def test_containers_match_torchs_state_dict_keys():
    torch = pytest.importorskip("torch")

    class TorchStack(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)])
            self.heads = torch.nn.ModuleDict({"a": torch.nn.Linear(2, 1), "b": torch.nn.Dropout(0.5)})

    assert list(TorchStack().state_dict()) == list(Stack().state_dict())
