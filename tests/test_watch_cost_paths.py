"""The cheap paths of diagnostics.watch and ActivationMonitor give the numbers of the general ones.

The monitor takes each activation's local derivative from the op's backward rule on the model's own
node; the general path (autograd on a copy of the input) must give the same array, bit for bit.
"""

import numpy as np
import pytest

from minigrad import Tensor, nn, no_grad
from minigrad.diagnostics import ActivationMonitor
from minigrad.diagnostics.monitor import _differentiate, _differentiate_node
from minigrad.nn.activations import ACTIVATIONS

# NOTE: ±40 reaches the tails, where a derivative written another way would lose its digits
X = np.random.default_rng(0).normal(scale=8.0, size=(64, 5)).clip(-40, 40)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_the_derivative_from_the_models_node_is_autograds_on_a_copy(name, dtype):
    module = ACTIVATIONS[name]()
    x = Tensor(X.astype(dtype), requires_grad=True)
    y = module(x)
    from_node = _differentiate_node(x, y)
    op, expected = _differentiate(module, x)
    if name == "prelu" and dtype == np.float32:
        # a float64 weight makes the rule's gradient float64; the walk casts it back: the general path
        assert from_node is None
        return
    assert from_node is not None  # every other activation module runs one op on its input
    assert from_node[0] is op
    assert from_node[1].dtype == expected.dtype
    np.testing.assert_array_equal(from_node[1], expected)


def test_no_node_or_an_output_not_made_from_the_input_falls_back():
    x = Tensor(X, requires_grad=True)
    with no_grad():
        assert _differentiate_node(x, nn.Tanh()(x)) is None
    assert _differentiate_node(x, nn.Tanh()(x * 2.0)) is None


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_the_monitors_summary_is_the_same_with_and_without_a_graph(name):
    model = nn.Sequential(nn.Linear(5, 7, rng=0), ACTIVATIONS[name](), nn.Linear(7, 7, rng=1), ACTIVATIONS[name]())
    model[0].weight._data *= 10.0  # saturated and dead units as well as live ones
    summaries = []
    for grad_mode in (True, False):
        with ActivationMonitor(model) as monitor:
            if grad_mode:
                model(Tensor(X))
            else:
                with no_grad():
                    model(Tensor(X))
        summaries.append(monitor.summary())
    with_graph, without = summaries
    assert list(with_graph) == list(without) == ["1", "3"]
    for layer in with_graph:
        a, b = with_graph[layer], without[layer]
        for field in ("dead", "saturated", "active"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=f"{layer} {field}")
        assert (a.max_derivative, a.mean_derivative) == (b.max_derivative, b.mean_derivative)
