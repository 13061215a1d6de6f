"""The losses to the letter: every refusal names the loss that refused, every option changes the
value as its formula says (float64, to 1e-12), float32 stays float32 with every option, and the
loss ops' defaults are PyTorch's. Written for the survivors of the losses' mutation run
(docs/mutation.md): each test here fails on at least one of them."""

import warnings

import numpy as np
import pytest

import minigrad.functional as F
from minigrad import Tensor
from minigrad.gradcheck import gradcheck_report
from minigrad.ops.losses import BinaryCrossEntropy, NllLoss, SquaredError, reduce_loss

RNG = np.random.default_rng(7)
X = RNG.standard_normal((4, 3))
P = RNG.uniform(0.05, 0.95, (4, 3))
B = RNG.integers(0, 2, (4, 3)).astype(float)
W = RNG.uniform(0.5, 2.0, (4, 3))
CLASSES = np.array([0, 2, 1, 2])
SIGNS = np.where(B > 0, 1.0, -1.0)

# each loss with arguments it accepts: (input, target)
ARGUMENTS = {
    "mse_loss": (X, X[::-1].copy()),
    "l1_loss": (X, X[::-1].copy()),
    "huber_loss": (X, X[::-1].copy()),
    "binary_cross_entropy": (P, B),
    "binary_cross_entropy_with_logits": (X, B),
    "nll_loss": (X, CLASSES),
    "cross_entropy": (X, CLASSES),
    "hinge_loss": (X, SIGNS),
}
WITH_DEPRECATED_ARGUMENTS = [name for name in ARGUMENTS if name not in ("huber_loss", "hinge_loss")]


def call(name, input, target, **options):
    return getattr(F, name)(Tensor(input, requires_grad=True), target, **options)


@pytest.mark.parametrize("argument", ["size_average", "reduce"])
@pytest.mark.parametrize("name", WITH_DEPRECATED_ARGUMENTS)
def test_each_deprecated_argument_is_refused_by_the_loss_it_was_given_to(name, argument):
    with pytest.raises(TypeError) as error:
        call(name, *ARGUMENTS[name], **{argument: False})
    assert str(error.value) == (
        f"{name}: {argument} is deprecated in PyTorch and not supported by minigrad, got False; "
        "use reduction='mean', 'sum' or 'none'"
    )


@pytest.mark.parametrize("name", list(ARGUMENTS))
def test_an_empty_input_is_refused_for_the_mean_by_name_and_summed_to_zero_otherwise(name):
    input, target = ARGUMENTS[name]
    empty_input, empty_target = input[:0], target[:0]
    with pytest.raises(ValueError, match=rf"^{name}: input is empty \(shape \(0, 3\)\), and the mean of no losses"):
        call(name, empty_input, empty_target)
    assert call(name, empty_input, empty_target, reduction="sum").item() == 0.0


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_an_elementwise_weight_of_another_shape_is_refused_naming_the_loss(name):
    with pytest.raises(ValueError) as error:
        call(name, *ARGUMENTS[name], weight=np.ones((4, 1)))
    assert str(error.value) == f"{name}: weight shape (4, 1) must equal input shape (4, 3)"


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_a_weight_summing_to_zero_is_refused_for_the_weighted_mean_only(name):
    zero = np.zeros((4, 3))
    with pytest.raises(ValueError) as error:
        call(name, *ARGUMENTS[name], weight=zero)
    assert str(error.value) == (f"{name}: weight sums to 0, so the weighted mean is undefined; use reduction='sum'")
    assert call(name, *ARGUMENTS[name], weight=zero, reduction="sum").item() == 0.0


def test_huber_loss_takes_a_weight_summing_to_zero_since_its_mean_divides_by_the_count():
    assert call("huber_loss", *ARGUMENTS["huber_loss"], weight=np.zeros((4, 3))).item() == 0.0


def test_binary_cross_entropy_with_logits_weighs_each_element_without_pos_weight():
    s = 1 / (1 + np.exp(-X))
    expected = -(W * (B * np.log(s) + (1 - B) * np.log1p(-s)))
    loss = call("binary_cross_entropy_with_logits", X, B, weight=W, reduction="none")
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-12)


def test_binary_cross_entropy_multiplies_by_its_weight():
    expected = -(W * (B * np.log(P) + (1 - B) * np.log1p(-P)))
    np.testing.assert_allclose(
        call("binary_cross_entropy", P, B, weight=W, reduction="none").numpy(), expected, rtol=1e-12
    )


# scores of shape (N, C, d) = (2, 3, 4) and their classes of shape (N, d)
SCORES = RNG.standard_normal((2, 3, 4))
POSITIONS = RNG.integers(0, 3, (2, 4))


def picked(log_probs):
    """-log_probs[n, t[n, k], k] for each sample n and position k."""
    return -np.take_along_axis(log_probs, POSITIONS[:, None, :], axis=1)[:, 0, :]


