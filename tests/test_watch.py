"""diagnostics.watch: what it records is what happened, it changes nothing, and it refuses bad arguments."""

import copy
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from minigrad import Tensor, nn, optim
from minigrad.diagnostics import ActivationMonitor, Histogram, Recording, watch
from minigrad.diagnostics.recording import histograms, update_ratio
from minigrad.losses import cross_entropy

X = np.random.default_rng(0).normal(size=(16, 3))
Y = np.arange(16) % 2


def make_model(activation=nn.ReLU):
    return nn.Sequential(
        nn.Linear(3, 6, rng=0), activation(), nn.Linear(6, 6, rng=1), activation(), nn.Linear(6, 2, rng=2)
    )


def train(model, opt, steps, on_step=None):
    for _ in range(steps):
        opt.zero_grad()
        cross_entropy(model(Tensor(X)), Y).backward()
        if on_step:
            on_step("before")
        opt.step()
        if on_step:
            on_step("after")


@pytest.mark.parametrize(
    "make_opt",
    [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda ps: optim.Adam(ps, lr=1e-2),
        lambda ps: optim.AdamW(ps, lr=1e-2, weight_decay=0.1),
    ],
    ids=["sgd-momentum-decay", "adam", "adamw"],
)
def test_the_update_ratio_and_grad_norm_are_those_of_the_actual_step_and_the_model_is_untouched(make_opt):
    watched, plain = make_model(), make_model()
    opt_watched, opt_plain = make_opt(list(watched.parameters())), make_opt(list(plain.parameters()))
    names = [name for name, _ in plain.named_parameters()]
    expected_ratio, expected_norm, before = {n: [] for n in names}, {n: [] for n in names}, {}

    def measure(when):
        for name, p in plain.named_parameters():
            if when == "before":
                before[name] = p.numpy().copy()
                expected_norm[name].append(float(np.sqrt(np.sum(p.grad.numpy() ** 2))))
            else:
                b = before[name]
                change, spread = np.std(p.numpy() - b), np.std(b)
                expected_ratio[name].append(math.log10(change / spread) if spread else math.nan)

    with watch(watched, optimizer=opt_watched) as recording:
        train(watched, opt_watched, 4)
    train(plain, opt_plain, 4, measure)
    assert recording.steps == [0, 1, 2, 3]
    for name in names:
        np.testing.assert_allclose(recording.update_ratio[name], expected_ratio[name], rtol=1e-12)
        np.testing.assert_allclose(recording.grad_norm[name], expected_norm[name], rtol=1e-12)
    # the model, its gradients and the optimiser's state are exactly those of the unwatched run
    for (name, p), q in zip(watched.named_parameters(), plain.parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=name)
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy(), err_msg=name)
    for p, q in zip(watched.parameters(), plain.parameters()):
        for key, value in opt_watched.state[p].items():
            np.testing.assert_array_equal(value, opt_plain.state[q][key])


def test_histograms_are_those_of_the_layer_output_and_of_the_gradient_that_reached_it():
    model = make_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    outputs, grads = {}, {}

    def keep(name):
        def hook(module, inputs, output):
            outputs[name] = output.numpy().copy()
            output.register_hook(lambda g: grads.__setitem__(name, g.numpy().copy()))

        return hook

    for name in ("1", "3"):
        model[int(name)].register_forward_hook(keep(name))
    with watch(model, optimizer=opt, bins=7) as recording:
        train(model, opt, 1)
    assert recording.layers == ["1", "3"]
    for name in ("1", "3"):
        activation, gradient = recording.activations[name][0], recording.gradients[name][0]
        counts, edges = np.histogram(outputs[name], bins=7)
        np.testing.assert_array_equal(activation.counts, counts)
        np.testing.assert_allclose(activation.edges, edges)
        assert activation.num == 16 * 6 and activation.zeros == np.sum(outputs[name] == 0)
        np.testing.assert_allclose([activation.mean, activation.std], [outputs[name].mean(), outputs[name].std()])
        counts, edges = np.histogram(grads[name], bins=7)
        np.testing.assert_array_equal(gradient.counts, counts)
        np.testing.assert_allclose([gradient.min, gradient.max], [grads[name].min(), grads[name].max()])


