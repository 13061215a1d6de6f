"""gradient_flow, diagnose and the layers picture know convolutions and recurrent layers.

- gradient_flow lists Conv1d, Conv2d and the recurrent layers' weights, and its first/last ratio
  runs over them whatever their kind; diagnose's table has a row per weight;
- HiddenStateMonitor's ||dL/dh_t|| equal the gradients a hand-made unroll of cells gets by
  retain_grad, for cells and whole-sequence layers (batch_first, unbatched, two layers);
- diagnose flags a CNN whose first convolution's gradient vanishes, and a tanh RNN at T = 100 as
  vanishing through time, with the recurrent remedies; its new thresholds are tested at their
  boundaries, on ReLU RNNs whose ratio is known exactly.
"""

import re

import numpy as np
import pytest

from minigrad import Tensor, nn, no_grad
from minigrad import functional as F
from minigrad.diagnostics import HiddenStateMonitor, diagnose, gradient_flow
from minigrad.diagnostics.remedies import GATE_BIASES, GATED_CELLS, RECURRENT_REMEDIES, REMEDIES
from minigrad.losses import cross_entropy, mse_loss
from minigrad.report import number

RNG = np.random.default_rng(0)
IMAGES = Tensor(RNG.normal(size=(16, 1, 8, 8)))
LABELS = RNG.integers(0, 10, 16)


def kinds(report):
    return [f.kind for f in report.findings]


def sigmoid_cnn(depth=8):
    """``depth`` 3x3 convolutions of 4 channels, each followed by a sigmoid, then a Linear read-out."""
    layers, channels = [], 1
    for k in range(depth):
        layers += [nn.Conv2d(channels, 4, 3, padding=1, rng=k), nn.Sigmoid()]
        channels = 4
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(4 * 64, 10, rng=0))


# --- gradient_flow ---------------------------------------------------------------------------


def test_gradient_flow_lists_each_convolution_by_its_weight_gradient_and_compares_first_with_last():
    model = nn.Sequential(
        nn.Conv1d(2, 3, 3, rng=0), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4, rng=1), nn.Tanh(), nn.Linear(4, 1, rng=2)
    )
    model(Tensor(RNG.normal(size=(5, 2, 6)))).sum().backward()
    flow = gradient_flow(model)
    assert [(w.layer, w.kind, w.tensor) for w in flow.weights] == [
        ("0", "Conv1d", "weight"),
        ("3", "Linear", "weight"),
        ("5", "Linear", "weight"),
    ]
    conv_norm = np.linalg.norm(model[0].weight.grad.numpy())
    assert flow.weights[0].norm == pytest.approx(conv_norm, rel=1e-12)
    assert flow.ratio == pytest.approx(conv_norm / np.linalg.norm(model[5].weight.grad.numpy()), rel=1e-12)
    assert ("0", "bias") in {(r.layer, r.tensor) for r in flow.rows}


def test_gradient_flow_counts_a_recurrent_stack_once_per_layer_by_its_input_weights():
    rnn, head = nn.LSTM(2, 3, num_layers=2, rng=0), nn.Linear(3, 1, rng=0)
    output, _ = rnn(Tensor(RNG.normal(size=(4, 2, 2))))
    head(output[-1]).sum().backward()

    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn, self.head = rnn, head

    flow = gradient_flow(Holder())
    assert [(w.layer, w.tensor) for w in flow.weights] == [
        ("rnn", "weight_ih_l0"),
        ("rnn", "weight_ih_l1"),
        ("head", "weight"),
    ]
    rows = {(r.layer, r.tensor): r.norm for r in flow.rows}
    for name in ("weight_hh_l0", "weight_hh_l1"):
        assert rows["rnn", name] == pytest.approx(np.linalg.norm(getattr(rnn, name).grad.numpy()), rel=1e-12)


