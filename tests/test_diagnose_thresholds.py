"""diagnose()'s thresholds at their boundaries: a share of dead or saturated units equal to the
threshold is reported, a ratio of gradient norms equal to the vanishing threshold is not.

The models are set by hand so that exactly one unit of four is dead (or saturated): 0.25, the
default threshold, exactly.
"""

import numpy as np
import pytest

from minigrad import Tensor, nn, no_grad
from minigrad.diagnostics import diagnose
from minigrad.losses import mse_loss

X = Tensor(np.random.default_rng(0).uniform(0.5, 1.5, (20, 2)))  # positive inputs
Y = Tensor(np.random.default_rng(1).standard_normal((20, 1)))


def one_of_four_off(activation, off_bias):
    """Linear(2, 4) -> activation -> Linear(4, 1): unit 0 gets input -(x0 + x1) + off_bias, the others
    x0 + x1 + 0.1 (small and positive)."""
    model = nn.Sequential(nn.Linear(2, 4, rng=0), activation, nn.Linear(4, 1, rng=1))
    with no_grad():
        model[0].weight.copy_(np.array([[-1.0, -1.0], [0.5, 0.5], [0.3, 0.2], [0.1, 0.4]]))
        model[0].bias.copy_(np.array([off_bias, 0.1, 0.1, 0.1]))
    return model


def kinds(report):
    return [f.kind for f in report.findings]


def test_a_relu_layer_with_exactly_the_threshold_share_of_dead_units_is_reported():
    model = one_of_four_off(nn.ReLU(), off_bias=-1.0)
    report = diagnose(model, X, Y, mse_loss)
    assert report.units["1"].dead_fraction == 0.25
    (dead,) = [f for f in report.findings if f.kind == "dead"]
    assert dead.layers == ["1"] and dead.numbers["dead_fraction"] == 0.25
    assert "1 of 4 have zero output and zero gradient on all 20 examples" in dead.message


def test_a_share_of_dead_units_just_below_the_threshold_is_not_reported():
    model = one_of_four_off(nn.ReLU(), off_bias=-1.0)
    assert "dead" not in kinds(diagnose(model, X, Y, mse_loss, dead=np.nextafter(0.25, 1.0)))
    assert "dead" in kinds(diagnose(model, X, Y, mse_loss, dead=np.nextafter(0.25, 0.0)))


def test_a_sigmoid_layer_with_exactly_the_threshold_share_of_saturated_units_is_reported():
    model = one_of_four_off(nn.Sigmoid(), off_bias=-30.0)
    report = diagnose(model, X, Y, mse_loss)
    assert report.units["1"].saturated_fraction == 0.25
    (saturated,) = [f for f in report.findings if f.kind == "saturated"]
    assert saturated.layers == ["1"] and saturated.numbers["saturated_fraction"] == 0.25
    assert "saturated" not in kinds(diagnose(model, X, Y, mse_loss, saturated=np.nextafter(0.25, 1.0)))


def test_a_saturated_layer_is_not_called_dead_nor_a_dead_one_saturated():
    assert kinds(diagnose(one_of_four_off(nn.Sigmoid(), off_bias=-30.0), X, Y, mse_loss)) == ["saturated"]
    assert kinds(diagnose(one_of_four_off(nn.ReLU(), off_bias=-1.0), X, Y, mse_loss)) == ["dead"]


def deep_tanh():
    return nn.MLP([2, 4, 4, 4, 1], activation="tanh", rng=0)


def test_a_gradient_ratio_equal_to_the_vanishing_threshold_is_not_vanishing():
    ratio = diagnose(deep_tanh(), X, Y, mse_loss).flow.ratio
    assert 0 < ratio < 1e3
    assert "vanishing" not in kinds(diagnose(deep_tanh(), X, Y, mse_loss, vanishing=ratio))
    (vanishing,) = diagnose(deep_tanh(), X, Y, mse_loss, vanishing=np.nextafter(ratio, np.inf)).findings
    assert vanishing.kind == "vanishing" and vanishing.numbers["ratio"] == ratio
    assert vanishing.numbers["weighted_layers"] == 4
    assert vanishing.numbers["per_layer"] == pytest.approx(ratio ** (1 / 3), rel=1e-12)


def test_the_vanishing_finding_names_the_layers_below_the_threshold_share_of_the_last_layers_norm():
    model = deep_tanh()
    norms = {w.layer: w.norm for w in diagnose(model, X, Y, mse_loss).flow.weights}
    last = list(norms.values())[-1]
    first = list(norms.values())[0]
    threshold = np.nextafter(first / last, np.inf)  # just above the first layer's share
    (finding,) = diagnose(model, X, Y, mse_loss, vanishing=threshold).findings
    assert finding.layers == [name for name, norm in norms.items() if norm < threshold * last]
    assert list(norms)[0] in finding.layers and list(norms)[-1] not in finding.layers
