"""The loss modules of minigrad.nn: each gives its functional form's value and gradient with the
options it holds; no parameters, a weight as a buffer (in state_dict); PyTorch's constructor
signatures, buffers and values (against torch where it is installed)."""

import inspect

import numpy as np
import pytest

import minigrad
import minigrad.functional as F
from minigrad import Tensor, nn

RNG = np.random.default_rng(15)
X = RNG.standard_normal((4, 3))
Y = RNG.standard_normal((4, 3))
P = RNG.uniform(0.05, 0.95, (4, 3))
B = RNG.integers(0, 2, (4, 3)).astype(float)
CLASSES = np.array([0, 2, 1, -100])
WEIGHT = np.array([0.5, 2.0, 1.5])
SOFT = RNG.dirichlet(np.ones(3), 4)

# module name, constructor kwargs, functional form, its kwargs, input, target
CASES = [
    ("MSELoss", dict(reduction="sum"), F.mse_loss, dict(reduction="sum"), X, Y),
    ("L1Loss", {}, F.l1_loss, {}, X, Y),
    ("HuberLoss", dict(reduction="none", delta=0.5), F.huber_loss, dict(reduction="none", delta=0.5), X, Y),
    ("BCELoss", dict(weight=WEIGHT), F.binary_cross_entropy, dict(weight=WEIGHT), P, B),
    ("BCEWithLogitsLoss", dict(weight=WEIGHT, pos_weight=WEIGHT[::-1].copy()), F.binary_cross_entropy_with_logits,
     dict(weight=WEIGHT, pos_weight=WEIGHT[::-1].copy()), X, B),
    ("NLLLoss", dict(weight=WEIGHT, ignore_index=-100, reduction="sum"), F.nll_loss,
     dict(weight=WEIGHT, reduction="sum"), X, CLASSES),
    ("CrossEntropyLoss", dict(weight=WEIGHT, label_smoothing=0.2), F.cross_entropy,
     dict(weight=WEIGHT, label_smoothing=0.2), X, CLASSES),
    ("CrossEntropyLoss", dict(reduction="none"), F.cross_entropy, dict(reduction="none"), X, SOFT),
]  # fmt: skip
IDS = [f"{case[0]}-{i}" for i, case in enumerate(CASES)]


@pytest.mark.parametrize("name, options, functional, kwargs, x, target", CASES, ids=IDS)
def test_a_loss_module_gives_its_functional_forms_value_and_gradient(name, options, functional, kwargs, x, target):
    module = getattr(nn, name)(**options)
    xm, xf = Tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    got, expected = module(xm, target), functional(xf, target, **kwargs)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
    got.sum().backward()
    expected.sum().backward()
    np.testing.assert_array_equal(xm.grad.numpy(), xf.grad.numpy())


@pytest.mark.parametrize("name, options, functional, kwargs, x, target", CASES, ids=IDS)
def test_a_loss_module_has_no_parameters_and_its_weights_as_buffers(name, options, functional, kwargs, x, target):
    module = getattr(nn, name)(**options)
    assert list(module.parameters()) == []
    weights = sorted(key for key in ("weight", "pos_weight") if key in options)
    assert sorted(module.state_dict()) == weights
    for key in weights:
        np.testing.assert_array_equal(getattr(module, key), options[key])


def test_a_loss_modules_weight_is_restored_by_load_state_dict():
    trained, fresh = nn.CrossEntropyLoss(weight=WEIGHT), nn.CrossEntropyLoss(weight=np.ones(3))
    fresh.load_state_dict(trained.state_dict())
    np.testing.assert_array_equal(fresh.weight, WEIGHT)
    assert fresh(Tensor(X), CLASSES).item() == trained(Tensor(X), CLASSES).item()


def test_a_loss_module_keeps_a_copy_of_its_weight():
    weight = WEIGHT.copy()
    module = nn.NLLLoss(weight=weight)
    weight[:] = 0
    np.testing.assert_array_equal(module.weight, WEIGHT)


def test_a_loss_module_in_a_training_step():
    model = nn.Linear(3, 3, rng=0)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    loss = loss_fn(model(Tensor(X)), CLASSES)
    loss.backward()
    expected = F.cross_entropy(Tensor(X) @ model.weight.T + model.bias, CLASSES, label_smoothing=0.1)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-14)
    assert model.weight.grad is not None


MODULES = ["MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "NLLLoss", "CrossEntropyLoss"]


@pytest.mark.parametrize("name", MODULES)
def test_constructor_signatures_are_torchs(name):
    torch = pytest.importorskip("torch")
    ours = inspect.signature(getattr(nn, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.nn, name).__init__).parameters
    assert [(p.name, p.default) for p in ours.values()] == [(p.name, p.default) for p in theirs.values()]


@pytest.mark.parametrize("name, options, functional, kwargs, x, target", CASES, ids=IDS)
def test_loss_modules_match_torchs_values_and_buffers(name, options, functional, kwargs, x, target):
    torch = pytest.importorskip("torch")
    as_torch = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    theirs = getattr(torch.nn, name)(**as_torch)
    ours = getattr(nn, name)(**options)
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    expected = theirs(torch.tensor(x), torch.tensor(target)).numpy()
    np.testing.assert_allclose(ours(Tensor(x), target).numpy(), expected, rtol=1e-12)


def test_minigrad_nn_exports_the_loss_modules():
    assert set(MODULES) <= set(nn.__all__)
    assert all(issubclass(getattr(nn, name), minigrad.nn.Module) for name in MODULES)