def test_a_cell_is_listed_by_weight_ih_and_layernorm_and_embedding_weights_are_not_compared():
    model = nn.Sequential(nn.Embedding(10, 4, rng=0), nn.LayerNorm(4), nn.GRUCell(4, 3, rng=0))
    model(np.array([1, 2, 3])).sum().backward()
    flow = gradient_flow(model)
    assert [(w.layer, w.tensor) for w in flow.weights] == [("2", "weight_ih")]
    assert {("0", "weight"), ("1", "weight"), ("2", "weight_hh")} <= {(r.layer, r.tensor) for r in flow.rows}


def test_gradient_flow_refuses_arguments_of_the_wrong_kind_by_name():
    with pytest.raises(TypeError, match="gradient_flow: model must be an nn.Module, got list"):
        gradient_flow([nn.Linear(2, 2)])
    with pytest.raises(TypeError, match="gradient_flow: monitor must be an ActivationMonitor or None, got dict"):
        gradient_flow(nn.Linear(2, 2), {})
    with pytest.raises(TypeError, match="gradient_flow: states must be a HiddenStateMonitor or None, got str"):
        gradient_flow(nn.Linear(2, 2), None, "h")


# --- diagnose: convolutions --------------------------------------------------------------------


def test_diagnose_flags_the_vanishing_gradient_of_a_sigmoid_cnns_first_convolution():
    report = diagnose(sigmoid_cnn(), IMAGES, LABELS, cross_entropy)
    assert kinds(report) == ["vanishing"]
    (vanishing,) = report.findings
    first, last = report.flow.weights[0], report.flow.weights[-1]
    assert (first.layer, first.kind, last.kind) == ("0", "Conv2d", "Linear") and vanishing.layers[0] == "0"
    assert vanishing.numbers["ratio"] == first.norm / last.norm
    assert vanishing.numbers["ratio"] < 1e-6 and vanishing.numbers["weighted_layers"] == 9
    assert "over 9 layers with weights (Conv2d, Linear;" in vanishing.message
    assert vanishing.remedies == REMEDIES["vanishing"]


def test_the_same_cnn_with_relu_is_not_flagged():
    layers = list(sigmoid_cnn(depth=3))
    model = nn.Sequential(*(nn.ReLU() if isinstance(m, nn.Sigmoid) else m for m in layers))
    assert "vanishing" not in kinds(diagnose(model, IMAGES, LABELS, cross_entropy))


def test_diagnoses_table_has_a_row_per_convolution_with_the_activation_after_it():
    report = diagnose(sigmoid_cnn(depth=2), IMAGES, LABELS, cross_entropy)
    rows = report.table.rows
    assert [row[0] for row in rows] == ["0", "2", "5"]
    assert [row[3] for row in rows] == ["Sigmoid", "Sigmoid", ""]
    assert rows[0][1] == number(report.flow.weights[0].norm) and rows[-1][2] == "1"


def test_diagnoses_table_has_a_row_for_weight_ih_and_weight_hh_of_each_recurrent_layer():
    report = diagnose(LastStep(nn.RNN(1, 4, num_layers=2, rng=0)), *adding_like(5), mse_loss)
    rows = {row[0]: row[1] for row in report.table.rows}
    assert list(rows) == ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.weight_ih_l1", "rnn.weight_hh_l1", "head"]
    norms = {(r.layer, r.tensor): r.norm for r in report.flow.rows}
    assert rows["rnn.weight_hh_l1"] == number(norms["rnn", "weight_hh_l1"])


# --- the layers picture ------------------------------------------------------------------------


def node_labels(source):
    return re.findall(r"(L\d+) \[label=<<TABLE[^>]*><TR><TD><B>([^<]*)</B> · (\w+)(.*)$", source, flags=re.M)


