"""PyTorch's conventions at the edges: NaN and infinity, ties, integer dtypes, 0-d tensors,
odd indices, grad mode. One test per convention, named after it.

Every expected value is a literal taken from PyTorch 2.x (CPU); PyTorch itself is never
imported here. Gradients are compared in float64.
"""

import math

import numpy as np
import pytest

import tinygrad_np as tg

NAN, INF = math.nan, math.inf

# The NaN/inf edge cases make NumPy warn; the values are what is checked.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def leaf(*values) -> tg.Tensor:
    return tg.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def f64(*values) -> tg.Tensor:
    return tg.tensor(np.array(values, dtype=np.float64))


def assert_grad(tensor: tg.Tensor, expected) -> None:
    assert tensor.grad is not None
    assert tensor.grad.dtype == np.float64
    np.testing.assert_allclose(tensor.grad.numpy(), np.array(expected, dtype=np.float64), rtol=1e-12, atol=0)


# --------------------------------------------------------------------- maximum / minimum


def test_maximum_gives_the_losing_input_exactly_zero_even_with_nan_upstream():
    a, b = leaf(1.0, 5.0), leaf(3.0, 2.0)
    tg.maximum(a, b).backward(f64(NAN, NAN))
    assert_grad(a, [0.0, NAN])
    assert_grad(b, [NAN, 0.0])


def test_minimum_gives_the_losing_input_exactly_zero_even_with_nan_upstream():
    a, b = leaf(1.0, 5.0), leaf(3.0, 2.0)
    tg.minimum(a, b).backward(f64(NAN, NAN))
    assert_grad(a, [NAN, 0.0])
    assert_grad(b, [0.0, NAN])


def test_maximum_and_minimum_do_not_leak_an_infinite_upstream_gradient_into_the_losing_input():
    x = leaf(-1.0, 4.0)
    tg.maximum(x, f64(0.0).reshape(())).sqrt().sum().backward()  # d sqrt at 0 is inf
    assert_grad(x, [0.0, 0.25])
    x = leaf(1.0, -4.0)
    (-tg.minimum(x, f64(0.0).reshape(()))).sqrt().sum().backward()
    assert_grad(x, [0.0, -0.25])


def test_maximum_and_minimum_split_the_gradient_evenly_on_ties():
    a, b = leaf(2.0, 1.0), leaf(2.0, 3.0)
    tg.maximum(a, b).sum().backward()
    assert_grad(a, [0.5, 0.0])
    assert_grad(b, [0.5, 1.0])
    a, b = leaf(2.0, 1.0), leaf(2.0, 3.0)
    tg.minimum(a, b).sum().backward()
    assert_grad(a, [0.5, 1.0])
    assert_grad(b, [0.5, 0.0])


@pytest.mark.parametrize("op", [tg.maximum, tg.minimum], ids=["maximum", "minimum"])
def test_maximum_and_minimum_give_the_full_gradient_to_both_inputs_at_nan(op):
    a, b = leaf(NAN, 1.0), leaf(1.0, NAN)
    out = op(a, b)
    np.testing.assert_array_equal(out.numpy(), [NAN, NAN])
    out.sum().backward()
    assert_grad(a, [1.0, 1.0])
    assert_grad(b, [1.0, 1.0])


# --------------------------------------------------------------------- max() / min() over all dims


def test_max_and_min_without_dim_mask_the_gradient_so_nothing_leaks_to_the_other_entries():
    x = leaf(1.0, 3.0, 2.0)
    (x.max() - 3.0).sqrt().backward()  # upstream inf: 0 * inf must not reach the non-maxima
    assert_grad(x, [0.0, INF, 0.0])
    x = leaf(1.0, -1.0, 2.0)
    (x.min() + 1.0).sqrt().backward()
    assert_grad(x, [0.0, INF, 0.0])


def test_max_and_min_without_dim_split_the_gradient_evenly_between_ties():
    x = leaf(1.0, 3.0, 3.0)
    x.max().backward()
    assert_grad(x, [0.0, 0.5, 0.5])
    x = leaf(1.0, 0.0, 0.0)
    x.min().backward()
    assert_grad(x, [0.0, 0.5, 0.5])


