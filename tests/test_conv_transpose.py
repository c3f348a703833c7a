"""conv_transpose2d and nn.ConvTranspose2d: the adjoint of conv2d, against its definition,
PyTorch 2.x's values (literals; PyTorch is never imported) and its error cases."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F


def ramp(n, shape, scale, shift=1.0):
    return tg.tensor(np.arange(n, dtype=np.float64).reshape(shape) / scale - shift, requires_grad=True)


def test_conv_transpose2d_with_stride_padding_and_output_padding_matches_pytorch():
    x, w = ramp(8, (1, 2, 2, 2), 4), ramp(18, (2, 1, 3, 3), 9)
    out = F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)
    (out * tg.tensor(np.arange(16.0).reshape(out.shape))).sum().backward()
    np.testing.assert_allclose(out.numpy(), [[[[0.55555558, 1.02777773, 0.52777779, 0.47222221],
                                               [0.72222224, 1.27777775, 0.6666667, 0.66666664],
                                               [0.5, 0.91666669, 0.47222221, 0.52777779],
                                               [0.5, 1.08333327, 0.6388889, 0.6944444]]]], rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [[[[-1.88888878, -6.8888886], [-19.99999982, -41.33333254]],
                                                 [[8.11111093, 17.11111069], [30.99999964, 48.66666615]]]], rtol=1e-6)
    np.testing.assert_allclose(w.grad.numpy(), [[[[-1.25, -3.5, -4.25], [-3.0, -8.0, -10.5], [-7.0, -18.0, -20.5]]],
                                                [[[3.75, 6.5, 7.75], [7.0, 12.0, 13.5], [11.0, 18.0, 19.5]]]],
                               rtol=1e-6)


def test_conv_transpose2d_with_groups_a_pair_stride_and_dilation_matches_pytorch():
    x, w = ramp(12, (1, 4, 1, 3), 6), ramp(16, (4, 1, 2, 2), 8)
    out = F.conv_transpose2d(x, w, groups=2, stride=(1, 2), dilation=(2, 1))
    np.testing.assert_allclose(out.numpy(), [[[[1.25, 1.0625, 1.0, 0.85416664, 0.75, 0.64583331], [0.0] * 6,
                                               [0.875, 0.6875, 0.70833331, 0.56249999, 0.54166664, 0.43749998]],
                                              [[0.25, 0.3125, 0.33333331, 0.43749997, 0.41666669, 0.56250003],
                                               [0.0] * 6,
                                               [0.375, 0.4375, 0.54166663, 0.64583328, 0.70833337, 0.85416672]]]],
                               rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("size, kernel, stride, padding, output_padding, dilation, expected", [
    (1, 4, 1, 0, 0, 1, 4),  # a DCGAN generator's first layer: 1x1 noise to 4x4
    (4, 4, 2, 1, 0, 1, 8),  # ... and each later one doubles the size
    (5, 3, 2, 1, 1, 1, 10),
    (3, 3, 1, 0, 0, 2, 7),
    (2, 1, 3, 0, 2, 1, 6),
])
def test_conv_transpose2d_output_size_is_pytorchs_formula(size, kernel, stride, padding, output_padding, dilation,
                                                          expected):
    out = F.conv_transpose2d(tg.zeros(1, 1, size, size), tg.zeros(1, 1, kernel, kernel), stride=stride,
                             padding=padding, output_padding=output_padding, dilation=dilation)
    assert out.shape == (1, 1, expected, expected)


@given(data=st.data())
def test_conv_transpose2d_is_the_adjoint_of_conv2d_with_the_same_weight(data):
    """<conv2d(y, w), x> = <y, conv_transpose2d(x, w)> for every x and y: the defining property."""
    stride, padding, dilation = data.draw(st.integers(1, 2)), data.draw(st.integers(0, 1)), data.draw(st.integers(1, 2))
    groups = data.draw(st.integers(1, 2))
    kernel = data.draw(st.integers(1, 3))
    c_in, c_out = groups * data.draw(st.integers(1, 2)), groups * data.draw(st.integers(1, 2))
    size = data.draw(st.integers(dilation * (kernel - 1) + 1, 6))
    w = data.draw(arrays((c_out, c_in // groups, kernel, kernel)))
    y = data.draw(arrays((2, c_in, size, size)))
    forward = F.conv2d(tg.tensor(y), tg.tensor(w), stride=stride, padding=padding, dilation=dilation, groups=groups)
    x = data.draw(arrays(forward.shape))
    extra = (size + 2 * padding - dilation * (kernel - 1) - 1) % stride  # rows conv2d skipped at the end
    back = F.conv_transpose2d(tg.tensor(x), tg.tensor(w), stride=stride, padding=padding, output_padding=extra,
                              dilation=dilation, groups=groups)
    assert back.shape == y.shape
    np.testing.assert_allclose((forward.numpy() * x).sum(), (y * back.numpy()).sum(), rtol=1e-9, atol=1e-9)


def test_conv_transpose2d_adds_the_bias_to_each_output_channel():
    out = F.conv_transpose2d(tg.zeros(1, 1, 2, 2), tg.zeros(1, 2, 3, 3), tg.tensor([1.5, -2.0]))
    np.testing.assert_array_equal(out.numpy()[0, :, 0, 0], [1.5, -2.0])


def test_conv_transpose2d_accepts_an_unbatched_input():
    x, w = np.random.default_rng(0).standard_normal((2, 3, 3)), np.random.default_rng(1).standard_normal((2, 1, 2, 2))
    batched = F.conv_transpose2d(tg.tensor(x[None]), tg.tensor(w), stride=2)
    np.testing.assert_array_equal(F.conv_transpose2d(tg.tensor(x), tg.tensor(w), stride=2).numpy(), batched.numpy()[0])


@pytest.mark.parametrize("kwargs", [dict(stride=2, output_padding=2), dict(output_padding=1)])
def test_conv_transpose2d_output_padding_not_below_stride_or_dilation_raises(kwargs):
    with pytest.raises(ValueError, match="output padding must be smaller than either stride or dilation"):
        F.conv_transpose2d(tg.zeros(1, 2, 3, 3), tg.zeros(2, 3, 3, 3), **kwargs)


def test_conv_transpose2d_input_channels_other_than_the_weight_s_first_dim_raise_shape_error():
    with pytest.raises(tg.ShapeError, match="expects 2"):
        F.conv_transpose2d(tg.zeros(1, 3, 3, 3), tg.zeros(2, 3, 3, 3))


def test_conv_transpose2d_padding_that_leaves_no_output_raises_shape_error():
    with pytest.raises(tg.ShapeError, match="too small"):
        F.conv_transpose2d(tg.zeros(1, 2, 3, 3), tg.zeros(2, 3, 3, 3), stride=2, padding=5)


def test_conv_transpose2d_layer_weight_is_in_by_out_over_groups_by_kernel_as_pytorch():
    m = nn.ConvTranspose2d(4, 6, (3, 2), groups=2)
    assert m.weight.shape == (4, 3, 3, 2) and m.bias.shape == (6,)
    assert list(m.state_dict()) == ["weight", "bias"]


def test_conv_transpose2d_layer_default_init_is_bounded_by_one_over_sqrt_of_weight_dim_1_times_kernel():
    tg.manual_seed(0)
    m = nn.ConvTranspose2d(8, 2, 3)
    bound = 1 / np.sqrt(2 * 9)  # PyTorch's fan_in for a transposed weight: out_channels/groups · kH · kW
    assert np.abs(m.weight.numpy()).max() <= bound and np.abs(m.weight.numpy()).max() > 0.9 * bound
    assert np.abs(m.bias.numpy()).max() <= bound


def test_conv_transpose2d_layer_output_size_picks_the_output_padding():
    m = nn.ConvTranspose2d(2, 3, 3, stride=2)
    x = tg.zeros(1, 2, 3, 3)
    assert m(x).shape == (1, 3, 7, 7)
    assert m(x, output_size=[8, 8]).shape == (1, 3, 8, 8)
    assert m(x, output_size=(1, 3, 8, 7)).shape == (1, 3, 8, 7)


def test_conv_transpose2d_layer_output_size_out_of_range_raises_value_error_naming_the_range():
    with pytest.raises(ValueError, match=r"valid sizes range from \[7, 7\] to \[8, 8\]"):
        nn.ConvTranspose2d(2, 3, 3, stride=2)(tg.zeros(1, 2, 3, 3), output_size=[9, 9])


def test_conv_transpose2d_layer_with_string_padding_raises_value_error():
    with pytest.raises(ValueError, match="padding"):
        nn.ConvTranspose2d(2, 3, 3, padding="same")


def test_a_dcgan_generator_maps_noise_to_64_by_64_images():
    ngf = 4
    generator = nn.Sequential(
        nn.ConvTranspose2d(100, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, 3, 4, 2, 1, bias=False), nn.Tanh())
    out = generator(tg.randn(2, 100, 1, 1))
    out.mean().backward()
    assert out.shape == (2, 3, 64, 64)
    assert all(p.grad is not None and p.grad.shape == p.shape for p in generator.parameters())
