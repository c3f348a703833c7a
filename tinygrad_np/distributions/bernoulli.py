"""`Bernoulli(probs=None, logits=None)`: 1 with probability p, 0 otherwise."""

from __future__ import annotations

import math
from numbers import Number

from .. import creation
from ..autograd import no_grad
from ..nn.functional import softplus
from ..size import Size
from ..tensor import Tensor, where
from . import constraints
from .distribution import Distribution
from .utils import EMPTY_SHAPE, broadcast_all, lazy_property, logits_to_probs, probs_to_logits


def _log_likelihood(logits: Tensor, value: Tensor) -> Tensor:
    """y log σ(x) + (1 - y) log(1 - σ(x)) = -((1 - y) x + softplus(-x)), finite for any logit x."""
    return -((1 - value) * logits + softplus(-logits, threshold=math.inf))


class Bernoulli(Distribution):
    """P(X = 1) = p, P(X = 0) = 1 - p; p given as `probs` or as `logits` (p = σ(logits)),
    exactly one of them, batched over its shape.

    log_prob and entropy work from the logits (log σ(x) = -softplus(-x)), so they stay
    finite where p rounds to 0 or 1.
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            param, given = self.probs, probs
        else:
            (self.logits,) = broadcast_all(logits)
            param, given = self.logits, logits
        self._param = param
        super().__init__(Size() if isinstance(given, Number) else param.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance: Distribution | None = None) -> Bernoulli:
        new = self._new_instance(Bernoulli, _instance)
        batch_shape = Size(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
            new._param = new.logits
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def logits(self) -> Tensor:
        """log p - log(1 - p) (of p clamped to [eps, 1 - eps], so finite)."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        """σ(logits)."""
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Size:
        return self._param.shape

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        """1 where p > ½, 0 where p < ½, NaN where p = ½."""
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return where(self.probs == 0.5, math.nan, mode)

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=EMPTY_SHAPE) -> Tensor:
        """1 where a uniform draw of the library generator falls below p, else 0 (in p's dtype)."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            probs = self.probs.expand(shape)
            return (creation.rand(shape, dtype=probs.dtype) < probs).to(probs.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        """value · log p + (1 - value) · log(1 - p), from the logits."""
        if self._validate_args:
            self._validate_sample(value)
        if not value.is_floating_point():
            raise RuntimeError(f"Bernoulli.log_prob: the value must be a floating-point tensor, got {value.dtype}")
        logits, value = broadcast_all(self.logits, value)
        return _log_likelihood(logits, value)

    def entropy(self) -> Tensor:
        """-p log p - (1 - p) log(1 - p)."""
        return -_log_likelihood(self.logits, self.probs)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """0 and 1 along a new leading dim, in the parameter's dtype."""
        values = creation.arange(2, dtype=self._param.dtype)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + tuple(self._batch_shape)) if expand else values
