"""Bad inputs to the optimisers and schedulers, as a table: each row is a call, the argument it
gets wrong, the error it must raise and a fragment of the message, which names the argument.
Every refusal happens on entry, before anything is changed."""

import copy
import math
import re
import warnings

import numpy as np
import pytest

import minigrad.nn as nn
from minigrad import Tensor, optim
from minigrad.optim.lr_scheduler import CosineAnnealingLR, StepLR

NAN = math.nan


def param():
    return nn.Parameter([1.0, 2.0])


def sgd():
    return optim.SGD([param()], lr=0.1)


# --- construction: every hyperparameter of every optimiser -----------------------------------

CONSTRUCTION = [
    # SGD(params, lr, momentum, dampening, weight_decay, nesterov, *, maximize, foreach, differentiable, fused)
    ("SGD lr nan", lambda ps: optim.SGD(ps, lr=NAN), ValueError, "SGD: lr must be a finite number >= 0, got nan"),
    ("SGD lr negative", lambda ps: optim.SGD(ps, -0.1), ValueError, "lr must be a finite number >= 0"),
    ("SGD lr inf", lambda ps: optim.SGD(ps, math.inf), ValueError, "lr must be a finite number"),
    ("SGD lr string", lambda ps: optim.SGD(ps, "0.1"), TypeError, "lr must be a finite number >= 0, got str"),
    ("SGD lr tensor", lambda ps: optim.SGD(ps, Tensor(0.1)), TypeError, "lr must be a finite number"),
    ("SGD momentum negative", lambda ps: optim.SGD(ps, 0.1, -0.9), ValueError, "momentum must be a finite number >= 0"),
    ("SGD momentum nan", lambda ps: optim.SGD(ps, 0.1, NAN), ValueError, "momentum must be"),
    ("SGD dampening nan", lambda ps: optim.SGD(ps, 0.1, 0.9, NAN), ValueError, "dampening must be a finite number"),
    ("SGD weight_decay nan", lambda ps: optim.SGD(ps, 0.1, 0.9, 0, NAN), ValueError, "weight_decay must be"),
    ("SGD weight_decay negative", lambda ps: optim.SGD(ps, 0.1, 0, 0, -1e-4), ValueError, "weight_decay must be"),
    ("SGD nesterov a number", lambda ps: optim.SGD(ps, 0.1, 0.9, nesterov=5e-4), ValueError, "nesterov must be one of"),
    ("SGD nesterov no momentum", lambda ps: optim.SGD(ps, 0.1, 0, 0, 0, True), ValueError, "nesterov=True needs"),
    ("SGD nesterov dampening", lambda ps: optim.SGD(ps, 0.1, 0.9, 0.1, 0, True), ValueError, "nesterov=True needs"),
    ("SGD maximize a string", lambda ps: optim.SGD(ps, maximize="yes"), ValueError, "maximize must be one of"),
    ("SGD foreach", lambda ps: optim.SGD(ps, foreach=True), NotImplementedError, "SGD: foreach=True"),
    ("SGD fused", lambda ps: optim.SGD(ps, fused=True), NotImplementedError, "SGD: fused=True"),
    ("SGD differentiable", lambda ps: optim.SGD(ps, differentiable=True), NotImplementedError, "differentiable=True"),
    ("SGD maximize positional", lambda ps: optim.SGD(ps, 0.1, 0.9, 0, 0, False, True), TypeError, "positional"),
    # Adam(params, lr, betas, eps, weight_decay, amsgrad, *, foreach, maximize, capturable, differentiable, fused,
    #      decoupled_weight_decay)
    ("Adam lr nan", lambda ps: optim.Adam(ps, NAN), ValueError, "Adam: lr must be a finite number >= 0, got nan"),
    ("Adam eps nan", lambda ps: optim.Adam(ps, eps=NAN), ValueError, "Adam: eps must be a finite number >= 0"),
    ("Adam eps negative", lambda ps: optim.Adam(ps, 1e-3, (0.9, 0.999), -1e-8), ValueError, "eps must be"),
    ("Adam weight_decay nan", lambda ps: optim.Adam(ps, weight_decay=NAN), ValueError, "Adam: weight_decay must be"),
    ("Adam beta1 one", lambda ps: optim.Adam(ps, 1e-3, (1.0, 0.999)), ValueError, "betas[0] must be a finite number"),
    ("Adam beta2 one", lambda ps: optim.Adam(ps, betas=(0.9, 1.0)), ValueError, "betas[1] must be a finite number"),
    ("Adam beta nan", lambda ps: optim.Adam(ps, betas=(NAN, 0.9)), ValueError, "betas[0] must be"),
    ("Adam beta negative", lambda ps: optim.Adam(ps, betas=(0.9, -0.1)), ValueError, "betas[1] must be"),
    ("Adam one beta", lambda ps: optim.Adam(ps, betas=(0.9,)), ValueError, "betas must be a pair"),
    ("Adam betas a number", lambda ps: optim.Adam(ps, betas=0.9), TypeError, "betas must be a pair"),
    ("Adam amsgrad a number", lambda ps: optim.Adam(ps, amsgrad=0.5), ValueError, "amsgrad must be one of"),
    ("Adam foreach", lambda ps: optim.Adam(ps, foreach=True), NotImplementedError, "Adam: foreach=True"),
    ("Adam capturable", lambda ps: optim.Adam(ps, capturable=True), NotImplementedError, "capturable=True"),
    ("Adam fused", lambda ps: optim.Adam(ps, fused=True), NotImplementedError, "fused=True"),
    ("Adam differentiable", lambda ps: optim.Adam(ps, differentiable=True), NotImplementedError, "differentiable"),
    ("Adam decoupled a string", lambda ps: optim.Adam(ps, decoupled_weight_decay="x"), ValueError, "decoupled"),
    ("Adam foreach positional", lambda ps: optim.Adam(ps, 1e-3, (0.9, 0.999), 1e-8, 0, False, None), TypeError, "pos"),
    # AdamW(params, lr, betas, eps, weight_decay, amsgrad, *, maximize, foreach, capturable, differentiable, fused)
    ("AdamW lr nan", lambda ps: optim.AdamW(ps, NAN), ValueError, "AdamW: lr must be"),
    ("AdamW eps nan", lambda ps: optim.AdamW(ps, eps=NAN), ValueError, "AdamW: eps must be"),
    ("AdamW weight_decay nan", lambda ps: optim.AdamW(ps, weight_decay=NAN), ValueError, "AdamW: weight_decay must"),
    ("AdamW betas", lambda ps: optim.AdamW(ps, betas=(0.9, 1.5)), ValueError, "AdamW: betas[1] must be"),
    ("AdamW fused", lambda ps: optim.AdamW(ps, fused=True), NotImplementedError, "AdamW: fused=True"),
    ("AdamW maximize", lambda ps: optim.AdamW(ps, maximize=1.5), ValueError, "AdamW: maximize must be"),
    ("AdamW decoupled", lambda ps: optim.AdamW(ps, decoupled_weight_decay=True), TypeError, "decoupled_weight_decay"),
    # RMSprop(params, lr, alpha, eps, weight_decay, momentum, centered, capturable, foreach, maximize, differentiable)
    ("RMSprop lr nan", lambda ps: optim.RMSprop(ps, NAN), ValueError, "RMSprop: lr must be a finite number >= 0"),
    ("RMSprop alpha nan", lambda ps: optim.RMSprop(ps, 0.01, NAN), ValueError, "RMSprop: alpha must be"),
    ("RMSprop alpha negative", lambda ps: optim.RMSprop(ps, alpha=-0.1), ValueError, "alpha must be"),
    ("RMSprop alpha above one", lambda ps: optim.RMSprop(ps, alpha=2.0), ValueError, "alpha must be"),
    ("RMSprop eps nan", lambda ps: optim.RMSprop(ps, 0.01, 0.99, NAN), ValueError, "RMSprop: eps must be"),
    ("RMSprop weight_decay nan", lambda ps: optim.RMSprop(ps, 0.01, 0.99, 1e-8, NAN), ValueError, "weight_decay"),
    ("RMSprop momentum negative", lambda ps: optim.RMSprop(ps, 0.01, 0.99, 1e-8, 0, -1), ValueError, "momentum"),
    ("RMSprop centered a number", lambda ps: optim.RMSprop(ps, centered=0.5), ValueError, "centered must be one of"),
    (
        "RMSprop capturable",
        lambda ps: optim.RMSprop(ps, 0.01, 0.99, 1e-8, 0, 0, False, True),
        NotImplementedError,
        "ca",
    ),
    ("RMSprop foreach", lambda ps: optim.RMSprop(ps, foreach=True), NotImplementedError, "RMSprop: foreach=True"),
    ("RMSprop differentiable", lambda ps: optim.RMSprop(ps, differentiable=True), NotImplementedError, "different"),
    # a group's own hyperparameters are checked as the defaults are
    ("group lr nan", lambda ps: optim.SGD([{"params": ps, "lr": NAN}], 0.1), ValueError, "param_groups.0.lr must be"),
    ("group eps", lambda ps: optim.Adam([{"params": ps, "eps": -1.0}]), ValueError, "param_groups.0.eps must be"),
]

