"""Hook handles: what `register_hook` and the Module hook methods return."""

from __future__ import annotations

import itertools
from collections.abc import Callable

_ids = itertools.count()


class RemovableHandle:
    """Removes the hook it was returned for; usable as a context manager."""

    def __init__(self, hooks: dict, hook: Callable, *, prepend: bool = False) -> None:
        self.hooks, self.id = hooks, next(_ids)
        hooks[self.id] = hook
        if prepend:
            hooks_in_order = list(hooks.items())
            hooks.clear()
            hooks.update([hooks_in_order[-1], *hooks_in_order[:-1]])

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()
