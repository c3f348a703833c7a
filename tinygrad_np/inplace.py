"""In-place ops: how `t.add_(x)`, `t[key] = v` and `t -= x` change a tensor's own array and
keep gradients correct.

An in-place op writes its result into the tensor's array, so views and aliases see the change,
and bumps the version counter that the array's views share (a node that saved the old value
then refuses to backward). What else happens depends on the graph:

- Nothing to record (grad mode off, or neither the tensor nor an operand is in a graph): the
  write alone, in NumPy, in place.
- The tensor is in the graph (a non-leaf, or an operand requires grad): the result is computed
  out of place from a copy of the old value, so ops whose gradient needs it (`mul_`, `pow_`)
  keep it, and the tensor's history is rebased: its grad_fn becomes the result's node.
- The tensor is a view: the base it was taken from is rebased too, by an `IndexPut` of the new
  values at the view's positions (PyTorch's CopySlices), and the view's grad_fn is derived
  again from the new base. Other views of that base are derived again when next used
  (`refresh_view`).

A leaf that requires grad, or a view of one, cannot change in place while grad mode is on
(PyTorch's error): its gradient would be taken at a value it no longer has. Under `no_grad`
it can; that is how optimizers and `nn.init` update parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .autograd import node as autograd_node
from .autograd.grad_mode import grad_state
from .ops.movement import Index, IndexPut, Reshape

if TYPE_CHECKING:
    from .tensor import Tensor

LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_MESSAGE = "a view of a leaf Variable that requires grad is being used in an in-place operation."


def modify(target: Tensor, name: str, compute: Callable[[Tensor], Tensor], operands: tuple = (),
           write: Callable[[np.ndarray], None] | None = None) -> Tensor:
    """Make `target` hold `compute(target)` in place and return it.

    `compute` is the out-of-place op; `write`, when given, does the same directly on the array
    (used when nothing is recorded, e.g. an item assignment that touches a few elements).
    """
    base = target._base
    if base is not None and grad_state.enabled:
        autograd_node.refresh_if_stale(target)
        base = target._base
    if not _records(target, base, operands):
        if write is not None:
            _checked_write(target, name, write)
        else:
            _store(target, name, compute(target))
        target._version_counter.value += 1
        return target
    if target.grad_fn is None and target._requires_grad:
        raise RuntimeError(LEAF_MESSAGE)
    if base is not None and base.grad_fn is None and base._requires_grad:
        raise RuntimeError(VIEW_OF_LEAF_MESSAGE)
    result = compute(_snapshot(target))
    if base is not None and np.may_share_memory(target._array, base._array):
        _rebase_view(target, base, name, result)
    else:
        _store(target, name, result)
        target._version_counter.value += 1
        _take_history(target, result)
    return target


def _records(target: Tensor, base: Tensor | None, operands: tuple) -> bool:
    """Whether the op must be recorded in the graph."""
    if not grad_state.enabled:
        return False
    if target._requires_grad or (base is not None and base._requires_grad):
        return True
    return any(getattr(operand, "_requires_grad", False) for operand in operands)


def _snapshot(tensor: Tensor) -> Tensor:
    """The tensor's current value and history, in an array of its own."""
    copy = tensor._make(tensor._array.copy(), tensor.grad_fn)
    copy._requires_grad = tensor._requires_grad
    return copy


def _store(target: Tensor, name: str, result: Tensor) -> None:
    """Copy the result into the target's array, with PyTorch's checks on shape and dtype."""
    array = result._array
    if array.shape != target._array.shape:
        raise RuntimeError(f"{name}: output with shape {list(target.shape)} doesn't match the broadcast shape "
                           f"{list(array.shape)}")
    if not np.can_cast(array.dtype, target._array.dtype, "same_kind"):
        raise RuntimeError(f"{name}: result type {array.dtype} can't be cast to the desired output type "
                           f"{target._array.dtype}")
    _checked_write(target, name, lambda out: np.copyto(out, array, casting="same_kind"))


def _checked_write(target: Tensor, name: str, write: Callable[[np.ndarray], None]) -> None:
    _check_writeable(target, name)
    write(target._array)


def _check_writeable(target: Tensor, name: str) -> None:
    if not target._array.flags.writeable:
        raise RuntimeError(
            f"{name}: unsupported operation: more than one element of the written-to tensor refers to a single "
            "memory location (an expanded or unfolded view, or a read-only array). Please clone() the tensor "
            "before performing the operation."
        )


