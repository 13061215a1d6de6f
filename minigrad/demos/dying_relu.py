"""Dying ReLUs: units that stop for good, and the activations that keep them alive
A ReLU MLP (3 hidden layers of 32, He init, three-spiral data, Adam, mini-batches of 30) trained
under three conditions: healthy (learning rate 0.01), a learning rate that is too high for the
first epochs (0.3, then 0.01), and hidden biases initialised at -1. Leaky ReLU, PReLU, ELU and
GELU are trained under the same conditions from the same seed. After every epoch an
ActivationMonitor counts, over the whole data set, the dead units of each layer: zero output and
zero gradient on every example. ReLU and leaky ReLU are also trained at the too-high rate under
diagnostics.watch, for every layer's activation histogram at every step.
Then the same on real images: a small CNN on 8x8 digits, its dead channels and units counted.

    minigrad demo dying-relu [--quick] [--seed N] [--out DIR]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import numpy as np
from matplotlib.figure import Figure
from tqdm.auto import tqdm

from minigrad import Tensor, nn, no_grad, optim, tensor, tracing
from minigrad.analysis import record
from minigrad.data import DataLoader, make_spirals
from minigrad.demos import digits, watching
from minigrad.demos.harness import DemoRun
from minigrad.diagnostics import ActivationMonitor, diagnose, why_zero
from minigrad.losses import cross_entropy
from minigrad.report import Table, percent
from minigrad.viz import draw_graph
from minigrad.viz.examples import mlp

__all__ = ["main"]

NAME = "dying-relu"
SIZES = [2, 32, 32, 32, 3]
LR, HIGH_LR, HIGH_EPOCHS, BAD_BIAS = 0.01, 0.3, 2, -1.0
ACTIVATIONS: dict[str, str | Callable[[], nn.Module]] = {
    "relu": "relu",
    "leaky relu": "leaky_relu",
    "prelu": "prelu",
    "elu": "elu",
    "gelu": lambda: nn.GELU(approximate="tanh"),
}
CONDITIONS: dict[str, dict[str, Any]] = {
    "healthy": {"bias": 0.0, "high_epochs": 0},
    f"lr {HIGH_LR} for {HIGH_EPOCHS} epochs": {"bias": 0.0, "high_epochs": HIGH_EPOCHS},
    f"biases at {BAD_BIAS:g}": {"bias": BAD_BIAS, "high_epochs": 0},
}
# condition -> activation -> what was measured
Runs: TypeAlias = dict[str, dict[str, dict[str, Any]]]


def build(activation: str, condition: str, seed: int) -> nn.MLP:
    model = nn.MLP(SIZES, activation=ACTIVATIONS[activation], init="kaiming_normal", rng=seed)
    with no_grad():
        for layer in [m for m in model.modules() if isinstance(m, nn.Linear)][:-1]:
            assert layer.bias is not None  # an MLP's layers have biases
            layer.bias.fill_(CONDITIONS[condition]["bias"])
    return model


def census(model: nn.MLP, x: Tensor, y: np.ndarray) -> dict[str, Any]:
    """Every layer's dead and never-active share over the whole data set, and the accuracy."""
    with ActivationMonitor(model) as monitor, no_grad():
        accuracy = float(np.mean(model(x).numpy().argmax(axis=1) == y))
    units = monitor.summary().values()
    return {
        "accuracy": accuracy,
        "dead": [u.dead_fraction for u in units],
        "never_active": [u.never_active_fraction for u in units],
    }


def train(
    model: nn.MLP, condition: str, X: np.ndarray, y: np.ndarray, epochs: int, seed: int, bar: tqdm
) -> dict[str, Any]:
    """Adam over mini-batches; a census before training and after every epoch. The step is compiled
    (:func:`minigrad.compile`); a new learning rate, or the last, smaller batch, is traced anew."""
    optimizer = optim.Adam(model.parameters(), lr=LR)

    @tracing.compile
    def step(xb: Tensor, yb: Tensor) -> None:
        optimizer.zero_grad()
        cross_entropy(model(xb), yb).backward()
        optimizer.step()

    loader = DataLoader(X, y, batch_size=30, rng=seed)
    x = Tensor(X)
    history = [census(model, x, y)]
    for epoch in range(epochs):
        for group in optimizer.param_groups:
            group["lr"] = HIGH_LR if epoch < CONDITIONS[condition]["high_epochs"] else LR
        for xb, yb in loader:
            step(xb, tensor(yb))
        history.append(census(model, x, y))
        bar.update()
    slopes = [float(m.weight.numpy().mean()) for m in model.modules() if isinstance(m, nn.PReLU)]
    return {"history": history, "final": history[-1], "prelu_slopes": slopes}


def run(demo: DemoRun) -> tuple[dict[str, Any], dict[tuple[str, str], nn.MLP], Tensor, np.ndarray]:
    """Train every activation under every condition: the numbers, the trained models, the data."""
    samples, epochs = (150, 6) if demo.quick else (300, 40)
    X, y = make_spirals(samples, 3, rng=demo.seed)
    results = {"config": {"samples": samples, "epochs": epochs, "sizes": SIZES, "seed": demo.seed}, "runs": {}}
    models = {}
    for condition in CONDITIONS:
        bar = demo.progress(len(ACTIVATIONS) * epochs, f"{condition}: training {len(ACTIVATIONS)} activations")
        results["runs"][condition] = {}
        for activation in ACTIVATIONS:
            model = models[condition, activation] = build(activation, condition, demo.seed)
            results["runs"][condition][activation] = train(model, condition, X, y, epochs, demo.seed, bar)
        bar.close()
    return results, models, Tensor(X), y


