"""Primitives that move data without arithmetic: reshape, expand, permute, index, index put, cat, unfold.

`Expand.backward` is the one place where broadcasting is undone: it sums the gradient over
the leading dims that broadcasting added and over the size-1 dims it stretched (with `Sum`,
from the registry: reduce.py builds on this module, so this one does not import it).
"""

import numpy as np

from ..autograd.node import PRIMITIVES, Node


class Reshape(Node):
    """reshape(a, shape);  the gradient is reshaped back."""

    def forward(self, a, shape):
        self.in_shape = a.shape
        out = a.reshape(shape)
        self.view = out.base is not None and (out.base is a or out.base is a.base)  # else NumPy copied
        return out

    def backward(self, g):
        return g.reshape(self.in_shape)


class Expand(Node):
    """broadcast_to(a, shape) (a read-only view);  the gradient is summed over the broadcast dims."""

    view = True

    def forward(self, a, shape):
        self.in_shape = a.shape
        return np.broadcast_to(a, shape)

    def backward(self, g):
        in_shape = self.in_shape
        lead = g.ndim - len(in_shape)
        stretched = tuple(lead + i for i, n in enumerate(in_shape) if n == 1 and g._array.shape[lead + i] != 1)
        axes = tuple(range(lead)) + stretched
        if not axes:
            return g
        return Reshape.apply(PRIMITIVES["Sum"].apply(g, axis=axes, keepdim=True), shape=in_shape)


class Permute(Node):
    """transpose(a, dims) (a view);  the gradient is permuted by the inverse permutation."""

    view = True

    def forward(self, a, dims):
        self.dims = dims
        return np.transpose(a, dims)

    def backward(self, g):
        inverse = [0] * len(self.dims)
        for position, dim in enumerate(self.dims):
            inverse[dim] = position
        return Permute.apply(g, dims=tuple(inverse))


class Index(Node):
    """a[key] (basic or advanced);  the gradient is scattered back, summing repeated indices."""

    saves = ("key",)

    def forward(self, a, key, basic):
        self.in_shape, self.key, self.basic = a.shape, key, basic
        self.view = basic  # basic indexing gives a view, advanced indexing a copy
        if basic and Ellipsis not in key:
            return a[(*key, Ellipsis)]  # a 0-d view, where a[key] would give a NumPy scalar (a copy)
        return a[key]

    def backward(self, g):
        return IndexAdd.apply(g, shape=self.in_shape, key=self.key, basic=self.basic)


class IndexAdd(Node):
    """zeros(shape) with g added at key (summed where indices repeat);  the gradient is g[key].

    The adjoint of Index, so that second derivatives through indexing work.
    """

    saves = ("key",)

    def forward(self, g, shape, key, basic):
        self.key, self.basic = key, basic
        out = np.zeros(shape, dtype=g.dtype)
        if basic:
            out[key] = g
        elif (rows := _row_indices(key)) is not None:
            _add_rows(out, rows, g)
        else:
            np.add.at(out, key, g)
        return out

    def backward(self, g):
        return Index.apply(g, key=self.key, basic=self.basic)


def _row_indices(key):
    """The integer array of a key that picks rows (an array, alone or as a 1-tuple), else None."""
    if type(key) is tuple and len(key) == 1:
        key = key[0]
    if isinstance(key, np.ndarray) and key.dtype.kind in "iu" and key.size:
        return key
    return None


