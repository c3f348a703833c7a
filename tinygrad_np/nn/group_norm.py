"""Normalisation within each sample: group norm, and instance norm (one channel a group, with
optional running statistics), as functions of Tensor ops (exported by `nn.functional`)."""

from __future__ import annotations

import math

from ..tensor import Tensor


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """(x − mean) / √(var + ε) · w + b, with mean and (biased) var over each sample's group of
    C / num_groups consecutive channels and all their positions; w and b per channel."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    n, channels = input.shape[:2]
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    for name, param in (("weight", weight), ("bias", bias)):
        if param is not None and tuple(param.shape) != (channels,):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, but "
                               f"got {name} of shape {list(param.shape)} and input of shape {list(input.shape)}")
    grouped = input.reshape(n, num_groups, channels // num_groups * math.prod(input.shape[2:]))
    centered = grouped - grouped.mean(2, keepdim=True)
    output = (centered / ((centered * centered).mean(2, keepdim=True) + eps).sqrt()).reshape(input.shape)
    return _affine(output, weight, bias)


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each (sample, channel) over its positions, then scale and shift per channel.

    With use_input_stats the statistics are each instance's own (biased variance), and running
    statistics given are updated in place as PyTorch's: r ← (1 − momentum) r + momentum · s,
    s the batch mean of the instances' means, resp. of their *unbiased* variances. Otherwise
    the running statistics are used."""
    if input.ndim < 2:
        raise RuntimeError(f"instance_norm: expected an input of shape (N, C, ...), got {list(input.shape)}")
    dims = tuple(range(2, input.ndim))
    stat_shape = (1, input.shape[1]) + (1,) * (input.ndim - 2)
    if use_input_stats:
        count = math.prod(input.shape[2:])
        if count <= 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
        centered = input - input.mean(dims, keepdim=True)
        var = (centered * centered).mean(dims, keepdim=True)
        batch_stats = ((running_mean, input._array.mean(dims).mean(0)),
                       (running_var, var._array.reshape(input.shape[:2]).mean(0) * (count / (count - 1))))
        for running, batch in batch_stats:
            if running is not None:
                running._array *= 1 - momentum
                running._array += momentum * batch
                running._bump_version()
    else:
        centered = input - running_mean.detach().reshape(stat_shape)
        var = running_var.detach().reshape(stat_shape)
    return _affine(centered / (var + eps).sqrt(), weight, bias)


def _affine(output: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    shape = (1, output.shape[1]) + (1,) * (output.ndim - 2)
    if weight is not None:
        output = output * weight.reshape(shape)
    return output if bias is None else output + bias.reshape(shape)
