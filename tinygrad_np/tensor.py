"""The Tensor: a NumPy array that remembers which op made it.

Every differentiable method here either applies one primitive (`tinygrad_np.ops`) or is
composed from other methods in a line or two. Composition is the point: a composed op needs
no backward of its own, and its gradient is checked by the same property tests.

The class is long because PyTorch's Tensor has many methods; they are grouped in sections, in
this order (search for the section's title):

    attributes                  shape, dtype, size(), device, is_leaf, ...
    conversion                  numpy(), item(), to(), type(), float(), clone(), detach(), ...
    new tensors of this tensor's dtype          new_zeros(), new_ones(), new_full(), ...
    autograd                    backward(), register_hook(), retain_grad()
    arithmetic                  + - * / ** @ and their method forms, matmul/mm/bmm/dot
    remainders, floor division, bitwise ops     % // & | ^
    in place                    add_(), mul_(), t[key] = v, ... (inplace.py does the bookkeeping)
    comparisons (no gradient)   < <= > >= == !=, logical_not
    elementwise                 exp, log, sqrt, sigmoid, relu, clamp, where, ...
    trigonometry and friends    tan, asin, atan2, sinh, erfinv, hypot, lerp, ...
    reductions                  sum, mean, var, max, logsumexp, softmax, prod, cumsum, median, ...
    shape                       reshape/view, flatten, squeeze, permute, transpose, expand, [key]
    selection and rearrangement narrow, split, chunk, roll, flip, sort, topk, tril, scatter, ...
    rounding, logs, logic, diagonals            floor, round, log2, logical_and, diag, trace, ...

Then the module-level functions (`tg.tensor`, `tg.cat`, `tg.stack`, `tg.where`, ...) and the
private helpers they share. Larger function families live in modules of their own (einsum.py,
linalg.py, reductions.py, counting.py, grids.py, sampling.py, normal.py, out.py).
"""

from __future__ import annotations

import operator
import weakref
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from numbers import Number

import numpy as np

from . import dtypes, sampling
from .autograd import differentiate
from .autograd.engine import hooks_of
from .autograd.grad_mode import grad_state
from .autograd.node import Node
from .autograd.version import VersionCounter
from .device import CPU, as_device, is_device_spec, refuse
from .errors import ShapeError
from .hooks import RemovableHandle
from .inplace import modify
from .layout import check_layout, check_memory_format, contiguous_format
from .ops.division import Remainder, rounded_quotient
from .ops.elementwise import (
    Abs,
    Add,
    Cast,
    Cos,
    Div,
    Erf,
    Exp,
    Log,
    Log1p,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Relu,
    Sigmoid,
    Sign,
    Sin,
    Sub,
    Tanh,
    Where,
)
from .ops.exact import Expm1, Log2, Log10
from .ops.matmul import MatMul
from .ops.movement import Cat, Expand, Index, IndexAdd, IndexPut, Permute, Reshape
from .ops.reduce import Max, Min, Sum
from .ops.softmax import LogSoftmax, Softmax
from .ops.trig import Acos, Acosh, Asin, Asinh, Atan, Atan2, Atanh, Cosh, Erfinv, Hypot, Sinh, Tan
from .printing import tensor_repr
from .random import default_generator, numpy_generator
from .shapes import (
    axis_args,
    broadcast_shape,
    element_count,
    index_key,
    normalize_dim,
    normalize_dims,
    shape_arg,
)
from .size import Size

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
"""What `max(dim)` and `min(dim)` return, as PyTorch's `(values, indices)`."""


