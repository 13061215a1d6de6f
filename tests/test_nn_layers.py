"""Layers: values against NumPy formulas, and gradients (inputs and parameters) against central
differences in float64, in train and eval mode."""

import numpy as np
import pytest

import minigrad.functional as F
import minigrad.nn as nn
from minigrad import Tensor, gradcheck, no_grad
from minigrad.nn.utils import functional_call


def randn(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def randomized(module):
    """The module, its parameters set to random values so that gradchecks see each one matter."""
    with no_grad():
        for i, p in enumerate(module.parameters()):
            p.copy_(np.random.default_rng(10 + i).uniform(0.5, 1.5, p.shape))
    return module


def check_module(module, x):
    """gradcheck of module(x) with respect to x and every parameter."""
    names = [name for name, _ in module.named_parameters()]
    params = [Tensor(p.numpy().copy(), requires_grad=True) for p in module.parameters()]
    assert gradcheck(lambda x, *ps: functional_call(module, dict(zip(names, ps)), x), (x, *params))


# --- Linear ------------------------------------------------------------------------------------


def test_linear_computes_x_w_transpose_plus_b():
    layer, x = nn.Linear(3, 2, rng=0), randn(4, 3)
    expected = x.numpy() @ layer.weight.numpy().T + layer.bias.numpy()
    np.testing.assert_allclose(layer(x).numpy(), expected)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradients(bias):
    check_module(nn.Linear(3, 2, bias=bias, rng=0), randn(4, 3))


def test_linear_without_bias_has_no_bias_parameter():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and [name for name, _ in layer.named_parameters()] == ["weight"]
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)"


def test_linear_names_the_shape_it_expected():
    with pytest.raises(ValueError, match="last dimension 3, got shape \\(4, 2\\)"):
        nn.Linear(3, 2)(Tensor(np.ones((4, 2))))


# --- LayerNorm ---------------------------------------------------------------------------------


def test_layer_norm_matches_the_formula():
    x = randn(4, 5)
    ln = nn.LayerNorm(5)
    with_affine = nn.LayerNorm(5)
    with_affine.weight, with_affine.bias = nn.Parameter(np.arange(5.0)), nn.Parameter(np.ones(5))
    a = x.numpy()
    normalized = (a - a.mean(1, keepdims=True)) / np.sqrt(a.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(ln(x).numpy(), normalized, atol=1e-12)
    np.testing.assert_allclose(with_affine(x).numpy(), normalized * np.arange(5.0) + 1, atol=1e-12)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape, normalized_shape", [((4, 5), 5), ((2, 3, 4), (3, 4))])
def test_layer_norm_gradients(training, shape, normalized_shape):
    check_module(randomized(nn.LayerNorm(normalized_shape)).train(training), randn(*shape))


def test_layer_norm_without_affine_has_no_parameters_and_checks_shape():
    ln = nn.LayerNorm(3, elementwise_affine=False)
    assert list(ln.parameters()) == []
    assert gradcheck(ln, randn(2, 3))
    with pytest.raises(ValueError, match="ending in shape \\(3,\\)"):
        ln(Tensor(np.ones((3, 2))))


# --- BatchNorm1d -------------------------------------------------------------------------------


def test_batch_norm_train_uses_batch_stats_and_updates_running_stats_unbiased():
    bn, x = nn.BatchNorm1d(3, momentum=0.2), randn(6, 3)
    a = x.numpy()
    out = bn(x)
    np.testing.assert_allclose(out.numpy(), (a - a.mean(0)) / np.sqrt(a.var(0) + 1e-5), atol=1e-12)
    np.testing.assert_allclose(bn.running_mean, 0.2 * a.mean(0))
    np.testing.assert_allclose(bn.running_var, 0.8 + 0.2 * a.var(0, ddof=1))
    assert bn.num_batches_tracked == 1


def test_batch_norm_eval_uses_running_stats_and_leaves_them():
    bn, x = nn.BatchNorm1d(3), randn(6, 3)
    for _ in range(3):
        bn(x)
    mean, var = bn.running_mean.copy(), bn.running_var.copy()
    bn.eval()
    np.testing.assert_allclose(bn(x).numpy(), (x.numpy() - mean) / np.sqrt(var + 1e-5))
    np.testing.assert_array_equal(bn.running_mean, mean)
    assert bn.num_batches_tracked == 3


def test_batch_norm_over_length_of_a_3d_input():
    bn, x = nn.BatchNorm1d(2), randn(4, 2, 5)
    a = x.numpy()
    mean, var = a.mean((0, 2), keepdims=True), a.var((0, 2), keepdims=True)
    np.testing.assert_allclose(bn(x).numpy(), (a - mean) / np.sqrt(var + 1e-5), atol=1e-12)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (3, 3, 2)])