PARAMS = [
    ("a single tensor", lambda ps: optim.SGD(ps[0], lr=0.1), TypeError, "params must be an iterable of Tensors"),
    ("a set", lambda ps: optim.SGD(set(ps), lr=0.1), TypeError, "params must be in an ordered collection"),
    ("a number", lambda ps: optim.SGD(3, lr=0.1), TypeError, "params must be an iterable"),
    ("empty", lambda ps: optim.SGD([], lr=0.1), ValueError, "SGD: got an empty list of parameters"),
    (
        "not a tensor",
        lambda ps: optim.SGD([1.0], lr=0.1),
        TypeError,
        "params[0] of group 0 must be a Tensor, got float",
    ),
    ("named parameters", lambda ps: optim.SGD([("w", ps[0])], lr=0.1), TypeError, "named parameters"),
    ("non-leaf", lambda ps: optim.Adam([ps[0] * 2]), ValueError, "can't optimize a non-leaf Tensor"),
    ("two groups", lambda ps: optim.SGD([{"params": ps}, {"params": ps}], 0.1), ValueError, "more than one parameter"),
    ("group without params", lambda ps: optim.SGD([{"lr": 0.1}], lr=0.1), ValueError, "group 0 has no 'params'"),
    ("group params a set", lambda ps: optim.SGD([{"params": set(ps)}]), TypeError, "ordered collection"),
]

