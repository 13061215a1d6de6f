"""``minigrad explore EXAMPLE -o FILE.html``: the page of each example, and its bad flags (one line,
exit status 2, nothing written)."""

import json
import re

import pytest
from test_bad_inputs_cli import run


def steps_of(path):
    text = path.read_text(encoding="utf-8")
    data = re.search(r'<script id="steps" type="application/json">(.*?)</script>', text, re.S).group(1)
    return json.loads(data.replace("<\\/", "</"))


@pytest.mark.parametrize(
    "flags, steps",
    [(["neuron"], 11), (["flags"], 20), (["mlp", "--depth", "2", "--width", "3", "--dead", "1"], None)],
)
def test_explore_writes_the_page_of_an_example(tmp_path, capsys, flags, steps):
    page = tmp_path / f"{flags[0]}.html"
    assert run(["explore", *flags, "-o", str(page)]) == 0
    assert capsys.readouterr().out == f"wrote {page}\n"
    records = steps_of(page)
    assert records[0]["key"] == "" and records[1]["key"] == "v0"
    assert steps is None or len(records) == steps


def test_explore_past_max_nodes_steps_by_module_call(tmp_path, capsys):
    page = tmp_path / "mlp.html"
    assert run(["explore", "mlp", "--max-nodes", "20", "-o", str(page)]) == 0
    assert [r["key"] for r in steps_of(page) if r["key"].startswith("L")] == [f"L{i}" for i in range(7)]


def test_explore_writes_example_html_by_default(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["explore", "neuron"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["neuron.html"]


@pytest.mark.parametrize(
    "flags, message",
    [
        (
            ["neuron", "-o", "neuron.svg"],
            "minigrad explore: -o/--output must be a file name ending in .html, got 'neuron.svg'",
        ),
        (["neuron", "--depth", "4"], "minigrad explore: --depth applies to the mlp example only, not to neuron"),
        (["neuron", "--mode", "layers"], "minigrad explore: --mode layers needs the mlp example"),
        (["mlp", "--threshold", "2"], "minigrad explore: --threshold must be a finite number > 0 and < 1, got 2.0"),
        (["mlp", "--max-nodes", "0"], "minigrad explore: --max-nodes must be an integer >= 1, got 0"),
        (["tree"], "minigrad explore: argument example: invalid choice: 'tree'"),
    ],
)
def test_a_bad_explore_flag_is_one_line_and_exit_status_2_writing_nothing(
    tmp_path, monkeypatch, capsys, flags, message
):
    monkeypatch.chdir(tmp_path)
    assert run(["explore", *flags]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1 and captured.err.startswith(message)
    assert list(tmp_path.iterdir()) == []


def test_a_graph_too_big_is_one_line_and_exit_status_1(tmp_path, capsys):
    assert run(["explore", "mlp", "--mode", "ops", "--max-nodes", "10", "-o", str(tmp_path / "a.html")]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "more than max_nodes=10" in err
    assert list(tmp_path.iterdir()) == []


def test_a_page_that_cannot_be_written_is_one_line_and_exit_status_1(tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")
    assert run(["explore", "neuron", "-o", str(tmp_path / "file" / "neuron.html")]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("minigrad explore: cannot write -o/--output")
