"""Printing a module shows its settings; deleting or replacing an attribute keeps the registries right."""

import numpy as np
import pytest

from minigrad import nn


@pytest.mark.parametrize(
    "module, text",
    [
        (nn.PReLU(3), "PReLU(num_parameters=3)"),
        (nn.ELU(0.5), "ELU(alpha=0.5)"),
        (nn.CELU(0.5), "CELU(alpha=0.5)"),
        (nn.Softplus(2.0, 5.0), "Softplus(beta=2.0, threshold=5.0)"),
        (nn.Hardtanh(-2.0, 2.0), "Hardtanh(min_val=-2.0, max_val=2.0)"),
        (nn.Dropout(0.2), "Dropout(p=0.2)"),
        (nn.LayerNorm(4), "LayerNorm((4,), eps=1e-05, elementwise_affine=True)"),
    ],
)
def test_a_module_prints_its_settings(module, text):
    assert repr(module) == text


def test_deleting_a_parameter_unregisters_it_and_deleting_a_plain_attribute_removes_it():
    layer = nn.Linear(2, 1, rng=0)
    del layer.bias
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    layer.note = "kept as a plain attribute"
    del layer.note
    assert not hasattr(layer, "note")


def test_a_parameter_replaced_by_a_module_moves_from_parameters_to_children():
    model = nn.Module()
    model.part = nn.Parameter(np.zeros(2))
    model.part = nn.ReLU()
    assert list(model.named_parameters()) == []
    assert [name for name, _ in model.named_children()] == ["part"]
