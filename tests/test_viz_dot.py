"""draw_graph at the level of the DOT source: flags, colours, edge labels, clusters, layers mode."""

import re

import numpy as np
import pytest

from minigrad import Tensor, nn
from minigrad.viz import draw_graph, record, style
from minigrad.viz.examples import mlp, neuron

NODE = re.compile(r"^\s*(\w+) \[(.*)\]$")
EDGE = re.compile(r"^\s*(\w+) -> (\w+) \[(.*)\]$")
ATTR = re.compile(r'(\w+)=(<.*?>(?= [a-z]+=|$)|"(?:[^"\\]|\\.)*"|[^ ]+)')


def attributes(text):
    return {key: value.strip('"') for key, value in ATTR.findall(text)}


def nodes(source):
    """Node name -> its attributes, from the DOT source."""
    return {
        m[1]: attributes(m[2])
        for m in map(NODE.match, source.splitlines())
        if m and m[1] not in ("graph", "node", "edge")
    }


def edges(source):
    """(tail, head) -> attributes."""
    return {(m[1], m[2]): attributes(m[3]) for m in map(EDGE.match, source.splitlines()) if m}


def named(source, name):
    """The node whose title is ``name`` (the bold first words of its label)."""
    found = [k for k, a in nodes(source).items() if re.search(rf"<B>(\w+ )?{re.escape(name)}</B>", a.get("label", ""))]
    assert len(found) == 1, (name, found)
    return found[0]


def luminance(colour):
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue


def sigmoid_stack(depth=14):
    h = Tensor(0.3, requires_grad=True, name="h0")
    for i in range(1, depth + 1):
        h = h.sigmoid() * 0.5
        h.name = f"h{i}"
    return h


# --- flags ---------------------------------------------------------------------------------------


def test_vanishing_is_flagged_exactly_where_the_gradient_is_below_the_threshold():
    root = sigmoid_stack()
    source = draw_graph(root, threshold=1e-6).source
    for i in range(15):
        attrs = nodes(source)[named(source, f"h{i}")]
        # d h14 / d h_i is (sigmoid' * 0.5) ** (14 - i), at most 0.125 ** (14 - i)
        vanishing = "VANISHING" in attrs["label"]
        assert vanishing == ("dotted" in attrs.get("style", ""))
        assert vanishing == (i <= 14 - 7), i


def test_a_relu_unit_forced_dead_is_drawn_dead_and_its_zero_input_flagged():
    x = Tensor(np.full((4, 3), 0.5), name="x")
    z = x + Tensor([0.0, -9.0, 1.0], requires_grad=True, name="b")
    z.name = "z"
    off = Tensor(-1.0, requires_grad=True, name="s")
    h = z.relu()
    h.name = "h"
    loss = h.sum() + (off * 2.0).relu()
    loss.name = "loss"
    source = draw_graph(loss).source
    strip = re.findall(r'BGCOLOR="(#\w+)" WIDTH="\d+" HEIGHT="12"', nodes(source)[named(source, "h")]["label"])
    assert strip == [style.UNIT_FILL[s] for s in ("alive", "dead", "alive")]
    assert "<B>1 dead</B>" in nodes(source)[named(source, "h")]["label"]
    s = nodes(source)[named(source, "s")]
    assert "ZERO" in s["label"] and "dashed" in s["style"]
    assert "ZERO" not in nodes(source)[named(source, "z")]["label"]  # only one column is zero


def test_each_state_has_its_own_border_so_greyscale_keeps_them_apart():
    borders = {state: tuple(sorted(style.node_style(state).items())) for state in style.STATE_STYLE}
    assert len(set(borders.values())) == len(borders)
    assert set(style.STATE_MARK) == set(style.STATE_STYLE) - {"ok"}


def test_an_underflowed_sigmoid_is_drawn_with_a_double_border():
    x = Tensor(np.array([120.0], dtype=np.float32), requires_grad=True, name="x")
    source = draw_graph((x * 1.0).sigmoid().sum()).source
    attrs = nodes(source)[named(source, "x")]
    assert attrs["peripheries"] == "2" and "UNDERFLOW" in attrs["label"]


# --- colour and edges --------------------------------------------------------------------------


def test_fill_darkens_as_the_gradient_grows():
    source = draw_graph(sigmoid_stack(6)).source
    fills = [nodes(source)[named(source, f"h{i}")]["fillcolor"] for i in range(7)]
    assert [luminance(f) for f in fills] == sorted(luminance(f) for f in fills)[::-1]
    assert len(set(fills)) == 7


def test_edge_width_follows_the_gradient_sent_back():
    source = draw_graph(sigmoid_stack(6)).source
    widths = [float(a["penwidth"]) for (_, head), a in edges(source).items() if head.startswith("f") and "label" in a]
    assert widths == sorted(widths, reverse=True)


def test_scalar_edge_labels_are_the_local_derivatives():
    example = neuron()
    source = draw_graph(example.root).source
    o = example.root.item()
    labels = {(tail, head): a.get("label") for (tail, head), a in edges(source).items()}
    assert labels[(named(source, "n"), "f0")] == f"×{1 - o * o:.4g}"
    mul = [head for (tail, head) in labels if tail == named(source, "x1")][0]
    assert labels[(named(source, "x1"), mul)] == "×-3" and labels[(named(source, "w1"), mul)] == "×2"


def test_a_sigmoid_edge_reads_at_most_a_quarter():
    x = Tensor(np.linspace(-3, 3, 12).reshape(3, 4), requires_grad=True, name="x")
    source = draw_graph(x.sigmoid().sum()).source
    label = edges(source)[(named(source, "x"), "f1")]["label"]
    low, high = (float(v) for v in re.match(r"×(\S+) … (\S+)", label).groups())
    assert 0 < low < high <= 0.25


