"""Custom autograd functions, PyTorch's way: `class F(tg.autograd.Function)` with static
`forward(ctx, *args)` and `backward(ctx, *grad_outputs)`, called as `F.apply(*args)`.

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):            # Tensors in, run with grad recording off
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):        # one gradient (or None) per forward argument
            (y,) = ctx.saved_tensors
            return grad * y

The ctx is the graph node itself, as in PyTorch (`out.grad_fn` is the ctx, an instance of the
class `ExpBackward` made for `Exp`): a `Node` whose `next_edges` lead to the tensor arguments'
nodes, so the engine runs the user's backward like any primitive's. With `create_graph=True`
that backward runs with grad mode on, so if it is written in differentiable Tensor ops the
gradient has a graph of its own (double backward); `once_differentiable` declares that it is not.

Saved tensors keep the version they had at the end of forward, and backward (or reading
`saved_tensors`) raises PyTorch's error if one was changed in place since. A saved output is
handed back with its history, so backward's formula can be differentiated again through it.

The engine's nodes have one output each. A function with one differentiable output is one
node; with several, each output gets a `FunctionOutput` node that stores the output's complete
gradient on the function's node and passes an empty token on (the node's own output), so the
function's backward runs once, with every output's gradient (zeros for an output the roots do
not depend on, or None after `ctx.set_materialize_grads(False)`). Unlike PyTorch, the outputs'
`grad_fn` are then those per-output nodes (their `next_functions` lead to the function's node).
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from .anomaly import anomaly_state, creation_stack
from .grad_mode import grad_state, no_grad
from .node import FREED_GRAPH_MESSAGE, Node, refresh_if_stale, share_base
from .version import modified_error

if TYPE_CHECKING:
    from ..tensor import Tensor

_TOKEN = np.empty(0)
_TOKEN.flags.writeable = False

LEGACY_MESSAGE = (
    "Legacy autograd function with non-static forward method is deprecated. Please use new-style autograd "
    "function with static forward method. (Example: https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
)
ONCE_DIFFERENTIABLE_MESSAGE = "trying to differentiate twice a function that was marked with @once_differentiable"


class FunctionCtx:
    """What forward (or setup_context) leaves for backward; any other attribute may be set too."""

    to_save: tuple = ()
    dirty_tensors: tuple = ()
    non_differentiable: tuple = ()
    materialize_grads = True

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward (read them there as `ctx.saved_tensors`): inputs, outputs or
        intermediates. Checked for in-place changes before they are handed back."""
        tensor_class = Node.tensor_class
        for index, tensor in enumerate(tensors):
            if tensor is not None and not isinstance(tensor, tensor_class):
                raise TypeError(f"save_for_backward can only save variables, but argument {index} is of type "
                                f"{type(tensor).__name__}")
        self.to_save = tensors

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declare inputs that forward changed in place (they must be returned as outputs)."""
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare outputs that have no gradient (indices, masks): they do not require grad, and
        backward gets zeros (or None) for them."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether backward gets zeros (True, the default) or None for outputs that got no gradient."""
        self.materialize_grads = bool(value)


