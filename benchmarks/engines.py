"""Each engine's version of the workloads, built from the same spec and data.

An engine is a small class: ``mlp_step(spec, params, x, target)`` returns a function doing one SGD
step (forward, backward, update) the way that library's users write it; ``chain(n)`` builds a
chain of ``n`` scalar ops and backpropagates through it; ``op(name, a, backward)`` returns a
function applying one elementwise op (and its backward). Engines whose package is not installed
are skipped.
"""

from __future__ import annotations

import importlib.util
import math

import numpy as np

from benchmarks import numpy_mlp

# Scalar chain: alternate y * c and y + d, so that every op sees a number it has not seen before.
CHAIN_MUL, CHAIN_ADD = 1.0001, 0.0001


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


class NumPyByHand:
    name = "numpy (by hand)"
    module = "numpy"

    def mlp_step(self, spec, params, x, target):
        params = [(w.copy(), b.copy()) for w, b in params]
        return numpy_mlp.make_step(params, x, target, spec.activation, spec.loss, spec.lr)

    def op(self, name, a, b, g, backward):
        """Forward (and the hand-written backward) of one elementwise op."""
        forward = {
            "add": lambda: a + b,
            "mul": lambda: a * b,
            "tanh": lambda: np.tanh(a),
            "relu": lambda: np.maximum(a, 0),
        }[name]
        if not backward:
            return forward

        def add():
            a + b
            return g, g

        def mul():
            a * b
            return g * b, g * a

        def tanh():
            y = np.tanh(a)
            return g * (1 - y * y)

        def relu():
            np.maximum(a, 0)
            return g * (a > 0)

        return {"add": add, "mul": mul, "tanh": tanh, "relu": relu}[name]


class Minigrad:
    name = "minigrad"
    module = "minigrad"

    def mlp_step(self, spec, params, x, target):
        import minigrad.functional as F
        from minigrad import Tensor, nn, optim

        layers = []
        for i, (w, b) in enumerate(params):
            linear = nn.Linear(w.shape[1], w.shape[0])
            linear.weight, linear.bias = nn.Parameter(w.copy()), nn.Parameter(b.copy())
            layers.append(linear)
            if i < len(params) - 1:
                layers.append({"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}[spec.activation]())
        model = nn.Sequential(*layers)
        opt = optim.SGD(model.parameters(), lr=spec.lr)
        x = Tensor(x)
        loss_fn = F.mse_loss if spec.loss == "mse" else F.cross_entropy

        def step():
            opt.zero_grad()
            loss = loss_fn(model(x), target)
            loss.backward()
            opt.step()
            return loss.item()

        step.model, step.loss_fn, step.x, step.target, step.optimizer = model, loss_fn, x, target, opt
        return step

    def chain(self, n):
        from minigrad import Tensor

        x = Tensor(1.0, requires_grad=True)
        y = x
        for i in range(n):
            y = y * CHAIN_MUL if i % 2 == 0 else y + CHAIN_ADD
        return x, y, y.backward

    def op(self, name, a, b, g, backward):
        from minigrad import Tensor

        x, y, grad = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True), Tensor(g)
        return _op_runner(name, x, y, grad, backward)


class MinigradTraced:
    """minigrad's whole step through minigrad.compile: forward, backward, the optimiser's step and
    zero_grad traced on the first calls, then replayed as straight-line code."""

    name = "minigrad (traced)"
    module = "minigrad"

    def mlp_step(self, spec, params, x, target):
        import minigrad

        eager = Minigrad().mlp_step(spec, params, x, target)
        model, loss_fn, x, opt = eager.model, eager.loss_fn, eager.x, eager.optimizer
        target = minigrad.tensor(target)  # NOTE: a Tensor argument, so that a new batch would be an input

        @minigrad.compile
        def train_step(x, target):
            loss = loss_fn(model(x), target)
            loss.backward()
            opt.step()
            opt.zero_grad()
            return loss

        def step():
            return train_step(x, target).item()

        step.model, step.compiled = model, train_step
        return step


def compiled_sgd_step(forward, loss_fn, parameters, lr, x, target):
    """``(step, compiled)``: a zero-argument SGD step whose forward, loss and backward are ``compiled``
    by minigrad.compile (x and target its Tensor arguments), the update outside it; it returns the loss."""
    import minigrad

    opt = minigrad.optim.SGD(parameters, lr=lr)

    @minigrad.compile
    def forward_backward(x, target):
        loss = loss_fn(forward(x), target)
        loss.backward()
        return loss

    def step():
        opt.zero_grad()
        loss = forward_backward(x, target)
        opt.step()
        return loss.item()

    return step, forward_backward


class PyTorch:
    name = "pytorch"
    module = "torch"

    def mlp_step(self, spec, params, x, target):
        import torch

        layers = []
        for i, (w, b) in enumerate(params):
            linear = torch.nn.Linear(w.shape[1], w.shape[0], dtype=getattr(torch, spec.dtype))
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w))
                linear.bias.copy_(torch.from_numpy(b))
            layers.append(linear)
            if i < len(params) - 1:
                layers.append(
                    {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}[spec.activation]()
                )
        model = torch.nn.Sequential(*layers)
        opt = torch.optim.SGD(model.parameters(), lr=spec.lr)
        x, target = torch.from_numpy(x), torch.from_numpy(target)
        loss_fn = torch.nn.functional.mse_loss if spec.loss == "mse" else torch.nn.functional.cross_entropy

        def step():
            opt.zero_grad()
            loss = loss_fn(model(x), target)
            loss.backward()
            opt.step()
            return loss.item()

        return step

    def chain(self, n):
        import torch

        x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        y = x
        for i in range(n):
            y = y * CHAIN_MUL if i % 2 == 0 else y + CHAIN_ADD
        return x, y, y.backward

    def op(self, name, a, b, g, backward):
        import torch

        x = torch.from_numpy(a).requires_grad_()
        y = torch.from_numpy(b).requires_grad_()
        grad = torch.from_numpy(g)
        return _op_runner(name, x, y, grad, backward)


