"""Grids of coordinates and indices: `meshgrid`, `tril_indices`, `triu_indices` and `logspace`.

`meshgrid` is composed of `reshape` and `expand`, so its outputs are views in the graph and the
gradient of each is summed back onto its input; the others are factories of constants.
"""

from __future__ import annotations

import warnings

import numpy as np

from .creation import _float_dtype, _new
from .tensor import Tensor


def meshgrid(*tensors, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 0-d or 1-D tensors of one dtype (or one list of them): with
    "ij" the i-th output varies along dim i; with "xy" the first two dims are swapped. Without
    `indexing`, "ij" with PyTorch's warning that it will become required."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a {t.ndim}D one")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    swap = indexing == "xy" and len(tensors) >= 2
    order = [1, 0, *range(2, len(tensors))] if swap else list(range(len(tensors)))
    sizes = [tensors[i].numel() for i in order]
    grids = []
    for position, i in enumerate(order):
        shape = [1] * len(tensors)
        shape[position] = sizes[position]
        grids.append(tensors[i].reshape(shape).expand(*sizes))
    return tuple(grids[order.index(i)] for i in range(len(tensors)))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=np.int64, device=None, layout=None) -> Tensor:
    """The (2, N) row and column indices of the lower triangle of a row × col matrix (on and below
    diagonal `offset`), in row-major order."""
    return _triangle_indices(np.tril_indices, row, col, offset, dtype, device, layout)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=np.int64, device=None, layout=None) -> Tensor:
    """As `tril_indices`, for the upper triangle (on and above diagonal `offset`)."""
    return _triangle_indices(np.triu_indices, row, col, offset, dtype, device, layout)


def _triangle_indices(indices, row: int, col: int, offset: int, dtype, device, layout) -> Tensor:
    for name, n in (("row", row), ("col", col)):
        if n < 0:
            raise RuntimeError(f"{name} must be non-negative, got{n}")
    return _new(np.stack(indices(row, offset, col)).astype(dtype), False, device, layout)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps), computed in float64 and converted to `dtype` (the
    default float dtype if None)."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    values = np.power(float(base), np.linspace(float(start), float(end), steps))
    return _new(values.astype(_float_dtype(dtype)), requires_grad, device, layout)
