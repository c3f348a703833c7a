"""Checks of hyper-parameters and of saved optimizer state, shared by the constructors,
`add_param_group` and `load_state_dict`.

Each check returns the problems it finds as messages, an empty list when there are none, so
that a caller can raise one error naming every problem instead of stopping at the first. The
hyper-parameter messages start like PyTorch's ("Invalid learning rate: -0.1").
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..tensor import Tensor


def is_real(value) -> bool:
    """An int or a float, Python's or NumPy's; a bool is not a number here."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def finite(what: str, value) -> list[str]:
    """A finite real number (SGD's dampening)."""
    if is_real(value) and math.isfinite(value):
        return []
    return [f"Invalid {what}: {value!r} (must be a finite number)"]


def non_negative(what: str, value) -> list[str]:
    """A finite real number >= 0 (lr, eps, weight_decay, momentum, alpha)."""
    if is_real(value) and math.isfinite(value) and value >= 0:
        return []
    return [f"Invalid {what}: {value!r} (must be a finite number >= 0)"]


LABELS = {"lr": "learning rate", "eps": "epsilon value"}
"""How PyTorch's messages name a hyper-parameter; any other is "<name> value"."""


def non_negatives(group: dict, *names: str) -> list[str]:
    """`non_negative` for each of the group's hyper-parameters `names`, in order, with PyTorch's
    names for them ("Invalid learning rate", "Invalid weight_decay value")."""
    return [problem for name in names for problem in non_negative(LABELS.get(name, f"{name} value"), group[name])]


def unit_interval(what: str, value) -> list[str]:
    """A real number in [0, 1] (Adadelta's rho)."""
    if is_real(value) and 0 <= value <= 1:
        return []
    return [f"Invalid {what}: {value!r} (must be a number in [0, 1])"]


def betas(value) -> list[str]:
    """Adam's (β₁, β₂), each in [0, 1): β = 1 would never forget, and 1 − βᵗ = 0 would divide by 0."""
    if not (isinstance(value, tuple | list) and len(value) == 2):
        return [f"Invalid betas: {value!r} (must be a pair of numbers in [0, 1))"]
    return [f"Invalid beta parameter at index {index}: {beta!r} (must be a number in [0, 1))"
            for index, beta in enumerate(value) if not (is_real(beta) and 0 <= beta < 1)]


def adam_like(group: dict) -> list[str]:
    """The checks of Adam and its variants, in PyTorch's order: lr, eps >= 0, betas, weight_decay >= 0."""
    return [*non_negatives(group, "lr", "eps"), *betas(group["betas"]), *non_negatives(group, "weight_decay")]


def flags(group: dict, *names: str) -> list[str]:
    """Options that are True or False (NumPy's bool too)."""
    return [f"Invalid {name}: {group[name]!r} (must be True or False)"
            for name in names if not isinstance(group[name], bool | np.bool_)]


def foreach(value, name: str = "foreach") -> list[str]:
    """PyTorch's three-way `foreach` (or `fused`): None (choose), True or False."""
    if value is None or isinstance(value, bool | np.bool_):
        return []
    return [f"Invalid {name}: {value!r} (must be None, True or False)"]


UNSUPPORTED = {
    "capturable": "capturable=True is for CUDA graphs, and tinygrad_np runs on NumPy on the CPU; leave it False",
    "differentiable": "differentiable=True (backward through the optimizer step) is not supported; leave it False",
}


def unsupported(group: dict, *names: str) -> list[str]:
    """PyTorch options that this library does not implement, which must be left False."""
    return [UNSUPPORTED[name] for name in names if group[name] is True or group[name] is np.True_]


def options(group: dict, *names: str, three_way: tuple[str, ...] = ("foreach",)) -> list[str]:
    """The options `names` True or False (`flags`), the `three_way` ones (`foreach`, Adagrad's
    `fused`) None, True or False, and those among `names` this library does not implement
    (capturable, differentiable) off."""
    return [*flags(group, *names),
            *(problem for name in three_way for problem in foreach(group[name], name)),
            *unsupported(group, *(name for name in UNSUPPORTED if name in names))]


def step_count(value) -> list[str]:
    """A step count: an integer >= 0. PyTorch saves it as a 0-d float tensor, which passes when whole."""
    number = value._array if isinstance(value, Tensor) else value
    if isinstance(number, np.ndarray) and number.ndim == 0:
        number = number[()]
    if is_real(number) and math.isfinite(number) and number >= 0 and number == int(number):
        return []
    return [f"must be an integer >= 0, not {value!r}"]


def number(value) -> list[str]:
    """A finite real number, or a one-element array or Tensor holding one (PyTorch saves scalar
    state as 0-d tensors)."""
    number = value._array if isinstance(value, Tensor) else value
    if isinstance(number, np.ndarray) and number.size == 1:
        number = number.reshape(())[()]
    if is_real(number) and math.isfinite(number):
        return []
    return [f"must be a finite number, not {value!r}"]


def state_array(value, shape: tuple[int, ...]) -> list[str]:
    """An array of numbers (a Tensor or a NumPy array) of its parameter's shape."""
    array = value._array if isinstance(value, Tensor) else value
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        return [f"must be an array of numbers, not {type(value).__name__}"]
    if array.shape != shape:
        return [f"has shape {array.shape}, its parameter {shape}"]
    return []


def parameter_index(key) -> int | None:
    """A parameter's number in a state dict: an int (or a string of digits, as JSON keys come); else None."""
    if isinstance(key, numbers.Integral) and not isinstance(key, bool):
        return int(key)
    if isinstance(key, str) and key.isdigit():
        return int(key)
    return None