def test_max_and_min_without_dim_send_the_gradient_to_the_nan_entries():
    x = leaf(1.0, NAN, 3.0)
    out = x.max()
    assert math.isnan(out.item())
    out.backward()
    assert_grad(x, [0.0, 1.0, 0.0])
    x = leaf(1.0, NAN, 3.0, NAN)
    x.max().backward()
    assert_grad(x, [0.0, 0.5, 0.0, 0.5])
    x = leaf(1.0, NAN, 3.0, NAN)
    x.min().backward()
    assert_grad(x, [0.0, 0.5, 0.0, 0.5])


def test_max_with_dim_sends_the_gradient_to_the_returned_index_only_and_propagates_nan():
    x = tg.tensor(np.array([[1.0, 3.0, 3.0], [NAN, 2.0, NAN]]), requires_grad=True)
    values, indices = x.max(1)
    np.testing.assert_array_equal(values.numpy(), [3.0, NAN])
    np.testing.assert_array_equal(indices.numpy(), [1, 0])
    assert indices.dtype == np.int64
    values.sum().backward()
    assert_grad(x, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])


def test_amax_and_amin_split_the_gradient_evenly_between_ties():
    x = tg.tensor(np.array([[1.0, 3.0, 3.0], [0.0, 2.0, 0.0]]), requires_grad=True)
    x.amax(1).sum().backward()
    assert_grad(x, [[0.0, 0.5, 0.5], [0.0, 1.0, 0.0]])
    x = tg.tensor(np.array([[1.0, 3.0, 3.0], [0.0, 2.0, 0.0]]), requires_grad=True)
    x.amin(1).sum().backward()
    assert_grad(x, [[1.0, 0.0, 0.0], [0.5, 0.0, 0.5]])


def test_argmax_and_argmin_return_the_first_extremum_and_treat_nan_as_the_extremum():
    assert tg.tensor([1.0, 3.0, 3.0]).argmax().item() == 1
    assert tg.tensor([1.0, NAN, 3.0]).argmax().item() == 1
    assert tg.tensor([1.0, NAN, 0.0]).argmin().item() == 1


# --------------------------------------------------------------------- Min / Minimum on integers


def test_amin_min_and_minimum_are_exact_on_unsigned_integers():
    u8 = tg.tensor(np.array([5, 200, 3], dtype=np.uint8))
    for out in (u8.amin(), u8.min()):
        assert out.dtype == np.uint8 and out.shape == () and out.item() == 3
    out = tg.minimum(u8, tg.tensor(np.array([7, 100, 3], dtype=np.uint8)))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out.numpy(), [5, 100, 3])
    values, indices = u8.reshape(1, 3).min(1)
    np.testing.assert_array_equal(values.numpy(), np.array([3], dtype=np.uint8))
    np.testing.assert_array_equal(indices.numpy(), [2])


def test_amin_min_and_minimum_are_exact_on_extreme_signed_integers():
    i8 = tg.tensor(np.array([-128, 5], dtype=np.int8))
    assert i8.amin().item() == -128 and i8.min().item() == -128 and i8.max().item() == 5
    assert i8.amin().dtype == np.int8
    out = tg.minimum(i8, tg.tensor(np.array([127, -128], dtype=np.int8)))
    np.testing.assert_array_equal(out.numpy(), np.array([-128, -128], dtype=np.int8))
    i64 = tg.tensor(np.array([[-(2**63), 0, 2**63 - 1]], dtype=np.int64))
    np.testing.assert_array_equal(i64.amin(1).numpy(), [-(2**63)])
    np.testing.assert_array_equal(i64.amax(1).numpy(), [2**63 - 1])
    assert i64.min().item() == -(2**63) and i64.max().item() == 2**63 - 1


def test_minimum_and_min_of_bool_tensors_is_logical_and():
    out = tg.minimum(tg.tensor([True, True, False, False]), tg.tensor([True, False, True, False]))
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out.numpy(), [True, False, False, False])
    assert tg.tensor([True, False]).amin().item() is False
    assert tg.tensor([True, False]).min().item() is False


