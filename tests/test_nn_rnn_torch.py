"""The recurrent layers and Embedding against PyTorch's, where it is installed: PyTorch's layer
made in float64, its weights copied into ours through the state dicts (so the names, order and
shapes must agree), then the outputs and the gradients of the input, the initial states and every
parameter compared at 1e-10."""

import numpy as np
import pytest

from minigrad import Tensor, nn

torch = pytest.importorskip("torch")


def _pair(name, *args, **kwargs):
    theirs = getattr(torch.nn, name)(*args, **kwargs, dtype=torch.float64)
    ours = getattr(nn, name)(*args, **kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()})
    return ours, theirs


def _flat(result):
    """The tensors of a layer's result: h, (h, c), (output, h_n) or (output, (h_n, c_n))."""
    if isinstance(result, tuple):
        return [t for part in result for t in _flat(part)]
    return [result]


def _arguments(arrays, lstm_state, make):
    """The call's arguments from arrays (input, then the states), and the leaves among them."""
    leaves = [make(a) for a in arrays]
    states = leaves[1:]
    if not states:
        return leaves[:1], leaves
    return [leaves[0], tuple(states) if lstm_state else states[0]], leaves


def _check_against_pytorch(ours, theirs, arrays, lstm_state):
    our_args, our_leaves = _arguments(arrays, lstm_state, lambda a: Tensor(a, requires_grad=True))
    their_args, their_leaves = _arguments(arrays, lstm_state, lambda a: torch.tensor(a, requires_grad=True))
    our_out, their_out = _flat(ours(*our_args)), _flat(theirs(*their_args))
    assert [t.shape for t in our_out] == [tuple(t.shape) for t in their_out]
    for mine, their in zip(our_out, their_out):
        np.testing.assert_allclose(mine.numpy(), their.detach().numpy(), rtol=1e-10, atol=1e-12)
    rng = np.random.default_rng(1)
    upstream = [rng.normal(size=tuple(t.shape)) for t in their_out]
    sum((t * Tensor(u)).sum() for t, u in zip(our_out, upstream)).backward()
    sum((t * torch.tensor(u)).sum() for t, u in zip(their_out, upstream)).backward()
    for name, parameter in theirs.named_parameters():
        mine = getattr(ours, name).grad.numpy()
        np.testing.assert_allclose(mine, parameter.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)
    for mine, their in zip(our_leaves, their_leaves):
        np.testing.assert_allclose(mine.grad.numpy(), their.grad.numpy(), rtol=1e-10, atol=1e-12)


CELLS = [
    ("RNNCell", {}),
    ("RNNCell", {"nonlinearity": "relu"}),
    ("RNNCell", {"bias": False}),
    ("LSTMCell", {}),
    ("LSTMCell", {"bias": False}),
    ("GRUCell", {}),
    ("GRUCell", {"bias": False}),
]


@pytest.mark.parametrize("given_state", [True, False], ids=["hx", "no-hx"])
@pytest.mark.parametrize("batch", [(4,), ()], ids=["batched", "unbatched"])
@pytest.mark.parametrize("name, options", CELLS, ids=[f"{n}-{o}" for n, o in CELLS])
def test_each_cell_matches_pytorch_in_its_step_and_every_gradient(name, options, batch, given_state):
    ours, theirs = _pair(name, 3, 5, **options)
    rng = np.random.default_rng(0)
    states = (2 if name == "LSTMCell" else 1) if given_state else 0
    arrays = [rng.normal(size=batch + (3,))] + [rng.normal(size=batch + (5,)) for _ in range(states)]
    _check_against_pytorch(ours, theirs, arrays, lstm_state=name == "LSTMCell")


LAYERS = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
    ("RNN", {"bias": False, "batch_first": True}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "batch_first": True}),
    ("LSTM", {"bias": False}),
    ("GRU", {}),
    ("GRU", {"num_layers": 3, "bias": False, "batch_first": True}),
]


@pytest.mark.parametrize("given_state", [True, False], ids=["hx", "no-hx"])
@pytest.mark.parametrize("batch", [2, None], ids=["batched", "unbatched"])
@pytest.mark.parametrize("name, options", LAYERS, ids=[f"{n}-{o}" for n, o in LAYERS])
def test_each_layer_matches_pytorch_in_its_outputs_and_every_gradient(name, options, batch, given_state):
    ours, theirs = _pair(name, 3, 4, **options)
    layers, steps = options.get("num_layers", 1), 6
    if batch is None:
        shape, state_shape = (steps, 3), (layers, 4)
    else:
        shape = (batch, steps, 3) if options.get("batch_first") else (steps, batch, 3)
        state_shape = (layers, batch, 4)
    rng = np.random.default_rng(0)
    states = (2 if name == "LSTM" else 1) if given_state else 0
    arrays = [rng.normal(size=shape)] + [rng.normal(size=state_shape) for _ in range(states)]
    _check_against_pytorch(ours, theirs, arrays, lstm_state=name == "LSTM")


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_pytorch_in_its_rows_and_its_gradient(padding_idx):
    theirs = torch.nn.Embedding(6, 3, padding_idx=padding_idx, dtype=torch.float64)
    ours = nn.Embedding(6, 3, padding_idx=padding_idx)
    assert ours.padding_idx == theirs.padding_idx
    ours.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()})
    indices = np.array([[0, 2, 2, 5], [5, 5, 1, 2]])  # repeated rows, the padding row among them
    our_out, their_out = ours(Tensor(indices, dtype=np.int64)), theirs(torch.tensor(indices))
    np.testing.assert_array_equal(our_out.numpy(), their_out.detach().numpy())
    upstream = np.random.default_rng(0).normal(size=(2, 4, 3))
    (our_out * Tensor(upstream)).sum().backward()
    (their_out * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-12, atol=0)
