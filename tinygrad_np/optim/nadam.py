"""NAdam: Adam with Nesterov momentum, the next step's momentum applied to m ahead of time."""

from __future__ import annotations

import numpy as np

from . import checks
from .optimizer import ParamsT, StepStateOptimizer


class NAdam(StepStateOptimizer):
    """PyTorch's NAdam (Dozat, 2016). For each parameter θ with gradient g, at step t (m, v start
    at 0; P, the product of the μ so far, at 1), with momentum decay ψ:

        g ← g + λ θ                     (weight_decay λ ≠ 0; −g first if maximize; with
                                         decoupled_weight_decay instead θ ← θ (1 − γ λ))
        μ_t ← β₁ (1 − ½ · 0.96^(t ψ)),   μ_{t+1} ← β₁ (1 − ½ · 0.96^((t+1) ψ)),   P ← P μ_t
        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g²
        m̂ ← μ_{t+1} m / (1 − P μ_{t+1}) + (1 − μ_t) g / (1 − P)
        θ ← θ − γ m̂ / (√(v / (1 − β₂ᵗ)) + ε)

    `foreach` is accepted and changes nothing; `capturable` and `differentiable` must stay False.
    """

    state_keys = ("step", "mu_product", "exp_avg", "exp_avg_sq")
    number_state_keys = ("mu_product",)

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas, eps=eps,
                        weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, foreach=foreach, maximize=maximize,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def hyper_parameter_problems(self, group) -> list[str]:
        """PyTorch's checks (lr, eps, weight_decay, momentum_decay >= 0, each beta in [0, 1)),
        and that every value is a finite number or a bool (foreach: or None), the GPU- and
        autograd-only options off."""
        return [
            *checks.adam_like(group),
            *checks.non_negatives(group, "momentum_decay"),
            *checks.options(group, "decoupled_weight_decay", "maximize", "capturable", "differentiable"),
        ]

    def initial_state(self, theta, group) -> dict:
        """Zeros, but P, a product, starts at 1."""
        return {**super().initial_state(theta, group), "mu_product": 1.0}

    def update(self, param, grad, state, group) -> None:
        theta = param._array
        self.advance(state, theta, group)
        t, lr = state["step"], group["lr"]
        self.decay(theta, group)
        grad = self.gradient(grad, theta, group)
        beta1, beta2 = group["betas"]
        psi = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * (grad * grad)
        denominator = np.sqrt(exp_avg_sq / (1 - beta2**t), out=np.empty_like(theta))  # an array even when 0-d
        denominator += group["eps"]
        theta -= (lr * (1 - mu) / (1 - mu_product)) * grad / denominator
        theta -= (lr * mu_next / (1 - mu_product * mu_next)) * exp_avg / denominator
