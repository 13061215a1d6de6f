"""Central differences for the op tests: first and second derivatives of minigrad against them.

Each check reduces ``fn``'s output to a scalar with a fixed random direction ``w`` (so every output
element counts) and works in float64, where a step of 1e-6 leaves errors near 1e-9.
"""

import numpy as np

import minigrad as mg
from minigrad import Function, Tensor


def numeric_grad(f, x, eps=1e-6):
    """d f / d x by central differences, for a function ``f`` from a float64 array to a float."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        plus = f(x)
        x[i] = original - eps
        minus = f(x)
        x[i] = original
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def _direction(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def _replaced(arrays, i, array):
    return arrays[:i] + [array] + arrays[i + 1 :]


def _dense(grads, arrays):
    """Gradients as arrays, with zeros for the inputs a gradient did not reach."""
    return [np.zeros(a.shape) if g is None else g.numpy() for g, a in zip(grads, arrays)]


def check_grad(fn, *inputs, atol=1e-6, rtol=1e-5):
    """minigrad.grad of <w, fn(*inputs)> against central differences; inputs must stay unchanged."""
    arrays = [np.array(a, dtype=np.float64) for a in inputs]
    w = Tensor(_direction(fn(*map(Tensor, arrays)).shape, 0))

    def loss(*xs):
        return (fn(*xs) * w).sum()

    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    analytic = _dense(mg.grad(loss(*leaves), leaves, allow_unused=True), arrays)
    for i, (leaf, a) in enumerate(zip(leaves, arrays)):
        np.testing.assert_array_equal(leaf.numpy(), a, err_msg=f"input {i} was modified")
        numeric = numeric_grad(lambda b, i=i: loss(*map(Tensor, _replaced(arrays, i, b))).item(), a)
        np.testing.assert_allclose(analytic[i], numeric, atol=atol, rtol=rtol, err_msg=f"d/d input {i}")


def check_gradgrad(fn, *inputs, atol=1e-5, rtol=1e-4):
    """Second derivatives: minigrad.grad, with respect to the inputs and to the upstream gradient
    w, of s = <v, d<w, fn>/d inputs>, against central differences of s computed to first order."""
    arrays = [np.array(a, dtype=np.float64) for a in inputs]
    arrays.append(_direction(fn(*map(Tensor, arrays)).shape, 0))
    vs = [Tensor(_direction(a.shape, seed)) for seed, a in enumerate(arrays[:-1], start=1)]

    def s(leaves, create_graph):
        *xs, w = leaves
        grads = mg.grad((fn(*xs) * w).sum(), xs, create_graph=create_graph, allow_unused=True)
        return sum((g * v).sum() for g, v in zip(grads, vs) if g is not None)

    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    total = s(leaves, create_graph=True)
    differentiable = isinstance(total, Tensor) and total.requires_grad
    analytic = _dense(mg.grad(total, leaves, allow_unused=True) if differentiable else [None] * len(leaves), arrays)
    for i, a in enumerate(arrays):

        def s_value(b, i=i):
            varied = [Tensor(c, requires_grad=True) for c in _replaced(arrays, i, b)]
            return float(s(varied, create_graph=False))

        numeric = numeric_grad(s_value, a)
        np.testing.assert_allclose(analytic[i], numeric, atol=atol, rtol=rtol, err_msg=f"d2/d input {i}")


# --- user-written ops for the engine and gradcheck tests -------------------------------------


class Cube(Function):
    """cube(x) = x^3;  cube'(x) = 3 x^2"""

    @staticmethod
    def forward(ctx, x):
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * 3 * x**2


class WrongCube(Cube):
    """A backward with the wrong coefficient: 2 x^2 instead of 3 x^2."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * 2 * x**2


class DetachedCube(Cube):
    """Right first derivative, but computed on a detached copy of x: the second one is lost."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * 3 * Tensor(x.numpy()) ** 2


def check_against_torch(call, array, atol=1e-12):
    """``call`` (written once, for a minigrad and a torch tensor alike) gives the same value, and
    the same gradient of its weighted sum, on both; float64, weights from a fixed seed."""
    import torch  # NOTE: the callers have skipped already when torch is missing

    ours, theirs = Tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    out, out_torch = call(ours), call(theirs)
    weights = _direction(out.shape, 0)
    (out * Tensor(weights)).sum().backward()
    (out_torch * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(out.numpy(), out_torch.detach().numpy(), rtol=1e-12, atol=atol)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=atol)
