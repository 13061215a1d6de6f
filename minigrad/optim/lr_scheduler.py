"""Learning-rate schedules, as ``torch.optim.lr_scheduler``: call ``scheduler.step()`` once per
epoch, after ``optimizer.step()``. Each sets every group's ``lr`` from a closed-form formula of
the epoch count and the group's initial learning rate. The positional orders are PyTorch's,
``StepLR(optimizer, step_size, gamma, last_epoch)`` and ``CosineAnnealingLR(optimizer, T_max,
eta_min, last_epoch)``; every argument is checked on entry."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from minigrad.arguments import check_number
from minigrad.autograd import function
from minigrad.optim.optimizer import Optimizer


class LRScheduler:
    """Base class of the schedules: a subclass writes ``lr_at(base_lr, epoch)``.

    The group's starting rate is kept as ``initial_lr`` in the group, as PyTorch, so that a
    scheduler made after loading a state continues from the same base.

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> class Halving(LRScheduler):
    ...     def lr_at(self, base_lr, epoch):
    ...         return base_lr / 2**epoch
    >>> opt = optim.SGD([Parameter([0.0])], lr=1.0)
    >>> scheduler = Halving(opt)
    >>> scheduler.step(); scheduler.step()
    >>> opt.param_groups[0]["lr"]
    0.25
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        call = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{call}: optimizer must be an Optimizer, got {type(optimizer).__name__}")
        check_number(call, "last_epoch", last_epoch, integer=True, at_least=-1)
        if last_epoch != -1:  # resuming: the groups must hold the rate the schedule started from
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise ValueError(
                        f"{call}: param_groups.{i} has no 'initial_lr', so last_epoch={last_epoch} cannot resume"
                        " (load the optimizer's state first, or start with last_epoch=-1)"
                    )
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def _check_settings(self, call: str, settings: Mapping[str, Any]) -> None:
        """Refuse a bad value of the subclass's own settings (``step_size``, ``T_max``, ...) in
        ``settings``, naming it; the base class has none."""

    def lr_at(self, base_lr: float, epoch: int) -> float:
        """The learning rate at ``epoch`` of a group that started at ``base_lr``; a subclass writes it."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and set each group's learning rate for it.

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> opt = optim.SGD([Parameter([0.0])], lr=1.0)
        >>> scheduler = StepLR(opt, step_size=1, gamma=0.5)
        >>> scheduler.step()
        >>> scheduler.last_epoch, opt.param_groups[0]["lr"]
        (1, 0.5)
        """
        if function.tracer is not None:  # NOTE: a replay of a compiled step would not count the epoch
            function.tracer.refuse(
                f"{type(self).__name__}.step() changes the learning rate in Python, which a replay would not; "
                "step the scheduler outside the compiled step"
            )
        self.last_epoch += 1
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(base_lr, self.last_epoch)

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group, as set by the last ``step``.

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> opt = optim.SGD([{"params": [Parameter([0.0])]}, {"params": [Parameter([0.0])], "lr": 0.1}], lr=1.0)
        >>> StepLR(opt, step_size=10).get_last_lr()
        [1.0, 0.1]
        """
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's settings and epoch count (everything but the optimiser).

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> StepLR(optim.SGD([Parameter([0.0])], lr=1.0), step_size=2).state_dict()
        {'step_size': 2, 'gamma': 0.1, 'base_lrs': [1.0], 'last_epoch': 0}
        """
        return {key: value for key, value in vars(self).items() if key != "optimizer"}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (or some of it), to resume a schedule.

        Every key and value is checked first, as the constructor checks its arguments; a bad
        one raises an error naming it, and then nothing has been changed.

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> opt = optim.SGD([Parameter([0.0])], lr=1.0)
        >>> scheduler = StepLR(opt, step_size=2)
        >>> scheduler.load_state_dict({"last_epoch": 7})
        >>> scheduler.step()
        >>> scheduler.get_last_lr()                  # epoch 8: 1.0 * 0.1 ** (8 // 2)
        [0.0001...]
        >>> scheduler.load_state_dict({"step_size": 0})
        Traceback (most recent call last):
        ValueError: StepLR.load_state_dict: step_size must be an integer >= 1, got 0
        """
        call = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{call}: state_dict must be a mapping, got {type(state_dict).__name__}")
        current = self.state_dict()
        unexpected = sorted(str(key) for key in state_dict.keys() - current.keys())
        if unexpected:
            raise ValueError(f"{call}: unexpected keys {unexpected}; expected some of {sorted(current)}")
        settings = {**current, **state_dict}
        self._check_settings(call, settings)
        check_number(call, "last_epoch", settings["last_epoch"], integer=True, at_least=-1)
        base_lrs, groups = list(settings["base_lrs"]), len(self.optimizer.param_groups)
        if len(base_lrs) != groups:
            raise ValueError(f"{call}: base_lrs has {len(base_lrs)} rates but the optimizer has {groups} groups")
        for i, base_lr in enumerate(base_lrs):
            check_number(call, f"base_lrs[{i}]", base_lr, at_least=0)
        vars(self).update(settings, base_lrs=base_lrs)


class StepLR(LRScheduler):
    """lr = initial_lr * gamma ** (epoch // step_size): divide by 1/gamma every step_size epochs.

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> from minigrad.optim import SGD
    >>> opt = SGD([Parameter([0.0])], lr=1.0)
    >>> scheduler = StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(scheduler.get_last_lr()[0])
    ...     scheduler.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        self._check_settings("StepLR", {"step_size": step_size, "gamma": gamma})
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def _check_settings(self, call: str, settings: Mapping[str, Any]) -> None:
        check_number(call, "step_size", settings["step_size"], integer=True, at_least=1)
        check_number(call, "gamma", settings["gamma"], at_least=0)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2.

    Half a cosine from the initial rate down to ``eta_min`` at epoch ``T_max`` (SGDR without
    restarts).

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> from minigrad.optim import SGD
    >>> opt = SGD([Parameter([0.0])], lr=1.0)
    >>> scheduler = CosineAnnealingLR(opt, T_max=2)
    >>> lrs = []
    >>> for epoch in range(3):
    ...     lrs.append(round(scheduler.get_last_lr()[0], 3))
    ...     scheduler.step()
    >>> lrs
    [1.0, 0.5, 0.0]
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        self._check_settings("CosineAnnealingLR", {"T_max": T_max, "eta_min": eta_min})
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def _check_settings(self, call: str, settings: Mapping[str, Any]) -> None:
        check_number(call, "T_max", settings["T_max"], integer=True, at_least=1)
        check_number(call, "eta_min", settings["eta_min"], at_least=0)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2
