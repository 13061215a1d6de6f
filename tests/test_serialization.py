"""save/load: round trips of models and optimisers, and every kind of bad file refused with its
own error, executing nothing and leaving the model as it was."""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
import minigrad.nn as nn
from minigrad import Tensor, optim
from minigrad.data import make_moons


def trained_model_and_optimizer(steps=5, seed=0):
    X, y = make_moons(64, noise=0.1, rng=seed)
    model = nn.MLP([2, 8, 8, 2], norm="batch", rng=seed)
    opt = optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    for _ in range(steps):
        train_step(model, opt, X, y)
    return model, opt, X, y


def train_step(model, opt, X, y):
    opt.zero_grad()
    F.cross_entropy(model(Tensor(X)), y).backward()
    opt.step()


def assert_same_state(a, b):
    assert list(a) == list(b) and all(np.array_equal(a[k], b[k]) for k in a)


def test_model_round_trip_gives_identical_outputs(tmp_path):
    model, _, X, _ = trained_model_and_optimizer()
    mg.save(model.state_dict(), tmp_path / "model.npz")
    fresh = nn.MLP([2, 8, 8, 2], norm="batch", rng=99)
    fresh.load_state_dict(mg.load(tmp_path / "model.npz"))
    model.eval(), fresh.eval()
    np.testing.assert_array_equal(model(Tensor(X)).numpy(), fresh(Tensor(X)).numpy())
    assert fresh.layers[1].num_batches_tracked == 5


def test_file_is_a_flat_npz_of_arrays_readable_without_pickle(tmp_path):
    model, opt, _, _ = trained_model_and_optimizer(steps=1)
    mg.save(opt.state_dict(), tmp_path / "opt")
    assert os.listdir(tmp_path) == ["opt"]  # the name is kept as given
    with np.load(tmp_path / "opt", allow_pickle=False) as archive:
        names = archive.files
    assert "state.0.exp_avg" in names and "state.0.max_exp_avg_sq" in names and "state.0.step" in names
    assert "param_groups.0.lr" in names and "param_groups.0.betas" in names and "param_groups.0.params" in names


def test_optimizer_round_trip_continues_the_same_run(tmp_path):
    model, opt, X, y = trained_model_and_optimizer(steps=3)
    mg.save(model.state_dict(), tmp_path / "model.npz")
    mg.save(opt.state_dict(), tmp_path / "opt.npz")
    resumed = nn.MLP([2, 8, 8, 2], norm="batch", rng=1)
    resumed.load_state_dict(mg.load(tmp_path / "model.npz"))
    resumed_opt = optim.Adam(resumed.parameters(), lr=0.5)
    resumed_opt.load_state_dict(mg.load(tmp_path / "opt.npz"))
    group = resumed_opt.param_groups[0]
    assert group["lr"] == 0.01 and group["betas"] == (0.9, 0.999) and group["amsgrad"] is True
    for _ in range(3):
        train_step(model, opt, X, y)
        train_step(resumed, resumed_opt, X, y)
    assert_same_state(model.state_dict(), resumed.state_dict())


def test_scheduler_initial_lr_survives_a_round_trip(tmp_path):
    p = nn.Parameter([1.0])
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5).step()
    mg.save(opt.state_dict(), tmp_path / "opt.npz")
    other = optim.SGD([nn.Parameter([1.0])], lr=1.0, momentum=0.9)
    other.load_state_dict(mg.load(tmp_path / "opt.npz"))
    assert other.param_groups[0]["lr"] == 0.05 and other.param_groups[0]["initial_lr"] == 0.1


