"""Every bad argument of the convolution and pooling functions and layers, one row each, refused by
name on entry: (call, the bad argument, the expected error type, a fragment of the message)."""

import numpy as np
import pytest

from minigrad import Tensor, nn
from minigrad import functional as F


def ones(*shape):
    return Tensor(np.ones(shape))


X, W = ones(1, 4, 5, 5), ones(2, 4, 3, 3)

ROWS = [
    # conv2d and conv1d
    (
        lambda: F.conv2d(X, ones(2, 3, 3, 3)),
        "input",
        ValueError,
        "weight of shape (2, 3, 3, 3) expects 3 input channels",
    ),
    (lambda: F.conv2d(X, ones(2, 3, 3, 3)), "channels", ValueError, "but input of shape (1, 4, 5, 5) has 4"),
    (
        lambda: F.conv2d(X, ones(2, 4, 6, 3)),
        "kernel",
        ValueError,
        "kernel of size (6, 3) (dilation (1, 1)) is larger than the padded input",
    ),
    (lambda: F.conv2d(X, W, dilation=3), "kernel", ValueError, "is larger than the padded input"),
    (lambda: F.conv2d(X, W, stride=0), "stride", ValueError, "conv2d: stride must be an integer >= 1, got 0"),
    (lambda: F.conv2d(X, W, stride=(1, -2)), "stride", ValueError, "conv2d: stride[1] must be an integer >= 1, got -2"),
    (
        lambda: F.conv2d(X, W, stride=(1, 1, 1)),
        "stride",
        TypeError,
        "conv2d: stride must be an int or a sequence of 2 ints",
    ),
    (lambda: F.conv2d(X, W, stride=1.5), "stride", TypeError, "conv2d: stride must be an int or a sequence of 2 ints"),
    (lambda: F.conv2d(X, W, padding=-1), "padding", ValueError, "conv2d: padding must be an integer >= 0, got -1"),
    (lambda: F.conv2d(X, W, padding="full"), "padding", ValueError, "conv2d: padding must be one of 'valid', 'same'"),
    (lambda: F.conv2d(X, W, padding="same", stride=2), "padding", ValueError, "padding='same' needs stride 1"),
    (lambda: F.conv2d(X, W, dilation=0), "dilation", ValueError, "conv2d: dilation must be an integer >= 1, got 0"),
    (lambda: F.conv2d(X, W, groups=0), "groups", ValueError, "conv2d: groups must be an integer >= 1, got 0"),
    (
        lambda: F.conv2d(ones(1, 3, 5, 5), ones(3, 1, 3, 3), groups=3.0),
        "groups",
        TypeError,
        "groups must be an integer",
    ),
    (
        lambda: F.conv2d(X, ones(3, 2, 3, 3), groups=2),
        "groups",
        ValueError,
        "groups=2 must divide the weight's 3 output channels",
    ),
    (
        lambda: F.conv2d(ones(1, 3, 5, 5), ones(2, 1, 3, 3), groups=2),
        "groups",
        ValueError,
        "groups=2 must divide the input's 3 channels",
    ),
    (
        lambda: F.conv2d(ones(4, 5, 5, 1, 1), W),
        "input",
        ValueError,
        "conv2d: input must be 3-D (C, *spatial) or 4-D (N, C, *spatial), got shape (4, 5, 5, 1, 1)",
    ),
    (lambda: F.conv2d(ones(5, 5), W), "input", ValueError, "conv2d: input must be 3-D"),
    (
        lambda: F.conv2d(X, ones(2, 4, 3)),
        "weight",
        ValueError,
        "conv2d: weight must be 4-D (C_out, C_in / groups, *kernel), got shape (2, 4, 3)",
    ),
    (
        lambda: F.conv2d(X, W, ones(3)),
        "bias",
        ValueError,
        "conv2d: bias must have shape (2,), one per output channel, got (3,)",
    ),
    (
        lambda: F.conv2d(X, Tensor(np.ones((2, 4, 3, 3), np.float32))),
        "dtype",
        TypeError,
        "conv2d: weight's dtype float32 differs from input's float64",
    ),
    (lambda: F.conv1d(ones(1, 2, 5), ones(3, 2, 3, 3)), "weight", ValueError, "conv1d: weight must be 3-D"),
    (lambda: F.conv1d(ones(1, 2, 2), ones(3, 2, 3)), "kernel", ValueError, "conv1d: kernel of size (3,)"),
    (lambda: F.conv1d(X, ones(3, 4, 3)), "input", ValueError, "conv1d: input must be 2-D (C, *spatial) or 3-D"),
    # max_pool2d, avg_pool2d, flatten
    (lambda: F.max_pool2d(X, 0), "kernel_size", ValueError, "max_pool2d: kernel_size must be an integer >= 1, got 0"),
    (
        lambda: F.max_pool2d(X, 6),
        "kernel_size",
        ValueError,
        "max_pool2d: kernel_size (6, 6) (dilation (1, 1)) is larger than the padded input",
    ),
    (lambda: F.max_pool2d(X, 2, stride=0), "stride", ValueError, "max_pool2d: stride must be an integer >= 1, got 0"),
    (
        lambda: F.max_pool2d(X, 3, padding=2),
        "padding",
        ValueError,
        "max_pool2d: padding=2 must be at most half of kernel_size=3",
    ),
    (lambda: F.max_pool2d(X, 2, padding=-1), "padding", ValueError, "max_pool2d: padding must be an integer >= 0"),
    (lambda: F.max_pool2d(X, 2, dilation=0), "dilation", ValueError, "max_pool2d: dilation must be an integer >= 1"),
    (
        lambda: F.max_pool2d(X, 2, ceil_mode=True),
        "ceil_mode",
        ValueError,
        "max_pool2d: ceil_mode=True is not supported",
    ),
    (lambda: F.max_pool2d(ones(5, 5), 2), "input", ValueError, "max_pool2d: input must be 3-D (C, *spatial) or 4-D"),
    (
        lambda: F.avg_pool2d(X, 2, padding=2),
        "padding",
        ValueError,
        "avg_pool2d: padding=2 must be at most half of kernel_size=2",
    ),
    (
        lambda: F.avg_pool2d(X, (2, 2, 2)),
        "kernel_size",
        TypeError,
        "avg_pool2d: kernel_size must be an int or a sequence of 2 ints",
    ),
    (
        lambda: F.avg_pool2d(X, 2, divisor_override=0),
        "divisor_override",
        ValueError,
        "avg_pool2d: divisor_override must be an integer >= 1",
    ),
    (
        lambda: F.avg_pool2d(X, 2, count_include_pad=None),
        "count_include_pad",
        ValueError,
        "avg_pool2d: count_include_pad must be one of",
    ),
    (
        lambda: F.flatten(X, 4),
        "start_dim",
        IndexError,
        "flatten: start_dim must be in [-4, 3] for an input of 4 dimensions, got 4",
    ),
    (lambda: F.flatten(X, 2, 1), "end_dim", ValueError, "flatten: start_dim 2 comes after end_dim 1"),
    (lambda: F.flatten(X, 1.0), "start_dim", TypeError, "flatten: start_dim must be an integer"),
    # the layers
    (lambda: nn.Conv2d(0, 2, 3), "in_channels", ValueError, "Conv2d: in_channels must be an integer >= 1, got 0"),
    (
        lambda: nn.Conv2d(2, 2.0, 3),
        "out_channels",
        TypeError,
        "Conv2d: out_channels must be an integer >= 1, got float 2.0",
    ),
    (lambda: nn.Conv2d(3, 4, 3, groups=2), "in_channels", ValueError, "Conv2d: groups=2 must divide in_channels=3"),
    (lambda: nn.Conv2d(4, 6, 3, groups=4), "out_channels", ValueError, "Conv2d: groups=4 must divide out_channels=6"),
    (
        lambda: nn.Conv2d(2, 2, (3, 0)),
        "kernel_size",
        ValueError,
        "Conv2d: kernel_size[1] must be an integer >= 1, got 0",
    ),
    (lambda: nn.Conv2d(2, 2, 3, stride=0), "stride", ValueError, "Conv2d: stride must be an integer >= 1, got 0"),
    (
        lambda: nn.Conv2d(2, 2, 3, padding="same", stride=2),
        "padding",
        ValueError,
        "Conv2d: padding='same' needs stride 1",
    ),
    (
        lambda: nn.Conv2d(2, 2, 3, padding_mode="reflect"),
        "padding_mode",
        ValueError,
        "Conv2d: padding_mode must be one of 'zeros'",
    ),
    (lambda: nn.Conv2d(2, 2, 3, bias=None), "bias", ValueError, "Conv2d: bias must be one of True, False"),
    (
        lambda: nn.Conv1d(2, 2, (3, 3)),
        "kernel_size",
        TypeError,
        "Conv1d: kernel_size must be an int or a sequence of 1 ints",
    ),
    (lambda: nn.Conv2d(4, 2, 3)(ones(1, 3, 5, 5)), "channels", ValueError, "expects 4 input channels"),
    (lambda: nn.MaxPool2d(0), "kernel_size", ValueError, "MaxPool2d: kernel_size must be an integer >= 1, got 0"),
    (lambda: nn.MaxPool2d(2, stride=-1), "stride", ValueError, "MaxPool2d: stride must be an integer >= 1, got -1"),
    (lambda: nn.MaxPool2d(2, ceil_mode=True), "ceil_mode", ValueError, "MaxPool2d: ceil_mode=True is not supported"),
    (lambda: nn.MaxPool2d(2, dilation=0), "dilation", ValueError, "MaxPool2d: dilation must be an integer >= 1"),
    (lambda: nn.AvgPool2d(2, padding=-1), "padding", ValueError, "AvgPool2d: padding must be an integer >= 0"),
    (
        lambda: nn.AvgPool2d(2, divisor_override=0),
        "divisor_override",
        ValueError,
        "AvgPool2d: divisor_override must be",
    ),
    (lambda: nn.Flatten(start_dim="1"), "start_dim", TypeError, "Flatten: start_dim must be an integer, got str '1'"),
]


