"""nn.TransformerEncoderLayer and nn.TransformerEncoder: post- and pre-norm against the NumPy
reference of attention_cases.py with PyTorch's defaults (relu, eps 1e-5), activations, masks,
layouts, dropout, deep-copied layers, causal-mask detection, state-dict keys, reprs and errors
as PyTorch 2.13's. gradcheck and gradgradcheck run on both through nn_registry.py."""

import numpy as np
import pytest
from attention_cases import numpy_encoder, numpy_gelu

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

RNG = np.random.default_rng(61)
SRC = RNG.standard_normal((3, 2, 4))  # (S, N, E)


def with_random_parameters(module):
    for param in module.parameters():
        param.data[...] = RNG.standard_normal(param.shape) * 0.5
    return module


def relu(x):
    return np.maximum(x, 0)


def reference(module, src, *, layers=None, norm_first=False, batch_first=False, src_mask=None, padding=None):
    return numpy_encoder(src, *(p.numpy() for p in module.parameters()), nhead=2, norm_first=norm_first,
                         batch_first=batch_first, bias=True, layers=layers, src_mask=src_mask,
                         src_key_padding_mask=padding, activation=relu, eps=1e-5)


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
def test_encoder_layer_with_pytorchs_defaults_matches_the_reference(norm_first):
    layer = with_random_parameters(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, norm_first=norm_first).double())
    padding = np.array([[False, False, True], [False, True, False]])
    mask = np.triu(np.ones((3, 3), bool), 1)
    out = layer(tg.tensor(SRC), src_mask=tg.tensor(mask), src_key_padding_mask=tg.tensor(padding))
    expected = reference(layer, SRC, norm_first=norm_first, src_mask=mask, padding=padding)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_encoder_stacks_its_layers_then_the_final_norm():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 3, norm=nn.LayerNorm(4))
    encoder = with_random_parameters(encoder.double())
    np.testing.assert_allclose(encoder(tg.tensor(SRC)).numpy(), reference(encoder, SRC, layers=3),
                               rtol=1e-10, atol=1e-12)


def test_encoder_layers_are_independent_deep_copies_of_the_given_layer():
    layer = nn.TransformerEncoderLayer(4, 2, 8)
    encoder = nn.TransformerEncoder(layer, 2)
    first, second = encoder.layers
    assert first is not layer and second is not first
    np.testing.assert_array_equal(first.linear1.weight.numpy(), layer.linear1.weight.numpy())
    first.linear1.weight.data[...] = 0.0
    assert (second.linear1.weight.numpy() != 0).any() and (layer.linear1.weight.numpy() != 0).any()


def test_state_dict_keys_are_pytorchs():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 2, norm=nn.LayerNorm(4))
    layer_keys = ["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
                  "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
                  "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"]
    assert list(encoder.state_dict()) == [f"layers.{i}.{key}" for i in range(2) for key in layer_keys] + \
        ["norm.weight", "norm.bias"]


def test_without_bias_the_layer_has_no_bias_parameters():
    names = [name for name, _ in nn.TransformerEncoderLayer(4, 2, 8, bias=False).named_parameters()]
    assert names == ["self_attn.in_proj_weight", "self_attn.out_proj.weight", "linear1.weight", "linear2.weight",
                     "norm1.weight", "norm2.weight"]


def test_repr_lists_pytorchs_submodules_in_pytorchs_order():
    assert repr(nn.TransformerEncoderLayer(4, 2, 8)) == """TransformerEncoderLayer(
  (self_attn): MultiheadAttention(
    (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, bias=True)
  )
  (linear1): Linear(in_features=4, out_features=8, bias=True)
  (dropout): Dropout(p=0.1, inplace=False)
  (linear2): Linear(in_features=8, out_features=4, bias=True)
  (norm1): LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
  (norm2): LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
  (dropout1): Dropout(p=0.1, inplace=False)
  (dropout2): Dropout(p=0.1, inplace=False)
)"""


@pytest.mark.parametrize("activation, expected", [("relu", F.relu), ("gelu", F.gelu), (F.silu, F.silu)],
                         ids=["relu", "gelu", "callable"])
def test_activation_is_relu_gelu_or_any_callable(activation, expected):
    assert nn.TransformerEncoderLayer(4, 2, 8, activation=activation).activation is expected


