"""`tg.accelerator`, as PyTorch's on a CPU-only machine: there is none."""

from __future__ import annotations


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def current_accelerator(check_available: bool = False) -> None:
    """None: PyTorch's answer when no accelerator is present (scripts then pick "cpu")."""
    return None
