"""diagnostics.watch measures its recorded steps in batches: the numbers are those of each step alone.

A recorded step only copies arrays; the numbers of a few dozen steps are computed together (when the
batch is full, or the recording is read). Each test compares a batched recording with one measured a
step at a time (batches of one step), or with NumPy on the arrays the step produced.
"""

import math

import numpy as np
import pytest

from minigrad import Tensor, nn, optim
from minigrad.diagnostics import watch, watch_batch, watch_rows
from minigrad.losses import cross_entropy
from minigrad.nn.module import Module

RNG = np.random.default_rng(3)
X = RNG.normal(size=(24, 3))
Y = np.arange(24) % 2


class Twice(Module):
    """A net that calls one Tanh module twice per forward (its layer is measured over both calls)."""

    def __init__(self) -> None:
        super().__init__()
        self.first, self.act, self.second = nn.Linear(3, 5, rng=0), nn.Tanh(), nn.Linear(5, 5, rng=1)
        self.prelu, self.relu, self.out = nn.PReLU(), nn.ReLU(), nn.Linear(5, 2, rng=2)

    def forward(self, x: Tensor) -> Tensor:
        h = self.act(self.second(self.act(self.first(x))))
        return self.out(self.relu(self.prelu(h) * 3.0 - 1.0))


def make_model(kind):
    if kind == "twice":
        return Twice()
    return nn.Sequential(nn.Linear(3, 6, rng=0), nn.Tanh(), nn.Linear(6, 6, rng=1), nn.ReLU(), nn.Linear(6, 2, rng=2))


def train(model, opt, steps, sizes=(24, 24, 24, 17)):
    """Steps over batches of varying length (the arrays of another shape go aside, not in the rows)."""
    for k in range(steps):
        n = sizes[k % len(sizes)]
        opt.zero_grad()
        cross_entropy(model(Tensor(X[:n])), Y[:n]).backward()
        opt.step()


def everything(recording):
    """Every number recorded, as plain comparable data (NaN compared as equal by assert_equal)."""
    out = {"steps": recording.steps}
    for name in recording.layers:
        for kind in ("activations", "gradients"):
            out[kind, name] = [
                None
                if h is None
                else (h.edges.tolist(), h.counts.tolist(), h.min, h.max, h.num, h.sum, h.sum_squares, h.zeros)
                for h in getattr(recording, kind)[name]
            ]
        out["dead", name], out["saturated", name] = recording.dead[name], recording.saturated[name]
    for name in recording.parameters:
        out["grad_norm", name], out["update_ratio", name] = recording.grad_norm[name], recording.update_ratio[name]
    return out


@pytest.mark.parametrize("every", [1, 3])
@pytest.mark.parametrize("kind", ["sequential", "twice"])
def test_a_batched_recording_is_the_one_measured_a_step_at_a_time(monkeypatch, kind, every):
    recordings = []
    for steps_per_batch in (watch_batch.COLUMN_STEPS, 1):
        monkeypatch.setattr(watch_batch, "COLUMN_STEPS", steps_per_batch)
        model = make_model(kind)
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        with watch(model, every=every, optimizer=opt, bins=9) as recording:
            train(model, opt, 45 * every)
        recordings.append(everything(recording))
    batched, alone = recordings
    assert len(batched["steps"]) == 45
    np.testing.assert_equal(batched, alone)


def test_each_steps_histograms_are_numpys_of_that_steps_arrays():
    model = make_model("sequential")
    opt = optim.Adam(model.parameters(), lr=0.05)
    outputs, grads = [], []

    def keep(module, inputs, output):
        outputs.append(output.numpy().copy())
        output.register_hook(lambda g: grads.append(g.numpy().copy()))

    model[3].register_forward_hook(keep)
    with watch(model, optimizer=opt, bins=6) as recording:
        train(model, opt, 40)
    assert len(recording.steps) == 40 > watch_batch.COLUMN_STEPS
    for step, (output, grad) in enumerate(zip(outputs, grads)):
        for h, values in ((recording.activations["3"][step], output), (recording.gradients["3"][step], grad)):
            counts, edges = np.histogram(values, bins=6)
            np.testing.assert_array_equal(h.counts, counts)
            np.testing.assert_allclose(h.edges, edges)
            assert (h.min, h.max, h.zeros) == (values.min(), values.max(), np.sum(values == 0))


def test_reading_the_recording_in_the_middle_of_a_step_measures_the_steps_before_it():
    read, unread = make_model("sequential"), make_model("sequential")
    opt_read, opt_unread = optim.SGD(read.parameters(), lr=0.1), optim.SGD(unread.parameters(), lr=0.1)
    seen = []
    with watch(read, optimizer=opt_read) as recording, watch(unread, optimizer=opt_unread) as other:
        for _ in range(5):
            opt_read.zero_grad()
            loss = cross_entropy(read(Tensor(X)), Y)
            seen.append(list(recording.steps))  # between the forward and the backward of step k
            loss.backward()
            opt_read.step()
            train(unread, opt_unread, 1, sizes=(24,))
    assert seen == [[], [0], [0, 1], [0, 1, 2], [0, 1, 2, 3]]
    np.testing.assert_equal(everything(recording), everything(other))


def test_a_step_with_values_not_finite_is_refused_by_layer_and_step_and_the_steps_before_it_kept():
    model = make_model("sequential")
    opt = optim.SGD(model.parameters(), lr=0.1)
    recording = watch(model, optimizer=opt)
    train(model, opt, 3)
    model[0].bias._data[0] = math.nan
    train(model, opt, 1)
    with pytest.raises(
        ValueError, match=r"watch: the activations of layer '1' at step 3: .*must be finite, got min nan"
    ):
        recording.close()
    assert recording.steps == [0, 1, 2]


def test_the_steps_waiting_to_be_measured_are_at_most_a_batch():
    model = nn.Sequential(nn.Linear(3, 50, rng=0), nn.Tanh())
    opt = optim.SGD(model.parameters(), lr=0.1)
    pending = []
    with watch(model, optimizer=opt) as recording:
        for _ in range(100):
            opt.zero_grad()
            model(Tensor(np.ones((400, 3)))).sum().backward()
            opt.step()
            pending.append(len(recording._batch))
    # one layer's output is 400 x 50 floats (160 kB): a batch keeps at most 1 MiB of them
    assert max(pending) == watch_rows.COLUMN_BYTES // (400 * 50 * 8) - 1
    assert len(recording.steps) == 100
