"""`Distribution`: what every probability distribution offers (PyTorch's
`torch.distributions.Distribution`), and the shapes and checks they share.

Shapes: a distribution holds a batch of independent distributions (`batch_shape`), each over
events of `event_shape`. `sample(sample_shape)` draws tensors of
sample_shape + batch_shape + event_shape; `log_prob(value)` gives one log-density per event,
of the broadcast of value's batch dims with batch_shape.

Every method is composed from Tensor ops, so `log_prob`, `entropy` and `rsample` are
differentiable with respect to the parameters through the engine.
"""

from __future__ import annotations

from typing import Any

from ..autograd import no_grad
from ..size import Size
from ..tensor import Tensor
from . import constraints
from .utils import EMPTY_SHAPE, lazy_property


class Distribution:
    """The base class: shapes, argument validation and the interface, each method raising
    NotImplementedError until a family defines it.

    `validate_args` (default True, as PyTorch under Python's `__debug__`): parameters outside
    `arg_constraints` raise a ValueError when the distribution is built, and values outside
    `support` (or of a shape that does not broadcast) raise one in `log_prob`.
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Whether distributions built without `validate_args` check their arguments."""
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=EMPTY_SHAPE, event_shape=EMPTY_SHAPE, validate_args: bool | None = None) -> None:
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            self._check_parameters()

    def _check_parameters(self) -> None:
        for name, constraint in self.arg_constraints.items():
            if constraints.is_dependent(constraint):
                continue
            if name not in self.__dict__ and isinstance(getattr(type(self), name, None), lazy_property):
                continue  # computed from the parameter that was given, which is checked
            value = getattr(self, name)
            if not constraint.check(value)._array.all():
                raise ValueError(f"Expected parameter {name} ({type(value).__name__} of shape {tuple(value.shape)}) "
                                 f"of distribution {self!r} to satisfy the constraint {constraint!r}, "
                                 f"but found invalid values:\n{value}")

    @property
    def batch_shape(self) -> Size:
        """The shape over which the parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        """The shape of a single sample (without batching)."""
        return self._event_shape

    @property
    def arg_constraints(self) -> dict[str, constraints.Constraint]:
        """Each parameter's name and the set its values must lie in."""
        raise NotImplementedError

    @property
    def support(self) -> constraints.Constraint:
        """The set of values that have positive density or mass."""
        raise NotImplementedError

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self)} does not implement mean")

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self)} does not implement mode")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self)} does not implement variance")

    @property
    def stddev(self) -> Tensor:
        """√variance."""
        return self.variance.sqrt()

    def expand(self, batch_shape, _instance: Distribution | None = None) -> Distribution:
        """The same distribution with its parameters expanded to `batch_shape` (no copy)."""
        raise NotImplementedError

    def sample(self, sample_shape=EMPTY_SHAPE) -> Tensor:
        """A draw of shape sample_shape + batch_shape + event_shape, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=EMPTY_SHAPE) -> Tensor:
        """A reparameterized draw: a differentiable function of the parameters and of
        parameter-free noise, so gradients flow through it."""
        raise NotImplementedError

    def log_prob(self, value: Tensor) -> Tensor:
        """log of the density (or mass) at `value`."""
        raise NotImplementedError

    def cdf(self, value: Tensor) -> Tensor:
        """P(X <= value)."""
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        """The value at which the cdf reaches `value`."""
        raise NotImplementedError

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """Every value of a discrete support, along a new leading dim (expanded over the batch
        shape if `expand`, else of size 1 in those dims)."""
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """-E[log p(X)], one per batch element."""
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        """exp(entropy)."""
        return self.entropy().exp()

    def _extended_shape(self, sample_shape=EMPTY_SHAPE) -> Size:
        """sample_shape + batch_shape + event_shape."""
        if not isinstance(sample_shape, Size):
            sample_shape = Size(sample_shape)
        return sample_shape + self._batch_shape + self._event_shape

    def _validate_sample(self, value: Any) -> None:
        """Raise a ValueError unless `value` is a tensor that broadcasts with the batch and
        event shapes and lies in the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = value.dim() - len(self._event_shape)
        if value.shape[event_dim_start:] != self._event_shape:
            raise ValueError(f"The right-most size of value must match event_shape: {value.shape} vs "
                             f"{self._event_shape}.")
        expected = self._batch_shape + self._event_shape
        for actual_size, expected_size in zip(reversed(value.shape), reversed(expected)):
            if actual_size != 1 and expected_size != 1 and actual_size != expected_size:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: {value.shape} vs "
                                 f"{expected}.")
        support = self.support
        if not support.check(value)._array.all():
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) to be "
                             f"within the support ({support!r}) of the distribution {self!r}, but found invalid "
                             f"values:\n{value}")

    def _new_instance(self, cls: type, _instance: Distribution | None) -> Distribution:
        """The object `expand` fills in: `_instance` (a subclass's), or a bare instance of `cls`."""
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(f"Subclass {type(self).__name__} of {cls.__name__} that defines a custom "
                                      "__init__ method must also define a custom .expand() method.")
        return type(self).__new__(type(self)) if _instance is None else _instance

    def __repr__(self) -> str:
        shown = {name: self.__dict__[name] for name in self.arg_constraints if name in self.__dict__}
        args = ", ".join(f"{name}: {value if value.numel() == 1 else value.size()}" for name, value in shown.items())
        return f"{type(self).__name__}({args})"