class BackwardFunction(Node, FunctionCtx):
    """The node (and ctx) of one call of a custom Function; one subclass per Function,
    `<Name>Backward`, made when the Function class is defined."""

    _forward_cls: type[Function]
    _backward: Callable  # the Function's backward (or vjp)
    _saved: list | None = None  # per saved tensor: the tensor, None, or for an output (array, counter, grad_fn)
    _single: int | None = None  # the index of the one differentiable output, if there is one

    def name(self) -> str:
        """PyTorch's name: the Function's name plus `Backward`, e.g. "ExpBackward"."""
        return type(self).__name__

    @property
    def saved_tensors(self) -> tuple:
        """What forward saved with `save_for_backward` (outputs with their history)."""
        if self.released:
            raise RuntimeError(FREED_GRAPH_MESSAGE)
        if self._saved is None:
            return tuple(self.to_save)
        for counter, version, value in self.saved_versions:
            if counter.value != version:
                raise modified_error(self, counter, version, value)
        return tuple(self._output_tensor(*entry) if type(entry) is tuple else entry for entry in self._saved)

    @property
    def saved_variables(self) -> tuple:
        """The pre-0.4 name of `saved_tensors`, still found in old scripts."""
        warnings.warn("'saved_variables' is deprecated; use 'saved_tensors'", DeprecationWarning, stacklevel=2)
        return self.saved_tensors

    def _output_tensor(self, array: np.ndarray, counter, grad_fn: Node | None) -> Tensor:
        """A saved output as a graph tensor, made on demand: the node does not hold a tensor whose
        grad_fn is itself (None stands for this node)."""
        tensor = self.tensor_class._make(array, self if grad_fn is None else grad_fn)
        tensor._version_counter = counter
        return tensor

    def backward(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        if self._single is not None:
            grads: list = [None] * len(self._output_specs)
            grads[self._single] = grad
        else:
            grads, self.grads = self.grads, [None] * len(self.grads)
        if self.materialize_grads:
            for index, spec in enumerate(self._output_specs):
                if spec is not None and grads[index] is None:
                    grads[index] = self.constant(np.zeros(*spec))
        return self._checked(self._backward(self, *grads))

    def _checked(self, result: Any) -> tuple[Tensor | None, ...]:
        """One gradient per forward argument, checked as PyTorch checks them: a gradient of an
        input's dtype and shape (or of a shape that sums to it), None for a non-tensor argument."""
        if not isinstance(result, tuple):
            result = (result,)
        count = len(self._input_specs)
        if len(result) != count:
            if len(result) < count or any(g is not None for g in result[count:]):
                raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected "
                                   f"{count}, got {len(result)})")
            result = result[:count]
        grads = []
        for position, (grad, spec) in enumerate(zip(result, self._input_specs)):
            if spec is None:
                if grad is not None:
                    raise RuntimeError(f"function {self.name()} returned a gradient different than None at position "
                                       f"{position + 1}, but the corresponding forward input was not a Variable")
                continue
            shape, dtype, needed = spec
            if grad is None or not needed:
                grads.append(None)
                continue
            if not isinstance(grad, self.tensor_class):
                raise TypeError(f"function {self.name()} returned a {type(grad).__name__} as the gradient of input "
                                f"{position}; expected a Tensor or None")
            if grad._array.shape != shape:
                grad = self._summed_to(grad, shape, position)
            if grad._array.dtype != dtype:
                grad = grad.astype(dtype)
            grads.append(grad)
        return tuple(grads)

    def _summed_to(self, grad: Tensor, shape: tuple[int, ...], position: int) -> Tensor:
        """A gradient of a broadcast shape, summed to the input's shape (as PyTorch accepts it)."""
        lead = grad.ndim - len(shape)
        if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, grad.shape[lead:])):
            raise RuntimeError(f"Function {self.name()} returned an invalid gradient at index {position} - got "
                               f"{list(grad.shape)} but expected shape compatible with {list(shape)}")
        axes = tuple(range(lead)) + tuple(lead + d for d, n in enumerate(shape) if n == 1 and grad.shape[lead + d] != 1)
        return grad.sum(axes, keepdim=True).reshape(shape)

    def release(self) -> None:
        """Drop the saved tensors after backward (a node that saved none stays usable)."""
        if self._saved:
            self._saved = None
            self.saved_versions = ()
            self.released = True


class FunctionOutput(Node):
    """One output of a custom Function with several differentiable outputs: in backward it
    stores the output's complete gradient on the Function's node and sends it an empty token."""

    index: int

    def name(self) -> str:
        """The Function's node's name, which is what PyTorch shows as every output's grad_fn."""
        return self.next_edges[0].name()

    def backward(self, grad: Tensor) -> Tensor:
        self.next_edges[0].grads[self.index] = grad
        return self.constant(_TOKEN)


