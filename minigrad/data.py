"""Small synthetic datasets made with NumPy, scikit-learn's 8x8 digits, and a batch iterator.

Nothing is ever downloaded. Every synthetic set takes ``rng``: a ``numpy.random.Generator``, or an int seed (the same seed gives
the same data), or None for the default generator (:func:`minigrad.manual_seed`). Classification sets return ``X`` of shape (n, 2)
(float64) and integer labels ``y`` of shape (n,); :func:`load_digits` returns images.

>>> X, y = make_moons(100, noise=0.1, rng=0)
>>> X.shape, y.shape, sorted(set(y.tolist()))
((100, 2), (100,), [0, 1])
"""

from __future__ import annotations

import gzip
import importlib.util
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from minigrad.arguments import check_rng
from minigrad.tensor import Tensor


def _split(n_samples: int, n_classes: int) -> list[int]:
    """How many samples each class gets: as even as possible, the first classes one more."""
    return [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]


def make_moons(
    n_samples: int = 100, noise: float = 0.1, rng: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (class 0 on top, class 1 below, shifted), as scikit-learn's.

    Examples
    --------
    >>> X, y = make_moons(4, noise=0.0)
    >>> X.round(2).tolist(), y.tolist()
    ([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [2.0, 0.5]], [0, 0, 1, 1])
    """
    rng = check_rng("make_moons", rng)
    n0, n1 = _split(n_samples, 2)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], 1), np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], 1)])
    y = np.repeat([0, 1], [n0, n1])
    return X + noise * rng.standard_normal(X.shape), y


def make_circles(
    n_samples: int = 100, noise: float = 0.05, factor: float = 0.5, rng: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A circle of radius ``factor`` (class 1) inside one of radius 1 (class 0).

    Examples
    --------
    >>> X, y = make_circles(10, noise=0.0)
    >>> np.hypot(X[:, 0], X[:, 1]).round(2).tolist(), y.tolist()
    ([1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    """
    rng = check_rng("make_circles", rng)
    n0, n1 = _split(n_samples, 2)
    t0, t1 = (np.linspace(0, 2 * np.pi, n, endpoint=False) for n in (n0, n1))
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], 1), factor * np.stack([np.cos(t1), np.sin(t1)], 1)])
    y = np.repeat([0, 1], [n0, n1])
    return X + noise * rng.standard_normal(X.shape), y


