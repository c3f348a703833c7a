"""Padding layers: each holds its (left, right[, top, bottom]) amounts and calls `F.pad`."""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module


class _PadNd(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = (padding,) * (2 * self.dims) if isinstance(padding, int) else tuple(padding)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """The last dim padded with `value`: (left, right), or one int for both."""


class ConstantPad2d(_ConstantPadNd):
    """The last two dims padded with `value`: (left, right, top, bottom), or one int for all."""

    dims = 2


class ZeroPad1d(ConstantPad1d):
    """ConstantPad1d with 0."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """ConstantPad2d with 0."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """The last dim padded with its mirror image, the edge not repeated: (a b c) → (c b | a b c | b a)."""

    mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """The last two dims padded with their mirror images (amounts below the sizes)."""

    dims = 2


class ReplicationPad1d(_PadNd):
    """The last dim padded by repeating its edge values."""

    mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """The last two dims padded by repeating their edge values."""

    dims = 2
