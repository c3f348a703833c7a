"""`kl_divergence(p, q)`: KL(p ‖ q) = E_p[log p(X) - log q(X)], one per batch element, from
closed forms registered per pair of families with `register_kl`."""

from __future__ import annotations

import math
from collections.abc import Callable

from ..nn.functional import softplus
from ..tensor import Tensor, as_tensor, where
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .independent import Independent, sum_rightmost
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .uniform import Uniform

_KL_REGISTRY: dict[tuple[type, type], Callable] = {}


def register_kl(type_p: type, type_q: type) -> Callable[[Callable], Callable]:
    """Decorator registering `fn(p, q)` as KL(p ‖ q) for p of type_p and q of type_q (and
    their subclasses, unless a pair of closer classes is registered)."""
    if not (isinstance(type_p, type) and issubclass(type_p, Distribution)):
        raise TypeError(f"Expected type_p to be a Distribution subclass but got {type_p}")
    if not (isinstance(type_q, type) and issubclass(type_q, Distribution)):
        raise TypeError(f"Expected type_q to be a Distribution subclass but got {type_q}")

    def decorator(fn: Callable) -> Callable:
        _KL_REGISTRY[type_p, type_q] = fn
        return fn

    return decorator


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p ‖ q) by the rule registered for the closest pair of classes (p's class first);
    NotImplementedError when no registered pair matches."""
    type_p, type_q = type(p), type(q)
    matches = [(type_p.__mro__.index(a), type_q.__mro__.index(b), fn) for (a, b), fn in _KL_REGISTRY.items()
               if issubclass(type_p, a) and issubclass(type_q, b)]
    if not matches:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type {type_p.__name__} and q type "
                                  f"{type_q.__name__}")
    return min(matches, key=lambda match: match[:2])[2](p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    """½ (σp²/σq² + (μp - μq)²/σq² - 1 - log(σp²/σq²))."""
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    """Σ_k p_k (log p_k - log q_k): ∞ if q_k = 0 < p_k, and terms with p_k = 0 count 0."""
    t = p.probs * (p.logits - q.logits)
    t = where(q.probs == 0, math.inf, t)
    t = where(p.probs == 0, 0.0, t)
    return t.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehotcategorical_onehotcategorical(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    """p log(p/q) + (1 - p) log((1 - p)/(1 - q)), with log p = -softplus(-logit) and
    log(1 - p) = -softplus(logit): ∞ where q puts no mass on a value p can take."""
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = where(p.probs == 0, 0.0, where(q.probs == 0, math.inf, t1))
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = where(p.probs == 1, 0.0, where(q.probs == 1, math.inf, t2))
    return t1 + t2


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    """log((q.high - q.low) / (p.high - p.low)) if [p.low, p.high] ⊆ [q.low, q.high], else ∞."""
    result = ((q.high - q.low) / (p.high - p.low)).log()
    outside = (q.low._array > p.low._array) | (q.high._array < p.high._array)
    return where(as_tensor(outside), math.inf, result)


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    """The base distributions' KL summed over the reinterpreted dims (both must reinterpret as many)."""
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)
