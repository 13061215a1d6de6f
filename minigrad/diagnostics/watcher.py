"""watch(model): record a network's health over training, every ``every`` optimiser steps.

What one recorded step measures, per activation layer: a histogram of its output and of the
gradient that reached that output in backward, and the shares of its units dead or saturated
over the step's batch (an :class:`ActivationMonitor` attached for that step only); per
parameter: the norm of its gradient, and the update-to-data ratio from its actual change across
the step, ``log10(std(p_after - p_before) / std(p_before))``, so that momentum, weight decay or
any optimiser's rule is measured, not assumed.

How a step is seen: with ``optimizer=``, a step post-hook on it (PyTorch's
``register_step_post_hook``) calls :meth:`Watch.step` after each ``optimizer.step()``, so the
training loop is not changed; a loop that updates the weights by hand calls ``watch.step()``
after each update instead. Between recorded steps nothing is hooked and nothing is copied (the
hooks are put on just before a recorded step and taken off after it, or kept on while every
step is recorded), so a step not recorded runs no code of the watch but its step counter.

Nothing of the model changes: the hooks observe and are removed at the end of each recorded step
and when the ``with`` block ends (or :meth:`Watch.close`); the weights are copied, never written.

>>> model = nn.Sequential(nn.Linear(2, 4, rng=0), nn.Tanh(), nn.Linear(4, 1, rng=1))
>>> opt = optim.SGD(model.parameters(), lr=0.1)
>>> with watch(model, every=2, optimizer=opt) as recording:
...     for _ in range(5):
...         opt.zero_grad(); (model(Tensor(np.ones((8, 2)))) ** 2).mean().backward(); opt.step()
>>> recording.steps, recording.layers, recording.activations["1"][0].num
([0, 2, 4], ['1'], 32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.arguments import check_number
from minigrad.diagnostics.monitor import ACTIVATION_TYPES, ActivationMonitor
from minigrad.diagnostics.recording import Histogram, Recording, update_ratios
from minigrad.nn.module import Module
from minigrad.optim.optimizer import Optimizer
from minigrad.tensor import Tensor, _HookHandle


def watch(
    model: Module,
    every: int = 1,
    *,
    optimizer: Optimizer | None = None,
    bins: int = 50,
    writer: Any = None,
) -> Watch:
    """Start recording ``model`` every ``every`` optimiser steps, as ``with watch(...) as
    recording:`` or ``recording = watch(...)`` ... ``recording.close()``; the :class:`Watch`
    returned is the :class:`Recording` it fills.

    Parameters
    ----------
    model : Module
        The network; its activation modules (``nn.ReLU``, ``nn.Tanh``...) are the layers whose
        activations are histogrammed, its named parameters those whose updates are measured.
    every : int
        Record steps 0, every, 2*every, ... (counted from the first step after this call).
    optimizer : Optimizer, optional
        Seen through a step post-hook; without it, call :meth:`Watch.step` after each update.
    bins : int
        The number of bins of every histogram.
    writer : minigrad.utils.tensorboard.SummaryWriter, optional
        Also log each recorded step into it (histograms and scalars, under the step's number).

    Examples
    --------
    >>> watch(nn.ReLU(), every=0)
    Traceback (most recent call last):
    ValueError: watch: every must be an integer >= 1, got 0
    """
    if not isinstance(model, Module):
        raise TypeError(f"watch: model must be a minigrad Module, got {type(model).__name__}")
    check_number("watch", "every", every, integer=True, at_least=1)
    check_number("watch", "bins", bins, integer=True, at_least=1)
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError(f"watch: optimizer must be a minigrad Optimizer or None, got {type(optimizer).__name__}")
    lacking = [m for m in ("add_scalar", "add_histogram_raw") if not callable(getattr(writer, m, None))]
    if writer is not None and lacking:
        raise TypeError(
            f"watch: writer must be a SummaryWriter (with add_scalar and add_histogram_raw), got"
            f" {type(writer).__name__} lacking {', '.join(lacking)}"
        )
    return Watch(model, int(every), optimizer, int(bins), writer)


class Watch(Recording):
    """A :class:`Recording` that fills itself: hooks on the model while a step is recorded.

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(3, 3, rng=0), nn.ReLU())
    >>> recording = watch(model)               # no optimizer: call step() after each update
    >>> model(Tensor(np.ones((2, 3)))).sum().backward()
    >>> recording.step(); recording.close()
    >>> recording.steps, round(recording.grad_norm["0.weight"][0], 3)
    ([0], 3.464)
    """

    def __init__(self, model: Module, every: int, optimizer: Optimizer | None, bins: int, writer: Any) -> None:
        self.model, self.bins, self.writer = model, bins, writer
        self._layers = {name: m for name, m in model.named_modules() if isinstance(m, ACTIVATION_TYPES)}
        self._parameters = dict(model.named_parameters())
        super().__init__(
            every,
            layers=list(self._layers),
            parameters=list(self._parameters),
            shapes={name: p.shape for name, p in self._parameters.items()},
        )
        self.steps_seen = 0
        self.closed = False
        self._optimizer_hook = (
            optimizer.register_step_post_hook(lambda *_: self._count_step()) if optimizer is not None else None
        )
        self._monitor: ActivationMonitor | None = None
        self._handles: list[_HookHandle] = []
        self._outputs: dict[str, Histogram] = {}
        self._sizes = np.array([p.numel() for p in self._parameters.values()], dtype=np.intp)
        self._before = np.empty(0)
        self._arm()

    def _arm(self, weights: np.ndarray | None = None) -> None:
        """Hook the model for the next step, which is recorded (the hooks of a step just recorded
        stay on, emptied), and keep the weights before it: ``weights``, the flat copy a recorded
        step just took of them, or a new one."""
        if self._monitor is None:
            self._monitor = ActivationMonitor(self.model)
            self._handles = [
                module.register_forward_hook(self._histogram_of(name)) for name, module in self._layers.items()
            ]
        else:
            self._monitor.reset()
            self._monitor.grads.clear()
        self._outputs = {}
        self._before = self._flat_weights() if weights is None else weights

    def _flat_weights(self) -> np.ndarray:
        """Every parameter's values, raveled one after the other (a copy)."""
        parameters = self._parameters.values()
        return np.concatenate([p._data.ravel() for p in parameters]) if parameters else np.empty(0)

    def _histogram_of(self, name: str) -> Any:
        def keep(module: Module, inputs: tuple[Any, ...], output: Any) -> None:
            if isinstance(output, Tensor):
                self._outputs[name] = Histogram.of(output._data, self.bins)

        return keep

    def _disarm(self) -> None:
        if self._monitor is not None:
            self._monitor.remove()
            self._monitor = None
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def step(self) -> None:
        """Count one optimiser step of a watch made without ``optimizer=``; if it is a recorded
        one, measure it (call it after the weights were updated and before the gradients are
        zeroed). With ``optimizer=`` its step hook counts the steps, and a call here, which would
        count one twice, is refused.

        Examples
        --------
        >>> w = watch(nn.Linear(1, 1, rng=0)); w.close(); w.step()
        Traceback (most recent call last):
        RuntimeError: Watch.step: this watch was closed; start another with minigrad.diagnostics.watch(model)
        """
        if self.closed:
            raise RuntimeError(
                "Watch.step: this watch was closed; start another with minigrad.diagnostics.watch(model)"
            )
        if self._optimizer_hook is not None:
            raise RuntimeError(
                "Watch.step: this watch counts the steps through its optimizer's step hook; call step() only"
                " in a watch made without optimizer="
            )
        self._count_step()

    def _count_step(self) -> None:
        weights = None
        if self._monitor is not None:
            weights = self._record(self._monitor)
        self.steps_seen += 1
        if self.steps_seen % self.every == 0:
            self._arm(weights)
        elif self._monitor is not None:
            self._disarm()

    def _record(self, monitor: ActivationMonitor) -> np.ndarray:
        """Append the step just taken to the recording; return the flat copy of the weights after it."""
        recording, step = self, self.steps_seen
        recording.steps.append(step)
        units = monitor.summary()
        for name in recording.layers:
            grad = monitor.grads.get(name)
            recording.activations[name].append(self._outputs.get(name))
            recording.gradients[name].append(None if grad is None else Histogram.of(grad, self.bins))
            seen = units.get(name)
            recording.dead[name].append(seen.dead_fraction if seen else np.nan)
            recording.saturated[name].append(seen.saturated_fraction if seen else np.nan)
        weights = self._flat_weights()
        ratios = update_ratios(self._before, weights, self._sizes)
        for (name, p), ratio in zip(self._parameters.items(), ratios.tolist()):
            recording.grad_norm[name].append(None if p.grad is None else _norm(p.grad._data))
            recording.update_ratio[name].append(ratio)
        if self.writer is not None:
            self._log(step)
        return weights

    def _log(self, step: int) -> None:
        """Write the step just recorded into the SummaryWriter, under TensorBoard-style tags."""
        recording, at = self, -1
        for name in recording.layers:
            for kind, histograms in (("activations", recording.activations), ("gradients", recording.gradients)):
                h = histograms[name][at]
                if h is not None and h.num:
                    self.writer.add_histogram_raw(
                        f"{kind}/{name}", h.min, h.max, h.num, h.sum, h.sum_squares, h.edges[1:], h.counts, step
                    )
            for kind, shares in (("dead", recording.dead), ("saturated", recording.saturated)):
                self.writer.add_scalar(f"{kind}/{name}", shares[name][at], step)
        for name in recording.parameters:
            norm = recording.grad_norm[name][at]
            if norm is not None:
                self.writer.add_scalar(f"grad_norm/{name}", norm, step)
            self.writer.add_scalar(f"update_ratio/{name}", recording.update_ratio[name][at], step)

    def close(self) -> None:
        """Remove every hook (the model's and the optimiser's); a step armed but not taken is
        dropped. Leaving the ``with`` block calls it.

        Examples
        --------
        >>> relu = nn.ReLU()
        >>> w = watch(relu)
        >>> w.close()
        >>> relu._forward_hooks
        []
        """
        self._disarm()
        if self._optimizer_hook is not None:
            self._optimizer_hook.remove()
            self._optimizer_hook = None
        self.closed = True

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _norm(values: np.ndarray) -> float:
    """np.linalg.norm(values), the 2-norm of all entries sqrt(v . v), by its own arithmetic (the
    same number) with less overhead per call."""
    flat = values.ravel(order="K")
    return float(np.sqrt(flat.dot(flat)))
