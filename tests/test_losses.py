"""Losses: values against NumPy formulas, gradients against central differences, stability for
logits of magnitude 1e4 (warnings are errors here), and the errors for bad targets."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad.functional as F
from minigrad import Tensor, gradcheck, gradgradcheck
from minigrad.ops.losses import NllLoss, SquaredError
from minigrad.ops.softmax import LogSoftmax
from minigrad.testing import check_gradients, tensors

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 3))
Y = RNG.standard_normal((4, 3))
P = RNG.uniform(0.05, 0.95, (4, 3))
B = RNG.integers(0, 2, (4, 3)).astype(float)
LOGITS = RNG.standard_normal((5, 4))
CLASSES = np.array([0, 3, 1, 1, 2])


def t(a):
    return Tensor(a, requires_grad=True)


def log_softmax(a):
    shifted = a - a.max(1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(1, keepdims=True))


def huber(d, delta):
    return np.where(np.abs(d) < delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))


# name, loss(input, target), input, target, the elementwise reference
CASES = [
    ("mse", F.mse_loss, X, Y, (X - Y) ** 2),
    ("l1", F.l1_loss, X, Y, np.abs(X - Y)),
    ("huber", lambda x, y, **kw: F.huber_loss(x, y, delta=0.7, **kw), X, Y, huber(X - Y, 0.7)),
    ("bce", F.binary_cross_entropy, P, B, -(B * np.log(P) + (1 - B) * np.log(1 - P))),
    ("bce_logits", F.binary_cross_entropy_with_logits, X, B, np.log1p(np.exp(-X)) + (1 - B) * X),
    ("cross_entropy", F.cross_entropy, LOGITS, CLASSES, -log_softmax(LOGITS)[np.arange(5), CLASSES]),
    ("nll", F.nll_loss, log_softmax(LOGITS), CLASSES, -log_softmax(LOGITS)[np.arange(5), CLASSES]),
    ("hinge", F.hinge_loss, X, np.sign(Y), np.maximum(0, 1 - np.sign(Y) * X)),
]
IDS = [case[0] for case in CASES]


@pytest.mark.parametrize("name, loss, x, y, elementwise", CASES, ids=IDS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_values_match_the_formula(name, loss, x, y, elementwise, reduction):
    expected = {"mean": elementwise.mean(), "sum": elementwise.sum(), "none": elementwise}[reduction]
    np.testing.assert_allclose(loss(t(x), y, reduction=reduction).numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("name, loss, x, y, elementwise", CASES, ids=IDS)
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_loss_gradients(name, loss, x, y, elementwise, reduction):
    assert gradcheck(lambda x: loss(x, y, reduction=reduction), t(x))


@pytest.mark.parametrize("loss", [F.mse_loss, F.l1_loss, F.huber_loss, F.binary_cross_entropy_with_logits])
def test_regression_losses_differentiate_the_target_too(loss):
    assert gradcheck(loss, (t(X), t(B if loss is F.binary_cross_entropy_with_logits else Y)))


@pytest.mark.parametrize(
    "loss, x, y",
    [
        (F.cross_entropy, LOGITS, CLASSES),
        (F.nll_loss, log_softmax(LOGITS), CLASSES),
        (F.binary_cross_entropy_with_logits, X, B),
        (F.mse_loss, X, Y),
    ],
    ids=["cross_entropy", "nll", "bce_logits", "mse"],
)
def test_loss_second_derivatives(loss, x, y):
    assert gradgradcheck(lambda x: loss(x, y), t(x))


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    logits = t(LOGITS)
    F.cross_entropy(logits, CLASSES).backward()
    expected = (np.exp(log_softmax(LOGITS)) - np.eye(4)[CLASSES]) / 5
    np.testing.assert_allclose(logits.grad.numpy(), expected, atol=1e-15)


def test_cross_entropy_label_smoothing_is_a_mix_with_the_uniform_target():
    eps, logp = 0.2, log_softmax(LOGITS)
    target = (1 - eps) * np.eye(4)[CLASSES] + eps / 4
    expected = -(target * logp).sum(1).mean()
    assert F.cross_entropy(t(LOGITS), CLASSES, label_smoothing=eps).item() == pytest.approx(expected, rel=1e-12)
    assert gradcheck(lambda x: F.cross_entropy(x, CLASSES, label_smoothing=eps), t(LOGITS))


def test_nll_of_log_softmax_is_cross_entropy():
    logits = t(LOGITS)
    assert F.nll_loss(F.log_softmax(logits, axis=1), CLASSES).item() == pytest.approx(
        F.cross_entropy(logits, CLASSES).item(), rel=1e-14
    )


def test_binary_cross_entropy_clamps_its_logs_at_minus_100():
    p = t([0.0, 1.0, 0.0, 1.0])
    loss = F.binary_cross_entropy(p, [1.0, 0.0, 0.0, 1.0], reduction="none")
    np.testing.assert_array_equal(loss.numpy(), [100.0, 100.0, 0.0, 0.0])
    loss.sum().backward()
    assert np.all(np.isfinite(p.grad.numpy()))


# --- the SquaredError op: mse_loss in one node -------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 1, 3)])
def test_squared_error_gradients_of_input_and_target_to_second_order(shape, reduction):
    check_gradients(lambda x, t: F.mse_loss(x, t, reduction=reduction), shape, shape, max_examples=10)


def test_mse_loss_is_one_squared_error_node():
    loss = F.mse_loss(Tensor([1.0, 2.0], requires_grad=True), [0.0, 0.0])
    assert loss.grad_fn.function is SquaredError
    assert loss.grad_fn.inputs[0].grad_fn is None


def test_squared_error_keeps_float32():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    loss = F.mse_loss(x, np.zeros(3, np.float32))
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32


# --- the NllLoss op: cross_entropy is log_softmax, then nll_loss with its reduction ---------------


@st.composite
def scores_and_classes(draw, dtype=np.float64):
    """(N, C) scores in [-3, 3] (N, C in 1..4) and N class indices, repeats included."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    x = draw(tensors(shape=(n, c), dtype=dtype))
    return x, np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))


