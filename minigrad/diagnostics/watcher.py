"""watch(model): record a network's health over training, every ``every`` optimiser steps.

What one recorded step measures, per activation layer: a histogram of its output and of the
gradient that reached that output in backward, and the shares of its units dead or saturated
over the step's batch (ActivationMonitor's measure of that step alone); per
parameter: the norm of its gradient, and the update-to-data ratio from its actual change across
the step, ``log10(std(p_after - p_before) / std(p_before))``, so that momentum, weight decay or
any optimiser's rule is measured, not assumed.

How a step is seen: with ``optimizer=``, a step post-hook on it (PyTorch's
``register_step_post_hook``) calls :meth:`Watch.step` after each ``optimizer.step()``, so the
training loop is not changed; a loop that updates the weights by hand calls ``watch.step()``
after each update instead. Between recorded steps nothing is hooked and nothing is copied (the
hooks are put on just before a recorded step and taken off after it, or kept on while every
step is recorded), so a step not recorded runs no code of the watch but its step counter.

What a recorded step costs: its hooks only copy the arrays into rows kept from batch to batch
(:class:`~minigrad.diagnostics.watch_batch.Batch`); the numbers of a few dozen recorded steps
are computed together (:func:`~minigrad.diagnostics.watch_batch.measure`), when the batch is
full, when the recording is read (any of its lists) and at :meth:`Watch.close`. Each is the
number that step alone gives. A ``writer`` is written to as the steps are measured.

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
from minigrad.diagnostics.monitor import ACTIVATION_TYPES, _differentiate, _differentiate_node, _Tally
from minigrad.diagnostics.recording import Recording, Unbinnable
from minigrad.diagnostics.watch_batch import Batch, Measured, derivative, measure
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
        Also log each recorded step into it (histograms and scalars, under the step's number), as
        the steps are measured (a batch at a time, and at the end).

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


def _measured_first(name: str) -> Any:
    """A field of the Recording that, read on a Watch, first measures the steps still pending."""

    def read(self: Watch) -> Any:
        self._flush()
        return vars(self)[name]

    def write(self: Watch, value: Any) -> None:
        vars(self)[name] = value

    return property(read, write, doc=f"The recording's ``{name}``, with every step taken so far measured.")


class Watch(Recording):
    """A :class:`Recording` that fills itself: hooks on the model while a step is recorded.

    A recorded step only copies what it needs into a :class:`~minigrad.diagnostics.watch_batch.Batch`;
    the numbers are computed for a few dozen steps at once
    (:func:`~minigrad.diagnostics.watch_batch.measure`), and whenever the recording is read, so
    that reading it always shows every step taken, with the same numbers as one step at a time.

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(3, 3, rng=0), nn.ReLU())
    >>> recording = watch(model)               # no optimizer: call step() after each update
    >>> model(Tensor(np.ones((2, 3)))).sum().backward()
    >>> recording.step(); recording.close()
    >>> recording.steps, round(recording.grad_norm["0.weight"][0], 3)
    ([0], 3.464)
    """

    steps = _measured_first("steps")
    activations = _measured_first("activations")
    gradients = _measured_first("gradients")
    dead = _measured_first("dead")
    saturated = _measured_first("saturated")
    grad_norm = _measured_first("grad_norm")
    update_ratio = _measured_first("update_ratio")

    def __init__(self, model: Module, every: int, optimizer: Optimizer | None, bins: int, writer: Any) -> None:
        self.model, self.bins, self.writer = model, bins, writer
        self._layers = {name: m for name, m in model.named_modules() if isinstance(m, ACTIVATION_TYPES)}
        self._parameters = dict(model.named_parameters())
        self._batch = Batch(list(self._layers), len(self._parameters))
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
        self._handles: list[_HookHandle] = []
        self._before: np.ndarray | None = None  # the weights before the step being recorded (None: not recorded)
        self._sizes = np.array([p.numel() for p in self._parameters.values()], dtype=np.intp)
        self._arm()

    def _arm(self, weights: np.ndarray | None = None) -> None:
        """Hook the model for the next step, which is recorded (the hooks of a step just recorded
        stay on), and keep the weights before it: ``weights``, the flat copy a recorded step just
        took of them, or a new one."""
        if not self._handles:
            self._handles = [
                module.register_forward_hook(self._capturer(name, module)) for name, module in self._layers.items()
            ]
        self._before = self._flat_weights() if weights is None else weights

    def _flat_weights(self) -> np.ndarray:
        """Every parameter's values, raveled one after the other (a copy)."""
        parameters = self._parameters.values()
        return np.concatenate([p._data.ravel() for p in parameters]) if parameters else np.empty(0)

    def _capturer(self, name: str, module: Module) -> Any:
        """The forward hook of one activation layer: copy its input and output into the batch and hook
        its output for the gradient that will reach it."""
        # NOTE: an op with a parameter (PReLU's slope) may be changed by the step, and a subclass may
        # not act on each entry alone: such a layer is differentiated at once, not later with others.
        later = type(module) in ACTIVATION_TYPES and not any(True for _ in module.parameters())
        batch = self._batch
        inputs_, outputs, grads, tallies = (
            batch.inputs[name],
            batch.outputs[name],
            batch.grads[name],
            batch.tallies[name],
        )

        def capture(module: Module, inputs: tuple[Any, ...], output: Any) -> None:
            if self._before is None or not isinstance(output, Tensor):
                return
            x, position, step = inputs[0], len(batch.steps), self.steps_seen
            tally = tallies.get(position)
            if tally is None and later and output.ndim >= 2 and inputs_.get(position) is None:
                inputs_.put(position, x._data)
            else:  # the counts of each call join one tally: dead in the step = dead in every call
                if tally is None:
                    tally = tallies[position] = _Tally(type(module).__name__)
                    first = inputs_.get(position)
                    if first is not None:  # the first call of the step, captured to be measured later
                        first, first_output = first.copy(), outputs.at(position)
                        inputs_.drop(position)
                        op, local = derivative(module, first)
                        tally.add(op, first, first_output, local)
                op, local = _differentiate_node(x, output) or _differentiate(module, x)
                tally.add(op, x.numpy(), output.numpy(), local)
            outputs.put(position, output._data)
            if output.requires_grad:

                def keep(grad: Tensor) -> None:
                    if self.steps_seen == step and self._before is not None:  # still the step that made it
                        grads.put(len(batch.steps), grad._data)

                output.register_hook(keep)

        return capture

    def _disarm(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._before = None

    def step(self) -> None:
        """Count one optimiser step of a watch made without ``optimizer=``; if it is a recorded
        one, capture it (call it after the weights were updated and before the gradients are
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
        before, weights = self._before, None
        if before is not None:
            weights = self._flat_weights()
            grads = [None if p.grad is None else p.grad._data for p in self._parameters.values()]
            self._batch.end_step(self.steps_seen, before, weights, grads)
        self.steps_seen += 1
        if self.steps_seen % self.every == 0:
            self._arm(weights)
        elif before is not None:
            self._disarm()
        if self._batch.full():
            self._flush()

    def _flush(self) -> None:
        """Measure the steps captured and not yet measured, and append them to the recording."""
        batch = self._batch
        taken = len(batch.steps)
        if not taken:
            return
        try:
            self._append(measure(batch, self._layers, self._sizes, self.bins))
        except Unbinnable as error:
            # NOTE: the steps before the first one that cannot be binned are recorded; it and those after it are not
            (bad,) = error.rows
            del batch.steps[bad:], batch.before[bad:], batch.after[bad:]
            self._append(measure(batch, self._layers, self._sizes, self.bins))
            raise ValueError(str(error)) from None
        finally:
            batch.restart(taken)

    def _append(self, measured: list[Measured]) -> None:
        """Append the steps measured (those of the batch, in order) to the recording."""
        recorded = vars(self)
        for step, numbers in zip(self._batch.steps, measured):
            recorded["steps"].append(step)
            for name in self.layers:
                recorded["activations"][name].append(numbers.activations[name])
                recorded["gradients"][name].append(numbers.gradients[name])
                recorded["dead"][name].append(numbers.dead[name])
                recorded["saturated"][name].append(numbers.saturated[name])
            for name, norm, ratio in zip(self.parameters, numbers.grad_norm, numbers.update_ratio):
                recorded["grad_norm"][name].append(norm)
                recorded["update_ratio"][name].append(ratio)
            if self.writer is not None:
                self._log(step, numbers)

    def _log(self, step: int, numbers: Measured) -> None:
        """Write one step measured into the SummaryWriter, under TensorBoard-style tags."""
        for name in self.layers:
            for kind, h in (("activations", numbers.activations[name]), ("gradients", numbers.gradients[name])):
                if h is not None and h.num:
                    self.writer.add_histogram_raw(
                        f"{kind}/{name}", h.min, h.max, h.num, h.sum, h.sum_squares, h.edges[1:], h.counts, step
                    )
            for kind, share in (("dead", numbers.dead[name]), ("saturated", numbers.saturated[name])):
                self.writer.add_scalar(f"{kind}/{name}", share, step)
        for name, norm, ratio in zip(self.parameters, numbers.grad_norm, numbers.update_ratio):
            if norm is not None:
                self.writer.add_scalar(f"grad_norm/{name}", norm, step)
            self.writer.add_scalar(f"update_ratio/{name}", ratio, step)

    def close(self) -> None:
        """Measure the steps captured, then remove every hook (the model's and the optimiser's); a
        step armed but not taken is dropped. Leaving the ``with`` block calls it.

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
        self._flush()

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
