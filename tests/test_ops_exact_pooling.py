"""max_pool2d and avg_pool2d to the letter, without PyTorch: every value and every gradient against a
plain loop over the windows that follows PyTorch's CPU kernel (a value wins when it is larger than
the best so far or NaN; the best starts at -inf on the window's first input), on batches of several
channels with ties, NaNs and -inf, uneven shapes, strides, paddings and dilations; float32 kept.
Written for the survivors of pooling.py's mutation run (docs/mutation.md)."""

import itertools

import numpy as np
import pytest

from minigrad import Tensor
from minigrad import functional as F


def _inputs(kernel, stride, padding, dilation, spatial):
    """(out, [(output position, [input positions of the window, padding left out])]) for one channel."""
    out = [(s + 2 * p - d * (k - 1) - 1) // t + 1 for s, k, t, p, d in zip(spatial, kernel, stride, padding, dilation)]
    windows = []
    for o in itertools.product(*map(range, out)):
        taps = itertools.product(*map(range, kernel))
        points = [tuple(oi * t - p + ki * d for oi, t, p, ki, d in zip(o, stride, padding, k, dilation)) for k in taps]
        windows.append((o, [q for q in points if all(0 <= qi < s for qi, s in zip(q, spatial))]))
    return out, windows


def reference_max_pool(x, g, kernel, stride, padding, dilation):
    """PyTorch's loop: y = the window's max, and g routed to the input that won it."""
    out, windows = _inputs(kernel, stride, padding, dilation, x.shape[2:])
    y, grad = np.empty(x.shape[:2] + tuple(out), dtype=x.dtype), np.zeros_like(x)
    for n, c in np.ndindex(*x.shape[:2]):
        for o, points in windows:
            best, where = -np.inf, points[0]
            for q in points:
                if x[(n, c) + q] > best or np.isnan(x[(n, c) + q]):
                    best, where = x[(n, c) + q], q
            y[(n, c) + o] = best
            grad[(n, c) + where] += g[(n, c) + o]
    return y, grad


def reference_avg_pool(x, g, kernel, stride, padding, count_include_pad, divisor_override):
    """The sum of each window's inputs over its divisor, and g / divisor to each input of the window."""
    out, windows = _inputs(kernel, stride, padding, (1, 1), x.shape[2:])
    y, grad = np.empty(x.shape[:2] + tuple(out)), np.zeros(x.shape)
    for n, c in np.ndindex(*x.shape[:2]):
        for o, points in windows:
            m = divisor_override or (np.prod(kernel) if count_include_pad else len(points))
            y[(n, c) + o] = sum(x[(n, c) + q] for q in points) / m
            for q in points:
                grad[(n, c) + q] += g[(n, c) + o] / m
    return y, grad


def some_input(seed, shape, dtype=np.float64):
    """Small integers (many ties), with a few NaNs and -infs."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=shape).astype(dtype)
    x[rng.random(shape) < 0.08] = np.nan
    x[rng.random(shape) < 0.15] = -np.inf
    return x


def assert_max_pool_is_the_reference(x, kernel, stride, padding, dilation):
    """max_pool2d's values, and its gradient routes shown by a different weight per window."""
    mine = Tensor(x, requires_grad=True)
    y = F.max_pool2d(mine, kernel, stride, padding, dilation)
    g = np.arange(1.0, y.numel() + 1).reshape(y.shape)
    y.backward(Tensor(g))
    expected_y, expected_grad = reference_max_pool(x, g, kernel, stride, padding, dilation)
    np.testing.assert_array_equal(y.numpy(), expected_y)
    np.testing.assert_array_equal(mine.grad.numpy(), expected_grad)


# (kernel, stride, padding, dilation, spatial size): uneven and asymmetric, windows overlapping or not
SETTINGS = [
    ((2, 2), (1, 1), (0, 0), (1, 1), (4, 5)),
    ((3, 2), (2, 1), (1, 1), (1, 1), (5, 4)),
    ((2, 3), (1, 2), (1, 0), (2, 1), (5, 6)),
    ((3, 3), (3, 2), (1, 1), (1, 2), (7, 6)),
    ((1, 2), (2, 3), (0, 1), (1, 1), (3, 7)),
    ((3, 1), (1, 1), (0, 0), (1, 1), (3, 2)),
]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("kernel, stride, padding, dilation, spatial", SETTINGS)
def test_max_pool_values_and_routes_are_pytorchs_on_ties_nans_and_infinities(
    seed, kernel, stride, padding, dilation, spatial
):
    x = some_input(seed, (2, 3) + spatial)
    assert_max_pool_is_the_reference(x, kernel, stride, padding, dilation)


@pytest.mark.parametrize("kernel, stride, padding, dilation, spatial", SETTINGS)
def test_max_pool_of_a_window_with_nans_routes_to_its_last_nan_in_every_channel(
    kernel, stride, padding, dilation, spatial
):
    x = some_input(5, (3, 2) + spatial)
    x[np.random.default_rng(6).random(x.shape) < 0.4] = np.nan  # most windows hold a NaN, some several
    assert_max_pool_is_the_reference(x, kernel, stride, padding, dilation)


@pytest.mark.parametrize("kernel, stride, padding, dilation, spatial", SETTINGS)
def test_max_pool_of_windows_of_minus_infinity_routes_to_their_first_input_never_the_padding(
    kernel, stride, padding, dilation, spatial
):
    x = np.full((2, 2) + spatial, -np.inf)
    x[1, 1] = some_input(7, spatial)  # one channel of ordinary values beside three of -inf
    assert_max_pool_is_the_reference(x, kernel, stride, padding, dilation)


def test_max_pool_of_an_unbatched_float32_input_keeps_float32_and_routes_as_the_batched_one():
    x = some_input(3, (2, 5, 4), np.float32)
    mine = Tensor(x, requires_grad=True)
    y = F.max_pool2d(mine, (2, 3), (2, 1), 1, 1)
    g = np.arange(1.0, y.numel() + 1, dtype=np.float32).reshape(y.shape)
    y.backward(Tensor(g))
    expected_y, expected_grad = reference_max_pool(x[None], g[None], (2, 3), (2, 1), (1, 1), (1, 1))
    assert y.dtype == np.float32 and mine.grad.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), expected_y[0])
    np.testing.assert_array_equal(mine.grad.numpy(), expected_grad[0])


