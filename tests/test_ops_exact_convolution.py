"""The convolution ops to the letter, against a reference written from the definition with loops:
y[n, o, p] = b[o] + sum over c, i of x_pad[n, (k, c), p * stride + i * dilation] w[o, c, i] (k o's group).

Values, the three first derivatives and the second derivatives (through the transposed and the
weight convolutions) at 1e-12, for 1-, 2- and 3-D inputs with strides, dilations, groups and
padding that is uneven ('same' with an even kernel) or wider than the kernel reaches; each op
computes the gradients of the inputs that require one and no other (checked with values for which
an unneeded gradient would overflow, a RuntimeWarning, which the test configuration makes an
error); float32 kept. Written for the survivors of convolution.py's mutation run (docs/mutation.md).
"""

import itertools

import numpy as np
import pytest

import minigrad as mg
from minigrad import Tensor
from minigrad import functional as F
from minigrad.ops.convolution import (
    Convolution,
    ConvolutionTranspose,
    ConvolutionWeight,
    output_size,
    pad_spatial,
    windows,
)

TOL = 1e-12


def reference(x, w, b, stride, padding, dilation, groups):
    """conv(x, w) + b by its definition, one output position and kernel offset at a time."""
    x_pad = np.pad(x, ((0, 0), (0, 0)) + tuple(padding))
    kernel = w.shape[2:]
    out = tuple((s - d * (k - 1) - 1) // t + 1 for s, k, t, d in zip(x_pad.shape[2:], kernel, stride, dilation))
    per_group, out_per_group = x.shape[1] // groups, w.shape[0] // groups
    y = np.zeros((x.shape[0], w.shape[0]) + out)
    for o, p, i in itertools.product(range(w.shape[0]), np.ndindex(out), np.ndindex(kernel)):
        k = o // out_per_group
        at = tuple(pj * t + ij * d for pj, ij, t, d in zip(p, i, stride, dilation))
        y[(slice(None), o) + p] += (
            x_pad[(slice(None), slice(k * per_group, (k + 1) * per_group)) + at] @ w[(o, slice(None)) + i]
        )
    if b is not None:
        y += b.reshape((-1,) + (1,) * len(out))
    return y


def reference_grads(x, w, g, stride, padding, dilation, groups):
    """(dL/dx, dL/dw, dL/db) for L = <g, conv(x, w) + b>, by the definition: each product's share."""
    x_pad = np.pad(x, ((0, 0), (0, 0)) + tuple(padding))
    gx_pad, gw = np.zeros_like(x_pad), np.zeros_like(w)
    per_group, out_per_group = x.shape[1] // groups, w.shape[0] // groups
    for o, p, i in itertools.product(range(w.shape[0]), np.ndindex(g.shape[2:]), np.ndindex(w.shape[2:])):
        k = o // out_per_group
        at = tuple(pj * t + ij * d for pj, ij, t, d in zip(p, i, stride, dilation))
        channels = slice(k * per_group, (k + 1) * per_group)
        gx_pad[(slice(None), channels) + at] += np.outer(g[(slice(None), o) + p], w[(o, slice(None)) + i])
        gw[(o, slice(None)) + i] += g[(slice(None), o) + p] @ x_pad[(slice(None), channels) + at]
    middle = tuple(slice(before, before + size) for (before, _), size in zip(padding, x.shape[2:]))
    return gx_pad[(slice(None), slice(None)) + middle], gw, g.sum(axis=(0,) + tuple(range(2, g.ndim)))


# (x's shape, w's shape, stride, padding pairs, dilation, groups): N, C and C_out all differ, so that
# no two axes can be swapped unnoticed.
CASES = {
    "1d_groups_stride": ((2, 4, 9), (6, 2, 3), (2,), ((1, 1),), (1,), 2),
    "1d_stride_leaves_a_remainder": ((3, 1, 10), (2, 1, 2), (3,), ((0, 0),), (2,), 1),
    "1d_padding_wider_than_the_kernel": ((2, 3, 5), (4, 3, 2), (1,), ((3, 3),), (1,), 1),
    "1d_uneven_padding": ((2, 3, 6), (4, 3, 4), (1,), ((1, 2),), (1,), 1),
    "1d_uneven_wide_padding": ((1, 2, 4), (3, 2, 2), (2,), ((0, 4),), (1,), 1),
    "2d_groups_stride_dilation": ((2, 4, 6, 7), (6, 2, 3, 2), (2, 1), ((1, 1), (0, 0)), (1, 2), 2),
    "2d_same_even_kernel": ((2, 2, 5, 6), (3, 2, 2, 4), (1, 1), ((0, 1), (1, 2)), (1, 1), 1),
    "2d_same_even_kernel_dilated": ((1, 2, 7, 6), (3, 2, 2, 3), (1, 1), ((1, 1), (2, 2)), (2, 2), 1),
    "2d_depthwise": ((2, 3, 5, 6), (6, 1, 3, 3), (2, 3), ((2, 2), (1, 1)), (1, 1), 3),
    "2d_uneven_padding_by_side": ((2, 2, 4, 5), (5, 2, 3, 2), (1, 2), ((2, 0), (0, 3)), (1, 1), 1),
    "3d": ((2, 2, 4, 5, 3), (3, 2, 2, 3, 1), (1, 2, 1), ((1, 0), (0, 1), (1, 1)), (2, 1, 1), 1),
}


def case_arrays(name, seed=0):
    x_shape, w_shape, stride, padding, dilation, groups = CASES[name]
    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])
    params = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    out = tuple(
        output_size(s, k, t, p, d) for s, k, t, p, d in zip(x_shape[2:], w_shape[2:], stride, padding, dilation)
    )
    g = rng.normal(size=(x_shape[0], w_shape[0]) + out)
    return x, w, b, g, params


