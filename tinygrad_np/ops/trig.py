"""Trigonometric and hyperbolic functions, their inverses, hypot and erfinv.

Each is a primitive because NumPy's function is the accurate value and no composition gives
it: tan as sin/cos, asinh as log(a + √(a² + 1)) or sinh as (eᵃ − e⁻ᵃ)/2 lose digits (sinh
near 0 cancels), and the inverse functions have no composition at all. Each backward is the
exact derivative, written with Tensor ops, so second derivatives work. float32 and float16
values are computed in float64 and rounded (correctly rounded, as PyTorch's within an ulp;
NumPy's float32 arctan2(1, 1) is an ulp off), and a point outside the domain gives NaN
without a NumPy warning, as PyTorch.
"""

import math

import numpy as np

from ..autograd.node import Node
from .elementwise import _erfc_continued_fraction, erf


class Tan(Node):
    """tan(a);  d/da = 1 + tan²(a), from the output"""

    save_output = True

    def forward(self, a):
        return _in_float64(np.tan, a)

    def backward(self, g):
        y = self.output
        return g * (1 + y * y)


class Asin(Node):
    """arcsin(a), a in [−1, 1];  d/da = 1/√(1 − a²)"""

    save_inputs = True

    def forward(self, a):
        return _in_float64(np.arcsin, a)

    def backward(self, g):
        a = self.inputs[0]
        return g * (1 - a * a) ** -0.5


class Acos(Node):
    """arccos(a), a in [−1, 1];  d/da = −1/√(1 − a²)"""

    save_inputs = True

    def forward(self, a):
        return _in_float64(np.arccos, a)

    def backward(self, g):
        a = self.inputs[0]
        return -(g * (1 - a * a) ** -0.5)


class Atan(Node):
    """arctan(a);  d/da = 1/(1 + a²)"""

    save_inputs = True

    def forward(self, a):
        return _in_float64(np.arctan, a)

    def backward(self, g):
        a = self.inputs[0]
        return g / (1 + a * a)


class Atan2(Node):
    """The angle of the point (b, a): arctan2(a, b) in (−π, π];  d/da = b/(a² + b²),
    d/db = −a/(a² + b²), both 0 at the origin (as PyTorch)."""

    save_inputs = True

    def forward(self, a, b):
        return _in_float64(np.arctan2, a, b)

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        squared = a * a + b * b
        origin = self.constant(squared._array == 0)
        scale = g / squared.where(origin.logical_not(), 1.0)
        return scale * b if need_a else None, -(scale * a) if need_b else None


class Sinh(Node):
    """sinh(a);  d/da = cosh(a)"""

    save_inputs = True

    def forward(self, a):
        return _in_float64(np.sinh, a)

    def backward(self, g):
        return g * Cosh.apply(self.inputs[0])


class Cosh(Node):
    """cosh(a);  d/da = sinh(a)"""

    save_inputs = True

    def forward(self, a):
        return _in_float64(np.cosh, a)

    def backward(self, g):
        return g * Sinh.apply(self.inputs[0])


class Asinh(Node):
    """arsinh(a);  d/da = 1/√(a² + 1)"""

    save_inputs = True

    def forward(self, a):
        return _in_float64(np.arcsinh, a)

    def backward(self, g):
        a = self.inputs[0]
        return g * (a * a + 1) ** -0.5


class Acosh(Node):
    """arcosh(a), a >= 1;  d/da = 1/√(a² − 1)"""

    save_inputs = True

    def forward(self, a):
        return _in_float64(np.arccosh, a)

    def backward(self, g):
        a = self.inputs[0]
        return g * (a * a - 1) ** -0.5


class Atanh(Node):
    """artanh(a), a in [−1, 1];  d/da = 1/(1 − a²)"""

    save_inputs = True

    def forward(self, a):
        return _in_float64(np.arctanh, a)

    def backward(self, g):
        a = self.inputs[0]
        return g / (1 - a * a)


class Hypot(Node):
    """√(a² + b²) without overflow (`np.hypot`);  d/da = a/out, d/db = b/out (NaN at the origin,
    as PyTorch)"""

    save_inputs = True
    save_output = True

    def forward(self, a, b):
        return _in_float64(np.hypot, a, b)

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        scale = g / self.output
        return scale * a if need_a else None, scale * b if need_b else None


_WINITZKI = 0.147


class Erfinv(Node):
    """erf⁻¹(a) for a in [−1, 1] (±inf at ±1, NaN outside);  d/da = √π/2 · e^(y²), y the output.

    NumPy has none. Winitzki's closed form (relative error below 2e-3),
    y₀ = √(√(c² − ln(1 − a²)/k) − c) with c = 2/(πk) + ln(1 − a²)/2, k = 0.147, for |a|,
    is refined by four Newton steps y ← y − r/(2/√π · e^(−y²)) (the error squares at each).
    The residual r is erf(y) − |a| for |a| < 0.5, else (1 − |a|) − erfc(y): 1 − |a| is exact
    there and erfc keeps its relative precision in the tail, so y stays accurate up to ±1."""

    save_output = True

    def forward(self, a):
        x = a.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            magnitude = np.abs(x)
            inside = magnitude < 1
            s = np.where(inside, magnitude, 0.0)
            log_term = np.log1p(-s * s)
            c = 2 / (math.pi * _WINITZKI) + log_term / 2
            y = np.sqrt(np.sqrt(c * c - log_term / _WINITZKI) - c)
            central = s < 0.5
            for _ in range(4):
                residual = np.where(central, erf(y) - s, (1 - s) - _erfc(y))
                y = y - residual / (2 / math.sqrt(math.pi) * np.exp(-y * y))
            out = np.where(inside, np.copysign(y, x), np.where(magnitude == 1, np.copysign(np.inf, x), np.nan))
        return out.astype(a.dtype, copy=False)

    def backward(self, g):
        y = self.output
        return g * ((y * y).exp() * (math.sqrt(math.pi) / 2))


def _in_float64(ufunc, *arrays: np.ndarray) -> np.ndarray:
    """`ufunc(*arrays)` in float64, rounded to the first array's dtype; NaN or inf outside the domain, silently."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = ufunc(*(a.astype(np.float64, copy=False) for a in arrays))
    return out if arrays[0].dtype == np.float64 else out.astype(arrays[0].dtype)


def _erfc(z: np.ndarray) -> np.ndarray:
    """erfc(z) for z >= 0 to float64's relative precision: 1 − erf(z) below 1.5, the continued
    fraction (120 levels) from there."""
    return np.where(z < 1.5, 1 - erf(z), _erfc_continued_fraction(np.maximum(z, 1.5), levels=120))
