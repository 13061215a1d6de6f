"""The losses against PyTorch (skipped where torch is not installed): values and gradients in
float64 at rtol 1e-10, for every combination of cross_entropy's and nll_loss's options that
PyTorch allows (class weights, ignore_index, probability targets, label smoothing, reductions),
the elementwise losses with their weights, and the edges PyTorch defines (an infinite Huber
input, binary_cross_entropy at p = 0 and 1)."""

import itertools

import numpy as np
import pytest

import minigrad
import minigrad.functional as F
from minigrad import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RTOL = 1e-10
RNG = np.random.default_rng(21)
N, C = 6, 4
LOGITS = RNG.standard_normal((N, C)) * 2
CLASSES = np.array([0, 3, 1, -100, 2, 1])  # one sample ignored at the default ignore_index
CLASSES_IGNORING_1 = np.array([0, 3, 1, 1, 2, 2])  # samples 2 and 3 ignored with ignore_index=1
SOFT = RNG.dirichlet(np.ones(C), N)
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])


def both(fn_minigrad, fn_torch, x, target, grad_target=False, **kwargs):
    """Loss and input gradient (and the target's) from minigrad and from torch, as arrays."""
    xm = Tensor(x, requires_grad=True)
    tm = Tensor(target, requires_grad=True) if grad_target else target
    loss = fn_minigrad(xm, tm, **kwargs)
    g = RNG.standard_normal(loss.shape)
    inputs = (xm, tm) if grad_target else (xm,)
    grads_m = minigrad.grad(loss, inputs, grad_outputs=Tensor(g))
    xt = torch.tensor(x, requires_grad=True)
    tt = torch.tensor(target, requires_grad=grad_target)
    torch_kwargs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    loss_t = fn_torch(xt, tt, **torch_kwargs)
    grads_t = torch.autograd.grad(loss_t, (xt, tt) if grad_target else (xt,), torch.tensor(g))
    return (loss.numpy(), [gr.numpy() for gr in grads_m]), (loss_t.detach().numpy(), [gr.numpy() for gr in grads_t])


def assert_same(got, expected):
    (loss, grads), (loss_t, grads_t) = got, expected
    np.testing.assert_allclose(loss, loss_t, rtol=RTOL, atol=1e-300)
    for grad, grad_t in zip(grads, grads_t, strict=True):
        np.testing.assert_allclose(grad, grad_t, rtol=RTOL, atol=1e-15)


REDUCTIONS = ["mean", "sum", "none"]
CLASS_TARGETS = {"indices": (CLASSES, -100), "indices_ignoring_1": (CLASSES_IGNORING_1, 1)}


@pytest.mark.parametrize(
    "target_kind, weighted, smoothing, reduction",
    list(itertools.product(["indices", "indices_ignoring_1", "probabilities"], [False, True], [0.0, 0.3], REDUCTIONS)),
)
def test_cross_entropy_matches_torch_in_every_combination(target_kind, weighted, smoothing, reduction):
    kwargs = dict(reduction=reduction, label_smoothing=smoothing)
    if weighted:
        kwargs["weight"] = WEIGHT
    if target_kind == "probabilities":
        target = SOFT
    else:
        target, kwargs["ignore_index"] = CLASS_TARGETS[target_kind]
    got, expected = both(F.cross_entropy, TF.cross_entropy, LOGITS, target, target_kind == "probabilities", **kwargs)
    assert_same(got, expected)


@pytest.mark.parametrize(
    "target_kind, weighted, reduction", list(itertools.product(CLASS_TARGETS, [False, True], REDUCTIONS))
)
def test_nll_loss_matches_torch_in_every_combination(target_kind, weighted, reduction):
    target, ignore_index = CLASS_TARGETS[target_kind]
    kwargs = dict(reduction=reduction, ignore_index=ignore_index)
    if weighted:
        kwargs["weight"] = WEIGHT
    log_probs = LOGITS - np.log(np.exp(LOGITS).sum(1, keepdims=True))
    assert_same(*both(F.nll_loss, TF.nll_loss, log_probs, target, **kwargs))


@pytest.mark.parametrize(
    "loss, kwargs",
    [
        ("cross_entropy", {}),
        ("cross_entropy", {"label_smoothing": 0.3}),
        ("nll_loss", {}),
        ("nll_loss", {"weight": WEIGHT}),
    ],
)
def test_a_mean_over_no_kept_target_is_nan_with_gradient_0_as_torch(loss, kwargs):
    (value, (grad,)), (value_t, (grad_t,)) = both(
        getattr(F, loss), getattr(TF, loss), LOGITS, np.full(N, -100), **kwargs
    )
    assert np.isnan(value) and np.isnan(value_t)
    np.testing.assert_array_equal(grad, grad_t)
    np.testing.assert_array_equal(grad, np.zeros((N, C)))


