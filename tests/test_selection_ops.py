"""Selection and rearrangement ops behave as PyTorch's: the values and index conventions, which
results are views, and the errors for arguments out of range. (Gradients are checked for every op
by the registry's property tests in test_ops.py.) Expected values were taken from PyTorch 2.x."""

import numpy as np
import pytest

import tinygrad_np as tg


def grid():
    return tg.tensor(np.arange(6.0).reshape(2, 3))


# --------------------------------------------------------------------- narrow


def test_narrow_counts_a_negative_start_from_the_end():
    assert grid().narrow(1, -1, 1).tolist() == [[2.0], [5.0]]


def test_narrow_accepts_a_start_tensor():
    assert grid().narrow(1, tg.tensor(1), 1).tolist() == [[1.0], [4.0]]


def test_narrow_is_a_view_that_in_place_ops_write_through():
    x = grid()
    x.narrow(1, 1, 2).zero_()
    assert x.tolist() == [[0.0, 0.0, 0.0], [3.0, 0.0, 0.0]]


def test_narrow_may_start_at_the_end_with_length_zero():
    assert grid().narrow(1, 3, 0).shape == (2, 0)


@pytest.mark.parametrize("start", [4, -4])
def test_narrow_refuses_a_start_out_of_range(start):
    with pytest.raises(IndexError, match=r"start out of range \(expected to be in range of \[-3, 3\]"):
        grid().narrow(1, start, 0)


def test_narrow_refuses_a_length_past_the_end():
    with pytest.raises(RuntimeError, match=r"start \(2\) \+ length \(2\) exceeds dimension size \(3\)"):
        grid().narrow(1, 2, 2)


def test_narrow_refuses_a_negative_length():
    with pytest.raises(RuntimeError, match="length must be non-negative"):
        grid().narrow(1, 1, -1)


def test_narrow_refuses_a_0_d_tensor():
    with pytest.raises(RuntimeError, match="0-dim"):
        tg.tensor(1.0).narrow(0, 0, 1)


# --------------------------------------------------------------------- split, chunk, unbind


def test_split_by_size_leaves_the_remainder_last():
    assert [p.tolist() for p in grid().split(2, 1)] == [[[0.0, 1.0], [3.0, 4.0]], [[2.0], [5.0]]]


def test_split_by_sections_takes_each_size_in_turn():
    assert [p.shape for p in tg.split(grid(), [1, 0, 2], dim=1)] == [(2, 1), (2, 0), (2, 2)]


def test_split_returns_views():
    x = grid()
    first, _ = x.split(1)
    first.fill_(7.0)
    assert x.tolist() == [[7.0, 7.0, 7.0], [3.0, 4.0, 5.0]]


def test_split_of_an_empty_dim_gives_one_empty_piece():
    assert [p.shape for p in tg.zeros(0).split(2)] == [(0,)]


def test_split_refuses_sections_that_do_not_add_up():
    with pytest.raises(RuntimeError, match=r"sum exactly to 3 \(input tensor's size at dimension 1\), but got "
                                           r"split_sizes=\[1, 1\]"):
        grid().split([1, 1], 1)


def test_split_refuses_negative_sections():
    with pytest.raises(RuntimeError, match="only non-negative entries"):
        grid().split([1, -1, 3], 1)


def test_split_refuses_a_negative_size():
    with pytest.raises(RuntimeError, match="split_size be non-negative"):
        grid().split(-1, 1)


def test_split_refuses_size_zero_on_a_non_empty_dim():
    with pytest.raises(RuntimeError, match="split_size can only be 0 if dimension size is 0"):
        grid().split(0, 1)


def test_split_refuses_a_0_d_tensor():
    with pytest.raises(RuntimeError, match="at least a 1-dimensional tensor"):
        tg.tensor(1.0).split(1)


def test_chunk_may_give_fewer_pieces_than_asked():
    assert [p.tolist() for p in tg.chunk(tg.arange(6), 4)] == [[0, 1], [2, 3], [4, 5]]


def test_chunk_of_an_empty_dim_gives_as_many_empty_pieces_as_asked():
    assert [p.shape for p in tg.zeros(0).chunk(3)] == [(0,)] * 3


