"""Adam and AdamW: steps scaled by bias-corrected running moments of the gradient."""

from __future__ import annotations

import math

import numpy as np

from .optimizer import Optimizer, ParamsT, check_range


class Adam(Optimizer):
    """PyTorch's Adam. For each parameter θ with gradient g, at step t (m, v, v_max start at 0):

        g ← g + λ θ                                  (weight_decay λ ≠ 0; −g first if maximize)
        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g²
        m̂ ← m / (1 − β₁ᵗ)
        v̂ ← v / (1 − β₂ᵗ),  or with amsgrad:  v_max ← max(v_max, v),  v̂ ← v_max / (1 − β₂ᵗ)
        θ ← θ − γ m̂ / (√v̂ + ε)

    With decoupled_weight_decay the decay is AdamW's instead (see `AdamW`).

    Every parameter, biases included, is updated, and both moments are bias-corrected: the
    origin notebook's Adam did neither.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False, decoupled_weight_decay: bool = False) -> None:
        check_range("learning rate", lr)
        check_range("epsilon value", eps)
        check_range("weight_decay value", weight_decay)
        for index, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def update(self, param, grad, state, group) -> None:
        theta = param.data
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(theta)
            state["exp_avg_sq"] = np.zeros_like(theta)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(theta)
        state["step"] = step = state["step"] + 1
        lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                theta *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * theta
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * (grad * grad)
        if group["amsgrad"]:
            second_moment = np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
        else:
            second_moment = exp_avg_sq
        denominator = np.sqrt(second_moment, out=np.empty_like(second_moment))  # an array even when 0-d
        denominator /= math.sqrt(1 - beta2**step)
        denominator += group["eps"]
        np.divide(exp_avg, denominator, out=denominator)
        denominator *= lr / (1 - beta1**step)
        theta -= denominator


class AdamW(Adam):
    """PyTorch's AdamW: Adam with weight decay decoupled from the gradient (Loshchilov & Hutter).
    The decay shrinks θ directly, before the Adam step, and does not enter m or v:

        θ ← θ (1 − γ λ)
        then Adam's update above with λ = 0.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
