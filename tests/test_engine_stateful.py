"""The engine against a deliberately naive reference engine, on random DAGs with shared nodes.

A Hypothesis state machine grows a graph of (2, 3) float64 tensors: new leaves, unary ops on
an existing node, binary ops on two existing nodes (possibly the same one twice: x*x, x+x).
Next to every library tensor it keeps a reference record: the value computed with NumPy and
the op's vector-Jacobian product written out by hand. To check a backward pass from a random
node with a random upstream gradient, the reference visits the nodes in reverse creation
order (creation order is a topological order) and hands each parent its share. Nothing of
the library's engine is used by the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, multiple, precondition, rule
from strategies import arrays

import tinygrad_np as tg

SHAPE = (2, 3)
VALUE_BOUND = 1e3
"""Results larger than this (or not finite) are not added to the graph: no overflow."""


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name: (library op, NumPy forward, VJP(g, x, y) -> gradient for x)
UNARY = {
    "neg": (lambda t: -t, np.negative, lambda g, x, y: -g),
    "exp": (lambda t: t.exp(), np.exp, lambda g, x, y: g * y),
    "tanh": (lambda t: t.tanh(), np.tanh, lambda g, x, y: g * (1 - y**2)),
    "sin": (lambda t: t.sin(), np.sin, lambda g, x, y: g * np.cos(x)),
    "sigmoid": (lambda t: t.sigmoid(), _sigmoid, lambda g, x, y: g * y * (1 - y)),
    "square": (lambda t: t**2, np.square, lambda g, x, y: 2 * x * g),
    "center_rows": (
        lambda t: t - t.mean(dim=1, keepdim=True),
        lambda x: x - x.mean(axis=1, keepdims=True),
        lambda g, x, y: g - g.mean(axis=1, keepdims=True),
    ),
    "transpose_then_reshape": (
        lambda t: t.T.reshape(SHAPE),
        lambda x: x.T.reshape(SHAPE),
        lambda g, x, y: g.reshape(SHAPE[::-1]).T,
    ),
}


def _matmul_chain_vjp(g, a, b):
    """out = (a @ b.T) @ b:  with M = a bᵀ, dM = g bᵀ, da = dM b, db = dMᵀ a + Mᵀ g."""
    m = a @ b.T
    dm = g @ b.T
    return dm @ b, dm.T @ a + m.T @ g


# name: (library op, NumPy forward, VJP(g, a, b, y) -> (gradient for a, gradient for b))
BINARY = {
    "add": (lambda s, t: s + t, np.add, lambda g, a, b, y: (g, g)),
    "sub": (lambda s, t: s - t, np.subtract, lambda g, a, b, y: (g, -g)),
    "mul": (lambda s, t: s * t, np.multiply, lambda g, a, b, y: (g * b, g * a)),
    "div_by_one_plus_square": (
        lambda s, t: s / (1 + t * t),
        lambda a, b: a / (1 + b * b),
        lambda g, a, b, y: (g / (1 + b * b), -g * a * 2 * b / (1 + b * b) ** 2),
    ),
    "maximum": (
        lambda s, t: tg.maximum(s, t),
        np.maximum,
        lambda g, a, b, y: (g * np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0)),
                            g * np.where(b > a, 1.0, np.where(a == b, 0.5, 0.0))),
    ),
    "times_column_sums": (
        lambda s, t: s * t.sum(dim=0, keepdim=True),
        lambda a, b: a * b.sum(axis=0, keepdims=True),
        lambda g, a, b, y: (g * b.sum(axis=0, keepdims=True),
                            np.broadcast_to((g * a).sum(axis=0, keepdims=True), SHAPE)),
    ),
    "matmul_chain": (
        lambda s, t: (s @ t.T) @ t,
        lambda a, b: (a @ b.T) @ b,
        lambda g, a, b, y: _matmul_chain_vjp(g, a, b),
    ),
}


@dataclass(eq=False)
class Node:
    """A library tensor and its reference record."""

    tensor: tg.Tensor
    value: np.ndarray
    index: int
    parents: tuple[Node, ...] = ()
    vjp: object = None  # g -> one gradient per parent
    initial: np.ndarray | None = field(default=None, repr=False)  # a leaf's data, to check it is never mutated

    def __repr__(self) -> str:
        return f"Node#{self.index}"


def reference_gradients(nodes: list[Node], root: Node, upstream: np.ndarray) -> dict[int, np.ndarray]:
    """d root / d node · upstream for every node the root depends on, by index."""
    grads = {root.index: upstream}
    for node in reversed(nodes[: root.index + 1]):
        g = grads.get(node.index)
        if g is None or not node.parents:
            continue
        for parent, parent_grad in zip(node.parents, node.vjp(g)):
            grads[parent.index] = grads[parent.index] + parent_grad if parent.index in grads else parent_grad
    return grads


class EngineAgainstReference(RuleBasedStateMachine):
    nodes = Bundle("nodes")

    def __init__(self) -> None:
        super().__init__()
        self.all: list[Node] = []
        self.leaves: list[Node] = []

    def _add(self, tensor, value, parents=(), vjp=None):
        """Record a new node if it stayed in range (else nothing is added)."""
        if not (np.all(np.isfinite(value)) and np.max(np.abs(value)) <= VALUE_BOUND):
            return multiple()
        np.testing.assert_allclose(tensor.numpy(), value, rtol=1e-10, atol=1e-12)
        node = Node(tensor, value, len(self.all), tuple(parents), vjp)
        self.all.append(node)
        return node

    def _leaf(self, value):
        node = self._add(tg.tensor(value.copy(), requires_grad=True), value.copy())
        node.initial = value.copy()
        self.leaves.append(node)
        return node

    @initialize(target=nodes, first=arrays(SHAPE, -2.0, 2.0), second=arrays(SHAPE, -2.0, 2.0))
    def two_leaves(self, first, second):
        return multiple(self._leaf(first), self._leaf(second))

    @rule(target=nodes, value=arrays(SHAPE, -2.0, 2.0))
    def leaf(self, value):
        return self._leaf(value)

    @rule(target=nodes, x=nodes, op=st.sampled_from(sorted(UNARY)))
    def unary(self, x, op):
        library_op, forward, vjp = UNARY[op]
        with np.errstate(all="ignore"):
            y = forward(x.value)
            tensor = library_op(x.tensor)
        return self._add(tensor, y, (x,), lambda g: (vjp(g, x.value, y),))

    @rule(target=nodes, a=nodes, b=nodes, op=st.sampled_from(sorted(BINARY)))
    def binary(self, a, b, op):
        return self._binary(a, b, op)

    @rule(target=nodes, x=nodes, op=st.sampled_from(sorted(BINARY)))
    def binary_with_itself(self, x, op):
        return self._binary(x, x, op)

    def _binary(self, a, b, op):
        library_op, forward, vjp = BINARY[op]
        with np.errstate(all="ignore"):
            y = forward(a.value, b.value)
            tensor = library_op(a.tensor, b.tensor)
        return self._add(tensor, y, (a, b), lambda g: vjp(g, a.value, b.value, y))

    @precondition(lambda self: len(self.all) > len(self.leaves))  # some op has been applied
    @rule(root=nodes, upstream=arrays(SHAPE))
    def backward_matches_reference(self, root, upstream):
        for node in self.leaves:
            node.tensor.grad = None
        root.tensor.backward(tg.tensor(upstream.copy()), retain_graph=True)
        expected = reference_gradients(self.all, root, upstream)
        for node in self.leaves:
            if node.index not in expected:
                assert node.tensor.grad is None, f"{node} does not feed {root} but got a gradient"
                continue
            assert node.tensor.grad is not None, f"{node} feeds {root} but got no gradient"
            want = expected[node.index]
            scale = max(1.0, float(np.max(np.abs(want))))
            np.testing.assert_allclose(node.tensor.grad.numpy(), want, rtol=1e-8, atol=1e-10 * scale,
                                       err_msg=f"gradient of {root} with respect to {node}")
            assert node.tensor.grad.dtype == np.float64

    @invariant()
    def leaves_are_never_mutated(self):
        for node in self.leaves:
            np.testing.assert_array_equal(node.tensor.numpy(), node.initial)


EngineAgainstReference.TestCase.settings = settings(stateful_step_count=20)
TestEngineAgainstReference = EngineAgainstReference.TestCase
