"""PyTorch code ports by renaming the import: a typical training script (tests/pytorch_scripts/)
runs on minigrad with `torch` renamed to `minigrad` and nothing else changed, and prints what it
prints on PyTorch, up to floating-point noise (PyTorch computes in float32 here, minigrad's
parameters are float64)."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parent / "pytorch_scripts"


def renamed(source: str) -> str:
    """The port: every `torch` becomes `minigrad`, nothing else."""
    return re.sub(r"\btorch\b", "minigrad", source)


def write_data(path: Path) -> None:
    """Three classes of points in 4-d and the network's starting weights, the same for both runs."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    weights = {
        "fc1.weight": rng.uniform(-0.5, 0.5, (16, 4)),
        "fc1.bias": rng.uniform(-0.5, 0.5, 16),
        "fc2.weight": rng.uniform(-0.25, 0.25, (3, 16)),
        "fc2.bias": rng.uniform(-0.25, 0.25, 3),
    }
    np.savez(path, X=X, y=y, **weights)


def run(script: Path, data: Path, checkpoint: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(script), str(data), str(checkpoint)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_rename_changes_only_the_lines_that_name_torch():
    source = (SCRIPTS / "train_classifier.py").read_text()
    lines, ported = source.splitlines(), renamed(source).splitlines()
    changed = {number for number, (a, b) in enumerate(zip(lines, ported)) if a != b}
    assert len(lines) == len(ported)
    assert changed == {number for number, line in enumerate(lines) if re.search(r"\btorch\b", line)}


def test_a_pytorch_training_script_runs_on_minigrad_after_the_rename(tmp_path):
    write_data(tmp_path / "data.npz")
    ported = tmp_path / "train_classifier.py"
    ported.write_text(renamed((SCRIPTS / "train_classifier.py").read_text()))
    loss, accuracy, same = run(ported, tmp_path / "data.npz", tmp_path / "model.pt")
    assert same == "True" and float(accuracy) > 0.9 and float(loss) < 0.3


def test_it_prints_what_it_prints_on_pytorch(tmp_path):
    pytest.importorskip("torch")
    write_data(tmp_path / "data.npz")
    ported = tmp_path / "train_classifier.py"
    ported.write_text(renamed((SCRIPTS / "train_classifier.py").read_text()))
    on_torch = run(SCRIPTS / "train_classifier.py", tmp_path / "data.npz", tmp_path / "torch.pt")
    on_minigrad = run(ported, tmp_path / "data.npz", tmp_path / "minigrad.pt")
    assert on_minigrad[1:] == on_torch[1:]
    assert float(on_minigrad[0]) == pytest.approx(float(on_torch[0]), rel=1e-4)
