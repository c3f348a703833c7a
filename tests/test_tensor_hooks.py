"""Tensor.register_hook: `hook(grad)` runs when the tensor's gradient has been computed, before it
is accumulated into `.grad` or passed on; a tensor it returns replaces the gradient. The rules
are PyTorch 2.x's, one per test."""

import re

import numpy as np
import pytest

import tinygrad_np as tg


def leaf(values) -> tg.Tensor:
    return tg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def close(tensor, expected) -> None:
    np.testing.assert_allclose(tensor.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_hook_on_a_leaf_sees_its_gradient():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda grad: seen.append(grad.tolist()))
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]]
    close(x.grad, [3.0, 3.0])  # a hook that returns None leaves the gradient as it is


def test_hook_on_a_leaf_replaces_the_gradient_accumulated_into_grad():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda grad: grad * 10)
    (x * 3).sum().backward()
    close(x.grad, [30.0, 30.0])


def test_hook_on_a_non_leaf_replaces_the_gradient_passed_on():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.register_hook(lambda grad: grad * 10)
    (y * 3).sum().backward()
    close(x.grad, [60.0, 60.0])


def test_hook_runs_once_on_the_summed_gradient_of_a_tensor_used_twice():
    x = leaf([1.0, 2.0])
    y = x * 2
    seen = []
    y.register_hook(lambda grad: seen.append(grad.tolist()))
    (y * 3 + y).sum().backward()
    assert seen == [[4.0, 4.0]]


def test_hooks_run_in_registration_order_each_on_the_previous_result():
    x = leaf([1.0, 2.0])
    y = x * 2
    calls = []

    def add_one(grad):
        calls.append(("add_one", grad.tolist()))
        return grad + 1

    def double(grad):
        calls.append(("double", grad.tolist()))
        return grad * 2

    y.register_hook(add_one)
    y.register_hook(double)
    y.sum().backward()
    assert calls == [("add_one", [1.0, 1.0]), ("double", [2.0, 2.0])]
    close(x.grad, [8.0, 8.0])  # ((1 + 1) · 2) · 2


def test_removed_hook_does_not_run():
    x = leaf([1.0, 2.0])
    y = x * 2
    calls = []
    handle = y.register_hook(lambda grad: calls.append(1) or grad * 10)
    handle.remove()
    y.sum().backward()
    assert calls == []
    close(x.grad, [2.0, 2.0])


def test_removing_one_hook_keeps_the_others():
    x = leaf([1.0, 2.0])
    first = x.register_hook(lambda grad: grad * 10)
    x.register_hook(lambda grad: grad + 1)
    first.remove()
    first.remove()  # a second remove changes nothing
    x.sum().backward()
    close(x.grad, [2.0, 2.0])


def test_handle_used_as_a_context_manager_removes_the_hook_on_exit():
    x = leaf([1.0, 2.0])
    with x.register_hook(lambda grad: grad * 0):
        pass
    x.sum().backward()
    close(x.grad, [1.0, 1.0])


def test_hook_on_a_tensor_that_does_not_require_grad_raises():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        tg.tensor([1.0, 2.0]).register_hook(lambda grad: grad)


def test_hook_returning_a_gradient_of_another_shape_raises():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda grad: grad.sum())
    with pytest.raises(RuntimeError, match=re.escape("expected shape (2,)")):
        (x * 3).sum().backward()


@pytest.mark.parametrize("order", ["retain_grad first", "hook first"])
def test_retained_grad_reflects_the_hook_whatever_the_order(order):
    """PyTorch 2.x runs the retain_grad hook after the tensor's other hooks."""
    x = leaf([1.0, 2.0])
    y = x * 2
    if order == "retain_grad first":
        y.retain_grad()
        y.register_hook(lambda grad: grad * 10)
    else:
        y.register_hook(lambda grad: grad * 10)
        y.retain_grad()
    (y * 3).sum().backward()
    close(y.grad, [30.0, 30.0])
    close(x.grad, [60.0, 60.0])


def test_hooks_run_in_autograd_grad_for_a_leaf_input():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda grad: grad * 10)
    (grad,) = tg.autograd.grad((x * 3).sum(), x)
    close(grad, [30.0, 30.0])
    assert x.grad is None


def test_hooks_run_in_autograd_grad_for_a_non_leaf_input():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.register_hook(lambda grad: grad * 10)
    (grad,) = tg.autograd.grad((y * 3).sum(), y)
    close(grad, [30.0, 30.0])


def test_hooks_run_in_autograd_grad_on_the_path_to_the_input():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.register_hook(lambda grad: grad * 10)
    (grad,) = tg.autograd.grad((y * 3).sum(), x)
    close(grad, [60.0, 60.0])


def test_hook_registered_before_an_in_place_op_sees_the_gradient_of_the_old_value():
    """As PyTorch documents: the hook stays with the value it was registered on."""
    x = leaf([1.0, 2.0])
    y = x * 2
    seen = []
    y.register_hook(lambda grad: seen.append(grad.tolist()))
    y.mul_(5)
    (y * 3).sum().backward()
    assert seen == [[15.0, 15.0]]  # d(loss)/d(old y) = 3 · 5


def test_hook_registered_after_an_in_place_op_sees_the_gradient_of_the_new_value():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.mul_(5)
    seen = []
    y.register_hook(lambda grad: seen.append(grad.tolist()))
    (y * 3).sum().backward()
    assert seen == [[3.0, 3.0]]


def test_hook_on_a_leaf_runs_on_every_backward():
    x = leaf([1.0, 2.0])
    calls = []
    x.register_hook(lambda grad: calls.append(1))
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    assert len(calls) == 2
    close(x.grad, [6.0, 6.0])
