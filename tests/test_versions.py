"""Version counters: a node checks, before its backward runs, that no tensor it saved was changed
in place since; PyTorch's error otherwise. Each test is one of PyTorch's patterns: what a node
saves (only what its gradient formulas read, given which inputs need gradients), what shares a
counter (views, detach(); not .data), and what bumps it."""

import re

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn, optim
from tinygrad_np.ops.movement import Unfold

MODIFIED = "one of the variables needed for gradient computation has been modified by an inplace operation"


def leaf(values) -> tg.Tensor:
    return tg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def close(tensor, expected, tolerance=1e-12) -> None:
    np.testing.assert_allclose(tensor.numpy(), expected, rtol=tolerance, atol=tolerance)


# --------------------------------------------------------------------- the example


def two_losses_and_a_step(step):
    """Two losses built from one Linear(3, 1); the first's backward, then `step`, then the second's."""
    tg.manual_seed(0)
    model = nn.Linear(3, 1)
    optimizer = optim.SGD(model.parameters(), lr=1.0)
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss1 = (model(x) ** 2).sum()
    loss2 = (model(x) ** 2).sum()
    loss1.backward()
    x.grad = None
    step(model, optimizer)
    loss2.backward()
    return x.grad


def test_optimizer_step_between_two_backwards_raises():
    """Before version counters, loss2.backward() used the stepped weight: x.grad came out
    [-26.24, -49.54, -73.65] instead of [-0.798, 1.341, 2.673]."""
    with pytest.raises(RuntimeError, match=MODIFIED):
        two_losses_and_a_step(lambda model, optimizer: optimizer.step())


def test_without_the_step_the_second_backward_gives_the_right_gradient():
    grad = two_losses_and_a_step(lambda model, optimizer: None)
    close(grad, [-0.798, 1.341, 2.673], tolerance=1e-3)


def test_a_step_through_data_is_not_checked_and_gives_the_stale_gradient():
    """`.data` is PyTorch's escape hatch: writes through it are not counted, so the backward
    silently reads the stepped weight (the wrong result of the issue)."""

    def step_through_data(model, optimizer):
        for p in model.parameters():
            p.data -= 1.0 * p.grad

    close(two_losses_and_a_step(step_through_data), [-26.237, -49.538, -73.645], tolerance=1e-4)


# --------------------------------------------------------------------- .data and no_grad


def test_changing_a_saved_input_through_data_is_not_checked():
    t = leaf([1.0, 2.0])
    y = t.sin()  # saves t
    t.data *= 2
    y.sum().backward()
    close(t.grad, np.cos([2.0, 4.0]))  # read at the new values, as PyTorch does


def test_changing_a_saved_input_under_no_grad_raises():
    t = leaf([1.0, 2.0])
    y = t.sin()
    with tg.no_grad():
        t.mul_(2)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_changing_a_saved_input_through_a_view_under_no_grad_raises():
    t = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = t.sin()
    with tg.no_grad():
        t.T[0].mul_(2)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_changing_a_saved_non_leaf_in_place_raises():
    x = leaf([1.0, 2.0])
    h = x.clone()
    y = h.cos()  # saves h
    h.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_a_node_made_after_the_change_reads_the_new_value():
    x = leaf([1.0, 2.0])
    h = x.clone()
    h.add_(1)
    y = h.sin()
    y.sum().backward()
    close(x.grad, np.cos([2.0, 3.0]))


# --------------------------------------------------------------------- what a node saves


def test_a_product_with_a_constant_does_not_save_the_other_factor():
    w = leaf([1.0, 2.0])
    t = w * 1.0
    c = tg.tensor([3.0, 4.0], dtype=tg.float64)
    out = t * c  # d/dt reads c only; t is not saved
    t.add_(1)
    out.sum().backward()
    close(w.grad, [3.0, 4.0])


def test_a_product_saves_a_factor_when_the_other_factor_needs_its_gradient():
    w = leaf([1.0, 2.0])
    t = w * 1.0
    c = leaf([3.0, 4.0])
    out = t * c  # d/dc reads t
    t.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        out.sum().backward()


