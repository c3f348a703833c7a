"""Samplers: which dataset indices an epoch visits, in which order, as `torch.utils.data`'s.

A sampler is an iterable of indices (ints); a batch sampler an iterable of lists of indices.
Random samplers draw, each time they are iterated, from their `generator` (a `tg.Generator` or
a `numpy.random.Generator`) or, without one, from the library's generator (`tg.manual_seed`).
The library's samplers also give their indices as a stream of int64 arrays (`index_chunks()`),
drawn lazily, a chunk at a time, so the DataLoader can cut batches out of them without a Python
int per sample, and a sampler of 10**10 indices (makemore's endless `RandomSampler(...,
replacement=True, num_samples=int(1e10))`) costs only the chunks actually read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any

import numpy as np

from ..random import Generator, numpy_generator
from ..tensor import as_array

GeneratorLike = Generator | np.random.Generator | None
CHUNK = 1024  # indices drawn at a time with replacement


def _check_generator(generator: GeneratorLike, owner: str) -> GeneratorLike:
    if generator is not None:
        numpy_generator(generator, owner)
    return generator


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0


class Sampler:
    """Base class of samplers: subclasses define `__iter__` (the indices) and, if they can, `__len__`."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """The indices 0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def index_chunks(self) -> Iterator[np.ndarray]:
        yield np.arange(len(self.data_source))

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of the dataset's indices, a new one every epoch.

    Without replacement: a permutation of all n indices (`generator.permutation(n)`); asking for
    `num_samples` > n gives whole permutations one after another, the last one cut short. With
    `replacement=True`: `num_samples` (default n) indices drawn uniformly and independently.
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: GeneratorLike = None,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = _check_generator(generator, "RandomSampler")
        if not _is_positive_int(self.num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        """`num_samples` as given, else the dataset's current length."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def index_chunks(self) -> Iterator[np.ndarray]:
        """With replacement, CHUNK uniform draws at a time; without, one permutation at a time
        (the last one cut short); each drawn only when the previous one has been read."""
        rng = numpy_generator(self.generator, "RandomSampler")
        n, left = len(self.data_source), int(self.num_samples)
        while left > 0:
            if self.replacement:
                chunk = rng.integers(0, n, size=min(CHUNK, left), dtype=np.int64)
            else:
                chunk = rng.permutation(n)[:left]
            left -= chunk.size
            yield chunk

    def __iter__(self) -> Iterator[int]:
        return _indices(self.index_chunks())

    def __len__(self) -> int:
        return int(self.num_samples)


class SubsetRandomSampler(Sampler):
    """The given indices in a random order, a new one every epoch: `indices[permutation(len(indices))]`."""

    def __init__(self, indices: Sequence[int], generator: GeneratorLike = None) -> None:
        self.indices = indices
        self.generator = _check_generator(generator, "SubsetRandomSampler")

    def index_chunks(self) -> Iterator[np.ndarray]:
        permutation = numpy_generator(self.generator, "SubsetRandomSampler").permutation(len(self.indices))
        yield np.asarray(self.indices, dtype=np.int64).reshape(-1)[permutation]

    def __iter__(self) -> Iterator[int]:
        return _indices(self.index_chunks())

    def __len__(self) -> int:
        return len(self.indices)


def _indices(chunks: Iterator[np.ndarray]) -> Iterator[int]:
    for chunk in chunks:
        yield from chunk.tolist()


def multinomial_chunks(
    weights: np.ndarray, num_samples: int, replacement: bool, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    """`num_samples` indices drawn with probability weights[i] / sum(weights), with or without
    replacement; invalid weights raise RuntimeError with torch.multinomial's messages.

    With replacement, CHUNK at a time, each by inverting the cumulative distribution at uniform
    draws (`rng.choice(..., p=...)`'s method, computed once); without, all at once (at most
    len(weights) of them).
    """
    if not np.all(np.isfinite(weights)):
        raise RuntimeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)")
    if np.any(weights < 0):
        raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
    total = weights.sum()
    if total <= 0:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > weights.size:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    probabilities = weights / total
    if replacement:
        cumulative = np.cumsum(probabilities)
        cumulative /= cumulative[-1]
        left = num_samples
        while left > 0:
            uniform = rng.random(min(CHUNK, left))
            left -= uniform.size
            yield cumulative.searchsorted(uniform, side="right").astype(np.int64)
        return
    nonzero = int(np.count_nonzero(probabilities))
    if num_samples <= nonzero:
        yield rng.choice(weights.size, size=num_samples, replace=False, p=probabilities).astype(np.int64)
        return
    # Past the nonzero weights, PyTorch goes on with the zero-weight indices in a random order.
    first = rng.choice(weights.size, size=nonzero, replace=False, p=probabilities)
    rest = rng.permutation(np.flatnonzero(probabilities == 0))[: num_samples - nonzero]
    yield np.concatenate([first, rest]).astype(np.int64)


class WeightedRandomSampler(Sampler):
    """`num_samples` indices of `weights`, index i drawn with probability weights[i] / sum(weights)
    (the weights need not sum to 1), with replacement by default; a new draw every epoch."""

    def __init__(
        self,
        weights: Sequence[float] | np.ndarray,
        num_samples: int,
        replacement: bool = True,
        generator: GeneratorLike = None,
    ) -> None:
        if not _is_positive_int(num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        array = np.asarray(as_array(weights), dtype=np.float64)
        if array.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(array.shape)}")
        self.weights = array
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = _check_generator(generator, "WeightedRandomSampler")

    def index_chunks(self) -> Iterator[np.ndarray]:
        rng = numpy_generator(self.generator, "WeightedRandomSampler")
        return multinomial_chunks(self.weights, self.num_samples, self.replacement, rng)

    def __iter__(self) -> Iterator[int]:
        return _indices(self.index_chunks())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of `sampler` (any iterable of ints) into lists of `batch_size`; the
    last, shorter list is dropped when `drop_last`."""

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not _is_positive_int(batch_size):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        size = len(self.sampler)  # type: ignore[arg-type]
        return size // self.batch_size if self.drop_last else math.ceil(size / self.batch_size)
