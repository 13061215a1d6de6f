"""`python -m benchmarks --compare-with REV`: two minigrads side by side, each in processes of its
own. One end-to-end run on a tiny setting (about 10-20 s: two workers start and import their
engines); the rest checks the report's arithmetic on made-up rows and the worker's choice of tree.
No timing is asserted."""

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from benchmarks import compare_report, engines, measure, run, trees, workloads

ROOT = Path(__file__).resolve().parent.parent
HAS_TORCH = importlib.util.find_spec("torch") is not None
in_git = pytest.mark.skipif(
    subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode != 0,
    reason="needs a git checkout (the comparison exports a revision's minigrad/)",
)


def table_rows(text: str, heading: str) -> list:
    """The body rows (lists of cells) of the first Markdown table under ``## heading...``."""
    section = text.split("\n## " + heading, 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split(" | ") for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row] for row in rows[1:]]


@in_git
def test_comparison_runs_both_trees_end_to_end_and_writes_the_report(tmp_path):
    out = tmp_path / "compare.md"
    command = [sys.executable, "-m", "benchmarks", "--compare-with", "HEAD", "--quick", "--repeats", "2"]
    command += ["--only", "W1,W4", "--chain-lengths", "100", "--out", str(out)]
    # NOTE: the timeout only guards against a hung worker; no speed is asserted.
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert text in done.stdout

    before = next(line for line in text.splitlines() if line.startswith("- before: "))
    after = next(line for line in text.splitlines() if line.startswith("- after: "))
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    assert before.startswith(f"- before: {head.stdout.strip()} (")
    before_file = Path(before.split("minigrad imported from ")[1])
    assert before_file.name == "__init__.py" and before_file.parent.name == "minigrad"
    assert before_file.parent.parent.name.startswith("minigrad-HEAD-")  # the export, not this checkout
    assert not before_file.parent.parent.exists()  # removed after the run
    assert after.endswith(f"minigrad imported from {ROOT / 'minigrad' / '__init__.py'}")

    w1 = {row[0]: row for row in table_rows(text, "W1 moons")}
    assert {"numpy (by hand)", "minigrad"} <= set(w1)
    for row in w1.values():  # per step and × NumPy for both trees, and both changes
        assert row[1].endswith("us") or row[1].endswith("ms")
        assert row[3].endswith("us") or row[3].endswith("ms")
        assert row[2].endswith("x") and row[4].endswith("x") and row[5].endswith("%") and row[6].endswith("%")
    assert w1["numpy (by hand)"][2] == w1["numpy (by hand)"][4] == "1.00x"

    (w4,) = table_rows(text, "W4 scalar chain")
    assert w4[0] == "100" and w4[1].endswith("us") and w4[2].endswith("us") and w4[3].endswith("%")
    criteria = text.split("## Issue 13's criteria", 1)[1]
    assert "W1: minigrad " in criteria and "(target: at most +10 %)" in criteria
    if HAS_TORCH:
        assert w4[4].endswith("us") and w4[5].endswith("us") and w4[6].endswith("x")
        assert "W4 N=100: minigrad after" in criteria
    else:
        assert w4[4:] == ["-", "-", "-"]
        assert "- NOT CHECKED: W4 N=100: pytorch not measured" in criteria


def w1_rows(seconds: dict) -> list:
    """Rows as compare.training_step returns them, from {(tree, engine): seconds}."""
    return [{"tree": tree, "engine": engine, "seconds": s} for (tree, engine), s in seconds.items()]


def test_each_tree_is_divided_by_its_own_numpy_baseline():
    rows = w1_rows(
        {
            ("before", "numpy (by hand)"): 100e-6,
            ("after", "numpy (by hand)"): 200e-6,
            ("before", "minigrad"): 300e-6,
            ("after", "minigrad"): 600e-6,
        }
    )
    numpy, minigrad = compare_report.training_table(rows)[2:]
    assert numpy == "| numpy (by hand) | 100.0 us | 1.00x | 200.0 us | 1.00x | +100.0 % | +0.0 % |"
    assert minigrad == "| minigrad | 300.0 us | 3.00x | 600.0 us | 3.00x | +100.0 % | +0.0 % |"


@pytest.mark.parametrize("after, verdict", [(3.27, "MET"), (3.33, "MISSED")])
def test_a_ratio_more_than_ten_percent_above_before_is_missed(after, verdict):
    rows = w1_rows(
        {
            ("before", "numpy (by hand)"): 1.0,
            ("after", "numpy (by hand)"): 1.0,
            ("before", "minigrad"): 3.0,
            ("after", "minigrad"): after,
        }
    )
    (line,) = compare_report.checks({"W3": rows})
    assert line.startswith(f"- {verdict}: W3: minigrad 3.00x NumPy before, {after:.2f}x after")


def test_w1_after_must_be_ahead_of_pytorch_and_mygrad_in_the_same_worker():
    rows = w1_rows(
        {
            ("before", "numpy (by hand)"): 1.0,
            ("after", "numpy (by hand)"): 1.0,
            ("before", "minigrad"): 3.0,
            ("after", "minigrad"): 3.0,
            ("before", "pytorch"): 2.0,  # the before worker's PyTorch does not count
            ("after", "pytorch"): 4.0,
            ("after", "mygrad"): 2.5,
        }
    )
    lines = compare_report.checks({"W1": rows})
    assert any(line.startswith("- MET: W1 after: minigrad 3.00 s per step, pytorch 4.00 s") for line in lines)
    assert any(line.startswith("- MISSED: W1 after: minigrad 3.00 s per step, mygrad 2.50 s") for line in lines)