def test_linear_whose_input_needs_no_grad_does_not_save_its_weight():
    tg.manual_seed(0)
    model = nn.Linear(3, 1)
    x = tg.tensor([[1.0, 2.0, 3.0]])
    out = model(x).sum()
    with tg.no_grad():
        model.weight.mul_(2)
    out.backward()
    close(model.weight.grad, [[1.0, 2.0, 3.0]])
    close(model.bias.grad, [1.0])


def test_linear_whose_input_needs_grad_saves_its_weight():
    tg.manual_seed(0)
    model = nn.Linear(3, 1)
    out = model(tg.tensor([[1.0, 2.0, 3.0]], requires_grad=True)).sum()
    with tg.no_grad():
        model.weight.mul_(2)
    with pytest.raises(RuntimeError, match=MODIFIED):
        out.backward()


SAVE_THEIR_OUTPUT = {
    "exp": lambda h: h.exp(),
    "relu": lambda h: h.relu(),
    "tanh": lambda h: h.tanh(),
    "sigmoid": lambda h: h.sigmoid(),
    "softmax": lambda h: h.softmax(0),
    "log_softmax": lambda h: h.log_softmax(0),
}


@pytest.mark.parametrize("op", SAVE_THEIR_OUTPUT.values(), ids=SAVE_THEIR_OUTPUT.keys())
def test_output_saved_by_its_op_and_then_modified_in_place_raises(op):
    x = leaf([0.5, -1.0, 2.0])
    y = op(x * 1.0)
    y.mul_(2)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


SAVE_NOTHING = {
    "add": lambda h: h + 1,
    "sub": lambda h: 1 - h,
    "neg": lambda h: -h,
    "sum": lambda h: h.sum(),
    "reshape": lambda h: h.reshape(3, 1),
    "mul by a constant": lambda h: h * 3.0,
}


@pytest.mark.parametrize("op", SAVE_NOTHING.values(), ids=SAVE_NOTHING.keys())
def test_input_of_an_op_that_saves_nothing_may_change_before_backward(op):
    x = leaf([0.5, -1.0, 2.0])
    h = x * 1.0
    out = op(h).sum()
    (expected,) = tg.autograd.grad(op(x).sum(), x)  # the gradient does not depend on the values
    h.mul_(10)
    out.backward()
    close(x.grad, expected.numpy())


def test_multiplying_a_non_leaf_by_itself_in_place_raises():
    """mul_'s node saves its operand, which is the tensor being overwritten (PyTorch too)."""
    x = leaf([1.0, 2.0])
    h = x.clone()
    h.mul_(h)
    with pytest.raises(RuntimeError, match=MODIFIED):
        h.sum().backward()


def test_a_graph_retained_across_an_in_place_op_refuses_its_second_backward():
    x = leaf([1.0, 2.0])
    y = x.exp()
    loss = y.sum()
    loss.backward(retain_graph=True)
    y.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


# --------------------------------------------------------------------- shared counters


def test_detach_shares_the_version_counter():
    x = leaf([1.0, 2.0])
    y = x.sin()
    detached = x.detach()
    detached.add_(1)  # allowed: detached does not require grad
    assert x._version == 1 and detached._version == 1
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_data_does_not_share_the_version_counter():
    x = leaf([1.0, 2.0])
    x.data.add_(1)
    assert x._version == 0


WRITABLE_VIEWS = {
    "row": lambda t: t[0],
    "element": lambda t: t[1, 2],
    "column slice": lambda t: t[:, 1:],
    "reshape": lambda t: t.reshape(3, 2),
    "permute": lambda t: t.permute(1, 0),
    "transpose": lambda t: t.transpose(0, 1),
    "T": lambda t: t.T,
    "view of a view": lambda t: t.T[1:][0],
}