def test_the_layers_picture_draws_each_conv_layer_as_one_node_with_its_gradient_health():
    from minigrad.viz import draw_graph, record
    from minigrad.viz.style import STATE_MARK

    model = sigmoid_cnn(depth=10)
    with record(model) as recording:
        loss = cross_entropy(model(IMAGES), LABELS)
    source = draw_graph(loss, recording=recording, mode="layers").source
    convs = {label: rest for _, label, kind, rest in node_labels(source) if kind == "Conv2d"}
    assert len(convs) == 10  # one node per convolution, not its ops
    assert STATE_MARK["vanishing"] in convs["0"] and "dotted" in convs["0"]  # the first one's gradient vanished
    assert STATE_MARK["vanishing"] not in convs["18"] and "dotted" not in convs["18"]
    assert all("weight: grad rms" in rest for rest in convs.values())


def test_the_layers_picture_draws_a_conv1d_and_a_recurrent_layer_as_one_node_each():
    from minigrad.viz import draw_graph, record

    model = LastStep(nn.GRU(1, 4, rng=0))
    with record(model) as recording:
        loss = mse_loss(model(Tensor(RNG.normal(size=(6, 3, 1)))), Tensor(np.zeros((3, 1))))
    found = {
        kind: rest for _, _, kind, rest in node_labels(draw_graph(loss, recording=recording, mode="layers").source)
    }
    assert "weight_ih_l0: grad rms" in found["GRU"] and "weight_hh_l0: grad rms" in found["GRU"]
    conv = nn.Sequential(nn.Conv1d(1, 2, 3, rng=0), nn.Tanh())
    with record(conv) as recording:
        loss = conv(Tensor(RNG.normal(size=(2, 1, 5)))).sum()
    labels = node_labels(draw_graph(loss, recording=recording, mode="layers").source)
    assert [kind for _, _, kind, _ in labels].count("Conv1d") == 1


# --- HiddenStateMonitor ------------------------------------------------------------------------


class LastStep(nn.Module):
    """A recurrent layer read by a Linear at its last step."""

    def __init__(self, rnn, hidden=None):
        super().__init__()
        self.rnn, self.head = rnn, nn.Linear(hidden or rnn.hidden_size, 1, rng=0)

    def forward(self, x):
        return self.head(self.rnn(x)[0][-1])


class CellSteps(nn.Module):
    """A cell stepped along the sequence, read by a Linear at its last step."""

    def __init__(self, cell):
        super().__init__()
        self.cell, self.head = cell, nn.Linear(cell.hidden_size, 1, rng=0)

    def forward(self, x):
        state = None
        for t in range(x.shape[0]):
            state = self.cell(x[t], state)
        return self.head(state[0] if isinstance(state, tuple) else state)


def adding_like(steps, batch=8, seed=0):
    rng = np.random.default_rng(seed)
    return Tensor(rng.normal(size=(steps, batch, 1))), Tensor(rng.normal(size=(batch, 1)))


