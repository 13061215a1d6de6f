"""Neural-network building blocks, PyTorch's ``torch.nn``: ``import minigrad.nn as nn``.

Reading order: parameter.py, module.py (Module, its hooks), registry.py (the dicts that mirror a
module's parameters, buffers and submodules into its attributes), hooks.py (how full backward hooks
see a module's gradients), state_dict.py (saving and loading a Module's state), layers.py (Linear,
Dropout, Sequential, Residual), convolution.py (Conv1d, Conv2d), pooling.py (MaxPool2d, AvgPool2d,
Flatten), containers.py (ModuleList, ModuleDict), norm.py, activations.py, loss.py, init.py,
mlp.py (the MLP builder), utils.py (gradient clipping);
rnn_cells.py and rnn.py (the recurrent layers), sparse.py (Embedding); functional.py is PyTorch's
path (``torch.nn.functional``) to :mod:`minigrad.functional`.
"""

from minigrad.nn import functional, init, utils
from minigrad.nn.activations import (
    CELU,
    ELU,
    GELU,
    SELU,
    Hardsigmoid,
    Hardtanh,
    LeakyReLU,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Softsign,
    Tanh,
)
from minigrad.nn.containers import ModuleDict, ModuleList
from minigrad.nn.convolution import Conv1d, Conv2d
from minigrad.nn.layers import Dropout, Linear, Residual, Sequential
from minigrad.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss
from minigrad.nn.mlp import MLP
from minigrad.nn.module import Module
from minigrad.nn.norm import BatchNorm1d, BatchNorm2d, LayerNorm
from minigrad.nn.parameter import Parameter
from minigrad.nn.pooling import AvgPool2d, Flatten, MaxPool2d
from minigrad.nn.rnn import GRU, LSTM, RNN
from minigrad.nn.rnn_cells import GRUCell, LSTMCell, RNNCell
from minigrad.nn.sparse import Embedding

__all__ = [
    "Module",
    "Parameter",
    "Linear",
    "Dropout",
    "Sequential",
    "Residual",
    "Conv1d",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "Flatten",
    "ModuleList",
    "ModuleDict",
    "MLP",
    "LayerNorm",
    "BatchNorm1d",
    "BatchNorm2d",
    "Embedding",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "RNN",
    "LSTM",
    "GRU",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "CELU",
    "SELU",
    "GELU",
    "SiLU",
    "Mish",
    "Softplus",
    "Softsign",
    "Hardtanh",
    "Hardsigmoid",
    "Softmax",
    "LogSoftmax",
    "MSELoss",
    "L1Loss",
    "HuberLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "NLLLoss",
    "CrossEntropyLoss",
    "init",
    "utils",
    "functional",
]