def plot_dead(runs: Runs) -> Figure:
    fig = Figure(figsize=(14, 8), layout="constrained")
    axes = fig.subplots(len(runs), len(ACTIVATIONS), sharex=True, sharey=True)
    for row, (condition, by_activation) in zip(axes, runs.items()):
        for ax, (activation, r) in zip(row, by_activation.items()):
            dead = np.array([h["dead"] for h in r["history"]])
            off = np.array([h["never_active"] for h in r["history"]])
            for layer in range(dead.shape[1]):
                (line,) = ax.plot(dead[:, layer], lw=2, label=f"layer {layer + 1} dead")
                ax.plot(off[:, layer], ":", color=line.get_color(), label=f"layer {layer + 1} off on every example")
            ax.set(title=f"{activation} — {condition}", ylim=(-0.05, 1.05))
            ax.title.set_fontsize(9)
            ax.grid(True, alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    for ax in axes[:, 0]:
        ax.set_ylabel("share of units")
    axes[0, 0].legend(fontsize=7)
    return fig


def plot_accuracy(runs: Runs) -> Figure:
    fig = Figure(figsize=(14, 3.8), layout="constrained")
    for ax, (condition, by_activation) in zip(fig.subplots(1, len(runs), sharey=True), runs.items()):
        for activation, r in by_activation.items():
            ax.plot([h["accuracy"] for h in r["history"]], label=activation)
        ax.set(title=condition, xlabel="epoch", ylim=(0, 1.02))
        ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def summary_table(runs: Runs) -> Table:
    rows = []
    for condition, by_activation in runs.items():
        for activation, r in by_activation.items():
            final = r["final"]
            slopes = ", ".join(f"{s:.3f}" for s in r["prelu_slopes"])
            rows.append(
                [
                    condition,
                    activation,
                    *(percent(d) for d in final["dead"]),
                    percent(float(np.mean(final["never_active"]))),
                    percent(final["accuracy"]),
                    slopes,
                ]
            )
    layers = [f"dead, layer {i + 1}" for i in range(len(SIZES) - 2)]
    return Table(["condition", "activation", *layers, "off on every example", "accuracy", "prelu slopes"], rows)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Train every activation under the three conditions, write the page, return the numbers.

    ``argv`` holds the options (None: the command line's). Under ``runs``, for each condition
    and activation: the share of dead units per layer and the accuracy after every epoch, and
    PReLU's learned slopes.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     too_high = main(["--quick", "--out", folder])["runs"]["lr 0.3 for 2 epochs"]
    <BLANKLINE>
    Dying ReLUs: ...
    >>> too_high["relu"]["final"]["dead"][-1] > 0.5, too_high["leaky relu"]["final"]["dead"]
    (True, [0.0, 0.0, 0.0])
    """
    demo = DemoRun(NAME, __doc__ or "", argv)
    results, models, x, y = run(demo)
    runs = results["runs"]
    high = list(CONDITIONS)[1]
    relu = runs[high]["relu"]["final"]
    demo.section(
        "Dead units through training",
        (
            f"Solid: the share of each layer's units that are dead (zero output and zero gradient on all {len(y)} examples). "
            f"Dotted: units off on every example, which for leaky ReLU, PReLU, ELU and GELU still pass a gradient. "
            f"With {high}, ReLU ends with {', '.join(percent(d) for d in relu['dead'])} of its layers dead and "
            f"{percent(relu['accuracy'])} accuracy; a dead unit gets no gradient, so lowering the rate does not bring it back."
        ),
    )
    demo.figure(plot_dead(runs), "dead_fraction.png")
    results["histograms"] = watching.dying_histograms(demo, x.numpy(), y, lambda a: build(a, high, demo.seed), HIGH_LR)
    demo.section("Accuracy", "Accuracy on the whole data set after every epoch, per condition.", key=False)
    demo.figure(plot_accuracy(runs), "accuracy.png")
    summary = summary_table(runs)
    demo.section(
        "Final state",
        "Dead units per layer and accuracy after the last epoch; PReLU's learned negative slopes, one per layer (they start at 0.25).",
    )
    demo.table(summary)
    explain(demo, models[high, "relu"], x, y, high)
    results["digits"] = digits.dying_relu_section(demo, ACTIVATIONS)
    return demo.finish(results, summary)


def explain(demo: DemoRun, model: nn.MLP, x: Tensor, y: np.ndarray, condition: str) -> None:
    """diagnose(), why_zero() and the graph of the trained ReLU net."""
    demo.section(
        f"diagnose() on the ReLU net after {condition}", "The same measurements in one call, with remedies.", key=False
    )
    demo.preformatted(str(diagnose(model, x, y, cross_entropy)))
    with record(model) as recording:
        loss = cross_entropy(model(x), y)
    demo.preformatted("why_zero(first layer's weight):\n" + str(why_zero(model.layers[0].weight, loss, recording)))
    demo.section(
        "The graph, dead units marked",
        (
            "One node per layer; each activation's strip has one cell per unit: black for dead, green for alive. "
            "A dashed border flags a gradient that is exactly zero by the ops' rules."
        ),
        key=False,
    )
    demo.graph(
        draw_graph(loss, recording=recording, mode="layers", title=f"ReLU MLP after {condition}"), "graph_relu_dead.svg"
    )
    demo.section(
        "Step through a dead unit",
        "A small ReLU net with one unit of each hidden layer dead: its backward pass one node at a time.",
        key=False,
    )
    small = mlp("relu", depth=2, width=3, dead=1, batch=4, seed=demo.seed)
    demo.explorer(small, "dead_unit_explorer.html", "the explorer: where the dead unit stops the gradient")
