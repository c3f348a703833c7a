"""Index and count results: `nonzero`, `argwhere`, `unique`, `bincount` and `histc`.

Each answers with positions or counts (int64, or the input's float dtype for `histc` and the
weights' for `bincount`), computed by NumPy outside the graph, as PyTorch's have no gradient.
"""

from __future__ import annotations

import numpy as np

from . import dtypes
from .shapes import normalize_dim
from .tensor import Tensor


def _indices(array: np.ndarray) -> Tensor:
    return Tensor._make(np.asarray(array, dtype=np.int64), None)


def nonzero(t: Tensor, *, as_tuple: bool = False):
    """The positions of the non-zero entries: an (N, ndim) int64 tensor in row-major order, or
    with `as_tuple` one 1-D tensor per dim (a 0-d input counts as 1-D)."""
    if as_tuple:
        return tuple(_indices(i) for i in np.nonzero(np.atleast_1d(t._array)))
    return _indices(np.argwhere(t._array))


def unique(t: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
           dim: int | None = None):
    """The distinct values (of the flattened tensor, or the distinct slices along `dim`), sorted
    (as PyTorch on the CPU, whatever `sorted` says); each NaN counts as distinct. With
    `return_inverse`, where each entry (or slice) went; with `return_counts`, how often each occurs."""
    axis = None if dim is None else normalize_dim(dim, t.ndim)
    values, inverse, counts = np.unique(t._array, return_inverse=True, return_counts=True, axis=axis,
                                        equal_nan=False)
    out = [Tensor._make(values, None)]
    if return_inverse:
        out.append(_indices(inverse.reshape(t._array.shape if axis is None else -1)))
    if return_counts:
        out.append(_indices(counts))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(t: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ..., max occurs in a 1-D tensor of non-negative integers (at
    least `minlength` bins): int64, or the weights summed per value (float32 weights stay float32,
    any other become float64, as PyTorch)."""
    array = t._array
    if dtypes.is_floating(array.dtype):
        raise NotImplementedError(f'"bincount" is not implemented for {array.dtype} tensors')
    if array.ndim != 1 or array.dtype == dtypes.bool_ or (array.size and array.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return _indices(np.bincount(array, minlength=minlength))
    if weights.shape != t.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dtype = weights._array.dtype if weights._array.dtype == dtypes.float32 else dtypes.float64
    return Tensor._make(np.bincount(array, weights._array.astype(np.float64), minlength).astype(dtype), None)


def histc(t: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Counts of the entries in `bins` equal-width bins over [min, max] (the data's own range when
    min == max, widened by 1 on each side if that is one point); entries outside (and NaN) are
    left out, max falls in the last bin. The input's float dtype."""
    array = t._array
    if not dtypes.is_floating(array.dtype):
        raise NotImplementedError(f'"histc" is not implemented for {array.dtype} tensors')
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins}")
    low, high = float(min), float(max)
    if low == high and array.size:
        low, high = float(array.min()), float(array.max())
    if low == high:
        low, high = low - 1, high + 1
    if not (np.isfinite(low) and np.isfinite(high)):
        raise RuntimeError(f"torch.histc: range of [{low}, {high}] is not finite")
    if low > high:
        raise RuntimeError("torch.histc: max must be larger than min")
    values = array[(array >= low) & (array <= high)]
    positions = ((values - low) * bins / (high - low)).astype(np.int64)
    return Tensor._make(np.bincount(np.minimum(positions, bins - 1), minlength=bins).astype(array.dtype), None)
