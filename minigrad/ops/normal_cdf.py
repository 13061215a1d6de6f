"""The standard normal CDF Phi and density phi on arrays, vectorised and exact to a few ulp.

NumPy has no erf. This module computes Phi(x) = erfc(-x / sqrt 2) / 2 from polynomials, in
float64 whatever x's dtype, with the upper tail Q(t) = Phi(-t), t = |x|, in four pieces:

    t <= 1:      Q(t) = 1/2 - t A(t^2)                A(s) = (Phi(sqrt s) - 1/2) / sqrt s, entire in s
    1 <= t < 4:  Q(t) = e^(-t^2/2) B(t)               B = Q e^(t^2/2) = erfcx(t / sqrt 2) / 2, smooth
    t >= 4:      Q(t) = e^(-t^2/2) D(16 / t^2) / t    D(w) -> 1 / sqrt(2 pi) as w -> 0 (Q ~ phi / t)

and Phi(x) = Q(|x|) for x <= 0, 1 - Q(x) for x > 0 (no cancellation: Q <= 1/2); in the centre
directly Phi(x) = 1/2 + x A(x^2). The pieces follow Cephes' erf/erfc (a series near 0, erfc =
e^(-z^2) times a smooth factor outside) with polynomials instead of its rational functions: A
on s in [0, 1], B on t in [1, 2] and [2, 4], and D on w in (0, 1] are Chebyshev fits of degree
10, 15, 18 and 19 with relative error below 5e-18, derived (and re-derivable) with mpmath by
docs/fit_normal_cdf.py, and evaluated by Horner's rule (the tails' in a variable scaled to
[-1, 1]), where the coefficients' magnitudes sum to less than 2.5 times the value, so rounding
adds only a few ulp. 1/2 - t A(t^2) loses at most a factor 2.2 at t = 1. Measured against
mpmath over the whole line (tests/test_gelu_exact.py): at most 3 ulp for Phi and phi.

The factor e^(-t^2/2) is where a naive formula loses most: t^2 rounds with a relative error of
2^-53, an absolute error of t^2 2^-53 in the exponent, which becomes a relative error of
t^2 / 2 ulp in the result (350 ulp at t = 37). So t is split as t = h + l, h = t rounded to a
multiple of 1/256 (14 significant bits, so h^2 / 2 is exact below t = 64), and
e^(-t^2/2) = e^(-h^2/2) e^(-l (h + l/2)), where |l (h + l/2)| < 0.1 keeps its rounding small.
Q underflows to 0 past t = 38.5, so t is clipped at 40 (which also keeps inf and 1e308 finite).

Speed: about 25 NumPy operations per element, run on blocks of 65536 entries so that their
temporaries stay in the cache; on a (1000, 1000) array this is about as fast as SciPy's erf.
"""

from __future__ import annotations

import numpy as np

SQRT_2_PI = float(np.sqrt(2 * np.pi))
# NOTE: past t = 40, Q(t) and phi(t) are below float64's smallest denormal (e^-800): exactly 0.
TAIL_END = 40.0
GRID = 256.0  # h = round(256 t) / 256: at most 14 significant bits below t = 64, so h * h is exact
INV_SQRT_2_PI = 1 / SQRT_2_PI
BLOCK = 1 << 16  # entries per block: 512 KB per float64 temporary

