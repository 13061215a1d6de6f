"""A Module's parameters, buffers and submodules are plain attributes (no __getattr__ on a read),
and registration behaves as before and as in PyTorch: set, replace, set to None, delete, and the
registry writers other than __setattr__ (load_state_dict, functional_call)."""

import copy
import pickle

import numpy as np
import pytest

from minigrad import Tensor, nn
from minigrad.nn import Parameter
from minigrad.nn.utils import functional_call


class Pair(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = Parameter(np.ones(2))
        self.inner = nn.Linear(2, 2, rng=0)
        self.register_buffer("count", np.array(0))
        self.second = Parameter(np.zeros(2))

    def forward(self, x):
        return self.inner(x * self.first + self.second)


def state_names(module):
    return [name for name, _ in module.named_parameters()], list(module.state_dict())


def test_registered_names_are_instance_attributes_read_without_getattr(monkeypatch):
    model = Pair()
    monkeypatch.setattr(nn.Module, "__getattr__", lambda self, name: pytest.fail(f"__getattr__({name!r})"))
    assert model.first is model._parameters["first"] and model.inner is model._modules["inner"]
    assert model.count is model._buffers["count"]
    model(Tensor([[1.0, 2.0]]))  # a forward reads only plain attributes


def test_setting_a_parameter_or_module_registers_it_in_order():
    model = Pair()
    model.third = Parameter(np.ones(1))
    model.extra = nn.Tanh()
    assert state_names(model)[0] == ["first", "second", "third", "inner.weight", "inner.bias"]
    assert [name for name, _ in model.named_children()] == ["inner", "extra"]
    assert model.third is model._parameters["third"]


def test_replacing_a_parameter_keeps_its_place_and_the_new_value_is_read():
    model = Pair()
    new = Parameter(np.full(2, 5.0))
    model.first = new
    assert state_names(model)[0][:2] == ["first", "second"] and model.first is new


def test_deleting_removes_the_attribute_and_the_registration():
    model = Pair()
    del model.first
    del model.inner
    del model.count
    with pytest.raises(AttributeError, match="'first'"):
        model.first  # noqa: B018
    assert state_names(model) == (["second"], ["second"])
    assert not hasattr(model, "inner") and not hasattr(model, "count")


def test_a_parameter_set_to_none_stays_registered_but_leaves_the_state_like_pytorch():
    model = Pair()
    model.first = None
    assert model.first is None and "first" in model._parameters
    assert state_names(model)[0] == ["second", "inner.weight", "inner.bias"]
    model.first = Parameter(np.ones(2))  # back in its old place
    assert state_names(model)[0][0] == "first"


@pytest.mark.parametrize("value", [Tensor([1.0, 2.0]), np.ones(2), 3.0])
def test_a_non_parameter_over_a_parameter_name_is_refused_and_changes_nothing(value):
    model = Pair()
    before = model.first
    with pytest.raises(TypeError, match=r"Pair\.first is a parameter: assign a Parameter or None"):
        model.first = value
    assert model.first is before and model._parameters["first"] is before


def test_a_non_module_over_a_submodule_name_is_refused():
    model = Pair()
    with pytest.raises(TypeError, match=r"Pair\.inner is a submodule"):
        model.inner = 3
    assert isinstance(model.inner, nn.Linear)


def test_a_parameter_over_a_plain_attribute_or_a_submodule_moves_it_to_the_parameters():
    model = Pair()
    model.plain = 1.0
    model.plain = Parameter(np.ones(1))
    model.inner = Parameter(np.ones(1))
    assert "inner" not in model._modules and model.inner is model._parameters["inner"]
    assert state_names(model)[0] == ["first", "second", "plain", "inner"]


def test_a_buffer_assigned_or_loaded_is_what_the_attribute_reads():
    model = Pair()
    model.count += 1
    assert model.count == 1 and model._buffers["count"] == 1
    model.load_state_dict({**model.state_dict(), "count": np.array(7)})
    assert model.count == 7


def test_functional_call_swaps_the_parameters_the_forward_reads_and_restores_them():
    layer = nn.Linear(2, 1, bias=False, rng=0)
    original = layer.weight
    out = functional_call(layer, {"weight": Tensor([[1.0, 2.0]])}, Tensor([3.0, 4.0]))
    assert out.item() == 11.0 and layer.weight is original


def test_the_registry_refuses_changes_that_would_bypass_the_attributes():
    model = Pair()
    for change in (lambda r: r.pop("first"), lambda r: r.update(a=1), lambda r: r.clear(), lambda r: r.setdefault("a")):
        with pytest.raises(TypeError, match="one entry at a time"):
            change(model._parameters)
    assert state_names(model)[0][:2] == ["first", "second"]


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))])
def test_a_copied_module_registers_into_its_own_attributes(duplicate):
    model = Pair()
    twin = duplicate(model)
    twin.first = Parameter(np.full(2, 3.0))
    assert twin.first.numpy().tolist() == [3.0, 3.0] and model.first.numpy().tolist() == [1.0, 1.0]
    assert twin._parameters["first"] is twin.first


def test_registration_orders_match_pytorch():
    torch = pytest.importorskip("torch")

    def build(lib, parameter, linear):
        m = lib.Module()
        m.a = parameter(np.ones(2))
        m.lin = linear()
        m.b = parameter(np.ones(1))
        m.a = parameter(np.zeros(2))  # replaced in place
        m.c = parameter(np.ones(3))
        del m.b
        m.c = None
        return [name for name, _ in m.named_parameters()], list(m.state_dict())

    ours = build(nn, Parameter, lambda: nn.Linear(2, 2, rng=0))
    theirs = build(torch.nn, lambda a: torch.nn.Parameter(torch.tensor(a)), lambda: torch.nn.Linear(2, 2))
    assert ours == theirs
