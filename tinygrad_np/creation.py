"""Factories: new tensors filled with constants, ranges or random draws.

Sizes are given as PyTorch does: `zeros(2, 3)` or `zeros((2, 3))`. Float factories use the
default dtype; random ones draw from the library's generator, which `tg.manual_seed` seeds, or
from a `generator=` of their own. Every factory takes PyTorch's `device=` (the CPU is the only
one; any other raises) and `layout=` (only `tg.strided`); `empty`, `rand`, `randn` and
`randperm` also take `pin_memory=` (a no-op: there is no accelerator to copy to).
"""

from __future__ import annotations

import numpy as np

from . import dtypes
from .device import as_device
from .layout import check_layout, check_memory_format
from .random import numpy_generator
from .tensor import Tensor, as_tensor


def _size(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = tuple(int(n) for n in size)
    if any(n < 0 for n in shape):
        raise ValueError(f"sizes must be non-negative, got {shape}")
    return shape


def _float_dtype(dtype) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


def _new(array: np.ndarray, requires_grad: bool, device=None, layout=None) -> Tensor:
    """The factories' tensor: the fresh array wrapped as it is, on the (only) device."""
    as_device(device)
    check_layout(layout)
    made = as_tensor(array)
    return made.requires_grad_() if requires_grad else made


def zeros(*size, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(_size(size), _float_dtype(dtype)), requires_grad, device, layout)


def ones(*size, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(_size(size), _float_dtype(dtype)), requires_grad, device, layout)


def empty(*size, dtype=None, layout=None, device=None, requires_grad: bool = False, pin_memory: bool = False,
          memory_format=None) -> Tensor:
    check_memory_format(memory_format)
    return _new(np.empty(_size(size), _float_dtype(dtype)), requires_grad, device, layout)


def full(size, fill_value, *, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """Filled with `fill_value`; the dtype follows it (int64, bool or the default float) unless given."""
    dtype = dtypes.dtype_of_python(fill_value) if dtype is None else np.dtype(dtype)
    return _new(np.full(_size((size,)), fill_value, dtype), requires_grad, device, layout)


def arange(start, end=None, step=1, *, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """[start, end) in steps; int64 when every argument is an integer, else the default float."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if integral else dtypes.get_default_dtype()
    dtype = np.dtype(dtype)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype.kind == "f":  # computed in float64, then rounded: no drift from a float32 step
        return _new(np.arange(start, end, step, dtype=np.float64).astype(dtype), requires_grad, device, layout)
    return _new(np.arange(start, end, step, dtype=dtype), requires_grad, device, layout)


def linspace(start, end, steps: int, *, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    return _new(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad, device, layout)


def eye(n: int, m: int | None = None, *, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    return _new(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device, layout)


def _draw(sampler, size: tuple, dtype) -> np.ndarray:
    """NumPy samples float32 and float64 directly; narrower floats are rounded from float32."""
    dtype = _float_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"random floats need a floating point dtype, got {dtype}")
    native = dtype if dtype in (dtypes.float32, dtypes.float64) else dtypes.float32
    return sampler(_size(size), dtype=native).astype(dtype, copy=False)


def rand(*size, generator=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
         pin_memory: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    array = _draw(numpy_generator(generator, "rand").random, size, dtype)
    return _new(array, requires_grad, device, layout)


def randn(*size, generator=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
          pin_memory: bool = False) -> Tensor:
    """Standard normal."""
    array = _draw(numpy_generator(generator, "randn").standard_normal, size, dtype)
    return _new(array, requires_grad, device, layout)


def randint(*args, generator=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
            **kwargs) -> Tensor:
    """`randint(high, size)` or `randint(low, high, size)`: integers in [low, high), int64 unless `dtype`."""
    names = ("high", "size") if len(args) + len(kwargs) == 2 and "low" not in kwargs else ("low", "high", "size")
    bound = dict(zip(names, args), **kwargs)
    low, high, size = bound.get("low", 0), bound["high"], bound["size"]
    array = numpy_generator(generator, "randint").integers(low, high, size=_size((size,)), dtype=np.int64)
    return _new(array if dtype is None else array.astype(dtype), requires_grad, device, layout)


def randperm(n: int, *, generator=None, dtype=dtypes.int64, layout=None, device=None, requires_grad: bool = False,
             pin_memory: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1 (int64 unless `dtype`)."""
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    array = numpy_generator(generator, "randperm").permutation(n).astype(dtype)
    return _new(array, requires_grad, device, layout)


def _like(input: Tensor, dtype, memory_format) -> tuple[tuple[int, ...], np.dtype]:
    check_memory_format(memory_format)
    return input._array.shape, input._array.dtype if dtype is None else dtype


def zeros_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    shape, dtype = _like(input, dtype, memory_format)
    return zeros(shape, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    shape, dtype = _like(input, dtype, memory_format)
    return ones(shape, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    shape, dtype = _like(input, dtype, memory_format)
    return full(shape, fill_value, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    shape, dtype = _like(input, dtype, memory_format)
    return empty(shape, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def rand_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    shape, dtype = _like(input, dtype, memory_format)
    return rand(shape, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    shape, dtype = _like(input, dtype, memory_format)
    return randn(shape, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)
