"""minigrad.diagnostics: why_zero and diagnose on networks built to fail, and on a healthy one."""

import json

import numpy as np
import pytest

from minigrad import Tensor, nn, no_grad
from minigrad.data import make_spirals
from minigrad.diagnostics import diagnose, why_zero
from minigrad.losses import cross_entropy
from minigrad.viz import record

X, Y = make_spirals(120, 3, rng=0)


def relu_net(bias=0.0, rng=0):
    model = nn.MLP([2, 16, 16, 16, 3], activation="relu", init="kaiming_normal", rng=rng)
    with no_grad():
        for layer in [m for m in model.modules() if isinstance(m, nn.Linear)][:-1]:
            layer.bias.fill_(bias)
    return model


# --- why_zero ------------------------------------------------------------------------------------


def test_a_dead_relu_layer_is_named_with_its_input_and_stops_the_gradient():
    model = relu_net(bias=-5.0)
    with record(model) as recording:
        loss = cross_entropy(model(Tensor(X)), Y)
    found = why_zero(model.layers[0].weight, loss, recording)
    assert found.state == "zero"
    (cause,) = [c for c in found.causes if c.blocking]
    assert cause.where == "layers.5 (ReLU)" and cause.kind == "dead"
    assert cause.numbers == {"max_input": -5.0, "units": 16, "of": 16, "examples": 120}
    assert "relu input at most -5 on all 120 examples: 16 of 16 units dead" in str(found)


def test_a_saturated_sigmoid_is_named_with_its_input():
    x = Tensor(41.0, requires_grad=True)
    found = why_zero(x, (x * 1.0).sigmoid())
    (cause,) = found.causes
    assert cause.kind == "saturated" and cause.blocking
    assert cause.message == "sigmoid input 41: saturated unit"


def test_a_long_chain_of_sigmoids_is_explained_as_a_product_of_their_derivatives():
    x = Tensor(0.5, requires_grad=True)
    y = x
    for _ in range(18):
        y = y.sigmoid()
    found = why_zero(x, y, threshold=1e-8)
    (cause,) = found.causes
    assert cause.kind == "product" and not cause.blocking
    assert cause.numbers["ops"] == 18 and cause.numbers["bound"] == 0.25
    assert cause.numbers["product"] == pytest.approx(found.relative)  # the factors telescope
    assert "product of 18 Sigmoid derivatives, each at most 0.25" in cause.message


def test_a_healthy_gradient_is_reported_as_such_with_no_causes():
    x = Tensor([0.5, -0.2], requires_grad=True)
    found = why_zero(x, (x * 2.0).tanh().sum())
    assert found.state == "ok" and found.causes == []
    assert "no op on the way has a zero or tiny derivative" in str(found)


def test_units_dead_in_one_layer_are_reported_and_the_walk_goes_on_past_them():
    model = relu_net()
    with no_grad():
        model.layers[2].weight[:4] = 0.0
        model.layers[2].bias[:4] = -1.0  # 4 of 16 units of the second hidden layer dead
    with record(model) as recording:
        loss = cross_entropy(model(Tensor(X)), Y)
    causes = [c for c in why_zero(model.layers[0].weight, loss, recording).causes if c.kind == "dead"]
    second = [c for c in causes if c.where == "layers.3 (ReLU)"]
    assert second and second[0].numbers["units"] >= 4 and not second[0].blocking


def test_why_zero_walks_a_graph_of_any_depth_without_recursion():
    x = Tensor([2.0, 3.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y + 0.0
    found = why_zero(x, (y - 10.0).relu().sum())
    assert [c.kind for c in found.causes] == ["dead"]


def test_why_zero_needs_the_graph_and_a_tensor_that_led_to_the_root():
    x = Tensor([1.0], requires_grad=True)
    loss = (x * 2.0).sum()
    with pytest.raises(ValueError, match="did not lead to the root"):
        why_zero(Tensor([1.0], requires_grad=True), loss)
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        why_zero(x, loss)


# --- diagnose ------------------------------------------------------------------------------------


def test_diagnose_finds_the_vanishing_layers_of_a_deep_sigmoid_stack():
    model = nn.MLP([2] + [16] * 12 + [3], activation="sigmoid", init="xavier_uniform", rng=0)
    report = diagnose(model, Tensor(X), Y, cross_entropy)
    (finding,) = report.findings
    assert finding.kind == "vanishing" and "layers.0" in finding.layers
    assert finding.numbers["ratio"] < 1e-6
    assert finding.numbers["derivative_max"] <= 0.25 and finding.numbers["activation_layers"] == 12
    assert "residual connections" in finding.remedies
    assert "Sigmoid" in finding.message and "at most 0.25" in finding.message


def test_diagnose_finds_the_dead_layers():
    report = diagnose(relu_net(bias=-5.0), Tensor(X), Y, cross_entropy)
    dead = {f.layers[0]: f.numbers["dead_fraction"] for f in report.findings if f.kind == "dead"}
    assert dead == {"layers.1": 1.0, "layers.3": 1.0, "layers.5": 1.0}
    assert any("leaky ReLU" in r for f in report.findings for r in f.remedies)
    assert "100 % of the ReLU units of layers.5 (hidden layer 3) are dead" in str(report)


def test_diagnose_finds_saturated_sigmoid_layers():
    model = nn.MLP([2, 16, 3], activation="sigmoid", init="normal", rng=0)
    with no_grad():
        model.layers[0].bias.fill_(20.0)
    report = diagnose(model, Tensor(X), Y, cross_entropy)
    (saturated,) = [f for f in report.findings if f.kind == "saturated"]
    assert saturated.layers == ["layers.1"] and saturated.numbers["saturated_fraction"] == 1.0
    assert "Xavier initialisation" in saturated.remedies


def test_diagnose_finds_non_finite_gradients():
    model = relu_net()
    with no_grad():
        model.layers[2].weight[0, 0] = np.inf
    report = diagnose(model, Tensor(X), Y, cross_entropy)
    assert [f.kind for f in report.findings][:1] == ["nonfinite"]
    assert "gradient clipping" in report.findings[0].remedies[1]


def test_diagnose_finds_nothing_to_report_on_a_healthy_network():
    report = diagnose(relu_net(), Tensor(X), Y, cross_entropy)
    assert report.findings == []
    assert "no vanishing or non-finite gradients" in str(report)


def test_diagnose_puts_the_gradients_back_and_converts_to_json():
    model = relu_net()
    cross_entropy(model(Tensor(X)), Y).backward()
    before = {name: p.grad.numpy().copy() for name, p in model.named_parameters()}
    report = diagnose(model, Tensor(X[:10]), Y[:10], cross_entropy)
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(p.grad.numpy(), before[name])
    data = json.loads(json.dumps(report.to_dict()))
    assert data["table"]["columns"][0] == "layer" and len(data["table"]["rows"]) == 4
    assert set(data["units"]) == {"layers.1", "layers.3", "layers.5"}