def test_chunk_refuses_zero_chunks():
    with pytest.raises(RuntimeError, match="greater than 0, got: 0"):
        grid().chunk(0, 1)


def test_unbind_removes_the_dim():
    assert [p.tolist() for p in tg.unbind(grid(), 1)] == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


def test_unbind_refuses_a_0_d_tensor():
    with pytest.raises(IndexError, match="no dimensions"):
        tg.tensor(1.0).unbind()


# --------------------------------------------------------------------- roll, flip, repeat, tile


def test_roll_without_dims_rolls_the_flattened_tensor():
    assert grid().roll(1).tolist() == [[5.0, 0.0, 1.0], [2.0, 3.0, 4.0]]


def test_roll_along_several_dims_shifts_each():
    assert tg.roll(grid(), (1, 1), (0, 1)).tolist() == [[5.0, 3.0, 4.0], [2.0, 0.0, 1.0]]


def test_roll_shifts_along_a_repeated_dim_add_up():
    assert grid().roll((1, 1), (0, 0)).tolist() == grid().tolist()


def test_roll_takes_shifts_modulo_the_size():
    assert grid().roll(-7, 1).tolist() == [[1.0, 2.0, 0.0], [4.0, 5.0, 3.0]]


@pytest.mark.parametrize(("shifts", "dims", "message"), [
    ((1, 1), 0, "shifts: 2, dims:1"), ((1, 2), None, "shifts: 2, dims:0"), (1, (0, 1), "shifts: 1, dims:2"),
])
def test_roll_refuses_shifts_and_dims_that_do_not_align(shifts, dims, message):
    with pytest.raises(RuntimeError, match=message):
        grid().roll(shifts, dims)


def test_roll_needs_shifts():
    with pytest.raises(RuntimeError, match="`shifts` required"):
        grid().roll([], [])


def test_flip_takes_dims_as_a_list_or_as_arguments():
    assert grid().flip(0, 1).tolist() == tg.flip(grid(), [0, 1]).tolist() == [[5.0, 4.0, 3.0], [2.0, 1.0, 0.0]]


def test_flip_and_tile_take_dims_as_a_keyword():
    assert tg.flip(grid(), dims=[0]).tolist() == [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]]
    assert tg.tile(grid(), dims=(2,)).shape == (2, 6)


def test_flip_returns_a_copy():
    x = grid()
    x.flip(0).zero_()
    assert x.tolist() == grid().tolist()


def test_flip_refuses_a_repeated_dim():
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        grid().flip((0, 0))


def test_repeat_may_add_leading_dims():
    assert grid().repeat(1, 2, 1).shape == (1, 4, 3)


def test_repeat_returns_a_copy_even_when_nothing_repeats():
    x = tg.tensor([1.0])
    x.repeat(1).add_(1)
    assert x.tolist() == [1.0]


def test_repeat_refuses_fewer_sizes_than_dims():
    with pytest.raises(RuntimeError, match="can not be smaller than number of dimensions"):
        grid().repeat(2)


def test_repeat_refuses_negative_sizes():
    with pytest.raises(RuntimeError, match="negative dimension -2"):
        grid().repeat(-1, 1)


def test_tile_pads_the_sizes_with_leading_ones():
    assert tg.tile(grid(), (2,)).tolist() == [[0.0, 1.0, 2.0, 0.0, 1.0, 2.0], [3.0, 4.0, 5.0, 3.0, 4.0, 5.0]]


# --------------------------------------------------------------------- sort, argsort, topk, kthvalue


def test_sort_returns_values_and_indices_by_name():
    values, indices = result = tg.tensor([3.0, 1.0, 2.0]).sort()
    assert result.values.tolist() == values.tolist() == [1.0, 2.0, 3.0]
    assert result.indices.tolist() == indices.tolist() == [1, 2, 0]
    assert indices.dtype == tg.int64


def test_sort_puts_nan_last_ascending_and_first_descending():
    x = tg.tensor([1.0, float("nan"), 3.0])
    assert x.sort().indices.tolist() == [0, 2, 1]
    assert x.sort(descending=True).indices.tolist() == [1, 2, 0]


