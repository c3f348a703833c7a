"""Logarithms and exponentials that NumPy computes more exactly than their compositions:
`expm1(a)` = e^a − 1 keeps its digits for tiny a (exp(a) − 1 loses them), and `log2`/`log10`
are exact at powers of their base (log(1000) / log(10) is 2.9999999999999996; NumPy's float32
log10(1000) is 3.0000002, so float32 and float16 logs are taken in float64 and rounded back)."""

import math

import numpy as np

from ..autograd.node import Node


class Expm1(Node):
    """e^a − 1;  d/da = e^a, the output + 1"""

    save_output = True

    def forward(self, a):
        return np.expm1(a)

    def backward(self, g):
        return g * (self.output + 1)


class Log2(Node):
    """log₂ a;  d/da = 1 / (a ln 2)"""

    save_inputs = True

    def forward(self, a):
        return _in_float64(np.log2, a)

    def backward(self, g):
        return g / (self.inputs[0] * math.log(2))


class Log10(Node):
    """log₁₀ a;  d/da = 1 / (a ln 10)"""

    save_inputs = True

    def forward(self, a):
        return _in_float64(np.log10, a)

    def backward(self, g):
        return g / (self.inputs[0] * math.log(10))


def _in_float64(ufunc, a: np.ndarray) -> np.ndarray:
    """`ufunc(a)` computed in float64 and rounded to a's dtype: correctly rounded for float32 and float16."""
    return ufunc(a) if a.dtype == np.float64 else ufunc(a.astype(np.float64)).astype(a.dtype)
