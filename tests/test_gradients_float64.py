"""Loss and layer gradients to float64 precision, not to gradcheck's default rtol of 1e-3.

Each loss's gradient is compared with its formula written out in NumPy at rtol 1e-10 (a gradient
scaled by 0.9995 fails by five orders of magnitude); the affine map against its formulas too; the other
layers (their parameters included) and the losses once more against central differences at rtol
1e-6 and atol 1e-9, which central differences in float64 meet with room (their error is about
eps^2 |f'''| + 1e-16 / eps, near 1e-10 here).
"""

import numpy as np
import pytest

import minigrad
from minigrad import Tensor, gradcheck, nn, no_grad
from minigrad import functional as F

RTOL = 1e-10
TIGHT = dict(rtol=1e-6, atol=1e-9)
REDUCTIONS = ["mean", "sum", "none"]


def values(shape, seed, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, shape)


def input_gradient(loss_fn, x, target, reduction, seed=7, **kwargs):
    """d(loss)/d(input) for an upstream gradient g (random for reduction='none', 1 otherwise), and g."""
    xt = Tensor(x, requires_grad=True)
    loss = loss_fn(xt, target, reduction=reduction, **kwargs)
    g = values(loss.shape, seed) if reduction == "none" else np.ones(())
    (grad_x,) = minigrad.grad(loss, (xt,), grad_outputs=Tensor(g))
    return grad_x.numpy(), g


def reduced(per_element, g, reduction):
    """What the reduction does to the elementwise derivative: / n for the mean, x g for none."""
    if reduction == "mean":
        return per_element / per_element.size
    return per_element * g if reduction == "none" else per_element


