"""Whole Jacobians and Hessians, built from `grad` one output element at a time."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .differentiate import grad
from .grad_mode import enable_grad


def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False):
    """d func(inputs) / d inputs, shaped output.shape + input.shape.

    A Tensor for one input and one output; tuples (of tuples) when either is a tuple, as
    PyTorch. Outputs that do not depend on an input give zeros (or raise, if `strict`).
    """
    from ..tensor import as_tensor, stack

    tuple_in = isinstance(inputs, (tuple, list))
    xs = tuple(inputs) if tuple_in else (inputs,)
    xs = tuple(x if create_graph and x.requires_grad else x.detach().requires_grad_() for x in xs)
    with enable_grad():
        outputs = func(*xs)
    tuple_out = isinstance(outputs, (tuple, list))
    outs = tuple(outputs) if tuple_out else (outputs,)

    result = []
    for out in outs:
        rows = [[] for _ in xs]
        for flat in range(out.numel()):
            if out.requires_grad:
                seed = np.zeros(out.numel(), dtype=out.dtype)
                seed[flat] = 1
                grads = grad(out, xs, as_tensor(seed.reshape(out.shape)), retain_graph=True,
                             create_graph=create_graph, allow_unused=True)
            else:
                grads = (None,) * len(xs)
            for k, (x, g) in enumerate(zip(xs, grads)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"jacobian: output does not depend on input {k} (strict=True)")
                    g = as_tensor(np.zeros(x.shape, dtype=x.dtype))
                rows[k].append(g)
        result.append(tuple(
            (stack(row) if row else as_tensor(np.zeros((0,) + x.shape, x.dtype))).reshape(out.shape + x.shape)
            for row, x in zip(rows, xs)
        ))
    if tuple_out:
        return tuple(r if tuple_in else r[0] for r in result)
    return result[0] if tuple_in else result[0][0]


def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False):
    """Second derivatives of a one-element func: the Jacobian of its gradient,
    shaped input.shape + input.shape (a tuple of tuples for tuple inputs)."""
    from ..tensor import as_tensor

    tuple_in = isinstance(inputs, (tuple, list))

    def gradient(*xs):
        out = func(*xs)
        if out.numel() != 1:
            raise RuntimeError(f"hessian: func must return a one-element tensor, got shape {out.shape}")
        if not out.requires_grad:
            grads = (None,) * len(xs)
        else:
            grads = grad(out, xs, create_graph=True, allow_unused=True)
        grads = tuple(g if g is not None else as_tensor(np.zeros(x.shape, dtype=x.dtype)) for g, x in zip(grads, xs))
        return grads if tuple_in else grads[0]

    return jacobian(gradient, inputs, create_graph=create_graph, strict=strict)
