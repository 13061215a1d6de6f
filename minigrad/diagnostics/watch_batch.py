"""What :func:`minigrad.diagnostics.watch` measures, computed for many recorded steps at once.

A recorded step only captures arrays (:class:`StepCapture`): copies of each activation layer's
input, output and the gradient that reached the output, the gradients of the parameters, and the
weights before and after the step. :func:`measure` later turns the captures of up to a few dozen
steps into the recording's numbers with one pass of NumPy calls over all of them, so that the
per-call cost of Python and NumPy is paid once per batch of steps rather than once per step:

- the histograms of every layer and step: :func:`~minigrad.diagnostics.recording.histograms`,
  which bins them all with one ``np.bincount``;
- the dead and saturated shares: each layer's op is run once on the stacked inputs of all its
  steps, its own backward rule gives f'(x) at every entry (dy = 1), and
  :func:`minigrad.analysis.stats.unit_states` judges every (step, unit) pair as a unit;
- the gradient norms, one BLAS dot product per row of each parameter's stacked gradients (the
  same call ``np.dot`` makes, so the same number to the last bit);
- the update-to-data ratios of every parameter and step by one
  :func:`~minigrad.diagnostics.recording.update_ratios` over the stacked weights.

Each number is exactly the one computed from that step alone: every operation either acts on
each entry by itself or reduces each step's own entries in their own order.

>>> from minigrad.nn.activations import Tanh
>>> x = np.array([[[0.0, 30.0]], [[30.0, 30.0]]])        # two steps of one example, two units
>>> dead, saturated = unit_shares(Tanh(), x, np.tanh(x))
>>> dead.tolist(), saturated.tolist()
([0.0, 0.0], [0.5, 1.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minigrad.analysis import stats
from minigrad.autograd import Function, enable_grad
from minigrad.diagnostics.monitor import DEAD, SATURATED, _differentiate, _differentiate_node, _Tally
from minigrad.diagnostics.recording import Histogram, Unbinnable, histograms, update_ratios
from minigrad.nn.module import Module
from minigrad.tensor import Tensor


@dataclass
class StepCapture:
    """What one recorded step left to measure.

    ``inputs[layer]`` and ``outputs[layer]`` are copies of the layer's input and output (for a
    layer called once in the step); a layer called more than once, or whose op must be
    differentiated on the spot (see :meth:`Watch`), has instead a ``tallies[layer]`` fed at each
    call, and ``outputs[layer]`` its last output. ``grads[layer]`` is the last gradient that reached
    the layer's output; ``parameter_grads`` a copy of each parameter's gradient (None if it had
    none, in its memory order); ``before`` and ``after`` the flat copies of the weights around the step.
    """

    step: int
    before: np.ndarray
    after: np.ndarray = field(default_factory=lambda: np.empty(0))
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    grads: dict[str, np.ndarray] = field(default_factory=dict)
    tallies: dict[str, _Tally] = field(default_factory=dict)
    parameter_grads: list[np.ndarray | None] = field(default_factory=list)

    def arrays(self) -> tuple[dict[str, np.ndarray], ...]:
        """The layers' arrays copied: inputs, outputs and gradients."""
        return self.inputs, self.outputs, self.grads


@dataclass
class Measured:
    """The numbers of one recorded step, by layer and by parameter (the entries of a Recording)."""

    activations: dict[str, Histogram | None]
    gradients: dict[str, Histogram | None]
    dead: dict[str, float]
    saturated: dict[str, float]
    grad_norm: list[float | None]
    update_ratio: list[float]