def test_dead_and_saturated_shares_are_the_activation_monitors():
    relu, sigmoid = make_model(nn.ReLU), make_model(nn.Sigmoid)
    relu[0].bias._data[:3] = -100.0  # half of the first layer's units dead
    sigmoid[0].weight._data *= 100.0  # most units saturated
    for model in (relu, sigmoid):
        opt = optim.SGD(model.parameters(), lr=0.0)
        with ActivationMonitor(model) as monitor:
            model(Tensor(X))
        expected = monitor.summary()
        with watch(model, optimizer=opt) as recording:
            train(model, opt, 1)
        for name in recording.layers:
            assert recording.dead[name] == [expected[name].dead_fraction]
            assert recording.saturated[name] == [expected[name].saturated_fraction]
    assert watch_dead(relu) == 0.5


def watch_dead(model):
    opt = optim.SGD(model.parameters(), lr=0.0)
    with watch(model, optimizer=opt) as recording:
        train(model, opt, 1)
    return recording.dead["1"][0]


def test_a_frozen_layer_has_ratio_minus_infinity_and_a_flat_bias_none_measurable():
    model = make_model()
    first, rest = list(model[0].parameters()), list(model.parameters())[2:]
    opt = optim.SGD([{"params": first, "lr": 0.0}, {"params": rest}], lr=0.1)
    model[2].bias._data[:] = 0.0
    with watch(model, optimizer=opt) as recording:
        train(model, opt, 1)
    assert recording.update_ratio["0.weight"] == [-math.inf]
    assert math.isnan(recording.update_ratio["2.bias"][0])  # all zeros before the step: no spread
    assert recording.update_ratio["2.weight"][0] > -3
    assert recording.weights() == ["0.weight", "2.weight", "4.weight"]


def test_every_n_steps_records_steps_0_n_2n_and_hooks_nothing_in_between():
    model = make_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    hooked = []
    with watch(model, every=3, optimizer=opt) as recording:
        for _ in range(7):
            hooked.append(len(model[1]._forward_hooks))
            train(model, opt, 1)
    assert recording.steps == [0, 3, 6]
    assert hooked == [1, 0, 0, 1, 0, 0, 1]  # the watch's one hook, on recorded steps only
    assert all(len(recording.update_ratio[name]) == 3 for name in recording.parameters)


def test_a_loop_without_an_optimizer_calls_step_and_gets_the_same_recording():
    by_hook, by_hand = make_model(), make_model()
    opt = optim.SGD(by_hook.parameters(), lr=0.1)
    with watch(by_hook, every=2, optimizer=opt) as hooked:
        train(by_hook, opt, 5)
    with watch(by_hand, every=2) as manual:
        for _ in range(5):
            for p in by_hand.parameters():
                p.grad = None
            cross_entropy(by_hand(Tensor(X)), Y).backward()
            for p in by_hand.parameters():
                p._data -= 0.1 * p.grad.numpy()
            manual.step()
    assert manual.steps == hooked.steps == [0, 2, 4]
    for name in hooked.parameters:
        np.testing.assert_allclose(manual.update_ratio[name], hooked.update_ratio[name], rtol=1e-9)
        np.testing.assert_allclose(manual.grad_norm[name], hooked.grad_norm[name], rtol=1e-12)
    for name in hooked.layers:
        np.testing.assert_array_equal(manual.activations[name][1].counts, hooked.activations[name][1].counts)


def test_closing_removes_every_hook_and_a_closed_watch_refuses_steps():
    model = make_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    recording = watch(model, optimizer=opt)
    train(model, opt, 2)
    recording.close()
    train(model, opt, 2)
    assert recording.steps == [0, 1]
    assert opt._step_post_hooks == []
    assert all(not m._forward_hooks for m in model.modules())
    with pytest.raises(RuntimeError, match="Watch.step: this watch was closed"):
        recording.step()


def test_memory_is_bounded_per_step_histograms_hold_bins_not_values():
    model = nn.Sequential(nn.Linear(3, 200, rng=0), nn.Tanh())
    opt = optim.SGD(model.parameters(), lr=0.1)
    with watch(model, optimizer=opt, bins=10) as recording:
        for _ in range(3):
            opt.zero_grad()
            model(Tensor(np.ones((500, 3)))).sum().backward()
            opt.step()
    for h in recording.activations["1"] + recording.gradients["1"]:
        assert isinstance(h, Histogram) and h.counts.shape == (10,) and h.edges.shape == (11,) and h.num == 100_000


def test_a_recording_copied_is_plain_data():
    model = make_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with watch(model, optimizer=opt) as recording:
        train(model, opt, 1)
    assert "steps recorded: 1" in repr(recording)
    assert copy.deepcopy(Recording(every=1, layers=["1"], parameters=[])).dead == {"1": []}


