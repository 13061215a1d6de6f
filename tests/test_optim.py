"""Optimisers: trajectories against PyTorch's documented algorithms written out in NumPy,
parameter groups, skipped parameters, saving and restoring their state."""

import numpy as np
import pytest

import minigrad.nn as nn
from minigrad import Tensor, no_grad, optim

C = np.array([[1.0, 3.0], [0.5, 2.0]])
D = np.array([[-1.0, 0.5], [2.0, -0.3]])
START = np.array([[0.8, -1.2], [0.3, 1.5]])
STEPS = 6


def loss_of(p):
    """f(p) = sum(c p^2 / 2 + d p + p^4 / 4), whose gradient is c p + d + p^3."""
    return (0.5 * C * p * p + D * p + 0.25 * p**4).sum()


def gradient(p):
    return C * p + D + p**3


def run(make_optimizer, steps=STEPS, loss=loss_of):
    p = nn.Parameter(START.copy())
    opt = make_optimizer([p])
    for _ in range(steps):
        opt.zero_grad()
        loss(p).backward()
        opt.step()
    return p.numpy()


# --- the reference algorithms, from PyTorch's documentation pseudocode -------------------------


def sgd_reference(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    p, b = START.copy(), None
    for _ in range(STEPS):
        g = gradient(p)
        if weight_decay:
            g = g + weight_decay * p
        if momentum:
            b = g if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        p = p - lr * g
    return p


def adam_reference(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False):
    (b1, b2), p = betas, START.copy()
    m, v, v_max = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for t in range(1, STEPS + 1):
        g = gradient(p)
        if decoupled:
            p = p - lr * weight_decay * p
        elif weight_decay:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / (1 - b2**t)
        else:
            v_hat = v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def rmsprop_reference(lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    p = START.copy()
    v, g_avg, b = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for _ in range(STEPS):
        g = gradient(p)
        if weight_decay:
            g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        v_tilde = v
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            v_tilde = v - g_avg * g_avg
        if momentum:
            b = momentum * b + g / (np.sqrt(v_tilde) + eps)
            p = p - lr * b
        else:
            p = p - lr * g / (np.sqrt(v_tilde) + eps)
    return p


SGD_CASES = [
    dict(lr=0.05),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.2),
]
ADAM_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, betas=(0.8, 0.9), eps=1e-6),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.1, amsgrad=True),
    dict(lr=0.1, weight_decay=0.1, amsgrad=True, betas=(0.5, 0.6)),
]
RMSPROP_CASES = [
    dict(lr=0.01),
    dict(lr=0.01, alpha=0.9, weight_decay=0.1),
    dict(lr=0.01, momentum=0.9),
    dict(lr=0.01, centered=True),
    dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.05, alpha=0.8),
]


@pytest.mark.parametrize("kwargs", SGD_CASES, ids=str)
def test_sgd_follows_the_reference_trajectory(kwargs):
    np.testing.assert_allclose(run(lambda ps: optim.SGD(ps, **kwargs)), sgd_reference(**kwargs), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kwargs", ADAM_CASES, ids=str)
def test_adam_follows_the_reference_trajectory(kwargs):
    np.testing.assert_allclose(
        run(lambda ps: optim.Adam(ps, **kwargs)), adam_reference(**kwargs), rtol=1e-12, atol=1e-14
    )


@pytest.mark.parametrize(
    "kwargs", [dict(lr=0.1), dict(lr=0.1, weight_decay=0.3), dict(lr=0.1, weight_decay=0.3, amsgrad=True)], ids=str
)
def test_adamw_follows_the_reference_trajectory(kwargs):
    expected = adam_reference(decoupled=True, **{"weight_decay": 0.01, **kwargs})
    np.testing.assert_allclose(run(lambda ps: optim.AdamW(ps, **kwargs)), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kwargs", RMSPROP_CASES, ids=str)
def test_rmsprop_follows_the_reference_trajectory(kwargs):
    np.testing.assert_allclose(
        run(lambda ps: optim.RMSprop(ps, **kwargs)), rmsprop_reference(**kwargs), rtol=1e-12, atol=1e-14
    )


def test_adamw_differs_from_adam_with_l2_penalty():
    assert not np.allclose(
        run(lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.5)),
        run(lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.5)),
    )


