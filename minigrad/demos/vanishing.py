"""Vanishing gradients: one deep MLP, eight activations and fixes, measured layer by layer
The same MLP (width 32, 10 and 30 hidden layers, the same three-spiral data, the same seed) with
sigmoid, tanh, ReLU, leaky ReLU and GELU, and sigmoid with residual connections and LayerNorm.
Each is measured once at initialisation (the gradient at every layer, by gradient_flow and an
ActivationMonitor) and then trained with Adam on the whole data set. Sigmoid, ReLU with He init and
sigmoid with residual connections and LayerNorm are also trained with SGD under diagnostics.watch,
for every layer's update-to-data ratio over the steps.
Then the same on real images: a deep sigmoid MLP, ReLU with He init, residual + LayerNorm and a
small CNN on 8x8 digits.

    minigrad demo vanishing [--quick] [--seed N] [--out DIR]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
from matplotlib.figure import Figure
from tqdm.auto import tqdm

from minigrad import Tensor, nn, no_grad, optim, tensor, tracing
from minigrad.analysis import record
from minigrad.data import make_spirals
from minigrad.demos import digits, watching
from minigrad.demos.harness import DemoRun
from minigrad.diagnostics import ActivationMonitor, diagnose, gradient_flow, why_zero
from minigrad.losses import cross_entropy
from minigrad.ops.sigmoid_family import Sigmoid
from minigrad.report import Table, number, percent
from minigrad.viz import draw_graph
from minigrad.viz.examples import mlp

__all__ = ["main"]

NAME = "vanishing"
WIDTH, LR = 32, 3e-3
SIGMOID_PEAK = Sigmoid.derivative_range[1]  # 0.25: the largest value of sigmoid'(x) = s(x) s(-x), at x = 0
# depth -> variant -> what was measured
Depths: TypeAlias = dict[int, dict[str, dict[str, Any]]]


def gelu() -> nn.GELU:
    """GELU with the tanh approximation (as in GPT-2): the same curve, a cheaper forward."""
    return nn.GELU(approximate="tanh")


VARIANTS: dict[str, dict[str, Any]] = {
    "sigmoid": dict(activation="sigmoid", init="xavier_uniform"),
    "tanh": dict(activation="tanh", init="xavier_uniform"),
    "relu, He init": dict(activation="relu", init="kaiming_normal"),
    "leaky relu, He init": dict(activation="leaky_relu", init="kaiming_normal"),
    "gelu, He init": dict(activation=gelu, init="kaiming_normal"),
    "sigmoid + residual": dict(activation="sigmoid", init="xavier_uniform", residual=True),
    "sigmoid + layernorm": dict(activation="sigmoid", init="xavier_uniform", norm="layer"),
    "sigmoid + residual + layernorm": dict(activation="sigmoid", init="xavier_uniform", residual=True, norm="layer"),
}


def build(variant: str, depth: int, seed: int) -> nn.MLP:
    return nn.MLP([2] + [WIDTH] * depth + [3], rng=seed, **VARIANTS[variant])


def measure_flow(model: nn.MLP, x: Tensor, y: np.ndarray) -> dict[str, Any]:
    """One forward and backward pass: every layer's gradient size and every sigmoid's derivative."""
    with ActivationMonitor(model) as monitor:
        cross_entropy(model(x), y).backward()
    flow, units = gradient_flow(model, monitor), monitor.summary().values()
    model.zero_grad()
    return {
        "weights": [w.norm for w in flow.weights],
        "activations": [a.norm for a in flow.activations],
        "ratio": flow.ratio,
        "activation_ratio": flow.activation_ratio,
        "max_derivative": [u.max_derivative for u in units],
        "mean_derivative": [u.mean_derivative for u in units],
        "saturated": float(np.mean([u.saturated_fraction for u in units])),
    }


def train(model: nn.MLP, x: Tensor, y: np.ndarray, steps: int, bar: tqdm) -> dict[str, Any]:
    """Adam on the whole data set; the loss at every step and the final accuracy. The step is compiled
    (:func:`minigrad.compile`): run eagerly on its first two calls, replayed as straight-line code after."""
    optimizer = optim.Adam(model.parameters(), lr=LR)

    @tracing.compile
    def step(x: Tensor, target: Tensor) -> Tensor:
        optimizer.zero_grad()
        loss = cross_entropy(model(x), target)
        loss.backward()
        optimizer.step()
        return loss

    target, losses = tensor(y), []
    for _ in range(steps):
        losses.append(step(x, target).item())
        bar.update()
    with no_grad():
        accuracy = float(np.mean(model(x).numpy().argmax(axis=1) == y))
    return {"losses": losses, "final_loss": losses[-1], "accuracy": accuracy}


def run(demo: DemoRun) -> tuple[dict[str, Any], Tensor, np.ndarray]:
    """Measure and train every variant at every depth: the numbers, and the data used."""
    samples, steps = (90, 6) if demo.quick else (300, 200)
    X, y = make_spirals(samples, 3, rng=demo.seed)
    x = Tensor(X)
    depths: Depths = {}
    for depth in (10, 30):
        bar = demo.progress(len(VARIANTS) * steps, f"training {len(VARIANTS)} variants, {depth} hidden layers")
        runs = depths[depth] = {}
        for variant in VARIANTS:
            model = build(variant, depth, demo.seed)
            runs[variant] = {**measure_flow(model, x, y), **train(model, x, y, steps, bar)}
        bar.close()
    config = {"samples": samples, "steps": steps, "width": WIDTH, "lr": LR, "seed": demo.seed}
    return {"config": config, "depths": depths, "compounding": compounding(depths)}, x, y


def compounding(depths: Depths) -> list[dict[str, Any]]:
    """For the plain sigmoid stack: the measured fall of the gradient against sigmoid's bound.

    Between the first and last hidden layers the gradient passes L - 1 sigmoids, each
    multiplying it by sigmoid' <= 0.25 (and by a weight matrix)."""
    rows = []
    for depth, runs in depths.items():
        r = runs["sigmoid"]
        rows.append(
            {
                "depth": depth,
                "sigmoids_between": depth - 1,
                "measured_ratio": r["activation_ratio"],
                "per_layer": r["activation_ratio"] ** (1 / (depth - 1)),
                "max_derivative": max(r["max_derivative"]),
                "bound": SIGMOID_PEAK ** (depth - 1),
                "product_of_mean_derivatives": float(np.prod(r["mean_derivative"][1:])),
            }
        )
    return rows


