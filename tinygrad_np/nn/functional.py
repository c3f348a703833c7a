"""The math of every layer and loss, as functions composed from Tensor ops.

Nothing here defines a backward: each function is a few Tensor ops, so its gradient (and
its gradient's gradient) comes from the primitives. Modules in `nn` hold parameters and
call these. Constants that need no gradient (masks, class weights, targets) are computed
in NumPy on the side and enter the graph as plain arrays. Padding, convolution and pooling
live in `spatial.py`, `spatial1d.py`, `transposed.py` and `adaptive.py`, the activations beyond
relu, elu, sigmoid and tanh in `activation_functions.py`; all are exported here.

`inplace=True` (relu, leaky_relu, elu, the dropouts) is PyTorch's: the input tensor itself
takes the result and is returned (its version counter moves, its views see the new values,
and a leaf that requires grad refuses, as in PyTorch), through the same machinery as
`Tensor.add_`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import dtypes
from ..errors import ShapeError
from ..inplace import modify
from ..ops.elementwise import Gelu
from ..ops.normalization import Normalize
from ..random import default_generator
from ..tensor import Tensor, as_array, as_tensor, tensor, where
from .activation_functions import (
    celu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    silu,
    softmin,
    softplus,
    softsign,
    tanhshrink,
    threshold,
)
from .adaptive import adaptive_avg_pool2d, adaptive_max_pool2d
from .attention import scaled_dot_product_attention
from .group_norm import group_norm, instance_norm
from .loss_functions import (
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multilabel_soft_margin_loss,
    pairwise_distance,
    poisson_nll_loss,
    soft_margin_loss,
    triplet_margin_loss,
)
from .reduction import _check_reduction, _legacy_reduction
from .spatial import avg_pool2d, conv2d, max_pool2d, pad
from .spatial1d import avg_pool1d, conv1d, max_pool1d
from .transposed import conv_transpose2d
from .upsampling import interpolate, pixel_shuffle, pixel_unshuffle, upsample

__all__ = [
    "linear", "relu", "leaky_relu", "elu", "sigmoid", "tanh", "gelu", "softplus", "logsigmoid", "softmax",
    "log_softmax", "silu", "mish", "hardtanh", "relu6", "hardsigmoid", "hardswish", "selu", "celu", "threshold",
    "prelu", "glu", "softsign", "tanhshrink", "softmin",
    "dropout", "dropout1d", "dropout2d", "layer_norm", "batch_norm", "group_norm", "instance_norm",
    "embedding", "one_hot", "normalize", "cosine_similarity",
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "margin_ranking_loss", "hinge_embedding_loss",
    "soft_margin_loss", "multilabel_soft_margin_loss", "cosine_embedding_loss", "triplet_margin_loss",
    "gaussian_nll_loss", "poisson_nll_loss", "pairwise_distance",
    "pad", "conv1d", "conv2d", "conv_transpose2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
    "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate", "upsample", "pixel_shuffle", "pixel_unshuffle",
    "scaled_dot_product_attention",
]

# ---------------------------------------------------------------------- layers


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b, with W of shape (out_features, in_features) as in PyTorch."""
    if input._array.shape[-1:] != weight._array.shape[-1:]:
        raise ShapeError(f"linear: input of shape {input.shape} has {input.shape[-1:] or 'no'} features, "
                         f"the weight of shape {weight.shape} expects {weight.shape[-1]}")
    if input._array.ndim > 2:  # one matrix product over all leading dims, not one per batch entry
        flat = input.reshape(-1, input._array.shape[-1]) @ weight.T
        output = flat.reshape(*input._array.shape[:-1], weight._array.shape[0])
    else:
        output = input @ weight.T
    return output if bias is None else output + bias


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); relu'(0) = 0."""
    return modify(input, "relu_", Tensor.relu) if inplace else input.relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope · x (so the gradient at 0 is negative_slope, as PyTorch)."""
    def compute(x: Tensor) -> Tensor:
        return where(x > 0, x, x * negative_slope)

    return modify(input, "leaky_relu_", compute) if inplace else compute(input)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else α (eˣ − 1) (gradient α at 0, as PyTorch). The exponential sees only
    the non-positive values, so a large x cannot overflow into a NaN gradient."""
    def compute(x: Tensor) -> Tensor:
        positive = x > 0
        return where(positive, x, (where(positive, 0.0, x).exp() - 1) * alpha)

    return modify(input, "elu_", compute) if inplace else compute(input)


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x Φ(x) = x/2 (1 + erf(x/√2)); with approximate='tanh',
    x/2 (1 + tanh(√(2/π) (x + 0.044715 x³)))."""
    if approximate == "none":
        return Gelu.apply(input)
    if approximate == "tanh":
        return input * 0.5 * (1 + ((input + 0.044715 * input * input * input) * math.sqrt(2 / math.pi)).tanh())
    raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")


def softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """e^x / Σ e^x along dim, computed after subtracting the max."""
    return input.softmax(_softmax_dim("softmax", input, dim))


def log_softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """x − logsumexp(x) along dim (max-subtracted, finite for logits of any size)."""
    return input.log_softmax(_softmax_dim("log_softmax", input, dim))


def _softmax_dim(name: str, input: Tensor, dim: int | None) -> int:
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=3)
    return 0 if input.ndim in (0, 1, 3) else 1


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1 − p), so the expected
    value is unchanged; the identity when not training. Draws from the seeded generator."""
    return _dropout(input, p, training, inplace, input.ndim)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels: each (sample, channel) sequence of an (N, C, L) or (C, L) input is
    kept (scaled by 1/(1 − p)) or zeroed as one."""
    if input.ndim not in (2, 3):
        raise ShapeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input (shape "
                         f"{input.shape}); dropout1d drops channels of (N, C, L) or (C, L) inputs")
    return _dropout(input, p, training, inplace, input.ndim - 1)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels: each (sample, channel) image of an (N, C, H, W) input is kept (scaled
    by 1/(1 − p)) or zeroed as one. As PyTorch, a 3-D input is read as (N, C, L), and other ranks
    drop along their first two dims, each with PyTorch's warning."""
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", stacklevel=2)
    elif input.ndim != 4:
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will "
                      "result in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on "
                      "inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).", stacklevel=2)
    return _dropout(input, p, training, inplace, min(input.ndim, 2))


