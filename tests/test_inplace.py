"""In-place ops (`add_`, ..., `t[key] = value`, `t += b`): what they change, the gradients through
them and the errors PyTorch raises, one rule per test. The registry (op_registry.py) checks each
in-place op's gradient, second derivative and forward value on random inputs; the property
test at the end checks random programs that mix in-place and out-of-place steps against their
all-out-of-place twins. Version counters are in test_versions.py."""

import operator
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays

import tinygrad_np as tg
from tinygrad_np.autograd import gradcheck, gradgradcheck

LEAF_ERROR = re.escape("a leaf Variable that requires grad is being used in an in-place operation.")
VIEW_OF_LEAF_ERROR = re.escape("a view of a leaf Variable that requires grad is being used in an in-place operation.")
OVERLAP_ERROR = "more than one element of the written-to tensor refers to a single memory location"


def leaf(values) -> tg.Tensor:
    return tg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def close(tensor, expected) -> None:
    np.testing.assert_allclose(tensor.numpy(), expected, rtol=1e-12, atol=1e-12)


def setitem(t, key, value):
    t[key] = value
    return t


# --------------------------------------------------------------------- non-leaves: recorded


def test_add__on_a_non_leaf_gives_the_out_of_place_gradient():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2
    y.add_(1)
    y.sum().backward()
    close(y, [3.0, 5.0, 7.0])
    close(x.grad, [2.0, 2.0, 2.0])


def test_in_place_op_on_a_non_leaf_rebases_its_history():
    x = leaf([1.0, 2.0])
    y = x * 2
    before = y.grad_fn
    y.add_(1)
    assert y.grad_fn is not before and y.grad_fn.name() == "AddBackward0"
    assert not y.is_leaf and y.requires_grad


def test_mul__and_pow__differentiate_at_the_value_they_overwrote():
    x = leaf([1.0, 2.0, -0.5])
    y = x.clone()
    y.mul_(x)  # x²
    y.pow_(3)  # x⁶
    y.sum().backward()
    close(x.grad, 6 * x.numpy() ** 5)


def test_in_place_op_returns_the_tensor_itself():
    y = leaf([1.0, 2.0]) * 1
    assert y.add_(1) is y
    assert y.clamp_(0, 2.5) is y


@pytest.mark.parametrize("augmented, expected, slope", [
    (operator.iadd, [3.0, 4.0], 1.0),
    (operator.isub, [-1.0, 0.0], 1.0),
    (operator.imul, [2.0, 4.0], 2.0),
    (operator.itruediv, [0.5, 1.0], 0.5),
], ids=["+=", "-=", "*=", "/="])
def test_augmented_assignment_changes_the_tensor_in_place(augmented, expected, slope):
    x = leaf([1.0, 2.0])
    y = x.clone()
    view = y[:1]
    result = augmented(y, 2.0)
    assert result is y
    close(y, expected)
    close(view, expected[:1])  # the view sees the change: the same array was written
    y.sum().backward()
    close(x.grad, [slope, slope])


def test_second_derivatives_through_in_place_ops():
    def program(a, b):
        y = a.clone()
        y.mul_(b)
        y.sub_(b, alpha=0.5)
        y.pow_(2)
        y.div_(b * b + 1)
        y[0] = b * b
        y[1:, :2].mul_(b[0])
        return y

    rng = np.random.default_rng(0)
    assert gradgradcheck(program, (leaf(rng.standard_normal((2, 3))), leaf(rng.standard_normal(3))))


# --------------------------------------------------------------------- leaves: refused unless no_grad

