"""Public functions, PyTorch's ``torch.nn.functional`` style: ``F.relu(x)``, ``F.softmax(x)``.

Each runs its op (``F.relu`` is ``ReLU.apply``), the same op as the Tensor method of the same
name; the nn modules call these. Read math.py (math, reductions and shape), then activations.py,
convolution.py and pooling.py; the losses (``F.mse_loss``, ``F.cross_entropy``, ...) are written in minigrad/losses.py.
"""

from minigrad.functional.activations import (
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardtanh,
    leaky_relu,
    log_softmax,
    mish,
    prelu,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    tanh,
)
from minigrad.functional.convolution import conv1d, conv2d
from minigrad.functional.math import (
    abs,
    clip,
    concatenate,
    exp,
    linear,
    log,
    max,
    maximum,
    mean,
    min,
    minimum,
    one_hot,
    sqrt,
    stack,
    sum,
    where,
)
from minigrad.functional.pooling import avg_pool2d, flatten, max_pool2d
from minigrad.functional.sparse import embedding
from minigrad.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
)

__all__ = [
    # math, reductions and shape
    "linear",
    "exp",
    "log",
    "sqrt",
    "abs",
    "clip",
    "sum",
    "mean",
    "max",
    "min",
    "where",
    "maximum",
    "minimum",
    "concatenate",
    "stack",
    "one_hot",
    "flatten",
    # convolution and pooling
    "conv1d",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "embedding",
    # activations
    "sigmoid",
    "tanh",
    "softsign",
    "hardtanh",
    "hardsigmoid",
    "relu",
    "leaky_relu",
    "prelu",
    "relu6",
    "elu",
    "selu",
    "celu",
    "softplus",
    "silu",
    "gelu",
    "mish",
    "softmax",
    "log_softmax",
    # losses
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "huber_loss",
    "l1_loss",
    "mse_loss",
    "nll_loss",
]
