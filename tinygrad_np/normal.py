"""`tg.normal`: draws from N(mean, std²) in PyTorch's four forms.

- `normal(mean, std)` with tensors (broadcast together), `normal(mean_tensor, std=1.0)` and
  `normal(mean_number, std_tensor)`: one draw per element, in the tensors' dtype;
- `normal(mean, std, size)` with numbers: a tensor of `size`, of `dtype` (the default float
  dtype unless given), with `device=` and `requires_grad=` as the factories take them.

Draws come from `generator` (a `tg.Generator`), else from the library's generator
(`tg.manual_seed`). As in PyTorch, the result is in the graph of tensor arguments that
require grad with a zero gradient (no reparameterization: use `mean + std * tg.randn(...)`
for that).
"""

from __future__ import annotations

from numbers import Number

import numpy as np

from . import dtypes
from .device import as_device
from .layout import check_layout
from .random import numpy_generator
from .shapes import broadcast_shape, shape_arg
from .tensor import Tensor, as_tensor, where


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, layout=None, device=None,
           pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """Draws from N(mean, std²): elementwise for tensor arguments, else `size` of them."""
    as_device(device)
    check_layout(layout)
    rng = numpy_generator(generator, "normal")
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        return _numbers(mean, std, size, rng, dtype, requires_grad)
    if size is not None or dtype is not None or requires_grad:
        raise TypeError("normal(): with a tensor mean or std, size=, dtype= and requires_grad= are not taken "
                        "(the tensors give the shape and dtype)")
    for name, value in (("mean", mean), ("std", std)):
        if isinstance(value, Tensor) and not dtypes.is_floating(value.dtype):
            raise NotImplementedError(f'"normal" is not implemented for {value.dtype} tensors ({name})')
    like = mean if isinstance(mean, Tensor) else std
    mean, std = (value if isinstance(value, Tensor) else as_tensor(value, like.dtype) for value in (mean, std))
    if (std._array < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    shape = broadcast_shape("normal", mean.shape, std.shape)
    values = (mean._array + std._array * rng.standard_normal(shape)).astype(dtypes.result_dtype(mean._array,
                                                                                                std._array))
    drawn = Tensor._make(values, None)
    if not (mean.requires_grad or std.requires_grad):
        return drawn
    return where(Tensor._make(np.ones(shape, dtype=bool), None), drawn, mean + std)  # zero gradient to both


def _numbers(mean, std, size, rng: np.random.Generator, dtype, requires_grad: bool) -> Tensor:
    for name, value in (("mean", mean), ("std", std)):
        if isinstance(value, bool) or not isinstance(value, Number):
            raise TypeError(f"normal(): argument '{name}' must be a number or a Tensor, not {type(value).__name__}")
    if size is None:
        raise TypeError("normal(): with a number mean and std, give the size: normal(mean, std, size)")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
    if not dtypes.is_floating(dtype):
        raise NotImplementedError(f'"normal" is not implemented for {dtype}')
    drawn = Tensor._make(rng.normal(mean, std, shape_arg((size,))).astype(dtype), None)
    return drawn.requires_grad_() if requires_grad else drawn
