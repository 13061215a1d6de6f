"""Every bad argument of the nn constructors and initialisers, one row each, refused by name on entry.

Each row is (call, the bad argument, the expected error type, a fragment of the message naming
the call, the argument and the value). Below the table: the layers PyTorch builds from edge
values (a width of 0), minigrad builds too.
"""

import warnings

import numpy as np
import pytest

from minigrad import Tensor, nn
from minigrad.nn import init

NAN, INF = float("nan"), float("inf")


def weight(*shape):
    return Tensor(np.zeros(shape))


ROWS = [
    # Linear
    (lambda: nn.Linear(-1, 3), "in_features", ValueError, "Linear: in_features must be an integer >= 0, got -1"),
    (lambda: nn.Linear(2.5, 3), "in_features", TypeError, "Linear: in_features must be an integer >= 0, got float 2.5"),
    (lambda: nn.Linear(2.0, 3), "in_features", TypeError, "in_features must be an integer >= 0, got float 2.0"),
    (lambda: nn.Linear(True, 3), "in_features", TypeError, "in_features must be an integer >= 0, got bool True"),
    (lambda: nn.Linear("2", 3), "in_features", TypeError, "in_features must be an integer >= 0, got str '2'"),
    (lambda: nn.Linear(2, -3), "out_features", ValueError, "Linear: out_features must be an integer >= 0, got -3"),
    (lambda: nn.Linear(2, None), "out_features", TypeError, "out_features must be an integer >= 0, got NoneType"),
    # Dropout
    (lambda: nn.Dropout(1.5), "p", ValueError, "Dropout: p must be a finite number >= 0 and <= 1, got 1.5"),
    (lambda: nn.Dropout(-0.1), "p", ValueError, "Dropout: p must be a finite number >= 0 and <= 1, got -0.1"),
    (lambda: nn.Dropout(NAN), "p", ValueError, "Dropout: p must be a finite number >= 0 and <= 1, got nan"),
    (lambda: nn.Dropout("half"), "p", TypeError, "Dropout: p must be a finite number >= 0 and <= 1, got str 'half'"),
    # LayerNorm
    (lambda: nn.LayerNorm(-3), "normalized_shape", ValueError, "LayerNorm: normalized_shape must be an integer >= 0"),
    (lambda: nn.LayerNorm(2.5), "normalized_shape", TypeError, "normalized_shape must be an integer >= 0, got float"),
    (lambda: nn.LayerNorm("3"), "normalized_shape", TypeError, "normalized_shape must be an integer >= 0, got str"),
    (lambda: nn.LayerNorm((2, -1)), "normalized_shape", ValueError, "LayerNorm: normalized_shape[1] must be an"),
    (lambda: nn.LayerNorm([2, 1.5]), "normalized_shape", TypeError, "normalized_shape[1] must be an integer >= 0"),
    (lambda: nn.LayerNorm(3, eps=0.0), "eps", ValueError, "LayerNorm: eps must be a finite number > 0, got 0.0"),
    (lambda: nn.LayerNorm(3, eps=-1e-5), "eps", ValueError, "LayerNorm: eps must be a finite number > 0, got -1e-05"),
    (lambda: nn.LayerNorm(3, eps=NAN), "eps", ValueError, "LayerNorm: eps must be a finite number > 0, got nan"),
    # BatchNorm1d
    (lambda: nn.BatchNorm1d(-1), "num_features", ValueError, "BatchNorm1d: num_features must be an integer >= 0"),
    (lambda: nn.BatchNorm1d(2.5), "num_features", TypeError, "num_features must be an integer >= 0, got float 2.5"),
    (lambda: nn.BatchNorm1d(3, eps=0), "eps", ValueError, "BatchNorm1d: eps must be a finite number > 0, got 0"),
    (lambda: nn.BatchNorm1d(3, eps=INF), "eps", ValueError, "BatchNorm1d: eps must be a finite number > 0, got inf"),
    (
        lambda: nn.BatchNorm1d(3, momentum=2),
        "momentum",
        ValueError,
        "BatchNorm1d: momentum must be a finite number >= 0 and <= 1, got 2",
    ),
    (
        lambda: nn.BatchNorm1d(3, momentum=NAN),
        "momentum",
        ValueError,
        "momentum must be a finite number >= 0 and <= 1, got nan",
    ),
    (
        lambda: nn.BatchNorm1d(3, momentum=-0.1),
        "momentum",
        ValueError,
        "momentum must be a finite number >= 0 and <= 1",
    ),
    # activations
    (
        lambda: nn.LeakyReLU(NAN),
        "negative_slope",
        ValueError,
        "LeakyReLU: negative_slope must be a finite number, got nan",
    ),
    (lambda: nn.LeakyReLU("0.1"), "negative_slope", TypeError, "LeakyReLU: negative_slope must be a finite number"),
    (lambda: nn.PReLU(0), "num_parameters", ValueError, "PReLU: num_parameters must be an integer >= 1, got 0"),
    (lambda: nn.PReLU(-1), "num_parameters", ValueError, "PReLU: num_parameters must be an integer >= 1, got -1"),
    (lambda: nn.PReLU(2.0), "num_parameters", TypeError, "PReLU: num_parameters must be an integer >= 1, got float"),
    (lambda: nn.PReLU(init=NAN), "init", ValueError, "PReLU: init must be a finite number, got nan"),
    (lambda: nn.ELU(NAN), "alpha", ValueError, "ELU: alpha must be a finite number, got nan"),
    (lambda: nn.ELU(INF), "alpha", ValueError, "ELU: alpha must be a finite number, got inf"),
    (lambda: nn.CELU(0.0), "alpha", ValueError, "CELU: alpha must be a finite number other than 0, got 0.0"),
    (lambda: nn.CELU(NAN), "alpha", ValueError, "CELU: alpha must be a finite number, got nan"),
    (lambda: nn.Softplus(beta=0), "beta", ValueError, "Softplus: beta must be a finite number other than 0, got 0"),
    (lambda: nn.Softplus(beta=NAN), "beta", ValueError, "Softplus: beta must be a finite number, got nan"),
    (lambda: nn.Softplus(threshold=NAN), "threshold", ValueError, "Softplus: threshold must be a number, got nan"),
    (lambda: nn.Hardtanh(2.0, 1.0), "max_val", ValueError, "Hardtanh: max_val must be a number > 2, got 1.0"),
    (lambda: nn.Hardtanh(1.0, 1.0), "max_val", ValueError, "Hardtanh: max_val must be a number > 1, got 1.0"),
    (lambda: nn.Hardtanh(NAN, 1.0), "min_val", ValueError, "Hardtanh: min_val must be a number, got nan"),
    (lambda: nn.Softmax(dim=1.5), "dim", TypeError, "Softmax: dim must be an integer, got float 1.5"),
    (lambda: nn.LogSoftmax(dim="0"), "dim", TypeError, "LogSoftmax: dim must be an integer, got str '0'"),
    # containers
    (lambda: nn.Sequential(nn.ReLU(), 3), "module", TypeError, "Sequential: module 1 must be a Module, got int 3"),
    (lambda: nn.Sequential().append(np.tanh), "module", TypeError, "Sequential: module 0 must be a Module, got ufunc"),
    # MLP
    (lambda: nn.MLP([2]), "sizes", ValueError, "MLP: sizes needs at least an input and an output width"),
    (lambda: nn.MLP(3), "sizes", TypeError, "MLP: sizes must be a list of integer widths, got int 3"),
    (lambda: nn.MLP([2, 0, 1]), "sizes", ValueError, "MLP: sizes[1] must be an integer >= 1, got 0"),
    (lambda: nn.MLP([2, -4, 1]), "sizes", ValueError, "MLP: sizes[1] must be an integer >= 1, got -4"),
    (lambda: nn.MLP([2, 4.0, 1]), "sizes", TypeError, "MLP: sizes[1] must be an integer >= 1, got float 4.0"),
    (lambda: nn.MLP([2, 4], activation="swish"), "activation", ValueError, "MLP: unknown activation 'swish'"),
    (lambda: nn.MLP([2, 4], init="he"), "init", ValueError, "MLP: unknown init 'he'"),
    (lambda: nn.MLP([2, 4], norm="group"), "norm", ValueError, "MLP: unknown norm 'group'"),
    # init
    (lambda: init.calculate_gain("swish"), "nonlinearity", ValueError, "calculate_gain: nonlinearity must be one of"),
    (
        lambda: init.calculate_gain("leaky_relu", NAN),
        "param",
        ValueError,
        "calculate_gain: param must be a finite number, got nan",
    ),
    (
        lambda: init.calculate_gain("leaky_relu", "a"),
        "param",
        TypeError,
        "calculate_gain: param must be a finite number, got str",
    ),
    (
        lambda: init.calculate_gain("leaky_relu", True),
        "param",
        TypeError,
        "param must be a finite number, got bool True",
    ),
    (
        lambda: init.kaiming_uniform_(weight(3, 2), mode="fan"),
        "mode",
        ValueError,
        "kaiming_uniform_: mode must be one of 'fan_in', 'fan_out', got 'fan'",
    ),
    (lambda: init.kaiming_normal_(weight(3, 2), mode=None), "mode", ValueError, "kaiming_normal_: mode must be one of"),
    (
        lambda: init.kaiming_uniform_(weight(3, 2), nonlinearity="swish"),
        "nonlinearity",
        ValueError,
        "kaiming_uniform_: nonlinearity must be one of",
    ),
    (
        lambda: init.kaiming_normal_(weight(3, 2), a=NAN),
        "a",
        ValueError,
        "kaiming_normal_: a must be a finite number, got nan",
    ),
    (
        lambda: init.kaiming_uniform_(weight(3, 2), a="x"),
        "a",
        TypeError,
        "kaiming_uniform_: a must be a finite number, got str",
    ),
    (
        lambda: init.kaiming_uniform_(weight(3, 0), mode="fan"),
        "mode",
        ValueError,
        "kaiming_uniform_: mode must be one of",
    ),
    (
        lambda: init.xavier_uniform_(weight(3, 2), gain=NAN),
        "gain",
        ValueError,
        "xavier_uniform_: gain must be a finite number, got nan",
    ),
    (
        lambda: init.xavier_normal_(weight(3, 2), gain=INF),
        "gain",
        ValueError,
        "xavier_normal_: gain must be a finite number >= 0, got inf",
    ),
    (
        lambda: init.xavier_normal_(weight(3, 2), gain=-1.0),
        "gain",
        ValueError,
        "xavier_normal_: gain must be a finite number >= 0, got -1.0",
    ),
    (
        lambda: init.xavier_uniform_(weight(3)),
        "tensor",
        ValueError,
        "fans: fan in and fan out need a tensor of at least 2 dimensions, got shape (3,)",
    ),
    (
        lambda: init.orthogonal_(weight(3, 2), gain=NAN),
        "gain",
        ValueError,
        "orthogonal_: gain must be a finite number, got nan",
    ),
    (lambda: init.orthogonal_(weight(3)), "tensor", ValueError, "orthogonal_ needs a tensor of at least 2 dimensions"),
    (lambda: init.uniform_(weight(3), 2.0, 1.0), "b", ValueError, "uniform_: b must be a finite number >= 2, got 1.0"),
    (lambda: init.uniform_(weight(3), NAN, 1.0), "a", ValueError, "uniform_: a must be a finite number, got nan"),
    (lambda: init.uniform_(weight(3), 0.0, INF), "b", ValueError, "uniform_: b must be a finite number >= 0, got inf"),
    (
        lambda: init.normal_(weight(3), 0.0, -1.0),
        "std",
        ValueError,
        "normal_: std must be a finite number >= 0, got -1.0",
    ),
    (lambda: init.normal_(weight(3), NAN, 1.0), "mean", ValueError, "normal_: mean must be a finite number, got nan"),
    (lambda: init.normal_(weight(3), 0.0, "1"), "std", TypeError, "normal_: std must be a finite number >= 0, got str"),
    # rng: a Generator, None or a seed
    (
        lambda: nn.Linear(2, 3, rng="x"),
        "rng",
        TypeError,
        "Linear: rng must be a numpy Generator, None or a seed (an integer >= 0), got 'x'",
    ),
    (lambda: nn.Dropout(0.5, rng=-1), "rng", ValueError, "Dropout: rng must be a numpy Generator, None or a seed"),
    (lambda: nn.MLP([2, 3], rng=1.5), "rng", TypeError, "MLP: rng must be a numpy Generator, None or a seed"),
    (lambda: init.uniform_(weight(3), rng="a"), "rng", TypeError, "uniform_: rng must be a numpy Generator"),
    (lambda: init.normal_(weight(3), rng=-1), "rng", ValueError, "normal_: rng must be a numpy Generator"),
    (
        lambda: init.xavier_uniform_(weight(3, 2), rng=-1),
        "rng",
        ValueError,
        "xavier_uniform_: rng must be a numpy Generator",
    ),
    (
        lambda: init.xavier_normal_(weight(3, 2), rng="x"),
        "rng",
        TypeError,
        "xavier_normal_: rng must be a numpy Generator",
    ),
    (
        lambda: init.kaiming_uniform_(weight(3, 2), rng=-1),
        "rng",
        ValueError,
        "kaiming_uniform_: rng must be a numpy Generator",
    ),
    (
        lambda: init.kaiming_normal_(weight(3, 2), rng=[-1]),
        "rng",
        TypeError,
        "kaiming_normal_: rng must be a numpy Generator",
    ),
    (lambda: init.orthogonal_(weight(3, 2), rng=-2), "rng", ValueError, "orthogonal_: rng must be a numpy Generator"),
]


