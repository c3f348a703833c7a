"""A Parameter is a leaf Tensor that a Module registers and an optimizer updates."""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..tensor import Tensor, as_tensor


class Parameter(Tensor):
    """A leaf tensor with `requires_grad=True` by default. Assigning one to a Module attribute
    registers it, so `module.parameters()` finds it. As PyTorch's, it keeps the dtype of the
    tensor it was made from and shares its memory and version counter (an array or a list is
    taken as `tg.as_tensor` takes it; a read-only array is copied, since optimizers update in
    place). `Parameter()` is an empty one of the default float dtype."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        source = as_tensor(np.empty((0,), dtypes.get_default_dtype()) if data is None else data)
        self._own(source._array if source._array.flags.writeable else source._array.copy())
        if isinstance(data, Tensor) and self._array is data._array:
            self._version_counter = data._version_counter
        if requires_grad:
            self.requires_grad_()

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
