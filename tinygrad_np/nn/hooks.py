"""Module hooks, as PyTorch's: forward pre-hooks, forward hooks, full backward pre-hooks and full
backward hooks (registered with the `Module.register_*_hook` methods).

A module keeps all its hooks in one dict, `_hooks` ({handle id: ModuleHook}, in call order), so
`Module.__call__` tests one dict for truthiness and, with no hook, calls `forward` and nothing
else. With a hook it comes here, to `call_with_hooks`: forward pre-hooks, `forward`, forward
hooks; backward hooks are prepared around `forward` when grad mode is on.

How a backward hook sees all of a module's gradients at once. The engine's nodes have one output
each, so the module's inputs that require grad are passed through a small graph:

    x1, x2  ->  ModuleInputs (one node, edges to x1 and x2; its output is an empty token)
            ->  BackwardHookFunction per input (the token in, a view of x1 or x2 out)  ->  forward

In backward each BackwardHookFunction gets the complete gradient of its input, stores it on the
ModuleInputs node and sends an empty gradient on to the token. ModuleInputs runs once all of
those have run (the engine's dependency counts see to that), calls the hooks with the tuple of
input gradients and hands the gradients they return to x1 and x2. The module's outputs go through
the same construction, ModuleOutputs, where the backward pre-hooks run. So the hooks run once per
module call and in the order gradients flow: a module's pre-hooks when the gradients of its
outputs are complete, its hooks when those of its inputs are.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..autograd.grad_mode import grad_state
from ..autograd.node import Node, share_base
from ..tensor import Tensor

if TYPE_CHECKING:
    from .module import Module

FORWARD_PRE, FORWARD, BACKWARD_PRE, BACKWARD = "forward_pre", "forward", "backward_pre", "backward"

_TOKEN = np.empty(0)
_TOKEN.flags.writeable = False


class ModuleHook(NamedTuple):
    """One registered hook: its kind (FORWARD_PRE, FORWARD, BACKWARD_PRE or BACKWARD), the
    function, and the options of the forward kinds."""

    kind: str
    fn: Callable
    with_kwargs: bool = False
    always_call: bool = False


def call_with_hooks(module: Module, args: tuple, kwargs: dict) -> Any:
    """`module(*args, **kwargs)` with its hooks, in PyTorch's order. If anything raises, the
    forward hooks registered with `always_call` that have not run yet are called with the output
    so far (None if forward raised) before the error propagates."""
    hooks = list(module._hooks.values())  # a hook may remove itself (or others) while running
    called: set[int] = set()  # the forward hooks that ran
    output = None
    try:
        for hook in hooks:
            if hook.kind == FORWARD_PRE:
                args, kwargs = _run_forward_pre_hook(module, hook, args, kwargs)
        backward_hooks = None
        if grad_state.enabled and any(hook.kind in (BACKWARD_PRE, BACKWARD) for hook in hooks):
            backward_hooks = BackwardHooks(module, hooks, len(args))
            args = backward_hooks.wrap_inputs(args)
        output = module.forward(*args, **kwargs)
        if backward_hooks is not None:
            backward_hooks.check_inputs_not_modified(args)
        for index, hook in enumerate(hooks):
            if hook.kind == FORWARD:
                called.add(index)
                result = _run_forward_hook(module, hook, args, kwargs, output)
                if result is not None:
                    output = result
        if backward_hooks is not None:
            output = backward_hooks.wrap_outputs(output)
    except Exception:
        for index, hook in enumerate(hooks):
            if hook.kind == FORWARD and hook.always_call and index not in called:
                try:
                    _run_forward_hook(module, hook, args, kwargs, output)
                except Exception as error:
                    warnings.warn("forward hook with ``always_call=True`` raised an exception that was silenced as "
                                  f"another error was raised in forward: {error}", stacklevel=3)
        raise
    return output


def _run_forward_hook(module: Module, hook: ModuleHook, args: tuple, kwargs: dict, output: Any) -> Any:
    return hook.fn(module, args, kwargs, output) if hook.with_kwargs else hook.fn(module, args, output)


def _run_forward_pre_hook(module: Module, hook: ModuleHook, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    if hook.with_kwargs:
        result = hook.fn(module, args, kwargs)
        if result is None:
            return args, kwargs
        if not (isinstance(result, tuple) and len(result) == 2):
            raise RuntimeError(f"forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                               f"but got {result}.")
        return result
    result = hook.fn(module, args)
    if result is None:
        return args, kwargs
    return (result if isinstance(result, tuple) else (result,)), kwargs


class BackwardHooks:
    """The backward hooks of one module call, and the gradients they are waiting for. The graph's
    nodes hold it, so it keeps no tensor of the forward pass."""

    def __init__(self, module: Module, hooks: list[ModuleHook], n_inputs: int) -> None:
        self.module = module
        self.pre_hooks = [hook.fn for hook in hooks if hook.kind == BACKWARD_PRE]
        self.hooks = [hook.fn for hook in hooks if hook.kind == BACKWARD]
        self.n_inputs = n_inputs
        self.inputs: _Slots | None = None
        self.outputs: _Slots | None = None
        self.grad_outputs: tuple | None = None
        """Set when the outputs' gradients are complete, for the hooks that run on the inputs'."""

    def wrap_inputs(self, args: tuple) -> tuple:
        """The positional inputs, those that require grad passed through ModuleInputs."""
        args, self.inputs = _wrap(self, args, ModuleInputs)
        return args

    def check_inputs_not_modified(self, args: tuple) -> None:
        """An input changed in place by forward has a new history that bypasses ModuleInputs (and
        the caller's tensor now depends on it), so the hooks would get wrong gradients: PyTorch's error."""
        for position in self.inputs.positions if self.inputs is not None else ():
            if type(args[position].grad_fn) is not BackwardHookFunction:
                raise RuntimeError(
                    f"input {position} of {type(self.module).__name__}, a module with backward hooks, was modified "
                    "in place by its forward, which hides its gradient from the hooks; clone the input before "
                    "modifying it."
                )

    def wrap_outputs(self, output: Any) -> Any:
        """The output (a tensor, or a tuple whose tensors are wrapped) passed through ModuleOutputs."""
        values, self.outputs = _wrap(self, output if isinstance(output, tuple) else (output,), ModuleOutputs)
        if self.outputs is None:
            return output
        if not isinstance(output, tuple):
            return values[0]
        return values if type(output) is tuple else type(output)(*values)  # keeps a namedtuple's type

    def outputs_ready(self, grads: list[Tensor | None]) -> tuple[Tensor, ...]:
        """Run the pre-hooks on the outputs' gradients (None for an output that got none), and the
        hooks too if no input requires grad; return the gradients to pass on."""
        outputs = self.outputs
        grad_outputs = outputs.pack(grads)
        for hook in self.pre_hooks:
            result = hook(self.module, grad_outputs)
            if result is not None:
                grad_outputs = outputs.check(result, grad_outputs, "Backward pre hook", "grad_output")
        if self.inputs is None:
            self._run_hooks_without_inputs(grad_outputs)
        else:
            self.grad_outputs = grad_outputs
        return outputs.unpack(grad_outputs)

    def _run_hooks_without_inputs(self, grad_outputs: tuple) -> None:
        if not self.hooks:
            return
        warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                      "since no inputs require gradients.", stacklevel=2)
        grad_inputs = (None,) * self.n_inputs
        for hook in self.hooks:
            result = hook(self.module, grad_inputs, grad_outputs)
            if result is not None and any(grad is not None for grad in result):
                raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                   "return None or None for all gradients.")

    def inputs_ready(self, grads: list[Tensor | None]) -> tuple[Tensor, ...]:
        """Run the hooks on the inputs' gradients (zeros for an input that got none, as PyTorch);
        return the gradients to pass on to the inputs."""
        inputs = self.inputs
        grad_inputs = inputs.pack(grads, zeros=True)
        if self.grad_outputs is not None:  # None: the outputs' gradients were not computed
            for hook in self.hooks:
                result = hook(self.module, grad_inputs, self.grad_outputs)
                if result is not None:
                    grad_inputs = inputs.check(result, grad_inputs, "Backward hook", "grad_input")
            self.grad_outputs = None
        return inputs.unpack(grad_inputs)


def _wrap(call: BackwardHooks, values: tuple, meet: type[_Meet]) -> tuple[tuple, _Slots | None]:
    """Pass the tensors of `values` that require grad through `meet` and a BackwardHookFunction
    each; return the new values and where the wrapped tensors are (None if there are none)."""
    positions = [i for i, value in enumerate(values) if isinstance(value, Tensor) and value._requires_grad]
    if not positions:
        return values, None
    token = meet.apply(*[values[i] for i in positions], call=call)
    passed = list(values)
    for slot, position in enumerate(positions):
        source = values[position]
        view = BackwardHookFunction.apply(token, source=source._array, slot=slot)
        share_base(view, source)  # a view of the source: its version counter, its base
        passed[position] = view
    return tuple(passed), _Slots(len(values), positions, [(values[i]._array.shape, values[i]._array.dtype)
                                                          for i in positions])


class _Slots:
    """Where, in a call's inputs or outputs, the wrapped tensors are, with their shapes and dtypes."""

    def __init__(self, size: int, positions: list[int], specs: list[tuple[tuple[int, ...], np.dtype]]) -> None:
        self.size, self.positions, self.specs = size, positions, specs

    def pack(self, grads: list[Tensor | None], zeros: bool = False) -> tuple:
        """The gradients of the wrapped tensors at their positions, None elsewhere; with `zeros`,
        a wrapped tensor that got no gradient gets zeros."""
        packed: list[Tensor | None] = [None] * self.size
        for position, grad, (shape, dtype) in zip(self.positions, grads, self.specs):
            packed[position] = Node.constant(np.zeros(shape, dtype)) if grad is None and zeros else grad
        return tuple(packed)

    def unpack(self, packed: tuple) -> tuple[Tensor, ...]:
        """The gradients to hand on, one per wrapped tensor: every edge must get one (zeros for None)."""
        return tuple(Node.constant(np.zeros(shape, dtype)) if packed[position] is None else packed[position]
                     for position, (shape, dtype) in zip(self.positions, self.specs))

    def check(self, result: Any, previous: tuple, who: str, what: str) -> tuple:
        """A hook's returned gradients, checked as PyTorch does: as many as it was given, each of
        its tensor's shape and dtype (entries at positions that are not wrapped are ignored)."""
        if not isinstance(result, (tuple, list)):
            raise TypeError(f"{who} must return None or a tuple of gradients, but got {type(result).__name__}")
        if len(result) != len(previous):
            raise RuntimeError(f"{who} returned an invalid number of {what}, got {len(result)}, "
                               f"but expected {len(previous)}")
        for position, (shape, dtype) in zip(self.positions, self.specs):
            grad = result[position]
            if grad is None:
                continue
            if not isinstance(grad, Tensor):
                raise TypeError(f"{who} returned a {type(grad).__name__} as {what}[{position}]; expected a Tensor "
                                "or None")
            if grad._array.shape != shape or grad._array.dtype != dtype:
                raise RuntimeError(f"{who} returned {what}[{position}] of shape {grad._array.shape} and dtype "
                                   f"{grad._array.dtype}; expected shape {shape} and dtype {dtype}")
        return tuple(result)


class _Meet(Node):
    """Where the gradients of a module call's wrapped tensors meet: its edges lead to those
    tensors, its output is an empty token that each BackwardHookFunction reads."""

    def forward(self, *arrays: np.ndarray, call: BackwardHooks) -> np.ndarray:
        self.call = call
        self.grads: list[Tensor | None] = [None] * len(arrays)
        return _TOKEN

    def take_grads(self) -> list[Tensor | None]:
        """The gradients stored by this pass, leaving the slots empty for the next one."""
        grads, self.grads = self.grads, [None] * len(self.grads)
        return grads


class ModuleInputs(_Meet):
    """Runs a module's backward hooks once its inputs' gradients are complete."""

    def backward(self, grad: Tensor) -> tuple[Tensor, ...]:
        return self.call.inputs_ready(self.take_grads())


class ModuleOutputs(_Meet):
    """Runs a module's backward pre-hooks once its outputs' gradients are complete."""

    def backward(self, grad: Tensor) -> tuple[Tensor, ...]:
        return self.call.outputs_ready(self.take_grads())


class BackwardHookFunction(Node):
    """Passes one wrapped tensor through (a view of its array); in backward, stores the tensor's
    complete gradient on the meeting node and sends it an empty gradient."""

    def forward(self, token: np.ndarray, source: np.ndarray, slot: int) -> np.ndarray:
        self.slot = slot
        return source.view()

    def backward(self, grad: Tensor) -> Tensor:
        self.next_edges[0].grads[self.slot] = grad
        return self.constant(_TOKEN)
