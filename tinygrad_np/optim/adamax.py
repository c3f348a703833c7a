"""Adamax: Adam with the second moment replaced by an exponentially weighted infinity norm."""

from __future__ import annotations

import numpy as np

from . import checks
from .optimizer import ParamsT, StepStateOptimizer


class Adamax(StepStateOptimizer):
    """PyTorch's Adamax (Kingma & Ba, 2015, section 7.1). For each parameter θ with gradient g,
    at step t (m, u start at 0):

        g ← g + λ θ                                  (weight_decay λ ≠ 0; −g first if maximize)
        m ← β₁ m + (1 − β₁) g
        u ← max(β₂ u, |g| + ε)
        θ ← θ − γ m / ((1 − β₁ᵗ) u)

    u, a decaying maximum of |g|, needs no bias correction. `foreach` is accepted (PyTorch's
    choice of kernel; the numbers are the same either way); `capturable` and `differentiable`
    must stay False.
    """

    state_keys = ("step", "exp_avg", "exp_inf")

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas, eps=eps,
                        weight_decay=weight_decay, foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def hyper_parameter_problems(self, group) -> list[str]:
        """PyTorch's checks (lr, eps, weight_decay >= 0, each beta in [0, 1)), and that every
        value is a finite number or a bool (foreach: or None), the GPU- and autograd-only
        options off."""
        return [
            *checks.adam_like(group),
            *checks.options(group, "maximize", "differentiable", "capturable"),
        ]

    def update(self, param, grad, state, group) -> None:
        theta = param._array
        self.advance(state, theta, group)
        grad = self.gradient(grad, theta, group)
        beta1, beta2 = group["betas"]
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_inf *= beta2
        np.maximum(exp_inf, np.abs(grad) + group["eps"], out=exp_inf)
        step = np.divide(exp_avg, exp_inf, out=np.empty_like(theta))  # an array even when 0-d
        step *= group["lr"] / (1 - beta1 ** state["step"])
        theta -= step
