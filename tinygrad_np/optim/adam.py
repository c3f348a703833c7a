"""Adam and AdamW: steps scaled by bias-corrected running moments of the gradient."""

from __future__ import annotations

import math

import numpy as np

from .flat import FlatState
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
        self._layouts: dict[int, FlatState] = {}

    def update_group(self, index, group, params) -> None:
        """The moments and the step's last pass per parameter (they need its gradient and its
        array); the passes between over the whole group at once when the states share one
        buffer per moment (see `flat.FlatState`)."""
        states = [self._advance(param, group) for param in params]
        names = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if group["amsgrad"] else ("exp_avg", "exp_avg_sq")
        step = states[0]["step"]
        if FlatState.can_hold(states, names) and all(state["step"] == step for state in states):
            layout = self._layouts.get(index)
            if layout is None or not layout.holds(states):
                layout = self._layouts[index] = FlatState(states, names)
            for param, state, scratch in zip(params, states, layout.scratch_views):
                _moments(param.grad._array, param._array, state, group, scratch)
            _step_size(*(layout.buffers[name] for name in names), out=layout.scratch, step=step, group=group)
            for param, scratch in zip(params, layout.scratch_views):
                _apply(param._array, scratch, group)
            return
        for param, state in zip(params, states):
            scratch = np.empty_like(param._array)
            _moments(param.grad._array, param._array, state, group, scratch)
            _step_size(*(state[name] for name in names), out=scratch, step=state["step"], group=group)
            _apply(param._array, scratch, group)

    def _advance(self, param, group) -> dict:
        """The parameter's state, created at its first step, with the step count advanced."""
        state = self.state.setdefault(param, {})
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param._array)
            state["exp_avg_sq"] = np.zeros_like(param._array)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param._array)
        state["step"] += 1
        return state


FLUSH_EVERY = 32
"""Steps between flushes of subnormal moments to zero (see `_step_size`)."""


def _moments(grad, theta, state, group, scratch) -> None:
    """m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g², in place (g with weight decay and sign applied)."""
    beta1, beta2 = group["betas"]
    if group["maximize"]:
        grad = -grad
    if group["weight_decay"] != 0 and not group["decoupled_weight_decay"]:
        grad = grad + group["weight_decay"] * theta
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    exp_avg *= beta1
    exp_avg += np.multiply(grad, 1 - beta1, out=scratch)
    exp_avg_sq *= beta2
    np.multiply(grad, grad, out=scratch)
    scratch *= 1 - beta2
    exp_avg_sq += scratch


def _step_size(exp_avg, exp_avg_sq, max_exp_avg_sq=None, *, out, step, group) -> None:
    """out ← γ m̂ / (√v̂ + ε), rearranged to save passes:  (γ √b₂ / b₁) m / (√v + ε √b₂),
    with the bias corrections b₁ = 1 − β₁ᵗ, b₂ = 1 − β₂ᵗ (v is v_max with amsgrad).

    Every FLUSH_EVERY steps, moments below the smallest normal float become 0: a unit whose
    gradient stays 0 (a dead ReLU) has moments that decay into subnormals, and each NumPy pass
    over subnormals is several times slower. Their effect on θ is below float resolution."""
    lr, (beta1, beta2) = group["lr"], group["betas"]
    second_moment = exp_avg_sq if max_exp_avg_sq is None else np.maximum(max_exp_avg_sq, exp_avg_sq,
                                                                         out=max_exp_avg_sq)
    if step % FLUSH_EVERY == 0:
        for moment in (exp_avg, exp_avg_sq, max_exp_avg_sq):
            if moment is not None:
                _flush_subnormals(moment)
    root_correction2 = math.sqrt(1 - beta2**step)
    np.sqrt(second_moment, out=out)
    out += group["eps"] * root_correction2
    np.divide(exp_avg, out, out=out)
    out *= lr * root_correction2 / (1 - beta1**step)


def _apply(theta, step_size, group) -> None:
    """θ ← θ − step, after AdamW's decay θ ← θ (1 − γ λ)."""
    if group["weight_decay"] != 0 and group["decoupled_weight_decay"]:
        theta *= 1 - group["lr"] * group["weight_decay"]
    theta -= step_size


def _flush_subnormals(array: np.ndarray) -> None:
    array[np.abs(array) < np.finfo(array.dtype).tiny] = 0


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
