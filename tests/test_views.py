"""Views and in-place ops together: a view shares its base's memory and version counter, and
a view whose base was rebased by an in-place op takes its gradient from the base's new
history, as PyTorch regenerates a view's grad_fn."""

import numpy as np
import pytest

import tinygrad_np as tg


def leaf(*values):
    return tg.tensor([float(v) for v in values], dtype=tg.float64, requires_grad=True)


def test_basic_index_reshape_permute_and_expand_share_the_base_version_counter():
    base = tg.zeros(2, 3)
    views = [base[0], base.reshape(6), base.T, base[:, None].expand(2, 4, 3)]
    base.add_(1)
    assert [view._version for view in views] == [1, 1, 1, 1]


def test_advanced_index_is_a_copy_with_its_own_version_counter():
    base = tg.zeros(4)
    picked = base[[0, 2]]
    base.add_(1)
    assert picked._version == 0 and picked.tolist() == [0.0, 0.0]


def test_reshape_that_copies_has_its_own_version_counter():
    base = tg.zeros(2, 3)
    copied = base.T.reshape(6)  # not expressible as a view of base's memory
    base.add_(1)
    assert copied._version == 0


def test_view_made_before_an_in_place_op_on_its_base_gets_the_gradient_of_the_new_values():
    x = leaf(1, 2, 3)
    b = x * 2
    w = b[0:2]
    b.mul_(3)
    w.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0, 0.0]


def test_overlapping_view_sees_an_in_place_op_made_through_another_view():
    x = leaf(1, 2, 3)
    b = x * 2
    first, second = b[0:2], b[1:3]
    first.mul_(3)
    second.sum().backward()
    assert x.grad.tolist() == [0.0, 6.0, 2.0]


def test_view_of_a_plain_tensor_depends_on_what_an_in_place_op_added_to_its_base():
    buffer = tg.zeros(3, dtype=tg.float64)
    view = buffer[:2]
    w = leaf(1, 1, 1)
    buffer.add_(w * 2)
    (view * 1).sum().backward()
    assert w.grad.tolist() == [2.0, 2.0, 0.0]


def test_stale_view_as_the_root_of_backward_is_derived_again():
    x = leaf(1, 2)
    b = x * 1
    first = b[0]
    b.mul_(5)
    first.backward()
    assert x.grad.tolist() == [5.0, 0.0]


def test_in_place_op_on_a_transposed_view_writes_through_to_the_base_and_its_gradient():
    x = tg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = x * 1
    b.T[1].mul_(10)  # column 1 of b
    (b * tg.tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
    expected = np.arange(6.0).reshape(2, 3)
    expected[:, 1] *= 10
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    np.testing.assert_array_equal(b.detach().numpy(), np.arange(6.0).reshape(2, 3) * [1, 10, 1])


def test_view_of_a_view_is_rebased_through_the_common_base():
    x = leaf(1, 2, 3, 4)
    b = x * 1
    inner = b.reshape(2, 2)[1]
    inner.pow_(2)
    b.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 6.0, 8.0]


def test_clone_is_a_copy_whose_gradient_passes_through():
    x = leaf(1, 2)
    y = x.clone()
    y.add_(1)
    assert x.tolist() == [1.0, 2.0]
    (y * y).sum().backward()
    assert x.grad.tolist() == [4.0, 6.0]


def test_clone_of_an_integer_tensor_is_an_independent_copy():
    t = tg.tensor([1, 2])
    copy = t.clone()
    copy[0] = 5
    assert t.tolist() == [1, 2] and copy.dtype == tg.int64


def test_in_place_op_on_an_expanded_view_raises_the_clone_hint():
    expanded = tg.zeros(1, 3).expand(2, 3)
    with pytest.raises(RuntimeError, match="clone"):
        expanded.add_(1)


def test_an_element_taken_by_integer_indexing_is_a_view_that_writes_through():
    base = tg.zeros(3)
    base[1].add_(5)
    assert base.tolist() == [0.0, 5.0, 0.0]
