"""why_zero names an op outside the ReLU and sigmoid families whose derivative is tiny."""

from minigrad import Tensor
from minigrad.diagnostics import why_zero


def test_an_exponential_far_below_zero_is_named_as_a_tiny_derivative_that_stops_the_gradient():
    x = Tensor([-60.0, -70.0], requires_grad=True)
    explanation = why_zero(x, x.exp().sum())
    (cause,) = explanation.causes
    assert cause.kind == "tiny" and cause.blocking
    assert "exp derivative at most 8.8e-27" in cause.message
    assert cause.numbers["units"] == 2
