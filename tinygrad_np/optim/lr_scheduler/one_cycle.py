"""OneCycleLR: the 1cycle policy, lr up then down with momentum the other way."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .base import LRScheduler, SupportsParamGroups, check_optimizer, per_group, set_momentum


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith, "Super-Convergence", 2018), stepped once per batch. The lr
    rises from initial_lr = max_lr / div_factor to max_lr over the first pct_start of the
    `total_steps`, then falls to min_lr = initial_lr / final_div_factor; momentum (or Adam's
    β₁) moves the opposite way, between max_momentum and base_momentum, because a large lr with
    large momentum is unstable. With three_phase, the lr comes back down to initial_lr
    symmetrically and a third phase anneals it to min_lr. Within a phase, with p the fraction of
    the phase done, a value goes from `start` to `end` as

        cos:     end + (start − end) · (1 + cos(π p)) / 2
        linear:  start + (end − start) · p

    Not chainable. Stepping past `total_steps` raises ValueError, and so does reaching a phase
    that has no steps (as when pct_start · total_steps = 1), where PyTorch divides by zero.
    """

    def __init__(self, optimizer: SupportsParamGroups, max_lr: float | Sequence[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | Sequence[float] = 0.85, max_momentum: float | Sequence[float] = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        groups = optimizer.param_groups
        if total_steps is not None:
            _check_positive_int("total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            _check_positive_int("epochs", epochs)
            _check_positive_int("steps_per_epoch", steps_per_epoch)
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self.total_steps = total_steps
        # Each phase ends at step `end_step` and names the group keys it anneals between.
        rise = float(pct_start * total_steps) - 1
        if three_phase:
            self._schedule_phases = [
                _phase(rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(float(2 * pct_start * total_steps) - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                _phase(total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._schedule_phases = [
                _phase(rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        self._anneal_func_type = anneal_strategy
        max_lrs = per_group("max_lr", max_lr, groups)
        if last_epoch == -1:
            for lr, group in zip(max_lrs, groups):
                group["initial_lr"] = lr / div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if all("betas" in group for group in groups):
                self.use_beta1 = True
            elif all("momentum" in group for group in groups):
                self.use_beta1 = False
            else:
                raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
            max_momentums = per_group("max_momentum", max_momentum, groups)
            base_momentums = per_group("base_momentum", base_momentum, groups)
            if last_epoch == -1:
                for high, low, group in zip(max_momentums, base_momentums, groups):
                    set_momentum(group, high, self.use_beta1)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The lrs at `last_epoch`; with cycle_momentum, also writes each group's momentum."""
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps is {self.total_steps}")
        start_step = 0.0
        for index, phase in enumerate(self._schedule_phases):
            end_step = phase["end_step"]
            if step <= end_step or index == len(self._schedule_phases) - 1:
                break
            start_step = end_step
        if end_step == start_step:
            rise = self._schedule_phases[0]["end_step"] + 1
            raise ValueError(f"OneCycleLR: step {step} falls in phase {index} of the schedule, which has no steps "
                             f"(pct_start * total_steps = {rise:g}); change pct_start or total_steps")
        pct = (step - start_step) / (end_step - start_step)
        lrs = []
        for group in self.optimizer.param_groups:
            lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
            if self.cycle_momentum:
                momentum = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                set_momentum(group, momentum, self.use_beta1)
        return lrs

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start


def _phase(end_step: float, start_lr: str, end_lr: str, start_momentum: str, end_momentum: str) -> dict[str, Any]:
    return {"end_step": end_step, "start_lr": start_lr, "end_lr": end_lr, "start_momentum": start_momentum,
            "end_momentum": end_momentum}


def _check_positive_int(name: str, value: Any) -> None:
    if not isinstance(value, int) or value <= 0:
        raise ValueError(f"Expected positive integer {name}, but got {value}")
