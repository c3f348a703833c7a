"""torchvision's `utils`: `make_grid` lays a batch of images out in a grid, `save_image` writes
it as a PNG (`import tinygrad_np.data.utils as vutils; vutils.save_image(fake, "out.png",
normalize=True)`), with torchvision's arguments and rules. No PIL: the PNG encoder is
`tinygrad_np.data.png`, and PNG is the one format written."""

from __future__ import annotations

import math
import os
from typing import IO

import numpy as np

from ..atomic import atomic_write
from ..creation import full
from ..nn.spatial import pad
from ..tensor import Tensor, cat, stack
from .png import encode_png


def _as_batch(tensor: Tensor | list[Tensor]) -> Tensor:
    """The images as (N, C, H, W); a single image (H, W) or (C, H, W) is a batch of one, and
    one-channel images are repeated to three (RGB), as torchvision's."""
    if isinstance(tensor, list):
        for item in tensor:
            if not isinstance(item, Tensor):
                raise TypeError(f"tensor or list of tensors expected, got a list containing {type(item)}")
        tensor = stack(tensor, dim=0)
    elif not isinstance(tensor, Tensor):
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if tensor.ndim not in (2, 3, 4):
        raise ValueError(
            f"make_grid: expected images (H, W), (C, H, W) or (N, C, H, W), got shape {tuple(tensor.shape)}"
        )
    if tensor.ndim == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.ndim == 3:
        tensor = tensor.unsqueeze(0)
    if tensor.shape[1] == 1:
        tensor = cat([tensor, tensor, tensor], dim=1)
    return tensor


def _scaled(images: Tensor, low: float, high: float) -> Tensor:
    """Clamped to [low, high] and mapped linearly onto [0, 1]."""
    return (images.clamp(low, high) - low) / max(high - low, 1e-5)


def _normalized(images: Tensor, value_range: tuple[float, float] | None, scale_each: bool) -> Tensor:
    if value_range is not None and not isinstance(value_range, tuple):
        raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")

    def scale(part: Tensor) -> Tensor:
        if value_range is not None:
            return _scaled(part, value_range[0], value_range[1])
        return _scaled(part, float(part.min()), float(part.max()))

    if scale_each:
        return stack([scale(image) for image in images], dim=0)
    return scale(images)


def make_grid(
    tensor: Tensor | list[Tensor],
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: tuple[float, float] | None = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
) -> Tensor:
    """The images of `tensor` ((N, C, H, W), a list of (C, H, W), or one image) in one image
    (C, rows * (H + padding) + padding, nrow * (W + padding) + padding): `nrow` to a row (fewer
    if there are fewer images), separated and framed by `padding` pixels of `pad_value`;
    one-channel images become three-channel. A single image comes back alone, unpadded.

    With `normalize`, pixels are clamped to `value_range` (default: the images' min and max,
    each image's own with `scale_each`) and mapped onto [0, 1]. Made of Tensor ops, so
    differentiable, as torchvision's.
    """
    images = _as_batch(tensor)
    if normalize:
        images = _normalized(images, value_range, scale_each)
    if images.shape[0] == 1:
        return images[0]
    count, channels, height, width = images.shape
    columns = min(nrow, count)
    rows = math.ceil(count / columns)
    if rows * columns > count:
        blank = full((rows * columns - count, channels, height, width), pad_value, dtype=images.dtype)
        images = cat([images, blank], dim=0)
    cells = pad(images, (padding, 0, padding, 0), value=pad_value)  # each cell with its top and left border
    cell_height, cell_width = height + padding, width + padding
    grid = cells.reshape(rows, columns, channels, cell_height, cell_width).permute(2, 0, 3, 1, 4)
    grid = grid.reshape(channels, rows * cell_height, columns * cell_width)
    return pad(grid, (0, padding, 0, padding), value=pad_value)


def _is_png(fp: str | os.PathLike | IO[bytes], format: str | None) -> bool:
    if format is not None:
        return format.lower() == "png"
    name = os.fspath(fp) if isinstance(fp, (str, os.PathLike)) else getattr(fp, "name", "")
    return isinstance(name, str) and os.path.splitext(name)[1].lower() == ".png"


def save_image(
    tensor: Tensor | list[Tensor],
    fp: str | os.PathLike | IO[bytes],
    format: str | None = None,
    **kwargs,
) -> None:
    """Write `make_grid(tensor, **kwargs)` as a PNG to `fp` (a path, written atomically, or a
    binary file object). Pixels in [0, 1] become bytes as torchvision's: the grid * 255 + 0.5,
    clamped to [0, 255], truncated to uint8. The format is PNG: `format="png"`, or a name ending
    in `.png` when `format` is None; anything else raises ValueError."""
    if not _is_png(fp, format):
        shown = format if format is not None else (os.fspath(fp) if isinstance(fp, (str, os.PathLike)) else fp)
        raise ValueError(
            f"save_image writes PNG only (tinygrad_np has no PIL), got {shown!r}: give a name ending in .png "
            "or format='png'"
        )
    grid = make_grid(tensor, **kwargs).detach().numpy()
    scale = np.asarray(255, dtype=grid.dtype)
    pixels = np.clip(grid * scale + np.asarray(0.5, dtype=grid.dtype), 0, 255).astype(np.uint8)
    data = encode_png(np.ascontiguousarray(pixels.transpose(1, 2, 0)))
    if isinstance(fp, (str, os.PathLike)):
        with atomic_write(fp) as file:
            file.write(data)
    else:
        fp.write(data)
