"""The benchmarks' baselines compute what minigrad computes: the hand-written NumPy MLP and the
NumPy-direct backward rules give minigrad's loss and gradients, so their timings compare like
with like. No timing here."""

import numpy as np
import pytest

import minigrad.functional as F
from benchmarks import direct_rules, engines, numpy_mlp, problems
from minigrad import Tensor

SPECS = [problems.W1, problems.W3, problems.W2, problems.W2.with_dtype("float32")]


def minigrad_gradients(spec, params, x, target):
    """Loss and [(grad_W, grad_b), ...] of the MLP built from minigrad's nn modules (as benchmarked)."""
    step = engines.Minigrad().mlp_step(spec, params, x, target)
    loss = step.loss_fn(step.model(step.x), step.target)
    loss.backward()
    layers = [m for m in step.model if hasattr(m, "weight")]
    return loss.item(), [(m.weight.grad.numpy(), m.bias.grad.numpy()) for m in layers]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.name} {s.dtype}")
def test_hand_written_numpy_gives_minigrads_loss_and_gradients(spec):
    params, x, target = problems.make_problem(spec)
    expected_loss, expected = minigrad_gradients(spec, params, x, target)
    loss, grads = numpy_mlp.gradients(params, x, target, spec.activation, spec.loss)
    rtol = 1e-10 if spec.dtype == "float64" else 2e-4
    np.testing.assert_allclose(loss, expected_loss, rtol=rtol)
    for (grad_w, grad_b), (want_w, want_b) in zip(grads, expected):
        assert grad_w.dtype == want_w.dtype == np.dtype(spec.dtype)
        np.testing.assert_allclose(grad_w, want_w, rtol=rtol, atol=rtol * np.abs(want_w).max())
        np.testing.assert_allclose(grad_b, want_b, rtol=rtol, atol=rtol * np.abs(want_b).max())


@pytest.mark.parametrize("spec", [problems.W1, problems.W3], ids=lambda s: s.name)
def test_numpy_direct_backward_rules_give_minigrads_gradients(spec):
    params, x, target = problems.make_problem(spec)
    _, expected = minigrad_gradients(spec, params, x, target)
    tensors = [(Tensor(w, requires_grad=True), Tensor(b, requires_grad=True)) for w, b in params]
    direct_rules.forward(tensors, Tensor(x), Tensor(target), spec.activation).backward()
    for (w, b), (want_w, want_b) in zip(tensors, expected):
        np.testing.assert_allclose(w.grad.numpy(), want_w, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(b.grad.numpy(), want_b, rtol=1e-12, atol=1e-15)


def test_one_sgd_step_of_the_hand_written_network_matches_minigrads():
    spec = problems.W1
    params, x, target = problems.make_problem(spec)
    mine = engines.Minigrad().mlp_step(spec, params, x, target)
    by_hand = [(w.copy(), b.copy()) for w, b in params]
    step = numpy_mlp.make_step(by_hand, x, target, spec.activation, spec.loss, spec.lr)
    for _ in range(3):
        assert step() == pytest.approx(mine(), rel=1e-12)
    linears = [m for m in mine.model if hasattr(m, "weight")]
    for m, (w, b) in zip(linears, by_hand):
        np.testing.assert_allclose(m.weight.numpy(), w, rtol=1e-12)
        np.testing.assert_allclose(m.bias.numpy(), b, rtol=1e-12)


def test_the_linear_op_is_x_w_transpose_plus_b():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(5, 3)), rng.normal(size=(2, 3)), rng.normal(size=2)
    np.testing.assert_allclose(F.linear(Tensor(x), Tensor(w), Tensor(b)).numpy(), x @ w.T + b)
