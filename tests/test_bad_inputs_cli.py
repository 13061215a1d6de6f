"""The ``minigrad`` command at its edges: every bad flag of ``minigrad draw`` and of every demo is
one line on stderr naming the flag and the value, with exit status 2; a failure to write is one
line with status 1; never a traceback, and nothing is written before the flags are checked."""

import errno
import subprocess
import sys

import pytest

from minigrad import cli, viz
from minigrad.demos import micrograd
from minigrad.viz.examples import mlp


def run(argv):
    """cli.main's exit status: its return value, or the SystemExit argparse raises."""
    try:
        return cli.main(argv)
    except SystemExit as exit_:
        return exit_.code


def one_line(capsys):
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    return lines[0]


# ---------------------------------------------------------------- minigrad draw: bad flags, status 2


@pytest.mark.parametrize(
    "flags, message",
    [
        (["mlp", "--depth", "-1"], "minigrad draw: --depth must be an integer >= 1, got -1"),
        (["mlp", "--depth", "0"], "minigrad draw: --depth must be an integer >= 1, got 0"),
        (["mlp", "--depth", "two"], "minigrad draw: argument --depth: invalid int value: 'two'"),
        (["mlp", "--width", "-3"], "minigrad draw: --width must be an integer >= 1, got -3"),
        (["mlp", "--width", "1.5"], "minigrad draw: argument --width: invalid int value: '1.5'"),
        (["mlp", "--dead", "-1"], "minigrad draw: --dead must be an integer >= 0 and <= 8, got -1"),
        (["mlp", "--dead", "9"], "minigrad draw: --dead must be an integer >= 0 and <= 8, got 9"),
        (["mlp", "--width", "4", "--dead", "5"], "minigrad draw: --dead must be an integer >= 0 and <= 4, got 5"),
        (["mlp", "--threshold", "nan"], "minigrad draw: --threshold must be a finite number > 0 and < 1, got nan"),
        (["mlp", "--threshold", "inf"], "minigrad draw: --threshold must be a finite number > 0 and < 1, got inf"),
        (["mlp", "--threshold", "0"], "minigrad draw: --threshold must be a finite number > 0 and < 1, got 0.0"),
        (["mlp", "--threshold=-1e-6"], "minigrad draw: --threshold must be a finite number > 0 and < 1, got -1e-06"),
        (["mlp", "--threshold", "2"], "minigrad draw: --threshold must be a finite number > 0 and < 1, got 2.0"),
        (["mlp", "--threshold", "low"], "minigrad draw: argument --threshold: invalid float value: 'low'"),
        (["mlp", "--max-nodes", "0"], "minigrad draw: --max-nodes must be an integer >= 1, got 0"),
        (["mlp", "--max-nodes", "many"], "minigrad draw: argument --max-nodes: invalid int value: 'many'"),
        (["mlp", "--activation", "swish"], "minigrad draw: argument --activation: invalid choice: 'swish'"),
        (["mlp", "--init", "zeros"], "minigrad draw: argument --init: invalid choice: 'zeros'"),
        (["mlp", "--mode", "nodes"], "minigrad draw: argument --mode: invalid choice: 'nodes'"),
        (["tree"], "minigrad draw: argument example: invalid choice: 'tree'"),
        ([], "minigrad draw: the following arguments are required: example"),
        (["neuron", "--depth", "4"], "minigrad draw: --depth applies to the mlp example only, not to neuron"),
        (
            ["flags", "--activation", "tanh"],
            "minigrad draw: --activation applies to the mlp example only, not to flags",
        ),
        (["neuron", "--mode", "layers"], "minigrad draw: --mode layers needs the mlp example"),
        (["neuron", "-o", "{tmp}/neuron.txt"], "minigrad draw: -o/--output must be a file name ending in .svg, .png"),
        (
            ["neuron", "--output", ""],
            "minigrad draw: -o/--output must be a file name ending in .svg, .png or .pdf, got ''",
        ),
        (["neuron", "--bogus"], "minigrad: unrecognized arguments: --bogus"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_a_bad_draw_flag_is_one_line_naming_it_and_exit_status_2_writing_nothing(
    tmp_path, monkeypatch, capsys, flags, message
):
    monkeypatch.chdir(tmp_path)  # where the default picture would go
    flags = [flag.format(tmp=tmp_path) for flag in flags]
    assert run(["draw", *flags]) == 2
    assert one_line(capsys).startswith(message)
    assert list(tmp_path.iterdir()) == []


def test_draw_takes_max_nodes_and_names_the_flags_that_draw_a_bigger_graph(tmp_path, capsys):
    assert run(["draw", "mlp", "--depth", "2", "--mode", "ops", "--max-nodes", "10", "-o", f"{tmp_path}/a.svg"]) == 1
    line = one_line(capsys)
    assert "more than max_nodes=10" in line and line.endswith("Here: --mode layers, or --max-nodes N.")
    assert run(["draw", "mlp", "--depth", "2", "--mode", "ops", "--max-nodes", "100", "-o", f"{tmp_path}/a.svg"]) == 0
    assert (tmp_path / "a.svg").exists()


# ---------------------------------------------------------------- every demo: bad flags, status 2

DEMOS = cli.available_demos()


@pytest.mark.parametrize("name", DEMOS)
@pytest.mark.parametrize(
    "flags, message",
    [
        (["--seed", "-1"], "--seed must be an integer >= 0, got -1"),
        (["--seed", "1.5"], "argument --seed: invalid int value: '1.5'"),
        (["--seed", "one"], "argument --seed: invalid int value: 'one'"),
        (["--seed"], "argument --seed: expected one argument"),
        (["--out", ""], "--out must name a folder, got ''"),
        (["--quick=yes"], "argument --quick: ignored explicit argument 'yes'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_a_bad_demo_flag_is_one_line_naming_it_and_exit_status_2_writing_nothing(
    tmp_path, monkeypatch, capsys, name, flags, message
):
    monkeypatch.chdir(tmp_path)  # where the default --out would go
    assert run(["demo", name, "--quick", *flags]) == 2
    assert one_line(capsys) == f"minigrad demo {name}: {message}"
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_demo_or_command_is_one_line_and_exit_status_2(capsys):
    assert run(["demo", "nope"]) == 2
    assert one_line(capsys).startswith("minigrad: no demo named 'nope'; choose one of: activations, all,")
    assert run([]) == 2
    assert one_line(capsys) == "minigrad: the following arguments are required: command"
    assert run(["paint"]) == 2
    assert one_line(capsys).startswith("minigrad: argument command: invalid choice: 'paint'")


# ---------------------------------------------------------------- failures to write: status 1


@pytest.fixture
def a_file(tmp_path):
    (tmp_path / "a_file").write_text("in the way")
    return tmp_path / "a_file"


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["draw", "neuron", "-o", "{file}/neuron.svg"],
            "minigrad draw: cannot write -o/--output '{file}/neuron.svg': ",
        ),
        (
            ["demo", "micrograd", "--out", "{file}"],
            "minigrad demo micrograd: cannot write to --out '{file}': File exists",
        ),
        (
            ["demo", "micrograd", "--out", "{file}/out"],
            "minigrad demo micrograd: cannot write to --out '{file}/out': Not a directory",
        ),
        (["demo", "all", "--out", "{file}"], "minigrad demo all: cannot write to --out '{file}': File exists"),
    ],
    ids=["draw -o under a file", "demo --out a file", "demo --out under a file", "all --out a file"],
)
def test_an_output_that_cannot_be_written_is_one_line_naming_the_flag_and_exit_status_1(a_file, capsys, argv, message):
    assert run([arg.format(file=a_file) for arg in argv]) == 1
    assert one_line(capsys).startswith(message.format(file=a_file))
    assert a_file.read_text() == "in the way"


def test_a_demo_that_fails_to_write_midway_is_one_line_and_exit_status_1(monkeypatch, capsys):
    def full_disk(argv):
        raise OSError(errno.ENOSPC, "No space left on device", "out/index.html")

    monkeypatch.setattr(micrograd, "main", full_disk)
    assert run(["demo", "micrograd"]) == 1
    assert (
        one_line(capsys)
        == "minigrad demo micrograd: could not write out/index.html (No space left on device); see --out"
    )


def test_dot_failing_or_missing_is_one_line_and_exit_status_1(tmp_path, monkeypatch, capsys):
    def dot_fails(*args, **kwargs):
        raise RuntimeError("render_graph: dot failed on neuron.dot (exit 1): Error: syntax\nin line 3")

    monkeypatch.setattr(viz, "render_graph", dot_fails)
    assert run(["draw", "neuron", "-o", f"{tmp_path}/neuron.svg"]) == 1
    assert one_line(capsys) == "minigrad draw: render_graph: dot failed on neuron.dot (exit 1): Error: syntax in line 3"


# ---------------------------------------------------------------- as a program: no traceback


@pytest.mark.parametrize(
    "argv, status, message",
    [
        (["demo", "vanishing", "--seed", "-1"], 2, "minigrad demo vanishing: --seed must be an integer >= 0, got -1\n"),
        (["draw", "neuron", "-o", "{file}/x.svg"], 1, "minigrad draw: cannot write -o/--output '{file}/x.svg': "),
    ],
    ids=["bad flag", "unwritable output"],
)
def test_python_dash_m_minigrad_prints_no_traceback(a_file, argv, status, message):
    argv = [arg.format(file=a_file) for arg in argv]
    done = subprocess.run([sys.executable, "-m", "minigrad", *argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == status and done.stdout == ""
    assert done.stderr.startswith(message.format(file=a_file)) and done.stderr.count("\n") == 1


# ---------------------------------------------------------------- the examples minigrad draw draws


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        ({"depth": -1}, ValueError, "mlp: depth must be an integer >= 1, got -1"),
        ({"depth": 2.0}, TypeError, "mlp: depth must be an integer >= 1, got float 2.0"),
        ({"width": 0}, ValueError, "mlp: width must be an integer >= 1, got 0"),
        ({"width": 4, "dead": 5}, ValueError, "mlp: dead must be an integer >= 0 and <= 4, got 5"),
        ({"dead": -1}, ValueError, "mlp: dead must be an integer >= 0 and <= 8, got -1"),
        ({"batch": 0}, ValueError, "mlp: batch must be an integer >= 1, got 0"),
        ({"seed": -1}, ValueError, "mlp: seed must be an integer >= 0, got -1"),
        ({"activation": "swish"}, ValueError, "MLP: unknown activation 'swish'"),
        ({"init": "zeros"}, ValueError, "MLP: unknown init 'zeros'"),
    ],
    ids=lambda value: ",".join(f"{k}={v!r}" for k, v in value.items()) if isinstance(value, dict) else None,
)
def test_the_mlp_example_refuses_a_bad_argument_by_name(arguments, error, message):
    with pytest.raises(error) as raised:
        mlp(**arguments)
    assert str(raised.value).startswith(message)
