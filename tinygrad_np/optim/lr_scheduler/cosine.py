"""Cosine annealing: CosineAnnealingLR (one half-period, chainable) and
CosineAnnealingWarmRestarts (SGDR: the cosine restarted at base_lr every period)."""

from __future__ import annotations

import math

from .base import LRScheduler, SupportsParamGroups


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing (SGDR without restarts) from base_lr down to `eta_min` over `T_max` epochs:

        lr_t = eta_min + (base_lr − eta_min) · (1 + cos(π t / T_max)) / 2

    after which the cosine carries on, rising back to base_lr at 2·T_max. The lr stays near
    base_lr early and near eta_min late, with the fastest decay in between. Chainable, as
    PyTorch: each step rescales the current lr's distance to eta_min by the ratio of
    consecutive cosine terms,

        lr_t = eta_min + (lr_{t−1} − eta_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t−1) / T_max)),

    except on the step leaving a trough (t − 1 ≡ T_max mod 2·T_max), where the ratio's
    denominator is 0, so the closed form's increment is added instead:

        lr_t = lr_{t−1} + (base_lr − eta_min) · (1 − cos(π / T_max)) / 2.
    """

    def __init__(self, optimizer: SupportsParamGroups, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        t, T_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if (t - 1 - T_max) % (2 * T_max) == 0:
            return [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
                    for lr, base_lr in zip(self._current_lrs(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / T_max)) / (1 + math.cos(math.pi * (t - 1) / T_max))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]



    def _get_closed_form_lr(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter, 2017): cosine annealing from base_lr to eta_min over a period
    of T_i epochs, then a restart at base_lr; the first period is T_0 and each next one T_mult
    times longer. With T_cur the epochs since the last restart,

        lr = eta_min + (base_lr − eta_min) · (1 + cos(π T_cur / T_i)) / 2.

    Not chainable. `step()` advances T_cur by one; `step(epoch)` (no warning here: it is this
    scheduler's documented use) sets the position from an epoch that may be fractional, for a
    step per batch as `scheduler.step(epoch + i / batches)`: T_cur = epoch mod T_0 when
    T_mult = 1, else, with n = ⌊log_{T_mult}(epoch (T_mult − 1) / T_0 + 1)⌋ restarts done,
    T_i = T_0 T_mult^n and T_cur = epoch − T_0 (T_mult^n − 1) / (T_mult − 1).
    `last_epoch` is ⌊epoch⌋.
    """

    def __init__(self, optimizer: SupportsParamGroups, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if not isinstance(T_0, int) or isinstance(T_0, bool) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not isinstance(T_mult, int) or isinstance(T_mult, bool) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, float | int):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to `epoch` (fractional allowed, not negative)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        elif epoch < 0:
            raise ValueError(f"Expected non-negative epoch, but got {epoch}")
        elif epoch < self.T_0:
            self.T_i, self.T_cur = self.T_0, epoch
        elif self.T_mult == 1:
            self.T_cur = epoch % self.T_0
        else:
            restarts = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
            self.T_cur = epoch - self.T_0 * (self.T_mult**restarts - 1) / (self.T_mult - 1)
            self.T_i = self.T_0 * self.T_mult**restarts
        self.last_epoch = math.floor(epoch)
        self._write(self.get_lr())