def test_positional_arguments_are_torchs():
    # weight, size_average, ignore_index, reduce, reduction, label_smoothing
    args = (WEIGHT, None, 1, None, "sum", 0.2)
    got = F.cross_entropy(Tensor(LOGITS), CLASSES_IGNORING_1, *args).item()
    expected = TF.cross_entropy(torch.tensor(LOGITS), torch.tensor(CLASSES_IGNORING_1), torch.tensor(WEIGHT), *args[1:])
    assert got == pytest.approx(expected.item(), rel=RTOL)


X = RNG.standard_normal((3, 4))
Y = RNG.standard_normal((3, 4))
P = RNG.uniform(0.02, 0.98, (3, 4))
PY = RNG.uniform(0, 1, (3, 4))
ELEMENT_WEIGHT = RNG.uniform(0.1, 2, (3, 4))
ROW_WEIGHT = RNG.uniform(0.1, 2, (4,))

ELEMENTWISE = [
    ("mse_loss", X, Y, {}),
    ("mse_loss", X, Y, {"weight": ELEMENT_WEIGHT}),
    ("l1_loss", X, Y, {"weight": ELEMENT_WEIGHT}),
    ("huber_loss", X, Y, {"delta": 0.6}),
    ("huber_loss", X, Y, {"delta": 0.6, "weight": ELEMENT_WEIGHT}),
    ("binary_cross_entropy", P, PY, {}),
    ("binary_cross_entropy", P, PY, {"weight": ROW_WEIGHT}),
    ("binary_cross_entropy_with_logits", X, PY, {}),
    ("binary_cross_entropy_with_logits", X, PY, {"weight": ROW_WEIGHT}),
    ("binary_cross_entropy_with_logits", X, PY, {"pos_weight": ROW_WEIGHT}),
    ("binary_cross_entropy_with_logits", X, PY, {"weight": ELEMENT_WEIGHT, "pos_weight": ROW_WEIGHT}),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, x, y, kwargs", ELEMENTWISE, ids=[f"{c[0]}-{'-'.join(c[3])}" for c in ELEMENTWISE])
def test_elementwise_losses_match_torch_for_input_and_target(name, x, y, kwargs, reduction):
    got, expected = both(getattr(F, name), getattr(TF, name), x, y, True, reduction=reduction, **kwargs)
    assert_same(got, expected)


def test_huber_loss_at_infinite_inputs_matches_torch():
    x = np.array([np.inf, -np.inf, 0.5, 3.0])
    assert_same(*both(F.huber_loss, TF.huber_loss, x, np.zeros(4), reduction="sum", delta=2.0))


def test_binary_cross_entropy_at_0_and_1_matches_torch_in_p():
    p, y = np.array([0.0, 1.0, 0.0, 1.0, 1e-13, 1 - 1e-13]), np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0])
    assert_same(*both(F.binary_cross_entropy, TF.binary_cross_entropy, p, y, reduction="none"))


SHAPES = {"one-sample": (C,), "per-position": (3, C, 2, 5)}


@pytest.mark.parametrize(
    "shape, target_kind, weighted, smoothing, reduction",
    list(itertools.product(SHAPES, ["indices", "probabilities"], [False, True], [0.0, 0.3], REDUCTIONS)),
)
def test_cross_entropy_of_one_sample_and_of_positions_matches_torch(shape, target_kind, weighted, smoothing, reduction):
    x = RNG.standard_normal(SHAPES[shape])
    kwargs = dict(reduction=reduction, label_smoothing=smoothing, **({"weight": WEIGHT} if weighted else {}))
    if target_kind == "probabilities":
        e = np.exp(RNG.standard_normal(x.shape))
        target = e / e.sum(axis=0 if x.ndim == 1 else 1, keepdims=True)
    else:
        target = RNG.integers(0, C, x.shape[:1] + x.shape[2:] if x.ndim > 1 else ())
        if x.ndim > 1:
            target[0, 0, 0] = -100
    got, expected = both(F.cross_entropy, TF.cross_entropy, x, target, target_kind == "probabilities", **kwargs)
    assert got[0].shape == expected[0].shape
    assert_same(got, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_of_positions_matches_torch(reduction):
    x = RNG.standard_normal((3, C, 4))
    target = RNG.integers(0, C, (3, 4))
    target[1, 2] = -100
    assert_same(*both(F.nll_loss, TF.nll_loss, x, target, weight=WEIGHT, reduction=reduction))
