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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from minigrad.diagnostics.flow import GradientFlow, gradient_flow
from minigrad.diagnostics.monitor import ActivationMonitor, UnitStats
from minigrad.nn.layers import Linear
from minigrad.nn.module import Module
from minigrad.report import Table, number, percent
from minigrad.tensor import Tensor

REMEDIES = {
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


@dataclass
class Finding:
    """One problem: what ('vanishing', 'dead', 'saturated', 'nonfinite'), where, and what to do.

    Also the sentence with its numbers, and the numbers themselves.

    Examples
    --------
    >>> from minigrad.data import make_moons
    >>> X, y = make_moons(32, rng=0)
    >>> model = nn.MLP([2] + [8] * 10 + [2], activation="sigmoid", rng=0)
    >>> finding = diagnose(model, Tensor(X), y, F.cross_entropy).findings[0]
    >>> finding.kind, finding.layers[:2], finding.numbers["linear_layers"]
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

    def __str__(self) -> str:
        lines = [f"loss {number(self.loss)}", self.table.text(), ""]
        if not self.findings:
            lines.append("no vanishing or non-finite gradients, no dead or saturated layers")
        for finding in self.findings:
            lines.append(f"* {finding.kind}: {finding.message}")
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
        (['loss', 'table', 'findings', 'flow', 'units'], 0.125)
        """
        return {
            "loss": self.loss,
            "table": self.table.to_dict(),
            "findings": [asdict(f) for f in self.findings],
            "flow": self.flow.to_dict(),
            "units": {name: u.to_dict() for name, u in self.units.items()},
        }


def diagnose(
    model: Module,
    inputs: Any,
    targets: Any,
    loss_fn: Callable[[Any, Any], Tensor],
    vanishing: float = 1e-3,
    dead: float = 0.25,
    saturated: float = 0.25,
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
        The first Linear layer's weight-gradient norm over the last one's, below which the
        gradient counts as vanishing.
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
    """
    saved = {p: p.grad for p in model.parameters()}
    for p in saved:
        p.grad = None
    try:
        # NOTE: quiet about inf and NaN: they are reported as a finding instead.
        with ActivationMonitor(model) as monitor, np.errstate(all="ignore"):
            loss = loss_fn(model(inputs), targets)
            loss.backward()
        flow, units = gradient_flow(model, monitor), monitor.summary()
    finally:
        for p, g in saved.items():
            p.grad = g
    findings = _gradient_findings(flow, units, vanishing) + _unit_findings(units, dead, saturated)
    return Diagnosis(float(loss.item()), _layer_table(model, flow, units), findings, flow, units)


def _layer_table(model: Module, flow: GradientFlow, units: dict[str, UnitStats]) -> Table:
    """One row per Linear layer with the activation after it."""
    weights = {w.layer: w for w in flow.weights}
    outputs = {a.layer: a for a in flow.activations}
    last = flow.weights[-1].norm if flow.weights else 0.0
    rows: list[list[Any]] = []
    for name, module in model.named_modules():
        if isinstance(module, Linear) and name in weights:
            norm = weights[name].norm
            rows.append([name, norm, norm / last if last else float("nan"), "", "", "", "", ""])
        elif name in units and rows and not rows[-1][3]:
            u = units[name]
            grad = outputs[name].norm if name in outputs else ""
            rows[-1][3:] = [
                u.kind,
                grad,
                percent(u.active_fraction),
                percent(u.dead_fraction),
                percent(u.saturated_fraction),
            ]
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


def _gradient_findings(flow: GradientFlow, units: dict[str, UnitStats], vanishing: float) -> list[Finding]:
    bad = [r.layer for r in flow.rows if not np.isfinite(r.norm)]
    if bad:
        return [
            Finding("nonfinite", bad, f"inf or NaN in the gradients of {', '.join(bad)}", REMEDIES["nonfinite"], {})
        ]
    norms = [w.norm for w in flow.weights]
    if len(norms) < 2 or not norms[-1] or flow.ratio >= vanishing:
        return []
    ratio, n, first = flow.ratio, len(norms), flow.weights[0].layer
    numbers = {"ratio": ratio, "linear_layers": n, "per_layer": ratio ** (1 / (n - 1))}
    faded = [w.layer for w in flow.weights if w.norm < vanishing * norms[-1]]
    message = (
        f"the first layer ({first}) receives {number(ratio)} of the last layer's weight gradient "
        f"over {n} Linear layers ({number(numbers['per_layer'])} per layer); {len(faded)} layers get less "
        f"than {vanishing:g} of it"
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
    return [Finding("vanishing", faded, message, REMEDIES["vanishing"], numbers)]


def _unit_findings(units: dict[str, UnitStats], dead: float, saturated: float) -> list[Finding]:
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
                Finding("dead", [name], message, REMEDIES["dead"], {**numbers, "dead_fraction": u.dead_fraction})
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
                    REMEDIES["saturated"],
                    {**numbers, "saturated_fraction": u.saturated_fraction},
                )
            )
    return findings
