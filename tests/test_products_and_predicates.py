"""cumsum, prod, all/any, isnan/isinf/isfinite, square, rsqrt and clamp_min/clamp_max behave as
PyTorch's: result dtypes, the gradient of a product with zeros in it, and the errors. (Gradients
elsewhere are checked by the registry's property tests.) Expected values from PyTorch 2.x."""

import math

import numpy as np
import pytest

import tinygrad_np as tg


def grid():
    return tg.tensor(np.arange(6.0).reshape(2, 3))


def test_cumsum_runs_along_dim():
    assert grid().cumsum(1).tolist() == [[0.0, 1.0, 3.0], [3.0, 7.0, 12.0]]


@pytest.mark.parametrize("dtype", [tg.int32, tg.bool_])
def test_cumsum_of_integers_and_bools_is_int64(dtype):
    assert tg.cumsum(tg.tensor([1, 1, 1], dtype=dtype), 0).dtype == tg.int64


def test_cumsum_converts_to_the_dtype_asked_first():
    assert grid().float().cumsum(0, dtype=tg.float64).dtype == tg.float64


def test_cumsum_keeps_infinities_as_a_sequential_sum():
    with np.errstate(invalid="ignore"):
        assert tg.tensor([1.0, math.inf, 1.0, -math.inf]).cumsum(0).tolist()[:3] == [1.0, math.inf, math.inf]


def test_cumsum_gradient_is_the_running_sum_of_g_from_the_end():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x.cumsum(0) * tg.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [111.0, 110.0, 100.0]


def test_prod_over_all_dims_and_one():
    assert grid().prod().item() == 0.0
    assert tg.prod(grid(), 1, True).tolist() == [[0.0], [60.0]]


def test_prod_of_integers_and_bools_is_int64():
    assert tg.tensor([1, 2, 3], dtype=tg.int32).prod().dtype == tg.int64
    assert tg.tensor([True, True]).prod().item() == 1


def test_prod_gradient_with_one_zero_is_the_product_of_the_others_there():
    x = tg.tensor([2.0, 0.0, 3.0, 0.5], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, 3.0, 0.0, 0.0]


def test_prod_gradient_with_two_zeros_is_zero():
    x = tg.tensor([2.0, 0.0, 3.0, 0.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_prod_takes_one_dim_only():
    with pytest.raises(TypeError, match="dim must be an int"):
        grid().prod((0, 1))


def test_all_and_any_along_dims():
    assert grid().all(1).tolist() == [False, True]
    assert tg.any(grid(), 0, keepdim=True).tolist() == [[True, True, True]]
    assert grid().all((0, 1)).item() is False


def test_all_of_uint8_stays_uint8():
    assert tg.tensor([1, 0], dtype=tg.uint8).all().dtype == tg.uint8


def test_isnan_isinf_isfinite_classify_each_value():
    x = tg.tensor([1.0, math.nan, math.inf, -math.inf])
    assert x.isnan().tolist() == [False, True, False, False]
    assert tg.isinf(x).tolist() == [False, False, True, True]
    assert x.isfinite().tolist() == [True, False, False, False]
    assert tg.tensor([1, 2]).isfinite().tolist() == [True, True]


def test_square_of_bool_is_int64():
    assert tg.tensor([True, False]).square().tolist() == [1, 0]


def test_rsqrt_of_integers_is_float_and_of_zero_inf():
    assert tg.tensor([4, 1]).rsqrt().tolist() == [0.5, 1.0]
    with np.errstate(divide="ignore"):
        assert tg.rsqrt(tg.tensor(0.0)).item() == math.inf


def test_clamp_min_of_integers_with_a_float_bound_is_float():
    assert tg.tensor([1, 2]).clamp_min(1.5).tolist() == [1.5, 2.0]
    assert grid().clamp_max(tg.tensor(2.0)).tolist() == [[0.0, 1.0, 2.0], [2.0, 2.0, 2.0]]
