"""The recurrent cells and layers: gradients and second derivatives against central differences
under Hypothesis (shapes, bias, batch_first, num_layers, unbatched inputs), PyTorch's parameter
names, shapes and initialisation, and the identities that tie them together (a layer is its cell
stepped along the sequence; batch_first and unbatched inputs are the same numbers moved)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import Tensor, gradcheck, gradgradcheck, nn
from minigrad.nn.utils import functional_call
from minigrad.testing import tensors

# NOTE: inputs and states away from 0: all-zero ones without bias put a relu exactly on its kink,
# where relu'(0) = 0 (PyTorch's convention) is no one-sided derivative of the second order.
VALUES = dict(min_value=-2, max_value=2, avoid=[0.0], min_distance=0.01)
CELLS = {"RNNCell": 1, "LSTMCell": 4, "GRUCell": 3}
LAYERS = {"RNN": 1, "LSTM": 4, "GRU": 3}


def _flat(result):
    if isinstance(result, tuple):
        return tuple(t for part in result for t in _flat(part))
    return (result,)


def _check_gradients(module, args, lstm):
    """gradcheck and gradgradcheck of module(*args) as a function of its inputs and every parameter."""
    names = [name for name, _ in module.named_parameters()]
    params = [Tensor(p.numpy(), requires_grad=True) for _, p in module.named_parameters()]
    n_args = len(args)

    def fn(*xs):
        inputs, ps = xs[:n_args], xs[n_args:]
        call = (inputs[0], tuple(inputs[1:])) if lstm and n_args == 3 else inputs
        return _flat(functional_call(module, dict(zip(names, ps)), *call))

    gradcheck(fn, (*args, *params))
    gradgradcheck(fn, (*args, *params))


@settings(max_examples=12, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(CELLS)))
def test_each_cell_s_gradients_and_second_derivatives_match_finite_differences(data, name):
    draw = data.draw
    input_size, hidden_size = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    options = dict(bias=draw(st.booleans()))
    if name == "RNNCell":
        options["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    cell = getattr(nn, name)(input_size, hidden_size, rng=draw(st.integers(0, 2**16)), **options)
    x = draw(tensors(shape=batch + (input_size,), **VALUES))
    states = [draw(tensors(shape=batch + (hidden_size,), **VALUES))]
    states *= draw(st.booleans())  # with or without the initial state
    if name == "LSTMCell" and states:
        states.append(draw(tensors(shape=batch + (hidden_size,), **VALUES)))
    _check_gradients(cell, (x, *states), lstm=name == "LSTMCell")


@settings(max_examples=12, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(LAYERS)))
def test_each_layer_s_gradients_through_time_and_layers_match_finite_differences(data, name):
    draw = data.draw
    input_size, hidden_size, steps = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 3))
    num_layers, batch_first = draw(st.integers(1, 2)), draw(st.booleans())
    batch = draw(st.sampled_from([None, 1, 2]))
    options = dict(num_layers=num_layers, bias=draw(st.booleans()), batch_first=batch_first)
    if name == "RNN":
        options["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    layer = getattr(nn, name)(input_size, hidden_size, rng=draw(st.integers(0, 2**16)), **options)
    if batch is None:
        shape, state_shape = (steps, input_size), (num_layers, hidden_size)
    else:
        shape = (batch, steps, input_size) if batch_first else (steps, batch, input_size)
        state_shape = (num_layers, batch, hidden_size)
    x = draw(tensors(shape=shape, **VALUES))
    states = [draw(tensors(shape=state_shape, **VALUES)) for _ in range(2 if name == "LSTM" else 1)]
    _check_gradients(layer, (x, *states) if draw(st.booleans()) else (x,), lstm=name == "LSTM")


@pytest.mark.parametrize("name, gates", sorted(CELLS.items()))
def test_each_cell_has_pytorch_s_parameters_and_initialisation(name, gates):
    cell = getattr(nn, name)(3, 16, rng=0)
    shapes = {key: p.shape for key, p in cell.named_parameters()}
    assert shapes == {
        "weight_ih": (gates * 16, 3),
        "weight_hh": (gates * 16, 16),
        "bias_ih": (gates * 16,),
        "bias_hh": (gates * 16,),
    }
    values = np.concatenate([p.numpy().ravel() for p in cell.parameters()])
    assert np.abs(values).max() <= 1 / math.sqrt(16) and np.abs(values).max() > 0.9 / math.sqrt(16)
    assert [key for key, _ in getattr(nn, name)(3, 16, bias=False).named_parameters()] == ["weight_ih", "weight_hh"]


@pytest.mark.parametrize("name, gates", sorted(LAYERS.items()))
def test_each_layer_has_pytorch_s_parameters_per_layer_in_order(name, gates):
    layer = getattr(nn, name)(3, 5, num_layers=2, rng=0)
    assert [(key, p.shape) for key, p in layer.named_parameters()] == [
        ("weight_ih_l0", (gates * 5, 3)),
        ("weight_hh_l0", (gates * 5, 5)),
        ("bias_ih_l0", (gates * 5,)),
        ("bias_hh_l0", (gates * 5,)),
        ("weight_ih_l1", (gates * 5, 5)),
        ("weight_hh_l1", (gates * 5, 5)),
        ("bias_ih_l1", (gates * 5,)),
        ("bias_hh_l1", (gates * 5,)),
    ]
    assert all(np.abs(p.numpy()).max() <= 1 / math.sqrt(5) for p in layer.parameters())
    assert [key for key, _ in getattr(nn, name)(3, 5, bias=False).named_parameters()] == [
        "weight_ih_l0",
        "weight_hh_l0",
    ]


@pytest.mark.parametrize("name, cell_name", [("RNN", "RNNCell"), ("LSTM", "LSTMCell"), ("GRU", "GRUCell")])
def test_a_one_layer_network_is_its_cell_stepped_along_the_sequence(name, cell_name):
    layer, cell = getattr(nn, name)(2, 3, rng=0), getattr(nn, cell_name)(2, 3, rng=1)
    cell.load_state_dict({key.removesuffix("_l0"): value for key, value in layer.state_dict().items()})
    x = Tensor(np.random.default_rng(2).normal(size=(5, 4, 2)))
    output, final = layer(x)
    state = None
    for t in range(5):
        state = cell(x[t], state)
        h = state[0] if name == "LSTM" else state
        np.testing.assert_allclose(output[t].numpy(), h.numpy(), rtol=1e-14)
    np.testing.assert_allclose(_flat(final)[0].numpy(), h.numpy()[None], rtol=1e-14)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_batch_first_and_unbatched_inputs_give_the_same_numbers_moved(name):
    layer = getattr(nn, name)(2, 3, num_layers=2, rng=0)
    first = getattr(nn, name)(2, 3, num_layers=2, batch_first=True, rng=0)
    x = np.random.default_rng(1).normal(size=(4, 2, 2))  # (T, N, features)
    output, final = layer(Tensor(x))
    output_bf, final_bf = first(Tensor(x.transpose(1, 0, 2)))
    np.testing.assert_allclose(output_bf.numpy(), output.numpy().transpose(1, 0, 2), rtol=1e-14)
    for a, b in zip(_flat(final), _flat(final_bf)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-14)
    output_one, final_one = layer(Tensor(x[:, 1]))
    np.testing.assert_allclose(output_one.numpy(), output.numpy()[:, 1], rtol=1e-14)
    for a, b in zip(_flat(final), _flat(final_one)):
        np.testing.assert_allclose(b.numpy(), a.numpy()[:, 1], rtol=1e-14)


def test_the_gradient_reaches_the_first_step_only_through_every_step_between():
    # h_T depends on x_1 only through h_1 ... h_{T-1}: with W_hh = 0 nothing of x_1 reaches h_T.
    rnn = nn.RNN(1, 1, bias=False, rng=0)
    x = Tensor(np.ones((4, 1)), requires_grad=True)
    _, h_n = rnn(x)
    h_n.sum().backward()
    assert x.grad.numpy()[0, 0] != 0
    rnn.weight_hh_l0.numpy()[:] = 0.0
    x.grad = None
    _, h_n = rnn(x)
    h_n.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[:3], 0.0)
    assert x.grad.numpy()[3, 0] != 0


def test_an_omitted_initial_state_is_zeros():
    lstm = nn.LSTM(2, 3, rng=0)
    x = Tensor(np.random.default_rng(1).normal(size=(3, 2, 2)))
    zeros = Tensor(np.zeros((1, 2, 3)))
    for a, b in zip(_flat(lstm(x)), _flat(lstm(x, (zeros, zeros)))):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_a_batch_of_no_sequences_gives_empty_outputs_as_pytorch():
    output, h_n = nn.GRU(2, 3)(Tensor(np.zeros((4, 0, 2))))
    assert output.shape == (4, 0, 3) and h_n.shape == (1, 0, 3)


@pytest.mark.parametrize(
    "layer, text",
    [
        (
            nn.RNN(2, 3, 2, "relu", False, True),
            "RNN(2, 3, nonlinearity=relu, num_layers=2, bias=False, batch_first=True)",
        ),
        (nn.LSTM(2, 3), "LSTM(2, 3)"),
        (nn.GRU(2, 3, num_layers=3), "GRU(2, 3, num_layers=3)"),
        (nn.RNNCell(2, 3, nonlinearity="relu"), "RNNCell(2, 3, nonlinearity=relu)"),
        (nn.LSTMCell(2, 3, bias=False), "LSTMCell(2, 3, bias=False)"),
        (nn.GRUCell(2, 3), "GRUCell(2, 3)"),
    ],
)
def test_repr_names_the_settings_that_differ_from_the_defaults(layer, text):
    assert repr(layer) == text


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_each_layer_learns_to_sum_a_short_sequence_with_adam(name):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(5, 16, 1))
    target = Tensor(x.sum(axis=0))
    layer, head = getattr(nn, name)(1, 8, rng=1), nn.Linear(8, 1, rng=2)
    optimizer = minigrad.optim.Adam([*layer.parameters(), *head.parameters()], lr=0.03)
    losses = []
    for _ in range(60):
        optimizer.zero_grad()
        _, final = layer(Tensor(x))
        h_n = final[0] if name == "LSTM" else final
        loss = ((head(h_n[0]) - target) ** 2).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
