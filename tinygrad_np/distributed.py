"""`tg.distributed`, for training scripts that import torch.distributed's entry points at the
top and start a process group only when launched by torchrun (nanoGPT's train.py). tinygrad_np
runs one process on the CPU: no process group is ever initialized, and starting one raises."""

from __future__ import annotations

__all__ = ["destroy_process_group", "init_process_group", "is_available", "is_initialized"]


def is_available() -> bool:
    """False: tinygrad_np has no collective communication backend (no gloo, no NCCL)."""
    return False


def is_initialized() -> bool:
    """False: no process group is ever started (PyTorch's answer before `init_process_group`)."""
    return False


def init_process_group(backend=None, init_method=None, timeout=None, world_size: int = -1, rank: int = -1,
                       store=None, group_name: str = "", pg_options=None, device_id=None) -> None:
    """Refused: there is one process, on the CPU."""
    raise NotImplementedError("init_process_group: tinygrad_np has no torch.distributed (one process, on the CPU); "
                              "run the script as a single process, without torchrun")


def destroy_process_group(group=None) -> None:
    """As PyTorch's without a process group: a ValueError, since none was initialized."""
    raise ValueError("Default process group has not been initialized, please make sure to call init_process_group.")