def test_update_ratio_is_the_log_of_the_spread_of_the_change():
    rng = np.random.default_rng(1)
    before = rng.normal(size=(20, 20))
    after = before + 1e-3 * rng.normal(size=(20, 20))
    assert update_ratio(before, after) == pytest.approx(math.log10(np.std(after - before) / np.std(before)))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(model="net"), TypeError, "watch: model must be a minigrad Module, got str"),
        (dict(every=0), ValueError, "watch: every must be an integer >= 1, got 0"),
        (dict(every=2.5), TypeError, "watch: every must be an integer >= 1, got float 2.5"),
        (dict(every=True), TypeError, "watch: every must be an integer >= 1, got bool True"),
        (dict(bins=0), ValueError, "watch: bins must be an integer >= 1, got 0"),
        (dict(optimizer="sgd"), TypeError, "watch: optimizer must be a minigrad Optimizer or None, got str"),
        (
            dict(writer=object()),
            TypeError,
            "watch: writer must be a SummaryWriter .* got object lacking add_scalar, add_histogram_raw",
        ),
    ],
)
def test_bad_arguments_are_refused_by_name_and_nothing_is_hooked(kwargs, error, message):
    model = make_model()
    arguments = {"model": model, **kwargs}
    with pytest.raises(error, match=message):
        watch(**arguments)
    assert all(not m._forward_hooks for m in model.modules())


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.sampled_from([0.0, 0.1, 0.2, 0.3, 1 / 3, 0.7, 1.0, -2.5, 1e-9]) | st.floats(-1e3, 1e3),
        min_size=1,
        max_size=40,
    ),
    bins=st.integers(1, 13),
)
@example(values=[0.0, 5e-324], bins=1)  # a range so small that bins / range overflows
def test_a_histogram_bins_exactly_as_numpys(values, bins):
    values = np.array(values)
    h = Histogram.of(values, bins)
    counts, edges = np.histogram(values, bins=bins)
    np.testing.assert_array_equal(h.counts, counts)
    np.testing.assert_allclose(h.edges, edges)


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.sampled_from([0.0, 0.1, 1 / 3, -2.5, 1e-9, 7.0]) | st.floats(-1e3, 1e3), min_size=1, max_size=30),
        min_size=1,
        max_size=8,
    ),
    bins=st.integers(1, 13),
)
def test_histograms_of_many_rows_at_once_are_each_rows_own(rows, bins):
    groups = {}
    for row in rows:  # the rows of one length go in one 2-D array
        groups.setdefault(len(row), []).append(row)
    arrays = [np.array(group) for group in groups.values()]
    made = histograms(arrays, bins)
    alone = [Histogram.of(row, bins) for array in arrays for row in array]
    assert len(made) == len(alone) == len(rows)
    for h, expected, row in zip(made, alone, (row for array in arrays for row in array)):
        np.testing.assert_array_equal(h.counts, np.histogram(row, bins=bins)[0])
        np.testing.assert_array_equal(h.edges, expected.edges)
        assert (h.min, h.max, h.num, h.sum, h.sum_squares, h.zeros) == (
            expected.min,
            expected.max,
            expected.num,
            expected.sum,
            expected.sum_squares,
            expected.zeros,
        )


def test_a_constant_too_large_to_widen_is_refused_as_numpy_refuses_it():
    with pytest.raises(
        ValueError, match="Histogram.of: the constant 1e\\+20 is too large to centre in bins spanning 1"
    ):
        Histogram.of(np.full(3, 1e20), bins=4)
    with pytest.raises(ValueError, match="Too many bins"):
        np.histogram(np.full(3, 1e20), bins=4)


def test_a_constant_keeps_its_true_min_and_max():
    h = Histogram.of(np.zeros(5), bins=3)
    assert (h.min, h.max, h.zero_fraction, h.counts.tolist()) == (0.0, 0.0, 1.0, [0, 5, 0])


def test_a_manual_step_on_a_watch_that_has_an_optimizer_is_refused_instead_of_counted_twice():
    model = make_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with watch(model, every=2, optimizer=opt) as recording:
        train(model, opt, 1)
        with pytest.raises(
            RuntimeError, match="Watch.step: this watch counts the steps through its optimizer's step hook"
        ):
            recording.step()
        train(model, opt, 2)
    assert recording.steps == [0, 2]