def reference_of(x, w, b, params):
    return reference(x, w, b, params["stride"], params["padding"], params["dilation"], params["groups"])


def reference_grads_of(x, w, g, params):
    return reference_grads(x, w, g, params["stride"], params["padding"], params["dilation"], params["groups"])


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_a_convolution_and_its_gradients_are_the_definitions(name, with_bias):
    x, w, b, g, params = case_arrays(name)
    inputs = [Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)]
    if with_bias:
        inputs.append(Tensor(b, requires_grad=True))
    y = Convolution.apply(*inputs, **params)
    expected = reference_of(x, w, b if with_bias else None, params)
    assert y.shape == expected.shape == g.shape and y.dtype == np.float64
    np.testing.assert_allclose(y.numpy(), expected, rtol=TOL, atol=TOL)
    y.backward(Tensor(g))
    for got, want in zip(inputs, reference_grads_of(x, w, g, params)):
        assert got.grad.shape == want.shape
        np.testing.assert_allclose(got.grad.numpy(), want, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("name", CASES)
def test_the_second_derivatives_are_the_definitions(name):
    """With gx, gw the gradients of <g, conv(x, w)>, and L2 = <gx, u> + <gw, v> = <g, conv(u, w) + conv(x, v)>:
    dL2/dx = conv's input gradient for (g, v), dL2/dw = its weight gradient for (u, g), dL2/dg = conv(u, w) + conv(x, v).
    """
    x, w, _, g, params = case_arrays(name)
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=x.shape), rng.normal(size=w.shape)
    xt, wt, gt = (Tensor(a, requires_grad=True) for a in (x, w, g))
    gx, gw = mg.grad(Convolution.apply(xt, wt, **params), (xt, wt), gt, create_graph=True)
    ((gx * Tensor(u)).sum() + (gw * Tensor(v)).sum()).backward()
    np.testing.assert_allclose(xt.grad.numpy(), reference_grads_of(x, v, g, params)[0], rtol=TOL, atol=TOL)
    np.testing.assert_allclose(wt.grad.numpy(), reference_grads_of(u, w, g, params)[1], rtol=TOL, atol=TOL)
    expected_g = reference_of(u, w, None, params) + reference_of(x, v, None, params)
    np.testing.assert_allclose(gt.grad.numpy(), expected_g, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("name", ["1d_stride_leaves_a_remainder", "2d_uneven_padding_by_side", "3d"])
def test_the_transposed_and_weight_convolutions_are_the_gradients_of_a_convolution(name):
    """conv_transpose(g, w) is dL/dx and conv_weight(x, g) is dL/dw for L = <g, conv(x, w)>, each
    of the shape asked for, as ops of their own."""
    x, w, _, g, params = case_arrays(name)
    gx, gw, _ = reference_grads_of(x, w, g, params)
    x_bar = ConvolutionTranspose.apply(Tensor(g), Tensor(w), input_size=x.shape[2:], **params)
    w_bar = ConvolutionWeight.apply(Tensor(x), Tensor(g), kernel_size=w.shape[2:], **params)
    np.testing.assert_allclose(x_bar.numpy(), gx, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(w_bar.numpy(), gw, rtol=TOL, atol=TOL)


def scaled(shape, power, seed):
    """Positive values of about 10 ** power (0.5 to 1 times it): sums of them cannot cancel."""
    return np.random.default_rng(seed).uniform(0.5, 1.0, size=shape) * 10.0**power


# (the input that requires grad, and the powers of ten of x, w and the upstream gradient g): the
# gradients that are not asked for (sums of products of g with x, with w, or of g alone) overflow.
ONE_INPUT = {"x": (0, -300, 308), "w": (-300, 0, 308), "b": (100, 100, 300)}


@pytest.mark.parametrize("needs", ONE_INPUT)
@pytest.mark.parametrize("name", ["1d_groups_stride", "2d_same_even_kernel", "2d_depthwise"])
def test_a_convolution_computes_no_gradient_for_an_input_that_needs_none(name, needs):
    x_shape, w_shape = CASES[name][:2]
    _, _, _, g, params = case_arrays(name)
    powers = ONE_INPUT[needs]
    x, w, g = scaled(x_shape, powers[0], 1), scaled(w_shape, powers[1], 2), scaled(g.shape, powers[2], 3)
    b = np.ones(w_shape[0])
    inputs = {"x": Tensor(x), "w": Tensor(w), "b": Tensor(b)}
    inputs[needs].requires_grad = True
    Convolution.apply(inputs["x"], inputs["w"], inputs["b"], **params).backward(Tensor(g))
    assert [k for k, t in inputs.items() if t.grad is not None] == [needs]
    with np.errstate(over="ignore"):  # the reference computes all three
        expected = dict(zip("xwb", reference_grads_of(x, w, g, params)))[needs]
    np.testing.assert_allclose(inputs[needs].grad.numpy(), expected, rtol=TOL)


def test_without_a_bias_a_convolution_gives_one_gradient_per_input():
    x, w, _, g, params = case_arrays("2d_depthwise")
    xt = Tensor(x, requires_grad=True)
    Convolution.apply(xt, Tensor(w), **params).backward(Tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), reference_grads_of(x, w, g, params)[0], rtol=TOL, atol=TOL)


@pytest.mark.parametrize("name", ["1d_groups_stride", "2d_same_even_kernel"])
def test_float32_stays_float32_through_first_and_second_derivatives(name):
    x, w, b, g, params = case_arrays(name)
    x, w, b, g = (a.astype(np.float32) for a in (x, w, b, g))
    xt, wt, bt, gt = (Tensor(a, requires_grad=True) for a in (x, w, b, g))
    y = Convolution.apply(xt, wt, bt, **params)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), reference_of(x, w, b, params), rtol=1e-5, atol=1e-5)
    gx, gw, gb = mg.grad(y, (xt, wt, bt), gt, create_graph=True)
    assert gx.dtype == gw.dtype == gb.dtype == np.float32
    (gx.sum() + gw.sum()).backward()
    assert xt.grad.dtype == wt.grad.dtype == gt.grad.dtype == np.float32


