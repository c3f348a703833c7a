"""`backward` and `grad`: the two ways to run the engine, with PyTorch's arguments and checks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ShapeError
from .engine import run_backward
from .node import refresh_if_stale


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
    """Accumulate the gradients of `tensors` (weighted by `grad_tensors`) into the leaves' `.grad`."""
    roots = _as_tuple(tensors)
    run_backward(roots, _root_grads(roots, grad_tensors), _retain(retain_graph, create_graph), create_graph)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """The gradients of `outputs` with respect to `inputs`, returned rather than accumulated.

    With `create_graph=True` the result is itself differentiable (gradients of gradients).
    """
    roots, targets = _as_tuple(outputs), _as_tuple(inputs)
    for index, target in enumerate(targets):
        if not target.requires_grad:
            raise RuntimeError(f"grad: input {index} does not require grad, so it has no gradient")
    grads = run_backward(
        roots, _root_grads(roots, grad_outputs), _retain(retain_graph, create_graph), create_graph, capture=targets
    )
    if not allow_unused:
        for index, value in enumerate(grads):
            if value is None:
                raise RuntimeError(
                    f"grad: input {index} was not used to compute the outputs; pass allow_unused=True "
                    "to get None for it"
                )
    return tuple(grads)


def _as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _retain(retain_graph: bool | None, create_graph: bool) -> bool:
    return create_graph if retain_graph is None else retain_graph


def _root_grads(roots: Sequence, grads) -> list:
    """Check the roots and build their starting gradients (1 for a one-element output)."""
    from ..tensor import Tensor

    grads = [None] * len(roots) if grads is None else list(_as_tuple(grads))
    if len(grads) != len(roots):
        raise RuntimeError(f"got {len(grads)} gradients for {len(roots)} outputs")
    checked = []
    for index, (root, value) in enumerate(zip(roots, grads)):
        if root._base is not None:
            refresh_if_stale(root)
        if not root.requires_grad:
            raise RuntimeError(
                f"element {index} of the outputs does not require grad and has no grad_fn: nothing it was "
                "computed from requires grad (set requires_grad=True on the inputs, outside no_grad)"
            )
        if value is None:
            if root._array.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for one-element outputs; this output has shape "
                    f"{root.shape}: pass a gradient of that shape, e.g. backward(gradient=tg.ones_like(out))"
                )
            value = Tensor._make(np.ones(root._array.shape, root.dtype), None)
        elif not isinstance(value, Tensor) or not value.requires_grad:
            value = Tensor._make(np.array(getattr(value, "data", value), dtype=root.dtype), None)
        if value._array.shape != root._array.shape:
            raise ShapeError(f"backward: the gradient has shape {value.shape} but the output has shape {root.shape}")
        if value.dtype != root.dtype:
            value = value.astype(root.dtype)
        checked.append(value)
    return checked