def _add_rows(out, rows, g) -> None:
    """np.add.at(out, rows, g) for integer row indices (an embedding's backward), 4x faster on a
    batch of tokens: the indices sorted (stably), each run of equal ones summed with one
    np.add.reduceat, and each distinct row written once."""
    flat = rows.reshape(-1) % out.shape[0]  # -1 and n - 1 are one row
    order = np.argsort(flat, kind="stable")
    ordered = flat[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    out[ordered[starts]] += np.add.reduceat(g.reshape(flat.size, *out.shape[1:])[order], starts, axis=0)


class IndexPut(Node):
    """a with a[key] = v (v of a[key]'s shape);  d/da = g with zeros at key, d/dv = g[key].

    Item assignment and in-place ops on views are recorded as this op. Where an advanced key
    repeats an index the last write wins (as NumPy and PyTorch), and each copy of v still
    gets its g[key], as in PyTorch."""

    saves = ("key",)

    def forward(self, a, v, key, basic):
        self.key, self.basic, self.value_shape = key, basic, v.shape
        out = a.copy()
        out[key] = v
        return out

    def backward(self, g):
        need_a, need_v = self.needs_input_grad
        zeros = self.constant(np.zeros(self.value_shape, g.dtype))
        return (IndexPut.apply(g, zeros, key=self.key, basic=self.basic) if need_a else None,
                Index.apply(g, key=self.key, basic=self.basic) if need_v else None)


class Unfold(Node):
    """The sliding windows of the last two dims (a read-only strided view, no copy):
    a (..., H, W) -> (..., kH, kW, oH, oW) with out[..., i, j, y, x] = a[..., y·sH + i·dH, x·sW + j·dW],
    oH = (H − dH (kH − 1) − 1) // sH + 1 (likewise oW). Convolution and pooling are built on it;
    the caller pads first and checks that the windows fit.

    The gradient is scattered back, summed where windows overlap: for each kernel offset (i, j)
    its slice g[..., i, j] lands on a strided slice of the input (IndexAdd with a basic key,
    whose own gradient is Index, so second derivatives work too). A loop over the kH·kW
    offsets, each a whole-array operation; np.add.at over every window element is ~7x slower.
    Windows that tile the input (stride = kernel, no dilation: pooling) need no sum: the gradient
    is permuted and reshaped back into place."""

    view = True

    def forward(self, a, kernel, stride, dilation):
        (kernel_h, kernel_w), (stride_h, stride_w), (dilation_h, dilation_w) = kernel, stride, dilation
        *lead, height, width = a.shape
        out_h = (height - dilation_h * (kernel_h - 1) - 1) // stride_h + 1
        out_w = (width - dilation_w * (kernel_w - 1) - 1) // stride_w + 1
        self.in_shape, self.kernel, self.stride, self.dilation = a.shape, kernel, stride, dilation
        *lead_strides, row_stride, col_stride = a.strides
        return np.lib.stride_tricks.as_strided(
            a, (*lead, kernel_h, kernel_w, out_h, out_w),
            (*lead_strides, row_stride * dilation_h, col_stride * dilation_w, row_stride * stride_h,
             col_stride * stride_w), writeable=False)

    def backward(self, g):
        (kernel_h, kernel_w), (stride_h, stride_w), (dilation_h, dilation_w) = self.kernel, self.stride, self.dilation
        out_h, out_w = g.shape[-2:]
        lead = (slice(None),) * (len(self.in_shape) - 2)
        if self.stride == self.kernel and self.dilation == (1, 1):  # windows tile the input: no overlap to sum
            n = len(lead)
            tiles = Permute.apply(g, dims=(*range(n), n + 2, n, n + 3, n + 1))
            tiled = Reshape.apply(tiles, shape=self.in_shape[:n] + (out_h * kernel_h, out_w * kernel_w))
            if tiled.shape == self.in_shape:
                return tiled
            key = lead + (slice(0, out_h * kernel_h), slice(0, out_w * kernel_w))
            return IndexAdd.apply(tiled, shape=self.in_shape, key=key, basic=True)
        total = None
        for i in range(kernel_h):
            rows = slice(i * dilation_h, i * dilation_h + stride_h * (out_h - 1) + 1, stride_h)
            for j in range(kernel_w):
                cols = slice(j * dilation_w, j * dilation_w + stride_w * (out_w - 1) + 1, stride_w)
                piece = Index.apply(g, key=lead + (i, j), basic=True)
                placed = IndexAdd.apply(piece, shape=self.in_shape, key=lead + (rows, cols), basic=True)
                total = placed if total is None else total + placed
        return total


class Cat(Node):
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
