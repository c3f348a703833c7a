"""The Tensor itself: construction, the dtype policy, factories, attributes, conversions,
comparisons, reflected operators and repr — each as PyTorch does it."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import arrays, floats, shapes

import tinygrad_np as tg

FLOAT_DTYPES = [tg.float16, tg.float32, tg.float64]
NON_FLOAT_DTYPES = [tg.int8, tg.int16, tg.int32, tg.int64, tg.uint8, tg.bool_]
ALL_DTYPES = FLOAT_DTYPES + NON_FLOAT_DTYPES


@pytest.fixture
def float64_default():
    """Make float64 the default float dtype for one test, and restore the previous default."""
    previous = tg.get_default_dtype()
    tg.set_default_dtype(tg.float64)
    try:
        yield
    finally:
        tg.set_default_dtype(previous)


def any_array(dtype):
    """Small arrays of any shape with values that fit every dtype."""
    return hnp.arrays(dtype, shapes(), elements=st.integers(0, 1) if dtype == tg.bool_ else st.integers(0, 100))


# ------------------------------------------------------------------ construction: the dtype policy


def test_default_dtype_is_float32():
    assert tg.get_default_dtype() == tg.float32


@given(floats())
def test_python_float_takes_default_dtype(value):
    t = tg.tensor(value)
    assert t.dtype == tg.float32
    assert t.shape == ()
    assert t.item() == np.float32(value)


@given(st.lists(st.lists(floats(), min_size=2, max_size=2), min_size=1, max_size=3))
def test_nested_list_of_python_floats_takes_default_dtype(values):
    t = tg.tensor(values)
    assert t.dtype == tg.float32
    np.testing.assert_array_equal(t.numpy(), np.array(values, dtype=np.float32))


def test_list_mixing_python_ints_and_floats_takes_default_dtype():
    assert tg.tensor([1, 2.5, 3]).dtype == tg.float32


def test_empty_list_takes_default_dtype():
    t = tg.tensor([])
    assert t.dtype == tg.float32
    assert t.shape == (0,)


def test_tensor_class_constructor_makes_the_default_float_dtype_from_any_data():
    # torch.Tensor is the legacy constructor: torch.Tensor([1, 2]).dtype is torch.float32
    assert tg.Tensor([1.0, 2.0]).dtype == tg.float32
    assert tg.Tensor([1, 2]).dtype == tg.float32
    assert tg.Tensor(np.arange(3.0)).dtype == tg.float32


def test_set_default_dtype_makes_python_floats_float64(float64_default):
    assert tg.get_default_dtype() == tg.float64
    assert tg.tensor(1.5).dtype == tg.float64
    assert tg.tensor([1.0, 2.0]).dtype == tg.float64


def test_set_default_dtype_changes_float_factories(float64_default):
    made = [
        tg.zeros(2),
        tg.ones(2),
        tg.empty(2),
        tg.rand(2),
        tg.randn(2),
        tg.full((2,), 1.5),
        tg.arange(0.5),
        tg.linspace(0, 1, 3),
        tg.eye(2),
    ]
    assert [t.dtype for t in made] == [tg.float64] * len(made)


def test_set_default_dtype_changes_int_tensor_plus_python_float(float64_default):
    assert (tg.tensor([1, 2]) + 2.5).dtype == tg.float64
    assert (tg.tensor([1, 2]) / tg.tensor([2, 2])).dtype == tg.float64


def test_set_default_dtype_leaves_ndarrays_alone(float64_default):
    assert tg.tensor(np.ones(2, dtype=np.float32)).dtype == tg.float32


def test_set_default_dtype_rejects_non_float_dtypes():
    with pytest.raises(TypeError):
        tg.set_default_dtype(tg.int64)
    assert tg.get_default_dtype() == tg.float32


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
@given(data=st.data())
def test_ndarray_keeps_its_dtype(dtype, data):
    array = data.draw(any_array(dtype))
    t = tg.tensor(array)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.numpy(), array)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_tensor_copies_an_ndarray_as_pytorch(dtype):
    array = np.zeros((2, 3), dtype=dtype)
    assert not np.shares_memory(tg.tensor(array).numpy(), array)
    assert not np.shares_memory(tg.tensor(array, dtype=dtype).numpy(), array)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_as_tensor_and_from_numpy_share_an_ndarray_of_their_dtype(dtype):
    array = np.zeros((2, 3), dtype=dtype)
    assert tg.as_tensor(array).numpy() is array
    assert tg.as_tensor(array, dtype=dtype).numpy() is array
    assert tg.from_numpy(array).numpy() is array


def test_float64_ndarray_stays_float64():
    assert tg.tensor(np.array([1.0, 2.0])).dtype == tg.float64


def test_ndarray_with_another_dtype_is_converted_without_touching_the_original():
    array = np.array([1.5, 2.5])
    t = tg.tensor(array, dtype=tg.float32)
    assert t.dtype == tg.float32
    assert array.dtype == np.float64
    np.testing.assert_array_equal(t.numpy(), [1.5, 2.5])


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_dtype_argument_converts_python_data(dtype):
    t = tg.tensor([0, 1, 1], dtype=dtype)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.numpy(), np.array([0, 1, 1], dtype=dtype))


def test_numpy_float64_scalar_keeps_float64():
    assert tg.tensor(np.float64(1.5)).dtype == tg.float64
    assert tg.tensor(np.float32(1.5)).dtype == tg.float32


def test_list_of_numpy_float64_scalars_keeps_float64():
    # torch.tensor([np.float64(1.0), np.float64(2.0)]).dtype is torch.float64
    assert tg.tensor([np.float64(1.0), np.float64(2.0)]).dtype == tg.float64


@given(st.integers(-(2**62), 2**62))
def test_python_int_gives_int64(value):
    t = tg.tensor(value)
    assert t.dtype == tg.int64
    assert t.item() == value


def test_list_of_python_ints_gives_int64():
    assert tg.tensor([[1, 2], [3, 4]]).dtype == tg.int64


def test_python_bool_gives_bool():
    assert tg.tensor(True).dtype == tg.bool_
    assert tg.tensor([True, False]).dtype == tg.bool_


def test_list_mixing_bools_and_ints_gives_int64():
    assert tg.tensor([True, 2]).dtype == tg.int64


@pytest.mark.parametrize("dtype", NON_FLOAT_DTYPES, ids=str)
def test_non_float_tensor_cannot_be_created_requiring_grad(dtype):
    with pytest.raises(RuntimeError, match="floating point"):
        tg.tensor(np.zeros(2, dtype=dtype), requires_grad=True)


@pytest.mark.parametrize("dtype", NON_FLOAT_DTYPES, ids=str)
def test_non_float_tensor_cannot_be_made_to_require_grad(dtype):
    t = tg.tensor(np.zeros(2, dtype=dtype))
    with pytest.raises(RuntimeError):
        t.requires_grad_()
    with pytest.raises(RuntimeError):
        t.requires_grad = True
    assert not t.requires_grad


def test_integer_factories_cannot_require_grad():
    with pytest.raises(RuntimeError):
        tg.arange(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        tg.full((2,), 3, requires_grad=True)
    with pytest.raises(RuntimeError):
        tg.zeros(2, dtype=tg.int64, requires_grad=True)
    with pytest.raises(RuntimeError):
        tg.randint(0, 5, (2,), requires_grad=True)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
def test_float_tensor_can_require_grad(dtype):
    t = tg.tensor(np.zeros(2, dtype=dtype), requires_grad=True)
    assert t.requires_grad
    assert t.is_leaf


# ------------------------------------------------------------------ type promotion


@given(floats())
def test_float32_tensor_times_python_float_stays_float32(value):
    assert (tg.tensor([1.0, 2.0]) * value).dtype == tg.float32
    assert (value * tg.tensor([1.0, 2.0])).dtype == tg.float32


def test_float32_tensor_times_numpy_float64_scalar_stays_float32():
    assert (tg.tensor([1.0, 2.0]) * np.float64(2.5)).dtype == tg.float32
    assert (np.float64(2.5) * tg.tensor([1.0, 2.0])).dtype == tg.float32


def test_float_tensor_plus_python_int_keeps_its_dtype():
    assert (tg.tensor([1.0]) + 1).dtype == tg.float32
    assert (tg.tensor(np.array([1.0])) + 1).dtype == tg.float64
    assert (tg.tensor([1.0], dtype=tg.float16) + 2.5).dtype == tg.float16


def test_int_tensor_plus_python_float_is_float32():
    t = tg.tensor([1, 2]) + 2.5
    assert t.dtype == tg.float32
    np.testing.assert_array_equal(t.numpy(), [3.5, 4.5])


def test_int_tensor_plus_numpy_float64_scalar_is_float32():
    assert (tg.tensor([1, 2]) + np.float64(2.5)).dtype == tg.float32


def test_int_tensor_times_python_int_stays_int64():
    assert (tg.tensor([1, 2]) * 3).dtype == tg.int64


def test_int32_tensor_plus_python_int_stays_int32():
    assert (tg.tensor([1, 2], dtype=tg.int32) + 3).dtype == tg.int32


def test_bool_tensor_plus_python_int_is_int64():
    assert (tg.tensor([True, False]) + 1).dtype == tg.int64


def test_int_tensor_divided_by_int_tensor_is_float32():
    t = tg.tensor([1, 3]) / tg.tensor([2, 2])
    assert t.dtype == tg.float32
    np.testing.assert_array_equal(t.numpy(), [0.5, 1.5])


def test_int_tensor_divided_by_python_int_is_float32():
    assert (tg.tensor([1, 3]) / 2).dtype == tg.float32
    assert (2 / tg.tensor([1, 3])).dtype == tg.float32


TENSOR_PROMOTION = {
    "float32 + float64 is float64": ([1.0, 2.0], np.array([1.0, 2.0]), tg.float64),
    "float32 + float64 0-d stays float32": ([1.0, 2.0], np.float64(3.0), tg.float32),
    "int64 + float64 0-d is float64 (higher category wins)": ([1, 2], np.float64(0.5), tg.float64),
}


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize(("left", "right", "expected"), TENSOR_PROMOTION.values(), ids=TENSOR_PROMOTION.keys())
def test_tensor_tensor_promotion_follows_pytorch_on_either_side(left, right, expected, swap):
    a, b = tg.tensor(left), tg.tensor(right)
    if swap:
        a, b = b, a
    out = a + b
    assert out.dtype == expected
    np.testing.assert_allclose(out.numpy(), np.add(left, right))


def test_int32_tensor_plus_int64_zero_dim_tensor_stays_int32():
    assert (tg.tensor([1, 2], dtype=tg.int32) + tg.tensor(5)).dtype == tg.int32


def test_two_zero_dim_tensors_promote_to_the_wider_dtype():
    assert (tg.tensor(1.0) + tg.tensor(np.float64(2.0))).dtype == tg.float64


def test_gradient_through_mixed_dtypes_comes_back_in_each_input_dtype():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = tg.tensor(np.array([3.0, 4.0]), requires_grad=True)
    (x * y).sum().backward()
    assert x.grad.dtype == tg.float32
    assert y.grad.dtype == tg.float64
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(y.grad.numpy(), [1.0, 2.0])


def test_gradient_of_float32_tensor_times_python_float_stays_float32():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * 2.5 + np.float64(1.0)).sum().backward()
    assert x.grad.dtype == tg.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2.5, 2.5])


# ------------------------------------------------------------------ factories

SIZED_FACTORIES = {"zeros": tg.zeros, "ones": tg.ones, "empty": tg.empty, "rand": tg.rand, "randn": tg.randn}


@pytest.mark.parametrize("name", SIZED_FACTORIES)
@given(shape=shapes())
def test_factory_accepts_sizes_as_varargs_tuple_or_list(name, shape):
    factory = SIZED_FACTORIES[name]
    assert factory(*shape).shape == shape
    assert factory(shape).shape == shape
    assert factory(list(shape)).shape == shape


@pytest.mark.parametrize("name", SIZED_FACTORIES)
def test_float_factory_uses_default_dtype_unless_given(name):
    factory = SIZED_FACTORIES[name]
    assert factory(2, 3).dtype == tg.float32
    assert factory(2, 3, dtype=tg.float64).dtype == tg.float64


@pytest.mark.parametrize("name", SIZED_FACTORIES)
def test_factory_requires_grad_makes_a_leaf_that_requires_grad(name):
    t = SIZED_FACTORIES[name](2, 3, requires_grad=True)
    assert t.requires_grad
    assert t.is_leaf
    assert t.grad_fn is None
    assert not SIZED_FACTORIES[name](2, 3).requires_grad


@pytest.mark.parametrize(
    "draw",
    [
        lambda: tg.rand(3, dtype=tg.float16),
        lambda: tg.randn(3, dtype=tg.float16),
        lambda: tg.randn_like(tg.zeros(3, dtype=tg.float16)),
    ],
    ids=["rand", "randn", "randn_like"],
)
def test_random_float_factories_accept_float16(draw):
    # torch.rand(3, dtype=torch.float16) and torch.randn(...) work on the CPU
    t = draw()
    assert t.dtype == tg.float16
    assert t.shape == (3,)


def test_zeros_and_ones_hold_zeros_and_ones():
    np.testing.assert_array_equal(tg.zeros(2, 3).numpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(tg.ones(2, 3).numpy(), np.ones((2, 3)))


def test_zeros_with_integer_dtype():
    t = tg.zeros(3, dtype=tg.int64)
    assert t.dtype == tg.int64
    np.testing.assert_array_equal(t.numpy(), [0, 0, 0])


@pytest.mark.parametrize(
    "fill, dtype", [(3, tg.int64), (1.5, tg.float32), (True, tg.bool_)], ids=["int", "float", "bool"]
)
def test_full_dtype_follows_the_fill_value(fill, dtype):
    t = tg.full((2, 3), fill)
    assert t.dtype == dtype
    assert t.shape == (2, 3)
    np.testing.assert_array_equal(t.numpy(), np.full((2, 3), fill))


def test_full_dtype_argument_overrides_the_fill_value():
    t = tg.full((2,), 3, dtype=tg.float64, requires_grad=True)
    assert t.dtype == tg.float64
    assert t.requires_grad


@given(st.integers(-5, 5), st.integers(0, 10), st.integers(1, 3))
def test_arange_of_ints_is_int64_and_matches_numpy(start, length, step):
    t = tg.arange(start, start + length, step)  # an end before the start raises, as PyTorch (test_sequence_ops.py)
    assert t.dtype == tg.int64
    np.testing.assert_array_equal(t.numpy(), np.arange(start, start + length, step))


def test_arange_with_one_argument_counts_from_zero():
    np.testing.assert_array_equal(tg.arange(4).numpy(), [0, 1, 2, 3])


@pytest.mark.parametrize("args", [(5.0,), (0, 1, 0.25), (0.5, 3), (0, 2.0)])
def test_arange_with_any_float_argument_is_float32(args):
    t = tg.arange(*args)
    assert t.dtype == tg.float32
    np.testing.assert_allclose(t.numpy(), np.arange(*args))


def test_arange_dtype_argument():
    assert tg.arange(3, dtype=tg.float64).dtype == tg.float64


@given(floats(), floats(), st.integers(1, 10))
def test_linspace_matches_numpy_in_float32(start, end, steps):
    t = tg.linspace(start, end, steps)
    assert t.dtype == tg.float32
    np.testing.assert_allclose(t.numpy(), np.linspace(start, end, steps), rtol=1e-6, atol=1e-6)


@given(st.integers(1, 5), st.one_of(st.none(), st.integers(1, 5)))
def test_eye_is_the_identity(n, m):
    t = tg.eye(n, m)
    assert t.dtype == tg.float32
    np.testing.assert_array_equal(t.numpy(), np.eye(n, m))


def test_rand_is_uniform_in_unit_interval():
    t = tg.rand(1000)
    assert t.numpy().min() >= 0
    assert t.numpy().max() < 1
    assert 0.4 < t.numpy().mean() < 0.6


def test_randn_is_standard_normal():
    t = tg.randn(4000)
    assert abs(t.numpy().mean()) < 0.1
    assert 0.9 < t.numpy().std() < 1.1


def test_randint_with_high_and_size():
    t = tg.randint(5, (200,))
    assert t.dtype == tg.int64
    assert t.shape == (200,)
    assert set(t.tolist()) == {0, 1, 2, 3, 4}


def test_randint_with_low_high_and_size():
    t = tg.randint(3, 6, (2, 100))
    assert t.dtype == tg.int64
    assert t.shape == (2, 100)
    assert set(t.numpy().ravel().tolist()) == {3, 4, 5}


def test_randint_with_keyword_arguments():
    t = tg.randint(low=3, high=6, size=(50,))
    assert t.numpy().min() >= 3 and t.numpy().max() < 6


LIKE_FACTORIES = {"zeros_like": tg.zeros_like, "ones_like": tg.ones_like, "randn_like": tg.randn_like}


@pytest.mark.parametrize("name", LIKE_FACTORIES)
@pytest.mark.parametrize("dtype", [tg.float32, tg.float64], ids=str)
def test_like_factory_keeps_shape_and_dtype(name, dtype):
    t = LIKE_FACTORIES[name](tg.zeros(2, 3, dtype=dtype))
    assert t.shape == (2, 3)
    assert t.dtype == dtype
    assert not t.requires_grad


@pytest.mark.parametrize("name", LIKE_FACTORIES)
def test_like_factory_takes_dtype_and_requires_grad(name):
    t = LIKE_FACTORIES[name](tg.zeros(2, 3), dtype=tg.float64, requires_grad=True)
    assert t.dtype == tg.float64
    assert t.requires_grad and t.is_leaf


def test_zeros_like_and_ones_like_of_int_tensor_stay_int64():
    assert tg.zeros_like(tg.tensor([1, 2])).dtype == tg.int64
    np.testing.assert_array_equal(tg.ones_like(tg.tensor([1, 2])).data, [1, 1])


def test_like_factory_does_not_depend_on_the_source_requiring_grad():
    assert not tg.zeros_like(tg.zeros(2, requires_grad=True)).requires_grad


@pytest.mark.parametrize(
    "draw",
    [
        lambda: tg.rand(3, 2),
        lambda: tg.randn(3, 2),
        lambda: tg.randint(0, 100, (3, 2)),
        lambda: tg.randn_like(tg.zeros(3, 2)),
    ],
    ids=["rand", "randn", "randint", "randn_like"],
)
def test_manual_seed_makes_draws_reproducible(draw):
    tg.manual_seed(1234)
    first = draw().numpy()
    tg.manual_seed(1234)
    again = draw().numpy()
    tg.manual_seed(4321)
    other = draw().numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_manual_seed_fixes_a_whole_sequence_of_draws():
    tg.manual_seed(7)
    first = [tg.rand(2).numpy(), tg.randn(2).numpy(), tg.randint(10, (2,)).data]
    tg.manual_seed(7)
    again = [tg.rand(2).numpy(), tg.randn(2).numpy(), tg.randint(10, (2,)).data]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ attributes


@given(arrays(shapes()))
def test_shape_dtype_ndim_and_data_describe_the_array(array):
    t = tg.tensor(array)
    assert isinstance(t.numpy(), np.ndarray)
    assert t.shape == array.shape
    assert isinstance(t.shape, tuple)
    assert t.dtype == array.dtype
    assert t.ndim == array.ndim


def test_new_tensor_has_no_grad_and_does_not_require_it():
    t = tg.tensor([1.0, 2.0])
    assert t.grad is None
    assert t.requires_grad is False
    assert t.grad_fn is None
    assert t.is_leaf


def test_result_of_an_op_on_a_tensor_requiring_grad_is_a_non_leaf():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.requires_grad
    assert not y.is_leaf
    assert y.grad_fn is not None
    assert x.grad_fn is None and x.is_leaf


def test_result_of_ops_on_constants_is_a_leaf_without_grad():
    y = tg.tensor([1.0, 2.0]) * 2
    assert not y.requires_grad
    assert y.is_leaf
    assert y.grad_fn is None


def test_grad_fn_name_is_the_op_and_backward0():
    y = tg.tensor([1.0, 2.0], requires_grad=True) * 2
    assert y.grad_fn.name() == "MulBackward0"


def test_leaf_receives_grad_after_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    assert isinstance(x.grad, tg.Tensor)
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


@given(arrays(shapes()))
def test_T_reverses_all_dims(array):
    np.testing.assert_array_equal(tg.tensor(array).T.numpy(), array.T)


def test_T_is_differentiable():
    x = tg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    upstream = np.arange(6.0).reshape(3, 2) + 1
    x.T.backward(tg.tensor(upstream))
    np.testing.assert_array_equal(x.grad.numpy(), upstream.T)


@given(arrays(shapes(min_dims=1)))
def test_len_is_the_size_of_the_first_dim(array):
    assert len(tg.tensor(array)) == array.shape[0]


def test_len_of_a_zero_dim_tensor_raises_type_error():
    with pytest.raises(TypeError):
        len(tg.tensor(1.0))


# ------------------------------------------------------------------ conversion


def test_numpy_returns_the_data_without_copying():
    t = tg.tensor([1.0, 2.0])
    assert isinstance(t.numpy(), np.ndarray)
    assert np.shares_memory(t.numpy(), t.numpy())


def test_item_returns_a_python_number():
    value = tg.tensor([[2.5]]).item()
    assert type(value) is float and value == 2.5
    count = tg.tensor(3).item()
    assert type(count) is int and count == 3
    flag = tg.tensor(True).item()
    assert type(flag) is bool and flag is True


def test_item_of_a_tensor_with_several_elements_raises():
    with pytest.raises(RuntimeError):
        tg.tensor([1.0, 2.0]).item()


@given(arrays(shapes()))
def test_tolist_equals_numpy_tolist(array):
    assert tg.tensor(array).tolist() == array.tolist()


def test_detach_shares_data_and_leaves_the_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert d.numpy() is y.numpy()
    assert not d.requires_grad
    assert d.is_leaf and d.grad_fn is None
    assert y.requires_grad  # the original is untouched


def test_no_gradient_flows_through_detach():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * x.detach()).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 2.0])


def test_requires_grad_underscore_sets_the_flag_and_returns_the_tensor():
    t = tg.tensor([1.0, 2.0])
    assert t.requires_grad_() is t
    assert t.requires_grad
    assert t.requires_grad_(False) is t
    assert not t.requires_grad


def test_requires_grad_attribute_can_be_set_on_a_leaf():
    t = tg.tensor([1.0, 2.0])
    t.requires_grad = True
    assert t.requires_grad


@pytest.mark.parametrize(
    "convert, dtype",
    [
        (lambda t: t.float(), tg.float32),
        (lambda t: t.double(), tg.float64),
        (lambda t: t.long(), tg.int64),
        (lambda t: t.astype(tg.float16), tg.float16),
        (lambda t: t.astype(np.int32), tg.int32),
    ],
    ids=["float", "double", "long", "astype_float16", "astype_int32"],
)
@pytest.mark.parametrize("source", [tg.float32, tg.float64, tg.int64], ids=str)
def test_conversion_gives_the_requested_dtype_and_values(convert, dtype, source):
    t = tg.tensor(np.array([0.0, 1.0, 7.0], dtype=source))
    out = convert(t)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out.numpy(), np.array([0, 1, 7], dtype=dtype))


def test_long_truncates_toward_zero():
    assert tg.tensor([1.7, -1.7]).long().tolist() == [1, -1]


@pytest.mark.parametrize(
    "source, target", [(tg.float32, tg.float64), (tg.float64, tg.float32), (tg.float32, tg.float16)], ids=str
)
def test_float_to_float_cast_is_differentiable_and_grad_comes_back_in_the_original_dtype(source, target):
    x = tg.tensor(np.array([1.0, 2.0, 3.0], dtype=source), requires_grad=True)
    y = x.astype(target)
    assert y.requires_grad and y.grad_fn is not None
    (y * tg.tensor(np.array([1.0, 2.0, 3.0], dtype=target))).sum().backward()
    assert x.grad.dtype == source
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 2.0, 3.0])


def test_double_and_float_methods_are_differentiable():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x.double().float() * 3).sum().backward()
    assert x.grad.dtype == tg.float32
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_cast_to_an_integer_dtype_leaves_the_graph():
    x = tg.tensor([1.5, 2.5], requires_grad=True)
    y = x.long()
    assert not y.requires_grad
    assert y.grad_fn is None


# ------------------------------------------------------------------ comparisons

COMPARISONS = {
    "lt": (lambda a, b: a < b, np.less),
    "le": (lambda a, b: a <= b, np.less_equal),
    "gt": (lambda a, b: a > b, np.greater),
    "ge": (lambda a, b: a >= b, np.greater_equal),
    "eq": (lambda a, b: a == b, np.equal),
    "ne": (lambda a, b: a != b, np.not_equal),
}


def small_grid(shape):
    """Values on a coarse grid, so that ties (==) actually happen."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-2, 2).map(float))


