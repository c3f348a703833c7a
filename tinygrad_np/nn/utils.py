"""Utilities on parameters' gradients, and the model summary (nn.summary)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..tensor import Tensor, tensor
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
        return tensor(0.0)
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
    return tensor(np.asarray(total, dtype=grads[0]._array.dtype))
