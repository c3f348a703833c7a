"""Per-op profiler: how many times each primitive op ran and how long it took, forward and backward apart.

    with tg.profiler.profile() as prof:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    # the table is printed on leaving the block; prof.table(), prof.rows and prof.total_seconds hold it

Why wrappers on the classes rather than a flag in `Node.apply`: the ops never look at the
profiler, so when no profile is active they run exactly the code they always run (zero overhead).
Entering `profile()` sets timing wrappers as `apply` and `backward` on every subclass of `Node`
(the primitives and any user-defined op, found through `__subclasses__`); leaving it, by an
exception too, puts back on each class exactly what its own `__dict__` held (or nothing).

What is timed (with time.perf_counter):
- forward of op X: the whole `X.apply(...)` call, NumPy forward and recording the node;
- backward of op X: the call of X's `backward`, with the Tensor ops it runs. Only the outermost
  timed call counts, so the ops inside a backward formula (or inside a custom op) are part of its
  time and are not counted again;
- "(engine) sum of gradients": the Adds the engine applies itself, outside any backward, where
  gradients meet at a node or a leaf (the engine counts its running passes in `engine_state`);
- "(outside ops)": the rest of the profiled wall time (Python, the optimizer's NumPy code), so the
  percentages add up to 100.

Process-global: the wrappers are on the classes, so only one profile can be active at a time, and
while it is, the ops of every thread are counted (the nesting is tracked per thread). The time
outside ops assumes the ops ran on the thread that entered the profile.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from time import perf_counter
from typing import Any, NamedTuple

from .autograd.engine import engine_state
from .autograd.node import Node

ENGINE_SUMS = "(engine) sum of gradients"
OUTSIDE_OPS = "(outside ops)"
_WRAPPED = ("apply", "backward")
_MISSING = object()


class ProfileRow(NamedTuple):
    """One line of the table: `calls` (outermost) calls of `op` in `phase` took `total_seconds` in all."""

    op: str
    phase: str  # "forward", "backward", or "-" for the time outside ops
    calls: int
    total_seconds: float


class _Nesting(threading.local):
    depth = 0  # 1 while a timed call runs on this thread: the ops it runs are part of its time


_nesting = _Nesting()
_active: profile | None = None


class profile:
    """Context manager: count and time every primitive op run in the `with` block, forward and backward.

    Process-global (see the module docstring): entering a second profile while one is active raises.
    """

    def __init__(self, print_table: bool = True) -> None:
        self.print_table = print_table
        self._stats: dict[tuple[str, str], list] = {}
        self._originals: list[tuple[type, str, object]] = []
        self._start: float | None = None
        self._end: float | None = None

    def __enter__(self) -> profile:
        global _active
        if _active is not None:
            raise RuntimeError("profile() is already active: profiles cannot be nested, the op wrappers are "
                               "process-global")
        self._stats, self._originals, self._end = {}, [], None
        self._install()
        _active = self
        self._start = perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        global _active
        self._end = perf_counter()
        try:
            self._restore()
        finally:
            _active = None
        if self.print_table:
            print(self.table())

    @property
    def total_seconds(self) -> float:
        """Wall time of the `with` block (so far, while inside it)."""
        if self._start is None:
            return 0.0
        return (perf_counter() if self._end is None else self._end) - self._start

    @property
    def rows(self) -> list[ProfileRow]:
        """The table's data, by total time, longest first; the time outside ops is one row."""
        return self._rows(self.total_seconds)

    def table(self) -> str:
        """The table printed on exit: op, phase, calls, total ms and % of the profiled time."""
        total = self.total_seconds
        lines = [["op", "phase", "calls", "total ms", "% of time"]]
        for row in self._rows(total):
            lines.append([row.op, row.phase, str(row.calls) if row.phase != "-" else "-",
                          f"{row.total_seconds * 1e3:.3f}", f"{100 * row.total_seconds / total if total else 0:.1f}"])
        widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
        text = ["  ".join(cell.ljust(width) if i < 2 else cell.rjust(width)
                          for i, (cell, width) in enumerate(zip(line, widths))).rstrip() for line in lines]
        return f"profile: {total * 1e3:.3f} ms of wall time\n" + "\n".join(text)

    def _rows(self, total: float) -> list[ProfileRow]:
        rows = [ProfileRow(op, phase, calls, seconds) for (op, phase), (calls, seconds) in self._stats.items()]
        rows.append(ProfileRow(OUTSIDE_OPS, "-", 0, max(total - sum(row.total_seconds for row in rows), 0.0)))
        return sorted(rows, key=lambda row: row.total_seconds, reverse=True)

    def _install(self) -> None:
        """Wrap what each class resolves now (found before any wrapper is set, so none wraps another)."""
        classes = _subclasses(Node)
        resolved = [(cls, name, inspect.getattr_static(cls, name)) for cls in classes for name in _WRAPPED]
        try:
            for cls, name, attribute in resolved:
                own = cls.__dict__.get(name, _MISSING)
                setattr(cls, name, self._timed_apply(attribute) if name == "apply" else self._timed_backward(attribute))
                self._originals.append((cls, name, own))
        except BaseException:
            self._restore()
            raise

    def _restore(self) -> None:
        for cls, name, own in reversed(self._originals):
            if own is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, own)
        self._originals = []

    def _timed_apply(self, attribute: Any) -> classmethod:
        stats = self._stats

        @functools.wraps(getattr(attribute, "__func__", attribute))
        def apply(cls, *inputs, **params):
            key = (ENGINE_SUMS, "backward") if engine_state.depth else (cls.__name__, "forward")
            return _timed_call(stats, key, attribute.__get__(None, cls), inputs, params)

        return classmethod(apply)

    def _timed_backward(self, attribute: Any) -> Callable[..., Any]:
        stats = self._stats

        @functools.wraps(attribute)
        def backward(node, *args, **kwargs):
            return _timed_call(stats, (type(node).__name__, "backward"), attribute.__get__(node, type(node)), args,
                               kwargs)

        return backward


def _timed_call(stats: dict[tuple[str, str], list], key: tuple[str, str], call: Callable[..., Any], args: tuple,
                kwargs: dict) -> Any:
    """call(*args, **kwargs), its time counted under `key` unless it runs inside another timed call."""
    if _nesting.depth:
        return call(*args, **kwargs)
    _nesting.depth = 1
    start = perf_counter()
    try:
        return call(*args, **kwargs)
    finally:
        elapsed = perf_counter() - start
        _nesting.depth = 0
        _count(stats, key, elapsed)


def _count(stats: dict[tuple[str, str], list], key: tuple[str, str], seconds: float) -> None:
    entry = stats.get(key)
    if entry is None:
        stats[key] = [1, seconds]
    else:
        entry[0] += 1
        entry[1] += seconds


def _subclasses(base: type) -> list[type]:
    """Every subclass of `base`, at any depth, each once."""
    found: dict[type, None] = {}
    stack = [base]
    while stack:
        for cls in stack.pop().__subclasses__():
            if cls not in found:
                found[cls] = None
                stack.append(cls)
    return list(found)
