"""Reverse-mode autodiff: the graph node (`Function`), the engine, grad mode, checks."""

from . import functional
from .anomaly import detect_anomaly
from .differentiate import backward, grad
from .function import PRIMITIVES, Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "PRIMITIVES",
    "Function",
    "GradcheckError",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]
