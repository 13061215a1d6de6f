"""ActivationMonitor's numbers, each equal to a direct computation on the layer's inputs."""

import json

import numpy as np
import pytest

from minigrad import Tensor, nn
from minigrad.diagnostics import ActivationMonitor
from minigrad.diagnostics.monitor import local_derivative


def summary_of(module, *batches):
    model = nn.Sequential(module)
    with ActivationMonitor(model) as monitor:
        for batch in batches:
            model(Tensor(np.asarray(batch, dtype=np.float64), requires_grad=True))
    return monitor.summary()["0"]


def test_to_dict_is_the_layers_name_kind_and_every_number_reported():
    x = np.array([[1.0, -2.0, 0.0], [3.0, -1.0, -1.0]])  # unit 0 on; unit 1 off; unit 2 at 0, then off
    stats = summary_of(nn.ReLU(), x)
    assert (stats.name, stats.family, stats.derivative_peak) == ("0", "relu", 1.0)
    expected = {
        "name": "0",
        "kind": "ReLU",
        "units": 3,
        "unit_word": "units",
        "positions": 1,
        "examples": 2,
        "dead_fraction": 2 / 3,  # ReLU'(0) = 0: a unit at 0 or below on every example is dead
        "saturated_fraction": 0.0,
        "active_fraction": 1 / 3,  # active: input > 0, so 0 is not
        "never_active_fraction": 2 / 3,
        "max_derivative": 1.0,
        "mean_derivative": 2 / 6,
    }
    assert stats.to_dict() == expected
    # the JSON file holds counts as integers
    assert json.dumps(stats.to_dict()) == json.dumps(expected)


def test_the_derivative_statistics_are_over_every_entry_of_every_batch():
    rng = np.random.default_rng(0)
    batches = [rng.normal(scale=3.0, size=(5, 4)), rng.normal(scale=3.0, size=(2, 4))]
    stats = summary_of(nn.Sigmoid(), *batches)
    local = np.concatenate([local_derivative(nn.Sigmoid(), Tensor(b)) for b in batches])
    assert (stats.examples, stats.family, stats.derivative_peak) == (7, "saturating", 0.25)
    assert stats.max_derivative == np.max(np.abs(local))
    assert stats.mean_derivative == pytest.approx(np.mean(np.abs(local)), rel=1e-15)
    # a sigmoid unit is active where its derivative is at least 1 % of the peak 1/4 (0.0025)
    np.testing.assert_array_equal(stats.active, np.mean(np.abs(local) >= 0.0025, axis=0))


def test_a_sigmoid_unit_is_active_down_to_one_percent_of_the_peak_derivative():
    # sigma'(4) = 0.0177 and sigma'(-5.9) = 0.0027 are above 0.0025; sigma'(6.2) = 0.0020 is below
    stats = summary_of(nn.Sigmoid(), [[4.0, -5.9, 6.2]])
    np.testing.assert_array_equal(stats.active, [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(stats.saturated, [False, False, True])


def test_a_one_dimensional_output_is_one_example_of_its_units():
    stats = summary_of(nn.ReLU(), [1.0, -1.0, 2.0, 0.5], [1.0, -3.0, -2.0, 0.5])
    assert (stats.examples, stats.units, stats.positions) == (2, 4, 1)
    np.testing.assert_array_equal(stats.dead, [False, True, False, False])
    np.testing.assert_array_equal(stats.active, [1.0, 0.0, 0.5, 1.0])


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 7), (2, 3, 4, 5)])
def test_a_layer_outside_both_families_has_a_state_per_unit_never_dead_nor_saturated(shape):
    x = -np.abs(np.random.default_rng(1).normal(size=shape)) - 50.0  # ELU is flat there, but never 0
    stats = summary_of(nn.ELU(), x)
    units = shape[1]  # the last axis of (N, units), axis 1 (channels) of (N, C, ...)
    assert stats.family is None and stats.units == units
    assert stats.dead.shape == stats.saturated.shape == (units,)
    np.testing.assert_array_equal(stats.dead, np.zeros(units, dtype=bool))
    np.testing.assert_array_equal(stats.saturated, np.zeros(units, dtype=bool))
    assert (stats.dead_fraction, stats.saturated_fraction, stats.active_fraction) == (0.0, 0.0, 0.0)


def test_an_empty_batch_adds_no_example_and_changes_no_number():
    x = np.array([[1.0, -2.0], [0.5, -1.0]])
    alone = summary_of(nn.ReLU(), x)
    after_empty = summary_of(nn.ReLU(), np.zeros((0, 2)), x)
    assert after_empty.to_dict() == alone.to_dict()


def test_a_layer_whose_graph_holds_its_node_is_not_run_a_second_time():
    class CountingReLU(nn.ReLU):
        calls = 0

        def forward(self, x):
            CountingReLU.calls += 1
            return super().forward(x)

    stats = summary_of(CountingReLU(), [[1.0, -1.0]])
    assert CountingReLU.calls == 1  # f'(x) came from the node's backward rule, not from a copy run again
    np.testing.assert_array_equal(stats.dead, [False, True])
