"""Grad mode: whether ops record the graph. Thread-local, as in PyTorch.

`inference_mode` is `no_grad` plus a flag that `is_inference_mode_enabled` reads. PyTorch's
inference mode also makes "inference tensors" (refused by autograd later) and keeps recording
off even under `enable_grad`; here tensors made inside are ordinary tensors that do not
require grad, and `enable_grad` inside turns recording back on, as it does inside `no_grad`.
"""

import functools
import threading


class _GradState(threading.local):
    enabled = True
    inference = False


grad_state = _GradState()


def is_grad_enabled() -> bool:
    """True when ops on tensors that require grad record the graph."""
    return grad_state.enabled


def is_inference_mode_enabled() -> bool:
    """True inside `inference_mode()`."""
    return grad_state.inference


class _GradMode:
    """A context manager that is also a decorator; each call of a decorated function enters a
    fresh context, so recursion restores the mode correctly."""

    mode: bool

    def __new__(cls, func=None):
        if func is None:
            return super().__new__(cls)
        return cls()(func)  # used bare, as `@no_grad`

    def __enter__(self) -> None:
        self.__dict__.setdefault("previous", []).append(grad_state.enabled)
        grad_state.enabled = self.mode

    def __exit__(self, *exc_info) -> None:
        grad_state.enabled = self.previous.pop()

    def __call__(self, func):
        mode_type = type(self)

        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with mode_type():
                return func(*args, **kwargs)

        return decorated


class no_grad(_GradMode):
    """Context manager and decorator: ops inside record nothing (inference, updates)."""

    mode = False


class enable_grad(_GradMode):
    """Context manager and decorator: record the graph, even inside `no_grad`."""

    mode = True


class set_grad_enabled:
    """Turn recording on or off: at once when called, and restored on leaving a `with` block.
    As a decorator, the mode applies inside each call of the function only."""

    def __init__(self, mode: bool) -> None:
        self.previous = grad_state.enabled
        self.mode = bool(mode)
        grad_state.enabled = self.mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc_info) -> None:
        grad_state.enabled = self.previous

    def __call__(self, func):
        grad_state.enabled = self.previous
        mode = self.mode

        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return decorated


class inference_mode:
    """Context manager and decorator (also bare, `@inference_mode`): inside, nothing records, as
    in `no_grad`. `inference_mode(False)` turns recording on (PyTorch's: it leaves inference
    mode, and its grad mode is on there)."""

    def __new__(cls, mode=True):
        if callable(mode):  # used bare, as `@inference_mode`
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)
        self.previous: list[tuple[bool, bool]] = []

    def __enter__(self) -> None:
        self.previous.append((grad_state.enabled, grad_state.inference))
        grad_state.enabled, grad_state.inference = not self.mode, self.mode

    def __exit__(self, *exc_info) -> None:
        grad_state.enabled, grad_state.inference = self.previous.pop()

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with inference_mode(mode):
                return func(*args, **kwargs)

        return decorated
