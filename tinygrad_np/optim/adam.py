"""Adam and AdamW: steps scaled by bias-corrected running moments of the gradient."""

from __future__ import annotations

import math

import numpy as np

from . import checks
from .flat import FlatState
from .optimizer import ParamsT, StepStateOptimizer


class Adam(StepStateOptimizer):
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

    `foreach` picks how a step goes through a group; both ways give the same numbers, bit for bit:

    - False: one parameter at a time, the equations in order over its own arrays.
    - True: the multi-tensor path. Each moment of the group's parameters of one dtype is a view
      into one buffer (`flat.FlatState`), so the passes that need neither the gradient nor the
      parameter (the step size from m and v) run once over the buffer instead of once per
      parameter; for small parameters such as biases a NumPy call costs more than its arithmetic.
    - None (the default): True for a group with two or more parameters to update, all of one
      dtype and at the same step count; otherwise False.
    """

    state_keys = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas, eps=eps,
                        weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        self._layouts: dict[tuple[int, np.dtype], FlatState] = {}

    def hyper_parameter_problems(self, group) -> list[str]:
        """PyTorch's checks (lr, eps, weight_decay >= 0, each beta in [0, 1); not foreach and
        fused both), that every value is a finite number or a bool (foreach, fused: or None),
        and that `capturable` and `differentiable` are off. `fused` is accepted: it is PyTorch's
        choice of kernel (on the CPU too), and the numbers are the same."""
        problems = [
            *checks.adam_like(group),
            *checks.options(group, "amsgrad", "maximize", "decoupled_weight_decay", "capturable", "differentiable",
                            three_way=("foreach", "fused")),
        ]
        if group["fused"] is True and group["foreach"] is True:
            problems.append("`fused` and `foreach` cannot be `True` together.")
        return problems

    def required_state_keys(self, group) -> tuple[str, ...]:
        return ("step", *_moment_names(group))

    def update_group(self, index, group, params) -> None:
        states = [self.advance(self.state.setdefault(param, {}), param._array, group) for param in params]
        names = _moment_names(group)
        foreach = group["foreach"]
        if foreach is None:
            foreach = FlatState.can_hold(states, names) and len({state["step"] for state in states}) == 1
        if foreach:
            self._multi_tensor(index, group, params, states, names)
        else:
            for param, state in zip(params, states):
                self._single_tensor(param, state, group, names)

    def _single_tensor(self, param, state, group, names) -> None:
        """foreach=False: the equations in order, over this parameter's arrays."""
        theta = param._array
        step_size = np.empty_like(theta)
        _moments(self.gradient(param.grad._array, theta, group), state, group, scratch=step_size)
        _step_size(*(state[name] for name in names), out=step_size, step=state["step"], group=group)
        self.decay(theta, group)
        theta -= step_size

    def _multi_tensor(self, index, group, params, states, names) -> None:
        """foreach=True: the same equations, with the step size computed over whole buffers.
        The moments and θ's update run per parameter, since they need its gradient and its
        array. A parameter that skipped steps has its own bias corrections, so where the step
        counts differ the step size is computed per parameter too."""
        by_dtype: dict[np.dtype, list[int]] = {}
        for number, state in enumerate(states):
            by_dtype.setdefault(state["exp_avg"].dtype, []).append(number)
        for dtype, numbers in by_dtype.items():
            members, member_states = [params[n] for n in numbers], [states[n] for n in numbers]
            layout = self._layouts.get((index, dtype))
            if layout is None or not layout.holds(member_states):
                layout = self._layouts[index, dtype] = FlatState(member_states, names)
            for param, state, scratch in zip(members, member_states, layout.scratch_views):
                _moments(self.gradient(param.grad._array, param._array, group), state, group, scratch)
            steps = {state["step"] for state in member_states}
            if len(steps) == 1:
                _step_size(*(layout.buffers[name] for name in names), out=layout.scratch, step=steps.pop(),
                           group=group)
            else:
                for state, scratch in zip(member_states, layout.scratch_views):
                    _step_size(*(state[name] for name in names), out=scratch, step=state["step"], group=group)
            for theta, scratch in zip((param._array for param in members), layout.scratch_views):
                self.decay(theta, group)
                theta -= scratch


def _moment_names(group) -> tuple[str, ...]:
    """The state arrays the update reads: v_max too with amsgrad."""
    return ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if group["amsgrad"] else ("exp_avg", "exp_avg_sq")


FLUSH_EVERY = 32
"""Steps between flushes of subnormal moments to zero (see `_step_size`)."""


def _moments(grad, state, group, scratch) -> None:
    """m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g², in place (g: `Optimizer.gradient`'s)."""
    beta1, beta2 = group["betas"]
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
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize, foreach=foreach,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
