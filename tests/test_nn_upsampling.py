"""F.interpolate, Upsample and the pixel shuffles: values against literals from PyTorch 2.x
(CPU; PyTorch itself is never imported), PyTorch's errors and reprs. gradcheck and
gradgradcheck run on every mode through nn_registry.py."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn import functional as F

IMAGE = np.arange(6.0).reshape(1, 1, 2, 3)


def test_nearest_doubling_repeats_each_pixel():
    expected = [[0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2], [3, 3, 4, 4, 5, 5], [3, 3, 4, 4, 5, 5]]
    np.testing.assert_array_equal(F.interpolate(tg.tensor(IMAGE), scale_factor=2).numpy()[0, 0], expected)


def test_nearest_with_a_scale_factor_uses_its_inverse_as_pytorch():
    x = tg.arange(5.0).reshape(1, 1, 5)
    np.testing.assert_array_equal(F.interpolate(x, scale_factor=1.5).numpy().ravel(), [0, 0, 1, 2, 2, 3, 4])


def test_bilinear_without_align_corners_matches_pytorch():
    out = F.interpolate(tg.tensor(IMAGE), size=(3, 4), mode="bilinear").numpy()[0, 0]
    np.testing.assert_allclose(out, [[0.0, 0.625, 1.375, 2.0], [1.5, 2.125, 2.875, 3.5], [3.0, 3.625, 4.375, 5.0]])


def test_bilinear_with_align_corners_keeps_the_corner_pixels():
    out = F.interpolate(tg.tensor(IMAGE), size=(3, 4), mode="bilinear", align_corners=True).numpy()[0, 0]
    np.testing.assert_allclose(out, [[0.0, 2 / 3, 4 / 3, 2.0], [1.5, 13 / 6, 17 / 6, 3.5], [3.0, 11 / 3, 13 / 3, 5.0]],
                               rtol=1e-6)


def test_bilinear_gradient_spreads_each_output_s_weights_back():
    x = tg.tensor(IMAGE, requires_grad=True)
    F.interpolate(x, size=(3, 4), mode="bilinear").sum().backward()
    assert x.grad.numpy().sum() == pytest.approx(12.0)


def test_area_mode_is_adaptive_average_pooling():
    x = tg.tensor(np.arange(24.0).reshape(1, 1, 4, 6))
    np.testing.assert_allclose(F.interpolate(x, scale_factor=0.5, mode="area").numpy(),
                               F.adaptive_avg_pool2d(x, (2, 3)).numpy())


def test_interpolate_keeps_float32():
    assert F.interpolate(tg.ones(1, 1, 2, 2), scale_factor=2, mode="bilinear").dtype == tg.float32


@pytest.mark.parametrize("call, error, message", [
    (lambda x: F.interpolate(x, size=(3, 4), scale_factor=2), ValueError, "only one of size or scale_factor"),
    (lambda x: F.interpolate(x), ValueError, "either size or scale_factor should be defined"),
    (lambda x: F.interpolate(x, scale_factor=2, align_corners=True), ValueError,
     "align_corners option can only be set with the interpolating modes"),
    (lambda x: F.interpolate(x, size=(3,)), ValueError, "Input and output must have the same number of spatial"),
    (lambda x: F.interpolate(x, scale_factor=(2, 2, 2)), ValueError, "Input and scale_factor must have the same"),
    (lambda x: F.interpolate(x[0], scale_factor=2, mode="bilinear"), NotImplementedError,
     "Got 3D input, but bilinear mode needs 4D input"),
    (lambda x: F.interpolate(x, scale_factor=2, mode="linear"), NotImplementedError,
     "Got 4D input, but linear mode needs 3D input"),
    (lambda x: F.interpolate(x, scale_factor=2, mode="foo"), NotImplementedError,
     r"Only 3D, 4D and 5D input .*got foo"),
    (lambda x: F.interpolate(x[0, 0], scale_factor=2), NotImplementedError, r"\(got 2D\)"),
    (lambda x: F.interpolate(x, scale_factor=2, mode="bicubic"), NotImplementedError, "'bicubic'"),
    (lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", antialias=True), NotImplementedError, "antialias"),
    (lambda x: F.interpolate(x, size=2, recompute_scale_factor=True), ValueError, "not meaningful with an explicit"),
    (lambda x: F.interpolate(x, scale_factor=0.1), RuntimeError,
     r"Input and output sizes should be greater than 0, but got input \(H: 2, W: 3\) output \(H: 0, W: 0\)"),
])
def test_interpolate_errors_are_pytorch_s(call, error, message):
    with pytest.raises(error, match=message):
        call(tg.tensor(IMAGE))


def test_deprecated_upsample_warns_and_interpolates():
    with pytest.warns(UserWarning, match="nn.functional.upsample` is deprecated"):
        out = F.upsample(tg.tensor(IMAGE), scale_factor=2)
    np.testing.assert_array_equal(out.numpy(), F.interpolate(tg.tensor(IMAGE), scale_factor=2).numpy())


def test_upsample_layer_is_interpolate_with_its_options():
    layer = nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True)
    np.testing.assert_array_equal(layer(tg.tensor(IMAGE)).numpy(),
                                  F.interpolate(tg.tensor(IMAGE), (3, 4), mode="bilinear", align_corners=True).numpy())


def test_upsampling_bilinear2d_aligns_corners():
    np.testing.assert_array_equal(nn.UpsamplingBilinear2d(size=(3, 4))(tg.tensor(IMAGE)).numpy(),
                                  F.interpolate(tg.tensor(IMAGE), (3, 4), mode="bilinear", align_corners=True).numpy())


@pytest.mark.parametrize("layer, text", [
    (nn.Upsample(scale_factor=2), "Upsample(scale_factor=2.0, mode='nearest')"),
    (nn.Upsample(size=(3, 4), mode="bilinear", align_corners=False), "Upsample(size=(3, 4), mode='bilinear')"),
    (nn.Upsample(scale_factor=(2, 3)), "Upsample(scale_factor=(2.0, 3.0), mode='nearest')"),
    (nn.UpsamplingNearest2d(scale_factor=2), "UpsamplingNearest2d(scale_factor=2.0, mode='nearest')"),
    (nn.UpsamplingBilinear2d(size=3), "UpsamplingBilinear2d(size=3, mode='bilinear')"),
    (nn.PixelShuffle(2), "PixelShuffle(upscale_factor=2)"),
    (nn.PixelUnshuffle(3), "PixelUnshuffle(downscale_factor=3)"),
])
def test_upsampling_layer_repr_is_pytorch_s(layer, text):
    assert repr(layer) == text


def test_pixel_shuffle_interleaves_channels_into_pixels_as_pytorch():
    out = F.pixel_shuffle(tg.arange(8.0).reshape(1, 4, 1, 2), 2)
    np.testing.assert_array_equal(out.numpy(), [[[[0, 2, 1, 3], [4, 6, 5, 7]]]])


def test_pixel_unshuffle_inverts_pixel_shuffle():
    x = tg.randn(2, 8, 3, 2)
    np.testing.assert_array_equal(F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2).numpy(), x.numpy())


@pytest.mark.parametrize("call, message", [
    (lambda: F.pixel_shuffle(tg.ones(2, 3), 2), "pixel_shuffle expects input to have at least 3 dimensions"),
    (lambda: F.pixel_shuffle(tg.ones(5, 2, 3), 2), r"input.size\(-3\)=5 is not divisible by 4"),
    (lambda: F.pixel_unshuffle(tg.ones(1, 3, 4), 2), r"height to be divisible by downscale_factor, but "
                                                     r"input.size\(-2\)=3"),
    (lambda: F.pixel_unshuffle(tg.ones(1, 4, 3), 2), r"width to be divisible by downscale_factor, but "
                                                     r"input.size\(-1\)=3"),
])
def test_pixel_shuffle_errors_are_pytorch_s(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()
