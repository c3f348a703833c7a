"""How a tensor prints: PyTorch's text, under PyTorch's print options.

`set_printoptions(precision, threshold, edgeitems, linewidth, profile, sci_mode)` sets them
(None leaves one unchanged, except `sci_mode`, which is set every call: None is automatic);
NumPy's own print options are never touched.

One format serves all the elements of a tensor, chosen from the nonzero finite ones:
- integer and bool tensors: the values, right-aligned to the widest;
- float tensors whose values are all integral: `1.`, `-2.` (scientific if max/min > 1000 or
  max > 1e8);
- other float tensors: `precision` fixed decimals, `0.1000` (scientific, `1.0000e-05`, if
  max/min > 1000, max > 1e8 or min < 1e-4).
A tensor of more than `threshold` elements is summarized: `edgeitems` rows at each end of
every dim, with `...` between; the format is chosen from the elements shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import dtypes

PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
"""PyTorch's print-option profiles."""

PREFIX = "tensor("


@dataclass
class PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


OPTIONS = PrintOptions()


def set_printoptions(precision: int | None = None, threshold: float | None = None, edgeitems: int | None = None,
                     linewidth: int | None = None, profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set how tensors print, as `torch.set_printoptions`: a `profile` ('default', 'short',
    'full') first, then each option given; `sci_mode` True/False forces scientific notation
    on/off for float tensors, None (also when not given) chooses it per tensor."""
    if profile is not None:
        if profile not in PROFILES:
            raise ValueError(f"set_printoptions: unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")
        for name, value in PROFILES[profile].items():
            setattr(OPTIONS, name, value)
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            setattr(OPTIONS, name, value)
    OPTIONS.sci_mode = sci_mode


def tensor_repr(array: np.ndarray, grad_suffix: str | None) -> str:
    """`tensor(...)` for `array`, with the dtype shown unless it is the default float dtype,
    int64 or bool, and `grad_suffix` ('grad_fn=<MulBackward>', 'requires_grad=True') last."""
    suffixes = []
    if array.size == 0:
        body = "[]"
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if array.dtype != dtypes.get_default_dtype():
            suffixes.append(f"dtype={array.dtype}")
    else:
        body = _body(array, len(PREFIX))
        if array.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
            suffixes.append(f"dtype={array.dtype}")
    if grad_suffix is not None:
        suffixes.append(grad_suffix)
    return PREFIX + body + _suffixes_text(body, suffixes) + ")"


def _suffixes_text(body: str, suffixes: list[str]) -> str:
    """', suffix' after the body, or on a new line when the line would pass `linewidth`
    (PyTorch counts the body's last line as two characters longer than it is)."""
    start = PREFIX + body
    text, line = "", len(start) - start.rfind("\n") + 1
    for suffix in suffixes:
        if line + len(suffix) + 2 > OPTIONS.linewidth:
            text += ",\n" + " " * len(PREFIX) + suffix
            line = len(PREFIX) + len(suffix)
        else:
            text += ", " + suffix
            line += len(suffix) + 2
    return text


def _body(array: np.ndarray, indent: int) -> str:
    summarize = array.size > OPTIONS.threshold
    element = _Format(_summarized(array) if summarize else array)
    return _nested(array, indent, summarize, element)


class _Format:
    """The one format of a tensor's elements, chosen from `shown` (the elements printed)."""

    def __init__(self, shown: np.ndarray) -> None:
        self.floating = dtypes.is_floating(shown.dtype)
        self.integral = self.scientific = False
        if not self.floating:
            self.width = max(len(str(v)) for v in shown.ravel().tolist())
            return
        values = shown.astype(np.float64).ravel()
        values = values[np.isfinite(values) & (values != 0)]
        self.integral, self.width = True, 1
        if values.size:
            magnitudes = np.abs(values)
            low, high = magnitudes.min(), magnitudes.max()
            self.integral = bool(np.all(values == np.ceil(values)))
            spread = high / low > 1000 or high > 1e8
            self.scientific = spread if self.integral else spread or low < 1e-4
        if OPTIONS.sci_mode is not None:
            self.scientific = OPTIONS.sci_mode
        if values.size:
            self.width = max(len(self._text(v)) for v in values.tolist())

    def _text(self, value) -> str:
        if not self.floating:
            return str(value)
        if self.scientific:
            return f"{value:.{OPTIONS.precision}e}"
        if self.integral:  # a '.' says the tensor is a float one
            return f"{value:.0f}." if math.isfinite(value) else f"{value:.0f}"
        return f"{value:.{OPTIONS.precision}f}"

    def __call__(self, value) -> str:
        return self._text(value).rjust(self.width)


def _summarized(array: np.ndarray) -> np.ndarray:
    """The elements a summarized print shows: `edgeitems` at each end of every dim."""
    if array.ndim == 0:
        return array
    rows = _shown_rows(array.shape[0])
    if array.ndim == 1:
        return array[rows]
    return np.stack([_summarized(array[i]) for i in rows])


def _shown_rows(n: int) -> list[int]:
    edge = OPTIONS.edgeitems
    return [*range(edge), *range(n - edge, n)] if n > 2 * edge else list(range(n))


def _nested(array: np.ndarray, indent: int, summarize: bool, element: _Format) -> str:
    if array.ndim == 0:
        return element(array.item())
    if array.ndim == 1:
        return _vector(array, indent, summarize, element)
    n, edge = array.shape[0], OPTIONS.edgeitems
    if summarize and n > 2 * edge:
        parts = [*(_nested(array[i], indent + 1, summarize, element) for i in range(edge)), "...",
                 *(_nested(array[i], indent + 1, summarize, element) for i in range(n - edge, n))]
    else:
        parts = [_nested(row, indent + 1, summarize, element) for row in array]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _vector(array: np.ndarray, indent: int, summarize: bool, element: _Format) -> str:
    n, edge = array.shape[0], OPTIONS.edgeitems
    if summarize and not edge:
        texts = ["..."]
    elif summarize and n > 2 * edge:
        texts = [*map(element, array[:edge].tolist()), " ...", *map(element, array[n - edge:].tolist())]
    else:
        texts = list(map(element, array.tolist()))
    per_line = max(1, (OPTIONS.linewidth - indent) // (element.width + 2))
    lines = [", ".join(texts[i:i + per_line]) for i in range(0, len(texts), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"
