"""RMSprop: divide each step by a running root mean square of the gradients."""

from __future__ import annotations

import numpy as np

from . import checks
from .optimizer import ParamsT, StepStateOptimizer


class RMSprop(StepStateOptimizer):
    """PyTorch's RMSprop. For each parameter θ with gradient g, at step t (v, ḡ, b start at 0):

        g ← g + λ θ                                  (weight_decay λ ≠ 0; −g first if maximize)
        v ← α v + (1 − α) g²
        ḡ ← α ḡ + (1 − α) g,   ṽ ← v − ḡ²           (centered; else ṽ = v)
        b ← μ b + g / (√ṽ + ε),   θ ← θ − γ b        (momentum μ > 0)
        θ ← θ − γ g / (√ṽ + ε)                        (otherwise)
    """

    state_keys = ("step", "square_avg", "momentum_buffer", "grad_avg")

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def hyper_parameter_problems(self, group) -> list[str]:
        """PyTorch's checks (lr, eps, momentum, weight_decay, alpha >= 0), and that every value
        is a finite number or a bool."""
        return [
            *checks.non_negatives(group, "lr", "eps", "momentum", "weight_decay", "alpha"),
            *checks.flags(group, "centered", "maximize"),
        ]

    def required_state_keys(self, group) -> tuple[str, ...]:
        return ("step", "square_avg", *(("momentum_buffer",) if group["momentum"] > 0 else ()),
                *(("grad_avg",) if group["centered"] else ()))

    def update(self, param, grad, state, group) -> None:
        theta = param._array
        self.advance(state, theta, group)
        grad = self.gradient(grad, theta, group)
        alpha = group["alpha"]
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * (grad * grad)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg *= alpha
            grad_avg += (1 - alpha) * grad
            denominator = np.sqrt(square_avg - grad_avg * grad_avg, out=np.empty_like(square_avg))
        else:
            denominator = np.sqrt(square_avg, out=np.empty_like(square_avg))  # an array even when 0-d
        denominator += group["eps"]
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"]
            buffer *= group["momentum"]
            buffer += grad / denominator
            theta -= group["lr"] * buffer
        else:
            np.divide(grad, denominator, out=denominator)
            denominator *= group["lr"]
            theta -= denominator
