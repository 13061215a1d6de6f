"""Layers: Linear, Dropout, and the containers Sequential and Residual."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from minigrad import functional as F
from minigrad.arguments import check_number, check_rng
from minigrad.nn import init
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Tensor


class Linear(Module):
    """y = x W^T + b, with W of shape (out_features, in_features), as ``torch.nn.Linear``.

    W and b start as U(-1/sqrt(in_features), 1/sqrt(in_features)), PyTorch's default
    (kaiming_uniform_ with a = sqrt(5)). ``rng`` is a Generator or an int seed. A width may be
    0, as in PyTorch: the layer then has no weights to draw (and init warns that it did nothing);
    with ``in_features=0`` it maps every input to its bias, which starts at 0.

    Examples
    --------
    >>> layer = Linear(3, 2, rng=0)
    >>> layer(Tensor(np.ones((4, 3)))).shape
    (4, 2)
    >>> Linear(-1, 2)
    Traceback (most recent call last):
    ValueError: Linear: in_features must be an integer >= 0, got -1
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, rng: int | np.random.Generator | None = None
    ) -> None:
        check_number("Linear", "in_features", in_features, integer=True, at_least=0)
        check_number("Linear", "out_features", out_features, integer=True, at_least=0)
        super().__init__()
        rng = check_rng("Linear", rng)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features)))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=rng)
        self.bias = Parameter(np.empty(out_features)) if bias else None
        if self.bias is not None:
            bound = 1 / math.sqrt(in_features) if in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound, rng)

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(f"Linear: expected inputs with last dimension {self.in_features}, got shape {x.shape}")
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability ``p``, scale the rest.

    The kept elements are scaled by 1 / (1 - p), so the expected output is the input; in eval
    mode, the identity.

    Examples
    --------
    >>> drop = Dropout(0.5, rng=0)
    >>> drop(Tensor(np.ones(6))).numpy()
    array([2., 0., 0., 0., 2., 2.])
    >>> drop.eval()(Tensor(np.ones(6))).numpy()
    array([1., 1., 1., 1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, rng: int | np.random.Generator | None = None) -> None:
        check_number("Dropout", "p", p, at_least=0, at_most=1)
        super().__init__()
        self.p = p
        self.rng = check_rng("Dropout", rng)

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0:
            return x
        keep = self.rng.random(x.shape) >= self.p
        scale = 0.0 if self.p == 1 else 1 / (1 - self.p)
        return x * Tensor(keep * scale, dtype=x.dtype)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Sequential(Module):
    """Modules applied one after another; indexable, with ``len`` and iteration.

    Examples
    --------
    >>> model = Sequential(Linear(2, 4, rng=0), Linear(4, 1, rng=1))
    >>> len(model), model[1].out_features
    (2, 1)
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end (named by its position); returns the Sequential.

        Examples
        --------
        >>> Sequential(Linear(2, 3, rng=0)).append(nn.ReLU())
        Sequential(
          (0): Linear(in_features=2, out_features=3, bias=True)
          (1): ReLU()
        )
        >>> Sequential(Linear(2, 3, rng=0)).append(np.tanh)
        Traceback (most recent call last):
        TypeError: Sequential: module 1 must be a Module, got ufunc <ufunc 'tanh'>
        """
        if not isinstance(module, Module):  # NOTE: as torch; a plain function would hold no parameters
            raise TypeError(f"Sequential: module {len(self)} must be a Module, got {type(module).__name__} {module!r}")
        setattr(self, str(len(self)), module)
        return self

    def forward(self, x: Tensor) -> Tensor:
        for module in self:
            x = module(x)
        return x

    def __getitem__(self, index: int | slice) -> Module:
        modules = list(self._modules.values())
        return Sequential(*modules[index]) if isinstance(index, slice) else modules[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class Residual(Module):
    """y = x + f(x): a skip connection around ``fn``, whose output must have x's shape.

    The identity path carries the gradient back unchanged, however deep the stack.

    Examples
    --------
    >>> block = Residual(nn.Tanh())
    >>> x = Tensor([-50.0, 0.0], requires_grad=True)
    >>> block(x).sum().backward()
    >>> x.grad                                   # 1 + tanh'(x): never below 1
    Tensor([1. 2.])
    """

    def __init__(self, fn: Module) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: Tensor) -> Tensor:
        return x + self.fn(x)