# --------------------------------------------------------------------- std / var


def test_std_gradient_is_zero_where_the_std_is_zero():
    x = leaf(2.0, 2.0, 2.0)
    x.std().backward()
    assert_grad(x, [0.0, 0.0, 0.0])
    x = tg.tensor(np.array([[1.0, 2.0], [3.0, 3.0]]), requires_grad=True)
    x.std(1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[-0.70710678118654746, 0.70710678118654746], [0.0, 0.0]], rtol=1e-12)


def test_var_and_std_read_a_bool_first_argument_as_the_legacy_unbiased_flag():
    x = tg.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(x.var(False).numpy(), 2.91666666666666652, rtol=1e-14)
    np.testing.assert_allclose(x.var(True).numpy(), 3.5, rtol=1e-14)
    np.testing.assert_allclose(x.var().numpy(), 3.5, rtol=1e-14)
    np.testing.assert_allclose(x.std(False).numpy(), 1.70782512765993300, rtol=1e-14)
    np.testing.assert_allclose(x.std(True).numpy(), 1.87082869338697066, rtol=1e-14)
    np.testing.assert_allclose(x.var(0, False).numpy(), [2.25, 2.25, 2.25], rtol=1e-14)
    np.testing.assert_allclose(x.var(1, True).numpy(), [1.0, 1.0], rtol=1e-14)


def test_var_of_a_single_element_with_the_default_correction_is_nan():
    assert math.isnan(leaf(1.0).var().item())
    assert math.isnan(leaf(1.0).std().item())


# --------------------------------------------------------------------- clamp / relu / abs / sign at NaN


def test_clamp_keeps_nan_with_a_zero_gradient_and_passes_the_gradient_at_the_bounds():
    x = leaf(NAN, 2.0, 0.5, -3.0, -1.0, 1.0)
    out = x.clamp(-1.0, 1.0)
    np.testing.assert_array_equal(out.numpy(), [NAN, 1.0, 0.5, -1.0, -1.0, 1.0])
    out.sum().backward()
    assert_grad(x, [0.0, 0.0, 1.0, 0.0, 1.0, 1.0])


def test_relu_passes_the_gradient_at_nan_and_blocks_it_at_zero():
    x = leaf(NAN, -1.0, 0.0, 2.0)
    out = x.relu()
    np.testing.assert_array_equal(out.numpy(), [NAN, 0.0, 0.0, 2.0])
    out.sum().backward()
    assert_grad(x, [1.0, 0.0, 0.0, 1.0])


def test_abs_gradient_is_zero_at_nan_and_at_zero():
    x = leaf(NAN, -2.0, 0.0, 3.0)
    out = x.abs()
    np.testing.assert_array_equal(out.numpy(), [NAN, 2.0, 0.0, 3.0])
    out.sum().backward()
    assert_grad(x, [0.0, -1.0, 0.0, 1.0])


def test_sign_of_nan_is_zero_and_sign_is_differentiable_with_a_zero_gradient():
    x = leaf(NAN, -2.0, 0.0, 3.0)
    out = x.sign()
    np.testing.assert_array_equal(out.numpy(), [0.0, -1.0, 0.0, 1.0])
    assert out.requires_grad and out.grad_fn is not None
    out.sum().backward()
    assert_grad(x, [0.0, 0.0, 0.0, 0.0])  # a zero gradient, not a missing one


def test_pow_gradient_at_a_zero_base_is_zero_for_integer_exponents_and_inf_for_a_square_root():
    x = leaf(0.0, 0.0, 2.0)
    (x**2).sum().backward()
    assert_grad(x, [0.0, 0.0, 4.0])
    x = leaf(0.0, 2.0)
    (x**0).sum().backward()
    assert_grad(x, [0.0, 0.0])
    x = leaf(0.0, 2.0)
    (x**0.5).sum().backward()
    assert_grad(x, [INF, 0.35355339059327373])


# --------------------------------------------------------------------- reductions on integers, softmax family


