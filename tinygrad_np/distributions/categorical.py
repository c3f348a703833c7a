"""`Categorical(probs=None, logits=None)`: one of K categories, 0..K-1, drawn with the
probabilities along the last dim of the parameter."""

from __future__ import annotations

import math

from .. import creation, dtypes
from ..shapes import broadcast_shape
from ..size import Size
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import EMPTY_SHAPE, lazy_property, logits_to_probs, probs_to_logits


class Categorical(Distribution):
    """P(X = k) = p_k, with p the last dim of `probs` divided by its sum, or the softmax of
    `logits` (given exactly one of them); the other dims are the batch.

    `logits` is kept normalised, logits - logsumexp(logits), so that it is log p. `log_prob`
    gathers it at the values, so gradients flow to whichever parameter was given.
    `sample` inverts the cumulative sum of p at uniform draws of the library generator.
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs: Tensor | None = None, logits: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.shape[-1]
        batch_shape = self._param.shape[:-1] if self._param.dim() > 1 else Size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance: Distribution | None = None) -> Categorical:
        new = self._new_instance(Categorical, _instance)
        batch_shape = Size(batch_shape)
        param_shape = batch_shape + (self._num_events,)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(param_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(param_shape)
            new._param = new.logits
        new._num_events = self._num_events
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self) -> Tensor:
        """log p (of p clamped to [eps, 1 - eps], so finite)."""
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self) -> Tensor:
        """softmax(logits) along the last dim."""
        return logits_to_probs(self.logits)

    @property
    def param_shape(self) -> Size:
        """The shape of the parameter given: batch_shape + (K,)."""
        return self._param.shape

    @property
    def mean(self) -> Tensor:
        """NaN: categories have no order."""
        return creation.full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(-1)

    @property
    def variance(self) -> Tensor:
        """NaN, as the mean."""
        return creation.full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    def sample(self, sample_shape=EMPTY_SHAPE) -> Tensor:
        """int64 category indices of shape sample_shape + batch_shape."""
        if not isinstance(sample_shape, Size):
            sample_shape = Size(sample_shape)
        rows = self.probs.detach().reshape(-1, self._num_events)
        drawn = rows.multinomial(sample_shape.numel(), True).T
        return drawn.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """log p_value, the normalised logits gathered at the (broadcast) values."""
        if self._validate_args:
            self._validate_sample(value)
        shape = broadcast_shape("log_prob", value.shape, self.logits.shape[:-1])
        index = value.long().reshape(value.shape + (1,)).expand(shape + (1,))
        return self.logits.expand(shape + (self._num_events,)).gather(-1, index).squeeze(-1)

    def entropy(self) -> Tensor:
        """-Σ_k p_k log p_k (the logits clamped to the dtype's smallest float, so 0·log 0 is 0)."""
        logits = self.logits.clamp(min=dtypes.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """0..K-1 along a new leading dim, as int64."""
        values = creation.arange(self._num_events, dtype=dtypes.int64)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + tuple(self._batch_shape)) if expand else values
