"""PyTorch's `out=` keyword on function forms: `tg.add(x, y, out=result)`.

The function computes its result as usual, then the result is written into `out` in place
(through `inplace.modify`, so `out`'s views see it and its version counter moves) and `out`
is returned. As in PyTorch:

- an `out` of another shape is resized to the result's (with PyTorch's deprecation warning
  when it held elements; an empty `out` is resized silently);
- the result is converted to `out`'s dtype under NumPy's `same_kind` rule (float into an
  integer `out` is refused, int into a float one is fine);
- with grad mode on, no argument may require grad: an `out=` form is outside autograd.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable

import numpy as np

from .autograd.grad_mode import grad_state
from .inplace import modify
from .tensor import Tensor


def with_out(function: Callable) -> Callable:
    """`function` taking PyTorch's `out=` keyword too (`__wrapped__` is `function` itself)."""
    name = function.__name__

    @functools.wraps(function)
    def function_with_out(*args, out: Tensor | None = None, **kwargs):
        if out is None:
            return function(*args, **kwargs)
        return write_out(name, out, function, args, kwargs)

    return function_with_out


def write_out(name: str, out: Tensor, function: Callable, args: tuple, kwargs: dict) -> Tensor:
    """Compute `function(*args, **kwargs)` and write it into `out`, which is returned."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if grad_state.enabled and (out._requires_grad or any(_requires_grad(a) for a in (*args, *kwargs.values()))):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    result = function(*args, **kwargs)
    if not isinstance(result, Tensor):
        raise TypeError(f"{name}(): this form of {name} takes no out= argument")
    if result.shape != out.shape:
        _resize(out, result.shape)
    return modify(out, name, lambda _: result)


def _requires_grad(argument) -> bool:
    if isinstance(argument, (list, tuple)):
        return any(_requires_grad(a) for a in argument)
    return isinstance(argument, Tensor) and argument._requires_grad


def _resize(out: Tensor, shape: tuple) -> None:
    """Give `out` an array of `shape` (its old values are not kept: they are overwritten next)."""
    if out._base is not None:
        raise RuntimeError(f"out= got a view of shape {list(out.shape)}, but the result has shape {list(shape)}: "
                           "a view cannot be resized here; pass an out of the result's shape")
    if out._array.size:
        warnings.warn(
            f"An output with one or more elements was resized since it had shape {list(out.shape)}, which does "
            f"not match the required output shape {list(shape)}. This behavior is deprecated, and in a future "
            "PyTorch release outputs will not be resized unless they have zero elements.",
            UserWarning,
            stacklevel=4,
        )
    out._array = np.empty(shape, dtype=out._array.dtype)