def test_sum_of_integer_and_bool_tensors_is_int64():
    out = tg.tensor(np.array([200, 100], dtype=np.uint8)).sum()
    assert out.dtype == np.int64 and out.item() == 300  # no uint8 wrap-around
    out = tg.tensor([True, True, False]).sum()
    assert out.dtype == np.int64 and out.item() == 2
    out = tg.tensor(np.array([[100, 100]], dtype=np.int8)).sum(1, keepdim=True)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), [[200]])
    assert tg.tensor(np.array([1, 2], dtype=np.int32)).sum().dtype == np.int64


def test_logsumexp_casts_integer_and_bool_tensors_to_float():
    out = tg.tensor(np.array([3, 5], dtype=np.uint8)).logsumexp(0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), 5.12692785263061523, rtol=1e-6)
    np.testing.assert_allclose(tg.tensor([True, False]).logsumexp(0).numpy(), 1.31326162815093994, rtol=1e-6)
    out = tg.tensor([1, 2]).logsumexp(0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), 2.31326174736022949, rtol=1e-6)


def test_softmax_and_log_softmax_cast_integer_tensors_to_float():
    # PyTorch itself raises NotImplementedError ("softmax_kernel_impl" not implemented for
    # 'Long') here; tinygrad_np casts instead. Expected: PyTorch on the same values as float32.
    out = tg.tensor([1, 2, 3]).softmax(0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), [0.09003057330846786, 0.24472847580909729, 0.66524094343185425], rtol=1e-6)
    out = tg.tensor([1, 2, 3]).log_softmax(0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), [-2.40760588645935059, -1.40760588645935059, -0.40760594606399536],
                               rtol=1e-6)


def test_softmax_and_log_softmax_give_nan_for_a_row_with_positive_infinity():
    x = tg.tensor(np.array([[1.0, INF], [1.0, 2.0]]))
    np.testing.assert_allclose(x.softmax(1).numpy(), [[NAN, NAN], [0.26894142136999516, 0.73105857863000490]],
                               rtol=1e-14)
    np.testing.assert_allclose(x.log_softmax(1).numpy(), [[NAN, NAN], [-1.31326168751822281, -0.31326168751822286]],
                               rtol=1e-14)


def test_logsumexp_of_a_row_with_positive_infinity_is_infinity():
    x = tg.tensor(np.array([[1.0, INF], [1.0, 2.0]]))
    np.testing.assert_allclose(x.logsumexp(1).numpy(), [INF, 2.31326168751822303], rtol=1e-14)
    assert tg.tensor([1.0, INF]).logsumexp(0).item() == INF
    assert tg.tensor([INF, -INF]).logsumexp(0).item() == INF
    assert tg.tensor([-INF, -INF]).logsumexp(0).item() == -INF


# --------------------------------------------------------------------- comparisons, scalars, bitwise


def test_comparisons_are_made_in_the_promoted_dtype():
    # int64 16777217 vs float32: compared as float32, where 16777217 rounds to 16777216
    np.testing.assert_array_equal((tg.tensor([16777217]) == tg.tensor([16777216.0])).numpy(), [True])
    np.testing.assert_array_equal((tg.tensor([1]) < 1.5).numpy(), [True])  # not int(1.5) == 1
    np.testing.assert_array_equal((tg.tensor([3]) > tg.tensor(np.array(2.5))).numpy(), [True])
    # a 0-d float64 does not widen a float32 tensor: 0.1 is compared as float32
    np.testing.assert_array_equal((tg.tensor([0.1]) == tg.tensor(np.array(0.1))).numpy(), [True])
    np.testing.assert_array_equal((tg.tensor([0.1]) == tg.tensor(np.array([0.1]))).numpy(), [False])


def test_python_ints_out_of_an_integer_tensors_range_wrap():
    out = tg.tensor(np.array([1, 2], dtype=np.int8)) + 1000
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out.numpy(), [-23, -22])
    np.testing.assert_array_equal((tg.tensor(np.array([1, 2], dtype=np.int8)) * 200).numpy(), [-56, -112])
    np.testing.assert_array_equal((tg.tensor(np.array([0, 1], dtype=np.uint8)) - 1).numpy(), [255, 0])
    np.testing.assert_array_equal((tg.tensor(np.array([0, 5], dtype=np.uint8)) > -1).numpy(), [False, False])
    np.testing.assert_array_equal((tg.tensor(np.array([0, 2], dtype=np.uint8)) == 256).numpy(), [True, False])