def plot_flow(depths: Depths) -> Figure:
    fig = Figure(figsize=(12, 8.5), layout="constrained")
    axes = fig.subplots(2, 2)
    for row, (depth, runs) in zip(axes, depths.items()):
        for ax, key, what in zip(
            row,
            ("activations", "weights"),
            ("the gradient at each hidden layer's output", "each Linear layer's weight gradient"),
        ):
            for variant, r in runs.items():
                norms = np.asarray(r[key])
                ax.plot(np.arange(1, len(norms) + 1), norms / norms[-1], marker=".", label=variant)
            n = len(runs["sigmoid"][key])
            ax.plot(
                np.arange(1, n + 1),
                SIGMOID_PEAK ** (n - np.arange(1, n + 1)),
                "k--",
                lw=2,
                label="×0.25 per layer (sigmoid' ≤ 0.25)",
            )
            ax.set(
                yscale="log",
                xlabel="layer (1 = next to the input)",
                ylabel="norm ÷ the last layer's",
                title=f"{depth} hidden layers: {what}",
            )
            ax.grid(True, which="major", alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    return fig


def plot_losses(depths: Depths) -> Figure:
    fig = Figure(figsize=(12, 4), layout="constrained")
    for ax, (depth, runs) in zip(fig.subplots(1, 2), depths.items()):
        for variant, r in runs.items():
            ax.plot(r["losses"], label=variant)
        ax.set(
            xlabel="Adam step (whole data set)", ylabel="cross-entropy", title=f"training loss, {depth} hidden layers"
        )
        ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def summary_table(depths: Depths) -> Table:
    rows = [
        [
            variant,
            depth,
            r["ratio"],
            r["activation_ratio"],
            r["activation_ratio"] ** (1 / (depth - 1)),
            percent(r["saturated"]),
            r["final_loss"],
            percent(r["accuracy"]),
        ]
        for depth, runs in depths.items()
        for variant, r in runs.items()
    ]
    columns = [
        "variant",
        "hidden layers",
        "weight grad first/last",
        "activation grad first/last",
        "per layer",
        "saturated units",
        "final loss",
        "accuracy",
    ]
    return Table(columns, rows)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Measure and train every variant at 10 and 30 hidden layers, write the page, return the numbers.

    ``argv`` holds the options (None: the command line's). The numbers: under ``depths``, for
    each depth and variant, the gradient norms layer by layer at initialisation and the training
    curve; under ``compounding``, the sigmoid stack's fall against sigmoid' <= 0.25.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     at_30 = main(["--quick", "--out", out])["depths"][30]
    <BLANKLINE>
    Vanishing gradients: ...
    >>> at_30["sigmoid"]["ratio"] < 1e-15 < 0.1 < at_30["relu, He init"]["ratio"]   # first layer / last
    True
    """
    demo = DemoRun(NAME, __doc__ or "", argv)
    results, x, y = run(demo)
    depths, chain = results["depths"], results["compounding"]
    deep = chain[-1]
    demo.section(
        "How the gradient falls layer by layer",
        (
            f"At initialisation, the norm of the gradient at each layer divided by the last layer's, on a log scale. "
            f"The dashed line falls by 0.25 per layer, sigmoid's largest derivative. With {deep['depth']} sigmoid layers the "
            f"first hidden layer gets {number(deep['measured_ratio'])} of the last one's gradient, "
            f"{number(deep['per_layer'])} per layer; with ReLU and He init it gets "
            f"{number(depths[deep['depth']]['relu, He init']['activation_ratio'])}."
        ),
    )
    demo.figure(plot_flow(depths), "gradient_flow.png")
    demo.section(
        "The compounding of sigmoid' ≤ 0.25",
        (
            "For the plain sigmoid stack: the gradient at the first hidden layer over the last one's (measured), "
            "against 0.25 to the power of the number of sigmoids between them, and the largest sigmoid' "
            "measured anywhere in the stack."
        ),
    )
    demo.table(
        Table(
            [
                "hidden layers",
                "sigmoids between",
                "measured first/last",
                "per layer",
                "0.25^n bound",
                "max sigmoid' measured",
                "product of mean sigmoid'",
            ],
            [
                [
                    c["depth"],
                    c["sigmoids_between"],
                    c["measured_ratio"],
                    c["per_layer"],
                    c["bound"],
                    c["max_derivative"],
                    c["product_of_mean_derivatives"],
                ]
                for c in chain
            ],
        )
    )
    res, fixed = depths[deep["depth"]]["sigmoid + residual"], depths[deep["depth"]]["sigmoid + residual + layernorm"]
    demo.section(
        "Training",
        (
            f"Cross-entropy on the whole data set at every Adam step, and the final accuracy. With {deep['depth']} layers, "
            f"sigmoid + residual keeps the gradient (first/last {number(res['activation_ratio'])}) but starts with "
            f"{percent(res['saturated'])} of its units saturated, as each block adds a positive sigmoid to the sum it "
            f"passes on, and ends at {percent(res['accuracy'])} accuracy; with LayerNorm inside each block "
            f"({percent(fixed['saturated'])} saturated) it ends at {percent(fixed['accuracy'])}."
        ),
    )
    demo.figure(plot_losses(depths), "loss_curves.png")
    summary = summary_table(depths)
    demo.table(summary)
    results["update_ratios"] = watching.vanishing_ratios(demo, x, y, build)
    explain(demo, x, y)
    results["digits"] = digits.vanishing_section(demo)
    return demo.finish(results, summary)


def explain(demo: DemoRun, x: Tensor, y: np.ndarray) -> None:
    """diagnose() and why_zero() on the 30-layer sigmoid net; the graphs of two 10-layer nets."""
    model = build("sigmoid", 30, demo.seed)
    demo.section(
        "diagnose() on the 30-layer sigmoid net",
        "One call: a table per layer and the findings, with remedies.",
        key=False,
    )
    demo.preformatted(str(diagnose(model, x, y, cross_entropy)))
    with record(model) as recording:
        loss = cross_entropy(model(x), y)
    demo.preformatted("why_zero(first layer's weight):\n" + str(why_zero(model.layers[0].weight, loss, recording)))
    for variant in ("sigmoid", "relu, He init"):
        model = build(variant, 10, demo.seed)
        with record(model) as recording:
            loss = cross_entropy(model(x), y)
        demo.section(
            f"The graph of the 10-layer {variant} net",
            (
                "One node per layer, filled by the size of its gradient next to the loss's (log scale); "
                "a dotted border flags a gradient below 1e-6 of the loss's. Each edge into an activation "
                "is labelled with the range of its local derivative."
            ),
            key=False,
        )
        graph = draw_graph(
            loss, recording=recording, mode="layers", title=f"10 hidden layers, {variant}, at initialisation"
        )
        demo.graph(graph, f"graph_{variant.split(',')[0].replace(' ', '_')}_10.svg")
    demo.section(
        "Step through a fading gradient",
        "A short sigmoid stack: its backward pass one node at a time, the gradient shrinking at every sigmoid.",
        key=False,
    )
    stack = mlp("sigmoid", depth=6, width=2, batch=2, seed=demo.seed)
    demo.explorer(stack, "sigmoid_explorer.html", "the explorer: watch the gradient fade through the sigmoids")
