"""The pointwise activations beyond relu, elu, sigmoid and tanh, as functions of Tensor ops
(exported by `nn.functional`).

At the kinks the gradient is PyTorch's: 0 at hardtanh's (and relu6's) clamps and at
hardsigmoid's ±3, hardswish's 0 at −3 and 1 at 3, selu's negative-side slope α·scale at 0,
prelu's weight at 0, threshold's 0 at the threshold. `inplace=True` writes the result into the
input, as `F.relu` does.
"""

from __future__ import annotations

import math
import warnings

from ..inplace import modify
from ..tensor import Tensor, where

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _apply(input: Tensor, inplace: bool, name: str, compute) -> Tensor:
    return modify(input, name, compute) if inplace else compute(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(βx)) / β, and x itself where βx > threshold (PyTorch's cut-off).

    Written so that neither branch overflows, even in the gradient:
    z + log1p(e^(−z)) for z > 0 and log1p(e^z) otherwise."""
    scaled = input * beta
    positive = scaled._array > 0
    z_pos = where(positive, scaled, 0.0)
    z_neg = where(positive, 0.0, scaled)
    smooth = where(positive, z_pos + (-z_pos).exp().log1p(), z_neg.exp().log1p())
    if beta != 1:
        smooth = smooth / beta
    return where(scaled._array > threshold, input, smooth)


def logsigmoid(input: Tensor) -> Tensor:
    """log σ(x) = −softplus(−x), finite for any x."""
    return -softplus(-input, threshold=math.inf)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x σ(x) (the swish)."""
    return _apply(input, inplace, "silu_", lambda x: x * x.sigmoid())


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x tanh(softplus(x))."""
    return _apply(input, inplace, "mish_", lambda x: x * softplus(x).tanh())


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clamped to [min_val, max_val], with gradient 0 at the clamps themselves."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")

    def compute(x: Tensor) -> Tensor:
        return where(x <= min_val, min_val, where(x >= max_val, max_val, x))

    return _apply(input, inplace, "hardtanh_", compute)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): hardtanh on [0, 6]."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6: 0 up to −3, 1 from 3, x/6 + 1/2 between."""
    return _apply(input, inplace, "hardsigmoid_", lambda x: where(x <= -3, 0.0, where(x >= 3, 1.0, x / 6 + 0.5)))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x · relu6(x + 3) / 6: 0 up to −3, x from 3, x(x + 3)/6 between."""
    return _apply(input, inplace, "hardswish_", lambda x: where(x <= -3, 0.0, where(x >= 3, x, x * (x + 3) / 6)))


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale · (x if x > 0 else α(eˣ − 1)), with Klambauer et al.'s α ≈ 1.6733, scale ≈ 1.0507."""
    def compute(x: Tensor) -> Tensor:
        positive = x > 0
        return where(positive, x, (where(positive, 0.0, x).exp() - 1) * SELU_ALPHA) * SELU_SCALE

    return _apply(input, inplace, "selu_", compute)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else α(e^(x/α) − 1): the ELU made continuously differentiable for any α."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")

    def compute(x: Tensor) -> Tensor:
        positive = x > 0
        return where(positive, x, ((where(positive, 0.0, x) / alpha).exp() - 1) * alpha)

    return _apply(input, inplace, "celu_", compute)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    return _apply(input, inplace, "threshold_", lambda x: where(x > threshold, x, value))


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else a · x, with one learnt slope a for all channels or one per channel
    (dim 1; an input of fewer than 2 dims has one channel)."""
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    count = weight.numel()
    if count == 1:
        weight = weight.reshape(())
    else:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if count != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{count} and channel size = {channels}.")
        weight = weight.reshape((count,) + (1,) * (input.ndim - 2))
    return where(input > 0, input, weight * input)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a σ(b), where a and b are the two halves of the input along dim."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    dim = dim % input.ndim if -input.ndim <= dim < input.ndim else dim
    if not 0 <= dim < input.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.ndim}, {input.ndim - 1}], "
                         f"but got {dim})")
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {input.shape[dim]}")
    first, second = input.chunk(2, dim)
    return first * second.sigmoid()


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x − tanh x."""
    return input - input.tanh()


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(−x) along dim; `dtype` casts the input first, as PyTorch."""
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        warnings.warn("Implicit dimension choice for softmin has been deprecated. Change the call to include dim=X "
                      "as an argument.", stacklevel=_stacklevel)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return (-input).softmax(dim)
