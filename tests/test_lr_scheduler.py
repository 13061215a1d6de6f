"""Learning-rate schedulers: their values per epoch and group, and their state."""

import math

import numpy as np

import minigrad.nn as nn
from minigrad import optim
from minigrad.optim.lr_scheduler import CosineAnnealingLR, StepLR


def lrs_over(scheduler, epochs):
    out = []
    for _ in range(epochs):
        out.append(scheduler.get_last_lr())
        scheduler.optimizer.step()
        scheduler.step()
    return out


def test_step_lr_decays_every_step_size_epochs_per_group():
    opt = optim.SGD([{"params": [nn.Parameter([1.0])]}, {"params": [nn.Parameter([1.0])], "lr": 2.0}], lr=1.0)
    lrs = lrs_over(StepLR(opt, step_size=3, gamma=0.5), 7)
    assert [lr[0] for lr in lrs] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    assert [lr[1] for lr in lrs] == [2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.5]


def test_cosine_annealing_follows_half_a_cosine_to_eta_min():
    opt = optim.SGD([nn.Parameter([1.0])], lr=0.1)
    lrs = [lr[0] for lr in lrs_over(CosineAnnealingLR(opt, T_max=10, eta_min=0.01), 11)]
    expected = [0.01 + 0.09 * (1 + math.cos(math.pi * t / 10)) / 2 for t in range(11)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-14)
    assert opt.param_groups[0]["initial_lr"] == 0.1


def test_scheduler_state_round_trip():
    opt = optim.SGD([nn.Parameter([1.0])], lr=1.0)
    scheduler = StepLR(opt, step_size=2)
    lrs_over(scheduler, 3)
    state = scheduler.state_dict()
    other = StepLR(optim.SGD([nn.Parameter([1.0])], lr=1.0), step_size=5)
    other.load_state_dict(state)
    assert other.last_epoch == 3 and other.step_size == 2


def test_positional_arguments_follow_pytorch():
    opt = optim.SGD([nn.Parameter([1.0])], lr=1.0)
    step = StepLR(opt, 2, 0.5)
    assert (step.step_size, step.gamma, step.last_epoch) == (2, 0.5, 0)
    cosine = CosineAnnealingLR(optim.SGD([nn.Parameter([1.0])], lr=1.0), 10, 0.01)
    assert (cosine.T_max, cosine.eta_min) == (10, 0.01)


def test_resuming_with_last_epoch_continues_from_initial_lr():
    opt = optim.SGD([nn.Parameter([1.0])], lr=1.0)
    first = StepLR(opt, 2, 0.5)
    lrs_over(first, 3)
    resumed = StepLR(opt, 2, 0.5, last_epoch=first.last_epoch)
    assert resumed.last_epoch == 4 and resumed.get_last_lr() == [0.25]
