"""torchvision-style transforms: Compose, ToTensor, Normalize, Lambda, and their whole-batch form.

ToTensor: an H x W (x C) image -> a C x H x W Tensor, uint8 scaled to [0, 1] in the default
float dtype, other dtypes kept. Normalize: (x - mean) / std per channel on a float Tensor
(..., C, H, W), with torchvision's errors. `batch_form` of an optional Resize, ToTensor and Normalizes gives,
on a stack of images, exactly (bit for bit) the stack of the per-image results.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_np as tg
from tinygrad_np.data.transforms import (
    Compose,
    InterpolationMode,
    Lambda,
    Normalize,
    Resize,
    ToTensor,
    batch_form,
)

images = hnp.arrays(np.uint8, st.tuples(st.integers(1, 6), st.integers(1, 6)))
stats = st.floats(min_value=-2, max_value=2, allow_nan=False, width=32)
spreads = st.floats(min_value=0.125, max_value=3, width=32)


# ------------------------------------------------------------------ ToTensor


@given(image=images)
def test_to_tensor_makes_a_grey_image_1_x_h_x_w_of_pixel_over_255(image):
    result = ToTensor()(image)
    assert isinstance(result, tg.Tensor) and result.dtype == tg.float32 and result.shape == (1, *image.shape)
    np.testing.assert_array_equal(result.numpy()[0], image / np.float32(255))


def test_to_tensor_moves_the_channels_of_h_x_w_x_c_first():
    image = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    result = ToTensor()(image)
    assert result.shape == (3, 2, 4)
    np.testing.assert_array_equal(result.numpy(), image.transpose(2, 0, 1) / np.float32(255))


def test_to_tensor_keeps_the_values_and_dtype_of_a_non_uint8_image():
    image = np.linspace(-1, 1, 6).reshape(2, 3)
    result = ToTensor()(image)
    assert result.dtype == tg.float64
    np.testing.assert_array_equal(result.numpy()[0], image)


def test_to_tensor_scales_into_the_default_float_dtype():
    tg.set_default_dtype(tg.float64)
    try:
        assert ToTensor()(np.zeros((2, 2), np.uint8)).dtype == tg.float64
    finally:
        tg.set_default_dtype(tg.float32)


def test_to_tensor_reads_anything_with_array_interface_like_a_pil_image():
    class PILLike:
        def __array__(self, dtype=None, copy=None):
            return np.full((2, 2), 255, np.uint8)

    np.testing.assert_array_equal(ToTensor()(PILLike()).numpy(), np.ones((1, 2, 2), np.float32))


def test_to_tensor_result_does_not_share_memory_with_the_image():
    image = np.zeros((2, 2), np.float32)
    result = ToTensor()(image)
    image[0, 0] = 5
    assert result.numpy()[0, 0, 0] == 0


@pytest.mark.parametrize("pic", [tg.zeros(1, 2, 2), [[1, 2]], 3], ids=["tensor", "list", "int"])
def test_to_tensor_refuses_what_is_not_an_image_with_type_error(pic):
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        ToTensor()(pic)


@pytest.mark.parametrize("shape", [(4,), (1, 2, 2, 3)])
def test_to_tensor_refuses_an_array_that_is_not_2_or_3_dimensional(shape):
    with pytest.raises(ValueError, match=f"pic should be 2/3 dimensional. Got {len(shape)} dimensions."):
        ToTensor()(np.zeros(shape, np.uint8))


# ------------------------------------------------------------------ Normalize


@given(image=hnp.arrays(np.float32, (2, 3, 4), elements=stats), mean=st.lists(stats, min_size=2, max_size=2),
       std=st.lists(spreads, min_size=2, max_size=2))  # fmt: skip
def test_normalize_subtracts_the_mean_and_divides_by_the_std_per_channel(image, mean, std):
    result = Normalize(mean, std)(tg.tensor(image))
    column = (2, 1, 1)
    expected = (image - np.array(mean, np.float32).reshape(column)) / np.array(std, np.float32).reshape(column)
    assert result.dtype == tg.float32
    np.testing.assert_array_equal(result.numpy(), expected)


def test_normalize_leaves_its_input_unchanged():
    image = tg.ones(1, 2, 2)
    assert Normalize((0.5,), (0.25,))(image).tolist() == [[[2.0, 2.0], [2.0, 2.0]]]
    assert image.tolist() == [[[1.0, 1.0], [1.0, 1.0]]]


def test_normalize_inplace_overwrites_its_input_and_returns_it():
    image = tg.ones(1, 2, 2)
    assert Normalize((0.5,), (0.25,), inplace=True)(image) is image
    assert image.tolist() == [[[2.0, 2.0], [2.0, 2.0]]]


def test_normalize_applies_to_a_batch_of_images_too():
    batch = tg.tensor(np.arange(8, dtype=np.float32).reshape(2, 1, 2, 2))
    np.testing.assert_array_equal(Normalize((1.0,), (2.0,))(batch).numpy(), (batch.numpy() - 1) / 2)


def test_normalize_is_differentiable():
    image = tg.ones(1, 2, 2, requires_grad=True)
    Normalize((0.0,), (4.0,))(image).sum().backward()
    np.testing.assert_array_equal(image.grad.numpy(), np.full((1, 2, 2), 0.25, np.float32))


def test_normalize_refuses_what_is_not_a_tensor():
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        Normalize((0.5,), (0.5,))(np.zeros((1, 2, 2), np.float32))


def test_normalize_refuses_an_integer_tensor():
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got uint8."):
        Normalize((0.5,), (0.5,))(tg.tensor(np.zeros((1, 2, 2), np.uint8)))


def test_normalize_refuses_fewer_than_3_dimensions():
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size \(\.\.\., C, H, W\)"):
        Normalize((0.5,), (0.5,))(tg.zeros(2, 2))


def test_normalize_refuses_a_zero_std():
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to float32"):
        Normalize((0.5, 0.5), (1.0, 0.0))(tg.zeros(2, 2, 2))


# ------------------------------------------------------------------ Compose, Lambda


def test_compose_applies_its_transforms_in_order():
    assert Compose([Lambda(lambda x: x + 1), Lambda(lambda x: x * 10)])(1) == 20


def test_compose_of_nothing_is_the_identity():
    assert Compose([])(7) == 7


def test_compose_repr_lists_its_transforms_as_torchvision():
    assert repr(Compose([ToTensor(), Normalize((0.5,), (0.25,))])) == (
        "Compose(\n    ToTensor()\n    Normalize(mean=(0.5,), std=(0.25,))\n)"
    )


def test_lambda_calls_its_function():
    assert Lambda(str.upper)("a") == "A"


def test_lambda_refuses_what_is_not_callable():
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        Lambda(3)


# ------------------------------------------------------------------ batch_form


@given(stack=hnp.arrays(np.uint8, st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(1, 5))),
       mean=stats, std=spreads, twice=st.booleans())  # fmt: skip
def test_the_batch_form_equals_the_transform_applied_image_by_image(stack, mean, std, twice):
    steps = [ToTensor(), Normalize((mean,), (std,))] + ([Normalize((0.5,), (2.0,))] if twice else [])
    transform = Compose(steps)
    whole = batch_form(transform)(stack)
    one_by_one = np.stack([transform(image).numpy() for image in stack])
    assert whole.dtype == one_by_one.dtype
    np.testing.assert_array_equal(whole, one_by_one)


@given(stack=hnp.arrays(np.uint8, st.tuples(st.integers(1, 4), st.integers(1, 9), st.integers(1, 9))),
       size=st.one_of(st.integers(1, 12), st.tuples(st.integers(1, 12), st.integers(1, 12))),
       nearest=st.booleans())  # fmt: skip
def test_the_batch_form_after_a_resize_equals_the_transform_applied_image_by_image(stack, size, nearest):
    mode = InterpolationMode.NEAREST if nearest else InterpolationMode.BILINEAR
    transform = Compose([Resize(size, interpolation=mode), ToTensor(), Normalize((0.5,), (0.5,))])
    one_by_one = np.stack([transform(image).numpy() for image in stack])
    np.testing.assert_array_equal(batch_form(transform)(stack), one_by_one)


def test_to_tensor_alone_and_nested_composes_have_a_batch_form():
    stack = np.arange(8, dtype=np.uint8).reshape(2, 2, 2)
    np.testing.assert_array_equal(batch_form(ToTensor())(stack), stack[:, None] / np.float32(255))
    assert batch_form(Compose([Compose([ToTensor()]), Compose([Normalize((0.1,), (0.2,))])])) is not None


@pytest.mark.parametrize(
    "transform",
    [
        Compose([ToTensor(), Lambda(lambda x: x)]),
        Lambda(lambda x: x),
        Normalize((0.5,), (0.5,)),
        Compose([Normalize((0.5,), (0.5,)), ToTensor()]),
        Compose([ToTensor(), Resize(4)]),
        Compose([Resize(4)]),
        Compose([]),
        type("MyToTensor", (ToTensor,), {})(),
        None,
    ],
    ids=["with-lambda", "lambda", "normalize-first", "wrong-order", "resize-after", "resize-alone", "empty", "subclass",
         "none"],
)
def test_anything_else_has_no_batch_form(transform):
    assert batch_form(transform) is None
