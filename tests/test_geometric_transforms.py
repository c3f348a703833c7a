"""Resize, CenterCrop, RandomCrop, RandomHorizontalFlip, as torchvision's, on image arrays
(H x W or H x W x C, where torchvision takes PIL images) and on Tensors (..., C, H, W).

Resize's values are checked against the formulas of tinygrad_np.data.resample worked by hand:
triangle weights at half-pixel centres, widened by the scale when downscaling with antialias;
nearest pixels picked by PIL's and PyTorch's rules.
"""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np.data import transforms
from tinygrad_np.data.transforms import CenterCrop, InterpolationMode, RandomCrop, RandomHorizontalFlip, Resize

ROW = np.array([[0, 100, 200, 40]], dtype=np.uint8)


def test_resize_int_sets_the_smaller_edge_and_keeps_the_aspect_ratio():
    assert Resize(10)(np.zeros((30, 20), np.uint8)).shape == (15, 10)
    assert Resize(10)(np.zeros((20, 30, 3), np.uint8)).shape == (10, 15, 3)


def test_resize_int_truncates_the_larger_edge():
    assert Resize(3)(np.zeros((7, 10), np.uint8)).shape == (3, 4)  # int(3 * 10 / 7)


def test_resize_pair_gives_exactly_that_height_and_width():
    assert Resize((5, 9))(np.zeros((28, 28), np.uint8)).shape == (5, 9)


def test_resize_max_size_caps_the_larger_edge():
    assert Resize(10, max_size=12)(np.zeros((20, 40), np.uint8)).shape == (6, 12)


def test_resize_max_size_not_above_size_raises():
    with pytest.raises(ValueError, match="max_size = 10 must be strictly greater than the requested"):
        Resize(10, max_size=10)(np.zeros((20, 40), np.uint8))


def test_resize_max_size_with_a_pair_raises():
    with pytest.raises(ValueError, match="max_size should only be passed if size specifies the length of the smaller"):
        Resize((4, 4), max_size=10)


def test_resize_refuses_a_size_of_three_values():
    with pytest.raises(ValueError, match="If size is a sequence, it should have 1 or 2 values"):
        Resize((1, 2, 3))


def test_resize_refuses_an_interpolation_it_does_not_have():
    with pytest.raises(ValueError, match="interpolation InterpolationMode.BICUBIC is not supported here"):
        Resize(4, interpolation=InterpolationMode.BICUBIC)


def test_resize_accepts_pils_integer_for_bilinear():
    assert Resize(4, interpolation=2).interpolation is InterpolationMode.BILINEAR


def test_resize_upscaling_interpolates_between_pixel_centres():
    # centres 0.25, 0.75, 1.25, 1.75 of the input pixels -> 0, 25, 75, 100 (the edges repeated)
    np.testing.assert_array_equal(Resize((1, 4))(np.array([[0, 100]], np.uint8)), [[0, 25, 75, 100]])


def test_resize_downscaling_an_array_is_antialiased_as_pils():
    # scale 2: weights (0.75, 0.75, 0.25) / 1.75 over pixels 0-2 and (0.25, 0.75, 0.75) / 1.75 over 1-3
    np.testing.assert_array_equal(Resize((1, 2))(ROW), [[71, 117]])


def test_resize_downscaling_a_float_tensor_is_antialiased_by_default():
    resized = Resize((1, 2))(tg.tensor(ROW[None].astype(np.float32)))
    np.testing.assert_allclose(resized.numpy(), [[[500 / 7, 820 / 7]]], rtol=1e-6)


def test_resize_without_antialias_on_a_tensor_samples_bilinearly():
    resized = Resize((1, 2), antialias=False)(tg.tensor(ROW[None].astype(np.float32)))
    np.testing.assert_allclose(resized.numpy(), [[[50, 120]]])


def test_resize_keeps_the_arrays_dtype_and_the_tensors_dtype():
    assert Resize(2)(ROW.repeat(4, 0)).dtype == np.uint8
    assert Resize(2)(tg.zeros(1, 4, 4, dtype=tg.float64)).dtype == tg.float64


def test_resize_of_a_uint8_tensor_gives_the_arrays_values():
    image = np.arange(90, dtype=np.uint8).reshape(9, 10)
    np.testing.assert_array_equal(Resize(4)(tg.tensor(image[None])).numpy()[0], Resize(4)(image))


def test_resize_resizes_each_channel_alone():
    image = np.random.default_rng(0).integers(0, 256, (9, 7, 3), dtype=np.uint8)
    per_channel = np.stack([Resize(4)(image[:, :, c]) for c in range(3)], axis=-1)
    np.testing.assert_array_equal(Resize(4)(image), per_channel)


def test_resize_of_a_tensor_batch_resizes_every_image():
    images = tg.tensor(np.random.default_rng(1).standard_normal((2, 3, 8, 6)).astype(np.float32))
    batch = Resize(3)(images)
    np.testing.assert_allclose(batch.numpy()[1], Resize(3)(images[1]).numpy(), rtol=1e-6)


def test_resize_returns_an_image_already_of_the_size_as_it_is():
    image = np.zeros((28, 28), np.uint8)
    assert Resize(28)(image) is image


def test_resize_of_a_float_tensor_is_differentiable():
    image = tg.ones(1, 4, 4, requires_grad=True)
    Resize(2)(image).sum().backward()
    np.testing.assert_allclose(image.grad.numpy().sum(), 4.0, rtol=1e-6)  # each output pixel's weights sum to 1


