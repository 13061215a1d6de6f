"""Module: registration order, dotted names, repr, train/eval, zero_grad, hooks, state_dict."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad import Tensor


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = nn.Linear(3, 4, rng=0)
        self.scale = nn.Parameter(np.ones(4))
        self.second = nn.Linear(4, 2, rng=1)

    def forward(self, x):
        return self.second(self.first(x) * self.scale)


def test_named_parameters_are_dotted_and_in_definition_order():
    names = [name for name, _ in TwoLayer().named_parameters()]
    assert names == ["scale", "first.weight", "first.bias", "second.weight", "second.bias"]


def test_mlp_names_its_layers_like_pytorch_sequential():
    model = nn.MLP([2, 5, 5, 1], norm="layer", rng=0)
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "layers.3.weight",
        "layers.3.bias",
        "layers.4.weight",
        "layers.4.bias",
        "layers.6.weight",
        "layers.6.bias",
    ]
    assert [name for name, _ in model.named_modules()][:3] == ["", "layers", "layers.0"]


def test_children_modules_and_parameter_count():
    model = TwoLayer()
    assert [type(m).__name__ for m in model.children()] == ["Linear", "Linear"]
    assert len(list(model.modules())) == 3
    assert sum(p.numel() for p in model.parameters()) == 3 * 4 + 4 + 4 + 4 * 2 + 2


def test_shared_submodule_and_parameter_are_listed_once():
    shared = nn.Linear(2, 2, rng=0)
    model = nn.Sequential(shared, shared)
    assert len(list(model.parameters())) == 2
    assert [name for name, _ in model.named_modules()] == ["", "0"]


def test_reassigning_an_attribute_replaces_it_in_place_of_order():
    model = TwoLayer()
    model.first = nn.Linear(3, 4, rng=5)
    assert [name for name, _ in model.named_children()] == ["first", "second"]
    model.first = None
    assert [name for name, _ in model.named_children()] == ["second"]


def test_assigning_a_plain_tensor_to_a_parameter_name_is_refused():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="Linear.weight is a parameter"):
        layer.weight = Tensor(np.zeros((2, 2)))


def test_forgetting_super_init_gives_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Broken()


def test_repr_is_nested_like_pytorch():
    model = nn.MLP([2, 4, 1], activation="leaky_relu", norm="batch", rng=0)
    assert repr(model) == (
        "MLP(\n"
        "  (layers): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=4, bias=True)\n"
        "    (1): BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)\n"
        "    (2): LeakyReLU(negative_slope=0.01)\n"
        "    (3): Linear(in_features=4, out_features=1, bias=True)\n"
        "  )\n"
        ")"
    )


def test_repr_of_a_very_deep_model_does_not_recurse():
    model = nn.Linear(1, 1)
    for _ in range(3000):
        model = nn.Residual(model)
    assert repr(model).count("Residual(") == 3000


def test_train_and_eval_set_the_flag_everywhere():
    model = nn.MLP([2, 3, 3, 1], norm="batch", rng=0)
    assert all(m.training for m in model.modules())
    assert model.eval() is model and not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_sets_grads_to_none_or_zeros():
    model = TwoLayer()
    model(Tensor(np.ones((2, 3)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_forward_hook_sees_inputs_and_output_and_can_be_removed():
    layer, seen = nn.Linear(2, 3, rng=0), []
    handle = layer.register_forward_hook(lambda module, inputs, output: seen.append((module, inputs, output)))
    x = Tensor(np.ones((1, 2)))
    out = layer(x)
    assert seen[0][0] is layer and seen[0][1][0] is x and seen[0][2] is out
    handle.remove()
    layer(x)
    assert len(seen) == 1


def test_forward_hook_return_value_replaces_the_output():
    layer = nn.Linear(2, 3, rng=0)
    layer.register_forward_hook(lambda module, inputs, output: output * 0)
    assert np.all(layer(Tensor(np.ones((1, 2)))).numpy() == 0)


def test_full_backward_hook_gets_grad_output_and_grad_input():
    layer, seen = nn.Linear(3, 2, rng=0), []
    layer.register_full_backward_hook(lambda module, grad_input, grad_output: seen.append((grad_input, grad_output)))
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    upstream = np.array([[1.0, -2.0], [0.5, 3.0]])
    (layer(x) * Tensor(upstream)).sum().backward()
    ((grad_x,), (grad_out,)) = seen[0]
    np.testing.assert_allclose(grad_out.numpy(), upstream)
    np.testing.assert_allclose(grad_x.numpy(), upstream @ layer.weight.numpy())
    np.testing.assert_allclose(x.grad.numpy(), grad_x.numpy())


def test_full_backward_hook_on_an_input_without_grad_gets_none():
    layer, seen = nn.Linear(3, 2, rng=0), []
    handle = layer.register_full_backward_hook(lambda module, grad_input, grad_output: seen.append(grad_input))
    layer(Tensor(np.ones((1, 3)))).sum().backward()
    assert seen == [(None,)]
    handle.remove()
    layer(Tensor(np.ones((1, 3)))).sum().backward()
    assert len(seen) == 1


def test_full_backward_hook_sees_each_layer_of_a_model():
    model, order = nn.MLP([2, 4, 4, 1], activation="tanh", rng=0), []
    for i, layer in enumerate(model.layers):
        layer.register_full_backward_hook(lambda m, gi, go, i=i: order.append((i, go[0].shape)))
    model(Tensor(np.ones((5, 2)))).sum().backward()
    assert order == [(4, (5, 1)), (3, (5, 4)), (2, (5, 4)), (1, (5, 4)), (0, (5, 4))]


def test_backward_hook_must_not_return_a_value():
    layer = nn.Linear(1, 1)
    layer.register_full_backward_hook(lambda module, grad_input, grad_output: grad_output)
    with pytest.raises(RuntimeError, match="must return None"):
        layer(Tensor([[1.0]])).sum().backward()


def test_state_dict_holds_copies_of_parameters_and_buffers():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.BatchNorm1d(3))
    state = model.state_dict()
    assert list(state) == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    ]
    state["0.weight"][:] = 7
    assert not np.any(model[0].weight.numpy() == 7)


def test_load_state_dict_round_trip_and_in_place_update():
    source, target = nn.MLP([2, 3, 1], rng=0), nn.MLP([2, 3, 1], rng=1)
    weight = target.layers[0].weight
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert target.layers[0].weight is weight
    for (_, a), (_, b) in zip(source.named_parameters(), target.named_parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_load_state_dict_names_every_problem_and_changes_nothing():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.BatchNorm1d(3))
    before = model.state_dict()
    state = model.state_dict()
    del state["0.bias"]
    state["0.weight"] = np.zeros((3, 3))
    state["1.running_mean"] = np.zeros(4)
    state["extra"] = np.zeros(1)
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict(state)
    for text in [
        "missing key '0.bias'",
        "unexpected key 'extra'",
        "'0.weight' has shape (3, 3)",
        "'1.running_mean' has shape (4,)",
    ]:
        assert text in str(error.value)
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(array, before[name])


def test_load_state_dict_non_strict_reports_missing_and_unexpected():
    model = nn.Linear(2, 1, rng=0)
    result = model.load_state_dict({"weight": np.ones((1, 2)), "other": np.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    np.testing.assert_array_equal(model.weight.numpy(), np.ones((1, 2)))


def test_loading_during_a_recorded_graph_is_refused_by_backward():
    layer = nn.Linear(2, 1, rng=0)
    loss = layer(Tensor(np.ones((1, 2)))).sum()
    layer.load_state_dict(nn.Linear(2, 1, rng=1).state_dict())
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_same_seed_gives_the_same_model_and_another_seed_does_not():
    a, b, c = (nn.MLP([2, 8, 8, 3], init="orthogonal", rng=seed) for seed in (7, 7, 8))
    for (_, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(pa.numpy(), pb.numpy())
    assert not np.array_equal(a.layers[0].weight.numpy(), c.layers[0].weight.numpy())


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter([1.0, 2.0])
    assert isinstance(p, Tensor) and p.requires_grad and p.is_leaf
    assert repr(p).startswith("Parameter containing:\nTensor(")
    with pytest.raises(RuntimeError, match="no_grad"):
        p.fill_(0.0)
    with mg.no_grad():
        p.fill_(0.0)


def test_full_backward_hook_on_a_module_returning_a_tuple_is_refused_naming_it():
    rnn = nn.RNN(3, 4)
    rnn.register_full_backward_hook(lambda module, grad_input, grad_output: None)
    with pytest.raises(NotImplementedError) as error:
        rnn(Tensor(np.ones((5, 2, 3)), requires_grad=True))
    assert str(error.value).startswith("register_full_backward_hook: RNN returns a tuple, and minigrad's full")
