"""nn.init: the distributions' bounds and spreads, gains, orthogonality, seeding, in-place writes."""

import math

import numpy as np
import pytest

import minigrad.nn as nn
from minigrad import Tensor
from minigrad.nn import init


def big(shape=(400, 300)):
    return nn.Parameter(np.zeros(shape))


@pytest.mark.parametrize(
    "nonlinearity, param, gain",
    [
        ("linear", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("selu", None, 0.75),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
    ],
)
def test_calculate_gain_matches_pytorch_table(nonlinearity, param, gain):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain)


def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in():
    layer = nn.Linear(400, 300, rng=0)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.numpy()).max() <= bound
        assert np.abs(p.numpy()).max() > 0.95 * bound
    assert np.std(layer.weight.numpy()) == pytest.approx(bound / math.sqrt(3), rel=0.02)


@pytest.mark.parametrize(
    "fill, std",
    [
        (lambda w: init.kaiming_normal_(w, nonlinearity="relu", rng=0), math.sqrt(2 / 300)),
        (lambda w: init.kaiming_uniform_(w, nonlinearity="relu", rng=0), math.sqrt(2 / 300)),
        (lambda w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="tanh", rng=0), (5 / 3) / math.sqrt(400)),
        (lambda w: init.xavier_normal_(w, rng=0), math.sqrt(2 / 700)),
        (lambda w: init.xavier_uniform_(w, gain=2.0, rng=0), 2 * math.sqrt(2 / 700)),
        (lambda w: init.normal_(w, 1.0, 0.5, rng=0), 0.5),
        (lambda w: init.uniform_(w, -1, 1, rng=0), 1 / math.sqrt(3)),
    ],
)
def test_initializers_have_the_documented_spread(fill, std):
    w = big()
    assert fill(w) is w
    assert np.std(w.numpy()) == pytest.approx(std, rel=0.02)


def test_uniform_initializers_stay_within_their_bound():
    w = init.xavier_uniform_(big(), rng=1)
    assert np.abs(w.numpy()).max() <= math.sqrt(6 / 700)
    w = init.kaiming_uniform_(big(), a=math.sqrt(5), rng=1)
    assert np.abs(w.numpy()).max() <= 1 / math.sqrt(300)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape):
    w = init.orthogonal_(nn.Parameter(np.zeros(shape)), gain=2.0, rng=0).numpy().reshape(shape[0], -1)
    small = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    np.testing.assert_allclose(small, 4 * np.eye(min(w.shape)), atol=1e-12)


def test_constant_zeros_and_ones():
    w = nn.Parameter(np.empty((2, 3)))
    assert np.all(init.constant_(w, 0.5).numpy() == 0.5)
    assert np.all(init.zeros_(w).numpy() == 0)
    assert np.all(init.ones_(w).numpy() == 1)


def test_same_seed_same_values_and_a_generator_moves_on():
    a, b = init.normal_(big((3, 3)), rng=5), init.normal_(big((3, 3)), rng=5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    rng = np.random.default_rng(5)
    first, second = init.normal_(big((3, 3)), rng=rng).numpy(), init.normal_(big((3, 3)), rng=rng).numpy()
    np.testing.assert_array_equal(first, a.numpy())
    assert not np.array_equal(first, second)


def test_init_writes_in_place_and_counts_the_change():
    w = nn.Parameter(np.zeros((2, 2)))
    data, loss = w.numpy(), (w * 2).sum()
    init.ones_(w)
    assert w.numpy() is data
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_init_errors_name_the_problem():
    with pytest.raises(ValueError, match="at least 2 dimensions, got shape \\(3,\\)"):
        init.xavier_uniform_(Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match="kaiming_normal_: mode must be one of 'fan_in', 'fan_out', got 'fan'"):
        init.kaiming_normal_(big(), mode="fan")
    with pytest.raises(ValueError, match="calculate_gain: nonlinearity must be one of .*, got 'swish'"):
        init.calculate_gain("swish")
