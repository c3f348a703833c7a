"""torchvision-style image transforms: `Compose`, `ToTensor`, `Normalize`, `Lambda`, and the
geometric ones `Resize`, `CenterCrop`, `RandomCrop`, `RandomHorizontalFlip`.

A transform is a callable applied to one sample. The images it starts from here are NumPy
arrays (uint8, H x W or H x W x C) where torchvision's start from PIL images; anything with
`__array__` (a PIL image included) is read with `np.asarray`. The geometric transforms take
such an array (giving an array, as torchvision's give a PIL image for a PIL image) or a Tensor
(..., C, H, W) (giving a Tensor), and random ones draw from the library's generator, so
`tg.manual_seed` fixes them.

`batch_form(transform)` gives, for a Compose of an optional Resize, a ToTensor and Normalizes,
the same computation on a whole stack of images at once, so datasets can keep their
whole-batch fetch; its results are identical, bit for bit, to applying the transform image by
image.
"""

from __future__ import annotations

import enum
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..nn.spatial import pad
from ..random import numpy_generator
from ..tensor import Tensor, as_tensor, tensor
from .resample import bilinear_weights, nearest_weights, resample_uint8


class Compose:
    """Apply `transforms` one after the other: `Compose([f, g])(x) == g(f(x))`."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = transforms

    def __call__(self, img: Any) -> Any:
        for transform in self.transforms:
            img = transform(img)
        return img

    def __repr__(self) -> str:
        lines = "".join(f"\n    {transform}" for transform in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class ToTensor:
    """An image (H x W or H x W x C array, or PIL-like) -> a Tensor C x H x W.

    uint8 pixels are scaled to [0, 1] (pixel / 255, in the default float dtype); other dtypes
    keep their values and dtype, as torchvision's.
    """

    def __call__(self, pic: Any) -> Tensor:
        if isinstance(pic, Tensor) or not (isinstance(pic, np.ndarray) or hasattr(pic, "__array__")):
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
        array = np.asarray(pic)
        if array.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {array.ndim} dimensions.")
        channels_first = np.ascontiguousarray(array[None] if array.ndim == 2 else array.transpose(2, 0, 1))
        if channels_first.dtype == np.uint8:
            return as_tensor(self.scale(channels_first))  # a new array already
        return tensor(channels_first)  # a copy: never a view of the caller's image

    @staticmethod
    def scale(array: np.ndarray) -> np.ndarray:
        """uint8 -> pixel / 255 in the default float dtype; anything else unchanged."""
        if array.dtype != np.uint8:
            return array
        dtype = get_default_dtype()
        return np.divide(array, dtype.type(255), dtype=dtype)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Normalize:
    """(image - mean) / std per channel, on a float Tensor (..., C, H, W).

    `mean` and `std` are sequences with one value per channel (or one value for all),
    converted to the image's dtype. With `inplace=True` the image itself is overwritten.
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def constants(self, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        """mean and std in `dtype`, shaped (C, 1, 1) to broadcast over an image's channels."""
        mean = np.asarray(self.mean, dtype=dtype)
        std = np.asarray(self.std, dtype=dtype)
        if np.any(std == 0):
            raise ValueError(f"std evaluated to zero after conversion to {dtype}, leading to division by zero.")
        return mean.reshape(-1, 1, 1) if mean.ndim == 1 else mean, std.reshape(-1, 1, 1) if std.ndim == 1 else std

    def __call__(self, tensor: Tensor) -> Tensor:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
        if tensor.dtype.kind != "f":
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.ndim < 3:
            raise ValueError(
                f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = {tensor.shape}"
            )
        mean, std = self.constants(tensor.dtype)
        if self.inplace:
            return tensor.sub_(mean).div_(std)
        return (tensor - mean) / std

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    """A user function as a transform: `Lambda(f)(x) == f(x)`."""

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img: Any) -> Any:
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class InterpolationMode(enum.Enum):
    """torchvision's interpolation modes; Resize supports NEAREST, NEAREST_EXACT and BILINEAR."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# PIL's integer constants for the modes, which torchvision also accepts.
PIL_MODES = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
             4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}
SUPPORTED_MODES = (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT, InterpolationMode.BILINEAR)


def _image_array(img: Any) -> np.ndarray:
    """An array image (H x W or H x W x C) as a NumPy array."""
    if not (isinstance(img, np.ndarray) or hasattr(img, "__array__")):
        raise TypeError(f"img should be a Tensor or an image array (H x W or H x W x C). Got {type(img)}")
    array = np.asarray(img)
    if array.ndim not in (2, 3):
        raise ValueError(f"an image array should be 2/3 dimensional (H x W or H x W x C). Got {array.ndim} dimensions.")
    return array


def _height_width(img: Any) -> tuple[int, int]:
    if isinstance(img, Tensor):
        if img.ndim < 2:
            raise TypeError(f"Tensor is not a torch image: expected (..., H, W), got shape {tuple(img.shape)}")
        return img.shape[-2], img.shape[-1]
    height, width = _image_array(img).shape[:2]
    return height, width


def _pair(size: int | Sequence[int], name: str) -> tuple[int, int]:
    """An int or a sequence of one or two ints as (h, w)."""
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if not isinstance(size, Sequence) or len(size) not in (1, 2):
        raise ValueError(f"Please provide only two dimensions (h, w) for {name}.")
    return (int(size[0]), int(size[0])) if len(size) == 1 else (int(size[0]), int(size[1]))


def _crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    if isinstance(img, Tensor):
        return img[..., top : top + height, left : left + width]
    return _image_array(img)[top : top + height, left : left + width].copy()


def _pad(img: Any, left: int, top: int, right: int, bottom: int, fill: float) -> Any:
    if isinstance(img, Tensor):
        return pad(img, (left, right, top, bottom), value=fill)
    array = _image_array(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
    return np.pad(array, widths, constant_values=fill)


class Resize:
    """Resize an image to `size`, as torchvision's.

    `size` (h, w): exactly that. An int (or a one-element sequence): the smaller edge becomes
    `size`, the larger one `int(size * larger / smaller)`, keeping the aspect ratio; with
    `max_size`, the larger edge is cut to `max_size` (and the smaller one in proportion).
    BILINEAR (default) and NEAREST / NEAREST_EXACT (also as PIL's ints 2 and 0) are supported;
    the formulas are in `tinygrad_np.data.resample`. An image array is resized as PIL resizes
    it (always antialiased, uint8 in PIL's fixed point); a float Tensor with Tensor ops, as
    `interpolate(..., antialias=antialias)`; a uint8 Tensor as an array. An image already of
    the output size is returned as it is.
    """

    def __init__(
        self,
        size: int | Sequence[int],
        interpolation: InterpolationMode | int = InterpolationMode.BILINEAR,
        max_size: int | None = None,
        antialias: bool | None = True,
    ) -> None:
        if not isinstance(size, (int, Sequence)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        if max_size is not None and isinstance(size, Sequence) and len(size) != 1:
            raise ValueError(
                "max_size should only be passed if size specifies the length of the smaller edge, "
                "i.e. size should be an int or a sequence of length 1 in torchscript mode."
            )
        if isinstance(interpolation, int) and not isinstance(interpolation, bool):
            interpolation = PIL_MODES[interpolation]
        if not isinstance(interpolation, InterpolationMode):
            raise TypeError("Argument interpolation should be of type InterpolationMode")
        if interpolation not in SUPPORTED_MODES:
            raise ValueError(
                f"Resize: interpolation {interpolation} is not supported here; use InterpolationMode.BILINEAR, "
                "NEAREST or NEAREST_EXACT"
            )
        self.size = size
        self.interpolation = interpolation
        self.max_size = max_size
        self.antialias = antialias

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """(h, w) of the resized image, by torchvision's rule."""
        if isinstance(self.size, Sequence) and len(self.size) == 2:
            return int(self.size[0]), int(self.size[1])
        requested = int(self.size if isinstance(self.size, int) else self.size[0])
        short, long = min(height, width), max(height, width)
        new_short, new_long = requested, int(requested * long / short)
        if self.max_size is not None:
            if self.max_size <= requested:
                raise ValueError(
                    f"max_size = {self.max_size} must be strictly greater than the requested "
                    f"size for the smaller edge size = {self.size}"
                )
            if new_long > self.max_size:
                new_short, new_long = int(self.max_size * new_short / new_long), self.max_size
        return (new_long, new_short) if width <= height else (new_short, new_long)

    def weights(self, n_in: int, n_out: int, on_tensor: bool) -> np.ndarray:
        if self.interpolation is InterpolationMode.BILINEAR:
            return bilinear_weights(n_in, n_out, antialias=bool(self.antialias) or not on_tensor)
        if not on_tensor:
            return nearest_weights(n_in, n_out, "pil")
        exact = self.interpolation is InterpolationMode.NEAREST_EXACT
        return nearest_weights(n_in, n_out, "exact" if exact else "floor")

    def __call__(self, img: Any) -> Any:
        height, width = _height_width(img)
        new_height, new_width = self.output_size(height, width)
        if (new_height, new_width) == (height, width):
            return img
        if not isinstance(img, Tensor):
            return self._resize_arrays(_image_array(img), 0, (new_height, new_width), on_tensor=False)
        array = img.numpy()
        if array.dtype.kind == "f":
            rows, columns = self.weights(height, new_height, True), self.weights(width, new_width, True)
            return as_tensor(rows.astype(array.dtype)) @ img @ as_tensor(columns.T.astype(array.dtype))
        return as_tensor(self._resize_arrays(array, array.ndim - 2, (new_height, new_width), on_tensor=True))

    def resize_stack(self, images: np.ndarray) -> np.ndarray:
        """A stack (B, H, W) of image arrays resized, each exactly as it alone would be."""
        new_size = self.output_size(images.shape[1], images.shape[2])
        return images if new_size == images.shape[1:3] else self._resize_arrays(images, 1, new_size, on_tensor=False)

    def _resize_arrays(self, array: np.ndarray, axis: int, new_size: tuple[int, int], on_tensor: bool) -> np.ndarray:
        """`array` resized to `new_size` along the axes `axis` (height) and `axis + 1` (width)."""
        rows = self.weights(array.shape[axis], new_size[0], on_tensor)
        columns = self.weights(array.shape[axis + 1], new_size[1], on_tensor)
        if array.dtype == np.uint8:
            return resample_uint8(resample_uint8(array, axis + 1, columns), axis, rows)
        if array.dtype.kind == "f":
            moved = np.moveaxis(array, (axis, axis + 1), (-2, -1)).astype(np.float64)
            return np.moveaxis(rows @ moved @ columns.T, (-2, -1), (axis, axis + 1)).astype(array.dtype)
        raise TypeError(f"Resize: images of dtype {array.dtype} are not supported here; use uint8 or float")

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(size={self.size}, interpolation={self.interpolation.value}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


class CenterCrop:
    """The central `size` (h, w; an int for a square) part of an image, as torchvision's: the
    top-left corner at (round((H - h) / 2), round((W - w) / 2)); an image smaller than `size`
    is first padded with zeros on both sides."""

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = _pair(size, "size")

    def __call__(self, img: Any) -> Any:
        crop_height, crop_width = self.size
        height, width = _height_width(img)
        if crop_height > height or crop_width > width:
            grow_w, grow_h = max(crop_width - width, 0), max(crop_height - height, 0)
            img = _pad(img, grow_w // 2, grow_h // 2, (grow_w + 1) // 2, (grow_h + 1) // 2, 0)
            height, width = _height_width(img)
            if (height, width) == (crop_height, crop_width):
                return img
        top, left = int(round((height - crop_height) / 2.0)), int(round((width - crop_width) / 2.0))
        return _crop(img, top, left, crop_height, crop_width)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"


class RandomCrop:
    """A `size` (h, w; an int for a square) part of an image at a uniformly random place, as
    torchvision's, after padding it by `padding` (an int for all sides, (left/right,
    top/bottom), or (left, top, right, bottom)) with `fill`, and, with `pad_if_needed`, as
    much as it lacks of `size`. Only padding_mode="constant" is supported. The corner is
    drawn from the library's generator (`tg.manual_seed`)."""

    def __init__(
        self,
        size: int | Sequence[int],
        padding: int | Sequence[int] | None = None,
        pad_if_needed: bool = False,
        fill: float = 0,
        padding_mode: str = "constant",
    ) -> None:
        if padding_mode != "constant":
            raise ValueError(f"RandomCrop: padding_mode={padding_mode!r} is not supported here; only 'constant'")
        if padding is not None and not isinstance(padding, (numbers.Number, Sequence)):
            raise TypeError("Got inappropriate padding arg")
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError(
                f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple"
            )
        self.size = _pair(size, "size")
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def _padding(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom)."""
        padding = self.padding
        if isinstance(padding, numbers.Number):
            return (int(padding),) * 4
        if len(padding) == 1:
            return (int(padding[0]),) * 4
        if len(padding) == 2:
            return int(padding[0]), int(padding[1]), int(padding[0]), int(padding[1])
        return int(padding[0]), int(padding[1]), int(padding[2]), int(padding[3])

    def __call__(self, img: Any) -> Any:
        if self.padding is not None:
            img = _pad(img, *self._padding(), self.fill)
        crop_height, crop_width = self.size
        height, width = _height_width(img)
        if self.pad_if_needed and width < crop_width:
            img = _pad(img, crop_width - width, 0, crop_width - width, 0, self.fill)
        if self.pad_if_needed and height < crop_height:
            img = _pad(img, 0, crop_height - height, 0, crop_height - height, self.fill)
        height, width = _height_width(img)
        if height < crop_height or width < crop_width:
            raise ValueError(
                f"Required crop size {(crop_height, crop_width)} is larger than input image size {(height, width)}"
            )
        rng = numpy_generator(None, "RandomCrop")
        top = int(rng.integers(0, height - crop_height + 1))
        left = int(rng.integers(0, width - crop_width + 1))
        return _crop(img, top, left, crop_height, crop_width)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """The image mirrored left to right with probability `p` (a draw from the library's
    generator, `tg.manual_seed`), else unchanged, as torchvision's."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img: Any) -> Any:
        if not numpy_generator(None, "RandomHorizontalFlip").random() < self.p:
            return img
        if isinstance(img, Tensor):
            return img.flip(-1)
        return _image_array(img)[:, ::-1].copy()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


def _steps(transform: Any) -> list[Any]:
    """The transforms `transform` applies, in order, with nested Composes flattened."""
    if type(transform) is Compose:
        return [step for inner in transform.transforms for step in _steps(inner)]
    return [transform]


def batch_form(transform: Any) -> Callable[[np.ndarray], np.ndarray] | None:
    """`transform` applied to a stack of uint8 images (B, H, W) at once, giving (B, C, H', W'),
    when it is an optional Resize, then ToTensor, then any number of Normalizes (Composes
    flattened); else None. The results are those of the images one by one, bit for bit: the
    Normalizes are elementwise, and Resize's weighted sums of integer pixels are exact.

    Exact classes only: a subclass may change what `__call__` does.
    """
    steps = _steps(transform)
    resize = steps.pop(0) if steps and type(steps[0]) is Resize else None
    if not steps or type(steps[0]) is not ToTensor or any(type(step) is not Normalize for step in steps[1:]):
        return None
    normalizes = steps[1:]

    def apply(images: np.ndarray) -> np.ndarray:
        if resize is not None:
            images = resize.resize_stack(images)
        batch = ToTensor.scale(images[:, None])
        if normalizes and batch.dtype.kind != "f":
            raise TypeError(f"Input tensor should be a float tensor. Got {batch.dtype}.")
        for normalize in normalizes:
            mean, std = normalize.constants(batch.dtype)
            batch = (batch - mean) / std
        return batch

    return apply
