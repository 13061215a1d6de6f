"""Convolutions (conv1d, conv2d) and their three ops: first and second derivatives against central
differences under Hypothesis draws of shapes, strides, paddings, dilations and groups; the
transposed and weight convolutions as the adjoints they claim to be; PyTorch's values and gradients."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import Tensor
from minigrad import functional as F
from minigrad.ops.convolution import Convolution, ConvolutionTranspose, ConvolutionWeight


@st.composite
def conv_case(draw, n_spatial=None, max_side=3):
    """A conv1d or conv2d call that fits: (x, w, b or None, stride, padding, dilation, groups)."""
    n = draw(st.sampled_from([1, 2])) if n_spatial is None else n_spatial
    groups = draw(st.integers(1, 2))
    channels, out_channels = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(n))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(n))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(n))
    # NOTE: the smallest input a window fits in, plus a few: the output has at least one position.
    sizes = tuple(
        max(d * (k - 1) + 1 - 2 * p, 1) + draw(st.integers(0, max_side)) for k, d, p in zip(kernel, dilation, padding)
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.normal(size=(draw(st.integers(1, 2)), channels) + sizes)
    w = rng.normal(size=(out_channels, channels // groups) + kernel)
    b = rng.normal(size=out_channels) if draw(st.booleans()) else None
    return x, w, b, stride, padding, dilation, groups


def conv(x, w, b, stride, padding, dilation, groups):
    function = F.conv1d if w.ndim == 3 else F.conv2d
    return function(x, w, b, stride, padding, dilation, groups)


def leaves(*arrays):
    return tuple(Tensor(a, requires_grad=True) for a in arrays if a is not None)


@settings(max_examples=30)
@given(conv_case())
def test_conv_first_and_second_derivatives_match_finite_differences(case):
    x, w, b, *params = case
    inputs = leaves(x, w, b)
    fn = lambda x, w, b=None: conv(x, w, b, *params)  # noqa: E731
    assert mg.gradcheck(fn, inputs)
    assert mg.gradgradcheck(fn, inputs)


@settings(max_examples=10)
@given(conv_case(), st.integers(0, 2**16))
def test_transpose_and_weight_convolutions_are_the_adjoints_and_their_derivatives_match(case, seed):
    """<conv(x, w), g> = <conv_transpose(g, w), x> = <conv_weight(x, g), w>; each op's own first and
    second derivatives against central differences (they are the backward of the backward)."""
    x, w, _, stride, padding, dilation, groups = case
    params = {"stride": stride, "padding": tuple((p, p) for p in padding), "dilation": dilation, "groups": groups}
    y = Convolution.apply(Tensor(x), Tensor(w), **params).numpy()
    g = np.random.default_rng(seed).normal(size=y.shape)
    x_bar = ConvolutionTranspose.apply(Tensor(g), Tensor(w), input_size=x.shape[2:], **params).numpy()
    w_bar = ConvolutionWeight.apply(Tensor(x), Tensor(g), kernel_size=w.shape[2:], **params).numpy()
    assert x_bar.shape == x.shape and w_bar.shape == w.shape
    np.testing.assert_allclose(np.vdot(x_bar, x), np.vdot(y, g), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.vdot(w_bar, w), np.vdot(y, g), rtol=1e-10, atol=1e-10)
    transpose = lambda g, w: ConvolutionTranspose.apply(g, w, input_size=x.shape[2:], **params)  # noqa: E731
    weight = lambda x, g: ConvolutionWeight.apply(x, g, kernel_size=w.shape[2:], **params)  # noqa: E731
    assert mg.gradgradcheck(transpose, leaves(g, w))
    assert mg.gradgradcheck(weight, leaves(x, g))


def test_conv2d_of_a_known_image_by_hand():
    """An edge detector [1, -1] over a step: nonzero only where the step is, and its gradient by hand."""
    x = Tensor([[[[0.0, 0.0, 1.0, 1.0]] * 2]], requires_grad=True)
    y = F.conv2d(x, Tensor([[[[1.0, -1.0]]]]), bias=Tensor([0.5]))
    np.testing.assert_array_equal(y.numpy(), [[[[0.5, -0.5, 0.5]] * 2]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[1.0, 0.0, 0.0, -1.0]] * 2]])  # 1 at the left end, -1 at the right


def test_unbatched_input_gives_the_batched_result_without_its_batch_dimension():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(2, 5, 5)), rng.normal(size=(3, 2, 3, 3))
    np.testing.assert_allclose(
        F.conv2d(x, w, padding=1).numpy(), F.conv2d(x[None], w, padding=1).numpy()[0], atol=1e-14
    )
    np.testing.assert_allclose(
        F.conv1d(x[:, 0], w[:, :, 0]).numpy(), F.conv1d(x[None, :, 0], w[:, :, 0]).numpy()[0], atol=1e-14
    )


@pytest.mark.parametrize("kernel, dilation", [((3, 2), (1, 1)), ((2, 3), (2, 1)), ((1, 4), (1, 1))])
def test_padding_same_keeps_the_size_and_valid_is_no_padding(kernel, dilation):
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(1, 2, 6, 7)), rng.normal(size=(3, 2) + kernel)
    assert F.conv2d(x, w, padding="same", dilation=dilation).shape == (1, 3, 6, 7)
    np.testing.assert_array_equal(F.conv2d(x, w, padding="valid").numpy(), F.conv2d(x, w).numpy())


def test_float32_stays_float32():
    x = Tensor(np.ones((1, 1, 4, 4), dtype=np.float32), requires_grad=True)
    w = Tensor(np.ones((2, 1, 3, 3), dtype=np.float32), requires_grad=True)
    y = F.conv2d(x, w, padding=1)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == w.grad.dtype == np.float32


@settings(max_examples=25)
@given(conv_case(max_side=4))
def test_conv_matches_pytorch_values_and_gradients(case):
    torch = pytest.importorskip("torch")
    x, w, b, stride, padding, dilation, groups = case
    mine = leaves(x, w, b)
    theirs = tuple(torch.tensor(a, requires_grad=True) for a in (x, w, b) if a is not None)
    torch_conv = torch.nn.functional.conv1d if w.ndim == 3 else torch.nn.functional.conv2d
    y_torch = torch_conv(*theirs[:2], theirs[2] if b is not None else None, stride, padding, dilation, groups)
    y = conv(*mine[:2], mine[2] if b is not None else None, stride, padding, dilation, groups)
    np.testing.assert_allclose(y.numpy(), y_torch.detach().numpy(), rtol=0, atol=1e-10)
    g = np.random.default_rng(0).normal(size=y.shape)
    y.backward(Tensor(g))
    y_torch.backward(torch.tensor(g))
    for a, t in zip(mine, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=0, atol=1e-10)
