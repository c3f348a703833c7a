"""Module: a callable that owns Parameters, buffers and child Modules, found by assignment.

`self.fc = Linear(...)` stores the child in `_modules`, `self.w = Parameter(...)` in
`_parameters`, `register_buffer` in `_buffers`. Everything else (`parameters()`,
`state_dict()`, `train()`, `zero_grad()`) walks that tree, so a Module never lists its
parameters by hand and an optimizer never reaches into layers by name.

Hooks (`register_forward_pre_hook`, `register_forward_hook`, `register_full_backward_pre_hook`,
`register_full_backward_hook`) live in one dict, `_hooks`; a call with none is `forward` alone
(hooks.py runs the others).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from .. import dtypes
from ..device import as_device, refuse
from ..dtypes import dtype_of_to_args
from ..hooks import RemovableHandle
from ..tensor import Tensor, as_array
from .hooks import BACKWARD, BACKWARD_PRE, FORWARD, FORWARD_PRE, ModuleHook, call_with_hooks
from .parameter import Parameter


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` returns, as PyTorch."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of every layer and model. Subclasses call `super().__init__()` first, assign
    their parameters and children as attributes, and define `forward`."""

    training: bool
    _optional_state: tuple[str, ...] = ()
    """State-dict entries that may be absent when loading (the current value is kept)."""

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_hooks", {})

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        if self._hooks:
            return call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ hooks

    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call `hook(module, args)` before each forward; it may return new positional inputs (a
        tuple, or one value that becomes a 1-tuple) or None. With `with_kwargs`,
        `hook(module, args, kwargs)` returns None or `(args, kwargs)`. Hooks run in registration
        order; `prepend` puts this one first."""
        return RemovableHandle(self._hooks, ModuleHook(FORWARD_PRE, hook, with_kwargs), prepend=prepend)

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Call `hook(module, args, output)` after each forward (`hook(module, args, kwargs, output)`
        with `with_kwargs`); a value it returns replaces the output. With `always_call` it is
        also called when forward (or another hook) raises, before the error propagates."""
        return RemovableHandle(self._hooks, ModuleHook(FORWARD, hook, with_kwargs, always_call), prepend=prepend)

    def register_full_backward_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call `hook(module, grad_output)` when the gradients of this call's outputs are complete
        (a tuple, None for an output without one); it may return a tuple that replaces them."""
        return RemovableHandle(self._hooks, ModuleHook(BACKWARD_PRE, hook), prepend=prepend)

    def register_full_backward_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call `hook(module, grad_input, grad_output)` when the gradients of this call's positional
        inputs are complete (None for an input that is not a tensor requiring grad); it may return
        a tuple that replaces the gradients passed on to the inputs. If no input requires grad, it
        is called when the outputs' gradients are, with grad_input all None."""
        return RemovableHandle(self._hooks, ModuleHook(BACKWARD, hook), prepend=prepend)

    # ------------------------------------------------------------------ registration

    def __setattr__(self, name: str, value: Any) -> None:
        parameters = self.__dict__.get("_parameters")
        if parameters is None and isinstance(value, Parameter | Module):
            raise AttributeError(f"cannot assign {type(value).__name__} '{name}' before Module.__init__() call; "
                                 "call super().__init__() first in your __init__")
        if isinstance(value, Parameter):
            self._register(parameters, name, value)
        elif isinstance(value, Module):
            self._register(self._modules, name, value)
        elif parameters is not None and name in parameters:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(nn.Parameter or None expected)")
            parameters[name] = None
        elif parameters is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(nn.Module or None expected)")
            self._modules[name] = None
        elif parameters is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        for registry in ("_parameters", "_buffers", "_modules"):
            found = self.__dict__.get(registry)
            if found is not None and name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if not self._forget(name):
            object.__delattr__(self, name)

    def _register(self, registry: dict, name: str, value) -> None:
        """Store value under name; a name already in this registry keeps its place in the order."""
        if name not in registry:
            self._forget(name)
        registry[name] = value

    def _forget(self, name: str) -> bool:
        """Remove `name` from every registry and the instance dict; True if it was registered."""
        self.__dict__.pop(name, None)
        self._non_persistent_buffers.discard(name)
        return any([registry.pop(name, _MISSING) is not _MISSING
                    for registry in (self._parameters, self._buffers, self._modules)])

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._parameters, *self._buffers, *self._modules})

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._check_new_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' as parameter '{name}' (nn.Parameter expected)")
        self._register(self._parameters, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor the module keeps and saves (running statistics, say) that is not trained.
        A non-persistent buffer is left out of the state dict."""
        self._check_new_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' as buffer '{name}' (Tensor or None expected)")
        self._register(self._buffers, name, tensor)
        self._non_persistent_buffers.discard(name)
        if not persistent:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        self._check_new_name(name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._register(self._modules, name, module)

    register_module = add_module

    def _check_new_name(self, name: str, kind: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot register a {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f'{kind} name can\'t be empty or contain ".", got {name!r}')
        if hasattr(self, name) and name not in self._parameters and name not in self._buffers \
                and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")

    # ------------------------------------------------------------------ traversal

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """This module and every descendant, depth first, each once (by identity)."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Tensor]]:
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs; a parameter shared by two modules comes once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_submodule(self, target: str) -> Module:
        module = self
        for part in target.split(".") if target else []:
            child = module._modules.get(part)
            if child is None:
                raise AttributeError(f"{type(module).__name__} has no submodule `{part}` (looking up {target!r})")
            module = child
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path such as "0.weight", with PyTorch's AttributeErrors."""
        module, name = self._submodule_and_name(target)
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at a dotted path such as "1.running_mean", with PyTorch's AttributeErrors."""
        module, name = self._submodule_and_name(target)
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return module._buffers[name]

    def _submodule_and_name(self, target: str) -> tuple[Module, str]:
        """The submodule a dotted path's last name belongs to, and that name, which it must have."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        return module, name

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call fn on every child (recursively), then on self, as PyTorch (e.g. custom init)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and gradients

    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active, batch statistics) or, with False, evaluation mode."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for param in self.parameters():
            if param.grad is not None:
                param.grad = None if set_to_none else Tensor._make(np.zeros_like(param.grad._array), None)

    def to(self, *args, device=None, dtype=None, non_blocking: bool = False, memory_format=None) -> Module:
        """`to(device)`, `to(dtype)`, `to(device, dtype)`, `to(tensor)` (its dtype) or keywords, as
        PyTorch: convert floating parameters and buffers in place (the same Parameter objects, so
        an optimizer made earlier still holds them). The CPU is the only device: `to("cpu")`
        changes nothing, any other device raises. non_blocking and memory_format are accepted and
        change nothing (copies are synchronous; there is one memory layout)."""
        as_device(device)
        args = tuple(arg.dtype if isinstance(arg, Tensor) else arg for arg in args if not isinstance(arg, bool))
        dtype = dtype_of_to_args(args, dtype)
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if not dtypes.is_floating(dtype):
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
        for tensor in [*self.parameters(), *self.buffers()]:
            if dtypes.is_floating(tensor._array.dtype):
                tensor._array = tensor._array.astype(dtype)
                if tensor.grad is not None:
                    tensor.grad = Tensor._make(tensor.grad._array.astype(dtype), None)
        return self

    def cpu(self) -> Module:
        """Everything already lives on the CPU: returns self."""
        return self

    def cuda(self, device=None) -> Module:
        """There is no CUDA device here: raises NoDeviceError (a RuntimeError)."""
        raise refuse("cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else str(device))

    def float(self) -> Module:
        return self.to(dtypes.float32)

    def double(self) -> Module:
        return self.to(dtypes.float64)

    def half(self) -> Module:
        return self.to(dtypes.float16)

    # ------------------------------------------------------------------ state dicts

    def state_dict(self, *, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, in PyTorch's order: a module's
        own parameters, then its buffers, then each child's. Values are detached Tensors sharing
        memory with the module (or the Parameters themselves with `keep_vars`)."""
        if destination is None:
            destination = {}
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = buffer if keep_vars else buffer.detach()
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(destination=destination, prefix=f"{prefix}{name}.", keep_vars=keep_vars)
        return destination

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values into the existing parameters and buffers, keeping their dtypes.

        Values may be Tensors, NumPy arrays or numbers (a PyTorch state dict exported with
        `{k: v.numpy() for k, v in sd.items()}` loads unchanged). Every problem is found before
        anything is copied: missing and unexpected keys (raised if `strict`, else returned) and
        wrong shapes or non-numeric values (always raised); the error lists each offending key.
        """
        targets = self.state_dict(keep_vars=True)
        optional = {f"{prefix}.{name}" if prefix else name
                    for prefix, module in self.named_modules() for name in module._optional_state}
        missing = [key for key in targets if key not in state_dict and key not in optional]
        unexpected = [key for key in state_dict if key not in targets]
        errors = []
        if strict:
            if missing:
                errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
            if unexpected:
                errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ".")
        copies = []
        for key, target in targets.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = as_array(value)
            if array.dtype.kind not in "biuf":
                errors.append(f"value for {key} has dtype {array.dtype}, not a number type.")
            elif array.shape != target._array.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape {array.shape} from checkpoint, "
                              f"the shape in current model is {target._array.shape}.")
            else:
                copies.append((target, array))
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        for target, array in copies:
            np.copyto(target._array, array, casting="unsafe")
            target._bump_version()
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ printing

    def summary(self, input_shape, *, dtype=None, depth: int | None = None):
        """A table of this model's layers, output shapes and parameter counts for one forward pass
        on zeros of `input_shape` (batch included), as Keras' summary(); see nn.summary.summary."""
        from .summary import summary  # summary.py imports this module

        return summary(self, input_shape, dtype=dtype, depth=depth)


    def extra_repr(self) -> str:
        """The text inside this module's parentheses; layers override it."""
        return ""

    def _child_lines(self) -> list[str]:
        return [f"({name}): " + repr(child).replace("\n", "\n  ") for name, child in self._modules.items()]

    def __repr__(self) -> str:
        extra = self.extra_repr().split("\n") if self.extra_repr() else []
        children = self._child_lines()
        lines = extra + children
        if not lines:
            return f"{type(self).__name__}()"
        if len(extra) == 1 and not children:
            return f"{type(self).__name__}({extra[0]})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


_MISSING = object()
