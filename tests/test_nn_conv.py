"""The convolution and pooling layers: PyTorch's parameter names, shapes, default initialisation
and repr; the same outputs as the functions; a small CNN that trains; PyTorch's outputs and
gradients when it is given the same weights."""

import math

import numpy as np
import pytest

from minigrad import Tensor, nn, optim
from minigrad import functional as F

LAYERS = {
    "Conv1d": (lambda: nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2, rng=0), (8, 4, 9)),
    "Conv2d": (
        lambda: nn.Conv2d(3, 6, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2), groups=3, rng=0),
        (2, 3, 7, 8),
    ),
    "Conv2d without bias, same": (lambda: nn.Conv2d(2, 4, 3, padding="same", bias=False, rng=0), (2, 2, 5, 5)),
    "MaxPool2d": (lambda: nn.MaxPool2d(3, stride=2, padding=1, dilation=1), (2, 3, 7, 8)),
    "AvgPool2d": (lambda: nn.AvgPool2d((2, 3), padding=1, count_include_pad=False), (2, 3, 7, 8)),
    "Flatten": (lambda: nn.Flatten(), (2, 3, 4, 5)),
}


def torch_twin(torch, layer):
    """The torch.nn layer made with the same arguments (and, for a convolution, the same weights)."""
    name = type(layer).__name__
    if name.startswith("Conv"):
        twin = getattr(torch.nn, name)(
            layer.in_channels,
            layer.out_channels,
            layer.kernel_size,
            layer.stride,
            layer.padding,
            layer.dilation,
            layer.groups,
            layer.bias is not None,
            dtype=torch.float64,
        )
        twin.load_state_dict({k: torch.tensor(v) for k, v in layer.state_dict().items()})
        return twin
    if name == "MaxPool2d":
        return torch.nn.MaxPool2d(layer.kernel_size, layer.stride, layer.padding, layer.dilation)
    if name == "AvgPool2d":
        return torch.nn.AvgPool2d(
            layer.kernel_size, layer.stride, layer.padding, count_include_pad=layer.count_include_pad
        )
    return torch.nn.Flatten(layer.start_dim, layer.end_dim)


@pytest.mark.parametrize("name", LAYERS)
def test_layers_match_pytorch_names_shapes_repr_outputs_and_gradients(name):
    torch = pytest.importorskip("torch")
    make, shape = LAYERS[name]
    layer = make()
    twin = torch_twin(torch, layer)
    assert repr(layer) == repr(twin)
    assert {k: v.shape for k, v in layer.state_dict().items()} == {
        k: tuple(v.shape) for k, v in twin.state_dict().items()
    }
    x = np.random.default_rng(0).normal(size=shape)
    mine, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, y_torch = layer(mine), twin(theirs)
    np.testing.assert_allclose(y.numpy(), y_torch.detach().numpy(), rtol=0, atol=1e-10)
    g = np.random.default_rng(1).normal(size=y.shape)
    y.backward(Tensor(g))
    y_torch.backward(torch.tensor(g))
    np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=0, atol=1e-10)
    for (key, p), (_, q) in zip(layer.named_parameters(), twin.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=0, atol=1e-10, err_msg=key)


@pytest.mark.parametrize("groups", [1, 2])
def test_conv_weights_start_as_pytorchs_uniform_in_plus_minus_one_over_sqrt_fan_in(groups):
    layer = nn.Conv2d(8, 16, 3, groups=groups, rng=0)
    bound = 1 / math.sqrt(8 // groups * 9)  # fan_in = in_channels / groups x the kernel's size
    assert np.abs(layer.bias.numpy()).max() <= bound
    assert np.abs(layer.weight.numpy()).max() <= bound
    assert np.abs(layer.weight.numpy()).max() > 0.95 * bound  # fills the range, not a narrower one
    np.testing.assert_allclose(layer.weight.numpy().std(), bound / math.sqrt(3), rtol=0.1)  # std of U(-b, b)


def test_the_same_seed_gives_the_same_layer():
    np.testing.assert_array_equal(nn.Conv2d(2, 3, 3, rng=5).weight.numpy(), nn.Conv2d(2, 3, 3, rng=5).weight.numpy())


def test_a_small_cnn_learns_to_tell_vertical_from_horizontal_bars():
    rng = np.random.default_rng(0)
    images = np.zeros((32, 1, 6, 6))
    labels = np.arange(32) % 2
    for i, column in enumerate(rng.integers(0, 6, size=32)):
        if labels[i]:
            images[i, 0, :, column] = 1.0
        else:
            images[i, 0, column, :] = 1.0
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, rng=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 4, 3, rng=2),
        nn.ReLU(),
        nn.AvgPool2d(1),
        nn.Flatten(),
        nn.Linear(4, 2, rng=3),
    )
    opt = optim.Adam(model.parameters(), lr=0.05)
    x = Tensor(images)
    first = F.cross_entropy(model(x), labels).item()
    for _ in range(40):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        opt.step()
    assert loss.item() < first / 10
    assert (model(x).numpy().argmax(axis=1) == labels).all()


def test_the_layers_picture_draws_each_conv_layer_as_one_node_and_starts_a_row_at_it():
    import re

    from minigrad.viz import draw_graph, record

    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, rng=0),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 4, 3, padding=1, rng=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16, 3, rng=2),
    )
    with record(model) as recording:
        loss = F.cross_entropy(model(Tensor(np.random.default_rng(0).normal(size=(5, 1, 8, 8)))), np.arange(5) % 3)
    source = draw_graph(loss, recording=recording, mode="layers").source
    kinds = dict(re.findall(r"(L\d+) \[label=<<TABLE[^>]*><TR><TD><B>[^<]*</B> · (\w+)", source))
    assert sorted(kinds.values()).count("Conv2d") == 2  # one node per conv call, not its ops
    for node in (line for line in source.splitlines() if "· Conv2d" in line):
        assert "weight: grad rms" in node and "bias: grad rms" in node
    rows = re.findall(r"\{\s*rank=same\s*((?:L\d+\s*)+)\}", source)
    assert [[kinds[n] for n in row.split()] for row in rows] == [
        ["Conv2d", "ReLU", "MaxPool2d"],
        ["Conv2d", "ReLU", "MaxPool2d", "Flatten"],
    ]
