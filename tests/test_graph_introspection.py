"""Looking at the graph as PyTorch scripts do: `grad_fn.name()`, `grad_fn.next_functions`
(with `AccumulateGrad` nodes for leaves), and a node's repr."""

import re

import numpy as np

import tinygrad_np as tg
from tinygrad_np.autograd.node import AccumulateGrad


def leaf(values):
    return tg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def test_name_is_a_method_giving_the_op_and_backward0():
    y = leaf([1.0, 2.0]) * 2
    assert y.grad_fn.name() == "MulBackward0"


def test_a_nodes_repr_is_pytorchs():
    y = leaf([1.0]).exp()
    assert re.fullmatch(r"<ExpBackward0 object at 0x[0-9a-f]+>", repr(y.grad_fn))


def test_next_functions_pairs_each_input_with_zero():
    x = leaf([1.0, 2.0])
    h = x.exp()
    y = h.sin()
    ((node, index),) = y.grad_fn.next_functions
    assert node is h.grad_fn and index == 0


def test_next_functions_gives_an_accumulate_grad_for_a_leaf_and_none_for_a_constant():
    x = leaf([1.0, 2.0])
    y = x * tg.tensor([3.0, 4.0], dtype=tg.float64)
    (first, zero), (second, other_zero) = y.grad_fn.next_functions
    assert isinstance(first, AccumulateGrad) and first.variable is x
    assert second is None and zero == other_zero == 0


def test_accumulate_grad_is_one_node_per_leaf():
    x = leaf([1.0, 2.0])
    a, b = x.exp(), x.sin()
    assert a.grad_fn.next_functions[0][0] is b.grad_fn.next_functions[0][0]


def test_accumulate_grad_ends_the_walk():
    x = leaf([1.0])
    node = x.exp().grad_fn.next_functions[0][0]
    assert node.name() == "AccumulateGrad" and node.next_functions == ()
    assert re.fullmatch(r"<AccumulateGrad object at 0x[0-9a-f]+>", repr(node))


def test_a_walk_over_next_functions_reaches_every_parameter():
    layer = tg.nn.Linear(3, 2)
    loss = layer(tg.randn(4, 3)).sum()
    found, stack = [], [loss.grad_fn]
    while stack:
        node = stack.pop()
        if isinstance(node, AccumulateGrad):
            found.append(node.variable)
        stack.extend(next_node for next_node, _ in node.next_functions if next_node is not None)
    assert {id(t) for t in found} == {id(layer.weight), id(layer.bias)}


def test_a_tensor_repr_names_its_grad_fn():
    y = leaf([1.0]) + 1
    assert "grad_fn=<AddBackward0>" in repr(y)
