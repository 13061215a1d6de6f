"""diagnostics.watch, exactly: what a writer is sent, the steps without data, the refusals whole."""

import math

import numpy as np
import pytest

from minigrad import Tensor, nn, optim
from minigrad.diagnostics import watch
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
    assert repr(recording) == ("Watch(every=3, steps recorded: 2, layers=['1'], parameters=['0.weight', '0.bias'])")


def test_the_recordings_lists_say_in_help_that_reading_them_measures_the_steps_taken():
    for name in ("steps", "activations", "gradients", "dead", "saturated", "grad_norm", "update_ratio"):
        assert getattr(Watch, name).__doc__ == f"The recording's ``{name}``, with every step taken so far measured."


def test_a_column_asked_for_a_step_it_does_not_hold_names_the_step():
    column = Column(4)
    column.put(0, np.zeros(2))
    with pytest.raises(KeyError) as error:
        column.at(3)
    assert error.value.args == (3,)
