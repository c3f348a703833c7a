"""The thread and determinism settings PyTorch scripts make, and what they do here.

- `set_num_threads(n)` / `get_num_threads()`: tinygrad_np computes in NumPy, whose only
  threads are its BLAS library's (matrix products). With the optional package threadpoolctl
  installed, `set_num_threads(n)` limits that pool to n threads and `get_num_threads()` reads
  it. Without threadpoolctl the number is only recorded: `get_num_threads()` returns it, but
  BLAS keeps its own count (set OMP_NUM_THREADS or OPENBLAS_NUM_THREADS before starting Python
  to limit it); `BLAS_LIMITED` says which is the case.
- `set_num_interop_threads(n)` / `get_num_interop_threads()`: tinygrad_np runs no two ops at
  once, so there is no inter-op pool; the number is recorded, and as in PyTorch it can be set
  once.
- `use_deterministic_algorithms(mode, warn_only=False)`: NumPy on the CPU gives the same result
  every run, so every algorithm here already is; the setting is recorded and read back.
"""

from __future__ import annotations

import os

try:
    import threadpoolctl
except ImportError:  # optional: without it the thread count is recorded, not applied
    threadpoolctl = None

BLAS_LIMITED = threadpoolctl is not None
"""Whether `set_num_threads` limits NumPy's BLAS threads (threadpoolctl is installed)."""

_threads: int | None = None
_interop_threads: int | None = None
_deterministic = {"mode": False, "warn_only": False}


def _check_count(name: str, n) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"{name} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{name} expects a positive integer")
    return n


def _default_threads() -> int:
    """BLAS's own default: OMP_NUM_THREADS or OPENBLAS_NUM_THREADS if set, else one per core."""
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(variable, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return os.cpu_count() or 1


def set_num_threads(n: int) -> None:
    """Use `n` threads for NumPy's BLAS (with threadpoolctl; else only recorded, see above)."""
    global _threads
    _threads = _check_count("set_num_threads", n)
    if threadpoolctl is not None:
        threadpoolctl.threadpool_limits(limits=n, user_api="blas")


def get_num_threads() -> int:
    """The BLAS thread count (with threadpoolctl), else the number set (BLAS's default if none)."""
    if threadpoolctl is not None:
        counts = [pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]
        if counts:
            return max(counts)
    return _default_threads() if _threads is None else _threads


def set_num_interop_threads(n: int) -> None:
    """Record `n` (there is no inter-op pool); like PyTorch, only once."""
    global _interop_threads
    _check_count("set_num_interop_threads", n)
    if _interop_threads is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has started or "
                           "set_num_interop_threads called")
    _interop_threads = n


def get_num_interop_threads() -> int:
    """The number set with `set_num_interop_threads`, else one per core (PyTorch's default)."""
    return _interop_threads if _interop_threads is not None else os.cpu_count() or 1


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Accepted and recorded: every algorithm here is deterministic already."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' must be bool, not {type(mode).__name__}")
    if not isinstance(warn_only, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'warn_only' must be bool, not "
                        f"{type(warn_only).__name__}")
    _deterministic.update(mode=mode, warn_only=mode and warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic["warn_only"]
