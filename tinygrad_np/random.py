"""The library's single source of randomness, so that `manual_seed` fixes every draw, and
`Generator`, a seedable source of its own (PyTorch's `torch.Generator`)."""

from __future__ import annotations

import operator
import secrets
from typing import Any

import numpy as np

from .device import as_device

_generator = np.random.default_rng()

DEFAULT_SEED = 67280421310721  # what an unseeded torch.Generator() starts from


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed every random source of tinygrad_np (factories, init, dropout, shuffling)."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    """The generator that `manual_seed` last seeded."""
    return _generator


class Generator:
    """A random source of its own, as `torch.Generator(device="cpu")`: draws made with it leave
    the library's generator (`tg.manual_seed`) untouched, e.g. `random_split(data, [0.8, 0.2],
    generator=tg.Generator().manual_seed(42))`.

    It starts from a fixed seed, as PyTorch's, so an unseeded Generator is reproducible too.
    The draws come from a `numpy.random.Generator` (PCG64) seeded with the seed, so they are
    not the numbers PyTorch draws from the same seed.
    """

    def __init__(self, device: Any = None) -> None:
        self.device = as_device(device)
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Restart from `seed` (any int; negative ones are taken modulo 2**64, as PyTorch); returns self."""
        self._initial_seed = operator.index(seed) % 2**64
        self.numpy = np.random.default_rng(self._initial_seed)
        return self

    def seed(self) -> int:
        """Restart from a fresh nondeterministic seed and return it."""
        fresh = secrets.randbits(63)
        self.manual_seed(fresh)
        return fresh

    def initial_seed(self) -> int:
        """The seed this generator was last started from."""
        return self._initial_seed

    def get_state(self) -> dict:
        """The current state (the NumPy bit generator's state dict, where PyTorch gives a uint8 tensor)."""
        return self.numpy.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        """Go back to a state `get_state` returned; returns self."""
        self.numpy.bit_generator.state = state
        return self

    def __repr__(self) -> str:
        return f"<tinygrad_np.Generator seed={self._initial_seed}>"


def numpy_generator(generator: Generator | np.random.Generator | None, owner: str) -> np.random.Generator:
    """The NumPy generator to draw from: the library's for None (read now, so a later
    `manual_seed` counts), a `Generator`'s own, or a `numpy.random.Generator` as it is."""
    if generator is None:
        return _generator
    if isinstance(generator, Generator):
        return generator.numpy
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(
        f"{owner}: generator must be a tinygrad_np.Generator (tg.Generator().manual_seed(n)) or a "
        f"numpy.random.Generator (np.random.default_rng(n)), got {type(generator).__name__}"
    )