# Derived by docs/fit_normal_cdf.py (its output, pasted). Tails: (centre, half-width, coefficients
# highest degree first), evaluated at (t - centre) / half-width; the centre's in s = x^2 itself.
# degree 10, relative error 2.4e-19, condition 1.4
CENTRE = (
    4.0743269774266276e-12,
    -1.106432828275589e-10,
    2.2704137585676e-09,
    -4.1224107514160815e-08,
    6.659679879655231e-07,
    -9.444655793103845e-06,
    0.00011543468751655941,
    -0.0011873282154680343,
    0.009973557010035022,
    -0.06649038006690543,
    0.3989422804014327,
)
# degree 15, relative error 5.9e-19, condition 1.56
NEAR_TAIL = (
    1.5,
    0.5,
    (
        -2.857470109382005e-14,
        2.7318452703260076e-13,
        -2.4290929900220796e-12,
        2.1929729218207426e-11,
        -1.9225735665999422e-10,
        1.6303122574947297e-09,
        -1.335014188380061e-08,
        1.0526227234016356e-07,
        -7.963919744004589e-07,
        5.757568879307192e-06,
        -3.95716819100501e-05,
        0.00025689669878750226,
        -0.001562123734564703,
        0.008796718384297977,
        -0.045135639967670324,
        0.2057806669773947,
    ),
)
# degree 18, relative error 4.2e-19, condition 1.78
MID_TAIL = (
    3.0,
    1.0,
    (
        5.390387732631262e-14,
        -3.288118782954458e-13,
        1.713977559591421e-12,
        -1.002208049236694e-11,
        5.794872720291276e-11,
        -3.254286843716046e-10,
        1.7870954518226825e-09,
        -9.590674239972648e-09,
        5.021745656942089e-08,
        -2.5615043740681613e-07,
        1.2706257720111932e-06,
        -6.11723104368456e-06,
        2.851669932987598e-05,
        -0.0001283707153328805,
        0.0005562123419752686,
        -0.002310490602586869,
        0.009156321175661819,
        -0.034400435334746175,
        0.12151394835556217,
    ),
)
# degree 19, relative error 1.8e-18, condition 1.06
FAR_TAIL = (
    0.5,
    0.5,
    (
        -4.731907660821707e-13,
        1.1350941476243237e-12,
        -4.214451067621233e-13,
        1.3457874105063295e-12,
        -9.274665422512196e-12,
        2.550494232879912e-11,
        -6.68455536224958e-11,
        2.019582208667594e-10,
        -6.410003581431336e-10,
        2.117199744202432e-09,
        -7.389703405067327e-09,
        2.750371604875076e-08,
        -1.103159207862885e-07,
        4.837852307454221e-07,
        -2.366484874569158e-06,
        1.3290919555840634e-05,
        -8.965574422905529e-05,
        0.0007856362267678925,
        -0.010557716944035437,
        0.3874929820222399,
    ),
)


def horner(coefficients: tuple[float, ...], y: np.ndarray) -> np.ndarray:
    """The polynomial with ``coefficients`` (highest degree first) at ``y``, by Horner's rule, in place.

    Examples
    --------
    >>> horner((3.0, 0.0, 1.0), np.array([0.0, 1.0, 2.0]))              # 3 y^2 + 1
    array([ 1.,  4., 13.])
    """
    total = coefficients[0] * y
    total += coefficients[1]
    for c in coefficients[2:]:
        total *= y
        total += c
    return total


def on_piece(piece: tuple[float, float, tuple[float, ...]], v: np.ndarray) -> np.ndarray:
    """The polynomial of a tail ``piece`` = (centre, half-width, coefficients) at y = (v - centre) / half-width.

    Examples
    --------
    >>> on_piece((1.0, 2.0, (3.0, 0.0, 1.0)), np.array([1.0, 3.0]))     # 3 y^2 + 1 at y = 0, 1
    array([1., 4.])
    """
    centre, half_width, coefficients = piece
    return horner(coefficients, (v - centre) / half_width)


def exp_half_square(t: np.ndarray) -> np.ndarray:
    """e^(-t^2 / 2) for 0 <= t <= 64, to about an ulp (t split as h + l, see the module's docstring).

    Examples
    --------
    >>> float(exp_half_square(np.array([37.0]))[0] / np.exp(-684.5))    # e^-684.5 exactly
    1.0
    """
    high = np.rint(t * GRID)
    high /= GRID
    low = t - high
    gauss = np.exp(-0.5 * high * high)
    gauss *= np.exp(-low * (high + 0.5 * low))
    return gauss


