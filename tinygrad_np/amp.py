"""`tg.amp`: mixed precision as PyTorch's behaves where it has nothing to do, and a clear error
where it would change the numbers.

Scripts build an `autocast` context and a `GradScaler` unconditionally and enable them for a
GPU (nanoGPT's train.py: `torch.cuda.amp.GradScaler(enabled=(dtype == 'float16'))`). Without
CUDA, PyTorch warns and disables both, so the script trains in float32 with plain steps; so
does this. Enabled on the CPU, PyTorch runs matrix products in bfloat16 (autocast) or scales
float16 losses (GradScaler): NumPy has no bfloat16 and tinygrad_np trains in float32, so those
raise NotImplementedError rather than run something else silently."""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

__all__ = ["GradScaler", "autocast", "is_autocast_available"]


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast could run on `device_type`: never here (see the module's docstring)."""
    return False


def _off_without_cuda(device: str, enabled: bool, message: str) -> bool:
    """Whether to stay enabled: a CUDA request is disabled with PyTorch's warning, a CPU one refused."""
    if not enabled:
        return False
    if device.split(":")[0] == "cuda":
        warnings.warn(message, UserWarning, stacklevel=3)
        return False
    raise NotImplementedError(f"mixed precision on {device!r}: tinygrad_np computes in the tensors' own dtype "
                              "(no bfloat16, no loss scaling); pass enabled=False or leave it out")


class autocast(contextlib.ContextDecorator):
    """`with tg.amp.autocast("cuda", dtype=tg.float16):` (or as a decorator): disabled, with
    PyTorch's warning, as PyTorch's without CUDA; `enabled=False` does nothing anywhere."""

    def __init__(self, device_type: str, dtype=None, enabled: bool = True, cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = _off_without_cuda(device_type, enabled,
                                          "CUDA is not available or torch_xla is imported. Disabling autocast.")

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return False


class GradScaler:
    """PyTorch's GradScaler, disabled: `scale` returns its argument, `unscale_` and `update` do
    nothing, `step(optimizer)` is `optimizer.step()`, `get_scale()` is 1.0 and `state_dict()` is
    empty, as PyTorch's once it has disabled itself for want of CUDA (with its warning)."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        message = "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling."
        self._enabled = _off_without_cuda(device, enabled, message)

    def is_enabled(self) -> bool:
        return self._enabled

    def scale(self, outputs):
        return outputs

    def unscale_(self, optimizer) -> None:
        return None

    def step(self, optimizer, *args: Any, **kwargs: Any):
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None) -> None:
        return None

    def get_scale(self) -> float:
        return 1.0

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        return None
