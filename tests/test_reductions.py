"""Scans, medians, counts, differences, products and distances (tinygrad_np/reductions.py and
Tensor.sum/mean's dtype, dot, mv, addmm, nan_to_num) where the registry's smooth cases cannot
look: zeros, ties, NaN, empty inputs, dtypes and PyTorch's errors."""

import numpy as np
import pytest

import tinygrad_np as tg


def test_cumprod_gradient_is_exact_at_a_zero():
    x = tg.tensor([2.0, 0.0, 3.0], requires_grad=True)
    x.cumprod(0).sum().backward()
    assert x.grad.tolist() == [1.0, 8.0, 0.0]  # 1 + x1 + x1·x2, x0 + x0·x2, x0·x1


def test_cumprod_of_integers_and_bools_is_int64():
    assert tg.tensor([1, 2, 3], dtype=tg.int32).cumprod(0).dtype == tg.int64
    assert tg.tensor([True, True]).cumprod(0).tolist() == [1, 1]


def test_logcumsumexp_keeps_a_prefix_far_below_the_total_and_minus_infinity():
    out = tg.tensor([-1000.0, 0.0, 1000.0], dtype=tg.float64).logcumsumexp(0)
    assert out.tolist() == [-1000.0, 0.0, 1000.0]
    assert tg.tensor([-np.inf, 1.0]).logcumsumexp(0).tolist() == [-np.inf, 1.0]


def test_logcumsumexp_refuses_integers():
    with pytest.raises(NotImplementedError):
        tg.tensor([1, 2]).logcumsumexp(0)


def test_median_of_an_even_count_is_the_lower_middle_value():
    values, indices = tg.tensor([[1.0, 3.0, 2.0, 5.0]]).median(1)
    assert values.tolist() == [2.0] and indices.tolist() == [2]


def test_median_is_nan_where_a_nan_is():
    x = tg.tensor([1.0, np.nan, 2.0])
    assert np.isnan(x.median().item())
    assert x.median(0).indices.item() == 1


def test_median_of_all_entries_splits_the_gradient_among_ties():
    x = tg.tensor([1.0, 1.0, 1.0, 4.0], requires_grad=True)
    x.median().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1 / 3, 1 / 3, 1 / 3, 0.0])


def test_median_of_an_empty_tensor_is_nan():
    assert np.isnan(tg.tensor([]).median().item())


def test_sum_with_a_dtype_converts_first_and_keeps_that_dtype():
    x = tg.tensor([[1, 2], [3, 4]], dtype=tg.int32)
    assert x.sum(0, dtype=tg.int16).dtype == tg.int16
    assert x.sum(dtype=tg.float32).dtype == tg.float32


def test_mean_takes_a_floating_dtype_only():
    x = tg.tensor([1, 2], dtype=tg.int32)
    assert x.mean(dtype=tg.float64).item() == 1.5
    with pytest.raises(RuntimeError, match="Optional dtype must be"):
        x.mean(dtype=tg.int64)


def test_count_nonzero_over_several_dims_is_int64():
    out = tg.tensor([[1.0, 0.0], [2.0, 3.0]]).count_nonzero(dim=(0, 1))
    assert out.item() == 3 and out.dtype == tg.int64


def test_diff_of_order_zero_is_the_input_and_a_0d_input_raises():
    x = tg.tensor([1.0, 4.0])
    assert x.diff(n=0).tolist() == [1.0, 4.0]
    assert x.diff(n=5).shape == (0,)
    with pytest.raises(RuntimeError, match="at least one-dimensional"):
        tg.tensor(1.0).diff()


def test_nan_to_num_passes_the_gradient_only_at_finite_entries():
    x = tg.tensor([1.0, np.nan, np.inf], requires_grad=True)
    out = x.nan_to_num()
    assert out.tolist() == [1.0, 0.0, float(np.finfo(np.float32).max)]
    out.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0]


@pytest.mark.parametrize("a, b", [(tg.tensor([1.0, 2.0]), tg.tensor([3, 4])),
                                  (tg.ones(2, 2), tg.ones(2, 2)),
                                  (tg.tensor([1.0, 2.0]), tg.tensor([1.0, 2.0, 3.0]))])
def test_dot_refuses_other_dtypes_dims_and_sizes(a, b):
    with pytest.raises(RuntimeError):
        tg.dot(a, b)


def test_mv_refuses_a_vector_of_the_wrong_size():
    with pytest.raises(RuntimeError, match="size mismatch"):
        tg.mv(tg.ones(2, 3), tg.ones(2))


def test_addmm_with_beta_zero_ignores_nan_in_the_input():
    out = tg.addmm(tg.full((2, 2), np.nan), tg.eye(2), tg.eye(2), beta=0)
    assert out.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_addmm_input_must_broadcast_into_the_product():
    with pytest.raises(RuntimeError):
        tg.addmm(tg.ones(3), tg.ones(2, 3), tg.ones(3, 2))


def test_cdist_gradient_is_zero_where_points_coincide():
    x = tg.tensor([[1.0, 2.0], [1.0, 2.0]], requires_grad=True)
    tg.cdist(x, x.detach()).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize("x1, x2, p, message", [
    (tg.ones(2, 2, dtype=tg.int32), tg.ones(2, 2, dtype=tg.int32), 2.0, "floating-point"),
    (tg.ones(2), tg.ones(2, 2), 2.0, "at least 2D"),
    (tg.ones(2, 3), tg.ones(2, 2), 2.0, "same number of columns"),
    (tg.ones(2, 2), tg.ones(2, 2), -1.0, "non-negative p"),
])
def test_cdist_refuses_what_pytorch_refuses(x1, x2, p, message):
    with pytest.raises(RuntimeError, match=message):
        tg.cdist(x1, x2, p)


def test_var_mean_and_std_mean_return_both_statistics():
    x = tg.tensor([[1.0, 2.0, 0.0], [3.0, -1.0, 4.0]])
    var, mean = tg.var_mean(x, 1)
    assert var.tolist() == [1.0, 7.0] and mean.tolist() == [1.0, 2.0]
    std, mean = tg.std_mean(x, dim=0, correction=0, keepdim=True)
    assert std.shape == (1, 3) and mean.tolist() == [[2.0, 0.5, 2.0]]