def test_pad_spatial_pads_only_the_spatial_dimensions_with_the_value_given():
    x = np.arange(12.0).reshape(1, 2, 2, 3)
    padded = pad_spatial(x, ((1, 0), (2, 1)), value=-1.0)
    np.testing.assert_array_equal(padded, np.pad(x, ((0, 0), (0, 0), (1, 0), (2, 1)), constant_values=-1.0))
    assert pad_spatial(x, ((0, 0), (0, 0))) is x
    assert pad_spatial(x.astype(np.float32), ((0, 1), (0, 0))).dtype == np.float32
    one_side = pad_spatial(x, ((0, 1), (0, 0)), value=7.0)
    np.testing.assert_array_equal(one_side, np.pad(x, ((0, 0), (0, 0), (0, 1), (0, 0)), constant_values=7.0))


def test_functional_conv2d_with_same_padding_and_an_even_kernel_matches_the_definition():
    """PyTorch's 'same': the odd zero of the total padding goes after."""
    x, w, b, g, params = case_arrays("2d_same_even_kernel")
    xt = Tensor(x, requires_grad=True)
    y = F.conv2d(xt, Tensor(w), Tensor(b), padding="same")
    np.testing.assert_allclose(y.numpy(), reference_of(x, w, b, params), rtol=TOL, atol=TOL)
    y.backward(Tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), reference_grads_of(x, w, g, params)[0], rtol=TOL, atol=TOL)


