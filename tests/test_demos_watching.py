"""The demos' watch sections: their claims hold on the numbers of a quick run, and docs/demos.md and
the README show the numbers and pictures of the committed full run (docs/demo-output)."""

import json
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from minigrad.demos import dying_relu, vanishing  # noqa: E402
from minigrad.report import number, percent  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "demo-output"


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("watching")
    return {
        "vanishing": vanishing.main(["--quick", "--out", str(out / "vanishing")]),
        "dying": dying_relu.main(["--quick", "--out", str(out / "dying")]),
        "out": out,
    }


def test_at_the_start_the_first_sigmoid_layer_barely_moves_while_relu_and_residual_layers_move_alike(quick):
    ratios = quick["vanishing"]["update_ratios"]["variants"]
    sigmoid, relu, fixed = ratios["sigmoid"], ratios["relu, He init"], ratios["sigmoid + residual + layernorm"]
    assert sigmoid["start"][0] < sigmoid["start"][1] - 4  # ten thousand times less movement at the first layer
    assert abs(relu["start"][0] - relu["start"][1]) < 1.5 and abs(fixed["start"][0] - fixed["start"][1]) < 2.5
    assert (quick["out"] / "vanishing" / "update_ratios.png").stat().st_size > 10_000


def test_relu_activations_collapse_onto_zero_at_a_too_high_rate_and_leaky_relu_ones_do_not(quick):
    zeros = quick["dying"]["histograms"]["zero_share"]
    assert all(last > max(first, 0.8) for first, last in zip(zeros["relu"]["first"], zeros["relu"]["last"]))
    assert zeros["leaky relu"]["last"] == [0.0, 0.0, 0.0]
    assert (quick["out"] / "dying" / "activation_histograms.png").stat().st_size > 10_000


def section(text, heading):
    start = text.index(f"### {heading}")
    end = text.find("\n### ", start + 1)
    return text[start : end if end > 0 else None]


@pytest.mark.parametrize("page", ["docs/demos.md", "README.md"])
def test_the_pages_show_the_committed_runs_numbers_and_pictures(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    run = json.loads((OUTPUT / "vanishing" / "results.json").read_text(encoding="utf-8"))["update_ratios"]
    ratios = section(text, "Update-to-data ratios while training")
    sigmoid, relu, fixed = (run["variants"][v] for v in ("sigmoid", "relu, He init", "sigmoid + residual + layernorm"))
    start, end = ([number(v) for v in relu[at]] for at in ("start", "end"))
    assert f"start at {start[0]} and {start[1]} and end at {end[0]} and {end[1]}" in ratios
    start, end = ([number(v) for v in fixed[at]] for at in ("start", "end"))
    assert f"{start[0]} and {start[1]}, then {end[0]} and {end[1]}" in ratios
    start = [number(v) for v in sigmoid["start"]]
    assert f"from {start[0]} at the first layer to {start[1]} at the last" in ratios
    assert f"at or below {number(sigmoid['end_highest'])}" in ratios
    picture = "demo-output/vanishing/update_ratios.png)"
    assert picture in ratios and (OUTPUT / "vanishing" / "update_ratios.png").exists()
    run = json.loads((OUTPUT / "dying-relu" / "results.json").read_text(encoding="utf-8"))["histograms"]
    collapse = section(text, "The activations collapsing onto 0")
    for shares in (run["zero_share"]["relu"]["first"], run["zero_share"]["relu"]["last"]):
        assert ", ".join(percent(v) for v in shares) in collapse
    assert f"({run['steps']} steps)" in collapse
    picture = "demo-output/dying-relu/activation_histograms.png)"
    assert picture in collapse and (OUTPUT / "dying-relu" / "activation_histograms.png").exists()
