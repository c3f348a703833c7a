"""Matrix multiplication: the one primitive where most of the time goes."""

import numpy as np

from ..autograd.function import Function


class MatMul(Function):
    """a @ b for a, b of rank >= 2 with equal batch dims when they need a gradient;
    d/da = g @ bᵀ, d/db = aᵀ @ g (ᵀ swaps the last two dims).

    Tensor.matmul lifts 1-D operands to matrices and expands batch dims, so broadcasting is
    undone by Expand like everywhere else.

    Each gradient is computed in its input's memory order: for `x @ W.T` the gradient of the
    transposed view is produced as (gᵀ @ x)ᵀ, so W's gradient arrives C-contiguous and an
    optimizer's elementwise passes over it run at full speed (strided, they are ~10x slower).
    """

    save_inputs = True

    def forward(self, a, b):
        return np.matmul(a, b)

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        grad_a = ((b @ g.mT).mT if _transposed(a.data) else g @ b.mT) if need_a else None
        grad_b = ((g.mT @ a).mT if _transposed(b.data) else a.mT @ g) if need_b else None
        return grad_a, grad_b


def _transposed(array: np.ndarray) -> bool:
    """A matrix stored column-major, as the transpose of a C-contiguous array is."""
    return array.ndim == 2 and array.flags.f_contiguous and not array.flags.c_contiguous