def test_sort_descending_keeps_equal_values_in_their_order():
    assert tg.tensor([1, 2, 2, 1]).sort(descending=True, stable=True).indices.tolist() == [1, 2, 0, 3]


def test_sort_gives_the_gradient_to_each_value_s_place():
    x = tg.tensor([3.0, 1.0, 2.0], requires_grad=True)
    (x.sort().values * tg.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


def test_argsort_along_a_dim_descending():
    assert grid().argsort(1, True).tolist() == [[2, 1, 0], [2, 1, 0]]


def test_topk_takes_the_first_of_equal_values():
    assert tg.tensor([2, 1, 2, 1]).topk(2).indices.tolist() == [0, 2]
    assert tg.tensor([2, 1, 2, 1]).topk(2, largest=False).indices.tolist() == [1, 3]


def test_topk_counts_nan_as_the_largest():
    assert tg.tensor([1.0, float("nan"), 3.0]).topk(2).indices.tolist() == [1, 2]


def test_topk_along_dim_0():
    values, indices = tg.topk(grid(), 1, 0)
    assert values.tolist() == [[3.0, 4.0, 5.0]] and indices.tolist() == [[1, 1, 1]]


@pytest.mark.parametrize("k", [4, -1])
def test_topk_refuses_k_out_of_range(k):
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        grid().topk(k)


def test_kthvalue_is_the_k_th_smallest():
    values, indices = grid().kthvalue(2, 0, True)
    assert values.tolist() == [[3.0, 4.0, 5.0]] and indices.tolist() == [[1, 1, 1]]


@pytest.mark.parametrize("k", [0, 4])
def test_kthvalue_refuses_k_out_of_range(k):
    with pytest.raises(RuntimeError, match="selected number k out of range for dimension 1"):
        grid().kthvalue(k)


# --------------------------------------------------------------------- tril, triu


def test_tril_keeps_the_entries_on_and_below_the_diagonal():
    assert grid().tril().tolist() == [[0.0, 0.0, 0.0], [3.0, 4.0, 0.0]]
    assert tg.tril(grid(), diagonal=1).tolist() == [[0.0, 1.0, 0.0], [3.0, 4.0, 5.0]]


def test_triu_keeps_the_entries_on_and_above_the_diagonal():
    assert grid().triu(1).tolist() == [[0.0, 1.0, 2.0], [0.0, 0.0, 5.0]]


def test_triangles_are_taken_in_every_matrix_of_a_batch():
    assert tg.ones(2, 2, 2).triu().tolist() == [[[1.0, 1.0], [0.0, 1.0]]] * 2


def test_triangles_keep_the_dtype():
    assert tg.ones(2, 2, dtype=tg.bool_).tril().tolist() == [[True, False], [True, True]]


@pytest.mark.parametrize("name", ["tril", "triu"])
def test_triangles_need_two_dims(name):
    with pytest.raises(RuntimeError, match=f"{name}: input tensor must have at least 2 dimensions"):
        getattr(tg.ones(2), name)()


# --------------------------------------------------------------------- scatter, index_select, masked_select


def test_scatter_writes_src_at_the_index_along_dim():
    out = tg.zeros(2, 3).scatter(0, tg.tensor([[1, 0, 1]]), grid().float())
    assert out.tolist() == [[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]]


def test_scatter_writes_a_number_given_as_value_or_in_place_of_src():
    index = tg.tensor([[1, 0, 1]])
    assert tg.zeros(2, 3).scatter(0, index, value=2.0).tolist() == tg.zeros(2, 3).scatter(0, index, 2).tolist()


def test_scatter_in_place_makes_a_one_hot_vector_from_a_0_d_index():
    assert tg.zeros(4).scatter_(0, tg.tensor(2), value=1).tolist() == [0.0, 0.0, 1.0, 0.0]


def test_scatter_truncates_a_fractional_value_into_an_integer_tensor():
    assert tg.zeros(3, dtype=tg.int64).scatter_(0, tg.tensor([1]), value=1.7).tolist() == [0, 1, 0]


def test_scatter_add_adds_up_repeated_indices():
    out = tg.zeros(3).scatter_add(0, tg.tensor([0, 0, 2]), tg.tensor([1.0, 2.0, 3.0]))
    assert out.tolist() == [3.0, 0.0, 3.0]


def test_scatter_add_in_place_writes_into_the_tensor():
    x = tg.zeros(3)
    x.scatter_add_(0, tg.tensor([1, 1]), tg.tensor([1.0, 2.0]))
    assert x.tolist() == [0.0, 3.0, 0.0]


def test_scatter_gives_src_the_gradient_at_the_written_places_and_self_the_rest():
    x = tg.tensor(np.zeros((2, 3)), requires_grad=True)
    src = tg.tensor(np.zeros((1, 3)), requires_grad=True)
    (x.scatter(0, tg.tensor([[1, 0, 1]]), src) * tg.tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 2.0], [0.0, 4.0, 0.0]]
    assert src.grad.tolist() == [[3.0, 1.0, 5.0]]


