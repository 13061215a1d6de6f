"""diagnostics.watch, exactly: what a writer is sent, the steps without data, the refusals whole."""

import math

import numpy as np
import pytest

from minigrad import Tensor, nn, optim
from minigrad.diagnostics import ActivationMonitor, Histogram, Recording, watch
from minigrad.diagnostics.recording import CHUNK_VALUES, Unbinnable, histograms, update_ratio, update_ratios
from minigrad.diagnostics.watch_rows import Column
from minigrad.diagnostics.watcher import Watch


class ListWriter:
    """A SummaryWriter that keeps each call: (method, tag, arguments..., step)."""

    def __init__(self):
        self.calls = []

    def add_scalar(self, tag, value, step):
        self.calls.append(("add_scalar", tag, value, step))

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts, step):
        self.calls.append(
            ("add_histogram_raw", tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts, step)
        )


def model_and_steps(writer=None, every=1):
    """Steps 0 to 3 by hand: a full step; a forward without backward (no gradient anywhere); a full
    step on an empty batch; a full step again."""
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1), nn.ReLU())
    recording = watch(model, every=every, writer=writer)
    x = np.random.default_rng(0).normal(size=(5, 3))
    for batch, backward in ((x, True), (x, False), (x[:0], True), (x * 2, True)):
        for p in model.parameters():
            p.grad = None
        out = model(Tensor(batch))
        if backward:
            out.sum().backward()
            for p in model.parameters():
                p._data -= 0.1 * p.grad.numpy()
        recording.step()
    recording.close()
    return recording


def test_the_writer_gets_every_number_of_each_recorded_step_under_the_steps_number():
    writer = ListWriter()
    recording = model_and_steps(writer)
    expected = []
    for at, step in enumerate(recording.steps):
        for name in recording.layers:
            for kind in ("activations", "gradients"):
                h = getattr(recording, kind)[name][at]
                if h is not None and h.num:  # nothing to draw for no value
                    expected.append(
                        ("add_histogram_raw", f"{kind}/{name}", h.min, h.max, h.num, h.sum, h.sum_squares)
                        + (h.edges[1:].tolist(), h.counts.tolist(), step)
                    )
            expected.append(("add_scalar", f"dead/{name}", recording.dead[name][at], step))
            expected.append(("add_scalar", f"saturated/{name}", recording.saturated[name][at], step))
        for name in recording.parameters:
            if recording.grad_norm[name][at] is not None:
                expected.append(("add_scalar", f"grad_norm/{name}", recording.grad_norm[name][at], step))
            expected.append(("add_scalar", f"update_ratio/{name}", recording.update_ratio[name][at], step))
    got = [
        call[:7] + (call[7].tolist(), call[8].tolist(), call[9]) if call[0] == "add_histogram_raw" else call
        for call in writer.calls
    ]
    np.testing.assert_equal(got, expected)
    assert [call[-1] for call in writer.calls if call[1] == "grad_norm/0.weight"] == [0, 2, 3]
    assert [call[-1] for call in writer.calls if call[1] == "gradients/1"] == [0, 3]


def test_a_recorded_step_of_an_empty_batch_has_empty_histograms_and_no_share():
    recording = model_and_steps()
    assert recording.steps == [0, 1, 2, 3]
    for name in ("1", "3"):
        activations, gradients = recording.activations[name][2], recording.gradients[name][2]
        assert (activations.num, activations.counts.sum(), gradients.num) == (0, 0, 0)
        assert math.isnan(activations.mean) and math.isnan(activations.std) and math.isnan(activations.zero_fraction)
        assert math.isnan(recording.dead[name][2]) and math.isnan(recording.saturated[name][2])
        assert recording.gradients[name][1] is None  # no backward at step 1
        assert recording.activations[name][3].num == 5 * 4 // (1 if name == "1" else 2)
    assert recording.grad_norm["0.weight"][1] is None and recording.grad_norm["0.weight"][2] == 0.0


