"""Convolution and pooling of (N, C, L) sequences: the 2-D ones over images of height 1.

A length-L signal is a 1×L image, a kernel of size k a 1×k kernel, so `conv1d`,
`max_pool1d` and `avg_pool1d` unsqueeze a height dim, call their 2-D forms (whose gradients
of any order come from the primitives) and squeeze it again. Sizes follow PyTorch:
oL = (L + 2p − d(k − 1) − 1) // s + 1.
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from .spatial import _avg_pool2d, _conv2d, _max_pool2d


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """out[n, o, t] = b[o] + Σ_{c in o's group, i} w[o, c, i] · x[n, c, t·s + i·d], input (N, C_in, L)
    or (C_in, L), weight (C_out, C_in / groups, k). `padding` is an int, 'valid' or 'same'."""
    _check_sequence("conv1d", input)
    if weight.ndim != 3:
        raise ShapeError(f"conv1d: weight must be 3-D (out_channels, in_channels/groups, k), got shape {weight.shape}")
    padding = padding if isinstance(padding, str) else (0, _single("padding", padding))
    out = _conv2d("conv1d", input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, _single("stride", stride)),
                  padding, (1, _single("dilation", dilation)), groups)
    return out.squeeze(-2)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """The maximum of each window (padding counts as −inf); the gradient goes to each window's
    first maximum. With return_indices, also each maximum's position along L."""
    _check_sequence("max_pool1d", input)
    kernel = _single("kernel_size", kernel_size)
    stride = kernel if stride is None or stride == () else _single("stride", stride)
    found = _max_pool2d("max_pool1d", input.unsqueeze(-2), (1, kernel), (1, stride),
                        (0, _single("padding", padding)), (1, _single("dilation", dilation)), ceil_mode,
                        return_indices)
    if return_indices:
        return found[0].squeeze(-2), found[1].squeeze(-2)
    return found.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """The mean of each window (zero padding); count_include_pad=False divides by the number of
    the window's elements inside the input."""
    _check_sequence("avg_pool1d", input)
    kernel = _single("kernel_size", kernel_size)
    stride = kernel if stride is None or stride == () else _single("stride", stride)
    out = _avg_pool2d("avg_pool1d", input.unsqueeze(-2), (1, kernel), (1, stride), (0, _single("padding", padding)),
                      ceil_mode, count_include_pad, None)
    return out.squeeze(-2)


def _check_sequence(name: str, input: Tensor) -> None:
    if input.ndim not in (2, 3):
        raise ShapeError(f"{name}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape {input.shape}")


def _single(name: str, value) -> int:
    """An int, or a tuple of one int, as PyTorch's 1-d arguments."""
    found = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(found) != 1 or not isinstance(found[0], (int, np.integer)):
        raise ValueError(f"{name} must be an int or a tuple of one int, got {value!r}")
    return int(found[0])
