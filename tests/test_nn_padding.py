"""F.pad's reflect, replicate and circular modes and the padding layers, against literals from
PyTorch 2.x (CPU; PyTorch itself is never imported), with PyTorch's errors and reprs."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

ROWS = np.arange(6.0).reshape(1, 2, 3)
IMAGE = np.arange(12.0).reshape(1, 1, 3, 4)


@pytest.mark.parametrize("pad, mode, expected", [
    ((2, 2), "reflect", [[[2, 1, 0, 1, 2, 1, 0], [5, 4, 3, 4, 5, 4, 3]]]),
    ((-1, 1), "reflect", [[[1, 2, 1], [4, 5, 4]]]),
    ((-1, 2), "replicate", [[[1, 2, 2, 2], [4, 5, 5, 5]]]),
    ((3, 1), "circular", [[[0, 1, 2, 0, 1, 2, 0], [3, 4, 5, 3, 4, 5, 3]]]),
])
def test_pad_of_the_last_dim_matches_pytorch(pad, mode, expected):
    np.testing.assert_array_equal(F.pad(tg.tensor(ROWS), pad, mode).numpy(), expected)


def test_reflect_pad_of_an_image_matches_pytorch():
    expected = [[9, 8, 9, 10, 11, 10, 9], [5, 4, 5, 6, 7, 6, 5], [1, 0, 1, 2, 3, 2, 1], [5, 4, 5, 6, 7, 6, 5],
                [9, 8, 9, 10, 11, 10, 9], [5, 4, 5, 6, 7, 6, 5]]
    np.testing.assert_array_equal(F.pad(tg.tensor(IMAGE), (1, 2, 2, 1), "reflect").numpy()[0, 0], expected)


def test_replicate_pad_of_an_image_matches_pytorch():
    expected = [[0, 0, 1, 2, 3, 3, 3]] * 3 + [[4, 4, 5, 6, 7, 7, 7]] + [[8, 8, 9, 10, 11, 11, 11]] * 2
    np.testing.assert_array_equal(F.pad(tg.tensor(IMAGE), (1, 2, 2, 1), "replicate").numpy()[0, 0], expected)


def test_reflect_pad_gradient_counts_each_position_s_copies_as_pytorch():
    x = tg.tensor(IMAGE, requires_grad=True)
    F.pad(x, (1, 2, 2, 1), "reflect").sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[1, 3, 2, 1], [3, 9, 6, 3], [2, 6, 4, 2]])


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.pad(tg.tensor(ROWS), (3, 3), "reflect"), RuntimeError,
     r"Padding size should be less than the corresponding input dimension, but got: padding \(3, 3\) at dimension 2"),
    (lambda: F.pad(tg.tensor(ROWS), (4, 4), "circular"), RuntimeError, "wrapping around more than once"),
    (lambda: F.pad(tg.tensor(IMAGE), (1, 1), "reflect"), NotImplementedError,
     "Padding size 2 is not supported for 4D input tensor"),
    (lambda: F.pad(tg.tensor(ROWS), (1,), "reflect"), RuntimeError, "Padding length must be divisible by 2"),
    (lambda: F.pad(tg.tensor(ROWS), (1, 1), "replicate", 3.0), RuntimeError,
     "Padding mode \"replicate\" doesn't take in value argument"),
    (lambda: F.pad(tg.tensor(ROWS), (1, 1), "foo"), NotImplementedError, "Unrecognised padding mode foo"),
])
def test_pad_errors_are_pytorch_s(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_non_constant_pad_accepts_a_zero_value_as_pytorch():
    np.testing.assert_array_equal(F.pad(tg.tensor(ROWS), (1, 1), "reflect", 0.0).numpy()[0, 0], [1, 0, 1, 2, 1])


@pytest.mark.parametrize("layer, mode", [
    (nn.ReflectionPad2d((1, 2, 2, 1)), "reflect"), (nn.ReplicationPad2d((1, 2, 2, 1)), "replicate"),
])
def test_padding_layer_is_f_pad_with_its_mode(layer, mode):
    np.testing.assert_array_equal(layer(tg.tensor(IMAGE)).numpy(), F.pad(tg.tensor(IMAGE), (1, 2, 2, 1), mode).numpy())


def test_constant_pad_layer_fills_with_its_value():
    np.testing.assert_array_equal(nn.ConstantPad1d((1, 0), 3.5)(tg.tensor([[1.0, 2.0]])).numpy(), [[3.5, 1.0, 2.0]])


def test_zero_pad_layer_of_an_int_pads_every_side():
    assert nn.ZeroPad2d(1)(tg.ones(1, 1, 2, 2)).numpy()[0, 0].tolist() == [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0],
                                                                          [0, 0, 0, 0]]


@pytest.mark.parametrize("layer, text", [
    (nn.ZeroPad2d(2), "ZeroPad2d((2, 2, 2, 2))"), (nn.ZeroPad1d(1), "ZeroPad1d((1, 1))"),
    (nn.ConstantPad1d(2, 3.5), "ConstantPad1d(padding=(2, 2), value=3.5)"),
    (nn.ConstantPad2d((1, 2, 3, 4), 1), "ConstantPad2d(padding=(1, 2, 3, 4), value=1)"),
    (nn.ReflectionPad2d(1), "ReflectionPad2d((1, 1, 1, 1))"), (nn.ReflectionPad1d(2), "ReflectionPad1d((2, 2))"),
    (nn.ReplicationPad2d((1, 0, 2, 0)), "ReplicationPad2d((1, 0, 2, 0))"),
    (nn.ReplicationPad1d((1, 2)), "ReplicationPad1d((1, 2))"),
])
def test_padding_layer_repr_is_pytorch_s(layer, text):
    assert repr(layer) == text


def test_conv_padding_mode_pads_with_f_pad_before_convolving():
    conv = nn.Conv1d(1, 1, 3, padding=1, padding_mode="reflect", bias=False)
    conv.weight.data = tg.tensor([[[1.0, 2.0, 3.0]]])
    # reflect-padded [2 | 1 2 4 8 | 4], correlated with (1, 2, 3)
    np.testing.assert_array_equal(conv(tg.tensor([[[1.0, 2.0, 4.0, 8.0]]])).numpy(), [[[10.0, 17.0, 34.0, 32.0]]])


def test_conv_padding_same_with_a_padding_mode_puts_the_odd_pixel_after_as_pytorch():
    conv = nn.Conv2d(1, 1, 4, padding="same", padding_mode="circular")
    x = tg.randn(1, 1, 5, 6)
    expected = F.conv2d(F.pad(x, (1, 2, 1, 2), "circular"), conv.weight, conv.bias)
    np.testing.assert_allclose(conv(x).numpy(), expected.numpy(), rtol=1e-6)
    assert expected.shape == (1, 1, 5, 6)


def test_conv_repr_shows_a_padding_mode_other_than_zeros():
    assert repr(nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect")) == (
        "Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), padding_mode=reflect)")


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Conv2d(1, 1, 3, padding_mode="foo"), "padding_mode must be one of .*but got padding_mode='foo'"),
    (lambda: nn.ConvTranspose2d(1, 1, 3, padding_mode="reflect"),
     'Only "zeros" padding mode is supported for ConvTranspose2d'),
])
def test_conv_padding_mode_errors_are_pytorch_s(make, message):
    with pytest.raises(ValueError, match=message):
        make()
