"""Adaptive pooling: pool an image to a given output size, whatever its input size.

Along a dim of size n pooled to m, output i covers PyTorch's bin
    [floor(i·n/m), ceil((i + 1)·n/m)),
so bins tile the input when m divides n and overlap by a pixel or so otherwise (and repeat
pixels when m > n). The mean is two matrix products with constant averaging matrices,
A_h · x · A_wᵀ with A[i, bin i] = 1/|bin i|; the maximum gathers each bin's pixels (bins
shorter than the longest repeat their last pixel, which changes no maximum) and keeps the
first maximum of each bin, in row-major order, as PyTorch, so the gradient goes there alone.
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor, as_tensor, where
from .spatial import _batched, _first_maximum, max_pool2d


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """The mean of each bin; input (N, C, H, W) or (C, H, W), output (..., *output_size)."""
    out_h, out_w = _output_size("adaptive_avg_pool2d", input, output_size)
    x, unbatched = _batched("adaptive_avg_pool2d", input)
    height, width = x.shape[-2:]
    rows = _averaging_matrix(height, out_h, x.dtype)
    cols = _averaging_matrix(width, out_w, x.dtype)
    out = as_tensor(rows) @ x @ as_tensor(cols.T)
    return out.squeeze(0) if unbatched else out


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """The maximum of each bin; with return_indices, also its index into the flattened H·W input."""
    out_h, out_w = _output_size("adaptive_max_pool2d", input, output_size)
    x, unbatched = _batched("adaptive_max_pool2d", input)
    height, width = x.shape[-2:]
    if out_h and out_w and height % out_h == 0 and width % out_w == 0:  # bins tile the input
        return max_pool2d(input, (height // out_h, width // out_w), return_indices=return_indices)
    rows, cols = _bin_members(height, out_h), _bin_members(width, out_w)
    batch, channels = x.shape[:2]
    gathered = x[:, :, rows[:, :, None, None], cols[None, None, :, :]]  # (N, C, oH, kH, oW, kW)
    windows = gathered.permute(0, 1, 3, 5, 2, 4).reshape(batch, channels, rows.shape[1] * cols.shape[1], out_h, out_w)
    first = _first_maximum(windows._array)
    values = where(as_tensor(first), windows, 0.0).sum(2)
    if unbatched:
        values = values.squeeze(0)
    if not return_indices:
        return values
    position = np.argmax(first, axis=2)  # (N, C, oH, oW)
    offset_h, offset_w = np.divmod(position, cols.shape[1])
    indices = rows[np.arange(out_h)[:, None], offset_h] * width + cols[np.arange(out_w), offset_w]
    return values, as_tensor(indices[0] if unbatched else indices)


def _output_size(name: str, input: Tensor, output_size) -> tuple[int, int]:
    """(oH, oW) from an int or a pair whose None entries keep the input's size."""
    if input.ndim not in (3, 4):
        raise ShapeError(f"{name}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {input.shape}")
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2:
        raise ValueError(f"{name}: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(input.shape[-2 + k] if n is None else n for k, n in enumerate(sizes))
    if not all(isinstance(n, (int, np.integer)) and n >= 0 for n in sizes):
        raise ValueError(f"{name}: elements of output_size must be non-negative ints or None, got {output_size!r}")
    return int(sizes[0]), int(sizes[1])


def _bins(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's bin bounds: start = floor(i·size/out), end = ceil((i + 1)·size/out)."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _averaging_matrix(size: int, out: int, dtype) -> np.ndarray:
    """A (out, size) matrix whose row i averages bin i."""
    start, end = _bins(size, out)
    member = (np.arange(size) >= start[:, None]) & (np.arange(size) < end[:, None])
    return (member / (end - start)[:, None]).astype(dtype)


def _bin_members(size: int, out: int) -> np.ndarray:
    """(out, longest bin) indices of each bin's pixels, short bins padded with their last pixel."""
    start, end = _bins(size, out)
    longest = int((end - start).max()) if out else 1
    return np.minimum(start[:, None] + np.arange(longest), end[:, None] - 1)
