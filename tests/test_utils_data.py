"""minigrad.utils.data as torch.utils.data: TensorDataset pairs rows, DataLoader batches them in
order or shuffled (from a generator), keeping or dropping the last short batch; against torch
where it is installed (the shuffled order is NumPy's, so only what it covers is compared)."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.utils.data import DataLoader, Dataset, TensorDataset


def test_batches_in_order_keep_or_drop_the_last_short_one():
    X, y = mg.arange(14).float().view(7, 2), mg.arange(7)
    loader = DataLoader(TensorDataset(X, y), batch_size=3)
    assert len(loader) == 3 and [yb.tolist() for _, yb in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    dropped = DataLoader(TensorDataset(X, y), batch_size=3, drop_last=True)
    assert len(dropped) == 2 and [xb.shape for xb, _ in dropped] == [(3, 2), (3, 2)]


def test_a_shuffled_pass_covers_every_sample_once_and_a_seed_repeats_it():
    y = mg.arange(10)

    def order(seed):
        loader = DataLoader(TensorDataset(y), batch_size=4, shuffle=True, generator=mg.Generator().manual_seed(seed))
        return [i for (batch,) in loader for i in batch.tolist()]

    assert sorted(order(0)) == list(range(10)) and order(0) == order(0) and order(0) != list(range(10))


def test_a_dataset_of_its_own_is_collated_field_by_field():
    class Pairs(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return mg.tensor([float(i), -float(i)]), i

    xb, yb = next(iter(DataLoader(Pairs(), batch_size=2)))
    assert xb.tolist() == [[0.0, -0.0], [1.0, -1.0]] and yb.tolist() == [0, 1] and yb.dtype == np.int64


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="TensorDataset: size mismatch between tensors: first dims \\[3, 2\\]"):
        TensorDataset(mg.zeros(3), mg.zeros(2))
    with pytest.raises(ValueError, match="DataLoader: batch_size must be an int > 0, got 0"):
        DataLoader(TensorDataset(mg.zeros(3)), batch_size=0)
    with pytest.raises(TypeError, match="DataLoader: shuffle must be a bool, got 1"):
        DataLoader(TensorDataset(mg.zeros(3)), shuffle=1)
    with pytest.raises(NotImplementedError, match="Dataset must define __len__"):
        len(Dataset())


def test_batches_as_torch_gives_them():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TorchLoader
    from torch.utils.data import TensorDataset as TorchDataset

    X = np.arange(22.0).reshape(11, 2)
    for batch_size, drop_last in ((4, False), (4, True), (11, False), (20, True)):
        ours = DataLoader(TensorDataset(mg.tensor(X), mg.arange(11)), batch_size=batch_size, drop_last=drop_last)
        theirs = TorchLoader(
            TorchDataset(torch.tensor(X), torch.arange(11)), batch_size=batch_size, drop_last=drop_last
        )
        assert len(ours) == len(theirs)
        for (xb, yb), (txb, tyb) in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(xb.numpy(), txb.numpy())
            assert yb.tolist() == tyb.tolist()
    assert len(TensorDataset(mg.zeros(5))) == len(TorchDataset(torch.zeros(5)))
