"""`nn.parallel` as PyTorch's behaves on a machine without accelerators, which this one always is.

PyTorch's DataParallel then keeps no devices and calls the wrapped module as is, so scripts
that wrap their model unconditionally (and checkpoints saved from the wrapper, whose keys
start with "module.") work unchanged. The functional `data_parallel` has no devices to split
the batch over and raises, as PyTorch's does there. There is no torch.distributed here, so
DistributedDataParallel refuses to be built; the class exists for `isinstance` checks."""

from __future__ import annotations

from typing import Any

from .module import Module

__all__ = ["data_parallel", "DataParallel", "DistributedDataParallel"]


class DataParallel(Module):
    """Runs `module` as is: `device_ids` is always [] (PyTorch's value without accelerators,
    whatever ids were asked for); `output_device` and `dim` are accepted and unused, as there."""

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list[int] = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs, device_ids=None, output_device=None, dim: int = 0,
                  module_kwargs: dict | None = None):
    """PyTorch's functional data parallelism needs an accelerator to split the batch over and
    raises its RuntimeError without one; so does this."""
    raise RuntimeError("device type could not be determined: data_parallel splits the batch over accelerators, "
                       "and tinygrad_np runs on the CPU only; call the module itself, module(*inputs)")


class DistributedDataParallel(Module):
    """Refused: there is no torch.distributed (no process group) in tinygrad_np."""

    def __init__(self, module: Module, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("DistributedDataParallel: tinygrad_np has no torch.distributed (one process, "
                                  "on the CPU); train the module itself, or wrap it in nn.DataParallel, which "
                                  "runs it as is")