@pytest.mark.parametrize(("index", "src", "error", "message"), [
    ([[2, 0, 1]], None, RuntimeError, "index 2 is out of bounds for dimension 0 with size 2"),
    ([[-1, 0, 1]], None, RuntimeError, "index -1 is out of bounds for dimension 0 with size 2"),
    ([1, 0, 1], None, RuntimeError, "same number of dimensions as self tensor"),
    ([[1, 0, 1, 1]], None, RuntimeError, r"Expected index \[1, 4\] to be no larger than self \[2, 3\]"),
    ([[1, 0, 1]], np.ones((1, 2), np.float32), RuntimeError, r"no larger size than src \[1, 2\]"),
    ([[1, 0, 1]], np.ones((2, 3)), RuntimeError, "Expected self.dtype to be equal to src.dtype"),
    ([[1.0, 0.0]], None, RuntimeError, "Expected dtype int64 for index"),
])
def test_scatter_refuses_what_pytorch_refuses(index, src, error, message):
    src = grid().float() if src is None else tg.tensor(src)
    with pytest.raises(error, match=message):
        tg.zeros(2, 3).scatter(0, tg.tensor(index), src)


def test_scatter_refuses_the_deprecated_reduce_argument():
    with pytest.raises(NotImplementedError, match="scatter_add"):
        tg.zeros(3).scatter(0, tg.tensor([1]), tg.ones(1), reduce="add")


def test_scatter_add_needs_a_src_tensor():
    with pytest.raises(TypeError, match="must be Tensor, not float"):
        tg.zeros(3).scatter_add(0, tg.tensor([1]), 1.0)


def test_index_select_picks_entries_in_the_order_given():
    assert tg.index_select(grid(), 1, tg.tensor([2, 0, 2])).tolist() == [[2.0, 0.0, 2.0], [5.0, 3.0, 5.0]]


def test_index_select_keeps_the_dim_for_a_0_d_index():
    assert grid().index_select(1, tg.tensor(2)).shape == (2, 1)


@pytest.mark.parametrize(("index", "error", "message"), [
    ([[2]], IndexError, "Index is supposed to be a vector"),
    ([3], RuntimeError, "out of DATA bounds, id=3 axis_dim=3"),
    ([-1], RuntimeError, "out of DATA bounds, id=-1 axis_dim=3"),
    ([1.0], RuntimeError, "Expected dtype int32 or int64 for index"),
])
def test_index_select_refuses_what_pytorch_refuses(index, error, message):
    with pytest.raises(error, match=message):
        grid().index_select(1, tg.tensor(index))


def test_masked_select_broadcasts_the_mask_and_flattens():
    assert grid().masked_select(tg.tensor([True, False, True])).tolist() == [0.0, 2.0, 3.0, 5.0]


def test_masked_select_broadcasts_the_tensor_too():
    assert tg.masked_select(tg.tensor([1.0, 2.0]), tg.ones(2, 2, dtype=tg.bool_)).tolist() == [1.0, 2.0, 1.0, 2.0]


def test_masked_select_needs_a_bool_mask():
    with pytest.raises(RuntimeError, match="expected BoolTensor for mask"):
        grid().masked_select(tg.tensor([1, 0, 1]))