def _take_history(target: Tensor, result: Tensor) -> None:
    """The target now holds the result: it takes over the result's node, and a node that
    saved its output reads the target's array, at the target's new version."""
    node = result.grad_fn
    if result._array.dtype != target._array.dtype and node is not None:
        result = result.astype(target._array.dtype)
        node = result.grad_fn
    old = target.grad_fn
    target.grad_fn = node
    target._requires_grad = result._requires_grad
    if node is None:
        return
    if "out" in node.__dict__:
        node.out = target._array
        counter = target._version_counter
        node.saved_versions[-1] = (counter, counter.value, target._array)
    _move_retained(target, old, node)


def _move_retained(tensor: Tensor, old, new) -> None:
    """`retain_grad()` follows the tensor to its new node (as in PyTorch): `.grad` receives the
    gradient of the new value, and no longer that of the value the in-place op overwrote."""
    if old is not None and old.retained is not None and old.retained() is tensor:
        new.retained, old.retained = old.retained, None


def _rebase_view(view: Tensor, base: Tensor, name: str, result: Tensor) -> None:
    """Write the view's new values into its base through the graph (IndexPut at the view's
    positions), then derive the view's history from the base's new one."""
    if result._array.shape != view._array.shape:
        _store(view, name, result)  # raises the shape error
    if result._array.dtype != view._array.dtype:
        result = result.astype(view._array.dtype)
    positions = (view_positions(view._array, base._array),)
    flat = Reshape.apply(_snapshot(base), shape=(base._array.size,))
    new_base = Reshape.apply(IndexPut.apply(flat, result, key=positions, basic=False), shape=base._array.shape)
    _check_writeable(view, name)
    np.copyto(base._array, new_base._array)
    base._version_counter.value += 1
    old_base = base.grad_fn
    base.grad_fn, base._requires_grad = new_base.grad_fn, True
    _move_retained(base, old_base, base.grad_fn)
    _derive_view_history(view, positions)


def _derive_view_history(view: Tensor, positions: tuple) -> None:
    """The view's node taken again from its base's current history: a gather of the view's
    positions (the values are the view's own array; only the node is new)."""
    base, old = view._base, view.grad_fn
    current = base._make(base._array, base.grad_fn)
    current._requires_grad = base._requires_grad
    again = Index.apply(Reshape.apply(current, shape=(base._array.size,)), key=positions, basic=False)
    view.grad_fn, view._requires_grad, view._base_history = again.grad_fn, again._requires_grad, base.grad_fn
    if old is not None and again.grad_fn is not None:
        _move_retained(view, old, view.grad_fn)


def refresh_view(view: Tensor) -> None:
    """A view whose base was rebased since it was made (an in-place op on the base or on
    another view of it) changed with the base: its history is derived again, as PyTorch
    regenerates a view's grad_fn."""
    if np.may_share_memory(view._array, view._base._array):
        _derive_view_history(view, (view_positions(view._array, view._base._array),))
    else:  # the base's array was replaced (`base.data = ...`): the view is on its own now
        view._base = None


autograd_node.refresh_view = refresh_view


def view_positions(view: np.ndarray, base: np.ndarray) -> np.ndarray:
    """For each element of `view` (an array whose memory lies in `base`'s), its flat C-order
    index in `base`: found from the byte offsets, dim by dim in order of decreasing stride."""
    if any(stride <= 0 for stride, n in zip(base.strides, base.shape) if n > 1):
        raise NotImplementedError("in-place on a view of a tensor whose array has zero or negative strides")
    offsets = np.asarray(view.__array_interface__["data"][0] - base.__array_interface__["data"][0], dtype=np.int64)
    for dim, (n, stride) in enumerate(zip(view.shape, view.strides)):
        shape = [1] * view.ndim
        shape[dim] = n
        offsets = offsets + np.arange(n, dtype=np.int64).reshape(shape) * stride
    offsets = np.broadcast_to(offsets, view.shape)
    index = np.zeros(view.shape, dtype=np.int64)
    for dim in sorted(range(base.ndim), key=lambda d: -base.strides[d]):
        coordinate, offsets = np.divmod(offsets, base.strides[dim]) if base.shape[dim] > 1 else (0, offsets)
        index = index + coordinate * int(np.prod(base.shape[dim + 1:], dtype=np.int64))
    return index