class Function:
    """Base class of custom autograd functions; subclass it with static `forward` and
    `backward` (or `forward` without ctx plus `setup_context(ctx, inputs, output)`) and call
    `apply`. Never instantiated."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        backward, vjp = cls.backward, cls.vjp
        if backward is not Function.backward and vjp is not Function.vjp:
            raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom autograd.Function is not allowed. "
                               "You should only implement one of them.")
        cls._backward_cls = type(cls.__name__ + "Backward", (BackwardFunction,), {
            "_forward_cls": cls, "_backward": staticmethod(backward if vjp is Function.vjp else vjp),
            "__module__": cls.__module__, "__qualname__": cls.__qualname__ + "Backward"})

    def __init__(self, *args, **kwargs) -> None:
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions are all static, so you "
                      "should invoke them on the class itself.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(LEGACY_MESSAGE)

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        """The computation, on Tensors (and any other arguments); grad mode is off inside."""
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> None:
        """Optional: save for backward here, from forward's inputs and output, instead of in forward."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """The gradients of the forward arguments, given those of the outputs."""
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @staticmethod
    def vjp(ctx: Any, *grad_outputs: Any) -> Any:
        """Another name for backward (define one of the two)."""
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward on the arguments and, if grad mode is on and a tensor argument requires
        grad, record one node for backward."""
        tensor_class = Node.tensor_class
        ctx = cls._backward_cls()
        setup = cls.setup_context is not Function.setup_context
        if setup and kwargs:
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        tensors = [a for a in args if isinstance(a, tensor_class)]
        recording = grad_state.enabled and any(t._requires_grad for t in tensors)
        if recording:
            for t in tensors:
                if t._base is not None:
                    refresh_if_stale(t)
            for key, value in kwargs.items():
                if isinstance(value, tensor_class) and value._requires_grad:
                    raise RuntimeError(f"{cls.__name__}.apply: the keyword argument {key!r} requires grad, and "
                                       "keyword arguments get no gradient; pass it positionally")
        ctx.needs_input_grad = tuple(bool(recording and isinstance(a, tensor_class) and a._requires_grad)
                                     for a in args)
        edges = tuple([t.grad_fn or (t if t._requires_grad else None) for t in tensors]) if recording else ()
        specs = [(a._array.shape, a._array.dtype, a._requires_grad) if isinstance(a, tensor_class) else None
                 for a in args]
        with no_grad():
            if setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        outputs = output if isinstance(output, tuple) else (output,)
        results = _outputs(ctx, outputs, tensors, recording)
        if recording and any(r is not None and r._requires_grad for r in results):
            ctx.next_edges, ctx._input_specs = edges, specs
            _record_saved(ctx, outputs, results)
            if anomaly_state.enabled:
                ctx.created_at = creation_stack()
        results = tuple(out if result is None else result for out, result in zip(outputs, results))
        return results if isinstance(output, tuple) else results[0]


def _outputs(ctx: BackwardFunction, outputs: tuple, inputs: list, recording: bool) -> list:
    """The tensors `apply` returns (None where forward returned a non-tensor): an input marked
    dirty is returned itself, with the new history; any other output is a new tensor on the
    same array (with its version counter; a view of an input stays one), so that forward's own
    tensor objects, which may be inputs or the user's, are never given this node."""
    tensor_class = Node.tensor_class
    dirty = {id(t) for t in ctx.__dict__.pop("dirty_tensors", ())}
    if dirty - {id(out) for out in outputs}:
        raise RuntimeError("Some elements marked as dirty during the forward method were not returned as output. "
                           "The inputs that are modified inplace must all be outputs of the Function.")
    non_differentiable = {id(t) for t in ctx.__dict__.pop("non_differentiable", ())}
    differentiable = [k for k, out in enumerate(outputs) if recording and isinstance(out, tensor_class)
                      and id(out) not in non_differentiable and dtypes.is_floating(out._array.dtype)]
    ctx._output_specs = [(out._array.shape, out._array.dtype) if isinstance(out, tensor_class) else None
                         for out in outputs]
    if len(differentiable) == 1:
        ctx._single = differentiable[0]
        ctx.out_shape, ctx.out_dtype = outputs[ctx._single]._array.shape, outputs[ctx._single]._array.dtype
    elif differentiable:
        ctx.grads = [None] * len(outputs)
        ctx.out_shape, ctx.out_dtype = _TOKEN.shape, _TOKEN.dtype
    results: list = []
    for k, out in enumerate(outputs):
        if not isinstance(out, tensor_class):
            results.append(None)
            continue
        node = (ctx if ctx._single == k else _output_node(ctx, k, out)) if k in differentiable else None
        if id(out) in dirty:
            result = _dirty(out, node, recording)
        else:
            result = tensor_class._make(out._array, node)
            if out._base is not None or any(out is t for t in inputs):
                share_base(result, out)
            else:
                result._version_counter = out._version_counter
        results.append(result)
    return results


