"""Clear errors: shape mismatches raise `tg.ShapeError` naming the op and the shapes, and
misuse of autograd raises `RuntimeError` saying what to do instead (as PyTorch)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import MAX_SIDE, shapes

import tinygrad_np as tg


@st.composite
def non_broadcastable_shapes(draw):
    """Two shapes that cannot broadcast: one dim differs and neither size there is 1."""
    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(0, len(shape) - 1))
    sizes = draw(st.lists(st.integers(2, MAX_SIDE + 1), min_size=2, max_size=2, unique=True))
    first, second = list(shape), list(shape)
    first[axis], second[axis] = sizes
    lead = draw(shapes(max_dims=2))
    return tuple(first), lead + tuple(second)


def assert_names(error, *words):
    """Each word is in the message; a shape may be printed as a tuple or as tg.Size prints it."""
    message = str(error.value)
    for word in words:
        spellings = {str(tuple(word)), str(tg.Size(word))} if isinstance(word, tuple) else {str(word)}
        assert any(spelling in message for spelling in spellings), f"{word!r} not in the message {message!r}"


def test_shape_error_is_both_a_value_error_and_a_runtime_error():
    assert issubclass(tg.ShapeError, ValueError)
    assert issubclass(tg.ShapeError, RuntimeError)


def test_shape_error_can_be_caught_as_value_error_or_runtime_error():
    for base in (ValueError, RuntimeError):
        with pytest.raises(base):
            tg.zeros(2) + tg.zeros(3)


# ------------------------------------------------------------------ shape mismatches


@pytest.mark.parametrize("requires_grad", [False, True])
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4))
def test_matmul_of_mismatched_inner_dims_raises_shape_error(requires_grad, n, k, j, m):
    k2 = k + j  # differs from k
    a, b = tg.zeros(n, k, requires_grad=requires_grad), tg.zeros(k2, m)
    with pytest.raises(tg.ShapeError) as error:
        a @ b
    assert_names(error, "matmul", a.shape, b.shape)


@pytest.mark.parametrize("a_shape, b_shape", [((3,), (4,)), ((2, 3), (4,)), ((3,), (4, 2)), ((2, 2, 3), (4, 5))])
def test_matmul_with_vectors_of_mismatched_length_raises_shape_error(a_shape, b_shape):
    with pytest.raises(tg.ShapeError) as error:
        tg.zeros(a_shape) @ tg.zeros(b_shape)
    assert_names(error, "matmul", a_shape, b_shape)


def test_matmul_of_mismatched_batch_dims_raises_shape_error_naming_both_shapes():
    a, b = tg.zeros(2, 3, 4), tg.zeros(5, 4, 6)
    with pytest.raises(tg.ShapeError) as error:
        a @ b
    assert_names(error, "matmul", a.shape, b.shape)


def test_matmul_of_a_zero_dim_tensor_raises_shape_error():
    with pytest.raises(tg.ShapeError) as error:
        tg.tensor(2.0) @ tg.zeros(3)
    assert_names(error, "matmul")


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": lambda a, b: tg.maximum(a, b),
}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("requires_grad", [False, True])
@given(pair=non_broadcastable_shapes())
def test_binary_op_on_non_broadcastable_shapes_raises_shape_error(name, requires_grad, pair):
    a_shape, b_shape = pair
    with pytest.raises(tg.ShapeError) as error:
        BINARY[name](tg.ones(a_shape, requires_grad=requires_grad), tg.ones(b_shape))
    assert_names(error, name, a_shape, b_shape)


def test_comparison_of_non_broadcastable_shapes_raises_shape_error():
    with pytest.raises(tg.ShapeError) as error:
        _ = tg.zeros(2, 3) < tg.zeros(4)
    assert_names(error, (2, 3), (4,))


@given(pair=non_broadcastable_shapes())
def test_where_on_non_broadcastable_shapes_raises_shape_error(pair):
    a_shape, b_shape = pair
    with pytest.raises(tg.ShapeError) as error:
        tg.where(tg.ones(a_shape) > 0, tg.ones(a_shape, requires_grad=True), tg.ones(b_shape))
    assert_names(error, "where", a_shape, b_shape)


def test_where_with_a_condition_of_the_wrong_shape_raises_shape_error():
    with pytest.raises(tg.ShapeError) as error:
        tg.where(tg.tensor([True, False, True]), tg.zeros(2), tg.ones(2))
    assert_names(error, "where", (3,), (2,))


def test_cat_of_mismatched_shapes_raises_shape_error():
    a, b = tg.zeros(2, 3), tg.zeros(2, 4)
    with pytest.raises(tg.ShapeError) as error:
        tg.cat([a, b], dim=0)
    assert_names(error, "cat", a.shape, b.shape)


def test_cat_of_different_ranks_raises_shape_error():
    a, b = tg.zeros(2, 3), tg.zeros(3)
    with pytest.raises(tg.ShapeError) as error:
        tg.cat([a, b])
    assert_names(error, "cat", a.shape, b.shape)


def test_cat_along_the_mismatched_dim_is_fine():
    assert tg.cat([tg.zeros(2, 3), tg.zeros(2, 4)], dim=1).shape == (2, 7)


def test_stack_of_mismatched_shapes_raises_shape_error():
    a, b = tg.zeros(2, 3), tg.zeros(3, 2)
    with pytest.raises(tg.ShapeError) as error:
        tg.stack([a, b])
    assert_names(error, "stack", a.shape, b.shape)


@given(shape=shapes(min_dims=1), extra=st.integers(1, 5))
def test_reshape_to_a_different_number_of_elements_raises_shape_error(shape, extra):
    t = tg.zeros(shape)
    target = (t.numel() + extra,)
    with pytest.raises(tg.ShapeError) as error:
        t.reshape(target)
    assert_names(error, "reshape", shape, target)


def test_reshape_with_an_impossible_inferred_dim_raises_shape_error():
    with pytest.raises(tg.ShapeError) as error:
        tg.zeros(2, 3).reshape(4, -1)
    assert_names(error, "reshape", (2, 3), (4, -1))


def test_view_of_a_different_number_of_elements_raises_shape_error():
    with pytest.raises(tg.ShapeError):
        tg.zeros(2, 3).view(5)


def test_expand_of_a_non_singleton_dim_raises_shape_error():
    t = tg.zeros(2, 3)
    with pytest.raises(tg.ShapeError) as error:
        t.expand(4, 3)
    assert_names(error, "expand", (2, 3), (4, 3))


def test_expand_to_fewer_dims_raises_shape_error():
    with pytest.raises(tg.ShapeError) as error:
        tg.zeros(2, 3).expand(3)
    assert_names(error, "expand", (2, 3))


def test_broadcast_to_an_incompatible_shape_raises_shape_error():
    with pytest.raises(tg.ShapeError):
        tg.zeros(2, 3).broadcast_to((2, 4))


# ------------------------------------------------------------------ misuse of backward


def test_backward_on_a_non_scalar_without_gradient_raises():
    y = tg.ones(3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="gradient"):
        y.backward()


def test_backward_on_a_one_element_non_scalar_needs_no_gradient():
    x = tg.ones(1, 1, requires_grad=True)
    (x * 2).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[2.0]])


def test_backward_on_a_tensor_that_does_not_require_grad_raises():
    with pytest.raises(RuntimeError):
        (tg.ones(3) * 2).sum().backward()


def test_backward_on_a_result_computed_under_no_grad_raises():
    x = tg.ones(3, requires_grad=True)
    with tg.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError):
        y.backward()


def test_second_backward_through_a_freed_graph_raises_mentioning_retain_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_backward_through_a_shared_part_of_a_freed_graph_raises():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    hidden = x.exp()
    hidden.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        (hidden * 2).sum().backward()


def test_second_backward_after_retain_graph_accumulates():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])


def test_second_autograd_grad_through_a_freed_graph_raises():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    tg.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="retain_graph"):
        tg.autograd.grad(y, x)


@pytest.mark.parametrize("gradient_shape", [(2,), (1,), (3, 1), (1, 3), ()], ids=str)
def test_gradient_of_the_wrong_shape_raises_shape_error(gradient_shape):
    y = tg.ones(3, requires_grad=True) * 2
    with pytest.raises(tg.ShapeError) as error:
        y.backward(tg.ones(gradient_shape))
    assert_names(error, gradient_shape, (3,))


def test_setting_requires_grad_false_on_a_non_leaf_raises():
    y = tg.ones(3, requires_grad=True) * 2
    with pytest.raises(RuntimeError):
        y.requires_grad = False
    with pytest.raises(RuntimeError):
        y.requires_grad_(False)
    assert y.requires_grad


def test_retain_grad_on_a_tensor_that_does_not_require_grad_raises():
    with pytest.raises(RuntimeError):
        tg.ones(3).retain_grad()


def test_autograd_grad_with_respect_to_a_tensor_that_does_not_require_grad_raises():
    x = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        tg.autograd.grad((x * 2).sum(), tg.ones(3))


def test_autograd_grad_with_a_wrong_number_of_grad_outputs_raises():
    x = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        tg.autograd.grad([x * 2, x * 3], x, grad_outputs=[tg.ones(3)])


@pytest.mark.parametrize("array", [np.array(["ab"]), np.array([None, 1.0], dtype=object)])
def test_tensor_from_a_non_numeric_array_raises_type_error(array):
    with pytest.raises(TypeError, match="cannot make a tensor of dtype"):
        tg.Tensor(array)
