"""micrograd, in minigrad: one neuron's graph, then a two-moons classifier with the hinge loss
Karpathy's micrograd walkthrough, step for step: the neuron o = tanh(x1 w1 + x2 w2 + b) with its
value and gradient on every node (and checked against central differences), then an MLP of two
hidden layers of 16 ReLUs trained on 100 points of two moons with the hinge (SVM) loss, L2
regularisation 1e-4 and a learning rate falling from 1 to 0.1, as micrograd's demo notebook.

    minigrad demo micrograd [--quick] [--seed N] [--out DIR]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import graphviz
import numpy as np
from matplotlib.figure import Figure
from tqdm.auto import tqdm

import minigrad as mg
from minigrad import Tensor, nn, no_grad, optim
from minigrad.analysis import trace
from minigrad.data import make_moons
from minigrad.demos.harness import DemoRun
from minigrad.losses import hinge_loss
from minigrad.report import Table
from minigrad.viz import draw_graph
from minigrad.viz.examples import neuron

__all__ = ["main"]

NAME = "micrograd"
ALPHA = 1e-4  # weight of the L2 penalty, as micrograd's demo


def walkthrough() -> tuple[list[dict[str, Any]], graphviz.Digraph, bool]:
    """The neuron: every named value's data and gradient, the picture, and gradcheck's verdict."""
    example = neuron()
    graph = draw_graph(example.root, title=example.title)
    nodes = [
        {"name": v.tensor.name, "data": v.tensor.item(), "grad": v.grad.item()}
        for v in trace(example.root).values
        if v.tensor.name and v.grad is not None
    ]
    leaves = [Tensor(n["data"], requires_grad=True) for n in nodes if n["name"] in ("x1", "x2", "w1", "w2", "b")]
    checked = mg.gradcheck(lambda x1, x2, w1, w2, b: (x1 * w1 + x2 * w2 + b).tanh(), leaves)
    return nodes, graph, checked


def train_moons(seed: int, steps: int, bar: tqdm) -> tuple[nn.MLP, np.ndarray, np.ndarray, list[dict[str, float]]]:
    """micrograd's moons classifier: scores > 0 mean class +1."""
    X, labels = make_moons(100, noise=0.1, rng=seed)
    x, y = Tensor(X), Tensor(2.0 * labels[:, None] - 1.0)
    model = nn.MLP([2, 16, 16, 1], activation="relu", rng=seed)
    optimizer = optim.SGD(model.parameters(), lr=1.0)
    history = []
    for step in range(steps):
        optimizer.param_groups[0]["lr"] = 1.0 - 0.9 * step / steps
        scores = model(x)
        loss = hinge_loss(scores, y) + ALPHA * sum((p * p).sum() for p in model.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append({"loss": loss.item(), "accuracy": float(np.mean((scores.numpy() > 0) == (y.numpy() > 0)))})
        bar.update()
    return model, X, labels, history


def plot_boundary(model: nn.MLP, X: np.ndarray, labels: np.ndarray) -> Figure:
    xs, ys = np.meshgrid(np.linspace(-1.6, 2.6, 120), np.linspace(-1.1, 1.6, 80))
    with no_grad():
        scores = model(Tensor(np.stack([xs.ravel(), ys.ravel()], axis=1))).numpy().reshape(xs.shape)
    fig = Figure(figsize=(6.5, 4.5), layout="constrained")
    ax = fig.subplots()
    ax.contourf(xs, ys, scores > 0, levels=[-0.5, 0.5, 1.5], colors=["#b5d3f6", "#f6c4b5"], alpha=0.8)
    ax.contour(xs, ys, scores, levels=[0.0], colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="coolwarm", edgecolors="k", s=25)
    ax.set(title="decision boundary: score = 0", xlabel="x1", ylabel="x2")
    return fig


def plot_history(history: list[dict[str, float]]) -> Figure:
    fig = Figure(figsize=(6.5, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.plot([h["loss"] for h in history], label="hinge loss + L2")
    ax.plot([h["accuracy"] for h in history], label="accuracy")
    ax.set(xlabel="SGD step (all 100 points)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Draw micrograd's neuron, train the moons classifier, write the page, return the numbers.

    ``argv`` holds the options (None: the command line's). The numbers: every named value of
    the neuron with its data and gradient, gradcheck's verdict on it, and the training history.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     neuron = main(["--quick", "--out", folder])["neuron"]
    <BLANKLINE>
    micrograd, in minigrad: ...
    >>> {node["name"]: round(node["grad"], 4) for node in neuron if node["name"] in ("n", "x2", "w2")}
    {'n': 0.5, 'x2': 0.5, 'w2': 0.0}
    """
    demo = DemoRun(NAME, __doc__ or "", argv)
    steps = 20 if demo.quick else 100
    nodes, graph, checked = walkthrough()
    bar = demo.progress(steps, "training the moons classifier")
    model, X, labels, history = train_moons(demo.seed, steps, bar)
    bar.close()
    results = {"neuron": nodes, "gradcheck": checked, "history": history, "final": history[-1]}
    demo.section(
        "One neuron",
        (
            "Each value box holds its name, data and gradient; each edge is labelled with the op's local "
            f"derivative, so a gradient is the product along the path. gradcheck against central differences: {checked}."
        ),
    )
    demo.graph(graph, "neuron.svg")
    demo.table(Table(["value", "data", "d o / d value"], [[n["name"], n["data"], n["grad"]] for n in nodes]))
    demo.section("Step through it", "The neuron's backward pass one node at a time, in the walk's order.", key=False)
    demo.explorer(neuron(), "neuron_explorer.html", "the explorer: step through the neuron's backward pass")
    final = history[-1]
    demo.section(
        "Two moons",
        (
            f"After {steps} steps the hinge loss (with its L2 term) is {final['loss']:.4f} and "
            f"{100 * final['accuracy']:.0f} % of the 100 points are on the right side."
        ),
    )
    demo.figure(plot_boundary(model, X, labels), "moons_boundary.png")
    demo.figure(plot_history(history), "moons_training.png")
    summary = Table(
        ["step", "loss", "accuracy"],
        [
            [i + 1, h["loss"], f"{100 * h['accuracy']:.0f} %"]
            for i, h in enumerate(history)
            if (i + 1) % max(1, steps // 10) == 0
        ],
    )
    demo.table(summary)
    return demo.finish(results, summary)
