"""Adadelta: steps whose size is the ratio of two running root mean squares, so no lr is needed."""

from __future__ import annotations

import numpy as np

from . import checks
from .optimizer import ParamsT, StepStateOptimizer


class Adadelta(StepStateOptimizer):
    """PyTorch's Adadelta (Zeiler, 2012). For each parameter θ with gradient g (v, u start at 0):

        g ← g + λ θ                                  (weight_decay λ ≠ 0; −g first if maximize)
        v ← ρ v + (1 − ρ) g²
        Δ ← √(u + ε) / √(v + ε) · g
        u ← ρ u + (1 − ρ) Δ²
        θ ← θ − γ Δ                                  (lr γ, 1 by default)

    The step is in the units of θ: √(u + ε) is a running RMS of past steps and √(v + ε) one of
    past gradients. `foreach` is accepted (PyTorch's choice of kernel; the numbers are the same
    either way); `capturable` (CUDA graphs) and `differentiable` (backward through the step)
    must stay False.
    """

    state_keys = ("step", "square_avg", "acc_delta")

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        capturable=capturable, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def hyper_parameter_problems(self, group) -> list[str]:
        """PyTorch's checks (lr, eps, weight_decay >= 0, rho in [0, 1]), that every value is a
        finite number or a bool (foreach: or None), and that the GPU- and autograd-only options
        are off."""
        return [
            *checks.non_negatives(group, "lr"),
            *checks.unit_interval("rho value", group["rho"]),
            *checks.non_negatives(group, "eps", "weight_decay"),
            *checks.options(group, "capturable", "maximize", "differentiable"),
        ]

    def update(self, param, grad, state, group) -> None:
        theta = param._array
        self.advance(state, theta, group)
        grad = self.gradient(grad, theta, group)
        rho, eps = group["rho"], group["eps"]
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * (grad * grad)
        delta = np.sqrt(acc_delta + eps, out=np.empty_like(theta))  # an array even when 0-d
        delta /= np.sqrt(square_avg + eps)
        delta *= grad
        acc_delta *= rho
        acc_delta += (1 - rho) * (delta * delta)
        delta *= group["lr"]
        theta -= delta
