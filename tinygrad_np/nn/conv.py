"""Conv1d, Conv2d and ConvTranspose2d: layers holding the kernels and bias of `F.conv1d`,
`F.conv2d` and `F.conv_transpose2d`."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from . import functional as F
from . import init
from .factory import parameter_dtype
from .module import Module
from .parameter import Parameter
from .transposed import output_padding_for

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What the convolutions share: the channel and group checks, the parameters (weight
    (out_channels, in_channels / groups, *kernel), or (in_channels, out_channels / groups,
    *kernel) when transposed; bias (out_channels,)) and PyTorch's default init, weight and
    bias ~ U(−1/√fan_in, 1/√fan_in) with fan_in = weight.shape[1] · kernel size
    (kaiming_uniform_ with a = √5)."""

    _dims: int

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, padding, dilation, groups: int,
                 bias: bool, padding_mode: str, device, dtype, transposed: bool = False) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(groups, int) or groups < 1 or in_channels % groups or out_channels % groups:
            raise ShapeError(f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) must be "
                             f"divisible by groups ({groups})")
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {PADDING_MODES}, but got padding_mode='{padding_mode}'")
        if transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        dtype = parameter_dtype(name, device, dtype)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride = self._tuple("kernel_size", kernel_size), self._tuple("stride", stride)
        self.padding = padding if isinstance(padding, str) else self._tuple("padding", padding)
        self.dilation = self._tuple("dilation", dilation)
        self.padding_mode = padding_mode
        self._mode_padding = self._pad_amounts(padding)
        shape = (in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(np.empty(shape + self.kernel_size, dtype=dtype))
        self.register_parameter("bias", Parameter(np.empty((out_channels,), dtype=dtype)) if bias else None)
        self.reset_parameters()

    def _tuple(self, name: str, value) -> tuple[int, ...]:
        """An int repeated once per spatial dim, or a tuple of that many ints."""
        found = (value,) * self._dims if isinstance(value, (int, np.integer)) else tuple(value)
        if len(found) != self._dims or not all(isinstance(v, (int, np.integer)) for v in found):
            raise ValueError(f"{type(self).__name__}: {name} must be an int or a tuple of {self._dims} ints, "
                             f"got {value!r}")
        return tuple(int(v) for v in found)

    def _pad_amounts(self, padding) -> tuple[int, ...]:
        """F.pad's (left, right, top, bottom) for a padding_mode other than zeros: the padding
        of each dim twice, last dim first; for 'same', d(k − 1) split with the odd one after."""
        if padding == "valid":
            return (0, 0) * self._dims
        if padding == "same":
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            return tuple(n for total in reversed(totals) for n in (total // 2, total - total // 2))
        return tuple(p for p in reversed(self.padding) for _ in range(2))

    def _padded(self, input: Tensor) -> tuple[Tensor, object]:
        """The input and the padding to convolve it with: padding_mode 'zeros' leaves both to the
        convolution; the others pad with F.pad first and convolve without padding, as PyTorch."""
        if self.padding_mode == "zeros":
            return input, self.padding
        return F.pad(input, self._mode_padding, self.padding_mode), 0

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * self._dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            text += f", dilation={self.dilation}"
        if getattr(self, "output_padding", (0,) * self._dims) != (0,) * self._dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _Conv(_ConvNd):
    """Conv1d and Conv2d: PyTorch's signature, and a forward through their functional form `_conv`."""

    _conv: Callable[..., Tensor]

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        input, padding = self._padded(input)
        return self._conv(input, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv1d(_Conv):
    """1-D convolution of (N, C, L) input: weight (out_channels, in_channels / groups, k)."""

    _dims = 1
    _conv = staticmethod(F.conv1d)


class Conv2d(_Conv):
    """2-D convolution of NCHW input: weight (out_channels, in_channels / groups, kH, kW)."""

    _dims = 2
    _conv = staticmethod(F.conv2d)


class ConvTranspose2d(_ConvNd):
    """The adjoint of Conv2d (its gradient with respect to the input), upsampling by `stride`:
    weight (in_channels, out_channels / groups, kH, kW), output size
    (H − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1. `output_padding` picks
    among the sizes a strided Conv2d maps to the same input size."""

    _dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros", device=None,
                 dtype=None) -> None:
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d: padding must be an int or a pair of ints, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype, transposed=True)
        self.output_padding = self._tuple("output_padding", output_padding)

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = output_padding_for(input, output_size, self.stride, self.padding, self.kernel_size,
                                                   self.dilation)
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                                  self.groups, self.dilation)