def nll_reference(x, target, reduction):
    losses = np.array([-x[i, k] for i, k in enumerate(target)])
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


CLASSIFICATION = {"nll": (F.nll_loss, lambda a: a), "cross_entropy": (F.cross_entropy, log_softmax)}


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@settings(max_examples=15)
@given(case=scores_and_classes())
def test_classification_losses_match_the_formula_to_second_order(name, reduction, case):
    loss, log_probs = CLASSIFICATION[name]
    x, target = case
    expected = nll_reference(log_probs(x.numpy()), target, reduction)
    np.testing.assert_allclose(loss(x, target, reduction=reduction).numpy(), expected, rtol=1e-12, atol=1e-15)
    assert gradcheck(lambda x: loss(x, target, reduction=reduction), x)
    assert gradgradcheck(lambda x: loss(x, target, reduction=reduction), x)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@settings(max_examples=10)
@given(case=scores_and_classes(dtype=np.float32))
def test_cross_entropy_keeps_float32_in_value_and_gradient(reduction, case):
    x, target = case
    loss = F.cross_entropy(x, target, reduction=reduction, label_smoothing=0.1 if reduction == "sum" else 0.0)
    loss.sum().backward()
    assert loss.dtype == x.grad.dtype == np.float32


def test_cross_entropy_is_log_softmax_then_one_nll_loss_node():
    loss = F.cross_entropy(t(LOGITS), CLASSES)
    assert loss.grad_fn.function is NllLoss
    assert loss.grad_fn.inputs[0].grad_fn.function is LogSoftmax


def test_nll_loss_gradient_ignores_later_changes_to_the_target():
    logits, target = t(LOGITS), CLASSES.copy()
    loss = F.cross_entropy(logits, target, reduction="sum")
    target[:] = 0
    loss.backward()
    np.testing.assert_allclose(logits.grad.numpy(), np.exp(log_softmax(LOGITS)) - np.eye(4)[CLASSES], atol=1e-15)


def test_label_smoothing_with_each_reduction_matches_the_mixed_target():
    eps, logp = 0.3, log_softmax(LOGITS)
    per_sample = -(((1 - eps) * np.eye(4)[CLASSES] + eps / 4) * logp).sum(1)
    for reduction, expected in (("none", per_sample), ("sum", per_sample.sum()), ("mean", per_sample.mean())):
        got = F.cross_entropy(t(LOGITS), CLASSES, reduction=reduction, label_smoothing=eps).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-12)


# --- stability ---------------------------------------------------------------------------------

HUGE = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3], [3e3, 3e3, -1e4]])


def test_cross_entropy_of_huge_logits_is_finite_and_exact():
    logits = t(HUGE)
    loss = F.cross_entropy(logits, np.array([0, 0, 1]), reduction="none")
    np.testing.assert_allclose(loss.numpy(), [0.0, 2e4, np.log(2)], rtol=1e-12)
    loss.sum().backward()
    softmax = np.array([[1, 0, 0], [0, 1, 0], [0.5, 0.5, 0]])
    np.testing.assert_allclose(logits.grad.numpy(), softmax - np.eye(3)[[0, 0, 1]], atol=1e-15)