CELLS = {"RNN_TANH": nn.RNNCell, "RNN_RELU": nn.RNNCell, "LSTM": nn.LSTMCell, "GRU": nn.GRUCell}
LAYERS = {"RNN_TANH": nn.RNN, "RNN_RELU": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


def cells_like(layer, mode):
    """One cell per layer of ``layer``'s stack, with its weights."""
    options = {"nonlinearity": "relu"} if mode == "RNN_RELU" else {}
    cells = []
    for k in range(layer.num_layers):
        cell = CELLS[mode](layer.input_size if k == 0 else layer.hidden_size, layer.hidden_size, **options)
        with no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(cell, name).copy_(getattr(layer, f"{name}_l{k}").numpy())
        cells.append(cell)
    return cells


def unrolled_gradients(cells, x, weights):
    """||dL/dh_t|| of the top cell, by retain_grad, for L = sum_t <weights_t, h_t>."""
    xs, states = [x[t] for t in range(x.shape[0])], []
    for cell in cells:
        state, states = None, []
        for x_t in xs:
            state = cell(x_t, state)
            states.append(state[0] if isinstance(state, tuple) else state)
        xs = states
    for h in states:
        h.retain_grad()
    sum((h * Tensor(w)).sum() for h, w in zip(states, weights)).backward()
    return [np.linalg.norm(h.grad.numpy()) for h in states]


@pytest.mark.parametrize("mode", list(LAYERS))
@pytest.mark.parametrize("num_layers, batch_first, batched", [(1, False, True), (2, True, True), (2, False, False)])
def test_the_monitor_gets_each_steps_whole_gradient_at_a_sequence_layers_hidden_state(
    mode, num_layers, batch_first, batched
):
    options = {"nonlinearity": "relu"} if mode == "RNN_RELU" else {}
    layer = LAYERS[mode](2, 3, num_layers=num_layers, batch_first=batch_first, rng=1, **options)
    x = RNG.normal(size=(5, 4, 2))  # T, N, features
    weights = RNG.normal(size=(5, 4, 3))  # a loss that reads every step: each h_t gets both parts
    given = np.swapaxes(x, 0, 1) if batch_first else x
    with HiddenStateMonitor(layer) as states:
        if batched:
            output, _ = layer(Tensor(given))
            (output * Tensor(np.swapaxes(weights, 0, 1) if batch_first else weights)).sum().backward()
        else:
            output, _ = layer(Tensor(x[:, 0]))
            (output * Tensor(weights[:, 0])).sum().backward()
    one = slice(None) if batched else slice(0, 1)
    expected = unrolled_gradients(cells_like(layer, mode), Tensor(x[:, one]), weights[:, one])
    assert states.norms[""] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("mode", list(CELLS))
def test_the_monitor_takes_each_call_of_a_cell_as_the_next_step(mode):
    options = {"nonlinearity": "relu"} if mode == "RNN_RELU" else {}
    model = CellSteps(CELLS[mode](1, 3, rng=0, **options))
    x, y = adding_like(6)
    with HiddenStateMonitor(model) as states:
        mse_loss(model(x), y).backward()
    head = model.head.weight.numpy()
    # the same by retain_grad, stepping the cell by hand
    state, hs = None, []
    for t in range(6):
        state = model.cell(x[t], state)
        hs.append(state[0] if isinstance(state, tuple) else state)
        hs[-1].retain_grad()
    mse_loss(F.linear(hs[-1], Tensor(head), model.head.bias), y).backward()
    expected = [np.linalg.norm(h.grad.numpy()) for h in hs]
    assert states.layers == ["cell"] and states.norms["cell"] == pytest.approx(expected, rel=1e-12)


def test_the_monitor_counts_the_steps_of_every_call_until_reset_and_none_run_without_grad():
    model = CellSteps(nn.RNNCell(1, 3, rng=0))
    x, _ = adding_like(4)
    states = HiddenStateMonitor(model)
    model(x)
    model(x)
    assert len(states.norms["cell"]) == 8
    states.reset()
    with no_grad():
        model(x)
        LastStep(nn.RNN(1, 3, rng=0))(x)
    assert states.norms == {"cell": []}
    states.remove()
    model(x)
    assert states.norms == {"cell": []} and not model.cell._forward_hooks


def test_the_monitor_refuses_a_model_that_is_not_a_module():
    with pytest.raises(TypeError, match="HiddenStateMonitor: model must be an nn.Module, got RNNCell"):
        HiddenStateMonitor(type("RNNCell", (), {})())


# --- diagnose: through time --------------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda: LastStep(nn.RNN(1, 8, rng=0)), lambda: CellSteps(nn.RNNCell(1, 8, rng=0))])
def test_diagnose_flags_a_tanh_rnn_at_100_steps_as_vanishing_through_time(make):
    model = make()
    report = diagnose(model, *adding_like(100), mse_loss)
    name = "rnn" if isinstance(model, LastStep) else "cell"
    assert kinds(report) == ["vanishing_through_time"]
    (finding,) = report.findings
    norms = report.flow.steps[name]
    assert len(norms) == 100 and finding.layers == [name]
    assert finding.numbers["ratio"] == norms[0] / norms[-1] < 1e-10
    assert finding.numbers["per_step"] == pytest.approx(finding.numbers["ratio"] ** (1 / 99), rel=1e-12)
    assert finding.numbers["faded_steps"] == sum(n < 1e-3 * norms[-1] for n in norms)
    assert finding.remedies == RECURRENT_REMEDIES["vanishing"]
    assert any("LSTM" in r for r in finding.remedies) and any("identity" in r for r in finding.remedies)
    text = str(report)
    assert "recurrent layer" in text and "* vanishing through time: the gradient reaching the hidden state" in text
    assert report.to_dict()["through_time"]["rows"][0][:2] == [name, "100"]


@pytest.mark.parametrize("layer", [nn.LSTM, nn.GRU])
def test_a_gated_layer_vanishing_through_time_is_told_of_its_gate_biases_not_of_gated_cells(layer):
    report = diagnose(LastStep(layer(1, 8, rng=0)), *adding_like(100), mse_loss)
    (finding,) = [f for f in report.findings if f.kind == "vanishing_through_time"]
    assert finding.remedies[0] == GATE_BIASES and GATED_CELLS not in finding.remedies


def test_an_activation_that_follows_no_weighted_layer_gets_a_row_of_its_own_in_the_table():
    model = nn.Sequential(nn.Tanh(), nn.Linear(2, 2, rng=0), nn.ReLU(), nn.Sigmoid())
    rows = diagnose(model, Tensor(np.ones((4, 2))), Tensor(np.zeros((4, 2))), mse_loss).table.rows
    assert [(row[0], row[1] != "", row[3]) for row in rows] == [
        ("0", False, "Tanh"),
        ("1", True, "ReLU"),
        ("3", False, "Sigmoid"),
    ]


def linear_relu_rnn(gain, steps=30, seed=0):
    """A ReLU RNN with W_hh = gain * I and positive inputs and weights, read at its last step: every
    h_t is positive, so dL/dh_t = gain^(T - t) dL/dh_T and the ratio is gain^(T - 1) exactly."""
    model = LastStep(nn.RNN(1, 4, nonlinearity="relu", rng=seed))
    with no_grad():
        model.rnn.weight_hh_l0.copy_(gain * np.eye(4))
        model.rnn.weight_ih_l0.copy_(np.full((4, 1), 0.5))
        model.rnn.bias_ih_l0.fill_(0.1)
        model.rnn.bias_hh_l0.fill_(0.0)
    x = Tensor(np.random.default_rng(seed).uniform(0.1, 1.0, (steps, 8, 1)))
    return model, x, Tensor(np.zeros((8, 1)))


def test_a_relu_rnn_with_identity_recurrent_weights_keeps_its_gradient_through_100_steps():
    model, x, y = linear_relu_rnn(1.0, steps=100)
    report = diagnose(model, x, y, mse_loss)
    assert report.flow.step_ratios["rnn"] == pytest.approx(1.0, rel=1e-12)
    assert not {"vanishing_through_time", "exploding_through_time"} & set(kinds(report))


def test_a_ratio_equal_to_the_vanishing_threshold_is_not_vanishing_through_time():
    model, x, y = linear_relu_rnn(0.5)
    ratio = diagnose(model, x, y, mse_loss).flow.step_ratios["rnn"]
    assert ratio == pytest.approx(0.5**29, rel=1e-12)
    assert "vanishing_through_time" in kinds(diagnose(model, x, y, mse_loss))  # 1.9e-9 < 1e-3
    assert "vanishing_through_time" not in kinds(diagnose(model, x, y, mse_loss, vanishing=ratio))
    (finding,) = [
        f
        for f in diagnose(model, x, y, mse_loss, vanishing=np.nextafter(ratio, np.inf)).findings
        if f.kind != "vanishing"
    ]
    assert finding.kind == "vanishing_through_time" and finding.numbers["per_step"] == pytest.approx(0.5, rel=1e-12)


def test_a_ratio_equal_to_the_exploding_threshold_is_not_exploding_through_time():
    model, x, y = linear_relu_rnn(1.5)
    report = diagnose(model, x, y, mse_loss)
    ratio = report.flow.step_ratios["rnn"]
    assert ratio == pytest.approx(1.5**29, rel=1e-12) and ratio > 1e3
    (exploding,) = [f for f in report.findings if f.kind == "exploding_through_time"]
    assert exploding.layers == ["rnn"] and exploding.numbers["per_step"] == pytest.approx(1.5, rel=1e-12)
    assert exploding.remedies == RECURRENT_REMEDIES["exploding"]
    assert any("clip_grad_norm_" in r for r in exploding.remedies)
    assert "exploding_through_time" not in kinds(diagnose(model, x, y, mse_loss, exploding=ratio))
    assert "exploding_through_time" in kinds(diagnose(model, x, y, mse_loss, exploding=np.nextafter(ratio, 0)))


def test_one_step_or_no_gradient_at_the_last_step_is_no_finding_through_time():
    model, x, y = linear_relu_rnn(0.5, steps=1)
    report = diagnose(model, x, y, mse_loss, vanishing=np.inf)
    assert report.flow.steps["rnn"] and not {"vanishing_through_time"} & set(kinds(report))
    model = CellSteps(nn.RNNCell(1, 3, rng=0))
    report = diagnose(model, Tensor(np.ones((4, 2, 1))), Tensor(np.zeros((2, 1))), lambda out, y: (out * 0).sum())
    assert np.isnan(report.flow.step_ratios["cell"]) and "through_time" not in " ".join(kinds(report))


def test_a_recurrent_model_gets_the_recurrent_remedies_for_saturated_units_and_a_feed_forward_one_does_not():
    class Saturating(nn.Module):
        def __init__(self, recurrent):
            super().__init__()
            self.linear, self.gate = nn.Linear(1, 4, rng=0), nn.Sigmoid()
            self.cell = nn.RNNCell(4, 2, rng=0) if recurrent else None

        def forward(self, x):
            h = self.gate(self.linear(x[0]) * 100.0)
            return self.cell(h) if self.cell is not None else h

    x, y = Tensor(np.ones((1, 8, 1))), Tensor(np.zeros((8, 2)))
    (recurrent,) = [f for f in diagnose(Saturating(True), x, y, mse_loss).findings if f.kind == "saturated"]
    assert recurrent.remedies == RECURRENT_REMEDIES["saturated"] and "forget-gate bias" in recurrent.remedies[0]
    (plain,) = [f for f in diagnose(Saturating(False), x, Tensor(np.zeros((8, 4))), mse_loss).findings]
    assert plain.kind == "saturated" and plain.remedies == REMEDIES["saturated"]


@pytest.mark.parametrize(
    "options, error, message",
    [
        ({"vanishing": 0}, ValueError, "diagnose: vanishing must be a number > 0"),
        ({"exploding": -1.0}, ValueError, "diagnose: exploding must be a number > 0"),
        ({"exploding": float("nan")}, ValueError, "diagnose: exploding must be a number > 0"),
        ({"dead": 1.5}, ValueError, "diagnose: dead must be a finite number >= 0 and <= 1, got 1.5"),
        ({"saturated": "a lot"}, TypeError, "diagnose: saturated must be a finite number >= 0 and <= 1"),
    ],
)
def test_diagnose_refuses_a_bad_threshold_by_name(options, error, message):
    with pytest.raises(error, match=re.escape(message)):
        diagnose(nn.Linear(1, 1), Tensor(np.ones((2, 1))), Tensor(np.ones((2, 1))), mse_loss, **options)


def test_diagnose_refuses_a_model_or_loss_of_the_wrong_kind_and_changes_no_gradient():
    model = nn.Linear(1, 1)
    model.weight.grad = Tensor(np.ones((1, 1)))
    with pytest.raises(TypeError, match="diagnose: model must be an nn.Module, got function"):
        diagnose(lambda x: x, Tensor(np.ones((2, 1))), Tensor(np.ones((2, 1))), mse_loss)
    with pytest.raises(TypeError, match="diagnose: loss_fn must be callable, got str"):
        diagnose(model, Tensor(np.ones((2, 1))), Tensor(np.ones((2, 1))), "mse")
    with pytest.raises(ValueError, match="diagnose: vanishing"):
        diagnose(model, Tensor(np.ones((2, 1))), Tensor(np.ones((2, 1))), mse_loss, vanishing=-1)
    assert model.weight.grad.numpy().tolist() == [[1.0]]


# --- why_zero through a recurrent layer --------------------------------------------------------


def test_why_zero_does_not_blame_the_stack_of_an_rnns_states_for_the_steps_the_loss_does_not_read():
    from minigrad.analysis import record
    from minigrad.diagnostics import why_zero

    model = LastStep(nn.RNN(1, 4, rng=0))
    x = Tensor(RNG.normal(size=(20, 3, 1)), requires_grad=True)
    with record(model) as recording:
        loss = mse_loss(model(x), Tensor(np.zeros((3, 1))))
    for tensor in (x, model.rnn.weight_hh_l0):
        explanation = why_zero(tensor, loss, recording)
        assert explanation.state == "ok" and explanation.causes == []


def test_why_zero_still_names_a_zero_weight_matrix_that_passes_back_none_of_the_gradient():
    from minigrad.diagnostics import why_zero

    x = Tensor(RNG.normal(size=(3, 2)), requires_grad=True)
    explanation = why_zero(x, F.linear(x, Tensor(np.zeros((4, 2)))).tanh().sum())
    assert explanation.state == "zero"
    assert [(c.kind, c.blocking, c.message) for c in explanation.causes] == [
        ("zero", True, "passes back none of the gradient it receives")
    ]


def test_the_digits_demo_compares_the_weights_gradient_flow_gives_its_convolutions_and_linear_layer():
    pytest.importorskip("sklearn")
    from minigrad.demos import digits

    X, y, _, _ = digits.split(0, quick=True)
    model = digits.cnn("relu", digits.CHANNELS, None, seed=0)
    run = digits.measure_flow(model, X[:32], y[:32])  # it leaves the gradients zeroed
    cross_entropy(model(Tensor(X[:32])), y[:32]).backward()
    expected = [np.linalg.norm(model[k].weight.grad.numpy()) for k in (0, 3, 7)]  # conv, conv, Linear
    assert [type(model[k]).__name__ for k in (0, 3, 7)] == ["Conv2d", "Conv2d", "Linear"]
    assert run["weights"] == pytest.approx(expected, rel=1e-12)
    assert run["ratio"] == pytest.approx(expected[0] / expected[-1], rel=1e-12)


def test_a_sequence_layer_whose_output_is_not_the_stack_of_its_states_is_refused_not_misread():
    class Doubled(nn.RNN):
        def forward(self, input, hx=None):
            output, h_n = super().forward(input, hx)
            return output + output, h_n  # no longer the stack of h_1 .. h_T

    model = LastStep(Doubled(1, 3, rng=0))
    before = {name: p.grad for name, p in model.named_parameters()}
    with pytest.raises(RuntimeError, match="HiddenStateMonitor: the output sequence of Doubled is not a stack"):
        diagnose(model, *adding_like(4), mse_loss)
    assert {name: p.grad for name, p in model.named_parameters()} == before
    assert not model.rnn._forward_hooks
