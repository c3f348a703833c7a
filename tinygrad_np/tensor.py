"""The Tensor: a NumPy array that remembers which op made it.

Every differentiable method here either applies one primitive (`tinygrad_np.ops`) or is
composed from other methods in a line or two. Composition is the point: a composed op needs
no backward of its own, and its gradient is checked by the same property tests.
"""

from __future__ import annotations

import weakref
from collections import namedtuple
from collections.abc import Iterator, Sequence
from numbers import Number

import numpy as np

from . import dtypes
from .autograd.differentiate import backward as run_backward
from .autograd.grad_mode import grad_state
from .autograd.version import VersionCounter
from .errors import ShapeError
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
from .ops.matmul import MatMul
from .ops.movement import Cat, Expand, Index, Permute, Reshape
from .ops.reduce import Max, Min, Sum
from .ops.softmax import LogSoftmax, Softmax

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
"""What `max(dim)` and `min(dim)` return, as PyTorch's `(values, indices)`."""


class Tensor:
    """An n-dimensional array with reverse-mode autodiff.

    `_array` is the NumPy array (`numpy()` returns it; `data` is a tensor sharing it, outside
    autograd); `grad_fn` is the node that produced it (None for a leaf); `grad` receives the
    gradient of a backward pass if `requires_grad` is set. `_version_counter` counts the
    in-place changes to the array and is shared with views of it; `_base` is the tensor a
    view was taken from (None for a tensor that owns its array).
    """

    __slots__ = ("_array", "grad", "grad_fn", "_requires_grad", "_version_counter", "_base", "_hooks", "__weakref__")
    __array_ufunc__ = None  # NumPy defers `ndarray <op> Tensor` to our reflected operators
    __hash__ = object.__hash__

    def __init__(self, data, dtype=None, requires_grad: bool = False) -> None:
        self._array = _to_array(data, dtype)
        self.grad: Tensor | None = None
        self.grad_fn = None
        self._requires_grad = False
        self._version_counter = VersionCounter()
        self._base = self._hooks = None
        if requires_grad:
            self.requires_grad_()

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
        array = value._array if isinstance(value, Tensor) else np.asarray(value)
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
    def shape(self) -> tuple[int, ...]:
        return self._array.shape

    @property
    def dtype(self) -> np.dtype:
        return self._array.dtype

    @property
    def ndim(self) -> int:
        return self._array.ndim

    def dim(self) -> int:
        return self._array.ndim

    def size(self, dim: int | None = None):
        """The shape, or the length of one dim."""
        return self._array.shape if dim is None else self._array.shape[_dim(dim, self.ndim)]

    def numel(self) -> int:
        return self._array.size

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._array.shape[0]))

    def __repr__(self) -> str:
        body = np.array2string(self._array, separator=", ", prefix="tensor(")
        extras = []
        if self.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
            extras.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name}>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return f"tensor({', '.join([body, *extras])})"

    # ----------------------------------------------------------------- conversion

    def numpy(self) -> np.ndarray:
        return self._array

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
        """The same data, cut from the graph."""
        return Tensor._make(self._array, None)

    def astype(self, dtype) -> Tensor:
        """Convert; float-to-float conversions are differentiable, others leave the graph."""
        dtype = np.dtype(dtype)
        if dtype == self._array.dtype:
            return self
        if dtypes.is_floating(dtype) and dtypes.is_floating(self._array.dtype):
            return Cast.apply(self, dtype=dtype)
        return Tensor._make(self._array.astype(dtype), None)

    def to(self, *args, dtype=None) -> Tensor:
        """`to(dtype)` converts; `to("cpu")` is accepted (and changes nothing) for PyTorch code."""
        dtype = dtype_of_to_args(args, dtype, "a tensor")
        return self if dtype is None else self.astype(dtype)

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

    # ----------------------------------------------------------------- autograd

    def backward(self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) · gradient into every leaf's `.grad`.

        `gradient` may be omitted for a one-element tensor. The graph's saved values are
        released afterwards unless `retain_graph` (which defaults to `create_graph`).
        """
        run_backward([self], None if gradient is None else [gradient], retain_graph, create_graph)

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

    def div(self, other) -> Tensor:
        return Div.apply(*_broadcast("div", self, other, floating=True))

    def pow(self, exponent) -> Tensor:
        return Pow.apply(*_broadcast("pow", self, exponent))

    def neg(self) -> Tensor:
        return Neg.apply(self)

    def abs(self) -> Tensor:
        return Abs.apply(self)

    def matmul(self, other) -> Tensor:
        return _matmul(self, other)

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

    def where(self, condition, other) -> Tensor:
        """`where(condition, self, other)`."""
        return where(condition, self, other)

    # ----------------------------------------------------------------- reductions

    # Every reduction takes PyTorch's `dim`/`keepdim` or NumPy's `axis`/`keepdims`.

    def sum(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        dim, keepdim = _axis_args(dim, keepdim, axis, keepdims)
        return Sum.apply(self, axis=_dims(dim, self.ndim), keepdim=keepdim)

    def mean(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        if not dtypes.is_floating(self.dtype):
            raise RuntimeError(f"mean(): needs a floating point tensor, got {self.dtype}; use .float() first")
        dim, keepdim = _axis_args(dim, keepdim, axis, keepdims)
        axes = _dims(dim, self.ndim)
        return self.sum(axes, keepdim) / _count(self.shape, axes)

    def var(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *, correction=None,
            axis=None, keepdims=None) -> Tensor:
        """Σ(x - mean)² / (N - correction); correction = 1 (unbiased) by default, as PyTorch.
        A bool first argument is the legacy `unbiased`."""
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        if correction is None:
            correction = 0 if unbiased is False else 1
        dim, keepdim = _axis_args(dim, keepdim, axis, keepdims)
        axes = _dims(dim, self.ndim)
        centered = self - self.mean(axes, keepdim=True)
        return (centered * centered).sum(axes, keepdim) / np.maximum(_count(self.shape, axes) - correction, 0)

    def std(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *, correction=None,
            axis=None, keepdims=None) -> Tensor:
        """The square root of `var`, with the same arguments. Where the variance is 0 the
        gradient is 0 (not NaN), as PyTorch."""
        variance = self.var(dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)
        zero = variance == 0
        return where(zero, 0.0, where(zero, 1.0, variance).sqrt())

    def amax(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """The maximum over `dim` (all dims by default); ties share the gradient evenly."""
        dim, keepdim = _axis_args(dim, keepdim, axis, keepdims)
        return Max.apply(self, axis=_dims(dim, self.ndim), keepdim=keepdim)

    def amin(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """The minimum over `dim` (all dims by default); ties share the gradient evenly."""
        dim, keepdim = _axis_args(dim, keepdim, axis, keepdims)
        return Min.apply(self, axis=_dims(dim, self.ndim), keepdim=keepdim)

    def max(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        """`max()`: the maximum (ties share the gradient); `max(dim)`: (values, indices), the
        gradient going to the returned index; `max(other_tensor)`: `maximum`."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        return _extremum(self, Max, Tensor.argmax, *_axis_args(dim, keepdim, axis, keepdims))

    def min(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        """As `max`, for the minimum."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        return _extremum(self, Min, Tensor.argmin, *_axis_args(dim, keepdim, axis, keepdims))

    def argmax(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """Index of the first maximum along `dim` (of the flattened tensor if None)."""
        return _arg_reduce(np.argmax, self, *_axis_args(dim, keepdim, axis, keepdims))

    def argmin(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """Index of the first minimum along `dim` (of the flattened tensor if None)."""
        return _arg_reduce(np.argmin, self, *_axis_args(dim, keepdim, axis, keepdims))

    def logsumexp(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
        """log Σ exp(x) = m + log Σ exp(x - m), with m the max (0 if infinite): no overflow."""
        dim, keepdim = _axis_args(dim, keepdim, axis, keepdims)
        shifted, shift = _shift_by_max(self, dim)
        out = shifted.exp().sum(dim, keepdim=True).log() + shift
        return out if keepdim else out.squeeze(dim)

    def softmax(self, dim=None, *, axis=None) -> Tensor:
        """exp(x - m) / Σ exp(x - m), with m the max along dim."""
        dim = dim if axis is None else axis
        return Softmax.apply(_floating(self), axis=_dims(dim, self.ndim))

    def log_softmax(self, dim=None, *, axis=None) -> Tensor:
        """(x - m) - log Σ exp(x - m), with m the max along dim."""
        dim = dim if axis is None else axis
        return LogSoftmax.apply(_floating(self), axis=_dims(dim, self.ndim))

    # ----------------------------------------------------------------- shape

    def reshape(self, *shape) -> Tensor:
        shape = _shape_arg(shape)
        try:
            return Reshape.apply(self, shape=shape)
        except ValueError:
            raise ShapeError(
                f"reshape: cannot reshape a tensor of shape {self.shape} ({self.numel()} elements) into {shape}"
            ) from None

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims start_dim..end_dim into one."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = _dim(start_dim, self.ndim), _dim(end_dim, self.ndim)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape
        return self.reshape(shape[:start] + (_count(shape, range(start, end + 1)),) + shape[end + 1:])

    def squeeze(self, dim=None) -> Tensor:
        """Drop size-1 dims (only those in `dim` if given; others in `dim` are left alone)."""
        axes = range(self.ndim) if dim is None else _dims(dim, self.ndim) or ()
        drop = {i for i in axes if self.shape[i] == 1}
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in drop))

    def unsqueeze(self, dim: int) -> Tensor:
        dim = _dim(dim, self.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def permute(self, *dims) -> Tensor:
        dims = tuple(_dim(d, self.ndim) for d in _shape_arg(dims))
        if sorted(dims) != list(range(self.ndim)):
            raise ShapeError(f"permute: {dims} is not a permutation of the dims of a tensor of shape {self.shape}")
        return Permute.apply(self, dims=dims)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dims (a view)."""
        dims = list(range(self.ndim))
        dim0, dim1 = _dim(dim0, self.ndim), _dim(dim1, self.ndim)
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

    def expand(self, *sizes) -> Tensor:
        """Broadcast to `sizes` (a view; -1 keeps a dim). The gradient is summed back."""
        sizes = _shape_arg(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise ShapeError(f"expand: cannot expand a tensor of shape {self.shape} to fewer dims {sizes}")
        shape = list(sizes)
        for i, old in enumerate(self.shape):
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

    def __getitem__(self, key) -> Tensor:
        key, basic = _index_key(key, self._array.shape)
        return Index.apply(self, key=key, basic=basic)

    def gather(self, dim: int, index) -> Tensor:
        """out[i][j][k] = self[index[i][j][k]][j][k] for dim 0 (and so on): advanced indexing."""
        index = index._array if isinstance(index, Tensor) else np.asarray(index)
        dim = _dim(dim, self.ndim)
        if self.ndim == 0 and index.ndim == 0:  # as PyTorch: a 0-d tensor gathers like a 1-element vector
            return self.reshape(1).gather(0, index.reshape(1)).reshape(())
        if index.ndim != self.ndim or index.dtype.kind not in "iu":
            raise ShapeError(f"gather: index must be an integer tensor with as many dims as the input "
                             f"({self.ndim}), got {index.dtype} of shape {index.shape}")
        if index.size and (index.min() < 0 or index.max() >= self.shape[dim]):
            raise IndexError(f"gather: index out of range for dim {dim} of size {self.shape[dim]}")
        key = tuple(
            index if d == dim else np.arange(n).reshape([-1 if i == d else 1 for i in range(index.ndim)])
            for d, n in enumerate(index.shape)
        )
        return Index.apply(self, key=key, basic=False)


# --------------------------------------------------------------------- functions on tensors


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor from an array (kept as is when the dtype fits), a number or nested lists."""
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def where(condition, input=None, other=None):
    """Pick `input` where `condition` holds, else `other` (tensors or numbers, broadcast).
    With the condition alone: the indices where it holds, one int64 tensor per dim."""
    cond = condition if isinstance(condition, Tensor) else Tensor(np.asarray(condition))
    if cond.dtype == dtypes.uint8:
        cond = cond.bool()
    if cond.dtype != dtypes.bool_:
        raise RuntimeError(f"where: condition must be a bool tensor, got {cond.dtype}")
    if input is None and other is None:
        return tuple(Tensor._make(indices.astype(np.int64), None) for indices in np.nonzero(cond._array))
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = Tensor(input)
    a, b = _promote(input, other)
    shape = _broadcast_shape("where", cond.shape, a.shape, b.shape)
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
    dim = _dim(dim, first.ndim)
    for t in tensors[1:]:
        if t.ndim != first.ndim or any(n != m for i, (n, m) in enumerate(zip(t.shape, first.shape)) if i != dim):
            raise ShapeError(f"cat: tensors must match in every dim but {dim}; got shapes {first.shape} and {t.shape}")
    dtype = dtypes.promote(*(t.dtype for t in tensors))
    return Cat.apply(*[t.astype(dtype) for t in tensors], axis=dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    for t in tensors[1:]:
        if t.shape != tensors[0].shape:
            raise ShapeError(f"stack: all tensors must have the same shape; got {tensors[0].shape} and {t.shape}")
    dim = _dim(dim, tensors[0].ndim + 1)
    return cat([t.unsqueeze(dim) for t in tensors], dim)


# --------------------------------------------------------------------- helpers


def dtype_of_to_args(args: tuple, dtype, what: str):
    """The dtype in PyTorch-style `.to(...)` arguments; "cpu" devices are accepted and ignored,
    any other device raises (tinygrad_np runs on the CPU only)."""
    for arg in args:
        if isinstance(arg, str) and arg.split(":")[0] == "cpu":
            continue
        if isinstance(arg, str) and arg.split(":")[0] in ("cuda", "mps", "xla", "meta"):
            raise RuntimeError(f"tinygrad_np runs on the CPU only; cannot move {what} to {arg!r}")
        dtype = arg
    return dtype


def _to_array(data, dtype) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data._array
    if isinstance(data, np.ndarray):
        array = data if dtype is None or data.dtype == dtype else data.astype(dtype)
    else:
        array = np.asarray(data, dtype=dtypes.dtype_of_python(data) if dtype is None else dtype)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cannot make a tensor of dtype {array.dtype}")
    return array


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
        shape = _broadcast_shape(name, a._array.shape, b._array.shape)
        a, b = _expand_for_grad(a, shape), _expand_for_grad(b, shape)
    return a, b


def _broadcast_shape(name: str, *shapes: tuple) -> tuple:
    """NumPy's broadcasting rule (np.broadcast_shapes, which costs several times more per call)."""
    result = [1] * max(map(len, shapes))
    for shape in shapes:
        for i, n in enumerate(shape, len(result) - len(shape)):
            if n != 1:
                if result[i] == 1:
                    result[i] = n
                elif result[i] != n:
                    raise ShapeError(f"{name}: shapes {', '.join(map(str, shapes))} cannot be broadcast together")
    return tuple(result)


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
        _broadcast_shape(name, a._array.shape, b._array.shape)
    a_data, b_data = a._array, b._array
    if a_data.dtype != b_data.dtype:  # compare in the promoted dtype, as PyTorch
        dtype = dtypes.result_dtype(a_data, b_data)
        a_data, b_data = a_data.astype(dtype, copy=False), b_data.astype(dtype, copy=False)
    return Tensor._make(ufunc(a_data, b_data), None)


def _matmul(a, b) -> Tensor:
    a, b = _promote(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both operands need at least 1 dim, got shapes {a.shape} and {b.shape}")
    shapes = a.shape, b.shape
    vector_a, vector_b = a.ndim == 1, b.ndim == 1
    if vector_a:
        a = a.reshape((1,) + a.shape)
    if vector_b:
        b = b.reshape(b.shape + (1,))
    if a.shape[-1] != b.shape[-2]:
        raise ShapeError(f"matmul: shapes {shapes[0]} and {shapes[1]} cannot be multiplied "
                         f"({a.shape[-1]} != {b.shape[-2]})")
    if a.shape[:-2] != b.shape[:-2]:
        try:
            batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise ShapeError(f"matmul: the batch dims of shapes {shapes[0]} and {shapes[1]} "
                             "cannot be broadcast together") from None
        a, b = _expand_for_grad(a, batch + a.shape[-2:]), _expand_for_grad(b, batch + b.shape[-2:])
    out = MatMul.apply(a, b)
    if vector_a:
        out = out.squeeze(-2)
    if vector_b:
        out = out.squeeze(-1)
    return out


def _floating(t: Tensor) -> Tensor:
    """Integer and bool tensors become the default float dtype for float-valued ops."""
    return t if dtypes.is_floating(t._array.dtype) else t.astype(dtypes.get_default_dtype())


def _shift_by_max(t: Tensor, dim) -> tuple[Tensor, Tensor]:
    """(t - m, m) with m the max along dim, a constant: the stable shift of logsumexp. Any
    constant m gives the same result, so m needs no gradient; an infinite max shifts by 0
    (logsumexp of [1, inf] is inf)."""
    t = _floating(t)
    m = np.max(t._array, axis=_dims(dim, t.ndim), keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0)
    shift = Tensor._make(m.astype(t._array.dtype, copy=False), None)
    return t - shift, shift


def _axis_args(dim, keepdim: bool, axis, keepdims) -> tuple:
    """PyTorch's (dim, keepdim), whether given as such or as NumPy's axis/keepdims."""
    return (dim if axis is None else axis), (keepdim if keepdims is None else keepdims)


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
            _dim(dim, 0)
        out = reducer(t._array)
        return Tensor._make(np.asarray(out, dtype=np.int64).reshape((1,) * t.ndim if keepdim else ()), None)
    return Tensor._make(reducer(t._array, axis=_dim(dim, t.ndim), keepdims=keepdim).astype(np.int64), None)


def _count(shape: tuple, axes) -> int:
    return int(np.prod(shape if axes is None else [shape[i] for i in axes], dtype=np.int64))


def _dim(dim: int, ndim: int) -> int:
    """A dim in [-ndim, ndim) as a non-negative index (a 0-d tensor accepts 0 and -1)."""
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(f"dimension out of range (expected to be in range of [{-bound}, {bound - 1}], but got {dim})")
    return dim % bound


def _dims(dim, ndim: int):
    """A sorted tuple of distinct non-negative dims, or None for all dims (also for `()`,
    as PyTorch, and for dim 0 of a 0-d tensor)."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    normalized = tuple(sorted({_dim(int(d), ndim) for d in dims}))
    if len(normalized) != len(dims):
        raise ValueError(f"dim {dim} appears more than once")
    return tuple(d for d in normalized if d < ndim) or None


def _shape_arg(args: tuple) -> tuple:
    """Accept f(2, 3), f((2, 3)) and f([2, 3])."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(n) for n in args)


def _index_key(key, shape: tuple) -> tuple[tuple, bool]:
    """A NumPy index tuple, and whether it is basic (ints, slices, None, Ellipsis only).

    Tensors and lists become arrays; a boolean mask becomes the integer indices of its
    True entries (the same selection), which is what the scatter in backward needs, after
    checking that it fits the dims it indexes.
    """
    if isinstance(key, list) and _list_is_tuple(key):
        key = tuple(key)
    parts = [p._array if isinstance(p, Tensor) else _list_index(p) if isinstance(p, list) else p
             for p in (key if isinstance(key, tuple) else (key,))]
    parts = [p.astype(bool) if isinstance(p, np.ndarray) and p.dtype == np.uint8 else p for p in parts]
    consumed = sum(p.ndim if _is_mask(p) else 0 if p is None or p is Ellipsis or isinstance(p, bool) else 1
                   for p in parts)
    out, basic, dim = [], True, 0
    for part in parts:
        if part is Ellipsis:
            dim += len(shape) - consumed
        elif isinstance(part, np.ndarray):
            basic = False
            if _is_mask(part):
                if part.shape != shape[dim:dim + part.ndim]:
                    raise IndexError(f"the shape {part.shape} of the boolean mask does not match the shape "
                                     f"{shape[dim:dim + part.ndim]} of the dims it indexes (from dim {dim})")
                out.extend(np.nonzero(part))
                dim += part.ndim
                continue
            if part.dtype.kind not in "iu":
                raise IndexError(f"tensors used as indices must be integer or bool, not {part.dtype}")
            dim += 1
        elif isinstance(part, (bool, np.bool_)):
            basic = False
        elif part is not None:
            dim += 1
        out.append(part)
    return tuple(out), basic


def _list_is_tuple(key: list) -> bool:
    """PyTorch (like old NumPy) reads a short list holding tensors, lists, slices, None or
    Ellipsis as a tuple of indices: x[[rows, cols]] is x[rows, cols]."""
    return len(key) < 32 and any(
        isinstance(p, (Tensor, np.ndarray, list, tuple, slice)) or p is None or p is Ellipsis for p in key
    )


def _list_index(part: list) -> np.ndarray:
    array = np.asarray(part)
    return array.astype(np.int64) if array.size == 0 else array


def _is_mask(part) -> bool:
    return isinstance(part, np.ndarray) and part.dtype == np.bool_ and part.ndim > 0