def normal_cdf_and_pdf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Phi(x) and phi(x) = e^(-x^2/2) / sqrt(2 pi), in x's dtype, to a few ulp on the whole line.

    Computed together because GELU's forward needs Phi and its derivative phi, from the same
    e^(-x^2/2). Finite for every input, nan for nan; Phi(-inf) = 0, Phi(inf) = 1.

    Examples
    --------
    >>> cdf, pdf = normal_cdf_and_pdf(np.array([-40.0, -1.0, 0.0, 1.0, np.inf]))
    >>> cdf
    array([0.        , 0.15865525, 0.5       , 0.84134475, 1.        ])
    >>> pdf.round(6)
    array([0.      , 0.241971, 0.398942, 0.241971, 0.      ])
    """
    x64 = np.asarray(x, dtype=np.float64).reshape(-1)
    cdf, pdf = np.empty_like(x64), np.empty_like(x64)
    # NOTE: in blocks, so that the twenty-odd temporaries of a block stay in the cache: twice as
    # fast on a (1000, 1000) array as whole-array operations, which each stream 8 MB from memory.
    for start in range(0, x64.size, BLOCK):
        block = slice(start, start + BLOCK)
        cdf[block], pdf[block] = block_cdf_and_pdf(x64[block])
    shape, dtype = np.shape(x), x.dtype
    return cdf.reshape(shape).astype(dtype, copy=False), pdf.reshape(shape).astype(dtype, copy=False)


def block_cdf_and_pdf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Phi(x) and phi(x) for a 1-d float64 array ``x`` (one block of :func:`normal_cdf_and_pdf`).

    Examples
    --------
    >>> block_cdf_and_pdf(np.array([-3.0, 0.5]))[0]
    array([0.0013499 , 0.69146246])
    """
    # NOTE: the centre's formulas run on the whole block (no gathering), clipped so that x^2 stays
    # finite; the entries with |x| > 1 (and nan) are then overwritten from the tail's formulas.
    inner = np.clip(x, -1.0, 1.0)
    square = inner * inner
    cdf = horner(CENTRE, square)
    cdf *= inner
    cdf += 0.5  # Phi(x) = 1/2 + x A(x^2)
    square *= -0.5
    pdf = np.exp(square, out=square)  # NOTE: x^2 < 1 rounds by under 2^-53 absolute: no split needed
    pdf *= INV_SQRT_2_PI
    outside = np.flatnonzero(inner != x)  # |x| > 1, and nan
    if outside.size:
        outer = x[outside]
        upper, gauss = upper_tail(np.minimum(np.abs(outer), TAIL_END))
        phi_outer = np.copysign(upper, -outer)
        phi_outer += outer > 0  # Phi(x) = Q(-x) for x < 0, 1 - Q(x) for x > 0
        cdf[outside] = phi_outer
        gauss *= INV_SQRT_2_PI
        pdf[outside] = gauss
    return cdf, pdf


def normal_pdf_array(x: np.ndarray) -> np.ndarray:
    """phi(x) = e^(-x^2/2) / sqrt(2 pi), in x's dtype, to about an ulp on the whole line.

    Examples
    --------
    >>> normal_pdf_array(np.array([0.0, 1.0, -np.inf])).round(6)
    array([0.398942, 0.241971, 0.      ])
    """
    x64 = np.asarray(x, dtype=np.float64).reshape(-1)  # flat, so that a 0-d result is an array too
    pdf = exp_half_square(np.minimum(np.abs(x64), TAIL_END))
    pdf *= INV_SQRT_2_PI
    return pdf.reshape(np.shape(x)).astype(x.dtype, copy=False)


def upper_tail(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q(t) = Phi(-t) and e^(-t^2/2) for 1 <= t <= TAIL_END (and nan), from the pieces B and D.

    Examples
    --------
    >>> upper, gauss = upper_tail(np.array([1.0, 38.0]))
    >>> upper                                            # Phi(-1), Phi(-38): a denormal
    array([1.58655254e-001, 2.88542835e-316])
    """
    gauss = exp_half_square(t)
    # NOTE: the near piece runs on every entry (most lie there), then the others overwrite theirs.
    scaled = on_piece(NEAR_TAIL, t)  # Q(t) e^(t^2/2)
    beyond = np.flatnonzero(~(t < 2))  # t >= 2, and nan: few entries, so gathered
    if beyond.size:
        t_beyond = t[beyond]
        mid = t_beyond < 4
        far = ~mid
        values = np.empty_like(t_beyond)
        values[mid] = on_piece(MID_TAIL, t_beyond[mid])
        t_far = t_beyond[far]
        values[far] = on_piece(FAR_TAIL, 16 / (t_far * t_far)) / t_far
        scaled[beyond] = values
    return gauss * scaled, gauss
