"""Cases and plain NumPy references for attention and the transformer layers
(F.scaled_dot_product_attention, nn.MultiheadAttention, nn.TransformerEncoderLayer,
nn.TransformerEncoder), shared by nn_registry.py (gradcheck, gradgradcheck, forward values),
test_nn_attention.py and test_nn_transformer.py.

A layer case's arrays are the inputs, then the parameters in `named_parameters()` order; its
keyword arguments are the layer's options and the masks (constants). Sizes stay tiny:
gradgradcheck differentiates every parameter twice.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_registry import Case
from strategies import arrays, broadcastable_into

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

ENCODER_EPS = 0.1
"""The norms' eps in the encoder cases: near-constant features make a norm with eps 1e-5 steep
(slope up to 1/√eps), and two in a row turn finite differences into noise."""


def numpy_gelu(x):
    return 0.5 * x * (1 + np.vectorize(math.erf, otypes=[float])(x / math.sqrt(2)))


# --------------------------------------------------------------------- scaled_dot_product_attention


def additive_mask(mask):
    """A boolean mask as an additive one: 0 where True, −∞ where False."""
    return np.where(mask, 0.0, -np.inf) if mask.dtype == bool else mask


def numpy_attention_weights(scores):
    """softmax along the last dim; a row that is −∞ throughout gets 0 weights."""
    top = scores.max(-1, keepdims=True)
    e = np.exp(scores - np.where(np.isfinite(top), top, 0.0))
    total = e.sum(-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def numpy_attention(q, k, v, float_mask=None, *, bool_mask=None, is_causal=False, scale=None, enable_gqa=False):
    """softmax(q kᵀ · scale + mask) v, one formula for every mask kind."""
    if enable_gqa:
        k, v = (np.repeat(t, q.shape[-3] // t.shape[-3], axis=-3) for t in (k, v))
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ np.swapaxes(k, -1, -2) * scale
    if is_causal:
        scores = scores + additive_mask(np.tri(q.shape[-2], k.shape[-2], dtype=bool))
    for mask in (float_mask, bool_mask):
        if mask is not None:
            scores = scores + additive_mask(mask)
    return numpy_attention_weights(scores) @ v


def f_attention(q, k, v, float_mask=None, *, bool_mask=None, **kw):
    mask = float_mask if float_mask is not None else None if bool_mask is None else tg.tensor(bool_mask)
    return F.scaled_dot_product_attention(q, k, v, mask, **kw)


@st.composite
def attention_cases(draw):
    """q (*batch, L, E), k (*batch', S, E) and v (*batch', S, Ev), batch' broadcasting to batch;
    a mask: none, causal (L ≠ S too), boolean (a row may keep no key) or additive (an input, so
    differentiated); a scale or the default; or grouped heads (4 query heads, 1 or 2 for k, v)."""
    kind = draw(st.sampled_from(["none", "causal", "bool", "float", "gqa"]))
    length, source, features, value_features = (draw(st.integers(1, 3)) for _ in range(4))
    if kind == "gqa":
        batch = (draw(st.integers(1, 2)), 4)
        kv_batch = (batch[0], draw(st.sampled_from([1, 2])))
        length, source, features, value_features = (min(n, 2) for n in (length, source, features, value_features))
    else:
        batch = draw(st.sampled_from([(), (2,), (2, 1), (1, 2)]))
        kv_batch = draw(broadcastable_into(batch))
    found = [draw(arrays(batch + (length, features))), draw(arrays(kv_batch + (source, features))),
             draw(arrays(kv_batch + (source, value_features)))]
    options = {"scale": draw(st.none() | st.floats(0.1, 2.0))}
    mask_shape = draw(broadcastable_into(batch + (length, source)))
    if kind == "causal":
        options["is_causal"] = True
    elif kind == "bool":
        options["bool_mask"] = draw(hnp.arrays(np.bool_, mask_shape))
    elif kind == "float":
        found.append(draw(arrays(mask_shape)))
    elif kind == "gqa":
        options["enable_gqa"] = True
    return Case(tuple(found), options)


# --------------------------------------------------------------------- MultiheadAttention


def mha_arrays(draw, module, *input_shapes):
    """The inputs and, in named_parameters() order, values for the module's parameters."""
    return tuple(draw(arrays(shape, -2, 2)) for shape in input_shapes) + \
        tuple(draw(arrays(tuple(p.shape), -1, 1)) for p in module.parameters())


