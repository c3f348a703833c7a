"""The graph node: one primitive op, with its forward on arrays and its backward in Tensor ops.
(Users define their own ops with `tg.autograd.Function`, in function.py, whose nodes are Nodes too.)

A subclass defines

    forward(self, *arrays, **params) -> ndarray     # plain NumPy; may keep what backward needs on self
    backward(self, grad: Tensor) -> Tensor | tuple  # one gradient per input (None where not needed)

Because backward is written with Tensor ops, running it with grad mode on records a graph
of its own: that is all `create_graph=True` needs for gradients of gradients.

`Node.apply` runs forward and, only if grad mode is on and some input requires grad,
records the node: its edges to the inputs' nodes (or to leaf tensors), and what backward
will read, given which inputs need a gradient (`save_inputs`, `save_output`; other arrays
that forward keeps are named in `saves`). Each saved tensor's version is recorded, so that
an in-place change made to it before backward raises instead of giving a wrong gradient.
`release` frees the saved values after backward.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np

from .anomaly import anomaly_state, creation_stack
from .grad_mode import grad_state
from .version import SavedVersion

if TYPE_CHECKING:
    from ..tensor import Tensor

PRIMITIVES: dict[str, type[Node]] = {}
"""Every primitive op, by name: the registry that the property tests check for coverage."""

FREED_GRAPH_MESSAGE = (
    "Trying to backward through the graph a second time (or to use saved values after they "
    "were freed). Saved values are released when you call .backward() or autograd.grad(); "
    "pass retain_graph=True to the first call if you need to backward through the graph again."
)


class Node:
    save_inputs: bool | tuple[tuple[int, ...], ...] = False
    """The inputs backward reads: True for all of them, or for each input the inputs whose
    gradients read it (it is saved only if one of those needs a gradient)."""
    save_output: bool | tuple[int, ...] = False
    """Whether backward reads the output: True, or the inputs whose gradients read it."""
    saves: tuple[str, ...] = ()  # other attributes set by forward that hold array data
    view = False  # the output is a view of input 0's array (set per call by ops that may or may not copy)
    released = False
    retained = None
    tensor_hooks = None  # hooks registered on the output tensor: {handle id: fn}
    saved_versions: list[SavedVersion] | tuple = ()
    _save_plans: dict[tuple[bool, ...], tuple]  # per class: what _save keeps, by which inputs need a gradient
    tensor_class: type[Tensor]  # set by tinygrad_np.tensor, which imports this module

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._save_plans = {}
        if cls.__module__.startswith("tinygrad_np.ops."):
            PRIMITIVES[cls.__name__] = cls

    def name(self) -> str:
        """PyTorch's name for the node: the op plus `Backward0`, e.g. "MulBackward0"."""
        return type(self).__name__ + "Backward0"

    @property
    def next_functions(self) -> tuple[tuple[Node | AccumulateGrad | None, int], ...]:
        """PyTorch's view of `next_edges`: one `(node, 0)` pair per input, the node being the
        input's grad_fn, an `AccumulateGrad` for a leaf that requires grad, or None."""
        return tuple([(edge if edge is None or isinstance(edge, Node) else AccumulateGrad.of(edge), 0)
                      for edge in self.next_edges])

    @classmethod
    def apply(cls, *inputs: Tensor, **params) -> Tensor:
        recording = grad_state.enabled
        if recording:
            for t in inputs:
                if t._base is not None and t._base.grad_fn is not t._base_history:
                    refresh_view(t)
            recording = [t for t in inputs if t._requires_grad]
        node = cls()
        out = node.forward(*[t._array for t in inputs], **params)
        if type(out) is not np.ndarray:  # NumPy returns scalars from 0-d results
            out = np.asarray(out)
        result = inputs[0]._make(out, node if recording else None)
        if node.view:
            share_base(result, inputs[0])
        if not recording:
            return result
        node.next_edges = edges = tuple([t.grad_fn or (t if t._requires_grad else None) for t in inputs])
        node.needs_input_grad = needs = tuple([edge is not None for edge in edges])
        node.out_shape, node.out_dtype = out.shape, out.dtype
        if cls.save_inputs or cls.save_output:
            node._save(inputs, needs, out, result)
        if anomaly_state.enabled:
            node.created_at = creation_stack()
        return result

    def _save(self, inputs: tuple[Tensor, ...], needs: tuple[bool, ...], out: np.ndarray, result: Tensor) -> None:
        """Keep what backward will read, with the version of each kept tensor."""
        keep_inputs, keep_output = self._save_plans.get(needs) or self._plan_saves(needs)
        saved = []
        if keep_inputs is not None:  # a plain loop: this runs for most recorded ops
            kept = []
            for t, keep in zip(inputs, keep_inputs):
                if keep:
                    saved.append((t._version_counter, t._version_counter.value, t))
                kept.append(t if keep else None)
            self.inputs = kept
        if keep_output:
            self.out = out
            saved.append((result._version_counter, result._version_counter.value, out))
        self.saved_versions = saved

    @classmethod
    def _plan_saves(cls, needs: tuple[bool, ...]) -> tuple:
        """(which inputs to keep, or None; whether to keep the output) given which inputs need a
        gradient: `save_inputs` and `save_output` read once per pattern of needs, then cached."""
        rule = cls.save_inputs
        keep_inputs = None if not rule else tuple(
            rule is True or any(needs[j] for j in users) for users in (needs if rule is True else rule))
        rule = cls.save_output
        keep_output = rule is True or bool(rule) and any(needs[j] for j in rule)
        cls._save_plans[needs] = plan = (keep_inputs, keep_output)
        return plan

    def forward(self, *arrays, **params):
        raise NotImplementedError

    def backward(self, grad: Tensor):
        raise NotImplementedError

    @property
    def output(self) -> Tensor:
        """The op's output as a graph tensor (made on demand, so the node holds no cycle)."""
        return self.tensor_class._make(self.out, self)

    @classmethod
    def constant(cls, array) -> Tensor:
        """A tensor that needs no gradient (a mask, a share, a zero) for a backward formula."""
        return cls.tensor_class._make(array, None)

    def release(self) -> None:
        """Drop the saved arrays. A node that saved none (only shapes or dims) stays usable, so,
        as in PyTorch, backward may run through it again."""
        if self.save_inputs or self.save_output or self.saves:
            for name in ("inputs", "out", "saved_versions", *self.saves):
                self.__dict__.pop(name, None)
            self.released = True

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


