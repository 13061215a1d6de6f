"""The through-time demo in quick mode: its claims hold on its own measured numbers; its parts
(the adding problem, the gate watcher, the unrolled pictures) do what they say; and the numbers
in the README and docs/demos.md are those of the run in docs/demo-output/through-time/."""

import json
from pathlib import Path

import numpy as np
import pytest

from minigrad import Tensor, nn
from minigrad.analysis import record
from minigrad.demos import through_time
from minigrad.demos.through_time_gates import WatchedLSTM
from minigrad.diagnostics import ActivationMonitor
from minigrad.report import number
from minigrad.viz import draw_graph

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "demo-output" / "through-time"


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("through-time")
    return out, through_time.main(["--quick", "--out", str(out)])


def first_over_last(norms):
    return norms[0] / norms[-1]


def test_the_tanh_rnn_gradient_vanishes_through_time_and_the_identity_relu_rnn_keeps_it(quick):
    at_init = quick[1]["at_init"]
    tanh = [first_over_last(at_init[T]["tanh RNN"]) for T in (10, 30, 100)]
    assert tanh[0] > tanh[1] > tanh[2] and tanh[2] < 1e-15
    for T in (10, 30, 100):
        assert first_over_last(at_init[T]["ReLU RNN, identity init"]) > 0.1
        assert len(at_init[T]["LSTM"]) == T


def test_the_exploding_rnn_has_spectral_radius_2_a_growing_gradient_and_clipping_bounds_the_step(quick):
    exploding = quick[1]["exploding"]
    assert exploding["radius"] == pytest.approx(2.0)
    assert first_over_last(exploding["at_init"]) > 1e3
    plain, clipped = exploding["runs"].values()
    assert plain["grad_norms"][0] == clipped["grad_norms"][0] > 1e3  # the same model, the same first batch
    assert all(np.isfinite(clipped["losses"]))


def test_the_monitor_counts_every_forget_gate_saturated_when_stuck_open_or_shut_and_none_otherwise(quick):
    gates = quick[1]["gates"]
    for label in ("forget bias +8", "forget bias -8"):
        assert gates[label]["saturated"] == {"input_gate": 0, "forget_gate": 1, "cell_gate": 0, "output_gate": 0}
    assert gates["forget bias +8"]["forget_mean"] > 0.999 and gates["forget bias -8"]["forget_mean"] < 1e-3
    assert gates["at initialisation"]["saturated"]["forget_gate"] == 0
    # stuck open, the cell state carries the gradient back; stuck shut, it is gone
    assert gates["forget bias +8"]["d_h1"] > 1e30 * gates["forget bias -8"]["d_h1"]


def test_why_zero_and_diagnose_name_the_vanished_gradient_and_the_stuck_gate(quick):
    explain = quick[1]["explain"]
    tanh = explain["tanh RNN"]
    assert tanh["state"] == "vanishing" and [c["kind"] for c in tanh["causes"]] == ["product"]
    shut = explain["LSTM, forget bias -8"]
    assert any(c["kind"] == "saturated" and c["blocking"] for c in shut["causes"])
    assert [f["layers"] for f in explain["diagnose"] if f["kind"] == "saturated"] == [["forget_gate"]]


def test_the_table_of_which_cells_learn_is_computed_against_the_baseline(quick):
    training = quick[1]["training"]
    for r in training["runs"].values():
        assert r["ratio"] == pytest.approx(r["test_mse"] / training["baseline"])
        assert r["learned"] == (r["ratio"] < through_time.LEARNED)


def test_the_adding_problem_has_two_markers_and_its_mean_predictor_scores_a_sixth():
    x, y = through_time.adding_problem(20, 20000, np.random.default_rng(0))
    markers = x[:, :, 1]
    assert (markers.sum(axis=0) == 2).all()
    assert (markers[:10].sum(axis=0) == 1).all() and (markers[10:].sum(axis=0) == 1).all()
    assert np.mean((y - y.mean()) ** 2) == pytest.approx(1 / 6, rel=0.03)


def test_the_watched_lstm_runs_the_cells_own_gates_and_gives_the_cells_prediction():
    net = through_time.build("LSTM", 0)
    x = Tensor(through_time.adding_problem(5, 3, np.random.default_rng(1))[0])
    watched = WatchedLSTM(net.cell, net.head)
    with ActivationMonitor(watched) as monitor:
        prediction = watched(x)
    np.testing.assert_allclose(prediction.numpy(), net(x).numpy())
    assert monitor.summary()["forget_gate"].examples == 15
    assert len(watched.forget_means) == 5


def test_the_watched_lstm_refuses_a_cell_that_is_not_an_lstm_cell():
    with pytest.raises(TypeError, match="cell must be an nn.LSTMCell, got GRUCell"):
        WatchedLSTM(nn.GRUCell(2, 3), nn.Linear(3, 1))


def test_an_unrolled_lstm_is_drawn_one_node_per_step_each_in_a_row_of_its_own():
    net = through_time.build("LSTM", 0)
    x, y = through_time.adding_problem(4, 2, np.random.default_rng(0))
    with record(net) as recording:
        states, prediction = net.unroll(Tensor(x))
    assert [call.label for call in recording.calls] == [
        "cell",
        "cell (call 2)",
        "cell (call 3)",
        "cell (call 4)",
        "head",
    ]
    assert recording.calls[1].output is states[1]  # a call returning (h, c) is drawn by h
    source = draw_graph(((prediction - Tensor(y)) ** 2).sum(), recording=recording, mode="layers").source
    assert "cell (call 4)" in source and "rank=same" not in source


def test_the_docs_show_the_numbers_of_the_run_in_docs_demo_output():
    results = json.loads((OUTPUT / "results.json").read_text(encoding="utf-8"))
    summary = (OUTPUT / "summary.md").read_text(encoding="utf-8")
    for name, r in results["training"]["runs"].items():
        assert f"| {name} | {number(r['lr'])} | {number(r['losses'][-1])} | {number(r['test_mse'])} |" in summary
    assert number(results["training"]["baseline"]) in summary
    demos_md = (ROOT / "docs" / "demos.md").read_text(encoding="utf-8")
    assert summary.replace("](", "](demo-output/through-time/") in demos_md
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = summary.replace("](", "](docs/demo-output/through-time/")
    sections = [s for s in shown.split("\n### ") if s.startswith(("The gradient at every time step", "Which cells"))]
    assert len(sections) == 2 and all(section.strip() in readme for section in sections)
