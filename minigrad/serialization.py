"""save and load: state dicts to and from ``.npz`` archives, never with pickle.

A file is a flat mapping of names to NumPy arrays. :func:`save` flattens nested dicts and lists
with dots (``{'state': {0: {'step': 3}}}`` is stored as ``'state.0.step'``), and :func:`load`
returns the flat mapping; ``Module.load_state_dict`` and ``Optimizer.load_state_dict`` both
accept it. Loading uses ``np.load(allow_pickle=False)``, so a file can only ever give arrays.

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as folder:
...     save({"weight": np.eye(2)}, os.path.join(folder, "w.npz"))
...     load(os.path.join(folder, "w.npz"))["weight"]
array([[1., 0.],
       [0., 1.]])
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from minigrad.tensor import Tensor

_ZIP_MAGIC = b"PK\x03\x04"


def flatten(obj: Any, prefix: str = "") -> OrderedDict[str, np.ndarray]:
    """Nested dicts and lists of arrays and numbers as one mapping of dotted names to arrays.

    Examples
    --------
    >>> flat = flatten({"weight": np.zeros(2), "state": {0: {"step": 3}}, "groups": [{"lr": 0.1}]})
    >>> list(flat), flat["state.0.step"]
    (['weight', 'state.0.step', 'groups.0.lr'], array(3))
    """
    flat: OrderedDict[str, np.ndarray] = OrderedDict()
    stack = [(prefix, obj)]
    while stack:
        name, value = stack.pop()
        if isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], dict)):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((f"{name}.{key}" if name else str(key), v) for key, v in reversed(list(items)))
            continue
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"save: {name!r} is a {type(value).__name__} of dtype {array.dtype}; only numbers and arrays of "
                "numbers can be saved"
            )
        flat[name] = array
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`flatten` up to types: dotted names become nested dicts, keyed by str.

    Examples
    --------
    >>> unflatten({"state.0.step": 3, "lr": 0.1})
    {'state': {'0': {'step': 3}}, 'lr': 0.1}
    """
    nested: dict[str, Any] = {}
    for name, value in flat.items():
        *path, last = name.split(".")
        node = nested
        for key in path:
            node = node.setdefault(key, {})
        node[last] = value
    return nested


def save(obj: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a state dict to ``path`` as an uncompressed ``.npz`` archive.

    The state dict is a module's, an optimiser's, or any nest of dicts and lists of arrays and
    numbers.

    Examples
    --------
    >>> import os, tempfile
    >>> model = nn.Linear(2, 1, rng=0)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     minigrad.save(model.state_dict(), os.path.join(folder, "model.npz"))
    ...     os.listdir(folder)
    ['model.npz']
    """
    if not isinstance(obj, dict):
        raise TypeError(f"save: expected a state dict (a dict), got {type(obj).__name__}")
    flat = flatten(obj)
    with open(path, "wb") as file:  # an open file, so that NumPy does not append '.npz' to the name
        np.savez(file, **flat)  # type: ignore[arg-type]  # NumPy's stubs read ** as its allow_pickle flag


def load(path: str | os.PathLike[str]) -> OrderedDict[str, np.ndarray]:
    """Read a file written by :func:`save` into an OrderedDict of name -> array.

    Refuses, with a ValueError naming the file and the reason, anything that is not a complete
    ``.npz`` archive of numeric arrays: another format, a truncated or corrupted archive, or an
    archive holding pickled objects (which would run code when unpickled, so it is never read).

    Examples
    --------
    >>> import os, tempfile
    >>> model, copy = nn.Linear(2, 1, rng=0), nn.Linear(2, 1, rng=1)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     minigrad.save(model.state_dict(), os.path.join(folder, "model.npz"))
    ...     state = minigrad.load(os.path.join(folder, "model.npz"))
    >>> list(state)
    ['weight', 'bias']
    >>> copy.load_state_dict(state)
    IncompatibleKeys(missing_keys=[], unexpected_keys=[])
    >>> bool(np.all(copy.weight.data == model.weight.data))
    True
    """
    name = os.fspath(path)
    # NOTE: we open the file ourselves, so that it is closed even when NumPy fails half-way.
    with open(path, "rb") as file:
        if file.read(4) != _ZIP_MAGIC:
            raise ValueError(f"load: {name!r} is not an .npz archive written by minigrad.save")
        file.seek(0)
        try:
            with np.load(file, allow_pickle=False) as archive:
                state = OrderedDict((key, archive[key]) for key in archive.files)
        except ValueError as error:
            if "pickle" in str(error):
                raise ValueError(f"load: {name!r} holds pickled objects, which are refused: {error}") from None
            raise ValueError(f"load: {name!r} is damaged: {error}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise ValueError(f"load: {name!r} is truncated or corrupted ({type(error).__name__}: {error})") from None
    for key, array in state.items():
        # NOTE: NumPy hands back a member that is not a .npy file as raw bytes.
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
            raise ValueError(f"load: {name!r}: entry {key!r} is not an array of numbers")
    return state
