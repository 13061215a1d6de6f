"""Activations: every one of the core with f, f' and f'', all three from minigrad's autograd
f is the module's forward; f' = minigrad.grad(f, x, create_graph=True), and f'' the gradient of
that again, so the second derivative comes from each op's backward rule being differentiable in
turn. Each is evaluated on a grid over [-8, 8] that includes x = 0. Shaded: where |f'| is below
1 % of its largest value on the grid, so that almost no gradient passes (saturation, or a
rectifier's flat side).

    minigrad demo activations [--quick] [--seed N] [--out DIR]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
from matplotlib.figure import Figure

import minigrad as mg
from minigrad import Tensor
from minigrad.demos.harness import DemoRun
from minigrad.nn.activations import ACTIVATIONS
from minigrad.report import Table, percent

__all__ = ["main"]

NAME = "activations"
LOW, HIGH = -8.0, 8.0
FLAT = 0.01  # |f'| below this share of its peak counts as flat: the level ActivationMonitor uses
# f, f' and f'' on the grid
Curves: TypeAlias = tuple[np.ndarray, np.ndarray, np.ndarray]


def derivatives(name: str, x_values: np.ndarray) -> Curves:
    """f, f', f'' of activation ``name`` at ``x_values``, each by minigrad's own autograd."""
    x = Tensor(x_values, requires_grad=True)
    y = ACTIVATIONS[name]()(x)
    ones = np.ones_like(x_values)
    (d1,) = mg.grad(y, x, grad_outputs=ones, create_graph=True)
    # NOTE: a piecewise-linear op's f' is made of constants only, so nothing leads back to x.
    d2 = mg.grad(d1, x, grad_outputs=ones, allow_unused=True)[0] if d1.requires_grad else None
    return y.numpy(), d1.numpy(), np.zeros_like(x_values) if d2 is None else d2.numpy()


def measure(x: np.ndarray, f: np.ndarray, d1: np.ndarray, d2: np.ndarray) -> dict[str, Any]:
    """The ranges of f, f' and f'' on the grid, where f' peaks, and the share where it is flat."""
    values = np.unique(d1)
    peak = np.abs(d1).max()
    return {
        "f_min": float(f.min()),
        "f_max": float(f.max()),
        "d1_min": float(d1.min()),
        "d1_max": float(d1.max()),
        "d1_argmax": float(x[np.argmax(d1)]),
        "d1_values": values.tolist() if len(values) <= 3 else None,
        "d2_min": float(d2.min()),
        "d2_max": float(d2.max()),
        "flat_share": float(np.mean(np.abs(d1) < FLAT * peak)),
    }


def run(demo: DemoRun) -> tuple[dict[str, Any], np.ndarray, dict[str, Curves]]:
    """The measured numbers of every activation, and its curves (name -> (f, f', f'')) to plot."""
    points = 401 if demo.quick else 1601  # odd, so that x = 0 is a grid point
    x = np.linspace(LOW, HIGH, points)
    bar = demo.progress(len(ACTIVATIONS), "f, f' and f'' of every activation")
    measured: dict[str, dict[str, Any]] = {}
    curves: dict[str, Curves] = {}
    for name in ACTIVATIONS:
        curves[name] = derivatives(name, x)
        measured[name] = measure(x, *curves[name])
        bar.update()
    bar.close()
    return {"points": points, "activations": measured}, x, curves


def flat_spans(x: np.ndarray, flat: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) of each run of grid points where ``flat`` holds."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flat.astype(int), [0]])))
    return [(x[start], x[end - 1]) for start, end in zip(edges[::2], edges[1::2])]


def plot(x: np.ndarray, curves: dict[str, Curves]) -> Figure:
    names, cols = list(curves), 4
    rows = -(-len(names) // cols)
    fig = Figure(figsize=(15, 3.1 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, sharex=True).ravel()
    for ax, name in zip(axes, names):
        f, d1, d2 = curves[name]
        for start, end in flat_spans(x, np.abs(d1) < FLAT * np.abs(d1).max()):
            ax.axvspan(start, end, color="#f2c14e", alpha=0.3, lw=0)
        ax.plot(x, f, "k", lw=1.8, label="f")
        ax.plot(x, d1, "C0", lw=1.5, label="f'")
        ax.plot(x, d2, "C3", lw=1, ls="--", label="f''")
        ax.set(title=name, ylim=(-1.6, 2.6))
        ax.grid(True, alpha=0.3)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    axes[0].legend(loc="upper left", fontsize=8)
    return fig


def summary_table(results: dict[str, Any]) -> Table:
    rows = []
    for name, r in results["activations"].items():
        values = "{" + ", ".join(f"{v:g}" for v in r["d1_values"]) + "}" if r["d1_values"] else "continuous"
        rows.append(
            [
                name,
                r["f_min"],
                r["f_max"],
                r["d1_min"],
                r["d1_max"],
                r["d1_argmax"],
                values,
                r["d2_min"],
                r["d2_max"],
                percent(r["flat_share"]),
            ]
        )
    columns = [
        "activation",
        "min f",
        "max f",
        "min f'",
        "max f'",
        "at x",
        "values of f'",
        "min f''",
        "max f''",
        "flat share",
    ]
    return Table(columns, rows)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Compute f, f' and f'' of every activation on [-8, 8], draw them, write the page, return the ranges.

    ``argv`` holds the options (None: the command line's); ``--quick`` takes a coarser grid.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out_dir:
    ...     measured = main(["--quick", "--out", out_dir])["activations"]
    <BLANKLINE>
    Activations: ...
    >>> measured["sigmoid"]["d1_max"], measured["relu"]["d1_values"]
    (0.25, [0.0, 1.0])
    """
    demo = DemoRun(NAME, __doc__ or "", argv)
    results, x, curves = run(demo)
    acts = results["activations"]
    demo.section(
        "f, f' and f''",
        (
            f"Black f, blue f', red dashed f''. The measured largest derivatives: sigmoid' {acts['sigmoid']['d1_max']!r}, "
            f"tanh' {acts['tanh']['d1_max']!r}; relu' takes the values {acts['relu']['d1_values']}."
        ),
    )
    demo.figure(plot(x, curves), "activations.png")
    summary = summary_table(results)
    demo.section(
        "Measured ranges on [-8, 8]",
        (
            "'at x' is where f' is largest; 'values of f'' lists them when there are at most three; "
            "'flat share' is the part of [-8, 8] where |f'| is below 1 % of its largest value."
        ),
    )
    demo.table(summary)
    return demo.finish(results, summary)
