"""Grad mode: whether ops record the graph. Thread-local, as in PyTorch."""

import threading
from contextlib import ContextDecorator


class _GradState(threading.local):
    enabled = True


grad_state = _GradState()


def is_grad_enabled() -> bool:
    """True when ops on tensors that require grad record the graph."""
    return grad_state.enabled


class set_grad_enabled(ContextDecorator):
    """Turn recording on or off: immediately, and restored on leaving a `with` block."""

    def __init__(self, mode: bool) -> None:
        self.previous = grad_state.enabled
        self.mode = bool(mode)
        grad_state.enabled = self.mode

    def __enter__(self) -> None:
        grad_state.enabled = self.mode

    def __exit__(self, *exc_info) -> None:
        grad_state.enabled = self.previous


class _GradModeContext(ContextDecorator):
    mode: bool

    def __enter__(self) -> None:
        self.previous = grad_state.enabled
        grad_state.enabled = self.mode

    def __exit__(self, *exc_info) -> None:
        grad_state.enabled = self.previous


class no_grad(_GradModeContext):
    """Context manager and decorator: ops inside record nothing (inference, updates)."""

    mode = False


class enable_grad(_GradModeContext):
    """Context manager and decorator: record the graph, even inside `no_grad`."""

    mode = True
