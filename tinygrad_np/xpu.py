"""`tg.xpu`, as PyTorch's on a machine without Intel GPUs: answers as `tg.cuda` does."""

from .cuda import device_count, is_available, is_initialized, manual_seed, manual_seed_all
from .device import refuse

__all__ = ["device_count", "is_available", "is_initialized", "manual_seed", "manual_seed_all", "synchronize"]


def synchronize(*args, **kwargs):
    raise refuse("xpu")
