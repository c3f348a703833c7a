"""FakeData: random images with random labels, as `torchvision.datasets.FakeData`, for running a
script without downloading anything (dcgan's `--dataset fake`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .dataset import Dataset
from .transforms import ToTensor

DEFAULT_TRANSFORM = ToTensor()


class FakeData(Dataset):
    """`size` images of shape `image_size` (C, H, W) with labels in [0, num_classes).

    Sample `index` is drawn from its own generator seeded with `index + random_offset`, so it is
    the same every time it is read and the library's generator is left alone. The image given to
    `transform` is, like MNIST's here, a uint8 array H x W x C (H x W for one channel) of
    uniformly random pixels, where torchvision's is a PIL image; without a transform it is what
    `ToTensor()` makes of it. The label is an int, through `target_transform` if given.
    """

    def __init__(
        self,
        size: int = 1000,
        image_size: Sequence[int] = (3, 224, 224),
        num_classes: int = 10,
        transform: Callable[[np.ndarray], Any] | None = None,
        target_transform: Callable[[int], Any] | None = None,
        random_offset: int = 0,
    ) -> None:
        self.size = size
        self.image_size = tuple(image_size)
        if len(self.image_size) != 3:
            raise ValueError(f"image_size should be (C, H, W), got {image_size}")
        self.num_classes = num_classes
        self.transform = transform
        self.target_transform = target_transform
        self.random_offset = random_offset

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        rng = np.random.default_rng(int(index) + self.random_offset)
        channels, height, width = self.image_size
        pixels = rng.integers(0, 256, size=(height, width, channels), dtype=np.uint8)
        image = pixels[:, :, 0] if channels == 1 else pixels
        target = int(rng.integers(0, self.num_classes))
        image = DEFAULT_TRANSFORM(image) if self.transform is None else self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self) -> str:
        return f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}"