ADD_PARAM_GROUP = [
    ("not a dict", lambda opt: opt.add_param_group([param()]), TypeError, "param_group must be a dict"),
    ("no params", lambda opt: opt.add_param_group({"lr": 0.1}), ValueError, "group 1 has no 'params'"),
    ("lr nan", lambda opt: opt.add_param_group({"params": [param()], "lr": NAN}), ValueError, "param_groups.1.lr"),
    ("momentum", lambda opt: opt.add_param_group({"params": [param()], "momentum": -1}), ValueError, "momentum"),
    ("nesterov", lambda opt: opt.add_param_group({"params": [param()], "nesterov": True}), ValueError, "nesterov"),
    ("again", lambda opt: opt.add_param_group({"params": opt.param_groups[0]["params"]}), ValueError, "more than one"),
    ("non-leaf", lambda opt: opt.add_param_group({"params": [param() + 1]}), ValueError, "non-leaf"),
]


@pytest.mark.parametrize(
    "make, error, message", [row[1:] for row in CONSTRUCTION + PARAMS], ids=[row[0] for row in CONSTRUCTION + PARAMS]
)
def test_a_bad_constructor_argument_is_refused_by_name(make, error, message):
    with pytest.raises(error, match=_literal(message)):
        make([param()])


@pytest.mark.parametrize(
    "call, error, message", [row[1:] for row in ADD_PARAM_GROUP], ids=[row[0] for row in ADD_PARAM_GROUP]
)
def test_a_bad_param_group_is_refused_by_name_and_not_added(call, error, message):
    opt = sgd()
    with pytest.raises(error, match=_literal(message)):
        call(opt)
    assert len(opt.param_groups) == 1


# --- step ------------------------------------------------------------------------------------


def _with_lr(value):
    def change(opt):
        opt.param_groups[0]["lr"] = value

    return change


STEP = [
    ("set_to_none a string", lambda opt: opt.zero_grad("no"), ValueError, "SGD.zero_grad: set_to_none must be one of"),
    ("closure not callable", lambda opt: opt.step(3), TypeError, "SGD.step: closure must be callable, got int"),
    ("lr changed to nan", lambda opt: (_with_lr(NAN)(opt), opt.step()), ValueError, "param_groups.0.lr must be"),
    ("lr changed to a string", lambda opt: (_with_lr("x")(opt), opt.step()), TypeError, "param_groups.0.lr must be"),
]


@pytest.mark.parametrize("call, error, message", [row[1:] for row in STEP], ids=[row[0] for row in STEP])
def test_a_bad_step_is_refused_before_any_parameter_moves(call, error, message):
    p = param()
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    with pytest.raises(error, match=_literal(message)):
        call(opt)
    np.testing.assert_array_equal(p.numpy(), [1.0, 2.0])


# --- load_state_dict: every entry checked before anything changes ----------------------------


