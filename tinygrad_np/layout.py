"""Layouts and memory formats: tinygrad_np has one of each, NumPy's dense strided arrays.

PyTorch factories take `layout=torch.strided` and conversions `memory_format=`; scripts pass
them explicitly now and then. `tg.strided`, `tg.contiguous_format` and `tg.preserve_format`
are accepted there (and None); PyTorch's sparse layouts and channels-last formats do not exist
here, and anything else raises instead of being ignored.
"""

from __future__ import annotations


class layout:
    """How a tensor's elements are stored: only `strided` (dense arrays with strides)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"tinygrad_np.{self.name}"


class memory_format:
    """The order of a dense tensor's elements in memory: `contiguous_format` (C order) or
    `preserve_format` (whatever the source had)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"tinygrad_np.{self.name}"


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")


def check_layout(value) -> None:
    """A `layout=` argument: None or `strided`."""
    if value is not None and value is not strided:
        raise ValueError(f"tinygrad_np has only the strided layout (dense NumPy arrays), got {value!r}")


def check_memory_format(value, allowed: tuple = (contiguous_format, preserve_format)) -> None:
    """A `memory_format=` argument: None or one of `allowed`."""
    if value is not None and not any(value is fmt for fmt in allowed):
        raise ValueError(f"memory_format must be one of {', '.join(map(repr, allowed))}, got {value!r}")
