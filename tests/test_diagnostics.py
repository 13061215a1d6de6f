"""minigrad.diagnostics: ActivationMonitor and gradient_flow against hand-made models."""

import numpy as np
import pytest

from minigrad import Tensor, nn, no_grad
from minigrad.diagnostics import ActivationMonitor, gradient_flow, local_derivative
from minigrad.losses import cross_entropy, mse_loss


def linear(n_in, n_out, weight, bias):
    layer = nn.Linear(n_in, n_out, rng=0)
    with no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(bias)
    return layer


def batch(n=50, features=3, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal((n, features)))


# --- ActivationMonitor ---------------------------------------------------------------------------


def test_a_unit_with_negative_input_on_every_example_is_dead_and_the_others_are_not():
    weight = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    model = nn.Sequential(linear(3, 3, weight, [-1.0, 0.0, 0.0]), nn.ReLU())
    with ActivationMonitor(model) as monitor:
        model(batch())
    units = monitor.summary()["1"]
    assert units.dead.tolist() == [True, False, False]
    assert units.dead_fraction == pytest.approx(1 / 3)
    assert units.examples == 50 and units.family == "relu"


def test_active_fraction_is_the_share_of_examples_with_positive_input():
    x = batch()
    model = nn.Sequential(linear(3, 3, np.eye(3), np.zeros(3)), nn.ReLU())
    with ActivationMonitor(model) as monitor:
        model(x)
    np.testing.assert_allclose(monitor.summary()["1"].active, np.mean(x.numpy() > 0, axis=0))


def test_sigmoid_units_with_large_inputs_are_saturated_and_their_derivative_stays_below_a_quarter():
    model = nn.Sequential(linear(3, 2, np.zeros((2, 3)), [50.0, 0.0]), nn.Sigmoid())
    with ActivationMonitor(model) as monitor:
        model(batch())
    units = monitor.summary()["1"]
    assert units.saturated.tolist() == [True, False]
    assert units.dead.tolist() == [False, False]
    assert units.max_derivative == pytest.approx(0.25)
    assert units.active.tolist() == [0.0, 1.0]


def test_leaky_relu_units_off_on_every_example_are_not_dead():
    model = nn.Sequential(linear(3, 2, np.zeros((2, 3)), [-1.0, -2.0]), nn.LeakyReLU())
    with ActivationMonitor(model) as monitor:
        model(batch())
    units = monitor.summary()["1"]
    assert units.dead_fraction == 0.0
    assert units.never_active_fraction == 1.0


def test_a_unit_is_dead_over_an_epoch_only_when_it_is_dead_in_every_batch():
    model = nn.Sequential(linear(1, 1, [[1.0]], [0.0]), nn.ReLU())
    monitor = ActivationMonitor(model)
    model(Tensor(-np.ones((4, 1))))
    assert monitor.summary()["1"].dead.tolist() == [True]
    model(Tensor(np.ones((4, 1))))
    epoch = monitor.end_epoch()
    assert epoch["1"].dead.tolist() == [False]
    assert epoch["1"].examples == 8 and epoch["1"].active.tolist() == [0.5]
    assert monitor.summary() == {}  # counting starts afresh
    model(Tensor(-np.ones((4, 1))))
    monitor.end_epoch()
    assert monitor.trajectory("dead_fraction") == {"1": [0.0, 1.0]}


def test_remove_unregisters_the_hooks():
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh())
    monitor = ActivationMonitor(model)
    monitor.remove()
    model(batch(features=2))
    assert monitor.summary() == {}


def test_the_monitor_finds_activations_inside_residual_blocks_in_model_order():
    model = nn.MLP([2, 4, 4, 4, 1], activation="gelu", residual=True, rng=0)
    assert ActivationMonitor(model).layers == ["layers.1", "layers.2.fn.1", "layers.3.fn.1"]


def test_the_monitor_works_under_no_grad_and_leaves_the_models_graph_alone():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 1, rng=1))
    x = batch(features=2)
    with ActivationMonitor(model) as monitor, no_grad():
        assert not model(x).requires_grad
    assert monitor.summary()["1"].examples == 50
    with ActivationMonitor(model):
        loss = mse_loss(model(x), np.zeros((50, 1)))
    loss.backward()  # the hook's own autograd pass did not disturb this one
    assert model[0].weight.grad is not None


@pytest.mark.parametrize(
    "module, derivative",
    [
        (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x)) * (1 - 1 / (1 + np.exp(-x)))),
        (nn.Tanh(), lambda x: 1 - np.tanh(x) ** 2),
        (nn.ReLU(), lambda x: (x > 0).astype(float)),
        (nn.LeakyReLU(0.1), lambda x: np.where(x > 0, 1.0, 0.1)),
    ],
)
def test_local_derivative_is_the_elementwise_derivative(module, derivative):
    x = batch()
    np.testing.assert_allclose(local_derivative(module, x), derivative(x.numpy()), atol=1e-12)


# --- gradient_flow -------------------------------------------------------------------------------


def test_gradient_flow_measures_every_parameter_gradient_in_model_order():
    model = nn.MLP([3, 4, 4, 2], activation="tanh", rng=0)
    cross_entropy(model(batch()), np.zeros(50, dtype=int)).backward()
    flow = gradient_flow(model)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    expected = [p.grad.numpy() for layer in linears for p in (layer.weight, layer.bias)]
    assert [(r.layer, r.tensor) for r in flow.rows][:2] == [("layers.0", "weight"), ("layers.0", "bias")]
    for row, g in zip(flow.rows, expected):
        assert row.norm == pytest.approx(np.linalg.norm(g))
        assert row.mean_abs == pytest.approx(np.abs(g).mean())
        assert row.max_abs == pytest.approx(np.abs(g).max())
    assert flow.ratio == pytest.approx(np.linalg.norm(expected[0]) / np.linalg.norm(expected[-2]))
    assert flow.activations == [] and np.isnan(flow.activation_ratio)


def test_with_a_monitor_gradient_flow_adds_the_gradient_that_reached_each_activation():
    model = nn.MLP([3, 4, 4, 2], activation="sigmoid", rng=0)
    outputs = {}

    def keep(module, inputs, output):
        output.retain_grad()
        outputs[module] = output

    for m in model.modules():
        if isinstance(m, nn.Sigmoid):
            m.register_forward_hook(keep)
    with ActivationMonitor(model) as monitor:
        cross_entropy(model(batch()), np.ones(50, dtype=int)).backward()
    flow = gradient_flow(model, monitor)
    assert [a.layer for a in flow.activations] == ["layers.1", "layers.3"]
    for row, output in zip(flow.activations, outputs.values()):
        assert row.norm == pytest.approx(np.linalg.norm(output.grad.numpy()))
    assert flow.activation_ratio == pytest.approx(flow.activations[0].norm / flow.activations[1].norm)
    assert flow.table().columns[0] == "layer" and len(flow.table().rows) == len(flow.rows)


def test_the_ratio_of_a_deep_sigmoid_stack_falls_with_depth():
    x, y = batch(features=2), np.zeros(50, dtype=int)
    ratios = []
    for depth in (4, 12):
        model = nn.MLP([2] + [8] * depth + [2], activation="sigmoid", init="xavier_uniform", rng=0)
        cross_entropy(model(x), y).backward()
        ratios.append(gradient_flow(model).ratio)
    assert ratios[1] < 1e-3 * ratios[0]