def make_spirals(
    n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, rng: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` spiral arms winding out from the origin, one class each (after CS231n's).

    Arm k's points are at radius r from 0 to 1 and angle 2 pi k / n_classes + 4 r + noise.

    Examples
    --------
    >>> X, y = make_spirals(6, n_classes=3, rng=0)
    >>> X.shape, y.tolist()
    ((6, 2), [0, 0, 1, 1, 2, 2])
    """
    rng = check_rng("make_spirals", rng)
    Xs, ys = [], []
    for k, n in enumerate(_split(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, n)
        angle = 2 * math.pi * k / n_classes + 4 * r + noise * rng.standard_normal(n)
        Xs.append(np.stack([r * np.sin(angle), r * np.cos(angle)], 1))
        ys.append(np.full(n, k))
    return np.concatenate(Xs), np.concatenate(ys)


def make_xor(
    n_samples: int = 4, noise: float = 0.0, rng: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Points around the four corners of the unit square, labelled x1 XOR x2.

    With the defaults it is the truth table itself; with more samples and noise, four clusters.

    Examples
    --------
    >>> X, y = make_xor()
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    rng = check_rng("make_xor", rng)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    which = np.arange(n_samples) % 4
    X = corners[which] + noise * rng.standard_normal((n_samples, 2))
    return X, np.array([0, 1, 1, 0])[which]


def make_regression(
    n_samples: int = 100, noise: float = 0.1, rng: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A 1-D curve to fit: x uniform in [-3, 3], y = sin(2x) + x / 3 + noise; both of shape (n, 1).

    Examples
    --------
    >>> x, y = make_regression(5, noise=0.0, rng=0)
    >>> x.shape, bool(np.allclose(y, np.sin(2 * x) + x / 3))
    ((5, 1), True)
    """
    rng = check_rng("make_regression", rng)
    x = rng.uniform(-3, 3, (n_samples, 1))
    return x, np.sin(2 * x) + x / 3 + noise * rng.standard_normal((n_samples, 1))


DEMOS_EXTRA = "pip install 'minigrad-backprop[demos]'"


def _sklearn_file(name: str) -> Path:
    """A data file scikit-learn ships in sklearn/datasets/data/, found without importing scikit-learn."""
    # NOTE: importing sklearn takes seconds (it loads SciPy); reading its file takes milliseconds.
    try:
        spec = importlib.util.find_spec("sklearn")
    except (ImportError, ValueError):  # ValueError: sklearn in sys.modules without a spec
        spec = None
    path = None if spec is None or spec.origin is None else Path(spec.origin).parent / "datasets" / "data" / name
    if path is None or not path.is_file():
        raise ImportError(
            f"load_digits needs scikit-learn (its digits ship inside it), an optional dependency: {DEMOS_EXTRA}"
        )
    return path


def load_digits(flatten: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 handwritten digits, 8x8 pixels each, with their labels 0 to 9.

    The images ship inside scikit-learn (an optional dependency, in the ``demos`` extra), so
    nothing is downloaded; they are read from its file, as ``sklearn.datasets.load_digits``
    reads them, without importing scikit-learn. Pixel intensities are scaled from scikit-learn's
    0..16 to [0, 1].

    Parameters
    ----------
    flatten : bool
        False (the default): ``X`` of shape (1797, 1, 8, 8), one channel in PyTorch's NCHW
        layout, for a CNN. True: ``X`` of shape (1797, 64), each image a row, for an MLP.

    Returns
    -------
    X : ndarray of float64
        The images, in scikit-learn's order.
    y : ndarray of int64, shape (1797,)
        The digit each image shows.

    Raises
    ------
    ImportError
        When scikit-learn is not installed; the message names the extra that brings it.

    Examples
    --------
    >>> X, y = load_digits()
    >>> X.shape, X.dtype, y.shape, float(X.min()), float(X.max()), np.bincount(y).tolist()
    ((1797, 1, 8, 8), dtype('float64'), (1797,), 0.0, 1.0, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    >>> flat, _ = load_digits(flatten=True)
    >>> flat.shape, bool(np.array_equal(flat, X.reshape(1797, 64)))
    ((1797, 64), True)
    """
    if not isinstance(flatten, (bool, np.bool_)):
        raise TypeError(f"load_digits: flatten must be True or False, got {flatten!r}")
    with gzip.open(_sklearn_file("digits.csv.gz"), "rt") as file:
        table = np.loadtxt(file, delimiter=",")  # a row: 64 pixels (0..16), then the digit
    X, y = table[:, :-1] / 16.0, table[:, -1].astype(np.int64)
    return (X if flatten else X.reshape(-1, 1, 8, 8)), y


class DataLoader:
    """Iterate over ``(X, y)`` in mini-batches, reshuffled each epoch with ``rng`` when ``shuffle``.

    Each batch is ``(Tensor of inputs, targets)``; integer targets (class labels) stay a NumPy
    array, since Tensors hold floats, and float targets become a Tensor.

    Examples
    --------
    >>> X, y = make_xor()
    >>> loader = DataLoader(X, y, batch_size=3, shuffle=False)
    >>> [xb.shape for xb, yb in loader], len(loader)
    ([(3, 2), (1, 2)], 2)
    """

    def __init__(
        self,
        X: ArrayLike,
        y: ArrayLike,
        batch_size: int = 32,
        shuffle: bool = True,
        drop_last: bool = False,
        rng: int | np.random.Generator | None = None,
    ) -> None:
        self.X, self.y = np.asarray(X), np.asarray(y)
        if len(self.X) != len(self.y):
            raise ValueError(f"DataLoader: X has {len(self.X)} samples but y has {len(self.y)}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be at least 1, got {batch_size}")
        self.batch_size, self.shuffle, self.drop_last = batch_size, shuffle, drop_last
        self.rng = check_rng("DataLoader", rng)

    def __len__(self) -> int:
        full, rest = divmod(len(self.X), self.batch_size)
        return full + (rest > 0 and not self.drop_last)

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor | np.ndarray]]:
        order = self.rng.permutation(len(self.X)) if self.shuffle else np.arange(len(self.X))
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            index = order[start : start + self.batch_size]
            y = self.y[index]
            yield Tensor(self.X[index]), (Tensor(y) if y.dtype.kind == "f" else y)
