"""DataLoader: batches from a dataset, in order or shuffled reproducibly."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..random import default_generator
from .collate import default_collate
from .dataset import Dataset


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size`.

    - `shuffle=True` draws a new order every epoch (every `iter(loader)`) from `generator`, a
      `numpy.random.Generator`, or, when it is None, from the library's generator, so
      `tg.manual_seed(n)` makes the order reproducible.
    - The last batch holds the remaining `len(dataset) % batch_size` samples unless
      `drop_last=True`; `len(loader)` counts it.
    - A dataset with `get_batch(index)` (TensorDataset, MNIST, Subset of them) returns each batch
      with one vectorised fetch; otherwise the samples are fetched one by one and combined by
      `collate_fn` (default: `default_collate`, which stacks them into Tensors). A `collate_fn`
      given here always gets the list of samples.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: np.random.Generator | None = None,
        collate_fn: Callable[[list[Any]], Any] | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(
                f"DataLoader: generator must be a numpy.random.Generator (np.random.default_rng(seed)), "
                f"got {type(generator).__name__}"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = generator
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.dataset) // self.batch_size
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        size = len(self.dataset)
        order = None
        if self.shuffle:
            order = (self.generator or default_generator()).permutation(size)
        for batch in range(len(self)):
            start, stop = batch * self.batch_size, min((batch + 1) * self.batch_size, size)
            index = slice(start, stop) if order is None else order[start:stop]
            yield self._fetch(index)

    def _fetch(self, index: slice | np.ndarray) -> Any:
        if self.collate_fn is None and hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(index)
        indices = range(index.start, index.stop) if isinstance(index, slice) else index.tolist()
        return (self.collate_fn or default_collate)([self.dataset[i] for i in indices])