class AccumulateGrad:
    """Where a leaf's gradient ends (PyTorch's graph shows this node for a leaf): `.variable` is
    the leaf. For introspection only; the engine accumulates into leaves itself. One per leaf
    while it is referenced, as PyTorch's, so walks can compare nodes by identity."""

    _live: weakref.WeakValueDictionary[int, AccumulateGrad] = weakref.WeakValueDictionary()
    next_functions: tuple = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    @classmethod
    def of(cls, leaf: Tensor) -> AccumulateGrad:
        """The leaf's node (keyed by id: it holds the leaf, so the id is not reused while it lives)."""
        node = cls._live.get(id(leaf))
        if node is None:
            cls._live[id(leaf)] = node = cls(leaf)
        return node

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def share_base(view: Tensor, source: Tensor) -> None:
    """A view shares its source's array, so it shares its version counter and base; it notes
    the base's node, so that an in-place op that rebases the base is noticed (`refresh_view`)."""
    view._version_counter = source._version_counter
    view._base = base = source._base if source._base is not None else source
    view._base_history = base.grad_fn


def refresh_if_stale(view: Tensor) -> None:
    if view._base.grad_fn is not view._base_history:
        refresh_view(view)


def refresh_view(view: Tensor) -> None:
    """Derive again the history of a view whose base was rebased by an in-place op since
    the view was made: its values changed with the base's. Set by tinygrad_np.inplace,
    which needs the primitives (this module cannot import them)."""
    raise NotImplementedError