def test_w4_compares_the_after_minigrad_with_pytorch_at_each_length():
    rows = [
        {"tree": tree, "engine": engine, "n": n, "seconds": s}
        for tree, engine, n, s in [
            ("before", "minigrad", 1000, 8e-6),
            ("after", "minigrad", 1000, 5e-6),
            ("after", "pytorch", 1000, 6e-6),
            ("before", "minigrad", 10000, 8e-6),
            ("after", "minigrad", 10000, 7e-6),
            ("after", "pytorch", 10000, 6e-6),
        ]
    ]
    table = compare_report.chain_table(rows)
    assert table[2] == "| 1,000 | 8.0 us | 5.0 us | -37.5 % | - | 6.0 us | 0.83x |"
    assert compare_report.checks({"W4": rows}) == [
        "- MET: W4 N=1,000: minigrad after 5.0 us per op, PyTorch 6.0 us in the same worker (target <= PyTorch)",
        "- MISSED: W4 N=10,000: minigrad after 7.0 us per op, PyTorch 6.0 us in the same worker (target <= PyTorch)",
    ]


def test_w2_is_checked_per_dtype_and_malloc_against_one_numpy_run_for_both_trees():
    rows = []
    for dtype, mine in (("float64", 1.05), ("float32", 1.25)):
        config = {"dtype": dtype, "malloc": "default", "peak": 2**20}
        rows.append({"engine": "numpy (by hand)", "seconds": 2.0, **config})  # no tree: both trees'
        rows.append({"tree": "before", "engine": "minigrad", "seconds": 2.0, **config})
        rows.append({"tree": "after", "engine": "minigrad", "seconds": 2.0 * mine, **config})
    assert [line.split(":")[0] for line in compare_report.checks({"W2": rows})] == ["- MET", "- MISSED"]
    table = compare_report.medium_table(rows)
    numpy = "| float32 | default | numpy (by hand) | 2.00 s | 1.00x | 2.00 s | 1.00x | +0.0 % | +0.0 % | 1.0 MiB | 1.0 MiB |"
    minigrad = (
        "| float32 | default | minigrad | 2.00 s | 1.00x | 2.50 s | 1.25x | +25.0 % | +25.0 % | 1.0 MiB | 1.0 MiB |"
    )
    assert numpy in table and minigrad in table


@in_git
def test_w2_runs_minigrad_once_per_tree_and_the_other_engines_once(monkeypatch):
    calls = []

    def fake_worker(options, env_extra):
        calls.append((options["engine"], options.get("minigrad_from")))
        return {"seconds": 1.0, "peak": None}

    monkeypatch.setattr(workloads, "_run_worker", fake_worker)
    available = engines.available(["numpy (by hand)", "minigrad"])
    with trees.exported("HEAD") as before:
        rows = workloads.medium_network(available, 1, 2, {"default": 1}, 1, trees=(before, trees.current()))
    per_config = [("numpy (by hand)", None), ("minigrad", before.path), ("minigrad", str(ROOT))]
    assert sorted(calls, key=str) == sorted(per_config * 2 * 4, key=str)  # 2 rounds of 4 (dtype, malloc)
    assert [(r["engine"], r.get("tree")) for r in rows[:3]] == [
        ("numpy (by hand)", None),
        ("minigrad", "before"),
        ("minigrad", "after"),
    ]


def test_measurement_rounds_start_one_further_along_each_time():
    order = []
    samplers = {name: (lambda name=name: order.append(name) or 1.0) for name in "abc"}
    assert measure.interleaved_medians(samplers, 4) == {"a": 1.0, "b": 1.0, "c": 1.0}
    assert "".join(order) == "abc" + "bca" + "cab" + "abc"


@in_git
def test_a_revision_s_minigrad_is_exported_and_removed_afterwards():
    committed = subprocess.run(
        ["git", "-C", str(ROOT), "show", "HEAD:minigrad/__init__.py"], capture_output=True, text=True, check=True
    ).stdout
    with trees.exported("HEAD") as tree:
        assert tree.label == "before"
        assert (Path(tree.path) / "minigrad" / "__init__.py").read_text() == committed
        assert not (Path(tree.path) / "tests").exists()  # only the package
    assert not Path(tree.path).exists()


@in_git
def test_the_w2_worker_imports_minigrad_from_the_tree_it_is_given():
    options = {"workload": "W2", "engine": "minigrad", "dtype": "float32", "threads": 1, "steps": 1, "repeats": 1}
    with trees.exported("HEAD") as tree:
        result = workloads._run_worker({**options, "minigrad_from": tree.path}, {})
    assert result["minigrad"] == str(Path(tree.path).resolve() / "minigrad" / "__init__.py")
    with tempfile.TemporaryDirectory() as empty:  # no minigrad/ there: the checkout's would be imported
        refused = workloads._run_worker({**options, "minigrad_from": empty}, {})
    assert refused["error"].startswith(f"RuntimeError: minigrad_from {empty}: minigrad was imported from ")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--compare-with", "no-such-revision-here"], "'no-such-revision-here' is not a commit"),
        (["--compare-with", "HEAD", "--only", "W5"], "unknown workloads ['W5']"),
        (["--compare-with", "HEAD", "--chain-lengths", "1e3"], "--chain-lengths"),
        (["--chain-lengths", "1000"], "--chain-lengths goes with --compare-with"),
    ],
)
def test_the_command_refuses_what_it_cannot_compare(argv, message, monkeypatch, capsys):
    for name in measure.OPENBLAS_OVERRIDES:  # or the runner would re-execute itself without them
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as exit_:
        run.main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
