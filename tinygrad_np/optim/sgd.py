"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, ParamsT, check_range


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

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False) -> None:
        check_range("learning rate", lr)
        check_range("momentum value", momentum)
        check_range("weight_decay value", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def update(self, param, grad, state, group) -> None:
        theta = param._array
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * theta
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
