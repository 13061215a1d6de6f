"""An optimiser's step as straight-line code: its own update, run once on symbols (see :mod:`minigrad.tracing`).

An optimiser's update is NumPy arithmetic on arrays (the parameter, its gradient, its running
state) and Python numbers (the hyperparameters, the step count), not Tensor ops, so the
recorder cannot see it op by op. Instead, :func:`trace_update` calls the optimiser's own
``_step_parameter`` once more, on a :class:`Symbol` for each array and for the step count: a
symbol takes part in arithmetic (``0.9 * b``, ``np.sqrt(v)``, ``np.add(p, u, out=p)``, written ``p += u``) by
writing the expression down as a line of code and standing for its result. The lines are the
update, in the order it ran and with its operands in the same order, so replaying them repeats
the eager step bit for bit. Hyperparameters are read as the numbers they are (a program is
replayed only while they are unchanged); the step count is a symbol, read from the state at
each replay, so Adam's ``1 - beta1 ** t`` is computed anew. A branch on a symbol's value (an
``if`` on the data) is refused.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.tensor_inplace import TensorInPlace
from minigrad.tracing.trace import TracingError

if TYPE_CHECKING:
    from minigrad.optim.optimizer import Optimizer
    from minigrad.tensor import Tensor

__all__ = ["Symbol", "Update", "trace_update"]

_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**"}
# NumPy's ufuncs that Python's augmented assignments call on an array: ``a += b`` is ``np.add(a, b, out=a)``
_AUGMENTED = {"np.add": "+=", "np.subtract": "-=", "np.multiply": "*=", "np.divide": "/="}


class Symbol:
    """A value of an update being written down: an array, or a Python number from the state
    (the step count). ``name`` is how the code refers to it.

    Examples
    --------
    >>> update = Update("demo")
    >>> b = update.symbol("b")
    >>> c = 0.9 * b + 1
    >>> update.lines
    ['u0 = 0.9 * b', 'u1 = u0 + 1']
    """

    __slots__ = ("update", "name")
    __array_priority__ = 1000  # NOTE: ndarray's operators hand over to the symbol's

    def __init__(self, update: Update, name: str) -> None:
        self.update, self.name = update, name

    def __repr__(self) -> str:
        return self.name

    def __bool__(self) -> bool:
        raise TracingError(
            f"{self.update.step_name}: the optimiser's update branches on the value of {self.name}; a replay "
            "would follow one branch"
        )

    def copy(self) -> Symbol:
        """A copy of the array, as ``ndarray.copy``: a line of its own.

        Examples
        --------
        >>> update = Update("demo")
        >>> update.symbol("g").copy(), update.lines
        (u0, ['u0 = g.copy()'])
        """
        return self.update.emit(f"{self.update.code(self)}.copy()")

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method != "__call__":
            raise TracingError(f"{self.update.step_name}: the optimiser's update calls {ufunc.__name__}.{method}")
        return self.update.call(f"np.{ufunc.__name__}", ufunc, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return self.update.call(f"np.{func.__name__}", func, args, kwargs)

    def _binary(self, op: str, other: Any, reflected: bool = False) -> Symbol:
        left, right = (other, self) if reflected else (self, other)
        code = self.update.code
        return self.update.emit(f"{code(left)} {_OPERATORS[op]} {code(right)}")

    def __add__(self, other: Any) -> Symbol:
        return self._binary("add", other)

    def __radd__(self, other: Any) -> Symbol:
        return self._binary("add", other, True)

    def __sub__(self, other: Any) -> Symbol:
        return self._binary("sub", other)

    def __rsub__(self, other: Any) -> Symbol:
        return self._binary("sub", other, True)

    def __mul__(self, other: Any) -> Symbol:
        return self._binary("mul", other)

    def __rmul__(self, other: Any) -> Symbol:
        return self._binary("mul", other, True)

    def __truediv__(self, other: Any) -> Symbol:
        return self._binary("truediv", other)

    def __rtruediv__(self, other: Any) -> Symbol:
        return self._binary("truediv", other, True)

    def __pow__(self, other: Any) -> Symbol:
        return self._binary("pow", other)

    def __rpow__(self, other: Any) -> Symbol:
        return self._binary("pow", other, True)

    def __neg__(self) -> Symbol:
        return self.update.emit(f"-{self.update.code(self)}")


class Update:
    """The lines of one optimiser step, as :func:`trace_update` writes them; ``constants`` are the
    values the code names (``k0``) that are not plain Python numbers.

    Examples
    --------
    >>> update = Update("demo")
    >>> p = update.symbol("p")
    >>> _ = np.add(p, 0.5 * p, out=p)
    >>> update.lines
    ['u0 = 0.5 * p', 'p += u0']
    """

    def __init__(self, step_name: str) -> None:
        self.step_name = step_name
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self.written: list[bool] = []  # per parameter: whether the update changed it
        self._count = 0

    def symbol(self, name: str) -> Symbol:
        """A symbol for a value the code finds under ``name`` (a parameter's array, its gradient's).

        Examples
        --------
        >>> Update("demo").symbol("p2_grad")
        p2_grad
        """
        return Symbol(self, name)

    def emit(self, expression: str) -> Symbol:
        """A line ``u<n> = expression``; returns the symbol ``u<n>``.

        Examples
        --------
        >>> update = Update("demo")
        >>> update.emit("p2_state['step']"), update.lines
        (u0, ["u0 = p2_state['step']"])
        """
        result = Symbol(self, f"u{self._count}")
        self._count += 1
        self.lines.append(f"{result.name} = {expression}")
        return result

    def call(self, name: str, function: Any, args: Any, kwargs: dict[str, Any]) -> Any:
        """A line calling NumPy's ``function``; with ``out=``, a change in place that returns the out symbol.

        Examples
        --------
        >>> update = Update("demo")
        >>> v = update.symbol("v")
        >>> update.call("np.sqrt", np.sqrt, (v,), {}), update.lines
        (u0, ['u0 = np.sqrt(v)'])
        """
        if getattr(np, name[3:], None) is not function:
            raise TracingError(f"{self.step_name}: the optimiser's update calls {name}, which is not NumPy's")
        out = kwargs.get("out")
        if isinstance(out, tuple) and len(out) == 1:  # NOTE: NumPy hands a ufunc's out over as a tuple
            kwargs, out = {**kwargs, "out": out[0]}, out[0]
        if out is not None and _AUGMENTED.get(name) and list(kwargs) == ["out"] and len(args) == 2 and args[0] is out:
            self.lines.append(
                f"{self.code(out)} {_AUGMENTED[name]} {self.code(args[1])}"
            )  # NOTE: a += b is np.add(a, b, out=a)
            return out
        written = ", ".join([*map(self.code, args), *(f"{k}={self.code(v)}" for k, v in kwargs.items())])
        if out is None:
            return self.emit(f"{name}({written})")
        self.lines.append(f"{name}({written})")
        return out

    def code(self, value: Any) -> str:
        """How the code writes ``value``: a symbol by its name, a Python number as itself (its repr
        reads back the same float), anything else by a name in ``constants``.

        Examples
        --------
        >>> update = Update("demo")
        >>> update.code(0.9), update.code(-0.1), update.code(update.symbol("p")), update.code(np.float32(2))
        ('0.9', '(-0.1)', 'p', 'k0')
        """
        if isinstance(value, Symbol):
            return value.name
        if isinstance(value, tuple):
            return "(" + "".join(f"{self.code(v)}, " for v in value) + ")"
        if isinstance(value, np.ndarray):
            raise TracingError(
                f"{self.step_name}: the optimiser's update reads an array of shape {value.shape} that is not a "
                "parameter, its gradient or its state; a replay would keep this call's value"
            )
        if type(value) in (int, float, bool) and math.isfinite(value) or value is None:
            return f"({value!r})" if math.copysign(1, value or 0) < 0 else repr(value)  # NOTE: -0.5 ** t is -(0.5 ** t)
        name = f"k{len(self.constants)}"
        self.constants[name] = value
        return name


class _Leaf(TensorInPlace):
    """A parameter as the optimiser's update sees it while it is written down: its array and its
    gradient's are symbols, and a change in place (``p.sub_(step, alpha=lr)``, Tensor's own
    method) runs on the symbol, so it is written down too."""

    __slots__ = ("_data", "grad", "written")

    def __init__(self, data: Symbol, grad: _Leaf | None = None) -> None:
        self._data = data  # type: ignore[assignment]  # NOTE: a symbol where a Tensor holds its array
        self.grad, self.written = grad, False

    def numpy(self) -> Symbol:
        return self._data  # type: ignore[return-value]

    def _write(self, name: str, write: Any) -> Any:
        write(self._data)
        self.written = True
        return self


def trace_update(optimizer: Optimizer, parameters: list[Tensor], names: list[str], step_name: str) -> Update:
    """The code of ``optimizer``'s update of ``parameters`` (those with a gradient), each array
    named as in ``names``, given the state they have now (a step has run: its running values exist).

    In the code, ``p2`` is a parameter's array, ``p2_grad`` its gradient's and ``p2_state`` its
    state dict; it reads each running value from the state and stores the new one back.

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> w = Parameter([1.0, 2.0])
    >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
    >>> (w * w).sum().backward(); opt.step()
    >>> print("\\n".join(trace_update(opt, [w], ["w"], "demo").lines))
    u0 = w_state['momentum_buffer']
    u1 = 0.9 * u0
    u2 = 1.0 * w_grad
    u3 = u1 + u2
    u4 = (-0.1) * u3
    w += u4
    w_state['momentum_buffer'] = u3
    """
    update = Update(step_name)
    groups = {id(p): group for group in optimizer.param_groups for p in group["params"]}
    # NOTE: what the update may not change in Python, or a replay (which runs no Python) would differ
    kept = [(d, dict(d)) for d in (vars(optimizer), *optimizer.param_groups)]
    for p, name in zip(parameters, names):
        state = optimizer.state[p]
        read = {key: update.emit(f"{name}_state[{key!r}]") for key in state}
        symbolic = dict(read)
        leaf = _Leaf(update.symbol(name), _Leaf(update.symbol(f"{name}_grad")))
        optimizer._step_parameter(leaf, symbolic, groups[id(p)])  # type: ignore[arg-type]
        update.written.append(leaf.written)
        for key, value in symbolic.items():
            if value is not read.get(key):
                update.lines.append(f"{name}_state[{key!r}] = {update.code(value)}")
    changed = [
        (d, before) for d, before in kept if d.keys() != before.keys() or any(d[k] is not v for k, v in before.items())
    ]
    for d, before in changed:  # NOTE: as the eager step left them
        d.clear()
        d.update(before)
    if changed:
        raise TracingError(
            f"{step_name}: {type(optimizer).__name__}'s update changes its own attributes or settings in Python, "
            "which a replay would not"
        )
    return update
