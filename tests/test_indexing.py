"""Indexing `t[...]` and `gather`: the forward is NumPy's, and the gradient scatters back,
summing over repeated indices. Gradients are checked against finite differences in float64,
to second order."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import arrays, shapes

import tinygrad_np as tg
from tinygrad_np.autograd import gradcheck, gradgradcheck

# Second-order checks perturb the input and the upstream gradient element by element; small
# sides keep them quick.
SMALL = {"max_dims": 3, "max_side": 3}


def leaf(array):
    return tg.tensor(array, requires_grad=True)


def selection_size(shape, key):
    return np.empty(shape)[key].size


@st.composite
def basic_cases(draw, min_dims=0, max_dims=3, max_side=4):
    """(array, key) with a basic index: ints (maybe negative), slices with steps, None, Ellipsis."""
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=max_side))
    key = draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    return draw(arrays(shape)), key


@st.composite
def integer_array_cases(draw, max_dims=3, max_side=4):
    """(array, key) with one integer array per indexed dim (negative values and repeats included)."""
    shape = draw(shapes(min_dims=1, max_dims=max_dims, max_side=max_side))
    key = draw(hnp.integer_array_indices(shape, result_shape=shapes(max_dims=2, max_side=3)))
    return draw(arrays(shape)), key


@st.composite
def mask_cases(draw, max_dims=3, max_side=4):
    """(array, mask) with a boolean mask over the leading k dims."""
    shape = draw(shapes(min_dims=1, max_dims=max_dims, max_side=max_side))
    k = draw(st.integers(1, len(shape)))
    return draw(arrays(shape)), draw(hnp.arrays(np.bool_, shape[:k]))


@st.composite
def mixed_cases(draw, max_dims=3, max_side=4):
    """(array, key) mixing a leading mask or integer lists with ints, slices and None."""
    shape = draw(shapes(min_dims=1, max_dims=max_dims, max_side=max_side))
    parts, start = [], 0
    use_mask = draw(st.booleans())
    if use_mask:
        start = draw(st.integers(1, len(shape)))
        parts.append(draw(hnp.arrays(np.bool_, shape[:start])))
    list_length = draw(st.integers(1, 3))
    for n in shape[start:]:
        choices = [st.integers(-n, n - 1), st.slices(n)]
        if not use_mask:  # lists broadcast with each other, not with a mask's selection
            choices.append(st.lists(st.integers(-n, n - 1), min_size=list_length, max_size=list_length))
        parts.append(draw(st.one_of(choices)))
    parts = parts[: draw(st.integers(1, len(parts)))]  # trailing dims may be left implicit
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), None)
    return draw(arrays(shape)), tuple(parts)


def assert_forward_matches_numpy(array, key):
    out = tg.tensor(array)[key]
    expected = array[key]
    assert isinstance(out, tg.Tensor)
    assert out.shape == expected.shape
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out.numpy(), expected)


# ------------------------------------------------------------------ forward equals NumPy


@given(shape=shapes(min_dims=1), data=st.data())
def test_integer_index_matches_numpy(shape, data):
    array = data.draw(arrays(shape))
    i = data.draw(st.integers(-shape[0], shape[0] - 1))
    assert_forward_matches_numpy(array, i)


def test_negative_integer_counts_from_the_end():
    t = tg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_array_equal(t[-1].numpy(), [5.0, 6.0])
    assert t[-1, -2].item() == 5.0


@given(basic_cases())
def test_basic_index_matches_numpy(case):
    assert_forward_matches_numpy(*case)


def test_slices_with_steps_match_numpy():
    array = np.arange(24.0).reshape(4, 6)
    for key in [(slice(None, None, 2),), (slice(1, None, 3), slice(None, None, -1)), (slice(-1, 0, -2), 1)]:
        assert_forward_matches_numpy(array, key)


def test_none_and_ellipsis_insert_and_skip_dims():
    array = np.arange(24.0).reshape(2, 3, 4)
    t = tg.tensor(array)
    assert t[None].shape == (1, 2, 3, 4)
    assert t[..., None].shape == (2, 3, 4, 1)
    assert t[:, None, ..., 1].shape == (2, 1, 3)
    np.testing.assert_array_equal(t[..., 2].numpy(), array[..., 2])


def test_indexing_a_zero_dim_tensor_with_empty_tuple_ellipsis_or_none():
    t = tg.tensor(5.0)
    assert t[()].shape == () and t[()].item() == 5.0
    assert t[...].shape == ()
    assert t[None].shape == (1,)


@given(integer_array_cases())
def test_integer_array_index_matches_numpy(case):
    assert_forward_matches_numpy(*case)


@given(integer_array_cases())
def test_lists_and_int_tensors_index_like_integer_arrays(case):
    array, key = case
    as_lists = tuple(part.tolist() for part in key)
    as_tensors = tuple(tg.tensor(part) for part in key)
    expected = array[key]
    np.testing.assert_array_equal(tg.tensor(array)[as_tensors].numpy(), expected)
    np.testing.assert_array_equal(tg.tensor(array)[as_lists].numpy(), expected)


def test_a_single_list_index_picks_rows():
    array = np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(tg.tensor(array)[[3, 0, 3]].data, array[[3, 0, 3]])


def test_zero_dim_int_tensor_index_acts_like_an_int():
    array = np.arange(12.0).reshape(4, 3)
    out = tg.tensor(array)[tg.tensor(2)]
    assert out.shape == (3,)
    np.testing.assert_array_equal(out.numpy(), array[2])


@given(mask_cases())
def test_boolean_mask_matches_numpy(case):
    array, mask = case
    assert_forward_matches_numpy(array, mask)
    np.testing.assert_array_equal(tg.tensor(array)[tg.tensor(mask)].numpy(), array[mask])


def test_mask_from_a_comparison_selects_matching_elements():
    t = tg.tensor([[1.0, -2.0], [-3.0, 4.0]])
    np.testing.assert_array_equal(t[t > 0].numpy(), [1.0, 4.0])


def test_mask_then_slice():
    array = np.arange(12.0).reshape(4, 3)
    mask = np.array([True, False, True, True])
    assert_forward_matches_numpy(array, (mask, slice(1, None)))
    np.testing.assert_array_equal(tg.tensor(array)[tg.tensor(mask), 1:].numpy(), array[mask, 1:])


def test_slice_then_list():
    array = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(tg.tensor(array)[:, [0, 2]].data, array[:, [0, 2]])


def test_advanced_indices_separated_by_a_slice_move_to_the_front():
    array = np.arange(24.0).reshape(2, 3, 4)
    assert_forward_matches_numpy(array, ([0, 1], slice(None), [3, 2]))
    assert tg.tensor(array)[[0, 1], :, [3, 2]].shape == (2, 3)


@given(mixed_cases())
def test_mixed_index_matches_numpy(case):
    assert_forward_matches_numpy(*case)


def test_index_keeps_float32():
    assert tg.tensor([1.0, 2.0, 3.0])[[0, 2]].dtype == tg.float32


# ------------------------------------------------------------------ bad indices


def test_out_of_range_int_raises_index_error():
    with pytest.raises(IndexError):
        tg.zeros(3)[3]
    with pytest.raises(IndexError):
        tg.zeros(3)[-4]


def test_out_of_range_integer_array_raises_index_error():
    with pytest.raises(IndexError):
        tg.zeros(3)[[0, 3]]


def test_float_tensor_index_raises_index_error():
    with pytest.raises(IndexError):
        tg.zeros(3)[tg.tensor([0.0, 1.0])]


@pytest.mark.parametrize("mask_shape", [(2,), (4,), (3, 2)], ids=str)
def test_boolean_mask_of_the_wrong_shape_raises_index_error(mask_shape):
    # PyTorch: IndexError "The shape of the mask [2] at index 0 does not match the shape of the
    # indexed tensor [3] at index 0"; NumPy raises IndexError as well.
    mask = np.zeros(mask_shape, dtype=bool)
    mask.flat[0] = True
    with pytest.raises(IndexError):
        tg.zeros(3, 3)[mask]


# ------------------------------------------------------------------ gradients


KEY_KINDS = {"basic": basic_cases, "integer-array": integer_array_cases, "mask": mask_cases, "mixed": mixed_cases}


@pytest.mark.parametrize("kind", KEY_KINDS)
@given(data=st.data())
def test_index_gradient_checks_for_every_kind_of_key(kind, data):
    array, key = data.draw(KEY_KINDS[kind]())
    assert gradcheck(lambda t: t[key], (leaf(array),))


@given(mask_cases())
def test_boolean_mask_gradient_is_upstream_where_selected_zero_elsewhere(case):
    array, mask = case
    x = leaf(array)
    out = x[mask]
    upstream = np.arange(1.0, out.numel() + 1).reshape(out.shape)
    out.backward(tg.tensor(upstream))
    expected = np.zeros_like(array)
    expected[mask] = upstream
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_repeated_indices_accumulate():
    x = leaf(np.array([1.0, 2.0, 3.0]))
    x[[0, 0, 1]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 1.0, 0.0])


def test_repeated_int_tensor_indices_accumulate_the_upstream_gradient():
    x = leaf(np.array([1.0, 2.0, 3.0]))
    x[tg.tensor([2, 0, 2, -1])].backward(tg.tensor([1.0, 10.0, 100.0, 1000.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [10.0, 0.0, 1101.0])


@given(shape=shapes(min_dims=1), data=st.data())
def test_repeated_row_indices_sum_the_upstream_gradient(shape, data):
    n = shape[0]
    rows = data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=8))
    x = leaf(data.draw(arrays(shape)))
    out = x[rows]
    upstream = data.draw(arrays(out.shape))
    out.backward(tg.tensor(upstream))
    expected = np.zeros(shape)
    for position, row in enumerate(rows):
        expected[row] += upstream[position]
    np.testing.assert_allclose(x.grad.numpy(), expected)


def test_index_gradient_keeps_float32():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0]].sum().backward()
    assert x.grad.dtype == tg.float32


def test_gradient_of_a_zero_dim_bool_index():
    x = leaf(np.ones((2, 3)))
    out = x[True]
    assert out.shape == (1, 2, 3)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3)))


# ------------------------------------------------------------------ second derivatives


@given(basic_cases(**SMALL))
def test_basic_index_second_derivatives_check(case):
    array, key = case
    assume(selection_size(array.shape, key) > 0)
    assert gradgradcheck(lambda t: t[key], (leaf(array),))


@given(integer_array_cases(**SMALL))
def test_integer_array_index_second_derivatives_check(case):
    array, key = case
    assert gradgradcheck(lambda t: t[key], (leaf(array),))


@given(mixed_cases(**SMALL))
def test_mixed_index_second_derivatives_check(case):
    array, key = case
    assume(selection_size(array.shape, key) > 0)
    assert gradgradcheck(lambda t: t[key], (leaf(array),))


@given(shapes(min_dims=1, **SMALL).flatmap(lambda shape: arrays(shape, 0.5, 2.0)))
def test_second_derivative_of_a_nonlinear_function_of_a_repeated_index(array):
    assert gradgradcheck(lambda t: (t[[0, 0, -1]] ** 3).sum(), (leaf(array),))


def test_second_derivatives_through_an_empty_slice_check():
    assert gradgradcheck(lambda t: t[2:1], (leaf(np.ones((3, 2))),))


# ------------------------------------------------------------------ gather


@st.composite
def gather_cases(draw, max_dims=3, max_side=4):
    """(array, dim, index): index has the input's rank, any size along dim, at most the
    input's size along the other dims, and values (often repeated) in range."""
    shape = draw(shapes(min_dims=1, max_dims=max_dims, max_side=max_side))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    axis = dim % len(shape)
    index_shape = tuple(draw(st.integers(1, 4)) if i == axis else draw(st.integers(1, n)) for i, n in enumerate(shape))
    index = draw(hnp.arrays(np.int64, index_shape, elements=st.integers(0, shape[axis] - 1)))
    return draw(arrays(shape)), dim, index