@pytest.mark.parametrize("count_include_pad, divisor_override", [(True, None), (False, None), (True, 5), (False, 3)])
@pytest.mark.parametrize("kernel, stride, padding, _, spatial", SETTINGS)
def test_avg_pool_values_and_gradients_are_the_windows_means(
    kernel, stride, padding, _, spatial, count_include_pad, divisor_override
):
    x = np.random.default_rng(8).integers(-9, 10, size=(2, 3) + spatial).astype(float)
    mine = Tensor(x, requires_grad=True)
    y = F.avg_pool2d(mine, kernel, stride, padding, False, count_include_pad, divisor_override)
    g = np.random.default_rng(9).standard_normal(y.shape)
    y.backward(Tensor(g))
    expected_y, expected_grad = reference_avg_pool(x, g, kernel, stride, padding, count_include_pad, divisor_override)
    np.testing.assert_allclose(y.numpy(), expected_y, rtol=1e-15, atol=0)
    np.testing.assert_allclose(mine.grad.numpy(), expected_grad, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool_of_an_unbatched_float32_input_keeps_float32(count_include_pad):
    x = np.random.default_rng(10).standard_normal((2, 5, 4)).astype(np.float32)
    mine = Tensor(x, requires_grad=True)
    y = F.avg_pool2d(mine, 3, 2, 1, False, count_include_pad)
    g = np.random.default_rng(11).standard_normal(y.shape).astype(np.float32)
    y.backward(Tensor(g))
    expected_y, expected_grad = reference_avg_pool(
        x[None].astype(float), g[None].astype(float), (3, 3), (2, 2), (1, 1), count_include_pad, None
    )
    assert y.dtype == np.float32 and mine.grad.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), expected_y[0], rtol=1e-6)
    np.testing.assert_allclose(mine.grad.numpy(), expected_grad[0], rtol=1e-6)


@pytest.mark.parametrize("kernel, stride, padding, dilation, spatial", SETTINGS)
def test_the_reference_loops_are_pytorchs(kernel, stride, padding, dilation, spatial):
    torch = pytest.importorskip("torch")
    x = some_input(4, (2, 3) + spatial)
    x[0, :2] = -np.inf
    x[1, 1][np.random.default_rng(12).random(spatial) < 0.4] = np.nan
    theirs = torch.tensor(x, requires_grad=True)
    y = torch.nn.functional.max_pool2d(theirs, kernel, stride, padding, dilation)
    g = np.arange(1.0, y.numel() + 1).reshape(y.shape)
    y.backward(torch.tensor(g))
    expected_y, expected_grad = reference_max_pool(x, g, kernel, stride, padding, dilation)
    np.testing.assert_array_equal(y.detach().numpy(), expected_y)
    np.testing.assert_array_equal(theirs.grad.numpy(), expected_grad)
    x = np.random.default_rng(8).integers(-9, 10, size=(2, 3) + spatial).astype(float)
    for count_include_pad, divisor_override in [(True, None), (False, None), (False, 3)]:
        theirs = torch.tensor(x, requires_grad=True)
        y = torch.nn.functional.avg_pool2d(theirs, kernel, stride, padding, False, count_include_pad, divisor_override)
        g = np.random.default_rng(9).standard_normal(y.shape)
        y.backward(torch.tensor(g))
        expected_y, expected_grad = reference_avg_pool(
            x, g, kernel, stride, padding, count_include_pad, divisor_override
        )
        np.testing.assert_allclose(y.detach().numpy(), expected_y, rtol=1e-14, atol=0)
        np.testing.assert_allclose(theirs.grad.numpy(), expected_grad, rtol=1e-14, atol=1e-15)
