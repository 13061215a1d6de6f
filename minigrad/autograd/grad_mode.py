"""Grad mode: whether ops record the graph right now (:class:`no_grad`, :class:`enable_grad`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar


class _GradMode(threading.local):
    """Each thread's own grad mode, as in PyTorch: a ``no_grad`` in one thread leaves the others alone."""

    enabled = True


grad_mode = _GradMode()

P = ParamSpec("P")
R = TypeVar("R")


def is_grad_enabled() -> bool:
    """Whether ops record the graph right now (see :class:`no_grad`).

    Examples
    --------
    >>> with minigrad.no_grad():
    ...     print(is_grad_enabled())
    False
    >>> is_grad_enabled()
    True
    """
    return grad_mode.enabled


class set_grad_enabled:
    """Context manager and decorator that turns recording on (``True``) or off (``False``).

    Examples
    --------
    >>> x = Tensor([1.0], requires_grad=True)
    >>> with set_grad_enabled(False):
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def __init__(self, mode: bool) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        self._previous = grad_mode.enabled
        grad_mode.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        grad_mode.enabled = self._previous

    def __call__(self, function: Callable[P, R]) -> Callable[P, R]:
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with set_grad_enabled(self.mode):
                return function(*args, **kwargs)

        wrapper.__name__, wrapper.__doc__ = function.__name__, function.__doc__
        return wrapper


class no_grad(set_grad_enabled):
    """Ops inside ``with minigrad.no_grad():`` record no graph: for inference and updates.

    Also a decorator: ``@no_grad()`` runs the function without recording.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Turns recording back on inside a :class:`no_grad` block (a context manager or decorator).

    Examples
    --------
    >>> x = Tensor([1.0], requires_grad=True)
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = x * 2
    >>> y.requires_grad
    True
    """

    def __init__(self) -> None:
        super().__init__(True)
