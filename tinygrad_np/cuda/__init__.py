"""`tg.cuda`, as PyTorch's on a machine without CUDA: nothing is available, seeding does
nothing (PyTorch's CUDA seeding is lazy, so scripts call it unconditionally), the rest raises."""

from ..device import refuse
from . import amp


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Nothing to seed: there is no CUDA generator (`tg.manual_seed` seeds everything)."""


manual_seed_all = manual_seed


def _no_cuda(*args, **kwargs):
    raise refuse("cuda")


current_device = get_device_name = set_device = synchronize = _no_cuda


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False, as PyTorch's without CUDA."""
    return False
