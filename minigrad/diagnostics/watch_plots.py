"""Pictures of a :class:`Recording` with matplotlib (the ``demos`` extra), each on its own Axes
so that a demo can place them, and :func:`plot_recording` putting them on one Figure.

- :func:`plot_update_ratios`: every weight's update-to-data ratio over the steps, the healthy
  band shaded;
- :func:`plot_unit_states`: the share of dead (rectifiers) and saturated (sigmoid, tanh) units
  of every activation layer over the steps;
- :func:`plot_histograms`: at one step, every layer's activation histogram and, beside it, the
  histogram of the gradient that reached it, one curve per layer (as in the "makemore" lectures).

>>> from minigrad.diagnostics import watch
>>> model = nn.Sequential(nn.Linear(2, 8, rng=0), nn.Tanh(), nn.Linear(8, 1, rng=1))
>>> opt = optim.SGD(model.parameters(), lr=0.1)
>>> with watch(model, optimizer=opt) as recording:
...     for _ in range(4):
...         opt.zero_grad(); (model(Tensor(np.ones((8, 2)))) ** 2).mean().backward(); opt.step()
>>> figure = plot_recording(recording)
>>> [ax.get_title() for ax in figure.axes][:2]
['update-to-data ratio per step', 'dead or saturated units']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.diagnostics.recording import HEALTHY_RATIO, Histogram, Recording

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _check_recording(call: str, recording: Any) -> Recording:
    if not isinstance(recording, Recording):
        raise TypeError(
            f"{call}: recording must be a Recording (from minigrad.diagnostics.watch), got {type(recording).__name__}"
        )
    if not recording.steps:
        raise ValueError(f"{call}: the recording has no step yet (train at least one step inside watch)")
    return recording


def plot_update_ratios(recording: Recording, ax: Axes, parameters: Sequence[str] | None = None) -> None:
    """Draw log10(update std / weight std) of each of ``parameters`` (default: the weights, see
    :meth:`Recording.weights`) over the recorded steps on ``ax``, with the healthy band shaded.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> plot_update_ratios("not a recording", Figure().add_subplot())
    Traceback (most recent call last):
    TypeError: plot_update_ratios: recording must be a Recording (from minigrad.diagnostics.watch), got str
    """
    _check_recording("plot_update_ratios", recording)
    names = (
        recording.weights()
        if parameters is None
        else _check_names("plot_update_ratios", "parameters", parameters, recording.parameters)
    )
    low, high = HEALTHY_RATIO
    ax.axhspan(low, high, color="tab:green", alpha=0.12, label=f"healthy ({low:g} to {high:g})")
    ax.axhline(-3, color="tab:green", lw=0.8, ls="--")
    for name in names:
        ax.plot(recording.steps, recording.update_ratio[name], lw=1.2, label=name)
    ax.set_title("update-to-data ratio per step")
    ax.set_xlabel("step")
    ax.set_ylabel("log10(std(update) / std(weight))")
    ax.legend(fontsize="x-small", loc="best")


def plot_unit_states(recording: Recording, ax: Axes) -> None:
    """Draw, for each activation layer, the share of its units dead (solid) or saturated
    (dashed) on every example of the step, over the recorded steps.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from minigrad.diagnostics import Recording
    >>> plot_unit_states(Recording(every=1, layers=[], parameters=[]), Figure().add_subplot())
    Traceback (most recent call last):
    ValueError: plot_unit_states: the recording has no step yet (train at least one step inside watch)
    """
    _check_recording("plot_unit_states", recording)
    for i, name in enumerate(recording.layers):
        colour = f"C{i % 10}"
        ax.plot(recording.steps, recording.dead[name], color=colour, label=f"{name} dead")
        ax.plot(recording.steps, recording.saturated[name], color=colour, ls="--", label=f"{name} saturated")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title("dead or saturated units")
    ax.set_xlabel("step")
    ax.set_ylabel("share of the layer's units")
    ax.legend(fontsize="x-small", loc="best")


def plot_histograms(recording: Recording, step: int, axes: Sequence[Axes], layers: Sequence[str] | None = None) -> None:
    """Draw at ``step`` every layer's activation histogram on ``axes[0]`` and its gradient's on
    ``axes[1]``, one curve per layer, as densities (so layers of any width compare).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from minigrad.diagnostics import Recording
    >>> recording = Recording(every=1, layers=["1"], parameters=[], steps=[0])
    >>> plot_histograms(recording, 3, Figure().subplots(1, 2))
    Traceback (most recent call last):
    ValueError: Recording.index: step 3 was not recorded; the steps recorded are [0]
    """
    _check_recording("plot_histograms", recording)
    at = recording.index(step)
    if len(axes) != 2:
        raise ValueError(f"plot_histograms: axes must be two Axes (activations, gradients), got {len(axes)}")
    names = recording.layers if layers is None else _check_names("plot_histograms", "layers", layers, recording.layers)
    for ax, kind, table in (
        (axes[0], "activations", recording.activations),
        (axes[1], "gradients", recording.gradients),
    ):
        for i, name in enumerate(names):
            histogram = table[name][at]
            if histogram is not None and histogram.num:
                centres, density = _density(histogram)
                label = f"{name}: mean {histogram.mean:+.2g}, std {histogram.std:.2g}"
                if kind == "activations":
                    label += f", zeros {histogram.zero_fraction:.0%}"
                ax.plot(centres, density, color=f"C{i % 10}", lw=1.2, label=label)
        ax.set_title(f"{kind} at step {step}")
        ax.set_ylabel("density")
        if ax.get_lines():  # NOTE: no curve (no gradient, or no value at that step): no legend to warn about
            ax.legend(fontsize="x-small", loc="best")


def plot_recording(recording: Recording, steps: Sequence[int] | None = None) -> Figure:
    """One Figure: the ratio chart and the unit states on the first row, then a row of
    histograms (activations beside gradients) per step of ``steps`` (default: first and last).

    Examples
    --------
    >>> from minigrad.diagnostics import Recording
    >>> plot_recording(Recording(every=1, layers=[], parameters=[], steps=[0]), steps=5)
    Traceback (most recent call last):
    TypeError: plot_recording: steps must be a list of recorded steps or None, got int
    """
    from matplotlib.figure import Figure

    _check_recording("plot_recording", recording)
    if steps is None:
        steps = sorted({recording.steps[0], recording.steps[-1]})
    elif isinstance(steps, (str, bytes)) or not isinstance(steps, Sequence):
        raise TypeError(f"plot_recording: steps must be a list of recorded steps or None, got {type(steps).__name__}")
    for step in steps:
        recording.index(step)
    figure = Figure(figsize=(12, 3.6 * (1 + len(steps))), layout="constrained")
    grid = figure.subplots(1 + len(steps), 2, squeeze=False)
    plot_update_ratios(recording, grid[0][0])
    plot_unit_states(recording, grid[0][1])
    for row, step in zip(grid[1:], steps):
        plot_histograms(recording, step, row)
    return figure


def _density(histogram: Histogram) -> tuple[np.ndarray, np.ndarray]:
    """Bin centres and the histogram as a density (its area is 1)."""
    widths = np.diff(histogram.edges)
    return histogram.edges[:-1] + widths / 2, histogram.counts / (histogram.num * widths)


def _check_names(call: str, argument: str, names: Sequence[str], known: list[str]) -> list[str]:
    unknown = [name for name in names if name not in known]
    if isinstance(names, str) or unknown:
        raise ValueError(f"{call}: {argument} must be names among {known}, got {names!r}")
    return list(names)
