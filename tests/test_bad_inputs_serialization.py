"""minigrad.save and minigrad.load at their edges: every string key round-trips, every bad key,
value, path or file is refused by name before anything is written, and a save that fails part-way
leaves the checkpoint that was there byte for byte as it was."""

import errno
import io
import os
import warnings
import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad import Tensor

OLD_BYTES = b"the checkpoint that was here"


@pytest.fixture
def folder(tmp_path):
    """A folder holding an old checkpoint, model.npz, that no failed save may touch."""
    (tmp_path / "model.npz").write_bytes(OLD_BYTES)
    return tmp_path


def assert_untouched(folder):
    assert sorted(os.listdir(folder)) == ["model.npz"]  # no temporary file left behind
    assert (folder / "model.npz").read_bytes() == OLD_BYTES


# ---------------------------------------------------------------- keys that NumPy's savez mishandles


@pytest.mark.parametrize(
    "keys",
    [
        ["file"],
        ["allow_pickle"],
        ["file", "allow_pickle", "weight"],
        ["arr_0"],
        [""],
        ["x.npy"],
        ["a", "a.npy"],  # NumPy's NpzFile would look "a.npy" up as the member of "a"
        ["a/b", "../up", "dir/"],
        ["with space", "ünïcødé", "名前"],
    ],
    ids=lambda keys: ",".join(repr(k) for k in keys),
)
def test_any_string_key_round_trips(folder, keys):
    state = {key: np.full(2, float(i)) for i, key in enumerate(keys)}
    mg.save(state, folder / "model.npz")
    loaded = mg.load(folder / "model.npz")
    assert list(loaded) == keys
    for key in keys:
        np.testing.assert_array_equal(loaded[key], state[key])


def test_an_empty_state_round_trips(tmp_path):
    mg.save({}, tmp_path / "empty.npz")
    assert mg.load(tmp_path / "empty.npz") == {}


