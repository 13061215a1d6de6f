"""The exact GELU's erf of our own (minigrad/ops/normal_cdf.py) against mpmath, in ulps.

Phi, phi, gelu = x Phi and gelu' = Phi + x phi are checked at dense grids and random draws over
the whole line: the centre, each piece's edges, the tails where Phi(x) is e^(-x^2/2) times a
smooth factor (and 1 - Phi(x) for x > 0), and past x = -37.5 where Phi underflows to
denormals and then 0. Finite differences for the first and second derivative, the limits at
inf / nan and float32 are in test_activations.py and test_activations_numerics.py (their table
has a row for the exact GELU); here are the checks that need the value to a few ulp.
"""

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad import Tensor
from minigrad import functional as F
from minigrad.ops import normal_cdf
from minigrad.ops.normal_cdf import normal_cdf_and_pdf, normal_pdf_array

mp.mp.dps = 50
SMALLEST_NORMAL = np.finfo(np.float64).tiny
# NOTE: below the smallest normal float the spacing is fixed (2^-1074), so errors are absolute there.
DENORMAL_SPACING = np.finfo(np.float64).smallest_subnormal
ULPS = 4  # Horner's rule, the split exponential and one product: a few roundings, each half an ulp


def phi_reference(v):
    return mp.ncdf(mp.mpf(float(v)))


def density_reference(v):
    return mp.npdf(mp.mpf(float(v)))


def ulps_off(got, exact, scale=None, factor=1.0, dtype=np.float64):
    """|got - exact| in units of the spacing of ``dtype``'s floats at ``scale`` (default |exact|).

    Below the smallest normal the unit is the fixed denormal spacing times ``factor``: gelu = x Phi
    multiplies the rounding of a denormal Phi by |x|, so there ``factor`` is 1 + |x|.
    """
    scale = abs(exact) if scale is None else scale
    spacing = max(float(np.spacing(dtype(scale))), factor * float(np.finfo(dtype).smallest_subnormal))
    return float(abs(mp.mpf(float(got)) - exact) / spacing)


def whole_line(rng):
    pieces = [
        np.linspace(-40, 40, 4001),  # every piece, and past the end of the tail
        rng.uniform(-1.0, 1.0, 500),  # the centre
        rng.uniform(-4.5, 4.5, 1000),  # the near and mid tails
        rng.uniform(-38.6, -36.0, 300),  # Phi near and below the smallest normal
        np.array([-1.0, 1.0, -2.0, 2.0, -4.0, 4.0]),  # the edges of the pieces
        np.nextafter(np.array([-1.0, 1.0, -2.0, 2.0, -4.0, 4.0]), 0),
        np.array([0.0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8]),
    ]
    return np.concatenate(pieces)


def test_phi_and_phi_density_are_within_a_few_ulps_over_the_whole_line():
    x = whole_line(np.random.default_rng(0))
    cdf, pdf = normal_cdf_and_pdf(x)
    worst_cdf = max(ulps_off(c, phi_reference(v)) for c, v in zip(cdf, x))
    worst_pdf = max(ulps_off(p, density_reference(v)) for p, v in zip(pdf, x))
    assert worst_cdf <= ULPS and worst_pdf <= ULPS, (worst_cdf, worst_pdf)


def test_gelu_and_its_derivative_are_within_a_few_ulps_over_the_whole_line():
    x = whole_line(np.random.default_rng(1))
    t = Tensor(x, requires_grad=True)
    y = F.gelu(t)
    y.sum().backward()
    for value, slope, v in zip(y.numpy(), t.grad.numpy(), x):
        exact = mp.mpf(float(v)) * phi_reference(v)
        exact_slope = phi_reference(v) + mp.mpf(float(v)) * density_reference(v)
        # NOTE: gelu' = Phi + x phi crosses 0 at x = -0.7518; near there its rounding is that of its terms.
        terms = phi_reference(v) + abs(mp.mpf(float(v)) * density_reference(v))
        factor = 1 + abs(v)
        assert ulps_off(value, exact, factor=factor) <= ULPS, (v, value, exact)
        assert ulps_off(slope, exact_slope, scale=terms, factor=factor) <= ULPS, (v, slope, exact_slope)


@given(st.floats(-45, 45))
def test_phi_at_any_float_of_the_line_is_within_a_few_ulps(v):
    cdf, pdf = normal_cdf_and_pdf(np.array([v]))
    assert ulps_off(cdf[0], phi_reference(v)) <= ULPS
    assert ulps_off(pdf[0], density_reference(v)) <= ULPS


def test_the_left_tail_is_exact_where_one_plus_erf_would_cancel_to_zero():
    # 0.5 (1 + erf(x / sqrt 2)) is 0 below x = -8.3 in float64; erfc keeps every digit.
    x = np.array([-9.0, -20.0, -30.0, -37.0])
    cdf, _ = normal_cdf_and_pdf(x)
    for c, v in zip(cdf, x):
        assert c > 0 and ulps_off(c, phi_reference(v)) <= ULPS


def test_phi_underflows_to_denormals_then_to_zero_past_the_end_of_the_tail():
    x = np.array([-37.6, -38.4, -38.5, -39.0, -40.0, -1e3, -1e308, -np.inf])
    cdf, pdf = normal_cdf_and_pdf(x)
    assert 0 < cdf[0] < SMALLEST_NORMAL and 0 < cdf[1] < SMALLEST_NORMAL
    assert np.all(cdf[3:] == 0) and np.all(pdf[3:] == 0)
    for c, v in zip(cdf, x[:3]):
        assert ulps_off(c, phi_reference(v)) <= ULPS


