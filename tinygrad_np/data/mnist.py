"""MNIST and Fashion-MNIST: find the IDX files locally, or download them, and check them.

Where the files are looked for, in order (the first folder holding both files of the split
wins; nothing is searched after a folder whose files turn out to be corrupt):
1. `root`, `root/<name>/` and torchvision's `root/<class name>/raw/`, when `root` is given;
2. `$TINYGRAD_NP_DATA/<name>/`, the user cache `~/.cache/tinygrad_np/<name>/` and
   `/usr/share/datasets/<name>/` (Debian's `dataset-fashion-mnist` installs there), as folders.py says;
3. with `download=True`, each public mirror in turn, into the user cache, MD5-checked and
   written atomically.
Each file may be gzipped or raw (`train-images-idx3-ubyte.gz` or `train-images-idx3-ubyte`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DatasetError, DatasetNotFoundError
from ..tensor import as_tensor
from .collate import default_collate
from .dataset import Dataset
from .download import download_from_mirrors
from .folders import cache_dir, fix_hint, not_found_message, search_path
from .idx import read_idx
from .transforms import ToTensor, batch_form

IMAGE_SIZE = (28, 28)
DEFAULT_TRANSFORM = ToTensor()


class MNIST(Dataset):
    """The MNIST digits: 60,000 training and 10,000 test images, 28x28 grey, 10 classes.

    `dataset[i]` is `(image, label)`: `transform(image)` of the uint8 (28, 28) array of pixels
    (a copy; torchvision passes a PIL image) and `target_transform(label)` of the int label.
    Without a transform the image is what `ToTensor()` makes of it: a float32 Tensor
    (1, 28, 28) of pixel / 255. `data` (uint8, (N, 28, 28)) and `targets` (int64, (N,)) hold the
    whole split as Tensors; `folder` is where it was read.

    `get_batch` computes a batch in one NumPy expression when the transform is None or one
    `transforms.batch_form` knows (an optional Resize, ToTensor, Normalizes) and there is no
    target_transform, with the same values as sample by sample; otherwise it stacks samples.
    """

    name = "mnist"
    title = "MNIST"
    mirrors = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
    md5 = {  # of the published .gz archives
        "train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c",
    }
    debian_package: str | None = None
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]  # fmt: skip

    def __init__(
        self,
        root: str | os.PathLike | None = None,
        train: bool = True,
        transform: Callable[[np.ndarray], Any] | None = None,
        target_transform: Callable[[int], Any] | None = None,
        download: bool = True,
    ) -> None:
        self.root = root
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        prefix = "train" if train else "t10k"
        self.files = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
        self.folder = self._find() or self._download(download)
        images, labels = (self._read(self._path(self.folder, stem)) for stem in self.files)
        self._check(images, labels)
        self.data = as_tensor(images)
        self.targets = as_tensor(labels.astype(np.int64))

    # ------------------------------------------------------------------ samples

    def __len__(self) -> int:
        return self.targets.shape[0]

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: position for position, name in enumerate(self.classes)}

    # torchvision's old names of data and targets, kept there with a warning, as here.
    def _renamed(self, old: str, new: str) -> Any:
        warnings.warn(f"{old} has been renamed {new}", stacklevel=3)
        return getattr(self, new)

    train_data = property(lambda self: self._renamed("train_data", "data"))
    test_data = property(lambda self: self._renamed("test_data", "data"))
    train_labels = property(lambda self: self._renamed("train_labels", "targets"))
    test_labels = property(lambda self: self._renamed("test_labels", "targets"))

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        pixels = self.data._array[index].copy()
        label = int(self.targets._array[index])
        image = DEFAULT_TRANSFORM(pixels) if self.transform is None else self.transform(pixels)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def get_batch(self, index: np.ndarray | slice) -> tuple[Any, ...]:
        """The samples at `index` stacked: images (B, C, 28, 28) and labels (B,) int64."""
        whole_batch = batch_form(DEFAULT_TRANSFORM if self.transform is None else self.transform)
        if whole_batch is None or self.target_transform is not None:
            positions = range(len(self))[index] if isinstance(index, slice) else index.tolist()
            return default_collate([self[i] for i in positions])
        return as_tensor(whole_batch(self.data._array[index])), as_tensor(np.array(self.targets._array[index]))

    def __repr__(self) -> str:
        split = "Train" if self.train else "Test"
        lines = [f"Dataset {type(self).__name__}", f"Number of datapoints: {len(self)}", f"Split: {split}"]
        return "\n    ".join([*lines, f"Folder: {self.folder}"])

    # ------------------------------------------------------------------ finding the files

    def search_path(self) -> list[tuple[Path, str]]:
        """Every folder looked in, in order, with why it is on the list."""
        torchvision = (f"{type(self).__name__}/raw", "root argument, torchvision's layout")
        return search_path(self.name, self.root, [torchvision], self.debian_package)

    @staticmethod
    def _path(folder: Path, stem: str) -> Path | None:
        """`folder/stem.gz` or `folder/stem`, whichever exists (the gzipped one first)."""
        for candidate in (folder / f"{stem}.gz", folder / stem):
            if candidate.is_file():
                return candidate
        return None

    def _find(self) -> Path | None:
        for folder, _ in self.search_path():
            if all(self._path(folder, stem) for stem in self.files):
                return folder
        return None

    def _download(self, allowed: bool) -> Path:
        failures: list[str] = []
        if allowed:
            folder = cache_dir() / self.name
            for stem in self.files:
                if self._path(folder, stem) is None:
                    urls = [f"{mirror}{stem}.gz" for mirror in self.mirrors]
                    failures = download_from_mirrors(urls, folder / f"{stem}.gz", self.md5[stem])
                    if failures:
                        break
            if all(self._path(folder, stem) for stem in self.files):
                return folder
        raise DatasetNotFoundError(self._not_found_message(allowed, failures))

    def _not_found_message(self, download_allowed: bool, failures: list[str]) -> str:
        split = "training" if self.train else "test"
        missing = f"{self.title} {split} files ({' and '.join(f'{stem}[.gz]' for stem in self.files)}) not found."
        return not_found_message(missing, self.name, self.search_path(), download_allowed, failures,
                                 self.mirrors[0], self.debian_package)

    # ------------------------------------------------------------------ checking the files

    def _fix_hint(self, path: Path) -> str:
        return fix_hint(path, self.name, self.debian_package)

    def _read(self, path: Path) -> np.ndarray:
        try:
            return read_idx(path)
        except DatasetError as error:
            raise DatasetError(f"{error}; {self._fix_hint(path)}") from error

    def _check(self, images: np.ndarray, labels: np.ndarray) -> None:
        images_path, labels_path = (self._path(self.folder, stem) for stem in self.files)
        problems = []
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SIZE:
            found = f"{images.dtype} {images.shape}"
            problems.append((images_path, f"expected uint8 images of shape (N, 28, 28), found {found}"))
        if labels.dtype != np.uint8 or labels.ndim != 1:
            problems.append((labels_path, f"expected uint8 labels of shape (N,), found {labels.dtype} {labels.shape}"))
        elif labels.size and labels.max() >= len(self.classes):
            largest = int(labels.max())
            problems.append((labels_path, f"label {largest} is not a class index in [0, {len(self.classes)})"))
        elif images.ndim and len(labels) != len(images):
            problems.append((labels_path, f"{len(labels)} labels for {len(images)} images in {images_path.name}"))
        if problems:
            path, problem = problems[0]
            raise DatasetError(f"{path}: {problem}; {self._fix_hint(path)}")


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: the same format and sizes as MNIST, 10 kinds of clothing."""

    name = "fashion-mnist"
    title = "Fashion-MNIST"
    mirrors = (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
    )
    md5 = {  # of the published .gz archives (Debian's recompressed ones differ; their contents do not)
        "train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310",
    }
    debian_package = "dataset-fashion-mnist"
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]  # fmt: skip
