"""diagnose(), gradient_flow(), why_zero() and HiddenStateMonitor, pinned exactly: the numbers they
report (against values computed here by hand), their thresholds at the boundaries, and the
wording of findings, tables and explanations compared whole.

Written for the survivors of the diagnostics' mutation run (docs/mutation.md, seventh session).
"""

import json
from dataclasses import asdict

import numpy as np
import pytest
from test_diagnose_thresholds import one_of_four_off
from test_diagnostics_layers import LastStep, linear_relu_rnn

from minigrad import Tensor, nn, no_grad
from minigrad.analysis.trace import trace
from minigrad.diagnostics import (
    ActivationMonitor,
    GradStats,
    HiddenStateMonitor,
    diagnose,
    gradient_flow,
    why_zero,
)
from minigrad.diagnostics.remedies import GATE_BIASES, IDENTITY_RELU_RNN, RECURRENT_REMEDIES, REMEDIES
from minigrad.diagnostics.why import explain
from minigrad.losses import mse_loss
from minigrad.report import number

X = Tensor(np.random.default_rng(0).uniform(0.5, 1.5, (20, 2)))
Y = Tensor(np.random.default_rng(1).standard_normal((20, 1)))

TABLE_COLUMNS = [
    "layer",
    "weight grad norm",
    "÷ last layer's",
    "activation",
    "grad at its output",
    "active",
    "dead",
    "saturated",
]
TIME_COLUMNS = ["recurrent layer", "steps", "||dL/dh_T||", "||dL/dh_1||", "h_1 ÷ h_T", "per step"]


def kinds(report):
    return [f.kind for f in report.findings]


def sigmoid_mlp():
    return nn.MLP([2, 4, 4, 4, 1], activation="sigmoid", rng=0)


def by_hand(model, loss_fn=mse_loss, x=X, y=Y):
    """The loss, every parameter's gradient and every activation's output and output gradient, by a
    plain backward with retain_grad (no diagnostics involved)."""
    outputs = {}

    def keep(module, inputs, output):
        output.retain_grad()
        outputs[module] = output

    handles = [m.register_forward_hook(keep) for m in model.modules() if type(m).__name__ in ("Sigmoid", "ReLU")]
    loss = loss_fn(model(x), y)
    loss.backward()
    for handle in handles:
        handle.remove()
    grads = {name: p.grad.numpy().copy() for name, p in model.named_parameters()}
    for p in model.parameters():
        p.grad = None
    return float(loss.item()), grads, outputs


# --- diagnose: the vanishing finding -----------------------------------------------------------


def test_the_vanishing_finding_states_the_ratio_the_layers_and_the_sigmoids_derivatives_exactly():
    model = sigmoid_mlp()
    loss, grads, outputs = by_hand(model)
    norms = [np.linalg.norm(grads[f"layers.{k}.weight"]) for k in (0, 2, 4, 6)]
    ratio = norms[0] / norms[-1]
    derivatives = [(s.numpy() * (1 - s.numpy())) for s in outputs.values()]
    mean = float(np.mean([d.mean() for d in derivatives]))
    largest = max(d.max() for d in derivatives)
    report = diagnose(model, X, Y, mse_loss, vanishing=0.5)
    (finding,) = report.findings
    assert finding.kind == "vanishing"
    assert finding.layers == ["layers.0", "layers.2", "layers.4"]  # below 0.5 of the last one's norm
    assert finding.numbers == {
        "ratio": pytest.approx(ratio, rel=1e-12),
        "weighted_layers": 4,
        "per_layer": pytest.approx(ratio ** (1 / 3), rel=1e-12),
        "derivative_max": pytest.approx(largest, rel=1e-12),
        "derivative_peak": 0.25,
        "derivative_mean": pytest.approx(mean, rel=1e-12),
        "first_saturated": 0.0,
        "activation_layers": 3,
    }
    assert finding.message == (
        f"the first layer (layers.0) receives {number(ratio)} of the last layer's weight gradient over 4 layers "
        f"with weights (Linear; {number(ratio ** (1 / 3))} per layer); 3 layers get less than 0.5 of it; each of "
        f"the 3 Sigmoid layers multiplies it by its derivative, at most 0.25 (measured: mean {number(mean)}, "
        f"max {number(largest)}), so their derivatives alone scale it by at most {number(0.25**3)}; 0 % of the "
        "first layer's Sigmoid units are saturated"
    )
    assert finding.remedies == REMEDIES["vanishing"]
    assert report.loss == pytest.approx(loss, rel=1e-12)