def test_invert_is_bitwise_not_on_integers_logical_not_on_bool_and_a_type_error_on_floats():
    out = ~tg.tensor([1, -2, 0])
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), [-2, 1, -1])
    np.testing.assert_array_equal((~tg.tensor(np.array([0, 5], dtype=np.uint8))).numpy(), [255, 250])
    out = ~tg.tensor([True, False])
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out.numpy(), [False, True])
    with pytest.raises(TypeError):
        ~tg.tensor([1.0])


def test_type_promotion_follows_pytorch_categories_and_weak_scalars():
    assert (tg.tensor([1.0]) * 2.5).dtype == np.float32
    assert (tg.tensor([1]) * 2.5).dtype == np.float32
    out = tg.tensor([1]) / tg.tensor([2])
    assert out.dtype == np.float32 and out.item() == 0.5
    assert (tg.tensor([1.0]) + tg.tensor(np.array(1.0))).dtype == np.float32  # 0-d does not widen
    assert (tg.tensor([1.0]) + tg.tensor(np.array([1.0]))).dtype == np.float64
    assert (tg.tensor(np.array([1], np.int8)) + tg.tensor(np.array([1], np.uint8))).dtype == np.int16
    assert (tg.tensor(np.array([1], np.int32)) + tg.tensor(1)).dtype == np.int32
    assert (tg.tensor(np.array([1], np.int32)) + tg.tensor(np.array(1.5))).dtype == np.float64
    assert (tg.tensor(np.array(1, np.int32)) + tg.tensor(1)).dtype == np.int64
    out = tg.tensor([True]) + tg.tensor([True])
    assert out.dtype == np.bool_ and out.item() is True


def test_mean_of_an_integer_tensor_raises():
    with pytest.raises(RuntimeError):
        tg.tensor([1, 2]).mean()


# --------------------------------------------------------------------- creation


def test_float_arange_is_computed_in_float64_then_rounded():
    out = tg.arange(0, 3, 0.3)
    assert out.dtype == np.float32
    expected = [0.0, 0.30000001192092896, 0.6000000238418579, 0.8999999761581421, 1.2000000476837158, 1.5,
                1.7999999523162842, 2.0999999046325684, 2.4000000953674316, 2.700000047683716]
    np.testing.assert_array_equal(out.numpy(), np.array(expected, dtype=np.float32))  # float32 steps drift here
    np.testing.assert_array_equal(tg.arange(-3.3, 7.7, 0.37).numpy()[-4:],
                                  np.array([6.320000171661377, 6.690000057220459, 7.059999942779541,
                                            7.429999828338623], dtype=np.float32))


# --------------------------------------------------------------------- 0-d tensors and shapes


def test_zero_dim_tensors_accept_dim_0_and_minus_1_for_max_min_argmax_gather_transpose():
    z = tg.tensor(2.0)
    for values, indices in (z.max(0), z.min(0), z.max(-1)):
        assert values.shape == () and indices.shape == ()
        assert values.item() == 2.0 and indices.item() == 0 and indices.dtype == np.int64
    assert z.argmax(0).shape == () and z.argmax(0).item() == 0
    assert z.argmin(-1).item() == 0
    out = z.gather(0, tg.tensor(0))
    assert out.shape == () and out.item() == 2.0
    assert z.transpose(0, -1).shape == ()
    with pytest.raises(IndexError):
        z.max(1)


def test_gather_rejects_negative_indices():
    with pytest.raises((IndexError, RuntimeError)):
        tg.tensor([1.0, 2.0, 3.0]).gather(0, tg.tensor([-1]))


def test_flatten_raises_when_start_dim_comes_after_end_dim():
    with pytest.raises((ValueError, RuntimeError)):
        tg.zeros(2, 3, 4).flatten(2, 0)


