"""The dtype policy: PyTorch's defaults and type promotion, on NumPy dtypes.

- Python floats take the default float dtype (float32 unless `set_default_dtype`);
  Python ints give int64, bools give bool; an ndarray keeps its dtype.
- Python numbers (and NumPy scalars) are *weak*: a float32 tensor times 2.5 stays float32.
- Between tensors the higher category (bool < integer < floating) wins; within a category a
  0-d tensor does not widen a dimensioned one, otherwise the wider dtype wins.
"""

from numbers import Number

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)  # tg.bool at the top level (here `bool` stays Python's)


class UnsupportedDtype:
    """A dtype PyTorch has and NumPy lacks. Scripts name it in tables of choices (nanoGPT's
    train.py maps 'bfloat16' to `torch.bfloat16` whatever it trains in), so the name exists;
    using it as a dtype raises, since no NumPy array can hold its values. NumPy reads a dtype
    argument's `dtype` attribute, so every place that takes a dtype gives this error."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"tinygrad_np.{self.name}"

    @property
    def dtype(self):
        raise TypeError(f"tinygrad_np has no {self.name}: NumPy has no such dtype; use float32 (or float16)")


bfloat16 = UnsupportedDtype("bfloat16")

TYPE_NAMES = {float32: "FloatTensor", float64: "DoubleTensor", float16: "HalfTensor", int64: "LongTensor",
              int32: "IntTensor", int16: "ShortTensor", int8: "CharTensor", uint8: "ByteTensor", bool_: "BoolTensor"}
"""PyTorch's legacy type names (`t.type()` gives 'torch.FloatTensor' for a float32 tensor)."""

_default_float = float32


def set_default_dtype(dtype) -> None:
    """Set the dtype that Python floats and float factories produce (float32 or float64)."""
    global _default_float
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type, got {dtype}")
    _default_float = dtype


def get_default_dtype() -> np.dtype:
    """The dtype that Python floats and float factories produce."""
    return _default_float


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def _category(dtype: np.dtype) -> int:
    return 0 if dtype.kind == "b" else 2 if dtype.kind in "fc" else 1


def dtype_of_python(value) -> np.dtype:
    """The dtype a Python number, NumPy scalar or nested list of them becomes."""
    first = value
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    if isinstance(first, (np.generic, np.ndarray)) or hasattr(first, "__array__"):
        return np.asarray(value).dtype  # NumPy scalars, arrays and tensors keep their dtype
    kind = np.asarray(value).dtype.kind
    if kind == "b":
        return bool_
    if kind in "iu":
        return int64
    if kind == "f":
        return _default_float
    raise TypeError(f"cannot make a tensor from {type(value).__name__} (dtype kind {kind!r})")


def scalar_result_dtype(dtype: np.dtype, scalar: Number) -> np.dtype:
    """The dtype of `tensor (dtype) <op> scalar`: the scalar only lifts the category."""
    scalar_category = 0 if isinstance(scalar, (bool, np.bool_)) else 1 if isinstance(scalar, (int, np.integer)) else 2
    if scalar_category <= _category(dtype):
        return dtype
    return int64 if scalar_category == 1 else _default_float


def promote(*dtypes: np.dtype) -> np.dtype:
    """The common dtype of dimensioned tensors: the highest category, widened within it."""
    top = max(_category(d) for d in dtypes)
    result = None
    for d in dtypes:
        if _category(d) == top:
            result = d if result is None else np.promote_types(result, d)
    return result


def result_dtype(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """The dtype of `a <op> b` for two tensors' arrays, following PyTorch's promotion."""
    if a.dtype == b.dtype:
        return a.dtype
    if (a.ndim == 0) != (b.ndim == 0) and _category(a.dtype) == _category(b.dtype):
        return b.dtype if a.ndim == 0 else a.dtype
    return promote(a.dtype, b.dtype)


def dtype_of_to_args(args: tuple, dtype):
    """The dtype in PyTorch-style `.to(...)` arguments; devices are checked (the CPU is the
    only one, any other raises) and otherwise ignored."""
    from .device import as_device, device

    for arg in args:
        if isinstance(arg, (str, device)):
            as_device(arg)
        else:
            dtype = arg
    return dtype


# ------------------------------------------------------------------------------- type names and limits


def type_string(dtype: np.dtype) -> str:
    """PyTorch's name of a tensor type, 'torch.FloatTensor' for float32 (`t.type()`)."""
    name = TYPE_NAMES.get(dtype)
    if name is None:
        raise TypeError(f"no PyTorch tensor type name for dtype {dtype}")
    return "torch." + name


def dtype_of_type(spec) -> np.dtype:
    """The dtype that `t.type(spec)` converts to: a dtype or a type string ('torch.LongTensor')."""
    if not isinstance(spec, str):
        return np.dtype(spec)
    from .device import refuse

    module, _, name = spec.rpartition(".")
    if module == "torch.cuda":
        raise refuse("cuda")
    for dtype, known in TYPE_NAMES.items():
        if module == "torch" and name == known:
            return dtype
    raise ValueError(f"invalid type: {spec!r}")


class finfo:
    """Limits of a floating point dtype, as PyTorch's `torch.finfo(dtype)` (the default float
    dtype if none is given): bits, eps, max, min, tiny (= smallest_normal), resolution, dtype."""

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type=None) -> None:  # noqa: A002 (PyTorch's name)
        dtype = _default_float if type is None else np.dtype(type)
        if dtype.kind != "f":
            raise TypeError(f"finfo() requires a floating point dtype, got {dtype}; use iinfo for integer dtypes")
        info = np.finfo(dtype)
        self.bits, self.dtype = info.bits, dtype.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(info.resolution)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, as PyTorch's `torch.iinfo(dtype)`: bits, max, min, dtype."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type) -> None:  # noqa: A002 (PyTorch's name)
        dtype = np.dtype(type)
        if dtype.kind not in "iu":
            raise TypeError(f"iinfo() requires an integer dtype, got {dtype}; use finfo for floating point dtypes")
        info = np.iinfo(dtype)
        self.bits, self.max, self.min, self.dtype = info.bits, int(info.max), int(info.min), dtype.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
