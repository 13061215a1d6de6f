"""What :func:`minigrad.diagnostics.watch` keeps: per recorded step, per layer, a histogram of
the activations and of their gradients, the shares of dead and saturated units, and per
parameter its gradient's norm and the update-to-data ratio.

A :class:`Histogram` holds a fixed number of bins (counts and edges) and the moments TensorBoard
shows (min, max, count, sum, sum of squares), never the values: a recording's memory grows by a
few hundred bytes per layer and recorded step, however large the layers are.

The update-to-data ratio of a parameter ``p`` at a step is ``log10(std(p_after - p_before) /
std(p_before))``: how far the step moved the weights, relative to their spread. About -3 is
healthy; far below, the layer has stopped learning; far above, the step is too large.

>>> h = Histogram.of(np.array([0.0, 0.0, 1.0, 3.0]), bins=3)
>>> h.counts.tolist(), h.edges.tolist(), h.zero_fraction, h.mean
([2, 1, 1], [0.0, 1.0, 2.0, 3.0], 0.5, 1.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# NOTE: histograms() works on about this many values at a time (64 KiB of float64): its temporary
# arrays, a few alive at once, stay within what malloc reuses from its free lists; larger ones are
# new memory on each call, paid in page faults (measured: ~25 a recorded W1 step, ~60 us)
CHUNK_VALUES = 1 << 13

# NOTE: the band drawn as healthy: an update of 1/10,000 to 1/100 of the weights' spread per step.
HEALTHY_RATIO = (-4.0, -2.0)


@dataclass(frozen=True)
class Histogram:
    """``counts[i]`` values fell in ``[edges[i], edges[i+1])`` (the last bin closed), plus the moments.

    Examples
    --------
    >>> h = Histogram.of(np.array([-1.0, 1.0]), bins=2)
    >>> h.num, h.min, h.max, h.std
    (2, -1.0, 1.0, 1.0)
    """

    edges: np.ndarray
    counts: np.ndarray
    min: float
    max: float
    num: int
    sum: float
    sum_squares: float
    zeros: int

    @classmethod
    def of(cls, values: np.ndarray, bins: int) -> Histogram:
        """Bin ``values`` into ``bins`` equal bins between their min and max (one bin around a
        constant); NaN and infinities are refused.

        Examples
        --------
        >>> Histogram.of(np.full(3, 2.0), bins=2).edges.tolist()
        [1.5, 2.0, 2.5]
        """
        return histograms([np.asarray(values, dtype=np.float64).reshape(1, -1)], bins)[0]

    @property
    def mean(self) -> float:
        """The mean of the values binned (NaN if none)."""
        return self.sum / self.num if self.num else math.nan

    @property
    def std(self) -> float:
        """Their standard deviation (population, as NumPy's default; NaN if none)."""
        return math.sqrt(max(self.sum_squares / self.num - self.mean**2, 0.0)) if self.num else math.nan

    @property
    def zero_fraction(self) -> float:
        """The share of values exactly 0 (a dead ReLU layer's output is all zeros)."""
        return self.zeros / self.num if self.num else math.nan


class Unbinnable(ValueError):
    """Raised by :func:`histograms` for rows it cannot bin (a NaN or an infinity among the values,
    or a constant too large to widen by 0.5); ``rows`` are their positions over all groups, in order.

    Examples
    --------
    >>> try:
    ...     histograms([np.array([[1.0, 2.0], [np.nan, 0.0]])], bins=2)
    ... except Unbinnable as error:
    ...     print(error, error.rows)
    Histogram.of: values must be finite, got min nan, max nan [1]
    """

    def __init__(self, message: str, rows: list[int]) -> None:
        super().__init__(message)
        self.rows = rows


def histograms(groups: list[np.ndarray], bins: int) -> list[Histogram]:
    """:meth:`Histogram.of` each row of each 2-D array of ``groups`` (the rows of one array have one
    length, the arrays may differ), the same Histograms, computed together.

    Every value's bin is found as ``np.histogram`` finds it, for all rows at once: the index
    ``floor((v - low) / (high - low) * bins)``, then one step back where ``v`` is below that bin's
    lower edge or forward where it reaches the next edge (rounding; the last bin is closed), and
    the counts of every bin of the rows of a chunk are one ``np.bincount`` of those indices, each
    row's offset by its place in the chunk's table of edges. Rows holding NaN or infinities, or a
    constant too large to widen, raise :class:`Unbinnable`.

    Examples
    --------
    >>> pair = histograms([np.array([[0.0, 1.0, 3.0], [2.0, 2.0, 2.0]]), np.array([[5.0]])], bins=2)
    >>> [(h.counts.tolist(), h.edges.tolist()) for h in pair]
    [([2, 1], [0.0, 1.5, 3.0]), ([0, 3], [1.5, 2.0, 2.5]), ([0, 1], [4.5, 5.0, 5.5])]
    """
    groups = [np.asarray(values, dtype=np.float64) for values in groups]
    extremes = [(v.min(axis=1), v.max(axis=1)) if v.shape[1] else (np.zeros(len(v)),) * 2 for v in groups]
    smallest, largest = (np.concatenate(side) for side in zip(*extremes)) if groups else (np.empty(0),) * 2
    finite = np.isfinite(smallest) & np.isfinite(largest)
    if not finite.all():
        rows = np.flatnonzero(~finite).tolist()
        raise Unbinnable(
            f"Histogram.of: values must be finite, got min {smallest[rows[0]]}, max {largest[rows[0]]}", rows
        )
    # NOTE: a constant (a dead layer's zeros) is centred in bins spanning 1, as np.histogram does
    spread = largest > smallest
    low, high = np.where(spread, smallest, smallest - 0.5), np.where(spread, largest, largest + 0.5)
    width = high - low
    if not width.all():  # np.histogram refuses these too
        rows = np.flatnonzero(width == 0).tolist()
        raise Unbinnable(
            f"Histogram.of: the constant {smallest[rows[0]]} is too large to centre in bins spanning 1"
            " (it is its own value plus or minus 0.5)",
            rows,
        )
    edges = np.arange(bins + 1) * (width / bins)[:, None] + low[:, None]  # np.linspace's arithmetic
    edges[:, -1] = high
    # NOTE: the upper edges with the last one at +inf: a value on a row's maximum stays in its last bin
    closed = edges.copy()
    closed[:, -1] = np.inf
    counts = np.empty(edges.shape, dtype=np.int64)
    sums, squares, zeros = np.empty(len(low)), np.empty(len(low)), np.empty(len(low), dtype=np.intp)
    first = 0
    for values in groups:
        n = values.shape[1]
        # NOTE: a few rows at a time, so that every temporary array stays under CHUNK_VALUES
        step = max(1, CHUNK_VALUES // max(n, 1))
        for start in range(0, len(values), step):
            chunk = values[start : start + step]
            rows = slice(first + start, first + start + len(chunk))
            index = _estimate_bins(chunk, low[rows, None], width[rows, None], bins)
            index += (np.arange(len(chunk)) * (bins + 1))[:, None]  # into the chunk's table of edges
            # NOTE: np.histogram steps back, then forward from there; both tests can read the first
            # guess, as v < edges[k] and v >= edges[k + 1] never both hold (the edges never decrease)
            below = chunk < np.take(edges[rows].ravel(), index)
            above = chunk >= np.take(closed[rows].ravel()[1:], index)
            index += above.view(np.int8) - below.view(np.int8)
            counts[rows] = np.bincount(index.ravel(), minlength=counts[rows].size).reshape(len(chunk), -1)
            sums[rows] = chunk.sum(axis=1)
            squares[rows] = np.matmul(chunk[:, None, :], chunk[:, :, None]).ravel()  # each row's np.dot: one BLAS call
            zeros[rows] = (chunk == 0).sum(axis=1)
        first += len(values)
    nums = [n for values in groups for n in [values.shape[1]] * len(values)]
    rows_ = zip(
        edges,
        counts[:, :bins],
        smallest.tolist(),
        largest.tolist(),
        nums,
        sums.tolist(),
        squares.tolist(),
        zeros.tolist(),
    )
    return [Histogram(*row) for row in rows_]


def _estimate_bins(values: np.ndarray, low: np.ndarray, width: np.ndarray, bins: int) -> np.ndarray:
    """np.histogram's first guess of each value's bin, floor((v - low) / width * bins), at most bins - 1
    (by its arithmetic, in place on one temporary array)."""
    guess = values - low
    guess /= width
    guess *= bins
    index = guess.astype(np.intp)
    return np.minimum(index, bins - 1, out=index)


def update_ratio(before: np.ndarray, after: np.ndarray) -> float:
    """log10(std(after - before) / std(before)): -inf if the step left the values unchanged, NaN
    if ``before`` has no spread (a single number, or all equal, as a bias at its zero start).

    Examples
    --------
    >>> before = np.array([1.0, -1.0])
    >>> round(update_ratio(before, before * 1.001), 6), update_ratio(before, before)
    (-3.0, -inf)
    """
    before, after = np.ravel(before), np.ravel(after)
    return float(update_ratios(before, after, np.array([before.size]))[0])


def update_ratios(before: np.ndarray, after: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """:func:`update_ratio` of many parameters at once: parameter ``k`` is the ``sizes[k]``
    entries of the flat arrays ``before`` and ``after`` that follow parameter ``k - 1``'s.

    For each segment s of n_s values v, std_s(v) = sqrt(sum_{i in s} (v_i - m_s)^2 / n_s) with
    m_s = sum_{i in s} v_i / n_s (centred first, so exact for values far from 0), computed for
    every segment by the same dozen NumPy calls (``np.add.reduceat``), however many there are.
    An empty parameter has the ratio NaN.

    Examples
    --------
    >>> before = np.array([1.0, -1.0, 5.0, 2.0, 2.0])                # sizes 2, 1, 2
    >>> update_ratios(before, before * 1.01, np.array([2, 1, 2]))    # a single number or a constant has no spread
    array([-2., nan, nan])
    """
    ratios = np.full(len(sizes), np.nan)
    filled = sizes > 0
    if before.size:
        counts = sizes[filled]
        starts = np.cumsum(sizes)[filled] - counts
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = _segment_std(before, starts, counts)
            change = _segment_std(after - before, starts, counts)
            ratios[filled] = np.where(spread == 0.0, np.nan, np.log10(change / spread))
    return ratios


def _segment_std(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The population standard deviation of each segment ``values[starts[k]:starts[k] + counts[k]]``
    (the segments adjacent, covering ``values``)."""
    means = np.add.reduceat(values, starts) / counts
    centred = values - np.repeat(means, counts)
    return np.sqrt(np.add.reduceat(centred * centred, starts) / counts)


@dataclass(repr=False, eq=False)
class Recording:
    """Everything recorded, by name, one entry per recorded step (the steps are in ``steps``).

    ``activations[layer]`` and ``gradients[layer]`` are Histograms (None where the layer had no
    forward, or no gradient reached it); ``dead[layer]`` and ``saturated[layer]`` the shares of
    units dead or saturated on every example of the step (ActivationMonitor's measure; NaN where
    the layer had no forward, or a batch of no example);
    ``grad_norm[parameter]`` the 2-norm of its gradient (None if it had none) and
    ``update_ratio[parameter]`` as :func:`update_ratio`; ``shapes[parameter]`` its shape. Steps
    count the optimiser's steps from 0.

    Examples
    --------
    >>> recording = Recording(every=1, layers=["1"], parameters=["0.weight"])
    >>> recording.steps, recording.index(0)
    Traceback (most recent call last):
    ValueError: Recording.index: step 0 was not recorded; the steps recorded are []
    """

    every: int
    layers: list[str]
    parameters: list[str]
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    steps: list[int] = field(default_factory=list)
    activations: dict[str, list[Histogram | None]] = field(default_factory=dict)
    gradients: dict[str, list[Histogram | None]] = field(default_factory=dict)
    dead: dict[str, list[float]] = field(default_factory=dict)
    saturated: dict[str, list[float]] = field(default_factory=dict)
    grad_norm: dict[str, list[float | None]] = field(default_factory=dict)
    update_ratio: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.layers:
            for histograms in (self.activations, self.gradients):
                histograms.setdefault(name, [])
            for shares in (self.dead, self.saturated):
                shares.setdefault(name, [])
        for name in self.parameters:
            self.grad_norm.setdefault(name, [])
            self.update_ratio.setdefault(name, [])

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(every={self.every}, steps recorded: {len(self.steps)},"
            f" layers={self.layers}, parameters={self.parameters})"
        )

    def index(self, step: int) -> int:
        """The position of ``step`` in the lists (a ValueError naming the steps if not recorded).

        Examples
        --------
        >>> recording = Recording(every=5, layers=[], parameters=[], steps=[0, 5, 10])
        >>> recording.index(10)
        2
        """
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step not in self.steps:
            shown = self.steps if len(self.steps) <= 10 else [*self.steps[:5], "...", *self.steps[-3:]]
            raise ValueError(
                f"Recording.index: step {step!r} was not recorded; the steps recorded are {shown}".replace(
                    "'...'", "..."
                )
            )
        return self.steps.index(int(step))

    def weights(self) -> list[str]:
        """The parameters with at least two dimensions (the layers' weight matrices and kernels),
        whose ratios the chart shows; biases and norms' scales are left to the tables.

        Examples
        --------
        >>> shapes = {"0.weight": (2, 3), "0.bias": (2,)}
        >>> Recording(every=1, layers=[], parameters=list(shapes), shapes=shapes).weights()
        ['0.weight']
        """
        return [name for name in self.parameters if len(self.shapes.get(name, ())) >= 2]

    def plot(self, steps: Any = None) -> Any:
        """One matplotlib Figure of the recording: the update-to-data ratios, the dead and saturated
        shares over the steps, and the histograms at ``steps`` (default: the first and the last).
        See :func:`minigrad.diagnostics.watch_plots.plot_recording`.

        Examples
        --------
        >>> from minigrad.diagnostics import watch
        >>> model = nn.MLP([2, 8, 2], rng=0)
        >>> opt = optim.SGD(model.parameters(), lr=0.1)
        >>> with watch(model, optimizer=opt) as recording:
        ...     for _ in range(3):
        ...         opt.zero_grad(); model(Tensor(np.ones((4, 2)))).sum().backward(); opt.step()
        >>> type(recording.plot()).__name__
        'Figure'
        """
        from minigrad.diagnostics.watch_plots import plot_recording

        return plot_recording(self, steps)

    def _repr_png_(self) -> bytes:
        """The :meth:`plot` figure as PNG bytes: a notebook shows a recording inline."""
        import io

        buffer = io.BytesIO()
        self.plot().savefig(buffer, format="png", dpi=80)
        return buffer.getvalue()
