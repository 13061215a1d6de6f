"""MLP: a builder for stacks of Linear layers, to watch what depth, activation, initialisation,
normalisation and skip connections do to training."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minigrad.arguments import check_number, check_rng
from minigrad.nn import init as initializers
from minigrad.nn.activations import ACTIVATIONS
from minigrad.nn.layers import Linear, Residual, Sequential
from minigrad.nn.module import Module
from minigrad.nn.norm import BatchNorm1d, LayerNorm
from minigrad.tensor import Tensor

NORMS = {"layer": LayerNorm, "batch": BatchNorm1d}
INITS = {
    "xavier_uniform": initializers.xavier_uniform_,
    "xavier_normal": initializers.xavier_normal_,
    "kaiming_uniform": initializers.kaiming_uniform_,
    "kaiming_normal": initializers.kaiming_normal_,
    "orthogonal": initializers.orthogonal_,
    "normal": initializers.normal_,
    "uniform": initializers.uniform_,
}


def _lookup(choice: str | Callable[..., Any], table: dict[str, Any], what: str) -> Callable[..., Any]:
    """A name from ``table``, or anything callable (a class), as the thing to call."""
    if callable(choice):
        return choice
    if choice not in table:
        raise ValueError(f"MLP: unknown {what} {choice!r}; choose one of {sorted(table)} or pass a callable")
    return table[choice]


class MLP(Module):
    """Linear layers of widths ``sizes``, each hidden one followed by [norm] and the activation.

    The last layer is bare: it gives logits or a regression output.

    Parameters
    ----------
    sizes : list of int
        Widths from input to output, e.g. ``[2, 16, 16, 1]``.
    activation : str or callable
        A name (``'relu'``, ``'tanh'``, ``'leaky_relu'``, ``'gelu'``, ...) or a class such as
        ``nn.Tanh``; called with no arguments once per hidden layer.
    init : str or callable, optional
        A name from ``INITS`` (``'xavier_uniform'``, ``'kaiming_normal'``, ``'orthogonal'``, ...)
        or a function called on each weight to fill it in place; biases then start at zero.
        None keeps PyTorch's default Linear init.
    residual : bool
        Wrap each hidden block whose input and output widths are equal in :class:`Residual`,
        so it computes h + f(h).
    norm : {None, 'layer', 'batch'} or callable
        Insert LayerNorm or BatchNorm1d (called with the width) after each hidden Linear.
    rng : numpy.random.Generator or int, optional
        All the initial weights come from it: the same seed gives the same model.

    Examples
    --------
    >>> MLP([2, 8, 8, 1], activation="tanh", residual=True, rng=0)
    MLP(
      (layers): Sequential(
        (0): Linear(in_features=2, out_features=8, bias=True)
        (1): Tanh()
        (2): Residual(
          (fn): Sequential(
            (0): Linear(in_features=8, out_features=8, bias=True)
            (1): Tanh()
          )
        )
        (3): Linear(in_features=8, out_features=1, bias=True)
      )
    )
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Callable[[], Module] = "relu",
        init: str | Callable[[Tensor], object] | None = None,
        residual: bool = False,
        norm: str | Callable[[int], Module] | None = None,
        rng: int | np.random.Generator | None = None,
    ) -> None:
        if not isinstance(sizes, Sequence) or isinstance(sizes, str):
            raise TypeError(f"MLP: sizes must be a list of integer widths, got {type(sizes).__name__} {sizes!r}")
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least an input and an output width, got {sizes}")
        for k, size in enumerate(sizes):
            check_number("MLP", f"sizes[{k}]", size, integer=True, at_least=1)
        super().__init__()
        rng = check_rng("MLP", rng)
        make_activation = _lookup(activation, ACTIVATIONS, "activation")
        make_norm = None if norm is None else _lookup(norm, NORMS, "norm")
        fill = None if init is None else _lookup(init, INITS, "init")
        linears = [Linear(n_in, n_out, rng=rng) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        if fill is not None:
            for linear in linears:
                if isinstance(init, str):  # a named initialiser draws from the model's rng too
                    fill(linear.weight, rng=rng)
                else:
                    fill(linear.weight)
                if linear.bias is not None:
                    initializers.zeros_(linear.bias)
        layers = []
        for linear in linears[:-1]:
            block = [linear] + ([make_norm(linear.out_features)] if make_norm else []) + [make_activation()]
            if residual and linear.in_features == linear.out_features:
                layers.append(Residual(Sequential(*block)))
            else:
                layers.extend(block)
        self.sizes, self.residual = list(sizes), residual
        self.layers = Sequential(*layers, linears[-1])

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x)
