"""The optimisers and schedulers against PyTorch, where it is installed: the same signatures, and
the same positional call giving the same steps, learning rates and step(closure) losses."""

import inspect

import numpy as np
import pytest

import minigrad.nn as nn
from minigrad import optim
from minigrad.optim import lr_scheduler

torch = pytest.importorskip("torch")

C = np.array([[1.0, 3.0], [0.5, 2.0]])
D = np.array([[-1.0, 0.5], [2.0, -0.3]])
START = np.array([[0.8, -1.2], [0.3, 1.5]])
STEPS = 6


def loss_of(p, c, d):
    """f(p) = sum(c p^2 / 2 + d p + p^4 / 4), written once for both libraries."""
    return (0.5 * c * p * p + d * p + 0.25 * p**4).sum()


def minigrad_run(name, args, kwargs, closure=False):
    """The parameter after STEPS steps of optim.<name>(params, *args, **kwargs), and the losses
    step(closure) returned (when ``closure``)."""
    p = nn.Parameter(START.copy())
    opt = getattr(optim, name)([p], *args, **kwargs)
    return _steps(opt, lambda: loss_of(p, C, D), closure), p.numpy()


def torch_run(name, args, kwargs, closure=False):
    p = torch.tensor(START.copy(), requires_grad=True)
    opt = getattr(torch.optim, name)([p], *args, **kwargs)
    return _steps(opt, lambda: loss_of(p, torch.tensor(C), torch.tensor(D)), closure), p.detach().numpy()


def _steps(opt, loss, closure):
    def evaluate():
        opt.zero_grad()
        value = loss()
        value.backward()
        return value

    losses = []
    for _ in range(STEPS):
        if closure:
            losses.append(opt.step(evaluate).item())
        else:
            evaluate()
            opt.step()
    return losses


CALLS = [
    ("SGD", (0.05,), {}),
    ("SGD", (0.05, 0.9, 0, 5e-4), {}),
    ("SGD", (0.05, 0.9, 0.3, 0.1), {"maximize": True}),
    ("SGD", (0.05, 0.8, 0, 0.2, True), {}),
    ("Adam", (0.1,), {}),
    ("Adam", (0.1, (0.8, 0.9), 1e-6, 0.1, True), {}),
    ("Adam", (0.1, (0.8, 0.9), 1e-6, 0.3), {"decoupled_weight_decay": True, "maximize": True}),
    ("AdamW", (0.1, (0.8, 0.9), 1e-6, 0.3, True), {}),
    ("AdamW", (0.1,), {"maximize": True}),
    ("RMSprop", (0.01, 0.8, 1e-6, 0.05, 0.5, True), {}),
    ("RMSprop", (0.01, 0.9, 1e-8, 0, 0, False, False, None, True), {}),
]


@pytest.mark.parametrize("name, args, kwargs", CALLS, ids=str)
def test_the_same_positional_call_takes_the_same_steps_as_torch(name, args, kwargs):
    minigrad_params, torch_params = minigrad_run(name, args, kwargs)[1], torch_run(name, args, kwargs)[1]
    np.testing.assert_allclose(minigrad_params, torch_params, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, args, kwargs", CALLS[::2], ids=str)
def test_step_closure_returns_the_loss_torch_returns(name, args, kwargs):
    (losses, params), (torch_losses, torch_params) = (
        minigrad_run(name, args, kwargs, closure=True),
        torch_run(name, args, kwargs, closure=True),
    )
    np.testing.assert_allclose(losses, torch_losses, rtol=1e-10)
    np.testing.assert_allclose(params, torch_params, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (optim.SGD, "SGD"),
        (optim.Adam, "Adam"),
        (optim.AdamW, "AdamW"),
        (optim.RMSprop, "RMSprop"),
        (lr_scheduler.LRScheduler, "lr_scheduler.LRScheduler"),
        (lr_scheduler.StepLR, "lr_scheduler.StepLR"),
        (lr_scheduler.CosineAnnealingLR, "lr_scheduler.CosineAnnealingLR"),
    ],
)
def test_signature_has_torchs_names_order_kinds_and_defaults(ours, theirs):
    torch_class = torch.optim
    for part in theirs.split("."):
        torch_class = getattr(torch_class, part)

    def shape(cls):
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]

    assert shape(ours) == shape(torch_class)


@pytest.mark.parametrize(
    "name, args",
    [("StepLR", (3, 0.5)), ("StepLR", (2,)), ("CosineAnnealingLR", (10, 0.01)), ("CosineAnnealingLR", (4,))],
    ids=str,
)
def test_the_same_positional_scheduler_gives_torchs_learning_rates(name, args):
    def lrs(optimizer_module, scheduler_module, p):
        opt = optimizer_module.SGD([{"params": [p]}], lr=0.1)
        scheduler = getattr(scheduler_module, name)(opt, *args)
        out = []
        for _ in range(12):
            out.append(scheduler.get_last_lr())
            opt.step()
            scheduler.step()
        return out

    ours = lrs(optim, lr_scheduler, nn.Parameter([1.0]))
    theirs = lrs(torch.optim, torch.optim.lr_scheduler, torch.zeros(1, requires_grad=True))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
