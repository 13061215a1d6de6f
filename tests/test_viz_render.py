"""render_graph and `minigrad draw` with the real dot program: the SVG holds the nodes and fills."""

import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from minigrad import Tensor
from minigrad.cli import main
from minigrad.viz import GraphvizNotFound, draw_graph, render_graph
from minigrad.viz import render as render_module
from minigrad.viz.examples import mlp, neuron

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module", autouse=True)
def dot_program():
    if shutil.which("dot") is None:
        pytest.fail(
            "these tests render with Graphviz's `dot` program, which is missing: `./run test` installs "
            "it, or run `sudo apt-get install graphviz` (macOS: `brew install graphviz`)",
            pytrace=False,
        )


def svg_nodes(path):
    """Node name -> (fill colour of its shape, all its text), read from an SVG written by dot."""
    found = {}
    for group in ET.parse(path).getroot().iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        name = group.find(f"{SVG}title").text
        shapes = [e for e in group if e.tag in (f"{SVG}polygon", f"{SVG}path") and e.get("fill") not in (None, "none")]
        text = " ".join(t.text or "" for t in group.iter(f"{SVG}text"))
        found[name] = (shapes[0].get("fill") if shapes else None, text)
    return found


def fading_chain(depth=6):
    h = Tensor(0.3, requires_grad=True, name="h0")
    for i in range(1, depth + 1):
        h = h.sigmoid() * 0.01
        h.name = f"h{i}"
    return h


def test_the_svg_holds_every_node_filled_as_the_dot_source_asked(tmp_path):
    root = fading_chain()
    graph = draw_graph(root)
    path = render_graph(graph, tmp_path / "chain.svg")
    assert path.suffix == ".svg" and path.with_suffix(".dot").read_text(encoding="utf-8") == graph.source
    found = svg_nodes(path)
    asked = {
        line.split()[0]: line.split('fillcolor="')[1][:7]
        for line in graph.source.splitlines()
        if line.strip().startswith("v") and "fillcolor=" in line and " -> " not in line
    }
    assert set(asked) <= set(found)
    for name, colour in asked.items():
        assert found[name][0].lower() == colour.lower(), name


def test_the_rendered_fills_fade_from_the_root_back(tmp_path):
    found = svg_nodes(render_graph(fading_chain(), tmp_path / "chain.svg"))
    by_title = {m[0]: fill for fill, text in found.values() if (m := re.search(r"\bh\d\b", text))}
    lightness = [sum(int(by_title[f"h{i}"][j : j + 2], 16) for j in (1, 3, 5)) for i in range(7)]
    assert lightness == sorted(lightness, reverse=True)
    assert "VANISHING" in " ".join(text for _, text in found.values())


def test_dead_units_are_drawn_as_dark_cells_in_the_svg(tmp_path):
    example = mlp("relu", depth=2, width=6, dead=2)
    path = render_graph(example.root, tmp_path / "dead.svg", recording=example.recording, mode="layers")
    cells = [e.get("fill") for e in ET.parse(path).getroot().iter(f"{SVG}polygon")]
    assert cells.count("#1a1a1a") >= 2 * 2  # two dead units in each of two layers (and the legend's)
    assert "2 dead" in " ".join(text for _, text in svg_nodes(path).values())


@pytest.mark.parametrize("suffix, magic", [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_png_and_pdf_are_written_too(tmp_path, suffix, magic):
    path = render_graph(neuron().root, tmp_path / f"neuron.{suffix}")
    assert path.read_bytes()[:4] == magic and path.with_suffix(".dot").exists()


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="format must be one of"):
        render_graph(neuron().root, "neuron.gif")


def test_without_dot_the_source_is_still_written_and_the_error_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizNotFound, match=r"apt-get install graphviz.*dot -Tsvg"):
        render_graph(neuron().root, tmp_path / "neuron.svg")
    assert (tmp_path / "neuron.dot").read_text(encoding="utf-8").startswith("digraph")
    assert not (tmp_path / "neuron.svg").exists()


def test_minigrad_draw_renders_a_named_example(tmp_path, capsys):
    out = tmp_path / "mlp.svg"
    assert main(["draw", "mlp", "--activation", "sigmoid", "--depth", "4", "--dead", "1", "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert any("Sigmoid" in text for _, text in svg_nodes(out).values())
    assert main(["draw", "neuron", "-o", str(tmp_path / "neuron.png")]) == 0
    assert (tmp_path / "neuron.png").read_bytes()[:4] == b"\x89PNG"
    np.testing.assert_(out.with_suffix(".dot").exists())


def test_minigrad_draw_explains_a_graph_too_big_for_ops_mode(tmp_path, capsys):
    assert main(["draw", "mlp", "--depth", "80", "--mode", "ops", "-o", str(tmp_path / "big.svg")]) == 1
    assert "mode='layers'" in capsys.readouterr().err
