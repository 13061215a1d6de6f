"""load_digits: scikit-learn's 8x8 digits as images or rows, and a clear error without scikit-learn."""

import sys

import numpy as np
import pytest

from minigrad import Tensor, nn
from minigrad.data import load_digits

sklearn_datasets = pytest.importorskip("sklearn.datasets")


def test_the_digits_are_scikit_learns_1797_images_scaled_to_the_unit_interval():
    X, y = load_digits()
    reference = sklearn_datasets.load_digits()
    assert X.shape == (1797, 1, 8, 8) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64 and sorted(set(y.tolist())) == list(range(10))
    np.testing.assert_array_equal(X[:, 0] * 16, reference.images)
    np.testing.assert_array_equal(y, reference.target)


def test_flatten_gives_each_image_as_a_row_for_an_mlp():
    images, y = load_digits()
    rows, y_rows = load_digits(flatten=True)
    assert rows.shape == (1797, 64)
    np.testing.assert_array_equal(rows, images.reshape(1797, 64))
    np.testing.assert_array_equal(y, y_rows)


def test_the_images_feed_a_conv_layer_in_nchw_layout():
    X, _ = load_digits()
    out = nn.Conv2d(1, 4, 3, padding=1, rng=0)(Tensor(X[:5]))
    assert out.shape == (5, 4, 8, 8)


@pytest.mark.parametrize("flatten", [1, "yes", None])
def test_a_flatten_that_is_not_a_bool_is_refused_by_name(flatten):
    with pytest.raises(TypeError, match=r"load_digits: flatten must be True or False, got"):
        load_digits(flatten=flatten)


class _NoSklearn:
    """A meta-path finder that makes `sklearn` unfindable, as if it were not installed."""

    def find_spec(self, name, path=None, target=None):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None


def test_without_scikit_learn_the_error_names_the_extra_to_install(monkeypatch):
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_NoSklearn(), *sys.meta_path])
    with pytest.raises(ImportError, match=r"scikit-learn.*pip install 'minigrad-backprop\[demos\]'"):
        load_digits()


def test_a_scikit_learn_hidden_in_sys_modules_is_missing_too(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # None in sys.modules: `import sklearn` raises ImportError
    with pytest.raises(ImportError, match=r"minigrad-backprop\[demos\]"):
        load_digits()
