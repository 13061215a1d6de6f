"""Derives the polynomial tables of minigrad/ops/normal_cdf.py; prints them as Python.

Run with mpmath installed (the dev extra): ``python docs/fit_normal_cdf.py``. Each piece is a
Chebyshev fit (mpmath.chebyfit, at 50 digits) of a smooth function of a variable y in [-1, 1],
converted to monomial coefficients in y, with the lowest degree whose maximum relative error on
the piece is below 5e-18 (a twentieth of float64's half ulp). The fitted functions, of t = |x|:

    A(s)  = (Phi(t) - 1/2) / t,        s = t^2 in [0, 1],     so Phi(-t) = 1/2 - t A(t^2)
    B(t)  = Phi(-t) e^(t^2 / 2),       t in [1, 2] and [2, 4]
    D(w)  = t Phi(-t) e^(t^2 / 2),     w = 16 / t^2 in (0, 1], t >= 4 (D(0) = 1 / sqrt(2 pi))

Each tail piece is scaled to y in [-1, 1] (A is fitted in s itself, saving two operations per
element); coefficients are printed highest degree first (for Horner's rule). The sum of
|coefficients| over the smallest value is below 2.5 on every piece, so Horner's rule in float64
adds at most a few rounding errors.
"""

import mpmath as mp

mp.mp.dps = 50
TOLERANCE = mp.mpf("5e-18")


def upper_tail_scaled(t: mp.mpf) -> mp.mpf:
    """B(t) = Phi(-t) e^(t^2 / 2) = erfcx(t / sqrt 2) / 2."""
    z = mp.mpf(t) / mp.sqrt(2)
    return mp.erfc(z) * mp.exp(z * z) / 2


def centre(s: mp.mpf) -> mp.mpf:
    if s == 0:
        return 1 / mp.sqrt(2 * mp.pi)
    t = mp.sqrt(s)
    return (mp.ncdf(t) - mp.mpf(1) / 2) / t


def far_tail(w: mp.mpf) -> mp.mpf:
    if w == 0:
        return 1 / mp.sqrt(2 * mp.pi)
    t = 4 / mp.sqrt(w)
    return t * upper_tail_scaled(t)


def fit(f, a, b, scaled=True):
    """The lowest-degree Chebyshev fit of f on [a, b] in y = (v - c) / h, c and h the centre and half-width
    (unless not ``scaled``: then in v itself, c = 0 and h = 1)."""
    c, h = ((mp.mpf(a) + b) / 2, (mp.mpf(b) - a) / 2) if scaled else (mp.mpf(0), mp.mpf(1))
    g = lambda y: f(c + h * y)  # noqa: E731
    smallest = min(abs(g(y)) for y in mp.linspace((a - c) / h, (b - c) / h, 101))
    for n in range(4, 40):
        coefficients, error = mp.chebyfit(g, [(a - c) / h, (b - c) / h], n, error=True)
        if error / smallest < TOLERANCE:
            condition = sum(abs(p) for p in coefficients) / smallest
            return c, h, coefficients, error / smallest, condition
    raise RuntimeError(f"no fit below degree 40 on [{a}, {b}]")


for name, f, a, b, scaled in [
    ("CENTRE", centre, 0, 1, False),
    ("NEAR_TAIL", upper_tail_scaled, 1, 2, True),
    ("MID_TAIL", upper_tail_scaled, 2, 4, True),
    ("FAR_TAIL", far_tail, 0, 1, True),
]:
    c, h, coefficients, error, condition = fit(f, a, b, scaled)
    print(f"# degree {len(coefficients) - 1}, relative error {mp.nstr(error, 2)}, condition {mp.nstr(condition, 3)}")
    print(f"{name} = ({mp.nstr(c, 17)}, {mp.nstr(h, 17)}, (" if scaled else f"{name} = (")
    for p in coefficients:
        print(f"    {float(p)!r},")
    print("))" if scaled else ")")
