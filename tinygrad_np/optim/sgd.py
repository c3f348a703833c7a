"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

import numpy as np

from . import checks
from .optimizer import Optimizer, ParamsT


class SGD(Optimizer):
    """PyTorch's SGD. For each parameter θ with gradient g, at step t:

        g ← g + λ θ                                  (weight_decay λ ≠ 0; −g first if maximize)
        b ← g                      at t = 1          (momentum μ ≠ 0)
        b ← μ b + (1 − τ) g        after             (dampening τ)
        g ← g + μ b  if nesterov,  else  g ← b
        θ ← θ − γ g                                  (lr γ)

    Momentum is a running *sum* of gradients (μ b + g), not an average; the origin notebook's
    "momentum" was an exponential moving average, which shrinks the step by (1 − μ).
    """

    state_keys = ("momentum_buffer",)

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def hyper_parameter_problems(self, group) -> list[str]:
        """PyTorch's checks (lr, momentum, weight_decay >= 0; Nesterov needs a momentum and no
        dampening), and that every value is a finite number or a bool."""
        problems = [
            *checks.non_negatives(group, "lr", "momentum"),
            *checks.finite("dampening value", group["dampening"]),
            *checks.non_negatives(group, "weight_decay"),
            *checks.flags(group, "nesterov", "maximize"),
        ]
        if not problems and group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            problems.append("Nesterov momentum requires a momentum and zero dampening")
        return problems

    def update(self, param, grad, state, group) -> None:
        theta = param._array
        grad = self.gradient(grad, theta, group)
        momentum = group["momentum"]
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = np.array(grad)  # a copy, and an array even when 0-d
            else:
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        theta -= group["lr"] * grad