def test_a_layer_whose_norm_is_exactly_the_threshold_share_of_the_last_is_not_counted_as_faded():
    model = sigmoid_mlp()
    norms = [w.norm for w in diagnose(model, X, Y, mse_loss).flow.weights]
    share = norms[1] / norms[-1]
    while share * norms[-1] != norms[1]:  # a threshold whose product with the last norm is layers.2's norm
        share = np.nextafter(share, np.inf)
    (finding,) = diagnose(model, X, Y, mse_loss, vanishing=share).findings
    assert finding.layers == ["layers.0"]
    assert "1 layers get less than" in finding.message
    (finding,) = diagnose(model, X, Y, mse_loss, vanishing=np.nextafter(share, np.inf)).findings
    assert finding.layers == ["layers.0", "layers.2"]


def test_one_weighted_layer_is_never_vanishing_whatever_the_threshold():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Sigmoid())
    report = diagnose(model, X, Tensor(np.zeros((20, 3))), mse_loss, vanishing=2.0)
    assert report.flow.ratio == 1.0 and report.findings == []


def test_two_weighted_layers_are_enough_for_a_vanishing_finding():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Sigmoid(), nn.Linear(3, 1, rng=1))
    ratio = diagnose(model, X, Y, mse_loss).flow.ratio
    (finding,) = diagnose(model, X, Y, mse_loss, vanishing=np.nextafter(ratio, np.inf)).findings
    assert finding.kind == "vanishing" and finding.layers == ["0"]
    assert finding.numbers["weighted_layers"] == 2 and finding.numbers["per_layer"] == ratio


class ZeroedBranch(nn.Module):
    """Three Linear layers; the last one's output is multiplied by 0, so its weight gets a zero gradient."""

    def __init__(self):
        super().__init__()
        self.a, self.b, self.c = nn.Linear(2, 3, rng=0), nn.Linear(3, 1, rng=1), nn.Linear(2, 1, rng=2)

    def forward(self, x):
        return self.b(self.a(x).tanh()) + self.c(x) * 0.0


def test_no_vanishing_finding_when_the_last_weighted_layer_gets_no_gradient():
    report = diagnose(ZeroedBranch(), X, Y, mse_loss, vanishing=np.inf)
    assert [w.norm == 0 for w in report.flow.weights] == [False, False, True]
    assert np.isnan(report.flow.ratio) and report.findings == []


class TwoBad(nn.Module):
    def __init__(self):
        super().__init__()
        self.first, self.second = nn.Linear(2, 2, rng=0), nn.Linear(2, 1, rng=1)

    def forward(self, x):
        return self.second(self.first(x))


def test_non_finite_gradients_are_one_finding_naming_every_layer_with_them():
    model = TwoBad()
    with no_grad():
        model.first.weight[0, 0] = np.inf
    (finding,) = diagnose(model, X, Y, mse_loss).findings
    assert asdict(finding) == {
        "kind": "nonfinite",
        "layers": ["first", "first", "second", "second"],
        "message": "inf or NaN in the gradients of first, first, second, second",
        "remedies": REMEDIES["nonfinite"],
        "numbers": {},
    }


# --- diagnose: dead and saturated units ---------------------------------------------------------


def test_the_dead_finding_is_stated_whole_with_its_numbers():
    (finding,) = diagnose(one_of_four_off(nn.ReLU(), -1.0), X, Y, mse_loss).findings
    assert asdict(finding) == {
        "kind": "dead",
        "layers": ["1"],
        "message": "25 % of the ReLU units of 1 (hidden layer 1) are dead: 1 of 4 have zero output and zero "
        "gradient on all 20 examples",
        "remedies": REMEDIES["dead"],
        "numbers": {"units": 4, "examples": 20, "hidden_layer": 1, "dead_fraction": 0.25},
    }


def test_the_saturated_finding_is_stated_whole_with_its_numbers():
    (finding,) = diagnose(one_of_four_off(nn.Sigmoid(), -30.0), X, Y, mse_loss).findings
    assert asdict(finding) == {
        "kind": "saturated",
        "layers": ["1"],
        "message": "25 % of the Sigmoid units of 1 (hidden layer 1) are saturated: derivative below 1 % of its "
        "peak on all 20 examples",
        "remedies": REMEDIES["saturated"],
        "numbers": {"units": 4, "examples": 20, "hidden_layer": 1, "saturated_fraction": 0.25},
    }


