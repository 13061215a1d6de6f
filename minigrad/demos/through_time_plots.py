"""The through-time demo's figures: the gradient at every time step, the training curves, the
exploding case with and without clipping."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

__all__: list[str] = []  # NOTE: parts of the demo, run by minigrad.demos.through_time.main


def _log10(values: Any) -> np.ndarray:
    """log10 of ``values``, NaN (a gap in the line) where one is inf, NaN or not positive.

    NOTE: the curves are drawn as log10 on a linear axis: a loss that reaches 1e250 makes
    Matplotlib's log axis overflow to inf while it places its ticks."""
    array = np.asarray(values, dtype=float)
    good = np.isfinite(array) & (array > 0)
    return np.log10(np.where(good, array, 1.0), where=good, out=np.full(array.shape, np.nan))


def _steps(ax: Any, norms: dict[str, list[float]], title: str) -> None:
    for name, values in norms.items():
        g = np.asarray(values, dtype=float)
        with np.errstate(all="ignore"):  # NOTE: a diverged run's inf or NaN is left out of the line
            relative = _log10(g / g[-1])
        ax.plot(np.arange(1, len(g) + 1), relative, marker="." if len(g) <= 30 else None, label=name)
    ax.set(xlabel="time step t", ylabel="log10 (‖d loss / d h_t‖ ÷ ‖d loss / d h_T‖)", title=title)
    ax.grid(True, alpha=0.3)


def plot_steps(at_init: dict[int, dict[str, list[float]]], trained: dict[str, list[float]], length: int) -> Figure:
    """One panel per T at initialisation, and one for the networks trained at the longest T."""
    fig = Figure(figsize=(12, 8.5), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, (T, norms) in zip(axes, at_init.items()):
        _steps(ax, norms, f"T = {T}, at initialisation")
    _steps(axes[3], trained, f"T = {length}, after training")
    axes[0].legend(fontsize=8)
    return fig


def plot_training(runs: dict[str, dict[str, Any]], baseline: float) -> Figure:
    fig = Figure(figsize=(12, 4), layout="constrained")
    loss_ax, norm_ax = fig.subplots(1, 2)
    for name, r in runs.items():
        losses = np.asarray(r["losses"], dtype=float)
        window = max(1, len(losses) // 40)
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        loss_ax.plot(np.arange(window, len(losses) + 1), _log10(smooth), label=name)
        norm_ax.plot(_log10(r["grad_norms"]), lw=0.8, label=name)
    loss_ax.axhline(np.log10(baseline), color="k", ls="--", lw=1.5, label=f"predicting the mean ({baseline:.3f})")
    loss_ax.set(xlabel="Adam step", ylabel="log10 MSE (moving mean)", title="training loss")
    norm_ax.set(xlabel="Adam step", ylabel="log10 ‖gradient‖", title="gradient norm of all parameters")
    for ax in (loss_ax, norm_ax):
        ax.grid(True, alpha=0.3)
    loss_ax.legend(fontsize=8)
    return fig


def plot_exploding(exploding: dict[str, Any]) -> Figure:
    fig = Figure(figsize=(12, 4), layout="constrained")
    steps_ax, loss_ax, norm_ax = fig.subplots(1, 3)
    _steps(steps_ax, {"": exploding["at_init"]}, f"at initialisation, spectral radius {exploding['radius']:.2f}")
    for label, r in exploding["runs"].items():
        loss_ax.plot(_log10(r["losses"]), label=label)
        norm_ax.plot(_log10(r["grad_norms"]), label=label)
    loss_ax.set(xlabel="SGD step", ylabel="log10 MSE", title="training loss (a gap: inf or NaN)")
    norm_ax.set(xlabel="SGD step", ylabel="log10 ‖gradient‖ before clipping", title="gradient norm")
    for ax in (steps_ax, loss_ax, norm_ax):
        ax.grid(True, alpha=0.3)
    loss_ax.legend(fontsize=8)
    return fig
