"""Adagrad: each coordinate's step divided by the root of its summed squared gradients."""

from __future__ import annotations

import numpy as np

from . import checks
from .optimizer import ParamsT, StepStateOptimizer


class Adagrad(StepStateOptimizer):
    """PyTorch's Adagrad (Duchi, Hazan & Singer, 2011). For each parameter θ with gradient g,
    at its step t (s starts at τ, the initial_accumulator_value):

        g ← g + λ θ                                  (weight_decay λ ≠ 0; −g first if maximize)
        γ̃ ← γ / (1 + (t − 1) η)                      (lr γ, lr_decay η)
        s ← s + g²
        θ ← θ − γ̃ g / (√s + ε)

    Coordinates with large past gradients take small steps and rarely-seen ones large steps;
    since s only grows, the steps shrink for good. As in PyTorch, every parameter's state
    (step 0, s = τ) exists from construction, so `state_dict` holds it before any step; a
    parameter added later gets its state at its first step.

    `foreach` and `fused` are accepted (PyTorch's choice of kernel; the numbers are the same
    either way), but not both True; `differentiable` (backward through the step) must stay False.
    """

    state_keys = ("step", "sum")

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for param in group["params"]:
                self.state[param] = self.initial_state(param._array, group)

    def hyper_parameter_problems(self, group) -> list[str]:
        """PyTorch's checks (lr, lr_decay, weight_decay, initial_accumulator_value, eps >= 0;
        not foreach and fused both), that every value is a finite number or a bool (foreach,
        fused: or None), and that `differentiable` is off."""
        problems = [
            *checks.non_negatives(group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"),
            *checks.options(group, "maximize", "differentiable", three_way=("foreach", "fused")),
        ]
        if group["fused"] is True and group["foreach"] is True:
            problems.append("`fused` and `foreach` cannot be `True` together.")
        return problems

    def initial_state(self, theta, group) -> dict:
        """Step 0 and s = τ: the state PyTorch gives every parameter when the optimizer is built."""
        return {"step": 0, "sum": np.full_like(theta, group["initial_accumulator_value"])}

    def update(self, param, grad, state, group) -> None:
        theta = param._array
        self.advance(state, theta, group)
        grad = self.gradient(grad, theta, group)
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state_sum = state["sum"]
        state_sum += grad * grad
        std = np.sqrt(state_sum, out=np.empty_like(theta))  # an array even when 0-d
        std += group["eps"]
        np.divide(grad, std, out=std)
        std *= clr
        theta -= std
