"""The registry is complete: no public op, op function or primitive escapes the property
tests, and the op table in docs/ops.md lists every one. (A primitive may be exercised by an
nn function instead: `Unfold` is reached through conv2d and pooling.)"""

from pathlib import Path

import numpy as np
from hypothesis import Phase, find, settings
from nn_registry import SPECS as NN_SPECS
from op_registry import SPECS

import tinygrad_np as tg
from tinygrad_np.autograd import PRIMITIVES

NOT_OPS = {
    # autograd and bookkeeping
    "backward", "retain_grad", "requires_grad_", "requires_grad", "is_leaf", "grad", "grad_fn", "data", "detach",
    "register_hook", "detach_",
    # introspection and conversion to Python/NumPy
    "shape", "dtype", "ndim", "dim", "size", "numel", "numpy", "item", "tolist", "is_floating_point", "is_contiguous",
    "nelement", "element_size", "stride",
    # devices (the CPU only) and new tensors that take only this tensor's dtype
    "device", "is_cuda", "cpu", "cuda", "pin_memory", "is_pinned",
    "new_tensor", "new_zeros", "new_ones", "new_empty", "new_full",
    # whole-tensor comparisons answering a Python bool
    "allclose", "equal",
}
"""Public Tensor attributes that are not ops on tensors."""

OP_FUNCTIONS = ["cat", "stack", "where", "maximum", "minimum", "linalg.vector_norm", "linalg.matrix_norm",
                "linalg.norm", "einsum", "var_mean", "std_mean", "cdist",
                "meshgrid"]
"""Top-level functions that are ops in their own right (not aliases of Tensor methods)."""

REGISTERED = {spec.op for spec in SPECS}
OPS_TABLE = Path(__file__).resolve().parent.parent / "docs" / "ops.md"


def public_tensor_ops() -> set[str]:
    names = {name for name in dir(tg.Tensor) if not name.startswith("_")} - NOT_OPS
    return names | {"getitem", "setitem"}  # t[key] and t[key] = value


def test_every_public_tensor_op_is_in_the_registry():
    assert public_tensor_ops() - REGISTERED == set()


def test_every_op_function_is_in_the_registry():
    assert set(OP_FUNCTIONS) - REGISTERED == set()


def is_function_form(name: str) -> bool:
    """Whether tg.<name> is Tensor.<name> itself, or it with `out=` added (`__wrapped__`)."""
    function = getattr(tg, name)
    method = getattr(tg.Tensor, name, None)
    return method is not None and (function is method or getattr(function, "__wrapped__", None) is method)


def test_every_function_alias_of_a_tensor_method_is_a_registered_op():
    aliases = {name for name in dir(tg) if not name.startswith("_") and is_function_form(name)}
    assert aliases, "tinygrad_np exports function forms of Tensor methods"
    assert aliases - REGISTERED - NOT_OPS == set()  # tg.allclose answers a bool, as Tensor.allclose


def test_the_registry_names_only_real_ops():
    assert REGISTERED - public_tensor_ops() - set(OP_FUNCTIONS) == set()


def graph_nodes(tensors) -> set[str]:
    """Names of the primitive classes in the graphs behind `tensors` (iteratively)."""
    seen, names = set(), set()
    stack = [t.grad_fn for t in tensors if t is not None and t.grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        names.add(type(node).__name__)
        stack.extend(edge for edge in node.next_edges if isinstance(edge, tg.autograd.node.Node))
    return names


FIRST_EXAMPLE = settings(phases=[Phase.generate], database=None)
"""Any one example will do: no shrinking towards the simplest."""


def primitives_used(spec) -> set[str]:
    """The primitives one example of `spec` runs, forward and (with create_graph) backward."""
    case = find(spec.cases, lambda _: True, settings=FIRST_EXAMPLE)
    tensors = [tg.tensor(a, requires_grad=a.dtype.kind == "f") for a in case.arrays]
    out = spec.fn(*tensors, **case.kwargs)
    upstream = tg.tensor(np.ones(out.shape), requires_grad=True)
    leaves = [t for t in tensors if t.requires_grad]
    grads = tg.autograd.grad(out, leaves, upstream, create_graph=True, allow_unused=True)
    return graph_nodes([out]) | graph_nodes(grads)


def test_every_primitive_is_exercised_by_some_registered_op():
    used = set().union(*(primitives_used(spec) for spec in SPECS + NN_SPECS if spec.differentiable))
    assert set(PRIMITIVES) - used == set()


def test_the_op_table_lists_every_registered_op_and_primitive():
    table = OPS_TABLE.read_text()
    missing = {name for name in REGISTERED | set(PRIMITIVES) if f"`{name}`" not in table}
    assert missing == set()
