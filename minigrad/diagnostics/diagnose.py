"""diagnose(model, inputs, targets, loss_fn): one forward and backward pass, measured and explained.

>>> import numpy as np
>>> from minigrad import Tensor, nn
>>> from minigrad.data import make_moons
>>> from minigrad.losses import cross_entropy
>>> X, y = make_moons(64, rng=0)
>>> model = nn.MLP([2] + [16] * 12 + [2], activation="sigmoid", init="xavier_uniform", rng=0)
>>> report = diagnose(model, Tensor(X), y, cross_entropy)
>>> [f.kind for f in report.findings]
['vanishing']
>>> report.findings[0].numbers["ratio"] < 1e-6
True

Convolutions are weighted layers as Linear ones are; a recurrent layer adds how the gradient that
reaches its hidden state fades over the time steps (see :class:`HiddenStateMonitor`), and a model
that holds one gets the recurrent remedies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from minigrad.arguments import check_number
from minigrad.diagnostics.flow import GradientFlow, GradStats, gradient_flow, weight_names
from minigrad.diagnostics.monitor import ActivationMonitor, UnitStats
from minigrad.diagnostics.remedies import GATE_BIASES, IDENTITY_RELU_RNN, RECURRENT_REMEDIES, REMEDIES
from minigrad.diagnostics.through_time import RECURRENT, HiddenStateMonitor
from minigrad.nn.module import Module
from minigrad.report import Table, number, percent
from minigrad.tensor import Tensor


@dataclass
class Finding:
    """One problem: what ('vanishing', 'dead', 'saturated', 'nonfinite', 'vanishing_through_time',
    'exploding_through_time'), where, and what to do.

    Also the sentence with its numbers, and the numbers themselves.

    Examples
    --------
    >>> from minigrad.data import make_moons
    >>> X, y = make_moons(32, rng=0)
    >>> model = nn.MLP([2] + [8] * 10 + [2], activation="sigmoid", rng=0)
    >>> finding = diagnose(model, Tensor(X), y, F.cross_entropy).findings[0]
    >>> finding.kind, finding.layers[:2], finding.numbers["weighted_layers"]
    ('vanishing', ['layers.0', 'layers.2'], 11)
    >>> finding.remedies[0]
    'ReLU-family activations (ReLU, leaky ReLU, PReLU, ELU, GELU) instead of sigmoid or tanh'
    """

    kind: str
    layers: list[str]
    message: str
    remedies: list[str]
    numbers: dict[str, Any]


@dataclass
class Diagnosis:
    """What :func:`diagnose` measured: prints as a per-layer table and the findings.

    ``table`` has a row per weight of each weighted layer (a recurrent layer's ``weight_ih`` and
    ``weight_hh``, per layer of its stack); ``through_time``, for a model with a recurrent layer, a
    row per recurrent layer with ||dL/dh_t|| at its last and first steps.

    Examples
    --------
    >>> from minigrad.data import make_moons
    >>> X, y = make_moons(32, rng=0)
    >>> print(diagnose(nn.MLP([2, 8, 2], rng=0), Tensor(X), y, F.cross_entropy))
    loss 0.716
    layer     weight grad norm  ÷ last layer's  activation  grad at its output  active  dead  saturated
    --------  ----------------  --------------  ----------  ------------------  ------  ----  ---------
    layers.0  0.183             0.419           ReLU        0.0692              50 %    12 %  0 %
    layers.2  0.437             1
    <BLANKLINE>
    no vanishing or non-finite gradients, no dead or saturated layers
    """

    loss: float
    table: Table
    findings: list[Finding]
    flow: GradientFlow
    units: dict[str, UnitStats]
    through_time: Table | None = None

    def __str__(self) -> str:
        lines = [f"loss {number(self.loss)}", self.table.text(), ""]
        if self.through_time is not None:
            lines += [self.through_time.text(), ""]
        if not self.findings:
            lines.append("no vanishing or non-finite gradients, no dead or saturated layers")
        for finding in self.findings:
            lines.append(f"* {finding.kind.replace('_', ' ')}: {finding.message}")
            lines.append("  remedies: " + "; ".join(finding.remedies))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain data, for a JSON file.

        Examples
        --------
        >>> from minigrad.data import make_moons
        >>> X, y = make_moons(32, rng=0)
        >>> report = diagnose(nn.MLP([2, 8, 2], rng=0), Tensor(X), y, F.cross_entropy).to_dict()
        >>> list(report), report["units"]["layers.1"]["dead_fraction"]
        (['loss', 'table', 'findings', 'flow', 'units', 'through_time'], 0.125)
        """
        return {
            "loss": self.loss,
            "table": self.table.to_dict(),
            "findings": [asdict(f) for f in self.findings],
            "flow": self.flow.to_dict(),
            "units": {name: u.to_dict() for name, u in self.units.items()},
            "through_time": None if self.through_time is None else self.through_time.to_dict(),
        }