def test_the_remedies_are_the_standard_ones_word_for_word():
    assert REMEDIES == {
        "vanishing": [
            "ReLU-family activations (ReLU, leaky ReLU, PReLU, ELU, GELU) instead of sigmoid or tanh",
            "He initialisation for the ReLU family, Xavier for sigmoid and tanh",
            "residual connections",
            "normalisation (LayerNorm, BatchNorm)",
        ],
        "dead": [
            "leaky ReLU, PReLU, ELU or GELU, which keep a gradient for negative inputs",
            "a smaller learning rate",
            "He initialisation with zero biases",
        ],
        "saturated": ["Xavier initialisation", "normalisation before the activation", "ReLU-family activations"],
        "nonfinite": [
            "a smaller learning rate",
            "gradient clipping (nn.utils.clip_grad_norm_)",
            "inputs and loss free of inf and NaN",
        ],
    }
    assert RECURRENT_REMEDIES["exploding"] == [
        "gradient clipping (nn.utils.clip_grad_norm_)",
        "recurrent weights weight_hh of spectral radius at most 1 (e.g. nn.init.orthogonal_)",
        "a smaller learning rate",
    ]
    assert RECURRENT_REMEDIES["dead"] == REMEDIES["dead"] and RECURRENT_REMEDIES["nonfinite"] == REMEDIES["nonfinite"]


# --- diagnose: the table and the printed report -----------------------------------------------


def test_the_table_has_the_weight_norms_their_share_of_the_last_and_the_activation_after_each_layer():
    model = one_of_four_off(nn.ReLU(), -1.0)
    loss, grads, outputs = by_hand(model)
    relu_grad = np.linalg.norm(next(iter(outputs.values())).grad.numpy())
    first, last = np.linalg.norm(grads["0.weight"]), np.linalg.norm(grads["2.weight"])
    report = diagnose(model, X, Y, mse_loss)
    assert report.table.columns == TABLE_COLUMNS
    assert report.table.rows == [
        ["0", number(first), number(first / last), "ReLU", number(relu_grad), "75 %", "25 %", "0 %"],
        ["2", number(last), "1", "", "", "", "", ""],
    ]
    assert report.loss == pytest.approx(loss, rel=1e-12)
    assert report.through_time is None


class Unread(nn.Module):
    """A ReLU layer whose output the loss does not read: no gradient reaches it (nor its Linear)."""

    def __init__(self):
        super().__init__()
        self.linear, self.relu, self.out = nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(2, 1, rng=1)

    def forward(self, x):
        self.relu(self.linear(x))
        return self.out(x)


def test_an_activation_no_gradient_reached_has_a_row_with_an_empty_gradient_cell():
    report = diagnose(Unread(), X, Y, mse_loss)
    last = report.flow.weights[-1].norm
    assert report.table.rows == [
        ["relu", "", "", "ReLU", "", "57 %", "33 %", "0 %"],
        ["out", number(last), "1", "", "", "", "", ""],
    ]


def test_an_activation_after_an_activation_gets_a_row_of_its_own_even_when_the_gradients_are_zero():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Sigmoid())
    report = diagnose(model, X, Tensor(np.zeros((20, 3))), lambda out, y: (out * 0.0).sum())
    assert report.table.rows == [
        ["0", "0", "nan", "Tanh", "0", "100 %", "0 %", "0 %"],
        ["2", "", "", "Sigmoid", "0", "100 %", "0 %", "0 %"],
    ]


def test_without_a_depth_weight_each_weights_share_of_the_last_is_nan():
    model = LastStep(nn.RNN(1, 3, rng=0))
    model.rnn.weight_ih_l0.requires_grad_(False)
    model.head.weight.requires_grad_(False)
    report = diagnose(model, Tensor(np.ones((5, 4, 1))), Tensor(np.zeros((4, 1))), mse_loss)
    assert report.flow.weights == []
    (norm,) = [r.norm for r in report.flow.rows if r.tensor == "weight_hh_l0"]
    assert report.table.rows == [["rnn.weight_hh_l0", number(norm), "nan", "", "", "", "", ""]]


def test_the_printed_report_is_the_loss_the_tables_and_each_finding_with_its_remedies():
    model, x, y = linear_relu_rnn(0.5)
    report = diagnose(model, x, y, mse_loss)
    assert report.through_time.columns == TIME_COLUMNS
    (finding,) = report.findings
    assert str(report) == "\n".join(
        [
            f"loss {number(report.loss)}",
            report.table.text(),
            "",
            report.through_time.text(),
            "",
            f"* vanishing through time: {finding.message}",
            "  remedies: " + "; ".join(RECURRENT_REMEDIES["vanishing"]),
        ]
    )


def test_a_healthy_report_ends_with_the_one_line_that_says_so():
    report = diagnose(one_of_four_off(nn.ReLU(), 5.0), X, Y, mse_loss)
    assert report.findings == []
    assert str(report).split("\n")[-2:] == ["", "no vanishing or non-finite gradients, no dead or saturated layers"]


