"""`tg.mps`, as PyTorch's on a machine without Apple's Metal: seeding does nothing, the rest
raises (`tg.backends.mps.is_available()` is the check scripts make)."""

from .cuda import device_count, manual_seed
from .device import refuse

__all__ = ["device_count", "manual_seed", "synchronize"]


def synchronize(*args, **kwargs):
    raise refuse("mps")