def test_batch_norm_gradients(training, shape):
    bn = nn.BatchNorm1d(3)
    bn(randn(8, 3, seed=1) if len(shape) == 2 else randn(8, 3, 2, seed=1))  # running stats away from 0 and 1
    check_module(randomized(bn).train(training), randn(*shape))


def test_batch_norm_refuses_one_value_per_feature_in_training_and_wrong_widths():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="more than one value per feature"):
        bn(Tensor(np.ones((1, 3))))
    with pytest.raises(ValueError, match="expected input of shape \\(N, 3\\)"):
        bn(Tensor(np.ones((4, 2))))
    bn.eval()
    assert bn(Tensor(np.ones((1, 3)))).shape == (1, 3)


# --- Dropout -----------------------------------------------------------------------------------


def test_dropout_zeroes_about_p_and_scales_the_rest():
    drop = nn.Dropout(0.25, rng=0)
    out = drop(Tensor(np.ones(100_000))).numpy()
    assert set(np.unique(out)) == {0.0, 1 / 0.75}
    assert abs((out == 0).mean() - 0.25) < 0.01
    assert abs(out.mean() - 1) < 0.01


def test_dropout_is_identity_in_eval_and_for_p_zero():
    x = randn(3, 4)
    assert nn.Dropout(0.5).eval()(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert np.all(nn.Dropout(1.0)(x).numpy() == 0)


def test_dropout_gradient_flows_through_the_kept_elements_only():
    assert gradcheck(lambda x: nn.Dropout(0.4, rng=3)(x), randn(4, 5))
    x = randn(4, 5)
    drop = nn.Dropout(0.4, rng=3)
    out = drop(x)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (out.numpy() != 0) / 0.6)


def test_dropout_same_seed_same_mask_and_bad_p_refused():
    x = Tensor(np.ones(50))
    np.testing.assert_array_equal(nn.Dropout(0.5, rng=1)(x).numpy(), nn.Dropout(0.5, rng=1)(x).numpy())
    with pytest.raises(ValueError, match=r"Dropout: p must be a finite number >= 0 and <= 1, got 1.5"):
        nn.Dropout(1.5)


# --- Activation modules ------------------------------------------------------------------------

X = Tensor([[-2.7, -0.8, -0.3, 0.2, 0.7, 2.4], [4.1, -4.4, 1.3, -1.6, 7.0, 0.05]], requires_grad=True)

ACTIVATIONS = [
    (nn.Sigmoid(), F.sigmoid),
    (nn.Tanh(), F.tanh),
    (nn.ReLU(), F.relu),
    (nn.ReLU6(), F.relu6),
    (nn.LeakyReLU(0.1), lambda x: F.leaky_relu(x, 0.1)),
    (nn.ELU(0.5), lambda x: F.elu(x, 0.5)),
    (nn.CELU(0.5), lambda x: F.celu(x, 0.5)),
    (nn.SELU(), F.selu),
    (nn.GELU(), F.gelu),
    (nn.GELU("tanh"), lambda x: F.gelu(x, "tanh")),
    (nn.SiLU(), F.silu),
    (nn.Mish(), F.mish),
    (nn.Softplus(2.0, 5.0), lambda x: F.softplus(x, 2.0, 5.0)),
    (nn.Softsign(), F.softsign),
    (nn.Hardtanh(-2.0, 2.0), lambda x: F.hardtanh(x, -2.0, 2.0)),
    (nn.Hardsigmoid(), F.hardsigmoid),
    (nn.Softmax(dim=0), lambda x: F.softmax(x, axis=0)),
    (nn.LogSoftmax(dim=1), lambda x: F.log_softmax(x, axis=1)),
    (nn.PReLU(), lambda x: F.prelu(x, Tensor([0.25]))),
]


