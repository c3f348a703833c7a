"""F.scaled_dot_product_attention and nn.MultiheadAttention: masks, fully masked rows, dropout,
grouped heads, shapes, parameter layout, state dicts and errors, against the NumPy references
of attention_cases.py and literals from PyTorch 2.13 (CPU; PyTorch itself is never imported).
gradcheck and gradgradcheck run on both through nn_registry.py."""

import math

import numpy as np
import pytest
from attention_cases import numpy_attention, numpy_multihead

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

RNG = np.random.default_rng(16)
Q, K, V = RNG.standard_normal((2, 3, 4, 5)), RNG.standard_normal((2, 3, 6, 5)), RNG.standard_normal((2, 3, 6, 7))


def leaves(*arrays):
    return [tg.tensor(a, requires_grad=True) for a in arrays]


def attention_weights(length, source, **kw):
    """The attention weights themselves: with v the identity, the output is the weights."""
    q, k = RNG.standard_normal((length, 3)), RNG.standard_normal((source, 3))
    return F.scaled_dot_product_attention(tg.tensor(q), tg.tensor(k), tg.eye(source, dtype=tg.float64), **kw).numpy()


# --------------------------------------------------------------------- scaled_dot_product_attention


@pytest.mark.parametrize("length, source", [(4, 4), (5, 2), (2, 5)])
def test_causal_attention_lets_query_i_see_keys_0_to_i_for_any_lengths(length, source):
    weights = attention_weights(length, source, is_causal=True)
    above = ~np.tri(length, source, dtype=bool)
    assert (weights[above] == 0).all() and (weights[~above] > 0).all()
    np.testing.assert_allclose(weights.sum(-1), 1.0)


def test_a_boolean_mask_keeps_where_true_as_an_additive_mask_of_0_and_minus_infinity():
    keep = RNG.random((4, 6)) < 0.6
    keep[:, 0] = True
    q, k, v = (tg.tensor(a) for a in (Q, K, V))
    boolean = F.scaled_dot_product_attention(q, k, v, tg.tensor(keep))
    additive = F.scaled_dot_product_attention(q, k, v, tg.tensor(np.where(keep, 0.0, -np.inf)))
    np.testing.assert_array_equal(boolean.numpy(), additive.numpy())
    np.testing.assert_allclose(boolean.numpy(), numpy_attention(Q, K, V, bool_mask=keep), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mask", [np.array([True, False, True, True, False, True]), np.zeros((3, 1, 6)),
                                  RNG.standard_normal((2, 1, 4, 1))], ids=["keys", "per-head", "per-query"])
def test_masks_broadcast_over_the_leading_dims(mask):
    out = F.scaled_dot_product_attention(*(tg.tensor(a) for a in (Q, K, V)), tg.tensor(mask))
    expected = numpy_attention(Q, K, V, bool_mask=mask) if mask.dtype == bool else numpy_attention(Q, K, V, mask)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_a_query_whose_keys_are_all_masked_gets_zero_output_and_zero_gradients_as_pytorch(kind):
    keep = np.ones((4, 6), bool)
    keep[1] = False
    mask = tg.tensor(keep if kind == "bool" else np.where(keep, 0.0, -np.inf))
    q, k, v = leaves(Q, K, V)
    out = F.scaled_dot_product_attention(q, k, v, mask)
    out.sum().backward()
    assert (out.numpy()[..., 1, :] == 0).all()  # PyTorch 2.13: zeros
    assert (q.grad.numpy()[..., 1, :] == 0).all()
    for grad in (q.grad, k.grad, v.grad):
        assert np.isfinite(grad.numpy()).all()
    np.testing.assert_allclose(out.numpy(), numpy_attention(Q, K, V, bool_mask=keep), rtol=1e-10, atol=1e-12)


def test_a_fully_masked_row_leaves_the_other_rows_and_their_gradients_unchanged():
    keep = np.ones((4, 6), bool)
    keep[2] = False
    q, k, v = leaves(Q, K, V)
    F.scaled_dot_product_attention(q, k, v, tg.tensor(keep))[..., [0, 1, 3], :].sum().backward()
    q2, k2, v2 = leaves(Q, K, V)
    F.scaled_dot_product_attention(q2, k2, v2)[..., [0, 1, 3], :].sum().backward()
    for grad, unmasked in ((q.grad, q2.grad), (k.grad, k2.grad), (v.grad, v2.grad)):
        np.testing.assert_allclose(grad.numpy(), unmasked.numpy(), rtol=1e-12, atol=1e-15)