def test_the_refusals_of_step_are_whole_sentences():
    model = nn.Linear(2, 2, rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    with watch(model, optimizer=opt) as hooked, pytest.raises(RuntimeError) as error:
        hooked.step()
    assert str(error.value) == (
        "Watch.step: this watch counts the steps through its optimizer's step hook; call step() only"
        " in a watch made without optimizer="
    )
    closed = watch(model)
    closed.close()
    with pytest.raises(RuntimeError) as error:
        closed.step()
    assert str(error.value) == (
        "Watch.step: this watch was closed; start another with minigrad.diagnostics.watch(model)"
    )


def test_a_watch_shows_itself_as_a_watch_of_its_layers_and_parameters():
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.ReLU())
    with watch(model, every=3) as recording:
        for _ in range(4):
            model(Tensor(np.ones((1, 2)))).sum().backward()
            recording.step()
    assert repr(recording) == "Watch(every=3, steps recorded: 2, layers=['1'], parameters=['0.weight', '0.bias'])"
    assert recording.activations["1"][0].counts.size == 50  # the default bins


def test_the_recordings_lists_say_in_help_that_reading_them_measures_the_steps_taken():
    for name in ("steps", "activations", "gradients", "dead", "saturated", "grad_norm", "update_ratio"):
        assert getattr(Watch, name).__doc__ == f"The recording's ``{name}``, with every step taken so far measured."


def test_a_column_asked_for_a_step_it_does_not_hold_names_the_step():
    column = Column(4)
    column.put(0, np.zeros(2))
    with pytest.raises(KeyError) as error:
        column.at(3)
    assert error.value.args == (3,)


def test_a_constant_has_std_zero_even_where_rounding_makes_its_variance_negative():
    h = Histogram.of(np.full(3, 0.1), bins=2)
    assert h.sum_squares / h.num - h.mean**2 < 0  # -1.7e-18 by rounding
    assert (h.std, h.mean, h.zero_fraction) == (0.0, pytest.approx(0.1, rel=1e-15), 0.0)


def test_histograms_of_rows_larger_than_a_chunk_are_numpys_of_each_row():
    rng = np.random.default_rng(2)
    n = CHUNK_VALUES // 2 + 1  # one row per chunk
    singles = rng.normal(size=(2 * CHUNK_VALUES + 5, 1)) * 10  # a chunk of CHUNK_VALUES rows, twice, and 5
    groups = [rng.normal(size=(3, n)), singles, rng.normal(size=(2, 4))]
    made = histograms(groups, bins=7)
    assert len(made) == 3 + len(singles) + 2
    for h, row in zip(made[:3] + made[-2:], [*groups[0], *groups[2]]):
        counts, edges = np.histogram(row, bins=7)
        np.testing.assert_array_equal(h.counts, counts)
        assert h.counts.dtype == counts.dtype == np.int64  # counts, as np.histogram's
        assert type(h.zeros) is type(h.num) is int
        np.testing.assert_allclose(h.edges, edges, rtol=1e-15)
        assert (h.min, h.max, h.num, h.zeros) == (row.min(), row.max(), len(row), np.sum(row == 0))
        assert h.sum == pytest.approx(row.sum(), rel=1e-12, abs=1e-12)
        assert h.sum_squares == pytest.approx(row @ row, rel=1e-12)
    # one value: in the middle bin of seven spanning it plus or minus 0.5, as np.histogram puts it
    middle = np.histogram(singles[0], bins=7)[0]
    assert middle.tolist() == [0, 0, 0, 1, 0, 0, 0]
    np.testing.assert_array_equal([h.counts for h in made[3:-2]], np.tile(middle, (len(singles), 1)))
    np.testing.assert_array_equal(
        [(h.min, h.sum, h.num) for h in made[3:-2]], np.c_[singles, singles, np.ones(len(singles))]
    )
    np.testing.assert_allclose(
        [h.edges for h in made[3:-2]], singles + np.linspace(-0.5, 0.5, 8), rtol=1e-15, atol=1e-15
    )


def test_a_row_not_finite_is_refused_naming_its_value_and_every_such_row():
    groups = [np.array([[1.0, 2.0], [np.inf, 0.0]]), np.array([[3.0], [-np.inf], [np.nan]])]
    with pytest.raises(Unbinnable) as error:
        histograms(groups, bins=3)
    assert str(error.value) == "Histogram.of: values must be finite, got min 0.0, max inf"
    assert error.value.rows == [1, 3, 4]
    with pytest.raises(Unbinnable) as error:
        histograms([np.array([[0.0], [1e20], [-1e20]])], bins=3)
    assert str(error.value) == (
        "Histogram.of: the constant 1e+20 is too large to centre in bins spanning 1 (it is its own value plus or minus 0.5)"
    )
    assert error.value.rows == [1, 2]