class Micrograd:
    """Karpathy's micrograd: one Python object per scalar, so the MLP runs sample by sample."""

    name = "micrograd"
    module = "micrograd"

    def mlp_step(self, spec, params, x, target):
        from micrograd.engine import Value

        if spec.loss != "mse" or spec.dtype != "float64":
            raise NotImplementedError("micrograd: mse in float64 only")
        weights = [([[Value(float(v)) for v in row] for row in w], [Value(float(v)) for v in b]) for w, b in params]
        flat = [p for w, b in weights for p in [v for row in w for v in row] + b]
        rows, targets = x.tolist(), target[:, 0].tolist()
        activate = {"tanh": _micrograd_tanh, "relu": Value.relu}[spec.activation]

        def step():
            total = 0
            for row, t in zip(rows, targets):
                h = row
                for i, (w, b) in enumerate(weights):
                    h = [sum((wi * hi for wi, hi in zip(w_row, h)), b_j) for w_row, b_j in zip(w, b)]
                    if i < len(weights) - 1:
                        h = [activate(v) for v in h]
                total = total + (h[0] - t) ** 2
            loss = total * (1 / len(rows))
            for p in flat:
                p.grad = 0
            loss.backward()
            for p in flat:
                p.data -= spec.lr * p.grad
            return loss.data

        return step

    def chain(self, n):
        from micrograd.engine import Value

        x = Value(1.0)
        y = x
        for i in range(n):
            y = y * CHAIN_MUL if i % 2 == 0 else y + CHAIN_ADD
        return x, y, y.backward


def _micrograd_tanh(v):
    """tanh as micrograd's lecture writes it (the PyPI release has only relu)."""
    from micrograd.engine import Value

    t = math.tanh(v.data)
    out = Value(t, (v,), "tanh")

    def _backward():
        v.grad += (1 - t * t) * out.grad

    out._backward = _backward
    return out


class MyGrad:
    name = "mygrad"
    module = "mygrad"

    def mlp_step(self, spec, params, x, target):
        import mygrad as mg
        from mygrad.nnet.activations import relu, sigmoid
        from mygrad.nnet.losses import softmax_crossentropy

        tensors = [(mg.tensor(w.copy()), mg.tensor(b.copy())) for w, b in params]
        activate = {"tanh": mg.tanh, "relu": relu, "sigmoid": sigmoid}[spec.activation]

        def step():
            h = x
            for i, (w, b) in enumerate(tensors):
                h = h @ w.T + b
                if i < len(tensors) - 1:
                    h = activate(h)
            loss = mg.mean((h - target) ** 2) if spec.loss == "mse" else softmax_crossentropy(h, target)
            loss.backward()
            for w, b in tensors:
                w.data -= spec.lr * w.grad
                b.data -= spec.lr * b.grad
            return loss.item()

        return step

    def chain(self, n):
        import mygrad as mg

        x = mg.tensor(1.0)
        y = x
        for i in range(n):
            y = y * CHAIN_MUL if i % 2 == 0 else y + CHAIN_ADD
        return x, y, y.backward


class HIPSAutograd:
    """HIPS autograd: traces a NumPy function on each call and returns its gradient."""

    name = "autograd (HIPS)"
    module = "autograd"

    def mlp_step(self, spec, params, x, target):
        import autograd
        import autograd.numpy as anp

        flat = [a.copy() for w, b in params for a in (w, b)]
        activate = {"tanh": anp.tanh, "relu": lambda z: anp.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + anp.exp(-z))}[
            spec.activation
        ]
        rows = np.arange(spec.batch)

        def loss(flat):
            h = x
            for i in range(0, len(flat), 2):
                h = anp.dot(h, flat[i].T) + flat[i + 1]
                if i < len(flat) - 2:
                    h = activate(h)
            if spec.loss == "mse":
                return anp.mean((h - target) ** 2)
            shifted = h - anp.max(h, axis=1, keepdims=True)
            return anp.mean(anp.log(anp.sum(anp.exp(shifted), axis=1)) - shifted[rows, target])

        value_and_grad = autograd.value_and_grad(loss)

        def step():
            value, grads = value_and_grad(flat)
            for p, g in zip(flat, grads):
                p -= spec.lr * g
            return value

        return step

    def chain(self, n):
        import autograd

        def f(x):
            y = x
            for i in range(n):
                y = y * CHAIN_MUL if i % 2 == 0 else y + CHAIN_ADD
            return y

        return None, None, lambda: autograd.grad(f)(1.0)


ENGINES = {
    e.name: e for e in (NumPyByHand(), Minigrad(), MinigradTraced(), PyTorch(), Micrograd(), MyGrad(), HIPSAutograd())
}


def available(names=None) -> list:
    """The engines whose package is installed (all of them, or those named)."""
    return [e for name, e in ENGINES.items() if (names is None or name in names) and installed(e.module)]


def _op_runner(name, x, y, grad, backward):
    """W5's timed call for an engine whose tensors have +, *, tanh, relu, .grad and .backward(grad)."""
    forward = {"add": lambda: x + y, "mul": lambda: x * y, "tanh": x.tanh, "relu": x.relu}[name]
    if not backward:
        return forward

    def run():
        x.grad = y.grad = None
        forward().backward(grad)

    return run
