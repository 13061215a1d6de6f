"""What :func:`minigrad.diagnostics.watch` measures, computed for many recorded steps at once.

A recorded step only copies arrays into a :class:`Batch`: each activation layer's input, output
and the gradient that reached the output, each parameter's gradient, and the weights before and
after the step. :func:`measure` later turns a batch of up to a few dozen steps into the
recording's numbers with one pass of NumPy calls over all of them, so that the per-call cost of
Python and NumPy is paid once per batch rather than once per step:

- the histograms of every layer and step: :func:`~minigrad.diagnostics.recording.histograms`,
  which bins them all with one ``np.bincount``;
- the dead and saturated shares: each layer's op is run once on the stacked inputs of all its
  steps, its own backward rule gives f'(x) at every entry (dy = 1), and
  :func:`minigrad.analysis.stats.unit_states` judges every (step, unit) pair as a unit;
- the gradient norms, one BLAS dot product per row of each parameter's stacked gradients (the
  call ``np.dot`` makes, so the same number to the last bit);
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

from dataclasses import dataclass

import numpy as np

from minigrad.analysis import stats
from minigrad.autograd import Function, enable_grad
from minigrad.diagnostics.monitor import DEAD, SATURATED, _differentiate, _differentiate_node, _Tally
from minigrad.diagnostics.recording import CHUNK_VALUES, Histogram, Unbinnable, histograms, update_ratios
from minigrad.diagnostics.watch_rows import Column
from minigrad.nn.module import Module
from minigrad.tensor import Tensor

# NOTE: the steps a batch holds at most
COLUMN_STEPS = 32


@dataclass
class Measured:
    """The numbers of one recorded step, by layer and by parameter (the entries of a Recording).

    Examples
    --------
    >>> Measured({"1": None}, {"1": None}, {"1": 0.5}, {"1": 0.0}, [None], [-3.0]).dead
    {'1': 0.5}
    """

    activations: dict[str, Histogram | None]
    gradients: dict[str, Histogram | None]
    dead: dict[str, float]
    saturated: dict[str, float]
    grad_norm: list[float | None]
    update_ratio: list[float]


class Batch:
    """The captures of the recorded steps not yet measured.

    ``steps`` are their numbers; the step being recorded has the position ``len(steps)`` until
    :meth:`end_step`. Per layer: :class:`Column` s of ``inputs`` and ``outputs`` (of the steps
    where it was called once), ``grads`` (the last gradient that reached its output), and
    ``tallies`` (position -> the ActivationMonitor tally of a step where it was called more than
    once, or differentiated on the spot); per parameter a column of its gradients (in its memory
    order); ``before`` and ``after`` the flat copies of the weights around each step.

    Examples
    --------
    >>> batch = Batch(["1"], 1)
    >>> batch.outputs["1"].put(0, np.ones((2, 3)))
    >>> batch.end_step(7, np.zeros(1), np.ones(1), [None])
    >>> batch.steps, len(batch)
    ([7], 1)
    """

    def __init__(self, layers: list[str], parameters: int) -> None:
        self.steps: list[int] = []
        self.before: list[np.ndarray] = []
        self.after: list[np.ndarray] = []
        self.inputs = {name: Column(COLUMN_STEPS) for name in layers}
        self.outputs = {name: Column(COLUMN_STEPS) for name in layers}
        self.grads = {name: Column(COLUMN_STEPS) for name in layers}
        self.tallies: dict[str, dict[int, _Tally]] = {name: {} for name in layers}
        self.parameter_grads = [Column(COLUMN_STEPS) for _ in range(parameters)]
        self.capacity = COLUMN_STEPS

    def __len__(self) -> int:
        return len(self.steps)

    def columns(self) -> list[Column]:
        """Every column: the layers' inputs, outputs and gradients, then the parameters' gradients.

        Examples
        --------
        >>> len(Batch(["1", "3"], 4).columns())
        10
        """
        return [*self.inputs.values(), *self.outputs.values(), *self.grads.values(), *self.parameter_grads]

    def end_step(self, step: int, before: np.ndarray, after: np.ndarray, grads: list[np.ndarray | None]) -> None:
        """Close the step being recorded: its number, the weights around it, its parameters' gradients.

        Examples
        --------
        >>> batch = Batch([], 2)
        >>> batch.end_step(4, np.zeros(3), np.ones(3), [np.ones((1, 2)), None])
        >>> batch.steps, batch.parameter_grads[0].get(0), batch.parameter_grads[1].get(0)
        ([4], array([1., 1.]), None)
        """
        position = len(self.steps)
        for column, grad in zip(self.parameter_grads, grads):
            if grad is not None:
                column.put(position, grad.ravel(order="K"))
        self.steps.append(step)
        self.before.append(before)
        self.after.append(after)

    def full(self) -> bool:
        """Whether the batch is to be measured before the next step: it has as many steps as the
        columns its first step filled have rows (a column first filled later may put some aside).

        Examples
        --------
        >>> batch = Batch([], 1)
        >>> batch.end_step(0, np.zeros(1), np.zeros(1), [np.zeros(2**20 // 8)])  # one row of 1 MiB: a column's most
        >>> batch.full()
        True
        """
        if len(self.steps) == 1:
            self.capacity = min([c.capacity for c in self.columns() if c.positions], default=COLUMN_STEPS)
        return len(self.steps) >= self.capacity

    def restart(self, keep: int) -> None:
        """Forget the steps measured; what the step being recorded, at position ``keep``, captured so
        far stays, at position 0.

        Examples
        --------
        >>> batch = Batch(["1"], 0)
        >>> batch.end_step(0, np.zeros(0), np.zeros(0), [])
        >>> batch.outputs["1"].put(1, np.ones(2))          # step 1 is being recorded
        >>> batch.restart(1)
        >>> batch.steps, batch.outputs["1"].positions
        ([], [0])
        """
        self.steps, self.before, self.after = [], [], []
        for column in self.columns():
            column.restart(keep)
        for tallies in self.tallies.values():
            kept = tallies.pop(keep, None)
            tallies.clear()
            if kept is not None:
                tallies[0] = kept


def measure(batch: Batch, layers: dict[str, Module], sizes: np.ndarray, bins: int) -> list[Measured]:
    """The numbers of each step of ``batch`` (in order); ``layers`` maps the names to the activation
    modules, ``sizes`` are the parameters' sizes in the flat weights.

    Raises :class:`~minigrad.diagnostics.recording.Unbinnable` naming the first step with an array
    it cannot bin (NaN or infinite values); its ``rows`` hold that step's position in the batch.

    Examples
    --------
    >>> from minigrad.nn.activations import ReLU
    >>> batch = Batch(["1"], 1)
    >>> for column in (batch.inputs["1"], batch.outputs["1"], batch.grads["1"]):
    ...     column.put(0, np.array([[0.0, 2.0]]))
    >>> batch.end_step(0, np.array([1.0, 3.0]), np.array([1.0, 3.5]), [None])
    >>> (got,) = measure(batch, {"1": ReLU()}, np.array([2]), bins=2)
    >>> got.activations["1"].counts.tolist(), got.dead["1"], got.grad_norm, round(got.update_ratio[0], 3)
    ([1, 1], 0.5, [None], -0.602)
    """
    steps = len(batch)
    binned = _histograms(batch, list(layers), bins)
    measured = []
    shares = {name: _shares(batch, name, module) for name, module in layers.items()}
    norms = _grad_norms(batch)
    ratios = _update_ratios(batch, sizes)
    for s in range(steps):
        measured.append(
            Measured(
                {name: binned.get(("activations", name, s)) for name in layers},
                {name: binned.get(("gradients", name, s)) for name in layers},
                {name: shares[name][0][s] for name in layers},
                {name: shares[name][1][s] for name in layers},
                norms[s],
                ratios[s],
            )
        )
    return measured


def _histograms(batch: Batch, layers: list[str], bins: int) -> dict[tuple[str, str, int], Histogram]:
    """(kind, layer, position) -> the Histogram of that array; all binned by one :func:`histograms`."""
    steps = len(batch)
    groups, labels = [], []
    for name in layers:
        for kind, column in (("activations", batch.outputs[name]), ("gradients", batch.grads[name])):
            kept = [s for s in column.positions if s < steps]
            if kept:
                rows = column.stacked()[: len(kept)]
                groups.append(rows.reshape(len(kept), -1))
                labels += [(kind, name, s) for s in kept]
            for s, array in column.aside.items():
                if s < steps:
                    groups.append(array.reshape(1, -1))
                    labels.append((kind, name, s))
    try:
        made = histograms(groups, bins)
    except Unbinnable as error:
        kind, name, s = min((labels[r] for r in error.rows), key=lambda label: label[2])
        raise Unbinnable(f"watch: the {kind} of layer {name!r} at step {batch.steps[s]}: {error}", [s]) from None
    return dict(zip(labels, made))


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
    steps = len(x)
    if not x[0].size:  # NOTE: batches of no example: no share, as in a step where the layer was not called
        return np.full(steps, np.nan), np.full(steps, np.nan)
    op, local = derivative(module, x)

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


def _shares(batch: Batch, name: str, module: Module) -> tuple[list[float], list[float]]:
    """One layer's dead and saturated share at each step (NaN where it was not called)."""
    steps = len(batch)
    dead, saturated = [np.nan] * steps, [np.nan] * steps
    for s, tally in batch.tallies[name].items():
        if s < steps and tally.examples:
            result = tally.result(name)
            dead[s], saturated[s] = result.dead_fraction, result.saturated_fraction
    inputs, outputs = batch.inputs[name], batch.outputs[name]
    kept = [s for s in inputs.positions if s < steps]
    together: list[tuple[list[int], np.ndarray, np.ndarray]] = []
    if kept:
        x = inputs.stacked()[: len(kept)]
        if outputs.positions[: len(kept)] == kept:
            y = outputs.stacked()[: len(kept)]
        else:
            y = np.stack([outputs.at(s) for s in kept])
        if y.shape == x.shape and y.dtype == x.dtype:
            together.append((kept, x, y))
        else:
            together += [([s], x[k : k + 1], y[k : k + 1]) for k, s in enumerate(kept)]
    together += [([s], x[None], outputs.at(s)[None]) for s, x in inputs.aside.items() if s < steps]
    for positions, x, y in together:
        # NOTE: a few steps at a time, so that the op's arrays stay small (see recording.CHUNK_VALUES)
        step = max(1, CHUNK_VALUES // max(x[0].size, 1))
        for start in range(0, len(positions), step):
            shares = unit_shares(module, x[start : start + step], y[start : start + step])
            for s, d, t in zip(positions[start : start + step], *(share.tolist() for share in shares)):
                dead[s], saturated[s] = d, t
    return dead, saturated


def _grad_norms(batch: Batch) -> list[list[float | None]]:
    """Per step, each parameter's gradient norm sqrt(g . g) (None where it had no gradient)."""
    steps = len(batch)
    norms: list[list[float | None]] = [[None] * len(batch.parameter_grads) for _ in range(steps)]
    for p, column in enumerate(batch.parameter_grads):
        kept = [s for s in column.positions if s < steps]
        rows = [(kept, column.stacked()[: len(kept)])] if kept else []
        rows += [([s], g[None]) for s, g in column.aside.items() if s < steps]
        for positions, g in rows:
            # NOTE: each row's dot product by the BLAS call np.dot makes: the same number to the last bit
            for s, norm in zip(positions, np.sqrt(np.matmul(g[:, None, :], g[:, :, None]).ravel()).tolist()):
                norms[s][p] = norm
    return norms


def _update_ratios(batch: Batch, sizes: np.ndarray) -> list[list[float]]:
    """Per step, each parameter's update-to-data ratio, all computed by one :func:`update_ratios`."""
    steps = len(batch)
    if not steps:
        return []
    before, after = np.concatenate(batch.before), np.concatenate(batch.after)
    ratios = update_ratios(before, after, np.tile(sizes, steps))
    return ratios.reshape(steps, len(sizes)).tolist()
