"""Reduction primitives. `axis` is a normalised tuple of non-negative dims, or None for all."""

import numpy as np

from .. import tensor as T
from ..autograd.function import Function


def _kept_shape(shape: tuple, axis) -> tuple:
    """`shape` with the reduced dims kept as size 1 (what keepdim=True gives)."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


class Sum(Function):
    """sum(a, axis);  d/da = 1 everywhere: the gradient is broadcast back over the reduced dims."""

    def forward(self, a, axis, keepdim):
        self.in_shape, self.axis = a.shape, axis
        return np.sum(a, axis=axis, keepdims=keepdim)

    def backward(self, g):
        return g.reshape(_kept_shape(self.in_shape, self.axis)).expand(self.in_shape)


class Max(Function):
    """max(a, axis);  the gradient goes to the maxima, split evenly among ties (as PyTorch's amax)."""

    save_inputs = True
    save_output = True

    def forward(self, a, axis, keepdim):
        self.axis = axis
        return np.max(a, axis=axis, keepdims=keepdim)

    def backward(self, g):
        a = self.inputs[0].data
        kept = _kept_shape(a.shape, self.axis)
        is_max = a == self.out.reshape(kept)
        share = is_max / np.sum(is_max, axis=self.axis, keepdims=True)
        return g.reshape(kept).expand(a.shape) * T.Tensor(share.astype(a.dtype))
