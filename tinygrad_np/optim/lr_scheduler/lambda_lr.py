"""LambdaLR and MultiplicativeLR: schedules given by a function of the epoch."""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

from .base import LRScheduler, SupportsParamGroups, check_optimizer


class _LambdaScheduler(LRScheduler):
    """One function of the epoch per parameter group (one given for all, or a list), and state
    dicts that save a callable object's attributes but None for a plain function or lambda
    (which cannot be saved)."""

    def __init__(self, optimizer: SupportsParamGroups,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]], last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        count = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != count:
                raise ValueError(f"Expected {count} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * count
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update({key: value for key, value in state_dict.items() if key != "lr_lambdas"})
        for fn, saved in zip(self.lr_lambdas, state_dict["lr_lambdas"]):
            if saved is not None:
                fn.__dict__.update(saved)


class LambdaLR(_LambdaScheduler):
    """lr_t = base_lr · lr_lambda(t), with one function for all groups or one per group: any
    schedule, such as a linear warm-up, without writing a class.

    Not chainable: the lr depends only on base_lrs and t.
    """

    def get_lr(self) -> list[float]:
        return [base_lr * lr_lambda(self.last_epoch) for lr_lambda, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaScheduler):
    """lr_t = lr_{t−1} · lr_lambda(t): each step multiplies the current lr by the function's
    value at the new epoch (chainable), so lr_t = base_lr · Π_{k=1..t} lr_lambda(k). The
    constructor's step keeps the lr.
    """

    def get_lr(self) -> list[float]:
        if self._is_initial or self.last_epoch <= 0:
            return self._current_lrs()
        return [lr * lr_lambda(self.last_epoch) for lr_lambda, lr in zip(self.lr_lambdas, self._current_lrs())]