def test_a_row_of_no_values_is_an_empty_histogram_around_zero():
    (h,) = histograms([np.zeros((1, 0))], bins=2)
    assert (h.counts.tolist(), h.edges.tolist(), h.num, h.min, h.max) == ([0, 0], [-0.5, 0.0, 0.5], 0, 0.0, 0.0)
    assert math.isnan(h.mean) and math.isnan(h.std) and math.isnan(h.zero_fraction)
    assert histograms([], bins=2) == []


def test_the_update_ratios_of_parameters_of_no_value_or_no_spread_are_nan():
    before = np.array([1.0, -1.0, 2.0, 2.0, 3.0, 5.0])
    after = before + np.array([0.1, -0.1, 0.5, 0.0, 0.0, 0.2])
    ratios = update_ratios(before, after, np.array([2, 0, 2, 2]))
    assert math.isnan(ratios[1]) and math.isnan(ratios[2])  # no value; a constant
    assert ratios[0] == pytest.approx(math.log10(np.std([0.1, -0.1]) / np.std([1.0, -1.0])), rel=1e-14)
    assert ratios[3] == pytest.approx(math.log10(np.std([0.0, 0.2]) / np.std([3.0, 5.0])), rel=1e-14)
    assert np.isnan(update_ratios(np.empty(0), np.empty(0), np.array([0, 0]))).tolist() == [True, True]
    last_empty = update_ratios(before[:2], after[:2], np.array([2, 0]))
    assert last_empty[0] == ratios[0] and math.isnan(last_empty[1])


def test_the_update_ratio_of_values_far_from_zero_is_exact():
    before = 1e8 + np.array([1.0, -1.0, 3.0, -3.0])
    after = before + np.array([1e-3, -1e-3, 3e-3, -3e-3])
    assert update_ratio(before, after) == pytest.approx(-3.0, abs=1e-6)


def test_index_names_the_steps_recorded_in_full_up_to_ten_and_refuses_what_is_not_a_step():
    ten = Recording(every=1, layers=[], parameters=[], steps=list(range(10)))
    with pytest.raises(ValueError) as error:
        ten.index(10)
    assert (
        str(error.value)
        == "Recording.index: step 10 was not recorded; the steps recorded are [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"
    )
    eleven = Recording(every=2, layers=[], parameters=[], steps=list(range(0, 22, 2)))
    with pytest.raises(ValueError) as error:
        eleven.index(3)
    assert (
        str(error.value)
        == "Recording.index: step 3 was not recorded; the steps recorded are [0, 2, 4, 6, 8, ..., 16, 18, 20]"
    )
    three = Recording(every=1, layers=[], parameters=[], steps=[0, 1, 2])
    for step in (True, 2.0, "2"):  # True == 1 and 2.0 == 2, but neither is a step number
        with pytest.raises(ValueError, match=f"Recording.index: step {step!r} was not recorded"):
            three.index(step)
    assert eleven.index(np.int64(20)) == 10 and type(eleven.index(np.int64(20))) is int


def test_the_weights_are_the_parameters_of_two_dimensions_or_more_in_order():
    shapes = {"conv.weight": (4, 3, 3, 3), "conv.bias": (4,), "scale": (), "fc.weight": (2, 4)}
    recording = Recording(every=1, layers=[], parameters=[*shapes, "unknown"], shapes=shapes)
    assert recording.weights() == ["conv.weight", "fc.weight"]
    assert (recording.grad_norm["unknown"], recording.update_ratio["scale"]) == ([], [])


def test_steps_with_no_activation_layer_and_no_gradient_are_recorded():
    model = nn.Linear(2, 2, rng=0)
    with watch(model) as recording:
        for _ in range(3):
            model(Tensor(np.ones((1, 2))))
            recording.step()
    assert recording.steps == [0, 1, 2] and recording.grad_norm["weight"] == [None] * 3


