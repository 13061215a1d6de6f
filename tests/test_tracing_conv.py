"""minigrad.compile on convolutional networks: a compiled training step (forward, backward, the SGD
step, zero_grad) gives the eager step's loss, every .grad, the input's gradient and the parameters
to the bit, over random Conv1d/Conv2d layers (stride, padding, dilation, groups, bias), max and
average pooling, in float32 and float64; and the program lists the three convolution ops."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.functional as F
from minigrad import Tensor, nn, optim


def train_step(model, opt, x, target):
    """The step as its users write it, the input's gradient too (so the conv's input adjoint runs)."""
    opt.zero_grad()
    x.grad = None
    loss = F.cross_entropy(model(x), target)
    loss.backward()
    opt.step()
    return loss


def assert_identical(model, twin, x, x_twin, what):
    """Parameters, their .grad and the input's .grad equal to the bit."""
    assert np.array_equal(x.grad.numpy(), x_twin.grad.numpy()), f"{what}: the input's .grad"
    for (name, p), q in zip(model.named_parameters(), twin.parameters()):
        assert np.array_equal(p.numpy(), q.numpy()), f"{what}: {name}"
        assert np.array_equal(p.grad.numpy(), q.grad.numpy()), f"{what}: {name}.grad"


@st.composite
def cnns(draw):
    """``(model factory, input shape, classes)``: conv, ReLU, a pooling layer, conv, flatten, Linear."""
    spatial = draw(st.sampled_from([1, 2]))
    conv, pool = (nn.Conv1d, None) if spatial == 1 else (nn.Conv2d, draw(st.sampled_from([nn.MaxPool2d, nn.AvgPool2d])))
    groups = draw(st.sampled_from([1, 2]))
    channels, hidden = 2 * groups, 2 * draw(st.integers(1, 3))
    options = {
        "stride": draw(st.integers(1, 2)),
        "padding": draw(st.integers(0, 1)),
        "dilation": draw(st.integers(1, 2)),
        "groups": groups,
        "bias": draw(st.booleans()),
    }
    size, batch, classes = 10, draw(st.integers(1, 4)), 3
    seed = draw(st.integers(0, 2**16))

    def make(dtype):
        rng = np.random.default_rng(seed)
        layers = [conv(channels, hidden, 3, rng=rng, **options), nn.ReLU()]
        if pool is not None:
            layers.append(pool(2, stride=1))
        layers += [conv(hidden, 3, 2, rng=rng), nn.Flatten()]
        model = nn.Sequential(*layers)
        features = model(Tensor(np.zeros((1, channels) + (size,) * spatial))).shape[1]
        model.append(nn.Linear(features, classes, rng=rng))
        for p in model.parameters():
            p.data = Tensor(p.numpy().astype(dtype))
        return model

    return make, (batch, channels) + (size,) * spatial, classes


@settings(max_examples=40, deadline=None)
@given(cnn=cnns(), dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**32 - 1))
def test_a_compiled_cnn_step_is_the_eager_step_to_the_bit(cnn, dtype, seed):
    make, shape, classes = cnn
    model = make(dtype)
    twin = copy.deepcopy(model)
    opt, twin_opt = optim.SGD(model.parameters(), lr=0.1), optim.SGD(twin.parameters(), lr=0.1)
    step = minigrad.compile(lambda x, target: train_step(model, opt, x, target))
    rng = np.random.default_rng(seed)
    for call in range(4):
        data = rng.normal(size=shape).astype(dtype)
        x, x_twin = Tensor(data, requires_grad=True), Tensor(data.copy(), requires_grad=True)
        target = minigrad.tensor(rng.integers(0, classes, shape[0]))
        replayed, eager = step(x, target), train_step(twin, twin_opt, x_twin, target)
        assert np.array_equal(replayed.numpy(), eager.numpy()), f"call {call}: loss"
        assert_identical(model, twin, x, x_twin, f"call {call}")
    assert (step.traces, step.replays) == (2, 2)


def test_the_program_of_a_cnn_step_lists_the_convolution_and_its_two_adjoints():
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
    model.append(nn.Linear(16, 3, rng=1))
    opt = optim.SGD(model.parameters(), lr=0.1)
    step = minigrad.compile(lambda x, target: train_step(model, opt, x, target))
    rng = np.random.default_rng(0)
    for _ in range(3):
        step(Tensor(rng.normal(size=(5, 2, 4, 4)), requires_grad=True), minigrad.tensor(rng.integers(0, 3, 5)))
    listing = str(step.program)
    forward, backward = listing.split("# backward")
    assert "= Convolution(x0, " in forward and "MaxPool(" in forward
    assert "= ConvolutionTranspose(" in backward and "= ConvolutionWeight(x0, " in backward
    assert "Convolution.backward of v" in backward
