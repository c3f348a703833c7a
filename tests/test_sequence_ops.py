"""The ops transformer and RNN code uses, where the op registry's generated cases do not reach:
PyTorch's error cases and broadcasting rules, each checked against values worked out by hand."""

import numpy as np
import pytest

import tinygrad_np as tg


def test_masked_fill_broadcasts_the_tensor_to_a_mask_with_more_dims():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = tg.tensor([[True, False, False], [False, False, True]])
    y = x.masked_fill(mask, 0.0)
    assert y.shape == (2, 3)
    np.testing.assert_array_equal(y.detach().numpy(), [[0.0, 2.0, 3.0], [1.0, 2.0, 0.0]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 2.0, 1.0])


def test_masked_fill_takes_a_0d_tensor_value_and_refuses_one_with_dims():
    x, mask = tg.zeros(2, 2), tg.tensor([True, False])
    np.testing.assert_array_equal(x.masked_fill(mask, tg.tensor(5.0)).numpy(), [[5.0, 0.0], [5.0, 0.0]])
    for fill in (x.masked_fill, x.clone().masked_fill_):
        with pytest.raises(RuntimeError, match="0-dimensional value tensor"):
            fill(mask, tg.tensor([5.0]))


def test_a_causal_mask_from_tril_hides_the_future_before_softmax():
    scores = tg.zeros(3, 3)
    weights = scores.masked_fill(tg.tril(tg.ones(3, 3)) == 0, float("-inf")).softmax(-1)
    np.testing.assert_allclose(weights.numpy(), [[1, 0, 0], [1 / 2, 1 / 2, 0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)


def test_arange_with_dtype_long_gives_int64_positions():
    positions = tg.arange(0, 4, dtype=tg.long)
    assert positions.dtype == tg.int64 and positions.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize(("args", "message"), [((0, 5, 0), "step must be nonzero"),
                                                ((0, 5, -1), "inconsistent with step sign"),
                                                ((5.0, 0.0, 0.5), "inconsistent with step sign")])
def test_arange_refuses_a_step_that_never_reaches_the_end(args, message):
    with pytest.raises(RuntimeError, match=message):
        tg.arange(*args)


def test_view_of_a_transposed_tensor_is_a_copy_where_pytorchs_view_raises():
    # docs/ops.md, `view`: tinygrad_np's arrays do not always have PyTorch's strides, so view
    # cannot tell where PyTorch's would raise; it reshapes, copying when NumPy must.
    x = tg.arange(6.0).reshape(2, 3)
    y = x.t().view(6)
    assert y.tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0] and not np.shares_memory(y.numpy(), x.numpy())


def test_view_splits_the_heads_of_a_projection_split_in_three_without_a_copy():
    qkv = tg.randn(2, 5, 3 * 8)
    q, k, v = qkv.split(8, dim=2)
    heads = k.view(2, 5, 4, 2).transpose(1, 2)
    assert heads.shape == (2, 4, 5, 2) and np.shares_memory(heads.numpy(), qkv.numpy())
    np.testing.assert_array_equal(heads.numpy(), qkv.numpy()[..., 8:16].reshape(2, 5, 4, 2).transpose(0, 2, 1, 3))


def test_view_with_a_dtype_reads_the_same_memory_as_that_dtype():
    x = tg.ones(2, 4)
    bits = x.view(tg.int32)
    assert bits.shape == (2, 4) and bits[0, 0].item() == 0x3F800000 and np.shares_memory(bits.numpy(), x.numpy())
    assert x.view(tg.float16).shape == (2, 8) and x.view(tg.float64).shape == (2, 2)


@pytest.mark.parametrize(("make", "message"), [(lambda: tg.ones(2, 3).view(tg.float64), "divisible by 2"),
                                               (lambda: tg.ones(4, 2).t().view(tg.float16), "stride"),
                                               (lambda: tg.tensor(1.0).view(tg.float64), "cannot be 0")])
def test_view_with_a_dtype_of_another_size_needs_pytorchs_last_dim(make, message):
    with pytest.raises(RuntimeError, match=message):
        make()
