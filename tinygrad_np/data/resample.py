"""Image resampling for `transforms.Resize`: separable, one axis at a time, as PIL and torchvision.

Along an axis of n_in pixels resized to n_out, output pixel i is a weighted mean of the input
pixels j near its centre c = (i + 0.5) * s, s = n_in / n_out (half-pixel centres):

    w_ij ∝ triangle((j + 0.5 - c) / f),  triangle(x) = max(0, 1 - |x|),  f = max(s, 1) with
    antialias else 1,

over the window j in [int(c - f + 0.5), int(c + f + 0.5)) cut to [0, n_in), the weights of a
row summing to 1. Upscaling (f = 1) this is plain bilinear interpolation, edge pixels repeated;
downscaling with antialias the triangle widens to cover s input pixels, so every input pixel
counts (no aliasing), as PIL's BILINEAR filter and `interpolate(..., antialias=True)`.

Float images are resized as `W_h @ image @ W_w^T` with Tensor ops (differentiable). uint8
images are resized as PIL resizes them: weights in fixed point with 22 fractional bits, the
horizontal pass first, each pass rounded back to uint8.
"""

from __future__ import annotations

import functools

import numpy as np

PRECISION_BITS = 22  # PIL's for 8-bit images: 32 - 8 - 2


@functools.lru_cache(maxsize=64)
def bilinear_weights(n_in: int, n_out: int, antialias: bool) -> np.ndarray:
    """The (n_out, n_in) matrix of the weights above, in float64; each row sums to 1 (cached:
    do not write to it)."""
    scale = n_in / n_out
    support = max(scale, 1.0) if antialias else 1.0
    centres = (np.arange(n_out) + 0.5) * scale
    first = np.maximum((centres - support + 0.5).astype(np.int64), 0)
    stop = np.minimum((centres + support + 0.5).astype(np.int64), n_in)
    j = np.arange(n_in)
    inside = (j >= first[:, None]) & (j < stop[:, None])
    weights = np.where(inside, np.maximum(0.0, 1.0 - np.abs((j + 0.5 - centres[:, None]) / support)), 0.0)
    return weights / weights.sum(axis=1, keepdims=True)


@functools.lru_cache(maxsize=64)
def nearest_weights(n_in: int, n_out: int, rule: str) -> np.ndarray:
    """The (n_out, n_in) 0/1 matrix picking, for output pixel i, input pixel

    - "floor": floor(i * s), s in float32 (PyTorch's 'nearest', torchvision's NEAREST on tensors);
    - "exact": floor((i + 0.5) * s), s in float32 (PyTorch's 'nearest-exact');
    - "pil": int(c_i) with c_0 = s / 2, c_(i+1) = c_i + s summed in float64 (PIL's NEAREST,
      whose running sum may fall just below an integer the product would reach).
    """
    scale = np.float32(n_in / n_out)
    if rule == "pil":
        steps = np.full(n_out, n_in / n_out)
        steps[0] /= 2
        picked = np.cumsum(steps).astype(np.int64)
    else:
        offset = np.float32(0.5 if rule == "exact" else 0.0)
        picked = np.floor((np.arange(n_out, dtype=np.float32) + offset) * scale).astype(np.int64)
    picked = np.minimum(picked, n_in - 1)
    return (np.arange(n_in) == picked[:, None]).astype(np.float64)


def resample_uint8(image: np.ndarray, axis: int, weights: np.ndarray) -> np.ndarray:
    """uint8 `image` resampled along `axis` with `weights` (n_out, n_in), in PIL's fixed point:
    out = clip(floor((sum_j round(w_ij * 2^22) p_j + 2^21) / 2^22), 0, 255). The sums are of
    integers below 2^53, so float64 (a BLAS product) computes them exactly."""
    fixed = np.floor(weights * (1 << PRECISION_BITS) + 0.5)
    total = np.tensordot(image.astype(np.float64), fixed, axes=([axis], [1]))  # the new axis last
    total += 1 << (PRECISION_BITS - 1)
    total *= 1.0 / (1 << PRECISION_BITS)  # a power of 2: exact
    np.floor(total, out=total)
    np.clip(total, 0, 255, out=total)
    return np.moveaxis(total.astype(np.uint8), -1, axis)
