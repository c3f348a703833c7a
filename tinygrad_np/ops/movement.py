"""Primitives that move data without arithmetic: reshape, expand, permute, index, cat.

`Expand.backward` is the one place where broadcasting is undone: it sums the gradient over
the leading dims that broadcasting added and over the size-1 dims it stretched.
"""

import numpy as np

from ..autograd.function import Function
from . import reduce


class Reshape(Function):
    """reshape(a, shape);  the gradient is reshaped back."""

    def forward(self, a, shape):
        self.in_shape = a.shape
        return a.reshape(shape)

    def backward(self, g):
        return g.reshape(self.in_shape)


class Expand(Function):
    """broadcast_to(a, shape) (a view);  the gradient is summed over the broadcast dims."""

    def forward(self, a, shape):
        self.in_shape = a.shape
        return np.broadcast_to(a, shape)

    def backward(self, g):
        in_shape = self.in_shape
        lead = g.ndim - len(in_shape)
        stretched = tuple(lead + i for i, n in enumerate(in_shape) if n == 1 and g.shape[lead + i] != 1)
        axes = tuple(range(lead)) + stretched
        return Reshape.apply(reduce.Sum.apply(g, axis=axes, keepdim=True), shape=in_shape) if axes else g


class Permute(Function):
    """transpose(a, dims) (a view);  the gradient is permuted by the inverse permutation."""

    def forward(self, a, dims):
        self.dims = dims
        return np.transpose(a, dims)

    def backward(self, g):
        inverse = [0] * len(self.dims)
        for position, dim in enumerate(self.dims):
            inverse[dim] = position
        return Permute.apply(g, dims=tuple(inverse))


class Index(Function):
    """a[key] (basic or advanced);  the gradient is scattered back, summing repeated indices."""

    saves = ("key",)

    def forward(self, a, key, basic):
        self.in_shape, self.key, self.basic = a.shape, key, basic
        return a[key]

    def backward(self, g):
        return IndexAdd.apply(g, shape=self.in_shape, key=self.key, basic=self.basic)


class IndexAdd(Function):
    """zeros(shape) with g added at key (np.add.at when indices may repeat);  the gradient is g[key].

    The adjoint of Index, so that second derivatives through indexing work.
    """

    saves = ("key",)

    def forward(self, g, shape, key, basic):
        self.key, self.basic = key, basic
        out = np.zeros(shape, dtype=g.dtype)
        if basic:
            out[key] = g
        else:
            np.add.at(out, key, g)
        return out

    def backward(self, g):
        return Index.apply(g, key=self.key, basic=self.basic)


class Cat(Function):
    """concatenate(arrays, axis);  each input gets its slice of the gradient."""

    def forward(self, *arrays, axis):
        self.axis = axis
        self.bounds = np.cumsum([0] + [a.shape[axis] for a in arrays])
        return np.concatenate(arrays, axis=axis)

    def backward(self, g):
        lead = (slice(None),) * self.axis
        return tuple(
            g[lead + (slice(start, stop),)] if needed else None
            for start, stop, needed in zip(self.bounds[:-1], self.bounds[1:], self.needs_input_grad)
        )