@pytest.mark.parametrize("module, function", ACTIVATIONS, ids=lambda a: type(a).__name__)
def test_activation_module_is_its_functional_op(module, function):
    np.testing.assert_array_equal(module(X).numpy(), function(X).numpy())


@pytest.mark.parametrize("module", [m for m, _ in ACTIVATIONS], ids=lambda m: type(m).__name__)
def test_activation_module_gradients(module):
    check_module(module, X)


def test_prelu_learns_one_slope_per_channel():
    prelu = nn.PReLU(num_parameters=2, init=0.1)
    x = Tensor([[-1.0, -2.0], [3.0, -4.0]])
    prelu(x).sum().backward()
    np.testing.assert_allclose(prelu.weight.grad.numpy(), [-1.0, -6.0])
    check_module(prelu, randn(3, 2))


def test_activation_reprs_show_their_settings():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.ReLU()) == "ReLU()"


# --- Sequential, Residual and MLP --------------------------------------------------------------


def test_sequential_indexes_slices_iterates_and_appends():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    model = nn.Sequential(a, b)
    model.append(c)
    assert len(model) == 3 and model[0] is a and model[-1] is c and list(model) == [a, b, c]
    assert isinstance(model[1:], nn.Sequential) and list(model[1:]) == [b, c]


def test_residual_adds_its_input():
    inner = nn.Linear(3, 3, rng=0)
    x = randn(2, 3)
    np.testing.assert_allclose(nn.Residual(inner)(x).numpy(), x.numpy() + inner(x).numpy())


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(activation="tanh"),
        dict(activation="gelu", residual=True),
        dict(activation="sigmoid", norm="layer", residual=True),
        dict(activation=nn.SiLU, norm="batch"),
    ],
)
@pytest.mark.parametrize("training", [True, False])
def test_mlp_gradients(kwargs, training):
    model = nn.MLP([3, 4, 4, 2], rng=0, **kwargs)
    model(randn(6, 3, seed=1))  # gives BatchNorm running stats
    check_module(model.train(training), randn(5, 3))


def test_mlp_residual_blocks_wrap_equal_width_hidden_layers_only():
    model = nn.MLP([2, 4, 4, 4, 1], residual=True, rng=0)
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Linear", "ReLU", "Residual", "Residual", "Linear"]
    x = randn(3, 2)
    h = model.layers[1](model.layers[0](x))
    h = h + model.layers[2].fn(h)
    h = h + model.layers[3].fn(h)
    np.testing.assert_allclose(model(x).numpy(), model.layers[4](h).numpy())


@pytest.mark.parametrize(
    "init", ["xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal", "normal"]
)
def test_mlp_named_init_fills_weights_and_zeroes_biases(init):
    default, model = nn.MLP([3, 5, 2], rng=0), nn.MLP([3, 5, 2], init=init, rng=0)
    assert not np.array_equal(default.layers[0].weight.numpy(), model.layers[0].weight.numpy())
    assert all(np.all(m.bias.numpy() == 0) for m in model.modules() if isinstance(m, nn.Linear))


def test_mlp_accepts_callables_for_activation_init_and_norm():
    model = nn.MLP([2, 3, 1], activation=lambda: nn.LeakyReLU(0.2), init=nn.init.ones_, norm=nn.LayerNorm)
    assert repr(model.layers[2]) == "LeakyReLU(negative_slope=0.2)" and isinstance(model.layers[1], nn.LayerNorm)
    assert np.all(model.layers[0].weight.numpy() == 1)


def test_mlp_unknown_names_list_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'rleu'.*'relu'"):
        nn.MLP([2, 1], activation="rleu")
    with pytest.raises(ValueError, match="unknown norm 'group'"):
        nn.MLP([2, 3, 1], norm="group")
    with pytest.raises(ValueError, match="unknown init 'he'"):
        nn.MLP([2, 3, 1], init="he")
