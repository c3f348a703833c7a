"""nonzero, unique, bincount, histc, meshgrid, the triangle indices, logspace and stride: the
cases the registry's NumPy references do not pin down (PyTorch's choices, dtypes and errors)."""

import numpy as np
import pytest

import tinygrad_np as tg


def test_nonzero_of_a_0d_tensor_has_no_columns_and_as_tuple_counts_it_as_1d():
    assert tg.tensor(5.0).nonzero().shape == (1, 0)
    assert [t.tolist() for t in tg.tensor(5.0).nonzero(as_tuple=True)] == [[0]]


def test_unique_keeps_each_nan_and_sorts_whatever_sorted_says():
    assert np.isnan(tg.unique(tg.tensor([1.0, np.nan, np.nan])).numpy()[1:]).all()
    assert tg.tensor([3, 1, 2, 3]).unique(sorted=False).tolist() == [1, 2, 3]


def test_unique_along_a_dim_gives_a_1d_inverse():
    values, inverse = tg.unique(tg.tensor([[1, 2], [1, 2], [0, 1]]), dim=0, return_inverse=True)
    assert values.tolist() == [[0, 1], [1, 2]] and inverse.tolist() == [1, 1, 0]


def test_unique_with_counts_only_returns_a_pair():
    values, counts = tg.tensor([3, 1, 3]).unique(return_counts=True)
    assert values.tolist() == [1, 3] and counts.tolist() == [1, 2]


def test_bincount_weights_keep_float32_and_widen_the_rest_to_float64():
    index = tg.tensor([0, 1, 1])
    assert tg.bincount(index, tg.tensor([0.5, 1.0, 2.0])).dtype == tg.float32
    assert tg.bincount(index, tg.tensor([1, 2, 3])).tolist() == [1.0, 5.0]
    assert tg.bincount(index, tg.tensor([1, 2, 3])).dtype == tg.float64


@pytest.mark.parametrize("values", [tg.tensor([0, -1]), tg.tensor([[0, 1]])])
def test_bincount_refuses_negative_or_multidimensional_input(values):
    with pytest.raises(RuntimeError, match="1-d non-negative integral"):
        tg.bincount(values)


def test_histc_uses_the_data_range_when_min_equals_max():
    assert tg.histc(tg.tensor([1.0, 2, 1, 5]), bins=4).tolist() == [2.0, 1.0, 0.0, 1.0]
    assert tg.histc(tg.tensor([1.0, 1.0]), bins=4).tolist() == [0.0, 0.0, 2.0, 0.0]


def test_histc_bins_as_pytorch_rounds_not_by_exact_comparison():
    x = tg.tensor([-5.26887635e-281], dtype=tg.float64)  # (x + 1) * 3 / 3 rounds to 1: bin 1, as PyTorch
    assert tg.histc(x, bins=3, min=-1, max=2).tolist() == [0.0, 1.0, 0.0]


@pytest.mark.parametrize("kwargs", [{"bins": 4, "min": 3, "max": 1}, {"bins": 0}])
def test_histc_refuses_a_reversed_range_and_no_bins(kwargs):
    with pytest.raises(RuntimeError):
        tg.histc(tg.tensor([1.0, 2.0]), **kwargs)


def test_histc_refuses_integers():
    with pytest.raises(NotImplementedError):
        tg.histc(tg.tensor([1, 2]))


def test_meshgrid_without_indexing_warns_and_uses_ij():
    with pytest.warns(UserWarning, match="indexing argument"):
        x, y = tg.meshgrid(tg.tensor([1.0, 2.0]), tg.tensor([3.0, 4.0, 5.0]))
    assert x.shape == (2, 3) and y.tolist() == [[3.0, 4.0, 5.0]] * 2


def test_meshgrid_xy_swaps_the_first_two_dims():
    grids = tg.meshgrid(tg.zeros(2), tg.zeros(3), tg.zeros(4), indexing="xy")
    assert [g.shape for g in grids] == [(3, 2, 4)] * 3


@pytest.mark.parametrize("tensors", [(tg.ones(2, 2),), (tg.ones(2), tg.ones(2, dtype=tg.float64))])
def test_meshgrid_refuses_matrices_and_mixed_dtypes(tensors):
    with pytest.raises(RuntimeError):
        tg.meshgrid(*tensors, indexing="ij")


def test_triangle_indices_in_row_major_order():
    assert tg.tril_indices(3, 2, -1).tolist() == [[1, 2, 2], [0, 0, 1]]
    assert tg.triu_indices(3, 4, 1).tolist() == [[0, 0, 0, 1, 1, 2], [1, 2, 3, 2, 3, 3]]
    with pytest.raises(RuntimeError, match="non-negative"):
        tg.tril_indices(-1, 0)


def test_logspace_is_powers_of_the_base_in_the_default_float():
    assert tg.logspace(0, 2, 3).tolist() == [1.0, 10.0, 100.0]
    assert tg.logspace(0, 2, 3, base=2).dtype == tg.float32
    assert tg.logspace(0, 2, 3, dtype=tg.int64).tolist() == [1, 10, 100]


def test_stride_counts_elements_and_is_zero_along_an_expanded_dim():
    x = tg.zeros(2, 3)
    assert x.stride() == (3, 1) and x.t().stride() == (1, 3) and x.stride(-1) == 1
    assert x.expand(2, 2, 3).stride() == (0, 3, 1)