def test_the_report_as_plain_data_holds_the_loss_the_findings_the_flow_and_the_units():
    report = diagnose(one_of_four_off(nn.ReLU(), -1.0), X, Y, mse_loss)
    data = report.to_dict()
    assert list(data) == ["loss", "table", "findings", "flow", "units", "through_time"]
    assert data["loss"] == report.loss
    assert data["findings"] == [asdict(f) for f in report.findings] and len(data["findings"]) == 1
    assert data["flow"] == report.flow.to_dict() and data["through_time"] is None
    assert json.loads(json.dumps(data))["findings"][0]["kind"] == "dead"


def test_the_grad_at_each_activations_output_is_measured_during_diagnose():
    model = sigmoid_mlp()
    _, _, outputs = by_hand(model)
    report = diagnose(model, X, Y, mse_loss)
    assert [a.layer for a in report.flow.activations] == ["layers.1", "layers.3", "layers.5"]
    for a, output in zip(report.flow.activations, outputs.values()):
        assert a.norm == pytest.approx(np.linalg.norm(output.grad.numpy()), rel=1e-12)


# --- diagnose: through time ---------------------------------------------------------------------


def test_the_vanishing_through_time_finding_is_stated_whole_and_counts_the_faded_steps_strictly():
    model, x, y = linear_relu_rnn(0.5)
    report = diagnose(model, x, y, mse_loss, vanishing=0.5**10)
    norms = report.flow.steps["rnn"]
    assert norms == [0.5 ** (29 - t) * norms[-1] for t in range(30)]  # exact: powers of two
    (finding,) = report.findings
    assert asdict(finding) == {
        "kind": "vanishing_through_time",
        "layers": ["rnn"],
        "message": "the gradient reaching the hidden state of rnn fades over its 30 steps: ||dL/dh_1|| is 1.9e-09 "
        "of ||dL/dh_T|| (0.5 per step); 19 of the 30 steps get less than 0.000976562 of it",
        "remedies": RECURRENT_REMEDIES["vanishing"],
        "numbers": {"ratio": 0.5**29, "steps": 30, "per_step": 0.5, "faded_steps": 19},
    }
    # the step at exactly 0.5^10 of the last is not counted, those below are
    assert sum(n < 0.5**10 * norms[-1] for n in norms) == 19


def test_the_exploding_through_time_finding_is_stated_whole():
    model, x, y = linear_relu_rnn(2.0, steps=12)
    report = diagnose(model, x, y, mse_loss)
    (finding,) = [f for f in report.findings if f.kind == "exploding_through_time"]
    assert asdict(finding) == {
        "kind": "exploding_through_time",
        "layers": ["rnn"],
        "message": "the gradient reaching the hidden state of rnn grows over its 12 steps: ||dL/dh_1|| is "
        "2.05e+03 times ||dL/dh_T|| (2 per step)",
        "remedies": RECURRENT_REMEDIES["exploding"],
        "numbers": {"ratio": 2.0**11, "steps": 12, "per_step": 2.0},
    }


def test_the_default_exploding_threshold_is_a_thousand():
    steps = 12
    model, x, y = linear_relu_rnn(1000.5 ** (1 / (steps - 1)), steps=steps)
    ratio = diagnose(model, x, y, mse_loss).flow.step_ratios["rnn"]
    assert ratio == pytest.approx(1000.5, rel=1e-9)
    assert "exploding_through_time" in kinds(diagnose(model, x, y, mse_loss))


def test_two_steps_are_enough_for_a_finding_through_time_and_a_zero_ratio_is_zero_per_step():
    model, x, y = linear_relu_rnn(0.0, steps=2)  # W_hh = 0: h_1 passes nothing on to h_2
    report = diagnose(model, x, y, mse_loss)
    (finding,) = report.findings
    assert finding.kind == "vanishing_through_time"
    assert finding.numbers == {"ratio": 0.0, "steps": 2, "per_step": 0.0, "faded_steps": 1}
    norms = report.flow.steps["rnn"]
    assert report.through_time.rows == [["rnn", "2", number(norms[1]), "0", "0", "0"]]


def test_over_two_steps_the_factor_per_step_is_the_ratio_itself():
    model, x, y = linear_relu_rnn(0.5, steps=2)
    report = diagnose(model, x, y, mse_loss, vanishing=1.0)
    (finding,) = [f for f in report.findings if f.kind == "vanishing_through_time"]
    assert finding.numbers["ratio"] == 0.5 and finding.numbers["per_step"] == 0.5


class CellThenLayer(nn.Module):
    """A cell run for one step, then a ReLU RNN of 30 steps with W_hh = 0.5 I."""

    def __init__(self):
        super().__init__()
        self.cell = nn.RNNCell(1, 1, rng=0)
        self.rnn = linear_relu_rnn(0.5)[0].rnn
        self.head = nn.Linear(4, 1, rng=0)

    def forward(self, x):
        return self.head(self.rnn(x)[0][-1]) + self.cell(x[0])


