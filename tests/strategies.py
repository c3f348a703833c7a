"""Hypothesis strategies shared by the property tests: shapes, broadcastable shapes and
float64 arrays kept inside an op's valid domain and away from its kinks."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_DIMS = 3
MAX_SIDE = 4


def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 1, max_side: int = MAX_SIDE):
    """Array shapes without empty dims (0-d and size-1 dims included)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(num_shapes: int = 2, min_dims: int = 0, max_dims: int = MAX_DIMS):
    """Tuples of mutually broadcastable shapes (e.g. (3, 1) and (2, 1, 4))."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=MAX_SIDE
    ).map(lambda result: result.input_shapes)


def broadcastable_into(shape: tuple):
    """Shapes that broadcast to `shape` without enlarging it, as the operand of an in-place op
    must: a suffix of its dims, each kept or set to 1 ((4,), (1, 4) or () into (3, 4))."""
    return st.integers(0, len(shape)).flatmap(
        lambda n: st.tuples(*[st.sampled_from([side, 1]) for side in shape[len(shape) - n:]])
    )


def floats(low: float = -3.0, high: float = 3.0):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def arrays(shape, low: float = -3.0, high: float = 3.0, dtype=np.float64):
    """Arrays of finite floats in [low, high]."""
    return hnp.arrays(dtype, shape, elements=floats(low, high))


def away_from_zero(shape, low: float = 0.1, high: float = 3.0):
    """Values with low <= |x| <= high: safe for 1/x and for kinks at 0 (relu, abs, sign)."""
    magnitudes = hnp.arrays(np.float64, shape, elements=floats(low, high))
    signs = hnp.arrays(np.bool_, shape).map(lambda negative: np.where(negative, -1.0, 1.0))
    return st.tuples(magnitudes, signs).map(lambda pair: pair[0] * pair[1])


def distinct(shape, low: int = -50, high: int = 50, scale: float = 0.1):
    """Pairwise distinct values on a grid of step `scale` (no ties, so max/min are smooth)."""
    size = int(np.prod(shape))
    return st.lists(st.integers(low, high), min_size=size, max_size=size, unique=True).map(
        lambda values: np.array(values, dtype=np.float64).reshape(shape) * scale
    )


def dims_of(ndim: int):
    """A reduction dim spec for a tensor of `ndim` dims: None, an int (maybe negative) or a tuple."""
    if ndim == 0:
        return st.sampled_from([None, 0, -1])
    single = st.integers(-ndim, ndim - 1)
    several = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)
    return st.one_of(st.none(), single, several)
