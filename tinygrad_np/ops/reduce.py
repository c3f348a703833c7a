"""Reduction primitives. `axis` is a normalised tuple of non-negative dims, or None for all."""

import numpy as np

from ..autograd.node import Node
from . import elementwise, movement


def _kept_shape(shape: tuple, axis) -> tuple:
    """`shape` with the reduced dims kept as size 1 (what keepdim=True gives)."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


class Sum(Node):
    """sum(a, axis);  d/da = 1 everywhere: the gradient is broadcast back over the reduced dims.
    Integer and bool sums are int64, as PyTorch."""

    def forward(self, a, axis, keepdim):
        self.in_shape, self.axis = a.shape, axis
        return np.sum(a, axis=axis, keepdims=keepdim, dtype=np.int64 if a.dtype.kind in "biu" else None)

    def backward(self, g):
        kept = movement.Reshape.apply(g, shape=_kept_shape(self.in_shape, self.axis))
        return movement.Expand.apply(kept, shape=self.in_shape)


class Max(Node):
    """max(a, axis);  the gradient goes to the maxima, split evenly among ties.

    As PyTorch: `amax` multiplies the gradient by each element's share; `max()` over all
    dims (`masked=True`) masks instead, and a NaN result sends the gradient to the NaNs.
    """

    save_inputs = True
    save_output = True
    reduce = staticmethod(np.max)

    def forward(self, a, axis, keepdim, masked=False):
        self.axis, self.masked = axis, masked
        return self.reduce(a, axis=axis, keepdims=keepdim)

    def backward(self, g):
        a = self.inputs[0]._array
        kept = _kept_shape(a.shape, self.axis)
        out = self.out.reshape(kept)
        hit = a == out
        if self.masked:
            hit |= np.isnan(a) & np.isnan(out)
        share = (hit / np.sum(hit, axis=self.axis, keepdims=True)).astype(a.dtype)
        spread = g.reshape(kept).expand(a.shape)
        shared = spread * self.constant(share)
        if self.masked:
            return elementwise.Where.apply(self.constant(hit), shared, self.constant(np.zeros((), g.dtype)))
        return shared


class Min(Max):
    """min(a, axis);  as Max, for the minima."""

    reduce = staticmethod(np.min)
