"""The library's single source of randomness, so that `manual_seed` fixes every draw."""

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed every random source of tinygrad_np (factories, init, dropout, shuffling)."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    """The generator that `manual_seed` last seeded."""
    return _generator
