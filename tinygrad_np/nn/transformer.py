"""TransformerEncoderLayer and TransformerEncoder, PyTorch's submodules and state-dict keys.

One layer is self-attention then a feed-forward block, each with dropout and a residual:

    post-norm (default):  x = norm1(x + SA(x)),        x = norm2(x + FF(x))
    norm_first:           x = x + SA(norm1(x)),        x = x + FF(norm2(x))
    FF(x) = linear2(dropout(activation(linear1(x)))).

PyTorch's inference fast paths (fused kernels, nested tensors) are not reproduced: every call
computes the formula above, so in eval mode under no_grad the encoder's outputs at padded
positions are these values, where PyTorch's nested-tensor path returns zeros.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from ..tensor import Tensor, as_tensor
from . import functional as F
from .containers import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .multihead_attention import MultiheadAttention
from .normalization import LayerNorm

_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block of width dim_feedforward, post- or pre-norm;
    `activation` is "relu", "gelu" or any callable (a Module becomes a submodule)."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Tensor], Tensor] = F.relu, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        options = dict(device=device, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            **options)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **options)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **options)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **options)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **options)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise RuntimeError(f"activation should be relu/gelu, not {activation}")
            activation = _ACTIVATIONS[activation]
        self.activation = activation

    def forward(self, src: Tensor, src_mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
                is_causal: bool = False) -> Tensor:
        """src (S, N, E) ((N, S, E) with batch_first, (S, E) unbatched); masks as
        MultiheadAttention's attn_mask and key_padding_mask, is_causal its hint."""
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x: Tensor, mask, key_padding_mask, is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(Module):
    """num_layers deep copies of encoder_layer (in `layers`), then an optional final `norm`.

    `enable_nested_tensor` and `mask_check` are accepted for PyTorch's signature; they only
    steer its inference fast path, which is not reproduced (see the module docstring)."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers, self.norm = num_layers, norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check

    def forward(self, src: Tensor, mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
                is_causal: bool | None = None) -> Tensor:
        """Each layer in turn with the same masks. With is_causal=None, a mask equal to the
        causal one (−∞ or True above the diagonal) is taken as causal, as PyTorch does."""
        if is_causal is None:
            batch_first = bool(self.layers) and self.layers[0].self_attn.batch_first
            length = src.shape[1] if src.ndim == 3 and batch_first else src.shape[0]
            is_causal = mask is not None and _is_causal_mask(as_tensor(mask), length)
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=is_causal)
        return output if self.norm is None else self.norm(output)


def _is_causal_mask(mask: Tensor, length: int) -> bool:
    """Whether the mask is the (L, L) causal one: True (bool) or −∞ (float) exactly above the
    diagonal, L the sequence length."""
    if tuple(mask.shape) != (length, length):
        return False
    above = np.triu(np.ones((length, length), dtype=bool), 1)
    if mask.dtype == np.bool_:
        return bool((mask._array == above).all())
    return bool((mask._array == np.where(above, -np.inf, 0)).all())
