"""A model summary as Keras' `model.summary()` and torchinfo's `summary(model, input_size=...)`.

`summary(model, (128, 784))` runs one forward pass on zeros and returns a `ModelSummary`: a row
per module call (in call order, indented by call depth) with its output shape and parameter
count, and the totals. `print()` or a REPL shows it as a text table; `.rows`, `.total_params`,
`.trainable_params` and the other fields hold the data.

Output shapes are recorded by shadowing each module's `forward` with an instance attribute for
the duration of the pass (and removing it afterwards, even if the pass fails): the user's own
hooks are neither used nor disturbed, and they still fire during the pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from .. import dtypes
from ..autograd import no_grad
from ..tensor import Tensor, as_tensor
from .module import Module

Shape = tuple[int, ...]


@dataclass
class LayerRow:
    """One call of one module in the forward pass, or (with `output_shapes` None) a module that the
    pass never called but that owns parameters no called module does."""

    name: str
    """Dotted path as in `named_modules()`: "features.0"; "" for the model itself."""
    type_name: str
    depth: int
    """Call nesting: 0 for the model, 1 for the modules its forward calls, and so on."""
    call: int
    """1 for the module's first call in the pass, 2 for its second, ..."""
    input_shapes: tuple[Shape, ...]
    output_shapes: tuple[Shape, ...] | None
    params: int = 0
    """Parameters counted in this row: the module's own (recurse=False) that no earlier row
    counted, plus those of deeper calls hidden by the `depth` limit. The column sums to the total."""
    trainable_params: int = 0

    @property
    def called(self) -> bool:
        return self.output_shapes is not None

    @property
    def label(self) -> str:
        """The row's text: `fc1: Linear` (the last part of the name, as rows are indented), the full
        dotted name for a module that was not called, the type alone for the model, and
        ` (call 2)` added for a repeated call."""
        if not self.name:
            label = self.type_name
        else:
            label = f"{self.name if not self.called else self.name.rsplit('.', 1)[-1]}: {self.type_name}"
        return label if self.call == 1 else f"{label} (call {self.call})"


@dataclass(frozen=True, repr=False)
class ModelSummary:
    """What `summary()` returns; `str()` and `repr()` are the text table."""

    rows: tuple[LayerRow, ...]
    input_shapes: tuple[Shape, ...]
    output_shapes: tuple[Shape, ...]
    total_params: int
    """Every parameter of the model once, shared ones included once: sum(p.numel() for p in model.parameters())."""
    trainable_params: int
    """The part of total_params that requires grad."""
    param_bytes: int

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    @property
    def params_size_mb(self) -> float:
        """The parameters' memory in megabytes (10⁶ bytes), as torchinfo's "Params size (MB)"."""
        return self.param_bytes / 1e6

    def __str__(self) -> str:
        header = ("Layer (type)", "Output Shape", "Param #")
        body = [("  " * row.depth + row.label,
                 _format_shapes(row.output_shapes) if row.called else "(not called)",
                 f"{row.params:,}" if row.params else "--") for row in self.rows]
        widths = [max(len(line[column]) for line in [header, *body]) for column in range(3)]

        def line(cells: tuple[str, str, str]) -> str:
            return f"{cells[0]:<{widths[0]}}    {cells[1]:<{widths[1]}}    {cells[2]:>{widths[2]}}"

        rule = "=" * len(line(header))
        totals = [f"Input shape: {_format_shapes(self.input_shapes)}",
                  f"Output shape: {_format_shapes(self.output_shapes)}",
                  f"Total params: {self.total_params:,}",
                  f"Trainable params: {self.trainable_params:,}",
                  f"Non-trainable params: {self.non_trainable_params:,}",
                  f"Params size (MB): {self.params_size_mb:.2f}"]
        return "\n".join([rule, line(header), rule, *map(line, body), rule, *totals, rule])

    __repr__ = __str__


