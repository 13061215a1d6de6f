"""The demos' sections drawn from :func:`minigrad.diagnostics.watch` recordings: the vanishing
demo's update-to-data ratio chart and the dying-ReLU demo's activation histograms collapsing
onto 0. Each trains its own copies of the demo's networks under watch and adds a section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from minigrad import Tensor, nn, optim
from minigrad.data import DataLoader
from minigrad.demos.harness import DemoRun
from minigrad.diagnostics import Recording, watch
from minigrad.diagnostics.watch_plots import plot_histograms, plot_update_ratios
from minigrad.losses import cross_entropy
from minigrad.report import number, percent

RATIO_VARIANTS = ("sigmoid", "relu, He init", "sigmoid + residual + layernorm")
# NOTE: plain SGD: Adam divides each update by the gradient's running size, so its ratios stay near
# log10(lr / std(w)) however small the gradient; SGD's show the vanishing gradient itself.
RATIO_LR, RATIO_DEPTH = 0.1, 10


def vanishing_ratios(
    demo: DemoRun, x: Tensor, y: np.ndarray, build: Callable[[str, int, int], nn.MLP]
) -> dict[str, Any]:
    """Train the sigmoid, ReLU and residual+LayerNorm stacks with SGD under watch; draw every
    weight's update-to-data ratio over the steps; return the first and last layers' at the first and
    last steps recorded, and the highest of all layers' at the last.

    Examples
    --------
    >>> import tempfile
    >>> from minigrad.data import make_spirals
    >>> from minigrad.demos.vanishing import build
    >>> X, y = make_spirals(30, 3, rng=0)
    >>> with tempfile.TemporaryDirectory() as out:
    ...     demo = DemoRun("vanishing", "Ratios", ["--quick", "--out", out])
    ...     sigmoid = vanishing_ratios(demo, Tensor(X), y, build)["variants"]["sigmoid"]
    >>> sigmoid["start"][0] < sigmoid["start"][1] - 4          # the first layer's ratio, the last one's
    True
    """
    steps, every = (6, 1) if demo.quick else (200, 4)
    recordings: dict[str, Recording] = {}
    numbers: dict[str, dict[str, Any]] = {}
    for variant in RATIO_VARIANTS:
        model = build(variant, RATIO_DEPTH, demo.seed)
        optimizer = optim.SGD(model.parameters(), lr=RATIO_LR)
        with watch(model, every=every, optimizer=optimizer) as recording:
            for _ in range(steps):
                optimizer.zero_grad()
                cross_entropy(model(x), y).backward()
                optimizer.step()
        weights = recording.weights()
        start, end = ([recording.update_ratio[name][at] for name in weights] for at in (0, -1))
        recordings[variant] = recording
        numbers[variant] = {"start": [start[0], start[-1]], "end": [end[0], end[-1]], "end_highest": max(end)}
    figure = Figure(figsize=(15, 4.2), layout="constrained")
    for ax, (variant, watched) in zip(figure.subplots(1, 3, sharey=True), recordings.items()):
        plot_update_ratios(watched, ax)
        ax.set_title(f"{variant} (dark: first layer, light: last)")
        ax.get_legend().remove()
        _shade_by_depth(ax)
    sigmoid, relu, fixed = (numbers[v] for v in RATIO_VARIANTS)
    last_step = recordings["sigmoid"].steps[-1]
    demo.section(
        "Update-to-data ratios while training",
        (
            f"diagnostics.watch records, every {every} SGD step(s) (lr {RATIO_LR}, {RATIO_DEPTH} hidden layers), "
            "log10(std(update) / std(weight)) of every weight matrix from its actual change; the green band is the "
            "healthy range around -3. At step 0 the sigmoid stack's ratios fan out from "
            f"{number(sigmoid['start'][0])} at the first layer to {number(sigmoid['start'][1])} at the last: the "
            f"vanishing gradient, seen in the weights. At step {last_step} every sigmoid layer is at or below "
            f"{number(sigmoid['end_highest'])}: the whole stack has stopped learning. With ReLU and He init the first "
            f"and last layers start at {number(relu['start'][0])} and {number(relu['start'][1])} and end at "
            f"{number(relu['end'][0])} and {number(relu['end'][1])}; sigmoid with residual connections and "
            f"LayerNorm: {number(fixed['start'][0])} and {number(fixed['start'][1])}, then "
            f"{number(fixed['end'][0])} and {number(fixed['end'][1])}, its output layer's ratio near 0 saying "
            "that this rate is too large a step for that layer."
        ),
    )
    demo.figure(figure, "update_ratios.png")
    return {"lr": RATIO_LR, "depth": RATIO_DEPTH, "every": every, "variants": numbers}


def _shade_by_depth(ax: Any) -> None:
    """Colour the ratio lines from dark (first layer) to light (last), in the order drawn."""
    import matplotlib

    lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    for i, line in enumerate(lines):
        line.set_color(matplotlib.colormaps["viridis"](i / max(len(lines) - 1, 1)))


def dying_histograms(
    demo: DemoRun, X: np.ndarray, y: np.ndarray, build: Callable[[str], nn.MLP], lr: float
) -> dict[str, Any]:
    """Train ReLU and leaky ReLU with Adam at the too-high ``lr`` under watch; draw every layer's
    activation and gradient histograms at the first and last steps; return the zero shares.

    Examples
    --------
    >>> import tempfile
    >>> from minigrad.data import make_spirals
    >>> X, y = make_spirals(30, 3, rng=0)
    >>> build = lambda activation: nn.MLP([2, 8, 8, 3], activation=activation.replace(" ", "_"), rng=0)
    >>> with tempfile.TemporaryDirectory() as out:
    ...     demo = DemoRun("dying-relu", "Histograms", ["--quick", "--out", out])
    ...     zeros = dying_histograms(demo, X, y, build, lr=0.3)["zero_share"]
    >>> zeros["leaky relu"]["last"]
    [0.0, 0.0]
    """
    epochs = 2 if demo.quick else 4
    recordings: dict[str, Recording] = {}
    for activation in ("relu", "leaky relu"):
        model = build(activation)
        optimizer = optim.Adam(model.parameters(), lr=lr)
        loader = DataLoader(X, y, batch_size=30, rng=demo.seed)
        with watch(model, optimizer=optimizer) as recording:
            for _ in range(epochs):
                for xb, yb in loader:
                    optimizer.zero_grad()
                    cross_entropy(model(xb), yb).backward()
                    optimizer.step()
        recordings[activation] = recording
    figure = Figure(figsize=(13, 12), layout="constrained")
    rows = figure.subplots(4, 2)
    zeros: dict[str, dict[str, list[float]]] = {}
    for pair, (activation, watched) in zip((rows[:2], rows[2:]), recordings.items()):
        first, last = watched.steps[0], watched.steps[-1]
        for row, step in zip(pair, (first, last)):
            plot_histograms(watched, step, row)
            for ax in row:
                ax.set_title(f"{activation}: {ax.get_title()}")
        zeros[activation] = {when: _zero_shares(watched, step) for when, step in (("first", first), ("last", last))}
    relu, leaky = zeros["relu"], zeros["leaky relu"]
    steps = recordings["relu"].steps[-1] + 1
    demo.section(
        "The activations collapsing onto 0",
        (
            f"diagnostics.watch at every Adam step of {epochs} epochs at lr {lr} ({steps} steps): each hidden "
            "layer's activation histogram (left) and the gradient reaching it (right), at the first step and at "
            "the last. The share of activations exactly 0 in layers 1-3 goes from "
            f"{', '.join(percent(v) for v in relu['first'])} to {', '.join(percent(v) for v in relu['last'])} "
            "with ReLU, the histogram collapsing onto a spike at 0 (a unit at 0 passes no gradient back). Leaky ReLU's "
            f"activations are exactly 0 in {', '.join(percent(v) for v in leaky['last'])} of the cases at the last "
            "step: its negative side keeps a slope of 0.01, so the histogram keeps a tail below 0 and a gradient."
        ),
    )
    demo.figure(figure, "activation_histograms.png")
    return {"lr": lr, "epochs": epochs, "steps": steps, "zero_share": zeros}


def _zero_shares(recording: Recording, step: int) -> list[float]:
    """Each layer's share of activations exactly 0 at ``step`` (every layer had a forward then)."""
    at = recording.index(step)
    histograms = [recording.activations[name][at] for name in recording.layers]
    return [h.zero_fraction for h in histograms if h is not None]
