"""The rows :func:`minigrad.diagnostics.watch` copies a recorded step's arrays into: a
:class:`Column` per kind of array, kept from batch to batch (see watch_batch.py).
"""

from __future__ import annotations

import numpy as np

# NOTE: the rows a column keeps: at most this many bytes (and at most its ``steps``)
COLUMN_BYTES = 1 << 20


class Column:
    """The arrays of one kind (one layer's inputs, say) captured over the steps of a batch, each
    tagged with the position of its step in the batch.

    They are copied into the rows of one array that is kept from batch to batch, so that once it
    is allocated a recorded step takes no new memory; an array of another shape or dtype than the
    rows' (a smaller last batch of an epoch), or beyond their ``capacity`` (at most ``steps`` rows
    of at most 1 MiB in all), is kept aside instead.

    Examples
    --------
    >>> column = Column(32)
    >>> column.put(0, np.zeros(3)); column.put(1, np.ones(3)); column.put(2, np.ones(2))
    >>> column.stacked().tolist(), column.positions, list(column.aside)
    ([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]], [0, 1], [2])
    """

    def __init__(self, steps: int) -> None:
        self.steps = steps  # at most this many rows
        self.rows: np.ndarray | None = None
        self.shape: tuple[int, ...] = ()  # of each row
        self.capacity = 0
        self.positions: list[int] = []
        self.aside: dict[int, np.ndarray] = {}

    def put(self, position: int, array: np.ndarray) -> None:
        """Keep (a copy of) ``array`` as the one of the step at ``position``, replacing one kept for
        that step before.

        Examples
        --------
        >>> column = Column(32)
        >>> column.put(0, np.zeros(2)); column.put(0, np.ones(2))
        >>> column.stacked().tolist()
        [[1.0, 1.0]]
        """
        self.drop(position)
        rows, count = self.rows, len(self.positions)
        if rows is not None and count < self.capacity and array.shape == self.shape and array.dtype == rows.dtype:
            rows[count] = array
            self.positions.append(position)
        elif count:  # rows in use, for arrays of another shape, or all of them
            self.aside[position] = array.copy()
        else:  # no row in use: rows for arrays like this one
            self.shape, self.capacity = array.shape, max(1, min(self.steps, COLUMN_BYTES // max(array.nbytes, 1)))
            self.rows = np.empty((self.capacity, *array.shape), array.dtype)
            self.put(position, array)

    def drop(self, position: int) -> None:
        """Forget the array of the step at ``position`` (the last one put), if any.

        Examples
        --------
        >>> column = Column(32)
        >>> column.put(0, np.zeros(2)); column.drop(0)
        >>> column.positions, column.get(0)
        ([], None)
        """
        if self.positions and self.positions[-1] == position:
            self.positions.pop()
        if self.aside:
            self.aside.pop(position, None)

    def get(self, position: int) -> np.ndarray | None:
        """The array of the step at ``position`` (None if there is none).

        Examples
        --------
        >>> column = Column(32)
        >>> column.put(3, np.arange(2.0))
        >>> column.get(3), column.get(4)
        (array([0., 1.]), None)
        """
        if position in self.aside:
            return self.aside[position]
        if position in self.positions:
            assert self.rows is not None
            return self.rows[self.positions.index(position)]
        return None

    def at(self, position: int) -> np.ndarray:
        """The array of the step at ``position`` (a KeyError if there is none).

        Examples
        --------
        >>> Column(32).at(0)
        Traceback (most recent call last):
        KeyError: 0
        """
        array = self.get(position)
        if array is None:
            raise KeyError(position)
        return array

    def stacked(self) -> np.ndarray:
        """The rows in use, one per position of :attr:`positions` (a view of the kept array).

        Examples
        --------
        >>> column = Column(32)
        >>> column.put(0, np.zeros((2, 3))); column.put(1, np.ones((2, 3)))
        >>> column.stacked().shape
        (2, 2, 3)
        """
        return np.empty(0) if self.rows is None else self.rows[: len(self.positions)]

    def restart(self, keep: int) -> None:
        """Forget every array but the one of the step at ``keep``, which becomes position 0.

        Examples
        --------
        >>> column = Column(32)
        >>> column.put(0, np.zeros(2)); column.put(1, np.ones(2)); column.restart(1)
        >>> column.positions, column.get(0)
        ([0], array([1., 1.]))
        """
        kept = self.get(keep)
        self.positions, self.aside = [], {}
        if kept is not None:
            self.put(0, kept.copy())
