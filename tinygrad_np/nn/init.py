"""Weight initialisation, in place, with PyTorch's formulas; draws from the seeded generator.

Each function overwrites the tensor's array in place (keeping its dtype and memory; an in-place
op, so the tensor's version goes up, as in PyTorch) and returns the tensor.
Fans follow PyTorch: fan_in = size(1) · receptive field, fan_out = size(0) · receptive field.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..random import default_generator
from ..tensor import Tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activations' variance steady through the nonlinearity:
    1 (linear, sigmoid), 5/3 (tanh), √2 (relu), √(2 / (1 + slope²)) (leaky_relu), 3/4 (selu)."""
    if nonlinearity in ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                        "conv_transpose2d", "conv_transpose3d"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, int | float):
            raise ValueError(f"negative_slope {slope} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of {['fan_in', 'fan_out']}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, values) -> Tensor:
    np.copyto(tensor._array, values, casting="unsafe")
    tensor._bump_version()
    return tensor


def _generator(generator: np.random.Generator | None) -> np.random.Generator:
    return default_generator() if generator is None else generator


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """U(a, b)."""
    return _fill(tensor, _generator(generator).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: np.random.Generator | None = None) -> Tensor:
    """N(mean, std²)."""
    return _fill(tensor, _generator(generator).normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """U(−a, a), a = gain · √(6 / (fan_in + fan_out))  (Glorot & Bengio)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """N(0, std²), std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: np.random.Generator | None = None) -> Tensor:
    """U(−bound, bound), bound = gain · √(3 / fan)  (He et al.). nn.Linear uses a = √5, which
    makes bound = 1/√fan_in."""
    if _zero_elements(tensor):
        return tensor
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: np.random.Generator | None = None) -> Tensor:
    """N(0, std²), std = gain / √fan."""
    if _zero_elements(tensor):
        return tensor
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode)), generator)


def _zero_elements(tensor: Tensor) -> bool:
    """PyTorch's kaiming inits leave an empty tensor alone (its fan may be 0), with a warning."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix (ones on the main diagonal of a 2-D tensor, of any shape)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """The identity convolution: for each group, out channel d of the group (d < min(out per
    group, in)) takes in channel d at the kernel's centre (index size // 2 along each spatial dim)."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if tensor.shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = tensor.shape[0] // groups
    values = np.zeros(tensor.shape)
    centre = tuple(size // 2 for size in tensor.shape[2:])
    for group in range(groups):
        for d in range(min(out_per_group, tensor.shape[1])):
            values[(group * out_per_group + d, d) + centre] = 1
    return _fill(tensor, values)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: np.random.Generator | None = None) -> Tensor:
    """A (semi-)orthogonal matrix, the tensor viewed as (size(0), rest): Q of the QR of a
    standard Gaussian matrix (transposed when wider than tall), each column's sign set so that
    R's diagonal is positive (Saxe et al.; PyTorch's sign fix), times gain."""
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    gaussian = _generator(generator).standard_normal((rows, cols))
    if rows < cols:
        gaussian = gaussian.T
    q, r = np.linalg.qr(gaussian)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (q * gain).reshape(tensor.shape))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator: np.random.Generator | None = None) -> Tensor:
    """N(mean, std²) restricted to [a, b] (a and b are values, not multiples of std), sampled
    exactly by redrawing the values that fall outside. As PyTorch, warns when mean is more
    than 2 std outside [a, b]; an interval holding less than 0.1% of the probability cannot be
    sampled so and raises ValueError."""
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may "
                      "be incorrect.", stacklevel=2)
    low, high = (a - mean) / (std * math.sqrt(2)), (b - mean) / (std * math.sqrt(2))
    mass = (math.erfc(low) - math.erfc(high)) / 2 if low > 0 else (math.erfc(-high) - math.erfc(-low)) / 2
    if not mass >= 1e-3:
        raise ValueError(f"trunc_normal_: [a, b] = [{a}, {b}] holds a probability of only {mass:.3g} under "
                         f"N({mean}, {std}²); sampling it by rejection is impractical, bring mean within [a, b]")
    rng, count = _generator(generator), tensor.numel()
    values = np.empty(count)
    filled = 0
    while filled < count:
        draws = rng.normal(mean, std, min(int((count - filled) / mass * 1.1) + 16, 1 << 22))
        kept = draws[(draws >= a) & (draws <= b)][:count - filled]
        values[filled:filled + kept.size] = kept
        filled += kept.size
    return _fill(tensor, values.reshape(tensor.shape))


def _deprecated(name: str, function):
    """PyTorch's pre-0.4 names without the trailing underscore, still accepted with a FutureWarning."""
    def deprecated(*args, **kwargs):
        warnings.warn(f"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`.", FutureWarning,
                      stacklevel=2)
        return function(*args, **kwargs)

    deprecated.__name__ = deprecated.__qualname__ = name
    deprecated.__doc__ = f"Deprecated alias of `{name}_`."
    return deprecated


uniform = _deprecated("uniform", uniform_)
normal = _deprecated("normal", normal_)
constant = _deprecated("constant", constant_)
eye = _deprecated("eye", eye_)
dirac = _deprecated("dirac", dirac_)
xavier_uniform = _deprecated("xavier_uniform", xavier_uniform_)
xavier_normal = _deprecated("xavier_normal", xavier_normal_)
kaiming_uniform = _deprecated("kaiming_uniform", kaiming_uniform_)
kaiming_normal = _deprecated("kaiming_normal", kaiming_normal_)
orthogonal = _deprecated("orthogonal", orthogonal_)