def _output_node(ctx: BackwardFunction, index: int, out: Tensor) -> FunctionOutput:
    node = FunctionOutput()
    node.index, node.next_edges, node.needs_input_grad = index, (ctx,), (True,)
    node.out_shape, node.out_dtype = out._array.shape, out._array.dtype
    return node


def _dirty(tensor: Tensor, node: Node | None, recording: bool) -> Tensor:
    """An input that forward changed in place takes the new history, and a new version."""
    if recording:
        from ..inplace import LEAF_MESSAGE

        if tensor.grad_fn is None and tensor._requires_grad:
            raise RuntimeError(LEAF_MESSAGE)
        if tensor._base is not None:
            raise NotImplementedError("mark_dirty on a view is not supported; clone() the tensor before passing it")
        tensor.grad_fn, tensor._requires_grad = node, node is not None
    tensor._version_counter.value += 1
    return tensor


def _record_saved(ctx: BackwardFunction, outputs: tuple, results: list) -> None:
    """What `saved_tensors` will give back, with the version of each saved tensor now. A saved
    output is kept as its array and history, to come back as the output with its grad_fn."""
    returned = {id(out): result for out, result in zip(outputs, results) if result is not None}
    saved, versions = [], []
    for tensor in ctx.__dict__.pop("to_save", ()):
        if tensor is None:
            saved.append(None)
            continue
        result = returned.get(id(tensor))
        if result is None:
            saved.append(tensor)
            versions.append((tensor._version_counter, tensor._version_counter.value, tensor))
        else:
            counter = result._version_counter
            saved.append((result._array, counter, None if result.grad_fn is ctx else result.grad_fn))
            versions.append((counter, counter.value, result._array))
    ctx._saved, ctx.saved_versions = saved, versions


class _OnceDifferentiated(Node):
    """Stands for a gradient computed by a `once_differentiable` backward: differentiating it raises."""

    def backward(self, grad: Tensor):
        raise RuntimeError(ONCE_DIFFERENTIABLE_MESSAGE)


def once_differentiable(backward: Callable) -> Callable:
    """Decorate a custom Function's backward that is not itself differentiable (it may leave
    Tensor ops, e.g. for NumPy): it runs with grad mode off, and differentiating its result
    (create_graph=True) raises instead of giving a wrong second derivative."""

    @functools.wraps(backward)
    def wrapper(ctx: Any, *grad_outputs: Any) -> Any:
        with no_grad():
            result = backward(ctx, *grad_outputs)
        tensor_class = Node.tensor_class
        edges = tuple(g.grad_fn or g for g in grad_outputs if isinstance(g, tensor_class) and g._requires_grad)
        if not grad_state.enabled or not edges:
            return result
        many = isinstance(result, tuple)
        wrapped = tuple(_delayed_error(g, edges) if isinstance(g, tensor_class) else g
                        for g in (result if many else (result,)))
        return wrapped if many else wrapped[0]

    return wrapper


def _delayed_error(grad: Tensor, edges: tuple) -> Tensor:
    node = _OnceDifferentiated()
    node.next_edges, node.needs_input_grad = edges, (True,) * len(edges)
    node.out_shape, node.out_dtype = grad._array.shape, grad._array.dtype
    return grad._make(grad._array, node)
