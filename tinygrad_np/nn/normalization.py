"""LayerNorm, BatchNorm1d/2d, GroupNorm and InstanceNorm1d/2d: normalise, then scale and shift
with learned parameters."""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor, as_tensor
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
            self.register_buffer("running_mean", as_tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", as_tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", as_tensor(np.array(0, dtype=np.int64)))
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


class GroupNorm(Module):
    """Normalise each sample over groups of num_channels / num_groups channels (and all their
    positions), then scale and shift per channel; see `F.group_norm`."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, device=None,
                 dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        dtype = parameter_dtype("GroupNorm", device, dtype)
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        self.bias_enabled = affine and bias
        self.register_parameter("weight", Parameter(np.ones(num_channels, dtype=dtype)) if affine else None)
        self.register_parameter("bias", Parameter(np.zeros(num_channels, dtype=dtype)) if self.bias_enabled else None)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, bias={self.bias_enabled}"


class _InstanceNorm(_BatchNorm):
    """Normalise each (sample, channel) over its positions; see `F.instance_norm`. By default
    without parameters or running statistics (PyTorch's defaults); with track_running_stats,
    eval mode uses the running statistics. An input without the batch dim is one sample."""

    _unbatched_dims: int

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (self._unbatched_dims, self._unbatched_dims + 1):
            raise ValueError(f"expected {self._unbatched_dims}D or {self._unbatched_dims + 1}D input "
                             f"(got {input.ndim}D input)")
        feature_dim = input.ndim - self._unbatched_dims
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          "warning by not passing in num_features, which is not used because affine=False",
                          stacklevel=2)
        batched = input.unsqueeze(0) if input.ndim == self._unbatched_dims else input
        output = F.instance_norm(batched, self.running_mean, self.running_var, self.weight, self.bias,
                                 self.training or not self.track_running_stats,
                                 0.0 if self.momentum is None else self.momentum, self.eps)
        return output.squeeze(0) if input.ndim == self._unbatched_dims else output


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) inputs."""

    _unbatched_dims = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) images."""

    _unbatched_dims = 3