@pytest.mark.parametrize(
    "make, kwargs",
    [
        (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
        (optim.Adam, dict(lr=0.1, amsgrad=True)),
        (optim.AdamW, dict(lr=0.1)),
        (optim.RMSprop, dict(lr=0.01, momentum=0.9, centered=True)),
    ],
)
def test_matches_torch_when_it_is_installed(make, kwargs):
    torch = pytest.importorskip("torch")
    p = torch.tensor(START.copy(), requires_grad=True)
    opt = getattr(torch.optim, make.__name__)([p], **kwargs)
    for _ in range(STEPS):
        opt.zero_grad()
        (0.5 * torch.tensor(C) * p * p + torch.tensor(D) * p + 0.25 * p**4).sum().backward()
        opt.step()
    np.testing.assert_allclose(run(lambda ps: make(ps, **kwargs)), p.detach().numpy(), rtol=1e-10)


# --- PyTorch's positional order and options ----------------------------------------------------


@pytest.mark.parametrize(
    "positional, keywords",
    [
        (
            lambda ps: optim.SGD(ps, 0.05, 0.9, 0, 5e-4),
            lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=5e-4),
        ),
        (
            lambda ps: optim.SGD(ps, 0.05, 0.8, 0, 0.2, True),
            lambda ps: optim.SGD(ps, lr=0.05, momentum=0.8, weight_decay=0.2, nesterov=True),
        ),
        (
            lambda ps: optim.Adam(ps, 0.1, (0.8, 0.9), 1e-6, 0.1, True),
            lambda ps: optim.Adam(ps, lr=0.1, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1, amsgrad=True),
        ),
        (
            lambda ps: optim.AdamW(ps, 0.1, (0.8, 0.9), 1e-6, 0.3, True),
            lambda ps: optim.AdamW(ps, lr=0.1, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.3, amsgrad=True),
        ),
        (
            lambda ps: optim.RMSprop(ps, 0.01, 0.8, 1e-6, 0.05, 0.5, True),
            lambda ps: optim.RMSprop(ps, lr=0.01, alpha=0.8, eps=1e-6, weight_decay=0.05, momentum=0.5, centered=True),
        ),
    ],
)
def test_positional_arguments_mean_what_they_mean_in_pytorch(positional, keywords):
    np.testing.assert_array_equal(run(positional), run(keywords))


def test_sgd_weight_decay_given_fourth_is_weight_decay_not_nesterov():
    opt = optim.SGD([nn.Parameter([1.0])], 0.1, 0.9, 0, 5e-4)
    group = opt.param_groups[0]
    assert group["weight_decay"] == 5e-4 and group["nesterov"] is False


@pytest.mark.parametrize(
    "make",
    [
        lambda ps, **kw: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1, **kw),
        lambda ps, **kw: optim.Adam(ps, lr=0.1, amsgrad=True, weight_decay=0.1, **kw),
        lambda ps, **kw: optim.AdamW(ps, lr=0.1, **kw),
        lambda ps, **kw: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True, **kw),
    ],
)
def test_maximize_ascends_as_minimizing_the_negated_loss(make):
    ascended = run(lambda ps: make(ps, maximize=True), loss=lambda p: -loss_of(p))
    np.testing.assert_array_equal(ascended, run(make))


def test_adam_with_decoupled_weight_decay_is_adamw():
    adam = run(lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.3, decoupled_weight_decay=True))
    np.testing.assert_array_equal(adam, run(lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.3)))
    assert optim.AdamW([nn.Parameter([1.0])]).param_groups[0]["decoupled_weight_decay"] is True


# --- step(closure) -----------------------------------------------------------------------------


@pytest.mark.parametrize("make", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop])
def test_step_calls_the_closure_once_with_grad_on_and_returns_its_loss(make):
    p = nn.Parameter(START.copy())
    opt = make([p])
    calls = []

    def closure():
        opt.zero_grad()
        loss = loss_of(p)
        loss.backward()
        calls.append(loss)
        return loss

    with no_grad():  # the closure records its graph all the same, as in PyTorch
        returned = opt.step(closure)
    assert calls == [returned] and returned.item() == loss_of(Tensor(START)).item()
    np.testing.assert_array_equal(p.numpy(), run(make, steps=1))


def test_step_without_a_closure_returns_none():
    p = nn.Parameter([1.0])
    assert optim.SGD([p], lr=0.1).step() is None


# --- groups, skipping, zero_grad ---------------------------------------------------------------


def test_a_parameter_given_twice_is_stepped_once():
    p, q = nn.Parameter([1.0]), nn.Parameter([1.0])
    with pytest.warns(UserWarning, match="duplicate parameters"):
        opt = optim.SGD([p, p], lr=0.1)
    single = optim.SGD([q], lr=0.1)
    for param, o in ((p, opt), (q, single)):
        (param * param).sum().backward()
        o.step()
    assert p.numpy()[0] == q.numpy()[0] == pytest.approx(0.8)
    assert opt.param_groups[0]["params"] == [p]


