"""Norms, as `torch.linalg` (`vector_norm`, `matrix_norm`, `norm`) and `Tensor.norm` (`torch.norm`).

All are composed from Tensor ops, so their gradients of every order come from the primitives.
The vector p-norm is ‖x‖ₚ = (Σ |x|ᵖ)^(1/p); p = ∞ is max |x|, p = −∞ is min |x|, p = 0 counts
the non-zero entries. The gradient at a point where the norm is not differentiable is
PyTorch's: 0 for the 2-norm of a zero vector (a subgradient), 0 at x = 0 for every p, ties of
max |x| sharing the gradient evenly. Matrix norms that need singular values (2, −2, 'nuc')
are refused: there is no SVD here.
"""

from __future__ import annotations

import math
from numbers import Number

import numpy as np

from . import dtypes
from .shapes import normalize_dim, normalize_dims
from .tensor import Tensor, where


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The p-norm (p = `ord`) over `dim` (all dims if None), of x converted to `dtype` first if given."""
    if isinstance(ord, str) or not isinstance(ord, (Number, np.number)):
        raise TypeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    x = _floating_input("linalg.vector_norm", x, dtype)
    dims = normalize_dims(dim, x.ndim)
    if ord == math.inf:
        return x.abs().amax(dims, keepdim)
    if ord == -math.inf:
        return x.abs().amin(dims, keepdim)
    if ord == 0:  # the count of non-zero entries (NaN counts), with a zero gradient through sign
        return where(x != 0, 1.0, x.sign()).sum(dims, keepdim)
    if ord == 1:
        return x.abs().sum(dims, keepdim)
    if ord == 2:
        return _root((x * x).sum(dims, keepdim), 2)
    magnitude = x.abs()
    zero = magnitude == 0
    powered = where(zero, 0.0 if ord > 0 else math.inf, where(zero, 1.0, magnitude) ** ord)
    return _root(powered.sum(dims, keepdim), ord)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """'fro': the 2-norm of the entries; 1 / −1: the largest / smallest column sum of |A|;
    ∞ / −∞: the largest / smallest row sum. Over the two dims `dim`, batched over the others."""
    A = _floating_input("linalg.matrix_norm", A, dtype)
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions, "
                           f"got {A.ndim} dimensions")
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
    rows, cols = (normalize_dim(d, A.ndim) for d in dims)
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dims[0]}, {dims[1]})")
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs singular values, and tinygrad_np has no "
                                  "SVD; 'fro', 1, -1, inf and -inf are supported")
    if ord in (1, -1, math.inf, -math.inf):
        summed, across = (rows, cols) if abs(ord) == 1 else (cols, rows)
        sums = A.abs().sum(summed, keepdim=True)
        out = sums.amax(across, keepdim=True) if ord > 0 else sums.amin(across, keepdim=True)
        return out if keepdim else out.squeeze((rows, cols))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """`vector_norm` or `matrix_norm`, as `torch.linalg.norm` chooses: by `dim` (one dim: vector,
    two: matrix), else by A's rank when `ord` is given, else the 2-norm of all entries."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if A.ndim == 2:
        return matrix_norm(A, ord, (0, 1), keepdim, dtype=dtype)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.ndim}D.")


def tensor_norm(x: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """`Tensor.norm` / `torch.norm`: 'fro' is the 2-norm of the entries over `dim` (all dims, or
    one or two of them); a number p is the vector p-norm over `dim`; 'nuc' is refused (no SVD)."""
    if not isinstance(p, str):
        return vector_norm(x, p, dim, keepdim, dtype=dtype)
    if p == "fro":
        if dim is not None and not isinstance(dim, (int, np.integer)) and len(dim) > 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
        return vector_norm(x, 2, dim, keepdim, dtype=dtype)
    return matrix_norm(x, p, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)


def _floating_input(name: str, x: Tensor, dtype) -> Tensor:
    if dtype is not None:
        x = x.to(dtype)
    if not dtypes.is_floating(x.dtype):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {x.dtype}")
    return x


def _root(total: Tensor, p: float) -> Tensor:
    """total^(1/p); for p > 0 a zero total gives 0 with gradient 0, where the root's own
    gradient would be infinite (the subgradient PyTorch takes)."""
    if p < 0:
        return total ** (1 / p)
    zero = total == 0
    return where(zero, 0.0, where(zero, 1.0, total) ** (1 / p))
