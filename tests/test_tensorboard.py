"""minigrad.utils.tensorboard.SummaryWriter writes event files TensorBoard's own reader reads back."""

import sys

import numpy as np
import pytest

from minigrad import Tensor, nn, optim
from minigrad.diagnostics import watch

pytest.importorskip("tensorboardX")
event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
from minigrad.utils.tensorboard import LACKING, SummaryWriter  # noqa: E402


def read(logdir):
    accumulator = event_accumulator.EventAccumulator(
        str(logdir), size_guidance={"scalars": 0, "histograms": 0, "tensors": 0}
    )
    accumulator.Reload()
    return accumulator


def test_scalars_histograms_and_text_are_read_back_with_their_tags_steps_and_counts(tmp_path):
    values = np.random.default_rng(0).normal(size=1000)
    with SummaryWriter(str(tmp_path)) as writer:
        for step in range(3):
            writer.add_scalar("loss", 1.0 / (step + 1), global_step=step)
        writer.add_scalar("lr", Tensor(0.25), 7)
        writer.add_histogram("weights", Tensor(values), global_step=5)
        writer.add_histogram("few", [0.0, 1.0, 1.0], global_step=6, bins=4)
        writer.add_text("notes", "*hello*", global_step=2)
    run = read(tmp_path)
    assert set(run.Tags()["scalars"]) == {"loss", "lr"}
    assert [(e.step, e.value) for e in run.Scalars("loss")] == [(0, 1.0), (1, 0.5), (2, pytest.approx(1 / 3))]
    assert [(e.step, e.value) for e in run.Scalars("lr")] == [(7, 0.25)]
    (weights,) = run.Histograms("weights")
    assert weights.step == 5 and weights.histogram_value.num == 1000
    assert sum(weights.histogram_value.bucket) == 1000
    assert weights.histogram_value.min == pytest.approx(values.min()) and weights.histogram_value.max == pytest.approx(
        values.max()
    )
    (few,) = run.Histograms("few")
    assert few.step == 6 and few.histogram_value.num == 3 and sum(few.histogram_value.bucket) == 3
    assert "notes/text_summary" in run.Tags()["tensors"]
    (text,) = run.Tensors("notes/text_summary")
    assert text.step == 2 and text.tensor_proto.string_val == [b"*hello*"]


def test_add_scalars_writes_one_run_per_name(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_scalars("loss", {"train": 0.5, "test": 0.75}, global_step=3)
    for name, value in (("train", 0.5), ("test", 0.75)):
        run = read(tmp_path / "loss" / name)
        assert [(e.step, e.value) for e in run.Scalars("loss")] == [(3, value)]


def test_watch_logs_each_recorded_step_into_the_writer(tmp_path):
    model = nn.Sequential(nn.Linear(3, 5, rng=0), nn.Tanh(), nn.Linear(5, 1, rng=1))
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = Tensor(np.ones((4, 3)))
    with SummaryWriter(str(tmp_path)) as writer, watch(model, every=2, optimizer=opt, writer=writer) as recording:
        for _ in range(5):
            opt.zero_grad()
            (model(x) ** 2).mean().backward()
            opt.step()
    run = read(tmp_path)
    assert set(run.Tags()["histograms"]) == {"activations/1", "gradients/1"}
    for kind, table in (("activations", recording.activations), ("gradients", recording.gradients)):
        events = run.Histograms(f"{kind}/1")
        assert [e.step for e in events] == [0, 2, 4]
        assert [e.histogram_value.num for e in events] == [20, 20, 20]
        for event, h in zip(events, table["1"]):
            assert list(event.histogram_value.bucket) == h.counts.tolist()
    expected = {f"update_ratio/{p}" for p in recording.parameters} | {f"grad_norm/{p}" for p in recording.parameters}
    assert expected | {"dead/1", "saturated/1"} == set(run.Tags()["scalars"])
    ratios = [e.value for e in run.Scalars("update_ratio/0.weight")]
    np.testing.assert_allclose(ratios, recording.update_ratio["0.weight"], rtol=1e-6)


@pytest.mark.parametrize("method", LACKING)
def test_the_methods_it_lacks_are_refused_by_name(tmp_path, method):
    with (
        SummaryWriter(str(tmp_path)) as writer,
        pytest.raises(NotImplementedError, match=f"SummaryWriter.{method} is not supported"),
    ):
        getattr(writer, method)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda w: w.add_scalar(3, 1.0), TypeError, "add_scalar: tag must be a non-empty str, got int 3"),
        (
            lambda w: w.add_scalar("x", Tensor([1.0, 2.0])),
            ValueError,
            r"add_scalar: scalar_value must be a one-element Tensor, got shape \(2,\)",
        ),
        (
            lambda w: w.add_scalar("x", 1.0, global_step=-1),
            ValueError,
            "add_scalar: global_step must be an integer >= 0, got -1",
        ),
        (
            lambda w: w.add_scalar("x", 1.0, new_style=True),
            NotImplementedError,
            "add_scalar: new_style=True is not supported",
        ),
        (lambda w: w.add_histogram("x", []), ValueError, "add_histogram: values must not be empty"),
        (
            lambda w: w.add_histogram("x", [1.0], bins=0),
            ValueError,
            "add_histogram: bins must be an integer >= 1, got 0",
        ),
        (
            lambda w: w.add_histogram("x", "abc"),
            TypeError,
            "add_histogram: values must be a Tensor or an array of numbers, got str",
        ),
        (
            lambda w: w.add_histogram_raw("x", 0, 1, 2, 1, 1, [1.0], [1, 1]),
            ValueError,
            "bucket_limits and bucket_counts must be",
        ),
        (lambda w: w.add_scalars("x", {"a": "b"}), TypeError, r"add_scalars: tag_scalar_dict\['a'\] must be a number"),
    ],
)
def test_bad_arguments_are_refused_by_name_and_nothing_is_written(tmp_path, call, error, message):
    with SummaryWriter(str(tmp_path)) as writer, pytest.raises(error, match=message):
        call(writer)
    run = read(tmp_path)
    assert not any(run.Tags()[kind] for kind in ("scalars", "histograms", "tensors"))


def test_a_missing_tensorboardx_is_named_with_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(
        ImportError,
        match=r"needs tensorboardX, in minigrad's 'tensorboard' extra: pip install 'minigrad\[tensorboard\]'",
    ):
        SummaryWriter("unused")
