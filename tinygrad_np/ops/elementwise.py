"""Elementwise primitives: forward on arrays, backward in Tensor ops, side by side.

Binary primitives never broadcast an input that needs a gradient: Tensor expands such an
input first (an explicit `Expand` node), so broadcasting is undone in exactly one place,
`Expand.backward`. Inputs arrive already promoted to one dtype.
"""

import functools
import math

import numpy as np

from ..autograd.grad_mode import grad_state
from ..autograd.node import Node


class Add(Node):
    """a + b;  d/da = 1, d/db = 1"""

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        return g, g


class Sub(Node):
    """a - b;  d/da = 1, d/db = -1"""

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, -g if self.needs_input_grad[1] else None


class Neg(Node):
    """-a;  d/da = -1"""

    def forward(self, a):
        return -a

    def backward(self, g):
        return -g


class Mul(Node):
    """a * b;  d/da = b, d/db = a"""

    save_inputs = ((1,), (0,))  # a is read by d/db, b by d/da

    def forward(self, a, b):
        return a * b

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return g * b if need_a else None, g * a if need_b else None


class Div(Node):
    """a / b;  d/da = 1/b, d/db = -a/b²"""

    save_inputs = ((1,), (0, 1))  # a is read by d/db, b by both

    def forward(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return g / b if need_a else None, -(g * a) / (b * b) if need_b else None


class Pow(Node):
    """a ** b;  d/da = b·a^(b-1) (0 where a = b = 0), d/db = a^b·log(a) (0 where a = 0, b >= 0).

    The log is taken only when b needs a gradient: `x ** 2` at x = 0 stays finite.
    """

    save_inputs = True
    save_output = (1,)  # read by d/db

    def forward(self, a, b):
        return a**b

    @np.errstate(divide="ignore", invalid="ignore")  # the singular entries are masked below
    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        grad_a = grad_b = None
        if need_a:
            grad_a = g * (b * a ** (b - 1))
            singular = (b._array == 0) & (a._array == 0)
            if singular.any():
                grad_a = _zero_where(singular, grad_a)
        if need_b:
            grad_b = g * (self.output * a.log())
            singular = (a._array == 0) & (b._array >= 0)
            if singular.any():
                grad_b = _zero_where(singular, grad_b)
        return grad_a, grad_b


class Maximum(Node):
    """max(a, b);  the gradient goes to the larger input and half to each on ties.

    As PyTorch: where the comparison is undecided (a NaN) both inputs get all of it, and the
    input that lost gets exactly 0 (masked, so a NaN upstream gradient cannot leak into it).
    """

    save_inputs = True
    pick = staticmethod(np.maximum)
    beats = staticmethod(np.greater)

    def forward(self, a, b):
        return self.pick(a, b)

    def backward(self, g):
        a, b = (t._array for t in self.inputs)
        need_a, need_b = self.needs_input_grad
        shared = Where.apply(self.constant(a == b), g * 0.5, g)
        return (_zero_where(self.beats(b, a), shared) if need_a else None,
                _zero_where(self.beats(a, b), shared) if need_b else None)


class Minimum(Maximum):
    """min(a, b);  as Maximum, with the smaller input winning."""

    pick = staticmethod(np.minimum)
    beats = staticmethod(np.less)


class Where(Node):
    """where(cond, a, b);  the gradient flows to whichever input was picked, and is exactly 0
    for the other (a NaN upstream gradient does not leak into it)."""

    save_inputs = ((1, 2), (), ())  # the condition, read by both gradients

    def forward(self, cond, a, b):
        return select(cond, a, b)

    def backward(self, g):
        cond = self.inputs[0]
        _, need_a, need_b = self.needs_input_grad
        zero = self.constant(np.zeros((), g.dtype))
        return None, Where.apply(cond, g, zero) if need_a else None, Where.apply(cond, zero, g) if need_b else None


def _zero_where(mask: np.ndarray, g):
    """g with exact zeros where mask holds (a NaN in g does not survive there)."""
    return Where.apply(Node.constant(mask), Node.constant(np.zeros((), g.dtype)), g)


def select(cond: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.where(cond, a, b), as a product when b is a constant 0 (a gradient masked to zero).

    np.where branches per element, and on an unpredictable mask (a ReLU's) it is ~9x slower
    than a multiplication. a·cond equals the selection up to the sign of zero wherever a is
    finite; if the product is not all finite (an inf or NaN in a), np.where decides."""
    if b.ndim == 0 and b == 0 and a.shape == cond.shape and a.dtype.kind == "f":
        with np.errstate(invalid="ignore"):  # inf·0: then np.where decides
            product = np.multiply(a, cond, dtype=a.dtype)
        if np.isfinite(product).all():
            return product
    return np.where(cond, a, b)


class Exp(Node):
    """exp(a);  d/da = exp(a), the output itself"""

    save_output = True

    def forward(self, a):
        return np.exp(a)

    def backward(self, g):
        return g * self.output


class Log(Node):
    """log(a);  d/da = 1/a"""

    save_inputs = True

    def forward(self, a):
        return np.log(a)

    def backward(self, g):
        return g / self.inputs[0]


class Log1p(Node):
    """log(1 + a), exact for tiny a (softplus and BCE-with-logits need it);  d/da = 1/(1 + a)"""

    save_inputs = True

    def forward(self, a):
        return np.log1p(a)

    def backward(self, g):
        return g / (1 + self.inputs[0])


class Erf(Node):
    """erf(a) = 2/√π ∫₀ᵃ e^(−t²) dt;  d/da = 2/√π · e^(−a²)

    NumPy has no erf, so the forward sums its Maclaurin series for |a| < 3 and a continued
    fraction of erfc beyond (absolute error ~5e-14, smooth, exact at 0); float32 and narrower
    inputs take `erf_float32`, a few polynomial passes in their own precision (GELU calls erf on
    every activation of a transformer's MLP, where the float64 series took most of a step).
    The backward is the exact derivative, so GELU's first and second derivatives are exact too."""

    save_inputs = True

    def forward(self, a):
        if a.dtype.itemsize <= 4:
            return erf_float32(a.astype(np.float32, copy=False)).astype(a.dtype, copy=False)
        return erf(a.astype(np.float64, copy=False))

    def backward(self, g):
        a = self.inputs[0]
        return g * ((-(a * a)).exp() * (2 / np.sqrt(np.pi)))


class Gelu(Node):
    """GELU, a Φ(a), Φ(a) = (1 + erf(a/√2))/2 the standard normal CDF;
    d/da = Φ(a) + a φ(a), φ(a) = e^(−a²/2)/√(2π) its density.

    A primitive for speed: every activation of a transformer's MLP goes through it, and composed
    (scale, erf, add, two products) the backward alone was a dozen passes over the activations.
    The backward computes the slope Φ + a φ(a) in NumPy, in place, from the forward's Φ, and
    multiplies the gradient by it as a constant, unless the backward is itself being recorded
    (create_graph=True): then the same expression is built in Tensor ops, Φ recomputed from a,
    so that it is differentiated too."""

    save_inputs = True
    saves = ("cdf",)

    def forward(self, a):
        if a.dtype.itemsize <= 4:
            out, self.cdf = gelu_float32(a.astype(np.float32, copy=False))
            return out.astype(a.dtype, copy=False)
        self.cdf = cdf = erf(a * math.sqrt(0.5))
        cdf += 1
        cdf *= 0.5
        return a * cdf

    def backward(self, g):
        a = self.inputs[0]
        if grad_state.enabled:
            cdf = ((a * math.sqrt(0.5)).erf() + 1) * 0.5
            return g * (cdf + a * ((a * a * -0.5).exp() * (1 / math.sqrt(2 * math.pi))))
        slope = np.square(a._array, out=np.empty_like(a._array))  # Φ + a φ(a) as above, in place
        slope *= -0.5
        np.exp(slope, out=slope)
        slope *= slope.dtype.type(1 / math.sqrt(2 * math.pi))
        slope *= a._array
        slope += self.cdf
        return g * self.constant(slope)


def erf(x: np.ndarray) -> np.ndarray:
    """erf of a float64 array: the series for |x| < 3, the continued fraction of erfc beyond."""
    out = np.empty_like(x)
    near = np.abs(x) < 3
    out[near] = _erf_series(x[near])
    out[~near] = np.copysign(1 - _erfc_continued_fraction(np.abs(x[~near])), x[~near])
    return out


_ERF_SERIES = [2 / math.sqrt(math.pi) * (-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(48)]


def _erf_series(x):
    """erf(x) = 2/√π Σₙ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n+1)), Horner in x²; 48 terms reach 1e-18 at |x| = 3."""
    x2 = x * x
    acc = np.full_like(x, _ERF_SERIES[-1])
    for coefficient in reversed(_ERF_SERIES[:-1]):
        acc *= x2
        acc += coefficient
    return acc * x


ERF_FLOAT32_CLIP = 4.25
ERF_FLOAT32_BLOCK = 65536  # 256 KiB of float32


def erf_float32(x: np.ndarray) -> np.ndarray:
    """erf of a float32 array to float32's precision (within 4 ulp), in float32 and branch-free:

        erf(x) = tanh(x · P(x²)),  x clipped to [−4.25, 4.25]

    where x · P(x²) approximates artanh(erf(x)), an odd function as smooth as erf that grows
    instead of saturating, so one polynomial covers the whole range; past the clip, erf rounds
    to 1 and the tanh of x · P(x²) there (10.4) does too. P is a least-squares Chebyshev fit of
    degree 13 to the float64 `erf`, made once, on first use. The ~30 passes of the polynomial
    run over blocks of ERF_FLOAT32_BLOCK elements, which stay in the CPU's cache between passes
    (1.5x faster than whole-array passes over a transformer's activations)."""
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    for start in range(0, flat.size, ERF_FLOAT32_BLOCK):
        block = slice(start, start + ERF_FLOAT32_BLOCK)
        _erf_float32_block(flat[block], out[block])
    return out.reshape(x.shape)


def gelu_float32(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a Φ(a), Φ(a)) of a float32 array, Φ(a) = (1 + erf(a/√2))/2, block by block as `erf_float32`."""
    flat = np.ascontiguousarray(a).reshape(-1)
    out, cdf = np.empty_like(flat), np.empty_like(flat)
    for start in range(0, flat.size, ERF_FLOAT32_BLOCK):
        block = slice(start, start + ERF_FLOAT32_BLOCK)
        _erf_float32_block(flat[block] * np.float32(math.sqrt(0.5)), cdf[block])
        cdf[block] += 1
        cdf[block] *= 0.5
        np.multiply(flat[block], cdf[block], out=out[block])
    return out.reshape(a.shape), cdf.reshape(a.shape)


def _erf_float32_block(x: np.ndarray, out: np.ndarray) -> None:
    """out = tanh(x · P(x²)), x clipped (see erf_float32)."""
    clipped = np.clip(x, np.float32(-ERF_FLOAT32_CLIP), np.float32(ERF_FLOAT32_CLIP))
    argument = _horner(clipped * clipped, _erf_float32_fit())
    argument *= clipped
    np.tanh(argument, out=out)


def _horner(x: np.ndarray, coefficients: np.ndarray) -> np.ndarray:
    """Σ cₖ xᵏ (coefficients highest first), in x's dtype, in place after the first product."""
    acc = x * coefficients[0]
    for coefficient in coefficients[1:-1]:
        acc += coefficient
        acc *= x
    acc += coefficients[-1]
    return acc


@functools.cache
def _erf_float32_fit() -> np.ndarray:
    """The float32 coefficients, highest power first, of P(u) ≈ artanh(erf(√u)) / √u for u up to
    the clip squared (fitted on a dense grid of x, then converted to plain powers of u)."""
    x = np.linspace(0, ERF_FLOAT32_CLIP, 20001)[1:]
    fit = np.polynomial.Chebyshev.fit(x * x, np.arctanh(np.minimum(erf(x), 1 - 2 ** -53)) / x, 13,
                                      domain=[0, ERF_FLOAT32_CLIP ** 2])
    return fit.convert(kind=np.polynomial.Polynomial).coef[::-1].astype(np.float32)


def _erfc_continued_fraction(z, levels: int = 60):
    """erfc(z) = e^(−z²)/√π · 1/(z + ½/(z + 1/(z + (3/2)/(z + ...)))); 60 levels reach float64
    precision for z ≥ 3, 120 for z ≥ 1.5."""
    tail = np.zeros_like(z)
    for k in range(levels, 0, -1):
        tail = (k / 2) / (z + tail)
    return np.exp(-z * z) / (math.sqrt(math.pi) * (z + tail))


class Sin(Node):
    """sin(a);  d/da = cos(a)"""

    save_inputs = True

    def forward(self, a):
        return np.sin(a)

    def backward(self, g):
        return g * self.inputs[0].cos()


class Cos(Node):
    """cos(a);  d/da = -sin(a)"""

    save_inputs = True

    def forward(self, a):
        return np.cos(a)

    def backward(self, g):
        return -(g * self.inputs[0].sin())


class Tanh(Node):
    """tanh(a);  d/da = 1 - tanh(a)², from the output. A primitive: NumPy's tanh is stable and fast."""

    save_output = True

    def forward(self, a):
        return np.tanh(a)

    def backward(self, g):
        y = self.output
        return g * (1 - y * y)


class Sigmoid(Node):
    """σ(a) = 1 / (1 + e^-a);  d/da = σ(a)(1 - σ(a)).

    A primitive for stability: σ = exp(min(a, 0)) / (1 + exp(-|a|)), which is 1/(1+e^-a) for
    a >= 0 and e^a/(1+e^a) for a < 0, so no exp ever overflows (np.where, the obvious way to
    pick the branch, is ~10x slower than these passes).
    """

    save_output = True

    def forward(self, a):
        return np.exp(np.minimum(a, 0)) / (1 + np.exp(-np.abs(a)))

    def backward(self, g):
        y = self.output
        return g * (y * (1 - y))


class Relu(Node):
    """max(a, 0);  d/da = 0 where the output is <= 0, else 1 (relu'(0) = 0, as PyTorch)."""

    save_output = True

    def forward(self, a):
        return np.maximum(a, 0)

    def backward(self, g):
        passes = np.logical_not(self.out <= 0)  # not `> 0`: at a NaN input the gradient passes, as PyTorch
        return Where.apply(self.constant(passes), g, self.constant(np.zeros((), g.dtype)))


class Sign(Node):
    """sign(a), 0 at 0 and at NaN (as PyTorch);  d/da = 0: a zero gradient, not a missing one."""

    def forward(self, a):
        signs = np.sign(a)
        return np.where(np.isnan(signs), 0, signs) if signs.dtype.kind == "f" else signs

    def backward(self, g):
        return self.constant(np.zeros_like(g._array))


class Abs(Node):
    """|a|;  d/da = sign(a) (0 at 0 and at NaN, as PyTorch)"""

    save_inputs = True

    def forward(self, a):
        return np.abs(a)

    def backward(self, g):
        return g * self.inputs[0].sign()


class Cast(Node):
    """a converted to another float dtype (or copied, for `clone`, or into C order, for
    `contiguous`);  the gradient is converted back."""

    def forward(self, a, dtype, order="K"):
        self.input_dtype = a.dtype
        return a.astype(dtype, order=order)

    def backward(self, g):
        return g.astype(self.input_dtype)
