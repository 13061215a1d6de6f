"""ActivationMonitor on convolutions: the units of an N x C x H x W (or N x C x L) output are its C
channels (PyTorch's NCHW axis 1), dead or saturated only when so at every position of every example."""

import numpy as np
import pytest

from minigrad import Tensor, nn, no_grad
from minigrad.analysis.stats import UNIT_STATES, unit_states
from minigrad.diagnostics import ActivationMonitor, diagnose
from minigrad.losses import cross_entropy
from minigrad.ops.relu_family import ReLU


def three_channel_net(activation: nn.Module, biases) -> nn.Sequential:
    """Conv2d(1 -> 3, 3x3, padding 1): channel 0 sees nothing, channel 1 only the centre pixel (x10),
    channel 2 nothing; the biases decide each channel's state."""
    model = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1, rng=0), activation)
    with no_grad():
        model[0].weight.fill_(0.0)
        model[0].weight[1, 0, 1, 1] = 10.0
        model[0].bias.copy_(Tensor(biases))
    return model


def images_with_one_bright_pixel() -> np.ndarray:
    """Four black 5x5 images, the third with one white pixel at row 2, column 3."""
    x = np.zeros((4, 1, 5, 5))
    x[2, 0, 2, 3] = 1.0
    return x


def test_a_channel_is_dead_when_zero_at_every_position_of_every_example_and_alive_if_on_at_one():
    model = three_channel_net(nn.ReLU(), [-1.0, -1.0, 1.0])  # 0: off everywhere; 1: on at one pixel; 2: on everywhere
    with ActivationMonitor(model) as monitor:
        model(Tensor(images_with_one_bright_pixel()))
    stats = monitor.summary()["1"]
    assert stats.channels and stats.unit_word == "channels"
    assert (stats.units, stats.examples, stats.positions) == (3, 4, 25)
    assert stats.dead.tolist() == [True, False, False]
    np.testing.assert_allclose(stats.active, [0.0, 1 / 100, 1.0])
    assert stats.dead_fraction == pytest.approx(1 / 3) and stats.never_active_fraction == pytest.approx(1 / 3)


def test_a_channel_on_at_one_position_of_one_batch_is_alive_over_the_epoch():
    model = three_channel_net(nn.ReLU(), [-1.0, -1.0, 1.0])
    x = images_with_one_bright_pixel()
    with ActivationMonitor(model) as monitor:
        model(Tensor(x[:2]))
        assert monitor.summary()["1"].dead.tolist() == [True, True, False]  # the bright image is not seen yet
        model(Tensor(x[2:]))
    stats = monitor.summary()["1"]
    assert stats.dead.tolist() == [True, False, False] and stats.examples == 4


def test_saturated_channels_are_counted_per_channel_too():
    # sigmoid(20) has derivative ~2e-9: saturated everywhere; sigmoid(0) at its peak; channel 1 at one pixel only
    model = three_channel_net(nn.Sigmoid(), [20.0, 20.0, 0.0])
    with no_grad():
        model[0].weight[1, 0, 1, 1] = -20.0  # channel 1: 20 - 20 = 0 at the bright pixel, not saturated there
    with ActivationMonitor(model) as monitor:
        model(Tensor(images_with_one_bright_pixel()))
    stats = monitor.summary()["1"]
    assert stats.saturated.tolist() == [True, False, False] and not stats.dead.any()


def test_conv1d_outputs_have_their_channels_on_axis_1():
    model = nn.Sequential(nn.Conv1d(2, 4, 3, rng=0), nn.ReLU())
    with no_grad():
        model[0].bias.copy_(Tensor([-100.0, 0.0, 0.0, -100.0]))  # channels 0 and 3 cannot rise above zero
    with ActivationMonitor(model) as monitor:
        model(Tensor(np.random.default_rng(0).uniform(-1, 1, (5, 2, 7))))
    stats = monitor.summary()["1"]
    assert (stats.units, stats.examples, stats.positions, stats.channels) == (4, 5, 5, True)
    assert stats.dead.tolist() == [True, False, False, True]


def test_a_linear_layers_units_stay_on_the_last_axis():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU())
    with no_grad():
        model[0].bias.copy_(Tensor([-100.0, 0.0, 0.0]))
    with ActivationMonitor(model) as monitor:
        model(Tensor(np.ones((6, 2))))
    stats = monitor.summary()["1"]
    assert (stats.units, stats.examples, stats.positions, stats.channels, stats.unit_word) == (3, 6, 1, False, "units")
    assert stats.dead.tolist()[0] is True


def test_the_unit_states_of_an_image_output_are_per_channel():
    output = np.zeros((2, 3, 4, 4))
    output[1, 1, 0, 3] = 2.0
    states = unit_states(ReLU, output, (output > 0).astype(float))
    assert [UNIT_STATES[s] for s in states] == ["dead", "alive", "dead"]


def test_diagnose_reports_dead_channels_of_a_cnn_as_channels():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 3, rng=0)
    )
    with no_grad():
        model[0].bias.copy_(Tensor([-100.0, -100.0, -100.0, 0.0]))
    x = Tensor(np.random.default_rng(0).uniform(0, 1, (6, 1, 4, 4)))
    findings = diagnose(model, x, np.array([0, 1, 2, 0, 1, 2]), cross_entropy).findings
    (dead,) = [f for f in findings if f.kind == "dead"]
    assert dead.message.startswith("75 % of the ReLU channels of 1 (hidden layer 1) are dead: 3 of 4")
    assert "at every position of all 6 examples" in dead.message
