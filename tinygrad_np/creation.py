"""Factories: new tensors filled with constants, ranges or random draws.

Sizes are given as PyTorch does: `zeros(2, 3)` or `zeros((2, 3))`. Float factories use the
default dtype; random ones draw from the generator that `tg.manual_seed` seeds.
"""

from __future__ import annotations

import numpy as np

from . import dtypes
from .random import default_generator
from .tensor import Tensor, tensor


def _size(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = tuple(int(n) for n in size)
    if any(n < 0 for n in shape):
        raise ValueError(f"sizes must be non-negative, got {shape}")
    return shape


def _float_dtype(dtype) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    return tensor(array, requires_grad=requires_grad)


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(_size(size), _float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(_size(size), _float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(np.empty(_size(size), _float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """Filled with `fill_value`; the dtype follows it (int64, bool or the default float) unless given."""
    dtype = dtypes.dtype_of_python(fill_value) if dtype is None else np.dtype(dtype)
    return _new(np.full(_size((size,)), fill_value, dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """[start, end) in steps; int64 when every argument is an integer, else the default float."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if integral else dtypes.get_default_dtype()
    dtype = np.dtype(dtype)
    if dtype.kind == "f":  # computed in float64, then rounded: no drift from a float32 step
        return _new(np.arange(start, end, step, dtype=np.float64).astype(dtype), requires_grad)
    return _new(np.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def _draw(sampler, size: tuple, dtype) -> np.ndarray:
    """NumPy samples float32 and float64 directly; narrower floats are rounded from float32."""
    dtype = _float_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"random floats need a floating point dtype, got {dtype}")
    native = dtype if dtype in (dtypes.float32, dtypes.float64) else dtypes.float32
    return sampler(_size(size), dtype=native).astype(dtype, copy=False)


def rand(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    return _new(_draw(default_generator().random, size, dtype), requires_grad)


def randn(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    return _new(_draw(default_generator().standard_normal, size, dtype), requires_grad)


def randint(*args, dtype=None, requires_grad: bool = False, **kwargs) -> Tensor:
    """`randint(high, size)` or `randint(low, high, size)`: integers in [low, high)."""
    names = ("high", "size") if len(args) + len(kwargs) == 2 and "low" not in kwargs else ("low", "high", "size")
    bound = dict(zip(names, args), **kwargs)
    low, high, size = bound.get("low", 0), bound["high"], bound["size"]
    array = default_generator().integers(low, high, size=_size((size,)), dtype=np.int64)
    return _new(array if dtype is None else array.astype(dtype), requires_grad)


def zeros_like(input: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return zeros(input.shape, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)


def ones_like(input: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return ones(input.shape, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    return full(input.shape, fill_value, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)


def empty_like(input: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return empty(input.shape, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)


def rand_like(input: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return rand(input.shape, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return randn(input.shape, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)
