"""DataLoader: batches from a dataset, in the order a sampler gives, as `torch.utils.data.DataLoader`."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from ..random import Generator, numpy_generator
from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset, batch_fetch
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

FIXED_AFTER_INIT = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")
CHUNKED = (SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler)  # have index_chunks()


class DataLoader:
    """Iterate over `dataset` in batches, with PyTorch's arguments and their rules.

    The order of an epoch (each `iter(loader)`) comes from `sampler`: by default the indices in
    order, or, with `shuffle=True`, a `RandomSampler` drawing a new permutation each epoch from
    `generator` (a `tg.Generator` or `numpy.random.Generator`; without one, the library's
    generator, so `tg.manual_seed(n)` fixes it). A `BatchSampler` cuts that order into batches
    of `batch_size` (the last one shorter, or dropped with `drop_last`); or `batch_sampler`
    gives the batches' indices itself. `batch_size=None` turns batching off: samples come one
    by one through `collate_fn` (default: `default_convert`).

    A batch is fetched in one vectorised call when the dataset has `get_batch(index)`
    (TensorDataset, MNIST, Subset of them; not a subclass overriding `__getitem__`) and no
    `collate_fn` is given; otherwise sample by sample (`dataset[i]`, or
    `dataset.__getitems__(indices)` if defined) and combined by `collate_fn` (default:
    `default_collate`). An `IterableDataset` is read as a stream and
    grouped into batches in the order it yields.

    Everything runs in the calling process: `num_workers`, `pin_memory`, `timeout`,
    `worker_init_fn`, `multiprocessing_context`, `prefetch_factor`, `persistent_workers` and
    `pin_memory_device` are checked as PyTorch checks them and otherwise have no effect
    (docs/data.md has the measurements of worker processes against the main process).
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable[int] | None = None,
        batch_sampler: Sampler | Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | np.random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)) or num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing. Let num_workers > 0 to "
                "enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError(
                "multiprocessing_context can only be used with multi-process loading (num_workers > 0), "
                f"but got num_workers={num_workers}"
            )
        if generator is not None:
            numpy_generator(generator, "DataLoader")

        if isinstance(dataset, IterableDataset):
            for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {name} option, but got {name}={value}"
                    )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"
            )
        if not isinstance(dataset, IterableDataset):
            if sampler is None:
                sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
            if batch_size is not None and batch_sampler is None:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        elif batch_size is not None:
            BatchSampler([], batch_size, drop_last)  # a stream's batch_size and drop_last, checked as a BatchSampler's

        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = int(num_workers)
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._collate_given = collate_fn is not None
        self.collate_fn = collate_fn or (default_collate if self._auto_collation else default_convert)
        self._initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_initialized", False):
            if name in FIXED_AFTER_INIT:
                raise ValueError(f"{name} attribute should not be set after {type(self).__name__} is initialized")
            if name == "collate_fn":
                object.__setattr__(self, "_collate_given", True)
        object.__setattr__(self, name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_size is not None or self.batch_sampler is not None

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            size = len(self.dataset)
            if self.batch_size is None:
                return size
            return size // self.batch_size if self.drop_last else math.ceil(size / self.batch_size)
        return len(self.batch_sampler if self._auto_collation else self.sampler)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            return self._stream()
        if not self._auto_collation:
            return (self.collate_fn(self.dataset[index]) for index in self.sampler)  # type: ignore[union-attr]
        fetch = None if self._collate_given else batch_fetch(self.dataset)
        if fetch is not None:
            return (fetch(index) for index in self._index_batches())
        return (self.collate_fn(self._samples(indices)) for indices in self.batch_sampler)  # type: ignore[union-attr]

    def _index_batches(self) -> Iterator[slice | np.ndarray]:
        """The batch sampler's batches as slices or int64 arrays. The loader's own BatchSampler
        over one of the library's samplers is cut from the sampler's chunks of indices as they
        are drawn (a sampler of 10**10 indices costs only the batches read)."""
        batches = self.batch_sampler
        if type(batches) is BatchSampler and type(batches.sampler) is SequentialSampler:
            total, size = len(batches.sampler), batches.batch_size
            stop = total - total % size if batches.drop_last else total
            for start in range(0, stop, size):
                yield slice(start, min(start + size, total))
            return
        if type(batches) is BatchSampler and type(batches.sampler) in CHUNKED:
            yield from _rebatch(batches.sampler.index_chunks(), batches.batch_size, batches.drop_last)
            return
        for indices in batches:  # type: ignore[union-attr]
            yield np.asarray(indices, dtype=np.int64).reshape(-1)

    def _samples(self, indices: list[int]) -> list[Any]:
        if hasattr(self.dataset, "__getitems__"):
            return self.dataset.__getitems__(indices)
        return [self.dataset[index] for index in indices]

    def _stream(self) -> Iterator[Any]:
        """An IterableDataset's samples, grouped into batches of batch_size as they come."""
        if self.batch_size is None:
            for sample in self.dataset:  # type: ignore[attr-defined]
                yield self.collate_fn(sample)
            return
        batch: list[Any] = []
        for sample in self.dataset:  # type: ignore[attr-defined]
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)


def _rebatch(chunks: Iterator[np.ndarray], batch_size: int, drop_last: bool) -> Iterator[np.ndarray]:
    """Consecutive runs of `batch_size` indices out of a stream of index arrays, as BatchSampler
    groups a sampler's indices; the shorter last run is dropped when `drop_last`."""
    pending = np.empty(0, dtype=np.int64)
    for chunk in chunks:
        if pending.size:
            chunk = np.concatenate([pending, chunk])
        full = chunk.size - chunk.size % batch_size
        for start in range(0, full, batch_size):
            yield chunk[start : start + batch_size]
        pending = chunk[full:]
    if pending.size and not drop_last:
        yield pending


def get_worker_info() -> None:
    """Information about the worker process this is called in; batches are always made in the
    calling process here, so it is None, as PyTorch's outside a worker (an IterableDataset that
    shards itself by worker then yields everything once)."""
    return None