@pytest.mark.parametrize("name", COMPARISONS)
@given(data=st.data())
def test_comparison_of_tensors_returns_bool_tensor_without_grad(name, data):
    op, reference = COMPARISONS[name]
    a_shape, b_shape = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)).input_shapes
    a, b = data.draw(small_grid(a_shape)), data.draw(small_grid(b_shape))
    out = op(tg.tensor(a, requires_grad=True), tg.tensor(b, requires_grad=True))
    assert isinstance(out, tg.Tensor)
    assert out.dtype == tg.bool_
    assert not out.requires_grad and out.grad_fn is None
    np.testing.assert_array_equal(out.numpy(), reference(a, b))


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparison_with_a_python_scalar_on_either_side(name):
    op, reference = COMPARISONS[name]
    values = np.array([-1.0, 0.0, 1.0])
    t = tg.tensor(values, requires_grad=True)
    np.testing.assert_array_equal(op(t, 0.0).numpy(), reference(values, 0.0))
    np.testing.assert_array_equal(op(0.0, t).numpy(), reference(0.0, values))


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparison_with_an_ndarray_on_the_left_returns_a_tensor(name):
    op, reference = COMPARISONS[name]
    left, right = np.array([-1.0, 0.0, 1.0]), np.array([0.0, 0.0, 0.0])
    out = op(left, tg.tensor(right))
    assert isinstance(out, tg.Tensor)
    assert out.dtype == tg.bool_
    np.testing.assert_array_equal(out.numpy(), reference(left, right))


