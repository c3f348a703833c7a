"""Resizing images and sequences: `interpolate` (nearest, nearest-exact, linear, bilinear and
area modes), the sub-pixel rearrangements `pixel_shuffle`/`pixel_unshuffle`, and their layers
(`Upsample`, `PixelShuffle`, `PixelUnshuffle`).

Each interpolation is separable, one spatial dim at a time. Nearest modes pick input
positions (one `Index` per dim, whose backward sums a position's copies); linear modes
multiply by a constant (out, in) matrix of interpolation weights per dim (`MatMul`), two
non-zeros a row; area is adaptive average pooling. Source positions follow PyTorch:

    nearest:        src = min(⌊dst · s⌋, in − 1)             (computed in float32, as PyTorch)
    nearest-exact:  src = min(⌊(dst + ½) · s⌋, in − 1)
    linear:         src = (in − 1)/(out − 1) · dst           align_corners=True
                    src = max(s · (dst + ½) − ½, 0)           align_corners=False
                    out[dst] = (1 − λ) x[⌊src⌋] + λ x[min(⌊src⌋ + 1, in − 1)],  λ = src − ⌊src⌋

with s = 1/scale_factor when a scale factor is given (and not recomputed), in/out otherwise.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from ..tensor import Tensor, as_tensor
from .adaptive import adaptive_avg_pool2d
from .module import Module

MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
LINEAR_MODES = {"linear": 3, "bilinear": 4}


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial dims (all after the first two) of an (N, C, L) or (N, C, H, W) input
    to `size`, or by `scale_factor` (the output size is ⌊in · scale_factor⌋)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if input.ndim not in (3, 4, 5) or mode not in MODES.split(" | "):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: {MODES} (got {mode})")
    if mode in LINEAR_MODES and input.ndim != LINEAR_MODES[mode]:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {LINEAR_MODES[mode]}D input")
    if mode in ("bicubic", "trilinear", "lanczos") or input.ndim == 5:
        raise NotImplementedError(f"interpolate: mode {mode!r} and 5-D (volumetric) inputs are not implemented; "
                                  "nearest, nearest-exact, linear, bilinear and area are")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not implemented")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    in_sizes = input.shape[2:]
    out_sizes, scales = _output_sizes(in_sizes, size, scale_factor, bool(recompute_scale_factor) or mode == "area")
    if min(out_sizes) <= 0:
        names = "HW"[-len(in_sizes):] if len(in_sizes) <= 2 else "DHW"
        shown = lambda sizes: ", ".join(f"{n}: {s}" for n, s in zip(names, sizes))  # noqa: E731
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({shown(in_sizes)}) "
                           f"output ({shown(out_sizes)})")
    if mode == "area":
        if input.ndim == 3:
            return adaptive_avg_pool2d(input.unsqueeze(2), (1, out_sizes[0])).squeeze(2)
        return adaptive_avg_pool2d(input, tuple(out_sizes))
    out = input
    for k, (n_in, n_out, scale) in enumerate(zip(in_sizes, out_sizes, scales)):
        dim = 2 + k
        if mode in ("nearest", "nearest-exact"):
            positions = _nearest_positions(n_in, n_out, scale, exact=mode == "nearest-exact")
            out = out[(slice(None),) * dim + (positions,)]
        else:
            weights = as_tensor(_linear_weights(n_in, n_out, scale, align_corners).astype(input.dtype))
            out = (out.transpose(dim, -1) @ weights.T).transpose(dim, -1)
    return out


def _output_sizes(in_sizes: tuple[int, ...], size, scale_factor, recompute: bool
                  ) -> tuple[list[int], list[float | None]]:
    """The output sizes and, per dim, the scale factor the source positions use (None: in/out,
    which `recompute` forces; area mode always recomputes)."""
    dims = len(in_sizes)
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, Sequence):
            if len(size) != dims:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(in_sizes)} and output size of {size}. Please "
                                 "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 "(o1, o2, ...,oK) format.")
            sizes = [int(s) for s in size]
        else:
            sizes = [int(size)] * dims
        return sizes, [None] * dims
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, Sequence):
        if len(scale_factor) != dims:
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(in_sizes)} and scale_factor of shape {scale_factor}. "
                             "Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                             "(s1, s2, ...,sK) format.")
        factors = [float(f) for f in scale_factor]
    else:
        factors = [float(scale_factor)] * dims
    sizes = [math.floor(float(n) * f) for n, f in zip(in_sizes, factors)]
    return sizes, [None] * dims if recompute else factors


def _scale(n_in: int, n_out: int, scale_factor: float | None) -> float:
    return 1.0 / scale_factor if scale_factor is not None and scale_factor > 0 else n_in / n_out


def _nearest_positions(n_in: int, n_out: int, scale_factor: float | None, exact: bool) -> np.ndarray:
    if not exact and n_out == n_in:
        return np.arange(n_out)
    if not exact and n_out == 2 * n_in:
        return np.arange(n_out) // 2
    scale = np.float32(_scale(n_in, n_out, scale_factor))
    dst = np.arange(n_out, dtype=np.float32) + (np.float32(0.5) if exact else np.float32(0))
    return np.minimum(np.floor(dst * scale).astype(np.int64), n_in - 1)


def _linear_weights(n_in: int, n_out: int, scale_factor: float | None, align_corners: bool) -> np.ndarray:
    """The (out, in) matrix taking a sequence to its linear interpolation."""
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        src = np.maximum(_scale(n_in, n_out, scale_factor) * (dst + 0.5) - 0.5, 0.0)
    low = np.floor(src).astype(np.int64)
    high = np.where(low < n_in - 1, low + 1, low)
    weight = src - low
    weights = np.zeros((n_out, n_in))
    np.add.at(weights, (np.arange(n_out), low), 1 - weight)
    np.add.at(weights, (np.arange(n_out), high), weight)
    return weights


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of `interpolate`, with PyTorch's warning."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) → (*, C, H·r, W·r): out[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w]."""
    r = upscale_factor
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    *batch, channels, height, width = input.shape
    if channels % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={channels} is not divisible by {r * r}")
    b = len(batch)
    out = input.reshape(*batch, channels // (r * r), r, r, height, width)
    out = out.permute(*range(b), b, b + 3, b + 1, b + 4, b + 2)
    return out.reshape(*batch, channels // (r * r), height * r, width * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """The inverse of pixel_shuffle: (*, C, H·r, W·r) → (*, C·r², H, W)."""
    r = downscale_factor
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    *batch, channels, height, width = input.shape
    if height % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={height} is not divisible by {r}")
    if width % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={width} is not divisible by {r}")
    b = len(batch)
    out = input.reshape(*batch, channels, height // r, r, width // r, r)
    out = out.permute(*range(b), b, b + 2, b + 4, b + 1, b + 3)
    return out.reshape(*batch, channels * r * r, height // r, width // r)


class Upsample(Module):
    """`interpolate` with fixed options."""

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners, self.recompute_scale_factor = mode, align_corners, recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        shown = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return f"{shown}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Upsample with mode='nearest'."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Upsample with mode='bilinear' and align_corners=True."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """(*, C·r², H, W) → (*, C, H·r, W·r); see `pixel_shuffle`."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H·r, W·r) → (*, C·r², H, W); see `pixel_unshuffle`."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