# NOTE: with x alone, w alone or g alone requiring grad, L2 depends on none of them (nothing to check).
@pytest.mark.parametrize("needs", ["xw", "xg", "wg", "xwg"])
@pytest.mark.parametrize("name", ["1d_groups_stride", "2d_uneven_padding_by_side"])
def test_second_derivatives_reach_exactly_the_inputs_that_require_grad(name, needs):
    """gx, gw: the first derivatives of <g, conv(x, w)> asked for (those of x and w if they require
    grad), L2 = <gx, u> + <gw, v>. Each of x, w, g that requires grad gets L2's gradient by the
    definition; the others get none."""
    x, w, _, g, params = case_arrays(name)
    rng = np.random.default_rng(2)
    u, v = rng.normal(size=x.shape), rng.normal(size=w.shape)
    xt, wt, gt = (Tensor(a, requires_grad=key in needs) for a, key in zip((x, w, g), "xwg"))
    asked = [t for t in (xt, wt) if t.requires_grad]
    firsts = mg.grad(Convolution.apply(xt, wt, **params), asked, gt, create_graph=True)
    weights = {id(xt): u, id(wt): v}
    loss = sum((first * Tensor(weights[id(t)])).sum() for t, first in zip(asked, firsts))
    loss.backward()
    expected = {"x": None, "w": None, "g": None}
    if wt.requires_grad:  # <gw, v> = <g, conv(x, v)>
        expected["x"] = reference_grads_of(x, v, g, params)[0]
        expected["g"] = reference_of(x, v, None, params)
    if xt.requires_grad:  # <gx, u> = <g, conv(u, w)>
        expected["w"] = reference_grads_of(u, w, g, params)[1]
        expected["g"] = reference_of(u, w, None, params) + (0 if expected["g"] is None else expected["g"])
    for key, t in zip("xwg", (xt, wt, gt)):
        want = expected[key] if t.requires_grad else None
        if want is None:
            assert t.grad is None, key
        else:
            np.testing.assert_allclose(t.grad.numpy(), want, rtol=TOL, atol=TOL, err_msg=key)


def test_second_derivatives_through_a_constant_upstream_gradient_compute_none_for_it():
    """The usual double backward: the upstream gradient g is a constant, so the gradients of L2 in g
    (conv(u, w) + conv(x, v), which overflow for these values) are never computed; those in x and
    w (of about 1e-100) are the definitions."""
    x_shape, w_shape = CASES["2d_groups_stride_dilation"][:2]
    *_, g_like, params = case_arrays("2d_groups_stride_dilation")
    x, w, g = scaled(x_shape, 150, 1), scaled(w_shape, 150, 2), scaled(g_like.shape, -300, 3)
    u, v = scaled(x_shape, 200, 4), scaled(w_shape, 200, 5)
    xt, wt = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
    gx, gw = mg.grad(Convolution.apply(xt, wt, **params), (xt, wt), Tensor(g), create_graph=True)
    ((gx * Tensor(u)).sum() + (gw * Tensor(v)).sum()).backward()
    np.testing.assert_allclose(xt.grad.numpy(), reference_grads_of(x, v, g, params)[0], rtol=TOL)
    np.testing.assert_allclose(wt.grad.numpy(), reference_grads_of(u, w, g, params)[1], rtol=TOL)


def test_each_convolution_op_keeps_float32():
    x, w, _, g, params = case_arrays("2d_uneven_padding_by_side")
    x, w, g = (Tensor(a.astype(np.float32)) for a in (x, w, g))
    assert Convolution.apply(x, w, **params).dtype == np.float32
    assert ConvolutionTranspose.apply(g, w, input_size=x.shape[2:], **params).dtype == np.float32
    assert ConvolutionWeight.apply(x, g, kernel_size=w.shape[2:], **params).dtype == np.float32


def test_the_windows_view_is_read_only_so_a_write_cannot_change_the_input_it_shares():
    """Overlapping windows share the input's memory: a write into one would change the input and
    every other window holding that element; the view refuses it."""
    x = np.arange(6.0).reshape(1, 1, 6)
    view = windows(x, kernel=(3,), stride=(1,), dilation=(1,))
    with pytest.raises(ValueError, match="read-only"):
        view[0, 0, 0, 2] = -1.0
    np.testing.assert_array_equal(x, np.arange(6.0).reshape(1, 1, 6))