def test_a_layer_output_of_a_mebibyte_is_measured_at_each_step_none_waits():
    model = nn.Sequential(nn.Linear(2, 2**17 // 8, rng=0), nn.Tanh())  # 8 examples: 1 MiB of float64
    opt = optim.SGD(model.parameters(), lr=0.1)
    waiting = []
    with watch(model, optimizer=opt) as recording:
        for _ in range(3):
            opt.zero_grad()
            model(Tensor(np.ones((8, 2)))).sum().backward()
            opt.step()
            waiting.append(len(recording._batch))
    assert waiting == [0, 0, 0] and recording.steps == [0, 1, 2]


class CalledTwice(nn.Module):
    def __init__(self, activation=nn.ReLU):
        super().__init__()
        self.linear, self.act = nn.Linear(3, 4, rng=0), activation()

    def forward(self, x):
        return self.act(self.linear(x))


def test_reading_the_recording_between_two_calls_of_a_layer_in_a_step_changes_no_number():
    rng = np.random.default_rng(4)
    batches = [(rng.normal(size=(6, 3)), rng.normal(size=(6, 3)) - 2.0) for _ in range(3)]
    recordings = []
    for read in (False, True):
        model = CalledTwice()
        opt = optim.SGD(model.parameters(), lr=0.1)
        with watch(model, optimizer=opt) as recording:
            for first, second in batches:
                opt.zero_grad()
                out = model(Tensor(first)).sum() + model(Tensor(second)).sum()
                if read:
                    _ = recording.dead  # measures the steps before this one
                out.backward()
                opt.step()
        recordings.append((recording.dead["act"], recording.saturated["act"], recording.steps))
    assert recordings[0] == recordings[1]
    assert recordings[0][2] == [0, 1, 2] and not any(math.isnan(share) for share in recordings[0][0])


def monitored_shares(model, batches):
    """Each batch's dead and saturated shares per layer, by an ActivationMonitor over that batch alone."""
    shares = []
    with ActivationMonitor(model) as monitor:
        for x in batches:
            model(Tensor(x))
            summary = monitor.end_epoch()
            shares.append({name: (s.dead_fraction, s.saturated_fraction) for name, s in summary.items()})
    return shares


@pytest.mark.parametrize("conv", ["1d", "2d"])
def test_the_shares_of_a_convolutions_channels_are_the_monitors_of_each_step(conv):
    rng = np.random.default_rng(5)
    if conv == "1d":
        layers, shape = [nn.Conv1d(2, 3, 3, rng=0), nn.ReLU(), nn.Conv1d(3, 4, 2, rng=1), nn.Tanh()], (4, 2, 6)
    else:
        layers, shape = [nn.Conv2d(2, 3, 2, rng=0), nn.ReLU(), nn.Conv2d(3, 4, 2, rng=1), nn.Tanh()], (4, 2, 5, 4)
    model = nn.Sequential(*layers)
    model[0].bias._data[:] = [-30.0, 0.0, 0.0]  # channel 0 dead
    model[2].weight._data *= 40.0  # the tanh's channels mostly saturated
    batches = [rng.normal(size=shape) + k for k in range(4)]
    expected = monitored_shares(model, batches)
    with watch(model, bins=4) as recording:
        for x in batches:
            model(Tensor(x)).sum().backward()
            recording.step()
    for name in ("1", "3"):
        assert list(zip(recording.dead[name], recording.saturated[name])) == [step[name] for step in expected]
    assert {recording.dead["1"][0], recording.saturated["3"][0]} != {0.0}  # something to count


def test_the_shares_of_a_layer_outside_both_families_are_zero():
    for activation in (nn.ELU, nn.GELU):
        model = nn.Sequential(nn.Linear(2, 3, rng=0), activation())
        with watch(model) as recording:
            for _ in range(2):
                model(Tensor(np.full((4, 2), -50.0))).sum().backward()
                recording.step()
        assert (recording.dead["1"], recording.saturated["1"]) == ([0.0, 0.0], [0.0, 0.0])


def test_each_layers_op_is_run_once_for_the_derivatives_of_all_the_steps_of_a_batch(monkeypatch):
    calls = []
    forward = nn.ReLU.forward
    monkeypatch.setattr(nn.ReLU, "forward", lambda self, x: calls.append(x.shape) or forward(self, x))
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU())
    with watch(model) as recording:
        for _ in range(4):
            model(Tensor(np.ones((5, 2)))).sum().backward()
            recording.step()
    assert recording.steps == [0, 1, 2, 3]
    assert calls == [(5, 3)] * 4 + [(4, 5, 3)]  # the model's four calls, then one on the stacked inputs


def test_reading_the_recording_during_a_step_with_values_not_finite_measures_the_steps_before_it():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh())
    recording = watch(model)
    model(Tensor(np.ones((4, 2)))).sum().backward()
    recording.step()
    model(Tensor(np.full((3, 2), np.nan)))  # step 1, not finished (a batch of another length)
    assert recording.steps == [0]
    recording.step()
    with pytest.raises(ValueError, match="watch: the activations of layer '1' at step 1"):
        recording.close()
    assert recording.steps == [0]