def _dropout(input: Tensor, p: float, training: bool, inplace: bool, mask_dims: int) -> Tensor:
    """Keep each entry of the first `mask_dims` dims with probability 1 − p (the remaining dims
    share its draw), scaled by 1/(1 − p)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        scale = np.zeros((), input.dtype)
    else:
        mask_shape = input.shape[:mask_dims] + (1,) * (input.ndim - mask_dims)
        scale = ((default_generator().random(mask_shape) >= p) * (1 / (1 - p))).astype(input.dtype)
    return modify(input, "dropout_", lambda x: x * scale) if inplace else input * scale


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """(x − mean) / √(var + ε) · w + b over the last len(normalized_shape) dims (biased var)."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if input.shape[input.ndim - len(normalized_shape):] != normalized_shape or input.ndim < len(normalized_shape):
        raise ShapeError(f"layer_norm: input of shape {input.shape} does not end in normalized_shape "
                         f"{normalized_shape}")
    dims = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    if weight is not None and weight._array.shape == normalized_shape and weight.dtype == input.dtype:
        output = Normalize.apply(input, weight, axis=dims, eps=eps)  # the weight's product in the same node
    else:
        output = Normalize.apply(input, axis=dims, eps=eps)
        if weight is not None:
            output = output * weight
    return output if bias is None else output + bias


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) over the batch and length dims.

    Training: with the batch's mean and biased variance; the running statistics are updated in
    place as r ← (1 − momentum) r + momentum · s, with the *unbiased* variance for running_var.
    Otherwise: with the running statistics."""
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of shape (N, C) or (N, C, L), got {input.shape}")
    dims = (0, *range(2, input.ndim))
    stat_shape = (1, input.shape[1]) + (1,) * (input.ndim - 2)
    if training or running_mean is None:
        count = input.numel() // input.shape[1]
        if training and count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
        mean = input.mean(dims, keepdim=True)
        centered = input - mean
        var = (centered * centered).mean(dims, keepdim=True)
        if training and running_mean is not None:
            unbiased = var._array.reshape(-1) * (count / (count - 1))
            running_mean._array *= 1 - momentum
            running_mean._array += momentum * mean._array.reshape(-1)
            running_var._array *= 1 - momentum
            running_var._array += momentum * unbiased
            running_mean._bump_version()
            running_var._bump_version()
    else:
        mean = running_mean.detach().reshape(stat_shape)
        var = running_var.detach().reshape(stat_shape)
        centered = input - mean
    output = centered / (var + eps).sqrt()
    if weight is not None:
        output = output * weight.reshape(stat_shape)
    return output if bias is None else output + bias.reshape(stat_shape)


def embedding(input, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of weight picked by integer indices; the row at padding_idx gets no gradient."""
    indices = _integer_array("embedding", input)
    if indices.size and (indices.min() < 0 or indices.max() >= weight.shape[0]):
        raise IndexError(f"embedding: index out of range (indices must be in [0, {weight.shape[0]}), "
                         f"got min {indices.min()}, max {indices.max()})")
    rows = weight[indices]
    if padding_idx is None:
        return rows
    padding = (indices == padding_idx % weight.shape[0])[..., None]
    return where(padding, weight.detach()[indices], rows)


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor with a trailing class dim: out[..., c] = (tensor == c)."""
    indices = _integer_array("one_hot", tensor)
    if indices.size and indices.min() < 0:
        raise ValueError("one_hot: class values must be non-negative")
    if num_classes == -1:
        num_classes = int(indices.max()) + 1 if indices.size else 0
    if indices.size and indices.max() >= num_classes:
        raise ValueError(f"one_hot: class values must be smaller than num_classes ({num_classes})")
    return as_tensor((indices[..., None] == np.arange(num_classes)).astype(np.int64))


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None) -> Tensor:
    """x / max(‖x‖_p, ε) along dim: unit p-norm vectors, and x/ε for a (near-)zero vector."""
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported; use the returned tensor")
    return input / _norm(input, p, dim).clamp(min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """x1 · x2 / (max(‖x1‖, ε) · max(‖x2‖, ε)) along dim, after broadcasting x1 and x2 (each norm
    clamped on its own, as PyTorch 2.x)."""
    shape = np.broadcast_shapes(x1.shape, x2.shape)
    x1, x2 = x1.expand(shape), x2.expand(shape)
    dot = (x1 * x2).sum(dim)
    return dot / (_norm(x1, 2.0, dim, keepdim=False).clamp(min=eps) * _norm(x2, 2.0, dim, keepdim=False).clamp(min=eps))


def _norm(x: Tensor, p: float, dim: int, keepdim: bool = True) -> Tensor:
    """‖x‖_p along dim, with a zero (not NaN) gradient at the zero vector, as PyTorch."""
    if p == math.inf:
        return x.abs().amax(dim, keepdim=keepdim)
    if not p > 0:
        raise NotImplementedError(f"norms of order p={p} are not implemented (p > 0 or inf)")
    total = (x * x if p == 2 else x.abs() if p == 1 else x.abs() ** p).sum(dim, keepdim=keepdim)
    if p == 1:
        return total
    nonzero = total > 0
    safe = where(nonzero, total, 1.0)
    return where(nonzero, safe.sqrt() if p == 2 else safe ** (1 / p), 0.0)


# ---------------------------------------------------------------------- losses


def cross_entropy(input: Tensor, target, weight: Tensor | None = None, size_average: bool | None = None,
                  ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """−log softmax(x)[target], from logits of shape (N, C), (N, C, d…) or (C,).

    The log-softmax subtracts the max, so logits of size 1e4 give finite losses. With
    label_smoothing ε the target is (1 − ε) one-hot + ε/C uniform:
        loss = (1 − ε) · nll + ε/C · Σ_c −w_c log p_c.
    `target` is class indices (integers; `ignore_index` entries contribute nothing) or class
    probabilities of the input's shape. `mean` divides by the summed weights of the targets.
    size_average and reduce are PyTorch's deprecated pair (see `_legacy_reduction`)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    class_dim = 1 if input.ndim >= 2 else 0
    log_probs = input.log_softmax(class_dim)
    classes = input._array.shape[class_dim]
    class_weight = _class_weight(weight, classes, log_probs, class_dim)
    target_data = as_array(target)
    if target_data.dtype.kind == "f":
        if target_data.shape != input.shape:
            raise ShapeError(f"cross_entropy: class-probability targets must have the input's shape {input.shape}, "
                             f"got {target_data.shape}; class indices must be an integer tensor")
        probs = target if isinstance(target, Tensor) else tensor(target_data)
        if label_smoothing > 0:
            probs = probs * (1 - label_smoothing) + label_smoothing / classes
        weighted = log_probs if class_weight is None else log_probs * class_weight
        return _reduce(-(weighted * probs).sum(class_dim), reduction)
    if label_smoothing == 0:
        return nll_loss(log_probs, target, weight, ignore_index=ignore_index, reduction=reduction)
    return _smoothed_nll(log_probs, _targets("cross_entropy", log_probs, target, ignore_index), weight,
                         ignore_index, reduction, label_smoothing)


