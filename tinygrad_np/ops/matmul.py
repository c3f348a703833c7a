"""Matrix multiplication: the one primitive where most of the time goes."""

import numpy as np

from ..autograd.function import Function


class MatMul(Function):
    """a @ b for a, b of rank >= 2 with equal batch dims when they need a gradient;
    d/da = g @ bᵀ, d/db = aᵀ @ g (ᵀ swaps the last two dims).

    Tensor.matmul lifts 1-D operands to matrices and expands batch dims, so broadcasting is
    undone by Expand like everywhere else.
    """

    save_inputs = True

    def forward(self, a, b):
        return np.matmul(a, b)

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return g @ b.mT if need_a else None, a.mT @ g if need_b else None