def test_the_first_step_with_values_not_finite_is_named_whatever_the_layer():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 3, rng=1), nn.Tanh())
    recording = watch(model)
    for step in range(4):
        if step == 1:
            model[2].weight._data[0, 0] = np.nan  # layer '3' not finite from step 1, layer '1' from step 2
        model(Tensor(np.ones((4, 2)))).sum().backward()
        for p in model.parameters():
            p._data -= 0.1 * p.grad.numpy()
            p.grad = None
        recording.step()
    with pytest.raises(ValueError) as error:
        recording.close()
    assert str(error.value) == (
        "watch: the gradients of layer '1' at step 1: Histogram.of: values must be finite, got min nan, max nan"
    )
    assert recording.steps == [0]


def test_a_layer_called_once_twice_or_three_times_in_a_step_has_the_monitors_shares_at_each_step():
    model = CalledTwice()
    rng = np.random.default_rng(6)
    steps = [[rng.normal(size=(5, 3)) - 1.0], [rng.normal(size=(5, 3)), rng.normal(size=(5, 3)) - 3.0]]
    steps += [[rng.normal(size=(5, 3)) - 2.0], [rng.normal(size=(5, 3)) + 1.0]]
    steps += [[rng.normal(size=(5, 3)) + 1.0, rng.normal(size=(5, 3)) - 3.0, rng.normal(size=(5, 3)) - 3.0]]
    expected = []
    with ActivationMonitor(model) as monitor:
        for calls in steps:
            for x in calls:
                model(Tensor(x))
            expected.append(monitor.end_epoch()["act"].dead_fraction)
    with watch(model) as recording:
        for calls in steps:
            sum(model(Tensor(x)).sum() for x in calls).backward()
            recording.step()
    assert recording.dead["act"] == expected
    assert len(set(expected)) > 1  # the steps differ


class CentredTanh(nn.Tanh):
    """tanh of the input centred over the batch: not one entry at a time."""

    def forward(self, x):
        return super().forward(x - x.mean(axis=0, keepdims=True))


def test_a_subclass_of_an_activation_is_measured_on_its_own_batch_as_the_monitor_measures_it():
    model = nn.Sequential(nn.Linear(2, 4, rng=0), CentredTanh())
    model[0].weight._data *= 30.0
    rng = np.random.default_rng(7)
    batches = [rng.normal(size=(6, 2)) + 3.0 * k for k in range(3)]
    expected = monitored_shares(model, batches)
    with watch(model) as recording:
        for x in batches:
            model(Tensor(x)).sum().backward()
            recording.step()
    assert recording.saturated["1"] == [step["1"][1] for step in expected]
    assert len(set(recording.saturated["1"])) > 1


def test_a_relu6_unit_at_its_top_on_every_example_is_not_dead_in_a_step_after_one_of_two_calls():
    # ReLU6 at 6 has derivative 0 but output 6: not dead; its outputs, not only its derivatives, decide
    model = CalledTwice(nn.ReLU6)
    model.linear.weight._data[:] = 0.0
    x = Tensor(np.ones((3, 3)))
    with watch(model) as recording:
        for bias, calls in (([10.0, -1.0, 1.0, 10.0], 1), ([-1.0] * 4, 2), ([10.0, -1.0, 1.0, 10.0], 1)):
            model.linear.bias._data[:] = bias  # units 0 and 3 at the top (6), unit 1 off, unit 2 at 1
            sum(model(x).sum() for _ in range(calls)).backward()
            recording.step()
    assert recording.dead["act"] == [0.25, 1.0, 0.25]