def keeping_a_key(draw, shape, flip: bool = False):
    """A random boolean mask whose last dim keeps key 0 (True = keep, or = exclude with flip):
    no query is left without keys."""
    mask = draw(hnp.arrays(np.bool_, shape))
    mask[..., 0] = not flip
    return mask


@st.composite
def multihead_cases(draw):
    """MultiheadAttention of 1-2 heads of 1-2 features: self-attention or separate key and value
    (of other widths), batched or not, batch_first or not, with or without bias, bias_kv,
    zero_attn; a key_padding_mask and a 2-D or 3-D attn_mask, both boolean or both float; weights
    averaged, per head, or not asked for."""
    heads, head_dim = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    embed = heads * head_dim
    self_attention = draw(st.booleans())
    kdim = None if self_attention else draw(st.sampled_from([None, 3]))
    vdim = None if self_attention else draw(st.sampled_from([None, 1]))
    options = dict(embed_dim=embed, num_heads=heads, bias=draw(st.booleans()), add_bias_kv=draw(st.booleans()),
                   add_zero_attn=draw(st.booleans()), kdim=kdim, vdim=vdim, batch_first=draw(st.booleans()),
                   need_weights=draw(st.booleans()), average_attn_weights=draw(st.booleans()))
    length = draw(st.integers(1, 3))
    source = length if self_attention else draw(st.integers(1, 3))
    batch = draw(st.sampled_from([None, 1, 2]))

    def layout(sequence, features):
        if batch is None:
            return (sequence, features)
        return (batch, sequence, features) if options["batch_first"] else (sequence, batch, features)

    module = make_multihead_attention(**options)
    shapes_ = [layout(length, embed)]
    if not self_attention:
        shapes_ += [layout(source, kdim or embed), layout(source, vdim or embed)]
    found = mha_arrays(draw, module, *shapes_)
    def mask(shape):  # one kind for both masks (PyTorch warns when they differ)
        return keeping_a_key(draw, shape, flip=True) if kind == "bool" else draw(arrays(shape))

    kind = draw(st.sampled_from(["bool", "float"]))
    options["key_padding_mask"] = mask((source,) if batch is None else (batch, source)) \
        if draw(st.booleans()) else None
    attention = draw(st.sampled_from([None, "2-D", "3-D"]))
    options["attn_mask"] = None if attention is None else mask((length, source)) if attention == "2-D" \
        else mask(((batch or 1) * heads, length, source))
    return Case(found, options)


def make_multihead_attention(embed_dim, num_heads, bias, add_bias_kv, add_zero_attn, kdim, vdim, batch_first,
                             dtype=None, **_):
    return nn.MultiheadAttention(embed_dim, num_heads, bias=bias, add_bias_kv=add_bias_kv,
                                 add_zero_attn=add_zero_attn, kdim=kdim, vdim=vdim, batch_first=batch_first,
                                 dtype=dtype)


def mask_like(mask, x):
    """An option mask as a constant: a float one in the input's dtype."""
    if mask is None:
        return None
    return tg.tensor(mask.astype(x.dtype) if mask.dtype.kind == "f" else mask)


def multihead_forward(module, query, key=None, value=None, *, key_padding_mask, attn_mask, need_weights,
                      average_attn_weights, **_):
    """The output, followed by the flattened weights when they are asked for."""
    key, value = (query, query) if key is None else (key, value)
    out, weights = module(query, key, value, key_padding_mask=mask_like(key_padding_mask, query),
                          need_weights=need_weights, attn_mask=mask_like(attn_mask, query),
                          average_attn_weights=average_attn_weights)
    return out if weights is None else tg.cat([out.reshape(-1), weights.reshape(-1)])


