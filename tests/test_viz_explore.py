"""The step-through explorer without a browser: its steps (order, gradients, terms, rules,
products, flags) and the page explore() writes (self-contained, its data, its refusals)."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from minigrad import Tensor, nn
from minigrad.diagnostics import why_zero
from minigrad.viz import ExplorerPage, explore, record
from minigrad.viz.examples import flags, mlp, neuron
from minigrad.viz.explore import SMALL, shown
from minigrad.viz.steps import build_steps


def taken_order(root, gradient=None):
    """The tensors in the order a real root.backward() hands them their gradients (by hooks)."""
    seen, stack, order, handles = set(), [root], [], []
    while stack:
        tensor = stack.pop()
        if tensor in seen or not tensor.requires_grad:
            continue
        seen.add(tensor)
        handles.append(tensor.register_hook(lambda _, t=tensor: order.append(t)))
        stack.extend(tensor.grad_fn.inputs if tensor.grad_fn else ())
    with np.errstate(all="ignore"):  # the flags example divides by zero on purpose
        root.backward(gradient, retain_graph=True)
    for handle in handles:
        handle.remove()
    return order


def leaves_after_backward(root, leaves, gradient=None):
    """Node key -> .grad of each leaf, after a real backward()."""
    with np.errstate(all="ignore"):
        root.backward(gradient)
    return {key: tensor.grad.numpy() for key, tensor in leaves.items()}


def leaves_of(steps):
    return {v.key: v.tensor for v in steps.trace.values if v.producer is None and v.tensor.requires_grad}


@pytest.mark.parametrize("make", [neuron, flags, lambda: mlp(depth=2, width=3, batch=4)])
def test_steps_follow_the_order_of_the_reverse_walk(make):
    example = make()
    steps = build_steps(example.root, recording=None)
    keys = {v.tensor: v.key for v in steps.trace.values}
    walked = [keys[t] for t in taken_order(example.root)]
    assert [step.key for step in steps.steps] == walked


@pytest.mark.parametrize("make", [neuron, flags, lambda: mlp(depth=2, width=3, batch=4, dead=1)])
def test_the_last_steps_leaf_gradients_equal_what_backward_stores(make):
    example = make()
    steps = build_steps(example.root, recording=None)
    from_steps = steps.leaf_grads()
    stored = leaves_after_backward(example.root, leaves_of(steps))
    assert from_steps.keys() == stored.keys() and stored
    for title in stored:
        np.testing.assert_array_equal(from_steps[title], stored[title])


def test_each_step_shows_the_gradient_of_the_root_with_respect_to_its_node():
    import minigrad

    example = mlp(depth=2, width=3, batch=4)
    steps = build_steps(example.root, recording=None)
    values = {v.key: v for v in steps.trace.values}
    tensors = [values[step.key].tensor for step in steps.steps]
    grads = minigrad.grad(example.root, tensors, retain_graph=True)
    for step, g in zip(steps.steps, grads):
        np.testing.assert_allclose(step.grad, g.numpy(), rtol=1e-12, atol=0)


def test_a_value_used_twice_shows_the_sum_of_its_paths_term_by_term():
    x = Tensor(3.0, requires_grad=True, name="x")
    y = x * x  # y = x^2, used by the product and the sum below
    root = y * Tensor(2.0) + y
    steps = build_steps(root, recording=None)
    step_y = next(s for s in steps.steps if s.op == "Mul" and len(s.terms) == 2)
    assert [op for _, op, _ in step_y.terms] == ["Add", "MulScalar"] or sorted(op for _, op, _ in step_y.terms) == [
        "Add",
        "Mul",
    ]
    parts = [float(part) for _, _, part in step_y.terms]
    assert sorted(parts) == [1.0, 2.0] and sum(parts) == float(step_y.grad) == 3.0
    step_x = steps.steps[-1]  # x: used twice by y = x * x
    assert step_x.key == steps.trace.values[-1].key or step_x.title == "input x"
    assert [float(part) for _, _, part in step_x.terms] == [9.0, 9.0] and float(step_x.grad) == 18.0


def test_the_rule_is_the_ops_docstring_and_the_product_is_gradient_times_local():
    steps = build_steps(neuron().root, recording=None)
    tanh = steps.steps[0]
    assert tanh.op == "Tanh" and tanh.rule.startswith("tanh(x) = ") and "tanh'(x)" in tanh.rule
    mul = next(s for s in steps.steps if s.op == "Mul")
    assert mul.rule == "f(x, y) = x * y;  df/dx = y, df/dy = x"
    for step in steps.steps:
        for send in step.sends:
            if send.local is not None and send.product is not None:
                np.testing.assert_allclose(send.product, step.grad * send.local, rtol=1e-12)
    w2 = next(s for s in steps.steps if s.title == "param w2")
    assert float(w2.grad) == 0.0 and w2.state == "zero" and w2.why is not None


def test_a_flagged_gradient_says_why_as_why_zero_does():
    example = flags()
    steps = build_steps(example.root, recording=None)
    states = {s.title: s.state for s in steps.steps}
    assert states["input a"] == "zero" and states["input c"] == "vanishing" and states["input d"] == "nonfinite"
    state_of = {s.key: s.state for s in steps.steps}
    explained = 0
    for step in steps.steps:
        if step.state == "ok":
            assert step.why is None
        elif step.see is not None:  # further back along a flagged chain: the value it comes from
            assert step.why is None and state_of[step.see[0]] == step.state
        else:  # where the gradient becomes flagged: why_zero's own words
            value = next(v for v in steps.trace.values if v.key == step.key)
            assert step.why == str(why_zero(value.tensor, example.root))
            explained += 1
    assert explained >= 4  # a, b, d, and where the chain of c fades
    sqrt = next(s for s in steps.steps if s.op == "Sqrt")
    assert [send.state for send in sqrt.sends] == ["nonfinite"]
    sigmoid = next(s for s in steps.steps if s.op == "Sigmoid")  # at 120 in float32: e^-120 rounds to 0
    assert [send.state for send in sigmoid.sends] == ["underflow"]
    relu = next(s for s in steps.steps if s.op == "ReLU")  # off: 0 by its rule
    assert [send.state for send in relu.sends] == ["zero"]


def test_past_max_nodes_the_steps_go_by_module_call():
    example = mlp(depth=3, width=4, batch=4)
    steps = build_steps(example.root, example.recording, mode="layers")
    calls = [s for s in steps.steps if s.key.startswith("L")]
    assert [s.op for s in calls] == ["Linear", "ReLU", "Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert len({s.key for s in calls}) == len(calls) == 7
    linear = calls[0]
    assert linear.rule.startswith("Applies") or linear.rule  # the module's own docstring line
    assert len(linear.leaves) == 2  # its weight and bias, folded into its node
    stored = leaves_after_backward(example.root, leaves_of(steps))
    assert steps.leaf_grads().keys() == stored.keys() and len(stored) == 8
    for title in stored:
        np.testing.assert_array_equal(steps.leaf_grads()[title], stored[title])


def read_steps(path):
    text = Path(path).read_text(encoding="utf-8")
    data = re.search(r'<script id="steps" type="application/json">(.*?)</script>', text, re.S).group(1)
    return text, json.loads(data.replace("<\\/", "</"))


def test_explore_writes_one_self_contained_page(tmp_path):
    example = neuron()
    page = explore(example.root, tmp_path / "neuron.html")
    assert isinstance(page, ExplorerPage) and isinstance(page, str) and page.path == tmp_path / "neuron.html"
    text, records = read_steps(page)
    assert text.count("<svg") == 1 and "<script src" not in text and "<link" not in text
    assert not re.search(r"(src|href)=\"https?:", text)
    assert len(records) == 1 + 10  # the forward pass, then the 10 tensors that need a gradient
    assert records[1]["key"] == "v0" and records[1]["grad"] == {"shape": [], "values": [1.0]}
    assert "data-leaf" in records[-1]["html"] and "data-leaf" not in records[-2]["html"]
    assert "<iframe srcdoc=" in page._repr_html_()
    assert example.root.grad_fn is not None and all(
        v.tensor.grad is None for v in build_steps(example.root, None).trace.values
    )


def test_explore_past_max_nodes_goes_by_module_call(tmp_path):
    example = mlp(depth=2, width=4, batch=4)
    _, records = read_steps(explore(example.root, tmp_path / "mlp.html", recording=example.recording, max_nodes=20))
    assert [r["key"] for r in records if r["key"].startswith("L")] == ["L0", "L1", "L2", "L3", "L4"]
    with pytest.raises(ValueError, match="more than max_nodes=20, and mode='layers' needs"):
        explore(example.root, tmp_path / "no.html", max_nodes=20)
    assert not (tmp_path / "no.html").exists()


def test_a_large_tensor_is_summarised():
    big = np.arange(SMALL + 1.0) - 3
    assert shown(big) == {
        "shape": [SMALL + 1],
        "norm": float(np.linalg.norm(big)),
        "min": -3.0,
        "max": 13.0,
        "zeros": 1 / 17,
    }
    assert shown(np.array([np.nan, np.inf])) == {"shape": [2], "values": ["nan", "inf"]}


def test_a_400_node_graph_makes_a_page_under_5_mb(tmp_path):
    x = Tensor(np.linspace(-1, 1, 8), requires_grad=True, name="x")
    y = x
    for i in range(99):  # 4 nodes each: a value and an op, twice; 399 in all with x and the sum
        y = (y * 0.9).tanh() if i % 2 else (y + 0.1).sigmoid()
    root = y.sum()
    page = explore(root, tmp_path / "big.html")
    _, records = read_steps(page)
    assert len(records) == 1 + 200 and page.path.stat().st_size < 5_000_000


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"root": 3.0}, TypeError, "explore: root must be a Tensor, got float"),
        ({"root": Tensor(1.0)}, ValueError, "root does not require grad"),
        ({"path": "x.svg"}, ValueError, "path must end in .html, got 'x.svg'"),
        ({"path": 3}, TypeError, "path must be a str or a PathLike, got int"),
        ({"recording": "r"}, TypeError, "recording must be a Recording"),
        ({"mode": "all"}, ValueError, "mode must be one of"),
        ({"threshold": 2.0}, ValueError, "threshold"),
        ({"max_nodes": 0}, ValueError, "max_nodes"),
        ({"mode": "layers"}, ValueError, "mode='layers' needs"),
    ],
)
def test_explore_refuses_a_bad_argument_and_writes_nothing(tmp_path, kwargs, error, message):
    arguments = {"root": (Tensor([1.0, 2.0], requires_grad=True) * 2).sum(), "path": tmp_path / "p.html", **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        explore(**arguments)
    assert list(tmp_path.iterdir()) == []


def test_a_module_graph_keeps_its_parameter_names():
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.ReLU())
    with record(model) as recording:
        loss = model(Tensor([[1.0, -2.0]])).sum()
    steps = build_steps(loss, recording)
    assert sorted(steps.forward[key][0] for key in steps.leaf_grads()) == ["param 0.bias", "param 0.weight"]


def test_an_activation_step_counts_its_dead_units():
    steps = build_steps(mlp(depth=2, width=3, dead=1, batch=4).root, recording=None)
    relus = [s for s in steps.steps if s.op == "ReLU"]
    assert len(relus) == 2 and all(s.units["dead"] >= 1 and sum(s.units.values()) == 3 for s in relus)


def test_further_back_along_a_flagged_chain_the_page_links_the_step_that_says_why(tmp_path):
    _, records = read_steps(explore(flags().root, tmp_path / "flags.html"))
    number_of = {r["key"]: i for i, r in enumerate(records)}
    steps = build_steps(flags().root, recording=None)
    pointing = [s for s in steps.steps if s.see is not None]
    assert pointing
    for step in pointing:
        html = records[number_of[step.key]]["html"]
        assert f'href="#step={number_of[step.see[0]]}"' in html


def test_without_dot_explore_says_how_to_install_it_and_writes_nothing(tmp_path, monkeypatch):
    import importlib

    from minigrad.viz import GraphvizNotFound

    page_module = importlib.import_module("minigrad.viz.explore")  # the module, not viz's function of that name
    monkeypatch.setattr(page_module.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizNotFound, match="explore: Graphviz's `dot` program was not found; install Graphviz"):
        explore(neuron().root, tmp_path / "n.html")
    assert list(tmp_path.iterdir()) == []


def test_without_a_path_the_page_is_explore_html_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    page = explore(neuron().root)
    assert page == "explore.html" and [p.name for p in tmp_path.iterdir()] == ["explore.html"]
    assert shown(None) is None