def test_the_moments_of_float32_values_are_summed_in_float64():
    values = np.random.default_rng(8).normal(loc=3.0, size=(2, 20_000)).astype(np.float32)
    for h, row in zip(histograms([values], bins=5), values.astype(np.float64)):
        assert h.sum == pytest.approx(row.sum(), rel=1e-13)
        assert h.sum_squares == pytest.approx(row @ row, rel=1e-13)
        assert (h.min, h.max) == (row.min(), row.max()) and type(h.min) is float


def test_a_unit_saturated_in_one_of_two_calls_of_a_step_is_not_saturated_in_that_step():
    model = CalledTwice(nn.Tanh)
    model.linear.weight._data[:] = 0.0
    x = Tensor(np.ones((3, 3)))
    with watch(model) as recording:
        for biases in ((30.0, 0.0), (0.0, 30.0), (30.0, 30.0)):
            outputs = []
            for bias in biases:  # the layer's two calls in the step
                model.linear.bias._data[:] = bias
                outputs.append(model(x).sum())
            (outputs[0] + outputs[1]).backward()
            recording.step()
    assert recording.saturated["act"] == [0.0, 0.0, 1.0]


def test_a_layer_measured_on_the_spot_is_differentiated_from_its_node_not_run_again():
    class CountingReLU(nn.ReLU):  # a subclass: measured at each call, not later
        calls = 0

        def forward(self, x):
            CountingReLU.calls += 1
            return super().forward(x)

    model = nn.Sequential(nn.Linear(2, 3, rng=0), CountingReLU())
    with watch(model) as recording:
        for _ in range(2):
            (model(Tensor(np.ones((4, 2)))).sum() + model(Tensor(-np.ones((4, 2)))).sum()).backward()
            recording.step()
    assert CountingReLU.calls == 4  # the model's own calls only
    assert recording.steps == [0, 1]


def test_a_column_keeps_the_last_array_put_for_a_step_in_rows_or_aside():
    column = Column(2)
    assert column.stacked().shape == (0,) and column.get(0) is None
    column.put(0, np.zeros(3))
    column.put(0, np.ones(3))  # replaces step 0's
    column.put(1, np.full(2, 5.0))  # another shape: aside
    column.put(1, np.full(3, 7.0))  # replaces it, in the rows
    column.put(2, np.full(3, 9.0))  # the rows are full (2): aside
    np.testing.assert_array_equal(column.stacked(), [np.ones(3), np.full(3, 7.0)])
    assert column.positions == [0, 1] and list(column.aside) == [2]
    np.testing.assert_array_equal(column.at(1), np.full(3, 7.0))
    np.testing.assert_array_equal(column.at(2), np.full(3, 9.0))


def test_a_model_without_parameters_is_watched():
    model = nn.Sequential(nn.ReLU())
    with watch(model) as recording:
        for _ in range(2):
            model(Tensor(np.array([[1.0, -1.0]])))
            recording.step()
    assert (recording.steps, recording.parameters, recording.dead["0"]) == ([0, 1], [], [0.5, 0.5])


def test_closing_a_watch_twice_is_harmless():
    model = nn.Linear(2, 2, rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    with watch(model, optimizer=opt) as recording:
        recording.close()
    recording.close()
    assert recording.closed and opt._step_post_hooks == []


def test_a_gradient_that_arrives_after_its_step_was_counted_is_not_recorded_as_the_next_steps():
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh())
    with watch(model) as recording:
        old = model(Tensor(np.ones((3, 2)))).sum()
        recording.step()  # step 0 counted before its backward
        old.backward()  # its gradient arrives during step 1, which has no backward of its own
        model(Tensor(np.ones((3, 2))))
        recording.step()
    assert recording.gradients["1"] == [None, None]


def test_a_value_on_an_inner_edge_whose_first_guess_falls_short_goes_in_the_bin_above_as_numpys():
    v = 5 * (1.0 / 7)  # edge 5 of 7 bins over [0, 1]; v / (1 / 7) rounds to 4.99..., bin 4 at first guess
    assert int(v * 7) == 4
    h = Histogram.of(np.array([0.0, v, 1.0]), bins=7)
    np.testing.assert_array_equal(h.counts, np.histogram([0.0, v, 1.0], bins=7)[0])
    assert h.counts.tolist() == [1, 0, 0, 0, 0, 1, 1]
