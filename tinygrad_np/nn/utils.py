"""Utilities on parameters and their gradients (clipping; flattening to one vector and back),
and the model summary (nn.summary)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..tensor import Tensor, as_tensor, cat
from .summary import summary as summary  # re-exported: tg.nn.utils.summary(model, input_shape)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Scale all gradients together so that their joint norm is at most max_norm:

        n = ‖(‖g₁‖, ‖g₂‖, …)‖  (the norm of all gradients as one vector)
        g ← g · min(1, max_norm / (n + 1e-6))

    Returns n (before clipping). Each `.grad` gets a new, scaled array."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return as_tensor(0.0)
    norm_type = float(norm_type)
    if norm_type == np.inf:
        norms = [np.abs(g._array).max(initial=0) for g in grads]
        total = np.max(norms)
    else:
        norms = [np.sum(np.abs(g._array) ** norm_type) ** (1 / norm_type) for g in grads]
        total = np.sum(np.array(norms) ** norm_type) ** (1 / norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
                           "so it cannot be clipped. To disable this error and scale the gradients by the "
                           "non-finite norm anyway, set `error_if_nonfinite=False`")
    scale = max_norm / (total + 1e-6)
    if not scale >= 1:  # a nan norm scales by nan, as PyTorch
        for grad in grads:
            grad._array = grad._array * grad._array.dtype.type(scale)
    return as_tensor(np.asarray(total, dtype=grads[0]._array.dtype))


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient elementwise to [−clip_value, clip_value]. Each `.grad` gets a new,
    clamped array; `foreach` (PyTorch's choice of kernel) changes nothing here."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    clip_value = float(clip_value)
    for grad in (p.grad for p in params if p.grad is not None):
        grad._array = np.clip(grad._array, -clip_value, clip_value).astype(grad._array.dtype, copy=False)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor (differentiable: the
    vector's gradient flows back to the parameters)."""
    return cat([param.reshape(-1) for param in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Give the parameters, in order, consecutive slices of `vec` as their data, each a view of
    `vec` (sharing its memory, as PyTorch's)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        count = param.numel()
        param.data = vec[pointer:pointer + count].view_as(param).data
        pointer += count