@pytest.mark.parametrize(
    ("call", "argument", "error", "message"),
    ROWS,
    ids=[f"{row[3].split(':')[0]}-{row[1]}-{i}" for i, row in enumerate(ROWS)],
)
def test_a_bad_argument_is_refused_by_name(call, argument, error, message):
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value) and argument in str(caught.value)


def test_a_refused_initialiser_leaves_the_tensor_unchanged():
    w = Tensor(np.arange(6.0).reshape(3, 2))
    for fill in (
        lambda: init.kaiming_uniform_(w, mode="fan"),
        lambda: init.xavier_normal_(w, gain=-1.0),
        lambda: init.uniform_(w, 1.0, 0.0),
        lambda: init.orthogonal_(w, gain=NAN),
    ):
        with pytest.raises(ValueError):
            fill()
        assert np.array_equal(w.numpy(), np.arange(6.0).reshape(3, 2)) and w._version == 0


# --- what PyTorch builds, minigrad builds ------------------------------------------------------


@pytest.mark.parametrize(("in_features", "out_features"), [(0, 3), (3, 0), (0, 0)])
def test_a_linear_layer_of_width_zero_builds_as_in_pytorch_and_init_warns_it_did_nothing(in_features, out_features):
    with pytest.warns(UserWarning, match="kaiming_uniform_: initializing zero-element tensors is a no-op"):
        layer = nn.Linear(in_features, out_features, rng=0)
    assert layer.weight.shape == (out_features, in_features) and layer.bias.shape == (out_features,)
    y = layer(Tensor(np.ones((2, in_features))))
    assert y.shape == (2, out_features) and np.array_equal(y.numpy(), np.zeros((2, out_features)))


