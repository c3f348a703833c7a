"""Schedules that multiply the lr by a factor: StepLR, MultiStepLR, ExponentialLR, ConstantLR,
LinearLR and PolynomialLR. Each is chainable (the next lr from the current one) and has a
closed form in `base_lrs` for `step(epoch)`."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable

from .base import LRScheduler, SupportsParamGroups


class StepLR(LRScheduler):
    """Decay by `gamma` every `step_size` epochs:  lr_t = base_lr · gamma^⌊t / step_size⌋.
    Large steps while the loss falls fast, smaller ones to settle once it plateaus.

    Chainable: at every non-zero multiple of `step_size` the current lr is multiplied by gamma.
    """

    def __init__(self, optimizer: SupportsParamGroups, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Decay by `gamma` at each milestone:  lr_t = base_lr · gamma^(number of milestones ≤ t).
    StepLR with the decay epochs chosen by hand (e.g. where a previous run plateaued).

    Chainable: at a milestone the current lr is multiplied by gamma (by gamma^n if the
    milestone is listed n times). Milestones may be given in any order.
    """

    def __init__(self, optimizer: SupportsParamGroups, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base_lr * self.gamma**passed for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Decay by `gamma` every epoch:  lr_t = base_lr · gamma^t, a smooth geometric decay.

    Chainable: each step multiplies the current lr by gamma (so the values are the running
    product, which can differ from gamma**t in the last bits).
    """

    def __init__(self, optimizer: SupportsParamGroups, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class ConstantLR(LRScheduler):
    """lr_t = base_lr · factor for t < total_iters, base_lr after: a short, steady warm-up.

    Chainable: the constructor's step multiplies the current lr by factor, the step reaching
    total_iters divides it by factor, the others keep it.
    """

    def __init__(self, optimizer: SupportsParamGroups, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        factor = self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        return [base_lr * factor for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """The factor on base_lr goes linearly from start_factor to end_factor over total_iters
    steps, then stays:  lr_t = base_lr · (s + (e − s) · min(t, total_iters) / total_iters).
    The usual linear warm-up.

    Chainable: each step multiplies the current lr by the ratio of consecutive factors,

        1 + (e − s) / (total_iters · s + (t − 1) (e − s)),

    except the constructor's step, which multiplies by s when starting (t = 0) and keeps the
    current lr when resuming (as PyTorch).
    """

    def __init__(self, optimizer: SupportsParamGroups, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor + (self.last_epoch - 1) * change)
        return [lr * ratio for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        done = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * done
        return [base_lr * factor for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay to 0 over total_iters steps:  lr_t = base_lr · (1 − min(t, total_iters) / total_iters)^power
    (power 1: linear).

    Chainable: each step up to total_iters multiplies the current lr by
    ((1 − t / total_iters) / (1 − (t − 1) / total_iters))^power; the constructor's step keeps
    the current lr.
    """

    def __init__(self, optimizer: SupportsParamGroups, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        ratio = ((1.0 - self.last_epoch / self.total_iters)
                 / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [lr * ratio for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        factor = (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
        return [base_lr * factor for base_lr in self.base_lrs]