def parameter_names(module, prefix: str = "") -> list[str]:
    return [name[len(prefix):] for name, _ in module.named_parameters() if name.startswith(prefix)]


def numpy_heads_attention(q, k, v, params, heads, mask=None, bias_kv=False, zero_attn=False, prefix=""):
    """Multi-head attention of batch-first q (N, L, E), k, v (N, S, ·), with an additive mask
    (N or 1, heads or 1, L, S); the output (N, L, E) and weights (N, heads, L, S)."""
    if prefix + "in_proj_weight" in params:
        w_q, w_k, w_v = np.split(params[prefix + "in_proj_weight"], 3)
    else:
        w_q, w_k, w_v = (params[prefix + name] for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"))
    b_q, b_k, b_v = np.split(params[prefix + "in_proj_bias"], 3) if prefix + "in_proj_bias" in params else (0, 0, 0)
    q, k, v = q @ w_q.T + b_q, k @ w_k.T + b_k, v @ w_v.T + b_v
    (n, length, embed), source = q.shape, k.shape[1]
    mask = np.zeros((1, 1, length, source)) if mask is None else mask
    if bias_kv:
        k = np.concatenate([k, np.broadcast_to(params[prefix + "bias_k"], (n, 1, embed))], 1)
        v = np.concatenate([v, np.broadcast_to(params[prefix + "bias_v"], (n, 1, embed))], 1)
        mask = np.concatenate([mask, np.zeros(mask.shape[:-1] + (1,))], -1)
    q, k, v = (t.reshape(n, t.shape[1], heads, embed // heads).transpose(0, 2, 1, 3) for t in (q, k, v))
    if zero_attn:
        k, v = (np.concatenate([t, np.zeros((n, heads, 1, embed // heads))], 2) for t in (k, v))
        mask = np.concatenate([mask, np.zeros(mask.shape[:-1] + (1,))], -1)
    weights = numpy_attention_weights(q @ k.transpose(0, 1, 3, 2) / math.sqrt(embed // heads) + mask)
    out = (weights @ v).transpose(0, 2, 1, 3).reshape(n, length, embed) @ params[prefix + "out_proj.weight"].T
    return out + params.get(prefix + "out_proj.bias", 0), weights


def excluding(mask):
    """A module-style mask (True = excluded) as an additive one."""
    return np.where(mask, -np.inf, 0.0) if mask.dtype == bool else mask


def numpy_multihead(*arrays, num_heads, batch_first, key_padding_mask, attn_mask, need_weights,
                    average_attn_weights, add_bias_kv, add_zero_attn, **kw):
    names = parameter_names(make_multihead_attention(num_heads=num_heads, batch_first=batch_first,
                                                     add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn, **kw))
    inputs, params = arrays[:len(arrays) - len(names)], dict(zip(names, arrays[len(arrays) - len(names):]))
    inputs = inputs if len(inputs) == 3 else inputs * 3
    unbatched = inputs[0].ndim == 2
    q, k, v = (x[None] if unbatched else x if batch_first else x.swapaxes(0, 1) for x in inputs)
    (n, length, _), source = q.shape, k.shape[1]
    mask = np.zeros((1, 1, length, source))
    if attn_mask is not None:
        mask = mask + excluding(attn_mask).reshape((n, num_heads, length, source) if attn_mask.ndim == 3
                                                   else (length, source))
    if key_padding_mask is not None:
        mask = mask + excluding(key_padding_mask).reshape(n, 1, 1, source)
    out, weights = numpy_heads_attention(q, k, v, params, num_heads, mask, add_bias_kv, add_zero_attn)
    out = out[0] if unbatched else out if batch_first else out.swapaxes(0, 1)
    if not need_weights:
        return out
    weights = weights.mean(1) if average_attn_weights else weights
    return np.concatenate([out.ravel(), (weights[0] if unbatched else weights).ravel()])


# --------------------------------------------------------------------- the encoder


@st.composite
def encoder_cases(draw, layers: int | None = None):
    """A d_model 2 encoder layer (or `layers` of them under a final norm) of 1-2 heads, feed-forward
    width 2, gelu (smooth: relu's kink defeats finite differences), post- or pre-norm, batched
    or not, batch_first or not, with a boolean, float or causal src_mask and a key padding mask
    of the same kind; norms with eps ENCODER_EPS."""
    options = dict(nhead=draw(st.integers(1, 2)), norm_first=draw(st.booleans()), batch_first=draw(st.booleans()),
                   bias=draw(st.booleans()), layers=layers)
    length, batch = draw(st.integers(1, 3)), draw(st.sampled_from([None, 1, 2]))
    shape = (length, 2) if batch is None else (batch, length, 2) if options["batch_first"] else (length, batch, 2)
    found = mha_arrays(draw, make_encoder(**options), shape)
    mask = draw(st.sampled_from([None, "bool", "float", "causal"]))
    options["src_mask"] = None if mask is None else np.triu(np.ones((length, length), bool), 1) \
        if mask == "causal" else keeping_a_key(draw, (length, length), flip=True) if mask == "bool" \
        else draw(arrays((length, length)))
    padding_shape = (length,) if batch is None else (batch, length)
    options["src_key_padding_mask"] = None if draw(st.booleans()) else draw(arrays(padding_shape)) \
        if mask == "float" else keeping_a_key(draw, padding_shape, flip=True)
    return Case(found, options)


def make_encoder(nhead, norm_first, batch_first, bias, layers, dtype=None, **_):
    layer = nn.TransformerEncoderLayer(2, nhead, dim_feedforward=2, dropout=0.0, activation="gelu",
                                       layer_norm_eps=ENCODER_EPS, batch_first=batch_first, norm_first=norm_first,
                                       bias=bias, dtype=dtype)
    if layers is None:
        return layer
    return nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(2, eps=ENCODER_EPS, bias=bias, dtype=dtype))


def encoder_forward(module, src, *, src_mask, src_key_padding_mask, layers, **_):
    masks = mask_like(src_mask, src), mask_like(src_key_padding_mask, src)
    if layers is None:
        return module(src, src_mask=masks[0], src_key_padding_mask=masks[1])
    return module(src, mask=masks[0], src_key_padding_mask=masks[1])


def numpy_encoder(src, *params, nhead, norm_first, batch_first, bias, layers, src_mask, src_key_padding_mask,
                  activation=numpy_gelu, eps=ENCODER_EPS):
    """The layer (layers=None) or the encoder of `layers` layers and a final norm (if its
    parameters are given); the parameters in named_parameters() order."""
    module = make_encoder(nhead, norm_first, batch_first, bias, layers)
    params = dict(zip(parameter_names(module), params))
    unbatched = src.ndim == 2
    x = src[None] if unbatched else src if batch_first else src.swapaxes(0, 1)
    mask = np.zeros((1, 1, x.shape[1], x.shape[1]))
    if src_mask is not None:
        mask = mask + excluding(src_mask)
    if src_key_padding_mask is not None:
        mask = mask + excluding(src_key_padding_mask).reshape(x.shape[0], 1, 1, x.shape[1])

    def norm(x, prefix):
        out = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)
        return out * params[prefix + "weight"] + params.get(prefix + "bias", 0)

    def linear(x, prefix):
        return x @ params[prefix + "weight"].T + params.get(prefix + "bias", 0)

    def layer(x, prefix):
        def attend(y):
            return numpy_heads_attention(y, y, y, params, nhead, mask, prefix=prefix + "self_attn.")[0]

        def feed_forward(y):
            return linear(activation(linear(y, prefix + "linear1.")), prefix + "linear2.")

        if norm_first:
            x = x + attend(norm(x, prefix + "norm1."))
            return x + feed_forward(norm(x, prefix + "norm2."))
        x = norm(x + attend(x), prefix + "norm1.")
        return norm(x + feed_forward(x), prefix + "norm2.")

    if layers is None:
        x = layer(x, "")
    else:
        for i in range(layers):
            x = layer(x, f"layers.{i}.")
        x = norm(x, "norm.") if "norm.weight" in params else x
    return x[0] if unbatched else x if batch_first else x.swapaxes(0, 1)
