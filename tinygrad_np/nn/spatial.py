"""Padding, convolution and pooling of NCHW images, composed from Tensor ops.

Each slides a window over the last two dims with the `Unfold` primitive (a strided view:
no copy and no loop over pixels), then reduces every window: a matrix product with the
kernels for `conv2d` (im2col: one (C·kH·kW, N·oH·oW) matrix per group), the maximum for
`max_pool2d`, the mean for `avg_pool2d`. Their gradients, and their gradients' gradients,
come from Unfold, Reshape, Permute, MatMul and the reductions. `nn.functional` exports these.
Sizes follow PyTorch: oH = (H + 2p − d(k − 1) − 1) // s + 1.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ShapeError
from ..ops.movement import IndexAdd, Unfold
from ..tensor import Tensor, as_tensor, where


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad with `value` (0 if None); `pad` holds (before, after) pairs from the last dim
    backwards, as PyTorch's (left, right, top, bottom, ...). Negative amounts crop. The modes
    'reflect', 'replicate' and 'circular' fill with the input's own values instead (see
    `_index_pad`)."""
    if mode != "constant":
        return _index_pad(input, pad, mode, value)
    value = 0.0 if value is None else value
    amounts = tuple(int(p) for p in pad)
    if len(amounts) % 2:
        raise ValueError(f"pad: padding length must be divisible by 2, got {len(amounts)} values")
    if len(amounts) // 2 > input.ndim:
        raise ValueError(f"pad: {len(amounts)} values pad {len(amounts) // 2} dims, but the input has {input.ndim}")
    crop, widths = [slice(None)] * input.ndim, [(0, 0)] * input.ndim
    for k in range(len(amounts) // 2):
        dim, (before, after) = input.ndim - 1 - k, amounts[2 * k:2 * k + 2]
        size = input.shape[dim] + before + after
        if size < 0:
            raise ShapeError(f"pad: dim {dim} of size {input.shape[dim]} padded by ({before}, {after}) "
                             f"would have size {size}")
        crop[dim] = slice(max(-before, 0), input.shape[dim] - max(-after, 0))
        widths[dim] = (max(before, 0), max(after, 0))
    cropped = input[tuple(crop)] if any(c != slice(None) for c in crop) else input
    if not any(before or after for before, after in widths):
        return cropped
    shape = tuple(n + before + after for n, (before, after) in zip(cropped.shape, widths))
    inside = tuple(slice(before, before + n) for n, (before, _) in zip(cropped.shape, widths))
    out = IndexAdd.apply(cropped, shape=shape, key=inside, basic=True)
    if value == 0:
        return out
    mask = np.zeros(shape, dtype=bool)
    mask[inside] = True
    return where(as_tensor(mask), out, value)


def _index_pad(input: Tensor, pad, mode: str, value: float | None) -> Tensor:
    """Pad the last 1, 2 or 3 dims by picking input positions: along a dim of size n, output
    position i (from −before to n + after − 1) reads
        reflect: |i| mirrored at n − 1 (the edge itself not repeated; amounts below n)
        replicate: i clamped to [0, n − 1]
        circular: i mod n (amounts at most n)
    One `Index` per dim; its backward sums the gradient of repeated positions."""
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    amounts = tuple(int(p) for p in pad)
    if len(amounts) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    dims = len(amounts) // 2
    if dims not in (1, 2, 3) or input.ndim not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"Padding size {len(amounts)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    out = input
    for k in range(dims):
        dim, (before, after) = input.ndim - 1 - k, amounts[2 * k:2 * k + 2]
        n = input.shape[dim]
        if mode == "reflect" and (before >= n or after >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({before}, {after}) at dimension {dim} of input {list(input.shape)}")
        if mode == "circular" and (before > n or after > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n == 0:
            raise RuntimeError(f"pad: mode {mode!r} cannot pad dimension {dim} of input {list(input.shape)}: it is "
                               "empty")
        positions = np.arange(-before, n + after)
        if mode == "reflect":
            positions = np.abs(positions)
            positions = np.where(positions > n - 1, 2 * (n - 1) - positions, positions)
        elif mode == "replicate":
            positions = np.clip(positions, 0, n - 1)
        else:
            positions = positions % n
        out = out[(slice(None),) * dim + (positions,)]
    return out


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """out[n, o] = b[o] + Σ_{c in o's group, i, j} w[o, c, i, j] · x[n, c, y·s + i·d, x·s + j·d],
    input (N, C_in, H, W) or (C_in, H, W), weight (C_out, C_in / groups, kH, kW). `padding` is
    an int, a pair, 'valid' or 'same' (stride 1; the odd extra row/column goes after, as
    PyTorch)."""
    return _conv2d("conv2d", input, weight, bias, stride, padding, dilation, groups)


def _conv2d(name: str, input: Tensor, weight: Tensor, bias: Tensor | None, stride, padding, dilation,
            groups: int) -> Tensor:
    x, unbatched = _batched(name, input)
    if weight.ndim != 4:
        raise ShapeError(f"{name}: weight must be 4-D (out_channels, in_channels/groups, kH, kW), "
                         f"got shape {weight.shape}")
    channels_out, channels_per_group, kernel_h, kernel_w = weight.shape
    if not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{name}: groups must be a positive integer, got {groups!r}")
    if channels_out % groups:
        raise ShapeError(f"{name}: {channels_out} output channels are not divisible by groups={groups}")
    if x.shape[1] != channels_per_group * groups:
        raise ShapeError(f"{name}: the input has {x.shape[1]} channels (shape {input.shape}), but the weight of "
                         f"shape {weight.shape} with groups={groups} expects {channels_per_group * groups}")
    stride, dilation = _pair("stride", stride), _pair("dilation", dilation)
    x = pad(x, _conv_padding(name, padding, (kernel_h, kernel_w), stride, dilation))
    windows = _windows(name, x, (kernel_h, kernel_w), stride, dilation, padding)
    batch, out_h, out_w = x.shape[0], windows.shape[-2], windows.shape[-1]
    # im2col with the pixels last: each row of a (C·kH·kW, N·oH·oW) matrix is copied from whole
    # image rows (4x faster than pixels first, with the channels and kernel offsets innermost)
    columns = (windows.reshape(batch, groups, channels_per_group, kernel_h, kernel_w, out_h, out_w)
               .permute(1, 2, 3, 4, 0, 5, 6)
               .reshape(groups, channels_per_group * kernel_h * kernel_w, batch * out_h * out_w))
    kernels = weight.reshape(groups, channels_out // groups, channels_per_group * kernel_h * kernel_w)
    out = (kernels @ columns).reshape(channels_out, batch, out_h, out_w).permute(1, 0, 2, 3)
    if bias is not None:
        out = out + bias.reshape(channels_out, 1, 1)
    return out.squeeze(0) if unbatched else out


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """The maximum of each window (padding counts as −inf). The gradient goes to the first
    maximum of a window in row-major order, as PyTorch's; with return_indices, also each
    maximum's index into the flattened H·W input."""
    return _max_pool2d("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _max_pool2d(name: str, input: Tensor, kernel_size, stride, padding, dilation, ceil_mode: bool,
                return_indices: bool):
    _no_ceil_mode(name, ceil_mode)
    x, unbatched = _batched(name, input)
    kernel, dilation = _pair("kernel_size", kernel_size), _pair("dilation", dilation)
    stride = kernel if stride is None or stride == () else _pair("stride", stride)
    padding = _pool_padding(name, padding, kernel, dilation)
    padded = pad(x, (padding[1], padding[1], padding[0], padding[0]), value=-math.inf)
    windows = _windows(name, padded, kernel, stride, dilation, padding)
    batch, channels, _, _, out_h, out_w = windows.shape
    flat = windows.reshape(batch, channels, kernel[0] * kernel[1], out_h, out_w)
    first = _first_maximum(flat._array)
    values = where(as_tensor(first), flat, 0.0).sum(2)  # a mask, not a gather: no scatter in the backward
    if unbatched:
        values = values.squeeze(0)
    if not return_indices:
        return values
    position = np.argmax(first, axis=2)[0] if unbatched else np.argmax(first, axis=2)
    offset_h, offset_w = np.divmod(position, kernel[1])
    rows = np.arange(out_h)[:, None] * stride[0] - padding[0] + offset_h * dilation[0]
    cols = np.arange(out_w)[None, :] * stride[1] - padding[1] + offset_w * dilation[1]
    return values, as_tensor(rows * x.shape[-1] + cols)


def _first_maximum(flat: np.ndarray) -> np.ndarray:
    """A mask of each window's first maximum along axis 2 (row-major order in the window), or
    of its first NaN, which is its maximum, as in PyTorch. A loop over the kH·kW window
    positions: np.argmax along that strided axis is ~10x slower."""
    maximum = flat.max(axis=2, keepdims=True)
    hit = flat == maximum
    if np.isnan(maximum).any():
        hit |= np.isnan(flat)
    seen = hit[:, :, 0].copy()
    for position in range(1, flat.shape[2]):
        hit[:, :, position] &= ~seen
        seen |= hit[:, :, position]
    return hit


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each window (zero padding). count_include_pad=False divides by the number of
    the window's elements inside the input; divisor_override divides by that number instead."""
    return _avg_pool2d("avg_pool2d", input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


def _avg_pool2d(name: str, input: Tensor, kernel_size, stride, padding, ceil_mode: bool, count_include_pad: bool,
                divisor_override: int | None) -> Tensor:
    _no_ceil_mode(name, ceil_mode)
    x, unbatched = _batched(name, input)
    kernel = _pair("kernel_size", kernel_size)
    stride = kernel if stride is None or stride == () else _pair("stride", stride)
    padding = _pool_padding(name, padding, kernel, (1, 1))
    padded = pad(x, (padding[1], padding[1], padding[0], padding[0]))
    sums = _windows(name, padded, kernel, stride, (1, 1), padding).sum((2, 3))
    if divisor_override is not None:
        if not divisor_override:
            raise ValueError(f"{name}: divisor_override must not be zero")
        out = sums / divisor_override
    elif count_include_pad or padding == (0, 0):
        out = sums / (kernel[0] * kernel[1])
    else:
        inside = np.pad(np.ones(x.shape[-2:]), ((padding[0],) * 2, (padding[1],) * 2))
        counts = Unfold.apply(as_tensor(inside), kernel=kernel, stride=stride, dilation=(1, 1))._array.sum((0, 1))
        out = sums / counts.astype(sums.dtype)
    return out.squeeze(0) if unbatched else out


def _batched(name: str, input: Tensor) -> tuple[Tensor, bool]:
    """(N, C, H, W), and whether the input was one unbatched (C, H, W) image."""
    if input.ndim not in (3, 4):
        raise ShapeError(f"{name}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {input.shape}")
    return (input.unsqueeze(0), True) if input.ndim == 3 else (input, False)


def _pair(name: str, value) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) for v in pair):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def _conv_padding(name: str, padding, kernel: tuple, stride: tuple, dilation: tuple) -> tuple[int, int, int, int]:
    """F.pad's (left, right, top, bottom) for conv2d's `padding`."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        if stride != (1, 1):
            raise ValueError(f"{name}: padding='same' is not supported for strided convolutions")
        total_h, total_w = (d * (k - 1) for d, k in zip(dilation, kernel))
        return (total_w // 2, total_w - total_w // 2, total_h // 2, total_h - total_h // 2)
    if isinstance(padding, str):
        raise ValueError(f"{name}: padding must be 'valid', 'same', an int or a pair, got {padding!r}")
    pad_h, pad_w = _pair("padding", padding)
    if pad_h < 0 or pad_w < 0:
        raise ValueError(f"{name}: negative padding {padding!r}")
    return (pad_w, pad_w, pad_h, pad_h)


def _pool_padding(name: str, padding, kernel: tuple, dilation: tuple) -> tuple[int, int]:
    padding = _pair("padding", padding)
    for p, k, d in zip(padding, kernel, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise ValueError(f"{name}: pad should be at most half of effective kernel size, but got "
                             f"pad={padding}, kernel_size={kernel} and dilation={dilation}")
    return padding


def _no_ceil_mode(name: str, ceil_mode: bool) -> None:
    if ceil_mode:
        raise NotImplementedError(f"{name}: ceil_mode=True is not implemented (output sizes round down)")


def _windows(name: str, x: Tensor, kernel: tuple, stride: tuple, dilation: tuple, padding) -> Tensor:
    """Unfold, after checking that the (dilated) kernel fits in the padded input."""
    for n, k, s, d, what in zip(x.shape[-2:], kernel, stride, dilation, ("height", "width")):
        if s < 1 or d < 1 or k < 1:
            raise ValueError(f"{name}: kernel_size, stride and dilation must be positive, got kernel {kernel}, "
                             f"stride {stride}, dilation {dilation}")
        if n < d * (k - 1) + 1:
            raise ShapeError(f"{name}: the padded input's {what} is {n} (padding {padding}), smaller than the "
                             f"kernel's {d * (k - 1) + 1} (kernel {kernel}, dilation {dilation})")
    return Unfold.apply(x, kernel=kernel, stride=stride, dilation=dilation)
