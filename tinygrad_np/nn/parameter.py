"""A Parameter is a leaf Tensor that a Module registers and an optimizer updates."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor with `requires_grad=True` by default. Assigning one to a Module attribute
    registers it, so `module.parameters()` finds it. It shares memory with the array or tensor
    it was made from (a read-only array is copied, since optimizers update in place)."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        super().__init__(data._array if isinstance(data, Tensor) else data)
        if not self._array.flags.writeable:
            self._array = self._array.copy()
        if requires_grad:
            self.requires_grad_()

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