def crop(array, index, axis):
    """The part of `array` that `index` addresses outside `axis` (what take_along_axis needs)."""
    return array[tuple(slice(None) if i == axis else slice(0, n) for i, n in enumerate(index.shape))]


@given(gather_cases())
def test_gather_matches_take_along_axis(case):
    array, dim, index = case
    axis = dim % array.ndim
    out = tg.tensor(array).gather(dim, tg.tensor(index))
    np.testing.assert_array_equal(out.numpy(), np.take_along_axis(crop(array, index, axis), index, axis))


@given(gather_cases())
def test_gather_gradient_accumulates_repeated_indices(case):
    array, dim, index = case
    axis = dim % array.ndim
    x = leaf(array)
    upstream = np.arange(1.0, index.size + 1).reshape(index.shape)
    x.gather(dim, tg.tensor(index)).backward(tg.tensor(upstream))
    expected = np.zeros_like(array)
    for position in np.ndindex(index.shape):
        target = list(position)
        target[axis] = index[position]
        expected[tuple(target)] += upstream[position]
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_gather_along_dim_1_picks_per_row():
    t = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = t.gather(1, tg.tensor([[0, 0], [1, 0]]))
    np.testing.assert_array_equal(out.numpy(), [[1.0, 1.0], [4.0, 3.0]])


@given(gather_cases())
def test_gather_gradient_checks(case):
    array, dim, index = case
    assert gradcheck(lambda t: t.gather(dim, tg.tensor(index)), (leaf(array),))


@given(gather_cases(**SMALL))
def test_gather_second_derivatives_check(case):
    array, dim, index = case
    assert gradgradcheck(lambda t: t.gather(dim, tg.tensor(index)), (leaf(array),))


def test_gather_with_an_index_of_another_rank_raises():
    with pytest.raises(RuntimeError):
        tg.zeros(2, 3).gather(1, tg.tensor([0, 1]))


def test_gather_with_an_out_of_range_index_raises():
    with pytest.raises((IndexError, RuntimeError)):
        tg.zeros(2, 3).gather(1, tg.tensor([[0, 3]]))


def test_gather_with_a_negative_index_raises():
    # PyTorch: RuntimeError "index -1 is out of bounds for dimension 0 with size 3"
    with pytest.raises((IndexError, RuntimeError)):
        tg.tensor([1.0, 2.0, 3.0]).gather(0, tg.tensor([-1]))