def test_a_layer_of_one_step_does_not_stop_the_findings_of_the_layers_after_it():
    x = linear_relu_rnn(0.5)[1]
    report = diagnose(CellThenLayer(), x, Tensor(np.zeros((8, 1))), mse_loss)
    assert [len(report.flow.steps[name]) for name in ("cell", "rnn")] == [1, 30]
    assert [(f.kind, f.layers) for f in report.findings] == [("vanishing_through_time", ["rnn"])]


@pytest.mark.parametrize("layer", [nn.LSTM, nn.GRU])
def test_a_gated_layer_is_told_of_its_gate_biases_and_the_identity_relu_rnn_only(layer):
    model = LastStep(layer(1, 8, rng=0))
    x = Tensor(np.random.default_rng(0).normal(size=(100, 8, 1)))
    (finding,) = [f for f in diagnose(model, x, Tensor(np.zeros((8, 1))), mse_loss).findings]
    assert finding.kind == "vanishing_through_time" and finding.remedies == [GATE_BIASES, IDENTITY_RELU_RNN]


# --- gradient_flow ------------------------------------------------------------------------------


def test_gradient_flow_lists_parameters_and_activation_outputs_by_layer_kind_and_tensor():
    model = nn.Sequential(nn.Linear(2, 3, bias=False, rng=0), nn.ReLU(), nn.Linear(3, 1, rng=1))
    model[2].bias.requires_grad_(False)
    with ActivationMonitor(model) as monitor:
        mse_loss(model(X), Y).backward()
    flow = gradient_flow(model, monitor)
    assert [(r.layer, r.kind, r.tensor) for r in flow.rows] == [
        ("0", "Linear", "weight"),
        ("1", "ReLU", "output"),
        ("2", "Linear", "weight"),
    ]
    assert flow.activations == [flow.rows[1]] and flow.weights == [flow.rows[0], flow.rows[2]]


def test_the_gradient_flow_table_and_plain_data_are_stated_whole():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    with ActivationMonitor(model) as monitor:
        mse_loss(model(X), Y).backward()
    flow = gradient_flow(model, monitor)
    table = flow.table()
    assert table.columns == ["layer", "kind", "gradient of", "norm", "mean |g|", "max |g|"]
    assert table.rows == [
        [r.layer, r.kind, r.tensor, number(r.norm), number(r.mean_abs), number(r.max_abs)] for r in flow.rows
    ]
    data = flow.to_dict()
    assert data == {
        "ratio": flow.weights[0].norm / flow.weights[1].norm,
        "activation_ratio": 1.0,
        "rows": [asdict(r) for r in flow.rows],
        "steps": {},
        "step_ratios": {},
    }


def test_a_float32_gradient_is_measured_in_float64_without_overflow():
    g = np.full((2, 3), 1e20, dtype=np.float32)  # its squares overflow float32
    stats = GradStats.of("0", "Linear", "weight", g)
    assert stats.norm == pytest.approx(np.sqrt(6) * float(np.float32(1e20)), rel=1e-15)
    assert stats.mean_abs == stats.max_abs == float(np.float32(1e20))


def test_a_layer_with_no_elements_has_gradient_norm_and_max_zero_and_mean_nan_without_a_warning():
    stats = GradStats.of("0", "Linear", "weight", np.zeros((0, 3)))
    assert stats.norm == 0.0 and stats.max_abs == 0.0 and np.isnan(stats.mean_abs)
    with pytest.warns(UserWarning, match="initializing zero-element tensors is a no-op"):
        model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 0, rng=0))
    x = Tensor(np.ones((4, 2)))
    report = diagnose(model, x, None, lambda out, y: out.sum() + model[0](x).sum())  # no RuntimeWarning
    assert [(r.layer, r.tensor, r.norm) for r in report.flow.rows[-2:]] == [("2", "weight", 0.0), ("2", "bias", 0.0)]


# --- HiddenStateMonitor -------------------------------------------------------------------------


def test_a_step_no_gradient_has_reached_yet_counts_as_zero():
    rnn = nn.RNN(1, 3, rng=0)
    with HiddenStateMonitor(rnn) as states:
        output, _ = rnn(Tensor(np.ones((4, 2, 1))))
        assert states.norms == {"": [0.0, 0.0, 0.0, 0.0]}
        output[-1].sum().backward()
    assert all(n > 0 for n in states.norms[""])


