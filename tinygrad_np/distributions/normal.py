"""`Normal(loc, scale)`: the Gaussian N(μ, σ²), with reparameterized sampling."""

from __future__ import annotations

import math
from numbers import Number

from .. import creation
from ..size import Size
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import EMPTY_SHAPE, broadcast_all


class Normal(Distribution):
    """density(x) = exp(-(x - μ)² / 2σ²) / (σ √(2π)), batched over the broadcast of loc and scale.

    rsample draws ε ~ N(0, 1) from the library generator (`tg.manual_seed` fixes it) and
    returns μ + σ ε, differentiable in μ and σ.
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        batch_shape = Size() if isinstance(loc, Number) and isinstance(scale, Number) else self.loc.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance: Distribution | None = None) -> Normal:
        new = self._new_instance(Normal, _instance)
        batch_shape = Size(batch_shape)
        new.loc, new.scale = self.loc.expand(batch_shape), self.scale.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.scale.pow(2)

    def rsample(self, sample_shape=EMPTY_SHAPE) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = creation.randn(shape, dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        """-(x - μ)² / 2σ² - log σ - log √(2π)."""
        if self._validate_args:
            self._validate_sample(value)
        return -((value - self.loc) ** 2) / (2 * self.scale.pow(2)) - self.scale.log() - 0.5 * math.log(2 * math.pi)

    def cdf(self, value: Tensor) -> Tensor:
        """(1 + erf((x - μ) / (σ √2))) / 2."""
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ((value - self.loc) / (self.scale * math.sqrt(2))).erf())

    def entropy(self) -> Tensor:
        """½ + ½ log(2π) + log σ."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