def test_named_comparison_methods_match_the_operators():
    a, b = tg.tensor([1, 2, 3]), tg.tensor([2, 2, 2])
    for name, (op, _) in COMPARISONS.items():
        np.testing.assert_array_equal(getattr(a, name)(b).data, op(a, b).numpy())


# ------------------------------------------------------------------ reflected operators

REFLECTED = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}


@pytest.mark.parametrize("name", REFLECTED)
@given(left=arrays((2, 3), 0.5, 2.0), right=arrays((3,), 0.5, 2.0))
def test_ndarray_op_tensor_returns_a_tensor(name, left, right):
    op = REFLECTED[name]
    out = op(left, tg.tensor(right))
    assert isinstance(out, tg.Tensor)
    np.testing.assert_allclose(out.numpy(), op(left, right))


def test_ndarray_matmul_tensor_returns_a_tensor():
    left, right = np.arange(6.0).reshape(2, 3), np.arange(3.0)
    out = left @ tg.tensor(right)
    assert isinstance(out, tg.Tensor)
    np.testing.assert_array_equal(out.numpy(), left @ right)


def test_gradient_flows_through_an_ndarray_on_the_left():
    weights = np.array([1.0, 2.0, 3.0])
    x = tg.tensor([4.0, 5.0, 6.0], requires_grad=True)
    (weights * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), weights)


