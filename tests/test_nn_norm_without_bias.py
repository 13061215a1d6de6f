"""A norm layer whose bias was set to None scales by its weight and adds nothing (as PyTorch's)."""

import numpy as np
import pytest

from minigrad import Tensor, nn


@pytest.mark.parametrize("layer", [nn.LayerNorm(2), nn.BatchNorm1d(2)], ids=["LayerNorm", "BatchNorm1d"])
def test_a_norm_layer_without_bias_only_scales(layer):
    x = Tensor([[1.0, 3.0], [2.0, 7.0]])
    with_bias = layer(x).numpy()
    layer.bias = None
    layer.weight.data = Tensor([2.0, 2.0])
    np.testing.assert_allclose(layer(x).numpy(), 2.0 * with_bias)
