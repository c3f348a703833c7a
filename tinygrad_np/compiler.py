"""`tg.compile`: PyTorch's compiler entry point, for scripts that compile their model before
training. tinygrad_np has no compiler: every op runs eagerly on NumPy, so the model (or
function) is returned as it is and computes exactly what it computed before, as a compiled
module does. Unlike PyTorch's wrapper, nothing is wrapped: `state_dict()` keys get no
`_orig_mod.` prefix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["compile"]


def compile(model: Callable | None = None, *, fullgraph: bool = False, dynamic: bool | None = None,  # noqa: A001
            backend: str | Callable | None = None, mode: str | None = None, options: dict | None = None,
            name: str | None = None, disable: bool = False, recompile_limit: int | None = None,
            isolate_recompiles: bool = False, shapes_spec: Any = None) -> Callable:
    """`model` itself; without a model (`@tg.compile(mode=...)`), a decorator returning what it decorates."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise RuntimeError("model must be a callable")
    return model
