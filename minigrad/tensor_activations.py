"""Tensor's activation methods: each one line that calls its op (in minigrad/ops/).

The op's class holds f and f' (its docstring), its forward and its backward rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad.arrays import TensorLike
from minigrad.ops import relu_family, sigmoid_family, smooth_relu_family
from minigrad.ops import softmax as softmax_ops

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class TensorActivations:
    """The activation methods of :class:`~minigrad.tensor.Tensor` (a mixin).

    Examples
    --------
    >>> Tensor([-1.0, 1.0]).relu()
    Tensor([0. 1.])
    """

    __slots__ = ()
    _data: np.ndarray

    def sigmoid(self) -> Tensor:
        """1 / (1 + e^-x), elementwise: squashes into (0, 1); its derivative is at most 1/4.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).sigmoid().numpy().round(4)
        array([0.1192, 0.5   , 0.8808])
        """
        return sigmoid_family.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        """The hyperbolic tangent, elementwise: squashes into (-1, 1).

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).tanh().numpy().round(4)
        array([-0.964,  0.   ,  0.964])
        """
        return sigmoid_family.Tanh.apply(self)

    def softsign(self) -> Tensor:
        """x / (1 + |x|), elementwise: into (-1, 1), with polynomial rather than exponential tails.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).softsign().numpy().round(4)
        array([-0.6667,  0.    ,  0.6667])
        """
        return sigmoid_family.Softsign.apply(self)

    def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
        """x clipped to [min_val, max_val], elementwise: the derivative is 1 inside, 0 outside.

        Examples
        --------
        >>> Tensor([-3.0, 0.5, 3.0]).hardtanh()
        Tensor([-1.   0.5  1. ])
        """
        return sigmoid_family.Hardtanh.apply(self, min_val=min_val, max_val=max_val)

    def hardsigmoid(self) -> Tensor:
        """relu6(x + 3) / 6, elementwise: a piecewise-linear sigmoid, 0 below -3 and 1 above 3.

        Examples
        --------
        >>> Tensor([-4.0, 0.0, 1.5]).hardsigmoid()
        Tensor([0.   0.5  0.75])
        """
        return sigmoid_family.Hardsigmoid.apply(self)

    def relu(self) -> Tensor:
        """max(x, 0), elementwise; its derivative is 1 for x > 0, else 0 (at 0 too).

        Examples
        --------
        >>> x = Tensor([-1.0, 2.0], requires_grad=True)
        >>> x.relu()
        Tensor([0. 2.], grad_fn=<ReLU>)
        >>> x.relu().sum().backward()
        >>> x.grad
        Tensor([0. 1.])
        """
        return relu_family.ReLU.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """x for x > 0, else ``negative_slope`` * x: a ReLU that keeps a small gradient below 0.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).leaky_relu(0.1)
        Tensor([-0.2  0.   2. ])
        """
        return relu_family.LeakyReLU.apply(self, negative_slope=negative_slope)

    def prelu(self, weight: TensorLike) -> Tensor:
        """x where x > 0, else weight * x; ``weight`` has one entry, or one per channel (axis 1).

        Examples
        --------
        >>> Tensor([[-2.0, -2.0], [1.0, 1.0]]).prelu(Tensor([0.5, 0.1]))
        Tensor([[-1.  -0.2]
                [ 1.   1. ]])
        """
        return relu_family.PReLU.apply(self, weight)

    def relu6(self) -> Tensor:
        """min(max(x, 0), 6), elementwise.

        Examples
        --------
        >>> Tensor([-1.0, 3.0, 7.0]).relu6()
        Tensor([0. 3. 6.])
        """
        return relu_family.ReLU6.apply(self)

    def elu(self, alpha: float = 1.0) -> Tensor:
        """x for x > 0, else alpha (e^x - 1): smooth below 0, approaching -alpha.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).elu().numpy().round(4)
        array([-0.8647,  0.    ,  2.    ])
        """
        return relu_family.ELU.apply(self, alpha=alpha)

    def selu(self) -> Tensor:
        """scale * elu(x, alpha) with the fixed constants of self-normalising networks.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).selu().numpy().round(4)
        array([-1.5202,  0.    ,  2.1014])
        """
        return relu_family.SELU.apply(self)

    def celu(self, alpha: float = 1.0) -> Tensor:
        """x for x > 0, else alpha (e^(x / alpha) - 1): an ELU whose derivative is continuous.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).celu(alpha=2.0).numpy().round(4)
        array([-1.2642,  0.    ,  2.    ])
        """
        return relu_family.CELU.apply(self, alpha=alpha)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
        """log(1 + e^(beta x)) / beta, a smooth ReLU; x itself where beta x > ``threshold``.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).softplus().numpy().round(4)
        array([0.1269, 0.6931, 2.1269])
        """
        return smooth_relu_family.Softplus.apply(self, beta=beta, threshold=threshold)

    def silu(self) -> Tensor:
        """x * sigmoid(x), elementwise (also called swish).

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).silu().numpy().round(4)
        array([-0.2384,  0.    ,  1.7616])
        """
        return smooth_relu_family.SiLU.apply(self)

    def gelu(self, approximate: str = "none") -> Tensor:
        """x Phi(x) with Phi the standard normal CDF, or its tanh approximation (``approximate='tanh'``).

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).gelu().numpy().round(4)
        array([-0.0455,  0.    ,  1.9545])
        >>> Tensor([-2.0, 0.0, 2.0]).gelu(approximate="tanh").numpy().round(4)
        array([-0.0454,  0.    ,  1.9546])
        """
        return smooth_relu_family.GELU.apply(self, approximate=approximate)

    def mish(self) -> Tensor:
        """x * tanh(softplus(x)), elementwise.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).mish().numpy().round(4)
        array([-0.2525,  0.    ,  1.944 ])
        """
        return smooth_relu_family.Mish.apply(self)

    def softmax(self, dim: int | None = None, *, axis: int | None = None) -> Tensor:
        """e^x / sum(e^x) along ``dim`` (``axis`` in NumPy's words): positive numbers that sum to 1.
        Without ``dim``: the last axis of a tensor of up to 2 dims (see :func:`~minigrad.ops.softmax.softmax_dim`).

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).softmax(dim=0).numpy().round(4)
        array([0.0159, 0.1173, 0.8668])
        """
        return softmax_ops.Softmax.apply(self, axis=softmax_ops.softmax_dim("softmax", self._data, dim, axis))

    def log_softmax(self, dim: int | None = None, *, axis: int | None = None) -> Tensor:
        """log(softmax(x)) along ``dim``, computed without overflow: x - log sum(e^x).

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).log_softmax(0).numpy().round(4)
        array([-4.1429, -2.1429, -0.1429])
        """
        return softmax_ops.LogSoftmax.apply(self, axis=softmax_ops.softmax_dim("log_softmax", self._data, dim, axis))
