"""Version counters: how backward knows that a value it saved was changed in place since.

Every tensor's array carries a counter; each in-place op on the array (or on a view of it:
views share their base's counter) adds one. A node records the counter and its value for
every tensor it saves; before the node's backward runs, the engine compares them, and a
changed value raises instead of computing a gradient from the new contents.
"""

from __future__ import annotations


class VersionCounter:
    """One per array (shared by its views): the number of in-place changes made to it."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class SavedVersion:
    """What a node checks about one saved tensor: its counter, the value when saved, and
    enough to name it in the error."""

    __slots__ = ("counter", "version", "shape", "dtype")

    def __init__(self, counter: VersionCounter, shape: tuple, dtype) -> None:
        self.counter, self.version, self.shape, self.dtype = counter, counter.value, shape, dtype


def check_saved(node) -> None:
    """Raise PyTorch's error if a tensor that `node` saved was modified in place since."""
    for saved in node.saved_versions:
        if saved.counter.value != saved.version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: [{saved.dtype} tensor of shape {list(saved.shape)}], which {node.name} saved, "
                f"is at version {saved.counter.value}; expected version {saved.version} instead. Hint: the "
                "tensor was changed in place (an in-place op such as add_, an optimizer step, or an item "
                "assignment) after it was used to build the graph; use an out-of-place op or .clone() it "
                "first. Enable anomaly detection (tg.autograd.detect_anomaly) to see where the node was created."
            )
