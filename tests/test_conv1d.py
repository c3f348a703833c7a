"""conv1d, max_pool1d, avg_pool1d and their layers: the 2-D ones over height-1 images, against
PyTorch 2.x's values (literals; PyTorch is never imported) and its error cases."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

SIGNAL = [[[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]]]


def signal_and_kernel():
    x = tg.tensor(np.arange(10.0).reshape(1, 2, 5) / 5 - 1, requires_grad=True)
    w = tg.tensor([[[1.0, -1.0, 0.5], [0.25, 0.0, 2.0]]], requires_grad=True)
    return x, w


def test_conv1d_with_stride_and_padding_matches_pytorch():
    x, w = signal_and_kernel()
    out = F.conv1d(x, w, tg.tensor([0.1]), stride=2, padding=1)
    out.sum().backward()
    np.testing.assert_allclose(out.numpy(), [[[1.1, 0.95, 0.05]]], rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [[[-1.0, 1.5, -1.0, 1.5, -1.0], [0.0, 2.25, 0.0, 2.25, 0.0]]])
    np.testing.assert_allclose(w.grad.numpy(), [[[-1.2, -1.8, -1.2], [0.8, 1.2, 0.8]]], rtol=1e-6)


def test_conv1d_padding_same_with_dilation_matches_pytorch():
    x, w = signal_and_kernel()
    np.testing.assert_allclose(F.conv1d(x, w, padding="same", dilation=2).numpy(),
                               [[[1.5, 1.8, 1.1, -0.35, -0.3]]], rtol=1e-6, atol=1e-7)


@given(data=st.data())
def test_conv1d_is_conv2d_over_images_of_height_1(data):
    groups, kernel = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3))
    x = data.draw(arrays((2, 2 * groups, data.draw(st.integers(kernel, 6)))))
    w = data.draw(arrays((2 * groups, 2, kernel)))
    stride, padding = data.draw(st.integers(1, 2)), data.draw(st.integers(0, 1))
    out = F.conv1d(tg.tensor(x), tg.tensor(w), stride=stride, padding=padding, groups=groups)
    as_image = F.conv2d(tg.tensor(x[:, :, None]), tg.tensor(w[:, :, None]), stride=(1, stride),
                        padding=(0, padding), groups=groups)
    np.testing.assert_allclose(out.numpy(), as_image.numpy()[:, :, 0], rtol=1e-12, atol=1e-12)


def test_conv1d_accepts_an_unbatched_input():
    x, w = signal_and_kernel()
    np.testing.assert_array_equal(F.conv1d(x[0], w).numpy(), F.conv1d(x, w).numpy()[0])


@pytest.mark.parametrize("shape", [(5,), (1, 1, 1, 5)])
def test_conv1d_input_that_is_not_2d_or_3d_raises_shape_error_naming_conv1d(shape):
    with pytest.raises(tg.ShapeError, match="conv1d"):
        F.conv1d(tg.zeros(*shape), tg.zeros(1, 1, 2))


def test_conv1d_with_a_4d_weight_raises_shape_error():
    with pytest.raises(tg.ShapeError, match="conv1d: weight must be 3-D"):
        F.conv1d(tg.zeros(1, 2, 5), tg.zeros(1, 1, 2, 2))


def test_conv1d_input_shorter_than_the_kernel_raises_shape_error_naming_conv1d():
    with pytest.raises(tg.ShapeError, match="conv1d"):
        F.conv1d(tg.zeros(1, 1, 2), tg.zeros(1, 1, 3))


def test_max_pool1d_with_padding_and_indices_matches_pytorch():
    values, indices = F.max_pool1d(tg.tensor(SIGNAL), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(values.numpy(), [[[3.0, 4.0, 9.0, 9.0]]])
    np.testing.assert_array_equal(indices.numpy(), [[[0, 2, 5, 5]]])


def test_max_pool1d_gradient_goes_to_each_window_s_maximum():
    x = tg.tensor(SIGNAL, requires_grad=True)
    F.max_pool1d(x, 3, 2, 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[1.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.0, 0.0]]])


@pytest.mark.parametrize("count_include_pad, expected", [(True, [1.33333333, 2.0, 5.0, 5.66666667]),
                                                         (False, [2.0, 2.0, 5.0, 5.66666667])])
def test_avg_pool1d_with_padding_matches_pytorch(count_include_pad, expected):
    out = F.avg_pool1d(tg.tensor(SIGNAL), 3, 2, 1, count_include_pad=count_include_pad)
    np.testing.assert_allclose(out.numpy(), [[expected]], rtol=1e-6)


@pytest.mark.parametrize("pool", [F.max_pool1d, F.avg_pool1d])
def test_pooling_1d_accepts_one_element_tuples_and_an_unbatched_input(pool):
    x = tg.tensor(SIGNAL)
    np.testing.assert_array_equal(pool(x[0], (2,), (2,)).numpy(), pool(x, 2).numpy()[0])


@pytest.mark.parametrize("pool", [F.max_pool1d, F.avg_pool1d])
def test_pooling_1d_of_a_4d_input_raises_shape_error_naming_the_function(pool):
    with pytest.raises(tg.ShapeError, match=pool.__name__):
        pool(tg.zeros(1, 1, 1, 5), 2)


def test_max_pool1d_with_ceil_mode_raises_not_implemented():
    with pytest.raises(NotImplementedError, match="max_pool1d"):
        F.max_pool1d(tg.tensor(SIGNAL), 3, ceil_mode=True)


def test_conv1d_layer_weight_is_out_by_in_over_groups_by_kernel_and_bias_is_out():
    m = nn.Conv1d(4, 6, 3, groups=2)
    assert m.weight.shape == (6, 2, 3) and m.bias.shape == (6,)
    assert m.kernel_size == (3,) and m.stride == (1,) and m.padding == (0,)


def test_conv1d_layer_forward_is_functional_conv1d_with_its_parameters():
    m = nn.Conv1d(2, 3, 2, stride=2, padding=1, dilation=1)
    x = tg.randn(2, 2, 7)
    np.testing.assert_array_equal(m(x).numpy(), F.conv1d(x, m.weight, m.bias, 2, 1).numpy())


def test_conv1d_layer_with_padding_same_keeps_the_length():
    assert nn.Conv1d(2, 3, 4, padding="same")(tg.zeros(1, 2, 9)).shape == (1, 3, 9)


def test_conv1d_layer_with_channels_not_divisible_by_groups_raises_shape_error():
    with pytest.raises(tg.ShapeError):
        nn.Conv1d(3, 4, 3, groups=2)


def test_conv1d_layer_with_a_pair_kernel_raises_value_error():
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv1d(1, 1, (3, 3))


def test_pool_1d_layers_forward_are_their_functions():
    x = tg.tensor(SIGNAL)
    np.testing.assert_array_equal(nn.MaxPool1d(3, 2, 1)(x).numpy(), F.max_pool1d(x, 3, 2, 1).numpy())
    np.testing.assert_array_equal(nn.AvgPool1d(3, 2, 1)(x).numpy(), F.avg_pool1d(x, 3, 2, 1).numpy())
    values, indices = nn.MaxPool1d(2, return_indices=True)(x)
    np.testing.assert_array_equal(indices.numpy(), [[[0, 2, 5, 7]]])