# --- modules -----------------------------------------------------------------------------------


def clusters(source):
    """Cluster label -> names of the nodes declared directly in it."""
    found, stack = {}, []
    for line in source.splitlines():
        if line.strip().startswith("subgraph cluster"):
            stack.append([])
        elif stack and not stack[-1] and "label=" in line:
            stack[-1].append(attributes(line.strip())["label"])
        elif line.strip() == "}" and stack:
            label, *members = stack.pop()
            found[label] = members
        elif stack and NODE.match(line) and stack[-1]:
            stack[-1].append(NODE.match(line)[1])
    return found


def test_ops_made_in_a_module_sit_in_a_cluster_named_by_its_dotted_name():
    example = mlp("relu", depth=2, width=4)
    source = draw_graph(example.root, recording=example.recording, mode="ops").source
    found = clusters(source)
    assert {"MLP", "layers · Sequential", "layers.0 · Linear", "layers.1 · ReLU", "layers.4 · Linear"} <= found.keys()
    ops = {a["label"] for k, a in nodes(source).items() if k in found["layers.0 · Linear"] and k.startswith("f")}
    assert ops == {"Linear"}
    assert any("layers.0.weight" in nodes(source)[k]["label"] for k in found["layers.0 · Linear"])


def test_layers_mode_draws_one_node_per_leaf_module_of_a_50_layer_mlp():
    example = mlp("tanh", depth=50, width=4, batch=4)
    source = draw_graph(example.root, recording=example.recording, mode="layers").source
    assert len(nodes(source)) < 130
    labels = [a["label"] for a in nodes(source).values()]
    assert sum("· Linear" in label for label in labels) == 51
    assert sum("· Tanh" in label for label in labels) == 50


def test_auto_mode_switches_to_layers_for_a_big_recorded_model():
    example = mlp("relu", depth=12)
    assert "layers view" in draw_graph(example.root, recording=example.recording).source
    assert "ops view" in draw_graph(neuron().root).source


def test_ops_mode_refuses_a_graph_past_max_nodes_and_suggests_layers():
    example = mlp("relu", depth=20)
    with pytest.raises(ValueError, match=r"nodes in mode='ops', more than max_nodes=100.*mode='layers'"):
        draw_graph(example.root, recording=example.recording, mode="ops", max_nodes=100)


def test_layers_mode_without_a_recording_says_how_to_make_one():
    with pytest.raises(ValueError, match=r"record\(model\)"):
        draw_graph(neuron().root, mode="layers")


def test_a_layer_wider_than_64_units_gets_a_bar_of_shares():
    model = nn.Sequential(nn.Linear(3, 100, rng=0), nn.ReLU())
    with record(model) as recording:
        loss = model(Tensor(np.random.default_rng(0).standard_normal((8, 3)))).sum()
    source = draw_graph(loss, recording=recording, mode="layers").source
    label = [a["label"] for a in nodes(source).values() if "· ReLU" in a.get("label", "")][0]
    assert 1 <= len(re.findall(r'HEIGHT="12"', label)) <= 3 and "alive" in label


# --- determinism -------------------------------------------------------------------------------


def test_the_same_computation_gives_the_same_dot_byte_for_byte():
    first = draw_graph(mlp("sigmoid", depth=3).root).source
    again = draw_graph(mlp("sigmoid", depth=3).root).source
    assert first == again
    assert "0x" not in first


def test_the_legend_is_drawn_unless_asked_not_to():
    assert "legend" in nodes(draw_graph(neuron().root).source)
    assert "legend" not in nodes(draw_graph(neuron().root, legend=False).source)


def test_a_module_called_twice_gets_one_cluster_per_call():
    layer = nn.Linear(2, 2, rng=0)
    model = nn.Sequential(layer, nn.Tanh(), layer)
    with record(model) as recording:
        loss = model(Tensor(np.ones((3, 2)))).sum()
    found = clusters(draw_graph(loss, recording=recording, mode="ops").source)
    assert {"0 · Linear", "0 (call 2) · Linear", "1 · Tanh"} <= found.keys()
    assert not layer._forward_hooks  # the hooks left with the block


def test_layers_mode_keeps_residual_adds_and_folds_norms():
    example_model = nn.MLP([3, 6, 6, 1], activation="relu", residual=True, norm="layer", rng=0)
    with record(example_model) as recording:
        loss = example_model(Tensor(np.random.default_rng(0).standard_normal((5, 3)))).sum()
    source = draw_graph(loss, recording=recording, mode="layers").source
    labels = [a.get("label", "") for a in nodes(source).values()]
    assert sum("· LayerNorm" in label for label in labels) == 2
    assert "Add" in labels  # the skip connection's x + f(x), made by Residual itself
    assert {"layers.3 · Residual", "layers.3.fn · Sequential"} <= clusters(source).keys()


def test_the_flags_example_shows_all_four_states():
    from minigrad.viz.examples import flags

    marks = [m for m in style.STATE_MARK.values()]
    source = draw_graph(flags().root).source
    assert all(mark in source for mark in marks)


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        draw_graph(neuron().root, mode="modules")


@pytest.mark.parametrize("activation", sorted(nn.activations.ACTIVATIONS))
def test_every_activation_of_nn_draws_in_both_modes(activation):
    example = mlp(activation, depth=2, width=3, batch=4)
    for mode in ("ops", "layers"):
        assert "legend" in draw_graph(example.root, recording=example.recording, mode=mode).source