@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
def test_the_classification_losses_keep_the_positions_of_a_multi_dimensional_input(name):
    log_probs = SCORES if name == "nll_loss" else SCORES - np.log(np.exp(SCORES).sum(axis=1, keepdims=True))
    expected = picked(log_probs)
    none = call(name, SCORES, POSITIONS, reduction="none")
    assert none.shape == (2, 4)
    np.testing.assert_allclose(none.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(call(name, SCORES, POSITIONS).item(), expected.mean(), rtol=1e-12)


def test_cross_entropy_normalises_each_row_on_its_own():
    expected = -(X - np.log(np.exp(X).sum(axis=1, keepdims=True)))[np.arange(4), CLASSES]
    np.testing.assert_allclose(call("cross_entropy", X, CLASSES, reduction="none").numpy(), expected, rtol=1e-12)


CLASS_OPTIONS = [{}, {"weight": [1.0, 2.0, 0.5]}, {"ignore_index": 2}]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    ("name", "options"),
    [("nll_loss", o) for o in CLASS_OPTIONS]
    + [("cross_entropy", o) for o in [*CLASS_OPTIONS, {"label_smoothing": 0.1}]],
)
def test_the_classification_losses_keep_float32_with_every_option(name, options, reduction):
    x = Tensor(X.astype(np.float32), requires_grad=True)
    loss = getattr(F, name)(x, CLASSES, reduction=reduction, **options)
    loss.sum().backward()
    assert loss.dtype == x.grad.dtype == np.float32


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_a_float64_weight_keeps_a_float32_loss_float32(name):
    input, target = ARGUMENTS[name]
    x = Tensor(input.astype(np.float32), requires_grad=True)
    loss = getattr(F, name)(x, target.astype(np.float32), weight=W, reduction="none")
    loss.sum().backward()
    assert loss.dtype == x.grad.dtype == np.float32


def test_a_mean_over_targets_all_ignored_is_nan_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.nll_loss(Tensor(X, requires_grad=True), np.full(4, -100))
    assert np.isnan(loss.item())


def test_an_ignore_index_that_is_not_an_integer_is_refused_for_probability_targets_too():
    soft = np.full((4, 3), 1 / 3)
    with pytest.raises(TypeError) as error:
        F.cross_entropy(Tensor(X), soft, ignore_index=-100.0)
    assert str(error.value) == "cross_entropy: ignore_index must be an integer, got float -100.0"


def test_the_loss_ops_reduce_to_the_mean_by_default_as_pytorch():
    x, t = Tensor(X, requires_grad=True), Tensor(X[::-1].copy())
    np.testing.assert_allclose(SquaredError.apply(x, t).item(), ((X - X[::-1]) ** 2).mean(), rtol=1e-12)
    bce = BinaryCrossEntropy.apply(Tensor(P), Tensor(B)).item()
    np.testing.assert_allclose(bce, -(B * np.log(P) + (1 - B) * np.log1p(-P)).mean(), rtol=1e-12)
    nll = NllLoss.apply(Tensor(X), target=CLASSES).item()
    np.testing.assert_allclose(nll, -X[np.arange(4), CLASSES].mean(), rtol=1e-12)


@pytest.mark.parametrize(
    ("refuse", "message"),
    [
        (
            lambda: reduce_loss(np.ones(2), "avg"),
            "reduce_loss: reduction must be one of 'mean', 'sum', 'none', got 'avg'",
        ),
        (
            lambda: NllLoss.apply(Tensor(X), target=CLASSES, reduction="avg"),
            "NllLoss: cannot apply to shapes (4, 3): NllLoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'",
        ),
    ],
)
def test_the_loss_ops_refuse_an_unknown_reduction_by_their_own_name(refuse, message):
    with pytest.raises(ValueError) as error:
        refuse()
    assert str(error.value) == message


def test_a_hinge_target_with_other_values_is_refused_listing_the_first_five():
    with pytest.raises(ValueError) as error:
        F.hinge_loss(Tensor(np.zeros(7)), np.arange(7.0))
    assert str(error.value) == "hinge_loss: target must hold -1 and +1 only, got values [0.0, 1.0, 2.0, 3.0, 4.0]"


def test_a_weight_that_is_not_finite_is_refused_listing_the_first_three():
    weight = [[np.nan, np.inf, -np.inf], [np.nan, 1.0, 1.0], [1.0] * 3, [1.0] * 3]
    with pytest.raises(ValueError) as error:
        F.mse_loss(Tensor(X), X, weight=weight)
    assert str(error.value) == "mse_loss: weight must be finite, got [nan, inf, -inf]"


def test_a_gradcheck_report_gives_the_size_of_a_jump():
    report = gradcheck_report(lambda x: (x > 0).float() * 3 + x, Tensor([0.0, 2.0], requires_grad=True))
    assert "the function jumps by 3, no derivative; analytic 1" in str(report)