@pytest.mark.parametrize("name", REFLECTED)
def test_python_scalar_op_tensor_returns_a_tensor(name):
    op = REFLECTED[name]
    values = np.array([0.5, 1.0, 2.0], dtype=np.float32)
    out = op(2.0, tg.tensor(values))
    assert isinstance(out, tg.Tensor)
    assert out.dtype == tg.float32
    np.testing.assert_allclose(out.numpy(), op(np.float32(2.0), values))


# ------------------------------------------------------------------ repr


def test_repr_shows_tensor_and_values():
    text = repr(tg.tensor([1.5, -2.0]))
    assert text.startswith("tensor(")
    assert "1.5" in text and "-2." in text


def test_repr_of_default_float_and_int64_omits_dtype():
    assert "dtype" not in repr(tg.tensor([1.0]))
    assert "dtype" not in repr(tg.tensor([1]))


def test_repr_names_a_non_default_dtype():
    assert "float64" in repr(tg.tensor(np.array([1.0])))
    assert "int32" in repr(tg.tensor([1], dtype=tg.int32))


def test_repr_shows_requires_grad_for_a_leaf():
    assert "requires_grad=True" in repr(tg.tensor([1.0], requires_grad=True))


def test_repr_shows_grad_fn_for_a_non_leaf():
    y = tg.tensor([1.0], requires_grad=True) * 2
    assert "grad_fn=<MulBackward0>" in repr(y)


