"""Each engine's training step of the CNN (problems.CNNSpec) and of the LSTM (problems.LSTMSpec),
written the way that library's users write it, from the same initial weights and data.

``CNN_STEPS`` and ``LSTM_STEPS`` map an engine's name to a function ``(spec, params, x, target)``
returning a zero-argument step (forward, backward, SGD update) that returns the loss. A function
raises NotImplementedError naming what the engine lacks, and the report says so in its row.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks import engines


def _minigrad_cnn_model(spec, params):
    """``(forward, loss, parameters)``: minigrad's CNN from ``params``."""
    import minigrad.functional as F
    from minigrad import nn

    model = nn.Sequential(
        nn.Conv2d(1, spec.channels[0], spec.kernel, padding=spec.kernel // 2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(spec.channels[0], spec.channels[1], spec.kernel, padding=spec.kernel // 2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(spec.features, spec.classes),
    )
    layers = [m for m in model if hasattr(m, "weight")]
    for layer, (w, b) in zip(layers, params.values()):
        layer.weight, layer.bias = nn.Parameter(w.copy()), nn.Parameter(b.copy())
    return model, F.cross_entropy, list(model.parameters())


def minigrad_cnn(spec, params, x, target):
    return _minigrad_eager(_minigrad_cnn_model, spec, params, x, target)


def minigrad_traced_cnn(spec, params, x, target):
    return _minigrad_traced(_minigrad_cnn_model, spec, params, x, target)


def torch_cnn(spec, params, x, target):
    import torch

    nn = torch.nn
    dtype = getattr(torch, spec.dtype)
    model = nn.Sequential(
        nn.Conv2d(1, spec.channels[0], spec.kernel, padding=spec.kernel // 2, dtype=dtype),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(spec.channels[0], spec.channels[1], spec.kernel, padding=spec.kernel // 2, dtype=dtype),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(spec.features, spec.classes, dtype=dtype),
    )
    _copy_into_torch([m for m in model if hasattr(m, "weight")], params.values())
    opt = torch.optim.SGD(model.parameters(), lr=spec.lr)
    x, target = torch.from_numpy(x), torch.from_numpy(target)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), target)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def mygrad_cnn(spec, params, x, target):
    import mygrad as mg
    from mygrad.nnet.activations import relu
    from mygrad.nnet.layers import conv_nd, max_pool
    from mygrad.nnet.losses import softmax_crossentropy

    (w1, b1), (w2, b2), (w3, b3) = [(mg.tensor(w.copy()), mg.tensor(b.copy())) for w, b in params.values()]
    tensors = (w1, b1, w2, b2, w3, b3)
    pad = spec.kernel // 2

    def step():
        h = relu(conv_nd(x, w1, stride=1, padding=pad) + b1[:, None, None])
        h = max_pool(h, (2, 2), 2)
        h = relu(conv_nd(h, w2, stride=1, padding=pad) + b2[:, None, None])
        h = max_pool(h, (2, 2), 2)
        loss = softmax_crossentropy(h.reshape(len(x), -1) @ w3.T + b3, target)
        loss.backward()
        for p in tensors:
            p.data -= spec.lr * p.grad
        return loss.item()

    return step


def _minigrad_lstm_model(spec, params):
    """``(forward, loss, parameters)``: minigrad's LSTM and head from ``params``; forward maps x to the prediction."""
    import minigrad.functional as F
    from minigrad import nn

    lstm, head = nn.LSTM(spec.input_size, spec.hidden), nn.Linear(spec.hidden, 1)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        setattr(lstm, f"{name}_l0", nn.Parameter(params[name].copy()))
    head.weight, head.bias = (nn.Parameter(a.copy()) for a in params["head"])

    def forward(x):
        output, _ = lstm(x)
        return head(output[-1])

    return forward, F.mse_loss, list(lstm.parameters()) + list(head.parameters())


def minigrad_lstm(spec, params, x, target):
    return _minigrad_eager(_minigrad_lstm_model, spec, params, x, target)


def minigrad_traced_lstm(spec, params, x, target):
    return _minigrad_traced(_minigrad_lstm_model, spec, params, x, target)


