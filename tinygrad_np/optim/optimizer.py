"""The optimizer base: parameter groups, per-parameter state, and PyTorch's state-dict format.

A subclass lists its hyper-parameters' defaults and writes `update(param, grad, state, group)`,
which changes `param._array` in place. `step` calls it for every parameter that has a gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..tensor import Tensor

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


class Optimizer:
    """Holds `param_groups` (dicts with 'params' and that group's hyper-parameters) and
    `state` (a dict per parameter, keyed by the parameter itself). `params` is an iterable of
    tensors, of (name, tensor) pairs (`model.named_parameters()`) or of group dicts."""

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got a Tensor; pass [tensor] or model.parameters()")
        self.defaults = defaults
        self.state: dict[Tensor, dict[str, Any]] = {}
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
        called with grad mode on, before the update, to recompute the loss)."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for index, group in enumerate(self.param_groups):
            params = [param for param in group["params"] if param.grad is not None]
            if params:
                self.update_group(index, group, params)
        return loss

    def update_group(self, index: int, group: dict[str, Any], params: list[Tensor]) -> None:
        """Update `params`, the parameters of group number `index` that have a gradient. By
        default one at a time with `update`; an optimizer may do the whole group at once."""
        for param in params:
            self.update(param, param.grad._array, self.state.setdefault(param, {}), group)

    def update(self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError

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
        """Restore hyper-parameters and state (arrays copied, cast to each parameter's dtype)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, "
                             f"this optimizer has {len(self.param_groups)}")
        by_index: dict[int, Tensor] = {}
        for number, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"loaded state dict's parameter group {number} has {len(saved['params'])} "
                                 f"parameters, this optimizer's has {len(group['params'])}")
            by_index.update(zip((int(i) for i in saved["params"]), group["params"]))
        state: dict[Tensor, dict[str, Any]] = {}
        for key, values in state_dict["state"].items():
            if int(key) not in by_index:
                raise ValueError(f"loaded state dict has state for parameter {key}, which no group lists")
            param = by_index[int(key)]
            state[param] = {name: _restore(name, value, param) for name, value in values.items()}
        self.state = state
        self.param_groups = [
            {**{k: v for k, v in saved.items() if k != "params"}, "params": group["params"]}
            for saved, group in zip(saved_groups, self.param_groups)
        ]

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join([*lines, ")"])


def _restore(name: str, value, param: Tensor):
    """A state entry from a state dict: 'step' as an int, arrays as fresh arrays of the
    parameter's dtype and shape."""
    if name == "step":
        return int(value.item() if isinstance(value, Tensor | np.ndarray) else value)
    if isinstance(value, Tensor | np.ndarray):
        array = np.array(value._array if isinstance(value, Tensor) else value, dtype=param._array.dtype)
        if array.shape != param._array.shape:
            raise ValueError(f"optimizer state {name!r} has shape {array.shape}, its parameter {param._array.shape}")
        return array
    return value


def check_range(what: str, value: float) -> None:
    """Hyper-parameters that must be non-negative, with PyTorch's messages."""
    if not value >= 0.0:
        raise ValueError(f"Invalid {what}: {value}")
