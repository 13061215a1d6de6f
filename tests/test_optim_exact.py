"""The optimisers' and schedulers' behaviours that mutation testing found untested (docs/mutation.md,
fifth session): every refusal's whole message (it names the call, the argument and the value),
PyTorch's defaults, a malformed saved state refused by name, the step counts and running values
in float64, and step pre-hooks that rewrite step's arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from minigrad.nn import Parameter
from minigrad.optim import SGD, Adam, AdamW, RMSprop
from minigrad.optim.lr_scheduler import CosineAnnealingLR, StepLR
from minigrad.serialization import flatten


def refused(error: type[Exception], message: str, call: Callable[[], Any]) -> None:
    """``call()`` raises ``error`` whose text is exactly ``message``."""
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value) == message


def param() -> Parameter:
    return Parameter(np.ones(2))


# --- the refusals of the constructors and of add_param_group --------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: SGD(param(), lr=0.1),
            TypeError,
            "SGD: params must be an iterable of Tensors or of dicts, got Parameter (pass [tensor])",
        ),
        (lambda: SGD(5, lr=0.1), TypeError, "SGD: params must be an iterable of Tensors or of dicts, got int"),
        (lambda: SGD({param()}, lr=0.1), TypeError, "SGD: params must be in an ordered collection (a list), got set"),
        (
            lambda: SGD([{"params": {param()}}], lr=0.1),
            TypeError,
            "SGD: params of group 0 must be in an ordered collection (a list), got set",
        ),
        (
            lambda: SGD([("w", param())], lr=0.1),
            TypeError,
            "SGD: params[0] of group 0 must be a Tensor, got tuple"
            " (named parameters are not supported: pass model.parameters())",
        ),
        (lambda: SGD([3], lr=0.1), TypeError, "SGD: params[0] of group 0 must be a Tensor, got int"),
        (
            lambda: SGD([param()], lr=0.1, dampening="x"),
            TypeError,
            "SGD: dampening must be a finite number, got str 'x'",
        ),
        (lambda: SGD([param()], lr=0.1, maximize=2), ValueError, "SGD: maximize must be one of False, True, got 2"),
        (lambda: SGD([param()], lr=0.1, nesterov=2), ValueError, "SGD: nesterov must be one of False, True, got 2"),
        (
            lambda: SGD([{"params": [param()], "dampening": "x"}], lr=0.1),
            TypeError,
            "SGD: param_groups.0.dampening must be a finite number, got str 'x'",
        ),
        (lambda: Adam([param()], betas=5), TypeError, "Adam: betas must be a pair (beta1, beta2), got int"),
        (lambda: RMSprop([param()], centered=2), ValueError, "RMSprop: centered must be one of False, True, got 2"),
    ],
)
def test_constructor_refusals_name_the_call_argument_and_value(
    make: Callable[[], Any], error: type[Exception], message: str
) -> None:
    refused(error, message, make)


@pytest.mark.parametrize("option", ["foreach", "capturable", "differentiable"])
def test_adamw_refuses_the_options_adam_refuses(option: str) -> None:
    refused(
        NotImplementedError,
        f"AdamW: {option}=True is not supported by minigrad (its one implementation is a loop over the"
        f" parameters in NumPy); leave {option} at its default",
        lambda: AdamW([param()], **{option: True}),
    )


def test_add_param_group_refusals_name_add_param_group() -> None:
    opt = SGD([param()], lr=0.1)
    refused(TypeError, "SGD.add_param_group: param_group must be a dict, got int", lambda: opt.add_param_group(5))
    refused(
        ValueError,
        "SGD.add_param_group: param_groups.1.lr must be a finite number >= 0, got -1",
        lambda: opt.add_param_group({"params": [param()], "lr": -1}),
    )


def test_the_duplicate_parameter_warning_points_at_the_callers_line() -> None:
    opt, w = SGD([param()], lr=0.1), param()
    with pytest.warns(UserWarning, match="duplicate parameters") as warned:
        opt.add_param_group({"params": [w, w]})
    assert warned[0].filename == __file__


@pytest.mark.parametrize("optimizer", [SGD, Adam, AdamW, RMSprop])
def test_the_duplicate_parameter_warning_from_a_constructor_points_at_the_callers_line(optimizer) -> None:
    w = param()
    with pytest.warns(UserWarning, match="duplicate parameters") as warned:
        optimizer([w, w], lr=0.1)
    assert warned[0].filename == __file__


# --- PyTorch's defaults ------------------------------------------------------------------------------

DEFAULTS = {
    SGD: dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False),
    Adam: dict(
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        maximize=False,
        decoupled_weight_decay=False,
    ),
    AdamW: dict(
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        maximize=False,
        decoupled_weight_decay=True,
    ),
    RMSprop: dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, maximize=False),
}


@pytest.mark.parametrize("optimizer", list(DEFAULTS), ids=lambda cls: cls.__name__)
def test_the_defaults_are_pytorchs(optimizer: type) -> None:
    assert optimizer([param()]).defaults == DEFAULTS[optimizer]
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.optim, optimizer.__name__)([torch.zeros(2, requires_grad=True)]).defaults
    ours = {k: v for k, v in DEFAULTS[optimizer].items() if k != "decoupled_weight_decay"}
    assert {k: theirs[k] for k in ours} == ours


def test_the_scheduler_defaults_are_pytorchs() -> None:
    assert StepLR(SGD([param()], lr=1.0), step_size=3).state_dict()["gamma"] == 0.1
    assert CosineAnnealingLR(SGD([param()], lr=1.0), T_max=3).state_dict()["eta_min"] == 0.0


def test_betas_given_as_a_list_are_kept_as_a_tuple() -> None:
    betas = Adam([param()], betas=[0.8, 0.9]).defaults["betas"]
    assert betas == (0.8, 0.9) and type(betas) is tuple


def test_adamw_passes_amsgrad_on() -> None:
    opt = AdamW([param()], 0.1, (0.9, 0.999), 1e-8, 0.01, True)
    assert opt.defaults["amsgrad"] is True


# --- step and its pre-hooks ----------------------------------------------------------------------------


def test_a_pre_hook_must_return_a_pair() -> None:
    opt = SGD([param()], lr=0.1)
    for bad in ([(opt,), {}], ((opt,), {}, None)):
        opt._step_pre_hooks.clear()
        opt.register_step_pre_hook(lambda optimizer, args, kwargs, bad=bad: bad)
        refused(
            RuntimeError,
            f"SGD.step: a step pre-hook must return None or a tuple (new_args, new_kwargs), got {bad!r}",
            opt.step,
        )


def test_a_pre_hook_may_drop_the_closure_or_pass_it_by_keyword() -> None:
    w = param()
    opt = SGD([w], lr=0.5)

    def closure() -> Any:
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    handle = opt.register_step_pre_hook(lambda optimizer, args, kwargs: ((optimizer,), {}))
    assert opt.step(closure) is None  # the hook dropped the closure: nothing ran, w has no gradient
    np.testing.assert_array_equal(w.numpy(), [1.0, 1.0])
    handle.remove()
    opt.register_step_pre_hook(lambda optimizer, args, kwargs: ((optimizer,), {"closure": args[1]}))
    assert opt.step(closure).item() == 2.0
    np.testing.assert_array_equal(w.numpy(), [0.0, 0.0])  # 1 - 0.5 * 2


def test_step_names_every_hyperparameter_a_group_lacks() -> None:
    opt = SGD([param()], lr=0.1)
    del opt.param_groups[0]["momentum"], opt.param_groups[0]["nesterov"]
    refused(ValueError, "SGD.step: param_groups.0 lacks 'momentum', 'nesterov'", opt.step)


# --- the running values, in float64 ----------------------------------------------------------------------


def test_rmsprop_counts_its_steps_from_one() -> None:
    w = param()
    opt = RMSprop([w], lr=0.1)
    for count in (1, 2, 3):
        w.grad = None
        (w * w).sum().backward()
        opt.step()
        assert opt.state_dict()["state"][0]["step"] == count


def test_centered_rmsprop_keeps_the_running_mean_of_the_gradient() -> None:
    w = Parameter(np.array([1.0, -2.0]))
    alpha, lr, eps = 0.9, 0.01, 1e-8
    opt = RMSprop([w], lr=lr, alpha=alpha, eps=eps, centered=True)
    p, v, a = w.numpy().copy(), np.zeros(2), np.zeros(2)
    for _ in range(3):
        w.grad = None
        (w * w * w).sum().backward()  # grad 3 p^2
        g = 3 * p**2
        v = alpha * v + (1 - alpha) * g * g
        a = alpha * a + (1 - alpha) * g
        p = p - lr * g / (np.sqrt(v - a * a) + eps)
        opt.step()
        np.testing.assert_allclose(opt.state_dict()["state"][0]["grad_avg"], a, rtol=1e-12, atol=0)
        np.testing.assert_allclose(w.numpy(), p, rtol=1e-12, atol=0)


# --- load_state_dict: a malformed state refused by name --------------------------------------------------


def stepped(optimizer: type, groups: int = 1, **options: Any) -> Any:
    """An optimiser over ``groups`` groups of one parameter each, stepped once."""
    ws = [param() for _ in range(groups)]
    opt = optimizer([{"params": [w], "lr": 0.1 * (i + 1)} for i, w in enumerate(ws)], **options)
    for w in ws:
        (w * w).sum().backward()
    opt.step()
    return opt


def test_load_state_dict_names_each_problem_of_the_groups() -> None:
    opt = stepped(SGD, groups=2, lr=0.1)
    good = opt.state_dict()["param_groups"]
    load = opt.load_state_dict
    prefix = "SGD.load_state_dict: "
    refused(TypeError, prefix + "state_dict must be a mapping, got int", lambda: load(5))
    refused(ValueError, prefix + "missing 'param_groups'; nothing was loaded", lambda: load({"state": {}}))
    refused(
        ValueError,
        prefix + "missing 'state'; unexpected keys ['x'] (expected 'state' and 'param_groups'); nothing was loaded",
        lambda: load({"param_groups": good, "x": 1}),
    )
    refused(
        ValueError,
        prefix + "param_groups must be a list of dicts, got int; nothing was loaded",
        lambda: load({"state": {}, "param_groups": 5}),
    )
    lacking = "lacks 'lr', 'momentum', 'dampening', 'weight_decay', 'nesterov', 'maximize'"
    refused(
        ValueError,
        prefix + f"param_groups.0 must be a dict, got int; param_groups.1 {lacking}; nothing was loaded",
        lambda: load({"state": {}, "param_groups": [5, {"params": [1]}]}),
    )
    refused(
        ValueError,
        prefix + f"param_groups.0 {lacking}; param_groups.1 {lacking}; nothing was loaded",
        lambda: load({"state": {}, "param_groups": [{"params": [0]}, {"params": [1]}]}),
    )
    refused(
        ValueError,
        prefix + "param_groups.0.params must be a list of parameter numbers, got 'a';"
        " param_groups.1.params must be a list of parameter numbers, got [0.5]; nothing was loaded",
        lambda: load({"state": {}, "param_groups": [{**good[0], "params": "a"}, {**good[1], "params": [0.5]}]}),
    )
    refused(
        ValueError,
        prefix + "group 0 has 2 parameters in the state, 1 here; group 1 has 0 parameters in the state, 1 here;"
        " nothing was loaded",
        lambda: load({"state": {}, "param_groups": [{**good[0], "params": [0, 1]}, {**good[1], "params": []}]}),
    )
    refused(
        ValueError,
        prefix + "param_groups.0.dampening must be a finite number, got str 'x';"
        " param_groups.1.initial_lr must be a finite number >= 0, got -1; nothing was loaded",
        lambda: load({"state": {}, "param_groups": [{**good[0], "dampening": "x"}, {**good[1], "initial_lr": -1}]}),
    )
    refused(
        ValueError,
        prefix + "param_groups number the same parameter twice; nothing was loaded",
        lambda: load({"state": {}, "param_groups": [good[0], {**good[1], "params": [0]}]}),
    )


def test_load_state_dict_names_each_problem_of_the_running_values() -> None:
    opt = stepped(Adam)
    good = opt.state_dict()
    groups = good["param_groups"]
    load = opt.load_state_dict
    prefix = "Adam.load_state_dict: "
    refused(
        ValueError,
        prefix + "state must be a dict of parameter numbers, got int; nothing was loaded",
        lambda: load({"state": 5, "param_groups": groups}),
    )
    refused(
        ValueError,
        prefix + "state.x is for no parameter (the groups number [0]); state.7 is for no parameter"
        " (the groups number [0]); nothing was loaded",
        lambda: load({"state": {"x": {}, 7: {}}, "param_groups": groups}),
    )
    refused(
        ValueError,
        prefix + "state.0 must be a dict of running values, got int; state.0 must be a dict of running values,"
        " got str; nothing was loaded",
        lambda: load({"state": {0: 5, "0": "a"}, "param_groups": groups}),
    )
    refused(
        ValueError,
        prefix + "state.0 lacks 'exp_avg', 'exp_avg_sq'; nothing was loaded",
        lambda: load({"state": {0: {"step": 1}}, "param_groups": groups}),
    )
    entry = good["state"][0]
    refused(
        ValueError,
        prefix + "state.0.step must be an integer >= 0, got -1; state.0.exp_avg must be a float array of shape (2,),"
        " got an array of int64; state.0.exp_avg_sq must be a float array of shape (2,), got str; nothing was loaded",
        lambda: load(
            {
                "state": {0: {**entry, "step": -1, "exp_avg": np.zeros(2, dtype=np.int64), "exp_avg_sq": "a"}},
                "param_groups": groups,
            }
        ),
    )


def test_load_state_dict_refuses_a_flat_state_without_groups() -> None:
    opt = stepped(SGD, momentum=0.9)
    refused(
        ValueError,
        "SGD.load_state_dict: 0 parameter groups in the state, 1 here; nothing was loaded",
        lambda: opt.load_state_dict({"state.0.momentum_buffer": np.zeros(2)}),
    )


def test_a_flat_state_of_eleven_groups_comes_back_in_order() -> None:
    opt = stepped(Adam, groups=11)
    fresh = stepped(Adam, groups=11)
    for group in fresh.param_groups:
        group["lr"] = 1.0
    fresh.load_state_dict(flatten(opt.state_dict()))
    assert [group["lr"] for group in fresh.param_groups] == [group["lr"] for group in opt.param_groups]


def test_loaded_numpy_scalars_become_python_numbers() -> None:
    opt = stepped(Adam)
    state = opt.state_dict()
    state["param_groups"][0]["lr"] = np.float64(0.5)
    state["state"][0]["step"] = np.int64(4)
    opt.load_state_dict(state)
    assert type(opt.param_groups[0]["lr"]) is float and opt.param_groups[0]["lr"] == 0.5
    assert type(opt.state_dict()["state"][0]["step"]) is int


def test_a_saved_adam_state_without_amsgrad_loads() -> None:
    opt = stepped(Adam)
    fresh = Adam([param()], lr=0.1)
    fresh.load_state_dict(opt.state_dict())
    assert sorted(fresh.state_dict()["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]


# --- the schedulers ----------------------------------------------------------------------------------------


def test_scheduler_refusals_name_the_call_argument_and_value() -> None:
    refused(TypeError, "StepLR: optimizer must be an Optimizer, got int", lambda: StepLR(5, step_size=1))
    opt = SGD([param()], lr=0.1)
    refused(
        ValueError,
        "StepLR: last_epoch must be an integer >= -1, got -2",
        lambda: StepLR(opt, step_size=1, last_epoch=-2),
    )
    refused(
        ValueError,
        "StepLR: param_groups.0 has no 'initial_lr', so last_epoch=3 cannot resume"
        " (load the optimizer's state first, or start with last_epoch=-1)",
        lambda: StepLR(opt, step_size=1, last_epoch=3),
    )


def test_scheduler_load_state_dict_refusals_name_the_value() -> None:
    scheduler = StepLR(SGD([param()], lr=0.1), step_size=1)
    load, prefix = scheduler.load_state_dict, "StepLR.load_state_dict: "
    refused(TypeError, prefix + "state_dict must be a mapping, got int", lambda: load(5))
    refused(ValueError, prefix + "gamma must be a finite number >= 0, got -1", lambda: load({"gamma": -1}))
    refused(ValueError, prefix + "last_epoch must be an integer >= -1, got -2", lambda: load({"last_epoch": -2}))
    refused(
        ValueError, prefix + "base_lrs[0] must be a finite number >= 0, got -0.5", lambda: load({"base_lrs": [-0.5]})
    )
    cosine = CosineAnnealingLR(SGD([param()], lr=0.1), T_max=3)
    refused(
        ValueError,
        "CosineAnnealingLR.load_state_dict: eta_min must be a finite number >= 0, got -1",
        lambda: cosine.load_state_dict({"eta_min": -1}),
    )


def test_scheduler_state_is_its_settings_without_the_optimizer() -> None:
    scheduler = StepLR(SGD([param()], lr=0.1), step_size=2)
    assert scheduler.state_dict() == {"step_size": 2, "gamma": 0.1, "base_lrs": [0.1], "last_epoch": 0}


def test_scheduler_loads_base_rates_below_one_as_a_list() -> None:
    opt = SGD([param()], lr=0.1)
    scheduler = StepLR(opt, step_size=1, gamma=0.5)
    scheduler.load_state_dict({"base_lrs": (0.5,), "last_epoch": -1})
    assert scheduler.state_dict()["base_lrs"] == [0.5] and type(scheduler.state_dict()["base_lrs"]) is list
    scheduler.step()
    scheduler.step()
    assert scheduler.get_last_lr() == [0.25]  # epoch 1: 0.5 * 0.5


def test_a_momentum_buffer_is_refused_for_a_group_without_momentum() -> None:
    opt = stepped(SGD)
    groups = opt.state_dict()["param_groups"]
    refused(
        ValueError,
        "SGD.load_state_dict: state.0.momentum_buffer is not a running value of this optimiser (expected []);"
        " nothing was loaded",
        lambda: opt.load_state_dict({"state": {0: {"momentum_buffer": np.zeros(2)}}, "param_groups": groups}),
    )


def test_a_float32_state_loads() -> None:
    w = Parameter(np.ones(2, dtype=np.float32))
    opt = Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    fresh = Adam([Parameter(np.ones(2, dtype=np.float32))], lr=0.1)
    fresh.load_state_dict(opt.state_dict())
    assert fresh.state_dict()["state"][0]["exp_avg"].dtype == np.float32