def _smoothed_nll(log_probs: Tensor, targets: np.ndarray, weight, ignore_index: int, reduction: str,
                  label_smoothing: float) -> Tensor:
    """Σ_c −w_c q_c log p_c per sample, q = (1 − ε) one-hot(t) + ε/C: PyTorch's
    (1 − ε) · w_t · nll + ε/C · Σ_c −w_c log p_c in one product with a constant q, so the loss is
    four nodes. `mean` divides by Σ w_t over the samples that are not ignored."""
    class_dim = 1 if log_probs.ndim >= 2 else 0
    classes = log_probs.shape[class_dim]
    kept = targets != ignore_index
    safe = np.where(kept, targets, 0)
    smoothing = label_smoothing / classes
    q = np.full(log_probs.shape, smoothing, dtype=log_probs.dtype)
    np.put_along_axis(q, np.expand_dims(safe, class_dim), 1 - label_smoothing + smoothing, axis=class_dim)
    target_weight = kept.astype(log_probs.dtype)
    if weight is not None:
        class_weight = as_array(weight).astype(log_probs.dtype)
        q *= class_weight.reshape((classes,) + (1,) * (log_probs.ndim - class_dim - 1))
        target_weight *= class_weight[safe]
    losses = -(log_probs * q).sum(class_dim)
    if not kept.all():  # exactly 0 for an ignored sample, even where its log p is -inf
        losses = where(as_tensor(kept), losses, 0.0)
    if reduction == "mean":
        return losses.sum() / target_weight.sum()
    return _reduce(losses, reduction)