def test_a_group_value_set_by_hand_is_checked_at_step():
    p = nn.Parameter([1.0])
    opt = optim.Adam([p], lr=0.1)
    (p * p).sum().backward()
    opt.step()
    moved, state = p.numpy().copy(), opt.state_dict()["state"]
    opt.param_groups[0]["eps"] = float("nan")
    with pytest.raises(ValueError, match="Adam.step: param_groups.0.eps must be a finite number"):
        opt.step()
    assert p.numpy() == moved and opt.state_dict()["state"][0]["step"] == state[0]["step"] == 1
    opt.param_groups[0]["eps"] = 1e-8
    opt.step()
    del opt.param_groups[0]["betas"]
    with pytest.raises(ValueError, match="Adam.step: param_groups.0 lacks 'betas'"):
        opt.step()


def test_parameter_groups_use_their_own_learning_rate():
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1)
    ((a * a).sum() + (b * b).sum()).backward()
    opt.step()
    assert a.numpy()[0] == pytest.approx(0.8) and b.numpy()[0] == pytest.approx(0.0)
    assert opt.param_groups[1]["momentum"] == 0.0


def test_a_parameter_without_grad_is_skipped_and_gets_no_state():
    used, unused = nn.Parameter([1.0]), nn.Parameter([2.0])
    opt = optim.Adam([used, unused], lr=0.1)
    (used * 3).sum().backward()
    opt.step()
    assert unused.numpy()[0] == 2.0 and unused not in opt.state and used in opt.state


def test_zero_grad_sets_none_or_zeros():
    p = nn.Parameter([1.0, 2.0])
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert p.grad is None


def test_step_updates_the_array_in_place():
    p = nn.Parameter([1.0])
    data = p.numpy()
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.step()
    assert p.numpy() is data and p.requires_grad


# --- state_dict --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9),
        lambda ps: optim.Adam(ps, lr=0.1, amsgrad=True),
        lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    ],
)
def test_resuming_from_a_state_dict_continues_the_same_trajectory(make):
    p = nn.Parameter(START.copy())
    opt = make([p])
    for _ in range(3):
        opt.zero_grad()
        loss_of(p).backward()
        opt.step()
    state = opt.state_dict()
    q = nn.Parameter(p.numpy().copy())
    resumed = make([q])
    resumed.load_state_dict(state)
    for _ in range(STEPS - 3):
        for param, o in ((p, opt), (q, resumed)):
            o.zero_grad()
            loss_of(param).backward()
            o.step()
    np.testing.assert_array_equal(p.numpy(), q.numpy())
    np.testing.assert_allclose(p.numpy(), run(make))


def test_state_dict_numbers_parameters_and_copies_arrays():
    a, b = nn.Parameter([1.0]), nn.Parameter([2.0, 3.0])
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    ((a * a).sum() + (b * b).sum()).backward()
    opt.step()
    state = opt.state_dict()
    assert [g["params"] for g in state["param_groups"]] == [[0], [1]]
    assert state["param_groups"][1]["lr"] == 0.5 and set(state["state"]) == {0, 1}
    state["state"][1]["momentum_buffer"][:] = 99
    assert not np.any(opt.state[b]["momentum_buffer"] == 99)


def test_load_state_dict_mismatch_names_problems_and_changes_nothing():
    a, b = nn.Parameter([1.0]), nn.Parameter([2.0, 3.0])
    source = optim.Adam([a, b], lr=0.1)
    ((a * a).sum() + (b * b).sum()).backward()
    source.step()
    target = optim.Adam([nn.Parameter([0.0, 0.0]), nn.Parameter([0.0])], lr=0.3)
    with pytest.raises(ValueError, match="state.0.exp_avg has shape \\(1,\\) but parameter 0 has \\(2,\\)"):
        target.load_state_dict(source.state_dict())
    assert target.state == {} and target.param_groups[0]["lr"] == 0.3
    with pytest.raises(ValueError, match="group 0 has 2 parameters in the state, 1 here"):
        optim.Adam([nn.Parameter([0.0])]).load_state_dict(source.state_dict())


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: optim.Adam(ps, lr=0.1)])
def test_a_frozen_parameter_is_accepted_and_left_alone_until_unfrozen_as_pytorch(make):
    frozen, free = Tensor([1.0, 2.0]), Tensor([1.0, 2.0], requires_grad=True)
    optimizer = make([frozen, free])
    (free * free).sum().backward()
    optimizer.step()
    assert frozen.tolist() == [1.0, 2.0] and free.tolist() != [1.0, 2.0]
    frozen.requires_grad_()
    (frozen * free).sum().backward()
    optimizer.step()
    assert frozen.tolist() != [1.0, 2.0]