@pytest.mark.parametrize(
    "edit, messages",
    [
        (lambda s: s.pop("layers.0.bias"), ["missing key 'layers.0.bias'"]),
        (lambda s: s.update(stray=np.zeros(2)), ["unexpected key 'stray'"]),
        (
            lambda s: s.update({"layers.3.weight": np.zeros((8, 7))}),
            ["'layers.3.weight' has shape (8, 7) in the state but (8, 8)"],
        ),
        (
            lambda s: (s.pop("layers.1.running_var"), s.update({"layers.0.weight": np.zeros(3), "x": np.ones(1)})),
            ["missing key 'layers.1.running_var'", "unexpected key 'x'", "'layers.0.weight' has shape (3,)"],
        ),
    ],
    ids=["missing", "unexpected", "misshaped", "all three"],
)
def test_bad_state_names_each_problem_and_leaves_the_model(tmp_path, edit, messages):
    model, _, _, _ = trained_model_and_optimizer(steps=2)
    state = model.state_dict()
    edit(state)
    mg.save(state, tmp_path / "bad.npz")
    target = nn.MLP([2, 8, 8, 2], norm="batch", rng=3)
    before = target.state_dict()
    with pytest.raises(RuntimeError) as error:
        target.load_state_dict(mg.load(tmp_path / "bad.npz"))
    for message in messages:
        assert message in str(error.value)
    assert_same_state(target.state_dict(), before)


class WritesAFile:
    """Unpickling this would create a file: proof of whether load ran pickled code."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_pickled_objects_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    np.savez(tmp_path / "evil.npz", weight=np.ones(2), payload=np.array([WritesAFile(str(marker))], dtype=object))
    with pytest.raises(ValueError, match="holds pickled objects, which are refused"):
        mg.load(tmp_path / "evil.npz")
    assert not marker.exists()


def test_a_bare_pickle_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps({"weight": WritesAFile(str(marker))}))
    with pytest.raises(ValueError, match="is not an .npz archive"):
        mg.load(tmp_path / "evil.pkl")
    assert not marker.exists()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda path: path.write_text("weight: [1, 2, 3]\n"), "is not an .npz archive"),
        (lambda path: path.write_bytes(npy_bytes()), "is not an .npz archive"),
        (lambda path: path.write_bytes(b""), "is not an .npz archive"),
    ],
    ids=["text", "npy", "empty"],
)
def test_files_that_are_not_archives_are_refused(tmp_path, make, message):
    path = tmp_path / "model.npz"
    make(path)
    with pytest.raises(ValueError, match=message):
        mg.load(path)


def npy_bytes():
    buffer = io.BytesIO()
    np.save(buffer, np.ones(3))
    return buffer.getvalue()


def saved_bytes():
    buffer = io.BytesIO()
    np.savez(buffer, weight=np.arange(1000.0), bias=np.ones(10))
    return buffer.getvalue()


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_archives_are_refused(tmp_path, keep):
    data = saved_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match="truncated or corrupted|is damaged"):
        mg.load(tmp_path / "cut.npz")


def test_corrupted_data_fails_its_checksum(tmp_path):
    data = bytearray(saved_bytes())
    data[600:608] = b"\xff" * 8  # inside the weight array
    (tmp_path / "flipped.npz").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="truncated or corrupted"):
        mg.load(tmp_path / "flipped.npz")


def test_a_failed_load_leaves_the_model_unchanged(tmp_path):
    model, _, _, _ = trained_model_and_optimizer(steps=1)
    before = model.state_dict()
    (tmp_path / "cut.npz").write_bytes(saved_bytes()[:500])
    with pytest.raises(ValueError):
        model.load_state_dict(mg.load(tmp_path / "cut.npz"))
    assert_same_state(model.state_dict(), before)


def test_save_refuses_what_it_cannot_store_as_numbers(tmp_path):
    with pytest.raises(TypeError, match=r"'meta.name' \(state\['meta'\]\['name'\]\) is a str"):
        mg.save({"meta": {"name": "model"}}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="expected a state dict"):
        mg.save([np.ones(2)], tmp_path / "x.npz")
    assert not (tmp_path / "x.npz").exists()


def test_optimizer_refuses_a_model_state_file(tmp_path):
    model, _, _, _ = trained_model_and_optimizer(steps=1)
    mg.save(model.state_dict(), tmp_path / "model.npz")
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="unexpected keys \\['layers'\\]"):
        opt.load_state_dict(mg.load(tmp_path / "model.npz"))


def test_an_archive_member_that_is_not_an_array_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "odd.npz", "w") as archive:
        archive.writestr("weight.npy", b"not an npy header")
    with pytest.raises(ValueError, match="entry 'weight' is not a readable .npy array"):
        mg.load(tmp_path / "odd.npz")
