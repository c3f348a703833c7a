"""`Variable`, for scripts written before PyTorch 0.4 merged it into Tensor: `Variable(t)`
returns a Tensor, as PyTorch's deprecated Variable does, and every Tensor is a Variable."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, instance: Any) -> bool:
        from ..tensor import Tensor

        return isinstance(instance, Tensor)


class Variable(metaclass=_VariableMeta):
    """`Variable(data, requires_grad=False)`: the same array as `data` in a new tensor cut from
    the graph (`data.detach()`), requiring grad if asked. `volatile` no longer has an effect."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = False, volatile: bool = False) -> Tensor:
        from ..tensor import Tensor, tensor

        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with no_grad():` instead.",
                          UserWarning, stacklevel=2)
        if data is None:
            data = tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)