def _minigrad_eager(build, spec, params, x, target):
    """The eager step of the model ``build(spec, params)`` makes: forward, loss, backward, SGD update.
    ``step.parameters`` are the model's parameters."""
    import minigrad
    from minigrad import Tensor, optim

    forward, loss_of, parameters = build(spec, params)
    opt = optim.SGD(parameters, lr=spec.lr)
    x, target = Tensor(x), minigrad.tensor(target)

    def step():
        opt.zero_grad()
        loss = loss_of(forward(x), target)
        loss.backward()
        opt.step()
        return loss.item()

    step.parameters = parameters
    return step


def _minigrad_traced(build, spec, params, x, target, checked_calls: int = 3):
    """The same step with forward, loss and backward traced by minigrad.compile (issue 17) and the SGD
    update outside it. First, outside the timing, ``checked_calls`` calls (two traces, then replays)
    are compared with the eager step's: losses and every .grad must be equal to the bit, else
    NotImplementedError says where they differ. ``step.tracing_seconds`` holds the CPU time of the
    two tracing calls; then the weights are put back, so that the harness's steps start from them."""
    import minigrad
    from minigrad import Tensor

    forward, loss_of, parameters = build(spec, params)
    initial = [p.numpy().copy() for p in parameters]
    step, compiled = engines.compiled_sgd_step(
        forward, loss_of, parameters, spec.lr, Tensor(x), minigrad.tensor(target)
    )
    eager = _minigrad_eager(build, spec, params, x, target)
    seconds = []
    for call in range(checked_calls):
        start = time.process_time()
        loss = step()
        seconds.append(time.process_time() - start)
        pairs = [("loss", loss, eager())] + [
            (f"parameter {i}'s .grad", p.grad.numpy(), q.grad.numpy())
            for i, (p, q) in enumerate(zip(parameters, eager.parameters))
        ]
        for what, replayed, expected in pairs:
            if not np.array_equal(replayed, expected):
                raise NotImplementedError(f"not timed: call {call}: the traced step's {what} differs from eager's")
    if compiled.traces != 2 or compiled.replays != checked_calls - 2:
        raise NotImplementedError(f"not timed: {compiled.traces} traces in {checked_calls} calls, expected 2")
    for p, value in zip(parameters, initial):
        p.numpy()[...] = value
    step.tracing_seconds = seconds[:2]
    return step


def torch_lstm(spec, params, x, target):
    import torch

    dtype = getattr(torch, spec.dtype)
    lstm = torch.nn.LSTM(spec.input_size, spec.hidden, dtype=dtype)
    head = torch.nn.Linear(spec.hidden, 1, dtype=dtype)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(lstm, f"{name}_l0").copy_(torch.from_numpy(params[name]))
    _copy_into_torch([head], [params["head"]])
    opt = torch.optim.SGD(list(lstm.parameters()) + list(head.parameters()), lr=spec.lr)
    x, target = torch.from_numpy(x), torch.from_numpy(target)

    def step():
        opt.zero_grad()
        output, _ = lstm(x)
        loss = torch.nn.functional.mse_loss(head(output[-1]), target)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def _copy_into_torch(layers, params) -> None:
    import torch

    with torch.no_grad():
        for layer, (w, b) in zip(layers, params):
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))


MINIGRAD_TRACED = "minigrad (traced)"
CNN_STEPS = {
    engines.Minigrad.name: minigrad_cnn,
    MINIGRAD_TRACED: minigrad_traced_cnn,
    engines.PyTorch.name: torch_cnn,
    engines.MyGrad.name: mygrad_cnn,
}
LSTM_STEPS = {
    engines.Minigrad.name: minigrad_lstm,
    MINIGRAD_TRACED: minigrad_traced_lstm,
    engines.PyTorch.name: torch_lstm,
}


def first_losses(step, count: int = 2) -> list:
    """The losses of ``count`` steps (each from the weights the previous one left)."""
    return [float(step()) for _ in range(count)]


def relative_difference(losses, reference) -> float:
    """The largest relative difference between two engines' lists of losses."""
    losses, reference = np.array(losses), np.array(reference)
    return float(np.max(np.abs(losses - reference) / np.abs(reference)))