def adam_state(amsgrad=False):
    a, b = nn.Parameter([1.0, 2.0]), nn.Parameter([[3.0]])
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, amsgrad=amsgrad)
    ((a * a).sum() + (b * b).sum()).backward()
    opt.step()
    return opt.state_dict()


def edited(edit):
    def make():
        state = copy.deepcopy(adam_state())
        edit(state)
        return state

    return make


LOAD = [
    ("not a mapping", lambda: [1, 2], TypeError, "state_dict must be a mapping"),
    ("no state", edited(lambda s: s.pop("state")), ValueError, "missing 'state'"),
    ("a stray key", edited(lambda s: s.update(extra=1)), ValueError, "unexpected keys ['extra']"),
    ("groups a dict", edited(lambda s: s.update(param_groups={})), ValueError, "param_groups must be a list"),
    ("one group missing", edited(lambda s: s["param_groups"].pop()), ValueError, "1 parameter groups in the state, 2"),
    ("params count", edited(lambda s: s["param_groups"][0].update(params=[0, 2])), ValueError, "group 0 has 2 param"),
    (
        "params not ints",
        edited(lambda s: s["param_groups"][1].update(params=["b"])),
        ValueError,
        "param_groups.1.params",
    ),
    ("group a list", edited(lambda s: s["param_groups"].__setitem__(0, [0])), ValueError, "param_groups.0 must be a"),
    ("lr nan", edited(lambda s: s["param_groups"][1].update(lr=NAN)), ValueError, "param_groups.1.lr must be a finite"),
    (
        "eps string",
        edited(lambda s: s["param_groups"][0].update(eps="small")),
        ValueError,
        "param_groups.0.eps must be",
    ),
    ("betas", edited(lambda s: s["param_groups"][0].update(betas=(0.9, 1.0))), ValueError, "param_groups.0.betas[1]"),
    ("amsgrad", edited(lambda s: s["param_groups"][0].update(amsgrad=0.5)), ValueError, "param_groups.0.amsgrad must"),
    (
        "initial_lr",
        edited(lambda s: s["param_groups"][1].update(initial_lr=NAN)),
        ValueError,
        "param_groups.1.initial_lr",
    ),
    ("lr missing", edited(lambda s: s["param_groups"][0].pop("lr")), ValueError, "param_groups.0 lacks 'lr'"),
    ("unknown parameter", edited(lambda s: s["state"].update({5: {}})), ValueError, "state.5 is for no parameter"),
    ("entry missing", edited(lambda s: s["state"][0].pop("exp_avg_sq")), ValueError, "state.0 lacks 'exp_avg_sq'"),
    (
        "entry unknown",
        edited(lambda s: s["state"][1].update(momentum_buffer=np.zeros((1, 1)))),
        ValueError,
        "state.1.mo",
    ),
    ("entry a list", edited(lambda s: s["state"][0].update(exp_avg=[0.0, 0.0])), ValueError, "state.0.exp_avg must be"),
    (
        "entry shape",
        edited(lambda s: s["state"][0].update(exp_avg=np.zeros(3))),
        ValueError,
        "state.0.exp_avg has shape",
    ),
    ("entry 0-d", edited(lambda s: s["state"][1].update(exp_avg=np.float64(0))), ValueError, "state.1.exp_avg must be"),
    (
        "entry ints",
        edited(lambda s: s["state"][0].update(exp_avg=np.zeros(2, int))),
        ValueError,
        "state.0.exp_avg must",
    ),
    (
        "step float",
        edited(lambda s: s["state"][0].update(step=1.5)),
        ValueError,
        "state.0.step must be an integer >= 0",
    ),
    ("step negative", edited(lambda s: s["state"][0].update(step=-1)), ValueError, "state.0.step must be an integer"),
    (
        "amsgrad entry",
        edited(lambda s: s["param_groups"][0].update(amsgrad=True)),
        ValueError,
        "lacks 'max_exp_avg_sq'",
    ),
]


@pytest.mark.parametrize("make_state, error, message", [row[1:] for row in LOAD], ids=[row[0] for row in LOAD])
def test_a_bad_optimizer_state_is_refused_by_entry_and_nothing_is_loaded(make_state, error, message):
    a, b = nn.Parameter([0.0, 0.0]), nn.Parameter([[0.0]])
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.3}], lr=0.2)
    before = [{**group, "params": [id(p) for p in group["params"]]} for group in opt.param_groups]
    with pytest.raises(error, match=_literal(message)):
        opt.load_state_dict(make_state())
    after = [{**group, "params": [id(p) for p in group["params"]]} for group in opt.param_groups]
    assert opt.state == {} and after == before


