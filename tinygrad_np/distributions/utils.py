"""Helpers shared by the distributions (PyTorch's `torch.distributions.utils`): turning
parameters into tensors of one shape, and moving between probabilities and logits."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Number
from typing import Any

from .. import dtypes
from ..autograd import enable_grad
from ..shapes import broadcast_shape
from ..size import Size
from ..tensor import Tensor, tensor

EMPTY_SHAPE = Size()  # the default sample_shape: one draw


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """The values as tensors of one broadcast shape. Numbers take the dtype of the first
    tensor among the values, or the default dtype if there is none."""
    for value in values:
        if not isinstance(value, (Tensor, Number)):
            raise ValueError("Input arguments must all be instances of numbers.Number, torch.Tensor or objects "
                             "implementing __torch_function__.")
    like = next((value for value in values if isinstance(value, Tensor)), None)
    dtype = dtypes.get_default_dtype() if like is None else like.dtype
    as_tensors = [value if isinstance(value, Tensor) else tensor(value, dtype=dtype) for value in values]
    shape = broadcast_shape("broadcast_all", *(value.shape for value in as_tensors))
    return tuple(value if value.shape == shape else value.expand(shape) for value in as_tensors)


def clamp_probs(probs: Tensor) -> Tensor:
    """Probabilities kept in [eps, 1 - eps] (eps of their dtype), so that their logs are finite."""
    eps = dtypes.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """log p for categorical probabilities; log p - log(1 - p) for a binary one."""
    clamped = clamp_probs(probs)
    return clamped.log() - (-clamped).log1p() if is_binary else clamped.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """σ(logits) for a binary distribution; softmax over the last dim for a categorical one."""
    return logits.sigmoid() if is_binary else logits.softmax(-1)


class lazy_property:  # noqa: N801 - PyTorch's name
    """A parameter computed from another on first use (e.g. `logits` from `probs`) and then
    kept on the instance; computed with gradients enabled, so it stays in the graph even when
    first read under `no_grad` (as in `sample`)."""

    def __init__(self, compute: Callable) -> None:
        self.compute = compute
        self.__doc__ = compute.__doc__
        self.name = compute.__name__

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        with enable_grad():
            value = self.compute(instance)
        instance.__dict__[self.name] = value
        return value
