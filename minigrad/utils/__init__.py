"""PyTorch's ``torch.utils``: :mod:`minigrad.utils.data` (Dataset, TensorDataset, DataLoader) and
:mod:`minigrad.utils.tensorboard` (SummaryWriter; imported on use, it needs the tensorboard extra)."""

from minigrad.utils import data

__all__ = ["data"]
