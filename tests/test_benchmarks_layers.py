"""The CNN and LSTM benchmarks (python -m benchmarks --only cnn,lstm) measure one computation: every
engine's step gives the same losses from the same weights, a step whose losses differ is refused
a time, and the report's tables, targets and partial results.md say what was measured. Small
sizes; no timing is asserted."""

import builtins
from dataclasses import replace

import numpy as np
import pytest

from benchmarks import engines, layer_steps, problems, report, workloads

SMALL_CNN = {d: replace(problems.CNN[d], channels=(2, 3), batch=4) for d in ("float32", "float64")}
SMALL_LSTM = {d: replace(problems.LSTM[d], input_size=3, hidden=4, steps=5, batch=2) for d in ("float32", "float64")}
TOLERANCE = {"float32": 1e-5, "float64": 1e-12}


def losses_of(makers, spec, problem, steps=3) -> dict:
    params, x, target, _ = problem(spec)
    return {name: layer_steps.first_losses(make(spec, params, x, target), steps) for name, make in makers.items()}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_engines_cnn_step_gives_minigrads_losses(dtype):
    pytest.importorskip("torch")
    pytest.importorskip("mygrad")
    makers = {name: layer_steps.CNN_STEPS[name] for name in ("minigrad", "pytorch", "mygrad")}
    losses = losses_of(makers, SMALL_CNN[dtype], problems.make_cnn_problem)
    for name in ("pytorch", "mygrad"):
        assert layer_steps.relative_difference(losses[name], losses["minigrad"]) < TOLERANCE[dtype], name
    assert len(set(losses["minigrad"])) == 3  # the steps changed the weights: each loss is new


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_minigrads_lstm_step_gives_pytorchs_losses(dtype):
    pytest.importorskip("torch")
    makers = {name: layer_steps.LSTM_STEPS[name] for name in ("minigrad", "pytorch")}
    losses = losses_of(makers, SMALL_LSTM[dtype], problems.make_lstm_problem)
    assert layer_steps.relative_difference(losses["pytorch"], losses["minigrad"]) < TOLERANCE[dtype]
    assert len(set(losses["minigrad"])) == 3


def test_the_cnn_problem_has_pytorchs_shapes_and_the_digits_or_images_of_their_shape():
    spec = problems.CNN["float32"]
    params, x, target, source = problems.make_cnn_problem(spec)
    assert [w.shape for w, _ in params.values()] == [(16, 1, 3, 3), (32, 16, 3, 3), (10, 128)]
    assert all(w.dtype == b.dtype == np.float32 for w, b in params.values())
    assert x.shape == (64, 1, 8, 8) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert target.shape == (64,) and set(target) <= set(range(10))
    assert "digits" in source or "random" in source


