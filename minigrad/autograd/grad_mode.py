"""Grad mode: whether ops record the graph right now (:class:`no_grad`, :class:`enable_grad`).

The mode belongs to the running thread (and asyncio task), as PyTorch's belongs to its thread: a
``no_grad`` block, or a backward pass, in one thread leaves recording on in every other.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Generator
from typing import Any, ParamSpec, TypeVar, cast

# NOTE: a ContextVar, not a global: each thread (and each asyncio task) has its own grad mode;
# reading it costs ~15 ns where a threading.local attribute costs ~40 ns.
_grad_mode: contextvars.ContextVar[bool] = contextvars.ContextVar("minigrad_grad_mode", default=True)
grad_enabled = _grad_mode.get  # NOTE: bound once, for Function.apply: ~8 ns a call

P = ParamSpec("P")
R = TypeVar("R")


def is_grad_enabled() -> bool:
    """Whether ops record the graph right now, in this thread (see :class:`no_grad`).

    Examples
    --------
    >>> with minigrad.no_grad():
    ...     print(is_grad_enabled())
    False
    >>> is_grad_enabled()
    True
    """
    return _grad_mode.get()


class _GradMode:
    """A context manager and decorator that runs its block (or function) in one grad mode.

    As a decorator of a generator function, each step of the generator runs in the mode, and the
    caller keeps its own mode while the generator waits at a ``yield``.
    """

    def __init__(self, mode: bool) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        self._previous = _grad_mode.get()
        _grad_mode.set(self.mode)

    def __exit__(self, *exc_info: object) -> None:
        _grad_mode.set(self._previous)

    def __call__(self, function: Callable[P, R]) -> Callable[P, R]:
        if not callable(function) or inspect.isclass(function):
            raise TypeError(
                f"{type(self).__name__}: expected a function to decorate, got {type(function).__name__} {function!r}"
            )
        mode, generator = self.mode, inspect.isgeneratorfunction(function)

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with _GradMode(mode):
                result = function(*args, **kwargs)
            return cast(R, _resumed_in(mode, cast(Generator[Any, Any, Any], result))) if generator else result

        return wrapper


class set_grad_enabled(_GradMode):
    """Turns recording on (``True``) or off (``False``): a function, a context manager or a decorator.

    As in PyTorch, a plain call ``set_grad_enabled(False)`` sets the mode from then on (in this
    thread); used in a ``with`` block or as a decorator, the mode before it comes back after it.

    Examples
    --------
    >>> x = Tensor([1.0], requires_grad=True)
    >>> with set_grad_enabled(False):
    ...     y = x * 2
    >>> y.requires_grad, is_grad_enabled()
    (False, True)
    >>> _ = set_grad_enabled(False)
    >>> is_grad_enabled()
    False
    >>> _ = set_grad_enabled(True)
    >>> set_grad_enabled(0)
    Traceback (most recent call last):
    TypeError: set_grad_enabled: mode must be a bool (True or False), got int 0
    """

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(
                f"set_grad_enabled: mode must be a bool (True or False), got {type(mode).__name__} {mode!r}"
            )
        super().__init__(mode)
        self._previous = _grad_mode.get()
        _grad_mode.set(mode)

    def __enter__(self) -> None:
        _grad_mode.set(self.mode)  # the mode before the call is kept since __init__

    def __call__(self, function: Callable[P, R]) -> Callable[P, R]:
        _grad_mode.set(self._previous)  # NOTE: as a decorator it changes the mode only inside the function
        return super().__call__(function)


class _FixedMode(_GradMode):
    """A grad mode fixed by its class, used as ``with cls():``, ``@cls()`` or ``@cls`` (as PyTorch allows)."""

    fixed_mode: bool

    def __new__(cls, function: Callable[..., Any] | None = None) -> Any:
        if function is None:
            return super().__new__(cls)
        return cls()(function)  # `@no_grad` without parentheses

    def __init__(self, function: None = None) -> None:
        super().__init__(self.fixed_mode)


def _resumed_in(mode: bool, generator: Generator[Any, Any, R]) -> Generator[Any, Any, R]:
    """``generator`` with each of its resumptions run in ``mode``, and the caller's mode kept between
    them: a decorated generator function must not leave its mode on while it waits at a yield."""
    try:
        with _GradMode(mode):
            value = next(generator)
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                with _GradMode(mode):
                    generator.close()
                raise
            except BaseException as error:  # thrown in by the caller: handed on, in the mode
                with _GradMode(mode):
                    value = generator.throw(error)
            else:
                with _GradMode(mode):
                    value = generator.send(sent)
    except StopIteration as stop:
        return stop.value


class no_grad(_FixedMode):
    """Ops inside ``with minigrad.no_grad():`` record no graph: for inference and updates.

    Also a decorator, ``@no_grad()`` or ``@no_grad``: the function runs without recording (a
    generator function: each step of it). The mode is per thread: other threads keep recording.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    >>> @no_grad
    ... def double(t):
    ...     return t * 2
    >>> double(x).requires_grad
    False
    """

    fixed_mode = False


class enable_grad(_FixedMode):
    """Turns recording back on inside a :class:`no_grad` block: ``with enable_grad():``, ``@enable_grad()`` or ``@enable_grad``.

    Examples
    --------
    >>> x = Tensor([1.0], requires_grad=True)
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = x * 2
    >>> y.requires_grad
    True
    """

    fixed_mode = True
