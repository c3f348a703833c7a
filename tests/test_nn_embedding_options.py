"""Embedding's PyTorch signature beyond the table size: `_weight`/`_freeze`, `from_pretrained`,
and the options not implemented here (max_norm, scale_grad_by_freq, sparse), which raise."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn

VECTORS = np.arange(6.0, dtype=np.float32).reshape(3, 2)


def test_embedding_with_weight_uses_it_sharing_memory_and_trainable():
    weight = tg.tensor(VECTORS.copy())
    e = nn.Embedding(3, 2, _weight=weight)
    assert np.shares_memory(e.weight.numpy(), weight.numpy()) and e.weight.requires_grad
    np.testing.assert_array_equal(e(tg.tensor([2, 0])).numpy(), VECTORS[[2, 0]])


def test_embedding_with_weight_and_padding_idx_keeps_the_given_padding_row_as_pytorch():
    e = nn.Embedding(3, 2, padding_idx=1, _weight=tg.tensor(VECTORS.copy()))
    np.testing.assert_array_equal(e.weight.numpy()[1], VECTORS[1])


def test_embedding_with_freeze_has_a_weight_without_gradient():
    assert not nn.Embedding(3, 2, _weight=tg.tensor(VECTORS.copy()), _freeze=True).weight.requires_grad


def test_embedding_with_a_weight_of_another_shape_raises_value_error():
    with pytest.raises(ValueError, match="does not match"):
        nn.Embedding(3, 3, _weight=tg.tensor(VECTORS.copy()))


def test_from_pretrained_is_frozen_by_default_and_trainable_with_freeze_false():
    frozen = nn.Embedding.from_pretrained(tg.tensor(VECTORS.copy()))
    assert (frozen.num_embeddings, frozen.embedding_dim) == (3, 2) and not frozen.weight.requires_grad
    assert nn.Embedding.from_pretrained(tg.tensor(VECTORS.copy()), freeze=False).weight.requires_grad


def test_from_pretrained_of_a_1d_tensor_raises_value_error():
    with pytest.raises(ValueError, match="2-dimensional"):
        nn.Embedding.from_pretrained(tg.tensor([1.0, 2.0]))


@pytest.mark.parametrize("option", [{"max_norm": 1.0}, {"scale_grad_by_freq": True}, {"sparse": True}])
def test_embedding_options_not_implemented_raise(option):
    with pytest.raises(NotImplementedError, match=next(iter(option))):
        nn.Embedding(3, 2, **option)