def nll_loss(input: Tensor, target, weight: Tensor | None = None, size_average: bool | None = None,
             ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """−w[t] · input[t] per sample, for log-probabilities of shape (N, C), (N, C, d…) or (C,).
    `mean` divides by Σ w[t] over the targets that are not `ignore_index`."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    targets = _targets("nll_loss", input, target, ignore_index)
    class_dim = 1 if input.ndim >= 2 else 0
    ignored = targets == ignore_index
    safe = np.where(ignored, 0, targets) if ignored.any() else targets
    picked = input.gather(class_dim, np.expand_dims(safe, class_dim)).squeeze(class_dim)
    if weight is None and not ignored.any():
        losses = -picked
        return losses.mean() if reduction == "mean" else _reduce(losses, reduction)
    kept = (~ignored).astype(input.dtype)
    sample_weight = kept if weight is None else as_array(weight).astype(input.dtype)[safe] * kept
    losses = -picked * sample_weight
    if reduction == "mean":
        return losses.sum() / sample_weight.sum()
    return _reduce(losses, reduction)


def mse_loss(input: Tensor, target, size_average: bool | None = None, reduce: bool | None = None,
             reduction: str = "mean") -> Tensor:
    """(x − y)², reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    difference = input - _same_shape("mse_loss", input, target)
    return _reduce(difference * difference, reduction)


def l1_loss(input: Tensor, target, size_average: bool | None = None, reduce: bool | None = None,
            reduction: str = "mean") -> Tensor:
    """|x − y|, reduced (gradient 0 where x = y, as PyTorch)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce((input - _same_shape("l1_loss", input, target)).abs(), reduction)


def smooth_l1_loss(input: Tensor, target, size_average: bool | None = None, reduce: bool | None = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 (x − y)²/β where |x − y| < β, else |x − y| − 0.5 β: quadratic near 0, linear
    beyond (the L1 loss when β = 0)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise ValueError("smooth_l1_loss does not support negative values for beta.")
    difference = (input - _same_shape("smooth_l1_loss", input, target)).abs()
    if beta == 0:
        return _reduce(difference, reduction)
    return _reduce(where(difference < beta, difference * difference * (0.5 / beta), difference - 0.5 * beta),
                   reduction)


def huber_loss(input: Tensor, target, reduction: str = "mean", delta: float = 1.0, weight=None) -> Tensor:
    """0.5 (x − y)² where |x − y| ≤ δ, else δ (|x − y| − 0.5 δ): β · smooth_l1 with β = δ;
    `weight` (broadcast to the input) multiplies each element's loss."""
    if delta <= 0:
        raise ValueError("huber_loss does not support non-positive values for delta.")
    difference = (input - _same_shape("huber_loss", input, target)).abs()
    losses = where(difference <= delta, difference * difference * 0.5, (difference - 0.5 * delta) * delta)
    if weight is not None:
        losses = losses * _as_tensor(weight, input).astype(input.dtype)
    return _reduce(losses, reduction)


def kl_div(input: Tensor, target, size_average: bool | None = None, reduce: bool | None = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target ‖ exp(input)) pointwise, for log-probabilities `input`:
        y (log y − x), 0 where y = 0        (target y as probabilities)
        eʸ (y − x)                           (log_target: y as log-probabilities)
    'batchmean' divides the sum by the batch size (dim 0), which is the KL divergence per
    sample; 'mean' divides by the number of elements, with PyTorch's warning that it is not.
    The deprecated size_average and reduce, when given, choose 'mean', 'sum' or 'none' instead
    (and, as PyTorch, a reduction='batchmean' still divides that by the batch size)."""
    if reduction not in ("mean", "batchmean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction (use 'mean', 'batchmean', 'sum' or 'none')")
    legacy = None if size_average is None and reduce is None else _legacy_reduction(size_average, reduce, reduction)
    target = _as_tensor(target, input)
    if log_target:
        losses = target.exp() * (target - input)
    else:
        positive = target > 0
        safe = where(positive, target, 1.0)
        losses = where(positive, target * safe.log(), 0.0) - target * input
    if legacy is not None:
        reduced = _reduce(losses, legacy)
        return reduced / input.shape[0] if reduction == "batchmean" and input.ndim else reduced
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if reduction == "batchmean":
        return losses.sum() / input.shape[0] if input.ndim else losses.sum()
    return _reduce(losses, reduction)


def binary_cross_entropy(input: Tensor, target, weight=None, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """−w (y log x + (1 − y) log(1 − x)) for probabilities x ∈ [0, 1]; each log is clamped
    at −100, as in PyTorch, so x = 0 or 1 gives a finite loss (and a finite gradient)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _as_tensor(target, input)
    if target.shape != input.shape:
        raise ShapeError(f"binary_cross_entropy: target of shape {target.shape} differs from input of shape "
                         f"{input.shape}; make them equal (broadcasting here is almost always a bug)")
    if input.numel() and not (input._array.min() >= 0 and input._array.max() <= 1):
        raise ValueError("binary_cross_entropy: all elements of input should be between 0 and 1 "
                         "(pass logits to binary_cross_entropy_with_logits instead)")
    losses = -(target * _clamped_log(input) + (1 - target) * _clamped_log(1 - input))
    if weight is not None:
        losses = losses * _as_tensor(weight, input).astype(input.dtype)
    return _reduce(losses, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target, weight=None, size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight=None) -> Tensor:
    """BCE of σ(x), computed from the logits without forming σ(x):
        loss = (1 − y) x + (1 + (p − 1) y) · softplus(−x),   p = pos_weight (1 if None)
    which is finite for logits of any size."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _as_tensor(target, input)
    if target.shape != input.shape:
        raise ShapeError(f"binary_cross_entropy_with_logits: target of shape {target.shape} differs from input "
                         f"of shape {input.shape}")
    log_weight = 1 if pos_weight is None else 1 + (_as_tensor(pos_weight, input).astype(input.dtype) - 1) * target
    losses = (1 - target) * input + log_weight * softplus(-input, threshold=math.inf)
    if weight is not None:
        losses = losses * _as_tensor(weight, input).astype(input.dtype)
    return _reduce(losses, reduction)


# ---------------------------------------------------------------------- helpers


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    _check_reduction(reduction)
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def _integer_array(name: str, indices) -> np.ndarray:
    array = as_array(indices)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected an integer tensor of indices, got dtype {array.dtype} (use .long())")
    return array


def _targets(name: str, input: Tensor, target, ignore_index: int) -> np.ndarray:
    """Class-index targets as an integer array, checked against the input's shape and classes."""
    targets = _integer_array(name, target)
    if input.ndim == 0:
        raise ShapeError(f"{name}: input must have a class dim, got a 0-d tensor")
    shape = input._array.shape
    expected = () if input.ndim == 1 else (shape[0], *shape[2:])
    if targets.shape != expected:
        raise ShapeError(f"{name}: for input of shape {input.shape} the target must have shape {expected} "
                         f"(one class index per sample), got {targets.shape}")
    classes = shape[1 if input.ndim >= 2 else 0]
    bad = (targets != ignore_index) & ((targets < 0) | (targets >= classes))
    if bad.any():
        raise IndexError(f"{name}: target {targets[bad].flat[0]} is out of bounds for {classes} classes")
    return targets


def _class_weight(weight, classes: int, like: Tensor, class_dim: int):
    if weight is None:
        return None
    weight = as_array(weight)
    if weight.shape != (classes,):
        raise ShapeError(f"class weight must have shape ({classes},), one per class; got {weight.shape}")
    return weight.astype(like.dtype).reshape((classes,) + (1,) * (like.ndim - class_dim - 1))


def _as_tensor(value, like: Tensor) -> Tensor:
    if isinstance(value, Tensor):
        return value
    array = np.asarray(value)
    return as_tensor(array.astype(like.dtype) if dtypes.is_floating(like.dtype) else array)


def _same_shape(name: str, input: Tensor, target) -> Tensor:
    target = _as_tensor(target, input)
    if target.shape != input.shape:
        warnings.warn(f"{name}: using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)
    return target


def _clamped_log(x: Tensor) -> Tensor:
    """max(log x, −100), with a zero (not nan) gradient where x = 0."""
    positive = x._array > 0
    return where(positive, where(positive, x, 1.0).log(), -100.0).clamp(min=-100.0)