def test_the_default_scale_is_one_over_the_square_root_of_the_feature_size():
    q, k, v = (tg.tensor(a) for a in (Q, K, V))
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, k, v).numpy(),
                               F.scaled_dot_product_attention(q, k, v, scale=1 / math.sqrt(5)).numpy(), rtol=1e-14)
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, k, v, scale=0.25).numpy(),
                               numpy_attention(Q, K, V, scale=0.25), rtol=1e-10, atol=1e-12)


def test_batch_dims_of_query_and_of_key_and_value_broadcast():
    out = F.scaled_dot_product_attention(tg.tensor(Q[:1]), tg.tensor(K[:, :1]), tg.tensor(V[:, :1]))
    assert out.shape == (2, 3, 4, 7)
    np.testing.assert_allclose(out.numpy(), numpy_attention(Q[:1], K[:, :1], V[:, :1]), rtol=1e-10, atol=1e-12)


def test_grouped_query_attention_shares_each_key_head_with_a_run_of_query_heads():
    q, k, v = RNG.standard_normal((2, 4, 3, 2)), RNG.standard_normal((2, 2, 5, 2)), RNG.standard_normal((2, 1, 5, 3))
    out = F.scaled_dot_product_attention(tg.tensor(q), tg.tensor(k), tg.tensor(v), enable_gqa=True)
    expected = numpy_attention(q, np.repeat(k, 2, axis=1), np.repeat(v, 4, axis=1))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_dropout_zeroes_attention_weights_and_scales_the_rest_by_one_over_one_minus_p():
    q, k, identity = tg.tensor(Q[0, 0]), tg.tensor(K[0, 0]), tg.eye(6, dtype=tg.float64)  # output = weights
    plain = F.scaled_dot_product_attention(q, k, identity).numpy()
    tg.manual_seed(5)
    dropped = F.scaled_dot_product_attention(q, k, identity, dropout_p=0.4).numpy()
    kept = dropped != 0
    assert 0 < kept.sum() < kept.size
    np.testing.assert_allclose(dropped[kept], plain[kept] / 0.6, rtol=1e-10, atol=1e-12)


def test_dropout_draws_from_the_library_generator():
    q, k, v = (tg.tensor(a) for a in (Q, K, V))
    tg.manual_seed(3)
    first = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy()
    tg.manual_seed(3)
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy(), first)


def test_dropout_p_of_one_gives_zeros_and_a_negative_one_drops_nothing_as_pytorch():
    q, k, v = (tg.tensor(a) for a in (Q, K, V))
    assert (F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).numpy() == 0).all()
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=-0.5).numpy(),
                                  F.scaled_dot_product_attention(q, k, v).numpy())


def test_float32_attention_stays_float32():
    q, k, v = (tg.tensor(a.astype(np.float32), requires_grad=True) for a in (Q, K, V))
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    out.sum().backward()
    assert out.dtype == np.float32 and q.grad.dtype == np.float32


@pytest.mark.parametrize("call, error, message", [
    (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, tg.ones(4, 6, dtype=tg.bool), is_causal=True),
     RuntimeError, "Explicit attn_mask should not be set when is_causal=True"),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k.float(), v), RuntimeError,
     "Expected query, key, and value to have the same dtype"),
    (lambda q, k, v: F.scaled_dot_product_attention(q[0, 0, 0], k[0, 0, 0], v[0, 0, 0]), RuntimeError,
     "at least 2 dimensional"),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k[..., :3], v), Exception, "do not fit"),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, tg.zeros(4, 6, dtype=tg.int64)), RuntimeError,
     "Expected attn_mask dtype to be bool or float or to match query dtype"),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, tg.zeros(4, 6, dtype=tg.float32)), RuntimeError,
     "Expected attn_mask dtype to be bool or float or to match query dtype"),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, tg.zeros(1, 2, 3, 4, 6, dtype=tg.float64)),
     RuntimeError, "does not broadcast"),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, dropout_p=1.5), RuntimeError,
     "dropout probability has to be between 0 and 1, but got 1.5"),
    (lambda q, k, v: F.scaled_dot_product_attention(q, k[:, :2], v[:, :2], enable_gqa=True), RuntimeError,
     "Number of heads in key and value must divide the number of heads in query"),
    (lambda q, k, v: F.scaled_dot_product_attention(q[0, 0], k[0, 0], v[0, 0], enable_gqa=True), IndexError,
     "Dimension out of range"),
], ids=["mask-and-causal", "dtypes", "one-dim", "features", "int-mask", "float32-mask", "enlarging-mask",
        "dropout-above-one", "heads-not-dividing", "gqa-without-heads"])
