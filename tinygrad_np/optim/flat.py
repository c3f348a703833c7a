"""One contiguous buffer per parameter group for each optimizer state array.

An update is a dozen elementwise NumPy passes. Done per parameter, that is a dozen calls per
parameter, and for small parameters (biases) the call costs more than the arithmetic. When
each state array of every parameter in a group is a view into one buffer, the passes that
involve neither the gradient nor the parameter run once over the whole group.

The parameters themselves are left where they are: their arrays are the user's (and the
model's), and an optimizer updates them in place, as in PyTorch.

`FlatState` copies the named state arrays of a group into one buffer each and puts views
into the states in their place. If anything replaces one of them later
(`optimizer.load_state_dict`, a parameter gaining or losing its gradient), `holds` turns
false and the optimizer builds the layout again from the current arrays at its next step.
"""

from __future__ import annotations

import numpy as np


class FlatState:
    """`buffers[name]`: the state arrays `name` of every parameter, back to back; `scratch`:
    one more such buffer for temporaries, with `scratch_views` its piece for each parameter."""

    def __init__(self, states: list[dict], names: tuple[str, ...]) -> None:
        self.states, self.names = states, names
        self.buffers: dict[str, np.ndarray] = {}
        self.views: dict[str, list[np.ndarray]] = {}
        for name in names:
            self.buffers[name], self.views[name] = _pack([state[name] for state in states])
            for state, view in zip(states, self.views[name]):
                state[name] = view
        self.scratch, self.scratch_views = _pack([np.empty_like(view) for view in self.views[names[0]]])

    def holds(self, states: list[dict]) -> bool:
        """Whether these states are still exactly the ones laid out, holding the views made."""
        return (
            len(states) == len(self.states)
            and all(state is mine for state, mine in zip(states, self.states))
            and all(state.get(name) is view for name in self.names
                    for state, view in zip(states, self.views[name]))
        )

    @staticmethod
    def can_hold(states: list[dict], names: tuple[str, ...]) -> bool:
        """Two or more states whose arrays `names` share one dtype (one is already one buffer)."""
        return len(states) > 1 and len({state[name].dtype for state in states for name in names}) == 1


def _pack(arrays: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """One new buffer holding copies of `arrays` back to back, and a view of each in its shape."""
    flat = np.empty(sum(array.size for array in arrays), dtype=arrays[0].dtype)
    views, start = [], 0
    for array in arrays:
        view = flat[start:start + array.size].reshape(array.shape)
        view[...] = array
        views.append(view)
        start += array.size
    return flat, views
