"""BatchNorm1d and BatchNorm2d: the statistics each takes, momentum (None: the cumulative
average), track_running_stats, affine and bias, num_batches_tracked in the state dict, the
shapes refused, gradients against central differences, and PyTorch's numbers where installed."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad import Tensor, gradcheck, gradgradcheck, nn
from minigrad.nn.utils import functional_call


def batch(*shape, seed=0):
    return np.random.default_rng(seed).normal(1.5, 2.0, shape)


def normalized(a, axis):
    return (a - a.mean(axis, keepdims=True)) / np.sqrt(a.var(axis, keepdims=True) + 1e-5)


def test_batch_norm_2d_normalises_each_channel_over_n_h_and_w():
    bn, a = nn.BatchNorm2d(3, momentum=0.2), batch(4, 3, 2, 5)
    np.testing.assert_allclose(bn(Tensor(a)).numpy(), normalized(a, (0, 2, 3)), atol=1e-12)
    np.testing.assert_allclose(bn.running_mean, 0.2 * a.mean((0, 2, 3)))
    np.testing.assert_allclose(bn.running_var, 0.8 + 0.2 * a.var((0, 2, 3), ddof=1))


def test_batch_norm_2d_in_eval_mode_uses_the_running_statistics_per_channel():
    bn, a = nn.BatchNorm2d(2), batch(3, 2, 4, 4)
    bn.running_mean, bn.running_var = np.array([1.0, -2.0]), np.array([4.0, 0.25])
    expected = (a - np.array([1.0, -2.0])[:, None, None]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5)[:, None, None]
    np.testing.assert_allclose(bn.eval()(Tensor(a)).numpy(), expected)
    assert bn.num_batches_tracked == 0


@pytest.mark.parametrize(
    "layer, shape", [(nn.BatchNorm1d, (6, 3)), (nn.BatchNorm1d, (4, 3, 5)), (nn.BatchNorm2d, (2, 3, 2, 3))]
)
def test_momentum_none_keeps_the_cumulative_average_of_every_batch(layer, shape):
    bn = layer(3, momentum=None)
    batches = [batch(*shape, seed=seed) for seed in range(4)]
    axis = (0, *range(2, len(shape)))
    for a in batches:
        bn(Tensor(a))
    np.testing.assert_allclose(bn.running_mean, np.mean([a.mean(axis) for a in batches], axis=0), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, np.mean([a.var(axis, ddof=1) for a in batches], axis=0), rtol=1e-12)
    assert bn.num_batches_tracked == 4 and bn.num_batches_tracked.dtype == np.int64


def test_running_statistics_move_by_momentum_and_count_the_batches():
    bn, a, b = nn.BatchNorm1d(2, momentum=0.3), batch(5, 2), batch(5, 2, seed=1)
    bn(Tensor(a))
    bn(Tensor(b))
    np.testing.assert_allclose(bn.running_mean, 0.7 * 0.3 * a.mean(0) + 0.3 * b.mean(0))
    assert bn.num_batches_tracked == 2 and bn.state_dict()["num_batches_tracked"] == 2


def test_the_running_buffers_are_updated_in_place():
    bn = nn.BatchNorm2d(2)
    mean, var, count = bn.running_mean, bn.running_var, bn.num_batches_tracked
    bn(Tensor(batch(2, 2, 3, 3)))
    assert bn.running_mean is mean and bn.running_var is var and bn.num_batches_tracked is count


@pytest.mark.parametrize("layer, shape", [(nn.BatchNorm1d, (5, 2)), (nn.BatchNorm2d, (3, 2, 2, 2))])
def test_without_running_stats_there_are_no_buffers_and_both_modes_use_the_batch(layer, shape):
    bn, a = layer(2, track_running_stats=False), batch(*shape)
    axis = (0, *range(2, len(shape)))
    assert bn.running_mean is None and bn.running_var is None and bn.num_batches_tracked is None
    assert list(bn.state_dict()) == ["weight", "bias"] and list(bn.buffers()) == []
    for mode in (True, False):
        np.testing.assert_allclose(bn.train(mode)(Tensor(a)).numpy(), normalized(a, axis), atol=1e-12)
    assert bn.running_mean is None
    with pytest.raises(ValueError, match="more than one value per feature"):
        bn(Tensor(np.ones((1, shape[1]) + (1,) * (len(shape) - 2))))  # eval mode, but batch statistics


@pytest.mark.parametrize(
    "affine, bias, names", [(True, True, ["weight", "bias"]), (True, False, ["weight"]), (False, True, [])]
)
def test_affine_and_bias_decide_the_parameters(affine, bias, names):
    bn = nn.BatchNorm2d(2, affine=affine, bias=bias)
    assert [name for name, _ in bn.named_parameters()] == names
    assert list(bn.state_dict()) == [*names, "running_mean", "running_var", "num_batches_tracked"]
    a = batch(3, 2, 2, 2)
    np.testing.assert_allclose(bn(Tensor(a)).numpy(), normalized(a, (0, 2, 3)), atol=1e-12)


def test_the_state_dict_round_trip_keeps_the_count_and_the_statistics():
    bn, other = nn.BatchNorm2d(2, momentum=None), nn.BatchNorm2d(2, momentum=None)
    for seed in range(3):
        bn(Tensor(batch(2, 2, 3, 3, seed=seed)))
    other.load_state_dict(bn.state_dict())
    assert other.num_batches_tracked == 3 and other.num_batches_tracked.dtype == np.int64
    np.testing.assert_array_equal(other.running_var, bn.running_var)
    x = Tensor(batch(2, 2, 3, 3, seed=9))
    np.testing.assert_array_equal(other.eval()(x).numpy(), bn.eval()(x).numpy())


@pytest.mark.parametrize(
    "layer, shape, message",
    [
        (nn.BatchNorm2d(3), (2, 3, 4), r"BatchNorm2d: expected input of shape \(N, 3, H, W\), got \(2, 3, 4\)"),
        (
            nn.BatchNorm2d(3),
            (2, 3, 4, 4, 4),
            r"BatchNorm2d: expected input of shape \(N, 3, H, W\), got \(2, 3, 4, 4, 4\)",
        ),
        (nn.BatchNorm2d(3), (2, 4, 4, 4), r"BatchNorm2d: expected input of shape \(N, 3, H, W\), got \(2, 4, 4, 4\)"),
        (
            nn.BatchNorm1d(3),
            (2, 3, 4, 4),
            r"BatchNorm1d: expected input of shape \(N, 3\) or \(N, 3, L\), got \(2, 3, 4, 4\)",
        ),
        (nn.BatchNorm1d(3), (3,), r"BatchNorm1d: expected input of shape \(N, 3\) or \(N, 3, L\), got \(3,\)"),
        (nn.BatchNorm2d(3), (1, 3, 1, 1), r"BatchNorm2d: batch statistics need more than one value per feature"),
    ],
)
def test_bad_shapes_are_refused_by_name_and_change_nothing(layer, shape, message):
    with pytest.raises(ValueError, match=message):
        layer(Tensor(np.ones(shape)))
    assert layer.num_batches_tracked == 0 and np.all(layer.running_mean == 0)


def test_a_single_value_per_channel_is_fine_in_eval_mode_with_running_stats():
    bn = nn.BatchNorm2d(2).eval()
    np.testing.assert_allclose(bn(Tensor(np.ones((1, 2, 1, 1)))).numpy(), np.ones((1, 2, 1, 1)) / np.sqrt(1 + 1e-5))


def test_repr_names_every_option_as_pytorch():
    assert repr(nn.BatchNorm2d(4, momentum=None, track_running_stats=False)) == (
        "BatchNorm2d(4, eps=1e-05, momentum=None, affine=True, bias=True, track_running_stats=False)"
    )


# --- gradients against central differences ------------------------------------------------------


def module_gradcheck(module, x, second_order):
    names = [name for name, _ in module.named_parameters()]
    params = [Tensor(np.random.default_rng(1).normal(1, 0.5, p.shape), requires_grad=True) for p in module.parameters()]

    def f(x, *ps):
        return functional_call(module, dict(zip(names, ps)), x)

    assert gradcheck(f, (x, *params))
    if second_order:
        assert gradgradcheck(f, (x, *params))


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(2, 3),
    c=st.integers(1, 3),
    h=st.integers(1, 3),
    w=st.integers(1, 3),
    training=st.booleans(),
    momentum=st.sampled_from([0.1, None]),
    seed=st.integers(0, 2**16),
)
def test_batch_norm_2d_gradients_first_and_second_order(n, c, h, w, training, momentum, seed):
    bn = nn.BatchNorm2d(c, momentum=momentum)
    bn(Tensor(batch(4, c, 2, 2, seed=seed)))  # running statistics away from 0 and 1
    x = Tensor(batch(n, c, h, w, seed=seed + 1), requires_grad=True)
    module_gradcheck(bn.train(training), x, second_order=True)


@pytest.mark.parametrize("shape", [(5, 3), (3, 3, 2)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_without_running_stats_gradients(shape, training):
    bn = nn.BatchNorm1d(3, track_running_stats=False).train(training)
    module_gradcheck(bn, Tensor(batch(*shape), requires_grad=True), second_order=True)


# --- against PyTorch ---------------------------------------------------------------------------


OPTIONS = [
    dict(),
    dict(momentum=None),
    dict(momentum=0.3, affine=False),
    dict(track_running_stats=False),
    dict(bias=False),
]


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("dims", [(5, 3), (4, 3, 6), (3, 3, 4, 5)], ids=["N,C", "N,C,L", "N,C,H,W"])
def test_training_and_eval_match_pytorch(options, dims):
    torch = pytest.importorskip("torch")
    ours_cls, theirs_cls = (
        (nn.BatchNorm2d, torch.nn.BatchNorm2d) if len(dims) == 4 else (nn.BatchNorm1d, torch.nn.BatchNorm1d)
    )
    ours, theirs = ours_cls(3, **options), theirs_cls(3, dtype=torch.float64, **options)
    rng = np.random.default_rng(0)
    if ours.weight is not None:
        weight = rng.normal(1, 0.3, 3)
        ours.weight.data = Tensor(weight)
        theirs.weight.data = torch.tensor(weight)
    if ours.bias is not None:
        bias = rng.normal(0, 0.3, 3)
        ours.bias.data = Tensor(bias)
        theirs.bias.data = torch.tensor(bias)
    for step in range(4):
        a, upstream = batch(*dims, seed=step), rng.normal(size=dims)
        x, tx = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        y, ty = ours(x), theirs(tx)
        (y * Tensor(upstream)).sum().backward()
        (ty * torch.tensor(upstream)).sum().backward()
        np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
        for name, p in ours.named_parameters():
            np.testing.assert_allclose(p.grad.numpy(), getattr(theirs, name).grad.numpy(), rtol=1e-9, atol=1e-12)
    theirs_state = theirs.state_dict()
    assert list(ours.state_dict()) == list(theirs_state)
    for name, value in ours.state_dict().items():
        np.testing.assert_allclose(value, theirs_state[name].numpy(), rtol=1e-12)
        assert value.dtype == theirs_state[name].numpy().dtype
    assert repr(ours) == repr(theirs)
    ours.eval(), theirs.eval()
    a = batch(*dims, seed=10)
    np.testing.assert_allclose(
        ours(Tensor(a)).numpy(), theirs(torch.tensor(a)).detach().numpy(), rtol=1e-10, atol=1e-12
    )
