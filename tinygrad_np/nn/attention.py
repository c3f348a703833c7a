"""Scaled dot-product attention, composed from Tensor ops.

    attention(Q, K, V) = softmax(Q Kᵀ · scale + M) V,   scale = 1/√E by default,

with Q of shape (..., L, E), K (..., S, E), V (..., S, Ev) and M an additive mask of shape
(L, S) broadcast over the leading dims. PyTorch's masks are read the same way: a boolean mask
keeps the positions where it is True (M = 0 there, −∞ elsewhere), a float mask is M itself, and
`is_causal` lets query i see keys 0..i (the lower triangle aligned top-left, for any L and S).
A row whose mask removes every key would be 0/0 in the softmax; as PyTorch 2.x, its weights
are exactly 0 (so its output is 0 and no gradient flows through it).

The hot path (a causal mask, no other) is six nodes: q · scale, Kᵀ (a view), their product, the
added mask (cached per (L, S, dtype)), the softmax and the product with V. Adding a 0/−∞ mask
costs less than a `masked_fill`: its backward passes the gradient on unchanged.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .. import dtypes
from ..errors import ShapeError
from ..shapes import broadcast_shape
from ..tensor import Tensor, as_tensor
from . import functional as F


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(q kᵀ · scale + mask) v over the last two dims, batch dims broadcast.

    `dropout_p` drops attention weights (scaling the rest by 1/(1 − p)) whenever it is positive,
    as PyTorch's function (which has no training flag); `enable_gqa` lets key and value have
    fewer heads (dim −3) than the query, each shared by a run of consecutive query heads."""
    _check_inputs(query, key, value, dropout_p)
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if enable_gqa:
        key, value = _shared_heads(query, key), _shared_heads(query, value)
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query * scale) @ key.mT
    dead = None
    if is_causal:
        scores = scores + _causal_mask(query.shape[-2], key.shape[-2], scores.dtype)
    elif attn_mask is not None:
        additive, dead = _additive_mask(as_tensor(attn_mask), scores)
        scores = scores + additive
    weights = scores.softmax(-1)
    if dead is not None:
        weights = weights.masked_fill(Tensor._make(dead, None), 0.0)
    if dropout_p > 0:
        weights = F.dropout(weights, dropout_p)
    return weights @ value


def _check_inputs(query: Tensor, key: Tensor, value: Tensor, dropout_p: float) -> None:
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be at least 2 dimensional, but got query.dim: "
                           f"{query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead.")
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} instead.")
    if not dtypes.is_floating(query.dtype):
        raise RuntimeError(f"scaled_dot_product_attention: expected floating point query, key and value, got "
                           f"{query.dtype}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ShapeError(f"scaled_dot_product_attention: query (..., L, E), key (..., S, E) and value (..., S, Ev) "
                         f"do not fit: got shapes {list(query.shape)}, {list(key.shape)} and {list(value.shape)}")
    if dropout_p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")


def _shared_heads(query: Tensor, kv: Tensor) -> Tensor:
    """kv with each of its heads (dim −3) repeated for its run of query heads."""
    if query.ndim < 3 or kv.ndim < 3:
        ndim = min(query.ndim, kv.ndim)
        raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got -3)")
    heads, shared = query.shape[-3], kv.shape[-3]
    if heads % shared:
        raise RuntimeError("Number of heads in key and value must divide the number of heads in query")
    if heads == shared:
        return kv
    *batch, _, length, features = kv.shape
    return kv.unsqueeze(-3).expand(*batch, shared, heads // shared, length, features).reshape(
        *batch, heads, length, features)


@functools.lru_cache(maxsize=32)
def _causal_mask(length: int, source: int, dtype: np.dtype) -> np.ndarray:
    """0 on and below the diagonal, −∞ above: query i sees keys 0..i (read-only, shared)."""
    mask = np.where(np.tri(length, source, dtype=bool), 0, -np.inf).astype(dtype)
    mask.flags.writeable = False
    return mask


def _additive_mask(mask: Tensor, scores: Tensor) -> tuple[Tensor | np.ndarray, np.ndarray | None]:
    """The mask as a term added to the scores, and the rows it empties (None if none): those
    rows get a 0 term instead (a finite softmax, zeroed afterwards)."""
    if mask.dtype != dtypes.bool_ and mask.dtype != scores.dtype:
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {mask.dtype} and query.dtype: {scores.dtype} instead.")
    if broadcast_shape("scaled_dot_product_attention", mask.shape, scores.shape) != scores.shape:
        raise RuntimeError(f"scaled_dot_product_attention: the attn_mask of shape {list(mask.shape)} does not "
                           f"broadcast to the attention scores' shape {list(scores.shape)}")
    if mask.dtype == dtypes.bool_:
        keep = mask._array
        dead = ~keep.any(-1, keepdims=True)
        return np.where(keep | dead, 0, -np.inf).astype(scores.dtype), dead if dead.any() else None
    dead = np.isneginf(mask._array).all(-1, keepdims=True)
    if not dead.any():
        return mask, None
    return mask.masked_fill(Tensor._make(np.broadcast_to(dead, mask.shape), None), 0.0), dead
