"""Devices: tinygrad_np has one, the CPU that NumPy runs on.

PyTorch scripts name devices everywhere (`torch.device("cpu")`, `device=` keywords,
`.to(device)`, `torch.cuda.is_available()`). Those work here as on a machine without an
accelerator: "cpu" is accepted wherever PyTorch accepts a device, the availability checks say
False, and asking for any other device raises at once instead of silently computing elsewhere.
"""

from __future__ import annotations

_ACCELERATORS = ("cuda", "mps", "xpu", "xla", "hip", "ipu", "mtia", "hpu", "vulkan", "meta", "privateuseone")


class NoDeviceError(RuntimeError):
    """A device other than the CPU was asked for."""


def refuse(what: str) -> NoDeviceError:
    return NoDeviceError(f"tinygrad_np runs on NumPy on the CPU; there is no {what!r} device "
                         "(use 'cpu'; cuda.is_available() and accelerator.is_available() say False here)")


class device:
    """`tg.device("cpu")`, `tg.device("cpu", 0)`, `tg.device(type="cpu")`: the only device.

    As PyTorch's: `.type` is "cpu", `.index` None unless given, `str(d)` is "cpu"."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None) -> None:  # noqa: A002 (PyTorch's name)
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if isinstance(type, int):
            raise refuse(f"cuda:{type}")  # PyTorch reads a bare index as an accelerator's
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string like 'cpu', got {type.__class__.__name__}")
        name, _, suffix = type.partition(":")
        if suffix:
            if index is not None:
                raise RuntimeError(f"the device string {type!r} must not include an index when index is given")
            if not suffix.isdigit():
                raise RuntimeError(f"invalid device string: {type!r}")
            index = int(suffix)
        if name in _ACCELERATORS:
            raise refuse(type)
        if name != "cpu":
            raise RuntimeError(f"Expected a device type like 'cpu' at the start of the device string: {type!r}")
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"device index must be a non-negative integer, got {index!r}")
        self.type, self.index = "cpu", index

    def __repr__(self) -> str:
        return "device(type='cpu')" if self.index is None else f"device(type='cpu', index={self.index})"

    def __str__(self) -> str:
        return "cpu" if self.index is None else f"cpu:{self.index}"

    def __eq__(self, other) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def as_device(spec) -> device:
    """The device a `device=` argument names (None means the CPU); any other device raises."""
    if spec is None or spec is CPU:
        return CPU
    return spec if isinstance(spec, device) else device(spec)


def is_device_spec(value) -> bool:
    """Whether a positional argument of `.to(...)` names a device (a device or a string)."""
    return isinstance(value, (device, str))


def get_default_device() -> device:
    return CPU


def set_default_device(spec) -> None:
    """Accepts the CPU (the default already); any other device raises."""
    as_device(spec)
