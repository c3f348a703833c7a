"""Learning-rate schedulers with PyTorch's semantics: each `step()` advances `last_epoch` by one
and writes a new 'lr' into every parameter group of the optimizer.

StepLR, MultiStepLR, ExponentialLR and CosineAnnealingLR are *chainable*: like PyTorch, they
compute the next lr from the group's current 'lr' (a multiplicative update) rather than from
`base_lrs`, so several schedulers stepping the same optimizer compose, and the values match
PyTorch's to the last bit. LambdaLR and OneCycleLR set the lr from a closed form.

Constructing a scheduler with `last_epoch=-1` records each group's lr as 'initial_lr' (unless a
scheduler already did) and takes one step, so the scheduler starts at `last_epoch == 0`.
"""

from __future__ import annotations

import math
import types
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol


class SupportsParamGroups(Protocol):
    """What a scheduler needs of an optimizer: `param_groups`, dicts holding at least 'lr'."""

    param_groups: list[dict[str, Any]]


def _check_optimizer(optimizer: Any) -> None:
    if not hasattr(optimizer, "param_groups"):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


class LRScheduler:
    """Base class. A subclass sets its hyper-parameters, calls `super().__init__`, and writes
    `get_lr()`: the lr of every group at the new `last_epoch`."""

    def __init__(self, optimizer: SupportsParamGroups, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
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

    def step(self) -> None:
        """Advance `last_epoch` by one and write the new lrs into the optimizer. Call it after
        `optimizer.step()`."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
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


class LambdaLR(LRScheduler):
    """lr_t = base_lr · lr_lambda(t), with one function for all groups or one per group: any
    schedule, such as a linear warm-up, without writing a class.

    Not chainable: the lr depends only on base_lrs and t. `state_dict` saves a callable
    object's attributes but None for a plain function or lambda (which cannot be saved).
    """

    def __init__(self, optimizer: SupportsParamGroups,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]], last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        count = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != count:
                raise ValueError(f"Expected {count} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * count
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base_lr * lr_lambda(self.last_epoch) for lr_lambda, base_lr in zip(self.lr_lambdas, self.base_lrs)]

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
        _check_optimizer(optimizer)
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
        max_lrs = _per_group("max_lr", max_lr, groups)
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
            max_momentums = _per_group("max_momentum", max_momentum, groups)
            base_momentums = _per_group("base_momentum", base_momentum, groups)
            if last_epoch == -1:
                for high, low, group in zip(max_momentums, base_momentums, groups):
                    self._set_momentum(group, high)
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
                self._set_momentum(group, momentum)
        return lrs

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _set_momentum(self, group: dict[str, Any], momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum


def _phase(end_step: float, start_lr: str, end_lr: str, start_momentum: str, end_momentum: str) -> dict[str, Any]:
    return {"end_step": end_step, "start_lr": start_lr, "end_lr": end_lr, "start_momentum": start_momentum,
            "end_momentum": end_momentum}


def _check_positive_int(name: str, value: Any) -> None:
    if not isinstance(value, int) or value <= 0:
        raise ValueError(f"Expected positive integer {name}, but got {value}")


def _per_group(name: str, value: Any, groups: list[dict[str, Any]]) -> list[Any]:
    """One value per parameter group: a list or tuple as given (its length checked), a scalar repeated."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(value)} values, param_groups has {len(groups)}.")
        return list(value)
    return [value] * len(groups)
