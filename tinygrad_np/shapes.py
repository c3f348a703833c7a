"""Shape arithmetic: dims, broadcasting, reduction axes and index keys, on plain tuples and arrays.

What Tensor's methods need to check and normalise their arguments, kept apart from the
Tensor so that each reads on its own. Nothing here knows about autograd.
"""

from __future__ import annotations

import numpy as np

from .errors import ShapeError


def broadcast_shape(name: str, *shapes: tuple) -> tuple:
    """NumPy's broadcasting rule (np.broadcast_shapes, which costs several times more per call)."""
    result = [1] * max(map(len, shapes))
    for shape in shapes:
        for i, n in enumerate(shape, len(result) - len(shape)):
            if n != 1:
                if result[i] == 1:
                    result[i] = n
                elif result[i] != n:
                    raise ShapeError(f"{name}: shapes {', '.join(map(str, shapes))} cannot be broadcast together")
    return tuple(result)


def axis_args(dim, keepdim: bool, axis, keepdims) -> tuple:
    """PyTorch's (dim, keepdim), whether given as such or as NumPy's axis/keepdims."""
    return (dim if axis is None else axis), (keepdim if keepdims is None else keepdims)


def element_count(shape: tuple, axes) -> int:
    return int(np.prod(shape if axes is None else [shape[i] for i in axes], dtype=np.int64))


def normalize_dim(dim: int, ndim: int) -> int:
    """A dim in [-ndim, ndim) as a non-negative index (a 0-d tensor accepts 0 and -1)."""
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(f"dimension out of range (expected to be in range of [{-bound}, {bound - 1}], but got {dim})")
    return dim % bound


def normalize_dims(dim, ndim: int):
    """A sorted tuple of distinct non-negative dims, or None for all dims (also for `()`,
    as PyTorch, and for dim 0 of a 0-d tensor)."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    normalized = tuple(sorted({normalize_dim(int(d), ndim) for d in dims}))
    if len(normalized) != len(dims):
        raise ValueError(f"dim {dim} appears more than once")
    return tuple(d for d in normalized if d < ndim) or None


def shape_arg(args: tuple) -> tuple:
    """Accept f(2, 3), f((2, 3)) and f([2, 3])."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(n) for n in args)


def index_key(key, shape: tuple) -> tuple[tuple, bool]:
    """A NumPy index tuple, and whether it is basic (ints, slices, None, Ellipsis only).

    Lists become arrays (the caller has turned tensors into arrays); a boolean mask becomes the integer indices of its
    True entries (the same selection), which is what the scatter in backward needs, after
    checking that it fits the dims it indexes.
    """
    if isinstance(key, list) and _list_is_tuple(key):
        key = tuple(key)
    parts = [_list_index(p) if isinstance(p, list) else p
             for p in (key if isinstance(key, tuple) else (key,))]
    parts = [p.astype(bool) if isinstance(p, np.ndarray) and p.dtype == np.uint8 else p for p in parts]
    consumed = sum(p.ndim if _is_mask(p) else 0 if p is None or p is Ellipsis or isinstance(p, bool) else 1
                   for p in parts)
    out, basic, dim = [], True, 0
    for part in parts:
        if part is Ellipsis:
            dim += len(shape) - consumed
        elif isinstance(part, np.ndarray):
            basic = False
            if _is_mask(part):
                if part.shape != shape[dim:dim + part.ndim]:
                    raise IndexError(f"the shape {part.shape} of the boolean mask does not match the shape "
                                     f"{shape[dim:dim + part.ndim]} of the dims it indexes (from dim {dim})")
                out.extend(np.nonzero(part))
                dim += part.ndim
                continue
            if part.dtype.kind not in "iu":
                raise IndexError(f"tensors used as indices must be integer or bool, not {part.dtype}")
            dim += 1
        elif isinstance(part, (bool, np.bool_)):
            basic = False
        elif part is not None:
            dim += 1
        out.append(part)
    return tuple(out), basic


def _list_is_tuple(key: list) -> bool:
    """PyTorch (like old NumPy) reads a short list holding tensors, lists, slices, None or
    Ellipsis as a tuple of indices: x[[rows, cols]] is x[rows, cols]."""
    return len(key) < 32 and any(
        isinstance(p, (np.ndarray, list, tuple, slice)) or p is None or p is Ellipsis for p in key
    )


def _list_index(part: list) -> np.ndarray:
    array = np.asarray(part)
    return array.astype(np.int64) if array.size == 0 else array


def _is_mask(part) -> bool:
    return isinstance(part, np.ndarray) and part.dtype == np.bool_ and part.ndim > 0
