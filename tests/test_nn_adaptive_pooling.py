"""adaptive_avg_pool2d / adaptive_max_pool2d and their layers: PyTorch's bins
[floor(i·n/m), ceil((i + 1)·n/m)), against PyTorch 2.x's values (literals; PyTorch is never
imported), the tiling special cases and the error cases."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

RAMP = np.arange(30.0).reshape(1, 1, 5, 6)  # 5x6 pooled to 3x4: bins overlap in both dims


def test_adaptive_avg_pool2d_of_overlapping_bins_matches_pytorch():
    np.testing.assert_allclose(F.adaptive_avg_pool2d(tg.tensor(RAMP), (3, 4)).numpy(),
                               [[[[3.5, 4.5, 6.5, 7.5], [12.5, 13.5, 15.5, 16.5], [21.5, 22.5, 24.5, 25.5]]]])


def test_adaptive_max_pool2d_of_overlapping_bins_and_its_indices_match_pytorch():
    values, indices = F.adaptive_max_pool2d(tg.tensor(RAMP), (3, 4), return_indices=True)
    expected = [[[[7, 8, 10, 11], [19, 20, 22, 23], [25, 26, 28, 29]]]]
    np.testing.assert_array_equal(values.numpy(), expected)
    np.testing.assert_array_equal(indices.numpy(), expected)  # the ramp's value is its flat index


@given(data=st.data())
def test_each_output_is_the_mean_and_the_maximum_of_its_bin(data):
    height, width = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    out_h, out_w = data.draw(st.integers(1, 7)), data.draw(st.integers(1, 7))
    x = data.draw(arrays((2, height, width)))
    mean = F.adaptive_avg_pool2d(tg.tensor(x), (out_h, out_w)).numpy()
    maximum = F.adaptive_max_pool2d(tg.tensor(x), (out_h, out_w)).numpy()
    for i, j in np.ndindex(out_h, out_w):
        rows = slice(math.floor(i * height / out_h), math.ceil((i + 1) * height / out_h))
        cols = slice(math.floor(j * width / out_w), math.ceil((j + 1) * width / out_w))
        np.testing.assert_allclose(mean[:, i, j], x[:, rows, cols].mean((1, 2)), rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(maximum[:, i, j], x[:, rows, cols].max((1, 2)))


def test_output_size_1_is_the_global_mean_and_maximum():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    np.testing.assert_allclose(F.adaptive_avg_pool2d(tg.tensor(x), 1).numpy(), x.mean((2, 3), keepdims=True))
    np.testing.assert_array_equal(F.adaptive_max_pool2d(tg.tensor(x), (1, 1)).numpy(), x.max((2, 3), keepdims=True))


def test_bins_that_tile_the_input_are_plain_pooling():
    x = tg.tensor(np.random.default_rng(1).standard_normal((2, 3, 6, 8)))
    np.testing.assert_allclose(F.adaptive_avg_pool2d(x, (3, 2)).numpy(), F.avg_pool2d(x, (2, 4)).numpy(),
                               rtol=1e-12)
    np.testing.assert_array_equal(F.adaptive_max_pool2d(x, (3, 2)).numpy(), F.max_pool2d(x, (2, 4)).numpy())


def test_a_none_entry_keeps_the_input_size_of_that_dim():
    x = tg.tensor(RAMP)
    assert F.adaptive_avg_pool2d(x, (None, 2)).shape == (1, 1, 5, 2)
    assert F.adaptive_max_pool2d(x, (2, None)).shape == (1, 1, 2, 6)


def test_an_output_larger_than_the_input_repeats_pixels():
    x = tg.tensor([[[1.0, 2.0]]])
    np.testing.assert_array_equal(F.adaptive_avg_pool2d(x, (1, 4)).numpy(), [[[1.0, 1.0, 2.0, 2.0]]])


def test_an_unbatched_input_gives_an_unbatched_output():
    x = np.random.default_rng(2).standard_normal((3, 5, 5))
    np.testing.assert_array_equal(F.adaptive_max_pool2d(tg.tensor(x), 2).numpy(),
                                  F.adaptive_max_pool2d(tg.tensor(x[None]), 2).numpy()[0])
    values, indices = F.adaptive_max_pool2d(tg.tensor(x), 3, return_indices=True)
    assert values.shape == indices.shape == (3, 3, 3)


def test_adaptive_max_pool2d_gradient_goes_to_the_first_maximum_of_a_bin_as_pytorch():
    x = tg.tensor([[[[1.0, 1.0], [1.0, 0.0]]]], requires_grad=True)
    F.adaptive_max_pool2d(x, 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[1.0, 0.0], [0.0, 0.0]]]])


def test_adaptive_max_pool2d_with_overlapping_bins_gives_a_shared_maximum_each_bin_s_gradient():
    x = tg.tensor([[[0.0, 5.0, 1.0]]], requires_grad=True)  # 1x3 to 1x2: bins [0, 2) and [1, 3) share the 5
    F.adaptive_max_pool2d(x, (1, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[0.0, 2.0, 0.0]]])


def test_adaptive_avg_pool2d_gradient_spreads_each_output_over_its_bin():
    x = tg.tensor(np.zeros((1, 1, 3)), requires_grad=True)  # bins [0, 2) and [1, 3)
    F.adaptive_avg_pool2d(x, (1, 2)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[[0.5, 1.0, 0.5]]])


@pytest.mark.parametrize("pool", [F.adaptive_avg_pool2d, F.adaptive_max_pool2d])
def test_adaptive_pooling_of_a_2d_input_raises_shape_error(pool):
    with pytest.raises(tg.ShapeError, match=pool.__name__):
        pool(tg.zeros(5, 5), 2)


@pytest.mark.parametrize("pool", [F.adaptive_avg_pool2d, F.adaptive_max_pool2d])
@pytest.mark.parametrize("output_size", [(-1, 2), (2, 2, 2), 1.5])
def test_adaptive_pooling_with_a_bad_output_size_raises_value_error(pool, output_size):
    with pytest.raises(ValueError, match="output_size"):
        pool(tg.zeros(1, 5, 5), output_size)


def test_adaptive_pooling_layers_forward_are_their_functions():
    x = tg.tensor(RAMP)
    np.testing.assert_array_equal(nn.AdaptiveAvgPool2d((3, 4))(x).numpy(), F.adaptive_avg_pool2d(x, (3, 4)).numpy())
    values, indices = nn.AdaptiveMaxPool2d((3, 4), return_indices=True)(x)
    np.testing.assert_array_equal(indices.numpy(), F.adaptive_max_pool2d(x, (3, 4), True)[1].numpy())
    assert list(nn.AdaptiveAvgPool2d(1).parameters()) == []
