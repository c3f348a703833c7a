"""Remainders, the one division result that composition cannot give exactly.

The remainder of floats is exactly representable and `fmod` computes it exactly, while
a − q·b rounds q·b: 0.7 − 6·0.1 is 0.09999999999999987, fmod(0.7, 0.1) is
0.09999999999999992. So `remainder` (Python's %, the sign of b) and `fmod` (C's, the sign
of a) are one primitive, computed as PyTorch does: fmod, then shifted by b where a nonzero
result's sign disagrees with b's.
"""

import numpy as np

from ..autograd.node import Node


class Remainder(Node):
    """a − q·b, with q = a / b rounded by `rounding` ("floor": `remainder`, "trunc": `fmod`);
    d/da = 1, d/db = −q (as PyTorch; q is piecewise constant, so its own derivative is 0)."""

    save_inputs = ((1,), (1,))  # both are read by d/db only

    def forward(self, a, b, rounding):
        self.rounding = rounding
        return remainder(a, b, rounding)

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        grad_b = None
        if need_b:
            a, b = self.inputs
            grad_b = -(g * self.constant(rounded_quotient(a._array, b._array, self.rounding)))
        return g if need_a else None, grad_b


def remainder(a: np.ndarray, b: np.ndarray, rounding: str) -> np.ndarray:
    """fmod(a, b), plus b where rounding is "floor" and the signs of b and a nonzero result differ."""
    with np.errstate(divide="ignore", invalid="ignore"):  # x mod 0 is NaN for floats, as PyTorch
        mod = np.fmod(a, b)
        if rounding == "floor":
            shift = (mod != 0) & ((b < 0) != (mod < 0))
            mod = np.where(shift, mod + b, mod)
    return np.asarray(mod)


def rounded_quotient(a: np.ndarray, b: np.ndarray, rounding: str) -> np.ndarray:
    """a / b rounded down ("floor") or towards zero ("trunc"); integers stay integers."""
    with np.errstate(divide="ignore", invalid="ignore"):  # x / 0 is ±inf or NaN for floats, as PyTorch
        if rounding == "floor":
            return np.asarray(np.floor_divide(a, b))
        if a.dtype.kind == "f":
            return np.asarray(np.trunc(a / b))
        q = np.floor_divide(a, b)
        return np.asarray(q + ((q * b != a) & ((a < 0) != (b < 0))))
