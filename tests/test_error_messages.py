"""Errors name what was wrong: the op, the shape, the argument or the key (one row per error)."""

import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad import Function, Tensor, nn
from minigrad.gradcheck import gradcheck_report
from minigrad.optim import SGD, Adam
from minigrad.optim.lr_scheduler import LRScheduler
from minigrad.optim.optimizer import Optimizer
from minigrad.viz import draw_graph, record


def leaf():
    return Tensor([1.0, 2.0], requires_grad=True)


class TwoGradients(Function):
    """A broken op: one input, two gradients."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class NoForward(Function):
    pass


class NoBackward(Function):
    @staticmethod
    def forward(ctx, x):
        return x.copy()


def backward_of(fn):
    return lambda: fn(leaf()).sum().backward()


def with_grad(optimizer):
    for group in optimizer.param_groups:
        for p in group["params"]:
            p.grad = Tensor(np.ones(p.shape))
    return optimizer


def optimizer_state_with_two_groups():
    w, b = nn.Parameter(np.ones(2)), nn.Parameter(np.zeros(1))
    return SGD([{"params": [w]}, {"params": [b]}], lr=0.1).state_dict()


def layers_view_of_too_many_nodes():
    model = nn.MLP([2, 3, 1], rng=0)
    with record(model) as recording:
        loss = model(Tensor(np.ones((1, 2)))).sum()
    draw_graph(loss, recording=recording, mode="layers", max_nodes=1)


ERRORS = [
    # the tensor
    (lambda: len(Tensor(1.0)), TypeError, r"len\(\) of a 0-d tensor"),
    (lambda: bool(Tensor([1.0, 2.0])), ValueError, r"truth value of a tensor of shape \(2,\) is ambiguous"),
    (lambda: Tensor(1.0).register_hook(print), RuntimeError, "register_hook: the tensor does not require grad"),
    (lambda: Tensor(1.0).retain_grad(), RuntimeError, "retain_grad: the tensor does not require grad"),
    (lambda: (leaf() * 2).requires_grad_(False), RuntimeError, "requires_grad_: only a leaf's requires_grad"),
    # ops
    (lambda: Tensor(2.0) @ Tensor([1.0]), ValueError, r"MatMul: .*use \* for scalars"),
    (lambda: mg.functional.linear(Tensor([1.0]), Tensor([1.0])), ValueError, "Linear: .*a 2-D weight"),
    (backward_of(TwoGradients.apply), RuntimeError, "TwoGradients.backward returned 2 gradients for 1 inputs"),
    # grad and gradcheck
    (
        lambda: mg.grad(leaf().sum(), leaf(), grad_outputs=[Tensor(1.0), Tensor(1.0)]),
        ValueError,
        "grad: 2 grad_outputs for 1 outputs",
    ),
    (lambda: mg.grad(leaf().sum(), Tensor(1.0)), RuntimeError, "grad: input 0 does not require grad"),
    (lambda: mg.grad(Tensor(1.0), leaf()), RuntimeError, "grad: output 0 does not require grad"),
    (lambda: gradcheck_report(lambda x: x, leaf(), order=3), ValueError, "order must be 1 or 2, got 3"),
    # nn
    (lambda: nn.Module()(Tensor(1.0)), NotImplementedError, "Module must define forward"),
    (lambda: nn.MLP([2]), ValueError, "MLP: sizes needs at least an input and an output width"),
    (lambda: nn.init.orthogonal_(Tensor(np.ones(3))), ValueError, r"orthogonal_ .* got shape \(3,\)"),
    (
        lambda: nn.BatchNorm1d(2).register_buffer("running_mean", np.zeros(2)),
        KeyError,
        "'running_mean' is already an attribute",
    ),
    # optimisers and schedules
    (lambda: Adam([leaf()], lr=-1.0), ValueError, "Adam: lr must be a finite number >= 0, got -1.0"),
    (
        lambda: SGD([nn.Parameter(np.ones(2))], lr=0.1).load_state_dict(optimizer_state_with_two_groups()),
        ValueError,
        "2 parameter groups in the state, 1 here",
    ),
    # pictures
    (lambda: draw_graph(Tensor(1.0)), RuntimeError, "the root does not require grad"),
    (layers_view_of_too_many_nodes, ValueError, "even mode='layers' gives .* nodes, more than max_nodes=1"),
]


@pytest.mark.parametrize("call, error, message", ERRORS, ids=[message for _, _, message in ERRORS])
def test_the_error_names_what_was_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call()


UNWRITTEN = {
    "Function.forward": lambda: NoForward.apply(leaf()),
    "Function.backward": backward_of(NoBackward.apply),
    "Optimizer._update": lambda: with_grad(Optimizer([leaf()], {})).step(),
    "LRScheduler.lr_at": lambda: LRScheduler(SGD([leaf()], lr=1.0)),
}


@pytest.mark.parametrize("call", UNWRITTEN.values(), ids=UNWRITTEN.keys())
def test_a_method_left_to_subclasses_raises_until_one_writes_it(call):
    with pytest.raises(NotImplementedError):
        call()


def test_a_state_with_text_is_refused_and_the_model_is_left_as_it_was():
    layer = nn.Linear(2, 1, rng=0)
    before = layer.weight.numpy().copy()
    with pytest.raises(RuntimeError, match="'weight' holds <U1 values, not numbers; nothing was loaded"):
        layer.load_state_dict({"weight": np.array([["a", "b"]]), "bias": np.zeros(1)})
    np.testing.assert_array_equal(layer.weight.numpy(), before)


def test_an_archive_member_with_a_broken_header_is_named_and_called_unreadable(tmp_path):
    path = tmp_path / "broken.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weight.npy", b"\x93NUMPY\x01\x00not a header")
    with pytest.raises(ValueError, match="broken.npz': entry 'weight' is not a readable .npy array"):
        mg.load(path)
