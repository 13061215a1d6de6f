"""PyTorch's ``torch.utils``: only :mod:`minigrad.utils.data` (Dataset, TensorDataset, DataLoader)."""

from minigrad.utils import data

__all__ = ["data"]