def measure(captures: list[StepCapture], layers: dict[str, Module], sizes: np.ndarray, bins: int) -> list[Measured]:
    """The numbers of each captured step (in order); ``layers`` maps the names to the activation
    modules, ``sizes`` are the parameters' sizes in the flat weights.

    Raises :class:`~minigrad.diagnostics.recording.Unbinnable` naming the first step with an array
    it cannot bin (NaN or infinite values); its ``rows`` hold that step's position in ``captures``.

    Examples
    --------
    >>> from minigrad.nn.activations import ReLU
    >>> capture = StepCapture(0, before=np.array([1.0, 3.0]), after=np.array([1.0, 3.5]), parameter_grads=[None])
    >>> capture.inputs["1"] = capture.outputs["1"] = capture.grads["1"] = np.array([[0.0, 2.0]])
    >>> (got,) = measure([capture], {"1": ReLU()}, np.array([2]), bins=2)
    >>> got.activations["1"].counts.tolist(), got.dead["1"], got.grad_norm, round(got.update_ratio[0], 3)
    ([1, 1], 0.5, [None], -0.602)
    """
    rows = histogram_rows(captures, list(layers))
    by_size: dict[int, list[int]] = {}
    for k, values in enumerate(rows):
        by_size.setdefault(values.size, []).append(k)
    order = [k for group in by_size.values() for k in group]
    stacked = [np.stack([rows[k].ravel() for k in group], dtype=np.float64) for group in by_size.values()]
    try:
        made = histograms(stacked, bins)
    except Unbinnable as error:
        step, name, kind = _labels(captures, list(layers))[min(order[r] for r in error.rows)]
        raise Unbinnable(
            f"watch: the {kind} of layer {name!r} at step {captures[step].step}: {error}", [step]
        ) from None
    binned: list[Histogram | None] = [None] * len(rows)
    for k, histogram in zip(order, made):
        binned[k] = histogram
    shares = _shares(captures, layers)
    norms = _grad_norms(captures)
    ratios = _update_ratios(captures, sizes)
    measured, k = [], 0
    for s, capture in enumerate(captures):
        activations, gradients = {}, {}
        for name in layers:
            for kind, arrays in ((activations, capture.outputs), (gradients, capture.grads)):
                kind[name] = None
                if name in arrays:
                    kind[name], k = binned[k], k + 1
        dead = {name: shares[name][0][s] for name in layers}
        saturated = {name: shares[name][1][s] for name in layers}
        measured.append(Measured(activations, gradients, dead, saturated, norms[s], ratios[s]))
    return measured


def histogram_rows(captures: list[StepCapture], layers: list[str]) -> list[np.ndarray]:
    """The arrays :func:`measure` histograms, in its order: per step, per layer, the output then the
    gradient (each where there is one)."""
    return [arrays[name] for c in captures for name in layers for arrays in (c.outputs, c.grads) if name in arrays]


def _labels(captures: list[StepCapture], layers: list[str]) -> list[tuple[int, str, str]]:
    """(position of the step, layer, 'activations' or 'gradients') of each of :func:`histogram_rows`."""
    kinds = (("activations", "outputs"), ("gradients", "grads"))
    return [
        (s, name, kind)
        for s, c in enumerate(captures)
        for name in layers
        for kind, arrays in kinds
        if name in getattr(c, arrays)
    ]


