"""save and load: state dicts to and from ``.npz`` archives, never with pickle.

A file is a flat mapping of names to NumPy arrays. :func:`save` flattens nested dicts and lists
with dots (``{'state': {0: {'step': 3}}}`` is stored as ``'state.0.step'``), and :func:`load`
returns the flat mapping; ``Module.load_state_dict`` and ``Optimizer.load_state_dict`` both
accept it. Loading reads every entry with ``allow_pickle=False``, so a file can only ever give
arrays.

Nothing is lost or half-written: :func:`save` checks every key and value before it writes, writes
to a temporary file beside the target and puts it in place (``os.replace``) only when complete,
so a save that fails leaves the file that was there as it was.

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as folder:
...     save({"weight": np.eye(2)}, os.path.join(folder, "w.npz"))
...     load(os.path.join(folder, "w.npz"))["weight"]
array([[1., 0.],
       [0., 1.]])
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

from minigrad.tensor import Tensor

# NOTE: an archive starts with a member's header, or (with no members) with the end record.
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # every member's date: the same state gives the same bytes


def flatten(obj: Any, prefix: str = "") -> OrderedDict[str, np.ndarray]:
    """Nested dicts and lists of arrays and numbers as one mapping of dotted names to arrays.

    Keys are strings (or integers inside a nested dict, as in an optimiser's state). Two keys
    that would be stored under one name (``{'a.b': x, 'a': {'b': y}}``) are refused, and so are a
    key and a value that cannot be stored, each by name.

    Examples
    --------
    >>> flat = flatten({"weight": np.zeros(2), "state": {0: {"step": 3}}, "groups": [{"lr": 0.1}]})
    >>> list(flat), flat["state.0.step"]
    (['weight', 'state.0.step', 'groups.0.lr'], array(3))
    >>> flatten({"a.b": 1.0, "a": {"b": 2.0}})
    Traceback (most recent call last):
    ValueError: save: state['a']['b'] and state['a.b'] would both be stored as 'a.b'; rename one of them
    """
    flat: OrderedDict[str, np.ndarray] = OrderedDict()
    where: dict[str, str] = {}
    # Each entry: the stored name (None for the root without a prefix), the value, its place in obj.
    stack: list[tuple[str | None, Any, str]] = [(prefix or None, obj, "state")]
    while stack:
        name, value, place = stack.pop()
        if isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], dict)):
            items = list(value.items() if isinstance(value, dict) else enumerate(value))
            for key, _ in items:
                _check_key(key, place, nested=name is not None)
            stack.extend(
                (str(key) if name is None else f"{name}.{key}", v, f"{place}[{key!r}]") for key, v in reversed(items)
            )
            continue
        name = name or ""
        if name in flat:
            first, second = sorted([where[name], place])
            raise ValueError(f"save: {first} and {second} would both be stored as {name!r}; rename one of them")
        flat[name], where[name] = _as_numbers(value, f"{name!r} ({place})"), place
    return flat


def _check_key(key: Any, place: str, nested: bool) -> None:
    """Refuse a key that cannot be stored as a member name of a zip archive and read back as is."""
    if isinstance(key, bool) or not isinstance(key, str | int) or (isinstance(key, int) and not nested):
        kinds = "str or int" if nested else "str"
        raise TypeError(f"save: the key {key!r} in {place} is of type {type(key).__name__}; keys must be {kinds}")
    text = str(key)
    if "\0" in text:
        raise ValueError(f"save: the key {key!r} in {place} holds a NUL character, which a zip archive cannot store")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"save: the key {key!r} in {place} is not valid text ({error.reason})") from None


def _as_numbers(value: Any, place: str) -> np.ndarray:
    """``value`` as an array of numbers, or a TypeError naming its name and place in the state."""
    try:
        array = np.asarray(value.numpy() if isinstance(value, Tensor) else value)
    except (ValueError, TypeError) as error:  # a ragged list
        raise TypeError(f"save: {place} cannot be made an array of numbers ({error})") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"save: {place} is a {type(value).__name__} of dtype {array.dtype}; only numbers and arrays of "
            "numbers can be saved"
        )
    return array


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
    """Write a state dict to ``path`` as an uncompressed ``.npz`` archive, all or nothing.

    The state dict is a module's, an optimiser's, or any nest of dicts and lists of arrays and
    numbers, keyed by strings (any string: ``'file'`` and ``'allow_pickle'`` too). Every key and
    value, and the path, are checked before anything is written; the archive is written to a
    temporary file in the same folder and moved onto ``path`` only when complete, so a failed
    save (a full disk) leaves the file that was at ``path`` byte for byte as it was.

    Raises
    ------
    TypeError
        ``obj`` is not a dict, or a key or value (named) cannot be stored.
    ValueError
        Two keys would be stored under one name, or a key holds a NUL character.
    OSError
        The folder does not exist, ``path`` is a folder, or the write failed (the file is unchanged).

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
    target = _file_name("save", path)
    flat = flatten(obj)
    # NOTE: through a symbolic link to the file it names, so that the link stays a link.
    target = os.path.realpath(target)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: the folder of {os.fspath(path)!r} does not exist (or is not a folder)")
    if os.path.isdir(target):
        raise IsADirectoryError(f"save: {os.fspath(path)!r} is a folder, not a file")
    temporary = os.path.join(folder, f".{os.path.basename(target)}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "xb") as file:
            _write_archive(file, flat)
            file.flush()
            os.fsync(file.fileno())
        if os.path.exists(target):
            shutil.copymode(target, temporary)
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        if isinstance(error, OSError):
            message = f"save: could not write {os.fspath(path)!r} ({error.strerror or error}); it is unchanged"
            raise (OSError(error.errno, message) if error.errno is not None else OSError(message)) from None
        raise


def _write_archive(file: IO[bytes], flat: Mapping[str, np.ndarray]) -> None:
    """Write ``flat`` as a zip of ``NAME.npy`` members, as ``np.savez`` would, names not as arguments."""
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in flat.items():
            with archive.open(zipfile.ZipInfo(name + ".npy", _ZIP_EPOCH), "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def load(path: str | os.PathLike[str]) -> OrderedDict[str, np.ndarray]:
    """Read a file written by :func:`save` into an OrderedDict of name -> array.

    Refuses, with one ValueError naming the file (and the entry, where one is at fault), anything
    that is not a complete ``.npz`` archive of numeric arrays: another format, a truncated or
    corrupted archive or entry, an entry that is not a ``.npy`` array of numbers, or an entry
    holding pickled objects (which would run code when unpickled, so it is never read). A path
    that does not exist raises FileNotFoundError, as ``open`` does.

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
    >>> bool(np.all(copy.weight.numpy() == model.weight.numpy()))
    True
    """
    name = _file_name("load", path)
    with open(name, "rb") as file:
        if file.read(4) not in _ZIP_MAGICS:
            raise ValueError(f"load: {name!r} is not an .npz archive written by minigrad.save")
        file.seek(0)
        try:
            archive = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
            raise ValueError(f"load: {name!r} is truncated or corrupted ({type(error).__name__}: {error})") from None
        with archive:
            state: OrderedDict[str, np.ndarray] = OrderedDict()
            for member in archive.infolist():
                key = member.filename.removesuffix(".npy")
                if key == member.filename:
                    raise ValueError(f"load: {name!r}: entry {key!r} is not a .npy array")
                if key in state:
                    raise ValueError(f"load: {name!r}: entry {key!r} appears twice in the archive")
                state[key] = _read_entry(archive, member, f"load: {name!r}: entry {key!r}")
    return state


def _read_entry(archive: zipfile.ZipFile, member: zipfile.ZipInfo, where: str) -> np.ndarray:
    """One member's array of numbers, or a ValueError beginning with ``where``."""
    try:
        with archive.open(member) as stream:
            array = np.lib.format.read_array(stream, allow_pickle=False)
    except ValueError as error:
        if "pickle" in str(error):
            raise ValueError(f"{where} holds pickled objects, which are refused: {error}") from None
        raise ValueError(f"{where} is not a readable .npy array ({error})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise ValueError(f"{where} is truncated or corrupted ({type(error).__name__}: {error})") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{where} is not an array of numbers (dtype {array.dtype})")
    return array


def _file_name(call: str, path: Any) -> str:
    """``path`` as a str, if it is a str or an os.PathLike of one (an int would be a file descriptor)."""
    name = os.fspath(path) if isinstance(path, str | os.PathLike) else None
    if not isinstance(name, str) or not name:
        raise TypeError(f"{call}: path must be a file name (a str or os.PathLike), got {type(path).__name__} {path!r}")
    return name
