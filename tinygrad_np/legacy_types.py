"""PyTorch's legacy typed constructors: `tg.FloatTensor(2, 3)`, `tg.LongTensor([1, 2])`.

Each is the legacy constructor `tg.Tensor(...)` with its dtype fixed: sizes give a zero-filled
tensor of that shape (PyTorch leaves it uninitialized), one sequence or array is converted to
the dtype, a tensor must already have it. What they make is a plain `Tensor`, as in PyTorch,
and `isinstance(t, tg.FloatTensor)` asks whether `t` is a float32 tensor. Their names are those
`t.type()` returns ('torch.FloatTensor'), and `t.type(tg.LongTensor)` converts (the class's
`dtype` attribute is what `np.dtype` reads).
"""

from __future__ import annotations

import numpy as np

from . import dtypes
from .device import as_device
from .tensor import Tensor


class LegacyTensorType(type):
    """The metaclass of `tg.FloatTensor` and friends: calling one constructs, and isinstance
    checks the dtype."""

    dtype: np.dtype

    def __call__(cls, *data, size=None, device=None) -> Tensor:
        as_device(device)
        if len(data) == 1 and isinstance(data[0], Tensor) and data[0].dtype != cls.dtype:
            raise TypeError(f"{cls.__name__}(): expected a tensor of dtype {cls.dtype} (got {data[0].dtype})")
        return Tensor(*data, size=size, dtype=cls.dtype)

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and instance.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'tinygrad_np.{cls.__name__}'>"


def _legacy_type(dtype: np.dtype, name: str) -> LegacyTensorType:
    doc = f"`{name}(*sizes)` or `{name}(data)`: the legacy constructor of {dtype} tensors."
    return LegacyTensorType(name, (), {"dtype": dtype, "__doc__": doc, "__module__": "tinygrad_np"})


FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor = (
    _legacy_type(dtype, dtypes.TYPE_NAMES[dtype])
    for dtype in (dtypes.float32, dtypes.float64, dtypes.float16, dtypes.int64, dtypes.int32, dtypes.int16,
                  dtypes.int8, dtypes.uint8, dtypes.bool_)
)