def summary(model: Module, input_shape: Sequence[int] | Sequence[Sequence[int]], *,
            dtype: DTypeLike | Sequence[DTypeLike] = None, depth: int | None = None) -> ModelSummary:
    """Summarise `model` by running it once on zeros of `input_shape`.

    A layer's output shape depends on its input (there is no static shape inference here), so
    the summary runs one real forward pass. `input_shape` includes the batch dimension, as
    torchinfo's `input_size`: `(128, 784)` for an MLP, `(2, 1, 28, 28)` for a CNN; a list of
    shapes, `[(2, 3), (2, 5)]`, calls `model(x1, x2)`. `dtype` is the inputs' dtype (the default
    float dtype if None; int64 for an Embedding), or a sequence of one dtype per input. `depth`
    limits the rows to that call depth (0: the model alone); the parameters of hidden calls
    are counted in their shown ancestor's row. None shows every level.

    The pass runs under `no_grad()` with every module in eval mode, so it changes no state:
    BatchNorm's running statistics stay put and Dropout draws no random numbers. Afterwards each
    module gets back its own training flag (so mixed modes survive) and its `forward`. Only state a
    custom forward changes by itself in eval mode is beyond this.

    A module called twice gets a row per call; each parameter is counted in the first row that
    reaches it, so a repeated call or a shared parameter adds nothing to the Param # column.
    Modules the pass never calls but that own parameters get a "(not called)" row at the end,
    so the column always sums to `total_params`.

    If the forward pass fails (a wrong input shape, say), the model's own exception propagates
    with a note (`__notes__`, printed in the traceback) naming the innermost layer that failed
    and its input shapes.
    """
    if depth is not None and (not isinstance(depth, int) or depth < 0):
        raise ValueError(f"summary: depth must be None or a non-negative int, got {depth!r}")
    shapes = _input_shapes(input_shape)
    inputs = [as_tensor(np.zeros(shape, input_dtype))
              for shape, input_dtype in zip(shapes, _input_dtypes(dtype, shapes))]
    modules = list(model.modules())
    modes = [module.training for module in modules]
    recorder = _Recorder(model, depth)
    shadowed: list[tuple[Module, Any]] = []
    try:
        for module in modules:
            shadowed.append((module, module.__dict__.get("forward", _MISSING)))
            object.__setattr__(module, "forward", recorder.wrap(module, module.forward))
            object.__setattr__(module, "training", False)
        with no_grad():
            output = model(*inputs)
    except Exception as error:
        if recorder.failure is not None and recorder.failure[0] is error:
            _add_note(error, f"summary: the forward pass failed in {recorder.failure[1]}; the model's input shape "
                             f"was {_format_shapes(tuple(shapes))}")
        raise
    finally:
        for module, previous in shadowed:
            if previous is _MISSING:
                object.__delattr__(module, "forward")
            else:
                object.__setattr__(module, "forward", previous)
        for module, mode in zip(modules, modes):
            object.__setattr__(module, "training", mode)
    params = list(model.parameters())
    return ModelSummary(rows=tuple(recorder.rows + recorder.uncalled_rows()),
                        input_shapes=tuple(shapes),
                        output_shapes=_shapes(output),
                        total_params=sum(p.numel() for p in params),
                        trainable_params=sum(p.numel() for p in params if p.requires_grad),
                        param_bytes=sum(p._array.nbytes for p in params))