def test_flatten_of_tensors_with_zero_size_dims_works():
    assert tg.zeros(0, 4, 2, 0).flatten(1).shape == (0, 0)
    assert tg.zeros(2, 0, 3).flatten(1, 2).shape == (2, 0)
    assert tg.zeros(2, 0, 3).flatten().shape == (0,)


def test_cat_of_zero_dim_tensors_raises_and_cat_accepts_axis():
    with pytest.raises((tg.ShapeError, RuntimeError)):
        tg.cat([tg.tensor(1.0), tg.tensor(2.0)])
    out = tg.cat([tg.zeros(1, 2), tg.ones(1, 2)], axis=1)
    np.testing.assert_array_equal(out.numpy(), [[0.0, 0.0, 1.0, 1.0]])


# --------------------------------------------------------------------- indexing


def test_indexing_with_an_empty_list_gives_an_empty_result():
    out = tg.zeros(3, 2)[[]]
    assert out.shape == (0, 2) and out.dtype == np.float32


def test_a_short_list_of_lists_or_tensors_index_is_read_as_a_tuple():
    x = tg.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(x[[[0, 1], [1, 1]]].numpy(), [1, 4])
    np.testing.assert_array_equal(x[[tg.tensor([0, 1]), tg.tensor([2, 0])]].numpy(), [2, 3])
    np.testing.assert_array_equal(x[[0, 1]].numpy(), [[0, 1, 2], [3, 4, 5]])  # a list of ints is one index


def test_uint8_index_tensors_are_boolean_masks():
    out = tg.arange(5)[tg.tensor(np.array([1, 0, 1, 0, 1], dtype=np.uint8))]
    np.testing.assert_array_equal(out.numpy(), [0, 2, 4])


def test_a_boolean_mask_of_the_wrong_shape_raises_index_error():
    with pytest.raises(IndexError):
        tg.zeros(2, 3)[tg.tensor([True, False, True])]
    with pytest.raises(IndexError):
        tg.zeros(2, 3)[tg.tensor([[True, False, True]])]
    assert tg.zeros(2, 3)[:, tg.tensor([True, False, True])].shape == (2, 2)


def test_in_tests_whether_any_element_equals_the_value():
    x = tg.tensor([[1.0, 3.0]])
    assert 3.0 in x
    assert 5 not in x
    assert tg.tensor(3.0) in x
    assert NAN not in tg.tensor([NAN])


def test_one_element_integer_tensors_are_usable_as_python_indices():
    assert [10, 20, 30][tg.tensor(1)] == 20
    assert [10, 20, 30][tg.tensor([2])] == 30
    assert list(range(tg.tensor(3))) == [0, 1, 2]
    with pytest.raises(TypeError):
        [10, 20][tg.tensor(1.0)]
    with pytest.raises(TypeError):
        [10, 20][tg.tensor([1, 0])]


def test_where_with_only_a_condition_returns_the_int64_indices_of_the_true_entries():
    rows, cols = tg.where(tg.tensor([[True, False], [False, True]]))
    assert rows.dtype == np.int64 and cols.dtype == np.int64
    np.testing.assert_array_equal(rows.numpy(), [0, 1])
    np.testing.assert_array_equal(cols.numpy(), [0, 1])


def test_where_accepts_a_uint8_condition():
    cond = tg.tensor(np.array([1, 0], dtype=np.uint8))
    out = tg.where(cond, tg.tensor([1.0, 2.0]), tg.tensor([3.0, 4.0]))
    np.testing.assert_array_equal(out.numpy(), [1.0, 4.0])


def test_where_with_a_zero_other_gives_exactly_zero_where_not_picked_even_for_inf_and_nan():
    out = tg.where(tg.tensor([True, False, False, True]), f64(1.0, INF, NAN, -2.0), 0.0)
    np.testing.assert_array_equal(out.numpy(), [1.0, 0.0, 0.0, -2.0])


def test_relu_gradient_is_exactly_zero_at_non_positive_inputs_even_for_a_nan_upstream_gradient():
    x = leaf(-1.0, 0.0, 2.0)
    x.relu().backward(f64(NAN, INF, 3.0))
    assert_grad(x, [0.0, 0.0, 3.0])


