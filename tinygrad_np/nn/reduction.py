"""The `reduction` argument of the losses, and PyTorch's deprecated size_average/reduce pair."""

from __future__ import annotations

import warnings


def _legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str, stacklevel: int = 3) -> str:
    """The reduction PyTorch's deprecated pair stands for, which overrides `reduction` when either
    is given (None counts as True): reduce false → 'none'; else size_average false → 'sum';
    else 'mean'. Warns with PyTorch's deprecation message naming the replacement. PyTorch 1.0's
    reduction='elementwise_mean' is read as 'mean', with PyTorch's warning."""
    if size_average is None and reduce is None:
        if reduction == "elementwise_mean":
            warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                          stacklevel=stacklevel)
            return "mean"
        _check_reduction(reduction)
        return reduction
    reduce = True if reduce is None else reduce
    size_average = True if size_average is None else size_average
    legacy = "none" if not reduce else "mean" if size_average else "sum"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{legacy}' instead.",
                  stacklevel=stacklevel)
    return legacy


def _check_reduction(reduction: str) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction (use 'mean', 'sum' or 'none')")