def diagnose(
    model: Module,
    inputs: Any,
    targets: Any,
    loss_fn: Callable[[Any, Any], Tensor],
    vanishing: float = 1e-3,
    dead: float = 0.25,
    saturated: float = 0.25,
    exploding: float = 1e3,
) -> Diagnosis:
    """Run ``loss_fn(model(inputs), targets)`` forward and backward and report on every layer.

    The parameters' ``.grad`` are put back as they were afterwards.

    Parameters
    ----------
    model : minigrad.nn.Module
    inputs, targets
        One batch (or the whole data set): the more examples, the surer a unit is dead.
    loss_fn : callable
        ``loss_fn(outputs, targets)`` -> a scalar Tensor, e.g. ``minigrad.losses.cross_entropy``.
    vanishing : float
        The first weighted layer's weight-gradient norm over the last one's (Linear, Conv1d,
        Conv2d, a recurrent layer's input weights), below which the gradient counts as vanishing;
        and ||dL/dh_1|| / ||dL/dh_T|| at a recurrent layer's hidden state, below which it counts as
        vanishing through time.
    exploding : float
        ||dL/dh_1|| / ||dL/dh_T||, above which the gradient counts as exploding through time.
    dead, saturated : float
        Share of a layer's units from which its dead or saturated units are reported (a few
        dead units are common in a healthy ReLU net: 2-D inputs leave some of the second layer's
        units negative on every example from the start).

    Returns
    -------
    Diagnosis
        ``print()`` it, or ``.to_dict()``; ``.findings`` is empty for a healthy network.

    Examples
    --------
    >>> from minigrad.data import make_moons
    >>> X, y = make_moons(32, rng=0)
    >>> deep = nn.MLP([2] + [8] * 10 + [2], activation="sigmoid", rng=0)
    >>> [f.kind for f in diagnose(deep, Tensor(X), y, F.cross_entropy).findings]
    ['vanishing']
    >>> diagnose(nn.MLP([2, 8, 2], rng=0), Tensor(X), y, F.cross_entropy).findings
    []

    Through time: a tanh RNN read at the last of 100 steps.

    >>> class Last(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.rnn, self.head = nn.RNN(1, 8, rng=0), nn.Linear(8, 1, rng=0)
    ...     def forward(self, x):
    ...         return self.head(self.rnn(x)[0][-1])
    >>> x = Tensor(np.random.default_rng(0).normal(size=(100, 16, 1)))
    >>> report = diagnose(Last(), x, Tensor(np.zeros((16, 1))), F.mse_loss)
    >>> [f.kind for f in report.findings], report.findings[0].numbers["steps"]
    (['vanishing_through_time'], 100)
    >>> report.findings[0].remedies[0]
    'gated cells (nn.LSTM, nn.GRU or their cells), whose additive state update carries the gradient across steps'
    """
    if not isinstance(model, Module):
        raise TypeError(f"diagnose: model must be an nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"diagnose: loss_fn must be callable, got {type(loss_fn).__name__}")
    for name, value in (("vanishing", vanishing), ("exploding", exploding)):
        check_number("diagnose", name, value, above=0, allow_inf=True)
    for name, value in (("dead", dead), ("saturated", saturated)):
        check_number("diagnose", name, value, at_least=0, at_most=1)
    saved = {p: p.grad for p in model.parameters()}
    for p in saved:
        p.grad = None
    try:
        # NOTE: quiet about inf and NaN: they are reported as a finding instead.
        with ActivationMonitor(model) as monitor, HiddenStateMonitor(model) as states, np.errstate(all="ignore"):
            loss = loss_fn(model(inputs), targets)
            loss.backward()
        flow, units = gradient_flow(model, monitor, states), monitor.summary()
    finally:
        for p, g in saved.items():
            p.grad = g
    recurrent = {name: m.mode for name, m in model.named_modules() if isinstance(m, RECURRENT)}
    remedies = RECURRENT_REMEDIES if recurrent else REMEDIES
    findings = (
        _gradient_findings(flow, units, vanishing, remedies)
        + _time_findings(flow, recurrent, vanishing, exploding)
        + _unit_findings(units, dead, saturated, remedies)
    )
    table, through_time = _layer_table(model, flow, units), _time_table(flow)
    return Diagnosis(float(loss.item()), table, findings, flow, units, through_time)


def _layer_table(model: Module, flow: GradientFlow, units: dict[str, UnitStats]) -> Table:
    """One row per weight of each weighted layer, with the activation after the layer (a row of
    its own for an activation that follows none)."""
    grads = {(r.layer, r.tensor): r for r in flow.rows}
    outputs = {a.layer: a for a in flow.activations}
    last = flow.weights[-1].norm if flow.weights else 0.0
    rows: list[list[Any]] = []
    for name, module in model.named_modules():
        weights = [w for w in weight_names(module) if (name, w) in grads]
        for weight in weights:
            norm = grads[name, weight].norm
            rows.append([_label(grads[name, weight]), norm, norm / last if last else float("nan"), "", "", "", "", ""])
        if not weights and name in units:
            u = units[name]
            grad = outputs[name].norm if name in outputs else ""
            cells = [u.kind, grad, percent(u.active_fraction), percent(u.dead_fraction), percent(u.saturated_fraction)]
            if rows and not rows[-1][3]:
                rows[-1][3:] = cells
            else:  # NOTE: an activation with no weighted layer of its own before it (an LSTM's gate) gets its row
                rows.append([name, "", "", *cells])
    columns = [
        "layer",
        "weight grad norm",
        "÷ last layer's",
        "activation",
        "grad at its output",
        "active",
        "dead",
        "saturated",
    ]
    return Table(columns, rows)


def _label(weight: GradStats) -> str:
    """The layer's name for its 'weight'; 'rnn.weight_hh_l0' for a recurrent layer's weights."""
    return weight.layer if weight.tensor == "weight" else f"{weight.layer}.{weight.tensor}"


def _time_table(flow: GradientFlow) -> Table | None:
    """One row per recurrent layer that ran: its steps, ||dL/dh_T||, ||dL/dh_1||, their ratio and its T-1-th root."""
    rows = [
        [name, len(norms), norms[-1], norms[0], flow.step_ratios[name], _per_step(flow.step_ratios[name], len(norms))]
        for name, norms in flow.steps.items()
        if norms
    ]
    columns = ["recurrent layer", "steps", "||dL/dh_T||", "||dL/dh_1||", "h_1 ÷ h_T", "per step"]
    return Table(columns, rows) if rows else None


def _per_step(ratio: float, steps: int) -> float:
    """The factor per step whose product over the steps - 1 hops from h_T back to h_1 is ``ratio``."""
    return float(ratio ** (1 / (steps - 1))) if steps > 1 and ratio >= 0 else float("nan")


def _time_findings(flow: GradientFlow, modes: dict[str, str], vanishing: float, exploding: float) -> list[Finding]:
    """A finding per recurrent layer whose ||dL/dh_1|| / ||dL/dh_T|| is below ``vanishing`` or above
    ``exploding``; ``modes`` gives each layer's mode ('RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU')."""
    findings: list[Finding] = []
    for name, ratio in flow.step_ratios.items():
        norms = flow.steps[name]
        steps = len(norms)
        if steps < 2 or np.isnan(ratio):
            continue
        numbers = {"ratio": ratio, "steps": steps, "per_step": _per_step(ratio, steps)}
        if ratio < vanishing:
            faded = sum(n < vanishing * norms[-1] for n in norms)
            numbers["faded_steps"] = faded
            message = (
                f"the gradient reaching the hidden state of {name} fades over its {steps} steps: ||dL/dh_1|| is "
                f"{number(ratio)} of ||dL/dh_T|| ({number(numbers['per_step'])} per step); {faded} of the "
                f"{steps} steps get less than {vanishing:g} of it"
            )
            gated = modes[name] in ("LSTM", "GRU")
            remedies = [GATE_BIASES, IDENTITY_RELU_RNN] if gated else RECURRENT_REMEDIES["vanishing"]
            findings.append(Finding("vanishing_through_time", [name], message, remedies, numbers))
        elif ratio > exploding:
            message = (
                f"the gradient reaching the hidden state of {name} grows over its {steps} steps: ||dL/dh_1|| is "
                f"{number(ratio)} times ||dL/dh_T|| ({number(numbers['per_step'])} per step)"
            )
            findings.append(
                Finding("exploding_through_time", [name], message, RECURRENT_REMEDIES["exploding"], numbers)
            )
    return findings


def _gradient_findings(
    flow: GradientFlow, units: dict[str, UnitStats], vanishing: float, remedies: dict[str, list[str]]
) -> list[Finding]:
    bad = [r.layer for r in flow.rows if not np.isfinite(r.norm)]
    if bad:
        return [
            Finding("nonfinite", bad, f"inf or NaN in the gradients of {', '.join(bad)}", remedies["nonfinite"], {})
        ]
    norms = [w.norm for w in flow.weights]
    if len(norms) < 2 or not norms[-1] or flow.ratio >= vanishing:
        return []
    ratio, n, first = flow.ratio, len(norms), _label(flow.weights[0])
    numbers = {"ratio": ratio, "weighted_layers": n, "per_layer": ratio ** (1 / (n - 1))}
    faded = [_label(w) for w in flow.weights if w.norm < vanishing * norms[-1]]
    kinds = ", ".join(dict.fromkeys(w.kind for w in flow.weights))
    message = (
        f"the first layer ({first}) receives {number(ratio)} of the last layer's weight gradient "
        f"over {n} layers with weights ({kinds}; {number(numbers['per_layer'])} per layer); {len(faded)} layers "
        f"get less than {vanishing:g} of it"
    )
    bounded = [u for u in units.values() if u.family == "saturating"]
    if bounded:
        kind, peak = bounded[0].kind, bounded[0].derivative_peak
        assert peak is not None  # every op of the saturating family states its derivative's range
        numbers.update(
            derivative_max=max(u.max_derivative for u in bounded),
            derivative_peak=peak,
            derivative_mean=float(np.mean([u.mean_derivative for u in bounded])),
            first_saturated=bounded[0].saturated_fraction,
            activation_layers=len(bounded),
        )
        message += (
            f"; each of the {len(bounded)} {kind} layers multiplies it by its derivative, at most {number(peak)} "
            f"(measured: mean {number(numbers['derivative_mean'])}, max {number(numbers['derivative_max'])}), "
            f"so their derivatives alone scale it by at most {number(peak ** len(bounded))}; "
            f"{percent(numbers['first_saturated'])} of the "
            f"first layer's {kind} {bounded[0].unit_word} are saturated"
        )
    return [Finding("vanishing", faded, message, remedies["vanishing"], numbers)]


def _unit_findings(
    units: dict[str, UnitStats], dead: float, saturated: float, remedies: dict[str, list[str]]
) -> list[Finding]:
    findings: list[Finding] = []
    for index, (name, u) in enumerate(units.items(), start=1):
        numbers = {"units": u.units, "examples": u.examples, "hidden_layer": index}
        # NOTE: a channel (of an N x C x ... output) is judged at every position of every example.
        everywhere = (
            f"at every position of all {u.examples} examples" if u.channels else f"on all {u.examples} examples"
        )
        if u.family == "relu" and u.dead_fraction >= dead:
            message = (
                f"{percent(u.dead_fraction)} of the {u.kind} {u.unit_word} of {name} (hidden layer {index}) are dead: "
                f"{int(u.dead.sum())} of {u.units} have zero output and zero gradient {everywhere}"
            )
            findings.append(
                Finding("dead", [name], message, remedies["dead"], {**numbers, "dead_fraction": u.dead_fraction})
            )
        if u.family == "saturating" and u.saturated_fraction >= saturated:
            message = (
                f"{percent(u.saturated_fraction)} of the {u.kind} {u.unit_word} of {name} (hidden layer {index}) are saturated: "
                f"derivative below 1 % of its peak {everywhere}"
            )
            findings.append(
                Finding(
                    "saturated",
                    [name],
                    message,
                    remedies["saturated"],
                    {**numbers, "saturated_fraction": u.saturated_fraction},
                )
            )
    return findings
