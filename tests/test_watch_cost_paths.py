"""The cheap paths of diagnostics.watch and ActivationMonitor give the numbers of the general ones.

The monitor takes each activation's local derivative from the op's backward rule on the model's own
node; the general path (autograd on a copy of the input) must give the same array, bit for bit. The
watch keeps its hooks on while every step is recorded, measures all update ratios at once and the
gradients' norms by NumPy's arithmetic: each must record what the one-at-a-time way recorded.
"""

import math

import numpy as np
import pytest

from minigrad import Tensor, nn, no_grad, optim
from minigrad.diagnostics import ActivationMonitor, watch
from minigrad.diagnostics.monitor import _differentiate, _differentiate_node
from minigrad.diagnostics.recording import update_ratios
from minigrad.diagnostics.watch_batch import Batch, _grad_norms
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


def make_model():
    return nn.Sequential(nn.Linear(5, 7, rng=0), nn.Tanh(), nn.Linear(7, 7, rng=1), nn.ReLU(), nn.Linear(7, 1, rng=2))


def train(model, opt, steps):
    for _ in range(steps):
        opt.zero_grad()
        (model(Tensor(X)) ** 2).mean().backward()
        opt.step()


def entry(recording, position):
    """Everything recorded at one position, as plain comparable data."""
    out = {}
    for name in recording.layers:
        for kind, histograms in (("activations", recording.activations), ("gradients", recording.gradients)):
            h = histograms[name][position]
            out[kind, name] = None if h is None else (h.edges.tolist(), h.counts.tolist(), h.min, h.max, h.sum)
        out["shares", name] = (recording.dead[name][position], recording.saturated[name][position])
    for name in recording.parameters:
        out["parameter", name] = (recording.grad_norm[name][position], recording.update_ratio[name][position])
    return out


def test_hooks_kept_on_between_recorded_steps_record_what_hooks_put_on_afresh_record():
    kept, afresh = make_model(), make_model()
    opt_kept = optim.SGD(kept.parameters(), lr=0.1, momentum=0.9)
    opt_afresh = optim.SGD(afresh.parameters(), lr=0.1, momentum=0.9)
    with watch(kept, every=1, optimizer=opt_kept) as every_step, watch(afresh, every=2, optimizer=opt_afresh) as other:
        train(kept, opt_kept, 5)
        train(afresh, opt_afresh, 5)
    assert other.steps == [0, 2, 4]
    for step in other.steps:
        np.testing.assert_equal(entry(every_step, every_step.index(step)), entry(other, other.index(step)))


def test_a_step_without_forward_or_backward_after_a_recorded_one_records_none_not_the_last():
    model = make_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with watch(model, optimizer=opt) as recording:
        train(model, opt, 1)
        opt.step()  # the same gradients again, with no forward and no backward in this step
    for name in recording.layers:
        assert recording.activations[name][1] is None and recording.gradients[name][1] is None
        assert np.isnan(recording.dead[name][1]) and np.isnan(recording.saturated[name][1])
    assert recording.grad_norm["0.weight"][1] == recording.grad_norm["0.weight"][0]


def old_update_ratio(before, after):
    """The formula as it was computed one parameter at a time (np.std, centred)."""
    spread = np.std(before)
    if spread == 0:
        return math.nan
    change = np.std(after - before)
    return math.log10(change / spread) if change > 0 else -math.inf


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_update_ratios_of_all_parameters_at_once_are_each_ones_own(dtype):
    rng = np.random.default_rng(1)
    shapes = [(3, 4), (4,), (1,), (0,), (2, 2), (5,)]
    before = [rng.normal(loc=100.0, size=s).astype(dtype) for s in shapes]  # far from 0: centring matters
    before[4][:] = 1.5  # constant: no spread
    after = [b + rng.normal(scale=1e-3, size=b.shape).astype(dtype) for b in before]
    after[5] = before[5].copy()  # unchanged
    flat = np.concatenate([b.ravel() for b in before]), np.concatenate([a.ravel() for a in after])
    got = update_ratios(*flat, np.array([b.size for b in before]))
    expected = [old_update_ratio(b, a) if b.size else math.nan for b, a in zip(before, after)]
    np.testing.assert_allclose(got, expected, rtol=1e-6 if dtype == np.float32 else 1e-12)
    assert got[5] == -math.inf and np.isnan(got[[2, 3, 4]]).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_grad_norms_of_many_steps_at_once_are_numpys_to_the_last_bit(dtype):
    values = np.random.default_rng(2).normal(size=(6, 9)).astype(dtype)
    steps = [values, values.T, values[::2, 1:], values * 3.0, values.T * 0.5]
    batch = Batch([], 3)
    for k, g in enumerate(steps):
        batch.end_step(k, np.empty(0), np.empty(0), [g, None, g[:1]])  # the shapes vary: rows and arrays aside
    norms = _grad_norms(batch)
    for g, (norm, none, first_row) in zip(steps, norms):
        assert norm == float(np.linalg.norm(g)) and none is None and first_row == float(np.linalg.norm(g[:1]))
