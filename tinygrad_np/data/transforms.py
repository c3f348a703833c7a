"""torchvision-style image transforms: `Compose`, `ToTensor`, `Normalize`, `Lambda`.

A transform is a callable applied to one sample. The images it starts from here are NumPy
arrays (uint8, H x W or H x W x C) where torchvision's start from PIL images; anything with
`__array__` (a PIL image included) is read with `np.asarray`.

`batch_form(transform)` gives, for the transforms known to be elementwise affine maps (ToTensor,
Normalize, and a Compose of a ToTensor followed by Normalizes), the same computation on a
whole stack of images at once, so datasets can keep their whole-batch fetch; its results are
identical, bit for bit, to applying the transform image by image.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..tensor import Tensor, as_tensor, tensor


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
        return tensor(channels_first)

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


def _steps(transform: Any) -> list[Any]:
    """The transforms `transform` applies, in order, with nested Composes flattened."""
    if type(transform) is Compose:
        return [step for inner in transform.transforms for step in _steps(inner)]
    return [transform]


def batch_form(transform: Any) -> Callable[[np.ndarray], np.ndarray] | None:
    """`transform` applied to a stack of uint8 images (B, H, W) at once, giving (B, C, H, W),
    when it is ToTensor followed by any number of Normalizes (Composes flattened); else None.

    Exact classes only: a subclass may change what `__call__` does.
    """
    steps = _steps(transform)
    if not steps or type(steps[0]) is not ToTensor or any(type(step) is not Normalize for step in steps[1:]):
        return None
    normalizes = steps[1:]

    def apply(images: np.ndarray) -> np.ndarray:
        batch = ToTensor.scale(images[:, None])
        if normalizes and batch.dtype.kind != "f":
            raise TypeError(f"Input tensor should be a float tensor. Got {batch.dtype}.")
        for normalize in normalizes:
            mean, std = normalize.constants(batch.dtype)
            batch = (batch - mean) / std
        return batch

    return apply
