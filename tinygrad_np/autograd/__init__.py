"""Reverse-mode autodiff: the graph node (`Node`), the engine, grad mode, checks."""

from . import functional
from .anomaly import detect_anomaly
from .differentiate import backward, grad
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .node import PRIMITIVES, Node

__all__ = [
    "PRIMITIVES",
    "Node",
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
