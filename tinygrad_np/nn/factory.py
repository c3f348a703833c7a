"""The `device=` and `dtype=` arguments of every PyTorch layer that makes parameters.

PyTorch layers take them last (`Linear(in, out, bias, device, dtype)`); here the device is
checked (the CPU is the only one, anything else raises at once) and the dtype is that of the
parameters and floating buffers, the default float dtype when None."""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..device import as_device


def parameter_dtype(layer: str, device, dtype) -> np.dtype:
    """The dtype a layer's parameters get, after checking its `device` argument."""
    as_device(device)
    if dtype is None:
        return dtypes.get_default_dtype()
    dtype = np.dtype(dtype)
    if not dtypes.is_floating(dtype):
        raise RuntimeError(f"{layer}: only tensors of floating point dtype can require gradients (its parameters), "
                           f"got dtype={dtype}")
    return dtype