def test_without_scikit_learn_the_cnn_runs_on_random_images_of_the_same_shape(monkeypatch):
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("no scikit-learn here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    x, labels, source = problems.digits(64)
    assert x.shape == (64, 1, 8, 8) and labels.shape == (64,) and 0 <= x.min() and x.max() <= 1
    assert source == "random 8x8 images (scikit-learn is not installed)"


def test_the_lstm_problem_has_pytorchs_parameter_shapes():
    spec = problems.LSTM["float64"]
    params, x, target, _ = problems.make_lstm_problem(spec)
    assert params["weight_ih"].shape == (256, 32) and params["weight_hh"].shape == (256, 64)
    assert params["bias_ih"].shape == params["bias_hh"].shape == (256,)
    assert x.shape == (50, 32, 32) and target.shape == (32, 1)


def test_layer_training_times_every_engine_and_the_traced_step_with_its_tracing_cost(monkeypatch):
    monkeypatch.setitem(
        workloads.LAYER_WORKLOADS, "lstm", (SMALL_LSTM, problems.make_lstm_problem, layer_steps.LSTM_STEPS)
    )
    rows = workloads.layer_training("lstm", engines.available(["minigrad", "pytorch"]), repeats=1)
    timed = [r for r in rows if "seconds" in r]
    expected = {(name, d) for name in ("minigrad", layer_steps.MINIGRAD_TRACED) for d in ("float32", "float64")}
    assert {(r["engine"], r["dtype"]) for r in timed} >= expected
    for r in timed:
        assert r["seconds"] > 0 and r["cpu_seconds"] > 0
        assert r["difference"] <= workloads.LOSS_TOLERANCE[r["dtype"]]
        traced = r["engine"] == layer_steps.MINIGRAD_TRACED
        assert (r["tracing_seconds"] is not None) == traced
        assert not traced or (len(r["tracing_seconds"]) == 2 and min(r["tracing_seconds"]) > 0)
    assert "Tracing cost, the CPU time of the first two calls" in "\n".join(report.layer_table(rows))


@pytest.mark.parametrize("workload", ["cnn", "lstm"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_traced_step_gives_the_eager_steps_losses_to_the_bit(workload, dtype):
    specs, problem, makers = {"cnn": (SMALL_CNN, problems.make_cnn_problem, layer_steps.CNN_STEPS),
                              "lstm": (SMALL_LSTM, problems.make_lstm_problem, layer_steps.LSTM_STEPS)}[workload]  # fmt: skip
    losses = losses_of(
        {name: makers[name] for name in ("minigrad", layer_steps.MINIGRAD_TRACED)}, specs[dtype], problem
    )
    assert losses[layer_steps.MINIGRAD_TRACED] == losses["minigrad"]
    assert len(set(losses["minigrad"])) == 3


def test_a_traced_step_that_differs_from_eager_is_not_timed(monkeypatch):
    from minigrad.tracing.program import Program

    replay = Program.replay

    def off_by_a_little(self, tensors):
        result = replay(self, tensors)
        result.numpy()[...] *= 1.01
        return result

    monkeypatch.setattr(Program, "replay", off_by_a_little)
    params, x, target, _ = problems.make_lstm_problem(SMALL_LSTM["float64"])
    with pytest.raises(NotImplementedError, match="not timed: call 2: the traced step's loss differs from eager's"):
        layer_steps.minigrad_traced_lstm(SMALL_LSTM["float64"], params, x, target)


def test_an_engine_whose_losses_differ_is_not_timed(monkeypatch):
    def off_by_a_little(spec, params, x, target):
        step = layer_steps.minigrad_cnn(spec, params, x, target)
        return lambda: step() * 1.01

    makers = {"minigrad": layer_steps.minigrad_cnn, "mygrad": off_by_a_little}
    monkeypatch.setitem(workloads.LAYER_WORKLOADS, "cnn", (SMALL_CNN, problems.make_cnn_problem, makers))
    rows = workloads.layer_training("cnn", engines.available(["minigrad", "mygrad"]), repeats=1)
    if not engines.installed("mygrad"):
        pytest.skip("the row is made only for an installed engine")
    (wrong,) = [r for r in rows if r["engine"] == "mygrad" and r["dtype"] == "float64"]
    assert "seconds" not in wrong and wrong["note"].startswith("not timed: losses")


ROWS = [
    {"engine": "minigrad", "dtype": "float32", "seconds": 0.03, "cpu_seconds": 0.006, "reference": "pytorch", "difference": 2e-7, "data": "d"},
    {"engine": "pytorch", "dtype": "float32", "seconds": 0.01, "cpu_seconds": 0.002, "reference": "pytorch", "difference": 0.0, "data": "d"},
    {"engine": "mygrad", "dtype": "float32", "seconds": 0.02, "cpu_seconds": 0.009, "reference": "pytorch", "difference": 1e-7, "data": "d"},
]  # fmt: skip


def test_the_table_gives_each_engines_ratios_to_pytorch_and_the_targets_use_cpu_time():
    table = report.layer_table(ROWS)
    minigrad = next(line for line in table if line.startswith("| float32 | minigrad"))
    assert minigrad.split(" | ")[2:6] == ["30.00 ms", "3.00x", "6.00 ms", "3.00x"]
    assert "| pytorch | 10.00 ms | 1.00x | 2.00 ms | 1.00x | reference |" in "\n".join(table)
    lines = report.targets({"cnn": ROWS})
    assert "- MISSED: CNN float32: minigrad 3.00x PyTorch's CPU time (target <= 2.0x)" in lines
    assert "- MET: CNN float32: minigrad 6.00 ms CPU per step, MyGrad 9.00 ms (target < MyGrad)" in lines


def test_a_partial_run_replaces_its_sections_and_target_lines_and_keeps_the_rest():
    old = "# head\n\n## W1 moons: x\n\nw1 table\n\n## Targets\n\n- MET: W1 fine\n- MISSED: CNN float32: old\n"
    merged = report.merge_sections(old, {"cnn": ["new table"]}, "From its own run.", ["- MET: CNN float32: new"])
    assert merged.startswith("# head\n\n## W1 moons: x\n\nw1 table\n\n## " + report.TITLES["cnn"])
    assert "From its own run.\n\nnew table\n" in merged
    assert merged.endswith("## Targets\n\n- MET: W1 fine\n- MET: CNN float32: new\n")
    assert (
        report.merge_sections(merged, {"cnn": ["new table"]}, "From its own run.", ["- MET: CNN float32: new"])
        == merged
    )
