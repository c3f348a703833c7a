"""RAdam: Adam whose adaptive step is switched on, and scaled, by how reliable v has become."""

from __future__ import annotations

import math

import numpy as np

from . import checks
from .optimizer import ParamsT, StepStateOptimizer


class RAdam(StepStateOptimizer):
    """PyTorch's RAdam (Liu et al., 2020). For each parameter θ with gradient g, at step t (m, v
    start at 0), with ρ_∞ = 2 / (1 − β₂) − 1:

        g ← g + λ θ                     (weight_decay λ ≠ 0; −g first if maximize; with
                                         decoupled_weight_decay instead θ ← θ (1 − γ λ))
        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g²
        m̂ ← m / (1 − β₁ᵗ)
        ρ_t ← ρ_∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)
        if ρ_t > 5:   l ← √(1 − β₂ᵗ) / (√v + ε)
                      r ← √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t))
                      θ ← θ − γ m̂ r l
        else:         θ ← θ − γ m̂

    While few gradients have been seen, v's estimate varies too much to divide by, so the first
    steps (about 5 with β₂ = 0.999) are SGD with momentum: a built-in warm-up. `foreach` is
    accepted and changes nothing; `capturable` and `differentiable` must stay False.
    """

    state_keys = ("step", "exp_avg", "exp_avg_sq")

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas, eps=eps,
                        weight_decay=weight_decay, decoupled_weight_decay=decoupled_weight_decay, foreach=foreach,
                        maximize=maximize, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def hyper_parameter_problems(self, group) -> list[str]:
        """PyTorch's checks (lr, eps, weight_decay >= 0, each beta in [0, 1)), and that every
        value is a finite number or a bool (foreach: or None), the GPU- and autograd-only
        options off."""
        return [
            *checks.adam_like(group),
            *checks.options(group, "decoupled_weight_decay", "maximize", "capturable", "differentiable"),
        ]

    def update(self, param, grad, state, group) -> None:
        theta = param._array
        self.advance(state, theta, group)
        t, lr = state["step"], group["lr"]
        self.decay(theta, group)
        grad = self.gradient(grad, theta, group)
        beta1, beta2 = group["betas"]
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * (grad * grad)
        correction2 = 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / correction2
        step = exp_avg * (lr / (1 - beta1**t))
        if rho_t > 5:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            denominator = np.sqrt(exp_avg_sq, out=np.empty_like(theta))  # an array even when 0-d
            denominator += group["eps"]
            step *= rect * math.sqrt(correction2)
            step /= denominator
        theta -= step