def test_a_bad_flat_state_is_refused_by_entry():
    state = {"state.0.step": np.array(1), "param_groups.0.lr": np.array(0.1), "param_groups.0.params": np.array([0])}
    with pytest.raises(ValueError, match=_literal("param_groups.0 lacks 'momentum'")):
        optim.SGD([param()], lr=0.1).load_state_dict(state)


# --- schedulers ------------------------------------------------------------------------------

SCHEDULERS = [
    ("StepLR not an optimizer", lambda opt: StepLR("adam", 2), TypeError, "StepLR: optimizer must be an Optimizer"),
    ("StepLR step_size 0", lambda opt: StepLR(opt, 0), ValueError, "StepLR: step_size must be an integer >= 1, got 0"),
    ("StepLR step_size float", lambda opt: StepLR(opt, 1.5), TypeError, "step_size must be an integer >= 1"),
    ("StepLR gamma nan", lambda opt: StepLR(opt, 2, NAN), ValueError, "StepLR: gamma must be a finite number >= 0"),
    ("StepLR gamma negative", lambda opt: StepLR(opt, 2, gamma=-0.5), ValueError, "gamma must be"),
    ("StepLR last_epoch", lambda opt: StepLR(opt, 2, 0.1, -2), ValueError, "last_epoch must be an integer >= -1"),
    ("StepLR last_epoch float", lambda opt: StepLR(opt, 2, last_epoch=0.5), TypeError, "last_epoch must be"),
    ("StepLR resumed", lambda opt: StepLR(opt, 2, last_epoch=3), ValueError, "param_groups.0 has no 'initial_lr'"),
    (
        "Cosine T_max 0",
        lambda opt: CosineAnnealingLR(opt, 0),
        ValueError,
        "CosineAnnealingLR: T_max must be an integer",
    ),
    ("Cosine T_max nan", lambda opt: CosineAnnealingLR(opt, NAN), TypeError, "T_max must be an integer >= 1"),
    ("Cosine eta_min nan", lambda opt: CosineAnnealingLR(opt, 10, NAN), ValueError, "eta_min must be a finite number"),
    ("Cosine eta_min negative", lambda opt: CosineAnnealingLR(opt, 10, eta_min=-1e-3), ValueError, "eta_min must be"),
    ("Cosine last_epoch", lambda opt: CosineAnnealingLR(opt, 10, 0.0, -5), ValueError, "last_epoch must be"),
    ("load step_size 0", lambda opt: StepLR(opt, 2).load_state_dict({"step_size": 0}), ValueError, "step_size must"),
    (
        "load stray key",
        lambda opt: StepLR(opt, 2).load_state_dict({"T_max": 3}),
        ValueError,
        "unexpected keys ['T_max']",
    ),
    ("load last_epoch", lambda opt: StepLR(opt, 2).load_state_dict({"last_epoch": 1.5}), TypeError, "last_epoch must"),
    (
        "load base_lrs count",
        lambda opt: StepLR(opt, 2).load_state_dict({"base_lrs": [1, 2]}),
        ValueError,
        "base_lrs has 2",
    ),
    ("load base_lrs nan", lambda opt: StepLR(opt, 2).load_state_dict({"base_lrs": [NAN]}), ValueError, "base_lrs[0]"),
    ("load T_max 0", lambda opt: CosineAnnealingLR(opt, 2).load_state_dict({"T_max": 0}), ValueError, "T_max must"),
    ("load not a mapping", lambda opt: StepLR(opt, 2).load_state_dict([1]), TypeError, "state_dict must be a mapping"),
]


@pytest.mark.parametrize("call, error, message", [row[1:] for row in SCHEDULERS], ids=[row[0] for row in SCHEDULERS])
def test_a_bad_scheduler_argument_is_refused_by_name_and_leaves_the_optimizer_alone(call, error, message):
    opt = sgd()
    with pytest.raises(error, match=_literal(message)):
        call(opt)
    assert opt.param_groups[0]["lr"] == 0.1


def test_a_refused_scheduler_state_leaves_the_scheduler_as_it_was():
    scheduler = StepLR(sgd(), 2)
    before = scheduler.state_dict()
    with pytest.raises(ValueError, match="step_size"):
        scheduler.load_state_dict({"last_epoch": 4, "step_size": 0})
    assert scheduler.state_dict() == before


def test_a_duplicate_parameter_warns_as_torch_does():
    p = param()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optim.SGD([p, p], lr=0.1)
    assert any("duplicate parameters" in str(w.message) for w in caught)


def _literal(message):
    """``message`` as a regular expression matching itself."""
    return re.escape(message)
