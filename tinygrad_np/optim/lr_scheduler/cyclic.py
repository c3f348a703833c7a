"""CyclicLR: the lr cycling between two bounds, momentum the opposite way."""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Sequence
from typing import Any

from .base import LRScheduler, SupportsParamGroups, check_optimizer, per_group, set_momentum

SCALES: dict[str, tuple[Callable[[float, float], float], str]] = {
    "triangular": (lambda x, gamma: 1.0, "cycle"),
    "triangular2": (lambda x, gamma: 1 / (2.0 ** (x - 1)), "cycle"),
    "exp_range": (lambda x, gamma: gamma**x, "iterations"),
}
"""Each mode's amplitude scale, a function of the cycle number or of the step, and which."""


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith, 2017), stepped once per batch. Each cycle of
    step_size_up + step_size_down steps, the lr climbs linearly from base_lr to max_lr, then
    comes back down; momentum (or Adam's β₁), with cycle_momentum, goes from max_momentum to
    base_momentum and back. At step t, with c = ⌊1 + t / size⌋ the cycle and
    x = 1 + t / size − c its fraction done,

        h = x / r  while x ≤ r (r = step_size_up / size),  else (x − 1) / (r − 1)
        lr = base_lr + (max_lr − base_lr) · h · scale,   momentum = max_m − (max_m − base_m) · h · scale

    where scale is 1 ('triangular'), 1 / 2^(c − 1) ('triangular2': each cycle half as high),
    gamma^t ('exp_range'), or scale_fn(c) or scale_fn(t) (scale_mode 'cycle' or 'iterations').

    Not chainable. The constructor sets each group's lr to base_lr (and momentum to
    max_momentum), as PyTorch.
    """

    def __init__(self, optimizer: SupportsParamGroups, base_lr: float | Sequence[float],
                 max_lr: float | Sequence[float], step_size_up: int = 2000, step_size_down: int | None = None,
                 mode: str = "triangular", gamma: float = 1.0, scale_fn: Callable[[float], float] | None = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True, base_momentum: float = 0.8,
                 max_momentum: float = 0.9, last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        groups = optimizer.param_groups
        base_lrs = per_group("base_lr", base_lr, groups)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, groups):
                group["lr"] = lr
        self.max_lrs = per_group("max_lr", max_lr, groups)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in SCALES and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else SCALES[mode][1]
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            defaults = getattr(optimizer, "defaults", groups[0])
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
            self.use_beta1 = "betas" in defaults
            self.base_momentums = per_group("base_momentum", base_momentum, groups)
            self.max_momentums = per_group("max_momentum", max_momentum, groups)
            if last_epoch == -1:
                for high, low, group in zip(self.max_momentums, self.base_momentums, groups):
                    set_momentum(group, high, self.use_beta1)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        return SCALES[self.mode][0](x, self.gamma)

    def get_lr(self) -> list[float]:
        """The lrs at `last_epoch`; with cycle_momentum, also writes each group's momentum."""
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        height = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base_lr + (max_lr - base_lr) * height * scale for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, low, high in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums):
                set_momentum(group, high - (high - low) * height * scale, self.use_beta1)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """The attributes but the optimizer; a custom scale_fn's attributes if it is a callable
        object, None for a plain function (which cannot be saved)."""
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_scale_fn_custom")}
        custom = self._scale_fn_custom
        state["_scale_fn_custom"] = (None if custom is None or isinstance(custom, types.FunctionType)
                                     else custom.__dict__.copy())
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("_scale_fn_custom", None)
        self.__dict__.update(state)
        if saved is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(saved)