@pytest.mark.parametrize(
    ("call", "argument", "error", "message"),
    ROWS,
    ids=[f"{row[3].split(':')[0]}-{row[1]}-{i}" for i, row in enumerate(ROWS)],
)
def test_a_bad_argument_is_refused_by_name(call, argument, error, message):
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value) and argument in str(caught.value)


def test_what_pytorch_refuses_minigrad_refuses():
    torch = pytest.importorskip("torch")
    calls = [
        lambda F: F.conv2d(ones_like(F, 1, 4, 5, 5), ones_like(F, 2, 3, 3, 3)),
        lambda F: F.conv2d(ones_like(F, 1, 4, 2, 2), ones_like(F, 2, 4, 3, 3)),
        lambda F: F.conv2d(ones_like(F, 1, 4, 5, 5), ones_like(F, 2, 4, 3, 3), stride=0),
        lambda F: F.conv2d(ones_like(F, 1, 4, 5, 5), ones_like(F, 3, 2, 3, 3), groups=2),
        lambda F: F.conv2d(ones_like(F, 1, 4, 5, 5, 1), ones_like(F, 2, 4, 3, 3)),
        lambda F: F.max_pool2d(ones_like(F, 1, 4, 5, 5), 3, padding=2),
        lambda F: F.max_pool2d(ones_like(F, 1, 4, 5, 5), 6),
        lambda F: F.avg_pool2d(ones_like(F, 1, 4, 5, 5), 2, padding=2),
    ]
    for call in calls:
        with pytest.raises(RuntimeError):
            call(torch.nn.functional)
        with pytest.raises((ValueError, TypeError)):
            call(F)


def ones_like(functional, *shape):
    """Ones of ``shape`` for the library ``functional`` belongs to (torch's or minigrad's)."""
    if functional is F:
        return ones(*shape)
    import torch

    return torch.ones(shape, dtype=torch.float64)
