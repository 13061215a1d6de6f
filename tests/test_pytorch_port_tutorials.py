"""Tutorial-style PyTorch code ports by renaming the import: the scripts in tests/pytorch_scripts/
(a makemore-style character MLP, PyTorch's beginner quickstart shape, micrograd's moons demo at
tensor level) run on minigrad with `torch` renamed to `minigrad` and nothing else changed, and,
with torch installed, print what they print on PyTorch, up to floating-point noise (the same starting
weights; float64 on both sides, except the quickstart, whose PyTorch model is float32 as
PyTorch's default; what depends on the random generator is not printed, or only its form)."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parent / "pytorch_scripts"
NAMES = SCRIPTS / "names.txt"


def renamed(source: str) -> str:
    """The port: every `torch` becomes `minigrad`, nothing else."""
    return re.sub(r"\btorch\b", "minigrad", source)


def vocabulary() -> int:
    return len(set(NAMES.read_text().replace("\n", "").replace(" ", ""))) + 1


def write_makemore(path: Path) -> list[str]:
    rng = np.random.default_rng(1)
    vocab, n_embd, n_hidden, block = vocabulary(), 10, 64, 3
    n_train = sum(len(w) + 1 for w in NAMES.read_text().split()[: int(0.9 * len(NAMES.read_text().split()))])
    np.savez(
        path,
        C=rng.normal(size=(vocab, n_embd)),
        W1=rng.normal(size=(n_embd * block, n_hidden)),
        W2=rng.normal(size=(n_hidden, vocab)),
        b2=rng.normal(size=vocab),
        batches=rng.integers(0, n_train, size=(60, 32)),
    )
    return [str(NAMES), str(path)]


def write_quickstart(path: Path) -> list[str]:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 8))
    y = (X[:, :3].sum(axis=1) > 0).astype(int) + (X[:, 3] > 0.5).astype(int)
    weights = {
        "linear_relu_stack.0.weight": rng.uniform(-0.3, 0.3, (32, 8)),
        "linear_relu_stack.0.bias": rng.uniform(-0.3, 0.3, 32),
        "linear_relu_stack.2.weight": rng.uniform(-0.2, 0.2, (32, 32)),
        "linear_relu_stack.2.bias": rng.uniform(-0.2, 0.2, 32),
        "linear_relu_stack.4.weight": rng.uniform(-0.2, 0.2, (3, 32)),
        "linear_relu_stack.4.bias": rng.uniform(-0.2, 0.2, 3),
    }
    np.savez(path, X=X, y=y, **weights)
    return [str(path)]


def write_moons(path: Path) -> list[str]:
    rng = np.random.default_rng(3)
    t = rng.uniform(0, np.pi, 100)
    upper = rng.random(100) < 0.5
    X = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    X = X + rng.normal(scale=0.1, size=X.shape)
    np.savez(
        path,
        X=X,
        y=np.where(upper, 1.0, -1.0),
        W1=rng.uniform(-1, 1, (2, 16)),
        b1=np.zeros(16),
        W2=rng.uniform(-1, 1, (16, 16)) / 4,
        b2=np.zeros(16),
        W3=rng.uniform(-1, 1, (16, 1)) / 4,
        b3=np.zeros(1),
    )
    return [str(path)]


WRITERS = {"makemore_mlp.py": write_makemore, "quickstart.py": write_quickstart, "moons.py": write_moons}
# how closely the numbers agree: float64 against float64, or (the quickstart) against torch's float32
RELATIVE = {"makemore_mlp.py": 1e-7, "quickstart.py": 1e-4, "moons.py": 1e-7}


def run(script: Path, args: list[str]) -> list[str]:
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def ported(script: str, tmp_path: Path) -> Path:
    path = tmp_path / script
    path.write_text(renamed((SCRIPTS / script).read_text()))
    return path


def same_up_to_noise(ours: list[str], theirs: list[str], rel: float) -> bool:
    """Equal token by token: numbers to ``rel`` relative, the rest exactly."""
    if len(ours) != len(theirs):
        return False
    for a, b in zip(ours, theirs):
        try:
            x, y = float(a), float(b)
        except ValueError:
            if a != b:
                return False
        else:
            if x != pytest.approx(y, rel=rel, abs=1e-9):
                return False
    return True


@pytest.mark.parametrize("script", sorted(WRITERS))
def test_the_rename_is_the_only_change(script):
    source = (SCRIPTS / script).read_text()
    lines, port = source.splitlines(), renamed(source).splitlines()
    changed = {number for number, (a, b) in enumerate(zip(lines, port)) if a != b}
    assert len(lines) == len(port)
    assert changed == {number for number, line in enumerate(lines) if re.search(r"\btorch\b", line)}


@pytest.mark.parametrize("script", sorted(WRITERS))
def test_a_tutorial_script_runs_on_minigrad_after_the_rename(script, tmp_path):
    args = WRITERS[script](tmp_path / "data.npz")
    printed = run(ported(script, tmp_path), args)
    assert printed and all(token != "nan" for token in printed)


@pytest.mark.parametrize("script", sorted(WRITERS))
def test_it_prints_what_it_prints_on_pytorch(script, tmp_path):
    pytest.importorskip("torch")
    args = WRITERS[script](tmp_path / "data.npz")
    on_torch = run(SCRIPTS / script, args)
    on_minigrad = run(ported(script, tmp_path), args)
    assert same_up_to_noise(on_minigrad, on_torch, RELATIVE[script]), f"\nminigrad: {on_minigrad}\ntorch:    {on_torch}"


def test_the_comparison_tells_a_changed_number_or_word():
    printed = ["loss", "0.5", "[16/160]"]
    assert same_up_to_noise(printed, ["loss", "0.50000001", "[16/160]"], 1e-7)
    assert not same_up_to_noise(printed, ["loss", "0.5001", "[16/160]"], 1e-7)
    assert not same_up_to_noise(printed, ["loss", "0.5", "[17/160]"], 1e-7)
    assert not same_up_to_noise(printed, printed[:2], 1e-7)