def test_the_hidden_state_gradient_of_a_float32_layer_is_measured_in_float64_without_overflow():
    rnn = nn.RNN(1, 3, rng=0)
    for name, p in list(rnn.named_parameters()):
        setattr(rnn, name, nn.Parameter(p.numpy().astype(np.float32)))
    with HiddenStateMonitor(rnn) as states:
        output, _ = rnn(Tensor(np.ones((2, 2, 1), dtype=np.float32)))
        assert output.dtype == np.float32
        (output[-1] * 1e25).sum().backward()  # dL/dh_T = 1e25 everywhere: its squares overflow float32
    assert states.norms[""][-1] == pytest.approx(np.sqrt(6) * float(np.float32(1e25)), rel=1e-7)


def test_removing_the_monitor_twice_is_harmless():
    rnn = nn.RNN(1, 3, rng=0)
    states = HiddenStateMonitor(rnn)
    states.remove()
    states.remove()
    with states:
        pass
    assert not rnn._forward_hooks


class ThreeOpsPast(nn.RNN):
    def forward(self, input, hx=None):
        output, h_n = super().forward(input, hx)
        return output.tanh().tanh().tanh(), h_n  # three ops past the stack of h_1 .. h_T


class Detached(nn.RNN):
    def forward(self, input, hx=None):
        output, h_n = super().forward(input, hx)
        return output.detach().requires_grad_(), h_n  # no graph back to the states


@pytest.mark.parametrize("layer", [ThreeOpsPast, Detached])
def test_a_sequence_layer_whose_output_does_not_lead_back_to_its_states_within_its_own_reshaping_is_refused(layer):
    model = nn.Sequential(layer(1, 3, rng=0))
    with HiddenStateMonitor(model), pytest.raises(RuntimeError) as error:
        model(Tensor(np.ones((4, 2, 1))))
    assert str(error.value) == (
        f"HiddenStateMonitor: the output sequence of {layer.__name__} is not a stack of its hidden states as "
        "nn/rnn.py makes it; the steps cannot be watched"
    )


# --- why_zero: each op judged -------------------------------------------------------------------


def test_a_single_dead_relu_input_is_named_without_at_most_and_as_one_unit():
    x = Tensor([-2.0], requires_grad=True)
    (cause,) = why_zero(x, (x * 3.0).relu().sum()).causes
    assert vars(cause) == {
        "where": "ReLU (1,)",
        "kind": "dead",
        "message": "relu input -6: dead unit",
        "blocking": True,
        "numbers": {"max_input": -6.0, "units": 1, "of": 1, "examples": 1},
    }


def test_two_dead_relu_units_of_one_example_are_counted_with_the_largest_input():
    x = Tensor([-2.0, -3.0], requires_grad=True)
    found = why_zero(x, (x * 1.0).relu().sum())
    assert str(found) == (
        "gradient of the tensor: zero (rms 0 of the root's)\n"
        "  - ReLU (2,): relu input at most -2: 2 of 2 units dead [stops all of it]"
    )


def test_one_unit_dead_on_both_of_two_examples_is_named_on_all_2_examples():
    x = Tensor([[-2.0], [-3.0]], requires_grad=True)
    (cause,) = why_zero(x, (x * 1.0).relu().sum()).causes
    assert cause.message == "relu input at most -2 on all 2 examples: dead unit"
    assert cause.numbers == {"max_input": -2.0, "units": 1, "of": 1, "examples": 2}


def test_saturated_units_of_several_examples_are_named_with_their_smallest_input_size():
    x = Tensor([[30.0, 0.1], [-40.0, 0.2]], requires_grad=True)
    found = why_zero(x, (x * 1.0).tanh().sum())
    assert str(found) == (
        f"gradient of the tensor: ok (rms {number(found.relative)} of the root's)\n"
        "  - Tanh (2, 2): tanh input at least 30 in size on all 2 examples: 1 of 2 units saturated"
    )
    assert found.causes[0].numbers == {"min_abs_input": 30.0, "units": 1, "of": 2, "examples": 2}
    assert found.to_dict() == {"state": "ok", "relative": found.relative, "causes": [vars(found.causes[0])]}


def test_a_sigmoid_derivative_is_judged_against_its_peak_of_a_quarter():
    x = Tensor([5.0], requires_grad=True)  # sigmoid'(5) = 0.0066: above 1 % of 0.25, below 1 % of 1
    assert why_zero(x, (x * 1.0).sigmoid().sum()).causes == []
    (cause,) = why_zero(x, (x * 1.0).sigmoid().sum(), level=0.1).causes  # below 10 % of 0.25
    assert (cause.kind, cause.message) == ("saturated", "sigmoid input 5: saturated unit")


def test_an_op_that_states_no_peak_is_judged_against_one():
    x = Tensor([np.log(0.015), np.log(0.009)], requires_grad=True)  # exp' = exp: 0.015 and 0.009
    (cause,) = why_zero(x, x.exp().sum()).causes
    assert cause.message == "exp derivative at most 0.009: 1 of 2 units tiny"