IN_PLACE_OPS = {
    "add_": lambda t: t.add_(1.0),
    "sub_": lambda t: t.sub_(1.0),
    "mul_": lambda t: t.mul_(2.0),
    "div_": lambda t: t.div_(2.0),
    "pow_": lambda t: t.pow_(2),
    "neg_": lambda t: t.neg_(),
    "clamp_": lambda t: t.clamp_(-1, 1),
    "fill_": lambda t: t.fill_(1.0),
    "zero_": lambda t: t.zero_(),
    "copy_": lambda t: t.copy_(tg.ones(t.shape, dtype=t.dtype)),
    "masked_fill_": lambda t: t.masked_fill_(tg.tensor(True), 0.0),
    "index_add_": lambda t: t.index_add_(0, tg.tensor([0]), tg.ones((1,) + t.shape[1:], dtype=t.dtype)),
    "uniform_": lambda t: t.uniform_(),
    "normal_": lambda t: t.normal_(),
    "setitem": lambda t: setitem(t, 0, 5.0),
    "+=": lambda t: operator.iadd(t, 1.0),
}


@pytest.mark.parametrize("op", IN_PLACE_OPS.values(), ids=IN_PLACE_OPS.keys())
def test_in_place_op_on_a_leaf_that_requires_grad_raises(op):
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(RuntimeError, match=LEAF_ERROR):
        op(x)
    close(x, [[1.0, 2.0], [3.0, 4.0]])
    assert x._version == 0


VIEWS = {
    "row": lambda t: t[0],
    "column slice": lambda t: t[:, 1:],
    "T": lambda t: t.T,
    "transpose": lambda t: t.transpose(0, 1),
    "reshape": lambda t: t.reshape(4),
    "view of a view": lambda t: t.T[1:],
}


@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize("op", [IN_PLACE_OPS["add_"], IN_PLACE_OPS["setitem"]], ids=["add_", "setitem"])
def test_in_place_op_on_a_view_of_a_leaf_that_requires_grad_raises(view, op):
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(RuntimeError, match=VIEW_OF_LEAF_ERROR):
        op(view(x))
    close(x, [[1.0, 2.0], [3.0, 4.0]])


def test_in_place_ops_on_a_leaf_are_allowed_under_no_grad():
    x = leaf([1.0, 2.0])
    with tg.no_grad():
        x.add_(1)
        x[0] = 10.0
        x.mul_(2)
        x[1:].sub_(1)
    close(x, [20.0, 5.0])
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    assert x._version == 4


def test_a_leaf_changed_under_no_grad_gets_gradients_at_its_new_value():
    x = leaf([1.0, 2.0])
    with tg.no_grad():
        x.mul_(3)
    (x * x).sum().backward()
    close(x.grad, [6.0, 12.0])


def test_an_operand_that_requires_grad_puts_a_plain_tensor_in_the_graph():
    w = leaf([1.0, 2.0, 3.0])
    buffer = tg.zeros(3, dtype=tg.float64)
    buffer.add_(w)
    assert buffer.requires_grad and not buffer.is_leaf
    (buffer * 2).sum().backward()
    close(w.grad, [2.0, 2.0, 2.0])