def test_the_exponential_is_split_so_that_x_squared_does_not_round_away_digits():
    t = np.array([5.3, 12.7, 26.3, 37.9])
    naive = np.exp(-0.5 * t * t)
    split = normal_cdf.exp_half_square(t)
    exact = [mp.exp(-(mp.mpf(float(v)) ** 2) / 2) for v in t]
    assert max(ulps_off(s, e) for s, e in zip(split, exact)) <= 2
    assert max(ulps_off(n, e) for n, e in zip(naive, exact)) > 10  # what the split is for


def test_arrays_larger_than_a_block_give_the_same_values_as_each_entry_alone():
    x = np.random.default_rng(2).normal(0, 5, normal_cdf.BLOCK * 2 + 7)
    cdf, pdf = normal_cdf_and_pdf(x)
    probes = [0, normal_cdf.BLOCK - 1, normal_cdf.BLOCK, normal_cdf.BLOCK * 2 + 6]
    for i in probes:
        alone = normal_cdf_and_pdf(x[i : i + 1])
        assert (cdf[i], pdf[i]) == (alone[0][0], alone[1][0])


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (0, 4)])
def test_shapes_and_dtypes_are_kept(shape):
    for dtype in (np.float64, np.float32):
        x = np.full(shape, -1.5, dtype)
        cdf, pdf = normal_cdf_and_pdf(x)
        assert cdf.shape == pdf.shape == shape and cdf.dtype == pdf.dtype == dtype
        assert normal_pdf_array(x).shape == shape and normal_pdf_array(x).dtype == dtype


def test_a_strided_view_is_read_as_its_values():
    x = np.linspace(-6, 6, 24).reshape(4, 6).T[::2]
    cdf, _ = normal_cdf_and_pdf(x)
    assert np.array_equal(cdf, normal_cdf_and_pdf(np.ascontiguousarray(x))[0])


def test_float32_gelu_is_float32_rounding_of_the_exact_value():
    x = np.linspace(-14, 6, 2001).astype(np.float32)
    t = Tensor(x, requires_grad=True)
    y = F.gelu(t)
    y.sum().backward()
    assert y.dtype == t.grad.dtype == np.float32
    for value, slope, v in zip(y.numpy(), t.grad.numpy(), x):
        exact = mp.mpf(float(v)) * phi_reference(v)
        exact_slope = phi_reference(v) + mp.mpf(float(v)) * density_reference(v)
        terms = phi_reference(v) + abs(mp.mpf(float(v)) * density_reference(v))
        factor = 1 + abs(float(v))
        # NOTE: Phi and phi are rounded to float32 before the float32 products: one more rounding.
        assert ulps_off(value, exact, factor=factor, dtype=np.float32) <= 2, v
        assert ulps_off(slope, exact_slope, scale=terms, factor=factor, dtype=np.float32) <= 2, v


def test_extremes_give_limits_without_a_warning():
    x = Tensor([-np.inf, -1e308, -1e5, 1e5, 1e308, np.inf], requires_grad=True)
    with np.errstate(all="raise", under="ignore"):
        y = F.gelu(x)
        (slope,) = minigrad.grad(y.sum(), x, create_graph=True)
        (curvature,) = minigrad.grad(slope.sum(), x)
    assert y.numpy().tolist() == [0.0, 0.0, 0.0, 1e5, 1e308, np.inf]
    assert slope.numpy().tolist() == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    assert curvature.numpy().tolist() == [0.0] * 6


def test_nan_gives_nan():
    cdf, pdf = normal_cdf_and_pdf(np.array([np.nan, 0.5, -np.nan]))
    assert np.isnan(cdf[[0, 2]]).all() and np.isnan(pdf[[0, 2]]).all() and cdf[1] > 0.5


def test_third_derivative_is_phi_times_x_cubed_minus_4x():
    # gelu'' = (2 - x^2) phi, so gelu''' = (x^3 - 4x) phi: through NormalPDF's own backward.
    x = Tensor([-6.0, -2.0, -0.5, 0.0, 0.7, 3.0], requires_grad=True)
    (first,) = minigrad.grad(F.gelu(x).sum(), x, create_graph=True)
    (second,) = minigrad.grad(first.sum(), x, create_graph=True)
    (third,) = minigrad.grad(second.sum(), x)
    for got, v in zip(third.numpy(), x.numpy()):
        v = mp.mpf(float(v))
        assert float(got) == pytest.approx(float((v**3 - 4 * v) * mp.npdf(v)), rel=1e-13, abs=1e-300)


def test_second_derivative_matches_central_differences_of_the_first():
    x = np.linspace(-7, 7, 57)
    t = Tensor(x, requires_grad=True)
    (first,) = minigrad.grad(F.gelu(t).sum(), t, create_graph=True)
    (second,) = minigrad.grad(first.sum(), t)
    h = 1e-5

    def slope(v):
        s = Tensor(v, requires_grad=True)
        F.gelu(s).sum().backward()
        return s.grad.numpy()

    np.testing.assert_allclose(second.numpy(), (slope(x + h) - slope(x - h)) / (2 * h), rtol=1e-6, atol=1e-9)