def test_a_derivative_equal_to_the_level_times_the_peak_is_not_small():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert why_zero(x, (x * 1.0).relu().sum(), level=1.0).causes == []


def test_an_op_that_passes_back_none_of_the_gradient_is_named_whole():
    x = Tensor(np.random.default_rng(0).normal(size=(3, 2)), requires_grad=True)
    found = why_zero(x, (x @ Tensor(np.zeros((2, 4)))).tanh().sum())
    assert [vars(c) for c in found.causes] == [
        {
            "where": "MatMul (3, 4)",
            "kind": "zero",
            "message": "passes back none of the gradient it receives",
            "blocking": True,
            "numbers": {},
        }
    ]


def test_the_ops_before_the_tensor_asked_about_are_not_judged():
    x = Tensor([-1.0, -2.0], requires_grad=True)
    h = (x * 1.0).relu()  # dead, but before h
    found = why_zero(h, (h * 2.0 + 1.0).sum())
    assert (found.state, found.causes) == ("ok", [])


def stop_gradient(x):
    from minigrad.autograd import Function

    class StopGradient(Function):
        @staticmethod
        def forward(ctx, a):
            return a.copy()

        @staticmethod
        def backward(ctx, grad):
            return None

    return StopGradient.apply(x)


def test_a_tensor_no_gradient_reaches_is_zero_with_rms_zero():
    x = Tensor([1.0, 2.0], requires_grad=True)
    found = why_zero(x, stop_gradient(x).sum())
    assert (found.state, found.relative, found.causes) == ("zero", 0.0, [])
    assert str(found) == (
        "gradient of the tensor: zero (rms 0 of the root's)\n  - no op on the way has a zero or tiny derivative"
    )


def test_the_relative_size_is_the_tensors_rms_gradient_over_the_roots():
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    root = (x * 0.5).tanh() * 4.0
    local = 2.0 * (1 - np.tanh(x.numpy() * 0.5) ** 2)
    traced = trace(root, gradient=np.full(3, 8.0))  # the root's gradient: rms 8
    target = next(v for v in traced.values if v.tensor is x)
    found = explain(traced, target, None)
    assert found.relative == pytest.approx(np.sqrt(np.mean(local**2)), rel=1e-12)
    assert why_zero(x, root.sum()).relative == pytest.approx(np.sqrt(np.mean(local**2)), rel=1e-12)


def test_a_threshold_above_the_relative_size_makes_the_gradient_vanishing():
    x = Tensor([0.5], requires_grad=True)
    root = (x * 1e-3).sum()
    assert why_zero(x, root).state == "ok"
    assert why_zero(x, root, threshold=1e-2).state == "vanishing"


def test_a_freed_graph_is_refused_whole():
    x = Tensor([1.0], requires_grad=True)
    loss = (x * 2.0).tanh().sum()
    loss.backward()
    with pytest.raises(RuntimeError) as error:
        why_zero(x, loss)
    assert str(error.value) == (
        "why_zero: backward() already freed the graph; call why_zero before loss.backward(), or after "
        "loss.backward(retain_graph=True)"
    )


def test_causes_in_the_two_branches_of_a_sum_read_from_the_root_back_the_last_input_first():
    x = Tensor([50.0], requires_grad=True)
    found = why_zero(x, ((x * 1.0).sigmoid() + (x * -1.0).relu()).sum())
    assert [(c.where, c.kind, c.blocking) for c in found.causes] == [
        ("ReLU (1,)", "dead", True),
        ("Sigmoid (1,)", "saturated", True),
    ]


# --- why_zero: the product along the path -------------------------------------------------------


def sigmoids(x, n):
    for _ in range(n):
        x = x.sigmoid()
    return x


def sigmoid_chain_numbers(x0, n):
    """The product of the n sigmoid derivatives along x0 -> sigmoid^n, and the largest of them."""
    derivatives, v = [], x0
    for _ in range(n):
        s = 1 / (1 + np.exp(-v))
        derivatives.append(s * (1 - s))
        v = s
    return float(np.prod(derivatives)), float(max(derivatives))


def test_the_product_of_a_chain_of_sigmoids_is_stated_whole_with_the_other_ops_on_the_path():
    x = Tensor([0.5], requires_grad=True)
    w = Tensor([0.1], requires_grad=True)  # its edge carries more gradient than the chain's, but leads elsewhere
    found = why_zero(x, (sigmoids(x, 20) * w).sum())
    product, largest = sigmoid_chain_numbers(0.5, 20)
    (cause,) = found.causes
    assert vars(cause) == {
        "where": "path from the root",
        "kind": "product",
        "message": f"product of 20 Sigmoid derivatives, each at most 0.25 (measured max {number(largest)}): together "
        f"they scale the gradient by {number(product)}, {number(product ** (1 / 20))} per op; the other ops on "
        "the path: Mul ×0.1",
        "blocking": False,
        "numbers": {"ops": 20, "product": pytest.approx(product, rel=1e-9), "max_local": largest, "bound": 0.25},
    }
    assert found.state == "vanishing" and found.relative == pytest.approx(0.1 * product, rel=1e-9)