def test_linear_of_width_zero_matches_pytorch():
    torch = pytest.importorskip("torch")
    for in_features, out_features in [(0, 3), (3, 0)]:
        with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
            theirs = torch.nn.Linear(in_features, out_features)
            ours = nn.Linear(in_features, out_features, rng=0)
        assert tuple(theirs.weight.shape) == ours.weight.shape and tuple(theirs.bias.shape) == ours.bias.shape


def test_initialisers_of_a_zero_element_tensor_fill_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # xavier and orthogonal say nothing, as in PyTorch
        assert init.xavier_uniform_(weight(0, 0)).shape == (0, 0)
        assert init.xavier_normal_(weight(3, 0)).shape == (3, 0)
        assert init.orthogonal_(weight(0, 3)).shape == (0, 3)
        assert init.orthogonal_(weight(2, 0, 3)).shape == (2, 0, 3)
    with pytest.warns(UserWarning, match="kaiming_normal_: initializing zero-element tensors is a no-op"):
        assert init.kaiming_normal_(weight(0, 4)).shape == (0, 4)


def test_the_edge_values_pytorch_accepts_are_accepted():
    assert nn.LayerNorm(0).normalized_shape == (0,) and nn.LayerNorm(()).normalized_shape == ()
    assert nn.LayerNorm(np.int64(3)).normalized_shape == (3,) and nn.LayerNorm([2, 3]).normalized_shape == (2, 3)
    assert nn.BatchNorm1d(0).running_mean.shape == (0,)
    assert nn.Dropout(0.0).p == 0.0 and nn.Dropout(1).p == 1
    assert nn.LeakyReLU(-0.5).negative_slope == -0.5 and nn.ELU(-1.0).alpha == -1.0
    assert nn.Softplus(beta=-1.0, threshold=INF).threshold == INF
    assert nn.Hardtanh(-INF, INF)(Tensor([-1e9, 1e9])).numpy().tolist() == [-1e9, 1e9]
    assert nn.Softmax(dim=np.int64(0)).dim == 0
    assert nn.BatchNorm1d(3, momentum=0).momentum == 0 and nn.BatchNorm1d(3, momentum=1.0).momentum == 1.0