def test_the_same_state_gives_the_same_bytes(tmp_path):
    state = {"weight": np.arange(6.0).reshape(2, 3), "step": 3}
    mg.save(state, tmp_path / "a.npz")
    mg.save(state, tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_a_file_written_by_numpy_savez_loads(tmp_path):
    np.savez(tmp_path / "numpy.npz", weight=np.ones(3), bias=np.zeros(1))
    loaded = mg.load(tmp_path / "numpy.npz")
    assert list(loaded) == ["weight", "bias"] and loaded["weight"].tolist() == [1.0, 1.0, 1.0]


# ---------------------------------------------------------------- save: bad arguments, refused first

SURROGATE = "bad\udc80"


@pytest.mark.parametrize(
    "state, path, error, message",
    [
        ([np.ones(2)], "model.npz", TypeError, "save: expected a state dict (a dict), got list"),
        (Tensor([1.0]), "model.npz", TypeError, "save: expected a state dict (a dict), got Tensor"),
        ({0: np.ones(2)}, "model.npz", TypeError, "the key 0 in state is of type int; keys must be str"),
        ({True: 1.0}, "model.npz", TypeError, "the key True in state is of type bool; keys must be str"),
        ({("a", 1): 1.0}, "model.npz", TypeError, "the key ('a', 1) in state is of type tuple"),
        (
            {"a": {1.5: 1.0}},
            "model.npz",
            TypeError,
            "the key 1.5 in state['a'] is of type float; keys must be str or int",
        ),
        ({"a": {None: 1.0}}, "model.npz", TypeError, "the key None in state['a'] is of type NoneType"),
        ({"a\0b": 1.0}, "model.npz", ValueError, "the key 'a\\x00b' in state holds a NUL character"),
        ({"a": {SURROGATE: 1.0}}, "model.npz", ValueError, "the key 'bad\\udc80' in state['a'] is not valid text"),
        (
            {"a.b": np.ones(1), "a": {"b": np.zeros(1)}},
            "model.npz",
            ValueError,
            "state['a']['b'] and state['a.b'] would both be stored as 'a.b'; rename one of them",
        ),
        (
            {"state": {0: {"step": 1}, "0": {"step": 2}}},
            "model.npz",
            ValueError,
            "state['state']['0']['step'] and state['state'][0]['step'] would both be stored as 'state.0.step'",
        ),
        ({"": {"b": 1.0}, ".b": 2.0}, "model.npz", ValueError, "would both be stored as '.b'"),
        ({"groups": [{"lr": 0.1}], "groups.0.lr": 0.2}, "model.npz", ValueError, "stored as 'groups.0.lr'"),
        ({"meta": {"name": "model"}}, "model.npz", TypeError, "'meta.name' (state['meta']['name']) is a str"),
        ({"w": None}, "model.npz", TypeError, "'w' (state['w']) is a NoneType of dtype object"),
        ({"w": [[1.0], [2.0, 3.0]]}, "model.npz", TypeError, "'w' (state['w']) cannot be made an array of numbers"),
        ({"w": np.ones(2, dtype=complex)}, "model.npz", TypeError, "'w' (state['w']) is a ndarray of dtype complex128"),
        ({"w": np.array([object()])}, "model.npz", TypeError, "'w' (state['w']) is a ndarray of dtype object"),
        ({"w": 1.0}, 3, TypeError, "save: path must be a file name (a str or os.PathLike), got int 3"),
        ({"w": 1.0}, None, TypeError, "save: path must be a file name (a str or os.PathLike), got NoneType None"),
        ({"w": 1.0}, b"model.npz", TypeError, "save: path must be a file name (a str or os.PathLike), got bytes"),
        ({"w": 1.0}, "", TypeError, "save: path must be a file name (a str or os.PathLike), got str ''"),
        ({"w": 1.0}, "missing/model.npz", FileNotFoundError, "save: the folder of '{folder}/missing/model.npz' does"),
        ({"w": 1.0}, ".", IsADirectoryError, "save: '{folder}/.' is a folder, not a file"),
    ],
    ids=[
        "a list",
        "a Tensor",
        "int key at the top",
        "bool key",
        "tuple key",
        "float key",
        "None key",
        "NUL in a key",
        "unencodable key",
        "dotted key collides",
        "int and str keys collide",
        "empty key collides",
        "list entry collides",
        "str value",
        "None value",
        "ragged value",
        "complex value",
        "object value",
        "int path (a file descriptor)",
        "None path",
        "bytes path",
        "empty path",
        "missing folder",
        "a folder",
    ],
)
def test_save_refuses_a_bad_argument_by_name_before_writing_anything(folder, state, path, error, message):
    if isinstance(path, str) and path:
        path = f"{folder}/{path}"
    with pytest.raises(error) as raised:
        mg.save(state, path)
    assert message.format(folder=folder) in str(raised.value)
    assert_untouched(folder)


# ---------------------------------------------------------------- save: all or nothing


def write_half_then_fail(stream, array, **kwargs):
    """np.lib.format.write_array on a full disk: half of the member is written, then ENOSPC."""
    buffer = io.BytesIO()
    np.lib.format.write_array.__wrapped_original__(buffer, array, **kwargs)
    stream.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def full_disk(monkeypatch):
    original = np.lib.format.write_array
    monkeypatch.setattr(write_half_then_fail, "__wrapped_original__", original, raising=False)
    monkeypatch.setattr(np.lib.format, "write_array", write_half_then_fail)


def test_a_save_that_fails_part_way_leaves_the_old_checkpoint_byte_for_byte(folder, full_disk):
    state = {"weight": np.arange(10_000.0), "bias": np.ones(10)}
    with pytest.raises(OSError) as raised:
        mg.save(state, folder / "model.npz")
    assert raised.value.errno == errno.ENOSPC
    assert f"save: could not write '{folder}/model.npz' (No space left on device); it is unchanged" in str(raised.value)
    assert_untouched(folder)


def test_a_save_that_fails_part_way_leaves_no_file_where_there_was_none(tmp_path, full_disk):
    with pytest.raises(OSError):
        mg.save({"weight": np.arange(100.0)}, tmp_path / "new.npz")
    assert os.listdir(tmp_path) == []


def test_a_failure_without_an_error_number_is_reported_by_its_words(folder, monkeypatch):
    def quota(stream, array, **kwargs):
        raise OSError("quota exceeded")

    monkeypatch.setattr(np.lib.format, "write_array", quota)
    with pytest.raises(OSError, match=r"could not write '.*model.npz' \(quota exceeded\); it is unchanged$"):
        mg.save({"weight": np.ones(3)}, folder / "model.npz")
    assert_untouched(folder)


def test_an_interrupted_save_leaves_the_old_checkpoint_and_passes_the_interrupt_on(folder, monkeypatch):
    def interrupted(stream, array, **kwargs):
        stream.write(b"\x93NUMPY partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(np.lib.format, "write_array", interrupted)
    with pytest.raises(KeyboardInterrupt):
        mg.save({"weight": np.ones(3)}, folder / "model.npz")
    assert_untouched(folder)


def test_a_save_replaces_the_old_checkpoint_keeping_its_permissions(folder):
    os.chmod(folder / "model.npz", 0o600)
    mg.save({"file": np.ones(2)}, folder / "model.npz")
    assert os.stat(folder / "model.npz").st_mode & 0o777 == 0o600
    assert list(mg.load(folder / "model.npz")) == ["file"] and sorted(os.listdir(folder)) == ["model.npz"]


def test_a_save_through_a_symbolic_link_writes_the_file_it_names(folder):
    os.symlink(folder / "model.npz", folder / "latest.npz")
    mg.save({"weight": np.ones(2)}, folder / "latest.npz")
    assert os.path.islink(folder / "latest.npz")
    assert list(mg.load(folder / "model.npz")) == ["weight"]


# ---------------------------------------------------------------- load: one ValueError naming the file and the entry


def npy(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=True)
    return buffer.getvalue()


def archive(path, members):
    with warnings.catch_warnings():  # zipfile warns of a duplicate name, which is what one row wants
        warnings.simplefilter("ignore", UserWarning)
        write_members(path, members)


def write_members(path, members):
    with zipfile.ZipFile(path, "w") as zipped:
        for name, data in members:
            zipped.writestr(name, data)


def corrupt_the_weight(path):
    mg.save({"weight": np.arange(1000.0)}, path)
    data = bytearray(path.read_bytes())
    data[600:608] = b"\xff" * 8
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_text("weight: [1, 2]\n"), "load: '{path}' is not an .npz archive written by minigrad.save"),
        (lambda p: p.write_bytes(b""), "load: '{path}' is not an .npz archive"),
        (lambda p: p.write_bytes(npy(np.ones(3))), "load: '{path}' is not an .npz archive"),
        (lambda p: p.write_bytes(b"PK\x03\x04" + b"\0" * 20), "load: '{path}' is truncated or corrupted"),
        (corrupt_the_weight, "load: '{path}': entry 'weight' is truncated or corrupted (BadZipFile"),
        (lambda p: archive(p, [("weight.npy", b"not an npy header")]), "entry 'weight' is not a readable .npy array"),
        (lambda p: archive(p, [("weight.npy", npy(np.ones(100))[:200])]), "entry 'weight' is not a readable .npy"),
        (lambda p: archive(p, [("w.npy", npy([object()]))]), "entry 'w' holds pickled objects, which are refused"),
        (lambda p: archive(p, [("name.npy", npy(["abc"]))]), "entry 'name' is not an array of numbers (dtype <U3)"),
        (lambda p: archive(p, [("notes.txt", b"hello")]), "load: '{path}': entry 'notes.txt' is not a .npy array"),
        (
            lambda p: archive(p, [("weight.npy", npy([1.0])), ("weight.npy", npy([2.0]))]),
            "load: '{path}': entry 'weight' appears twice in the archive",
        ),
    ],
    ids=[
        "text",
        "empty",
        "npy",
        "truncated archive",
        "corrupted entry",
        "bad npy header",
        "truncated entry",
        "pickled entry",
        "strings",
        "not a .npy member",
        "duplicate entry",
    ],
)
def test_load_refuses_a_bad_file_with_one_value_error_naming_the_file_and_the_entry(tmp_path, make, message):
    path = tmp_path / "model.npz"
    make(path)
    with pytest.raises(ValueError) as raised:
        mg.load(path)
    assert message.format(path=path) in str(raised.value)
    error = raised.value  # one error: no NumPy or zipfile error chained to it
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


@pytest.mark.parametrize(
    "path, error, message",
    [
        (3, TypeError, "load: path must be a file name (a str or os.PathLike), got int 3"),
        (None, TypeError, "load: path must be a file name (a str or os.PathLike), got NoneType None"),
        ("{tmp}/missing.npz", FileNotFoundError, "{tmp}/missing.npz"),
        ("{tmp}", IsADirectoryError, "{tmp}"),
    ],
    ids=["int (a file descriptor)", "None", "missing", "a folder"],
)
def test_load_refuses_a_bad_path_by_name(tmp_path, path, error, message):
    with pytest.raises(error) as raised:
        mg.load(path.format(tmp=tmp_path) if isinstance(path, str) else path)
    assert message.format(tmp=tmp_path) in str(raised.value)
