"""The margin, embedding and likelihood losses (exported by `nn.functional`), composed from
Tensor ops: margin ranking, hinge embedding, soft margin, multi-label soft margin, cosine
embedding, triplet margin, Gaussian and Poisson negative log-likelihood, and the pairwise
distance they build on. Every one but the Gaussian NLL takes PyTorch's deprecated
size_average and reduce in PyTorch's positions."""

from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor, as_tensor, where
from .activation_functions import softplus
from .reduction import _legacy_reduction


def _like(target, input: Tensor) -> Tensor:
    """Targets (and class weights) as a tensor of the input's floating dtype, so a float64
    constant does not turn a float32 loss into float64."""
    target = as_tensor(target)
    return target.astype(input.dtype) if target.dtype != input.dtype and input.dtype.kind == "f" else target


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + ε‖_p along the last dim (ε keeps the gradient finite where x1 = x2)."""
    difference = x1 - x2 + eps
    if p == math.inf:
        return difference.abs().amax(-1, keepdim=keepdim)
    if p == 1:
        return difference.abs().sum(-1, keepdim=keepdim)
    return (difference.abs() ** p).sum(-1, keepdim=keepdim) ** (1 / p)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target, margin: float = 0.0, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, −y (x1 − x2) + margin): y = 1 asks for x1 above x2 by the margin, y = −1 below."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _like(target, input1)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input: Tensor, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin − x) where y = −1 (as PyTorch, a y that is neither gets both)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = np.asarray(as_tensor(target)._array)
    return _reduce(where(target != 1, (margin - input).clamp(min=0), 0.0) + where(target != -1, input, 0.0),
                   reduction)


def soft_margin_loss(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """log(1 + e^(−y x)) for labels y = ±1, as softplus(−y x): finite for any x."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce(softplus(-_like(target, input) * input, threshold=math.inf), reduction)


def multilabel_soft_margin_loss(input: Tensor, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """−(y log σ(x) + (1 − y) log σ(−x)), times the class weight, averaged over the classes
    (the last dim): one loss per sample, then reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _like(target, input)
    losses = target * softplus(-input, threshold=math.inf) + (1 - target) * softplus(input, threshold=math.inf)
    if weight is not None:
        losses = losses * _like(weight, input)
    losses = losses.sum(input.ndim - 1) / input.shape[-1]
    return _reduce(losses, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target, margin: float = 0.0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:
    """1 − cos(x1, x2) where y = 1, max(0, cos(x1, x2) − margin) where y = −1, 0 otherwise; the
    cosine along the last dim of (N, D) or (D,) inputs, with PyTorch's ε = 1e-12 added to each
    squared norm."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if input1.ndim not in (1, 2) or input1.shape != input2.shape:
        raise RuntimeError(f"cosine_embedding_loss: expected input1 and input2 of the same shape, (N, D) or (D,), "
                           f"got {input1.shape} and {input2.shape}")
    dim = input1.ndim - 1
    norms = (((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)).sqrt()
    cosine = (input1 * input2).sum(dim) / norms
    target = np.asarray(as_tensor(target)._array)
    losses = where(target == 1, 1 - cosine, 0.0) + where(target == -1, (cosine - margin).clamp(min=0), 0.0)
    return _reduce(losses, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) − d(a, n)), d the pairwise distance; with swap, d(a, n) is
    replaced by min(d(a, n), d(p, n)) (Balntas et al.)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    to_positive = pairwise_distance(anchor, positive, p, eps)
    to_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = to_negative.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((to_positive - to_negative + margin).clamp(min=0), reduction)


def gaussian_nll_loss(input: Tensor, target, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """½ (log v + (x − y)² / v) (+ ½ log 2π with `full`), for predicted means x and variances v.

    v is clamped below at ε for stability, the clamp letting the gradient through, as
    PyTorch's. v may have the input's shape, lack its last dim, or have size 1 in exactly one
    of its dims (one variance shared along it)."""
    if isinstance(var, float | int):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = np.full(input.shape, float(var), dtype=input.dtype)
    var = as_tensor(var)
    if (var._array < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and sum(v for n, v in zip(input.shape, var.shape) if n != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var + (np.maximum(var._array, eps) - var._array)  # clamped value, identity gradient
    difference = input - _like(target, input)
    losses = 0.5 * (var.log() + difference * difference / var)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return _reduce(losses, reduction)


def poisson_nll_loss(input: Tensor, target, log_input: bool = True, full: bool = False, size_average=None,
                     eps: float = 1e-8, reduce=None, reduction: str = "mean") -> Tensor:
    """e^x − y x for log-rates x (log_input), or x − y log(x + ε) for rates x; with `full`, plus
    Stirling's y log y − y + ½ log(2π y) where y > 1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _like(target, input)
    losses = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        above_one = target._array > 1
        safe = where(above_one, target, 1.0)
        losses = losses + where(above_one, safe * safe.log() - safe + 0.5 * (safe * (2 * math.pi)).log(), 0.0)
    return _reduce(losses, reduction)
