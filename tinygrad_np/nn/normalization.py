"""LayerNorm, BatchNorm1d and BatchNorm2d: normalise, then scale and shift with learned parameters."""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor, tensor
from . import functional as F
from .factory import parameter_dtype
from .module import Module
from .parameter import Parameter


class LayerNorm(Module):
    """(x − mean) / √(var + ε) · weight + bias over the last dims, per sample."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        dtype = parameter_dtype("LayerNorm", device, dtype)
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        affine_bias = elementwise_affine and bias
        self.bias_enabled = affine_bias
        self.register_parameter("weight", Parameter(np.ones(self.normalized_shape, dtype=dtype))
                                if elementwise_affine else None)
        self.register_parameter("bias", Parameter(np.zeros(self.normalized_shape, dtype=dtype))
                                if affine_bias else None)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias_enabled}")


class _BatchNorm(Module):
    """Normalise each of num_features channels (dim 1) over the batch and the other dims.

    Training mode uses the batch's statistics and updates the buffers `running_mean`,
    `running_var` (unbiased) and `num_batches_tracked`; eval mode uses the running statistics.
    momentum=None averages all batches seen so far (factor 1/num_batches_tracked).
    A state dict without num_batches_tracked (older PyTorch versions) loads, keeping the count.
    Subclasses say which input dims they take."""

    _optional_state = ("num_batches_tracked",)
    _input_dims: tuple[int, ...]

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        dtype = parameter_dtype(type(self).__name__, device, dtype)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats, self.bias_enabled = affine, track_running_stats, affine and bias
        self.register_parameter("weight", Parameter(np.ones(num_features, dtype=dtype)) if affine else None)
        self.register_parameter("bias", Parameter(np.zeros(num_features, dtype=dtype)) if self.bias_enabled else None)
        if track_running_stats:
            self.register_buffer("running_mean", tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", tensor(np.array(0, dtype=np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def forward(self, input: Tensor) -> Tensor:
        name = type(self).__name__
        if input.ndim not in self._input_dims:
            dims = " or ".join(f"{d}D" for d in self._input_dims)
            raise ShapeError(f"{name}: expected {dims} input (got {input.ndim}D input)")
        if input.shape[1] != self.num_features:
            raise ShapeError(f"{name}: input has {input.shape[1]} channels (dim 1), expected {self.num_features}")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._array += 1
            self.num_batches_tracked._bump_version()
            if self.momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked._array)
        return F.batch_norm(input, self.running_mean, self.running_var, self.weight, self.bias, self.training,
                            momentum, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias_enabled}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs."""

    _input_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) images, per channel over N, H and W."""

    _input_dims = (4,)
