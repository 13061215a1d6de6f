"""Every bad argument of the recurrent layers and of Embedding, one row each, refused by name on
entry: (call, the expected error type, a fragment of the message naming the call, the argument and
the value). A refused call changes nothing: the parameters are as before."""

import numpy as np
import pytest

import minigrad
from minigrad import Tensor, nn
from minigrad import functional as F


def x(*shape, dtype=np.float64):
    return Tensor(np.zeros(shape), dtype=dtype)


RNN, LSTM, GRU = nn.RNN(2, 3, rng=0), nn.LSTM(2, 3, num_layers=2, rng=0), nn.GRU(2, 3, batch_first=True, rng=0)
CELL, LSTM_CELL = nn.RNNCell(2, 3, rng=0), nn.LSTMCell(2, 3, rng=0)
TABLE = nn.Embedding(4, 2, rng=0)

ROWS = [
    # constructors
    (lambda: nn.RNN(0, 3), ValueError, "RNN: input_size must be an integer >= 1, got 0"),
    (lambda: nn.LSTM(2, 0), ValueError, "LSTM: hidden_size must be an integer >= 1, got 0"),
    (lambda: nn.GRU(2, 3, num_layers=0), ValueError, "GRU: num_layers must be an integer >= 1, got 0"),
    (lambda: nn.GRU(2, 3.0), TypeError, "GRU: hidden_size must be an integer >= 1, got float 3.0"),
    (lambda: nn.RNN(2, 3, nonlinearity="sigmoid"), ValueError, "RNN: nonlinearity must be one of 'tanh', 'relu'"),
    (lambda: nn.RNNCell(2, 3, nonlinearity="gelu"), ValueError, "RNNCell: nonlinearity must be one of 'tanh', 'relu'"),
    (lambda: nn.LSTM(2, 3, bias=1), TypeError, "LSTM: bias must be a bool, got int 1"),
    (lambda: nn.LSTM(2, 3, batch_first="yes"), TypeError, "LSTM: batch_first must be a bool, got str 'yes'"),
    (lambda: nn.GRUCell(2, 3, bias=None), TypeError, "GRUCell: bias must be a bool, got NoneType None"),
    (lambda: nn.RNNCell(-1, 3), ValueError, "RNNCell: input_size must be an integer >= 0, got -1"),
    (lambda: nn.RNN(2, 3, dropout=1.5), ValueError, "RNN: dropout must be a finite number >= 0 and <= 1, got 1.5"),
    (lambda: nn.RNN(2, 3, dropout=0.5), NotImplementedError, "RNN: dropout=0.5 is not implemented in minigrad"),
    (lambda: nn.LSTM(2, 3, bidirectional=True), NotImplementedError, "LSTM: bidirectional=True is not implemented"),
    (lambda: nn.LSTM(2, 3, proj_size=2), NotImplementedError, "LSTM: proj_size=2 is not implemented in minigrad"),
    (lambda: nn.GRU(2, 3, proj_size=2), ValueError, "GRU: proj_size is an option of LSTM only, got proj_size=2"),
    (lambda: nn.RNN(2, 3, proj_size=2), TypeError, "unexpected keyword argument 'proj_size'"),
    (lambda: nn.Embedding(-1, 2), ValueError, "Embedding: num_embeddings must be an integer >= 0, got -1"),
    (lambda: nn.Embedding(4, 2.5), TypeError, "Embedding: embedding_dim must be an integer >= 0, got float 2.5"),
    (lambda: nn.Embedding(4, 2, padding_idx=4), ValueError, "Embedding: padding_idx must be an integer >= -4 and < 4"),
    (lambda: nn.Embedding(4, 2, padding_idx=-5), ValueError, "Embedding: padding_idx must be an integer >= -4"),
    (lambda: nn.Embedding(4, 2, max_norm=1.0), NotImplementedError, "Embedding: max_norm=1.0 is not implemented"),
    (lambda: nn.Embedding(4, 2, scale_grad_by_freq=True), NotImplementedError, "Embedding: scale_grad_by_freq=True"),
    (lambda: nn.Embedding(4, 2, sparse=True), NotImplementedError, "Embedding: sparse=True is not implemented"),
    (lambda: nn.Embedding(4, 2, norm_type="l2"), TypeError, "Embedding: norm_type must be a finite number"),
    (lambda: nn.Embedding(4, 2, _weight=np.zeros((2, 4))), ValueError, "Embedding: _weight must have shape (4, 2)"),
    (lambda: nn.Embedding.from_pretrained(np.zeros(3)), ValueError, "from_pretrained: embeddings must be 2-D"),
    (lambda: nn.Embedding.from_pretrained(np.zeros((3, 2)), freeze=1), TypeError, "freeze must be a bool, got int 1"),
    # inputs of the wrong feature size, rank or dtype
    (
        lambda: RNN(x(5, 1, 3)),
        ValueError,
        "RNN: input must have input_size=2 features in its last dimension, got shape (5, 1, 3)",
    ),
    (lambda: GRU(x(1, 5, 4)), ValueError, "GRU: input must have input_size=2 features"),
    (
        lambda: CELL(x(4, 1)),
        ValueError,
        "RNNCell: input must have input_size=2 features in its last dimension, got shape (4, 1)",
    ),
    (lambda: RNN(x(2)), ValueError, "RNN: input must be 2-D (unbatched) or 3-D (batched), got shape (2,)"),
    (
        lambda: LSTM(x(1, 1, 1, 2)),
        ValueError,
        "LSTM: input must be 2-D (unbatched) or 3-D (batched), got shape (1, 1, 1, 2)",
    ),
    (
        lambda: CELL(x(1, 1, 2)),
        ValueError,
        "RNNCell: input must be 1-D (unbatched) or 2-D (batched), got shape (1, 1, 2)",
    ),
    (lambda: RNN(np.zeros((5, 2))), TypeError, "RNN: input must be a Tensor, got ndarray"),
    (
        lambda: RNN(x(5, 2, dtype=np.float32)),
        TypeError,
        "RNN: input dtype float32 must match the weights' dtype float64",
    ),
    (lambda: RNN(x(0, 1, 2)), ValueError, "RNN: input must hold at least one time step, got shape (0, 1, 2)"),
    # hidden states of the wrong shape
    (
        lambda: RNN(x(5, 2, 2), x(1, 3, 3)),
        ValueError,
        "RNN: hx must have shape (1, 2, 3) for this input, got (1, 3, 3)",
    ),
    (lambda: RNN(x(5, 2), x(1, 1, 3)), ValueError, "RNN: hx must have shape (1, 3) for this input, got (1, 1, 3)"),
    (
        lambda: GRU(x(2, 5, 2), x(1, 5, 3)),
        ValueError,
        "GRU: hx must have shape (1, 2, 3) for this input, got (1, 5, 3)",
    ),
    (
        lambda: LSTM(x(5, 2, 2), (x(2, 2, 3), x(1, 2, 3))),
        ValueError,
        "LSTM: c_0 must have shape (2, 2, 3) for this input",
    ),
    (
        lambda: LSTM(x(5, 2, 2), (x(2, 2, 4), x(2, 2, 3))),
        ValueError,
        "LSTM: h_0 must have shape (2, 2, 3) for this input",
    ),
    (lambda: LSTM(x(5, 2, 2), x(2, 2, 3)), TypeError, "LSTM: hx must be None or a pair (h_0, c_0), got Tensor"),
    (
        lambda: LSTM(x(5, 2, 2), (x(2, 2, 3), np.zeros((2, 2, 3)))),
        TypeError,
        "LSTM: c_0 must be a Tensor of shape (2, 2, 3)",
    ),
    (lambda: CELL(x(2), x(1, 3)), ValueError, "RNNCell: hx must have shape (3,) for this input, got (1, 3)"),
    (lambda: CELL(x(4, 2), x(2, 3)), ValueError, "RNNCell: hx must have shape (4, 3) for this input, got (2, 3)"),
    (lambda: LSTM_CELL(x(4, 2), (x(4, 3),)), TypeError, "LSTMCell: hx must be None or a pair (h_0, c_0), got tuple"),
    (lambda: LSTM_CELL(x(4, 2), (x(4, 3), x(3, 3))), ValueError, "LSTMCell: c_0 must have shape (4, 3) for this input"),
    (lambda: CELL(x(4, 2), x(4, 3, dtype=np.float32)), TypeError, "RNNCell: hx dtype float32 must match the weights'"),
    # indices out of range or not integers
    (
        lambda: TABLE(np.array([0, 4])),
        IndexError,
        "embedding: input holds indices [4] outside [0, 4) for a weight of shape (4, 2)",
    ),
    (lambda: TABLE(minigrad.tensor([[-1, 2]])), IndexError, "embedding: input holds indices [-1] outside [0, 4)"),
    (
        lambda: TABLE(Tensor([1.0])),
        TypeError,
        "embedding: input must hold integer indices (an int64 or int32 Tensor, or an integer NumPy array), got a Tensor of dtype float64",
    ),
    (lambda: TABLE(minigrad.tensor([True])), TypeError, "embedding: input must hold integer indices"),
    (
        lambda: TABLE([0, 1]),
        TypeError,
        "embedding: input must hold integer indices (an int64 or int32 Tensor, or an integer NumPy array), got [0, 1]",
    ),
    (
        lambda: F.embedding(np.array([0]), Tensor(np.zeros(4))),
        ValueError,
        "embedding: weight must be a 2-D Tensor (num_embeddings, embedding_dim), got a Tensor of shape (4,)",
    ),
    (
        lambda: F.embedding(np.array([0]), np.zeros((4, 2))),
        ValueError,
        "embedding: weight must be a 2-D Tensor (num_embeddings, embedding_dim), got ndarray",
    ),
    (lambda: F.embedding(np.array([0]), TABLE.weight, max_norm=2.0), NotImplementedError, "embedding: max_norm=2.0"),
    (
        lambda: F.embedding(np.array([0]), TABLE.weight, padding_idx=7),
        ValueError,
        "embedding: padding_idx must be an integer >= -4 and < 4, got 7",
    ),
]


@pytest.mark.parametrize("call, error, message", ROWS, ids=[row[2][:60] for row in ROWS])
def test_each_bad_argument_is_refused_by_name_and_changes_nothing(call, error, message):
    before = [p.numpy().copy() for module in (RNN, LSTM, GRU, CELL, LSTM_CELL, TABLE) for p in module.parameters()]
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)
    after = [p.numpy() for module in (RNN, LSTM, GRU, CELL, LSTM_CELL, TABLE) for p in module.parameters()]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