def test_resize_nearest_on_an_array_picks_pixels_as_pil():
    picked = Resize((1, 13), interpolation=InterpolationMode.NEAREST)(np.arange(28, dtype=np.uint8)[None])
    np.testing.assert_array_equal(picked, [[1, 3, 5, 7, 9, 11, 13, 16, 18, 20, 22, 24, 26]])


def test_resize_nearest_on_a_tensor_picks_floor_of_i_times_scale_as_pytorch():
    picked = Resize((1, 13), interpolation=InterpolationMode.NEAREST)(tg.arange(28.0).reshape(1, 1, 28))
    np.testing.assert_array_equal(picked.numpy(), [[[0, 2, 4, 6, 8, 10, 12, 15, 17, 19, 21, 23, 25]]])


def test_resize_nearest_exact_on_a_tensor_picks_from_pixel_centres():
    picked = Resize((1, 13), interpolation=InterpolationMode.NEAREST_EXACT)(tg.arange(28.0).reshape(1, 1, 28))
    np.testing.assert_array_equal(picked.numpy(), [[[1, 3, 5, 7, 9, 11, 14, 16, 18, 20, 22, 24, 26]]])


# ------------------------------------------------------------------ CenterCrop


def test_center_crop_takes_the_middle_rounding_the_corner():
    image = np.arange(30, dtype=np.uint8).reshape(5, 6)
    np.testing.assert_array_equal(CenterCrop((2, 3))(image), image[2:4, 2:5])  # round(1.5) = 2, round(1.5) = 2


def test_center_crop_of_a_tensor_crops_the_last_two_dims():
    image = tg.arange(60.0).reshape(2, 5, 6)
    np.testing.assert_array_equal(CenterCrop(2)(image).numpy(), image.numpy()[:, 2:4, 2:4])


def test_center_crop_larger_than_the_image_pads_with_zeros():
    cropped = CenterCrop((4, 3))(np.ones((2, 2), np.uint8))
    np.testing.assert_array_equal(cropped, [[0, 0, 0], [1, 1, 0], [1, 1, 0], [0, 0, 0]])


# ------------------------------------------------------------------ RandomCrop


def test_random_crop_gives_a_window_of_the_image():
    image = np.arange(100, dtype=np.uint8).reshape(10, 10)
    crop = RandomCrop(4)(image)
    top, left = divmod(int(crop[0, 0]), 10)
    np.testing.assert_array_equal(crop, image[top : top + 4, left : left + 4])


def test_random_crop_with_padding_crops_from_the_zero_padded_image():
    crops = [RandomCrop(3, padding=2)(np.ones((3, 3), np.uint8)) for _ in range(50)]
    assert all(crop.shape == (3, 3) for crop in crops)
    assert any(crop.min() == 0 for crop in crops) and any(crop.min() == 1 for crop in crops)


def test_random_crop_is_fixed_by_manual_seed():
    image = tg.arange(400.0).reshape(1, 20, 20)
    tg.manual_seed(5)
    first = RandomCrop(8, padding=4)(image).numpy()
    tg.manual_seed(5)
    np.testing.assert_array_equal(RandomCrop(8, padding=4)(image).numpy(), first)


def test_random_crop_pad_if_needed_pads_a_small_image_up_to_size():
    assert RandomCrop((4, 6), pad_if_needed=True)(np.ones((2, 3), np.uint8)).shape == (4, 6)


def test_random_crop_larger_than_the_image_raises():
    with pytest.raises(ValueError, match=r"Required crop size \(4, 4\) is larger than input image size \(3, 3\)"):
        RandomCrop(4)(np.ones((3, 3), np.uint8))


def test_random_crop_refuses_padding_modes_other_than_constant():
    with pytest.raises(ValueError, match="padding_mode='reflect' is not supported here"):
        RandomCrop(4, padding=1, padding_mode="reflect")


# ------------------------------------------------------------------ RandomHorizontalFlip


def test_random_horizontal_flip_with_p_1_mirrors_an_array():
    np.testing.assert_array_equal(RandomHorizontalFlip(p=1)(ROW), ROW[:, ::-1])


def test_random_horizontal_flip_with_p_1_mirrors_a_tensors_last_dim():
    image = tg.arange(6.0).reshape(1, 2, 3)
    np.testing.assert_array_equal(RandomHorizontalFlip(p=1)(image).numpy(), image.numpy()[..., ::-1])


def test_random_horizontal_flip_with_p_0_leaves_the_image():
    assert RandomHorizontalFlip(p=0)(ROW) is ROW


def test_random_horizontal_flip_flips_about_half_the_time():
    flips = sum(RandomHorizontalFlip()(ROW)[0, 0] == 40 for _ in range(400))
    assert 150 < flips < 250


# ------------------------------------------------------------------ in a pipeline


def test_dcgans_mnist_pipeline_gives_a_64_by_64_image_in_minus_1_1():
    pipeline = transforms.Compose([Resize(64), transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    image = pipeline(np.random.default_rng(2).integers(0, 256, (28, 28), dtype=np.uint8))
    assert image.shape == (1, 64, 64) and -1 <= float(image.min()) and float(image.max()) <= 1


def test_resize_of_a_float_array_gives_the_float_tensors_values():
    image = np.random.default_rng(3).standard_normal((9, 7)).astype(np.float32)
    np.testing.assert_allclose(Resize(4)(image), Resize(4)(tg.tensor(image[None])).numpy()[0], rtol=1e-5, atol=1e-6)