def test_the_product_follows_the_heavier_of_two_edges_that_both_lead_to_the_tensor():
    x = Tensor([0.5], requires_grad=True)
    s = sigmoids(x, 20)
    (cause,) = why_zero(x, (s * s).sum()).causes
    assert cause.numbers["ops"] == 20 and "the other ops on the path: Mul ×" in cause.message


def test_an_activation_that_states_no_peak_is_summed_up_without_a_bound():
    x = Tensor([[-0.5]], requires_grad=True)
    prelu, s = nn.PReLU(init=0.5), x
    for _ in range(30):
        s = prelu(s)
    (cause,) = why_zero(x, s.sum()).causes
    assert cause.message == (
        "product of 30 PReLU derivatives (measured max 0.5): together they scale the gradient by 9.3e-10, 0.5 per op"
    )
    assert cause.numbers == {"ops": 30, "product": 0.5**30, "max_local": 0.5, "bound": None}


def test_activations_are_summed_up_smallest_product_first_whatever_their_order_on_the_path():
    x = Tensor([0.5], requires_grad=True)
    s = x
    for _ in range(30):
        s = (s * 3.0).tanh()  # far from the root, and the smaller product
    found = why_zero(x, sigmoids(s, 3).sum())
    assert [c.numbers["ops"] for c in found.causes] == [30, 3]
    assert [c.message.split(" derivatives")[0] for c in found.causes] == ["product of 30 Tanh", "product of 3 Sigmoid"]


def test_an_activation_whose_product_is_one_or_more_is_not_a_cause_and_other_ops_dont_stop_the_summary():
    x = Tensor([0.5], requires_grad=True)
    s = sigmoids((x * 1.0).relu(), 6)  # the relu is active: its product is 1 exactly
    s = (s + 1.0).gelu()  # gelu'(about 1.5) is 1.13: a product above 1
    for _ in range(10):
        s = s * Tensor([0.1])  # the Mul ops' product, 1e-10, is the smallest: sorted first
    found = why_zero(x, s.sum())
    (cause,) = found.causes
    assert cause.message.startswith("product of 6 Sigmoid derivatives")
    others = cause.message.split("; the other ops on the path: ")[1].split(", ")
    assert [o.split(" ×")[0] for o in others] == ["Mul", "GELU"]  # AddScalar's and ReLU's product: 1


def test_units_dead_on_the_way_are_kept_beside_the_product():
    x = Tensor([0.5, -0.5], requires_grad=True)
    found = why_zero(x, sigmoids((x * 1.0).relu(), 20).sum())
    assert [(c.kind, c.where) for c in found.causes] == [
        ("dead", "ReLU (2,)"),
        ("product", "path from the root"),  # the 20 sigmoids
        ("product", "path from the root"),  # the relu, whose dead unit halves the gradient's mean square
    ]
    assert found.causes[0].message == "relu input -0.5: 1 of 2 units dead"


def test_the_product_stops_at_the_tensor_asked_about():
    x = Tensor([0.5], requires_grad=True)
    h = sigmoids(x, 5)
    found = why_zero(h, sigmoids(h, 20).sum())
    (cause,) = found.causes
    assert cause.numbers["ops"] == 20


def test_the_ops_past_the_point_where_the_gradient_became_zero_are_not_blamed_for_it():
    x = Tensor([[0.3, 0.7]], requires_grad=True)
    y = (x * 1.0).tanh() @ Tensor(np.ones((2, 2)))  # the matmul cancels the gradient [1, -1] to 0
    found = why_zero(x, (y * Tensor([1.0, -1.0])).sum())
    assert str(found) == (
        "gradient of the tensor: zero (rms 0 of the root's)\n  - no op on the way has a zero or tiny derivative"
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_power_of_ones_passes_back_none_of_the_gradient_to_its_exponent(dtype):
    y = Tensor(2.0, requires_grad=True)  # d(1^y)/dy = 1^y log 1 = 0
    found = why_zero(y, (Tensor(np.ones(2, dtype=dtype)) ** y.to(dtype)).sum())
    assert [vars(c) for c in found.causes] == [
        {
            "where": "Pow (2,)",
            "kind": "zero",
            "message": "passes back none of the gradient it receives",
            "blocking": True,
            "numbers": {},
        }
    ]
