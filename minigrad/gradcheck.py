"""gradcheck: compare the gradients backward computes with central finite differences."""

from __future__ import annotations

import numpy as np

from minigrad.autograd import grad
from minigrad.tensor import Tensor


class GradcheckError(AssertionError):
    """The analytic and numeric gradients disagree."""


def _as_tuple(xs):
    return tuple(xs) if isinstance(xs, (tuple, list)) else (xs,)


def _scalar_output(fn, inputs, projection):
    """<projection, fn(inputs)>: reduces any output to the scalar whose gradient is checked."""
    out = fn(*inputs)
    return (out * projection).sum()


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True) -> bool:
    """Check ``grad`` of ``fn`` at ``inputs`` against central differences, in float64.

    The output is projected on a fixed random direction so that every output element counts.
    """
    inputs = _as_tuple(inputs)
    inputs = tuple(Tensor(x._data.astype(np.float64), requires_grad=x.requires_grad) for x in inputs)
    probe = fn(*inputs)
    projection = Tensor(np.random.default_rng(0).standard_normal(probe.shape))
    wrt = [x for x in inputs if x.requires_grad]
    analytic = grad(_scalar_output(fn, inputs, projection), wrt, allow_unused=True)
    for i, (x, g) in enumerate(zip(wrt, analytic)):
        g = np.zeros(x.shape) if g is None else g._data
        numeric = np.zeros(x.shape)
        for index in np.ndindex(x.shape):
            original = x._data[index]
            x._data[index] = original + eps
            plus = _scalar_output(fn, inputs, projection).item()
            x._data[index] = original - eps
            minus = _scalar_output(fn, inputs, projection).item()
            x._data[index] = original
            numeric[index] = (plus - minus) / (2 * eps)
        error = np.abs(g - numeric) - (atol + rtol * np.abs(numeric))
        if error.size and error.max() > 0:
            worst = np.unravel_index(np.argmax(error), error.shape)
            if raise_exception:
                raise GradcheckError(
                    f"gradcheck: input {i}, element {worst}: analytic {g[worst]!r}, numeric {numeric[worst]!r}"
                )
            return False
    return True
