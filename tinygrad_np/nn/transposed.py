"""Transposed convolution (`conv_transpose2d`): the adjoint of conv2d, composed from Tensor ops.

conv2d gathers every window of its input (im2col) and multiplies by the kernels; its adjoint
multiplies by the transposed kernels and scatters each window back (col2im), adding where
windows overlap:

    piece_ij[o, n, y, x] = Σ_{c in o's group} w[c, o, i, j] · x[n, c, y, x]
    full[n, o, y·s + i·d, x·s + j·d] += piece_ij[o, n, y, x]

then `padding` is cropped from each side and `output_padding` zeros added at the end.

Each kernel offset (i, j) is one matrix product and one strided `IndexAdd`, whose gradient is
a strided slice, so gradients of any order come from the primitives. The products do exactly
the multiplications needed: conv2d over a zero-stuffed input would multiply the zeros too and,
for a DCGAN generator's last layer, build a 1 GB im2col matrix at batch 64. One product per
offset, rather than one for all offsets sliced afterwards, keeps the backward from scattering
each slice's gradient into a zero array of the whole product's size (a DCGAN generator's
forward and backward at batch 64: ~4.5 s per offset against ~6.4 s sliced, on one loaded core).
"""

from __future__ import annotations

from ..errors import ShapeError
from ..ops.movement import IndexAdd
from ..tensor import Tensor
from .spatial import _batched, _pair, pad


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Input (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out / groups, kH, kW); output
    (N, C_out, (H − 1)·s − 2p + d·(kH − 1) + output_padding + 1, likewise for W)."""
    x, unbatched = _batched("conv_transpose2d", input)
    if weight.ndim != 4:
        raise ShapeError(f"conv_transpose2d: weight must be 4-D (in_channels, out_channels/groups, kH, kW), "
                         f"got shape {weight.shape}")
    if not isinstance(groups, int) or groups < 1:
        raise ValueError(f"conv_transpose2d: groups must be a positive integer, got {groups!r}")
    channels_in, channels_per_group, kernel_h, kernel_w = weight.shape
    if channels_in % groups:
        raise ShapeError(f"conv_transpose2d: the weight's {channels_in} input channels are not divisible by "
                         f"groups={groups}")
    if x.shape[1] != channels_in:
        raise ShapeError(f"conv_transpose2d: the input has {x.shape[1]} channels (shape {input.shape}), but the "
                         f"weight of shape {weight.shape} expects {channels_in}")
    stride, dilation = _pair("stride", stride), _pair("dilation", dilation)
    padding, output_padding = _pair("padding", padding), _pair("output_padding", output_padding)
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0 or min(output_padding) < 0:
        raise ValueError(f"conv_transpose2d: stride and dilation must be positive, padding and output_padding "
                         f"non-negative, got stride={stride}, dilation={dilation}, padding={padding}, "
                         f"output_padding={output_padding}")
    for extra, s, d in zip(output_padding, stride, dilation):
        if extra >= s and extra >= d:
            raise ValueError(f"conv_transpose2d: output padding must be smaller than either stride or dilation, "
                             f"got output_padding={output_padding}, stride={stride}, dilation={dilation}")
    batch, _, height, width = x.shape
    full_h = (height - 1) * stride[0] + dilation[0] * (kernel_h - 1) + 1
    full_w = (width - 1) * stride[1] + dilation[1] * (kernel_w - 1) + 1
    out_h, out_w = full_h - 2 * padding[0] + output_padding[0], full_w - 2 * padding[1] + output_padding[1]
    if out_h < 1 or out_w < 1:
        raise ShapeError(f"conv_transpose2d: an input of size {height}x{width} gives an output of size "
                         f"{out_h}x{out_w} (padding {padding}): too small")
    channels_out = channels_per_group * groups
    rows = x.reshape(batch, groups, channels_in // groups, height * width).permute(1, 2, 0, 3)
    rows = rows.reshape(groups, channels_in // groups, batch * height * width)
    # one (groups, C_out/g, C_in/g) stack of kernel matrices per offset, C-contiguous for BLAS
    offsets = (weight.reshape(groups, channels_in // groups, channels_per_group, kernel_h * kernel_w)
               .permute(3, 0, 2, 1).contiguous())
    full = None
    for i in range(kernel_h):
        ys = slice(i * dilation[0], i * dilation[0] + (height - 1) * stride[0] + 1, stride[0])
        for j in range(kernel_w):
            xs = slice(j * dilation[1], j * dilation[1] + (width - 1) * stride[1] + 1, stride[1])
            piece = (offsets[i * kernel_w + j] @ rows).reshape(channels_out, batch, height, width)
            placed = IndexAdd.apply(piece, shape=(channels_out, batch, full_h, full_w),
                                    key=(slice(None), slice(None), ys, xs), basic=True)
            full = placed if full is None else full + placed
    out = pad(full.permute(1, 0, 2, 3), (-padding[1], output_padding[1] - padding[1],
                                         -padding[0], output_padding[0] - padding[0]))
    if bias is not None:
        out = out + bias.reshape(channels_out, 1, 1)
    return out.squeeze(0) if unbatched else out


def output_padding_for(input: Tensor, output_size, stride: tuple, padding: tuple, kernel: tuple,
                       dilation: tuple) -> tuple[int, int]:
    """The output_padding that makes ConvTranspose2d's output `output_size` ((H, W), optionally
    after the batch and channel dims), checked to lie among the sizes a stride allows."""
    size = tuple(int(n) for n in output_size)[-2:]
    smallest = tuple((n - 1) * s - 2 * p + d * (k - 1) + 1
                     for n, s, p, k, d in zip(input.shape[-2:], stride, padding, kernel, dilation))
    largest = tuple(low + s - 1 for low, s in zip(smallest, stride))
    if len(size) != 2 or any(not low <= n <= high for n, low, high in zip(size, smallest, largest)):
        raise ValueError(f"requested an output size of {list(size)}, but valid sizes range from {list(smallest)} "
                         f"to {list(largest)} (for an input of {tuple(input.shape[-2:])})")
    return size[0] - smallest[0], size[1] - smallest[1]