def test_attention_refuses_what_pytorch_refuses(call, error, message):
    with pytest.raises(error, match=message):
        call(*(tg.tensor(a) for a in (Q, K, V)))


# --------------------------------------------------------------------- MultiheadAttention


def random_state(module):
    """Values a PyTorch MultiheadAttention could have saved: one array per state-dict key."""
    return {name: RNG.standard_normal(tuple(value.shape)) for name, value in module.state_dict().items()}


@pytest.mark.parametrize("options, keys", [
    ({}, {"in_proj_weight": (12, 4), "in_proj_bias": (12,), "out_proj.weight": (4, 4), "out_proj.bias": (4,)}),
    ({"kdim": 3, "vdim": 5, "add_bias_kv": True, "bias": False},
     {"q_proj_weight": (4, 4), "k_proj_weight": (4, 3), "v_proj_weight": (4, 5), "bias_k": (1, 1, 4),
      "bias_v": (1, 1, 4), "out_proj.weight": (4, 4)}),
], ids=["packed", "separate"])
def test_state_dict_keys_order_and_shapes_are_pytorchs(options, keys):
    state = nn.MultiheadAttention(4, 2, **options).state_dict()
    assert [(name, tuple(value.shape)) for name, value in state.items()] == list(keys.items())


def test_initialisation_is_xavier_uniform_with_zero_biases():
    layer = nn.MultiheadAttention(8, 2)
    bound = math.sqrt(6 / (8 + 24))  # xavier_uniform_ of the (3E, E) matrix
    assert np.abs(layer.in_proj_weight.numpy()).max() <= bound
    assert np.abs(layer.in_proj_weight.numpy()).max() > 0.8 * bound
    assert (layer.in_proj_bias.numpy() == 0).all() and (layer.out_proj.bias.numpy() == 0).all()


def test_repr_is_pytorchs():
    assert repr(nn.MultiheadAttention(4, 2, bias=False)) == (
        "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, "
        "bias=False)\n)")


@pytest.mark.parametrize("options", [{}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True, "add_zero_attn": True},
                                     {"bias": False, "batch_first": True}], ids=repr)
def test_a_saved_state_dict_loads_and_gives_the_reference_output_and_weights(options):
    layer = nn.MultiheadAttention(4, 2, **options).double()
    state = random_state(layer)
    layer.load_state_dict({name: tg.tensor(value) for name, value in state.items()})
    kdim, vdim = options.get("kdim", 4), options.get("vdim", 4)
    order = (1, 0, 2) if options.get("batch_first") else (0, 1, 2)
    q, k, v = (RNG.standard_normal(np.array(shape)[list(order)]) for shape in ((3, 2, 4), (5, 2, kdim), (5, 2, vdim)))
    padding = np.array([[False, True, False, False, True], [False, False, False, False, True]])
    out, weights = layer(tg.tensor(q), tg.tensor(k), tg.tensor(v), key_padding_mask=tg.tensor(padding))
    reference_options = dict(embed_dim=4, num_heads=2, bias=True, add_bias_kv=False, add_zero_attn=False, kdim=None,
                             vdim=None, batch_first=False, key_padding_mask=padding, attn_mask=None, need_weights=True,
                             average_attn_weights=True)
    expected = numpy_multihead(q, k, v, *state.values(), **{**reference_options, **options})
    np.testing.assert_allclose(np.concatenate([out.numpy().ravel(), weights.numpy().ravel()]), expected, rtol=1e-10)


def self_attention(layer, x, **kw):
    return layer(x, x, x, **kw)


