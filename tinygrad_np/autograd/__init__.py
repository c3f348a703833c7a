"""Reverse-mode autodiff: the graph (`node.Node`, one per recorded op), the engine, grad mode,
custom functions (`Function`, as PyTorch's), checks."""

from . import function, functional
from .anomaly import detect_anomaly
from .differentiate import backward, grad
from .function import Function
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .node import PRIMITIVES
from .variable import Variable

__all__ = [
    "PRIMITIVES",
    "Function",
    "GradcheckError",
    "Variable",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "function",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "set_grad_enabled",
]
