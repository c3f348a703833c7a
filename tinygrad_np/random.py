"""The library's single source of randomness, so that `manual_seed` fixes every draw, and
`Generator`, a seedable source of its own (PyTorch's `torch.Generator`).

The library's source is itself a `Generator`: `tg.manual_seed(n)` reseeds it and returns it, as
PyTorch's returns `torch.default_generator`; `tg.seed`, `tg.initial_seed`, `tg.get_rng_state`
and `tg.set_rng_state` act on it. It starts from a nondeterministic seed (`tg.initial_seed()`
tells which)."""

from __future__ import annotations

import operator
import secrets
from typing import Any

import numpy as np

from .device import as_device

DEFAULT_SEED = 67280421310721  # what an unseeded torch.Generator() starts from

_STATE_BYTES = (16, 16, 1, 4)
"""A PCG64 state as bytes: the 128-bit state and increment, whether a 32-bit half is buffered, and that half."""


def manual_seed(seed: int) -> Generator:
    """Reseed every random source of tinygrad_np (factories, init, dropout, shuffling); returns
    the library's generator, as PyTorch's returns `torch.default_generator`."""
    return _default.manual_seed(seed)


def seed() -> int:
    """Reseed the library's generator from a fresh nondeterministic seed and return it."""
    return _default.seed()


def initial_seed() -> int:
    """The seed the library's generator was last started from."""
    return _default.initial_seed()


def get_rng_state():
    """The library's generator's state, a uint8 tensor (`set_rng_state` goes back to it)."""
    return _default.get_state()


def set_rng_state(new_state) -> None:
    """Put the library's generator back in a state `get_rng_state` returned."""
    _default.set_state(new_state)


def default_generator() -> np.random.Generator:
    """The NumPy generator behind the library's generator (read at each draw: `manual_seed` replaces it)."""
    return _default.numpy


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

    def get_state(self):
        """The current state as a uint8 tensor, as PyTorch's (the PCG64 state in 37 bytes, where
        PyTorch's Mersenne Twister takes 5056)."""
        from .tensor import Tensor  # tensor builds on this module

        state = self.numpy.bit_generator.state
        fields = (state["state"]["state"], state["state"]["inc"], state["has_uint32"], state["uinteger"])
        data = b"".join(int(v).to_bytes(n, "little") for v, n in zip(fields, _STATE_BYTES))
        return Tensor._make(np.frombuffer(data, dtype=np.uint8).copy(), None)

    def set_state(self, new_state) -> Generator:
        """Go back to a state `get_state` returned; returns self."""
        from .tensor import Tensor

        if not isinstance(new_state, Tensor) or new_state.dtype != np.uint8:
            raise TypeError(f"expected a uint8 tensor (a ByteTensor), but got {type(new_state).__name__}")
        if new_state.numel() != sum(_STATE_BYTES):
            raise RuntimeError(f"Expected a generator state of size {sum(_STATE_BYTES)} but found the input RNG "
                               f"state size to be {new_state.numel()}")
        data, fields, start = new_state.numpy().tobytes(), [], 0
        for n in _STATE_BYTES:
            fields.append(int.from_bytes(data[start:start + n], "little"))
            start += n
        self.numpy.bit_generator.state = {"bit_generator": "PCG64", "state": {"state": fields[0], "inc": fields[1]},
                                          "has_uint32": fields[2], "uinteger": fields[3]}
        return self

    def __repr__(self) -> str:
        return f"<tinygrad_np.Generator seed={self._initial_seed}>"


def numpy_generator(generator: Generator | np.random.Generator | None, owner: str) -> np.random.Generator:
    """The NumPy generator to draw from: the library's for None (read now, so a later
    `manual_seed` counts), a `Generator`'s own, or a `numpy.random.Generator` as it is."""
    if generator is None:
        return _default.numpy
    if isinstance(generator, Generator):
        return generator.numpy
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(
        f"{owner}: generator must be a tinygrad_np.Generator (tg.Generator().manual_seed(n)) or a "
        f"numpy.random.Generator (np.random.default_rng(n)), got {type(generator).__name__}"
    )


_default = Generator()
_default.seed()