@pytest.mark.parametrize("view", WRITABLE_VIEWS.values(), ids=WRITABLE_VIEWS.keys())
def test_writing_through_a_view_counts_on_the_base(view):
    base = tg.zeros(2, 3)
    v = view(base)
    v.add_(1)
    assert base._version == 1 and v._version == 1
    assert base.numpy().sum() == v.numel()  # the write went into the base's array


READ_ONLY_VIEWS = {
    "expand": lambda t: t[None].expand(4, 2, 3),
    "unfold": lambda t: Unfold.apply(t[None], kernel=(2, 2), stride=(1, 1), dilation=(1, 1)),
}


@pytest.mark.parametrize("view", READ_ONLY_VIEWS.values(), ids=READ_ONLY_VIEWS.keys())
def test_read_only_views_share_the_base_counter(view):
    base = tg.zeros(2, 3)
    v = view(base)
    base.add_(1)
    assert v._version == 1


def test_a_saved_view_of_a_tensor_changed_in_place_raises():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    h = x * 1.0
    y = h.T.sin()  # saves the view h.T
    h.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


# --------------------------------------------------------------------- the count and the message

EACH_IN_PLACE_OP = {
    "add_": lambda t: t.add_(1.0),
    "sub_": lambda t: t.sub_(1.0, alpha=2),
    "mul_": lambda t: t.mul_(2.0),
    "div_": lambda t: t.div_(2.0),
    "pow_": lambda t: t.pow_(2),
    "neg_": lambda t: t.neg_(),
    "clamp_": lambda t: t.clamp_(0.0, 1.0),
    "clip_": lambda t: t.clip_(0.0, 1.0),
    "fill_": lambda t: t.fill_(3.0),
    "zero_": lambda t: t.zero_(),
    "copy_": lambda t: t.copy_(tg.ones(3)),
    "masked_fill_": lambda t: t.masked_fill_(tg.tensor([True, False, True]), 0.0),
    "index_add_": lambda t: t.index_add_(0, tg.tensor([0, 0]), tg.ones(2)),
    "uniform_": lambda t: t.uniform_(),
    "normal_": lambda t: t.normal_(),
    "setitem": lambda t: t.__setitem__(slice(0, 2), 5.0),
    "+=": lambda t: t.__iadd__(1.0),
    "-=": lambda t: t.__isub__(1.0),
    "*=": lambda t: t.__imul__(2.0),
    "/=": lambda t: t.__itruediv__(2.0),
}


@pytest.mark.parametrize("op", EACH_IN_PLACE_OP.values(), ids=EACH_IN_PLACE_OP.keys())
@pytest.mark.parametrize("make", [lambda: tg.tensor([1.0, 2.0, 3.0]), lambda: tg.tensor([1.0, 2.0, 3.0],
                                  requires_grad=True).clone()], ids=["plain", "non-leaf"])
def test_each_in_place_op_adds_one_to_the_version(make, op):
    t = make()
    assert t._version == 0
    op(t)
    assert t._version == 1
    op(t)
    assert t._version == 2


def test_an_in_place_op_that_raises_leaves_the_version_alone():
    t = tg.tensor([1, 2])
    with pytest.raises(RuntimeError):
        t.add_(0.5)
    assert t._version == 0


def test_out_of_place_ops_and_reads_leave_the_version_alone():
    t = tg.tensor([1.0, 2.0])
    for read in (lambda: t + 1, t.exp, lambda: t[0], t.sum, t.numpy, t.tolist, t.clone, lambda: t.data):
        read()
    assert t._version == 0


def test_the_error_names_the_node_the_shape_and_both_versions():
    x = tg.tensor(np.ones((2, 3)), requires_grad=True)
    y = (x * 1.0).exp()
    y.add_(1)
    y.add_(1)
    with pytest.raises(RuntimeError) as error:
        y.sum().backward()
    message = str(error.value)
    assert message.startswith(MODIFIED)
    assert "ExpBackward" in message
    assert "[2, 3]" in message and "float64" in message
    assert re.search(r"is at version 2; expected version 0 instead", message)
