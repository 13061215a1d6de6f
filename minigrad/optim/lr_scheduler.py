"""Learning-rate schedules, as ``torch.optim.lr_scheduler``: call ``scheduler.step()`` once per
epoch, after ``optimizer.step()``. Each sets every group's ``lr`` from a closed-form formula of
the epoch count and the group's initial learning rate."""

from __future__ import annotations

import math
from typing import Any

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
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

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

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned, to resume a schedule.

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> opt = optim.SGD([Parameter([0.0])], lr=1.0)
        >>> scheduler = StepLR(opt, step_size=2)
        >>> scheduler.load_state_dict({"last_epoch": 7})
        >>> scheduler.step()
        >>> scheduler.get_last_lr()                  # epoch 8: 1.0 * 0.1 ** (8 // 2)
        [0.0001...]
        """
        vars(self).update(state)


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
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

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
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2