# --------------------------------------------------------------------- arithmetic keywords


def test_add_and_sub_scale_other_by_alpha_in_value_and_gradient():
    a, b = leaf(1.0, 2.0), leaf(3.0, 4.0)
    out = a.add(b, alpha=2)
    np.testing.assert_array_equal(out.numpy(), [7.0, 10.0])
    out.sum().backward()
    assert_grad(a, [1.0, 1.0])
    assert_grad(b, [2.0, 2.0])
    a, b = leaf(1.0, 2.0), leaf(3.0, 4.0)
    out = a.sub(b, alpha=3)
    np.testing.assert_array_equal(out.numpy(), [-8.0, -10.0])
    out.sum().backward()
    assert_grad(a, [1.0, 1.0])
    assert_grad(b, [-3.0, -3.0])
    np.testing.assert_array_equal(tg.tensor([1, 2]).add(3, alpha=2).numpy(), [7, 8])


# --------------------------------------------------------------------- the engine


def test_a_second_backward_through_ops_that_saved_no_arrays_is_allowed():
    x = leaf(1.0, 2.0)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    assert_grad(x, [2.0, 2.0])
    x = leaf(1.0, 2.0)
    y = tg.cat([x, x]).sum()
    y.backward()
    y.backward()
    assert_grad(x, [4.0, 4.0])


def test_a_second_backward_through_ops_that_saved_arrays_raises():
    x = leaf(1.0, 2.0)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_each_leafs_grad_owns_its_array():
    a, b = leaf(1.0, 2.0), leaf(1.0, 2.0)
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.numpy()[0] = 100.0
    assert_grad(b, [1.0, 1.0])
    a, g = leaf(1.0, 2.0), f64(1.0, 1.0)
    (a + 0).backward(g)
    g.numpy()[0] = 5.0  # the caller's gradient array is not aliased into .grad
    assert_grad(a, [1.0, 1.0])


def test_zero_dim_results_are_zero_dim_ndarrays():
    x = leaf(1.0, 3.0)
    results = [x.sum(), x.max(), x[0], x @ x, (x * 2).sum().exp(), x.argmax(), tg.tensor(1.0) < 2]
    for out in results:
        assert type(out.numpy()) is np.ndarray and out.numpy().ndim == 0
    z = tg.tensor(2.0, dtype=np.float64, requires_grad=True)
    (z * z).backward()
    assert type(z.grad.numpy()) is np.ndarray and z.grad.shape == ()
    np.testing.assert_array_equal(z.grad.numpy(), 4.0)


# --------------------------------------------------------------------- grad mode


def test_bare_no_grad_decorator_disables_recording_only_inside_the_call():
    @tg.no_grad
    def double(x):
        return x * 2

    out = double(leaf(1.0))
    assert not out.requires_grad
    assert tg.is_grad_enabled()
    assert (leaf(1.0) * 2).requires_grad


def test_no_grad_decorator_restores_the_mode_after_recursion():
    seen = []

    @tg.no_grad()
    def countdown(n):
        seen.append(tg.is_grad_enabled())
        return countdown(n - 1) if n else (leaf(1.0) * 2).requires_grad

    assert countdown(3) is False
    assert seen == [False] * 4
    assert tg.is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_applies_only_inside_the_call():
    @tg.set_grad_enabled(False)
    def double(x):
        return x * 2, tg.is_grad_enabled()

    assert tg.is_grad_enabled()  # decorating did not switch recording off
    out, enabled_inside = double(leaf(1.0))
    assert not out.requires_grad and not enabled_inside
    assert tg.is_grad_enabled()


def test_set_grad_enabled_switches_at_once_and_a_with_block_restores_the_mode():
    try:
        tg.set_grad_enabled(False)
        assert not tg.is_grad_enabled()
    finally:
        tg.set_grad_enabled(True)
    with tg.set_grad_enabled(False):
        assert not tg.is_grad_enabled()
        with tg.set_grad_enabled(True):
            assert tg.is_grad_enabled()
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()