def test_the_default_activation_is_relu():
    assert nn.TransformerEncoderLayer(4, 2).activation is F.relu


def test_a_module_activation_becomes_a_submodule():
    layer = nn.TransformerEncoderLayer(4, 2, 8, activation=nn.GELU())
    assert isinstance(dict(layer.named_children())["activation"], nn.GELU)


def test_gelu_activation_matches_the_reference():
    layer = with_random_parameters(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, activation="gelu").double())
    expected = numpy_encoder(SRC, *(p.numpy() for p in layer.parameters()), nhead=2, norm_first=False,
                             batch_first=False, bias=True, layers=None, src_mask=None, src_key_padding_mask=None,
                             activation=numpy_gelu, eps=1e-5)
    np.testing.assert_allclose(layer(tg.tensor(SRC)).numpy(), expected, rtol=1e-10, atol=1e-12)


def test_batch_first_takes_batch_major_inputs_with_the_same_result():
    layer = with_random_parameters(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0).double())
    first = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True).double()
    first.load_state_dict(layer.state_dict())
    np.testing.assert_allclose(first(tg.tensor(SRC.swapaxes(0, 1))).numpy(),
                               layer(tg.tensor(SRC)).numpy().swapaxes(0, 1), rtol=1e-10, atol=1e-12)


def test_an_unbatched_sequence_is_a_batch_of_one():
    layer = with_random_parameters(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0).double())
    np.testing.assert_allclose(layer(tg.tensor(SRC[:, 0])).numpy(), layer(tg.tensor(SRC[:, :1])).numpy()[:, 0],
                               rtol=1e-10, atol=1e-12)


def test_padded_keys_do_not_change_the_other_positions():
    layer = with_random_parameters(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0).double())
    padding = tg.tensor(np.array([[False, False, True], [False, False, True]]))
    changed = SRC.copy()
    changed[2] += 5.0
    out, out_changed = (layer(tg.tensor(x), src_key_padding_mask=padding).numpy() for x in (SRC, changed))
    np.testing.assert_allclose(out[:2], out_changed[:2], rtol=1e-10, atol=1e-12)


def test_dropout_acts_in_training_and_not_in_eval():
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.5).double()
    x = tg.tensor(SRC)
    tg.manual_seed(0)
    trained = layer(x).numpy()
    evaluated = layer.eval()(x).numpy()
    assert not np.allclose(trained, evaluated)
    np.testing.assert_array_equal(layer(x).numpy(), evaluated)


def layer_calls(encoder):
    """The is_causal each layer of the encoder is called with."""
    seen = []
    for layer in encoder.layers:
        layer.register_forward_pre_hook(lambda module, args, kwargs: seen.append(kwargs["is_causal"]),
                                        with_kwargs=True)
    return seen


@pytest.mark.parametrize("mask, causal", [
    (np.triu(np.ones((3, 3), bool), 1), True), (np.triu(np.full((3, 3), -np.inf), 1), True),
    (np.triu(np.ones((3, 3), bool), 2), False), (None, False),
], ids=["boolean-causal", "float-causal", "other", "none"])
def test_encoder_tells_its_layers_whether_the_mask_is_the_causal_one(mask, causal):
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 2)
    seen = layer_calls(encoder)
    encoder(tg.tensor(SRC.astype(np.float32)), mask=None if mask is None else tg.tensor(mask.astype(
        bool if mask.dtype == bool else np.float32)))
    assert seen == [causal, causal]


def test_encoder_with_a_causal_mask_gives_the_masked_result():
    encoder = with_random_parameters(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 2)
                                     .double())
    mask = np.triu(np.ones((3, 3), bool), 1)
    np.testing.assert_allclose(encoder(tg.tensor(SRC), mask=tg.tensor(mask)).numpy(),
                               reference(encoder, SRC, layers=2, src_mask=mask), rtol=1e-10, atol=1e-12)


def test_is_causal_without_a_mask_raises_as_pytorch():
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        nn.TransformerEncoderLayer(4, 2, 8)(tg.tensor(SRC.astype(np.float32)), is_causal=True)


def test_an_unknown_activation_name_raises_as_pytorch():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
