"""MultiheadAttention: PyTorch's layer, parameter layout and masks, on scaled dot-product attention.

    MultiHead(Q, K, V) = Concat(head_1, …, head_h) W_O + b_O,
    head_i = softmax((Q W_Qi)(K W_Ki)ᵀ / √d + M) (V W_Vi),   d = embed_dim / num_heads.

The three input projections are one (3E, E) matrix `in_proj_weight` when key and value have
embed_dim features (a self-attention is then one matrix product), or `q_proj_weight`,
`k_proj_weight`, `v_proj_weight` when kdim or vdim differ; biases in `in_proj_bias`.

Masks follow PyTorch's module (the opposite convention to `scaled_dot_product_attention`): a
True in a boolean `attn_mask` (L, S) or (N·num_heads, L, S) or `key_padding_mask` (N, S)
*excludes* that key; float masks are added. Both become one additive mask. With
`need_weights=True` the softmax is taken as written, so a query whose keys are all excluded
gets NaN weights and output, as in PyTorch; without weights, scaled_dot_product_attention
gives that row 0 (also PyTorch's result there).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import dtypes
from ..tensor import Tensor, as_tensor, cat
from . import functional as F
from . import init
from .attention import scaled_dot_product_attention
from .factory import parameter_dtype
from .linear import Linear
from .module import Module
from .parameter import Parameter


class NonDynamicallyQuantizableLinear(Linear):
    """The output projection: a Linear under the name PyTorch prints for it."""


class MultiheadAttention(Module):
    """Attention from num_heads heads of embed_dim / num_heads features each, concatenated and
    projected (PyTorch's layout, initialisation and state-dict keys).

    Init: xavier_uniform_ on the input projections, zero biases, xavier_normal_ on `bias_k` and
    `bias_v`; `out_proj` keeps Linear's initialisation of its weight."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None, dtype=None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        dtype = parameter_dtype("MultiheadAttention", device, dtype)
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")

        def weight(*shape: int) -> Parameter:
            return Parameter(np.empty(shape, dtype=dtype))

        if self._qkv_same_embed_dim:
            self.in_proj_weight = weight(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = weight(embed_dim, embed_dim)
            self.k_proj_weight = weight(embed_dim, self.kdim)
            self.v_proj_weight = weight(embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        self.register_parameter("in_proj_bias", weight(3 * embed_dim) if bias else None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k, self.bias_v = weight(1, 1, embed_dim), weight(1, 1, embed_dim)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """(L, N, E) inputs ((N, L, E) with batch_first, (L, E) unbatched) to the output of the
        query's shape and, with need_weights, the attention weights (N, L, S), or
        (N, num_heads, L, S) when average_attn_weights is False."""
        batched = self._check_shapes(query, key, value, key_padding_mask, attn_mask)
        key_padding_mask = _additive("key_padding_mask", key_padding_mask, query.dtype, attn_mask)
        attn_mask = _additive("attn_mask", attn_mask, query.dtype)
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                               "method `generate_square_subsequent_mask` to create this mask.")
        causal = is_causal and key_padding_mask is None and not need_weights
        q, k, v = self._project(query, key, value, batched)
        batch, length, source = q.shape[0], q.shape[1], k.shape[1]
        if causal:
            attn_mask = None
        elif attn_mask is not None:
            attn_mask = self._shaped_attn_mask(attn_mask, batch, length, source)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0) if not batched else key_padding_mask
            if tuple(key_padding_mask.shape) != (batch, source):
                raise AssertionError(f"expecting key_padding_mask shape of {(batch, source)}, but got "
                                     f"{key_padding_mask.shape}")
        if self.bias_k is not None:
            k = cat([k, self.bias_k.expand(batch, 1, self.embed_dim)], 1)
            v = cat([v, self.bias_v.expand(batch, 1, self.embed_dim)], 1)
            attn_mask, key_padding_mask = _pad_key(attn_mask), _pad_key(key_padding_mask)
        q, k, v = (self._heads(t) for t in (q, k, v))
        if self.add_zero_attn:
            zeros = Tensor._make(np.zeros((batch, self.num_heads, 1, self.head_dim), k.dtype), None)
            k, v = cat([k, zeros], 2), cat([v, zeros], 2)
            attn_mask, key_padding_mask = _pad_key(attn_mask), _pad_key(key_padding_mask)
        if key_padding_mask is not None:
            padding = key_padding_mask.reshape(batch, 1, 1, key_padding_mask.shape[-1])
            attn_mask = padding if attn_mask is None else attn_mask + padding
        dropout = self.dropout if self.training else 0.0
        weights = None
        if need_weights:
            out, weights = _attention_with_weights(q, k, v, attn_mask, dropout)
            weights = weights.mean(1) if average_attn_weights else weights
            weights = weights if batched else weights.squeeze(0)
        else:
            out = scaled_dot_product_attention(q, k, v, attn_mask, dropout, is_causal=causal)
        out = self.out_proj(out.transpose(1, 2).reshape(batch, length, self.embed_dim))
        if not batched:
            return out.squeeze(0), weights
        return (out if self.batch_first else out.transpose(0, 1)), weights

    def _project(self, query: Tensor, key: Tensor, value: Tensor, batched: bool) -> tuple[Tensor, Tensor, Tensor]:
        """q (N, L, E), k and v (N, S, E): the inputs batch-first, projected. A self-attention
        (query, key and value one tensor) is one product with the packed weight."""
        self_attention = query is key and key is value
        if not batched:
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        elif not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        e = self.embed_dim
        biases = (None,) * 3 if self.in_proj_bias is None else \
            (self.in_proj_bias[:e], self.in_proj_bias[e:2 * e], self.in_proj_bias[2 * e:])
        if not self._qkv_same_embed_dim:
            return (F.linear(query, self.q_proj_weight, biases[0]), F.linear(key, self.k_proj_weight, biases[1]),
                    F.linear(value, self.v_proj_weight, biases[2]))
        if self_attention:
            return F.linear(query, self.in_proj_weight, self.in_proj_bias).chunk(3, -1)
        weights = self.in_proj_weight[:e], self.in_proj_weight[e:2 * e], self.in_proj_weight[2 * e:]
        return tuple(F.linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))

    def _heads(self, t: Tensor) -> Tensor:
        """(N, S, E) -> (N, num_heads, S, head_dim)."""
        return t.reshape(t.shape[0], t.shape[1], self.num_heads, self.head_dim).transpose(1, 2)

    def _shaped_attn_mask(self, mask: Tensor, batch: int, length: int, source: int) -> Tensor:
        if mask.ndim == 2:
            if tuple(mask.shape) != (length, source):
                raise RuntimeError(f"The shape of the 2D attn_mask is {mask.shape}, but should be {(length, source)}.")
            return mask
        if tuple(mask.shape) != (batch * self.num_heads, length, source):
            raise RuntimeError(f"The shape of the 3D attn_mask is {mask.shape}, but should be "
                               f"{(batch * self.num_heads, length, source)}.")
        return mask.reshape(batch, self.num_heads, length, source)

    def _check_shapes(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask, attn_mask) -> bool:
        """PyTorch's checks of the inputs' ranks and features; whether the input is batched."""
        if query.ndim not in (2, 3):
            raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D "
                                 "query tensor")
        batched = query.ndim == 3
        kind = "batched (3-D)" if batched else "unbatched (2-D)"
        if key.ndim != query.ndim or value.ndim != query.ndim:
            raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {query.ndim}-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and as_tensor(key_padding_mask).ndim != query.ndim - 1:
            raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
                                 f"{query.ndim - 1}-D but found {as_tensor(key_padding_mask).ndim}-D tensor instead")
        if attn_mask is not None:
            mask = as_tensor(attn_mask)
            if mask.ndim not in (2, 3):
                raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                     f"{mask.ndim}-D tensor instead")
            expected = (self.num_heads, query.shape[0], key.shape[0])
            if not batched and mask.ndim == 3 and tuple(mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {mask.shape}")
        if query.shape[-1] != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but got {query.shape[-1]}")
        if self._qkv_same_embed_dim and key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if not self._qkv_same_embed_dim:
            if key.shape[:-1] != value.shape[:-1]:
                raise AssertionError(f"key's sequence and batch dims {key.shape[:-1]} do not match value's "
                                     f"{value.shape[:-1]}")
            for name, x, features in (("key", key, self.kdim), ("value", value, self.vdim)):
                if x.shape[-1] != features:
                    raise AssertionError(f"expecting {name} weights shape of ({self.embed_dim}, {x.shape[-1]}), "
                                         f"but got ({self.embed_dim}, {features})")
        return batched


def _additive(name: str, mask, dtype: np.dtype, other=None) -> Tensor | None:
    """A boolean mask (True = excluded) as 0/−∞ in `dtype`; a float mask as it is."""
    if mask is None:
        return None
    mask = as_tensor(mask)
    if mask.dtype != dtypes.bool_ and not dtypes.is_floating(mask.dtype):
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if other is not None and as_tensor(other).dtype != mask.dtype:
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if mask.dtype == dtypes.bool_:
        return Tensor._make(np.where(mask._array, -np.inf, 0).astype(dtype), None)
    return mask


def _pad_key(mask: Tensor | None) -> Tensor | None:
    """The mask with a 0 (an included key) appended to its last dim."""
    return None if mask is None else F.pad(mask, (0, 1))


def _attention_with_weights(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None,
                            dropout: float) -> tuple[Tensor, Tensor]:
    """softmax(q kᵀ / √d + mask) v and the weights (after dropout, as PyTorch returns them);
    a row masked throughout is NaN, as PyTorch's."""
    scores = (q * (1 / math.sqrt(q.shape[-1]))) @ k.mT
    if mask is not None:
        if mask.dtype != scores.dtype:
            raise RuntimeError(f"MultiheadAttention: a float mask must have the query's dtype {scores.dtype}, got "
                               f"{mask.dtype}")
        scores = scores + mask
    with np.errstate(invalid="ignore"):  # 0/0 in a fully masked row: NaN, as PyTorch
        weights = scores.softmax(-1)
    weights = F.dropout(weights, dropout) if dropout > 0 else weights
    return weights @ v, weights

