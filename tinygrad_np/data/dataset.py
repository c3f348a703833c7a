"""Datasets: anything with `len()` and `dataset[i]`, plus an optional whole-batch fetch.

PyTorch's protocol is one sample per `__getitem__` and a collate function that stacks them:
a Python call per sample. A dataset backed by arrays can do better, so a dataset may also
define `get_batch(index)`: given an integer array (or a slice) of sample indices, return the
finished batch, a tuple of Tensors with the batch as their first dimension. The DataLoader
uses it when it has no `collate_fn` of its own, and only while `get_batch` is the fetch that
was written with the dataset's `__getitem__` (`batch_fetch`): a subclass that overrides
`__getitem__` (to augment each sample, say) is read through it, sample by sample, as PyTorch
would.
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..random import Generator, numpy_generator
from ..tensor import Tensor, as_tensor
from .collate import default_collate


def batch_fetch(dataset: Any) -> Callable[[np.ndarray | slice], Any] | None:
    """`dataset.get_batch` if batches may be fetched with it, else None: the dataset has one, and
    its `__getitem__` and `__getitems__` are those of the class that defined `get_batch` (not
    overridden by a subclass, whose samples get_batch would silently bypass)."""
    get_batch = getattr(dataset, "get_batch", None)
    if get_batch is None:
        return None
    kind = type(dataset)
    owner = next((cls for cls in kind.__mro__ if "get_batch" in cls.__dict__), None)
    if owner is not None and any(getattr(kind, name, None) is not getattr(owner, name, None)
                                 for name in ("__getitem__", "__getitems__")):
        return None
    return get_batch


class Dataset:
    """Base class of map-style datasets: subclasses define `__getitem__` and `__len__`."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of iterable-style datasets: subclasses define `__iter__`, yielding samples
    (a stream, read in order; the DataLoader groups it into batches). `__len__` is optional."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __len__(self) -> int:
        raise TypeError(f"object of type '{type(self).__name__}' has no len()")

    def __add__(self, other: Dataset) -> ChainDataset:
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are rows of the given tensors: `dataset[i] == (t[i] for t in tensors)`.

    All tensors must have the same first dimension. Batches are fetched with one NumPy
    indexing call per tensor (`get_batch`), not one call per sample.
    """

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tuple(as_tensor(t) for t in tensors)
        lengths = [t.shape[0] if t.ndim else None for t in self.tensors]
        if None in lengths or len(set(lengths)) != 1:
            shapes = ", ".join(str(tuple(t.shape)) for t in self.tensors)
            raise ShapeError(f"TensorDataset: all tensors need the same first dimension, got shapes {shapes}")

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def get_batch(self, index: np.ndarray | slice) -> tuple[Tensor, ...]:
        return tuple(as_tensor(np.array(t._array[index])) for t in self.tensors)  # a copy, never a view of the data


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
        fetch = batch_fetch(self.dataset)
        if fetch is not None:
            return fetch(chosen)
        return default_collate([self.dataset[int(i)] for i in chosen])


class ConcatDataset(Dataset):
    """The samples of several map-style datasets, one after the other.

    `cumulative_sizes[k]` is the number of samples in datasets 0..k; sample i is found by
    bisecting it. Negative indices count from the end.
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        if any(isinstance(dataset, IterableDataset) for dataset in self.datasets):
            raise TypeError("ConcatDataset does not support IterableDataset (use ChainDataset)")
        self.cumulative_sizes = list(itertools.accumulate(len(dataset) for dataset in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        if which == len(self.datasets):
            raise IndexError(f"index {index} is out of range for a ConcatDataset of {len(self)} samples")
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """The samples of several iterable datasets, one stream after the other."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)

    def __iter__(self) -> Iterator[Any]:
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise TypeError("ChainDataset only supports IterableDataset")
            yield from dataset

    def __len__(self) -> int:
        return sum(len(dataset) for dataset in self.datasets)


def random_split(
    dataset: Dataset,
    lengths: Sequence[int | float],
    generator: Generator | np.random.Generator | None = None,
) -> list[Subset]:
    """Split `dataset` into non-overlapping Subsets of the given lengths, at random.

    `lengths` are sample counts summing to len(dataset), or fractions summing to 1: then each
    split gets floor(fraction * len(dataset)) samples and the remainder is dealt out one by one,
    from the first split on. The samples are `generator.permutation(len(dataset))` cut in
    consecutive pieces; without a generator, the library's (`tg.manual_seed`).
    """
    lengths = list(lengths)
    size = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for position, fraction in enumerate(lengths):
            if not 0 <= fraction <= 1:
                raise ValueError(f"Fraction at index {position} is not between 0 and 1")
        counts = [math.floor(size * fraction) for fraction in lengths]
        for position in range(size - sum(counts)):
            counts[position % len(counts)] += 1
        for position, count in enumerate(counts):
            if count == 0:
                warnings.warn(
                    f"Length of split at index {position} is 0. This might result in an empty dataset.", stacklevel=2
                )
        lengths = counts
    if sum(lengths) != size:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = numpy_generator(generator, "random_split").permutation(size)
    ends = list(itertools.accumulate(lengths))
    return [Subset(dataset, order[end - length : end]) for end, length in zip(ends, lengths)]