def test_binary_cross_entropy_with_huge_logits_is_finite_and_exact():
    x = t([1e4, -1e4, 1e4, -1e4, 0.0])
    y = [1.0, 0.0, 0.0, 1.0, 1.0]
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(loss.numpy(), [0.0, 0.0, 1e4, 1e4, np.log(2)], rtol=1e-15)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0, 1.0, -1.0, -0.5])


def test_binary_cross_entropy_with_logits_keeps_the_tail():
    # NOTE: log(1 + e^-40) would round to 0; log1p keeps e^-40.
    assert F.binary_cross_entropy_with_logits(t([40.0]), [1.0]).item() == pytest.approx(np.exp(-40), rel=1e-12)


def test_regression_losses_of_huge_values_are_finite():
    for loss in (F.mse_loss, F.l1_loss, F.huber_loss, F.hinge_loss):
        x = t(HUGE)
        value = loss(x, np.sign(HUGE) + (HUGE == 0))
        value.backward()
        assert np.isfinite(value.item()) and np.all(np.isfinite(x.grad.numpy()))


# --- the edges PyTorch defines ----------------------------------------------------------------


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_huber_loss_gradient_at_an_infinite_input_is_plus_or_minus_delta(delta):
    x = t([np.inf, -np.inf, 0.25])
    loss = F.huber_loss(x, [0.0, 0.0, 0.0], reduction="sum", delta=delta)
    loss.backward()  # warnings are errors here: no 0 * inf
    assert loss.item() == np.inf
    np.testing.assert_array_equal(x.grad.numpy(), [delta, -delta, 0.25])


def test_binary_cross_entropy_gives_the_worst_prediction_a_large_gradient():
    # NOTE: as PyTorch, (p - y) / max(p (1 - p), 1e-12 in float32): the clamped log's slope would be 0.
    p = t([0.0, 1.0, 0.0, 1.0])
    F.binary_cross_entropy(p, [1.0, 0.0, 0.0, 1.0], reduction="sum").backward()
    epsilon = float(np.float32(1e-12))
    np.testing.assert_array_equal(p.grad.numpy(), [-1 / epsilon, 1 / epsilon, 0.0, 0.0])


def test_binary_cross_entropy_gradient_near_0_is_the_formula_floored():
    p = t([1e-13, 1e-6, 0.5])
    F.binary_cross_entropy(p, [1.0, 1.0, 1.0], reduction="sum").backward()
    expected = (p.numpy() - 1) / np.maximum(p.numpy() * (1 - p.numpy()), float(np.float32(1e-12)))
    np.testing.assert_allclose(p.grad.numpy(), expected, rtol=1e-12)


def test_binary_cross_entropy_target_gradient_is_the_difference_of_the_clamped_logs():
    p, y = np.array([0.0, 0.3, 1.0]), t([1.0, 0.5, 0.0])
    F.binary_cross_entropy(Tensor(p), y, reduction="sum").backward()
    np.testing.assert_allclose(y.grad.numpy(), [100.0, np.log(0.7) - np.log(0.3), -100.0], rtol=1e-12)


def test_weighted_mse_and_l1_means_divide_by_the_sum_of_the_weights_huber_by_the_count():
    w = np.array([[1.0, 0.0, 2.0], [0.5, 0.5, 1.0], [1.0, 1.0, 1.0], [2.0, 0.0, 0.0]])
    for loss, per_element, by in (
        (F.mse_loss, (X - Y) ** 2, w.sum()),
        (F.l1_loss, np.abs(X - Y), w.sum()),
        (F.huber_loss, huber(X - Y, 1.0), w.size),
    ):
        assert loss(t(X), Y, weight=w).item() == pytest.approx((w * per_element).sum() / by, rel=1e-12)


def test_binary_cross_entropy_with_logits_pos_weight_scales_the_positive_term():
    r = np.array([1.0, 2.0, 0.5])
    sig = 1 / (1 + np.exp(-X))
    expected = -(r * B * np.log(sig) + (1 - B) * np.log(1 - sig))
    got = F.binary_cross_entropy_with_logits(t(X), B, pos_weight=r, reduction="none")
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)
    assert gradcheck(lambda x: F.binary_cross_entropy_with_logits(x, B, pos_weight=r), t(X))


def test_binary_cross_entropy_with_logits_pos_weight_keeps_the_tail():
    # NOTE: softplus(-x) computed as itself: softplus(x) - x would round e^-40 away at x = 40.
    loss = F.binary_cross_entropy_with_logits(t([40.0]), [1.0], pos_weight=[2.0])
    assert loss.item() == pytest.approx(2 * np.exp(-40), rel=1e-12)
