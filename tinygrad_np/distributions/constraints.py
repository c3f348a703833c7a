"""The sets that parameters and values of a distribution must lie in (PyTorch's
`torch.distributions.constraints`).

`check(value)` says elementwise (over the batch, after reducing the event dims) whether the
value lies in the set. It reads the values only, so it works on the arrays and is never part of
a graph. A distribution checks its parameters against `arg_constraints` when built and values
against `support` in `log_prob` (unless built with `validate_args=False`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, as_tensor


def _array(value: Any) -> np.ndarray:
    return value._array if isinstance(value, Tensor) else np.asarray(value)


class Constraint:
    """A set of values. `is_discrete` for sets of integers; `event_dim` is how many trailing
    dims make one element of the set (0 for numbers, 1 for vectors such as the simplex)."""

    is_discrete = False
    event_dim = 0

    def check(self, value: Any) -> Tensor:
        """A bool tensor: whether each element (each event, for event_dim > 0) lies in the set."""
        return as_tensor(np.asarray(self._holds(_array(value))))

    def _holds(self, value: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__.lstrip("_") + "()"


class _Dependent(Constraint):
    """A set that depends on other parameters; never checked by the distribution itself."""

    def __init__(self, *, is_discrete: bool = False, event_dim: int = 0) -> None:
        self.is_discrete = is_discrete
        self.event_dim = event_dim

    def check(self, value: Any) -> Tensor:
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint: Any) -> bool:
    """Whether `constraint` is one a distribution cannot check on its own."""
    return isinstance(constraint, _Dependent)


class _Real(Constraint):
    """The extended reals: every value but NaN."""

    def _holds(self, value):
        return value == value


class _Boolean(Constraint):
    """{0, 1}."""

    is_discrete = True

    def _holds(self, value):
        return (value == 0) | (value == 1)


class _OneHot(Constraint):
    """Vectors of zeros with a single one."""

    is_discrete = True
    event_dim = 1

    def _holds(self, value):
        return ((value == 0) | (value == 1)).all(-1) & (value.sum(-1) == 1)


class _Simplex(Constraint):
    """Vectors of non-negative entries summing to 1 (within 1e-6)."""

    event_dim = 1

    def _holds(self, value):
        return (value >= 0).all(-1) & (np.abs(value.sum(-1) - 1) < 1e-6)


class _GreaterThan(Constraint):
    """(lower_bound, ∞)."""

    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def _holds(self, value):
        return _array(self.lower_bound) < value

    def __repr__(self) -> str:
        return f"GreaterThan(lower_bound={self.lower_bound})"


class _LessThan(Constraint):
    """(-∞, upper_bound)."""

    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def _holds(self, value):
        return value < _array(self.upper_bound)

    def __repr__(self) -> str:
        return f"LessThan(upper_bound={self.upper_bound})"


class _Interval(Constraint):
    """[lower_bound, upper_bound]."""

    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def _holds(self, value):
        return (_array(self.lower_bound) <= value) & (value <= _array(self.upper_bound))

    def __repr__(self) -> str:
        return f"Interval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _IntegerInterval(Constraint):
    """The integers in [lower_bound, upper_bound]."""

    is_discrete = True

    def __init__(self, lower_bound: int, upper_bound: int) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def _holds(self, value):
        return (value % 1 == 0) & (self.lower_bound <= value) & (value <= self.upper_bound)

    def __repr__(self) -> str:
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _IndependentConstraint(Constraint):
    """`base_constraint` holding for every element of the last `reinterpreted_batch_ndims`
    dims, which become event dims."""

    def __init__(self, base_constraint: Constraint, reinterpreted_batch_ndims: int) -> None:
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        self.is_discrete = base_constraint.is_discrete
        self.event_dim = base_constraint.event_dim + reinterpreted_batch_ndims

    def _holds(self, value):
        holds = self.base_constraint.check(value)._array
        if holds.ndim < self.reinterpreted_batch_ndims:
            expected = self.base_constraint.event_dim + self.reinterpreted_batch_ndims
            raise ValueError(f"Expected value.dim() >= {expected} but got {value.ndim}")
        return holds.reshape(holds.shape[:holds.ndim - self.reinterpreted_batch_ndims] + (-1,)).all(-1)

    def __repr__(self) -> str:
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


dependent = _Dependent()
real = _Real()
real_vector = _IndependentConstraint(real, 1)
boolean = _Boolean()
one_hot = _OneHot()
simplex = _Simplex()
positive = _GreaterThan(0.0)
unit_interval = _Interval(0.0, 1.0)
independent = _IndependentConstraint
greater_than = _GreaterThan
less_than = _LessThan
interval = _Interval
integer_interval = _IntegerInterval

__all__ = ["Constraint", "boolean", "dependent", "greater_than", "independent", "integer_interval", "interval",
           "is_dependent", "less_than", "one_hot", "positive", "real", "real_vector", "simplex", "unit_interval"]
