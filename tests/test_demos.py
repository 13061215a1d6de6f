"""The demos in quick mode: each runs into a temporary folder, writes its page, and its claim holds
on its own measured numbers."""

import importlib
import json

import pytest

from minigrad import cli, demos
from minigrad.demos import all as all_demos
from minigrad.demos import micrograd

NAMES = ["vanishing", "dying-relu", "activations", "micrograd", "through-time"]


@pytest.fixture(scope="module")
def run_all(tmp_path_factory):
    """``minigrad demo all --quick`` once for the whole module: (output folder, results by demo)."""
    out = tmp_path_factory.mktemp("demos")
    return out, all_demos.main(["--quick", "--out", str(out)])


def test_every_demo_writes_its_page_with_every_picture_its_numbers_and_a_summary(run_all):
    out, _ = run_all
    for name in NAMES:
        folder = out / name
        page = (folder / "index.html").read_text(encoding="utf-8")
        pictures = sorted(p.name for p in folder.iterdir() if p.suffix in (".png", ".svg"))
        assert pictures and all(f'src="{p}"' in page for p in pictures)
        assert json.loads((folder / "results.json").read_text(encoding="utf-8"))
        summary = (folder / "summary.md").read_text(encoding="utf-8")
        assert any(f"]({p})" in summary for p in pictures)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{name}/index.html"' in index for name in NAMES)
    markdown = (out / "demos.md").read_text(encoding="utf-8")
    assert "](vanishing/gradient_flow.png)" in markdown and "## Wall time" in markdown


def test_the_graph_pictures_are_svg_files(run_all):
    out, _ = run_all
    for path in [
        "vanishing/graph_sigmoid_10.svg",
        "vanishing/graph_relu_10.svg",
        "dying-relu/graph_relu_dead.svg",
        "micrograd/neuron.svg",
    ]:
        assert (out / path).read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_the_sigmoid_stack_gets_orders_of_magnitude_less_gradient_than_relu_with_he_init(run_all):
    depths = run_all[1]["vanishing"]["depths"]
    for depth, runs in depths.items():
        assert runs["sigmoid"]["ratio"] < 1e-4 * runs["relu, He init"]["ratio"], depth
    assert depths[30]["sigmoid"]["ratio"] < 1e-10 * depths[10]["sigmoid"]["ratio"]


def test_each_sigmoid_layer_shrinks_the_gradient_by_at_most_a_quarter(run_all):
    for row in run_all[1]["vanishing"]["compounding"]:
        assert row["max_derivative"] <= 0.25
        assert row["per_layer"] <= 0.25
        assert row["measured_ratio"] <= row["bound"]


def test_a_too_high_learning_rate_kills_relu_units_but_no_leaky_relu_prelu_elu_or_gelu_unit(run_all):
    for condition, runs in run_all[1]["dying-relu"]["runs"].items():
        if condition == "healthy":
            continue
        assert sum(runs["relu"]["final"]["dead"]) / 3 > 0.5, condition
        for activation in ("leaky relu", "prelu", "elu", "gelu"):
            assert runs[activation]["final"]["dead"] == [0.0, 0.0, 0.0], (condition, activation)
        assert len(runs["prelu"]["prelu_slopes"]) == 3


def test_the_measured_derivative_ranges_match_the_textbook(run_all):
    acts = run_all[1]["activations"]["activations"]
    assert abs(acts["sigmoid"]["d1_max"] - 0.25) < 1e-9 and acts["sigmoid"]["d1_argmax"] == 0.0
    assert abs(acts["tanh"]["d1_max"] - 1.0) < 1e-9
    assert acts["relu"]["d1_values"] == [0.0, 1.0]
    assert acts["leaky_relu"]["d1_values"] == [0.01, 1.0]
    assert acts["relu"]["d2_min"] == acts["relu"]["d2_max"] == 0.0


def test_the_micrograd_neuron_and_moons_classifier(run_all):
    results = run_all[1]["micrograd"]
    grads = {node["name"]: node["grad"] for node in results["neuron"]}
    assert results["gradcheck"] is True
    assert grads["n"] == pytest.approx(0.5) and grads["w2"] == 0.0
    assert results["final"]["accuracy"] > 0.8


def test_a_demo_gives_the_same_numbers_for_the_same_seed(tmp_path):
    main = micrograd.main
    first = main(["--quick", "--seed", "3", "--out", str(tmp_path / "a")])
    assert main(["--quick", "--seed", "3", "--out", str(tmp_path / "b")]) == first
    assert main(["--quick", "--seed", "4", "--out", str(tmp_path / "c")]) != first


def test_the_command_runs_a_demo_by_name_and_shows_its_progress_and_where_it_wrote(tmp_path, capsys):
    assert cli.main(["demo", "micrograd", "--quick", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "micrograd: training the moons classifier: 100%" in captured.err
    assert f"wrote {tmp_path}/index.html" in captured.out


def test_the_command_lists_demos_by_their_names_and_runs_all_by_default(monkeypatch):
    assert set(NAMES) | {"all"} == set(cli.available_demos())
    ran = []
    for module in ("all", "dying_relu"):
        demo = importlib.import_module(f"minigrad.demos.{module}")
        monkeypatch.setattr(demo, "main", lambda argv, module=module: ran.append((module, argv)))
    cli.main(["demo"])
    cli.main(["demo", "--quick"])
    cli.main(["demo", "dying-relu", "--seed", "2"])
    assert ran == [("all", []), ("all", ["--quick"]), ("dying_relu", ["--seed", "2"])]


def test_the_demos_are_modules_of_the_package_so_an_installed_minigrad_has_them():
    for name in NAMES:
        module = importlib.import_module(f"minigrad.demos.{name.replace('-', '_')}")
        assert module.__file__.startswith(demos.__path__[0]) and callable(module.main)


def test_the_command_names_the_demos_when_the_name_is_unknown(capsys):
    with pytest.raises(SystemExit):
        cli.main(["demo", "nope"])
    assert "choose one of: activations, all, dying-relu, micrograd, through-time, vanishing" in capsys.readouterr().err


def test_each_graph_demo_links_an_explorer_page_of_one_of_its_graphs(run_all):
    out, _ = run_all
    for page in [
        "micrograd/neuron_explorer.html",
        "dying-relu/dead_unit_explorer.html",
        "vanishing/sigmoid_explorer.html",
    ]:
        folder, name = page.split("/")
        assert f'href="{name}"' in (out / folder / "index.html").read_text(encoding="utf-8")
        assert '<script id="steps" type="application/json">' in (out / page).read_text(encoding="utf-8")
