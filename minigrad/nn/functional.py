"""PyTorch's path to the functions: ``import minigrad.nn.functional as F`` (as ``torch.nn.functional``)
gives the names of :mod:`minigrad.functional`, where they are written.

>>> import minigrad.nn.functional as F2
>>> F2.relu is F.relu
True
"""

from minigrad.functional import *  # noqa: F403
from minigrad.functional import __all__  # noqa: F401
