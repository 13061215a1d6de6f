"""Synthetic datasets and DataLoader: shapes, labels, seeding, epochs that cover every sample."""

import numpy as np
import pytest

from minigrad import Tensor
from minigrad.data import DataLoader, make_circles, make_moons, make_regression, make_spirals, make_xor


@pytest.mark.parametrize(
    "make, classes",
    [(make_moons, 2), (make_circles, 2), (make_xor, 2), (lambda n, **kw: make_spirals(n, n_classes=4, **kw), 4)],
    ids=["moons", "circles", "xor", "spirals"],
)
def test_classification_sets_have_balanced_integer_labels_and_are_seeded(make, classes):
    X, y = make(101, noise=0.1, rng=0)
    assert X.shape == (101, 2) and X.dtype == np.float64 and y.shape == (101,) and y.dtype.kind == "i"
    counts = np.bincount(y)
    assert len(counts) == classes and counts.max() - counts.min() <= 1
    X2, y2 = make(101, noise=0.1, rng=0)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(X, make(101, noise=0.1, rng=1)[0])


def test_xor_defaults_are_the_truth_table():
    X, y = make_xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])


def test_regression_is_a_noisy_curve():
    x, y = make_regression(50, noise=0.0, rng=0)
    assert x.shape == y.shape == (50, 1)
    np.testing.assert_allclose(y, np.sin(2 * x) + x / 3)


def test_loader_covers_every_sample_once_per_epoch_in_a_new_order():
    X, y = np.arange(10.0)[:, None], np.arange(10)
    loader = DataLoader(X, y, batch_size=4, rng=0)
    epochs = [np.concatenate([yb for _, yb in loader]) for _ in range(2)]
    assert len(loader) == 3 and all(sorted(e) == list(range(10)) for e in epochs)
    assert not np.array_equal(epochs[0], epochs[1])
    for xb, yb in loader:
        assert isinstance(xb, Tensor) and isinstance(yb, np.ndarray)
        np.testing.assert_array_equal(xb.numpy()[:, 0], yb)


def test_loader_without_shuffle_keeps_order_and_drop_last_drops_the_rest():
    X, y = np.zeros((10, 2)), np.linspace(0, 1, 10)
    batches = list(DataLoader(X, y, batch_size=4, shuffle=False, drop_last=True))
    assert len(batches) == 2 and isinstance(batches[0][1], Tensor)
    np.testing.assert_array_equal(batches[1][1].numpy(), y[4:8])


def test_loader_refuses_mismatched_lengths_and_empty_batches():
    with pytest.raises(ValueError, match="X has 3 samples but y has 2"):
        DataLoader(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        DataLoader(np.zeros((3, 2)), np.zeros(3), batch_size=0)
