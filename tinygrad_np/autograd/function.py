"""The graph node: one primitive op, with its forward on arrays and its backward in Tensor ops.

A subclass defines

    forward(self, *arrays, **params) -> ndarray     # plain NumPy; may keep what backward needs on self
    backward(self, grad: Tensor) -> Tensor | tuple  # one gradient per input (None where not needed)

Because backward is written with Tensor ops, running it with grad mode on records a graph
of its own: that is all `create_graph=True` needs for gradients of gradients.

`Function.apply` runs forward and, only if grad mode is on and some input requires grad,
records the node: its edges to the inputs' nodes (or to leaf tensors), and the inputs or
the output when the class says backward needs them (`save_inputs`, `save_output`; other
arrays that forward keeps are named in `saves`). `release` frees them after backward.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .anomaly import anomaly_state, creation_stack
from .grad_mode import grad_state

if TYPE_CHECKING:
    from ..tensor import Tensor

PRIMITIVES: dict[str, type[Function]] = {}
"""Every primitive op, by name: the registry that the property tests check for coverage."""

FREED_GRAPH_MESSAGE = (
    "Trying to backward through the graph a second time (or to use saved values after they "
    "were freed). Saved values are released when you call .backward() or autograd.grad(); "
    "pass retain_graph=True to the first call if you need to backward through the graph again."
)

class Function:
    save_inputs = False
    save_output = False
    saves: tuple[str, ...] = ()  # other attributes set by forward that hold array data
    released = False
    retained = None

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("tinygrad_np.ops."):
            PRIMITIVES[cls.__name__] = cls

    @property
    def name(self) -> str:
        return type(self).__name__ + "Backward"

    @classmethod
    def apply(cls, *inputs: Tensor, **params) -> Tensor:
        node = cls()
        out = node.forward(*[t._array for t in inputs], **params)
        if type(out) is not np.ndarray:  # NumPy returns scalars from 0-d results
            out = np.asarray(out)
        make_tensor = inputs[0]._make
        if not grad_state.enabled or not [t for t in inputs if t._requires_grad]:
            return make_tensor(out, None)
        node.next_edges = edges = tuple([t.grad_fn or (t if t._requires_grad else None) for t in inputs])
        node.needs_input_grad = tuple([edge is not None for edge in edges])
        node.out_shape, node.out_dtype = out.shape, out.dtype
        if cls.save_inputs:
            node.inputs = inputs
        if cls.save_output:
            node.out = out
        if anomaly_state.enabled:
            node.created_at = creation_stack()
        return make_tensor(out, node)

    def forward(self, *arrays, **params):
        raise NotImplementedError

    def backward(self, grad: Tensor):
        raise NotImplementedError

    @property
    def output(self) -> Tensor:
        """The op's output as a graph tensor (made on demand, so the node holds no cycle)."""
        from ..tensor import Tensor

        return Tensor._make(self.out, self)

    def release(self) -> None:
        """Drop the saved arrays. A node that saved none (only shapes or dims) stays usable, so,
        as in PyTorch, backward may run through it again."""
        if self.save_inputs or self.save_output or self.saves:
            for name in ("inputs", "out", *self.saves):
                self.__dict__.pop(name, None)
            self.released = True

    def __repr__(self) -> str:
        return f"<{self.name}>"
