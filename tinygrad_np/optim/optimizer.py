"""The optimizer base: parameter groups, per-parameter state, and PyTorch's state-dict format.

A subclass lists its hyper-parameters' defaults, says what valid values are
(`hyper_parameter_problems`) and writes `update(param, grad, state, group)`, which changes
`param._array` in place. `step` calls it for every parameter that has a gradient, then bumps
that parameter's version counter. `StepStateOptimizer` adds what the optimizers whose state is
a step count and arrays like the parameter share: that state's keys, creation and counting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..tensor import Tensor
from . import checks

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


class Optimizer:
    """Holds `param_groups` (dicts with 'params' and that group's hyper-parameters) and
    `state` (a dict per parameter, keyed by the parameter itself; a defaultdict, as PyTorch's,
    so a subclass may write `state = self.state[p]` and fill it on the first step). `params` is
    an iterable of tensors, of (name, tensor) pairs (`model.named_parameters()`) or of group
    dicts."""

    state_keys: tuple[str, ...] | None = None
    """Every key a parameter's state may hold, for `load_state_dict` to refuse others (another
    optimizer's state); None: not checked."""

    number_state_keys: tuple[str, ...] = ()
    """State entries that are one number kept as a Python float (NAdam's 'mu_product'), which
    PyTorch saves as a 0-d tensor."""

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got a Tensor; pass [tensor] or model.parameters()")
        if problems := self.hyper_parameter_problems(defaults):
            raise ValueError("; ".join(problems))
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (the defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict, not {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs; use a list")
        params = list(params)
        if params and all(isinstance(item, tuple) and len(item) == 2 for item in params):  # named_parameters()
            param_group = {**param_group, "param_names": [name for name, _ in params]}
            params = [param for _, param in params]
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor (one computed by an op); optimize the leaves")
        if len({id(p) for p in params}) != len(params):
            raise ValueError("a parameter group contains the same parameter twice")
        group = {**param_group, "params": params}
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        if problems := self.hyper_parameter_problems(group):
            raise ValueError(f"parameter group {len(self.param_groups)}: " + "; ".join(problems))
        seen = {id(p) for other in self.param_groups for p in other["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: `.grad = None` (the default, as PyTorch), or zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    param.grad = None if set_to_none else Tensor._make(np.zeros_like(param.grad._array), None)

    def step(self, closure: Callable[[], Any] | None = None):
        """Update every parameter that has a gradient; returns `closure()` if given (it is
        called with grad mode on, before the update, to recompute the loss).

        The update writes each parameter's array in place, as PyTorch's in-place ops do, so each
        updated parameter's version goes up by one: a graph built before the step that saved a
        parameter then refuses to backward instead of using the new values."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for index, group in enumerate(self.param_groups):
            params = [param for param in group["params"] if param.grad is not None]
            if params:
                self.update_group(index, group, params)
                for param in params:
                    param._bump_version()
        return loss

    def update_group(self, index: int, group: dict[str, Any], params: list[Tensor]) -> None:
        """Update `params`, the parameters of group number `index` that have a gradient. By
        default one at a time with `update`; an optimizer may do the whole group at once."""
        for param in params:
            self.update(param, param.grad._array, self.state.setdefault(param, {}), group)

    def update(self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError

    def gradient(self, grad: np.ndarray, theta: np.ndarray, group: dict[str, Any]) -> np.ndarray:
        """The gradient the update follows, given the parameter's gradient g and value θ:

            g ← −g          (maximize: ascend instead)
            g ← g + λθ      (weight_decay λ ≠ 0: the gradient of the L2 penalty λ‖θ‖²/2)

        except that a group with decoupled_weight_decay (AdamW) shrinks θ itself instead.
        A new array when anything applies: `grad` is never written."""
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0 and not group.get("decoupled_weight_decay", False):
            grad = grad + group["weight_decay"] * theta
        return grad

    def decay(self, theta: np.ndarray, group: dict[str, Any]) -> None:
        """AdamW's decoupled weight decay, for a group with decoupled_weight_decay and
        weight_decay λ ≠ 0: θ ← θ (1 − γ λ), in place, instead of adding λθ to the gradient."""
        if group["weight_decay"] != 0 and group["decoupled_weight_decay"]:
            theta *= 1 - group["lr"] * group["weight_decay"]

    def hyper_parameter_problems(self, group: dict[str, Any]) -> list[str]:
        """What is wrong with a group's hyper-parameters, one message per problem (none: []).
        The constructor checks its arguments with it, `add_param_group` every group and
        `load_state_dict` every saved group. A subclass with hyper-parameters overrides it."""
        return []

    def required_state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        """The keys a parameter's state holds once it has stepped with `group`'s settings (a
        loaded state lacking one would fail at the next step). A subclass with state overrides it."""
        return ()

    # ------------------------------------------------------------------ state dicts

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's layout: {'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]},
        parameters numbered in group order. Arrays come as Tensors sharing the optimizer's memory."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for param in group["params"]:
                ids.append(index.setdefault(id(param), len(index)))
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {
            index[id(param)]: {k: Tensor._make(v, None) if isinstance(v, np.ndarray) else v for k, v in values.items()}
            for param, values in self.state.items()
            if id(param) in index
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state (arrays copied, cast to each parameter's dtype).

        Parameters are matched by position, so the groups must be as many, with as many
        parameters each. Everything is checked before anything changes: each group's
        hyper-parameters as the constructor checks them, the state's keys (this optimizer's,
        all it needs), step counts (integers >= 0) and arrays (their parameter's shape). One
        ValueError lists every problem found. A saved group lacking one of this optimizer's
        flags (a bool or None, such as maximize or foreach, which older PyTorch versions did
        not save) takes the constructor's value, as PyTorch does."""
        groups, owners = self._checked(state_dict)
        self.state = defaultdict(dict, {
            param: {name: self._restored(name, value, param) for name, value in state_dict["state"][key].items()}
            for key, param in owners.items()
        })
        self.param_groups = [{**{k: v for k, v in saved.items() if k != "params"}, "params": group["params"]}
                             for saved, group in zip(groups, self.param_groups)]

    def _restored(self, name: str, value, param: Tensor):
        """A checked state entry as the optimizer keeps it: `_restore`'s, numbers as floats; a
        Tensor stays a Tensor for an optimizer without `state_keys` (one written PyTorch's way,
        whose step uses Tensor methods on its state)."""
        if name in self.number_state_keys:
            return float(value.item() if isinstance(value, Tensor | np.ndarray) else value)
        restored = _restore(name, value, param)
        if self.state_keys is None and isinstance(value, Tensor) and isinstance(restored, np.ndarray):
            return Tensor._make(restored, None)
        return restored

    def _checked(self, state_dict: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[Any, Tensor]]:
        """The saved groups, missing flags filled in, and the parameter each state key belongs
        to; or one ValueError listing every problem."""
        if not (isinstance(state_dict, dict) and isinstance(state_dict.get("state"), dict)
                and isinstance(state_dict.get("param_groups"), list | tuple)):
            raise ValueError("an optimizer state dict is a dict with 'state' (a dict) and 'param_groups' (a list)")
        problems: list[str] = []
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            problems.append(f"{len(saved_groups)} parameter groups, this optimizer has {len(self.param_groups)}")
        groups: list[dict[str, Any]] = []
        listed: set[int] = set()
        by_index: dict[int, tuple[Tensor, dict[str, Any], bool]] = {}  # (parameter, its group, group valid)
        for number, saved in enumerate(saved_groups):
            where = f"param_groups[{number}]"
            if not isinstance(saved, dict):
                problems.append(f"{where}: a group is a dict, not {type(saved).__name__}")
                continue
            group, group_problems = self._saved_group(saved)
            problems += [f"{where}: {problem}" for problem in group_problems]
            groups.append(group)
            indices = saved.get("params")
            if isinstance(indices, list | tuple):
                indices = [checks.parameter_index(key) for key in indices]
            if not isinstance(indices, list) or None in indices:
                problems.append(f"{where}: 'params' is not a list of parameter numbers")
                continue
            if listed & set(indices) or len(set(indices)) != len(indices):
                problems.append(f"{where}: a parameter number is listed twice")
            listed.update(indices)
            if number < len(self.param_groups):
                params = self.param_groups[number]["params"]
                if len(indices) != len(params):
                    problems.append(f"{where} has {len(indices)} parameters, this optimizer's has {len(params)}")
                else:
                    by_index.update((i, (param, group, not group_problems)) for i, param in zip(indices, params))
        owners: dict[Any, Tensor] = {}
        for key, values in state_dict["state"].items():
            where = f"state[{key!r}]"
            index = checks.parameter_index(key)
            if index not in listed:
                problems.append(f"{where}: no group lists this parameter")
                continue
            if index not in by_index:  # its group did not match: reported above
                continue
            param, group, group_valid = by_index[index]
            if not isinstance(values, dict):
                problems.append(f"{where}: a parameter's state is a dict, not {type(values).__name__}")
                continue
            problems += [f"{where}: {problem}" for problem in self._state_problems(values, param, group, group_valid)]
            owners[key] = param
        if problems:
            count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
            raise ValueError(f"cannot load this state dict into {type(self).__name__} ({count}):\n  "
                             + "\n  ".join(problems))
        return groups, owners

    def _saved_group(self, saved: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """A saved group with the flags it lacks set to the constructor's, and what is wrong with it."""
        group, problems = dict(saved), []
        for name, default in self.defaults.items():
            if name not in group:
                if default is None or isinstance(default, bool):
                    group[name] = default
                else:
                    problems.append(f"no {name!r}")
        return group, problems + self.hyper_parameter_problems({**self.defaults, **group})  # of the values present

    def _state_problems(self, values: dict[str, Any], param: Tensor, group: dict[str, Any],
                        group_valid: bool) -> list[str]:
        """What is wrong with one parameter's saved state. Empty is fine (it never stepped)."""
        problems = []
        required = self.required_state_keys(group) if values and group_valid else ()
        if self.state_keys is not None:
            if unknown := [name for name in values if name not in self.state_keys]:
                problems.append(f"{', '.join(map(repr, unknown))} not in {type(self).__name__}'s state, which "
                                f"keeps {', '.join(map(repr, self.state_keys))} (another optimizer's state dict?)")
            if missing := [name for name in required if name not in values]:
                problems.append(f"no {', '.join(map(repr, missing))}, which these hyper-parameters need")
        for name, value in values.items():
            if name == "step":
                found = checks.step_count(value)
            elif name in self.number_state_keys:
                found = checks.number(value)
            elif isinstance(value, Tensor | np.ndarray):
                found = checks.state_array(value, param._array.shape)
            elif self.state_keys is not None and (value is not None or name in required):
                found = [f"must be an array, not {type(value).__name__}"]
            else:  # None for a buffer not made yet (PyTorch's SGD), or a subclass's own value
                found = []
            problems += [f"{name!r} {problem}" for problem in found]
        return problems

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join([*lines, ")"])


class StepStateOptimizer(Optimizer):
    """An optimizer whose per-parameter state is a step count and arrays of the parameter's
    shape (Adam's moments, Adagrad's sum), made at the parameter's first step. A subclass lists
    them in `state_keys`; `update` starts with `self.advance(state, theta, group)`."""

    def required_state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        """All of `state_keys`; a subclass whose state depends on the settings narrows it."""
        return self.state_keys

    def initial_state(self, theta: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        """A parameter's state before its first step: step 0 and, for every other key these
        settings need, zeros like θ (a subclass starting elsewhere overrides it)."""
        return {"step": 0, **{name: np.zeros_like(theta) for name in self.required_state_keys(group) if name != "step"}}

    def advance(self, state: dict[str, Any], theta: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        """`state`, filled with `initial_state` at the parameter's first step, with its step
        count advanced by one."""
        if not state:
            state.update(self.initial_state(theta, group))
        state["step"] += 1
        return state


def _restore(name: str, value, param: Tensor):
    """A checked state entry from a state dict: 'step' as an int, arrays as fresh arrays of the
    parameter's dtype."""
    if name == "step":
        return int(value.item() if isinstance(value, Tensor | np.ndarray) else value)
    if isinstance(value, Tensor | np.ndarray):
        return np.array(value._array if isinstance(value, Tensor) else value, dtype=param._array.dtype)
    return value