REDUCTIONS = ["sum", "mean", "var", "std", "amax", "amin", "argmax", "argmin", "logsumexp"]


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_accept_numpy_style_axis_and_keepdims(name):
    x = tg.tensor(np.arange(12.0).reshape(3, 4) % 5)
    torch_style = getattr(x, name)(1, keepdim=True)
    numpy_style = getattr(x, name)(axis=1, keepdims=True)
    assert numpy_style.shape == torch_style.shape == (3, 1)
    np.testing.assert_array_equal(numpy_style.numpy(), torch_style.numpy())


def test_max_and_min_along_an_axis_return_values_and_indices_numpy_style_too():
    x = tg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    assert x.max(axis=1).indices.tolist() == [1, 0]
    assert x.min(axis=1, keepdims=True).values.tolist() == [[1.0], [0.0]]


def test_softmax_accepts_axis():
    x = tg.tensor([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_array_equal(x.softmax(axis=0).numpy(), x.softmax(0).numpy())
    np.testing.assert_array_equal(x.log_softmax(axis=-1).numpy(), x.log_softmax(-1).numpy())


@given(st.lists(st.lists(st.integers(0, 3), max_size=4).map(tuple), min_size=1, max_size=3))
def test_broadcast_shape_follows_numpys_rule_and_raises_shape_error_where_numpy_raises(shapes):
    from tinygrad_np.shapes import broadcast_shape as _broadcast_shape

    try:
        expected = np.broadcast_shapes(*shapes)
    except ValueError:
        with pytest.raises(tg.ShapeError, match="cannot be broadcast together"):
            _broadcast_shape("op", *shapes)
    else:
        assert _broadcast_shape("op", *shapes) == expected
