"""`tg.Size`: a tensor's shape, a tuple of ints that prints as PyTorch's does.

`t.shape` and `t.size()` return one. It is a plain tuple in every respect (equality with
tuples, hashing, indexing, NumPy accepts it as a shape), except that slicing, `+` and `*` keep
the type and that it prints as `torch.Size([2, 3])`: PyTorch scripts print shapes, and the same
script should print the same text under tinygrad_np (the name `torch` is what their readers
expect; the type is `tinygrad_np.Size`).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable


class Size(tuple):
    """`Size([2, 3])`: sizes of the dims; `numel()` is their product."""

    __slots__ = ()

    def __new__(cls, sizes: Iterable = ()) -> Size:
        values = []
        for i, n in enumerate(sizes):
            if isinstance(n, float) or not hasattr(n, "__index__"):
                raise TypeError(f"Size() takes an iterable of 'int' (item {i} is '{type(n).__name__}')")
            values.append(operator.index(n))
        return tuple.__new__(cls, values)

    def numel(self) -> int:
        """The number of elements of a tensor of this shape (1 for `Size([])`)."""
        count = 1
        for n in self:
            count *= n
        return count

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return tuple.__new__(Size, item) if isinstance(key, slice) else item

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return tuple.__new__(Size, tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return tuple.__new__(Size, tuple.__add__(other, self))

    def __mul__(self, times):
        return tuple.__new__(Size, tuple.__mul__(self, times))

    __rmul__ = __mul__

    def __reduce__(self):
        return Size, (tuple(self),)
