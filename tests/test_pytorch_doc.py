"""docs/pytorch.md stays true: every expression its table lists as refused raises the error the
table names (and no other), and each name it says minigrad lacks is absent."""

import builtins
import re
from pathlib import Path

import numpy as np
import pytest

import minigrad
import minigrad.functional as F
import minigrad.nn as nn
from minigrad import Tensor

PAGE = Path(__file__).resolve().parents[1] / "docs" / "pytorch.md"
REFUSED = re.findall(
    r"^\| `(.+?)` \| (\w+Error) \|", PAGE.read_text().split("## What PyTorch has that minigrad refuses")[1], flags=re.M
)


def test_the_page_lists_refusals():
    assert len(REFUSED) >= 30


@pytest.mark.parametrize("expression, error", REFUSED, ids=[e for e, _ in REFUSED])
def test_each_refused_expression_raises_the_error_the_page_names(expression, error):
    names = {"minigrad": minigrad, "nn": nn, "F": F, "np": np, "Tensor": Tensor}
    names["x"] = Tensor([[1.0, 2.0]], requires_grad=True)
    names["mask"] = names["x"] > 1
    with pytest.raises(getattr(builtins, error)) as raised:
        eval(expression.replace("\\|", "|"), names)
    if error == "AttributeError":  # the error names what is missing
        assert raised.value.name in expression
