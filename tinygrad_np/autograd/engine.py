"""The engine: walks the graph backwards from the roots, once, in topological order.

1. Count, for every node reachable from the roots, how many edges lead into it
   (an explicit stack, never recursion: a chain of a million ops is fine).
2. Kahn's algorithm: a node runs when every consumer has handed it its gradient, so its
   buffer holds the complete sum. Buffers are summed out of place, never into an array
   another node may still hold, and freed as soon as the node has run.
3. Leaf gradients are accumulated into `.grad` (or returned, for `autograd.grad`).

Before a node's backward runs, the versions of the tensors it saved are compared with those
recorded in the forward pass: a tensor changed in place since raises (version.py). Hooks
registered on a tensor run on its gradient before it is passed on or accumulated.

Unless `retain_graph`, each node releases its saved values right after its backward; running
a released node's backward again raises. Accumulation into `.grad` holds a lock, so threads
running backward into shared leaves lose no update.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .anomaly import anomaly_state, check_gradients
from .grad_mode import grad_state
from .node import FREED_GRAPH_MESSAGE, Node
from .version import modified_error

if TYPE_CHECKING:
    from ..tensor import Tensor


class _EngineState(threading.local):
    depth = 0  # run_backward calls running on this thread: lets the profiler tell the engine's gradient sums apart


engine_state = _EngineState()
_accumulation_lock = threading.Lock()


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: Sequence[Tensor] | None = None,
) -> list[Tensor | None] | None:
    """Backpropagate `root_grads` from `roots`.

    Without `capture`, gradients accumulate into the leaves' `.grad` (and retained
    non-leaves'). With `capture`, nothing is accumulated and the gradients of those tensors
    are returned, in order (None for a tensor the roots do not depend on).
    """
    buffers: dict[object, Tensor] = {}
    for root, grad in zip(roots, root_grads):
        target = root.grad_fn if root.grad_fn is not None else root
        buffers[target] = buffers[target] + grad if target in buffers else grad

    capture_keys = {(t.grad_fn if t.grad_fn is not None else t) for t in capture} if capture is not None else ()
    captured: dict[object, Tensor] = {}
    owners: set[int] = set()
    pending = _count_dependencies([root.grad_fn for root in roots if root.grad_fn is not None])
    needed = _leading_to(pending, capture_keys) if capture is not None else None
    ready = [node for node in pending if pending[node] == 0 and node in buffers]

    previous_mode = grad_state.enabled
    grad_state.enabled = create_graph
    engine_state.depth += 1
    try:
        while ready:
            node = ready.pop()
            grad = buffers.pop(node)
            if node.tensor_hooks:
                grad = run_hooks(node.tensor_hooks, grad)
            if node in capture_keys:
                captured[node] = grad
            if needed is not None and node not in needed:
                continue
            if node.released:
                raise RuntimeError(FREED_GRAPH_MESSAGE)
            for counter, version, value in node.saved_versions:
                if counter.value != version:
                    raise modified_error(node, counter, version, value)
            if node.retained is not None and capture is None:
                _accumulate_retained(node, grad, owners)
            grads = node.backward(grad)
            if not isinstance(grads, tuple):
                grads = (grads,)
            if anomaly_state.enabled:
                check_gradients(node, grads)
            for index, (edge, edge_grad) in enumerate(zip(node.next_edges, grads)):
                if edge is None or edge_grad is None:
                    continue
                _check_gradient(node, index, edge, edge_grad)
                buffers[edge] = buffers[edge] + edge_grad if edge in buffers else edge_grad
                if isinstance(edge, Node):
                    pending[edge] -= 1
                    if pending[edge] == 0:
                        ready.append(edge)
            if not retain_graph:
                node.release()
        if capture is not None:
            captured.update((key, _leaf_hooked(key, grad)) for key, grad in buffers.items() if key in capture_keys)
            return [captured.get(t.grad_fn if t.grad_fn is not None else t) for t in capture]
        for leaf, grad in buffers.items():
            _accumulate_leaf(leaf, run_hooks(leaf._hooks, grad) if leaf._hooks else grad, owners)
        return None
    finally:
        grad_state.enabled = previous_mode
        engine_state.depth -= 1


def _count_dependencies(start: list[Node]) -> dict[Node, int]:
    """In-degree of every node reachable from `start`, found with an explicit stack."""
    pending: dict[Node, int] = {}
    stack = []
    for node in start:
        if node not in pending:
            pending[node] = 0
            stack.append(node)
    while stack:
        node = stack.pop()
        for edge in node.next_edges:
            if isinstance(edge, Node):
                if edge in pending:
                    pending[edge] += 1
                else:
                    pending[edge] = 1
                    stack.append(edge)
    return pending


def _leading_to(pending: dict[Node, int], targets) -> set[Node]:
    """The nodes that must run for `grad`: those with an edge to a target or to such a node.
    A target's own node need not run (its gradient is captured on arrival).

    Visits the nodes in reverse topological order (Kahn's order on a copy of the counts), so
    each node is decided after everything it leads to."""
    remaining = dict(pending)
    order = [node for node, count in remaining.items() if count == 0]
    for node in order:
        for edge in node.next_edges:
            if isinstance(edge, Node):
                remaining[edge] -= 1
                if remaining[edge] == 0:
                    order.append(edge)
    needed: set[Node] = set()
    for node in reversed(order):
        if any(edge in needed or edge in targets for edge in node.next_edges if edge is not None):
            needed.add(node)
    return needed


def _check_gradient(node: Node, index: int, edge, grad: Tensor) -> None:
    """A gradient must match its input in shape and dtype (catches broadcasting and dtype bugs)."""
    if isinstance(edge, Node):
        shape, dtype = edge.out_shape, edge.out_dtype
    else:
        shape, dtype = edge._array.shape, edge._array.dtype
    if grad._array.shape != shape or grad._array.dtype != dtype:
        raise RuntimeError(
            f"{node.name()} returned a gradient of shape {grad._array.shape} and dtype {grad._array.dtype} "
            f"for input {index}, which has shape {shape} and dtype {dtype}"
        )


def hooks_of(tensor: Tensor) -> dict:
    """The hooks run on this tensor's gradient: a leaf keeps them itself, a non-leaf's are
    on the node that made it (whose output it is)."""
    owner = tensor.grad_fn
    if owner is None:
        if tensor._hooks is None:
            tensor._hooks = {}
        return tensor._hooks
    if owner.tensor_hooks is None:
        owner.tensor_hooks = {}
    return owner.tensor_hooks


def run_hooks(hooks: dict, grad: Tensor) -> Tensor:
    """Each hook in registration order; one that returns a tensor replaces the gradient."""
    for hook in list(hooks.values()):
        result = hook(grad)
        if result is not None:
            if result._array.shape != grad._array.shape or result.dtype != grad.dtype:
                raise RuntimeError(
                    f"a hook returned a gradient of shape {result._array.shape} and dtype {result.dtype}; "
                    f"expected shape {grad._array.shape} and dtype {grad.dtype}"
                )
            grad = result
    return grad


def _leaf_hooked(key, grad: Tensor) -> Tensor:
    hooks = key._hooks if not isinstance(key, Node) else None
    return run_hooks(hooks, grad) if hooks else grad


def _accumulate_leaf(leaf: Tensor, grad: Tensor, owners: set[int]) -> None:
    """`.grad += grad`, out of place, under a lock (threads may share leaves). Each `.grad`
    owns its array, as in PyTorch: a gradient whose memory another `.grad` of this pass
    already uses (Add hands the same array to both inputs), or that is a read-only
    broadcast, is copied; `owners` tracks the memory used."""
    array = grad._array
    owner = id(array if array.base is None else array.base)
    with _accumulation_lock:
        if leaf.grad is not None:
            leaf.grad = leaf.grad + grad
            return
        if owner in owners or not array.flags.writeable:
            grad = grad._make(array.copy(), grad.grad_fn)
        else:
            owners.add(owner)
        leaf.grad = grad


def _accumulate_retained(node: Node, grad: Tensor, owners: set[int]) -> None:
    tensor = node.retained()
    if tensor is not None:
        _accumulate_leaf(tensor, grad, owners)
