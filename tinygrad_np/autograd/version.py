"""Version counters: how backward knows that a value it saved was changed in place since.

Every tensor's array carries a counter; each in-place op on the array (or on a view of it:
views share their base's counter) adds one. A node records the counter and its value for
every tensor it saves; before the node's backward runs, the engine compares them, and a
changed value raises instead of computing a gradient from the new contents.
"""

from __future__ import annotations

from typing import Any


class VersionCounter:
    """One per array (shared by its views): the number of in-place changes made to it.

    The class attribute is the starting 0, so making one (once per op result) runs no
    `__init__`; the first in-place change gives the instance its own value."""

    value: int = 0


SavedVersion = tuple[VersionCounter, int, Any]
"""What a node checks about one saved value: the counter, its value when saved, and the saved
tensor or array itself (kept by the node anyway), whose shape and dtype name it in the error."""


def modified_error(node, counter: VersionCounter, version: int, value) -> RuntimeError:
    """PyTorch's error for a value that `node` saved at `version` and that was modified in place
    since (the engine compares each saved version before running the node's backward)."""
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{value.dtype} tensor of shape {list(value.shape)}], which {node.name()} saved, "
        f"is at version {counter.value}; expected version {version} instead. Hint: the "
        "tensor was changed in place (an in-place op such as add_, an optimizer step, or an item "
        "assignment) after it was used to build the graph; use an out-of-place op or .clone() it "
        "first. Enable anomaly detection (tg.autograd.detect_anomaly) to see where the node was created."
    )
