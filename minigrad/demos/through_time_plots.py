"""The through-time demo's figures: the gradient at every time step, the training curves, the
exploding case with and without clipping."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

__all__ = ["plot_steps", "plot_training", "plot_exploding"]


def _finite(values: list[float]) -> np.ndarray:
    """``values`` with inf and NaN left out of the plot (a gap in the line)."""
    array = np.asarray(values, dtype=float)
    return np.where(np.isfinite(array), array, np.nan)


def _steps(ax: Any, norms: dict[str, list[float]], title: str) -> None:
    for name, values in norms.items():
        g = np.asarray(values)
        ax.plot(np.arange(1, len(g) + 1), g / g[-1], marker="." if len(g) <= 30 else None, label=name)
    ax.set(yscale="log", xlabel="time step t", ylabel="‖d loss / d h_t‖ ÷ ‖d loss / d h_T‖", title=title)
    ax.grid(True, which="major", alpha=0.3)


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
        losses = _finite(r["losses"])
        window = max(1, len(losses) // 40)
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        loss_ax.plot(np.arange(window, len(losses) + 1), smooth, label=name)
        norm_ax.plot(_finite(r["grad_norms"]), lw=0.8, label=name)
    loss_ax.axhline(baseline, color="k", ls="--", lw=1.5, label=f"predicting the mean ({baseline:.3f})")
    loss_ax.set(yscale="log", xlabel="Adam step", ylabel="MSE (moving mean)", title="training loss")
    norm_ax.set(yscale="log", xlabel="Adam step", ylabel="‖gradient‖", title="gradient norm of all parameters")
    for ax in (loss_ax, norm_ax):
        ax.grid(True, alpha=0.3)
    loss_ax.legend(fontsize=8)
    return fig


def plot_exploding(exploding: dict[str, Any]) -> Figure:
    fig = Figure(figsize=(12, 4), layout="constrained")
    steps_ax, loss_ax, norm_ax = fig.subplots(1, 3)
    g = np.asarray(exploding["at_init"])
    steps_ax.plot(np.arange(1, len(g) + 1), g / g[-1])
    steps_ax.set(
        yscale="log",
        xlabel="time step t",
        ylabel="‖d loss / d h_t‖ ÷ ‖d loss / d h_T‖",
        title=f"at initialisation, spectral radius {exploding['radius']:.2f}",
    )
    for label, r in exploding["runs"].items():
        loss_ax.plot(_finite(r["losses"]), label=label)
        norm_ax.plot(_finite(r["grad_norms"]), label=label)
    loss_ax.set(yscale="log", xlabel="SGD step", ylabel="MSE", title="training loss (a gap: inf or NaN)")
    norm_ax.set(yscale="log", xlabel="SGD step", ylabel="‖gradient‖ before clipping", title="gradient norm")
    for ax in (steps_ax, loss_ax, norm_ax):
        ax.grid(True, alpha=0.3)
    loss_ax.legend(fontsize=8)
    return fig
