"""cross_entropy's and nll_loss's options (class weights, ignore_index, probability targets,
label smoothing, every reduction) under Hypothesis: gradients against central differences in
float64 (gradcheck; second derivatives too), values against the formula written in NumPy, and
the gradient of a probability target."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad.functional as F
from minigrad import Tensor, gradcheck, gradgradcheck

REDUCTIONS = ["mean", "sum", "none"]
floats = st.floats(-3, 3, allow_nan=False, allow_infinity=False)


@st.composite
def cases(draw, probabilities=False):
    """(N, C) logits, a target (class indices with some ignored, or probabilities), weights, e."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    logits = np.array(draw(st.lists(floats, min_size=n * c, max_size=n * c))).reshape(n, c)
    weight = draw(st.none() | st.lists(st.floats(0.1, 3), min_size=c, max_size=c).map(np.array))
    smoothing = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    if probabilities:
        raw = np.array(draw(st.lists(st.floats(0.01, 1), min_size=n * c, max_size=n * c))).reshape(n, c)
        return logits, raw / raw.sum(1, keepdims=True), weight, -100, smoothing
    ignore_index = draw(st.sampled_from([-100, 0, c - 1, 7]))
    classes = draw(st.lists(st.integers(0, c - 1) | st.just(ignore_index), min_size=n, max_size=n))
    kept = [k for k in range(c) if k != ignore_index]
    if kept and all(k == ignore_index for k in classes):
        classes[0] = kept[0]  # at least one sample kept, so that the mean is defined
    if not kept:
        ignore_index = -100
    return logits, np.array(classes), weight, ignore_index, smoothing


def reference(logits, target, weight, ignore_index, smoothing, reduction):
    """cross_entropy in NumPy: -sum_c w[c] q[n, c] log softmax[n, c], q smoothed, the mean weighted."""
    n, c = logits.shape
    log_probs = logits - logits.max(1, keepdims=True)
    log_probs = log_probs - np.log(np.exp(log_probs).sum(1, keepdims=True))
    w = np.ones(c) if weight is None else weight
    if target.ndim == 2:
        q, kept, denominator = target, np.ones(n, bool), n
    else:
        kept = target != ignore_index
        q = np.eye(c)[np.where(kept, target, 0)]
        denominator = (kept * w[np.where(kept, target, 0)]).sum()
    q = (1 - smoothing) * q + smoothing / c
    losses = np.where(kept, -(w * q * log_probs).sum(1), 0)
    return {"mean": losses.sum() / denominator, "sum": losses.sum(), "none": losses}[reduction]


@pytest.mark.parametrize("probabilities", [False, True], ids=["indices", "probabilities"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_cross_entropy_options_match_the_formula_and_central_differences(probabilities, reduction, data):
    logits, target, weight, ignore_index, smoothing = data.draw(cases(probabilities))
    kwargs = dict(weight=weight, ignore_index=ignore_index, reduction=reduction, label_smoothing=smoothing)
    x = Tensor(logits, requires_grad=True)
    expected = reference(logits, target, weight, ignore_index, smoothing, reduction)
    np.testing.assert_allclose(F.cross_entropy(x, target, **kwargs).numpy(), expected, rtol=1e-12, atol=1e-14)
    assert gradcheck(lambda a: F.cross_entropy(a, target, **kwargs), x)
    assert gradgradcheck(lambda a: F.cross_entropy(a, target, **kwargs), x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@settings(max_examples=25, deadline=None)
@given(case=cases(probabilities=True))
def test_a_probability_targets_gradient_matches_central_differences(reduction, case):
    logits, target, weight, _, smoothing = case
    x, q = Tensor(logits, requires_grad=True), Tensor(target, requires_grad=True)
    assert gradcheck(
        lambda a, b: F.cross_entropy(a, b, weight=weight, reduction=reduction, label_smoothing=smoothing), (x, q)
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@settings(max_examples=25, deadline=None)
@given(case=cases())
def test_nll_loss_with_weights_and_ignore_index_matches_the_formula_and_central_differences(reduction, case):
    logits, target, weight, ignore_index, _ = case
    log_probs = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    x = Tensor(log_probs, requires_grad=True)
    kwargs = dict(weight=weight, ignore_index=ignore_index, reduction=reduction)
    expected = reference(log_probs, target, weight, ignore_index, 0.0, reduction)
    np.testing.assert_allclose(F.nll_loss(x, target, **kwargs).numpy(), expected, rtol=1e-12, atol=1e-14)
    assert gradcheck(lambda a: F.nll_loss(a, target, **kwargs), x)


def test_an_ignored_sample_with_nan_logits_adds_nothing_to_the_loss_nor_to_the_kept_gradients():
    # NOTE: the ignored row's own gradient is nan, as PyTorch's: log_softmax's backward meets its nan.
    logits = np.array([[1.0, 2.0, 0.5], [np.nan, 1.0, 2.0]])
    x, x0 = Tensor(logits, requires_grad=True), Tensor(logits[:1], requires_grad=True)
    loss = F.cross_entropy(x, np.array([1, -100]), label_smoothing=0.2, reduction="sum")
    loss.backward()
    alone = F.cross_entropy(x0, np.array([1]), label_smoothing=0.2, reduction="sum")
    alone.backward()
    assert loss.item() == alone.item()
    np.testing.assert_array_equal(x.grad.numpy()[:1], x0.grad.numpy())


@pytest.mark.parametrize("probabilities", [False, True], ids=["indices", "probabilities"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@settings(max_examples=15, deadline=None)
@given(case=cases(), positions=st.sampled_from([(2,), (1, 3)]))
def test_a_loss_per_position_is_the_loss_of_the_positions_as_samples(probabilities, reduction, case, positions):
    # (N, C, d1, ...) logits: the classes along dim 1, one loss per sample and position, as PyTorch.
    logits, _, weight, _, smoothing = case
    n, c = logits.shape
    x = np.random.default_rng(n * c).standard_normal((n, c, *positions))
    rows = np.moveaxis(x, 1, -1).reshape(-1, c)
    if probabilities:
        e = np.exp(np.random.default_rng(1).standard_normal(x.shape))
        target = e / e.sum(1, keepdims=True)
        row_target = np.moveaxis(target, 1, -1).reshape(-1, c)
    else:
        target = np.random.default_rng(2).integers(0, c, (n, *positions))
        row_target = target.reshape(-1)
    kwargs = dict(weight=weight, reduction=reduction, label_smoothing=smoothing)
    got = F.cross_entropy(Tensor(x), target, **kwargs).numpy()
    expected = F.cross_entropy(Tensor(rows), row_target, **kwargs).numpy()
    np.testing.assert_allclose(got, expected.reshape(got.shape), rtol=1e-13, atol=1e-15)
    assert gradcheck(lambda a: F.cross_entropy(a, target, **kwargs), Tensor(x, requires_grad=True))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_one_sample_of_shape_c_is_the_batch_of_one(reduction):
    x, weight = np.array([0.5, -1.0, 2.0]), np.array([1.0, 3.0, 0.5])
    one = F.cross_entropy(Tensor(x), np.array(1), weight=weight, reduction=reduction, label_smoothing=0.1)
    batch = F.cross_entropy(Tensor(x[None]), np.array([1]), weight=weight, reduction=reduction, label_smoothing=0.1)
    assert one.shape == () and one.item() == batch.numpy().reshape(()).item()
