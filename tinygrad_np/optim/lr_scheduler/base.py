"""The scheduler base class: `last_epoch`, 'initial_lr', `step`, `get_last_lr` and state dicts."""

from __future__ import annotations

import warnings
from typing import Any, Protocol

EPOCH_DEPRECATION = ("The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where "
                     "possible. Please use `scheduler.step()` to step the scheduler.")


class SupportsParamGroups(Protocol):
    """What a scheduler needs of an optimizer: `param_groups`, dicts holding at least 'lr'."""

    param_groups: list[dict[str, Any]]


def check_optimizer(optimizer: Any) -> None:
    if not hasattr(optimizer, "param_groups"):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def per_group(name: str, value: Any, groups: list[dict[str, Any]]) -> list[Any]:
    """One value per parameter group: a list or tuple as given (its length checked), a scalar repeated."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(value)} values, param_groups has {len(groups)}.")
        return list(value)
    return [value] * len(groups)


def set_momentum(group: dict[str, Any], momentum: float, use_beta1: bool) -> None:
    """Write a cycled momentum: Adam's β₁ (in 'betas') or SGD's and RMSprop's 'momentum'."""
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


class LRScheduler:
    """Base class. A subclass sets its hyper-parameters, calls `super().__init__`, and writes
    `get_lr()`: the lr of every group at the new `last_epoch`, and, if the schedule has one,
    `_get_closed_form_lr()` (PyTorch's name): the lr at `last_epoch` from `base_lrs` alone,
    which `step(epoch)` uses."""

    def __init__(self, optimizer: SupportsParamGroups, last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        self.optimizer = optimizer
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for index, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{index}] when resuming "
                                   "scheduler with last_epoch >= 0; load the optimizer's state dict first")
        self.base_lrs: list[float] = [group["initial_lr"] for group in groups]
        self.last_epoch = last_epoch
        # The constructor's step is flagged: ExponentialLR and CosineAnnealingLR keep the
        # current lr on it (as PyTorch), even when resuming at a later epoch.
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lr of every parameter group at `last_epoch` (called by `step`)."""
        raise NotImplementedError

    def step(self, epoch: int | None = None) -> None:
        """Advance `last_epoch` by one and write the new lrs into the optimizer. Call it after
        `optimizer.step()`. `step(epoch)` (deprecated in PyTorch, which warns, as here) jumps to
        `epoch` instead, with the schedule's closed form where it has one."""
        if epoch is None:
            self.last_epoch += 1
            lrs = self.get_lr()
        else:
            warnings.warn(EPOCH_DEPRECATION, UserWarning, stacklevel=2)
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            lrs = closed_form() if closed_form is not None else self.get_lr()
        self._write(lrs)

    def _write(self, lrs: list[float]) -> None:
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr: list[float] = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The lrs the last `step` wrote, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer (whose lrs live in the optimizer's own state dict)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes saved by `state_dict`; the optimizer's lrs are not touched."""
        self.__dict__.update(state_dict)

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]


class _LRScheduler(LRScheduler):
    """PyTorch's old name for the base class, which older custom schedulers subclass."""