def unit_shares(module: Module, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shares of an activation layer's units dead and saturated in each of S batches stacked on
    a new first axis (``x`` its inputs, ``y`` its outputs): ActivationMonitor's measure of each batch
    alone, from one run of the layer's op on all of them.

    Examples
    --------
    >>> from minigrad.nn.activations import ReLU
    >>> x = np.array([[[-1.0, 2.0], [-3.0, 0.5]], [[1.0, 2.0], [-3.0, 0.5]]])   # 2 steps, 2 examples
    >>> [share.tolist() for share in unit_shares(ReLU(), x, np.maximum(x, 0.0))]
    [[0.5, 0.0], [0.0, 0.0]]
    """
    op, local = derivative(module, x)
    steps = len(x)

    def per_step_units(a: np.ndarray) -> np.ndarray:
        # NOTE: (S, N, C, ...) -> (N, S*C, ...): each (step, unit) pair is a unit of its own
        a = np.moveaxis(a, 0, 1)
        return a.reshape(a.shape[0], -1, *a.shape[3:])

    states = stats.unit_states(op, per_step_units(y), per_step_units(local))
    if states is None:  # outside both families: never dead, never saturated
        return np.zeros(steps), np.zeros(steps)
    states = states.reshape(steps, -1)
    return np.mean(states == DEAD, axis=1), np.mean(states == SATURATED, axis=1)


def derivative(module: Module, x: np.ndarray) -> tuple[type[Function], np.ndarray]:
    """The op an activation module runs and f'(x) at every entry of ``x``, by that op's own backward
    rule (dy = 1) on one node made by running the module on ``x``.

    Examples
    --------
    >>> from minigrad.nn.activations import Tanh
    >>> derivative(Tanh(), np.array([0.0, 1.0]))
    (<class 'minigrad.ops.sigmoid_family.Tanh'>, array([1.        , 0.41997434]))
    """
    leaf = Tensor(x, requires_grad=True)
    with enable_grad():
        y = module.forward(leaf)
    return _differentiate_node(leaf, y) or _differentiate(module, leaf)


def _shares(captures: list[StepCapture], layers: dict[str, Module]) -> dict[str, tuple[list[float], list[float]]]:
    """Per layer, the dead and the saturated share at each step (NaN where it was not called)."""
    shares = {}
    for name, module in layers.items():
        dead, saturated = [np.nan] * len(captures), [np.nan] * len(captures)
        by_kind: dict[tuple[Any, ...], list[int]] = {}
        for s, capture in enumerate(captures):
            tally = capture.tallies.get(name)
            if tally is not None and tally.examples:
                stats_ = tally.result(name)
                dead[s], saturated[s] = stats_.dead_fraction, stats_.saturated_fraction
            elif name in capture.inputs:
                x = capture.inputs[name]
                by_kind.setdefault((x.shape, x.dtype, capture.outputs[name].dtype), []).append(s)
        for steps in by_kind.values():
            x = np.stack([captures[s].inputs[name] for s in steps])
            y = np.stack([captures[s].outputs[name] for s in steps])
            for s, d, t in zip(steps, *(share.tolist() for share in unit_shares(module, x, y))):
                dead[s], saturated[s] = d, t
        shares[name] = (dead, saturated)
    return shares


def _grad_norms(captures: list[StepCapture]) -> list[list[float | None]]:
    """Per step, each parameter's gradient norm sqrt(g . g) (None where it had no gradient)."""
    norms: list[list[float | None]] = [[None] * len(c.parameter_grads) for c in captures]
    count = len(captures[0].parameter_grads) if captures else 0
    for p in range(count):
        by_kind: dict[tuple[Any, ...], list[int]] = {}
        for s, capture in enumerate(captures):
            g = capture.parameter_grads[p]
            if g is not None:
                by_kind.setdefault((g.size, g.dtype), []).append(s)
        for steps in by_kind.values():
            g = np.stack([captures[s].parameter_grads[p].ravel(order="K") for s in steps])  # type: ignore[union-attr]
            # NOTE: each row's dot product by the BLAS call np.dot makes: the same number to the last bit
            for s, norm in zip(steps, np.sqrt(np.matmul(g[:, None, :], g[:, :, None]).ravel()).tolist()):
                norms[s][p] = norm
    return norms


def _update_ratios(captures: list[StepCapture], sizes: np.ndarray) -> list[list[float]]:
    """Per step, each parameter's update-to-data ratio, all computed by one :func:`update_ratios`."""
    if not captures:
        return []
    before = np.concatenate([c.before for c in captures])
    after = np.concatenate([c.after for c in captures])
    ratios = update_ratios(before, after, np.tile(sizes, len(captures)))
    return ratios.reshape(len(captures), len(sizes)).tolist()