@pytest.mark.parametrize("average, shape", [(True, (2, 3, 3)), (False, (2, 2, 3, 3))])
def test_weights_are_averaged_over_heads_or_returned_per_head(average, shape):
    x = tg.tensor(RNG.standard_normal((3, 2, 4)))
    out, weights = self_attention(nn.MultiheadAttention(4, 2).double(), x, average_attn_weights=average)
    assert out.shape == (3, 2, 4) and weights.shape == shape
    np.testing.assert_allclose(weights.numpy().sum(-1), 1.0)


def test_without_need_weights_no_weights_are_returned():
    x = tg.tensor(RNG.standard_normal((3, 2, 4)))
    layer = nn.MultiheadAttention(4, 2).double()
    out, weights = self_attention(layer, x, need_weights=False)
    assert weights is None
    np.testing.assert_allclose(out.numpy(), self_attention(layer, x)[0].numpy(), rtol=1e-10, atol=1e-12)


def test_batch_first_takes_batch_major_inputs_with_the_same_result():
    x = RNG.standard_normal((3, 2, 4))
    layer = nn.MultiheadAttention(4, 2).double()
    first = nn.MultiheadAttention(4, 2, batch_first=True).double()
    first.load_state_dict(layer.state_dict())
    out, weights = self_attention(first, tg.tensor(x.swapaxes(0, 1)))
    expected, expected_weights = self_attention(layer, tg.tensor(x))
    np.testing.assert_allclose(out.numpy(), expected.numpy().swapaxes(0, 1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(weights.numpy(), expected_weights.numpy(), rtol=1e-10, atol=1e-12)


def test_an_unbatched_input_is_a_batch_of_one():
    x = RNG.standard_normal((3, 4))
    layer = nn.MultiheadAttention(4, 2).double()
    mask = tg.tensor(np.array([[False, True, False], [False, False, True], [True, False, False]]))
    out, weights = self_attention(layer, tg.tensor(x), attn_mask=mask, average_attn_weights=False)
    batched, batched_weights = self_attention(layer, tg.tensor(x[:, None]), attn_mask=mask, average_attn_weights=False)
    assert out.shape == (3, 4) and weights.shape == (2, 3, 3)
    np.testing.assert_allclose(out.numpy(), batched.numpy()[:, 0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(weights.numpy(), batched_weights.numpy()[0], rtol=1e-10, atol=1e-12)


def test_a_true_in_a_boolean_mask_excludes_the_key_as_minus_infinity_does():
    x = tg.tensor(RNG.standard_normal((3, 2, 4)))
    layer = nn.MultiheadAttention(4, 2).double()
    padding = np.array([[False, True, False], [False, False, True]])
    out, weights = self_attention(layer, x, key_padding_mask=tg.tensor(padding))
    float_out, float_weights = self_attention(layer, x, key_padding_mask=tg.tensor(np.where(padding, -np.inf, 0.0)))
    assert (weights.numpy()[padding[:, None, :].repeat(3, 1)] == 0).all()
    np.testing.assert_array_equal(out.numpy(), float_out.numpy())
    np.testing.assert_array_equal(weights.numpy(), float_weights.numpy())


def test_a_3d_attn_mask_gives_each_sample_and_head_its_own_mask():
    x = RNG.standard_normal((3, 2, 4))
    layer = nn.MultiheadAttention(4, 2).double()
    mask = RNG.standard_normal((4, 3, 3))
    _, weights = self_attention(layer, tg.tensor(x), attn_mask=tg.tensor(mask), average_attn_weights=False)
    state = {name: value.numpy() for name, value in layer.state_dict().items()}
    expected = numpy_multihead(x, *state.values(), embed_dim=4, num_heads=2, bias=True, add_bias_kv=False,
                               add_zero_attn=False, kdim=None, vdim=None, batch_first=False, key_padding_mask=None,
                               attn_mask=mask, need_weights=True, average_attn_weights=False)
    np.testing.assert_allclose(weights.numpy().ravel(), expected[3 * 2 * 4:], rtol=1e-10)


def test_a_fully_padded_sample_is_nan_with_weights_and_zero_attention_without_as_pytorch():
    x = tg.tensor(RNG.standard_normal((3, 2, 4)))
    layer = nn.MultiheadAttention(4, 2).double()
    padding = tg.tensor(np.array([[False, False, True], [True, True, True]]))
    out, weights = self_attention(layer, x, key_padding_mask=padding)
    assert np.isnan(out.numpy()[:, 1]).all() and np.isnan(weights.numpy()[1]).all()
    assert np.isfinite(out.numpy()[:, 0]).all()
    out, _ = self_attention(layer, x, key_padding_mask=padding, need_weights=False)
    np.testing.assert_array_equal(out.numpy()[:, 1], np.broadcast_to(layer.out_proj.bias.numpy(), (3, 4)))


def test_the_is_causal_hint_with_a_causal_mask_gives_the_masked_result():
    x = tg.tensor(RNG.standard_normal((4, 2, 4)))
    layer = nn.MultiheadAttention(4, 2).double()
    causal = tg.tensor(np.triu(np.ones((4, 4), bool), 1))
    hinted, _ = self_attention(layer, x, attn_mask=causal, is_causal=True, need_weights=False)
    masked, _ = self_attention(layer, x, attn_mask=causal)
    np.testing.assert_allclose(hinted.numpy(), masked.numpy(), rtol=1e-10, atol=1e-12)


def test_dropout_acts_on_the_returned_weights_in_training_only():
    x = tg.tensor(RNG.standard_normal((3, 2, 4)))
    layer = nn.MultiheadAttention(4, 2, dropout=0.5).double()
    tg.manual_seed(0)
    _, weights = self_attention(layer, x)
    assert not np.allclose(weights.numpy().sum(-1), 1.0)
    _, weights = self_attention(layer.eval(), x)
    np.testing.assert_allclose(weights.numpy().sum(-1), 1.0)


def test_mismatched_mask_kinds_warn_as_pytorch():
    x = tg.tensor(RNG.standard_normal((3, 2, 4)))
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask is deprecated"):
        self_attention(nn.MultiheadAttention(4, 2).double(), x, key_padding_mask=tg.zeros(2, 3, dtype=tg.bool),
                       attn_mask=tg.zeros(3, 3, dtype=tg.float64))


X = tg.tensor(np.zeros((3, 2, 4)))


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.MultiheadAttention(5, 2), AssertionError, "embed_dim must be divisible by num_heads"),
    (lambda: nn.MultiheadAttention(0, 1), ValueError, "embed_dim and num_heads must be greater than 0"),
    (lambda: nn.MultiheadAttention(4, 2)(X[0, 0], X[0, 0], X[0, 0]), AssertionError,
     "query should be unbatched 2D or batched 3D tensor but received 1-D query tensor"),
    (lambda: nn.MultiheadAttention(4, 2)(X, X[0], X[0]), AssertionError,
     "expected `key` and `value` to be 3-D but found 2-D and 2-D tensors"),
    (lambda: nn.MultiheadAttention(4, 2)(X, X, X, attn_mask=tg.zeros(3, 4, dtype=tg.bool)), RuntimeError,
     r"The shape of the 2D attn_mask is torch.Size\(\[3, 4\]\), but should be \(3, 3\)"),
    (lambda: nn.MultiheadAttention(4, 2)(X, X, X, attn_mask=tg.zeros(2, 3, 3, dtype=tg.bool)), RuntimeError,
     "The shape of the 3D attn_mask"),
    (lambda: nn.MultiheadAttention(4, 2)(X, X, X, key_padding_mask=tg.zeros(2, 4, dtype=tg.bool)),
     AssertionError, "expecting key_padding_mask shape of"),
    (lambda: nn.MultiheadAttention(4, 2)(X, X, X, attn_mask=tg.zeros(3, 3, dtype=tg.int64)), AssertionError,
     "only bool and floating types of attn_mask are supported"),
    (lambda: nn.MultiheadAttention(4, 2)(X, X, X, is_causal=True), RuntimeError,
     "Need attn_mask if specifying the is_causal hint"),
    (lambda: nn.MultiheadAttention(4, 2)(X, X[:2], X), AssertionError, "does not match value shape"),
    (lambda: nn.MultiheadAttention(4, 2)(X[..., :3], X, X), AssertionError,
     "was expecting embedding dimension of 4, but got 3"),
], ids=["heads-not-dividing", "zero-embed", "one-dim", "key-rank", "2d-mask-shape", "3d-mask-shape",
        "padding-shape", "int-mask", "causal-without-mask", "key-value-shapes", "embed-dim"])
def test_multihead_attention_refuses_what_pytorch_refuses(call, error, message):
    with pytest.raises(error, match=message):
        call()
