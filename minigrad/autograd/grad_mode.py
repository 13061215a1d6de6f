"""Grad mode: whether ops record the graph right now (:class:`no_grad`, :class:`enable_grad`).

The mode belongs to the running thread (and asyncio task), as PyTorch's belongs to its thread: a
``no_grad`` block, or a backward pass, in one thread leaves recording on in every other.
"""

from __future__ import annotations

import contextvars
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


class set_grad_enabled:
    """Context manager and decorator that turns recording on (``True``) or off (``False``).

    As a decorator of a generator function, each step of the generator runs in the mode, and the
    caller keeps its own mode while the generator waits at a ``yield``.

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
        self._previous = _grad_mode.get()
        _grad_mode.set(self.mode)

    def __exit__(self, *exc_info: object) -> None:
        _grad_mode.set(self._previous)

    def __call__(self, function: Callable[P, R]) -> Callable[P, R]:
        generator = inspect.isgeneratorfunction(function)

        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with set_grad_enabled(self.mode):
                result = function(*args, **kwargs)
            return cast(R, _resumed_in(self.mode, cast(Generator[Any, Any, Any], result))) if generator else result

        wrapper.__name__, wrapper.__doc__ = function.__name__, function.__doc__
        return wrapper


def _resumed_in(mode: bool, generator: Generator[Any, Any, R]) -> Generator[Any, Any, R]:
    """``generator`` with each of its resumptions run in ``mode``, and the caller's mode kept between
    them: a decorated generator function must not leave its mode on while it waits at a yield."""
    try:
        with set_grad_enabled(mode):
            value = next(generator)
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                with set_grad_enabled(mode):
                    generator.close()
                raise
            except BaseException as error:  # thrown in by the caller: handed on, in the mode
                with set_grad_enabled(mode):
                    value = generator.throw(error)
            else:
                with set_grad_enabled(mode):
                    value = generator.send(sent)
    except StopIteration as stop:
        return stop.value


class no_grad(set_grad_enabled):
    """Ops inside ``with minigrad.no_grad():`` record no graph: for inference and updates.

    Also a decorator: ``@no_grad()`` runs the function without recording (a generator function:
    each step of it). The mode is per thread: other threads keep recording.

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
