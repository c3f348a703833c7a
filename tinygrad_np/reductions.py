"""Scans, medians, counts, differences and pairwise distances, composed from Tensor ops.

`Tensor.cumprod`, `logcumsumexp`, `median`, `count_nonzero`, `diff` and the functions
`tg.var_mean`, `tg.std_mean` and `tg.cdist` live here; each gradient comes from the primitives
it is built of. The scans follow `cumsum` (Hillis-Steele: combine each running value with the
one `shift` places before it, shift = 1, 2, 4, ...), so a zero in `cumprod` gets the exact
gradient Π_{j≠i} of the products it is in, not out/x.
"""

from __future__ import annotations

import math
from numbers import Number

import numpy as np

from . import dtypes
from .linalg import vector_norm
from .shapes import normalize_dim, normalize_dims
from .tensor import Tensor, ValuesIndices, _floating, _slice_along, cat, where


def _scan(t: Tensor, dim: int, combine) -> Tensor:
    """out[i] = x[0] ∘ x[1] ∘ ... ∘ x[i] along `dim`, in ⌈log₂ n⌉ rounds of `combine`."""
    n, out, shift = t.shape[dim], t, 1
    while shift < n:
        head, tail = _slice_along(out, dim, 0, shift), _slice_along(out, dim, shift, n)
        out = cat([head, combine(tail, _slice_along(out, dim, 0, n - shift))], dim)
        shift *= 2
    return out if out is not t else t.clone()


def cumprod(t: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running products along `dim`; integer and bool inputs multiply in int64, as PyTorch."""
    t = t if dtype is None else t.to(dtype)
    if not dtypes.is_floating(t.dtype):
        t = t.astype(dtypes.int64)
    dim = normalize_dim(dim, t.ndim)
    return t.clone() if t.ndim == 0 else _scan(t, dim, lambda a, b: a * b)


def logcumsumexp(t: Tensor, dim: int) -> Tensor:
    """log Σ_{j≤i} e^(x[j]) along `dim`, each step log(e^(a−m) + e^(b−m)) + m with m = max(a, b)
    a constant (0 where infinite): no overflow, and a prefix far below the total keeps its value."""
    if not dtypes.is_floating(t._array.dtype):
        raise NotImplementedError(f'"logcumsumexp" is not implemented for {t._array.dtype} tensors')
    dim = normalize_dim(dim, t.ndim)
    return t.clone() if t.ndim == 0 else _scan(t, dim, _log_add_exp)


def _log_add_exp(a: Tensor, b: Tensor) -> Tensor:
    m = np.maximum(a._array, b._array)
    shift = Tensor._make(np.where(np.isfinite(m), m, 0).astype(a._array.dtype, copy=False), None)
    return ((a - shift).exp() + (b - shift).exp()).log() + shift


def median(t: Tensor, dim=None, keepdim: bool = False):
    """The lower median: of all entries (a tensor; the gradient split evenly among the entries
    equal to it, as PyTorch), or along `dim` ((values, indices); the gradient to that index).
    A NaN makes the median NaN (its first position along `dim`)."""
    if dim is None:
        flat = t.reshape(-1)
        if flat.shape[0] == 0:
            return Tensor._make(np.array(np.nan, dtype=_floating(t)._array.dtype), None)
        value = median(flat, 0).values
        hit = (flat == value) | (flat.isnan() & value.isnan())
        return where(hit, flat, _lowest(flat._array.dtype)).max()
    dim = normalize_dim(dim, t.ndim)
    if t.ndim == 0:
        return ValuesIndices(t.clone(), Tensor._make(np.zeros((), np.int64), None))
    array = t._array
    k = (array.shape[dim] - 1) // 2
    order = np.take(np.argsort(array, axis=dim, kind="stable"), [k], axis=dim)
    if array.dtype.kind == "f":
        nan = np.isnan(array)
        order = np.where(nan.any(axis=dim, keepdims=True), np.argmax(nan, axis=dim, keepdims=True), order)
    indices = Tensor._make(order.astype(np.int64, copy=False), None)
    values = t.gather(dim, indices)
    return ValuesIndices(values, indices) if keepdim else ValuesIndices(values.squeeze(dim), indices.squeeze(dim))


def _lowest(dtype: np.dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min if dtype.kind in "iu" else False


def count_nonzero(t: Tensor, dim=None) -> Tensor:
    """The number of non-zero entries over `dim` (an int, a tuple or None for all), int64; no graph."""
    axes = normalize_dims(dim, t.ndim)
    return Tensor._make(np.asarray(np.count_nonzero(t._array, axis=axes), dtype=np.int64), None)


def diff(t: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The n-th forward difference along `dim`, x[i+1] − x[i] (`!=` for bool), with `prepend` and
    `append` joined to x first."""
    if t.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = normalize_dim(dim, t.ndim)
    pieces = [p for p in (prepend, t, append) if p is not None]
    out = cat(pieces, dim) if len(pieces) > 1 else t
    for _ in range(n):
        size = out.shape[dim]
        later, earlier = _slice_along(out, dim, 1, max(size, 1)), _slice_along(out, dim, 0, max(size - 1, 0))
        out = later.logical_xor(earlier) if out.dtype == dtypes.bool_ else later - earlier
    return out


def var_mean(t: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *, correction=None):
    """(var, mean) over `dim`, with `var`'s arguments."""
    return t.var(dim, unbiased, keepdim, correction=correction), t.mean(_dims_of(dim), keepdim)


def std_mean(t: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *, correction=None):
    """(std, mean) over `dim`, with `std`'s arguments."""
    return t.std(dim, unbiased, keepdim, correction=correction), t.mean(_dims_of(dim), keepdim)


def _dims_of(dim):
    return None if isinstance(dim, bool) else dim  # a bool first argument is the legacy `unbiased`


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode=None) -> Tensor:
    """The p-norm distances between the rows of x1 (…, P, M) and of x2 (…, R, M): (…, P, R),
    batch dims broadcast. `linalg.vector_norm` of the differences, so the gradient is 0 where two
    points coincide, as PyTorch."""
    for name, x in (("X1", x1), ("X2", x2)):
        if not dtypes.is_floating(x._array.dtype):
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {x.dtype}")
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if not isinstance(p, Number) or p < 0 or math.isnan(p):
        raise RuntimeError("cdist only supports non-negative p values")
    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, dim=-1)