class _Recorder:
    """Builds the rows while the shadowing forwards report each call's start and end."""

    def __init__(self, model: Module, depth: int | None) -> None:
        self.model, self.depth = model, depth
        self.names = {id(module): name for name, module in model.named_modules()}
        self.calls: dict[int, int] = {}
        self.counted: set[int] = set()
        self.rows: list[LayerRow] = []
        self.stack: list[tuple[LayerRow, bool]] = []
        """Per running call: the row its parameters go to, and whether that row is its own."""
        self.failure: tuple[BaseException, str] | None = None
        """The exception that ended the pass and where it came from (the innermost call it left)."""

    def wrap(self, module: Module, forward: Callable) -> Callable:
        def recording_forward(*args, **kwargs):
            input_shapes = _shapes((args, kwargs))
            self.enter(module, input_shapes)
            try:
                output = forward(*args, **kwargs)
            except BaseException as error:
                self.leave_with(error, module, input_shapes)
                raise
            self.leave(output)
            return output

        return recording_forward

    def enter(self, module: Module, input_shapes: tuple[Shape, ...]) -> None:
        self.calls[id(module)] = self.calls.get(id(module), 0) + 1
        depth = len(self.stack)
        row = LayerRow(self.names[id(module)], type(module).__name__, depth, self.calls[id(module)], input_shapes, None)
        own = self.depth is None or depth <= self.depth
        if own:
            self.rows.append(row)
        target = row if own else self.stack[-1][0]
        self.count(module, target)
        self.stack.append((target, own))

    def leave(self, output: Any) -> None:
        row, own = self.stack.pop()
        if own:
            row.output_shapes = _shapes(output)

    def leave_with(self, error: BaseException, module: Module, input_shapes: tuple[Shape, ...]) -> None:
        self.stack.pop()
        if self.failure is None or self.failure[0] is not error:
            name = self.names[id(module)]
            where = f"layer {name!r}" if name else "the model's own forward"
            self.failure = (error, f"{where} ({type(module).__name__}) with input shape {_format_shapes(input_shapes)}")

    def count(self, module: Module, row: LayerRow) -> None:
        for param in module.parameters(recurse=False):
            if id(param) not in self.counted:
                self.counted.add(id(param))
                row.params += param.numel()
                row.trainable_params += param.numel() if param.requires_grad else 0

    def uncalled_rows(self) -> list[LayerRow]:
        rows = []
        for name, module in self.model.named_modules():
            if id(module) not in self.calls:
                row = LayerRow(name, type(module).__name__, 0, 1, (), None)
                self.count(module, row)
                if row.params:
                    rows.append(row)
        return rows


def _input_shapes(input_shape: Any) -> list[Shape]:
    """One shape, (2, 3), or a sequence of shapes, [(2, 3), (2, 5)], as a list of shapes."""
    if not isinstance(input_shape, (tuple, list)):
        raise TypeError(f"summary: input_shape must be a shape such as (2, 1, 28, 28) or a list of shapes, "
                        f"got {input_shape!r}")
    if all(_is_size(n) for n in input_shape):
        candidates = [input_shape]
    elif all(isinstance(shape, (tuple, list)) for shape in input_shape):
        candidates = list(input_shape)
    else:
        raise TypeError(f"summary: input_shape must be a shape of ints or a list of shapes, got {input_shape!r}")
    shapes = []
    for shape in candidates:
        if not all(_is_size(n) and n >= 0 for n in shape):
            raise ValueError(f"summary: a shape must be non-negative ints (batch dimension included), got {shape!r}")
        shapes.append(tuple(int(n) for n in shape))
    return shapes


def _is_size(n: Any) -> bool:
    return isinstance(n, (int, np.integer)) and not isinstance(n, bool)


def _input_dtypes(dtype: DTypeLike | Sequence[DTypeLike], shapes: list[Shape]) -> list[np.dtype]:
    if not isinstance(dtype, (tuple, list)):
        dtype = [dtype] * len(shapes)
    if len(dtype) != len(shapes):
        raise ValueError(f"summary: {len(dtype)} dtypes given for {len(shapes)} inputs")
    return [dtypes.get_default_dtype() if d is None else np.dtype(d) for d in dtype]


def _shapes(value: Any) -> tuple[Shape, ...]:
    """The shapes of the tensors in value (a tensor, or tuples, lists and dicts of them), in order."""
    if isinstance(value, Tensor):
        return (tuple(value.shape),)
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return tuple(shape for item in value for shape in _shapes(item))
    return ()


def _format_shapes(shapes: tuple[Shape, ...]) -> str:
    return ", ".join(str(shape) for shape in shapes) if shapes else "--"


def _add_note(error: BaseException, note: str) -> None:
    """As `BaseException.add_note` (Python 3.11+, which prints `__notes__` in the traceback); the
    attribute also works on Python 3.10, where tracebacks do not print it."""
    error.__notes__ = [*getattr(error, "__notes__", ()), note]


_MISSING = object()
