"""Anomaly mode: find the op whose backward first produced NaN or Inf.

While enabled, every recorded node keeps the stack of the forward call that created it,
and the engine checks each gradient a node returns. Off by default: then it costs one flag
read per op.
"""

import os
import threading
import traceback
from contextlib import ContextDecorator

import numpy as np

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _AnomalyState(threading.local):
    enabled = False


anomaly_state = _AnomalyState()


class detect_anomaly(ContextDecorator):
    """Context manager and decorator: a NaN/Inf gradient raises, naming the op and where it was made."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self.previous = anomaly_state.enabled
        anomaly_state.enabled = self.check_nan

    def __exit__(self, *exc_info) -> None:
        anomaly_state.enabled = self.previous


def creation_stack() -> str:
    """The user's forward call stack, without the library's own frames."""
    frames = [f for f in traceback.extract_stack() if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR + os.sep)]
    return "".join(traceback.format_list(frames))


def check_gradients(node, grads) -> None:
    """Raise if any gradient `node` returned holds NaN or Inf."""
    for index, grad in enumerate(grads):
        if grad is not None and not np.isfinite(grad._array).all():
            bad = "nan" if np.isnan(grad._array).any() else "inf"
            raise RuntimeError(
                f"Function '{node.name()}' returned {bad} values in its gradient for input {index}.\n"
                f"The op was created in the forward pass at:\n{getattr(node, 'created_at', '(unknown)')}"
            )
