"""The vanishing and dying-ReLU demos' runs on digits: their claims hold on their own measured numbers
(quick mode), and docs/demos.md shows the numbers of the run that wrote docs/demo-output/."""

import json
from pathlib import Path

import pytest

from minigrad.demos import digits
from minigrad.demos.dying_relu import ACTIVATIONS
from minigrad.demos.harness import DemoRun

pytest.importorskip("sklearn")
DOCS = Path(__file__).resolve().parent.parent / "docs"
ALTERNATIVES = ("leaky relu", "prelu", "elu", "gelu")


@pytest.fixture(scope="module")
def vanishing(tmp_path_factory):
    demo = DemoRun("vanishing", "Vanishing\n", ["--quick", "--out", str(tmp_path_factory.mktemp("vanishing"))])
    return demo, digits.vanishing_section(demo)


@pytest.fixture(scope="module")
def dying(tmp_path_factory):
    demo = DemoRun("dying-relu", "Dying\n", ["--quick", "--out", str(tmp_path_factory.mktemp("dying"))])
    return demo, digits.dying_relu_section(demo, ACTIVATIONS)


def test_the_deep_sigmoid_mlp_gets_a_vanishing_share_of_the_gradient_on_digits_and_the_fixes_do_not(vanishing):
    runs = vanishing[1]["runs"]
    sigmoid = runs[f"sigmoid, {digits.DEPTH} hidden layers"]
    assert len(sigmoid["weights"]) == digits.DEPTH + 1 and len(runs[digits.CNN_NAME]["weights"]) == 3
    for name, r in runs.items():
        if r is not sigmoid:
            assert sigmoid["ratio"] < 1e-6 * r["ratio"], name
            assert r["ratio"] > 1e-3, name


def test_the_vanishing_section_shows_its_picture_table_and_numbers(vanishing):
    demo, results = vanishing
    summary = demo.markdown()
    assert "![digits_gradient_flow.png](digits_gradient_flow.png)" in summary
    assert digits.vanishing_text(results) in summary and digits.vanishing_table(results["runs"]).markdown() in summary
    assert (demo.out / "digits_gradient_flow.png").stat().st_size > 0


def test_biases_at_minus_one_kill_every_relu_channel_and_unit_but_none_of_the_alternatives(dying):
    runs = dying[1]["runs"][f"biases at {digits.BAD_BIAS:g}"]
    assert runs["relu"]["history"][0]["dead"] == runs["relu"]["final"]["dead"] == [1.0, 1.0, 1.0]
    for activation in ALTERNATIVES:
        assert all(h["dead"] == [0.0, 0.0, 0.0] for h in runs[activation]["history"]), activation


def test_a_too_high_learning_rate_kills_relu_channels_but_none_of_the_alternatives(dying):
    runs = dying[1]["runs"][f"lr {digits.HIGH_LR:g} for 1 epoch"]
    before, after = runs["relu"]["history"][0]["dead_count"], runs["relu"]["final"]["dead_count"]
    assert sum(after[:2]) > sum(before[:2]), (before, after)  # channels of the two convolutions
    for activation in ALTERNATIVES:
        assert runs[activation]["final"]["dead"] == [0.0, 0.0, 0.0], activation


def test_the_dying_section_shows_its_picture_table_and_numbers(dying):
    demo, results = dying
    summary = demo.markdown()
    assert "![digits_dead_channels.png](digits_dead_channels.png)" in summary
    assert digits.dying_text(results) in summary and digits.dying_table(results["runs"]).markdown() in summary


@pytest.mark.parametrize(
    "demo, text, table",
    [
        ("vanishing", digits.vanishing_text, digits.vanishing_table),
        ("dying-relu", digits.dying_text, digits.dying_table),
    ],
)
def test_docs_demos_md_shows_the_digits_numbers_of_the_run_in_docs_demo_output(demo, text, table):
    results = json.loads((DOCS / "demo-output" / demo / "results.json").read_text(encoding="utf-8"))["digits"]
    shown = (DOCS / "demos.md").read_text(encoding="utf-8")
    assert text(results) in shown and table(results["runs"]).markdown() in shown
