"""max_pool2d, avg_pool2d and flatten: first and second derivatives against central differences under
Hypothesis; max pooling's ties, NaNs and -inf routed where PyTorch routes them; PyTorch's values and gradients."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import Tensor
from minigrad import functional as F
from minigrad.ops.pooling import window_counts


@st.composite
def pool_case(draw, dilated=True):
    """A pooling call that fits: (x, kernel, stride or None, padding, dilation), the padding at most half the kernel."""
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2)) if dilated else (1, 1)
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    stride = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    sizes = tuple(
        max(d * (k - 1) + 1 - 2 * p, 1) + draw(st.integers(0, 3)) for k, d, p in zip(kernel, dilation, padding)
    )
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + sizes
    # NOTE: a dilated window may hold only padding: minigrad refuses it (PyTorch writes out of bounds).
    assume(window_counts(sizes, kernel, stride or kernel, tuple((p, p) for p in padding), dilation).all())
    # NOTE: distinct values, at least 0.1 apart: no ties, so max pooling is differentiable at every draw.
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.permutation(np.prod(shape)).reshape(shape) / 10 - 1
    return x, kernel, stride, padding, dilation


@settings(max_examples=25)
@given(pool_case())
def test_max_pool_first_and_second_derivatives_match_finite_differences(case):
    x, kernel, stride, padding, dilation = case
    fn = lambda x: F.max_pool2d(x, kernel, stride, padding, dilation)  # noqa: E731
    assert mg.gradcheck(fn, Tensor(x, requires_grad=True), eps=1e-3)
    assert mg.gradgradcheck(fn, Tensor(x, requires_grad=True), eps=1e-3)


@settings(max_examples=25)
@given(pool_case(dilated=False), st.booleans(), st.sampled_from([None, 1, 5]))
def test_avg_pool_first_and_second_derivatives_match_finite_differences(case, count_include_pad, divisor):
    x, kernel, stride, padding, _ = case
    fn = lambda x: F.avg_pool2d(x, kernel, stride, padding, False, count_include_pad, divisor)  # noqa: E731
    assert mg.gradcheck(fn, Tensor(x, requires_grad=True))
    assert mg.gradgradcheck(fn, Tensor(x, requires_grad=True))


def test_max_pool_routes_the_gradient_to_each_windows_arg_max_and_sums_over_overlapping_windows():
    x = Tensor([[[[1.0, 2.0, 0.0], [0.0, 9.0, 0.0], [3.0, 0.0, 4.0]]]], requires_grad=True)
    y = F.max_pool2d(x, 2, stride=1)
    np.testing.assert_array_equal(y.numpy(), [[[[9.0, 9.0], [9.0, 9.0]]]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0, 0, 0], [0, 4, 0], [0, 0, 0]]]])  # the 9 wins all 4 windows


def test_avg_pool_spreads_the_gradient_evenly_and_leaves_out_the_padding_when_asked():
    x = Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    y = F.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False)
    np.testing.assert_array_equal(y.numpy(), np.ones((1, 1, 3, 3)))  # every window's mean of ones is 1
    y.sum().backward()
    # each input is in 4 windows, holding 1 (corner), 2 (edge) or 4 (centre) inputs
    np.testing.assert_array_equal(x.grad.numpy(), np.full((1, 1, 2, 2), 1 + 1 / 2 + 1 / 2 + 1 / 4))
    counted = F.avg_pool2d(Tensor(np.ones((1, 1, 2, 2))), 2, stride=1, padding=1)  # the zeros count: sum / 4
    np.testing.assert_array_equal(counted.numpy()[0, 0], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])


def test_flatten_merges_the_dimensions_it_is_given_and_reshapes_the_gradient_back():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    assert F.flatten(x).shape == (24,)
    assert F.flatten(x, 0, 1).shape == (6, 4)
    assert F.flatten(x, -2).shape == (2, 12)
    assert F.flatten(Tensor(3.0)).shape == (1,)
    (F.flatten(x, 1) * Tensor(np.arange(12.0))).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.broadcast_to(np.arange(12.0).reshape(3, 4), (2, 3, 4)))


TIES = {
    "plateaus of equal values": np.array([[3, 3, 1, 3], [3, 2, 3, 3], [0, 3, 3, 1], [3, 1, 3, 3]], dtype=float),
    "NaNs among the values": np.array([[np.nan, 1, np.nan], [5, 5, 2], [3, np.nan, 3]]),
    "-inf everywhere": np.full((3, 3), -np.inf),
    "-inf beside the padding": np.array([[-np.inf, -np.inf, 0], [-np.inf, 1, 1], [0, 1, 1]]),
}


@pytest.mark.parametrize("name", TIES)
@pytest.mark.parametrize(
    "kernel, stride, padding, dilation", [(2, 1, 0, 1), (2, 1, 1, 1), (3, 1, 1, 1), (2, 2, 1, 2), (3, 2, 0, 1)]
)
def test_max_pool_ties_go_where_pytorch_sends_them(name, kernel, stride, padding, dilation):
    torch = pytest.importorskip("torch")
    x = TIES[name][None, None]
    if x.shape[-1] < dilation * (kernel - 1) + 1 - 2 * padding:
        pytest.skip("the window does not fit")
    mine, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = F.max_pool2d(mine, kernel, stride, padding, dilation)
    y_torch = torch.nn.functional.max_pool2d(theirs, kernel, stride, padding, dilation)
    np.testing.assert_array_equal(y.numpy(), y_torch.detach().numpy())
    # a different weight per window: shows which one was routed where
    g = np.arange(1.0, y.numel() + 1).reshape(y.shape)
    y.backward(Tensor(g))
    y_torch.backward(torch.tensor(g))
    np.testing.assert_array_equal(mine.grad.numpy(), theirs.grad.numpy())


@settings(max_examples=25)
@given(pool_case(), st.booleans(), st.booleans())
def test_pooling_matches_pytorch_values_and_gradients(case, ties, count_include_pad):
    torch = pytest.importorskip("torch")
    x, kernel, stride, padding, dilation = case
    if ties:
        x = np.round(x)  # many equal values
    g = np.random.default_rng(0).normal(size=F.max_pool2d(x, kernel, stride, padding, dilation).shape)
    calls = [
        (F.max_pool2d, torch.nn.functional.max_pool2d, (kernel, stride, padding, dilation)),
        (F.avg_pool2d, torch.nn.functional.avg_pool2d, (kernel, stride, padding, False, count_include_pad)),
    ]
    for mine_call, torch_call, args in calls:
        mine, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, y_torch = mine_call(mine, *args), torch_call(theirs, *args)
        np.testing.assert_allclose(y.numpy(), y_torch.detach().numpy(), rtol=0, atol=1e-10)
        y.backward(Tensor(np.resize(g, y.shape)))
        y_torch.backward(torch.tensor(np.resize(g, y.shape)))
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=0, atol=1e-10)


def test_max_pool_refuses_a_window_of_padding_only():
    """PyTorch 2.13 writes out of bounds here (the process may crash): a window has no input to route to."""
    with pytest.raises(
        ValueError, match=r"max_pool2d: with dilation=2 and padding=\(1, 0\) a window .* holds only padding"
    ):
        F.max_pool2d(Tensor(np.ones((1, 1, 1, 3))), (2, 1), stride=1, padding=(1, 0), dilation=2)