def test_rows_assigned_one_by_one_into_zeros_pass_their_gradients_on():
    w = leaf([1.0, 2.0])
    out = tg.zeros(3, 2, dtype=tg.float64)
    for i in range(3):
        out[i] = w * (i + 1)
    (out * tg.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    close(w.grad, [0 * 1 + 2 * 2 + 4 * 3, 1 * 1 + 3 * 2 + 5 * 3])


def test_in_place_ops_through_views_of_a_tensor_outside_the_graph_are_differentiable():
    def program(w):
        buffer = tg.zeros(2, 3, dtype=tg.float64)
        buffer[1].add_(w)
        buffer[:, 0].mul_(w[0])
        buffer.T[2].sub_(w[1:])
        return buffer

    assert gradcheck(program, (leaf([0.5, -1.0, 2.0]),))
    assert gradgradcheck(program, (leaf([0.5, -1.0, 2.0]),))


# --------------------------------------------------------------------- item assignment


def test_item_assignment_on_a_non_leaf_is_differentiable_to_the_target_and_the_broadcast_value():
    x = leaf(np.ones((3, 3)))
    v = leaf([1.0, 2.0, 3.0])
    y = x * 2
    y[1:] = v  # (3,) broadcast into the (2, 3) rows
    upstream = np.arange(9.0).reshape(3, 3)
    (y * tg.tensor(upstream)).sum().backward()
    close(y, [[2.0, 2.0, 2.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    close(x.grad, [[0.0, 2.0, 4.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])  # overwritten: no gradient
    close(v.grad, upstream[1:].sum(0))  # summed over the broadcast rows


@pytest.mark.parametrize("key", [
    (slice(None), 1),
    [2, 0],
    np.array([[True, False, True], [False, True, False]]),
    (Ellipsis, slice(0, 3, 2)),
    (1, None),
], ids=["column", "list", "mask", "ellipsis-step", "none"])
def test_item_assignment_with_any_key_indexing_accepts_is_differentiable(key):
    shape = (2, 3) if isinstance(key, np.ndarray) else (3, 3)

    def program(a, value):
        y = a.clone()
        y[key] = value
        return y

    a = np.arange(float(np.prod(shape))).reshape(shape)
    value = np.full(a[key].shape[-1:], 7.0)  # broadcast over the leading dims of a[key]
    assert gradcheck(program, (leaf(a), leaf(value)))
    expected = a.copy()
    expected[key] = value
    close(program(leaf(a), leaf(value)), expected)


def test_item_assignment_of_a_tensor_that_needs_no_grad_into_a_plain_tensor_records_nothing():
    t = tg.zeros(3)
    t[0] = tg.tensor(1.0)
    assert t.grad_fn is None and not t.requires_grad
    close(t, [1.0, 0.0, 0.0])


# --------------------------------------------------------------------- views of non-leaves


def test_in_place_op_on_a_view_of_a_non_leaf_gives_the_out_of_place_gradients_of_base_and_view():
    x = leaf(np.arange(1.0, 7.0).reshape(2, 3))
    y = x * 1.0
    row = y[0]
    row.mul_(3)
    close(y, [[3.0, 6.0, 9.0], [4.0, 5.0, 6.0]])  # the base holds the view's new values
    ((y * y).sum() + row.sum()).backward()

    twin_x = leaf(np.arange(1.0, 7.0).reshape(2, 3))
    twin_y = twin_x * tg.tensor([[3.0], [1.0]])
    ((twin_y * twin_y).sum() + twin_y[0].sum()).backward()
    close(x.grad, twin_x.grad.numpy())


@pytest.mark.parametrize("returned", ["base", "view"])
def test_gradients_through_an_in_place_op_on_a_view_match_finite_differences(returned):
    def program(a, b):
        y = a.clone()
        view = y.T[1:]
        view.mul_(b)
        return y if returned == "base" else view

    rng = np.random.default_rng(1)
    assert gradcheck(program, (leaf(rng.standard_normal((3, 4))), leaf(rng.standard_normal(3))))


def test_a_view_taken_before_an_in_place_op_on_a_view_inside_it_follows_the_base():
    def program(a):
        y = a.clone()
        columns = y[:, 1:]
        columns[0].mul_(5)  # another view of the same base, inside `columns`
        return columns

    assert gradcheck(program, (leaf(np.arange(1.0, 7.0).reshape(2, 3)),))


def test_retain_grad_follows_a_tensor_through_an_in_place_op():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    y.add_(1)
    (y * 3).sum().backward()
    close(y.grad, [3.0, 3.0])  # the gradient of the new y only (PyTorch moves the retain hook)
    close(x.grad, [6.0, 6.0])


def test_retain_grad_on_a_base_follows_an_in_place_op_on_its_view():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 2
    y.retain_grad()
    y[0].mul_(5)
    (y * 3).sum().backward()
    close(y.grad, np.full((2, 2), 3.0))
    close(x.grad, [[30.0, 30.0], [6.0, 6.0]])


def test_in_place_op_on_one_element_of_a_non_leaf_changes_the_base_and_its_gradient():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1
    y[1].mul_(3)  # y[1] is a 0-d view
    y.sum().backward()
    close(y, [1.0, 6.0, 3.0])
    close(x.grad, [1.0, 3.0, 1.0])


# --------------------------------------------------------------------- the update loop and .data


def test_manual_sgd_under_no_grad_updates_the_parameters_in_place():
    """The loop of PyTorch's "What is torch.nn really?": `p -= lr * p.grad` under no_grad."""
    tg.manual_seed(0)
    x = tg.randn(64, 3)
    y = x @ tg.tensor([[1.5], [-2.0], [0.5]]) + 0.3
    w = tg.zeros(3, 1, requires_grad=True)
    b = tg.zeros(1, requires_grad=True)
    params = (w, b)
    losses = []
    for _ in range(30):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
        with tg.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
            w.grad.zero_()
            b.grad.zero_()
    assert (w, b) == params  # the same tensors, changed in place
    assert all(p.is_leaf and p.requires_grad for p in params)
    assert w._version == 30
    assert losses[-1] < 0.05 * losses[0]
    assert all(later < earlier for earlier, later in zip(losses, losses[1:]))


def test_p_data_add__changes_the_parameter_without_recording_or_counting():
    p = leaf([1.0, 2.0])
    p.data.add_(tg.tensor([0.5, -0.5], dtype=tg.float64))
    close(p, [1.5, 1.5])
    assert p.is_leaf and p.requires_grad and p._version == 0


def test_p_data_copy__changes_the_parameter():
    p = leaf([1.0, 2.0])
    p.data.copy_(tg.tensor([5.0, 6.0]))
    close(p, [5.0, 6.0])
    assert p.dtype == np.float64


def test_assigning_p_data_replaces_the_values_and_keeps_the_parameter():
    p = leaf([1.0, 2.0])
    p.data = tg.tensor([3.0, -1.0], dtype=tg.float64)
    assert p.is_leaf and p.requires_grad
    (p * p).sum().backward()
    close(p.grad, [6.0, -2.0])


def test_data_is_outside_autograd_and_shares_the_array():
    p = leaf([1.0, 2.0])
    data = p.data
    assert not data.requires_grad and data.is_leaf and data.grad_fn is None
    assert np.shares_memory(data.numpy(), p.numpy())
    assert not (data * 2).requires_grad


def test_data_has_a_version_counter_of_its_own():
    p = leaf([1.0, 2.0])
    data = p.data
    data.add_(1)
    assert data._version == 1 and p._version == 0
    with tg.no_grad():
        p.add_(1)
    assert p._version == 1 and data._version == 1 and p.data._version == 0


# --------------------------------------------------------------------- errors


@pytest.mark.parametrize("op", [
    lambda t: t.add_(0.5),
    lambda t: t.add_(tg.tensor([0.5, 1.5])),
    lambda t: t.mul_(1.5),
    lambda t: t.div_(2),
], ids=["add_ number", "add_ tensor", "mul_", "div_"])
def test_integer_tensor_cannot_take_a_float_result(op):
    t = tg.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type int64"):
        op(t)
    assert t.tolist() == [1, 2] and t._version == 0


def test_float32_tensor_takes_a_float64_operand_and_stays_float32():
    t = tg.zeros(2)
    t.add_(tg.tensor([0.5, 1.5], dtype=tg.float64))
    assert t.dtype == np.float32
    close(t, [0.5, 1.5])


@pytest.mark.parametrize("target", [lambda: tg.zeros(3), lambda: leaf([0.0, 0.0, 0.0]) * 1],
                         ids=["plain", "non-leaf"])
def test_operand_that_would_enlarge_the_target_raises(target):
    t = target()
    with pytest.raises(RuntimeError, match=re.escape("output with shape [3] doesn't match the broadcast shape [2, 3]")):
        t.add_(tg.ones(2, 3))
    close(t, [0.0, 0.0, 0.0])


def test_item_assignment_of_a_value_that_does_not_fit_raises():
    t = tg.zeros(3)
    with pytest.raises(RuntimeError):
        t[:2] = tg.ones(3)
    close(t, [0.0, 0.0, 0.0])


@pytest.mark.parametrize("expanded", [lambda: tg.zeros(1, 3).expand(2, 3), lambda: (leaf([[0.0, 0.0, 0.0]]) * 1)
                                      .expand(2, 3)], ids=["plain", "non-leaf"])
def test_in_place_op_on_an_expanded_tensor_raises_a_clear_error(expanded):
    t = expanded()
    with pytest.raises(RuntimeError, match=OVERLAP_ERROR):
        t.add_(1)
    with pytest.raises(RuntimeError, match=re.escape("clone() the tensor")):
        t.add_(1)
    close(t, np.zeros((2, 3)))


# --------------------------------------------------------------------- random fills and requires_grad_


@pytest.mark.parametrize("method, args", [("uniform_", (-2.0, 3.0)), ("normal_", (1.0, 0.5))])
def test_random_fills_are_reproducible_under_manual_seed(method, args):
    def draw():
        tg.manual_seed(123)
        return getattr(tg.zeros(50), method)(*args)

    first, second = draw(), draw()
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    assert first.dtype == np.float32
    assert len(np.unique(first.numpy())) == 50


def test_uniform__draws_within_its_bounds_in_place():
    tg.manual_seed(0)
    t = tg.zeros(1000)
    array = t.numpy()
    t.uniform_(-2.0, 3.0)
    assert t.numpy() is array and t._version == 1
    assert array.min() >= -2.0 and array.max() < 3.0 and array.min() < -1.9 and array.max() > 2.9


def test_normal__draws_with_its_mean_and_std():
    tg.manual_seed(0)
    t = tg.zeros(20000, dtype=tg.float64).normal_(1.0, 0.5)
    assert abs(t.numpy().mean() - 1.0) < 0.02 and abs(t.numpy().std() - 0.5) < 0.02


def test_requires_grad__makes_a_leaf_record_and_returns_it():
    t = tg.tensor([1.0, 2.0])
    assert t.requires_grad_() is t
    assert t.requires_grad and t.is_leaf
    (t * t).sum().backward()
    close(t.grad, [2.0, 4.0])


def test_requires_grad__false_stops_a_leaf_recording():
    t = leaf([1.0, 2.0]).requires_grad_(False)
    assert not t.requires_grad and (t * 2).grad_fn is None


def test_requires_grad__false_on_a_non_leaf_raises():
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf tensors"):
        (leaf([1.0]) * 2).requires_grad_(False)


def test_requires_grad__on_an_integer_tensor_raises():
    with pytest.raises(RuntimeError, match="only tensors of floating point dtype can require gradients"):
        tg.tensor([1, 2]).requires_grad_()


# --------------------------------------------------------------------- random programs

ROWS, COLUMNS = 3, 4
ROW_MASK = tg.tensor(np.arange(ROWS)[:, None] == 1)  # row 1
MIDDLE_COLUMNS = tg.tensor((np.arange(COLUMNS) >= 1) & (np.arange(COLUMNS) < 3))  # columns 1:3
FIRST_COLUMN = tg.tensor((np.arange(COLUMNS) == 0).astype(np.float64))
SCATTERED = tg.tensor(np.arange(ROWS * COLUMNS).reshape(ROWS, COLUMNS) % 3 == 0)


def _assign_row(h, w):
    h[1] = w * 2


def _scale_middle_columns(h, w):
    h[:, 1:3].mul_(w[1:3])


def _add_to_first_column(h, w):
    h.T[0].add_(w[:3])


STEPS = {
    # name: (out of place, in place on h); w has COLUMNS elements, h is (ROWS, COLUMNS)
    "add": (lambda h, w: h + w, lambda h, w: h.add_(w)),
    "sub alpha": (lambda h, w: h - 0.5 * w, lambda h, w: h.sub_(w, alpha=0.5)),
    "mul": (lambda h, w: h * w, lambda h, w: h.mul_(w)),
    "div": (lambda h, w: h / (1 + w * w), lambda h, w: h.div_(1 + w * w)),
    "square": (lambda h, w: h * h, lambda h, w: h.pow_(2)),
    "neg": (lambda h, w: -h, lambda h, w: h.neg_()),
    "masked fill": (lambda h, w: tg.where(SCATTERED, 0.5, h), lambda h, w: h.masked_fill_(SCATTERED, 0.5)),
    "assign a row": (lambda h, w: tg.where(ROW_MASK, w * 2, h), _assign_row),
    "scale a slice": (lambda h, w: h * tg.where(MIDDLE_COLUMNS, w, 1.0), _scale_middle_columns),
    "add to a transposed row": (lambda h, w: h + w[:3].reshape(ROWS, 1) * FIRST_COLUMN, _add_to_first_column),
    "sin (out of place only)": (lambda h, w: h.sin(), None),
}

programs = st.lists(st.tuples(st.sampled_from(sorted(STEPS)), st.booleans()), min_size=1, max_size=5)


def run(program, x, w, in_place: bool):
    """Apply the steps to a clone of x; each step in place (if drawn so and `in_place`) or out of place."""
    h = x.clone()
    for name, drawn_in_place in program:
        out_of_place, in_place_form = STEPS[name]
        if in_place and drawn_in_place and in_place_form is not None:
            in_place_form(h, w)
        else:
            h = out_of_place(h, w)
    return h


@given(program=programs, x=arrays((ROWS, COLUMNS), -1.5, 1.5), w=arrays((COLUMNS,), -1.0, 1.0))
def test_random_programs_with_in_place_steps_match_their_out_of_place_twins(program, x, w):
    upstream = tg.tensor(np.random.default_rng(0).standard_normal((ROWS, COLUMNS)))
    results = []
    for in_place in (True, False):
        xs, ws = leaf(x), leaf(w)
        out = run(program, xs, ws, in_place)
        out.backward(upstream)
        results.append((out.numpy(), *[np.zeros(t.shape) if t.grad is None else t.grad.numpy() for t in (xs, ws)]))
        np.testing.assert_array_equal(xs.numpy(), x)  # the leaves themselves never change
    for mixed, reference in zip(*results):
        np.testing.assert_allclose(mixed, reference, rtol=1e-9, atol=1e-9)
    assert gradcheck(lambda a, b: run(program, a, b, in_place=True), (leaf(x), leaf(w)))


def test_fill_of_an_integer_tensor_with_a_fraction_truncates_as_pytorch():
    t = tg.zeros(3, dtype=tg.int64)
    t.fill_(2.5)
    assert t.tolist() == [2, 2, 2]


def test_fill_of_an_integer_tensor_with_a_value_out_of_its_range_raises():
    with pytest.raises(RuntimeError, match="overflow"):
        tg.zeros(3, dtype=tg.int8).fill_(300)


def test_random_fills_of_an_integer_tensor_raise():
    for fill in (tg.Tensor.uniform_, tg.Tensor.normal_):
        with pytest.raises(RuntimeError, match="floating point"):
            fill(tg.zeros(3, dtype=tg.int64))


def test_item_assignment_of_a_number_out_of_an_integer_tensors_range_raises():
    with pytest.raises(RuntimeError, match="overflow"):
        tg.zeros(3, dtype=tg.int8)[0] = 300


def test_item_assignment_of_a_fraction_into_an_integer_tensor_truncates():
    t = tg.zeros(3, dtype=tg.int64)
    t[1] = 2.7
    assert t.tolist() == [0, 2, 0]