class Tensor:
    """An n-dimensional array with reverse-mode autodiff.

    `_array` is the NumPy array (`numpy()` returns it; `data` is a tensor sharing it, outside
    autograd); `grad_fn` is the node that produced it (None for a leaf); `grad` receives the
    gradient of a backward pass if `requires_grad` is set. `_version_counter` counts the
    in-place changes to the array and is shared with views of it; `_base` is the tensor a
    view was taken from (None for a tensor that owns its array).

    `Tensor(...)` itself is PyTorch's legacy constructor (always the default float dtype);
    `tg.tensor(data)` keeps the data's dtype, and the library wraps arrays with `as_tensor`
    and `Tensor._make`. Tensors live on the CPU, the only device (`device`, `to`, `cpu`).
    """

    __slots__ = ("_array", "grad", "grad_fn", "_requires_grad", "_version_counter", "_base", "_base_history", "_hooks",
                 "__weakref__")
    __array_ufunc__ = None  # NumPy defers `ndarray <op> Tensor` to our reflected operators
    __hash__ = object.__hash__

    def __init__(self, *data, size=None, dtype=None, device=None, requires_grad: bool = False) -> None:
        """PyTorch's legacy constructor `torch.Tensor(...)`, which makes the default float dtype:
        `Tensor([1, 2])` and `Tensor(ndarray)` convert the data (an array already of that dtype
        is shared), `Tensor(2, 3)`, `Tensor(tg.Size([2, 3]))` and `Tensor(size=(2, 3))` make that
        shape, zero-filled (PyTorch leaves it uninitialized), `Tensor()` an empty tensor, and
        `Tensor(t)` an alias of the tensor `t`, its dtype kept. As an extension, `dtype=` replaces
        the default float dtype and `requires_grad=` is accepted. `tg.tensor` keeps the data's dtype."""
        as_device(device)
        if len(data) == 1 and isinstance(data[0], Tensor) and size is None:
            source = data[0] if dtype is None else data[0].astype(dtype)
            alias = Reshape.apply(source, shape=source._array.shape)  # a view in the graph, as PyTorch's alias
            for name in Tensor.__slots__[:-1]:
                if hasattr(alias, name):
                    setattr(self, name, getattr(alias, name))
        else:
            self._own(_legacy_array(data, size, dtype))
        if requires_grad:
            self.requires_grad_()

    def _own(self, array: np.ndarray) -> None:
        """Set up this tensor as a fresh leaf holding `array` (the constructors' common part)."""
        self._array = array
        self.grad: Tensor | None = None
        self.grad_fn = None
        self._requires_grad = False
        self._version_counter = VersionCounter()
        self._base = self._hooks = None

    @staticmethod
    def _make(data: np.ndarray, grad_fn) -> Tensor:
        """Wrap an op's result without any checks (the hot path). Always a plain Tensor,
        whatever subclass the inputs were (an op on a Parameter is not a Parameter)."""
        tensor = object.__new__(Tensor)
        if type(data) is not np.ndarray:
            data = np.asarray(data)
        tensor._array, tensor.grad, tensor.grad_fn = data, None, grad_fn
        tensor._requires_grad = grad_fn is not None
        tensor._version_counter = VersionCounter()
        tensor._base = tensor._hooks = None
        return tensor

    @property
    def data(self) -> Tensor:
        """The same array as a tensor outside autograd: no grad_fn, no requires_grad, and its
        own version counter, so in-place changes through it are not checked (PyTorch's escape
        hatch; `with tg.no_grad(): t.add_(...)` is the checked way). Assigning a tensor or an
        array replaces this tensor's array."""
        return Tensor._make(self._array, None)

    @data.setter
    def data(self, value) -> None:
        array = as_array(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"cannot set .data to an array of dtype {array.dtype}")
        if self._requires_grad and not dtypes.is_floating(array.dtype):
            raise RuntimeError(f"data set to a tensor of dtype {array.dtype}, but this tensor requires grad; "
                               "only floating point tensors can")
        self._array = array

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's array has seen (PyTorch's `_version`)."""
        return self._version_counter.value

    def _bump_version(self) -> None:
        """Record an in-place change of the array (the library's own in-place updates call this)."""
        self._version_counter.value += 1

    # ----------------------------------------------------------------- attributes

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Make this leaf record gradients (or stop). Only float tensors can."""
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf tensors; use .detach() to get a "
                "tensor that does not require grad"
            )
        if requires_grad and not dtypes.is_floating(self._array.dtype):
            raise RuntimeError(
                f"only tensors of floating point dtype can require gradients, not {self._array.dtype}; "
                "convert first with .float() or .double()"
            )
        self._requires_grad = bool(requires_grad) or self.grad_fn is not None
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def shape(self) -> Size:
        return tuple.__new__(Size, self._array.shape)

    @property
    def dtype(self) -> np.dtype:
        return self._array.dtype

    @property
    def ndim(self) -> int:
        return self._array.ndim

    def dim(self) -> int:
        return self._array.ndim

    def size(self, dim: int | None = None) -> Size | int:
        """The shape, or the length of one dim."""
        if dim is None:
            return tuple.__new__(Size, self._array.shape)
        return self._array.shape[normalize_dim(dim, self._array.ndim)]

    def numel(self) -> int:
        return self._array.size

    nelement = numel

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The step in elements between neighbours along each dim (0 along an expanded one), as
        PyTorch's; NumPy's strides in bytes divided by the item size."""
        strides = tuple(s // self._array.itemsize for s in self._array.strides)
        return strides if dim is None else strides[normalize_dim(dim, self.ndim)]

    def element_size(self) -> int:
        """Bytes per element."""
        return self._array.itemsize

    def is_floating_point(self) -> bool:
        return self._array.dtype.kind == "f"

    def is_contiguous(self, memory_format=contiguous_format) -> bool:
        """Whether the array is in C order (`contiguous()` makes it so)."""
        check_memory_format(memory_format, (contiguous_format,))
        return self._array.flags.c_contiguous

    @property
    def device(self):
        """The CPU, the only device (`tg.device('cpu')`)."""
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._array.shape[0]))

    def __repr__(self) -> str:
        """PyTorch's text under `tg.set_printoptions` (printing.py): `tensor(2.2149, grad_fn=<MulBackward0>)`."""
        if self.grad_fn is not None:
            return tensor_repr(self._array, f"grad_fn=<{self.grad_fn.name()}>")
        return tensor_repr(self._array, "requires_grad=True" if self._requires_grad else None)

    # ----------------------------------------------------------------- conversion

    def numpy(self) -> np.ndarray:
        return self._array

    def __format__(self, spec: str) -> str:
        """A 0-d tensor formats as its number (`f"{loss:.4f}"`); any other tensor only with an
        empty spec (its str), as PyTorch."""
        if self._array.ndim == 0:
            return format(self._array.item(), spec)
        return object.__format__(self, spec)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return np.array(self._array, dtype=dtype) if copy else np.asarray(self._array, dtype=dtype)

    def item(self):
        if self._array.size != 1:
            raise RuntimeError(f"a tensor with {self._array.size} elements cannot be converted to a Python number")
        return self._array.item()

    def tolist(self):
        return self._array.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._array.dtype.kind not in "iu" or self._array.size != 1:
            raise TypeError("only one-element integer tensors can be used as an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._array.size != 1:
            raise RuntimeError(f"the truth value of a tensor with {self._array.size} elements is ambiguous")
        return bool(self._array.item())

    def detach(self) -> Tensor:
        """The same array, cut from the graph; it shares the version counter, so changing it
        in place is still caught by backward through a node that saved this tensor."""
        detached = Tensor._make(self._array, None)
        detached._version_counter = self._version_counter
        return detached

    def detach_(self) -> Tensor:
        """Cut this tensor itself from the graph: it becomes a leaf that does not require grad
        (a view cannot be, as in PyTorch: its base's history would lose track of it)."""
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    def clone(self, *, memory_format=None) -> Tensor:
        """A copy in an array of its own, in the graph: the gradient passes through unchanged.
        (A conversion to the same dtype, which always copies.)"""
        return Cast.apply(self, dtype=self._array.dtype)

    def astype(self, dtype) -> Tensor:
        """Convert; float-to-float conversions are differentiable, others leave the graph."""
        dtype = np.dtype(dtype)
        if dtype == self._array.dtype:
            return self
        if dtypes.is_floating(dtype) and dtypes.is_floating(self._array.dtype):
            return Cast.apply(self, dtype=dtype)
        return Tensor._make(self._array.astype(dtype), None)

    def to(self, *args, **kwargs) -> Tensor:
        """PyTorch's forms: `to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other)` (other's
        dtype; every device is the CPU), each followed by `non_blocking` and `copy`, and the
        keywords `device=`, `dtype=`, `non_blocking=`, `copy=`, `memory_format=`. Self when
        nothing changes, unless `copy=True`; a float-to-float conversion stays in the graph."""
        dtype, copy = _to_arguments(args, kwargs)
        if dtype is not None and dtype != self._array.dtype:
            return self.astype(dtype)
        return self.clone() if copy else self

    def type(self, dtype=None, non_blocking: bool = False) -> str | Tensor:
        """`type()`: PyTorch's type name, 'torch.FloatTensor' for float32; `type(dtype)` or
        `type('torch.LongTensor')`: converted (self if the dtype is already that)."""
        if dtype is None:
            return dtypes.type_string(self._array.dtype)
        return self.to(dtypes.dtype_of_type(dtype))

    def type_as(self, other: Tensor) -> Tensor:
        """Converted to `other`'s dtype."""
        return self.to(other._array.dtype)

    def cpu(self, memory_format=None) -> Tensor:
        """Self: tensors are on the CPU already."""
        check_memory_format(memory_format)
        return self

    def cuda(self, device=None, non_blocking: bool = False, memory_format=None) -> Tensor:
        """Raises: there is no CUDA device (tinygrad_np computes with NumPy on the CPU)."""
        raise refuse("cuda")

    def pin_memory(self) -> Tensor:
        """Self: pinning speeds up copies to an accelerator, and there is none."""
        return self

    def is_pinned(self) -> bool:
        return False

    def contiguous(self, memory_format=contiguous_format) -> Tensor:
        """Self if the array is in C order, else a C-ordered copy in the graph."""
        check_memory_format(memory_format, (contiguous_format,))
        if self._array.flags.c_contiguous:
            return self
        return Cast.apply(self, dtype=self._array.dtype, order="C")

    def float(self) -> Tensor:
        return self.astype(dtypes.float32)

    def double(self) -> Tensor:
        return self.astype(dtypes.float64)

    def half(self) -> Tensor:
        return self.astype(dtypes.float16)

    def long(self) -> Tensor:
        return self.astype(dtypes.int64)

    def int(self) -> Tensor:
        return self.astype(dtypes.int32)

    def bool(self) -> Tensor:
        return self.astype(dtypes.bool_)

    # ----------------------------------------------------------------- new tensors of this tensor's dtype

    def new_tensor(self, data, dtype=None, device=None, requires_grad: bool = False, layout=None,
                   pin_memory: bool = False) -> Tensor:
        """`tg.tensor(data)` (a copy), of this tensor's dtype unless `dtype` is given."""
        check_layout(layout)
        return tensor(data, self._array.dtype if dtype is None else dtype, device, requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
                  pin_memory: bool = False) -> Tensor:
        return self._new_filled(size, 0, dtype, device, requires_grad, layout)

    def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
                 pin_memory: bool = False) -> Tensor:
        return self._new_filled(size, 1, dtype, device, requires_grad, layout)

    def new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
                  pin_memory: bool = False) -> Tensor:
        """Zero-filled (PyTorch leaves it uninitialized)."""
        return self._new_filled(size, 0, dtype, device, requires_grad, layout)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False, layout=None,
                 pin_memory: bool = False) -> Tensor:
        """Filled with `fill_value`, converted to this dtype (a fraction truncated into an integer one)."""
        return self._new_filled((size,), fill_value, dtype, device, requires_grad, layout)

    def _new_filled(self, size: tuple, value, dtype, device, requires_grad: bool, layout) -> Tensor:
        as_device(device)
        check_layout(layout)
        made = Tensor._make(np.full(shape_arg(size), value, self._array.dtype if dtype is None else dtype), None)
        return made.requires_grad_() if requires_grad else made

    # ----------------------------------------------------------------- autograd

    def backward(self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) · gradient into every leaf's `.grad`.

        `gradient` may be omitted for a one-element tensor. The graph's saved values are
        released afterwards unless `retain_graph` (which defaults to `create_graph`).
        """
        differentiate.backward([self], None if gradient is None else [gradient], retain_graph, create_graph)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call `hook(grad)` when this tensor's gradient is computed, before it is accumulated
        into `.grad` or passed on; a tensor it returns replaces the gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return RemovableHandle(hooks_of(self), hook)

    def retain_grad(self) -> Tensor:
        """Keep this non-leaf tensor's gradient in `.grad` during backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on a tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn.retained = weakref.ref(self)
        return self

    # ----------------------------------------------------------------- arithmetic

    def add(self, other, *, alpha=1) -> Tensor:
        """self + alpha * other"""
        return Add.apply(*_broadcast("add", self, other if alpha == 1 else other * alpha))

    def sub(self, other, *, alpha=1) -> Tensor:
        """self - alpha * other"""
        return Sub.apply(*_broadcast("sub", self, other if alpha == 1 else other * alpha))

    def mul(self, other) -> Tensor:
        return Mul.apply(*_broadcast("mul", self, other))

    def div(self, other, *, rounding_mode: str | None = None) -> Tensor:
        """a / b (integers become floats); with `rounding_mode` "trunc" or "floor" the quotient
        rounded towards zero or down, in the operands' dtype, with a zero gradient (as PyTorch)."""
        if rounding_mode is None:
            return Div.apply(*_broadcast("div", self, other, floating=True))
        if rounding_mode not in ("trunc", "floor"):
            raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                               f"{rounding_mode!r}")
        return _rounded_division("div", self, other, rounding_mode)

    def pow(self, exponent) -> Tensor:
        return Pow.apply(*_broadcast("pow", self, exponent))

    def neg(self) -> Tensor:
        return Neg.apply(self)

    def abs(self) -> Tensor:
        return Abs.apply(self)

    def matmul(self, other) -> Tensor:
        return _matmul(self, other)

    def mm(self, mat2: Tensor) -> Tensor:
        """The product of two matrices (2-D, of one dtype; no broadcasting, as PyTorch)."""
        if self.ndim != 2 or mat2.ndim != 2:
            raise ShapeError(f"mm: {'self' if self.ndim != 2 else 'mat2'} must be a matrix, got shapes "
                             f"{list(self.shape)} and {list(mat2.shape)}")
        if self._array.shape[1] != mat2._array.shape[0]:
            (m, k), (k2, n) = self._array.shape, mat2._array.shape
            raise ShapeError(f"mm: mat1 and mat2 shapes cannot be multiplied ({m}x{k} and {k2}x{n})")
        _same_dtype("mm", self, mat2)
        return MatMul.apply(self, mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        """Matrix products of two batches of matrices: (b, n, m) @ (b, m, p) -> (b, n, p)."""
        if self.ndim != 3 or mat2.ndim != 3:
            raise ShapeError(f"bmm: {'batch1' if self.ndim != 3 else 'batch2'} must be a 3D tensor, got shapes "
                             f"{list(self.shape)} and {list(mat2.shape)}")
        expected = [self._array.shape[0], self._array.shape[2]]
        if list(mat2._array.shape[:2]) != expected:
            raise ShapeError(f"bmm: expected size for first two dimensions of batch2 tensor to be: {expected} "
                             f"but got: {list(mat2._array.shape[:2])}")
        _same_dtype("bmm", self, mat2)
        return MatMul.apply(self, mat2)

    def dot(self, other: Tensor) -> Tensor:
        """The inner product of two 1-D tensors of one dtype and size."""
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
        _same_dtype("dot", self, other)
        if self._array.shape != other._array.shape:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{self.shape[0]}] and src "
                               f"[{other.shape[0]}] to have the same number of elements")
        return _matmul(self, other)

    def mv(self, vec: Tensor) -> Tensor:
        """The product of a matrix (n, m) and a vector (m,), of one dtype."""
        if self.ndim != 2 or vec.ndim != 1 or self._array.shape[1] != vec._array.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({self.shape[0] if self.ndim else ''}), mat "
                               f"({'x'.join(map(str, self.shape))}), vec ({'x'.join(map(str, vec.shape))})")
        _same_dtype("mv", self, vec)
        return _matmul(self, vec)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
        """beta · self + alpha · (mat1 @ mat2), self broadcast to the product's shape; with beta = 0
        self is ignored (NaN in it too), as PyTorch."""
        product = mat1.mm(mat2)
        shape = product._array.shape
        if broadcast_shape("addmm", self._array.shape, shape) != shape:
            raise RuntimeError(f"The expanded size of the tensor ({list(self.shape)}) must match the product's "
                               f"size {list(shape)}")
        if alpha != 1:
            product = product * alpha
        if beta == 0:  # self is not read, but gets a zero gradient, as PyTorch
            everywhere = Tensor._make(np.ones(shape, dtype=bool), None)
            return where(everywhere, product, self) if self._requires_grad else product
        return product + (self if beta == 1 else self * beta)

    def __add__(self, other) -> Tensor:
        return Add.apply(*_broadcast("add", self, other))

    def __sub__(self, other) -> Tensor:
        return Sub.apply(*_broadcast("sub", self, other))

    __mul__ = mul
    __truediv__ = div
    __pow__ = pow
    __matmul__ = matmul
    __neg__ = neg
    __abs__ = abs

    def __radd__(self, other) -> Tensor:
        return Add.apply(*_broadcast("add", other, self))

    def __rsub__(self, other) -> Tensor:
        return Sub.apply(*_broadcast("sub", other, self))

    def __rmul__(self, other) -> Tensor:
        return Mul.apply(*_broadcast("mul", other, self))

    def __rtruediv__(self, other) -> Tensor:
        return Div.apply(*_broadcast("div", other, self, floating=True))

    def __rpow__(self, other) -> Tensor:
        return Pow.apply(*_broadcast("pow", other, self))

    def __rmatmul__(self, other) -> Tensor:
        return _matmul(other, self)

    # ----------------------------------------------------------------- remainders, floor division, bitwise ops

    def remainder(self, other) -> Tensor:
        """a − b·⌊a/b⌋ (`%`): Python's remainder, with b's sign; ∂a = g, ∂b = −g·⌊a/b⌋.
        Integer division by zero raises, as PyTorch; float gives NaN."""
        return _remainder("remainder", self, other, "floor")

    def fmod(self, other) -> Tensor:
        """a − b·trunc(a/b): C's remainder, with a's sign; ∂a = g, ∂b = −g·trunc(a/b)."""
        return _remainder("fmod", self, other, "trunc")

    def floor_divide(self, other) -> Tensor:
        """⌊a/b⌋ (`//`), in the operands' dtype, as `div(other, rounding_mode="floor")`. Its
        gradient is zero (PyTorch's backward through it raises "not implemented")."""
        return _rounded_division("floor_divide", self, other, "floor")

    def positive(self) -> Tensor:
        """`+t`: the tensor itself, as PyTorch (a bool tensor refuses)."""
        if self._array.dtype == dtypes.bool_:
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    def bitwise_and(self, other) -> Tensor:
        """a & b on bool (logical) or integer (bitwise) tensors; no graph."""
        return _bitwise("bitwise_and", np.bitwise_and, self, other)

    def bitwise_or(self, other) -> Tensor:
        """a | b on bool or integer tensors; no graph."""
        return _bitwise("bitwise_or", np.bitwise_or, self, other)

    def bitwise_xor(self, other) -> Tensor:
        """a ^ b on bool or integer tensors; no graph."""
        return _bitwise("bitwise_xor", np.bitwise_xor, self, other)

    def bitwise_not(self) -> Tensor:
        """~a: logical not of a bool tensor, bitwise not of an integer one; no graph."""
        if dtypes.is_floating(self._array.dtype):
            raise NotImplementedError(f'"bitwise_not" is not implemented for {self._array.dtype} tensors')
        return Tensor._make(np.invert(self._array), None)

    __mod__, __floordiv__, __pos__ = remainder, floor_divide, positive
    __and__, __or__, __xor__ = bitwise_and, bitwise_or, bitwise_xor

    def __rmod__(self, other) -> Tensor:
        return _remainder("remainder", other, self, "floor")

    def __rfloordiv__(self, other) -> Tensor:
        return _rounded_division("floor_divide", other, self, "floor")

    def __rand__(self, other) -> Tensor:
        return _bitwise("bitwise_and", np.bitwise_and, other, self)

    def __ror__(self, other) -> Tensor:
        return _bitwise("bitwise_or", np.bitwise_or, other, self)

    def __rxor__(self, other) -> Tensor:
        return _bitwise("bitwise_xor", np.bitwise_xor, other, self)

    # ----------------------------------------------------------------- in place (inplace.py: versions, history)

    def add_(self, other, *, alpha=1) -> Tensor:
        return modify(self, "add_", lambda t: t.add(other, alpha=alpha), (other,))

    def sub_(self, other, *, alpha=1) -> Tensor:
        return modify(self, "sub_", lambda t: t.sub(other, alpha=alpha), (other,))

    def mul_(self, other) -> Tensor:
        return modify(self, "mul_", lambda t: t.mul(other), (other,))

    def div_(self, other, *, rounding_mode: str | None = None) -> Tensor:
        return modify(self, "div_", lambda t: t.div(other, rounding_mode=rounding_mode), (other,))

    def remainder_(self, other) -> Tensor:
        return modify(self, "remainder_", lambda t: t.remainder(other), (other,))

    def fmod_(self, other) -> Tensor:
        return modify(self, "fmod_", lambda t: t.fmod(other), (other,))

    def floor_divide_(self, other) -> Tensor:
        return modify(self, "floor_divide_", lambda t: t.floor_divide(other), (other,))

    def bitwise_and_(self, other) -> Tensor:
        return modify(self, "bitwise_and_", lambda t: t.bitwise_and(other), (other,))

    def bitwise_or_(self, other) -> Tensor:
        return modify(self, "bitwise_or_", lambda t: t.bitwise_or(other), (other,))

    def bitwise_xor_(self, other) -> Tensor:
        return modify(self, "bitwise_xor_", lambda t: t.bitwise_xor(other), (other,))

    def bitwise_not_(self) -> Tensor:
        return modify(self, "bitwise_not_", Tensor.bitwise_not)

    def pow_(self, exponent) -> Tensor:
        return modify(self, "pow_", lambda t: t.pow(exponent), (exponent,))

    def neg_(self) -> Tensor:
        return modify(self, "neg_", Tensor.neg)

    def clamp_(self, min=None, max=None) -> Tensor:
        return modify(self, "clamp_", lambda t: t.clamp(min, max), (min, max))

    clip_ = clamp_

    def abs_(self) -> Tensor:
        return modify(self, "abs_", Tensor.abs)

    def exp_(self) -> Tensor:
        return modify(self, "exp_", Tensor.exp)

    def log_(self) -> Tensor:
        return modify(self, "log_", Tensor.log)

    def log1p_(self) -> Tensor:
        return modify(self, "log1p_", Tensor.log1p)

    def sqrt_(self) -> Tensor:
        return modify(self, "sqrt_", Tensor.sqrt)

    def rsqrt_(self) -> Tensor:
        return modify(self, "rsqrt_", Tensor.rsqrt)

    def sin_(self) -> Tensor:
        return modify(self, "sin_", Tensor.sin)

    def cos_(self) -> Tensor:
        return modify(self, "cos_", Tensor.cos)

    def tanh_(self) -> Tensor:
        return modify(self, "tanh_", Tensor.tanh)

    def sigmoid_(self) -> Tensor:
        return modify(self, "sigmoid_", Tensor.sigmoid)

    def relu_(self) -> Tensor:
        return modify(self, "relu_", Tensor.relu)

    def square_(self) -> Tensor:
        return modify(self, "square_", Tensor.square)

    def tan_(self) -> Tensor:
        return modify(self, "tan_", Tensor.tan)

    def asin_(self) -> Tensor:
        return modify(self, "asin_", Tensor.asin)

    def acos_(self) -> Tensor:
        return modify(self, "acos_", Tensor.acos)

    def atan_(self) -> Tensor:
        return modify(self, "atan_", Tensor.atan)

    def sinh_(self) -> Tensor:
        return modify(self, "sinh_", Tensor.sinh)

    def cosh_(self) -> Tensor:
        return modify(self, "cosh_", Tensor.cosh)

    def asinh_(self) -> Tensor:
        return modify(self, "asinh_", Tensor.asinh)

    def acosh_(self) -> Tensor:
        return modify(self, "acosh_", Tensor.acosh)

    def atanh_(self) -> Tensor:
        return modify(self, "atanh_", Tensor.atanh)

    def reciprocal_(self) -> Tensor:
        return modify(self, "reciprocal_", Tensor.reciprocal)

    def erfinv_(self) -> Tensor:
        return modify(self, "erfinv_", Tensor.erfinv)

    def atan2_(self, other) -> Tensor:
        return modify(self, "atan2_", lambda t: t.atan2(other), (other,))

    def hypot_(self, other: Tensor) -> Tensor:
        return modify(self, "hypot_", lambda t: t.hypot(other), (other,))

    def lerp_(self, end: Tensor, weight) -> Tensor:
        return modify(self, "lerp_", lambda t: t.lerp(end, weight), (end, weight))

    def clamp_min_(self, min) -> Tensor:
        return modify(self, "clamp_min_", lambda t: t.clamp(min=min), (min,))

    def clamp_max_(self, max) -> Tensor:
        return modify(self, "clamp_max_", lambda t: t.clamp(max=max), (max,))

    def __iadd__(self, other) -> Tensor:
        return self.add_(other)

    def __isub__(self, other) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other) -> Tensor:
        return self.div_(other)

    def __imod__(self, other) -> Tensor:
        return self.remainder_(other)

    def __ifloordiv__(self, other) -> Tensor:
        return self.floor_divide_(other)

    def __iand__(self, other) -> Tensor:
        return self.bitwise_and_(other)

    def __ior__(self, other) -> Tensor:
        return self.bitwise_or_(other)

    def __ixor__(self, other) -> Tensor:
        return self.bitwise_xor_(other)

    def fill_(self, value) -> Tensor:
        """Every element set to `value` (a number or a one-element tensor, which gets the gradient)."""
        if isinstance(value, Tensor) and value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                               "dimensions")
        return self._overwrite("fill_", value)

    def zero_(self) -> Tensor:
        return self._overwrite("zero_", 0)

    def copy_(self, src) -> Tensor:
        """The values of `src` (broadcast to this shape, converted to this dtype); the gradient
        goes to `src`, summed over the broadcast dims."""
        source = as_tensor(src, dtype=None if isinstance(src, Tensor) else self.dtype)
        if broadcast_shape("copy_", source.shape, self.shape) != self.shape:
            raise RuntimeError(f"copy_: the source of shape {list(source.shape)} cannot be broadcast to "
                               f"{list(self.shape)}")
        return self._overwrite("copy_", source.astype(self.dtype) if source.dtype != self.dtype else source)

    def uniform_(self, from_: float = 0.0, to: float = 1.0) -> Tensor:
        """Values drawn uniformly from [from_, to) by the library's generator (`manual_seed`)."""
        _check_random_fill("uniform_", self.dtype)
        values = default_generator().uniform(from_, to, self.shape).astype(self.dtype)
        return self._overwrite("uniform_", Tensor._make(values, None))

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        """Values drawn from N(mean, std²) by the library's generator (`manual_seed`)."""
        _check_random_fill("normal_", self.dtype)
        values = default_generator().normal(mean, std, self.shape).astype(self.dtype)
        return self._overwrite("normal_", Tensor._make(values, None))

    def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
        """Each element set to 1 with probability p (a number, or a tensor broadcast to this
        shape), else 0, in this dtype; drawn by `generator` or the library's generator."""
        probabilities = p._array if isinstance(p, Tensor) else np.asarray(p, dtype=np.float64)
        if not ((probabilities >= 0) & (probabilities <= 1)).all():
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        draws = numpy_generator(generator, "bernoulli_").random(self.shape) < probabilities
        return self._overwrite("bernoulli_", Tensor._make(draws.astype(self.dtype), None))

    def exponential_(self, lambd: float = 1.0, *, generator=None) -> Tensor:
        """Values drawn from the exponential distribution of rate `lambd` (> 0)."""
        if dtypes.is_floating(self.dtype) and not lambd > 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
        _check_random_fill("exponential_", self.dtype)
        values = numpy_generator(generator, "exponential_").exponential(1 / lambd, self.shape)
        return self._overwrite("exponential_", Tensor._make(values.astype(self.dtype), None))

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
        """Values e^X with X drawn from N(mean, std²), std > 0."""
        _check_random_fill("log_normal_", self.dtype)
        if not std > 0:
            raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
        values = numpy_generator(generator, "log_normal_").lognormal(mean, std, self.shape)
        return self._overwrite("log_normal_", Tensor._make(values.astype(self.dtype), None))

    def random_(self, from_=None, to=None, *, generator=None) -> Tensor:
        """Integers drawn uniformly from [from_, to); `random_(to)` is [0, to); `random_()` is
        [0, 2^mantissa] for floats (every integer the dtype holds exactly) and [0, max] for
        integers, as PyTorch."""
        if to is None and from_ is not None:
            from_, to = 0, from_
        from_ = 0 if from_ is None else from_
        dtype = self._array.dtype
        if to is None and dtype == dtypes.bool_:
            to = 2
        elif to is None:
            to = np.iinfo(dtype).max + 1 if dtype.kind in "iu" else 2 ** (np.finfo(dtype).nmant + 1) + 1
        if from_ >= to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
        values = numpy_generator(generator, "random_").integers(from_, to, self.shape)
        return self._overwrite("random_", Tensor._make(values.astype(self.dtype), None))

    def unsqueeze_(self, dim: int) -> Tensor:
        """This tensor itself with a size-1 dim inserted at `dim` (see `_restride`)."""
        return self._restride("unsqueeze_", lambda t: t.unsqueeze(dim))

    def squeeze_(self, dim=None) -> Tensor:
        """This tensor itself with its size-1 dims (those in `dim` if given) dropped."""
        return self._restride("squeeze_", lambda t: t.squeeze(dim))

    def t_(self) -> Tensor:
        """This matrix itself transposed (0-D and 1-D tensors unchanged)."""
        return self._restride("t_", Tensor.t)

    def transpose_(self, dim0: int, dim1: int) -> Tensor:
        """This tensor itself with dims `dim0` and `dim1` swapped."""
        return self._restride("transpose_", lambda t: t.transpose(dim0, dim1))

    def _restride(self, name: str, view: Callable[[Tensor], Tensor]) -> Tensor:
        """PyTorch's in-place view ops: the tensor itself takes the view's shape and strides (the
        same memory) and, in a graph, the view's history; its version moves, so a node that saved
        it refuses to backward. A leaf that requires grad refuses, as PyTorch; so does a view in a
        graph (its base's history could not follow: use the out-of-place form)."""
        recording = grad_state.enabled and self._requires_grad
        if recording and self.grad_fn is None:
            raise RuntimeError(f"{name}: a leaf Variable that requires grad is being used in an in-place operation.")
        if recording and self._base is not None:
            raise RuntimeError(f"{name}: not supported on a view of a tensor in the graph; use the out-of-place "
                               f"{name[:-1]}() instead")
        result = view(self)
        self._array = result._array
        if recording:
            self.grad_fn = result.grad_fn
        self._bump_version()
        return self

    def _overwrite(self, name: str, value) -> Tensor:
        """Replace every element by `value` (broadcast); the old values get a zero gradient."""
        everywhere = Tensor._make(np.ones(self.shape, dtype=bool), None)
        if isinstance(value, Tensor):
            return modify(self, name, lambda t: where(everywhere, value, t), (value,),
                          write=lambda out: np.copyto(out, value._array, casting="unsafe"))
        _check_fill_value(name, value, self.dtype)
        return modify(self, name, lambda t: where(everywhere, value, t), (),
                      write=lambda out: out.fill(value))

    def masked_fill_(self, mask, value) -> Tensor:
        """`value` where `mask` (a bool tensor broadcastable to this shape) holds."""
        condition = _mask_for(self, mask, "masked_fill_")
        _check_masked_fill_value("masked_fill_", value, self.dtype)
        array = value._array if isinstance(value, Tensor) else value
        return modify(self, "masked_fill_", lambda t: where(condition, value, t), (value,),
                      write=lambda out: np.copyto(out, array, casting="unsafe", where=condition._array))

    def masked_fill(self, mask, value) -> Tensor:
        """A copy with `value` where the bool `mask` holds. As PyTorch's out-of-place form, self and
        mask broadcast together, so a mask with more dims gives a larger result."""
        mask = as_tensor(mask)
        shape = broadcast_shape("masked_fill", mask.shape, self.shape)
        condition = _mask_for(self if shape == self.shape else self.expand(shape), mask, "masked_fill")
        _check_masked_fill_value("masked_fill", value, self.dtype)
        result = where(condition, value, self)
        return result if result.dtype == self.dtype else result.astype(self.dtype)

    def index_add_(self, dim: int, index, source, *, alpha=1) -> Tensor:
        """self[..., index[i], ...] += alpha * source[..., i, ...] along `dim` (repeated indices add up)."""
        key, source = _index_add_args(self, dim, index, source, alpha)
        return modify(self, "index_add_", lambda t: t + IndexAdd.apply(source, shape=self.shape, key=key, basic=False),
                      (source,), write=lambda out: np.add.at(out, key, source._array))

    def index_add(self, dim: int, index, source, *, alpha=1) -> Tensor:
        """A copy of self with alpha * source added at `index` along `dim`."""
        key, source = _index_add_args(self, dim, index, source, alpha)
        return self + IndexAdd.apply(source, shape=self.shape, key=key, basic=False)

    def __setitem__(self, key, value) -> None:
        """`t[key] = value`: in place; recorded in the graph when either side needs a gradient."""
        key, basic = index_key(_key_arrays(key), self._array.shape)
        if isinstance(value, (Number, np.generic)):
            _check_fill_value("setitem", value, self.dtype)
        if not isinstance(value, Tensor):
            scalar = isinstance(value, (Number, np.generic))
            value = _as_operand(value, self) if scalar else as_tensor(value, self.dtype)
        target_shape = self._array[key].shape
        if value.dtype != self.dtype:
            value = value.astype(self.dtype)
        if value.shape != target_shape:
            if broadcast_shape("setitem", value.shape, target_shape) != target_shape:
                raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be broadcast "
                                   f"to indexing result of shape {list(target_shape)}")

        def write(out: np.ndarray) -> None:
            out[key] = value._array

        def compute(t: Tensor) -> Tensor:
            expanded = value if value.shape == target_shape else value.expand(target_shape)
            return IndexPut.apply(t, expanded, key=key, basic=basic)

        modify(self, "setitem", compute, (value,), write=write)

    # ----------------------------------------------------------------- comparisons (no gradient)

    def lt(self, other) -> Tensor:
        return _compare("lt", np.less, self, other)

    def le(self, other) -> Tensor:
        return _compare("le", np.less_equal, self, other)

    def gt(self, other) -> Tensor:
        return _compare("gt", np.greater, self, other)

    def ge(self, other) -> Tensor:
        return _compare("ge", np.greater_equal, self, other)

    def eq(self, other) -> Tensor:
        return _compare("eq", np.equal, self, other)

    def ne(self, other) -> Tensor:
        return _compare("ne", np.not_equal, self, other)

    __lt__, __le__, __gt__, __ge__, __eq__, __ne__ = lt, le, gt, ge, eq, ne

    def __contains__(self, element) -> bool:
        return bool((self == element)._array.any())

    def logical_not(self) -> Tensor:
        return Tensor._make(np.logical_not(self._array), None)

    def __invert__(self) -> Tensor:
        """Logical not for bool tensors, bitwise not for integers (as PyTorch)."""
        if dtypes.is_floating(self._array.dtype):
            raise TypeError(f"~ is only defined for bool and integer tensors, not {self._array.dtype}")
        return Tensor._make(np.invert(self._array), None)

    def sign(self) -> Tensor:
        """-1, 0 or 1 elementwise (0 for NaN); its gradient is zero."""
        return Sign.apply(self)

    # ----------------------------------------------------------------- elementwise

    def exp(self) -> Tensor:
        return Exp.apply(_floating(self))

    def log(self) -> Tensor:
        return Log.apply(_floating(self))

    def log1p(self) -> Tensor:
        return Log1p.apply(_floating(self))

    def erf(self) -> Tensor:
        return Erf.apply(_floating(self))

    def sin(self) -> Tensor:
        return Sin.apply(_floating(self))

    def cos(self) -> Tensor:
        return Cos.apply(_floating(self))

    def tanh(self) -> Tensor:
        return Tanh.apply(_floating(self))

    def sigmoid(self) -> Tensor:
        return Sigmoid.apply(_floating(self))

    def relu(self) -> Tensor:
        return Relu.apply(self)

    def sqrt(self) -> Tensor:
        return _floating(self) ** 0.5

    def maximum(self, other) -> Tensor:
        return Maximum.apply(*_broadcast("maximum", self, other))

    def minimum(self, other) -> Tensor:
        return Minimum.apply(*_broadcast("minimum", self, other))

    def clamp(self, min=None, max=None) -> Tensor:
        """Limit to [min, max]; the gradient passes where min <= x <= max (bounds included),
        and NaN stays NaN with a zero gradient, as PyTorch."""
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        out = self
        if min is not None:
            out = where(out < min, min, out)
        if max is not None:
            out = where(out > max, max, out)
        nan = np.isnan(self._array) if dtypes.is_floating(self._array.dtype) else None
        if nan is not None and nan.any():
            out = where(Tensor._make(nan, None), self.detach(), out)
        return out

    clip = clamp

    def clamp_min(self, min) -> Tensor:
        """`clamp(min=min)`."""
        return self.clamp(min=min)

    def clamp_max(self, max) -> Tensor:
        """`clamp(max=max)`."""
        return self.clamp(max=max)

    def square(self) -> Tensor:
        """x · x (bool becomes int64, as PyTorch)."""
        t = self.astype(dtypes.int64) if self._array.dtype == dtypes.bool_ else self
        return t * t

    def rsqrt(self) -> Tensor:
        """1 / √x, as `x ** -0.5` (inf at 0)."""
        return _floating(self) ** -0.5

    def isnan(self) -> Tensor:
        return Tensor._make(np.isnan(self._array), None)

    def isinf(self) -> Tensor:
        return Tensor._make(np.isinf(self._array), None)

    def isfinite(self) -> Tensor:
        return Tensor._make(np.isfinite(self._array), None)

    def where(self, condition, other) -> Tensor:
        """`where(condition, self, other)`."""
        return where(condition, self, other)

    # ----------------------------------------------------------------- trigonometry and friends (ops/trig.py)

    def tan(self) -> Tensor:
        return Tan.apply(_floating(self))

    def asin(self) -> Tensor:
        return Asin.apply(_floating(self))

    def acos(self) -> Tensor:
        return Acos.apply(_floating(self))

    def atan(self) -> Tensor:
        return Atan.apply(_floating(self))

    def atan2(self, other) -> Tensor:
        """The angle of the point (other, self), in (−π, π]; gradient 0 at the origin, as PyTorch."""
        return Atan2.apply(*_broadcast("atan2", self, other, floating=True))

    def sinh(self) -> Tensor:
        return Sinh.apply(_floating(self))

    def cosh(self) -> Tensor:
        return Cosh.apply(_floating(self))

    def asinh(self) -> Tensor:
        return Asinh.apply(_floating(self))

    def acosh(self) -> Tensor:
        return Acosh.apply(_floating(self))

    def atanh(self) -> Tensor:
        return Atanh.apply(_floating(self))

    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def reciprocal(self) -> Tensor:
        """1 / x (integers become the default float)."""
        return Div.apply(*_broadcast("reciprocal", 1.0, self, floating=True))

    def erfinv(self) -> Tensor:
        """The inverse of erf on [−1, 1] (±inf at ±1, NaN outside)."""
        return Erfinv.apply(_floating(self))

    def hypot(self, other: Tensor) -> Tensor:
        """√(a² + b²) without overflow; both floating tensors."""
        _check_floating_pair("hypot", self, other)
        return Hypot.apply(*_broadcast("hypot", self, other))

    def logaddexp(self, other: Tensor) -> Tensor:
        """log(eᵃ + eᵇ) = max(a, b) + log1p(e^(−|a − b|)): no overflow; at a = b each gets g/2."""
        _check_floating_pair("logaddexp", self, other)
        return self.maximum(other) + (-(self - other).abs()).exp().log1p()

    def lerp(self, end: Tensor, weight) -> Tensor:
        """start + weight · (end − start); `end` (and a tensor `weight`) of start's dtype."""
        for name, t in (("end", end), ("weight", weight)):
            if isinstance(t, Tensor) and t._array.dtype != self._array.dtype:
                raise RuntimeError(f"expected dtype {self.dtype} for `{name}` but got dtype {t.dtype}")
        if not dtypes.is_floating(self._array.dtype):
            raise NotImplementedError(f'"lerp" is not implemented for {self._array.dtype} tensors')
        return self + weight * (end - self)

    # ----------------------------------------------------------------- reductions

    # Every reduction takes PyTorch's `dim`/`keepdim` or NumPy's `axis`/`keepdims`.

    def sum(self, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None) -> Tensor:
        """Σ over `dim` (all dims if None); integer and bool sums are int64, as PyTorch. With
        `dtype`, the input is converted to it first and the sum has that dtype."""
        dim, keepdim = axis_args(dim, keepdim, axis, keepdims)
        t = self if dtype is None else self.to(dtype)
        out = Sum.apply(t, axis=normalize_dims(dim, t.ndim), keepdim=keepdim)
        return out if dtype is None or out._array.dtype == t._array.dtype else out.astype(t._array.dtype)

    def mean(self, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None) -> Tensor:
        """Σ / N over `dim`; a floating tensor, or any converted to the floating `dtype` first."""
        if dtype is not None and not dtypes.is_floating(np.dtype(dtype)):
            raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be either a floating "
                               f"point or complex dtype. Got: {np.dtype(dtype)}")
        t = self if dtype is None else self.to(dtype)
        if not dtypes.is_floating(t.dtype):
            raise RuntimeError(f"mean(): needs a floating point tensor, got {t.dtype}; use .float() first")
        dim, keepdim = axis_args(dim, keepdim, axis, keepdims)
        axes = normalize_dims(dim, t.ndim)
        return t.sum(axes, keepdim) / element_count(t._array.shape, axes)

    def var(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *, correction=None,
            axis=None, keepdims=None) -> Tensor:
        """Σ(x - mean)² / (N - correction); correction = 1 (unbiased) by default, as PyTorch.
        A bool first argument is the legacy `unbiased`."""
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        if correction is None:
            correction = 0 if unbiased is False else 1
        dim, keepdim = axis_args(dim, keepdim, axis, keepdims)
        axes = normalize_dims(dim, self.ndim)
        centered = self - self.mean(axes, keepdim=True)
        count = element_count(self._array.shape, axes)
        return (centered * centered).sum(axes, keepdim) / np.maximum(count - correction, 0)

    def std(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *, correction=None,
            axis=None, keepdims=None) -> Tensor:
        """The square root of `var`, with the same arguments. Where the variance is 0 the
        gradient is 0 (not NaN), as PyTorch."""
        variance = self.var(dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)
        zero = variance == 0
        return where(zero, 0.0, where(zero, 1.0, variance).sqrt())

    def amax(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """The maximum over `dim` (all dims by default); ties share the gradient evenly."""
        dim, keepdim = axis_args(dim, keepdim, axis, keepdims)
        return Max.apply(self, axis=normalize_dims(dim, self.ndim), keepdim=keepdim)

    def amin(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """The minimum over `dim` (all dims by default); ties share the gradient evenly."""
        dim, keepdim = axis_args(dim, keepdim, axis, keepdims)
        return Min.apply(self, axis=normalize_dims(dim, self.ndim), keepdim=keepdim)

    def max(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        """`max()`: the maximum (ties share the gradient); `max(dim)`: (values, indices), the
        gradient going to the returned index; `max(other_tensor)`: `maximum`."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        return _extremum(self, Max, Tensor.argmax, *axis_args(dim, keepdim, axis, keepdims))

    def min(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        """As `max`, for the minimum."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        return _extremum(self, Min, Tensor.argmin, *axis_args(dim, keepdim, axis, keepdims))

    def argmax(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """Index of the first maximum along `dim` (of the flattened tensor if None)."""
        return _arg_reduce(np.argmax, self, *axis_args(dim, keepdim, axis, keepdims))

    def argmin(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """Index of the first minimum along `dim` (of the flattened tensor if None)."""
        return _arg_reduce(np.argmin, self, *axis_args(dim, keepdim, axis, keepdims))

    def logsumexp(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """log Σ exp(x) = m + log Σ exp(x - m), with m the max (0 if infinite): no overflow."""
        dim, keepdim = axis_args(dim, keepdim, axis, keepdims)
        shifted, shift = _shift_by_max(self, dim)
        out = shifted.exp().sum(dim, keepdim=True).log() + shift
        return out if keepdim else out.squeeze(dim)

    def norm(self, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
        """The vector p-norm over `dim` (all dims if None); 'fro' is the 2-norm of the entries.
        Composed in tinygrad_np/linalg.py, with PyTorch's gradients at 0."""
        from .linalg import tensor_norm  # linalg builds on this module

        return tensor_norm(self, p, dim, keepdim, dtype)

    def prod(self, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
        """The product over one dim (all dims if None); integer and bool products are int64, as
        PyTorch. Floats multiply pairwise in a tree (`_product`), so the gradient comes from
        `Mul` and is right where entries are 0 (∂/∂xᵢ = Π_{j≠i} xⱼ, not prod / xᵢ)."""
        if dim is not None and not isinstance(dim, (int, np.integer)):
            raise TypeError(f"prod(): dim must be an int, got {type(dim).__name__}")
        t = self if dtype is None else self.to(dtype)
        if not dtypes.is_floating(t.dtype):
            axis = None if dim is None else normalize_dim(dim, t.ndim) if t.ndim else None
            return Tensor._make(np.prod(t._array, axis=axis, keepdims=keepdim, dtype=np.int64), None)
        if dim is None:
            out = _product(t.reshape(-1), 0)
            return out.reshape((1,) * t.ndim if keepdim else ())
        dim = normalize_dim(dim, t.ndim)
        if t.ndim == 0:
            return t.clone()
        out = _product(t, dim)
        return out if keepdim else out.squeeze(dim)

    def cumsum(self, dim: int, *, dtype=None) -> Tensor:
        """Running sums along `dim`: out[i] = Σ_{j<=i} a[j]; integer and bool inputs sum in int64,
        as PyTorch. A scan in ⌈log₂ n⌉ steps: add the running sums shifted by 1, 2, 4, ...
        places (zeros shifted in; `Index`, `Cat`, `Add`), so the gradient (g's running sums
        from the end) comes from the primitives."""
        t = self if dtype is None else self.to(dtype)
        if not dtypes.is_floating(t.dtype):
            t = t.astype(dtypes.int64)
        dim = normalize_dim(dim, t.ndim)
        if t.ndim == 0:
            return t.clone()
        n, out, shift = t.shape[dim], t, 1
        while shift < n:
            zeros = Tensor._make(np.zeros(t.shape[:dim] + (shift,) + t.shape[dim + 1:], t.dtype), None)
            out = out + Cat.apply(zeros, _slice_along(out, dim, 0, n - shift), axis=dim)
            shift *= 2
        return out if out is not self else self.clone()

    def nonzero(self, *, as_tuple: bool = False):
        """The positions of the non-zero entries, (N, ndim) int64, or a tuple of 1-D index
        tensors (tinygrad_np/counting.py)."""
        from .counting import nonzero  # counting builds on this module

        return nonzero(self, as_tuple=as_tuple)

    def argwhere(self) -> Tensor:
        """`nonzero()`: the (N, ndim) positions of the non-zero entries."""
        from .counting import nonzero

        return nonzero(self)

    def unique(self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
               dim: int | None = None):
        """The sorted distinct values (or slices along `dim`), with the inverse indices and counts
        if asked for (tinygrad_np/counting.py)."""
        from .counting import unique

        return unique(self, sorted, return_inverse, return_counts, dim)

    def bincount(self, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
        """Occurrences (or summed weights) of each value of a 1-D non-negative integer tensor
        (tinygrad_np/counting.py)."""
        from .counting import bincount

        return bincount(self, weights, minlength)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
        """A histogram of equal-width bins over [min, max] (tinygrad_np/counting.py)."""
        from .counting import histc

        return histc(self, bins, min, max)

    def cumprod(self, dim: int, *, dtype=None) -> Tensor:
        """Running products along `dim` (a scan of `Mul`s: the gradient is right at zeros too;
        tinygrad_np/reductions.py)."""
        from .reductions import cumprod  # reductions builds on this module

        return cumprod(self, dim, dtype=dtype)

    def logcumsumexp(self, dim: int) -> Tensor:
        """log Σ_{j≤i} e^(x[j]) along `dim`, without overflow (tinygrad_np/reductions.py)."""
        from .reductions import logcumsumexp

        return logcumsumexp(self, dim)

    def median(self, dim=None, keepdim: bool = False):
        """The lower median of all entries, or (values, indices) along `dim` (tinygrad_np/reductions.py)."""
        from .reductions import median

        return median(self, dim, keepdim)

    def count_nonzero(self, dim=None) -> Tensor:
        """The number of non-zero entries over `dim`, int64 (tinygrad_np/reductions.py)."""
        from .reductions import count_nonzero

        return count_nonzero(self, dim)

    def diff(self, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
        """The n-th forward difference along `dim` (tinygrad_np/reductions.py)."""
        from .reductions import diff

        return diff(self, n, dim, prepend, append)

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
        """NaN, +inf and −inf replaced (by 0 and the dtype's largest and lowest finite values by
        default); integer tensors come back as a copy. The gradient passes at finite entries only."""
        if not dtypes.is_floating(self._array.dtype):
            return self.clone()
        info = np.finfo(self._array.dtype)
        posinf, neginf = info.max if posinf is None else posinf, info.min if neginf is None else neginf
        array = self._array
        replaced = np.where(np.isnan(array), nan, np.where(array > 0, posinf, neginf)).astype(array.dtype)
        return where(Tensor._make(np.isfinite(array), None), self, Tensor._make(replaced, None))

    def all(self, dim=None, keepdim: bool = False) -> Tensor:
        """Whether every entry over `dim` (all dims if None) is non-zero; bool (uint8 for uint8), no graph."""
        return _logical_reduction(np.all, self, dim, keepdim)

    def any(self, dim=None, keepdim: bool = False) -> Tensor:
        """Whether some entry over `dim` (all dims if None) is non-zero; bool (uint8 for uint8), no graph."""
        return _logical_reduction(np.any, self, dim, keepdim)

    def softmax(self, dim=None, *, axis=None) -> Tensor:
        """exp(x - m) / Σ exp(x - m), with m the max along dim."""
        dim = dim if axis is None else axis
        return Softmax.apply(_floating(self), axis=normalize_dims(dim, self.ndim))

    def log_softmax(self, dim=None, *, axis=None) -> Tensor:
        """(x - m) - log Σ exp(x - m), with m the max along dim."""
        dim = dim if axis is None else axis
        return LogSoftmax.apply(_floating(self), axis=normalize_dims(dim, self.ndim))

    # ----------------------------------------------------------------- shape

    def reshape(self, *shape) -> Tensor:
        shape = shape_arg(shape)
        try:
            return Reshape.apply(self, shape=shape)
        except ValueError:
            raise ShapeError(
                f"reshape: cannot reshape a tensor of shape {self.shape} ({self.numel()} elements) into {shape}"
            ) from None

    def view(self, *shape, dtype=None) -> Tensor:
        """`view(*shape)`: `reshape` (docs/ops.md says why it does not raise where PyTorch's does).
        `view(dtype)`: the same memory read as another dtype, the last dim scaled by the ratio of
        the element sizes; outside the graph, sharing the version counter, as PyTorch's."""
        if dtype is None and len(shape) == 1 and isinstance(shape[0], (np.dtype, dtypes.UnsupportedDtype)):
            dtype = shape[0]
        elif dtype is None:
            return self.reshape(*shape)
        elif shape:
            raise TypeError("view() takes either a shape or a dtype, not both")
        return self._view_as_dtype(np.dtype(dtype))

    def _view_as_dtype(self, dtype: np.dtype) -> Tensor:
        array = self._array
        if dtype.itemsize != array.itemsize:
            what = f"to view {array.dtype} as {dtype} (different element sizes)"
            if array.ndim == 0:
                raise RuntimeError(f"self.dim() cannot be 0 {what}")
            if array.shape[-1] != 1 and array.strides[-1] != array.itemsize:
                raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {array.strides[-1] // array.itemsize}")
            if dtype.itemsize > array.itemsize and array.shape[-1] % (dtype.itemsize // array.itemsize):
                raise RuntimeError(f"self.size(-1) must be divisible by {dtype.itemsize // array.itemsize} {what}, "
                                   f"but got {array.shape[-1]}")
        viewed = Tensor._make(array.view(dtype), None)
        viewed._version_counter = self._version_counter
        return viewed

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other._array.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other._array.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims start_dim..end_dim into one."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = normalize_dim(start_dim, self.ndim), normalize_dim(end_dim, self.ndim)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self._array.shape
        return self.reshape(shape[:start] + (element_count(shape, range(start, end + 1)),) + shape[end + 1:])

    def squeeze(self, dim=None) -> Tensor:
        """Drop size-1 dims (only those in `dim` if given; others in `dim` are left alone)."""
        axes = range(self.ndim) if dim is None else normalize_dims(dim, self.ndim) or ()
        shape = self._array.shape
        drop = {i for i in axes if shape[i] == 1}
        return self.reshape(tuple(n for i, n in enumerate(shape) if i not in drop))

    def unsqueeze(self, dim: int) -> Tensor:
        dim = normalize_dim(dim, self.ndim + 1)
        shape = self._array.shape
        return self.reshape(shape[:dim] + (1,) + shape[dim:])

    def permute(self, *dims) -> Tensor:
        dims = tuple(normalize_dim(d, self.ndim) for d in shape_arg(dims))
        if sorted(dims) != list(range(self.ndim)):
            raise ShapeError(f"permute: {dims} is not a permutation of the dims of a tensor of shape {self.shape}")
        return Permute.apply(self, dims=dims)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dims (a view)."""
        dims = list(range(self.ndim))
        dim0, dim1 = normalize_dim(dim0, self.ndim), normalize_dim(dim1, self.ndim)
        if dims:
            dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return Permute.apply(self, dims=tuple(dims))

    @property
    def T(self) -> Tensor:
        """All dims reversed."""
        return Permute.apply(self, dims=tuple(reversed(range(self.ndim))))

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped (a batch of matrices transposed)."""
        return self.transpose(-2, -1)

    def t(self) -> Tensor:
        """A matrix transposed; 0-D and 1-D tensors as they are (a view either way)."""
        if self.ndim > 2:
            raise ShapeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return Permute.apply(self, dims=tuple(reversed(range(self.ndim))))

    def expand(self, *sizes) -> Tensor:
        """Broadcast to `sizes` (a view; -1 keeps a dim). The gradient is summed back."""
        sizes = shape_arg(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise ShapeError(f"expand: cannot expand a tensor of shape {self.shape} to fewer dims {sizes}")
        shape = list(sizes)
        for i, old in enumerate(self._array.shape):
            target = old if sizes[lead + i] == -1 else sizes[lead + i]
            if old != 1 and old != target:
                raise ShapeError(f"expand: dim {i} of a tensor of shape {self.shape} has size {old}, "
                                 f"which must be 1 or match the target size {target} (target {sizes})")
            shape[lead + i] = target
        if any(n < 0 for n in shape):
            raise ShapeError(f"expand: sizes must be non-negative (-1 only for existing dims), got {sizes}")
        return Expand.apply(self, shape=tuple(shape))

    def broadcast_to(self, shape) -> Tensor:
        return self.expand(shape)

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other._array.shape)

    def __getitem__(self, key) -> Tensor:
        key, basic = index_key(_key_arrays(key), self._array.shape)
        return Index.apply(self, key=key, basic=basic)

    def gather(self, dim: int, index) -> Tensor:
        """out[i][j][k] = self[index[i][j][k]][j][k] for dim 0 (and so on): advanced indexing."""
        index = as_array(index)
        dim = normalize_dim(dim, self.ndim)
        if self.ndim == 0 and index.ndim == 0:  # as PyTorch: a 0-d tensor gathers like a 1-element vector
            return self.reshape(1).gather(0, index.reshape(1)).reshape(())
        if index.ndim != self.ndim or index.dtype.kind not in "iu":
            raise ShapeError(f"gather: index must be an integer tensor with as many dims as the input "
                             f"({self.ndim}), got {index.dtype} of shape {index.shape}")
        if index.size and (index.min() < 0 or index.max() >= self._array.shape[dim]):
            raise IndexError(f"gather: index out of range for dim {dim} of size {self.shape[dim]}")
        key = tuple(
            index if d == dim else np.arange(n).reshape([-1 if i == d else 1 for i in range(index.ndim)])
            for d, n in enumerate(index.shape)
        )
        return Index.apply(self, key=key, basic=False)

    # ----------------------------------------------------------------- selection and rearrangement

    def narrow(self, dim: int, start, length: int) -> Tensor:
        """The `length` entries of `dim` from `start` on (a view; a negative start counts from the end)."""
        if self.ndim == 0:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        dim = normalize_dim(dim, self.ndim)
        size, start, length = self.shape[dim], operator.index(start), operator.index(length)
        if not -size <= start <= size:
            raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
        if length < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        start = start + size if start < 0 else start
        if start + length > size:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
        return _slice_along(self, dim, start, start + length)

    def split(self, split_size, dim: int = 0) -> tuple[Tensor, ...]:
        """Views of consecutive pieces along `dim`: of `split_size` entries each (the last one
        smaller if need be), or of the sizes in a list, which must add up to the dim's size."""
        if self.ndim == 0:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        dim = normalize_dim(dim, self.ndim)
        size = self.shape[dim]
        if isinstance(split_size, (list, tuple)):
            sizes = [operator.index(n) for n in split_size]
            if any(n < 0 for n in sizes):
                raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, "
                                   f"but got split_sizes={sizes}")
            if sum(sizes) != size:
                raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                                   f"size at dimension {dim}), but got split_sizes={sizes}")
        else:
            step = operator.index(split_size)
            if step < 0:
                raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
            if step == 0 and size != 0:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
            count = max(-(-size // step), 1) if step else 1
            sizes = [step] * (count - 1) + [size - step * (count - 1)]
        bounds = np.cumsum([0, *sizes]).tolist()
        return tuple(_slice_along(self, dim, start, stop) for start, stop in zip(bounds[:-1], bounds[1:]))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """`split` into pieces of ceil(size / chunks) entries: `chunks` pieces or fewer."""
        chunks = operator.index(chunks)
        if self.ndim == 0:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        size = self.shape[normalize_dim(dim, self.ndim)]
        return self.split(-(-size // chunks) if size else [0] * chunks, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """The slices along `dim`, that dim removed (views)."""
        if self.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        dim = normalize_dim(dim, self.ndim)
        lead = (slice(None),) * dim
        return tuple(Index.apply(self, key=lead + (i,), basic=True) for i in range(self.shape[dim]))

    def roll(self, shifts, dims=None) -> Tensor:
        """Entries moved cyclically `shifts` places along `dims` (along the flattened tensor if
        None): out[(i + shift) % n] = self[i]. A copy, through one `Index` per dim."""
        shifts = tuple(operator.index(s) for s in (shifts if isinstance(shifts, (tuple, list)) else (shifts,)))
        if dims is None:
            if len(shifts) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
            return self.flatten().roll(shifts, 0).reshape(self.shape)
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
        if not shifts:
            raise RuntimeError("`shifts` required")
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
        if self.ndim == 0:
            raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
        out = self
        for shift, dim in zip(shifts, dims):
            dim = normalize_dim(dim, self.ndim)
            n = self.shape[dim]
            positions = (np.arange(n) - shift) % n if n else np.arange(0)
            out = Index.apply(out, key=(slice(None),) * dim + (positions,), basic=False)
        return out

    def flip(self, *args, dims=None) -> Tensor:
        """The order of entries reversed along `dims` (a copy, as PyTorch's; `flip(0, 1)`,
        `flip((0, 1))` or `flip(dims=(0, 1))`)."""
        if dims is None and not args:
            raise TypeError("flip() missing 1 required positional argument: 'dims'")
        dims = [normalize_dim(d, self.ndim) for d in shape_arg(args if dims is None else (dims,))]
        for d in dims:
            if dims.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        key = tuple(slice(None, None, -1) if d in dims else slice(None) for d in range(self.ndim))
        return Index.apply(self, key=key, basic=True).clone()

    def repeat(self, *sizes) -> Tensor:
        """The tensor tiled `sizes[i]` times along dim i (sizes may add leading dims): a copy,
        made by interleaving size-1 dims, `expand` and `reshape`, so the gradient is a sum."""
        if not sizes:
            raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
        return _repeat(self, shape_arg(sizes))

    def tile(self, *args, dims=None) -> Tensor:
        """`repeat`, with `dims` padded with leading 1s when shorter than the tensor's dims."""
        dims = shape_arg(args if dims is None else (dims,))
        return _repeat(self, (1,) * (self.ndim - len(dims)) + dims)

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> ValuesIndices:
        """(values, indices) in ascending (or descending) order along `dim`. Always stable (equal
        values keep their order; `stable` is accepted); NaN counts as the largest value, as
        PyTorch. The values are gathered at the indices, so the gradient goes back to them."""
        indices = self.argsort(dim, descending)
        return ValuesIndices(self.gather(dim, indices), indices)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
        """The indices that sort along `dim`, as `sort` orders them (int64, no graph)."""
        dim = normalize_dim(dim, self.ndim)
        return Tensor._make(_sorted_order(self._array, dim, descending), None)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:
        """(values, indices) of the k largest (or smallest) entries along `dim`, in order (also
        when `sorted` is False, which leaves the order to the implementation); among equal
        values the first ones come first. The gradient goes to the entries picked."""
        k, dim = operator.index(k), normalize_dim(dim, self.ndim)
        if not 0 <= k <= (self.shape[dim] if self.ndim else 1):
            raise RuntimeError("selected index k out of range")
        if self.ndim == 0:
            return ValuesIndices(*(part.reshape(()) if k else part[:0] for part in self.reshape(1).topk(k, 0, largest)))
        order = _sorted_order(self._array, dim, descending=largest)
        indices = Tensor._make(order[(slice(None),) * dim + (slice(0, k),)], None)
        return ValuesIndices(self.gather(dim, indices), indices)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
        """(values, indices) of the k-th smallest entry along `dim` (k from 1)."""
        k, dim = operator.index(k), normalize_dim(dim, self.ndim)
        if not 1 <= k <= (self.shape[dim] if self.ndim else 1):
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
        order = _sorted_order(self._array, dim, descending=False)
        indices = Tensor._make(order[(slice(None),) * dim + (slice(k - 1, k),)] if self.ndim else order, None)
        values = self.gather(dim, indices)
        return ValuesIndices(values, indices) if keepdim else ValuesIndices(values.squeeze(dim), indices.squeeze(dim))

    def tril(self, diagonal: int = 0) -> Tensor:
        """The entries on and below the `diagonal`-th diagonal of the last two dims (batched over
        the others; 0 is the main diagonal, positive above it), zeros elsewhere."""
        return _triangle(self, "tril", diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        """The entries on and above the `diagonal`-th diagonal of the last two dims, zeros elsewhere."""
        return _triangle(self, "triu", diagonal)

    def multinomial(self, num_samples: int, replacement: bool = False, *, generator=None) -> Tensor:
        """Category indices drawn from each row of non-negative weights (1-D: one row), int64,
        outside the graph; see tinygrad_np/sampling.py. Draws from `generator` (a tg.Generator),
        else from the library's generator, which `tg.manual_seed` seeds."""
        rng = numpy_generator(generator, "multinomial")
        return Tensor._make(sampling.multinomial(self._array, num_samples, replacement, rng), None)

    def scatter(self, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
        """A copy with out[index[i][j]][j] = src[i][j] for dim 0 (and so on), or `value` there
        (`scatter(dim, index, value)` with a number works too). Where an index repeats, one of
        the writes wins. ∂self = g with zeros at the written places, ∂src = g gathered there."""
        key, basic, values = _scatter_args("scatter", self, dim, index, src, value, reduce)
        return IndexPut.apply(self, values, key=key, basic=basic)

    def scatter_(self, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
        """`scatter` in place."""
        key, basic, values = _scatter_args("scatter_", self, dim, index, src, value, reduce)
        return modify(self, "scatter_", lambda t: IndexPut.apply(t, values, key=key, basic=basic), (values,),
                      write=lambda out: out.__setitem__(key, values._array))

    def scatter_add(self, dim: int, index, src) -> Tensor:
        """A copy with src[i][j] added at out[index[i][j]][j] for dim 0 (and so on); repeated
        indices add up. ∂self = g, ∂src = g gathered at the indices."""
        key, basic, values = _scatter_args("scatter_add", self, dim, index, src, None, None)
        return self + IndexAdd.apply(values, shape=self.shape, key=key, basic=basic)

    def scatter_add_(self, dim: int, index, src) -> Tensor:
        """`scatter_add` in place."""
        key, basic, values = _scatter_args("scatter_add_", self, dim, index, src, None, None)
        added = IndexAdd.apply(values, shape=self.shape, key=key, basic=basic)
        return modify(self, "scatter_add_", lambda t: t + added, (values,),
                      write=lambda out: np.add.at(out, key, values._array))

    def index_select(self, dim: int, index) -> Tensor:
        """The entries at `index` (a vector, or a number as a 0-d tensor) along `dim`, in that
        order (a copy); the gradient is added back at the indices, repeats summed."""
        dim = normalize_dim(dim, self.ndim)
        index = as_array(index)
        if index.dtype.kind not in "iu":
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        if index.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        index = index.reshape(-1).copy()
        size = self.shape[dim] if self.ndim else 1
        out_of_range = index[(index < 0) | (index >= size)]
        if out_of_range.size:
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={out_of_range[0]} axis_dim={size}")
        if self.ndim == 0:
            if index.size != 1:
                raise IndexError("index_select(): Index to scalar can have only 1 value")
            return self.clone()
        return Index.apply(self, key=(slice(None),) * dim + (index,), basic=False)

    def masked_select(self, mask) -> Tensor:
        """The entries where `mask` holds, as a 1-D tensor, in row-major order; the tensor and
        the bool mask broadcast together. The gradient goes back to the entries selected."""
        mask = as_tensor(mask)
        if mask.dtype != dtypes.bool_:
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        shape = broadcast_shape("masked_select", self.shape, mask.shape) or (1,)
        source = self.reshape(1) if self.ndim == 0 else self
        if source.shape != shape:
            source = source.expand(shape)
        return Index.apply(source, key=np.nonzero(np.broadcast_to(mask._array, shape)), basic=False)

    # ----------------------------------------------------------------- rounding, logs, logic, diagonals

    def floor(self) -> Tensor:
        """⌊x⌋ (an integer tensor: a copy); its gradient is zero, as PyTorch's."""
        return _rounded(self, "floor", np.floor)

    def ceil(self) -> Tensor:
        """⌈x⌉ (an integer tensor: a copy); gradient zero."""
        return _rounded(self, "ceil", np.ceil)

    def trunc(self) -> Tensor:
        """x rounded towards zero (an integer tensor: a copy); gradient zero."""
        return _rounded(self, "trunc", np.trunc)

    def round(self, decimals: int = 0) -> Tensor:
        """x rounded to `decimals` decimals (negative: to tens, hundreds...), halves to even;
        gradient zero."""
        if decimals and not dtypes.is_floating(self._array.dtype):
            raise NotImplementedError(f'"round" with decimals is not implemented for {self._array.dtype} tensors')
        return _rounded(self, "round", lambda a: np.round(a, decimals))

    def frac(self) -> Tensor:
        """x − trunc(x), with x's sign; gradient 1."""
        if not dtypes.is_floating(self._array.dtype):
            raise NotImplementedError(f'"frac" is not implemented for {self._array.dtype} tensors')
        return self - self.trunc()

    def log2(self) -> Tensor:
        return Log2.apply(_floating(self))

    def log10(self) -> Tensor:
        return Log10.apply(_floating(self))

    def expm1(self) -> Tensor:
        """eˣ − 1, exact for tiny x."""
        return Expm1.apply(_floating(self))

    def exp2(self) -> Tensor:
        """2ˣ, as `2 ** x` (exact at integers)."""
        return 2.0 ** _floating(self)

    def logical_and(self, other: Tensor) -> Tensor:
        return _logical("logical_and", np.logical_and, self, other)

    def logical_or(self, other: Tensor) -> Tensor:
        return _logical("logical_or", np.logical_or, self, other)

    def logical_xor(self, other: Tensor) -> Tensor:
        return _logical("logical_xor", np.logical_xor, self, other)

    def outer(self, vec2: Tensor) -> Tensor:
        """The matrix self[i] · vec2[j] of two vectors."""
        for name, t in (("self", self), ("vec2", vec2)):
            if not isinstance(t, Tensor) or t.ndim != 1:
                raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {getattr(t, 'ndim', 0)}-D")
        return self.reshape(-1, 1) * vec2

    def diag(self, diagonal: int = 0) -> Tensor:
        """A vector: the square matrix with it on diagonal `diagonal` (> 0 above the main one,
        < 0 below) and zeros elsewhere. A matrix: that diagonal of it, as a vector."""
        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")
        positions = np.arange(self.shape[0])
        size = self.shape[0] + abs(diagonal)
        key = (positions + max(-diagonal, 0), positions + max(diagonal, 0))
        return IndexAdd.apply(self, shape=(size, size), key=key, basic=False)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The entries [i, i + offset] of dims `dim1` and `dim2`, which become the last dim of
        the result. A copy (PyTorch's is a view: writing into it does not reach this tensor)."""
        dim1, dim2 = normalize_dim(dim1, self.ndim), normalize_dim(dim2, self.ndim)
        if dim1 == dim2:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        rest = [d for d in range(self.ndim) if d not in (dim1, dim2)]
        below, above = max(-offset, 0), max(offset, 0)
        positions = np.arange(max(0, min(self.shape[dim1] - below, self.shape[dim2] - above)))
        key = (slice(None),) * len(rest) + (positions + below, positions + above)
        return Index.apply(self.permute(*rest, dim1, dim2), key=key, basic=False)

    def trace(self) -> Tensor:
        """The sum of a matrix's main diagonal."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
        if self._array.dtype == dtypes.bool_:
            raise NotImplementedError('"trace" is not implemented for bool tensors')
        return self.diagonal().sum()

    def isclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
        """|self − other| ≤ atol + rtol · |other| elementwise (bool); both of one dtype, as PyTorch."""
        if not isinstance(other, Tensor):
            raise TypeError(f"isclose(): argument 'other' must be Tensor, not {type(other).__name__}")
        if self._array.dtype != other._array.dtype:
            raise RuntimeError(f"{self._array.dtype} did not match {other._array.dtype}")
        broadcast_shape("isclose", self.shape, other.shape)
        if self._array.dtype == dtypes.bool_:
            return Tensor._make(np.equal(self._array, other._array), None)
        return Tensor._make(np.isclose(self._array, other._array, rtol, atol, equal_nan), None)

    def allclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        """Whether `isclose` holds everywhere."""
        return bool(self.isclose(other, rtol, atol, equal_nan)._array.all())

    def equal(self, other: Tensor) -> bool:
        """Whether both have the same shape and the same values (NaN equals nothing)."""
        if not isinstance(other, Tensor):
            raise TypeError(f"equal(): argument 'other' must be Tensor, not {type(other).__name__}")
        return self.shape == other.shape and bool(np.equal(self._array, other._array).all())

    def bernoulli(self, p: float | None = None, *, generator=None) -> Tensor:
        """1 with probability p, else 0, elementwise, in this dtype: p is this tensor's values
        (or the number `p`). Drawn by `generator`, else the library's generator; gradient zero."""
        if not dtypes.is_floating(self._array.dtype):
            raise NotImplementedError(f'"bernoulli" is not implemented for {self._array.dtype} tensors')
        probabilities = self._array if p is None else np.full(self.shape, p)
        if not ((probabilities >= 0) & (probabilities <= 1)).all():
            raise RuntimeError("bernoulli: expected all probabilities in [0, 1]")
        draws = numpy_generator(generator, "bernoulli").random(self.shape) < probabilities
        return _with_zero_gradient(np.asarray(draws, dtype=self._array.dtype), self)


# --------------------------------------------------------------------- functions on tensors


def tensor(data, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of `data` (an array, a tensor, a number or nested lists),
    as PyTorch's: an array or tensor keeps its dtype, Python floats take the default float dtype,
    ints int64, bools bool. `as_tensor` and `from_numpy` share an array instead of copying it."""
    as_device(device)
    made = Tensor._make(_to_array(data, None if dtype is None else np.dtype(dtype), copy=True), None)
    return made.requires_grad_() if requires_grad else made


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """`data` as a tensor, sharing memory where it can, as PyTorch's: a tensor of that dtype is
    returned as it is (else converted, in the graph for floats), an ndarray of that dtype is
    wrapped without a copy; anything else becomes a new tensor as with `tensor`."""
    as_device(device)
    dtype = None if dtype is None else np.dtype(dtype)
    if isinstance(data, Tensor):
        return data if dtype is None or data._array.dtype == dtype else data.astype(dtype)
    return Tensor._make(_to_array(data, dtype), None)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing the array's memory (changes show through both ways); the dtype is kept."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(ndarray).__name__})")
    if not ndarray.dtype.isnative:
        raise ValueError("from_numpy: the array's byte order differs from the native byte order; "
                         "convert it first with array.astype(array.dtype.newbyteorder('='))")
    return Tensor._make(_to_array(ndarray, None), None)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def where(condition, input=None, other=None):
    """Pick `input` where `condition` holds, else `other` (tensors or numbers, broadcast).
    With the condition alone: the indices where it holds, one int64 tensor per dim."""
    cond = as_tensor(condition)
    if cond.dtype == dtypes.uint8:
        cond = cond.bool()
    if cond.dtype != dtypes.bool_:
        raise RuntimeError(f"where: condition must be a bool tensor, got {cond.dtype}")
    if input is None and other is None:
        return tuple(Tensor._make(indices.astype(np.int64), None) for indices in np.nonzero(cond._array))
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = tensor(input)
    a, b = _promote(input, other)
    shape = broadcast_shape("where", cond.shape, a.shape, b.shape)
    return Where.apply(cond, _expand_for_grad(a, shape), _expand_for_grad(b, shape))


def maximum(input: Tensor, other) -> Tensor:
    return input.maximum(other)


def minimum(input: Tensor, other) -> Tensor:
    return input.minimum(other)


def cat(tensors: Sequence[Tensor], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dim; all other dims must match."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    if any(t.ndim == 0 for t in tensors):
        raise ShapeError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    dim = dim if axis is None else axis
    first = tensors[0]
    dim = normalize_dim(dim, first.ndim)
    for t in tensors[1:]:
        if t.ndim != first.ndim or any(n != m for i, (n, m) in enumerate(zip(t._array.shape, first._array.shape))
                                       if i != dim):
            raise ShapeError(f"cat: tensors must match in every dim but {dim}; got shapes {first.shape} and {t.shape}")
    dtype = dtypes.promote(*(t.dtype for t in tensors))
    return Cat.apply(*[t.astype(dtype) for t in tensors], axis=dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    for t in tensors[1:]:
        if t._array.shape != tensors[0]._array.shape:
            raise ShapeError(f"stack: all tensors must have the same shape; got {tensors[0].shape} and {t.shape}")
    dim = normalize_dim(dim, tensors[0].ndim + 1)
    return cat([t.unsqueeze(dim) for t in tensors], dim)


# --------------------------------------------------------------------- helpers


def _slice_along(t: Tensor, dim: int, start: int, stop: int) -> Tensor:
    """t[..., start:stop, ...] on a normalised `dim` (a view, through `Index`)."""
    return Index.apply(t, key=(slice(None),) * dim + (slice(start, stop),), basic=True)


def _product(t: Tensor, dim: int) -> Tensor:
    """The product along `dim` (kept, size 1) as a tree of `Mul`s: the entries at even places times
    those at odd ones, a 1 appended when the count is odd, until one is left."""
    if t.shape[dim] == 0:
        return Tensor._make(np.ones(t.shape[:dim] + (1,) + t.shape[dim + 1:], t.dtype), None)
    lead = (slice(None),) * dim
    while t.shape[dim] > 1:
        if t.shape[dim] % 2:
            t = Cat.apply(t, Tensor._make(np.ones(t.shape[:dim] + (1,) + t.shape[dim + 1:], t.dtype), None), axis=dim)
        t = Index.apply(t, key=lead + (slice(0, None, 2),), basic=True) * \
            Index.apply(t, key=lead + (slice(1, None, 2),), basic=True)
    return t


def _logical_reduction(reduce, t: Tensor, dim, keepdim: bool) -> Tensor:
    out = reduce(t._array, axis=normalize_dims(dim, t.ndim), keepdims=keepdim)
    return Tensor._make(np.asarray(out, np.uint8 if t.dtype == dtypes.uint8 else bool), None)


def _scatter_args(name: str, t: Tensor, dim: int, index, src, value, reduce) -> tuple[tuple, bool, Tensor]:
    """(key, basic, values) for writing into `t` along `dim` at `index`, with PyTorch's checks:
    an integer index with t's number of dims, no larger than src, and than t apart from `dim`;
    indices inside [0, size); src of t's dtype (or a number). 0-d tensors count as 1-element
    vectors, as PyTorch."""
    if reduce is not None:
        raise NotImplementedError(f"{name}: reduce= is deprecated in PyTorch and not supported here; "
                                  "use scatter_add for reduce='add'")
    if src is not None and not isinstance(src, Tensor):
        if name.startswith("scatter_add"):
            raise TypeError(f"{name}(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}")
        src, value = None, src
    if (src is None) == (value is None):
        raise TypeError(f"{name}(): expected either a src tensor or a value")
    dim = normalize_dim(dim, t.ndim)
    index = as_array(index)
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    if max(index.ndim, 1) != max(t.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    shape = t.shape or (1,)
    index = index.reshape(index.shape or (1,))
    if src is not None:
        if src.dtype != t.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        if max(src.ndim, 1) != index.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        src_shape = src.shape or (1,)
    else:
        _check_fill_value(name, value, t.dtype)
        src_shape = index.shape
    if any(n > m for n, m in zip(index.shape, src_shape)) or \
            any(n > m for d, (n, m) in enumerate(zip(index.shape, shape)) if d != dim):
        raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self {list(t.shape)} apart from "
                           f"dimension {dim} and to be no larger size than src {list(src_shape)}")
    out_of_range = index[(index < 0) | (index >= shape[dim])]
    if out_of_range.size:
        raise RuntimeError(f"index {out_of_range[0]} is out of bounds for dimension {dim} with size {shape[dim]}")
    if src is None:
        values = Tensor._make(np.full(index.shape, value).astype(t.dtype), None)
    else:
        values = (src.reshape(1) if src.ndim == 0 else src)[tuple(slice(0, n) for n in index.shape)]
    if t.ndim == 0:  # a 1-element vector, whose one entry is written
        if not index.size:
            raise RuntimeError(f"{name}: an empty index into a 0-d tensor is not supported")
        return (), True, values.reshape(())
    key = tuple(index if d == dim else np.arange(n).reshape([-1 if i == d else 1 for i in range(index.ndim)])
                for d, n in enumerate(index.shape))
    return key, False, values


def _triangle(t: Tensor, name: str, diagonal: int) -> Tensor:
    """`where(mask, t, 0)` with the lower (tril) or upper (triu) triangle as the mask."""
    if t.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    rows, cols, diagonal = *t.shape[-2:], operator.index(diagonal)
    lower = np.tri(rows, cols, diagonal if name == "tril" else diagonal - 1, dtype=bool)
    keep = Tensor._make(lower if name == "tril" else ~lower, None)
    return where(keep, t, Tensor._make(np.zeros((), t.dtype), None))


def _sorted_order(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable argsort along `axis` (int64), NaN last ascending and first descending. Descending:
    a stable ascending sort of the reversed array, read backwards, keeps equal values in order."""
    if a.ndim == 0:
        return np.zeros((), np.int64)
    if not descending:
        return np.argsort(a, axis=axis, kind="stable").astype(np.int64, copy=False)
    order = np.argsort(np.flip(a, axis), axis=axis, kind="stable")
    return (a.shape[axis] - 1 - np.flip(order, axis)).astype(np.int64, copy=False)


def _repeat(t: Tensor, sizes: tuple) -> Tensor:
    if len(sizes) < t.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    shape = (1,) * (len(sizes) - t.ndim) + t.shape
    target = tuple(r * n for r, n in zip(sizes, shape))
    if any(r < 0 for r in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(target)}: {list(target)}")
    spread = t.reshape(tuple(m for n in shape for m in (1, n)))
    out = spread.expand(tuple(m for r, n in zip(sizes, shape) for m in (r, n))).reshape(target)
    return out.clone() if np.may_share_memory(out._array, t._array) else out


def _key_arrays(key):
    """An index key with tensors replaced by arrays of their own (later in-place changes to an
    index tensor cannot reach a recorded Index node)."""
    if isinstance(key, Tensor):
        return key._array.copy()
    if isinstance(key, (tuple, list)):
        parts = [part._array.copy() if isinstance(part, Tensor) else part for part in key]
        return tuple(parts) if isinstance(key, tuple) else parts
    return key


def _mask_for(t: Tensor, mask, name: str) -> Tensor:
    mask = as_tensor(mask)
    if mask.dtype != dtypes.bool_:
        raise RuntimeError(f"{name}: expected a bool mask, got {mask.dtype}")
    if broadcast_shape(name, mask.shape, t.shape) != t.shape:
        raise RuntimeError(f"{name}: the mask of shape {list(mask.shape)} cannot be broadcast to {list(t.shape)}")
    return mask if mask.shape == t.shape else Tensor._make(np.broadcast_to(mask._array, t.shape), None)


def _check_fill_value(name: str, value, dtype) -> None:
    """A number outside the tensor's integer range is refused, as PyTorch (no silent wrap); a
    fraction written into an integer tensor is truncated, as PyTorch."""
    if not isinstance(value, (Number, np.generic)) or isinstance(value, complex):
        raise TypeError(f"{name}: value must be a real number or a 0-d tensor, got {type(value).__name__}")
    if dtype.kind in "iu" and not np.iinfo(dtype).min <= value <= np.iinfo(dtype).max:
        raise RuntimeError(f"{name}: value cannot be converted to type {dtype} without overflow")


def _check_masked_fill_value(name: str, value, dtype) -> None:
    """A number as `_check_fill_value` takes it, or a 0-d tensor (PyTorch's error for any other)."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got one with "
                               f"{value.ndim} dimensions")
    else:
        _check_fill_value(name, value, dtype)


def _check_random_fill(name: str, dtype) -> None:
    if not dtypes.is_floating(dtype):
        raise RuntimeError(f"{name} is only implemented for floating point tensors, not {dtype}")


def _index_add_args(t: Tensor, dim: int, index, source, alpha) -> tuple[tuple, Tensor]:
    dim = normalize_dim(dim, t.ndim)
    index = as_array(index)
    if index.ndim > 1 or index.dtype.kind not in "iu":
        raise IndexError(f"index_add: index must be a 1-D integer tensor, got {index.dtype} of shape {index.shape}")
    index = index.reshape(-1)
    source = as_tensor(source, dtype=None if isinstance(source, Tensor) else t.dtype)
    expected = t.shape[:dim] + (len(index),) + t.shape[dim + 1:] if t.ndim else (len(index),)
    if source.shape != expected and not (t.ndim == 0 and source.numel() == 1):
        raise ShapeError(f"index_add: source must have shape {expected} for {len(index)} indices along dim {dim} "
                         f"of a tensor of shape {t.shape}, got {source.shape}")
    if index.size and (index.min() < -t.shape[dim] or index.max() >= t.shape[dim]):
        raise IndexError(f"index_add: index out of range for dim {dim} of size {t.shape[dim]}")
    source = source if alpha == 1 else source * alpha
    if source.dtype != t.dtype:
        source = source.astype(t.dtype)
    return (slice(None),) * dim + (index.copy(),), source


def as_array(value) -> np.ndarray:
    """The array of a tensor (itself, not a copy), or `np.asarray` of anything else."""
    return value._array if isinstance(value, Tensor) else np.asarray(value)


def _to_array(data, dtype, copy: bool = False) -> np.ndarray:
    """The array for `data`: an array or tensor's own array if the dtype fits (unless `copy`),
    else converted; numbers and lists by the dtype policy."""
    if isinstance(data, Tensor):
        data = data._array
    if isinstance(data, np.ndarray):
        array = data if dtype is None or data.dtype == dtype else data.astype(dtype)
        if copy and array is data:
            array = data.copy()
    else:
        array = np.array(data, dtype=dtypes.dtype_of_python(data) if dtype is None else dtype)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cannot make a tensor of dtype {array.dtype}")
    return array


def _legacy_array(data: tuple, size, dtype) -> np.ndarray:
    """The array of `Tensor(*data, size=size)`: sizes (ints, a Size or size=) give zeros of that
    shape, one sequence or array is converted, nothing gives an empty tensor."""
    dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
    if size is not None:
        if data:
            raise TypeError("Tensor(): give the data or size=, not both")
        data = (Size(size),)
    if len(data) == 1 and isinstance(data[0], Size) or data and all(_is_int(n) for n in data):
        shape = tuple(data[0]) if isinstance(data[0], Size) else tuple(int(n) for n in data)
        if any(n < 0 for n in shape):
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
        return np.zeros(shape, dtype)
    if not data:
        return np.zeros((0,), dtype)
    if len(data) > 1:
        raise TypeError(f"Tensor(): expected sizes (ints) or one sequence of data, got "
                        f"({', '.join(type(d).__name__ for d in data)})")
    if isinstance(data[0], (Number, np.generic, str, bytes)):
        raise TypeError(f"Tensor(): data must be a sequence (got {type(data[0]).__name__}); "
                        "tg.tensor(number) makes a 0-d tensor")
    array = np.asarray(data[0])
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cannot make a tensor of dtype {array.dtype}")
    return array.astype(dtype, copy=False)


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _to_arguments(args: tuple, kwargs: dict) -> tuple[np.dtype | None, bool]:
    """(dtype or None, copy) from the arguments of `Tensor.to` in any of PyTorch's forms; the
    device is checked (only the CPU exists), non_blocking and memory_format accepted."""
    args, dtype = list(args), None
    if args and isinstance(args[0], Tensor):
        dtype = args.pop(0)._array.dtype
    elif args and is_device_spec(args[0]):
        as_device(args.pop(0))
        if args and not isinstance(args[0], bool):
            dtype = args.pop(0)
    elif args and not isinstance(args[0], bool):
        dtype = args.pop(0)
    if len(args) > 2:
        raise TypeError(f"to() takes at most two flags (non_blocking, copy) after the target, got {len(args)}")
    flags = dict(zip(("non_blocking", "copy"), args))
    for key in kwargs:
        if key not in ("device", "dtype", "non_blocking", "copy", "memory_format") or key in flags:
            raise TypeError(f"to() got an unexpected keyword argument {key!r}")
        if key == "dtype" and dtype is not None:
            raise TypeError("to() got two dtypes (one positional, one dtype=)")
    as_device(kwargs.get("device"))
    check_memory_format(kwargs.get("memory_format"))
    dtype = kwargs.get("dtype", dtype)
    return (None if dtype is None else np.dtype(dtype)), bool(kwargs.get("copy", flags.get("copy", False)))


def _same_dtype(name: str, a: Tensor, b: Tensor) -> None:
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(f"{name}: expected both operands to have the same dtype, but got {a.dtype} and {b.dtype}")


def _as_operand(value, like: Tensor) -> Tensor:
    """A constant tensor for the non-tensor side of a binary op (numbers are weakly typed)."""
    if isinstance(value, np.ndarray):
        return Tensor._make(value, None)
    if isinstance(value, (Number, np.generic)):
        dtype = dtypes.scalar_result_dtype(like._array.dtype, value)
        try:
            return Tensor._make(np.asarray(value, dtype), None)
        except OverflowError:  # an int outside the tensor's integer range wraps, as in PyTorch
            return Tensor._make(np.asarray(value).astype(dtype), None)
    raise TypeError(f"unsupported operand type for a tensor op: {type(value).__name__}")


def _promote(a, b) -> tuple[Tensor, Tensor]:
    """Both operands as tensors of their common dtype (PyTorch's promotion rules)."""
    if not isinstance(a, Tensor):
        a = _as_operand(a, b)
    elif not isinstance(b, Tensor):
        b = _as_operand(b, a)
    if a._array.dtype != b._array.dtype:
        dtype = dtypes.result_dtype(a._array, b._array)
        a, b = a.astype(dtype), b.astype(dtype)
    return a, b


def _broadcast(name: str, a, b, floating: bool = False) -> tuple[Tensor, Tensor]:
    """Promote, then expand each operand that needs a gradient to the common shape."""
    if floating:  # true division: integer operands become floats first, so nothing wraps
        a, b = (_floating(x) if isinstance(x, Tensor) else x for x in (a, b))
    a, b = _promote(a, b)
    if a._array.shape != b._array.shape:
        shape = broadcast_shape(name, a._array.shape, b._array.shape)
        a, b = _expand_for_grad(a, shape), _expand_for_grad(b, shape)
    return a, b


def _remainder(name: str, a, b, rounding: str) -> Tensor:
    a, b = _broadcast(name, a, b)
    _check_divisor(name, a, b)
    return Remainder.apply(a, b, rounding=rounding)


def _rounded_division(name: str, a, b, rounding: str) -> Tensor:
    """a / b rounded ("floor" or "trunc") in the promoted dtype; each operand gets a zero
    gradient through a `where` that never picks it."""
    a, b = _broadcast(name, a, b)
    _check_divisor(name, a, b)
    out = Tensor._make(rounded_quotient(a._array, b._array, rounding), None)
    for t in (a, b):
        if t._requires_grad:
            out = where(Tensor._make(np.ones(out._array.shape, dtype=bool), None), out, t)
    return out


def _check_floating_pair(name: str, a: Tensor, b) -> None:
    if not isinstance(b, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(b).__name__}")
    for t in (a, b):
        if not dtypes.is_floating(t._array.dtype):
            raise NotImplementedError(f'"{name}" is not implemented for {t._array.dtype} tensors')


def _check_divisor(name: str, a: Tensor, b: Tensor) -> None:
    """Operands already promoted to one dtype: bool refuses, an integer zero divisor raises (as PyTorch)."""
    dtype = a._array.dtype
    if dtype == dtypes.bool_:
        raise NotImplementedError(f'"{name}" is not implemented for bool tensors')
    if not dtypes.is_floating(dtype) and not b._array.all():
        raise RuntimeError(f"ZeroDivisionError: integer division by zero in {name}")


def _bitwise(name: str, ufunc, a, b) -> Tensor:
    """A bitwise op on bool or integer operands of the promoted dtype, broadcast; no graph."""
    a, b = _promote(a, b)
    if dtypes.is_floating(a._array.dtype):
        raise NotImplementedError(f'"{name}" is not implemented for {a._array.dtype} tensors')
    if a._array.shape != b._array.shape:
        broadcast_shape(name, a._array.shape, b._array.shape)
    return Tensor._make(ufunc(a._array, b._array), None)


def _expand_for_grad(t: Tensor, shape: tuple) -> Tensor:
    """Expand only when the tensor needs a gradient; NumPy broadcasts constants for free."""
    if t._array.shape != shape and t._requires_grad and grad_state.enabled:
        return Expand.apply(t, shape=shape)
    return t


def _compare(name: str, ufunc, a: Tensor, b) -> Tensor:
    if not isinstance(b, Tensor):
        try:
            b = _as_operand(b, a)
        except TypeError:
            return NotImplemented
    if a._array.shape != b._array.shape:
        broadcast_shape(name, a._array.shape, b._array.shape)
    a_data, b_data = a._array, b._array
    if a_data.dtype != b_data.dtype:  # compare in the promoted dtype, as PyTorch
        dtype = dtypes.result_dtype(a_data, b_data)
        a_data, b_data = a_data.astype(dtype, copy=False), b_data.astype(dtype, copy=False)
    return Tensor._make(ufunc(a_data, b_data), None)


def _matmul(a, b) -> Tensor:
    a, b = _promote(a, b)
    shapes = a._array.shape, b._array.shape
    if not shapes[0] or not shapes[1]:
        raise ShapeError(f"matmul: both operands need at least 1 dim, got shapes {shapes[0]} and {shapes[1]}")
    vector_a, vector_b = len(shapes[0]) == 1, len(shapes[1]) == 1
    if vector_a:
        a = a.reshape((1,) + shapes[0])
    if vector_b:
        b = b.reshape(shapes[1] + (1,))
    shape_a, shape_b = a._array.shape, b._array.shape
    if shape_a[-1] != shape_b[-2]:
        raise ShapeError(f"matmul: shapes {shapes[0]} and {shapes[1]} cannot be multiplied "
                         f"({shape_a[-1]} != {shape_b[-2]})")
    if shape_a[:-2] != shape_b[:-2]:
        try:
            batch = np.broadcast_shapes(shape_a[:-2], shape_b[:-2])
        except ValueError:
            raise ShapeError(f"matmul: the batch dims of shapes {shapes[0]} and {shapes[1]} "
                             "cannot be broadcast together") from None
        a, b = _expand_for_grad(a, batch + shape_a[-2:]), _expand_for_grad(b, batch + shape_b[-2:])
    out = MatMul.apply(a, b)
    if vector_a:
        out = out.squeeze(-2)
    if vector_b:
        out = out.squeeze(-1)
    return out


def _with_zero_gradient(values: np.ndarray, t: Tensor) -> Tensor:
    """`values` (of t's shape, or one t broadcasts to) in the graph with a zero gradient to `t`,
    as PyTorch's rounding and random draws: `where` picks the values everywhere."""
    if not t._requires_grad:
        return Tensor._make(values, None)
    return where(Tensor._make(np.ones(values.shape, dtype=bool), None), Tensor._make(values, None), t)


def _rounded(t: Tensor, name: str, round_array: Callable[[np.ndarray], np.ndarray]) -> Tensor:
    if t._array.dtype == dtypes.bool_:
        raise NotImplementedError(f'"{name}" is not implemented for bool tensors')
    if not dtypes.is_floating(t._array.dtype):
        return t.clone()
    return _with_zero_gradient(round_array(t._array), t)


def _logical(name: str, ufunc, a: Tensor, b: Tensor) -> Tensor:
    """A logical op on truth values (nonzero is true), broadcast; bool, outside the graph."""
    if not isinstance(b, Tensor):
        raise TypeError(f"{name}(): argument 'other' must be Tensor, not {type(b).__name__}")
    broadcast_shape(name, a.shape, b.shape)
    return Tensor._make(ufunc(a._array, b._array), None)


def _floating(t: Tensor) -> Tensor:
    """Integer and bool tensors become the default float dtype for float-valued ops."""
    return t if dtypes.is_floating(t._array.dtype) else t.astype(dtypes.get_default_dtype())


def _shift_by_max(t: Tensor, dim) -> tuple[Tensor, Tensor]:
    """(t - m, m) with m the max along dim, a constant: the stable shift of logsumexp. Any
    constant m gives the same result, so m needs no gradient; an infinite max shifts by 0
    (logsumexp of [1, inf] is inf)."""
    t = _floating(t)
    m = np.max(t._array, axis=normalize_dims(dim, t.ndim), keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0)
    shift = Tensor._make(m.astype(t._array.dtype, copy=False), None)
    return t - shift, shift


def _extremum(t: Tensor, reduction, arg_reduce, dim, keepdim: bool):
    """max()/min(): over all dims a tensor (the gradient shared among ties); along one dim
    (values, indices), the values gathered at the indices so the gradient goes to them."""
    if dim is None:
        return reduction.apply(t, axis=None, keepdim=False, masked=True)
    indices = arg_reduce(t, dim, keepdim=True)
    values = t.gather(dim, indices)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return ValuesIndices(values, indices)


def _arg_reduce(reducer, t: Tensor, dim, keepdim: bool) -> Tensor:
    if dim is None or t.ndim == 0:
        if dim is not None:
            normalize_dim(dim, 0)
        out = reducer(t._array)
        return Tensor._make(np.asarray(out, dtype=np.int64).reshape((1,) * t.ndim if keepdim else ()), None)
    return Tensor._make(reducer(t._array, axis=normalize_dim(dim, t.ndim), keepdims=keepdim).astype(np.int64), None)


Node.tensor_class = Tensor
