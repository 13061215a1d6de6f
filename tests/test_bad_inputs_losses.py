"""The bad inputs of the losses' public API, one row each: the call, the argument that is bad,
and the error it raises (type and a fragment of the message, which names the loss and the
argument). Where PyTorch refuses an input, minigrad refuses it too; where PyTorch returns a
silently wrong or undefined answer (a NaN label_smoothing, the mean of an empty input), minigrad
refuses it as well."""

import re

import numpy as np
import pytest

import minigrad.functional as F
from minigrad import Tensor, nn
from minigrad.ops.losses import NllLoss

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 3))
Y = RNG.standard_normal((4, 3))
P = RNG.uniform(0.05, 0.95, (4, 3))
B = RNG.integers(0, 2, (4, 3)).astype(float)
LOGITS = RNG.standard_normal((5, 4))
CLASSES = np.array([0, 3, 1, 1, 2])
SOFT = RNG.dirichlet(np.ones(4), 5)
NAN = float("nan")


def t(a):
    return Tensor(a, requires_grad=True)


def with_nan(a, where=(0, 0)):
    a = np.array(a, dtype=float)
    a[where] = NAN
    return a


# (row id, call, the bad argument, error type, message fragment)
ROWS = [
    # --- mse_loss, l1_loss: shapes, reduction, PyTorch's deprecated arguments, weights, empty input
    ("mse-target-shape", lambda: F.mse_loss(t(X), np.zeros((4, 1))), "target", ValueError,
     "mse_loss: target shape (4, 1) must equal input shape (4, 3)"),
    ("mse-target-broadcasting", lambda: F.mse_loss(t(X), np.zeros(3)), "target", ValueError,
     "mse_loss: target shape (3,) must equal input shape (4, 3)"),
    ("mse-reduction", lambda: F.mse_loss(t(X), Y, reduction="avg"), "reduction", ValueError,
     "mse_loss: reduction must be one of 'mean', 'sum', 'none', got 'avg'"),
    ("mse-reduction-none-object", lambda: F.mse_loss(t(X), Y, reduction=None), "reduction", ValueError,
     "mse_loss: reduction must be one of 'mean', 'sum', 'none', got None"),
    ("mse-reduction-positional", lambda: F.mse_loss(t(X), Y, "sum"), "size_average", TypeError,
     "mse_loss: size_average is deprecated in PyTorch and not supported by minigrad, got 'sum'"),
    ("mse-size_average", lambda: F.mse_loss(t(X), Y, size_average=True), "size_average", TypeError,
     "mse_loss: size_average is deprecated"),
    ("mse-reduce", lambda: F.mse_loss(t(X), Y, reduce=False), "reduce", TypeError,
     "mse_loss: reduce is deprecated"),
    ("mse-empty-mean", lambda: F.mse_loss(t(np.zeros((0, 3))), np.zeros((0, 3))), "input", ValueError,
     "mse_loss: input is empty (shape (0, 3)), and the mean of no losses is undefined"),
    ("mse-weight-shape", lambda: F.mse_loss(t(X), Y, weight=np.ones(3)), "weight", ValueError,
     "mse_loss: weight shape (3,) must equal input shape (4, 3)"),
    ("mse-weight-not-broadcasting", lambda: F.mse_loss(t(X), Y, weight=np.ones(5)), "weight", ValueError,
     "mse_loss: weight shape (5,) must broadcast to (4, 3)"),
    ("mse-weight-nan", lambda: F.mse_loss(t(X), Y, weight=with_nan(np.ones((4, 3)))), "weight", ValueError,
     "mse_loss: weight must be finite, got [nan]"),
    ("mse-weight-sum-0", lambda: F.mse_loss(t(X), Y, weight=np.zeros((4, 3))), "weight", ValueError,
     "mse_loss: weight sums to 0, so the weighted mean is undefined"),
    ("mse-weight-requires-grad", lambda: F.mse_loss(t(X), Y, weight=t(np.ones((4, 3)))), "weight", ValueError,
     "mse_loss: weight gets no gradient"),
    ("mse-weight-strings", lambda: F.mse_loss(t(X), Y, weight=np.full((4, 3), "a")), "weight", TypeError,
     "mse_loss: weight must hold real numbers, got dtype <U1"),
    ("l1-target-shape", lambda: F.l1_loss(t(X), np.zeros((3, 4))), "target", ValueError,
     "l1_loss: target shape (3, 4) must equal input shape (4, 3)"),
    ("l1-reduction", lambda: F.l1_loss(t(X), Y, reduction="avg"), "reduction", ValueError,
     "l1_loss: reduction must be one of 'mean', 'sum', 'none', got 'avg'"),
    ("l1-reduce", lambda: F.l1_loss(t(X), Y, None, True), "reduce", TypeError, "l1_loss: reduce is deprecated"),
    ("l1-empty-mean", lambda: F.l1_loss(t(np.zeros(0)), np.zeros(0)), "input", ValueError, "l1_loss: input is empty"),
    # --- huber_loss: delta
    ("huber-delta-0", lambda: F.huber_loss(t(X), Y, delta=0.0), "delta", ValueError,
     "huber_loss: delta must be a finite number > 0, got 0.0"),
    ("huber-delta-negative", lambda: F.huber_loss(t(X), Y, delta=-1.0), "delta", ValueError,
     "huber_loss: delta must be a finite number > 0, got -1.0"),
    ("huber-delta-nan", lambda: F.huber_loss(t(X), Y, delta=NAN), "delta", ValueError,
     "huber_loss: delta must be a finite number > 0, got nan"),
    ("huber-delta-inf", lambda: F.huber_loss(t(X), Y, delta=float("inf")), "delta", ValueError,
     "huber_loss: delta must be a finite number > 0, got inf"),
    ("huber-delta-string", lambda: F.huber_loss(t(X), Y, delta="1"), "delta", TypeError,
     "huber_loss: delta must be a finite number > 0, got str '1'"),
    ("huber-delta-bool", lambda: F.huber_loss(t(X), Y, delta=True), "delta", TypeError,
     "huber_loss: delta must be a finite number > 0, got bool True"),
    ("huber-reduction", lambda: F.huber_loss(t(X), Y, "avg"), "reduction", ValueError,
     "huber_loss: reduction must be one of"),
    ("huber-target-shape", lambda: F.huber_loss(t(X), Y[:2]), "target", ValueError,
     "huber_loss: target shape (2, 3) must equal input shape (4, 3)"),
    ("huber-weight-shape", lambda: F.huber_loss(t(X), Y, weight=np.ones((1, 3))), "weight", ValueError,
     "huber_loss: weight shape (1, 3) must equal input shape (4, 3)"),
    # --- binary_cross_entropy: probabilities in [0, 1], NaN refused, as PyTorch
    ("bce-input-logits", lambda: F.binary_cross_entropy(t(X), B), "input", ValueError,
     "binary_cross_entropy: input must hold probabilities in [0, 1], got values in"),
    ("bce-input-above-1", lambda: F.binary_cross_entropy(t(P + 1), B), "input", ValueError,
     "binary_cross_entropy: input must hold probabilities in [0, 1]"),
    ("bce-input-nan", lambda: F.binary_cross_entropy(t([0.25, NAN, 0.5]), [1.0, 1.0, 1.0]), "input", ValueError,
     "binary_cross_entropy: input must hold probabilities in [0, 1], got values in [0.25, 0.5] and NaN"),
    ("bce-input-all-nan", lambda: F.binary_cross_entropy(t([NAN]), [1.0]), "input", ValueError,
     "binary_cross_entropy: input must hold probabilities in [0, 1], got NaN"),
    ("bce-target-2", lambda: F.binary_cross_entropy(t(P), 2 * B), "target", ValueError,
     "binary_cross_entropy: target must hold probabilities in [0, 1], got values in [0.0, 2.0]"),
    ("bce-target-negative", lambda: F.binary_cross_entropy(t(P), B - 0.5), "target", ValueError,
     "binary_cross_entropy: target must hold probabilities in [0, 1], got values in [-0.5, 0.5]"),
    ("bce-target-nan", lambda: F.binary_cross_entropy(t(P), with_nan(B)), "target", ValueError,
     "binary_cross_entropy: target must hold probabilities in [0, 1]"),
    ("bce-target-shape", lambda: F.binary_cross_entropy(t(P), B[0]), "target", ValueError,
     "binary_cross_entropy: target shape (3,) must equal input shape (4, 3)"),
    ("bce-weight-not-broadcasting", lambda: F.binary_cross_entropy(t(P), B, np.ones(4)), "weight", ValueError,
     "binary_cross_entropy: weight shape (4,) must broadcast to (4, 3)"),
    ("bce-weight-inf", lambda: F.binary_cross_entropy(t(P), B, [1.0, np.inf, 1.0]), "weight", ValueError,
     "binary_cross_entropy: weight must be finite, got [inf]"),
    ("bce-size_average", lambda: F.binary_cross_entropy(t(P), B, None, False), "size_average", TypeError,
     "binary_cross_entropy: size_average is deprecated"),
    ("bce-reduction", lambda: F.binary_cross_entropy(t(P), B, reduction="max"), "reduction", ValueError,
     "binary_cross_entropy: reduction must be one of"),
    ("bce-empty-mean", lambda: F.binary_cross_entropy(t(np.zeros(0)), np.zeros(0)), "input", ValueError,
     "binary_cross_entropy: input is empty"),
    # --- binary_cross_entropy_with_logits: shapes and the two weights
    ("bce-logits-target-shape", lambda: F.binary_cross_entropy_with_logits(t(X), B[:, :1]), "target", ValueError,
     "binary_cross_entropy_with_logits: target shape (4, 1) must equal input shape (4, 3)"),
    ("bce-logits-pos_weight-shape", lambda: F.binary_cross_entropy_with_logits(t(X), B, pos_weight=np.ones(2)),
     "pos_weight", ValueError, "binary_cross_entropy_with_logits: pos_weight shape (2,) must broadcast to (4, 3)"),
    ("bce-logits-pos_weight-nan", lambda: F.binary_cross_entropy_with_logits(t(X), B, pos_weight=[1.0, NAN, 1.0]),
     "pos_weight", ValueError, "binary_cross_entropy_with_logits: pos_weight must be finite, got [nan]"),
    ("bce-logits-weight-shape", lambda: F.binary_cross_entropy_with_logits(t(X), B, np.ones((2, 3))), "weight",
     ValueError, "binary_cross_entropy_with_logits: weight shape (2, 3) must broadcast to (4, 3)"),
    ("bce-logits-reduce", lambda: F.binary_cross_entropy_with_logits(t(X), B, reduce=True), "reduce", TypeError,
     "binary_cross_entropy_with_logits: reduce is deprecated"),
    ("bce-logits-reduction", lambda: F.binary_cross_entropy_with_logits(t(X), B, reduction=""), "reduction",
     ValueError, "binary_cross_entropy_with_logits: reduction must be one of"),
    # --- nll_loss: (N, C) input, N integer class indices in [0, C) or ignore_index, C class weights
    ("nll-input-0d", lambda: F.nll_loss(t(1.0), np.array(0)), "input", ValueError,
     "nll_loss: input must have shape (C,), (N, C) or (N, C, d1, ...), got ()"),
    ("nll-one-sample-target-shape", lambda: F.nll_loss(t(LOGITS[0]), CLASSES[:1]), "target", ValueError,
     "nll_loss: target shape (1,) must be () for input shape (4,)"),
    ("nll-positions-target-shape", lambda: F.nll_loss(t(np.zeros((2, 3, 4))), np.zeros((2, 3), int)), "target",
     ValueError, "nll_loss: target shape (2, 3) must be (2, 4) for input shape (2, 3, 4)"),
    ("nll-target-out-of-range", lambda: F.nll_loss(t(LOGITS), np.array([9, 0, 0, 0, 0])), "target", ValueError,
     "nll_loss: target holds class indices [9] outside [0, 4) for input shape (5, 4) (ignore_index is -100)"),
    ("nll-target-negative", lambda: F.nll_loss(t(LOGITS), np.array([-1, 0, 0, 0, 0])), "target", ValueError,
     "nll_loss: target holds class indices [-1] outside [0, 4)"),
    ("nll-target-minus-100-with-other-ignore_index", lambda: F.nll_loss(t(LOGITS), np.array([-100, 0, 0, 0, 0]),
     ignore_index=2), "target", ValueError, "nll_loss: target holds class indices [-100] outside [0, 4)"),
    ("nll-target-float", lambda: F.nll_loss(t(LOGITS), CLASSES.astype(float)), "target", ValueError,
     "nll_loss: target must hold integer class indices, got dtype float64"),
    ("nll-target-bool", lambda: F.nll_loss(t(LOGITS), CLASSES > 1), "target", ValueError,
     "nll_loss: target must hold integer class indices, got dtype bool"),
    ("nll-target-probabilities", lambda: F.nll_loss(t(LOGITS), SOFT), "target", ValueError,
     "nll_loss: target must hold integer class indices, got dtype float64"),
    ("nll-target-shape", lambda: F.nll_loss(t(LOGITS), CLASSES[:4]), "target", ValueError,
     "nll_loss: target shape (4,) must be (5,) for input shape (5, 4)"),
    ("nll-ignore_index-float", lambda: F.nll_loss(t(LOGITS), CLASSES, ignore_index=1.5), "ignore_index", TypeError,
     "nll_loss: ignore_index must be an integer, got float 1.5"),
    ("nll-ignore_index-bool", lambda: F.nll_loss(t(LOGITS), CLASSES, ignore_index=True), "ignore_index", TypeError,
     "nll_loss: ignore_index must be an integer, got bool True"),
    ("nll-weight-length", lambda: F.nll_loss(t(LOGITS), CLASSES, np.ones(3)), "weight", ValueError,
     "nll_loss: weight must hold one number per class, shape (4,), got shape (3,)"),
    ("nll-weight-2d", lambda: F.nll_loss(t(LOGITS), CLASSES, np.ones((1, 4))), "weight", ValueError,
     "nll_loss: weight must hold one number per class, shape (4,), got shape (1, 4)"),
    ("nll-weight-nan", lambda: F.nll_loss(t(LOGITS), CLASSES, [1.0, NAN, 1.0, 1.0]), "weight", ValueError,
     "nll_loss: weight must be finite, got [nan]"),
    ("nll-reduction", lambda: F.nll_loss(t(LOGITS), CLASSES, reduction="max"), "reduction", ValueError,
     "nll_loss: reduction must be one of 'mean', 'sum', 'none', got 'max'"),
    ("nll-size_average", lambda: F.nll_loss(t(LOGITS), CLASSES, None, True), "size_average", TypeError,
     "nll_loss: size_average is deprecated"),
    ("nll-reduction-in-ignore_index-place", lambda: F.nll_loss(t(LOGITS), CLASSES, None, None, "sum"),
     "ignore_index", TypeError, "nll_loss: ignore_index must be an integer, got str 'sum'"),
    ("nll-empty-mean", lambda: F.nll_loss(t(np.zeros((0, 4))), np.zeros(0, int)), "input", ValueError,
     "nll_loss: input is empty (shape (0, 4))"),
    ("NllLoss-op-reduction", lambda: NllLoss.apply(t(LOGITS), target=CLASSES, reduction="avg"), "reduction",
     ValueError, "reduction must be one of"),
    # --- cross_entropy: the same, plus probability targets and label_smoothing
    ("ce-target-out-of-range", lambda: F.cross_entropy(t(LOGITS), np.array([0, 1, 2, 3, 4])), "target", ValueError,
     "cross_entropy: target holds class indices [4] outside [0, 4)"),
    ("ce-target-float-indices", lambda: F.cross_entropy(t(LOGITS), CLASSES.astype(float)), "target", ValueError,
     "cross_entropy: target must hold integer class indices, got dtype float64 (use .astype(int))"),
    ("ce-target-shape", lambda: F.cross_entropy(t(LOGITS), CLASSES[:4]), "target", ValueError,
     "cross_entropy: target shape (4,) must be (5,) for input shape (5, 4)"),
    ("ce-probabilities-wrong-shape", lambda: F.cross_entropy(t(LOGITS), SOFT[:, :3]), "target", ValueError,
     "cross_entropy: target must hold integer class indices, got dtype float64"),
    ("ce-probabilities-integer", lambda: F.cross_entropy(t(LOGITS), np.eye(4, dtype=int)[CLASSES]), "target",
     ValueError, "cross_entropy: a target of input's shape (5, 4) holds class probabilities and must be floating point"),
    ("ce-probabilities-with-ignore_index", lambda: F.cross_entropy(t(LOGITS), SOFT, ignore_index=1), "ignore_index",
     ValueError, "cross_entropy: ignore_index is not supported for probability targets, got 1"),
    ("ce-input-0d", lambda: F.cross_entropy(t(2.0), np.array(0)), "input", ValueError,
     "cross_entropy: input must have shape (C,), (N, C) or (N, C, d1, ...), got ()"),
    ("ce-one-sample-target-shape", lambda: F.cross_entropy(t(LOGITS[0]), CLASSES[:1]), "target", ValueError,
     "cross_entropy: target shape (1,) must be () for input shape (4,)"),
    ("ce-positions-probabilities-integer", lambda: F.cross_entropy(t(np.zeros((2, 3, 4))), np.ones((2, 3, 4), int)),
     "target", ValueError, "holds class probabilities and must be floating point, got dtype int64 (class indices "
     "have shape (2, 4))"),
    ("ce-positions-weight-length", lambda: F.cross_entropy(t(np.zeros((2, 3, 4))), np.zeros((2, 4), int),
     np.ones(4)), "weight", ValueError, "cross_entropy: weight must hold one number per class, shape (3,)"),
    ("ce-label_smoothing-above-1", lambda: F.cross_entropy(t(LOGITS), CLASSES, label_smoothing=1.5),
     "label_smoothing", ValueError, "cross_entropy: label_smoothing must be a finite number >= 0 and <= 1, got 1.5"),
    ("ce-label_smoothing-negative", lambda: F.cross_entropy(t(LOGITS), CLASSES, label_smoothing=-0.1),
     "label_smoothing", ValueError, "cross_entropy: label_smoothing must be a finite number >= 0 and <= 1, got -0.1"),
    ("ce-label_smoothing-nan", lambda: F.cross_entropy(t(LOGITS), CLASSES, label_smoothing=NAN), "label_smoothing",
     ValueError, "cross_entropy: label_smoothing must be a finite number >= 0 and <= 1, got nan"),
    ("ce-label_smoothing-string", lambda: F.cross_entropy(t(LOGITS), CLASSES, label_smoothing="0.1"),
     "label_smoothing", TypeError, "cross_entropy: label_smoothing must be a finite number >= 0 and <= 1, got str"),
    ("ce-weight-length", lambda: F.cross_entropy(t(LOGITS), CLASSES, weight=np.ones(5)), "weight", ValueError,
     "cross_entropy: weight must hold one number per class, shape (4,), got shape (5,)"),
    ("ce-weight-requires-grad", lambda: F.cross_entropy(t(LOGITS), CLASSES, weight=t(np.ones(4))), "weight",
     ValueError, "cross_entropy: weight gets no gradient"),
    ("ce-ignore_index-float", lambda: F.cross_entropy(t(LOGITS), CLASSES, ignore_index=-100.0), "ignore_index",
     TypeError, "cross_entropy: ignore_index must be an integer, got float -100.0"),
    ("ce-reduction", lambda: F.cross_entropy(t(LOGITS), CLASSES, reduction="avg"), "reduction", ValueError,
     "cross_entropy: reduction must be one of 'mean', 'sum', 'none', got 'avg'"),
    ("ce-reduce", lambda: F.cross_entropy(t(LOGITS), CLASSES, reduce=False), "reduce", TypeError,
     "cross_entropy: reduce is deprecated"),
    ("ce-empty-mean", lambda: F.cross_entropy(t(np.zeros((0, 4))), np.zeros(0, int)), "input", ValueError,
     "cross_entropy: input is empty (shape (0, 4)), and the mean of no losses is undefined"),
    # --- hinge_loss (minigrad's own)
    ("hinge-target-values", lambda: F.hinge_loss(t(X), np.zeros((4, 3))), "target", ValueError,
     "hinge_loss: target must hold -1 and +1 only, got values [0.0]"),
    ("hinge-target-shape", lambda: F.hinge_loss(t(X), np.ones(3)), "target", ValueError,
     "hinge_loss: target shape (3,) must equal input shape (4, 3)"),
    ("hinge-reduction", lambda: F.hinge_loss(t(X), np.ones((4, 3)), "avg"), "reduction", ValueError,
     "hinge_loss: reduction must be one of"),
    ("hinge-empty-mean", lambda: F.hinge_loss(t(np.zeros(0)), np.ones(0)), "input", ValueError,
     "hinge_loss: input is empty"),
    # --- the loss modules check their arguments in the constructor
    ("MSELoss-reduction", lambda: nn.MSELoss(reduction="avg"), "reduction", ValueError,
     "MSELoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'"),
    ("MSELoss-size_average", lambda: nn.MSELoss(True), "size_average", TypeError,
     "MSELoss: size_average is deprecated"),
    ("L1Loss-reduce", lambda: nn.L1Loss(reduce=False), "reduce", TypeError, "L1Loss: reduce is deprecated"),
    ("HuberLoss-delta-0", lambda: nn.HuberLoss(delta=0), "delta", ValueError,
     "HuberLoss: delta must be a finite number > 0, got 0"),
    ("HuberLoss-delta-nan", lambda: nn.HuberLoss("sum", NAN), "delta", ValueError,
     "HuberLoss: delta must be a finite number > 0, got nan"),
    ("BCELoss-weight-nan", lambda: nn.BCELoss(weight=[NAN]), "weight", ValueError,
     "BCELoss: weight must be finite, got [nan]"),
    ("BCELoss-reduction", lambda: nn.BCELoss(None, None, None, "max"), "reduction", ValueError,
     "BCELoss: reduction must be one of"),
    ("BCEWithLogitsLoss-pos_weight-requires-grad", lambda: nn.BCEWithLogitsLoss(pos_weight=t([2.0])), "pos_weight",
     ValueError, "BCEWithLogitsLoss: pos_weight gets no gradient"),
    ("BCEWithLogitsLoss-forward-pos_weight-shape", lambda: nn.BCEWithLogitsLoss(pos_weight=np.ones(2))(t(X), B),
     "pos_weight", ValueError, "binary_cross_entropy_with_logits: pos_weight shape (2,) must broadcast to (4, 3)"),
    ("NLLLoss-ignore_index-float", lambda: nn.NLLLoss(ignore_index=1.5), "ignore_index", TypeError,
     "NLLLoss: ignore_index must be an integer, got float 1.5"),
    ("NLLLoss-weight-2d", lambda: nn.NLLLoss(weight=np.ones((2, 2))), "weight", ValueError,
     "NLLLoss: weight must hold one number per class, got shape (2, 2)"),
    ("CrossEntropyLoss-label_smoothing", lambda: nn.CrossEntropyLoss(label_smoothing=2), "label_smoothing",
     ValueError, "CrossEntropyLoss: label_smoothing must be a finite number >= 0 and <= 1, got 2"),
    ("CrossEntropyLoss-weight-strings", lambda: nn.CrossEntropyLoss(weight=["a", "b"]), "weight", TypeError,
     "CrossEntropyLoss: weight must hold real numbers, got dtype <U1"),
    ("CrossEntropyLoss-reduce", lambda: nn.CrossEntropyLoss(None, None, -100, True), "reduce", TypeError,
     "CrossEntropyLoss: reduce is deprecated"),
    ("CrossEntropyLoss-forward-weight-length", lambda: nn.CrossEntropyLoss(weight=np.ones(2))(t(LOGITS), CLASSES),
     "weight", ValueError, "cross_entropy: weight must hold one number per class, shape (4,), got shape (2,)"),
]  # fmt: skip


@pytest.mark.parametrize("call, argument, error, fragment", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_a_bad_argument_is_refused_with_an_error_naming_it(call, argument, error, fragment):
    with pytest.raises(error, match=re.escape(fragment)) as raised:
        call()
    assert argument in str(raised.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: F.mse_loss(t(np.zeros((0, 3))), np.zeros((0, 3)), reduction="sum"),
        lambda: F.cross_entropy(t(np.zeros((0, 4))), np.zeros(0, int), reduction="none"),
        lambda: F.binary_cross_entropy(t([0.0, 1.0]), [1.0, 0.0]),
        lambda: F.huber_loss(t([np.inf]), [0.0], delta=1e-300),
        lambda: F.cross_entropy(t(LOGITS), np.array([0, 1, 2, 3, 200]), ignore_index=200),
        lambda: F.nll_loss(t(LOGITS), np.array([0, 1, 2, 3, 3], np.uint8)),
    ],
    ids=["empty-sum", "empty-none", "bce-at-0-and-1", "huber-tiny-delta", "ignore_index-out-of-range", "uint8-target"],
)
def test_the_edges_that_are_not_bad_are_accepted(call):
    call()
