"""Matrix multiplication: the one primitive where most of the time goes."""

import numpy as np

from ..autograd.node import Node
from .movement import Permute


class MatMul(Node):
    """a @ b for a, b of rank >= 2 with equal batch dims when they need a gradient;
    d/da = g @ bᵀ, d/db = aᵀ @ g (ᵀ swaps the last two dims).

    Tensor.matmul lifts 1-D operands to matrices and expands batch dims, so broadcasting is
    undone by Expand like everywhere else.

    A stacked right operand stored transposed (attention's Kᵀ, and Vᵀ in its backward) is copied
    to row order first: NumPy's stacked product runs ~2x slower on it (316 against 143 + 64 µs for
    the copy, (12, 4, 64, 32) by its transpose, float32).

    Each gradient is computed in its input's memory order: for `x @ W.T` the gradient of the
    transposed view is produced as (gᵀ @ x)ᵀ, so W's gradient arrives C-contiguous and an
    optimizer's elementwise passes over it run at full speed (strided, they are ~10x slower).
    """

    save_inputs = ((1,), (0,))  # a is read by d/db, b by d/da

    def forward(self, a, b):
        self.transposed = (a.ndim == 2 and a.strides[0] < a.strides[1],  # stored column-major, as the
                           b.ndim == 2 and b.strides[0] < b.strides[1])  # transpose of a C-contiguous array
        if b.ndim > 2 and b.strides[-2] < b.strides[-1]:
            b = np.ascontiguousarray(b)  # NumPy's stacked product is ~2x slower on a transposed right operand
        return np.matmul(a, b)

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        a_transposed, b_transposed = self.transposed
        grad_a = grad_b = None
        if need_a:  # g @ bᵀ
            grad_a = _mT(MatMul.apply(b, _mT(g))) if a_transposed else MatMul.apply(g, _mT(b))
        if need_b:  # aᵀ @ g
            grad_b = _mT(MatMul.apply(_mT(g), a)) if b_transposed else MatMul.apply(_mT(a), g)
        return grad_a, grad_b


def _mT(t):
    """`t.mT` as the primitive itself: the backward's operands are already valid (rank >= 2,
    equal batch dims), so Tensor's checks (here and in `@`) would only cost time."""
    dims = list(range(t.ndim))
    dims[-2:] = dims[-1], dims[-2]
    return Permute.apply(t, dims=tuple(dims))