# --- the regression losses: elementwise formulas ------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss_gradient_is_2_times_the_difference(reduction):
    x, t = values((3, 4), 0), values((3, 4), 1)
    got, g = input_gradient(F.mse_loss, x, t, reduction)
    np.testing.assert_allclose(got, reduced(2 * (x - t), g, reduction), rtol=RTOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss_gradient_for_the_target_is_minus_the_inputs(reduction):
    x, t = values((5,), 0), values((5,), 1)
    tt = Tensor(t, requires_grad=True)
    loss = F.mse_loss(Tensor(x), tt, reduction=reduction)
    g = values(loss.shape, 7) if reduction == "none" else np.ones(())
    (grad_t,) = minigrad.grad(loss, (tt,), grad_outputs=Tensor(g))
    np.testing.assert_allclose(grad_t.numpy(), reduced(-2 * (x - t), g, reduction), rtol=RTOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_l1_loss_gradient_is_the_sign_of_the_difference(reduction):
    x, t = values((3, 4), 0), values((3, 4), 1)
    got, g = input_gradient(F.l1_loss, x, t, reduction)
    np.testing.assert_allclose(got, reduced(np.sign(x - t), g, reduction), rtol=RTOL)


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.5])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_huber_loss_gradient_is_the_difference_clipped_at_delta(reduction, delta):
    x, t = values((4, 5), 0, -4, 4), values((4, 5), 1)
    d = x - t
    assert np.any(np.abs(d) < delta) and np.any(np.abs(d) > delta)  # both pieces are checked
    got, g = input_gradient(F.huber_loss, x, t, reduction, delta=delta)
    np.testing.assert_allclose(got, reduced(np.clip(d, -delta, delta), g, reduction), rtol=RTOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_gradient_is_its_formula(reduction):
    p, y = values((6,), 0, 0.05, 0.95), values((6,), 1, 0.0, 1.0)
    got, g = input_gradient(F.binary_cross_entropy, p, y, reduction)
    np.testing.assert_allclose(got, reduced(-(y / p - (1 - y) / (1 - p)), g, reduction), rtol=RTOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_weighted_gradients_of_input_and_target_are_their_formulas(reduction):
    p, y, w = values((2, 3), 0, 0.05, 0.95), values((2, 3), 1, 0.0, 1.0), values((3,), 2, 0.1, 2.0)
    pt, yt = Tensor(p, requires_grad=True), Tensor(y, requires_grad=True)
    loss = F.binary_cross_entropy(pt, yt, weight=w, reduction=reduction)
    g = values(loss.shape, 7) if reduction == "none" else np.ones(())
    grad_p, grad_y = minigrad.grad(loss, (pt, yt), grad_outputs=Tensor(g))
    np.testing.assert_allclose(grad_p.numpy(), reduced(w * (p - y) / (p * (1 - p)), g, reduction), rtol=RTOL)
    np.testing.assert_allclose(grad_y.numpy(), reduced(w * (np.log(1 - p) - np.log(p)), g, reduction), rtol=RTOL)


def test_binary_cross_entropy_mixed_second_derivative_is_its_formula():
    # d/dp of dL/dy = log(1 - p) - log p: the log's own gradient, -1 / (p (1 - p))
    p, y = values((6,), 0, 0.05, 0.95), values((6,), 1, 0.0, 1.0)
    pt, yt = Tensor(p, requires_grad=True), Tensor(y, requires_grad=True)
    (grad_y,) = minigrad.grad(F.binary_cross_entropy(pt, yt, reduction="sum"), (yt,), create_graph=True)
    (mixed,) = minigrad.grad(grad_y.sum(), (pt,))
    np.testing.assert_allclose(mixed.numpy(), -1 / (p * (1 - p)), rtol=RTOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits_pos_weight_gradient_is_its_formula(reduction):
    x, y, r, w = values((2, 3), 0, -6, 6), values((2, 3), 1, 0.0, 1.0), values((3,), 2, 0.1, 3), values((2, 3), 3, 0, 2)
    got, g = input_gradient(F.binary_cross_entropy_with_logits, x, y, reduction, weight=w, pos_weight=r)
    sigmoid = 1 / (1 + np.exp(-x))
    expected = w * ((1 - y) - (1 + (r - 1) * y) * (1 - sigmoid))
    np.testing.assert_allclose(got, reduced(expected, g, reduction), rtol=RTOL)


@pytest.mark.parametrize(
    "loss_fn, derivative", [(F.mse_loss, lambda d: 2 * d), (F.l1_loss, np.sign)], ids=["mse", "l1"]
)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_mse_and_l1_gradients_are_their_formulas(loss_fn, derivative, reduction):
    x, t, w = values((3, 4), 0), values((3, 4), 1), values((3, 4), 2, 0.1, 2)
    got, g = input_gradient(loss_fn, x, t, reduction, weight=w)
    expected = w * derivative(x - t) / (w.sum() if reduction == "mean" else 1)
    np.testing.assert_allclose(got, expected * g if reduction == "none" else expected, rtol=RTOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits_gradient_is_sigmoid_minus_target(reduction):
    x, y = values((6,), 0, -6, 6), values((6,), 1, 0.0, 1.0)
    got, g = input_gradient(F.binary_cross_entropy_with_logits, x, y, reduction)
    np.testing.assert_allclose(got, reduced(1 / (1 + np.exp(-x)) - y, g, reduction), rtol=RTOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_loss_gradient_is_minus_the_label_inside_the_margin(reduction):
    s, y = values((8,), 0), np.array([1.0, -1.0] * 4)
    inside = 1 - y * s > 0
    assert inside.any() and (~inside).any()
    got, g = input_gradient(F.hinge_loss, s, y, reduction)
    np.testing.assert_allclose(got, reduced(np.where(inside, -y, 0.0), g, reduction), rtol=RTOL, atol=0)


# --- the classification losses: softmax minus the (smoothed) target ----------------------------


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def per_row(rows, g, reduction):
    """A per-example gradient (N, C) reduced: / N for the mean, x g[n] for none."""
    if reduction == "mean":
        return rows / rows.shape[0]
    return rows * g[:, None] if reduction == "none" else rows


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.7])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_gradient_is_softmax_minus_the_smoothed_one_hot(reduction, smoothing):
    x, target = values((5, 4), 0, -3, 3), np.array([0, 3, 1, 1, 2])
    got, g = input_gradient(F.cross_entropy, x, target, reduction, label_smoothing=smoothing)
    smoothed = (1 - smoothing) * np.eye(4)[target] + smoothing / 4
    np.testing.assert_allclose(got, per_row(softmax(x) - smoothed, g, reduction), rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_gradient_is_minus_the_one_hot(reduction):
    x, target = np.log(softmax(values((5, 4), 0))), np.array([0, 3, 1, 1, 2])
    got, g = input_gradient(F.nll_loss, x, target, reduction)
    np.testing.assert_allclose(got, per_row(-np.eye(4)[target], g, reduction), rtol=RTOL, atol=0)


CLASS_WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_weights_and_ignored_targets_gradient_is_its_formula(reduction, weighted, smoothing):
    # d loss_n / d x[n, j] = k_n (s[n, j] ((1 - e) w[t_n] + e/C sum_c w[c]) - (1 - e) w[t_n] [j = t_n] - e/C w[j])
    x, target, ignore = values((6, 4), 0, -3, 3), np.array([0, 3, 1, 2, 2, 1]), 2
    w = CLASS_WEIGHT if weighted else np.ones(4)
    kw = dict(weight=CLASS_WEIGHT) if weighted else {}
    got, g = input_gradient(F.cross_entropy, x, target, reduction, ignore_index=ignore, label_smoothing=smoothing, **kw)
    kept, e = (target != ignore)[:, None], smoothing
    w_t = w[target][:, None]
    rows = kept * (softmax(x) * ((1 - e) * w_t + e / 4 * w.sum()) - (1 - e) * w_t * np.eye(4)[target] - e / 4 * w)
    if reduction == "mean":
        expected = rows / (kept[:, 0] * w[target]).sum()
    else:
        expected = rows * g[:, None] if reduction == "none" else rows
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_probability_targets_gradients_are_their_formulas(reduction, smoothing):
    # with q' = (1 - e) q + e/C:  d loss_n / d x[n, j] = s[n, j] sum_c w[c] q'[n, c] - w[j] q'[n, j];
    # d loss_n / d q[n, c] = -(1 - e) w[c] log s[n, c]
    x, q = values((5, 4), 0, -3, 3), np.random.default_rng(1).dirichlet(np.ones(4), 5)
    xt, qt = Tensor(x, requires_grad=True), Tensor(q, requires_grad=True)
    loss = F.cross_entropy(xt, qt, weight=CLASS_WEIGHT, reduction=reduction, label_smoothing=smoothing)
    g = values(loss.shape, 7) if reduction == "none" else np.ones(())
    grad_x, grad_q = minigrad.grad(loss, (xt, qt), grad_outputs=Tensor(g))
    smoothed = (1 - smoothing) * q + smoothing / 4
    dx = softmax(x) * (smoothed @ CLASS_WEIGHT)[:, None] - CLASS_WEIGHT * smoothed
    dq = -(1 - smoothing) * CLASS_WEIGHT * np.log(softmax(x))
    np.testing.assert_allclose(grad_x.numpy(), per_row(dx, g, reduction), rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(grad_q.numpy(), per_row(dq, g, reduction), rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_with_weights_and_ignored_targets_gradient_is_minus_the_weighted_one_hot(reduction):
    x, target = np.log(softmax(values((5, 4), 0))), np.array([0, 3, -100, 1, 2])
    got, g = input_gradient(F.nll_loss, x, target, reduction, weight=CLASS_WEIGHT)
    kept, classes = target != -100, np.where(target != -100, target, 0)
    rows = -(kept * CLASS_WEIGHT[classes])[:, None] * np.eye(4)[classes]
    if reduction == "mean":
        expected = rows / (kept * CLASS_WEIGHT[classes]).sum()
    else:
        expected = rows * g[:, None] if reduction == "none" else rows
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(weight=CLASS_WEIGHT),
        dict(ignore_index=1),
        dict(weight=CLASS_WEIGHT, ignore_index=3, label_smoothing=0.3),
        dict(probabilities=True, weight=CLASS_WEIGHT, label_smoothing=0.1),
    ],
    ids=["weight", "ignore_index", "weight-ignore-smoothing", "probabilities-weight-smoothing"],
)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_options_pass_gradcheck_at_float64_tolerances(kwargs, reduction):
    kwargs = dict(kwargs)
    target = np.array([0, 3, 1, 1, 2])
    if kwargs.pop("probabilities", False):
        target = np.random.default_rng(1).dirichlet(np.ones(4), 5)
    x = Tensor(values((5, 4), 0, -3, 3), requires_grad=True)
    assert gradcheck(lambda a: F.cross_entropy(a, target, reduction=reduction, **kwargs), x, **TIGHT)


# --- layers: the affine map by its formula, the rest by gradcheck at float64 tolerances --------


def test_linear_layer_gradients_are_its_formulas():
    layer = nn.Linear(4, 3, rng=0)
    x = Tensor(values((5, 4), 1), requires_grad=True)
    g = values((5, 3), 2)
    grad_x, grad_w, grad_b = minigrad.grad(layer(x), (x, layer.weight, layer.bias), grad_outputs=Tensor(g))
    w = layer.weight.numpy()
    np.testing.assert_allclose(grad_x.numpy(), g @ w, rtol=RTOL)
    np.testing.assert_allclose(grad_w.numpy(), g.T @ x.numpy(), rtol=RTOL)
    np.testing.assert_allclose(grad_b.numpy(), g.sum(axis=0), rtol=RTOL)


def layer_cases():
    yield "Linear", nn.Linear(4, 3, rng=0), (5, 4)
    yield "LayerNorm", nn.LayerNorm(4), (5, 4)
    yield "BatchNorm1d", nn.BatchNorm1d(4), (6, 4)
    yield "MLP tanh", nn.MLP([4, 5, 3], activation="tanh", rng=0), (5, 4)
    yield "MLP gelu", nn.MLP([4, 5, 3], activation="gelu", rng=0), (5, 4)
    yield "MLP sigmoid", nn.MLP([4, 5, 3], activation="sigmoid", rng=0), (5, 4)


def central_differences(f, array, eps=1e-6):
    """d f() / d array by central differences, moving each element of ``array`` in place and back."""
    out = np.zeros_like(array)
    for i in np.ndindex(array.shape):
        kept = array[i]
        array[i] = kept + eps
        plus = f()
        array[i] = kept - eps
        minus = f()
        array[i] = kept
        out[i] = (plus - minus) / (2 * eps)
    return out


@pytest.mark.parametrize("name, layer, shape", list(layer_cases()), ids=[c[0] for c in layer_cases()])
def test_layer_gradients_match_central_differences_at_float64_tolerances(name, layer, shape):
    """Every parameter's and the input's gradient, for a random upstream gradient (the whole Jacobian
    counts), against central differences at rtol 1e-6."""
    x = Tensor(values(shape, 3), requires_grad=True)
    g = values(layer(x).shape, 4)

    def loss():
        with no_grad():
            return float((layer(x) * g).sum().item())

    wrt = [x, *layer.parameters()]
    analytic = minigrad.grad((layer(x) * g).sum(), wrt)
    for k, (t, a) in enumerate(zip(wrt, analytic)):
        numeric = central_differences(loss, t.numpy())
        np.testing.assert_allclose(a.numpy(), numeric, err_msg=f"{name}: input {k}", **TIGHT)


@pytest.mark.parametrize(
    "loss_fn, target",
    [
        (F.mse_loss, values((3, 4), 1)),
        (F.l1_loss, values((3, 4), 1)),
        (F.huber_loss, values((3, 4), 1)),
        (F.hinge_loss, np.sign(values((3, 4), 1))),
        (F.binary_cross_entropy_with_logits, values((3, 4), 1, 0, 1)),
    ],
    ids=["mse", "l1", "huber", "hinge", "bce_with_logits"],
)
def test_regression_losses_pass_gradcheck_at_float64_tolerances(loss_fn, target):
    x = Tensor(values((3, 4), 0, -3, 3), requires_grad=True)
    assert gradcheck(lambda a: loss_fn(a, target), x, **TIGHT)
