"""Datasets: anything with `len()` and `dataset[i]`, plus an optional whole-batch fetch.

PyTorch's protocol is one sample per `__getitem__` and a collate function that stacks them:
a Python call per sample. A dataset backed by arrays can do better, so a dataset may also
define `get_batch(index)`: given an integer array (or a slice) of sample indices, return the
finished batch, a tuple of Tensors with the batch as their first dimension. The DataLoader
uses it when it has no `collate_fn` of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor, tensor
from .collate import default_collate


class Dataset:
    """Base class of map-style datasets: subclasses define `__getitem__` and `__len__`."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Samples are rows of the given tensors: `dataset[i] == (t[i] for t in tensors)`.

    All tensors must have the same first dimension. Batches are fetched with one NumPy
    indexing call per tensor (`get_batch`), not one call per sample.
    """

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tuple(t if isinstance(t, Tensor) else tensor(t) for t in tensors)
        lengths = [t.shape[0] if t.ndim else None for t in self.tensors]
        if None in lengths or len(set(lengths)) != 1:
            shapes = ", ".join(str(tuple(t.shape)) for t in self.tensors)
            raise ShapeError(f"TensorDataset: all tensors need the same first dimension, got shapes {shapes}")

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def get_batch(self, index: np.ndarray | slice) -> tuple[Tensor, ...]:
        return tuple(tensor(np.array(t._array[index])) for t in self.tensors)  # a copy, never a view of the data


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order (e.g. the first 8,000 images)."""

    def __init__(self, dataset: Dataset, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        given = np.asarray(indices)
        if given.size and given.dtype.kind not in "iu":
            kind = given.dtype
            raise TypeError(f"Subset: indices must be integers, got {kind} (for a mask, pass np.flatnonzero(mask))")
        self.indices = given.astype(np.int64).reshape(-1)
        if self.indices.size and not (-len(dataset) <= self.indices.min() and self.indices.max() < len(dataset)):
            size = len(dataset)
            raise IndexError(f"Subset: indices must lie in [-{size}, {size}) for a dataset of {size} samples")

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)

    def get_batch(self, index: np.ndarray | slice) -> Any:
        chosen = self.indices[index]
        if hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(chosen)
        return default_collate([self.dataset[int(i)] for i in chosen])
