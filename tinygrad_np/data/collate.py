"""`default_collate`: a list of samples -> one batch, field by field, as Tensors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..errors import ShapeError
from ..tensor import Tensor, as_array, as_tensor


def default_collate(samples: list[Any]) -> Any:
    """Stack a list of samples into a batch with a new first dimension.

    Tensors and arrays are stacked; Python numbers become a bool Tensor if all are bools, a
    Tensor of the default float dtype if any is a float, an int64 Tensor otherwise; tuples,
    lists and dicts are collated field by field (a tuple of batches, a dict of batches).
    Nothing in a batch requires grad.
    """
    first = samples[0]
    if isinstance(first, (Tensor, np.ndarray, np.generic)):
        arrays = [as_array(sample) for sample in samples]
        if len({array.shape for array in arrays}) != 1:
            shapes = sorted({str(array.shape) for array in arrays})
            raise ShapeError(f"default_collate: samples of one field must have one shape, got {', '.join(shapes)}")
        return as_tensor(np.stack(arrays))
    if isinstance(first, (bool, int, float)):
        if all(isinstance(sample, bool) for sample in samples):
            return as_tensor(np.array(samples, dtype=np.bool_))
        if any(isinstance(sample, float) for sample in samples):
            return as_tensor(np.array(samples, dtype=get_default_dtype()))
        return as_tensor(np.array(samples, dtype=np.int64))
    if isinstance(first, Mapping):
        return {key: default_collate([sample[key] for sample in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        if len({len(sample) for sample in samples}) != 1:
            raise ValueError("default_collate: every sample must have the same number of fields")
        return tuple(default_collate(list(field)) for field in zip(*samples))
    raise TypeError(
        f"default_collate: cannot batch samples of type {type(first).__name__}; "
        "return Tensors, arrays, numbers, tuples or dicts from the dataset, or pass collate_fn"
    )


def default_convert(sample: Any) -> Any:
    """One sample as the DataLoader yields it without batching (`batch_size=None`): NumPy
    arrays and scalars become Tensors (sharing an array's memory, as torch.as_tensor), field
    by field through tuples, lists and dicts; anything else, Python numbers included, is left
    as it is."""
    if isinstance(sample, (np.ndarray, np.generic)):
        return as_tensor(sample)
    if isinstance(sample, Mapping):
        return {key: default_convert(value) for key, value in sample.items()}
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):
        return type(sample)(*(default_convert(value) for value in sample))
    if isinstance(sample, (tuple, list)):
        return type(sample)(default_convert(value) for value in sample)
    return sample
